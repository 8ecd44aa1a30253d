// Package schemajson turns a provider's protocol 6 schema into the JSON that
// `terraform providers schema -json` prints (terraform-json's
// ProviderSchemas), without any Terraform or OpenTofu CLI.
//
// The docs generator (tfplugindocs --providers-schema) reads that JSON. The
// CLIs cannot produce it here: none may be downloaded, and neither CLI on
// these machines reports action schemas. Serving the provider in-process
// and asking it for its schema gives the same document, actions included.
package schemajson

import (
	"context"
	"errors"
	"fmt"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/zclconf/go-cty/cty"
)

// FormatVersion is the format_version written into the document; it is the
// one Terraform 1.x prints and within what terraform-json accepts.
const FormatVersion = "1.0"

// DefaultAddress is the key tfplugindocs looks up for --provider-name cph
// (it tries "cph", then "registry.terraform.io/hashicorp/cph").
const DefaultAddress = "registry.terraform.io/hashicorp/cph"

// FromProvider serves p in-process over protocol 6 and returns its schemas
// under address.
func FromProvider(ctx context.Context, p provider.Provider, address string) (*tfjson.ProviderSchemas, error) {
	server, err := providerserver.NewProtocol6WithError(p)()
	if err != nil {
		return nil, fmt.Errorf("starting the provider server: %w", err)
	}
	return FromServer(ctx, server, address)
}

// FromServer asks a protocol 6 server for its schemas (provider
// configuration, resources, data sources, ephemeral resources, list
// resources, actions, functions and resource identities) and converts them.
func FromServer(ctx context.Context, server tfprotov6.ProviderServer, address string) (*tfjson.ProviderSchemas, error) {
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetProviderSchema: %w", err)
	}
	if err := diagnosticsError("GetProviderSchema", resp.Diagnostics); err != nil {
		return nil, err
	}

	ps := &tfjson.ProviderSchema{}
	if ps.ConfigSchema, err = convertSchema(resp.Provider); err != nil {
		return nil, fmt.Errorf("provider configuration: %w", err)
	}
	if ps.ResourceSchemas, err = convertSchemas(resp.ResourceSchemas); err != nil {
		return nil, fmt.Errorf("resource %w", err)
	}
	if ps.DataSourceSchemas, err = convertSchemas(resp.DataSourceSchemas); err != nil {
		return nil, fmt.Errorf("data source %w", err)
	}
	if ps.EphemeralResourceSchemas, err = convertSchemas(resp.EphemeralResourceSchemas); err != nil {
		return nil, fmt.Errorf("ephemeral resource %w", err)
	}
	if ps.ListResourceSchemas, err = convertSchemas(resp.ListResourceSchemas); err != nil {
		return nil, fmt.Errorf("list resource %w", err)
	}
	if ps.ActionSchemas, err = convertActions(resp.ActionSchemas); err != nil {
		return nil, err
	}
	if ps.Functions, err = convertFunctions(resp.Functions); err != nil {
		return nil, err
	}

	ids, err := server.GetResourceIdentitySchemas(ctx, &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		return nil, fmt.Errorf("GetResourceIdentitySchemas: %w", err)
	}
	if err := diagnosticsError("GetResourceIdentitySchemas", ids.Diagnostics); err != nil {
		return nil, err
	}
	if ps.ResourceIdentitySchemas, err = convertIdentities(ids.IdentitySchemas); err != nil {
		return nil, err
	}

	return &tfjson.ProviderSchemas{
		FormatVersion: FormatVersion,
		Schemas:       map[string]*tfjson.ProviderSchema{address: ps},
	}, nil
}

func diagnosticsError(rpc string, diags []*tfprotov6.Diagnostic) error {
	var errs []error
	for _, d := range diags {
		if d == nil || d.Severity != tfprotov6.DiagnosticSeverityError {
			continue
		}
		msg := d.Summary
		if d.Detail != "" {
			msg += ": " + d.Detail
		}
		errs = append(errs, errors.New(msg))
	}
	if len(errs) == 0 {
		return nil
	}
	return fmt.Errorf("%s returned errors: %w", rpc, errors.Join(errs...))
}

func convertSchemas(in map[string]*tfprotov6.Schema) (map[string]*tfjson.Schema, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*tfjson.Schema, len(in))
	for name, s := range in {
		js, err := convertSchema(s)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out[name] = js
	}
	return out, nil
}

func convertSchema(s *tfprotov6.Schema) (*tfjson.Schema, error) {
	if s == nil {
		return nil, nil
	}
	if s.Version < 0 {
		return nil, fmt.Errorf("negative schema version %d", s.Version)
	}
	block, err := convertBlock(s.Block)
	if err != nil {
		return nil, err
	}
	return &tfjson.Schema{Version: uint64(s.Version), Block: block}, nil
}

