package provider

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// clientRule checks a configured value with the client's own rule for that
// field (cph.ValidateRegion and the like), so `validate` and Configure say
// the same thing and the rule is written once, in internal/cph.
func clientRule(check func(string) error) validator.String { return clientRuleValidator{check} }

type clientRuleValidator struct{ check func(string) error }

func (v clientRuleValidator) Description(context.Context) string {
	return "checked with the CPH client's rule for this field"
}

func (v clientRuleValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v clientRuleValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	err := v.check(strings.TrimSpace(req.ConfigValue.ValueString()))
	if err == nil {
		return
	}
	s := settingNamed(req.Path.String())
	for _, fe := range cph.FieldErrors(err) {
		resp.Diagnostics.Append(fieldDiagnostic(s, fe, false))
	}
}

// durationBetween accepts a Go duration (time.ParseDuration) from lo to hi,
// with one message for both a malformed and an out-of-range value.
func durationBetween(lo, hi time.Duration) validator.String { return durationValidator{lo, hi} }

type durationValidator struct{ min, max time.Duration }

func (v durationValidator) Description(context.Context) string {
	return fmt.Sprintf("a duration from %s to %s", shortDuration(v.min), shortDuration(v.max))
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (v durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	d, err := time.ParseDuration(strings.TrimSpace(req.ConfigValue.ValueString()))
	if err == nil && d >= v.min && d <= v.max {
		return
	}
	s := settingNamed(req.Path.String())
	resp.Diagnostics.AddAttributeError(req.Path, "Invalid "+s.title,
		fmt.Sprintf("%s must be a duration from %s to %s: a number and a unit (ns, us, ms, s, m, h), such as \"10s\" "+
			"or \"1m30s\", got %q.", s.name, shortDuration(v.min), shortDuration(v.max), req.ConfigValue.ValueString()))
}

// shortDuration writes 1h as "1h", not "1h0m0s".
func shortDuration(d time.Duration) string {
	s := d.String()
	for _, zero := range []string{"0s", "0m"} {
		if strings.HasSuffix(s, "m"+zero) || strings.HasSuffix(s, "h"+zero) {
			s = strings.TrimSuffix(s, zero)
		}
	}
	return s
}

// validateSignIn rejects two sign-in methods in the configuration (values
// still unknown count: they will be set). It runs at validate and again at
// Configure.
func validateSignIn(raw map[string]attrValue) diag.Diagnostics {
	var diags diag.Diagnostics
	first := ""
	for _, method := range signInMethods {
		for _, a := range method.attrs {
			if !raw[a].set && !raw[a].unknown {
				continue
			}
			if first == "" {
				first = a
			} else if !inSameMethod(first, a) {
				diags.AddAttributeError(path.Root(a), "Conflicting Sign-In Settings",
					fmt.Sprintf("%s and %s are both set in the provider block, so it is not clear how to sign in. "+
						"Keep one way to sign in: %s.", first, a, signInChoices))
			}
			break // one error per method is enough
		}
	}
	return diags
}

func inSameMethod(a, b string) bool {
	for i := range signInMethods {
		if inMethod(i, a) {
			return inMethod(i, b)
		}
	}
	return false
}

// validateSignInComplete rejects half a method written in the configuration
// (an access key without its secret key) unless the environment supplies the
// other half: the same rule chooseCredentials applies at Configure.
func validateSignInComplete(raw map[string]attrValue, getenv func(string) string) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, n := range signInNeeds {
		if !raw[n.attr].set || raw[n.attr].value == "" {
			continue
		}
		var missing []string
		for _, need := range n.needs {
			if !raw[need].unknown && raw[need].value == "" && strings.TrimSpace(getenv(settingNamed(need).env)) == "" {
				missing = append(missing, need)
			}
		}
		if len(missing) > 0 {
			diags.Append(incompleteSignIn(n.attr, missing, false))
		}
	}
	return diags
}
