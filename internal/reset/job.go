// Package reset is the reset-and-wait engine shared by the cph_phone_reset
// resource and the reset action: it decides which phones a change resets,
// sends them in batches, records every job, polls the jobs until they end,
// reconciles phones whose request's answer was lost, and checks at plan time
// that phones can be reset. It knows nothing of Terraform; it talks to CPH
// through the small API interface in engine.go.
package reset

import (
	"slices"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// Status is a phone's outcome as the provider records it. Each value means
// one thing; StatusTable documents them.
type Status string

const (
	// Running: the job was accepted and has not ended yet.
	Running Status = "running"
	// Succeeded: the job ended with status 2 (or, after a lost answer, the
	// phone shows that the reset happened).
	Succeeded Status = "succeeded"
	// Failed: the job ended with an error (status -1).
	Failed Status = "failed"
	// Rejected: the service answered and refused the phone (an entry with an
	// error code in a 200 answer, or a 4xx answer to the whole request).
	Rejected Status = "rejected"
	// NotSent: the phone was never sent: an earlier request failed
	// definitely, the connection could not be made, or the apply was
	// cancelled first.
	NotSent Status = "not_sent"
	// Unknown: the request may have reached the service but no answer came
	// back; the phone may be resetting. Reconcile decides later.
	Unknown Status = "unknown"
)

// StatusInfo documents one Status.
type StatusInfo struct {
	Status  Status
	Meaning string
	// NextApply says what the next apply does with a phone in this status
	// when its inputs are unchanged.
	NextApply string
}

// StatusTable is the one table of statuses: docs and validators read it.
var StatusTable = []StatusInfo{
	{Running, "The job was accepted and has not ended yet.",
		"Nothing; refreshes record the job's outcome."},
	{Succeeded, "The job ended successfully (or, after a lost answer, the phone shows that this reset happened: `job_id` is then null).",
		"Nothing."},
	{Failed, "The job ended with an error; `error_code` and `error_msg` say which.",
		"Resets the phone again."},
	{Rejected, "The service refused the phone; no job was started. `error_code` and `error_msg` give the service's reason.",
		"Resets the phone again."},
	{NotSent, "No reset was started: the phone was never sent (an earlier request failed definitely, the service could not be reached, or the apply was interrupted first), or a request whose answer was lost is shown not to have reset it.",
		"Resets the phone."},
	{Unknown, "The request may have reached the service, but no answer came back, so the phone may have been reset. `sent_at` records when it was sent.",
		"Checks the phone first: resets it only when the phone shows the reset did not happen; otherwise records it as succeeded, or, when the evidence is inconclusive, leaves it alone and says so."},
}

// Statuses lists every Status, in table order.
var Statuses = func() []Status {
	out := make([]Status, len(StatusTable))
	for i, s := range StatusTable {
		out[i] = s.Status
	}
	return out
}()

// Job is the record of one phone's latest reset.
type Job struct {
	PhoneID   string
	JobID     string // empty when no job is known
	RequestID string // the batch-reset request that carried the phone
	Status    Status
	ErrorCode string
	ErrorMsg  string
	// SentAt is when the phone's batch-reset request was sent (zero when it
	// was not sent, or for imported jobs). Reconcile needs it.
	SentAt time.Time
}

// Equal reports whether two records are the same (SentAt compared as an
// instant, not by its location).
func (j Job) Equal(o Job) bool {
	return j.PhoneID == o.PhoneID && j.JobID == o.JobID && j.RequestID == o.RequestID && j.Status == o.Status &&
		j.ErrorCode == o.ErrorCode && j.ErrorMsg == o.ErrorMsg && j.SentAt.Equal(o.SentAt)
}

// NeedsRetry reports whether the phone's last reset certainly did not happen
// or did not succeed, so the next apply resets it again. Unknown phones are
// not retried: Reconcile decides what they are first.
func (j Job) NeedsRetry() bool {
	return j.Status == Failed || j.Status == Rejected || j.Status == NotSent
}

// Complete reports whether the phone's latest reset has succeeded.
func (j Job) Complete() bool { return j.Status == Succeeded }

// fromAPIJob maps a job from the jobs API onto the provider's record.
func fromAPIJob(j cph.Job) Job {
	out := Job{PhoneID: j.PhoneID, JobID: j.JobID, RequestID: j.RequestID, ErrorCode: j.ErrorCode, ErrorMsg: j.ErrorMsg}
	switch j.Status {
	case cph.JobStatusSucceeded:
		out.Status = Succeeded
		out.ErrorCode, out.ErrorMsg = "", ""
	case cph.JobStatusFailed:
		out.Status = Failed
		if out.ErrorMsg == "" {
			out.ErrorMsg = j.ExecuteMsg
		}
	default:
		out.Status = Running
	}
	return out
}

// RequestIDs returns the distinct request IDs behind the jobs, sorted.
func RequestIDs(jobs map[string]Job) []string {
	seen := map[string]bool{}
	var ids []string
	for _, j := range jobs {
		if j.RequestID != "" && !seen[j.RequestID] {
			seen[j.RequestID] = true
			ids = append(ids, j.RequestID)
		}
	}
	slices.Sort(ids)
	return ids
}

// Incomplete returns, sorted, the phones whose latest reset has not
// succeeded.
func Incomplete(jobs map[string]Job) []string {
	var ids []string
	for id, j := range jobs {
		if !j.Complete() {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return ids
}

// Counts tallies jobs by status.
func Counts(jobs map[string]Job) map[Status]int {
	out := map[Status]int{}
	for _, j := range jobs {
		out[j.Status]++
	}
	return out
}
