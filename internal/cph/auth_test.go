package cph

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"

	"github.com/google/go-cmp/cmp"
)

const (
	testUser     = "alice"
	testPassword = "S3cret-Passw0rd!"
	testDomain   = "example-domain"
)

// fakeIAM is a small IAM + CPH service that issues tokens on password login
// and accepts only valid, unrevoked tokens.
type fakeIAM struct {
	t        *testing.T
	clock    *fakecph.FakeClock
	lifetime time.Duration
	noIssued bool                                     // omit issued_at
	gate     chan struct{}                            // when set, logins wait until it is closed
	projects []Project                                // GET /v3/projects answer (unfiltered)
	always   bool                                     // CPH answers 401 to every token
	handle   func(http.ResponseWriter, *http.Request) // CPH answer; default: a phone
	wrap     func(http.Handler) http.Handler          // optional middleware

	mu      sync.Mutex
	logins  int
	tokens  map[string]bool // valid tokens
	scopes  []map[string]any
	calls   counter
	queries []string
}

// newFakeIAM configures the fake with opts, then starts it.
func newFakeIAM(t *testing.T, clock *fakecph.FakeClock, lifetime time.Duration, opts ...func(*fakeIAM)) (*fakeIAM, *httptest.Server) {
	f := &fakeIAM{t: t, clock: clock, lifetime: lifetime, tokens: make(map[string]bool)}
	for _, o := range opts {
		o(f)
	}
	var h http.Handler = http.HandlerFunc(f.serve)
	if f.wrap != nil {
		h = f.wrap(h)
	}
	return f, newServer(t, h.ServeHTTP)
}

func (f *fakeIAM) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		f.login(w, r)
		return
	case !f.valid(r.Header.Get(HeaderAuthToken)):
		f.calls.inc("401")
		writeError(w, 401, "APIG.0301", "token invalid")
		return
	case r.URL.Path == "/v3/projects":
		f.mu.Lock()
		f.queries = append(f.queries, r.URL.RawQuery)
		f.mu.Unlock()
		if r.Header.Get(HeaderProjectID) != "" {
			f.t.Errorf("X-Project-Id sent to IAM")
		}
		writeJSON(w, 200, map[string]any{"projects": f.projects})
		return
	}
	f.calls.inc(r.Method + " " + r.URL.Path)
	if f.handle != nil {
		f.handle(w, r)
		return
	}
	writeJSON(w, 200, Phone{PhoneID: "p1", Status: 2})
}

func (f *fakeIAM) login(w http.ResponseWriter, r *http.Request) {
	if f.gate != nil {
		<-f.gate
	}
	if got := r.URL.RawQuery; got != "nocatalog=true" {
		f.t.Errorf("login query = %q", got)
	}
	var body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User struct {
						Name     string `json:"name"`
						Password string `json:"password"`
						Domain   struct {
							Name string `json:"name"`
						} `json:"domain"`
					} `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope map[string]any `json:"scope"`
		} `json:"auth"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		writeJSON(w, 400, map[string]any{"error": map[string]any{"code": 400, "message": err.Error()}})
		return
	}
	u := body.Auth.Identity.Password.User
	f.mu.Lock()
	defer f.mu.Unlock()
	f.scopes = append(f.scopes, body.Auth.Scope)
	f.logins++
	if u.Name != testUser || u.Password != testPassword || u.Domain.Name != testDomain ||
		!cmp.Equal(body.Auth.Identity.Methods, []string{"password"}) {
		writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 401, "message": "The username or password is wrong.", "title": "Unauthorized"}})
		return
	}
	tok := fmt.Sprintf("MII-token-%d-%s", f.logins, strings.Repeat("Zz", 4000)) // tokens are large
	f.tokens[tok] = true
	issued := f.clock.Now()
	token := map[string]any{"expires_at": issued.Add(f.lifetime).Format("2006-01-02T15:04:05.000000Z"), "methods": []string{"password"}}
	if !f.noIssued {
		token["issued_at"] = issued.Format("2006-01-02T15:04:05.000000Z")
	}
	w.Header().Set(HeaderSubjectToken, tok)
	writeJSON(w, 201, map[string]any{"token": token})
}

func (f *fakeIAM) valid(tok string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return !f.always && f.tokens[tok]
}

func (f *fakeIAM) revokeAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.tokens)
}

func (f *fakeIAM) loginCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.logins
}

func passwordCreds() PasswordCredentials {
	return PasswordCredentials{UserName: testUser, Password: testPassword, DomainName: testDomain}
}

