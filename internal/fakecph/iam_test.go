package fakecph

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func iamFixture(t *testing.T) *fixture {
	return newFixture(t, func(o *Options) {
		o.Users = []User{{Name: "alice", Password: "s3cret!", Domain: "acme"}, {Name: "acme-admin", Password: "adminpw"}}
		o.TokenLifetime = time.Hour
	})
}

// loginBody is the password-login body of cph-api.md, scoped by project
// name or id.
func loginBody(user, password, domain, projectName, projectID string) string {
	project := map[string]string{}
	if projectName != "" {
		project["name"] = projectName
	}
	if projectID != "" {
		project["id"] = projectID
	}
	b, _ := json.Marshal(map[string]any{"auth": map[string]any{
		"identity": map[string]any{
			"methods": []string{"password"},
			"password": map[string]any{"user": map[string]any{
				"name": user, "password": password, "domain": map[string]string{"name": domain},
			}},
		},
		"scope": map[string]any{"project": project},
	}})
	return string(b)
}

func (f *fixture) login(t *testing.T, body string) resp {
	t.Helper()
	return f.send(t, f.newReq(t, "POST", "/v3/auth/tokens?nocatalog=true", body))
}

type tokenAnswer struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		IssuedAt  string `json:"issued_at"`
		Methods   []string
		Project   struct {
			ID, Name string
			Domain   struct{ ID, Name string }
		}
		User    struct{ ID, Name string }
		Catalog []json.RawMessage
	}
}

func TestIAMLogin(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	tests := map[string]struct {
		body       string
		wantStatus int
		wantDomain string
	}{
		"by project name":           {body: loginBody("alice", "s3cret!", "acme", "cn-north-4", ""), wantStatus: 201, wantDomain: "acme"},
		"by project id":             {body: loginBody("alice", "s3cret!", "acme", "", f.svc.ProjectID()), wantStatus: 201, wantDomain: "acme"},
		"domain defaults to name":   {body: loginBody("acme-admin", "adminpw", "acme-admin", "cn-north-4", ""), wantStatus: 201, wantDomain: "acme-admin"},
		"wrong password":            {body: loginBody("alice", "wrong", "acme", "cn-north-4", ""), wantStatus: 401},
		"unknown user":              {body: loginBody("bob", "s3cret!", "acme", "cn-north-4", ""), wantStatus: 401},
		"wrong domain":              {body: loginBody("alice", "s3cret!", "other", "cn-north-4", ""), wantStatus: 401},
		"other region":              {body: loginBody("alice", "s3cret!", "acme", "cn-east-3", ""), wantStatus: 401},
		"other project id":          {body: loginBody("alice", "s3cret!", "acme", "", strings.Repeat("0", 32)), wantStatus: 401},
		"no scope":                  {body: loginBody("alice", "s3cret!", "acme", "", ""), wantStatus: 400},
		"not JSON":                  {body: `{"auth":`, wantStatus: 400},
		"token method only":         {body: `{"auth":{"identity":{"methods":["token"],"token":{"id":"x"}},"scope":{"project":{"name":"cn-north-4"}}}}`, wantStatus: 400},
		"password method, no block": {body: `{"auth":{"identity":{"methods":["password"]},"scope":{"project":{"name":"cn-north-4"}}}}`, wantStatus: 400},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := f.login(t, tc.body)
			if r.status != tc.wantStatus {
				t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
			}
			if tc.wantStatus != http.StatusCreated {
				var e struct{ Error struct{ Code int } }
				r.decode(t, &e)
				if e.Error.Code != tc.wantStatus {
					t.Errorf("IAM error body %s: want error.code %d", r.body, tc.wantStatus)
				}
				if r.header.Get("X-Subject-Token") != "" {
					t.Error("a refused login issued a token")
				}
				if strings.Contains(string(r.body), "s3cret!") {
					t.Errorf("error body echoes the password: %s", r.body)
				}
				return
			}
			tok := r.header.Get("X-Subject-Token")
			if tok == "" {
				t.Fatal("no X-Subject-Token")
			}
			var a tokenAnswer
			r.decode(t, &a)
			exp, err := time.Parse(time.RFC3339, a.Token.ExpiresAt)
			if err != nil || !exp.Equal(t0.Add(time.Hour)) {
				t.Errorf("expires_at %q (%v): want %v", a.Token.ExpiresAt, err, t0.Add(time.Hour))
			}
			if a.Token.Project.ID != f.svc.ProjectID() || a.Token.Project.Name != "cn-north-4" || a.Token.Project.Domain.Name != tc.wantDomain {
				t.Errorf("project %+v", a.Token.Project)
			}
			if len(a.Token.Catalog) != 0 {
				t.Error("nocatalog=true still returned a catalog")
			}
			req := f.newReq(t, "GET", f.cph("phones"), "")
			req.Header.Set("X-Auth-Token", tok)
			if r := f.send(t, req); r.status != http.StatusOK {
				t.Errorf("the issued token was refused: %d %s", r.status, r.body)
			}
		})
	}
}

