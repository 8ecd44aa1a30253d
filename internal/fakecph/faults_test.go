package fakecph

import (
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestThrottle(t *testing.T) {
	t.Parallel()
	f := iamFixture(t)
	f.svc.SetFaults(Faults{ThrottleRate: 1})
	f.get(t, f.cph("phones")).wantErr(t, http.StatusTooManyRequests, "APIG.0308")
	f.get(t, "/v3/projects").wantErr(t, http.StatusTooManyRequests, "APIG.0308")
	f.login(t, loginBody("alice", "s3cret!", "acme", "cn-north-4", "")).wantErr(t, http.StatusTooManyRequests, "APIG.0308")
	// The gateway throttles before it authenticates.
	f.send(t, f.newReq(t, "GET", f.cph("phones"), "")).wantErr(t, http.StatusTooManyRequests, "APIG.0308")
	// A throttled reset is not applied.
	id := f.svc.PhoneIDs()[0]
	f.call(t, "POST", f.cph("phones/batch-reset"), `{"phones":[{"phone_id":"`+id+`"}]}`).wantErr(t, http.StatusTooManyRequests, "APIG.0308")
	if st := f.svc.Stats(); st.Resets[id] != 0 || st.ResetRequests != 0 {
		t.Errorf("throttled reset applied: %+v", st)
	}
	// The admin endpoints are never throttled.
	if r := f.send(t, f.newReq(t, "GET", "/_mock/stats", "")); r.status != http.StatusOK {
		t.Errorf("admin throttled: %d", r.status)
	}
	f.svc.SetFaults(Faults{})
	if r := f.get(t, f.cph("phones")); r.status != http.StatusOK {
		t.Errorf("still throttled after clearing faults: %d", r.status)
	}
}

// TestFaultRatesAreDeterministic checks a seed gives the same sequence of
// faults, and a rate in (0, 1) gives some of each outcome.
func TestFaultRatesAreDeterministic(t *testing.T) {
	t.Parallel()
	run := func(seed int64) []int {
		f := newFixture(t, func(o *Options) { o.Seed = seed })
		f.svc.SetFaults(Faults{ThrottleRate: 0.3, ReadErrorRate: 0.3})
		var out []int
		for range 60 {
			out = append(out, f.get(t, f.cph("phones?limit=1")).status)
		}
		return out
	}
	a, b := run(11), run(11)
	if diff := cmp.Diff(a, b); diff != "" {
		t.Errorf("same seed, different faults (-first +second):\n%s", diff)
	}
	count := map[int]int{}
	for _, s := range a {
		count[s]++
	}
	if count[200] == 0 || count[429] == 0 || count[500] == 0 || count[200]+count[429]+count[500] != 60 {
		t.Errorf("outcomes %v: want some 200, 429 and 500 only", count)
	}
	if diff := cmp.Diff(a, run(12)); diff == "" {
		t.Error("another seed gave the very same 60 outcomes")
	}
}

func TestReadErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	id := f.svc.PhoneIDs()[0]
	a := f.reset(t, id)
	f.svc.SetFaults(Faults{ReadErrorRate: 1})
	for _, path := range []string{"phones", "phones/" + id, "jobs/" + a.Jobs[0].JobID, "jobs?request_id=" + a.RequestID} {
		f.get(t, f.cph(path)).wantErr(t, http.StatusInternalServerError, "CPS.0003")
	}
	// Only authenticated CPH reads fail: writes, IAM and refusals do not.
	if r := f.get(t, "/v3/projects"); r.status != http.StatusOK {
		t.Errorf("IAM read failed: %d", r.status)
	}
	f.send(t, f.newReq(t, "GET", f.cph("phones"), "")).wantErr(t, http.StatusUnauthorized, "APIG.0301")
	if got := f.reset(t, f.svc.PhoneIDs()[1]); got.Jobs[0].JobID == "" {
		t.Errorf("reset under read errors: %+v", got)
	}
}

func TestLatency(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	const d = 40 * time.Millisecond
	f.svc.SetFaults(Faults{Latency: d})
	start := time.Now()
	if r := f.get(t, f.cph("phones")); r.status != http.StatusOK {
		t.Fatalf("%d", r.status)
	}
	if el := time.Since(start); el < d {
		t.Errorf("answered in %v, want at least %v", el, d)
	}
	if got := f.svc.Faults(); got.Latency != d {
		t.Errorf("Faults() = %+v", got)
	}
}

func TestLatencyGivesUpWithTheClient(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.svc.SetFaults(Faults{Latency: time.Hour})
	client := *f.srv.Client()
	client.Timeout = 20 * time.Millisecond
	req := f.newReq(t, "GET", f.cph("phones"), "")
	req.Header.Set("X-Auth-Token", testToken)
	res, err := client.Do(req)
	if err == nil {
		res.Body.Close()
		t.Fatal("want a client timeout")
	}
	f.srv.CloseClientConnections()
	// The handler stops waiting once the client is gone; Close (Cleanup)
	// would otherwise block for the hour.
}

