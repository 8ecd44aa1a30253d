package fakecph

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestTokenAuth(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := map[string]struct {
		token      string
		wantStatus int
		wantCode   string
	}{
		"static token":  {token: testToken, wantStatus: http.StatusOK},
		"unknown token": {token: "MIInot-a-token", wantStatus: http.StatusUnauthorized, wantCode: "APIG.0301"},
		"no credential": {wantStatus: http.StatusUnauthorized, wantCode: "APIG.0301"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			req := f.newReq(t, "GET", f.cph("phones"), "")
			if tc.token != "" {
				req.Header.Set("X-Auth-Token", tc.token)
			}
			r := f.send(t, req)
			if tc.wantCode == "" {
				if r.status != tc.wantStatus {
					t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
				}
				return
			}
			r.wantErr(t, tc.wantStatus, tc.wantCode)
			if strings.Contains(string(r.body), tc.token) && tc.token != "" {
				t.Errorf("error body echoes the token: %s", r.body)
			}
		})
	}
}

func TestStaticTokenNotConfigured(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.AuthToken = "" })
	req := f.newReq(t, "GET", f.cph("phones"), "")
	req.Header.Set("X-Auth-Token", "")
	f.send(t, req).wantErr(t, http.StatusUnauthorized, "APIG.0301")
}

// TestSignedRequests covers AK/SK verification over HTTP, including every
// way a signature must fail.
func TestSignedRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) {
		o.TemporaryKeys = []TemporaryKey{{AccessKey: "TEMPAK", SecretKey: "tempsk", SecurityToken: "sts-token"}}
	})
	phone := f.svc.PhoneIDs()[0]
	resetBody := `{"phones":[{"phone_id":"` + phone + `"}]}`

	tests := map[string]struct {
		method, path, body string
		ak, sk             string
		at                 time.Time
		setup              func(*http.Request) // before signing
		tamper             func(*http.Request) // after signing
		wantStatus         int
		wantCode           string
	}{
		"valid GET":              {method: "GET", path: "phones?limit=2&offset=1", wantStatus: 200},
		"valid GET no query":     {method: "GET", path: "phones", wantStatus: 200},
		"valid POST":             {method: "POST", path: "phones/batch-reset", body: resetBody, wantStatus: 200},
		"query needing escapes":  {method: "GET", path: "phones?phone_name=cph%20phone&limit=5", wantStatus: 200},
		"date 15 minutes behind": {method: "GET", path: "phones", at: t0.Add(-15 * time.Minute), wantStatus: 200},
		"date 15 minutes ahead":  {method: "GET", path: "phones", at: t0.Add(15 * time.Minute), wantStatus: 200},
		"stale date":             {method: "GET", path: "phones", at: t0.Add(-16 * time.Minute), wantStatus: 401, wantCode: "APIG.0303"},
		"date from the future":   {method: "GET", path: "phones", at: t0.Add(16 * time.Minute), wantStatus: 401, wantCode: "APIG.0303"},
		"wrong secret key":       {method: "GET", path: "phones", sk: "wrong", wantStatus: 401, wantCode: "APIG.0303"},
		"unknown access key":     {method: "GET", path: "phones", ak: "NOSUCHAK", wantStatus: 401, wantCode: "APIG.0301"},
		"altered body": {method: "POST", path: "phones/batch-reset", body: resetBody, wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { setBody(r, strings.Replace(resetBody, phone, f.svc.PhoneIDs()[1], 1)) }},
		"altered query": {method: "GET", path: "phones?limit=2", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.URL.RawQuery = "limit=3" }},
		"added query": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.URL.RawQuery = "limit=3" }},
		"altered path": {method: "GET", path: "phones/" + phone, wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.URL.Path = strings.Replace(r.URL.Path, phone, f.svc.PhoneIDs()[1], 1) }},
		"altered signed header": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			setup:  func(r *http.Request) { r.Header.Set("X-Project-Id", f.svc.ProjectID()) },
			tamper: func(r *http.Request) { r.Header.Set("X-Project-Id", strings.Repeat("0", 32)) }},
		"unsigned header may change": {method: "GET", path: "phones", wantStatus: 200,
			tamper: func(r *http.Request) { r.Header.Set("User-Agent", "changed") }},
		"date header changed after signing": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", t0.Add(time.Second).Format(sdkDateFormat)) }},
		"date missing": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.Header.Del("X-Sdk-Date") }},
		"date malformed": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.Header.Set("X-Sdk-Date", "2024-05-01T10:00:00Z") }},
		"signed header missing": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			setup:  func(r *http.Request) { r.Header.Set("X-Project-Id", f.svc.ProjectID()) },
			tamper: func(r *http.Request) { r.Header.Del("X-Project-Id") }},
		"malformed authorization": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0303",
			tamper: func(r *http.Request) { r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access="+testAK) }},
		"other scheme": {method: "GET", path: "phones", wantStatus: 401, wantCode: "APIG.0301",
			tamper: func(r *http.Request) { r.Header.Set("Authorization", "Basic dXNlcjpwYXNz") }},
		"upper-case signature hex accepted": {method: "GET", path: "phones", wantStatus: 200,
			tamper: func(r *http.Request) {
				a := r.Header.Get("Authorization")
				i := strings.Index(a, "Signature=") + len("Signature=")
				r.Header.Set("Authorization", a[:i]+strings.ToUpper(a[i:]))
			}},
		"unsigned payload opt-out": {method: "POST", path: "phones/batch-reset", body: resetBody, wantStatus: 200,
			setup: func(r *http.Request) { r.Header.Set("X-Sdk-Content-Sha256", "UNSIGNED-PAYLOAD") },
			tamper: func(r *http.Request) {
				setBody(r, strings.Replace(resetBody, phone, f.svc.PhoneIDs()[2], 1))
			}},
		"project header names another project": {method: "GET", path: "phones", wantStatus: 403, wantCode: "CPS.0001",
			setup: func(r *http.Request) { r.Header.Set("X-Project-Id", strings.Repeat("0", 32)) }},
		"temporary key with token": {method: "GET", path: "phones", ak: "TEMPAK", sk: "tempsk", wantStatus: 200,
			setup: func(r *http.Request) { r.Header.Set("X-Security-Token", "sts-token") }},
		"temporary key without token": {method: "GET", path: "phones", ak: "TEMPAK", sk: "tempsk", wantStatus: 401, wantCode: "APIG.0301"},
		"temporary key wrong token": {method: "GET", path: "phones", ak: "TEMPAK", sk: "tempsk", wantStatus: 401, wantCode: "APIG.0301",
			setup: func(r *http.Request) { r.Header.Set("X-Security-Token", "other") }},
		"token wins over signature": {method: "GET", path: "phones", sk: "wrong", wantStatus: 200,
			tamper: func(r *http.Request) { r.Header.Set("X-Auth-Token", testToken) }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ak, sk, at := testAK, testSK, t0
			if tc.ak != "" {
				ak = tc.ak
			}
			if tc.sk != "" {
				sk = tc.sk
			}
			if !tc.at.IsZero() {
				at = tc.at
			}
			req := f.newReq(t, tc.method, f.cph(tc.path), tc.body)
			if tc.setup != nil {
				tc.setup(req)
			}
			signReq(t, req, tc.body, ak, sk, at)
			if tc.tamper != nil {
				tc.tamper(req)
			}
			r := f.send(t, req)
			if tc.wantCode == "" {
				if r.status != tc.wantStatus {
					t.Fatalf("status %d, want %d: %s", r.status, tc.wantStatus, r.body)
				}
				return
			}
			r.wantErr(t, tc.wantStatus, tc.wantCode)
			if strings.Contains(string(r.body), sk) {
				t.Errorf("error body echoes the secret key: %s", r.body)
			}
		})
	}
}

