package fakecph

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"
)

// t0 is where every test's fake clock starts.
var t0 = time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)

const (
	testToken = "static-test-token"
	// The published test vector's keys, reused as the fixture's permanent key.
	testAK = "QTWAOYTTINDUT2QVKYUC"
	testSK = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
)

// fixture is a service on a fake clock behind a real HTTP server.
type fixture struct {
	svc   *Service
	srv   *httptest.Server
	clock *FakeClock
}

func newFixture(t *testing.T, mod func(*Options)) *fixture {
	t.Helper()
	clock := NewFakeClock(t0)
	opts := Options{Seed: 7, AuthToken: testToken, AccessKey: testAK, SecretKey: testSK, Clock: clock}
	if mod != nil {
		mod(&opts)
	}
	svc := New(opts)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return &fixture{svc: svc, srv: srv, clock: clock}
}

// cph is the path of a CPH API in the fixture's project.
func (f *fixture) cph(p string) string { return "/v1/" + f.svc.ProjectID() + "/cloud-phone/" + p }

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decoding %s: %v", r.body, err)
	}
}

// apiErr decodes an error body and checks it carries the call's request ID.
func (r resp) apiErr(t *testing.T) apiError {
	t.Helper()
	var e apiError
	r.decode(t, &e)
	if e.RequestID == "" || e.RequestID != r.header.Get("X-Request-Id") {
		t.Errorf("error body request_id %q, X-Request-Id %q: want equal and set", e.RequestID, r.header.Get("X-Request-Id"))
	}
	return e
}

// wantErr checks a whole-request error: status and code.
func (r resp) wantErr(t *testing.T, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	if e := r.apiErr(t); e.ErrorCode != code {
		t.Fatalf("error_code %q, want %q; body %s", e.ErrorCode, code, r.body)
	}
}

func (f *fixture) newReq(t *testing.T, method, path, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

func (f *fixture) send(t *testing.T, req *http.Request) resp {
	t.Helper()
	res, err := f.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	if res.Header.Get("X-Request-Id") == "" && !strings.HasPrefix(req.URL.Path, adminPrefix) {
		t.Errorf("%s %s: no X-Request-Id", req.Method, req.URL.Path)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// call sends a request authenticated with the static token.
func (f *fixture) call(t *testing.T, method, path, body string) resp {
	t.Helper()
	req := f.newReq(t, method, path, body)
	req.Header.Set("X-Auth-Token", testToken)
	return f.send(t, req)
}

func (f *fixture) get(t *testing.T, path string) resp { t.Helper(); return f.call(t, "GET", path, "") }

// signReq signs req the way cph-api.md describes, at time at, over the
// headers a careful client signs. Tests of tampering change req afterwards.
func signReq(t *testing.T, req *http.Request, body, ak, sk string, at time.Time) {
	t.Helper()
	req.Header.Set("X-Sdk-Date", at.UTC().Format(sdkDateFormat))
	signed := []string{"host", "x-sdk-date"}
	for _, h := range []string{"Content-Type", "X-Project-Id", "X-Security-Token"} {
		if req.Header.Get(h) != "" {
			signed = append(signed, strings.ToLower(h))
		}
	}
	sort.Strings(signed)
	cr, err := canonicalRequest(req, signed, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	sig := signature(sk, stringToSign(req.Header.Get("X-Sdk-Date"), cr))
	req.Header.Set("Authorization", signAlgorithm+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

// resetAnswer is the body of a batch-reset 200.
type resetAnswer struct {
	RequestID string       `json:"request_id"`
	Jobs      []resetEntry `json:"jobs"`
}

// reset resets phones (no property, no image) and expects a 200.
func (f *fixture) reset(t *testing.T, phoneIDs ...string) resetAnswer {
	t.Helper()
	var phones []map[string]string
	for _, id := range phoneIDs {
		phones = append(phones, map[string]string{"phone_id": id})
	}
	b, _ := json.Marshal(map[string]any{"phones": phones})
	r := f.call(t, "POST", f.cph("phones/batch-reset"), string(b))
	if r.status != http.StatusOK {
		t.Fatalf("batch-reset: %d %s", r.status, r.body)
	}
	var a resetAnswer
	r.decode(t, &a)
	if a.RequestID != r.header.Get("X-Request-Id") {
		t.Errorf("request_id %q, X-Request-Id %q", a.RequestID, r.header.Get("X-Request-Id"))
	}
	return a
}

// showJob fetches a job and expects a 200.
func (f *fixture) showJob(t *testing.T, id string) jobJSON {
	t.Helper()
	r := f.get(t, f.cph("jobs/"+id))
	if r.status != http.StatusOK {
		t.Fatalf("show job: %d %s", r.status, r.body)
	}
	var j jobJSON
	r.decode(t, &j)
	return j
}

// showPhone fetches a phone and expects a 200.
func (f *fixture) showPhone(t *testing.T, id string) phoneDetailJSON {
	t.Helper()
	r := f.get(t, f.cph("phones/"+id))
	if r.status != http.StatusOK {
		t.Fatalf("show phone: %d %s", r.status, r.body)
	}
	var p phoneDetailJSON
	r.decode(t, &p)
	return p
}
