package reset

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

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
	phones     []cph.Phone // listed in this order
	phoneCalls []string    // "list <offset>", "show <id>" or "images <type>"
	images     []cph.Image
}

func newFakeAPI() *fakeAPI {
	f := &fakeAPI{jobs: map[string]*cph.Job{}, ticks: map[string]int{}, ticksToEnd: 2, failPhones: map[string]bool{}}
	f.answer = func(n int, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		// Named after the batch's first phone, so that a request's ID does not
		// depend on the order concurrent requests arrive in.
		resp := &cph.BatchResetResponse{RequestID: "req-" + strings.TrimLeft(req.Phones[0].PhoneID, "0")}
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

func (f *fakeAPI) ListJobsOf(_ context.Context, ids []string, _ map[string]int) ([]cph.Job, error) {
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

func (f *fakeAPI) ListPhones(_ context.Context, in cph.ListPhonesInput) (*cph.ListPhonesOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phoneCalls = append(f.phoneCalls, fmt.Sprintf("list %d", in.Offset))
	out := &cph.ListPhonesOutput{Count: len(f.phones)}
	for i := in.Offset; i < min(in.Offset+in.Limit, len(f.phones)); i++ {
		out.Phones = append(out.Phones, f.phones[i])
	}
	return out, nil
}

func (f *fakeAPI) ListImages(_ context.Context, imageType string) ([]cph.Image, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phoneCalls = append(f.phoneCalls, "images "+imageType)
	return f.images, nil
}

func (f *fakeAPI) ShowPhone(_ context.Context, id string) (*cph.Phone, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phoneCalls = append(f.phoneCalls, "show "+id)
	for _, p := range f.phones {
		if p.PhoneID == id {
			return &p, nil
		}
	}
	return nil, &cph.APIError{HTTPStatus: 404, Code: "CPS.0005", Message: "phone not found"}
}

var testNow = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// engine builds an engine over api with instant polls and a fixed clock.
func engine(api API, batch int) *Engine {
	return New(api, Options{BatchSize: batch, After: immediate, Now: func() time.Time { return testNow }})
}

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

func TestRunBatchesAndEncodes(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	p := Spec{ImageID: "img", FactoryReset: true, Phones: phones(5)}
	p.Phones[fmt.Sprintf("%032x", 0)] = map[string]string{"b": "2", "a": "1"}
	var events []Event
	jobs, err := engine(api, 2).Run(context.Background(), p, RunOptions{Progress: func(ev Event) { events = append(events, ev) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(api.requests) != 3 {
		t.Fatalf("sent %d requests, want 3 batches of at most 2", len(api.requests))
	}
	slices.SortFunc(api.requests, func(a, b cph.BatchResetRequest) int { return strings.Compare(a.Phones[0].PhoneID, b.Phones[0].PhoneID) })
	first := api.requests[0]
	if first.ImageID != "img" || first.Phones[0].Property != `{"a":"1","b":"2"}` || first.Phones[1].Property != "" ||
		first.Phones[0].FactoryResetEnabled == nil || !*first.Phones[0].FactoryResetEnabled {
		t.Fatalf("first request = %+v", first)
	}
	if len(jobs) != 5 {
		t.Fatalf("got %d jobs, want 5", len(jobs))
	}
	for id, j := range jobs {
		if j.Status != Running || j.JobID != "job-"+id || j.RequestID == "" || !j.SentAt.Equal(testNow) {
			t.Fatalf("job %s = %+v", id, j)
		}
	}
	// Requests are sent concurrently: the started event comes first, then one
	// per batch in the order they are answered, each with its own number.
	want := []Event{
		{Kind: EventStarted, Phones: 5, Batches: 3},
		{Kind: EventBatchSent, Batches: 3, Batch: 1, RequestID: "req-", Accepted: 2},
		{Kind: EventBatchSent, Batches: 3, Batch: 2, RequestID: "req-2", Accepted: 2},
		{Kind: EventBatchSent, Batches: 3, Batch: 3, RequestID: "req-4", Accepted: 1},
	}
	slices.SortStableFunc(events, func(a, b Event) int { return cmp.Compare(a.Batch, b.Batch) })
	if diff := gocmp.Diff(want, events); diff != "" {
		t.Fatalf("events (-want +got):\n%s", diff)
	}
}

func TestRunRecordsRejectionsAndMissingEntries(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.answer = func(int, cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
		return &cph.BatchResetResponse{RequestID: "r1", Jobs: []cph.PhoneJob{
			{PhoneID: phoneA, JobID: "j1"},
			{PhoneID: phoneB, ErrorCode: "CPS.0005", ErrorMsg: "phone not found"},
			{PhoneID: "someone-else", JobID: "j9"},
		}}, nil
	}
	p := Spec{Phones: map[string]map[string]string{phoneA: nil, phoneB: nil, phoneC: nil}}
	jobs, err := engine(api, 0).Run(context.Background(), p, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Job{
		phoneA: {PhoneID: phoneA, JobID: "j1", RequestID: "r1", Status: Running, SentAt: testNow},
		phoneB: {PhoneID: phoneB, RequestID: "r1", Status: Rejected, ErrorCode: "CPS.0005", ErrorMsg: "phone not found", SentAt: testNow},
		phoneC: {PhoneID: phoneC, RequestID: "r1", Status: Unknown, SentAt: testNow,
			ErrorMsg: "the batch-reset answer has no entry for this phone"},
	}
	if diff := gocmp.Diff(want, jobs); diff != "" {
		t.Fatalf("jobs mismatch (-want +got):\n%s", diff)
	}
}

// A failed request ends submission; what its phones and the later ones are
// recorded as depends on whether the request may have been applied.
func TestRunStopsAtTheFirstFailedRequest(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		err    error
		status Status
		code   string
	}{
		"refused as a whole": {&cph.APIError{HTTPStatus: 401, Code: "APIG.0301", Message: "bad token", RequestID: "bad"}, Rejected, "APIG.0301"},
		"never sent":         {&cph.NotSentError{Method: "POST", Path: "/x", Err: errors.New("dial tcp: connection refused")}, NotSent, ""},
		"outcome unknown":    {&cph.UncertainError{Method: "POST", Path: "/x", Err: errors.New("connection reset")}, Unknown, ""},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI()
			ok := api.answer
			api.answer = func(n int, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
				if n == 2 {
					return nil, tc.err
				}
				return ok(n, req)
			}
			// One request at a time: the failure is known before the next
			// would start (TestRunConcurrentStopsStartingAfterAFailure covers
			// requests in flight).
			e := New(api, Options{BatchSize: 2, Concurrency: 1, After: immediate, Now: func() time.Time { return testNow }})
			jobs, err := e.Run(context.Background(), Spec{Phones: phones(6)}, RunOptions{Wait: true})
			var reqErr *RequestError
			if !errors.As(err, &reqErr) || reqErr.Status != tc.status || len(reqErr.Phones) != 2 {
				t.Fatalf("err = %#v, want a RequestError for 2 %s phones", err, tc.status)
			}
			if len(api.requests) != 2 {
				t.Fatalf("sent %d requests, want 2: never one after a failed request", len(api.requests))
			}
			if j := jobs[fmt.Sprintf("%032x", 0)]; j.Status != Running {
				t.Fatalf("first batch phone = %+v, want running (not waited for after a failure)", j)
			}
			j := jobs[fmt.Sprintf("%032x", 2)]
			if j.Status != tc.status || j.ErrorCode != tc.code || (tc.status == Unknown) != !j.SentAt.IsZero() {
				t.Fatalf("failed batch phone = %+v", j)
			}
			if j := jobs[fmt.Sprintf("%032x", 5)]; j.Status != NotSent || !strings.Contains(j.ErrorMsg, "not sent") {
				t.Fatalf("later phone = %+v", j)
			}
		})
	}
}

func TestRunCancelledBeforeSendingSendsNothing(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	jobs, err := engine(api, 2).Run(ctx, Spec{Phones: phones(3)}, RunOptions{})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Status != NotSent || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if len(api.requests) != 0 || Counts(jobs)[NotSent] != 3 {
		t.Fatalf("requests %d, jobs %+v", len(api.requests), jobs)
	}
}

func TestRunWaitsPollingByRequest(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.failPhones[fmt.Sprintf("%032x", 1)] = true
	var polls []Event
	progress := func(ev Event) {
		if ev.Kind == EventPolled {
			polls = append(polls, ev)
		}
	}
	jobs, err := engine(api, 2).Run(context.Background(), Spec{Phones: phones(5)}, RunOptions{Wait: true, Progress: progress})
	if err != nil {
		t.Fatal(err)
	}
	// Each round probes the last request still running (req-4, then req-2)
	// and lists the others only once the probe found its jobs ended; every
	// call names requests, never single jobs. The fake ends a job on its
	// second listing.
	wantCalls := [][]string{{"req-4"}, {"req-4"}, {"req-", "req-2"}, {"req-2"}, {"req-"}}
	if diff := gocmp.Diff(wantCalls, api.listCalls); diff != "" {
		t.Fatalf("list calls (-want +got):\n%s", diff)
	}
	failed := jobs[fmt.Sprintf("%032x", 1)]
	if failed.Status != Failed || failed.ErrorCode != "CPS.0003" || failed.RequestID != "req-" || !failed.SentAt.Equal(testNow) {
		t.Fatalf("failed job = %+v", failed)
	}
	if j := jobs[fmt.Sprintf("%032x", 4)]; j.Status != Succeeded {
		t.Fatalf("job = %+v", j)
	}
	want := []Event{{Kind: EventPolled, Running: 5}, {Kind: EventPolled, Succeeded: 1, Running: 4}, {Kind: EventPolled, Succeeded: 4, Failed: 1}}
	if diff := gocmp.Diff(want, polls); diff != "" {
		t.Fatalf("poll events (-want +got):\n%s", diff)
	}
}

func TestRunWaitStopsOnContextEnd(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.ticksToEnd = 1 << 30
	ctx, cancel := context.WithCancel(context.Background())
	e := New(api, Options{After: func(time.Duration) <-chan time.Time { cancel(); return make(chan time.Time) }})
	jobs, err := e.Run(ctx, Spec{Phones: phones(2)}, RunOptions{Wait: true})
	var werr *WaitError
	if !errors.As(err, &werr) || len(werr.Running) != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want WaitError naming 2 running phones", err)
	}
	if countStatus(jobs, Running) != 2 || jobs[fmt.Sprintf("%032x", 0)].JobID == "" {
		t.Fatalf("jobs = %+v, want both kept with their job IDs", jobs)
	}
}

func TestRefreshKeepsUnlistedAndIgnoresOtherJobs(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.ticksToEnd = 1
	api.jobs["old"] = &cph.Job{RequestID: "r1", JobID: "old", PhoneID: phoneA, Status: cph.JobStatusFailed}
	api.jobs["new"] = &cph.Job{RequestID: "r1", JobID: "new", PhoneID: phoneA, Status: cph.JobStatusRunning}
	in := map[string]Job{
		phoneA: {PhoneID: phoneA, JobID: "new", RequestID: "r1", Status: Running, SentAt: testNow},
		phoneB: {PhoneID: phoneB, JobID: "gone", RequestID: "r9", Status: Running},
		phoneC: {PhoneID: phoneC, Status: Rejected},
	}
	out, err := engine(api, 0).Refresh(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	if out[phoneA].Status != Succeeded || !out[phoneA].SentAt.Equal(testNow) || out[phoneB].Status != Running || out[phoneC].Status != Rejected {
		t.Fatalf("refresh = %+v", out)
	}
	if in[phoneA].Status != Running {
		t.Fatal("Refresh changed its input map")
	}
}

func TestImportRebuildsRecords(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.ticksToEnd = 1
	api.jobs["j1"] = &cph.Job{RequestID: "r1", JobID: "j1", PhoneID: phoneA, Status: cph.JobStatusRunning}
	api.jobs["j2"] = &cph.Job{RequestID: "r1", JobID: "j2", PhoneID: phoneB, Status: cph.JobStatusRunning}
	api.failPhones[phoneB] = true
	got, err := engine(api, 0).Import(context.Background(), []string{"r1"})
	if err != nil {
		t.Fatal(err)
	}
	if got[phoneA].Status != Succeeded || got[phoneB].Status != Failed || got[phoneB].ErrorCode != "CPS.0003" {
		t.Fatalf("import = %+v", got)
	}
}

// gatedAPI holds the answer to batch 2 until batch 3 has failed, so that
// the failure is known while batch 2 is still in flight. (Batch 1 is
// always sent alone.)
type gatedAPI struct {
	*fakeAPI
	failed chan struct{}
}

func (g gatedAPI) BatchReset(ctx context.Context, req cph.BatchResetRequest) (*cph.BatchResetResponse, error) {
	switch req.Phones[0].PhoneID {
	case fmt.Sprintf("%032x", 2):
		<-g.failed
	case fmt.Sprintf("%032x", 4):
		defer close(g.failed)
		return nil, &cph.UncertainError{Method: "POST", Path: "/x", Err: errors.New("connection reset")}
	}
	return g.fakeAPI.BatchReset(ctx, req)
}

// With requests in flight, a failure stops new requests from starting; the
// ones in flight finish and are recorded as they are answered.
func TestRunConcurrentStopsStartingAfterAFailure(t *testing.T) {
	t.Parallel()
	api := gatedAPI{fakeAPI: newFakeAPI(), failed: make(chan struct{})}
	var sent []Event
	progress := func(ev Event) {
		if ev.Kind == EventBatchSent {
			sent = append(sent, ev)
		}
	}
	e := New(api, Options{BatchSize: 2, Concurrency: 2, After: immediate, Now: func() time.Time { return testNow }})
	jobs, err := e.Run(context.Background(), Spec{Phones: phones(8)}, RunOptions{Wait: true, Progress: progress})
	var reqErr *RequestError
	if !errors.As(err, &reqErr) || reqErr.Status != Unknown || len(reqErr.Phones) != 2 || reqErr.Phones[0] != fmt.Sprintf("%032x", 4) {
		t.Fatalf("err = %#v, want the RequestError of batch 3", err)
	}
	if len(api.requests) != 2 {
		t.Fatalf("the fake answered %d requests, want 2 (batches 1 and 2; batch 3 failed, none started after)", len(api.requests))
	}
	want := []Event{
		{Kind: EventBatchSent, Batches: 4, Batch: 1, RequestID: "req-", Accepted: 2},
		{Kind: EventBatchSent, Batches: 4, Batch: 2, RequestID: "req-2", Accepted: 2},
	}
	if diff := gocmp.Diff(want, sent); diff != "" {
		t.Fatalf("batch events (-want +got):\n%s", diff)
	}
	statuses := map[int]Status{0: Running, 1: Running, 2: Running, 3: Running, 4: Unknown, 5: Unknown, 6: NotSent, 7: NotSent}
	for i, st := range statuses {
		if j := jobs[fmt.Sprintf("%032x", i)]; j.Status != st {
			t.Fatalf("phone %d = %+v, want %s", i, j, st)
		}
	}
}
