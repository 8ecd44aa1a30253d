package provider

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

type settingKind int

const (
	kindString settingKind = iota
	kindBool
	kindInt
)

// setting describes one provider attribute; the same table feeds the schema,
// its docs, the validators and the error messages, so they cannot drift
// apart.
type setting struct {
	name, env   string
	kind        settingKind
	sensitive   bool
	field       cph.Field // the client's Config field it sets; its FieldErrors point here
	title       string    // for diagnostic summaries: "Invalid <title>", "Missing <title>"
	description string
	strings     []validator.String
	ints        []validator.Int64
}

// Bounds of the settings without an environment fallback.
const (
	defaultMaxRetries = 5
	maxMaxRetries     = 100
	maxBatchSize      = 1000
	minPollInterval   = time.Millisecond
	maxPollInterval   = time.Hour
)

var settings = []setting{
	{name: "region", env: "HW_REGION_NAME", field: cph.FieldRegion, title: "Region",
		description: "The region, e.g. `cn-north-4`. It names the default `endpoint`, the project looked up when " +
			"`project_id` is unset, and the default `iam_endpoint`, so it is required unless `endpoint` and " +
			"`project_id` are both set. Token and access-key sign-in then need neither a region nor an IAM endpoint; " +
			"password sign-in also needs `iam_endpoint` (it logs in to IAM).",
		strings: []validator.String{clientRule(cph.ValidateRegion)}},
	{name: "project_id", env: "HW_PROJECT_ID", field: cph.FieldProjectID, title: "Project ID",
		description: "The project of the region, " + cph.IDDescription + ". When absent it is looked up in IAM " +
			"by the region's name, which also checks the credentials before any plan.",
		strings: []validator.String{clientRule(cph.ValidateProjectID)}},
	{name: "endpoint", env: "HW_CPH_ENDPOINT", field: cph.FieldEndpoint, title: "CPH Endpoint",
		description: "The CPH endpoint, an `http` or `https` URL. Defaults to `https://cph.<region>.myhuaweicloud.com`.",
		strings:     []validator.String{clientRule(func(s string) error { return cph.ValidateEndpoint(cph.FieldEndpoint, s) })}},
	{name: "iam_endpoint", env: "HW_IAM_ENDPOINT", field: cph.FieldIAMEndpoint, title: "IAM Endpoint",
		description: "The IAM endpoint, an `http` or `https` URL. Defaults to `https://iam.<region>.myhuaweicloud.com`. " +
			"Used only by password sign-in and to look up `project_id`.",
		strings: []validator.String{clientRule(func(s string) error { return cph.ValidateEndpoint(cph.FieldIAMEndpoint, s) })}},
	{name: "auth_token", env: "HW_AUTH_TOKEN", sensitive: true, field: cph.FieldToken, title: "Token",
		description: "An IAM token, sent as `X-Auth-Token`. Sign-in method 1; conflicts with the other methods' attributes."},
	{name: "access_key", env: "HW_ACCESS_KEY", field: cph.FieldAccessKey, title: "Access Key",
		description: "An access key ID for `SDK-HMAC-SHA256` request signing; needs `secret_key`. Sign-in method 2."},
	{name: "secret_key", env: "HW_SECRET_KEY", sensitive: true, field: cph.FieldSecretKey, title: "Secret Key",
		description: "The secret access key of `access_key`."},
	{name: "security_token", env: "HW_SECURITY_TOKEN", sensitive: true, field: cph.FieldSecurityToken, title: "Security Token",
		description: "The security token of a temporary access key; needs `access_key` and `secret_key`."},
	{name: "user_name", env: "HW_USER_NAME", field: cph.FieldUserName, title: "User Name",
		description: "An IAM user's name for password sign-in; needs `password` and `domain_name`. Sign-in method 3. " +
			"The token obtained is cached and renewed before it expires."},
	{name: "password", env: "HW_PASSWORD", sensitive: true, field: cph.FieldPassword, title: "Password",
		description: "The IAM user's password; needs `user_name` and `domain_name`."},
	{name: "domain_name", env: "HW_DOMAIN_NAME", field: cph.FieldDomainName, title: "Domain Name",
		description: "The account (domain) the IAM user belongs to."},
	{name: "insecure", env: "HW_INSECURE", kind: kindBool, title: "Insecure Setting",
		description: "Skip TLS certificate verification. Off by default; use only against test endpoints."},
	{name: "max_retries", kind: kindInt, field: cph.FieldMaxRetries, title: "Max Retries",
		description: fmt.Sprintf("How many times a failed request is retried when that is safe (reads, throttling), "+
			"0 to %d. Defaults to %d. A batch reset is never re-sent once it may have reached the service.", maxMaxRetries, defaultMaxRetries),
		ints: []validator.Int64{int64validator.Between(0, maxMaxRetries)}},
	{name: "poll_interval", title: "Poll Interval",
		description: fmt.Sprintf("The longest wait between two polls of the reset jobs, a duration from `%s` to `%s` "+
			"such as `10s`. Polling starts at two seconds (or this value when smaller) and slows down to it. Defaults to `%s`.",
			shortDuration(minPollInterval), shortDuration(maxPollInterval), reset.DefaultPollInterval),
		strings: []validator.String{durationBetween(minPollInterval, maxPollInterval)}},
	{name: "batch_size", kind: kindInt, title: "Batch Size",
		description: fmt.Sprintf("Phones per batch-reset request, 1 to %d. Defaults to %d.", maxBatchSize, reset.DefaultBatchSize),
		ints:        []validator.Int64{int64validator.Between(1, maxBatchSize)}},
}

