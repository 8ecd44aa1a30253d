package fakecph

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func (f *fixture) admin(t *testing.T, method, path, body string) resp {
	t.Helper()
	return f.send(t, f.newReq(t, method, "/_mock/"+path, body))
}

func TestAdminIDLists(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := map[string][]string{"phone-ids": f.svc.PhoneIDs(), "image-ids": f.svc.ImageIDs()}
	for path, want := range tests {
		t.Run(path, func(t *testing.T) {
			t.Parallel()
			r := f.admin(t, "GET", path, "")
			if r.status != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
				t.Fatalf("%d %s", r.status, r.header.Get("Content-Type"))
			}
			if diff := cmp.Diff(strings.Join(want, "\n")+"\n", string(r.body)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestAdminStats(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.reset(t, f.svc.PhoneIDs()[0])
	f.get(t, f.cph("phones?limit=0"))
	var got Stats
	f.admin(t, "GET", "stats", "").decode(t, &got)
	if diff := cmp.Diff(f.svc.Stats(), got); diff != "" {
		t.Errorf("HTTP stats differ from Go's (-go +http):\n%s", diff)
	}
	if r := f.admin(t, "POST", "stats/reset", ""); r.status != http.StatusNoContent {
		t.Errorf("stats/reset: %d", r.status)
	}
	if st := f.svc.Stats(); len(st.Calls) != 0 || st.ResetRequests != 0 {
		t.Errorf("after reset: %+v", st)
	}
}

func TestAdminFaults(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	r := f.admin(t, "PUT", "faults", `{"throttle_rate":0.25,"read_error_rate":0.5,"latency":"5ms","drop_reset_responses":2,`+
		`"reset_errors_after_apply":3,"reset_errors_before_apply":4}`)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	want := Faults{ThrottleRate: 0.25, ReadErrorRate: 0.5, Latency: 5 * time.Millisecond, DropResetResponses: 2,
		ResetErrorsAfterApply: 3, ResetErrorsBeforeApply: 4}
	if got := f.svc.Faults(); got != want {
		t.Errorf("Faults() = %+v, want %+v", got, want)
	}
	var shown faultsJSON
	f.admin(t, "GET", "faults", "").decode(t, &shown)
	if shown != (faultsJSON{ThrottleRate: 0.25, ReadErrorRate: 0.5, Latency: "5ms", DropResetResponses: 2,
		ResetErrorsAfter: 3, ResetErrorsBefore: 4}) {
		t.Errorf("GET faults = %+v", shown)
	}
	for name, body := range map[string]string{
		"not JSON":      `{`,
		"unknown field": `{"throttle":1}`,
		"rate > 1":      `{"throttle_rate":2}`,
		"bad latency":   `{"latency":"soon"}`,
		"negative drop": `{"drop_reset_responses":-1}`,
		"negative 5xx":  `{"reset_errors_before_apply":-1}`,
	} {
		if r := f.admin(t, "PUT", "faults", body); r.status != http.StatusBadRequest {
			t.Errorf("%s: %d %s", name, r.status, r.body)
		}
	}
	if got := f.svc.Faults(); got != want {
		t.Errorf("refused PUTs changed the faults: %+v", got)
	}
	f.admin(t, "PUT", "faults", `{}`)
	if got := f.svc.Faults(); got != (Faults{}) {
		t.Errorf("PUT {} left %+v", got)
	}
}

func TestAdminExpireTokens(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	tok := f.login(t, loginBody("alice", "s3cret!", "acme", "cn-north-4", "")).header.Get("X-Subject-Token")
	if r := f.admin(t, "POST", "expire-tokens", ""); r.status != http.StatusNoContent {
		t.Fatalf("%d", r.status)
	}
	req := f.newReq(t, "GET", f.cph("phones"), "")
	req.Header.Set("X-Auth-Token", tok)
	f.send(t, req).wantErr(t, http.StatusUnauthorized, "APIG.0301")
}

func TestAdminRouting(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := map[string]struct {
		method, path string
		want         int
	}{
		"help":                   {"GET", "", 200},
		"unknown":                {"GET", "nothing", 404},
		"stats by POST":          {"POST", "stats", 405},
		"stats/reset by GET":     {"GET", "stats/reset", 405},
		"phone-ids by POST":      {"POST", "phone-ids", 405},
		"expire-tokens by GET":   {"GET", "expire-tokens", 405},
		"faults by POST":         {"POST", "faults", 405},
		"faults by DELETE":       {"DELETE", "faults", 405},
		"needs no authorization": {"GET", "stats", 200},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := f.admin(t, tc.method, tc.path, "")
			if r.status != tc.want {
				t.Errorf("%s /_mock/%s: %d, want %d", tc.method, tc.path, r.status, tc.want)
			}
			if tc.want == 405 && r.header.Get("Allow") == "" {
				t.Error("405 without Allow")
			}
		})
	}
	if st := f.svc.Stats(); len(st.Calls) != 0 {
		t.Errorf("admin calls were counted: %+v", st.Calls)
	}
}
