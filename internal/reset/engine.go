package reset

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
)

// API is the part of the CPH client the engine uses; *cph.Client
// implements it and tests substitute scripted fakes.
type API interface {
	// BatchReset sends one batch-reset request, never twice once it may
	// have reached the service.
	BatchReset(ctx context.Context, req cph.BatchResetRequest) (*cph.BatchResetResponse, error)
	// ListJobsOf returns every job of the given requests; known[id], when
	// positive, is how many jobs request id has, which saves the extra page
	// a listing without a count needs.
	ListJobsOf(ctx context.Context, requestIDs []string, known map[string]int) ([]cph.Job, error)
	// ListPhones returns one page of phones.
	ListPhones(ctx context.Context, in cph.ListPhonesInput) (*cph.ListPhonesOutput, error)
	// ShowPhone returns one phone with its last applied property.
	ShowPhone(ctx context.Context, phoneID string) (*cph.Phone, error)
	// ListImages returns the phone images of one image type ("all", ...).
	ListImages(ctx context.Context, imageType string) ([]cph.Image, error)
}

// Defaults used when an Options field is zero.
const (
	DefaultBatchSize       = 100
	DefaultPollInterval    = 10 * time.Second
	DefaultMinPollInterval = 2 * time.Second
	DefaultConcurrency     = 4
)

// Options tune an Engine; zero values take the defaults.
type Options struct {
	// BatchSize is the most phones per batch-reset request.
	BatchSize int
	// PollInterval is the upper bound between two polls of the jobs; polling
	// starts at MinPollInterval (or PollInterval when smaller) and grows.
	// A job lasts seconds at least: a first poll sooner than two seconds
	// rarely finds one ended, and costs a call.
	PollInterval    time.Duration
	MinPollInterval time.Duration
	// Concurrency is the most API calls in flight at once: batch-reset
	// requests while submitting (each still sent once at most).
	Concurrency int
	// After is time.After and Now is time.Now; tests may replace them.
	After func(time.Duration) <-chan time.Time
	Now   func() time.Time
}

// Engine runs resets. It is immutable once built and safe to share between
// the resource, the action and concurrent calls.
type Engine struct {
	api  API
	opts Options
}

