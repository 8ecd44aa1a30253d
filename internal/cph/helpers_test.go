package cph

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

const (
	testProjectID = "0123456789abcdef0123456789abcdef"
	testRegion    = "cn-north-4"
)

// newFakeClock returns the fake service's settable clock (only its clock is
// used here: these tests talk to their own scripted servers).
func newFakeClock() *fakecph.FakeClock {
	return fakecph.NewFakeClock(time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC))
}

// counter counts requests per key (e.g. "GET /v1/.../jobs").
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *counter) inc(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	c.n[key]++
	return c.n[key]
}

func (c *counter) get(key string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[key]
}

// testConfig returns a Config pointed at srv with ms-scale retry waits.
func testConfig(srv *httptest.Server, creds Credentials) Config {
	return Config{
		Region:       testRegion,
		ProjectID:    testProjectID,
		Endpoint:     srv.URL,
		IAMEndpoint:  srv.URL,
		Credentials:  creds,
		MaxRetries:   3,
		RetryWaitMin: time.Millisecond,
		RetryWaitMax: 5 * time.Millisecond,
		UserAgent:    "terraform-provider-cph/test",
		HTTPClient:   srv.Client(),
	}
}

func mustNew(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]string{"error_code": code, "error_msg": msg, "request_id": "req-" + code})
}

// phonesPath and friends are the CPH paths of the test project.
func cphPath(rest string) string {
	return "/v1/" + testProjectID + "/cloud-phone/" + strings.TrimPrefix(rest, "/")
}

func newServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func oneResetRequest() BatchResetRequest {
	return BatchResetRequest{Phones: []ResetPhone{{PhoneID: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}
}

var resetOK = map[string]any{
	"request_id": "r-1",
	"jobs":       []map[string]string{{"phone_id": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "job_id": "j-1"}},
}