// signInMethods are the three ways to sign in, in the order of precedence
// among environment variables. The configuration always wins over the
// environment, and two methods in the configuration are an error.
var signInMethods = []struct {
	name  string   // as said in messages
	attrs []string // every attribute of the method; the first names it
}{
	{"a token", []string{"auth_token"}},
	{"an access key", []string{"access_key", "secret_key", "security_token"}},
	{"a user name and password", []string{"user_name", "password", "domain_name"}},
}

// signInNeeds says which other attributes a sign-in attribute needs, so a
// half-written method is an error even when another method is complete.
var signInNeeds = []struct {
	attr  string
	needs []string
}{
	{"access_key", []string{"secret_key"}},
	{"secret_key", []string{"access_key"}},
	{"security_token", []string{"access_key", "secret_key"}},
	{"user_name", []string{"password", "domain_name"}},
	{"password", []string{"user_name", "domain_name"}},
}

const signInChoices = "auth_token; access_key and secret_key (with security_token for a temporary key); " +
	"or user_name, password and domain_name"

// resolvedSettings is the provider block with environment fallbacks applied.
type resolvedSettings struct {
	client       cph.Config
	batchSize    int
	pollInterval time.Duration
}

// attrValue is one attribute as written in the configuration.
type attrValue struct {
	set, unknown bool
	value        string
}

func (m providerModel) values() map[string]attrValue {
	return map[string]attrValue{
		"region": strAttr(m.Region), "project_id": strAttr(m.ProjectID), "endpoint": strAttr(m.Endpoint),
		"iam_endpoint": strAttr(m.IAMEndpoint), "auth_token": strAttr(m.AuthToken), "access_key": strAttr(m.AccessKey),
		"secret_key": strAttr(m.SecretKey), "security_token": strAttr(m.SecurityToken), "user_name": strAttr(m.UserName),
		"password": strAttr(m.Password), "domain_name": strAttr(m.DomainName), "insecure": boolAttr(m.Insecure),
		"max_retries": intAttr(m.MaxRetries), "poll_interval": strAttr(m.PollInterval), "batch_size": intAttr(m.BatchSize),
	}
}