// New returns an engine over api.
func New(api API, opts Options) *Engine {
	if opts.BatchSize <= 0 {
		opts.BatchSize = DefaultBatchSize
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.MinPollInterval <= 0 {
		opts.MinPollInterval = DefaultMinPollInterval
	}
	opts.MinPollInterval = min(opts.MinPollInterval, opts.PollInterval)
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Engine{api: api, opts: opts}
}

// BatchSize is the most phones the engine sends per request.
func (e *Engine) BatchSize() int { return e.opts.BatchSize }

// Spec is one reset to perform: which phones, with what.
type Spec struct {
	ImageID      string
	FactoryReset bool
	// Phones to reset, each with its effective properties.
	Phones map[string]map[string]string
}

// SpecFor builds the reset of the given phones of in.
func SpecFor(in Inputs, phones []string) Spec {
	p := Spec{ImageID: in.ImageID, FactoryReset: in.FactoryReset, Phones: make(map[string]map[string]string, len(phones))}
	for _, id := range phones {
		p.Phones[id] = in.EffectiveProperties(id)
	}
	return p
}

// RunOptions say how Run behaves.
type RunOptions struct {
	// Wait polls the jobs until every one has ended (or ctx ends).
	Wait bool
	// Progress, when set, is told what happens, in order.
	Progress func(Event)
}

// EventKind names a progress event.
type EventKind int

const (
	// EventStarted: Phones phones are about to be sent in Batches requests.
	EventStarted EventKind = iota
	// EventBatchSent: request Batch (1-based) was answered: RequestID,
	// Accepted and Rejected phones. A failed request is reported by Run's
	// result, not by an event.
	EventBatchSent
	// EventPolled: after one poll of the jobs, Succeeded, Failed and Running
	// of the accepted phones.
	EventPolled
)

// Event is one step of a Run.
type Event struct {
	Kind                       EventKind
	Phones, Batches, Batch     int
	RequestID                  string
	Accepted, Rejected         int
	Succeeded, Failed, Running int
}

// Run sends the spec's phones in batches, then (when asked) waits for their
// jobs, and returns one record per phone. Records always say what really
// happened, also when an error is returned.
//
// The first request is sent alone; after it, up to Options.Concurrency
// requests are in flight at once. The first
// request that fails as a whole ends submission: no request is started
// after it, every phone not yet sent is NotSent, and requests already in
// flight are recorded as they are answered. Its own phones are Rejected (the service answered with
// an error), NotSent (the request provably never reached the service) or
// Unknown (it may have: no request is ever sent twice). Run then returns a
// *RequestError. A wait that ends with ctx returns a *WaitError.
func (e *Engine) Run(ctx context.Context, spec Spec, opts RunOptions) (map[string]Job, error) {
	jobs, err := e.submit(ctx, spec, opts.Progress)
	if err != nil || !opts.Wait {
		return jobs, err
	}
	return e.wait(ctx, jobs, opts.Progress)
}

// RequestError says a batch-reset request failed as a whole.
type RequestError struct {
	Status Status   // of the request's phones: Rejected, NotSent or Unknown
	Phones []string // the request's phones, sorted
	Err    error    // the *cph.APIError, *cph.UncertainError or transport error
}

func (e *RequestError) Error() string { return e.Err.Error() }
func (e *RequestError) Unwrap() error { return e.Err }

func (e *Engine) submit(ctx context.Context, p Spec, progress func(Event)) (map[string]Job, error) {
	ids := slices.Sorted(maps.Keys(p.Phones))
	jobs := make(map[string]Job, len(ids))
	size := e.opts.BatchSize
	batches := (len(ids) + size - 1) / size
	if progress != nil {
		progress(Event{Kind: EventStarted, Phones: len(ids), Batches: batches})
	}
	var factory *bool
	if p.FactoryReset {
		factory = &p.FactoryReset
	}

	// Up to Concurrency requests are in flight. mu guards jobs, firstErr
	// and progress (so the callback is never called concurrently); events of
	// different batches arrive in the order the service answers them.
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr *RequestError
		errBatch int
	)
	slots := make(chan struct{}, e.opts.Concurrency)
	send := func(n int, req cph.BatchResetRequest) {
		defer func() { <-slots; wg.Done() }()
		sentAt := e.opts.Now().UTC().Truncate(time.Second)
		resp, err := e.api.BatchReset(ctx, req)
		mu.Lock()
		defer mu.Unlock()
		if err != nil {
			reqErr := classify(err, req.Phones)
			recordFailure(jobs, req.Phones, err, reqErr, sentAt)
			if firstErr == nil || n < errBatch {
				firstErr, errBatch = reqErr, n
			}
			return
		}
		accepted, rejected := recordAnswer(jobs, req.Phones, resp, sentAt)
		if progress != nil {
			progress(Event{Kind: EventBatchSent, Batches: batches, Batch: n, RequestID: resp.RequestID,
				Accepted: accepted, Rejected: rejected})
		}
	}

	var stopAt []string // the phones never sent once submission stops
	var stopErr *RequestError
	for n, start := 1, 0; start < len(ids); n, start = n+1, start+size {
		batch := ids[start:min(start+size, len(ids))]
		req := cph.BatchResetRequest{ImageID: p.ImageID, Phones: make([]cph.ResetPhone, 0, len(batch))}
		mu.Lock()
		for _, id := range batch {
			prop, err := phoneprops.Encode(p.Phones[id])
			if err != nil { // validated at plan time; kept as a guard
				jobs[id] = Job{PhoneID: id, Status: NotSent, ErrorMsg: "not sent: " + err.Error()}
				continue
			}
			req.Phones = append(req.Phones, cph.ResetPhone{PhoneID: id, Property: prop, FactoryResetEnabled: factory})
		}
		mu.Unlock()
		if len(req.Phones) == 0 {
			continue
		}
		slots <- struct{}{} // wait for a free slot, then look again before sending
		mu.Lock()
		failed := firstErr != nil
		mu.Unlock()
		if failed || ctx.Err() != nil {
			<-slots
			stopAt = ids[start:]
			if !failed {
				stopErr = &RequestError{Status: NotSent, Phones: batch, Err: ctx.Err()}
			}
			break
		}
		wg.Add(1)
		go send(n, req)
		if n == 1 {
			// The first request goes alone: one refused for a reason every
			// request shares (credentials, image, batch size, the account)
			// is then refused once, and no other batch is in flight.
			wg.Wait()
		}
	}
	wg.Wait()
	if firstErr == nil && stopErr == nil {
		return jobs, nil
	}
	if firstErr == nil {
		firstErr = stopErr
	}
	return jobs, e.stop(jobs, stopAt, firstErr)
}

