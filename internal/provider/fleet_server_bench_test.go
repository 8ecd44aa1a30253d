package provider

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-log/tfsdklog"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// These benchmarks drive the provider through the framework's protocol
// server, as the CLI does, so they include the framework's own passes over
// the whole plan or state (the cost that grows with the fleet lives there,
// not in the resource's methods). The context carries loggers at TRACE, as
// terraform-plugin-go sets them up under a CLI, writing to /dev/null: the
// framework's per-value logging is part of the cost a user pays.

var benchSizes = []int{1000, 10000}

// fleetServer is the provider's protocol server, configured against a fake
// CPH service holding n phones.
type fleetServer struct {
	svc *fakecph.Service
	url string
	srv tfprotov6.ProviderServer
	typ tftypes.Object // cph_phone_reset's value type
	ids []string
}

func newFleetServer(b *testing.B, ctx context.Context, n int, jobDuration time.Duration) *fleetServer {
	b.Helper()
	svc := fakecph.New(fakecph.Options{Seed: 1, Phones: n, AuthToken: testToken, JobDuration: jobDuration})
	hs := httptest.NewServer(svc)
	b.Cleanup(hs.Close)
	srv, err := providerserver.NewProtocol6WithError(New("bench")())()
	if err != nil {
		b.Fatal(err)
	}
	schemas, err := srv.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || len(schemas.Diagnostics) > 0 {
		b.Fatal(err, schemas.Diagnostics)
	}
	ptyp := schemas.Provider.ValueType().(tftypes.Object)
	pvals := map[string]tftypes.Value{}
	for name, at := range ptyp.AttributeTypes {
		pvals[name] = tftypes.NewValue(at, nil)
	}
	for name, v := range map[string]string{"endpoint": hs.URL, "iam_endpoint": hs.URL, "region": "cn-north-4",
		"project_id": svc.ProjectID(), "auth_token": testToken, "poll_interval": "2s"} {
		pvals[name] = tftypes.NewValue(tftypes.String, v)
	}
	pcfg, err := tfprotov6.NewDynamicValue(ptyp, tftypes.NewValue(ptyp, pvals))
	if err != nil {
		b.Fatal(err)
	}
	cresp, err := srv.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: &pcfg})
	if err != nil || hasErrors(cresp.Diagnostics) {
		b.Fatal(err, cresp.Diagnostics)
	}
	return &fleetServer{svc: svc, url: hs.URL, srv: srv, ids: svc.PhoneIDs(),
		typ: schemas.ResourceSchemas["cph_phone_reset"].ValueType().(tftypes.Object)}
}

// benchContext is a context with the loggers terraform-plugin-go gives every
// RPC under a CLI: the SDK root logger at TRACE (the CLI filters, not the
// provider), here writing JSON to /dev/null.
func benchContext(b *testing.B) context.Context {
	b.Setenv("TF_LOG", "TRACE")
	b.Setenv("TF_LOG_PATH", os.DevNull)
	ctx := tfsdklog.ContextWithTestLogging(context.Background(), b.Name())
	ctx = tfsdklog.NewRootSDKLogger(ctx)
	return tfsdklog.NewRootProviderLogger(ctx)
}

// benchSentAt is when every recorded batch was sent.
const benchSentAt = "2026-12-01T00:00:00Z"

// jobEntry is one phone's recorded job.
type jobEntry struct{ jobID, requestID, status string }

