package reset

import (
	"testing"
	"time"
)

func TestJobEqual(t *testing.T) {
	t.Parallel()
	sent := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	base := Job{PhoneID: "p", JobID: "j", RequestID: "r", Status: Running, SentAt: sent}
	if !base.Equal(base) {
		t.Error("a job differs from itself")
	}
	// Read compares the refreshed jobs with the ones parsed from state: the
	// same instant in another location is the same record.
	sameInstant := base
	sameInstant.SentAt = sent.In(time.FixedZone("UTC+8", 8*3600))
	if !base.Equal(sameInstant) {
		t.Error("the same SentAt in another location compares unequal")
	}
	for name, change := range map[string]func(*Job){
		"phone":      func(j *Job) { j.PhoneID = "q" },
		"job":        func(j *Job) { j.JobID = "k" },
		"request":    func(j *Job) { j.RequestID = "s" },
		"status":     func(j *Job) { j.Status = Succeeded },
		"error code": func(j *Job) { j.ErrorCode = "CPS.0022" },
		"error msg":  func(j *Job) { j.ErrorMsg = "busy" },
		"sent at":    func(j *Job) { j.SentAt = sent.Add(time.Second) },
	} {
		other := base
		change(&other)
		if base.Equal(other) {
			t.Errorf("a job with another %s compares equal", name)
		}
	}
}
