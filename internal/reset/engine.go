package reset

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
)

// Defaults used when an Engine field is zero.
const (
	DefaultBatchSize       = 100
	DefaultPollInterval    = 10 * time.Second
	DefaultMinPollInterval = time.Second
)

// Engine sends resets and waits for their jobs.
type Engine struct {
	API cph.API
	// BatchSize is the most phones per batch-reset request.
	BatchSize int
	// PollInterval is the upper bound between two polls of the jobs; polling
	// starts at MinPollInterval (or PollInterval when smaller) and grows.
	PollInterval    time.Duration
	MinPollInterval time.Duration
	// Progress, when set, is told how many jobs have ended after each poll.
	Progress func(done, total int)
	// After is time.After; tests may replace it.
	After func(time.Duration) <-chan time.Time
}

// Spec is one reset to perform: which phones, with what.
type Spec struct {
	ImageID      string
	FactoryReset bool
	// Phones to reset, each with its effective properties.
	Phones map[string]map[string]string
}

// SpecFor builds the reset of the selected phones of in.
func SpecFor(in Inputs, selected []string) Spec {
	p := Spec{ImageID: in.ImageID, FactoryReset: in.FactoryReset, Phones: make(map[string]map[string]string, len(selected))}
	for _, id := range selected {
		p.Phones[id] = in.EffectiveProperties(id)
	}
	return p
}

// Submit sends the spec's phones in batches and returns one record per phone:
// Running for accepted phones, Rejected for refused ones. A whole-request
// error rejects that batch's phones and the next batch is still sent (such an
// answer is definite). A request whose outcome is unknown, or a cancelled
// context, stops submission: that batch's phones are recorded as Failed with
// an explanation and the phones not sent as Rejected, and the error is
// returned; the request is never sent twice.
func (e *Engine) Submit(ctx context.Context, p Spec) (map[string]Job, error) {
	ids := make([]string, 0, len(p.Phones))
	for id := range p.Phones {
		ids = append(ids, id)
	}
	slices.Sort(ids)

	jobs := make(map[string]Job, len(ids))
	size := e.BatchSize
	if size <= 0 {
		size = DefaultBatchSize
	}
	var factory *bool
	if p.FactoryReset {
		factory = &p.FactoryReset
	}
	for start := 0; start < len(ids); start += size {
		batch := ids[start:min(start+size, len(ids))]
		req := cph.BatchResetRequest{ImageID: p.ImageID, Phones: make([]cph.ResetPhone, 0, len(batch))}
		for _, id := range batch {
			prop, err := phoneprops.Encode(p.Phones[id])
			if err != nil { // validated at plan time; kept as a guard
				jobs[id] = Job{PhoneID: id, Status: Rejected, ErrorMsg: "not sent: " + err.Error()}
				continue
			}
			req.Phones = append(req.Phones, cph.ResetPhone{PhoneID: id, Property: prop, FactoryResetEnabled: factory})
		}
		if len(req.Phones) == 0 {
			continue
		}
		resp, err := e.API.BatchReset(ctx, req)
		if err != nil {
			var apiErr *cph.APIError
			if errors.As(err, &apiErr) && !cph.IsUncertain(err) {
				for _, ph := range req.Phones {
					jobs[ph.PhoneID] = Job{PhoneID: ph.PhoneID, RequestID: apiErr.RequestID, Status: Rejected,
						ErrorCode: apiErr.Code, ErrorMsg: apiErr.Message}
				}
				continue
			}
			for _, ph := range req.Phones {
				jobs[ph.PhoneID] = Job{PhoneID: ph.PhoneID, Status: Failed, ErrorMsg: uncertainMessage(err)}
			}
			for _, id := range ids[start+len(batch):] {
				jobs[id] = Job{PhoneID: id, Status: Rejected, ErrorMsg: "not sent: an earlier batch-reset request failed"}
			}
			return jobs, err
		}
		recordAnswer(jobs, req.Phones, resp)
	}
	return jobs, nil
}

func uncertainMessage(err error) string {
	if cph.IsUncertain(err) {
		return "the batch-reset request may have reached the service but no answer came back, " +
			"so this phone may be resetting; check it before resetting it again (" + err.Error() + ")"
	}
	return "the batch-reset request was not completed: " + err.Error()
}

