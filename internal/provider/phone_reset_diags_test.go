package provider

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// A whole request refused for its credentials is one diagnostic for the
// whole fleet, however many phones and batches it concerned.
func TestApplyReportOneCauseOneError(t *testing.T) {
	t.Parallel()
	jobs := map[string]reset.Job{}
	var ids []string
	for i := range 30 {
		id := fmt.Sprintf("%032x", i)
		ids = append(ids, id)
		st := reset.NotSent
		if i < 10 {
			st = reset.Rejected
		}
		jobs[id] = reset.Job{PhoneID: id, Status: st, RequestID: "rq", ErrorCode: "APIG.0301", ErrorMsg: "Incorrect IAM authentication information"}
	}
	apiErr := &cph.APIError{Method: "POST", Path: "/batch-reset", HTTPStatus: 401, Code: "APIG.0301",
		Message: "Incorrect IAM authentication information", RequestID: "rq"}
	for name, tc := range map[string]struct {
		report   applyReport
		severity string
		next     string
	}{
		"update": {applyReport{}, "error", "The next plain apply resets only the 30 phones"},
		// Nothing was reset: no state is kept (nothing to taint), whatever the mode.
		"create":       {applyReport{create: true}, "error", "nothing is saved in state"},
		"create, keep": {applyReport{create: true, keep: true}, "error", "nothing is saved in state"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := tc.report
			a.jobs, a.selected = jobs, ids
			a.err = &reset.RequestError{Status: reset.Rejected, Phones: ids[:10], Err: apiErr}
			diags := a.diagnostics()
			if len(diags) != 1 {
				t.Fatalf("%d diagnostics, want 1: %v", len(diags), diags)
			}
			d := diags[0]
			if got := strings.ToLower(d.Severity().String()); got != tc.severity {
				t.Errorf("severity %s, want %s", got, tc.severity)
			}
			for _, want := range []string{"Batch Reset Refused", "10 phones", ids[0], "and 5 more", "APIG.0301", "request ID rq",
				"20 phones after it", tc.next} {
				if !strings.Contains(d.Summary()+" "+d.Detail(), want) {
					t.Errorf("diagnostic lacks %q:\n%s\n%s", want, d.Summary(), d.Detail())
				}
			}
		})
	}
}

// Per-phone failures are grouped by code and message.
func TestApplyReportGroupsPhoneFailures(t *testing.T) {
	t.Parallel()
	jobs := map[string]reset.Job{
		phoneID(1): {Status: reset.Failed, ErrorCode: "CPS.0003", ErrorMsg: "internal", RequestID: "r1", JobID: "j1"},
		phoneID(2): {Status: reset.Failed, ErrorCode: "CPS.0003", ErrorMsg: "internal", RequestID: "r1", JobID: "j2"},
		phoneID(3): {Status: reset.Rejected, ErrorCode: "CPS.0022", ErrorMsg: "busy", RequestID: "r1"},
		phoneID(4): {Status: reset.Succeeded},
	}
	a := applyReport{jobs: jobs, selected: []string{phoneID(1), phoneID(2), phoneID(3), phoneID(4)}}
	diags := a.diagnostics()
	if len(diags) != 2 {
		t.Fatalf("%d diagnostics, want 2 (one per cause): %v", len(diags), diags)
	}
	if d := diags[0].Detail(); !strings.Contains(d, "2 phones ("+phoneID(1)+", "+phoneID(2)+")") || !strings.Contains(d, "job j2") {
		t.Errorf("first group: %s", d)
	}
	if d := diags[1].Detail(); !strings.Contains(d, "phone "+phoneID(3)+": CPS.0022: busy") {
		t.Errorf("second group: %s", d)
	}
}

func phoneID(i int) string { return fmt.Sprintf("%032x", i) }
