package provider

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
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
// its docs and the error messages, so they cannot drift apart.
type setting struct {
	name, env   string
	kind        settingKind
	sensitive   bool
	description string
}

var settings = []setting{
	{"region", "HW_REGION_NAME", kindString, false, "The region, e.g. `cn-north-4`. Required unless both `endpoint` and `project_id` are set (and, for password sign-in, `iam_endpoint`)."},
	{"project_id", "HW_PROJECT_ID", kindString, false, "The project of the region (32 hex characters). When absent it is looked up in IAM by the region's name."},
	{"endpoint", "HW_CPH_ENDPOINT", kindString, false, "The CPH endpoint. Defaults to `https://cph.<region>.myhuaweicloud.com`."},
	{"iam_endpoint", "HW_IAM_ENDPOINT", kindString, false, "The IAM endpoint. Defaults to `https://iam.<region>.myhuaweicloud.com`."},
	{"auth_token", "HW_AUTH_TOKEN", kindString, true, "An IAM token, sent as `X-Auth-Token`. Sign-in method 1."},
	{"access_key", "HW_ACCESS_KEY", kindString, false, "An access key ID for `SDK-HMAC-SHA256` request signing; needs `secret_key`. Sign-in method 2."},
	{"secret_key", "HW_SECRET_KEY", kindString, true, "The secret access key of `access_key`."},
	{"security_token", "HW_SECURITY_TOKEN", kindString, true, "The security token of a temporary access key."},
	{"user_name", "HW_USER_NAME", kindString, false, "An IAM user's name for password sign-in; needs `password` and `domain_name`. Sign-in method 3. The token obtained is cached and renewed before it expires."},
	{"password", "HW_PASSWORD", kindString, true, "The IAM user's password."},
	{"domain_name", "HW_DOMAIN_NAME", kindString, false, "The account (domain) the IAM user belongs to."},
	{"insecure", "HW_INSECURE", kindBool, false, "Skip TLS certificate verification. Off by default; use only against test endpoints."},
	{"max_retries", "", kindInt, false, "How many times a failed request is retried when that is safe (reads, throttling). Defaults to 5. A batch reset is never re-sent once it may have reached the service."},
	{"poll_interval", "", kindString, false, "The longest wait between two polls of the reset jobs, as a duration such as `10s`. Polling starts at two seconds (or this value when smaller) and slows down to it. Defaults to `10s`."},
	{"batch_size", "", kindInt, false, "Phones per batch-reset request, 1 to 1000. Defaults to 100."},
}

var projectIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

const (
	defaultMaxRetries = 5
	maxBatchSize      = 1000
)

// resolvedSettings is the provider block with environment fallbacks applied.
type resolvedSettings struct {
	client       cph.Config
	batchSize    int
	pollInterval time.Duration
}