func TestPasswordLoginSharedByConcurrentCallers(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f, srv := newFakeIAM(t, clock, 24*time.Hour, func(f *fakeIAM) { f.gate = make(chan struct{}) })
	cfg := testConfig(srv, passwordCreds())
	cfg.Now = clock.Now
	c := mustNew(t, cfg)

	const callers = 20
	errs := make(chan error, callers)
	for range callers {
		go func() {
			_, err := c.ShowPhone(context.Background(), "p1")
			errs <- err
		}()
	}
	// Release the login once every other caller waits for it.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	deadline := time.After(10 * time.Second)
	for c.tokens.waiters() < callers-1 {
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("only %d callers wait for the login", c.tokens.waiters())
		}
	}
	close(f.gate)
	for range callers {
		if err := <-errs; err != nil {
			t.Errorf("ShowPhone: %v", err)
		}
	}
	if got := f.loginCount(); got != 1 {
		t.Errorf("logins = %d, want 1", got)
	}
	if got := f.calls.get("GET " + cphPath("phones/p1")); got != callers {
		t.Errorf("CPH calls = %d, want %d", got, callers)
	}
	// Scoped by project ID, since it was configured.
	if diff := cmp.Diff([]map[string]any{{"project": map[string]any{"id": testProjectID}}}, f.scopes); diff != "" {
		t.Errorf("login scope (-want +got):\n%s", diff)
	}
}

func TestPasswordTokenRefreshedBeforeExpiry(t *testing.T) {
	t.Parallel()
	type step struct {
		advance    time.Duration
		wantLogins int
	}
	tests := map[string]struct {
		lifetime time.Duration
		noIssued bool
		steps    []step
	}{
		"one-minute token refreshed after 45s": {
			lifetime: time.Minute,
			steps: []step{
				{0, 1}, {30 * time.Second, 1}, {14 * time.Second, 1}, // t=44s: still the first token
				{2 * time.Second, 2}, {0, 2}, {10 * time.Second, 2}, // t=46s: refreshed once
				{36 * time.Second, 3}, // t=92s > 46+45
			},
		},
		"expires_at only": {
			lifetime: time.Minute, noIssued: true,
			steps: []step{{0, 1}, {44 * time.Second, 1}, {2 * time.Second, 2}},
		},
		"24h token lasts 18h": {
			lifetime: 24 * time.Hour,
			steps:    []step{{0, 1}, {17 * time.Hour, 1}, {59 * time.Minute, 1}, {2 * time.Minute, 2}},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			f, srv := newFakeIAM(t, clock, tc.lifetime, func(f *fakeIAM) { f.noIssued = tc.noIssued })
			cfg := testConfig(srv, passwordCreds())
			cfg.Now = clock.Now
			c := mustNew(t, cfg)
			for i, s := range tc.steps {
				clock.Advance(s.advance)
				if _, err := c.ShowPhone(context.Background(), "p1"); err != nil {
					t.Fatalf("step %d: %v", i, err)
				}
				if got := f.loginCount(); got != s.wantLogins {
					t.Fatalf("step %d: logins = %d, want %d", i, got, s.wantLogins)
				}
			}
		})
	}
}

func TestShortLivedTokenIsNotALoginPerRequest(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f, srv := newFakeIAM(t, clock, 2*time.Minute)
	cfg := testConfig(srv, passwordCreds())
	cfg.Now = clock.Now
	c := mustNew(t, cfg)
	for range 60 {
		if _, err := c.ShowPhone(context.Background(), "p1"); err != nil {
			t.Fatal(err)
		}
		clock.Advance(time.Second)
	}
	if got := f.loginCount(); got != 1 {
		t.Errorf("logins = %d over 60 requests in 60 s of a 2-minute token, want 1", got)
	}
}

