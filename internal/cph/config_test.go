package cph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestConfigValidation(t *testing.T) {
	t.Parallel()
	token := TokenCredentials{Token: "tok"}
	base := func(mod func(*Config)) Config {
		cfg := Config{Region: testRegion, ProjectID: testProjectID, Credentials: token}
		if mod != nil {
			mod(&cfg)
		}
		return cfg
	}
	tests := map[string]struct {
		cfg     Config
		wantErr string // "" means valid
	}{
		"minimal":             {cfg: base(nil)},
		"pointer credentials": {cfg: base(func(c *Config) { c.Credentials = &AKSKCredentials{AccessKey: "a", SecretKey: "b"} })},
		"password":            {cfg: base(func(c *Config) { c.Credentials = passwordCreds() })},
		"explicit endpoints": {cfg: base(func(c *Config) {
			c.Region = ""
			c.Endpoint = "http://127.0.0.1:8080/"
			c.IAMEndpoint = "http://127.0.0.1:8080"
		})},
		"token, endpoint and project need no region nor IAM": {cfg: base(func(c *Config) { c.Region = ""; c.Endpoint = "http://127.0.0.1:8080" })},
		"AK/SK, endpoint and project need no region nor IAM": {cfg: base(func(c *Config) {
			c.Region, c.Endpoint, c.Credentials = "", "http://127.0.0.1:8080", AKSKCredentials{AccessKey: "a", SecretKey: "b"}
		})},
		"password, endpoints and project need no region": {cfg: base(func(c *Config) {
			c.Region, c.Endpoint, c.IAMEndpoint, c.Credentials = "", "http://127.0.0.1:8080", "http://127.0.0.1:8081", passwordCreds()
		})},
		"password without IAM endpoint needs a region": {cfg: base(func(c *Config) {
			c.Region, c.Endpoint, c.Credentials = "", "http://127.0.0.1:8080", passwordCreds()
		}), wantErr: "region is required: it names the default IAM endpoint for password sign-in"},
		"no credentials":            {cfg: base(func(c *Config) { c.Credentials = nil }), wantErr: "credentials are required"},
		"nil pointer credentials":   {cfg: base(func(c *Config) { c.Credentials = (*TokenCredentials)(nil) }), wantErr: "credentials are required"},
		"empty token":               {cfg: base(func(c *Config) { c.Credentials = TokenCredentials{} }), wantErr: "token is empty"},
		"token with newline":        {cfg: base(func(c *Config) { c.Credentials = TokenCredentials{Token: "abc\n"} }), wantErr: "white space"},
		"access key without secret": {cfg: base(func(c *Config) { c.Credentials = AKSKCredentials{AccessKey: "a"} }), wantErr: "secret key is empty"},
		"user without domain":       {cfg: base(func(c *Config) { c.Credentials = PasswordCredentials{UserName: "u", Password: "p"} }), wantErr: "domain"},
		"negative retries":          {cfg: base(func(c *Config) { c.MaxRetries = -1 }), wantErr: "max retries"},
		"upper-case project":        {cfg: base(func(c *Config) { c.ProjectID = strings.ToUpper(testProjectID) }), wantErr: "32 lowercase hexadecimal"},
		"short project":             {cfg: base(func(c *Config) { c.ProjectID = "abc" }), wantErr: "32 lowercase hexadecimal"},
		"no region":                 {cfg: base(func(c *Config) { c.Region = "" }), wantErr: "region is required"},
		"no region nor project":     {cfg: base(func(c *Config) { c.Region = ""; c.ProjectID = ""; c.Endpoint = "http://x"; c.IAMEndpoint = "http://y" }), wantErr: "region is required"},
		"bad region":                {cfg: base(func(c *Config) { c.Region = "cn north/4" }), wantErr: "must be a region name"},
		"endpoint without scheme":   {cfg: base(func(c *Config) { c.Endpoint = "cph.example.com" }), wantErr: "absolute http or https"},
		"ftp endpoint":              {cfg: base(func(c *Config) { c.IAMEndpoint = "ftp://iam.example.com" }), wantErr: "absolute http or https"},
		"endpoint with query":       {cfg: base(func(c *Config) { c.Endpoint = "https://x.example.com/?a=b" }), wantErr: "query"},
		"wait bounds inverted":      {cfg: base(func(c *Config) { c.RetryWaitMin = time.Second; c.RetryWaitMax = time.Millisecond }), wantErr: "exceeds"},
		"negative wait":             {cfg: base(func(c *Config) { c.RetryWaitMin = -1 }), wantErr: "negative"},
		"user agent with newline":   {cfg: base(func(c *Config) { c.UserAgent = "x\r\ny" }), wantErr: "control"},
		"insecure on custom transport": {
			cfg:     base(func(c *Config) { c.Insecure = true; c.HTTPClient = &http.Client{Transport: roundTripFunc(nil)} }),
			wantErr: "insecure",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := New(context.Background(), tc.cfg)
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("err = %v, want one containing %q", err, tc.wantErr)
			}
		})
	}
}

