package cph

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"
)

func TestRedactHeaders(t *testing.T) {
	t.Parallel()
	in := http.Header{
		"X-Auth-Token":     {"tok-123456"},
		"X-Subject-Token":  {"tok-abcdef"},
		"X-Security-Token": {"sec-123456"},
		"Authorization":    {"SDK-HMAC-SHA256 Access=AKXYZ, SignedHeaders=host;x-sdk-date, Signature=0123abcd"},
		"Cookie":           {"session=1"},
		"X-Project-Id":     {testProjectID},
		"X-Echo":           {"contains pw-987654 inside"},
	}
	want := map[string]string{
		"X-Auth-Token":     "REDACTED",
		"X-Subject-Token":  "REDACTED",
		"X-Security-Token": "REDACTED",
		"Authorization":    "SDK-HMAC-SHA256 Access=AKXYZ, SignedHeaders=host;x-sdk-date, Signature=REDACTED",
		"Cookie":           "REDACTED",
		"X-Project-Id":     testProjectID,
		"X-Echo":           "contains REDACTED inside",
	}
	if diff := cmp.Diff(want, redactHeaders(in, []string{"pw-987654"})); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := redactHeaders(http.Header{"Authorization": {"Bearer xyz"}}, nil)["Authorization"]; got != "REDACTED" {
		t.Errorf("other Authorization schemes: %q", got)
	}
}