// value builds a cph_phone_reset value: every phone with no properties of
// its own except changed (when not ""), which gets its own Wi-Fi name; with
// jobs (a prior state or a proposal from one) when jobs is not nil.
func (f *fleetServer) value(changed string, jobs map[string]jobEntry, requestIDs []string) tftypes.Value {
	propsType := tftypes.Map{ElementType: tftypes.String}
	jobType := f.typ.AttributeTypes["jobs"].(tftypes.Map).ElementType
	phones := make(map[string]tftypes.Value, len(f.ids))
	for _, id := range f.ids {
		props := map[string]tftypes.Value{}
		if id == changed {
			props["sys.prop.writewifissid"] = tftypes.NewValue(tftypes.String, "bench-changed")
		}
		phones[id] = tftypes.NewValue(propsType, props)
	}
	vals := map[string]tftypes.Value{}
	for name, at := range f.typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["phones"] = tftypes.NewValue(f.typ.AttributeTypes["phones"], phones)
	vals["properties"] = tftypes.NewValue(propsType, map[string]tftypes.Value{"sys.prop.writewifissid": tftypes.NewValue(tftypes.String, "bench")})
	if jobs != nil {
		elems := make(map[string]tftypes.Value, len(jobs))
		for id, j := range jobs {
			// Every attribute of a job null, then the ones a reset records.
			jv := map[string]tftypes.Value{}
			for name, at := range jobType.(tftypes.Object).AttributeTypes {
				jv[name] = tftypes.NewValue(at, nil)
			}
			for name, v := range map[string]string{"job_id": j.jobID, "request_id": j.requestID, "status": j.status, "sent_at": benchSentAt} {
				if _, ok := jv[name]; ok {
					jv[name] = tftypes.NewValue(tftypes.String, v)
				}
			}
			elems[id] = tftypes.NewValue(jobType, jv)
		}
		rids := make([]tftypes.Value, len(requestIDs))
		for i, r := range requestIDs {
			rids[i] = tftypes.NewValue(tftypes.String, r)
		}
		// What the first apply records besides the jobs (its defaults, and
		// no phone left to reset).
		vals["wait_for_completion"] = tftypes.NewValue(tftypes.Bool, true)
		if at, ok := f.typ.AttributeTypes["on_create_failure"]; ok {
			vals["on_create_failure"] = tftypes.NewValue(at, "taint")
		}
		if at, ok := f.typ.AttributeTypes["incomplete_phones"]; ok {
			var incomplete []tftypes.Value
			for _, id := range f.ids {
				if jobs[id].status != "succeeded" {
					incomplete = append(incomplete, tftypes.NewValue(tftypes.String, id))
				}
			}
			slices.SortFunc(incomplete, func(a, b tftypes.Value) int {
				var x, y string
				_, _ = a.As(&x), b.As(&y)
				return strings.Compare(x, y)
			})
			vals["incomplete_phones"] = tftypes.NewValue(at, incomplete)
		}
		vals["id"] = tftypes.NewValue(tftypes.String, requestIDs[0])
		vals["jobs"] = tftypes.NewValue(f.typ.AttributeTypes["jobs"], elems)
		vals["request_ids"] = tftypes.NewValue(f.typ.AttributeTypes["request_ids"], rids)
	}
	return tftypes.NewValue(f.typ, vals)
}

func (f *fleetServer) dynamic(b *testing.B, v tftypes.Value) *tfprotov6.DynamicValue {
	b.Helper()
	dv, err := tfprotov6.NewDynamicValue(f.typ, v)
	if err != nil {
		b.Fatal(err)
	}
	return &dv
}

// finishedJobs is a recorded job per phone, every one succeeded, 100 phones
// per request as the default batch size makes them.
func (f *fleetServer) finishedJobs() (map[string]jobEntry, []string) {
	jobs := make(map[string]jobEntry, len(f.ids))
	var rids []string
	for i, id := range f.ids {
		rid := fmt.Sprintf("%032x", i/100+1)
		if i%100 == 0 {
			rids = append(rids, rid)
		}
		jobs[id] = jobEntry{jobID: fmt.Sprintf("%032x", 1_000_000+i), requestID: rid, status: "succeeded"}
	}
	return jobs, rids
}

// runningJobs resets every phone on the fake (whose jobs then run for as
// long as the fake was told) and returns the jobs as an apply that did not
// wait would record them.
func (f *fleetServer) runningJobs(b *testing.B, ctx context.Context) (map[string]jobEntry, []string) {
	b.Helper()
	client, err := cph.New(ctx, cph.Config{Region: "cn-north-4", ProjectID: f.svc.ProjectID(), Endpoint: f.url,
		IAMEndpoint: f.url, Credentials: cph.TokenCredentials{Token: testToken}})
	if err != nil {
		b.Fatal(err)
	}
	jobs := make(map[string]jobEntry, len(f.ids))
	var rids []string
	for start := 0; start < len(f.ids); start += 100 {
		var batch []cph.ResetPhone
		for _, id := range f.ids[start:min(start+100, len(f.ids))] {
			batch = append(batch, cph.ResetPhone{PhoneID: id})
		}
		resp, err := client.BatchReset(ctx, cph.BatchResetRequest{Phones: batch})
		if err != nil {
			b.Fatal(err)
		}
		rids = append(rids, resp.RequestID)
		for _, j := range resp.Jobs {
			if j.JobID == "" {
				b.Fatalf("phone %s: reset refused: %s %s", j.PhoneID, j.ErrorCode, j.ErrorMsg)
			}
			jobs[j.PhoneID] = jobEntry{jobID: j.JobID, requestID: resp.RequestID, status: "running"}
		}
	}
	return jobs, rids
}

