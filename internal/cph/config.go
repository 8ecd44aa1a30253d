package cph

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// Defaults applied by New.
const (
	DefaultRetryWaitMin    = 1 * time.Second
	DefaultRetryWaitMax    = 30 * time.Second
	DefaultThrottleWaitMin = 2 * time.Second // Huawei advises waiting 2-5 s after APIG.0308
	DefaultRequestTimeout  = 60 * time.Second
	DefaultUserAgent       = "terraform-provider-cph"
)

// Config configures a Client. Only Region (or explicit endpoints and project)
// and Credentials are required.
type Config struct {
	Region string
	// ProjectID is the project of Region (see IsID). When empty, New
	// discovers it: GET {iam}/v3/projects?name=<Region>.
	ProjectID string
	// Endpoint defaults to "https://cph.<Region>.myhuaweicloud.com".
	Endpoint string
	// IAMEndpoint defaults to "https://iam.<Region>.myhuaweicloud.com". Only
	// password sign-in and the discovery of ProjectID call IAM.
	IAMEndpoint string
	// Credentials is one of TokenCredentials, AKSKCredentials or
	// PasswordCredentials (values or non-nil pointers).
	Credentials Credentials
	// Insecure skips TLS certificate verification.
	Insecure bool
	// MaxRetries bounds the retries of one call in the cases that are safe to
	// retry; 0 means no retry, negative is invalid.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the jittered exponential backoff
	// (defaults 1 s and 30 s). After a throttling answer the client waits at
	// least DefaultThrottleWaitMin, unless RetryWaitMin is set lower.
	RetryWaitMin, RetryWaitMax time.Duration
	// RequestTimeout bounds one HTTP attempt (default 60 s) when HTTPClient
	// has no Timeout of its own.
	RequestTimeout time.Duration
	// UserAgent is sent on every request, e.g. "terraform-provider-cph/1.2.3".
	UserAgent string
	// HTTPClient is an optional base client (tests); its Transport is wrapped
	// and it is never modified. Redirects are never followed.
	HTTPClient *http.Client
	// Now returns the current time (signing dates, token expiry); nil means
	// time.Now. Tests inject a fake clock.
	Now func() time.Time
}

// Credentials is one way to sign in: TokenCredentials, AKSKCredentials or
// PasswordCredentials.
type Credentials interface{ isCredentials() }

// TokenCredentials authenticates with an IAM token (X-Auth-Token).
type TokenCredentials struct{ Token string }

// AKSKCredentials signs every request with SDK-HMAC-SHA256. SecurityToken is
// set for temporary keys.
type AKSKCredentials struct{ AccessKey, SecretKey, SecurityToken string }

// PasswordCredentials logs in to IAM and uses the token it returns, cached and
// refreshed before it expires.
type PasswordCredentials struct{ UserName, Password, DomainName string }

func (TokenCredentials) isCredentials()    {}
func (AKSKCredentials) isCredentials()     {}
func (PasswordCredentials) isCredentials() {}

// String and GoString keep secrets out of formatted output (%v, %+v, %#v).
func (c TokenCredentials) String() string   { return "TokenCredentials{Token:" + redacted(c.Token) + "}" }
func (c TokenCredentials) GoString() string { return c.String() }
func (c AKSKCredentials) String() string {
	return "AKSKCredentials{AccessKey:" + c.AccessKey + " SecretKey:" + redacted(c.SecretKey) +
		" SecurityToken:" + redacted(c.SecurityToken) + "}"
}
func (c AKSKCredentials) GoString() string { return c.String() }
func (c PasswordCredentials) String() string {
	return "PasswordCredentials{UserName:" + c.UserName + " Password:" + redacted(c.Password) +
		" DomainName:" + c.DomainName + "}"
}
func (c PasswordCredentials) GoString() string { return c.String() }

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return redactedValue
}