// TestConfigFieldErrors checks that every problem comes back as its own
// *FieldError naming its field, without any wrapping prefix, so the provider
// can point at the attribute.
func TestConfigFieldErrors(t *testing.T) {
	t.Parallel()
	err := Config{
		ProjectID: "ABC", Endpoint: "cph.example.com", IAMEndpoint: "https://u:pw@iam.example.com",
		Credentials: AKSKCredentials{AccessKey: "a b"}, MaxRetries: -2,
	}.Validate()
	type got struct {
		Field   Field
		Missing bool
	}
	var fields []got
	for _, fe := range FieldErrors(err) {
		fields = append(fields, got{fe.Field, fe.Missing})
	}
	want := []got{
		{FieldSecretKey, true}, {FieldAccessKey, false}, {FieldProjectID, false},
		{FieldEndpoint, false}, {FieldIAMEndpoint, false}, {FieldMaxRetries, false},
	}
	if diff := cmp.Diff(want, fields); diff != "" {
		t.Errorf("fields (-want +got):\n%s\nerror: %v", diff, err)
	}
	for _, bad := range []string{"invalid CPH client configuration", "pw@", "a b"} {
		if strings.Contains(err.Error(), bad) {
			t.Errorf("error contains %q: %v", bad, err)
		}
	}
	if FieldErrors(errors.New("x")) != nil || FieldErrors(nil) != nil {
		t.Error("FieldErrors of a plain error must be nil")
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestConfigDefaults(t *testing.T) {
	t.Parallel()
	type got struct {
		Endpoint, IAMEndpoint string
		WaitMin, WaitMax      time.Duration
		ThrottleMin           time.Duration
		UserAgent             string
	}
	tests := map[string]struct {
		mod  func(*Config)
		want got
	}{
		"defaults": {
			mod: func(*Config) {},
			want: got{"https://cph.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com",
				time.Second, 30 * time.Second, 2 * time.Second, "terraform-provider-cph"},
		},
		"ms-scale waits for tests": {
			mod: func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = time.Millisecond, 5*time.Millisecond },
			want: got{"https://cph.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com",
				time.Millisecond, 5 * time.Millisecond, time.Millisecond, "terraform-provider-cph"},
		},
		"explicit endpoints trimmed": {
			mod: func(c *Config) {
				c.Endpoint, c.IAMEndpoint, c.RetryWaitMin, c.UserAgent = "http://127.0.0.1:9/base/", "https://iam.myhuaweicloud.com", 5*time.Second, "ua/1"
			},
			want: got{"http://127.0.0.1:9/base", "https://iam.myhuaweicloud.com", 5 * time.Second, 30 * time.Second, 2 * time.Second, "ua/1"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Region: testRegion, ProjectID: testProjectID, Credentials: TokenCredentials{Token: "t"}}
			tc.mod(&cfg)
			s, err := cfg.validate()
			if err != nil {
				t.Fatal(err)
			}
			g := got{s.endpoint.String(), s.iamEndpoint.String(), s.waitMin, s.waitMax, s.throttleWaitMin, s.userAgent}
			if diff := cmp.Diff(tc.want, g); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestEndpointBasePathAndNoRedirects(t *testing.T) {
	t.Parallel()
	var redirected atomic.Int32
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/base" + cphPath("phones/p1"):
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		case "/elsewhere":
			redirected.Add(1)
			writeJSON(w, 200, Phone{})
		default:
			t.Errorf("unexpected path %s", r.URL.Path)
		}
	})
	cfg := testConfig(srv, TokenCredentials{Token: "tok"})
	cfg.Endpoint = srv.URL + "/base/"
	c := mustNew(t, cfg)
	_, err := c.ShowPhone(context.Background(), "p1")
	var apiErr *APIError
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != http.StatusFound {
		t.Errorf("err = %v, want the 302 as an *APIError", err)
	}
	if redirected.Load() != 0 {
		t.Error("the redirect was followed (with credentials)")
	}
}

func TestCredentialsFormattingHidesSecrets(t *testing.T) {
	t.Parallel()
	cfg := Config{Credentials: AKSKCredentials{AccessKey: "AKID", SecretKey: "SK-hidden", SecurityToken: "ST-hidden"}}
	for _, creds := range []Credentials{
		TokenCredentials{Token: "TOKEN-hidden"},
		&PasswordCredentials{UserName: "u", Password: "PW-hidden", DomainName: "d"},
		cfg.Credentials,
	} {
		cfg.Credentials = creds
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			out := fmt.Sprintf(format, cfg)
			if strings.Contains(out, "hidden") {
				t.Errorf("%s of %T shows a secret: %s", format, creds, out)
			}
		}
	}
}

func TestInsecureSkipsTLSVerification(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		hits.Add(1)
		writeJSON(w, 200, Phone{PhoneID: "p1"})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // handshake failures are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	for _, insecure := range []bool{false, true} {
		cfg := Config{
			Region: testRegion, ProjectID: testProjectID, Endpoint: srv.URL, IAMEndpoint: srv.URL,
			Credentials: TokenCredentials{Token: "tok"}, Insecure: insecure,
			MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond,
		}
		c := mustNew(t, cfg)
		_, err := c.ShowPhone(context.Background(), "p1")
		if insecure && err != nil {
			t.Errorf("insecure: %v", err)
		}
		if !insecure && (err == nil || !strings.Contains(err.Error(), "certificate")) {
			t.Errorf("secure: err = %v, want a certificate error", err)
		}
	}
	if got := hits.Load(); got != 1 {
		t.Errorf("server handled %d requests, want 1", got)
	}
}