func TestIAMCatalog(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	r := f.send(t, f.newReq(t, "POST", "/v3/auth/tokens", loginBody("alice", "s3cret!", "acme", "cn-north-4", "")))
	if r.status != http.StatusCreated {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if !strings.Contains(string(r.body), `"url":"`+f.srv.URL+`"`) {
		t.Errorf("catalog does not point at the fake: %s", r.body)
	}
}

func TestTokenExpiry(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	issue := func() string {
		r := f.login(t, loginBody("alice", "s3cret!", "acme", "cn-north-4", ""))
		if r.status != http.StatusCreated {
			t.Fatalf("login: %d %s", r.status, r.body)
		}
		return r.header.Get("X-Subject-Token")
	}
	use := func(tok string) resp {
		req := f.newReq(t, "GET", f.cph("phones"), "")
		req.Header.Set("X-Auth-Token", tok)
		return f.send(t, req)
	}

	tok := issue()
	f.clock.Advance(time.Hour - time.Second)
	if r := use(tok); r.status != http.StatusOK {
		t.Fatalf("token refused a second before expiry: %d %s", r.status, r.body)
	}
	f.clock.Advance(time.Second)
	use(tok).wantErr(t, http.StatusUnauthorized, "APIG.0301")

	fresh := issue()
	if fresh == tok {
		t.Fatal("IAM issued the same token twice")
	}
	if r := use(fresh); r.status != http.StatusOK {
		t.Fatalf("fresh token refused: %d", r.status)
	}
	f.svc.ExpireTokens()
	use(fresh).wantErr(t, http.StatusUnauthorized, "APIG.0301")
	if r := use(testToken); r.status != http.StatusOK {
		t.Errorf("ExpireTokens also expired the static token: %d", r.status)
	}
	if r := use(issue()); r.status != http.StatusOK {
		t.Errorf("a token issued after ExpireTokens was refused: %d", r.status)
	}
}

func TestIAMProjects(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	type project struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		DomainID string `json:"domain_id"`
		Enabled  bool   `json:"enabled"`
	}
	want := project{ID: f.svc.ProjectID(), Name: "cn-north-4", DomainID: f.svc.domainID, Enabled: true}
	tests := map[string]struct {
		query string
		want  []project
	}{
		"by region name": {query: "?name=cn-north-4", want: []project{want}},
		"other name":     {query: "?name=cn-east-3", want: []project{}},
		"all":            {query: "", want: []project{want}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := f.get(t, "/v3/projects"+tc.query)
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var got struct{ Projects []project }
			r.decode(t, &got)
			if diff := cmp.Diff(tc.want, got.Projects); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	t.Run("signed", func(t *testing.T) {
		t.Parallel()
		req := f.newReq(t, "GET", "/v3/projects?name=cn-north-4", "")
		signReq(t, req, "", testAK, testSK, t0)
		if r := f.send(t, req); r.status != http.StatusOK {
			t.Errorf("%d %s", r.status, r.body)
		}
	})
	t.Run("unauthenticated", func(t *testing.T) {
		t.Parallel()
		f.send(t, f.newReq(t, "GET", "/v3/projects?name=cn-north-4", "")).wantErr(t, http.StatusUnauthorized, "APIG.0301")
	})
}

func TestIssuedTokens(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	if got := f.svc.IssuedTokens(); len(got) != 0 {
		t.Fatalf("tokens before any login: %q", got)
	}
	var want []string
	for range 2 {
		r := f.login(t, loginBody("alice", "s3cret!", "acme", "cn-north-4", ""))
		want = append(want, r.header.Get("X-Subject-Token"))
	}
	f.login(t, loginBody("alice", "wrong", "acme", "cn-north-4", "")) // issues nothing
	f.svc.ExpireTokens()                                              // expired tokens were still issued
	slices.Sort(want)
	if diff := cmp.Diff(want, f.svc.IssuedTokens()); diff != "" {
		t.Errorf("IssuedTokens (-want +got):\n%s", diff)
	}
}