// setBody replaces a request's body after it was signed.
func setBody(r *http.Request, body string) {
	r.Body = io.NopCloser(strings.NewReader(body))
	r.ContentLength = int64(len(body))
	r.GetBody = nil
}

// TestSignatureFollowsTheClock checks the window is judged by the injected
// clock, not by real time.
func TestSignatureFollowsTheClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	req := f.newReq(t, "GET", f.cph("phones"), "")
	signReq(t, req, "", testAK, testSK, t0)
	if r := f.send(t, req); r.status != http.StatusOK {
		t.Fatalf("fresh signature: %d %s", r.status, r.body)
	}
	f.clock.Advance(16 * time.Minute)
	req = f.newReq(t, "GET", f.cph("phones"), "")
	signReq(t, req, "", testAK, testSK, t0)
	f.send(t, req).wantErr(t, http.StatusUnauthorized, "APIG.0303")
}

func TestWrongProjectRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	other := strings.Repeat("a", 32)
	for _, path := range []string{"phones", "phones/" + f.svc.PhoneIDs()[0], "jobs?request_id=x", "jobs/" + other} {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			f.get(t, "/v1/"+other+"/cloud-phone/"+path).wantErr(t, http.StatusForbidden, "CPS.0001")
		})
	}
	t.Run("reset", func(t *testing.T) {
		t.Parallel()
		r := f.call(t, "POST", "/v1/"+other+"/cloud-phone/phones/batch-reset", `{"phones":[{"phone_id":"`+f.svc.PhoneIDs()[0]+`"}]}`)
		r.wantErr(t, http.StatusForbidden, "CPS.0001")
	})
	t.Run("unauthenticated is 401 first", func(t *testing.T) {
		t.Parallel()
		f.send(t, f.newReq(t, "GET", "/v1/"+other+"/cloud-phone/phones", "")).wantErr(t, http.StatusUnauthorized, "APIG.0301")
	})
}