// BenchmarkServerPlanFleet is PlanResourceChange (with ValidateResourceConfig
// before it, as the CLI sends) of one resource holding the whole fleet:
// creating it (no prior state: every phone is checked against a listing of
// the project), with nothing to change, and with one phone's properties
// changed.
func BenchmarkServerPlanFleet(b *testing.B) {
	for _, n := range benchSizes {
		for _, tc := range []string{"create", "noop", "one-phone"} {
			b.Run(fmt.Sprintf("%s/phones=%d", tc, n), func(b *testing.B) {
				ctx := benchContext(b)
				f := newFleetServer(b, ctx, n, 0)
				jobs, rids := f.finishedJobs()
				changed := ""
				if tc == "one-phone" {
					changed = f.ids[0]
				}
				config := f.dynamic(b, f.value(changed, nil, nil))
				priorValue := tftypes.NewValue(f.typ, nil)
				proposed := config
				if tc != "create" {
					priorValue = f.value("", jobs, rids)
					proposed = f.dynamic(b, f.value(changed, jobs, rids))
				}
				prior := f.dynamic(b, priorValue)
				plan := func() *tfprotov6.PlanResourceChangeResponse {
					vresp, err := f.srv.ValidateResourceConfig(ctx, &tfprotov6.ValidateResourceConfigRequest{TypeName: "cph_phone_reset", Config: config})
					if err != nil || hasErrors(vresp.Diagnostics) {
						b.Fatal(err, vresp.Diagnostics)
					}
					presp, err := f.srv.PlanResourceChange(ctx, &tfprotov6.PlanResourceChangeRequest{TypeName: "cph_phone_reset",
						PriorState: prior, ProposedNewState: proposed, Config: config})
					if err != nil || hasErrors(presp.Diagnostics) {
						b.Fatal(err, presp.Diagnostics)
					}
					return presp
				}
				if tc == "noop" { // once, outside the timing: it must be a no-op
					planned, err := plan().PlannedState.Unmarshal(f.typ)
					if err != nil {
						b.Fatal(err)
					}
					if diffs, _ := planned.Diff(priorValue); len(diffs) > 0 {
						b.Fatalf("a plan with nothing to change differs from the prior state at %d values, e.g. %s", len(diffs), diffs[0].Path)
					}
				}
				b.ReportAllocs()
				for b.Loop() {
					plan()
				}
			})
		}
	}
}

// BenchmarkServerReadFleet is ReadResource (a refresh) of the whole fleet:
// with every job finished (no API call), and with every job still running
// (one poll of all of them, by request ID, against the fake).
func BenchmarkServerReadFleet(b *testing.B) {
	for _, n := range benchSizes {
		for _, tc := range []string{"finished", "running"} {
			b.Run(fmt.Sprintf("%s/phones=%d", tc, n), func(b *testing.B) {
				ctx := benchContext(b)
				f := newFleetServer(b, ctx, n, time.Hour)
				jobs, rids := f.finishedJobs()
				if tc == "running" {
					jobs, rids = f.runningJobs(b, ctx)
				}
				state := f.dynamic(b, f.value("", jobs, rids))
				f.svc.ResetStats()
				b.ReportAllocs()
				for b.Loop() {
					resp, err := f.srv.ReadResource(ctx, &tfprotov6.ReadResourceRequest{TypeName: "cph_phone_reset", CurrentState: state})
					if err != nil || hasErrors(resp.Diagnostics) {
						b.Fatal(err, resp.Diagnostics)
					}
				}
				b.ReportMetric(float64(f.svc.Stats().CallCount(fakecph.RouteListJobs))/float64(b.N), "list-jobs-calls/op")
			})
		}
	}
}