func TestPasswordReloginOnceOn401(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		post       bool
		always401  bool
		wantLogins int
		wantCalls  int // CPH calls that got past the token check
		want401s   int
		wantErr    bool
	}{
		"GET after revocation":     {wantLogins: 2, wantCalls: 2, want401s: 1},
		"POST after revocation":    {post: true, wantLogins: 2, wantCalls: 2, want401s: 1},
		"every token refused once": {always401: true, wantLogins: 2, wantCalls: 1, want401s: 2, wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			f, srv := newFakeIAM(t, clock, 24*time.Hour, func(f *fakeIAM) {
				f.handle = func(w http.ResponseWriter, r *http.Request) {
					if r.Method == http.MethodPost {
						writeJSON(w, 200, resetOK)
						return
					}
					writeJSON(w, 200, Phone{PhoneID: "p1"})
				}
			})
			cfg := testConfig(srv, passwordCreds())
			cfg.Now = clock.Now
			c := mustNew(t, cfg)
			if _, err := c.ShowPhone(context.Background(), "p1"); err != nil { // logs in
				t.Fatal(err)
			}
			f.revokeAll()
			f.mu.Lock()
			f.always = tc.always401
			f.mu.Unlock()

			var err error
			if tc.post {
				_, err = c.BatchReset(context.Background(), oneResetRequest())
			} else {
				_, err = c.ShowPhone(context.Background(), "p1")
			}
			if tc.wantErr {
				if !IsAuth(err) || IsUncertain(err) {
					t.Errorf("err = %v, want a certain 401 *APIError", err)
				}
			} else if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if got := f.loginCount(); got != tc.wantLogins {
				t.Errorf("logins = %d, want %d", got, tc.wantLogins)
			}
			calls := f.calls.get("GET "+cphPath("phones/p1")) + f.calls.get("POST "+cphPath("phones/batch-reset"))
			if calls != tc.wantCalls {
				t.Errorf("accepted CPH calls = %d, want %d", calls, tc.wantCalls)
			}
			if got := f.calls.get("401"); got != tc.want401s {
				t.Errorf("401 answers = %d, want %d", got, tc.want401s)
			}
		})
	}
}

func TestPasswordLoginFailureIsRememberedAndClean(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	f, srv := newFakeIAM(t, clock, time.Hour)
	creds := passwordCreds()
	creds.Password = "wrong-password-123"
	cfg := testConfig(srv, creds)
	cfg.Now = clock.Now
	c := mustNew(t, cfg)
	for i := range 3 {
		_, err := c.ShowPhone(context.Background(), "p1")
		var apiErr *APIError
		if !errors.As(err, &apiErr) || apiErr.HTTPStatus != 401 || apiErr.Path != "/v3/auth/tokens" || apiErr.Code != "401" {
			t.Fatalf("call %d: err = %#v, want the IAM 401", i, err)
		}
		if strings.Contains(err.Error(), creds.Password) {
			t.Errorf("error text carries the password: %v", err)
		}
		if !strings.Contains(err.Error(), "The username or password is wrong.") || !strings.Contains(err.Error(), testUser) {
			t.Errorf("error text = %v", err)
		}
	}
	if got := f.loginCount(); got != 1 {
		t.Errorf("logins = %d, want 1 (a failed login is not repeated: IAM locks users)", got)
	}
}

func TestTokenCredentialsHeaders(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		got := map[string]string{
			"X-Auth-Token": r.Header.Get("X-Auth-Token"),
			"X-Project-Id": r.Header.Get("X-Project-Id"),
			"User-Agent":   r.Header.Get("User-Agent"),
		}
		want := map[string]string{"X-Auth-Token": "my-token", "X-Project-Id": testProjectID, "User-Agent": "terraform-provider-cph/test"}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("headers (-want +got):\n%s", diff)
		}
		writeJSON(w, 200, Job{JobID: "j1", Status: JobStatusSucceeded})
	})
	c := mustNew(t, testConfig(srv, &TokenCredentials{Token: "my-token"}))
	job, err := c.ShowJob(context.Background(), "j1")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(&Job{JobID: "j1", Status: JobStatusSucceeded}, job); diff != "" {
		t.Errorf("job (-want +got):\n%s", diff)
	}
}