// recordFailure records the phones of a request that failed as a whole.
func recordFailure(jobs map[string]Job, sent []cph.ResetPhone, err error, reqErr *RequestError, sentAt time.Time) {
	for _, ph := range sent {
		j := Job{PhoneID: ph.PhoneID, Status: reqErr.Status, ErrorMsg: reqErr.Err.Error()}
		var apiErr *cph.APIError
		switch {
		case reqErr.Status == Unknown:
			j.SentAt = sentAt
		case errors.As(err, &apiErr):
			j.RequestID, j.ErrorCode, j.ErrorMsg = apiErr.RequestID, apiErr.Code, apiErr.Message
		}
		jobs[ph.PhoneID] = j
	}
}

// stop records the phones after a failed request as not sent.
func (e *Engine) stop(jobs map[string]Job, rest []string, err *RequestError) error {
	for _, id := range rest {
		if _, done := jobs[id]; !done {
			jobs[id] = Job{PhoneID: id, Status: NotSent, ErrorMsg: "not sent: an earlier batch-reset request failed"}
		}
	}
	return err
}

// classify decides what a failed request means for its phones.
func classify(err error, sent []cph.ResetPhone) *RequestError {
	ids := make([]string, len(sent))
	for i, ph := range sent {
		ids[i] = ph.PhoneID
	}
	var apiErr *cph.APIError
	switch {
	case cph.IsUncertain(err):
		return &RequestError{Status: Unknown, Phones: ids, Err: err}
	case cph.IsNotSent(err): // before *APIError: a refused IAM login wraps one
		return &RequestError{Status: NotSent, Phones: ids, Err: err}
	case errors.As(err, &apiErr):
		return &RequestError{Status: Rejected, Phones: ids, Err: err}
	default: // the client promises one of the three; anything else may have been sent
		return &RequestError{Status: Unknown, Phones: ids, Err: err}
	}
}

// recordAnswer checks every entry of a 200 answer: accepted or rejected.
func recordAnswer(jobs map[string]Job, sent []cph.ResetPhone, resp *cph.BatchResetResponse, sentAt time.Time) (accepted, rejected int) {
	inRequest := make(map[string]bool, len(sent))
	for _, ph := range sent {
		inRequest[ph.PhoneID] = true
	}
	for _, pj := range resp.Jobs {
		if !inRequest[pj.PhoneID] {
			continue // not ours: never let an answer touch another phone's record
		}
		j := Job{PhoneID: pj.PhoneID, JobID: pj.JobID, RequestID: resp.RequestID, Status: Running, SentAt: sentAt}
		if pj.JobID == "" || pj.ErrorCode != "" {
			j.JobID, j.Status, j.ErrorCode, j.ErrorMsg = "", Rejected, pj.ErrorCode, pj.ErrorMsg
		}
		jobs[pj.PhoneID] = j
	}
	for _, ph := range sent {
		if _, ok := jobs[ph.PhoneID]; !ok {
			jobs[ph.PhoneID] = Job{PhoneID: ph.PhoneID, RequestID: resp.RequestID, Status: Unknown, SentAt: sentAt,
				ErrorMsg: "the batch-reset answer has no entry for this phone"}
		}
	}
	for _, ph := range sent {
		if jobs[ph.PhoneID].Status == Running {
			accepted++
		} else {
			rejected++
		}
	}
	return accepted, rejected
}

// Refresh polls the running jobs once (by request ID, never one call per
// job) and returns the updated records. Jobs the listing no longer reports
// are kept as they were.
func (e *Engine) Refresh(ctx context.Context, jobs map[string]Job) (map[string]Job, error) {
	out := maps.Clone(jobs)
	running := map[string]Job{}
	for id, j := range jobs {
		if j.Status == Running && j.JobID != "" {
			running[id] = j
		}
	}
	if len(running) == 0 {
		return out, nil
	}
	// Every job a running request was answered with, finished or not, is on
	// its listing: that is its known count.
	known := map[string]int{}
	for _, j := range jobs {
		if j.JobID != "" && j.RequestID != "" {
			known[j.RequestID]++
		}
	}
	listed, err := e.api.ListJobsOf(ctx, RequestIDs(running), known)
	if err != nil {
		return out, err
	}
	if missing := unlisted(running, listed); len(missing) > 0 {
		// A request with more jobs than we know of may list ours past the
		// pages its count needed: ask again, following every full page.
		again, err := e.api.ListJobsOf(ctx, RequestIDs(missing), nil)
		if err != nil {
			return out, err
		}
		listed = append(listed, again...)
	}
	for _, lj := range listed {
		prev, ok := running[lj.PhoneID]
		if !ok || prev.JobID != lj.JobID {
			continue // an older or foreign job of the same request
		}
		nj := fromAPIJob(lj)
		nj.RequestID, nj.SentAt = prev.RequestID, prev.SentAt
		out[lj.PhoneID] = nj
	}
	return out, nil
}

