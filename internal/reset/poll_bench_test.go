package reset

import (
	"context"
	"fmt"
	"testing"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// listedAPI answers every job listing with the same jobs, at no cost, so
// BenchmarkPollMerge measures only the engine's side of a poll.
type listedAPI struct {
	API
	jobs []cph.Job
}

func (a listedAPI) ListJobsOf(context.Context, []string, map[string]int) ([]cph.Job, error) {
	return a.jobs, nil
}

// BenchmarkPollMerge is one poll's merge of a whole fleet's listed jobs into
// the records (every job running, every one reported finished), 100 phones
// per request. It must stay linear in the fleet.
func BenchmarkPollMerge(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("phones=%d", n), func(b *testing.B) {
			jobs := make(map[string]Job, n)
			listed := make([]cph.Job, 0, n)
			for i := range n {
				phone, job, req := fmt.Sprintf("%032x", i), fmt.Sprintf("%032x", 1_000_000+i), fmt.Sprintf("%032x", i/100+1)
				jobs[phone] = Job{JobID: job, RequestID: req, Status: Running}
				listed = append(listed, cph.Job{RequestID: req, JobID: job, PhoneID: phone, Status: cph.JobStatusSucceeded})
			}
			e := New(listedAPI{jobs: listed}, Options{})
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				out, err := e.Refresh(ctx, jobs)
				if err != nil || countStatus(out, Running) != 0 {
					b.Fatalf("refresh: %v, %d still running", err, countStatus(out, Running))
				}
			}
		})
	}
}