func convertActions(in map[string]*tfprotov6.ActionSchema) (map[string]*tfjson.ActionSchema, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*tfjson.ActionSchema, len(in))
	for name, a := range in {
		var block *tfjson.SchemaBlock
		if a != nil && a.Schema != nil {
			var err error
			if block, err = convertBlock(a.Schema.Block); err != nil {
				return nil, fmt.Errorf("action %s: %w", name, err)
			}
		}
		out[name] = &tfjson.ActionSchema{Block: block}
	}
	return out, nil
}

func convertBlock(b *tfprotov6.SchemaBlock) (*tfjson.SchemaBlock, error) {
	if b == nil {
		return &tfjson.SchemaBlock{}, nil
	}
	out := &tfjson.SchemaBlock{
		Description:     b.Description,
		DescriptionKind: descriptionKind(b.DescriptionKind),
		Deprecated:      b.Deprecated,
	}
	if len(b.Attributes) > 0 {
		out.Attributes = make(map[string]*tfjson.SchemaAttribute, len(b.Attributes))
		for _, a := range b.Attributes {
			if a == nil {
				continue
			}
			ja, err := convertAttribute(a)
			if err != nil {
				return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
			}
			out.Attributes[a.Name] = ja
		}
	}
	if len(b.BlockTypes) > 0 {
		out.NestedBlocks = make(map[string]*tfjson.SchemaBlockType, len(b.BlockTypes))
		for _, nb := range b.BlockTypes {
			if nb == nil {
				continue
			}
			jb, err := convertNestedBlock(nb)
			if err != nil {
				return nil, fmt.Errorf("block %q: %w", nb.TypeName, err)
			}
			out.NestedBlocks[nb.TypeName] = jb
		}
	}
	return out, nil
}

func convertNestedBlock(nb *tfprotov6.SchemaNestedBlock) (*tfjson.SchemaBlockType, error) {
	var mode tfjson.SchemaNestingMode
	switch nb.Nesting {
	case tfprotov6.SchemaNestedBlockNestingModeSingle:
		mode = tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaNestedBlockNestingModeGroup:
		mode = tfjson.SchemaNestingModeGroup
	case tfprotov6.SchemaNestedBlockNestingModeList:
		mode = tfjson.SchemaNestingModeList
	case tfprotov6.SchemaNestedBlockNestingModeSet:
		mode = tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaNestedBlockNestingModeMap:
		mode = tfjson.SchemaNestingModeMap
	default:
		return nil, fmt.Errorf("unsupported block nesting mode %v", nb.Nesting)
	}
	block, err := convertBlock(nb.Block)
	if err != nil {
		return nil, err
	}
	minItems, maxItems, err := itemLimits(nb.MinItems, nb.MaxItems)
	if err != nil {
		return nil, err
	}
	return &tfjson.SchemaBlockType{NestingMode: mode, Block: block, MinItems: minItems, MaxItems: maxItems}, nil
}

func convertAttribute(a *tfprotov6.SchemaAttribute) (*tfjson.SchemaAttribute, error) {
	out := &tfjson.SchemaAttribute{
		Description:     a.Description,
		DescriptionKind: descriptionKind(a.DescriptionKind),
		Deprecated:      a.Deprecated,
		Required:        a.Required,
		Optional:        a.Optional,
		Computed:        a.Computed,
		Sensitive:       a.Sensitive,
		WriteOnly:       a.WriteOnly,
	}
	switch {
	case a.NestedType != nil:
		nt, err := convertObject(a.NestedType)
		if err != nil {
			return nil, err
		}
		out.AttributeNestedType = nt
	case a.Type != nil:
		ty, err := ctyType(a.Type)
		if err != nil {
			return nil, err
		}
		out.AttributeType = ty
	default:
		return nil, errors.New("neither a type nor a nested type")
	}
	return out, nil
}

func convertObject(o *tfprotov6.SchemaObject) (*tfjson.SchemaNestedAttributeType, error) {
	var mode tfjson.SchemaNestingMode
	switch o.Nesting {
	case tfprotov6.SchemaObjectNestingModeSingle:
		mode = tfjson.SchemaNestingModeSingle
	case tfprotov6.SchemaObjectNestingModeList:
		mode = tfjson.SchemaNestingModeList
	case tfprotov6.SchemaObjectNestingModeSet:
		mode = tfjson.SchemaNestingModeSet
	case tfprotov6.SchemaObjectNestingModeMap:
		mode = tfjson.SchemaNestingModeMap
	default:
		return nil, fmt.Errorf("unsupported nested attribute nesting mode %v", o.Nesting)
	}
	out := &tfjson.SchemaNestedAttributeType{
		NestingMode: mode,
		Attributes:  make(map[string]*tfjson.SchemaAttribute, len(o.Attributes)),
	}
	for _, a := range o.Attributes {
		if a == nil {
			continue
		}
		ja, err := convertAttribute(a)
		if err != nil {
			return nil, fmt.Errorf("attribute %q: %w", a.Name, err)
		}
		out.Attributes[a.Name] = ja
	}
	return out, nil
}

