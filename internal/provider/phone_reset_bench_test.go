package provider

import (
	"context"
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// fleetValue builds a cph_phone_reset object of n phones, each with one
// property; when withJobs, it also carries a succeeded job per phone (a
// prior state).
func fleetValue(ctx context.Context, s resource.SchemaResponse, n int, number string, withJobs bool) tftypes.Value {
	typ := s.Schema.Type().TerraformType(ctx).(tftypes.Object)
	propsType := tftypes.Map{ElementType: tftypes.String}
	jobType := typ.AttributeTypes["jobs"].(tftypes.Map).ElementType
	phones := map[string]tftypes.Value{}
	jobs := map[string]tftypes.Value{}
	for i := range n {
		id := fmt.Sprintf("%032x", i)
		phones[id] = tftypes.NewValue(propsType, map[string]tftypes.Value{
			"sys.prop.writephonenum": tftypes.NewValue(tftypes.String, number),
		})
		jobs[id] = tftypes.NewValue(jobType, map[string]tftypes.Value{
			"job_id": tftypes.NewValue(tftypes.String, fmt.Sprintf("%032x", i+1_000_000)), "request_id": tftypes.NewValue(tftypes.String, "r"),
			"status": tftypes.NewValue(tftypes.String, "succeeded"), "error_code": tftypes.NewValue(tftypes.String, nil),
			"error_msg": tftypes.NewValue(tftypes.String, nil), "sent_at": tftypes.NewValue(tftypes.String, nil),
		})
	}
	vals := map[string]tftypes.Value{}
	for name, at := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(at, nil)
	}
	vals["phones"] = tftypes.NewValue(typ.AttributeTypes["phones"], phones)
	vals["wait_for_completion"] = tftypes.NewValue(tftypes.Bool, true)
	if withJobs {
		vals["id"] = tftypes.NewValue(tftypes.String, "r")
		vals["jobs"] = tftypes.NewValue(typ.AttributeTypes["jobs"], jobs)
		vals["request_ids"] = tftypes.NewValue(typ.AttributeTypes["request_ids"], []tftypes.Value{tftypes.NewValue(tftypes.String, "r")})
	}
	return tftypes.NewValue(typ, vals)
}

// BenchmarkPlanFleet measures the provider's side of `plan` (ValidateConfig
// and ModifyPlan) for a fleet where one property changes on every phone, so
// every jobs entry is rewritten. Cost must stay linear in the fleet size.
func BenchmarkPlanFleet(b *testing.B) {
	for _, n := range []int{100, 1000, 5000} {
		b.Run(fmt.Sprintf("phones=%d", n), func(b *testing.B) {
			ctx := context.Background()
			r := &phoneResetResource{}
			var s resource.SchemaResponse
			r.Schema(ctx, resource.SchemaRequest{}, &s)
			prior := fleetValue(ctx, s, n, "13600000000", true)
			config := fleetValue(ctx, s, n, "13700000000", false)
			planned := fleetValue(ctx, s, n, "13700000000", true) // the framework's proposal keeps state values
			b.ReportAllocs()
			for b.Loop() {
				vresp := &resource.ValidateConfigResponse{}
				r.ValidateConfig(ctx, resource.ValidateConfigRequest{Config: tfsdk.Config{Schema: s.Schema, Raw: config}}, vresp)
				mresp := &resource.ModifyPlanResponse{Plan: tfsdk.Plan{Schema: s.Schema, Raw: planned}}
				r.ModifyPlan(ctx, resource.ModifyPlanRequest{
					Config: tfsdk.Config{Schema: s.Schema, Raw: config},
					State:  tfsdk.State{Schema: s.Schema, Raw: prior},
					Plan:   tfsdk.Plan{Schema: s.Schema, Raw: planned},
				}, mresp)
				if vresp.Diagnostics.HasError() || mresp.Diagnostics.HasError() {
					b.Fatal(vresp.Diagnostics, mresp.Diagnostics)
				}
			}
		})
	}
}
