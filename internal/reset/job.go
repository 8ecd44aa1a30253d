// Package reset is the reset-and-wait engine shared by the cph_phone_reset
// resource and (later) the reset action: it decides which phones a change
// resets, sends them in batches, records every job, and polls the jobs until
// they end. It knows nothing of Terraform; it talks to CPH through cph.API.
package reset

import (
	"slices"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// Status is a phone's outcome as the provider records it.
type Status string

const (
	// Running: the job was accepted and has not ended yet.
	Running Status = "running"
	// Succeeded: the job ended with status 2.
	Succeeded Status = "succeeded"
	// Failed: the job ended with status -1, or the request's outcome is unknown.
	Failed Status = "failed"
	// Rejected: the service refused the phone; no job was started.
	Rejected Status = "rejected"
)

// Statuses lists every Status, for validators and docs.
var Statuses = []Status{Running, Succeeded, Failed, Rejected}

// Job is the record of one phone's latest reset.
type Job struct {
	PhoneID   string
	JobID     string // empty when no job was started
	RequestID string // the batch-reset request that carried the phone
	Status    Status
	ErrorCode string
	ErrorMsg  string
}

// NeedsRetry reports whether the phone's last reset did not happen or did
// not succeed, so the next apply should reset it again.
func (j Job) NeedsRetry() bool {
	return j.Status == Failed || j.Status == Rejected
}

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

// FromAPIJobs rebuilds records from listed jobs (import). When a phone has
// several jobs, the one listed last wins.
func FromAPIJobs(jobs []cph.Job) map[string]Job {
	out := make(map[string]Job, len(jobs))
	for _, j := range jobs {
		if j.PhoneID == "" {
			continue
		}
		out[j.PhoneID] = fromAPIJob(j)
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
