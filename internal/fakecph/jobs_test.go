package fakecph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestShowJob(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = 3 * time.Minute })
	id := f.svc.PhoneIDs()[4]
	p, _ := f.svc.Phone(id)
	f.clock.Advance(time.Minute)
	a := f.reset(t, id)
	begin := t0.Add(time.Minute).Format(cphTimeFormat)

	got := f.showJob(t, a.Jobs[0].JobID)
	want := jobJSON{RequestID: a.RequestID, JobID: a.Jobs[0].JobID, PhoneID: id, ServerID: p.ServerID,
		Status: JobRunning, BeginTime: begin}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("running (-want +got):\n%s", diff)
	}
	f.clock.Advance(3 * time.Minute)
	want.Status, want.EndTime, want.ExecuteMsg = JobSucceeded, t0.Add(4*time.Minute).Format(cphTimeFormat), "reset succeeded"
	if diff := cmp.Diff(want, f.showJob(t, a.Jobs[0].JobID)); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
	if j, ok := f.svc.Job(a.Jobs[0].JobID); !ok || j.Status != JobSucceeded || !j.EndTime.Equal(t0.Add(4*time.Minute)) {
		t.Errorf("Go view %+v", j)
	}

	for _, bad := range []string{strings.Repeat("0", 32), "not-a-job"} {
		f.get(t, f.cph("jobs/"+bad)).wantErr(t, http.StatusNotFound, "CPS.0002")
	}
	if _, ok := f.svc.Job("nope"); ok {
		t.Error("Job found an unknown ID")
	}
}

type jobsAnswer struct {
	RequestID string    `json:"request_id"`
	Jobs      []jobJSON `json:"jobs"`
}