// resolveSettings applies environment fallbacks and checks the provider
// block at Configure. What can be checked from the configuration alone was
// checked at validate (the schema's validators and validateSignIn); here the
// environment joins in, and the client's Config.Validate decides the rest:
// its field errors are mapped to the attributes.
func resolveSettings(m providerModel, getenv func(string) string, version string) (resolvedSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	raw := m.values()
	val := map[string]string{}
	fromEnv := map[string]bool{}
	for _, s := range settings {
		a := raw[s.name]
		switch {
		case a.unknown:
			diags.AddAttributeError(path.Root(s.name), "Unknown Provider Setting",
				fmt.Sprintf("The provider cannot be configured because %s is not known until apply. "+
					"Set it to a value known at plan time%s.", s.name, envHint(s)))
		case a.set:
			val[s.name] = a.value
		case s.env != "":
			if v := strings.TrimSpace(getenv(s.env)); v != "" {
				val[s.name], fromEnv[s.name] = v, true
			}
		}
	}
	diags.Append(validateSignIn(raw)...)
	if diags.HasError() {
		return resolvedSettings{}, diags
	}

	out := resolvedSettings{batchSize: reset.DefaultBatchSize, pollInterval: reset.DefaultPollInterval}
	c := &out.client
	c.Region, c.ProjectID = val["region"], val["project_id"]
	c.Endpoint, c.IAMEndpoint = val["endpoint"], val["iam_endpoint"]
	c.UserAgent = "terraform-provider-cph/" + version
	c.MaxRetries = defaultMaxRetries
	if v := val["insecure"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			diags.AddAttributeError(path.Root("insecure"), "Invalid Insecure Setting",
				fmt.Sprintf("HW_INSECURE must be true or false, got %q.", v))
		}
		c.Insecure = b
	}
	// The schema's validators have checked these three (they have no
	// environment fallback, so the configuration is all there is).
	if v := val["max_retries"]; v != "" {
		c.MaxRetries, _ = strconv.Atoi(v)
	}
	if v := val["batch_size"]; v != "" {
		out.batchSize, _ = strconv.Atoi(v)
	}
	if v := val["poll_interval"]; v != "" {
		out.pollInterval, _ = time.ParseDuration(v)
	}
	c.Credentials = chooseCredentials(val, fromEnv, getenv, &diags)
	if diags.HasError() {
		return out, diags
	}
	diags.Append(clientDiagnostics(c.Validate(), fromEnv)...)
	return out, diags
}

// chooseCredentials picks the sign-in method: the one in the configuration
// (validateSignIn allows at most one), else the first in the environment by
// precedence (token, access key, password). Every sign-in variable that is
// set but not used is named in one warning, never with its value.
func chooseCredentials(val map[string]string, fromEnv map[string]bool, getenv func(string) string, diags *diag.Diagnostics) cph.Credentials {
	chosen, chosenFromConfig := -1, false
	for i, method := range signInMethods {
		for _, a := range method.attrs {
			if val[a] != "" && !fromEnv[a] && chosen < 0 {
				chosen, chosenFromConfig = i, true
			}
		}
	}
	if chosen < 0 {
	envSearch:
		for i, method := range signInMethods {
			for _, a := range method.attrs {
				if val[a] != "" {
					chosen = i
					break envSearch
				}
			}
		}
	}
	if chosen < 0 {
		diags.AddError("Missing Credentials",
			"The provider needs one way to sign in, in the provider block or the environment: "+signInChoices+
				" (HW_AUTH_TOKEN; HW_ACCESS_KEY, HW_SECRET_KEY, HW_SECURITY_TOKEN; HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME).")
		return nil
	}

	// Which variables lose: every sign-in variable of another method, and
	// those of the chosen method whose attribute the configuration sets.
	var ignored []string
	for i, method := range signInMethods {
		for _, a := range method.attrs {
			s := settingNamed(a)
			if getenv(s.env) != "" && (i != chosen || !fromEnv[a]) {
				ignored = append(ignored, s.env)
			}
		}
	}
	used := signInMethods[chosen].attrs[0]
	if !chosenFromConfig {
		used = settingNamed(used).env
	}
	if len(ignored) > 0 {
		source := "the provider configuration (which wins over the environment)"
		if !chosenFromConfig {
			source = "the environment (a token is used first, then an access key, then a user name and password)"
		}
		diags.AddWarning("Sign-In Environment Variables Ignored",
			fmt.Sprintf("The provider signs in with %s (%s) from %s. These environment variables are set but not used: %s. "+
				"Unset them, or remove the sign-in settings they compete with, so that the choice is explicit.",
				signInMethods[chosen].name, used, source, strings.Join(ignored, ", ")))
	}

	for _, n := range signInNeeds {
		if val[n.attr] == "" || !inMethod(chosen, n.attr) {
			continue
		}
		var missing []string
		for _, need := range n.needs {
			if val[need] == "" {
				missing = append(missing, need)
			}
		}
		if len(missing) > 0 {
			diags.Append(incompleteSignIn(n.attr, missing, fromEnv[n.attr]))
		}
	}
	if diags.HasError() {
		return nil
	}
	switch chosen {
	case 0:
		return cph.TokenCredentials{Token: val["auth_token"]}
	case 1:
		return cph.AKSKCredentials{AccessKey: val["access_key"], SecretKey: val["secret_key"], SecurityToken: val["security_token"]}
	default:
		return cph.PasswordCredentials{UserName: val["user_name"], Password: val["password"], DomainName: val["domain_name"]}
	}
}

