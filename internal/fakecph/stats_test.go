package fakecph

import (
	"net/http"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestStatsCountCalls(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	id := f.svc.PhoneIDs()[0]
	f.get(t, f.cph("phones"))
	f.get(t, f.cph("phones?limit=0"))
	f.get(t, f.cph("phones/"+id))
	a := f.reset(t, id)
	f.get(t, f.cph("jobs/"+a.Jobs[0].JobID))
	f.get(t, f.cph("jobs?request_id="+a.RequestID))
	f.get(t, f.cph("nothing-here"))
	f.get(t, "/v3/projects")
	f.login(t, loginBody("alice", "wrong", "acme", "cn-north-4", ""))
	f.send(t, f.newReq(t, "GET", "/_mock/stats", "")) // not counted

	want := Stats{
		Calls: map[string]map[int]int{
			RouteListPhones: {200: 1, 400: 1}, RouteShowPhone: {200: 1}, RouteBatchReset: {200: 1},
			RouteShowJob: {200: 1}, RouteListJobs: {200: 1}, RouteUnknown: {404: 1},
			RouteIAMProjects: {200: 1}, RouteIAMTokens: {401: 1},
		},
		Resets:        map[string]int{id: 1},
		ResetRequests: 1,
	}
	got := f.svc.Stats()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if n := got.CallCount(RouteListPhones); n != 2 {
		t.Errorf("CallCount(list_phones) = %d, want 2", n)
	}
	if n := got.CallCount("never"); n != 0 {
		t.Errorf("CallCount(never) = %d", n)
	}

	// Stats is a deep copy.
	got.Calls[RouteListPhones][200] = 99
	got.Resets[id] = 99
	if again := f.svc.Stats(); again.Calls[RouteListPhones][200] != 1 || again.Resets[id] != 1 {
		t.Error("changing a Stats value changed the service's counters")
	}

	f.svc.ResetStats()
	if diff := cmp.Diff(Stats{Calls: map[string]map[int]int{}, Resets: map[string]int{}}, f.svc.Stats()); diff != "" {
		t.Errorf("after ResetStats (-want +got):\n%s", diff)
	}
	// Phones and jobs survive ResetStats.
	if j := f.showJob(t, a.Jobs[0].JobID); j.Status != JobSucceeded {
		t.Errorf("job after ResetStats: %+v", j)
	}
}

// TestConcurrentResets resets distinct phones from many goroutines at once,
// reading in between; run with -race. Every phone must be reset exactly
// once, with its own job, and the counters must add up.
func TestConcurrentResets(t *testing.T) {
	t.Parallel()
	const n = 40
	f := newFixture(t, func(o *Options) { o.Phones = n })
	ids := f.svc.PhoneIDs()
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		jobs = map[string]string{} // job ID -> phone ID
	)
	for _, id := range ids {
		wg.Go(func() {
			a := f.reset(t, id)
			mu.Lock()
			jobs[a.Jobs[0].JobID] = id
			mu.Unlock()
			if r := f.get(t, f.cph("phones?limit=5")); r.status != http.StatusOK {
				t.Errorf("list during resets: %d", r.status)
			}
			_ = f.svc.Stats()
		})
	}
	wg.Wait()

	if len(jobs) != n {
		t.Fatalf("%d distinct jobs for %d phones", len(jobs), n)
	}
	st := f.svc.Stats()
	if st.ResetRequests != n || st.Calls[RouteBatchReset][200] != n || st.Calls[RouteListPhones][200] != n {
		t.Errorf("counters %+v", st)
	}
	for _, id := range ids {
		if st.Resets[id] != 1 {
			t.Errorf("phone %s reset %d times", id, st.Resets[id])
		}
	}
	for jobID, phoneID := range jobs {
		if j, ok := f.svc.Job(jobID); !ok || j.PhoneID != phoneID || j.Status != JobSucceeded {
			t.Errorf("job %s: %+v", jobID, j)
		}
	}
}

// TestConcurrentResetsOfOnePhone races resets of the same phone: exactly
// one may win while the job runs.
func TestConcurrentResetsOfOnePhone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = 1 << 40 })
	id := f.svc.PhoneIDs()[0]
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		accepted int
	)
	for range 10 {
		wg.Go(func() {
			a := f.reset(t, id)
			mu.Lock()
			defer mu.Unlock()
			switch a.Jobs[0].ErrorCode {
			case "":
				accepted++
			case "CPS.0022":
			default:
				t.Errorf("entry %+v", a.Jobs[0])
			}
		})
	}
	wg.Wait()
	if accepted != 1 || f.svc.Stats().Resets[id] != 1 {
		t.Errorf("%d accepted, Resets %d; want exactly 1", accepted, f.svc.Stats().Resets[id])
	}
}