func convertFunctions(in map[string]*tfprotov6.Function) (map[string]*tfjson.FunctionSignature, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*tfjson.FunctionSignature, len(in))
	for name, f := range in {
		if f == nil {
			continue
		}
		sig := &tfjson.FunctionSignature{
			Description:        f.Description,
			Summary:            f.Summary,
			DeprecationMessage: f.DeprecationMessage,
			ReturnType:         cty.DynamicPseudoType,
		}
		if f.Return != nil && f.Return.Type != nil {
			ty, err := ctyType(f.Return.Type)
			if err != nil {
				return nil, fmt.Errorf("function %s return: %w", name, err)
			}
			sig.ReturnType = ty
		}
		for _, p := range f.Parameters {
			jp, err := convertParameter(p)
			if err != nil {
				return nil, fmt.Errorf("function %s: %w", name, err)
			}
			sig.Parameters = append(sig.Parameters, jp)
		}
		if f.VariadicParameter != nil {
			jp, err := convertParameter(f.VariadicParameter)
			if err != nil {
				return nil, fmt.Errorf("function %s: %w", name, err)
			}
			sig.VariadicParameter = jp
		}
		out[name] = sig
	}
	return out, nil
}

func convertParameter(p *tfprotov6.FunctionParameter) (*tfjson.FunctionParameter, error) {
	if p == nil {
		return nil, errors.New("nil parameter")
	}
	ty := cty.DynamicPseudoType
	if p.Type != nil {
		var err error
		if ty, err = ctyType(p.Type); err != nil {
			return nil, fmt.Errorf("parameter %q: %w", p.Name, err)
		}
	}
	return &tfjson.FunctionParameter{
		Name:        p.Name,
		Description: p.Description,
		IsNullable:  p.AllowNullValue,
		Type:        ty,
	}, nil
}

func convertIdentities(in map[string]*tfprotov6.ResourceIdentitySchema) (map[string]*tfjson.IdentitySchema, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make(map[string]*tfjson.IdentitySchema, len(in))
	for name, s := range in {
		if s == nil {
			continue
		}
		if s.Version < 0 {
			return nil, fmt.Errorf("resource identity %s: negative version %d", name, s.Version)
		}
		is := &tfjson.IdentitySchema{
			Version:    uint64(s.Version),
			Attributes: make(map[string]*tfjson.IdentityAttribute, len(s.IdentityAttributes)),
		}
		for _, a := range s.IdentityAttributes {
			if a == nil {
				continue
			}
			ty, err := ctyType(a.Type)
			if err != nil {
				return nil, fmt.Errorf("resource identity %s attribute %q: %w", name, a.Name, err)
			}
			is.Attributes[a.Name] = &tfjson.IdentityAttribute{
				IdentityType:      ty,
				Description:       a.Description,
				RequiredForImport: a.RequiredForImport,
				OptionalForImport: a.OptionalForImport,
			}
		}
		out[name] = is
	}
	return out, nil
}

// ctyType converts through the JSON type syntax both libraries share
// ("string", ["map","string"], ["object",{...},["optional"]], "dynamic").
func ctyType(t tftypes.Type) (cty.Type, error) {
	if t == nil {
		return cty.NilType, errors.New("missing type")
	}
	// MarshalJSON is marked "not meant to be called by third-party code",
	// but it is the protocol's own encoding of types, which cty reads.
	b, err := t.MarshalJSON() //nolint:staticcheck // see above
	if err != nil {
		return cty.NilType, fmt.Errorf("encoding type %s: %w", t, err)
	}
	var ty cty.Type
	if err := ty.UnmarshalJSON(b); err != nil {
		return cty.NilType, fmt.Errorf("decoding type %s: %w", strings.TrimSpace(string(b)), err)
	}
	return ty, nil
}

// descriptionKind mirrors `terraform providers schema -json`, which prints a
// kind on every block and attribute: "markdown" when the provider said so,
// else "plain".
func descriptionKind(k tfprotov6.StringKind) tfjson.SchemaDescriptionKind {
	if k == tfprotov6.StringKindMarkdown {
		return tfjson.SchemaDescriptionKindMarkdown
	}
	return tfjson.SchemaDescriptionKindPlain
}

func itemLimits(minItems, maxItems int64) (uint64, uint64, error) {
	if minItems < 0 || maxItems < 0 {
		return 0, 0, fmt.Errorf("negative item limits (min %d, max %d)", minItems, maxItems)
	}
	return uint64(minItems), uint64(maxItems), nil
}
