package cph

import (
	"errors"
	"fmt"
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
	// ProjectID is the project of Region (32 lower-case hex characters). When
	// empty, New discovers it: GET {iam}/v3/projects?name=<Region>.
	ProjectID string
	// Endpoint defaults to "https://cph.<Region>.myhuaweicloud.com".
	Endpoint string
	// IAMEndpoint defaults to "https://iam.<Region>.myhuaweicloud.com".
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

var (
	projectIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)
	regionPattern    = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
)

// settings is a validated Config with defaults applied.
type settings struct {
	region          string
	projectID       string
	endpoint        *url.URL
	iamEndpoint     *url.URL
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
		errs = append(errs, errors.New("user agent must not contain control characters"))
	}

	creds, err := normalizeCredentials(cfg.Credentials)
	if err != nil {
		errs = append(errs, err)
	}
	s.creds = creds

	if s.region != "" && !regionPattern.MatchString(s.region) {
		errs = append(errs, fmt.Errorf("region %q is not a valid region name (e.g. cn-north-4)", s.region))
	}
	if s.projectID != "" && !projectIDPattern.MatchString(s.projectID) {
		errs = append(errs, fmt.Errorf("project ID %q must be 32 lower-case hexadecimal characters", s.projectID))
	}
	needRegion := s.projectID == "" || strings.TrimSpace(cfg.Endpoint) == "" || strings.TrimSpace(cfg.IAMEndpoint) == ""
	if s.region == "" && needRegion {
		errs = append(errs, errors.New("region is required (it names the default endpoints and the project to discover)"))
	}
	s.endpoint, err = parseEndpoint("endpoint", cfg.Endpoint, "https://cph.%s.myhuaweicloud.com", s.region)
	if err != nil {
		errs = append(errs, err)
	}
	s.iamEndpoint, err = parseEndpoint("IAM endpoint", cfg.IAMEndpoint, "https://iam.%s.myhuaweicloud.com", s.region)
	if err != nil {
		errs = append(errs, err)
	}

	if cfg.MaxRetries < 0 {
		errs = append(errs, fmt.Errorf("max retries must be 0 or more, got %d", cfg.MaxRetries))
	}
	s.waitMin, s.waitMax = cfg.RetryWaitMin, cfg.RetryWaitMax
	if s.waitMin < 0 || s.waitMax < 0 {
		errs = append(errs, errors.New("retry wait bounds must not be negative"))
	}
	if s.waitMin == 0 {
		s.waitMin = DefaultRetryWaitMin
	}
	if s.waitMax == 0 {
		s.waitMax = max(DefaultRetryWaitMax, s.waitMin)
	}
	if s.waitMin > s.waitMax {
		errs = append(errs, fmt.Errorf("retry wait minimum %s exceeds maximum %s", s.waitMin, s.waitMax))
	}
	s.throttleWaitMin = DefaultThrottleWaitMin
	if cfg.RetryWaitMin > 0 && cfg.RetryWaitMin < s.throttleWaitMin {
		s.throttleWaitMin = cfg.RetryWaitMin
	}
	s.throttleWaitMin = min(s.throttleWaitMin, s.waitMax)

	s.requestTimeout = cfg.RequestTimeout
	if s.requestTimeout < 0 {
		errs = append(errs, errors.New("request timeout must not be negative"))
	}
	if s.requestTimeout == 0 {
		s.requestTimeout = DefaultRequestTimeout
	}
	if s.insecure && s.httpClient != nil && s.httpClient.Transport != nil {
		if _, ok := s.httpClient.Transport.(*http.Transport); !ok {
			errs = append(errs, errors.New("insecure needs an *http.Transport in the base HTTP client"))
		}
	}
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid CPH client configuration: %w", errors.Join(errs...))
	}
	return s, nil
}

func normalizeCredentials(c Credentials) (Credentials, error) {
	switch v := c.(type) {
	case nil:
		return nil, errors.New("credentials are required: a token, an access key and secret key, or a user name, password and domain name")
	case *TokenCredentials:
		if v == nil {
			return nil, errors.New("credentials are required")
		}
		return normalizeCredentials(*v)
	case *AKSKCredentials:
		if v == nil {
			return nil, errors.New("credentials are required")
		}
		return normalizeCredentials(*v)
	case *PasswordCredentials:
		if v == nil {
			return nil, errors.New("credentials are required")
		}
		return normalizeCredentials(*v)
	case TokenCredentials:
		if v.Token == "" {
			return nil, errors.New("token credentials: the token is empty")
		}
		if hasSpaceOrControl(v.Token) {
			return nil, errors.New("token credentials: the token contains white space or control characters")
		}
		return v, nil
	case AKSKCredentials:
		var errs []error
		if v.AccessKey == "" {
			errs = append(errs, errors.New("AK/SK credentials: the access key is empty"))
		}
		if v.SecretKey == "" {
			errs = append(errs, errors.New("AK/SK credentials: the secret key is empty"))
		}
		if hasSpaceOrControl(v.AccessKey) || hasSpaceOrControl(v.SecretKey) || hasSpaceOrControl(v.SecurityToken) {
			errs = append(errs, errors.New("AK/SK credentials: a key or the security token contains white space or control characters"))
		}
		return v, errors.Join(errs...)
	case PasswordCredentials:
		var errs []error
		if v.UserName == "" {
			errs = append(errs, errors.New("password credentials: the user name is empty"))
		}
		if v.Password == "" {
			errs = append(errs, errors.New("password credentials: the password is empty"))
		}
		if v.DomainName == "" {
			errs = append(errs, errors.New("password credentials: the domain (account) name is empty"))
		}
		return v, errors.Join(errs...)
	default:
		return nil, fmt.Errorf("unsupported credentials type %T", c)
	}
}

func parseEndpoint(what, raw, defaultFormat, region string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		if region == "" || !regionPattern.MatchString(region) {
			return nil, nil // reported as a missing/invalid region
		}
		raw = fmt.Sprintf(defaultFormat, region)
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q is not a valid URL", what, raw)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("%s %q must be an absolute http or https URL", what, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("%s %q must not carry user information, a query or a fragment", what, raw)
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
