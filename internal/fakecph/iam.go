package fakecph

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"time"
)

// iamTimeFormat is how IAM writes expires_at and issued_at: RFC 3339 in UTC
// with microseconds, e.g. 2024-01-02T03:04:05.000000Z.
const iamTimeFormat = "2006-01-02T15:04:05.000000Z"

type tokenState struct {
	projectID string
	expiresAt time.Time
	expired   bool // forced by ExpireTokens
}

// ExpireTokens makes every token the fake IAM has issued so far invalid, as
// if its 24 hours had passed. The static Options.AuthToken stays valid: it
// stands for a token a user pasted, which nothing can refresh.
func (s *Service) ExpireTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, t := range s.tokens {
		t.expired = true
	}
}

// IssuedTokens returns every token the fake IAM has issued (not the static
// Options.AuthToken), sorted, so a test can check that none of them leaks
// into a log, an error or a state file.
func (s *Service) IssuedTokens() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Sorted(maps.Keys(s.tokens))
}

// passwordLogin is the body of POST /v3/auth/tokens, password method.
type passwordLogin struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password *struct {
				User struct {
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project *struct {
				ID   string `json:"id"`
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// iamFail answers in Keystone's error shape, which IAM's token API uses
// (the gateway's error_code/error_msg shape is for gateway refusals).
func (c *call) iamFail(status int, msg string) {
	c.json(status, map[string]any{"error": map[string]any{
		"code": status, "title": http.StatusText(status), "message": msg,
	}})
}

// iamTokens logs a user in with a password and issues a project-scoped
// token: 201, the token in X-Subject-Token, its expiry in the body.
func (s *Service) iamTokens(c *call) {
	var req passwordLogin
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.iamFail(http.StatusBadRequest, "The request body is not valid JSON: "+err.Error())
		return
	}
	id := req.Auth.Identity
	if !slices.Contains(id.Methods, "password") || id.Password == nil {
		c.iamFail(http.StatusBadRequest, "Only the password method is supported: auth.identity.methods must contain \"password\" and auth.identity.password must be set")
		return
	}
	u := id.Password.User
	proj := req.Auth.Scope.Project
	if proj == nil || proj.ID == "" && proj.Name == "" {
		// CPH needs a project-scoped token; the fake issues no other kind.
		c.iamFail(http.StatusBadRequest, "auth.scope.project with an id or a name is required")
		return
	}
	var user *User
	for i, cand := range s.users {
		domain := cand.Domain
		if domain == "" {
			domain = cand.Name
		}
		if equal(cand.Name, u.Name) && equal(cand.Password, u.Password) && equal(domain, u.Domain.Name) {
			user = &s.users[i]
			break
		}
	}
	if user == nil {
		c.iamFail(http.StatusUnauthorized, "The username or password is wrong.")
		return
	}
	if proj.ID != "" && proj.ID != s.projectID || proj.ID == "" && proj.Name != s.region {
		c.iamFail(http.StatusUnauthorized, "The user has no access to the requested project.")
		return
	}

	s.mu.Lock()
	tok := "MIIfakecph" + hexID(s.ids) + hexID(s.ids) + hexID(s.ids) + hexID(s.ids)
	st := &tokenState{projectID: s.projectID, expiresAt: c.now.Add(s.tokenLifetime)}
	s.tokens[tok] = st
	s.mu.Unlock()

	domain := map[string]string{"id": s.domainID, "name": user.Domain}
	if user.Domain == "" {
		domain["name"] = user.Name
	}
	body := map[string]any{
		"expires_at": st.expiresAt.UTC().Format(iamTimeFormat),
		"issued_at":  c.now.UTC().Format(iamTimeFormat),
		"methods":    []string{"password"},
		"project":    map[string]any{"id": s.projectID, "name": s.region, "domain": domain},
		"user":       map[string]any{"id": derivedID(domain["name"] + "/" + user.Name), "name": user.Name, "domain": domain},
		"roles":      []map[string]string{{"id": "0", "name": "op_fine_grained"}},
	}
	if c.r.URL.Query().Get("nocatalog") != "true" {
		scheme := "http"
		if c.r.TLS != nil {
			scheme = "https"
		}
		body["catalog"] = []map[string]any{{
			"type": "cph", "name": "cph", "id": derivedID("cph"),
			"endpoints": []map[string]string{{
				"id": derivedID("cph-endpoint"), "interface": "public", "region": s.region, "region_id": s.region,
				"url": scheme + "://" + c.r.Host,
			}},
		}}
	}
	c.w.Header().Set("X-Subject-Token", tok)
	c.json(http.StatusCreated, map[string]any{"token": body})
}

// iamProjects lists the account's projects, optionally filtered by name.
// The fake's account has one project, named after the region.
func (s *Service) iamProjects(c *call) {
	projects := []map[string]any{}
	if name := c.r.URL.Query().Get("name"); name == "" || name == s.region {
		projects = append(projects, map[string]any{
			"id": s.projectID, "name": s.region, "domain_id": s.domainID, "parent_id": s.domainID,
			"enabled": true, "is_domain": false, "description": "",
		})
	}
	c.json(http.StatusOK, map[string]any{
		"projects": projects,
		"links":    map[string]any{"self": c.r.URL.String(), "next": nil, "previous": nil},
	})
}

// derivedID turns a name into a stable 32-hex ID.
func derivedID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:16])
}