var regionPattern = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// settings is a validated Config with defaults applied.
type settings struct {
	region          string
	projectID       string
	endpoint        *url.URL
	iamEndpoint     *url.URL    // nil when nothing needs IAM (see Validate)
	creds           Credentials // value type, never a pointer
	insecure        bool
	maxRetries      int
	waitMin         time.Duration
	waitMax         time.Duration
	throttleWaitMin time.Duration
	requestTimeout  time.Duration
	userAgent       string
	httpClient      *http.Client
	now             func() time.Time
}

// Validate checks cfg without contacting anything. Its error joins one
// *FieldError per problem (see FieldErrors), so a caller can point at the
// setting concerned.
//
// The region is needed only for what it names: the default CPH endpoint
// (when Endpoint is empty), the project looked up in IAM (when ProjectID is
// empty) and the default IAM endpoint, which only password sign-in and that
// lookup use. So a token or an access key with Endpoint and ProjectID needs
// neither Region nor IAMEndpoint; password sign-in with Endpoint and
// ProjectID needs IAMEndpoint or Region.
func (cfg Config) Validate() error {
	_, err := cfg.validate()
	return err
}

func (cfg Config) validate() (*settings, error) {
	var errs []error
	s := &settings{
		region:     strings.TrimSpace(cfg.Region),
		projectID:  strings.TrimSpace(cfg.ProjectID),
		insecure:   cfg.Insecure,
		maxRetries: cfg.MaxRetries,
		httpClient: cfg.HTTPClient,
		now:        cfg.Now,
		userAgent:  cfg.UserAgent,
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.userAgent == "" {
		s.userAgent = DefaultUserAgent
	}
	if hasControl(s.userAgent) {
		errs = append(errs, fieldErr(FieldUserAgent, "must not contain control characters"))
	}

	creds, err := normalizeCredentials(cfg.Credentials)
	if err != nil {
		errs = append(errs, err)
	}
	s.creds = creds
	_, password := creds.(PasswordCredentials)

	endpoint, iamEndpoint := strings.TrimSpace(cfg.Endpoint), strings.TrimSpace(cfg.IAMEndpoint)
	if err := ValidateRegion(s.region); err != nil {
		errs = append(errs, err)
	}
	if err := ValidateProjectID(s.projectID); err != nil {
		errs = append(errs, err)
	}
	var needs []string
	if endpoint == "" {
		needs = append(needs, "the default CPH endpoint")
	}
	if s.projectID == "" {
		needs = append(needs, "the project to look up in IAM")
	}
	if iamEndpoint == "" && password {
		needs = append(needs, "the default IAM endpoint for password sign-in")
	}
	if s.region == "" && len(needs) > 0 {
		errs = append(errs, missing(FieldRegion, "is required: it names %s. Without a region, give the CPH endpoint "+
			"and the project ID (and, for password sign-in, the IAM endpoint)", joinAnd(needs)))
	}
	if s.endpoint, err = parseEndpoint(FieldEndpoint, endpoint); err != nil {
		errs = append(errs, err)
	}
	if s.iamEndpoint, err = parseEndpoint(FieldIAMEndpoint, iamEndpoint); err != nil {
		errs = append(errs, err)
	}
	if regionPattern.MatchString(s.region) {
		if s.endpoint == nil && endpoint == "" {
			s.endpoint, _ = url.Parse("https://cph." + s.region + ".myhuaweicloud.com")
		}
		if s.iamEndpoint == nil && iamEndpoint == "" {
			s.iamEndpoint, _ = url.Parse("https://iam." + s.region + ".myhuaweicloud.com")
		}
	}

	if cfg.MaxRetries < 0 {
		errs = append(errs, fieldErr(FieldMaxRetries, "must be 0 or more, got %d", cfg.MaxRetries))
	}
	s.waitMin, s.waitMax = cfg.RetryWaitMin, cfg.RetryWaitMax
	if s.waitMin < 0 || s.waitMax < 0 {
		errs = append(errs, fieldErr(FieldRetryWait, "bounds must not be negative, got %s and %s", s.waitMin, s.waitMax))
	}
	if s.waitMin == 0 {
		s.waitMin = DefaultRetryWaitMin
	}
	if s.waitMax == 0 {
		s.waitMax = max(DefaultRetryWaitMax, s.waitMin)
	}
	if s.waitMin > s.waitMax {
		errs = append(errs, fieldErr(FieldRetryWait, "minimum %s exceeds the maximum %s", s.waitMin, s.waitMax))
	}
	s.throttleWaitMin = DefaultThrottleWaitMin
	if cfg.RetryWaitMin > 0 && cfg.RetryWaitMin < s.throttleWaitMin {
		s.throttleWaitMin = cfg.RetryWaitMin
	}
	s.throttleWaitMin = min(s.throttleWaitMin, s.waitMax)

	s.requestTimeout = cfg.RequestTimeout
	if s.requestTimeout < 0 {
		errs = append(errs, fieldErr(FieldRequestTimeout, "must not be negative, got %s", s.requestTimeout))
	}
	if s.requestTimeout == 0 {
		s.requestTimeout = DefaultRequestTimeout
	}
	if s.insecure && s.httpClient != nil && s.httpClient.Transport != nil {
		if _, ok := s.httpClient.Transport.(*http.Transport); !ok {
			errs = append(errs, fieldErr(FieldHTTPClient, "must have an *http.Transport for insecure"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return s, nil
}

// joinAnd joins phrases as "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

var errNoCredentials = missing(FieldCredentials,
	"are required: a token, an access key and secret key, or a user name, password and domain name")

func normalizeCredentials(c Credentials) (Credentials, error) {
	switch v := c.(type) {
	case nil:
		return nil, errNoCredentials
	case *TokenCredentials:
		if v == nil {
			return nil, errNoCredentials
		}
		return normalizeCredentials(*v)
	case *AKSKCredentials:
		if v == nil {
			return nil, errNoCredentials
		}
		return normalizeCredentials(*v)
	case *PasswordCredentials:
		if v == nil {
			return nil, errNoCredentials
		}
		return normalizeCredentials(*v)
	case TokenCredentials:
		if v.Token == "" {
			return nil, missing(FieldToken, "is empty")
		}
		return v, requireNoSpace(FieldToken, v.Token)
	case AKSKCredentials:
		var errs []error
		if v.AccessKey == "" {
			errs = append(errs, missing(FieldAccessKey, "is empty: AK/SK sign-in needs an access key and its secret key"))
		}
		if v.SecretKey == "" {
			errs = append(errs, missing(FieldSecretKey, "is empty: AK/SK sign-in needs an access key and its secret key"))
		}
		errs = append(errs, requireNoSpace(FieldAccessKey, v.AccessKey), requireNoSpace(FieldSecretKey, v.SecretKey),
			requireNoSpace(FieldSecurityToken, v.SecurityToken))
		return v, errors.Join(errs...)
	case PasswordCredentials:
		var errs []error
		for _, f := range []struct {
			field Field
			value string
		}{{FieldUserName, v.UserName}, {FieldPassword, v.Password}, {FieldDomainName, v.DomainName}} {
			if f.value == "" {
				errs = append(errs, missing(f.field, "is empty: password sign-in needs a user name, a password and a domain (account) name"))
			}
		}
		return v, errors.Join(errs...)
	default:
		return nil, fieldErr(FieldCredentials, "have an unsupported type %T", c)
	}
}

// parseEndpoint parses an explicit endpoint; "" gives nil (no explicit one).
func parseEndpoint(f Field, raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, nil
	}
	example := "https://cph.cn-north-4.myhuaweicloud.com"
	if f == FieldIAMEndpoint {
		example = "https://iam.cn-north-4.myhuaweicloud.com"
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" {
		// The URL is shown as given, except user information.
		shown := raw
		if err == nil && u.User != nil {
			u.User = url.User("REDACTED")
			shown = u.String()
		}
		return nil, fieldErr(f, "must be an absolute http or https URL without user information, query or fragment, "+
			"such as %s, got %q", example, shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func hasControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f })
}

func hasSpaceOrControl(s string) bool {
	return strings.ContainsFunc(s, func(r rune) bool { return r <= 0x20 || r == 0x7f })
}
