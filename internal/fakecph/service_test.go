package fakecph

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDefaults(t *testing.T) {
	t.Parallel()
	s := New(Options{})
	if len(s.PhoneIDs()) != 10 || len(s.ServerIDs()) != 2 || len(s.ImageIDs()) != 3 || s.Region() != "cn-north-4" {
		t.Errorf("phones %d servers %d images %d region %s", len(s.PhoneIDs()), len(s.ServerIDs()), len(s.ImageIDs()), s.Region())
	}
	for _, id := range append(append(append(s.PhoneIDs(), s.ServerIDs()...), s.ImageIDs()...), s.ProjectID()) {
		if !IsID(id) {
			t.Errorf("%q is not 32 lowercase hex", id)
		}
	}
	if !slices.IsSorted(s.PhoneIDs()) {
		t.Error("PhoneIDs not sorted")
	}
	// The default clock is real time: a reset is done at once.
	rec := httptest.NewRecorder()
	s2 := New(Options{AuthToken: "t"})
	req := httptest.NewRequestWithContext(t.Context(), "GET", "/v1/"+s2.ProjectID()+"/cloud-phone/phones?limit=1", nil)
	req.Header.Set("X-Auth-Token", "t")
	s2.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || rec.Header().Get("X-Request-Id") == "" {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	pid := strings.Repeat("ab", 16)
	s := New(Options{ProjectID: pid, Region: "ap-southeast-1", Phones: 3, Servers: 5, Images: 1})
	if s.ProjectID() != pid || s.Region() != "ap-southeast-1" || len(s.PhoneIDs()) != 3 || len(s.ServerIDs()) != 5 || len(s.ImageIDs()) != 1 {
		t.Errorf("options not honored")
	}
	none := New(Options{Phones: -1, Images: -1, Servers: -1})
	if len(none.PhoneIDs()) != 0 || len(none.ImageIDs()) != 0 || len(none.ServerIDs()) != 0 {
		t.Errorf("negative counts: %d phones %d images %d servers", len(none.PhoneIDs()), len(none.ImageIDs()), len(none.ServerIDs()))
	}
	// Phones need a server even when told there are none.
	if s := New(Options{Servers: -1, Phones: 2}); len(s.ServerIDs()) != 1 {
		t.Errorf("%d servers for 2 phones", len(s.ServerIDs()))
	}
}

func TestSeeding(t *testing.T) {
	t.Parallel()
	type ids struct{ Project, Phones, Servers, Images []string }
	get := func(o Options) ids {
		s := New(o)
		return ids{[]string{s.ProjectID()}, s.PhoneIDs(), s.ServerIDs(), s.ImageIDs()}
	}
	a, b := get(Options{Seed: 1}), get(Options{Seed: 1})
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different IDs:\n%s", diff)
	}
	c := get(Options{Seed: 2})
	if a.Project[0] == c.Project[0] || slices.Equal(a.Phones, c.Phones) || slices.Equal(a.Servers, c.Servers) {
		t.Error("another seed gave the same IDs")
	}
	// More phones add IDs without changing the others' or the servers'.
	more := get(Options{Seed: 1, Phones: 20})
	for _, id := range a.Phones {
		if !slices.Contains(more.Phones, id) {
			t.Errorf("phone %s vanished with a larger phone count", id)
		}
	}
	if !slices.Equal(a.Servers, more.Servers) || !slices.Equal(a.Project, more.Project) {
		t.Error("the phone count changed server or project IDs")
	}
}

func TestUnknownAPIs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	id := f.svc.PhoneIDs()[0]
	tests := map[string]struct{ method, path string }{
		"unknown root":            {"GET", "/"},
		"unknown v1 path":         {"GET", "/v1/" + f.svc.ProjectID() + "/servers"},
		"cloud-phone other":       {"GET", f.cph("servers")},
		"POST to a phone":         {"POST", f.cph("phones/" + id)},
		"list phones by POST":     {"POST", f.cph("phones")},
		"show phone by DELETE":    {"DELETE", f.cph("phones/" + id)},
		"jobs by POST":            {"POST", f.cph("jobs")},
		"trailing slash":          {"GET", f.cph("phones/")},
		"too deep":                {"GET", f.cph("phones/" + id + "/x")},
		"tokens by GET":           {"GET", "/v3/auth/tokens"},
		"projects by POST":        {"POST", "/v3/projects"},
		"empty project":           {"GET", "/v1//cloud-phone/phones"},
		"v2":                      {"GET", "/v2/" + f.svc.ProjectID() + "/cloud-phone/phones"},
		"no credential still 404": {"GET", "/nothing"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f.call(t, tc.method, tc.path, "").wantErr(t, http.StatusNotFound, "APIG.0101")
		})
	}
	t.Cleanup(func() {
		if n := f.svc.Stats().Calls[RouteUnknown][404]; n != len(tests) {
			t.Errorf("unknown calls counted %d, want %d", n, len(tests))
		}
	})
}

func TestMatchRoute(t *testing.T) {
	t.Parallel()
	p := "/v1/pid/cloud-phone/"
	tests := map[string]struct {
		method, path string
		want         route
	}{
		"batch reset":  {"POST", p + "phones/batch-reset", route{name: RouteBatchReset, cph: true, project: "pid"}},
		"list phones":  {"GET", p + "phones", route{name: RouteListPhones, cph: true, project: "pid"}},
		"show phone":   {"GET", p + "phones/abc", route{name: RouteShowPhone, cph: true, project: "pid", id: "abc"}},
		"list jobs":    {"GET", p + "jobs", route{name: RouteListJobs, cph: true, project: "pid"}},
		"show job":     {"GET", p + "jobs/j1", route{name: RouteShowJob, cph: true, project: "pid", id: "j1"}},
		"iam tokens":   {"POST", "/v3/auth/tokens", route{name: RouteIAMTokens}},
		"iam projects": {"GET", "/v3/projects", route{name: RouteIAMProjects}},
		"unknown":      {"GET", "/v1/pid/other/phones", route{name: RouteUnknown}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, matchRoute(tc.method, tc.path), cmp.AllowUnexported(route{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestRequestIDs checks every answer, good or bad, carries a request ID,
// and no two calls share one.
func TestRequestIDs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	seen := map[string]bool{}
	for _, r := range []resp{
		f.get(t, f.cph("phones")),
		f.get(t, f.cph("phones?limit=0")),
		f.send(t, f.newReq(t, "GET", f.cph("phones"), "")),
		f.get(t, "/nothing"),
		f.get(t, "/v3/projects"),
	} {
		id := r.header.Get("X-Request-Id")
		if !IsID(id) || seen[id] {
			t.Errorf("X-Request-Id %q (seen before: %v)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestFakeClock(t *testing.T) {
	t.Parallel()
	c := NewFakeClock(t0)
	c.Advance(time.Hour)
	if !c.Now().Equal(t0.Add(time.Hour)) {
		t.Errorf("after Advance: %v", c.Now())
	}
	c.Set(t0.Add(-time.Hour))
	if !c.Now().Equal(t0.Add(-time.Hour)) {
		t.Errorf("after Set: %v", c.Now())
	}
}