// recordAnswer checks every entry of a 200 answer: accepted or rejected.
func recordAnswer(jobs map[string]Job, sent []cph.ResetPhone, resp *cph.BatchResetResponse) {
	for _, pj := range resp.Jobs {
		j := Job{PhoneID: pj.PhoneID, JobID: pj.JobID, RequestID: resp.RequestID, Status: Running}
		if pj.JobID == "" || pj.ErrorCode != "" {
			j.JobID, j.Status, j.ErrorCode, j.ErrorMsg = "", Rejected, pj.ErrorCode, pj.ErrorMsg
		}
		jobs[pj.PhoneID] = j
	}
	for _, ph := range sent {
		if _, ok := jobs[ph.PhoneID]; !ok {
			jobs[ph.PhoneID] = Job{PhoneID: ph.PhoneID, RequestID: resp.RequestID, Status: Rejected,
				ErrorMsg: "the batch-reset answer has no entry for this phone"}
		}
	}
}

// Refresh polls the running jobs once (by request ID, never one call per
// job) and returns the updated records. Jobs the listing no longer reports
// are kept as they were.
func (e *Engine) Refresh(ctx context.Context, jobs map[string]Job) (map[string]Job, error) {
	running := map[string]Job{}
	for id, j := range jobs {
		if j.Status == Running && j.JobID != "" {
			running[id] = j
		}
	}
	out := make(map[string]Job, len(jobs))
	for id, j := range jobs {
		out[id] = j
	}
	if len(running) == 0 {
		return out, nil
	}
	listed, err := e.API.ListJobsByRequest(ctx, RequestIDs(running))
	if err != nil {
		return out, err
	}
	for _, lj := range listed {
		prev, ok := out[lj.PhoneID]
		if !ok || prev.JobID != lj.JobID {
			continue // an older or foreign job of the same request
		}
		nj := fromAPIJob(lj)
		nj.RequestID = prev.RequestID
		out[lj.PhoneID] = nj
	}
	return out, nil
}

// Wait polls until no job runs, or ctx ends. On a timeout or cancellation it
// returns the latest records and a *WaitError naming the phones still running.
func (e *Engine) Wait(ctx context.Context, jobs map[string]Job) (map[string]Job, error) {
	maxInterval := e.PollInterval
	if maxInterval <= 0 {
		maxInterval = DefaultPollInterval
	}
	interval := e.MinPollInterval
	if interval <= 0 {
		interval = DefaultMinPollInterval
	}
	interval = min(interval, maxInterval)
	after := e.After
	if after == nil {
		after = time.After
	}
	for {
		if countRunning(jobs) == 0 {
			return jobs, nil
		}
		select {
		case <-ctx.Done():
			return jobs, &WaitError{Running: runningPhones(jobs), Err: ctx.Err()}
		case <-after(interval):
		}
		next, err := e.Refresh(ctx, jobs)
		jobs = next
		if err != nil {
			if ctx.Err() != nil {
				return jobs, &WaitError{Running: runningPhones(jobs), Err: ctx.Err()}
			}
			return jobs, fmt.Errorf("polling reset jobs: %w", err)
		}
		if e.Progress != nil {
			e.Progress(len(jobs)-countRunning(jobs), len(jobs))
		}
		interval = min(interval*3/2, maxInterval)
	}
}

// WaitError says the wait ended before every job did.
type WaitError struct {
	Running []string // phone IDs, sorted
	Err     error
}

func (e *WaitError) Error() string {
	return fmt.Sprintf("stopped waiting with %d reset job(s) still running (%v); the jobs go on in the service, "+
		"and the next refresh records their outcome", len(e.Running), e.Err)
}

func (e *WaitError) Unwrap() error { return e.Err }

func countRunning(jobs map[string]Job) int {
	n := 0
	for _, j := range jobs {
		if j.Status == Running {
			n++
		}
	}
	return n
}

func runningPhones(jobs map[string]Job) []string {
	var ids []string
	for id, j := range jobs {
		if j.Status == Running {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}
