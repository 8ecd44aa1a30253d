package reset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// fakeAPI is a scripted cph.API: batch-reset answers come from a function,
// and each list call advances every job by one "tick".
type fakeAPI struct {
	mu         sync.Mutex
	answer     func(n int, req cph.BatchResetRequest) (*cph.BatchResetResponse, error)
	requests   []cph.BatchResetRequest
	listCalls  [][]string
	jobs       map[string]*cph.Job // job ID -> job
	ticksToEnd int
	ticks      map[string]int
	failPhones map[string]bool
}

func newFakeAPI() *fakeAPI {
	f := &fakeAPI{jobs: map[string]*cph.Job{}, ticks: map[string]int{}, ticksToEnd: 2, failPhones: map[string]bool{}}
	f.answer = func(n int, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		resp := &cph.BatchResetResponse{RequestID: fmt.Sprintf("req%d", n)}
		for _, p := range req.Phones {
			jobID := "job-" + p.PhoneID
			resp.Jobs = append(resp.Jobs, cph.PhoneJob{PhoneID: p.PhoneID, JobID: jobID})
			f.jobs[jobID] = &cph.Job{RequestID: resp.RequestID, JobID: jobID, PhoneID: p.PhoneID, Status: cph.JobStatusRunning}
		}
		return resp, nil
	}
	return f
}

func (f *fakeAPI) BatchReset(_ context.Context, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, req)
	return f.answer(len(f.requests), req)
}

func (f *fakeAPI) ListJobsByRequest(_ context.Context, ids []string) ([]cph.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listCalls = append(f.listCalls, ids)
	want := map[string]bool{}
	for _, id := range ids {
		want[id] = true
	}
	var out []cph.Job
	for _, j := range f.jobs {
		if !want[j.RequestID] {
			continue
		}
		f.ticks[j.JobID]++
		if f.ticks[j.JobID] >= f.ticksToEnd {
			j.Status = cph.JobStatusSucceeded
			if f.failPhones[j.PhoneID] {
				j.Status, j.ErrorCode, j.ErrorMsg = cph.JobStatusFailed, "CPS.0003", "internal error"
			}
		}
		out = append(out, *j)
	}
	return out, nil
}

func (f *fakeAPI) ListAllPhones(context.Context, cph.ListPhonesInput) ([]cph.Phone, error) {
	return nil, nil
}
func (f *fakeAPI) ShowPhone(context.Context, string) (*cph.Phone, error) { return nil, nil }

func immediate(time.Duration) <-chan time.Time {
	c := make(chan time.Time, 1)
	c <- time.Time{}
	return c
}

func phones(n int) map[string]map[string]string {
	out := map[string]map[string]string{}
	for i := range n {
		out[fmt.Sprintf("%032x", i)] = map[string]string{}
	}
	return out
}

func TestSubmitBatchesAndEncodes(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	e := &Engine{API: api, BatchSize: 2}
	p := Spec{ImageID: "img", FactoryReset: true, Phones: phones(5)}
	p.Phones[fmt.Sprintf("%032x", 0)] = map[string]string{"b": "2", "a": "1"}
	jobs, err := e.Submit(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.requests) != 3 {
		t.Fatalf("sent %d requests, want 3 batches of at most 2", len(api.requests))
	}
	first := api.requests[0]
	if first.ImageID != "img" || first.Phones[0].Property != `{"a":"1","b":"2"}` || first.Phones[1].Property != "" ||
		first.Phones[0].FactoryResetEnabled == nil || !*first.Phones[0].FactoryResetEnabled {
		t.Fatalf("first request = %+v", first)
	}
	if len(jobs) != 5 {
		t.Fatalf("got %d jobs, want 5", len(jobs))
	}
	for id, j := range jobs {
		if j.Status != Running || j.JobID != "job-"+id || j.RequestID == "" {
			t.Fatalf("job %s = %+v", id, j)
		}
	}
}