// unlisted returns the running jobs listed does not report.
func unlisted(running map[string]Job, listed []cph.Job) map[string]Job {
	found := make(map[string]bool, len(listed))
	for _, lj := range listed {
		found[lj.JobID] = true
	}
	out := map[string]Job{}
	for id, j := range running {
		if !found[j.JobID] {
			out[id] = j
		}
	}
	return out
}

// wait polls until no job runs, or ctx ends. On a timeout or cancellation it
// returns the latest records and a *WaitError naming the phones still running.
//
// Each round first probes one request (the one sent last, whose jobs should
// end last): while it still has running jobs the others are not listed, so
// a round costs one or a few calls until the jobs are near their end, and
// one listing of every request still running after that.
func (e *Engine) wait(ctx context.Context, jobs map[string]Job, progress func(Event)) (map[string]Job, error) {
	interval := e.opts.MinPollInterval
	for {
		if countStatus(jobs, Running) == 0 {
			return jobs, nil
		}
		select {
		case <-ctx.Done():
			return jobs, &WaitError{Running: phonesIn(jobs, Running), Err: ctx.Err()}
		case <-e.opts.After(interval):
		}
		next, err := e.pollRound(ctx, jobs)
		jobs = next
		if err != nil {
			if ctx.Err() != nil {
				return jobs, &WaitError{Running: phonesIn(jobs, Running), Err: ctx.Err()}
			}
			return jobs, &WaitError{Running: phonesIn(jobs, Running), Err: fmt.Errorf("polling reset jobs: %w", err)}
		}
		if progress != nil {
			c := Counts(jobs)
			progress(Event{Kind: EventPolled, Succeeded: c[Succeeded], Failed: c[Failed], Running: c[Running]})
		}
		interval = min(interval*3/2, e.opts.PollInterval)
	}
}

// pollRound probes the last request with running jobs, and refreshes every
// other one only when the probe found all of its jobs ended.
func (e *Engine) pollRound(ctx context.Context, jobs map[string]Job) (map[string]Job, error) {
	probe := lastRunningRequest(jobs)
	if probe == "" {
		return e.Refresh(ctx, jobs)
	}
	of := map[string]Job{}
	for id, j := range jobs {
		if j.RequestID == probe {
			of[id] = j
		}
	}
	probed, err := e.Refresh(ctx, of)
	out := maps.Clone(jobs)
	maps.Copy(out, probed)
	if err != nil || countStatus(probed, Running) > 0 || countStatus(out, Running) == 0 {
		return out, err
	}
	return e.Refresh(ctx, out)
}

// lastRunningRequest is the request with running jobs sent last (by SentAt,
// then request ID), or "" when fewer than two requests have running jobs
// (then a probe would be the whole round).
func lastRunningRequest(jobs map[string]Job) string {
	var last Job
	requests := map[string]bool{}
	for _, j := range jobs {
		if j.Status != Running || j.JobID == "" || j.RequestID == "" {
			continue
		}
		requests[j.RequestID] = true
		if j.SentAt.After(last.SentAt) || (j.SentAt.Equal(last.SentAt) && j.RequestID > last.RequestID) {
			last = j
		}
	}
	if len(requests) < 2 {
		return ""
	}
	return last.RequestID
}

// WaitError says the wait ended before every job did. The jobs go on in the
// service; a later refresh records their outcome.
type WaitError struct {
	Running []string // phone IDs, sorted
	Err     error    // context.DeadlineExceeded, context.Canceled or a polling error
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("stopped waiting with %d reset job(s) still running: %v", len(e.Running), e.Err)
}

func (e *WaitError) Unwrap() error { return e.Err }

func countStatus(jobs map[string]Job, s Status) int {
	n := 0
	for _, j := range jobs {
		if j.Status == s {
			n++
		}
	}
	return n
}

func phonesIn(jobs map[string]Job, s Status) []string {
	var ids []string
	for id, j := range jobs {
		if j.Status == s {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Import rebuilds records from the jobs of batch-reset requests. When a
// phone has several jobs, the one listed last wins.
func (e *Engine) Import(ctx context.Context, requestIDs []string) (map[string]Job, error) {
	listed, err := e.api.ListJobsOf(ctx, requestIDs, nil)
	if err != nil {
		return nil, err
	}
	out := make(map[string]Job, len(listed))
	for _, j := range listed {
		if j.PhoneID != "" {
			out[j.PhoneID] = fromAPIJob(j)
		}
	}
	return out, nil
}