func TestRedactBody(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"IAM password login": {
			in:   `{"auth":{"identity":{"methods":["password"],"password":{"user":{"name":"alice","password":"p@ss","domain":{"name":"d"}}}},"scope":{"project":{"name":"cn-north-4"}}}}`,
			want: `{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"d"},"name":"alice","password":"REDACTED"}}},"scope":{"project":{"name":"cn-north-4"}}}}`,
		},
		"IAM token method": {
			in:   `{"auth":{"identity":{"methods":["token"],"token":{"id":"abc"}}}}`,
			want: `{"auth":{"identity":{"methods":["token"],"token":{"id":"REDACTED"}}}}`,
		},
		"IAM token answer keeps expiry": {
			in:   `{"token":{"expires_at":"2024-01-01T00:00:00Z","methods":["password"],"user":{"name":"alice"}}}`,
			want: `{"token":{"expires_at":"2024-01-01T00:00:00Z","methods":["password"],"user":{"name":"alice"}}}`,
		},
		"temporary credentials": {
			in:   `{"credential":{"access":"AK","secret":"SK","securitytoken":"ST","expires_at":"x"}}`,
			want: `{"credential":{"access":"AK","expires_at":"x","secret":"REDACTED","securitytoken":"REDACTED"}}`,
		},
		"secret arrays and numbers": {
			in:   `{"tokens":["a","b"],"x_auth_token":123,"count":2}`,
			want: `{"count":2,"tokens":"REDACTED","x_auth_token":"REDACTED"}`,
		},
		"CPH answer untouched": {
			in:   `{"request_id":"r","jobs":[{"phone_id":"p","job_id":"j"}]}`,
			want: `{"jobs":[{"job_id":"j","phone_id":"p"}],"request_id":"r"}`,
		},
		"not JSON, known secret scrubbed": {in: "oops KNOWN-SECRET oops", want: "oops REDACTED oops"},
		"empty":                           {in: "", want: ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := redactBody([]byte(tc.in), []string{"KNOWN-SECRET"}); got != tc.want {
				t.Errorf("redactBody =\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
	long := redactBody([]byte(strings.Repeat("x", maxLoggedBody+10)), nil)
	if !strings.HasSuffix(long, "...(truncated)") || len(long) != maxLoggedBody+len("...(truncated)") {
		t.Errorf("long body not truncated: %d bytes", len(long))
	}
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLoggingRedactsCredentials runs real calls with each way to sign in,
// captures the TRACE log and checks that no secret appears while the useful
// parts do.
func TestLoggingRedactsCredentials(t *testing.T) {
	t.Parallel()
	const (
		token    = "MIIstatic-token-" + "Qq9Qq9Qq9Qq9Qq9Qq9Qq9Qq9Qq9Qq9Qq9"
		sk       = "SK-very-secret-key-0001"
		secToken = "security-token-" + "Ww8Ww8Ww8Ww8Ww8Ww8Ww8Ww8"
	)
	tests := map[string]struct {
		creds       Credentials
		wantPresent []string
	}{
		"token": {
			creds:       TokenCredentials{Token: token},
			wantPresent: []string{`"X-Auth-Token":"REDACTED"`},
		},
		"temporary AK/SK": {
			creds:       AKSKCredentials{AccessKey: "AKPUBLIC", SecretKey: sk, SecurityToken: secToken},
			wantPresent: []string{"SDK-HMAC-SHA256 Access=AKPUBLIC", "Signature=REDACTED", `"X-Security-Token":"REDACTED"`},
		},
		"password": {
			creds: passwordCreds(),
			wantPresent: []string{`"X-Auth-Token":"REDACTED"`, `"X-Subject-Token":"REDACTED"`, `\"password\":\"REDACTED\"`,
				`\"name\":\"alice\"`, "/v3/auth/tokens?nocatalog=true", "token_expires_at"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			var mu sync.Mutex
			var signatures []string
			_, srv := newFakeIAM(t, clock, time.Hour, func(f *fakeIAM) {
				f.tokens[token] = true
				if akCreds, ok := tc.creds.(AKSKCredentials); ok {
					// The fake only knows tokens: check the signature, then
					// let the request through as if it carried a token.
					f.wrap = func(next http.Handler) http.Handler {
						return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
							if _, sig, ok := strings.Cut(r.Header.Get("Authorization"), "Signature="); ok {
								mu.Lock()
								signatures = append(signatures, sig)
								mu.Unlock()
							}
							body, _ := io.ReadAll(r.Body)
							if err := verifySignature(r, body, akCreds.AccessKey, akCreds.SecretKey); err != nil {
								t.Errorf("signature: %v", err)
							}
							r.Body = io.NopCloser(bytes.NewReader(body))
							r.Header.Set(HeaderAuthToken, token)
							next.ServeHTTP(w, r)
						})
					}
				}
				f.handle = func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					w.Header().Set(HeaderRequestID, "req-log-1")
					if r.Method == http.MethodPost {
						// Secrets echoed in an answer are redacted too.
						writeJSON(w, 200, map[string]any{"request_id": "r", "jobs": []any{},
							"echo": map[string]any{"security_token": "unknown-secret-1", "auth": map[string]any{"token": map[string]string{"id": "unknown-secret-2"}}}})
						return
					}
					writeJSON(w, 200, Phone{PhoneID: "p1", PhoneName: "visible-phone-name"})
				}
			})

			var logs lockedBuffer
			ctx := tflogtest.RootLogger(context.Background(), &logs)
			cfg := testConfig(srv, tc.creds)
			cfg.Now = clock.Now
			c, err := New(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := c.ShowPhone(ctx, "p1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.BatchReset(ctx, oneResetRequest()); err != nil {
				t.Fatal(err)
			}
			out := logs.String()

			secrets := []string{token, sk, secToken, testPassword, "unknown-secret-1", "unknown-secret-2",
				"Qq9Qq9Qq9Q", "Ww8Ww8Ww8W", "ZzZzZzZzZz"} // no fragment of a token either
			mu.Lock()
			secrets = append(secrets, signatures...)
			mu.Unlock()
			for _, s := range secrets {
				if strings.Contains(out, s) {
					t.Errorf("log contains secret %q", s)
				}
			}
			present := append([]string{
				`"http_method":"GET"`, `"http_method":"POST"`, cphPath("phones/p1"), cphPath("phones/batch-reset"),
				`"http_status":200`, `"http_request_id":"req-log-1"`, `"X-Project-Id":"` + testProjectID + `"`,
				"visible-phone-name", `"User-Agent":"terraform-provider-cph/test"`, "http_duration_ms",
				`"phone_id\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"`, `\"security_token\":\"REDACTED\"`,
			}, tc.wantPresent...)
			for _, s := range present {
				if !strings.Contains(out, s) {
					t.Errorf("log lacks %s", s)
				}
			}
			if t.Failed() {
				t.Logf("log:\n%s", out)
			}
		})
	}
}