func inMethod(i int, attr string) bool {
	for _, a := range signInMethods[i].attrs {
		if a == attr {
			return true
		}
	}
	return false
}

// incompleteSignIn is the one message for half a sign-in method, at
// validate and at Configure.
func incompleteSignIn(have string, missing []string, haveFromEnv bool) diag.Diagnostic {
	given := have + " is set"
	if haveFromEnv {
		given = settingNamed(have).env + " is set in the environment"
	}
	var envs []string
	for _, m := range missing {
		envs = append(envs, settingNamed(m).env)
	}
	verb, vars := "must be set too", "variable"
	if len(missing) > 1 {
		vars = "variables"
	}
	return diag.NewAttributeErrorDiagnostic(path.Root(have), "Incomplete Credentials",
		fmt.Sprintf("%s, so %s %s (in the provider block, or the %s environment %s). The ways to sign in: %s.",
			given, joinAnd(missing), verb, joinAnd(envs), vars, signInChoices))
}

// joinAnd joins names as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// clientDiagnostics maps the client's field errors to the attributes that
// set those fields; err comes from cph.Config.Validate.
func clientDiagnostics(err error, fromEnv map[string]bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if err == nil {
		return diags
	}
	fieldErrs := cph.FieldErrors(err)
	if len(fieldErrs) == 0 {
		diags.AddError("Invalid Provider Configuration", err.Error())
		return diags
	}
	for _, fe := range fieldErrs {
		s, ok := settingOfField(fe.Field)
		if !ok {
			diags.AddError("Invalid Provider Configuration", fe.Error()+".")
			continue
		}
		diags.Append(fieldDiagnostic(s, fe, fromEnv[s.name]))
	}
	return diags
}

func fieldDiagnostic(s setting, fe *cph.FieldError, fromEnv bool) diag.Diagnostic {
	subject := s.name
	if fromEnv {
		subject = s.name + " (from the " + s.env + " environment variable)"
	}
	detail := subject + " " + fe.Problem + "."
	summary := "Invalid " + s.title
	if fe.Missing {
		summary = "Missing " + s.title
		detail += " Set " + s.name + envHint(s) + "."
	}
	return diag.NewAttributeErrorDiagnostic(path.Root(s.name), summary, detail)
}

func settingOfField(f cph.Field) (setting, bool) {
	for _, s := range settings {
		if s.field == f && f != "" {
			return s, true
		}
	}
	return setting{}, false
}

func strAttr(v types.String) attrValue {
	return attrValue{set: !v.IsNull() && !v.IsUnknown(), unknown: v.IsUnknown(), value: strings.TrimSpace(v.ValueString())}
}

func boolAttr(v types.Bool) attrValue {
	return attrValue{set: !v.IsNull() && !v.IsUnknown(), unknown: v.IsUnknown(), value: strconv.FormatBool(v.ValueBool())}
}

func intAttr(v types.Int64) attrValue {
	return attrValue{set: !v.IsNull() && !v.IsUnknown(), unknown: v.IsUnknown(), value: strconv.FormatInt(v.ValueInt64(), 10)}
}

func settingNamed(name string) setting {
	for _, s := range settings {
		if s.name == name {
			return s
		}
	}
	panic("unknown setting " + name)
}

func envHint(s setting) string {
	if s.env == "" {
		return ""
	}
	return " (or the " + s.env + " environment variable)"
}