func TestDropResetResponses(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	f.svc.SetFaults(Faults{DropResetResponses: 2})
	ids := f.svc.PhoneIDs()
	for i := range 2 {
		req := f.newReq(t, "POST", f.cph("phones/batch-reset"), `{"phones":[{"phone_id":"`+ids[i]+`"}]}`)
		req.Header.Set("X-Auth-Token", testToken)
		res, err := f.srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
			t.Fatalf("reset %d: answered %d, want the connection dropped", i, res.StatusCode)
		}
		// The reset was applied all the same.
		if p, _ := f.svc.Phone(ids[i]); p.Status != StatusResetting {
			t.Errorf("phone %d status %d after a dropped answer, want 3", i, p.Status)
		}
	}
	if got := f.svc.Faults().DropResetResponses; got != 0 {
		t.Errorf("countdown at %d", got)
	}
	f.reset(t, ids[2]) // answered again
	st := f.svc.Stats()
	if diff := cmp.Diff(map[int]int{StatusDropped: 2, 200: 1}, st.Calls[RouteBatchReset]); diff != "" {
		t.Errorf("batch_reset calls (-want +got):\n%s", diff)
	}
	if st.ResetRequests != 3 || st.Resets[ids[0]] != 1 || st.Resets[ids[1]] != 1 {
		t.Errorf("stats %+v", st)
	}
	// A client reconciling by listing the phones sees the dropped resets.
	var a phonesAnswer
	f.get(t, f.cph("phones?status=3")).decode(t, &a)
	if a.Count != 3 {
		t.Errorf("%d phones resetting, want 3", a.Count)
	}
}

// The two 5xx faults look the same on the wire; only the fake's ground
// truth tells whether the reset was applied.
func TestResetServerErrors(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		faults  Faults
		applied bool
	}{
		"after apply":  {Faults{ResetErrorsAfterApply: 1}, true},
		"before apply": {Faults{ResetErrorsBeforeApply: 1}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
			f.svc.SetFaults(tc.faults)
			ids := f.svc.PhoneIDs()
			req := f.newReq(t, "POST", f.cph("phones/batch-reset"), `{"phones":[{"phone_id":"`+ids[0]+`"}]}`)
			req.Header.Set("X-Auth-Token", testToken)
			res, err := f.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body apiError
			err = json.NewDecoder(res.Body).Decode(&body)
			res.Body.Close()
			if err != nil || res.StatusCode != 500 || body.ErrorCode != "CPS.0003" || body.RequestID == "" {
				t.Fatalf("answer %d %+v (%v), want 500 CPS.0003 with a request ID", res.StatusCode, body, err)
			}
			p, _ := f.svc.Phone(ids[0])
			if got := p.Status == StatusResetting; got != tc.applied {
				t.Errorf("phone status %d; applied = %v, want %v", p.Status, got, tc.applied)
			}
			st := f.svc.Stats()
			wantResets := map[bool]int{true: 1, false: 0}[tc.applied]
			if st.Resets[ids[0]] != wantResets || st.ResetRequests != wantResets {
				t.Errorf("stats %+v, want %d reset", st, wantResets)
			}
			if got := f.svc.Faults(); got != (Faults{}) {
				t.Errorf("countdown left %+v", got)
			}
			// The countdown is spent: the next reset (of another phone) is answered.
			f.reset(t, ids[1])
			if diff := cmp.Diff(map[int]int{500: 1, 200: 1}, f.svc.Stats().Calls[RouteBatchReset]); diff != "" {
				t.Errorf("batch_reset calls (-want +got):\n%s", diff)
			}
		})
	}
}

// One call meets one countdown fault: before-apply, then drop, then
// after-apply.
func TestResetFaultOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.svc.SetFaults(Faults{ResetErrorsBeforeApply: 1, DropResetResponses: 1, ResetErrorsAfterApply: 1})
	ids := f.svc.PhoneIDs()
	var got []int
	for i := range 4 {
		req := f.newReq(t, "POST", f.cph("phones/batch-reset"), `{"phones":[{"phone_id":"`+ids[i]+`"}]}`)
		req.Header.Set("X-Auth-Token", testToken)
		res, err := f.srv.Client().Do(req)
		if err != nil {
			got = append(got, StatusDropped)
			continue
		}
		res.Body.Close()
		got = append(got, res.StatusCode)
	}
	if diff := cmp.Diff([]int{500, StatusDropped, 500, 200}, got); diff != "" {
		t.Errorf("answers (-want +got):\n%s", diff)
	}
	if st := f.svc.Stats(); st.ResetRequests != 3 || st.Resets[ids[0]] != 0 || st.Resets[ids[1]] != 1 || st.Resets[ids[2]] != 1 {
		t.Errorf("stats %+v", st)
	}
}

// TestSetFaultsWhileServing changes faults under load; -race checks it.
func TestSetFaultsWhileServing(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 10 {
				r := f.get(t, f.cph("phones?limit=1"))
				if r.status != 200 && r.status != 429 && r.status != 500 {
					t.Errorf("status %d", r.status)
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 20 {
			f.svc.SetFaults(Faults{ThrottleRate: float64(i%2) / 2, ReadErrorRate: 0.1})
			f.svc.ExpireTokens()
		}
	})
	wg.Wait()
}

func TestFaultsValidate(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		f  Faults
		ok bool
	}{
		"zero":           {Faults{}, true},
		"bounds":         {Faults{ThrottleRate: 1, ReadErrorRate: 0, Latency: time.Second, DropResetResponses: 3}, true},
		"throttle > 1":   {Faults{ThrottleRate: 1.5}, false},
		"throttle < 0":   {Faults{ThrottleRate: -0.1}, false},
		"read error > 1": {Faults{ReadErrorRate: 2}, false},
		"latency < 0":    {Faults{Latency: -time.Second}, false},
		"drops < 0":      {Faults{DropResetResponses: -1}, false},
		"after < 0":      {Faults{ResetErrorsAfterApply: -1}, false},
		"before < 0":     {Faults{ResetErrorsBeforeApply: -1}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if err := tc.f.Validate(); (err == nil) != tc.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tc.ok)
			}
		})
	}
}