func TestListJobs(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	ids := f.svc.PhoneIDs()
	r1 := f.reset(t, ids[0], ids[1], ids[2])
	r2 := f.reset(t, ids[3], ids[4])
	r3 := f.reset(t, ids[5], strings.Repeat("0", 32)) // one rejected phone: no job
	jobsOf := func(rs ...resetAnswer) []string {
		out := []string{}
		for _, r := range rs {
			for _, e := range r.Jobs {
				if e.JobID != "" {
					out = append(out, e.JobID)
				}
			}
		}
		return out
	}
	all := jobsOf(r1, r2, r3)

	tests := map[string]struct {
		query string
		want  []string
	}{
		"one request":                {"request_id=" + r1.RequestID, jobsOf(r1)},
		"two requests":               {"request_ids=" + r1.RequestID + "," + r2.RequestID, jobsOf(r1, r2)},
		"creation order, not listed": {"request_ids=" + r2.RequestID + "," + r1.RequestID, jobsOf(r1, r2)},
		"both parameters":            {"request_id=" + r3.RequestID + "&request_ids=" + r1.RequestID, jobsOf(r1, r3)},
		"duplicates once":            {"request_ids=" + r2.RequestID + "," + r2.RequestID + "&request_id=" + r2.RequestID, jobsOf(r2)},
		"spaces and empties":         {"request_ids=" + url.QueryEscape(" "+r2.RequestID+" ,,"), jobsOf(r2)},
		"rejected phones have none":  {"request_id=" + r3.RequestID, jobsOf(r3)},
		"unknown request":            {"request_id=" + strings.Repeat("0", 32), []string{}},
		"limit":                      {"request_ids=" + r1.RequestID + "," + r2.RequestID + "," + r3.RequestID + "&limit=2", all[:2]},
		"offset and limit":           {"request_ids=" + r1.RequestID + "," + r2.RequestID + "," + r3.RequestID + "&offset=2&limit=2", all[2:4]},
		"last partial page":          {"request_ids=" + r1.RequestID + "," + r2.RequestID + "," + r3.RequestID + "&offset=4&limit=2", all[4:]},
		"exact multiple, past end":   {"request_ids=" + r1.RequestID + "," + r2.RequestID + "," + r3.RequestID + "&offset=6&limit=2", []string{}},
		"limit 100":                  {"request_id=" + r1.RequestID + "&limit=100", jobsOf(r1)},
		"limit 1":                    {"request_id=" + r1.RequestID + "&limit=1", jobsOf(r1)[:1]},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			r := f.get(t, f.cph("jobs?"+tc.query))
			if r.status != http.StatusOK {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var a jobsAnswer
			r.decode(t, &a)
			if a.RequestID != r.header.Get("X-Request-Id") {
				t.Errorf("request_id %q is not the call's", a.RequestID)
			}
			got := []string{}
			for _, j := range a.Jobs {
				got = append(got, j.JobID)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListJobsFollowsTheClock(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	ids := f.svc.PhoneIDs()
	f.svc.FailResets(ids[1])
	a := f.reset(t, ids[0], ids[1])
	statuses := func() []int {
		var j jobsAnswer
		f.get(t, f.cph("jobs?request_id="+a.RequestID)).decode(t, &j)
		out := []int{}
		for _, x := range j.Jobs {
			out = append(out, x.Status)
		}
		return out
	}
	if diff := cmp.Diff([]int{JobRunning, JobRunning}, statuses()); diff != "" {
		t.Errorf("running (-want +got):\n%s", diff)
	}
	f.clock.Advance(time.Minute)
	if diff := cmp.Diff([]int{JobSucceeded, JobFailed}, statuses()); diff != "" {
		t.Errorf("done (-want +got):\n%s", diff)
	}
}

func TestListJobsErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	var twenty, twentyOne []string
	for i := range 21 {
		id := fmt.Sprintf("%032x", i)
		if i < 20 {
			twenty = append(twenty, id)
		}
		twentyOne = append(twentyOne, id)
	}
	if r := f.get(t, f.cph("jobs?request_ids="+strings.Join(twenty, ","))); r.status != http.StatusOK {
		t.Errorf("20 request IDs: %d %s", r.status, r.body)
	}
	tests := map[string]string{
		"no request id":     "",
		"only empties":      "?request_ids=,,&request_id=",
		"21 request ids":    "?request_ids=" + strings.Join(twentyOne, ","),
		"20 plus one more":  "?request_ids=" + strings.Join(twenty, ",") + "&request_id=" + twentyOne[20],
		"limit 0":           "?request_id=r&limit=0",
		"limit 101":         "?request_id=r&limit=101",
		"offset negative":   "?request_id=r&offset=-1",
		"limit not integer": "?request_id=r&limit=x",
	}
	for name, query := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f.get(t, f.cph("jobs"+query)).wantErr(t, http.StatusBadRequest, "CPS.0002")
		})
	}
}

func TestRejectResetsAndClearFailures(t *testing.T) {
	t.Parallel()
	svc := New(Options{Seed: 9, Phones: 3, AuthToken: "tok"})
	ids := svc.PhoneIDs()
	svc.RejectResets("CPS.0022", "Not available phone.", ids[0])
	svc.FailResets(ids[1])
	svc.ClearFailures()
	svc.RejectResets("CPS.0001", "no permission", ids[2])
	rec := httptest.NewRecorder()
	body := `{"phones":[{"phone_id":"` + ids[0] + `"},{"phone_id":"` + ids[2] + `"}]}`
	req := httptest.NewRequest(http.MethodPost, "/v1/"+svc.ProjectID()+"/cloud-phone/phones/batch-reset", strings.NewReader(body))
	req.Header.Set("X-Auth-Token", "tok")
	svc.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	var out struct {
		Jobs []resetEntry `json:"jobs"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
		t.Fatal(err)
	}
	if len(out.Jobs) != 2 || out.Jobs[0].JobID == "" || out.Jobs[1].ErrorCode != "CPS.0001" || out.Jobs[1].JobID != "" {
		t.Fatalf("jobs = %+v: want the cleared phone reset and the refused one rejected", out.Jobs)
	}
	if st := svc.Stats(); st.Resets[ids[0]] != 1 || st.Resets[ids[2]] != 0 {
		t.Fatalf("resets = %v", st.Resets)
	}
}