func TestSubmitRecordsRejectionsAndMissingEntries(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	ids := []string{phoneA, phoneB, phoneC}
	api.answer = func(int, cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		return &cph.BatchResetResponse{RequestID: "r1", Jobs: []cph.PhoneJob{
			{PhoneID: phoneA, JobID: "j1"},
			{PhoneID: phoneB, ErrorCode: "CPS.0005", ErrorMsg: "phone not found"},
		}}, nil
	}
	p := Spec{Phones: map[string]map[string]string{ids[0]: nil, ids[1]: nil, ids[2]: nil}}
	jobs, err := (&Engine{API: api}).Submit(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Job{
		phoneA: {PhoneID: phoneA, JobID: "j1", RequestID: "r1", Status: Running},
		phoneB: {PhoneID: phoneB, RequestID: "r1", Status: Rejected, ErrorCode: "CPS.0005", ErrorMsg: "phone not found"},
		phoneC: {PhoneID: phoneC, RequestID: "r1", Status: Rejected, ErrorMsg: "the batch-reset answer has no entry for this phone"},
	}
	if diff := cmp.Diff(want, jobs); diff != "" {
		t.Fatalf("jobs mismatch (-want +got):\n%s", diff)
	}
}

func TestSubmitWholeRequestErrorRejectsBatchAndGoesOn(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	ok := api.answer
	api.answer = func(n int, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		if n == 1 {
			return nil, &cph.APIError{HTTPStatus: 400, Code: "CPS.0030", Message: "image invalid", RequestID: "bad"}
		}
		return ok(n, req)
	}
	jobs, err := (&Engine{API: api, BatchSize: 2}).Submit(context.Background(), Spec{Phones: phones(4)})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.requests) != 2 {
		t.Fatalf("sent %d requests, want 2", len(api.requests))
	}
	first := jobs[fmt.Sprintf("%032x", 0)]
	if first.Status != Rejected || first.ErrorCode != "CPS.0030" || first.RequestID != "bad" {
		t.Fatalf("first batch phone = %+v", first)
	}
	if last := jobs[fmt.Sprintf("%032x", 3)]; last.Status != Running {
		t.Fatalf("second batch phone = %+v", last)
	}
}

func TestSubmitStopsOnUncertainOutcome(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.answer = func(int, cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		return nil, &cph.UncertainError{Method: "POST", Path: "/x", Err: errors.New("connection reset")}
	}
	jobs, err := (&Engine{API: api, BatchSize: 2}).Submit(context.Background(), Spec{Phones: phones(5)})
	if !cph.IsUncertain(err) {
		t.Fatalf("err = %v, want uncertain", err)
	}
	if len(api.requests) != 1 {
		t.Fatalf("sent %d requests after an uncertain outcome, want 1", len(api.requests))
	}
	if j := jobs[fmt.Sprintf("%032x", 1)]; j.Status != Failed || !strings.Contains(j.ErrorMsg, "may be resetting") {
		t.Fatalf("uncertain batch phone = %+v", j)
	}
	if j := jobs[fmt.Sprintf("%032x", 4)]; j.Status != Rejected || !strings.Contains(j.ErrorMsg, "not sent") {
		t.Fatalf("unsent phone = %+v", j)
	}
}

func TestWaitPollsByRequestUntilDone(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.failPhones[fmt.Sprintf("%032x", 1)] = true
	var progress []int
	e := &Engine{API: api, BatchSize: 2, After: immediate, Progress: func(done, _ int) { progress = append(progress, done) }}
	jobs, err := e.Submit(context.Background(), Spec{Phones: phones(5)})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err = e.Wait(context.Background(), jobs)
	if err != nil {
		t.Fatal(err)
	}
	if len(api.listCalls) != 2 {
		t.Fatalf("list calls = %d, want 2 (one per poll, not per job)", len(api.listCalls))
	}
	if diff := cmp.Diff([]string{"req1", "req2", "req3"}, api.listCalls[0]); diff != "" {
		t.Fatalf("first poll request IDs (-want +got):\n%s", diff)
	}
	failed := jobs[fmt.Sprintf("%032x", 1)]
	if failed.Status != Failed || failed.ErrorCode != "CPS.0003" || failed.RequestID != "req1" {
		t.Fatalf("failed job = %+v", failed)
	}
	if j := jobs[fmt.Sprintf("%032x", 4)]; j.Status != Succeeded {
		t.Fatalf("job = %+v", j)
	}
	if diff := cmp.Diff([]int{0, 5}, progress); diff != "" {
		t.Fatalf("progress (-want +got):\n%s", diff)
	}
}

func TestWaitStopsOnContextEnd(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.ticksToEnd = 1 << 30
	e := &Engine{API: api, After: immediate}
	jobs, err := e.Submit(context.Background(), Spec{Phones: phones(2)})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = e.Wait(ctx, jobs)
	var werr *WaitError
	if !errors.As(err, &werr) || len(werr.Running) != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want WaitError naming 2 running phones", err)
	}
}

func TestRefreshKeepsUnlistedAndIgnoresOtherJobs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.ticksToEnd = 1
	api.jobs["old"] = &cph.Job{RequestID: "r1", JobID: "old", PhoneID: phoneA, Status: cph.JobStatusFailed}
	api.jobs["new"] = &cph.Job{RequestID: "r1", JobID: "new", PhoneID: phoneA, Status: cph.JobStatusRunning}
	in := map[string]Job{
		phoneA: {PhoneID: phoneA, JobID: "new", RequestID: "r1", Status: Running},
		phoneB: {PhoneID: phoneB, JobID: "gone", RequestID: "r9", Status: Running},
		phoneC: {PhoneID: phoneC, Status: Rejected},
	}
	out, err := (&Engine{API: api}).Refresh(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out[phoneA].Status != Succeeded || out[phoneB].Status != Running || out[phoneC].Status != Rejected {
		t.Fatalf("refresh = %+v", out)
	}
	if in[phoneA].Status != Running {
		t.Fatal("Refresh changed its input map")
	}
}