func TestProjectDiscovery(t *testing.T) {
	t.Parallel()
	const other = "fedcba9876543210fedcba9876543210"
	tests := map[string]struct {
		creds    Credentials
		projects []Project
		wantID   string
		wantErr  string
	}{
		"one match":                {projects: []Project{{ID: testProjectID, Name: testRegion}}, wantID: testProjectID},
		"sub-projects ignored":     {projects: []Project{{ID: other, Name: testRegion + "_sub"}, {ID: testProjectID, Name: testRegion}}, wantID: testProjectID},
		"none":                     {projects: []Project{{ID: other, Name: "cn-east-3"}}, wantErr: "no project"},
		"ambiguous":                {projects: []Project{{ID: testProjectID, Name: testRegion}, {ID: other, Name: testRegion}}, wantErr: "2 projects"},
		"invalid ID":               {projects: []Project{{ID: "xyz", Name: testRegion}}, wantErr: "not 32"},
		"password, scoped by name": {creds: passwordCreds(), projects: []Project{{ID: testProjectID, Name: testRegion}}, wantID: testProjectID},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clock := newFakeClock()
			creds := tc.creds
			f, srv := newFakeIAM(t, clock, time.Hour, func(f *fakeIAM) {
				f.projects = tc.projects
				if creds == nil {
					creds = TokenCredentials{Token: "static-token"}
					f.tokens["static-token"] = true
				}
			})
			cfg := testConfig(srv, creds)
			cfg.ProjectID = ""
			cfg.Now = clock.Now
			c, err := New(context.Background(), cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.ProjectID(); got != tc.wantID {
				t.Errorf("ProjectID = %q, want %q", got, tc.wantID)
			}
			if diff := cmp.Diff([]string{"name=" + testRegion}, f.queries); diff != "" {
				t.Errorf("IAM queries (-want +got):\n%s", diff)
			}
			if _, ok := creds.(PasswordCredentials); ok {
				if diff := cmp.Diff([]map[string]any{{"project": map[string]any{"name": testRegion}}}, f.scopes); diff != "" {
					t.Errorf("login scope (-want +got):\n%s", diff)
				}
				// The discovered project is used afterwards.
				if _, err := c.ShowPhone(context.Background(), "p1"); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

func TestProjectDiscoveryIAMError(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set(HeaderRequestID, "hdr-req-1")
		writeJSON(w, 403, map[string]any{"error": map[string]any{"code": "IAM.0002", "message": "no permission", "title": "Forbidden"}})
	})
	cfg := testConfig(srv, TokenCredentials{Token: "t0k3n"})
	cfg.ProjectID = ""
	_, err := New(context.Background(), cfg)
	want := &APIError{Method: "GET", Path: "/v3/projects", HTTPStatus: 403, Code: "IAM.0002", Message: "no permission", RequestID: "hdr-req-1"}
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("err = %v", err)
	}
	if diff := cmp.Diff(want, apiErr); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestTokenSourceKeepsUsableTokenWhenRefreshFails(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	var logins int
	fail := false
	ts := &tokenSource{now: clock.Now, login: func(context.Context) (loginResult, error) {
		logins++
		if fail {
			return loginResult{}, errors.New("IAM unreachable")
		}
		now := clock.Now()
		return loginResult{token: fmt.Sprintf("tok-%d", logins), issuedAt: now, expiresAt: now.Add(time.Minute)}, nil
	}}
	type step struct {
		advance    time.Duration
		fail       bool
		wantToken  string
		wantLogins int
	}
	for i, s := range []step{
		{0, false, "tok-1", 1},
		{46 * time.Second, true, "tok-1", 2}, // refresh due (45 s) but fails: keep the usable token
		{time.Second, true, "tok-1", 2},      // no new attempt right away
		{6 * time.Second, false, "tok-3", 3}, // t=53 s: past 7/8 of the lifetime, must log in
		{0, false, "tok-3", 3},
	} {
		clock.Advance(s.advance)
		fail = s.fail
		tok, err := ts.Token(context.Background())
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if tok != s.wantToken || logins != s.wantLogins {
			t.Fatalf("step %d: token %q after %d logins, want %q after %d", i, tok, logins, s.wantToken, s.wantLogins)
		}
	}
	// With no usable token, a failed login is an error (and retried next time).
	clock.Advance(time.Hour)
	fail = true
	if _, err := ts.Token(context.Background()); err == nil {
		t.Error("no error without a usable token")
	}
}

func TestLoginRetriedLikeARead(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	var loginPosts atomic.Int32
	f, srv := newFakeIAM(t, clock, time.Hour, func(f *fakeIAM) {
		f.wrap = func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/v3/auth/tokens" && loginPosts.Add(1) <= 2 {
					writeError(w, 503, "IAM.0001", "busy")
					return
				}
				next.ServeHTTP(w, r)
			})
		}
	})
	cfg := testConfig(srv, passwordCreds())
	cfg.Now = clock.Now
	c := mustNew(t, cfg)
	if _, err := c.ShowPhone(context.Background(), "p1"); err != nil {
		t.Fatal(err)
	}
	if got := loginPosts.Load(); got != 3 {
		t.Errorf("login POSTs = %d, want 3 (two 503s retried)", got)
	}
	if got := f.loginCount(); got != 1 {
		t.Errorf("successful logins = %d, want 1", got)
	}
}