// resolveSettings applies environment fallbacks and checks the provider
// block. Every problem names the attribute and its environment variable.
func resolveSettings(m providerModel, getenv func(string) string, version string) (resolvedSettings, diag.Diagnostics) {
	var diags diag.Diagnostics
	raw := map[string]attrValue{
		"region": strAttr(m.Region), "project_id": strAttr(m.ProjectID), "endpoint": strAttr(m.Endpoint),
		"iam_endpoint": strAttr(m.IAMEndpoint), "auth_token": strAttr(m.AuthToken), "access_key": strAttr(m.AccessKey),
		"secret_key": strAttr(m.SecretKey), "security_token": strAttr(m.SecurityToken), "user_name": strAttr(m.UserName),
		"password": strAttr(m.Password), "domain_name": strAttr(m.DomainName), "insecure": boolAttr(m.Insecure),
		"max_retries": intAttr(m.MaxRetries), "poll_interval": strAttr(m.PollInterval), "batch_size": intAttr(m.BatchSize),
	}
	val := map[string]string{}
	for _, s := range settings {
		a := raw[s.name]
		switch {
		case a.unknown:
			diags.AddAttributeError(path.Root(s.name), "Unknown Provider Setting",
				fmt.Sprintf("The provider cannot be configured because %q is not known until apply. "+
					"Set it to a value known at plan time%s.", s.name, envHint(s)))
		case a.set:
			val[s.name] = a.value
		case s.env != "":
			val[s.name] = strings.TrimSpace(getenv(s.env))
		}
	}
	if diags.HasError() {
		return resolvedSettings{}, diags
	}

	out := resolvedSettings{batchSize: reset.DefaultBatchSize, pollInterval: reset.DefaultPollInterval}
	c := &out.client
	c.Region, c.ProjectID = val["region"], val["project_id"]
	c.Endpoint, c.IAMEndpoint = val["endpoint"], val["iam_endpoint"]
	c.UserAgent = "terraform-provider-cph/" + version
	c.MaxRetries = defaultMaxRetries

	if c.ProjectID != "" && !projectIDPattern.MatchString(c.ProjectID) {
		diags.AddAttributeError(path.Root("project_id"), "Invalid Project ID",
			fmt.Sprintf("A project ID is 32 lowercase hexadecimal characters%s.", envHint(settingNamed("project_id"))))
	}
	if c.Region == "" && (c.Endpoint == "" || (c.ProjectID == "" && c.IAMEndpoint == "")) {
		diags.AddAttributeError(path.Root("region"), "Missing Region",
			"Set the region (or the HW_REGION_NAME environment variable); it names the default endpoints and the project to look up.")
	}
	if v := val["insecure"]; v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			diags.AddAttributeError(path.Root("insecure"), "Invalid Insecure Setting",
				fmt.Sprintf("HW_INSECURE must be true or false, got %q.", v))
		}
		c.Insecure = b
	}
	if v := val["max_retries"]; v != "" {
		n, _ := strconv.Atoi(v)
		if n < 0 || n > 100 {
			diags.AddAttributeError(path.Root("max_retries"), "Invalid Max Retries", "max_retries must be between 0 and 100.")
		}
		c.MaxRetries = n
	}
	if v := val["batch_size"]; v != "" {
		n, _ := strconv.Atoi(v)
		if n < 1 || n > maxBatchSize {
			diags.AddAttributeError(path.Root("batch_size"), "Invalid Batch Size",
				fmt.Sprintf("batch_size must be between 1 and %d, got %d.", maxBatchSize, n))
		}
		out.batchSize = n
	}
	if v := val["poll_interval"]; v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			diags.AddAttributeError(path.Root("poll_interval"), "Invalid Poll Interval",
				fmt.Sprintf("poll_interval must be a positive duration such as \"10s\" or \"1m\", got %q.", v))
		}
		out.pollInterval = d
	}
	c.Credentials = chooseCredentials(val, &diags)
	return out, diags
}

// chooseCredentials picks the sign-in method by precedence: token, then
// access key, then password. Incomplete sets are errors even when another
// method would win, because they are almost always a mistake.
func chooseCredentials(val map[string]string, diags *diag.Diagnostics) cph.Credentials {
	requireWith := func(have string, needs ...string) {
		if val[have] == "" {
			return
		}
		for _, n := range needs {
			if val[n] == "" {
				diags.AddAttributeError(path.Root(n), "Incomplete Credentials",
					fmt.Sprintf("%q is set, so %q must be set too%s.", have, n, envHint(settingNamed(n))))
			}
		}
	}
	requireWith("access_key", "secret_key")
	requireWith("secret_key", "access_key")
	requireWith("security_token", "access_key", "secret_key")
	requireWith("user_name", "password", "domain_name")
	requireWith("password", "user_name", "domain_name")
	if diags.HasError() {
		return nil
	}
	switch {
	case val["auth_token"] != "":
		return cph.TokenCredentials{Token: val["auth_token"]}
	case val["access_key"] != "":
		return cph.AKSKCredentials{AccessKey: val["access_key"], SecretKey: val["secret_key"], SecurityToken: val["security_token"]}
	case val["user_name"] != "":
		return cph.PasswordCredentials{UserName: val["user_name"], Password: val["password"], DomainName: val["domain_name"]}
	}
	diags.AddError("Missing Credentials",
		"The provider needs one way to sign in: auth_token (HW_AUTH_TOKEN); access_key and secret_key "+
			"(HW_ACCESS_KEY, HW_SECRET_KEY), with security_token (HW_SECURITY_TOKEN) for temporary keys; or "+
			"user_name, password and domain_name (HW_USER_NAME, HW_PASSWORD, HW_DOMAIN_NAME).")
	return nil
}

type attrValue struct {
	set, unknown bool
	value        string
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
