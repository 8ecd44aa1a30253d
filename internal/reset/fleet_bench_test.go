package reset

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// BenchmarkResetFleet resets a whole fleet through the real client against
// the fake service (jobs take 100 ms) and reports the API calls per reset:
// they must grow with batches and pages, not with phones.
func BenchmarkResetFleet(b *testing.B) {
	for _, n := range []int{100, 1000} {
		b.Run(fmt.Sprintf("phones=%d", n), func(b *testing.B) {
			svc := fakecph.New(fakecph.Options{Seed: 1, Phones: n, AuthToken: "t", JobDuration: 100 * time.Millisecond})
			srv := httptest.NewServer(svc)
			defer srv.Close()
			ctx := context.Background()
			client, err := cph.New(ctx, cph.Config{Region: "cn-north-4", ProjectID: svc.ProjectID(), Endpoint: srv.URL,
				IAMEndpoint: srv.URL, Credentials: cph.TokenCredentials{Token: "t"}})
			if err != nil {
				b.Fatal(err)
			}
			phones := map[string]map[string]string{}
			for _, id := range svc.PhoneIDs() {
				phones[id] = map[string]string{"sys.prop.writewifissid": "bench"}
			}
			e := New(client, Options{BatchSize: 100, PollInterval: 50 * time.Millisecond, MinPollInterval: 50 * time.Millisecond})
			svc.ResetStats()
			for b.Loop() {
				jobs, err := e.Run(ctx, Spec{Phones: phones}, RunOptions{Wait: true})
				if err != nil || countStatus(jobs, Running) != 0 || len(jobs) != n {
					b.Fatalf("reset: %v, %d jobs, %d running", err, len(jobs), countStatus(jobs, Running))
				}
			}
			st := svc.Stats()
			b.ReportMetric(float64(st.CallCount(fakecph.RouteBatchReset))/float64(b.N), "batch-reset-calls/op")
			b.ReportMetric(float64(st.CallCount(fakecph.RouteListJobs))/float64(b.N), "list-jobs-calls/op")
			b.ReportMetric(float64(st.CallCount(fakecph.RouteShowJob))/float64(b.N), "show-job-calls/op")
		})
	}
}
