package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// maxNamedPhones bounds how many phone IDs one diagnostic lists.
const maxNamedPhones = 5

// namePhones renders phone IDs for a message: "a, b and 3 more".
func namePhones(ids []string) string {
	if len(ids) <= maxNamedPhones {
		return strings.Join(ids, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(ids[:maxNamedPhones], ", "), len(ids)-maxNamedPhones)
}

func wasOrWere(n int) string {
	if n == 1 {
		return "was"
	}
	return "were"
}

func plural(n int, one, many string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, one)
	}
	return fmt.Sprintf("%d %s", n, many)
}

// applyReport is what one Create or Update did, turned into diagnostics:
// one diagnostic per cause (not per phone), each saying what the next apply
// will do.
type applyReport struct {
	create   bool // a create: Terraform taints it when errors are returned
	invoke   bool // an invocation of the action: no state keeps its jobs
	keep     bool // on_create_failure = "keep": a create reports warnings only
	wait     bool // wait_for_completion
	jobs     map[string]reset.Job
	selected []string
	err      error  // from reset.Engine.Run
	timeout  string // e.g. "timeouts.create = 30m0s"
}

func (a applyReport) diagnostics() diag.Diagnostics {
	var diags diag.Diagnostics
	add := func(summary, detail string, phone string) {
		detail += "\n\n" + a.nextApply()
		keep := a.keep && !nothingApplied(a.jobs) // with no state to keep, a create must fail
		switch {
		case a.create && keep && phone != "":
			diags.AddAttributeWarning(phonePath(phone), summary, detail)
		case a.create && keep:
			diags.AddWarning(summary, detail)
		case phone != "":
			diags.AddAttributeError(phonePath(phone), summary, detail)
		default:
			diags.AddError(summary, detail)
		}
	}

	covered := map[string]bool{}
	var reqErr *reset.RequestError
	var waitErr *reset.WaitError
	switch {
	case errors.As(a.err, &reqErr):
		for _, id := range reqErr.Phones {
			covered[id] = true
		}
		var later []string
		for _, id := range a.selected {
			if j := a.jobs[id]; !covered[id] && j.Status == reset.NotSent {
				later = append(later, id)
				covered[id] = true
			}
		}
		summary, detail := a.requestErrorText(reqErr, later)
		add(summary, detail, "")
	case errors.As(a.err, &waitErr):
		summary, detail := a.waitErrorText(waitErr)
		add(summary, detail, "")
		for _, id := range waitErr.Running {
			covered[id] = true
		}
	case a.err != nil:
		add("Reset Phones", a.err.Error(), "")
	}

	// The remaining phones that did not succeed, grouped by cause.
	type cause struct {
		status    reset.Status
		code, msg string
	}
	groups := map[cause][]string{}
	var order []cause
	for _, id := range a.selected {
		j, ok := a.jobs[id]
		if !ok || covered[id] || j.Status == reset.Succeeded || j.Status == reset.Running {
			continue
		}
		c := cause{j.Status, j.ErrorCode, j.ErrorMsg}
		if _, seen := groups[c]; !seen {
			order = append(order, c)
		}
		groups[c] = append(groups[c], id)
	}
	for _, c := range order {
		ids := groups[c]
		var what, summary string
		switch c.status {
		case reset.Rejected:
			summary, what = "Phone Reset Rejected", "The service refused to reset"
		case reset.Unknown:
			summary, what = "Phone Reset Outcome Unknown", "The outcome is unknown for"
		case reset.NotSent:
			summary, what = "Phone Reset Not Sent", "No reset was sent for"
		default:
			summary, what = "Phone Reset Failed", "The reset job failed on"
		}
		reason := c.msg
		if c.code != "" {
			reason = c.code + ": " + c.msg
		}
		detail := fmt.Sprintf("%s %s: %s.", what, whichPhones(ids), strings.TrimSuffix(reason, "."))
		if refs := jobRefs(a.jobs, ids); refs != "" {
			detail += " " + refs
		}
		phone := ""
		if len(ids) == 1 {
			phone = ids[0]
		}
		add(summary, detail, phone)
	}
	return diags
}

// whichPhones names one phone, or counts several and names the first few.
func whichPhones(ids []string) string {
	if len(ids) == 1 {
		return "phone " + ids[0]
	}
	return fmt.Sprintf("%d phones (%s)", len(ids), namePhones(ids))
}

// jobRefs names the request and job IDs behind the phones (the first few).
func jobRefs(jobs map[string]reset.Job, ids []string) string {
	var refs []string
	for _, id := range ids[:min(len(ids), maxNamedPhones)] {
		j := jobs[id]
		var ref string
		switch {
		case j.JobID != "":
			ref = fmt.Sprintf("request %s, job %s", j.RequestID, j.JobID)
		case j.RequestID != "":
			ref = "request " + j.RequestID
		default:
			continue
		}
		if len(ids) > 1 {
			ref = id + ": " + ref
		}
		refs = append(refs, ref)
	}
	if len(refs) == 0 {
		return ""
	}
	return "(" + strings.Join(refs, "; ") + ")"
}

func (a applyReport) requestErrorText(e *reset.RequestError, later []string) (string, string) {
	var summary, detail string
	phones := plural(len(e.Phones), "phone", "phones")
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded):
		summary = "Reset Timed Out Before Sending"
		detail = fmt.Sprintf("%s ran out before every batch-reset request was sent: %s (%s) %s not sent.",
			a.timeout, phones, namePhones(e.Phones), wasOrWere(len(e.Phones)))
	case errors.Is(e.Err, context.Canceled):
		summary = "Reset Interrupted Before Sending"
		detail = fmt.Sprintf("The %s was interrupted before every batch-reset request was sent: %s (%s) %s not sent.",
			a.operation(), phones, namePhones(e.Phones), wasOrWere(len(e.Phones)))
	case e.Status == reset.Rejected:
		summary = "Batch Reset Refused"
		detail = fmt.Sprintf("The service refused a batch-reset request as a whole, so %s (%s) %s not reset: %v.",
			phones, namePhones(e.Phones), wasOrWere(len(e.Phones)), e.Err)
	case e.Status == reset.Unknown && a.invoke:
		summary = "Batch Reset Outcome Unknown"
		detail = fmt.Sprintf("A batch-reset request for %s (%s) may have reached the service, but no answer came back: %v. "+
			"Those phones may be resetting now. Invoking the action again would send them again: check each phone first "+
			"(its status and update_time, e.g. with the cph_phone data source).", phones, namePhones(e.Phones), e.Err)
	case e.Status == reset.Unknown:
		summary = "Batch Reset Outcome Unknown"
		detail = fmt.Sprintf("A batch-reset request for %s (%s) may have reached the service, but no answer came back: %v. "+
			"Those phones may be resetting now; they are recorded as \"unknown\" with the time the request was sent, "+
			"and are never reset again blindly: refreshes check each of them (status, update_time, image and properties) "+
			"and record what that shows.", phones, namePhones(e.Phones), e.Err)
	default:
		summary = "Batch Reset Not Sent"
		detail = fmt.Sprintf("A batch-reset request for %s (%s) could not be sent, so nothing was applied to them: %v.",
			phones, namePhones(e.Phones), e.Err)
	}
	if len(later) > 0 {
		detail += fmt.Sprintf(" Submission stopped there: %s after it (%s) %s not sent either.",
			plural(len(later), "phone", "phones"), namePhones(later), wasOrWere(len(later)))
	}
	return summary, detail
}

func (a applyReport) waitErrorText(e *reset.WaitError) (string, string) {
	jobs := plural(len(e.Running), "reset job", "reset jobs")
	rest := fmt.Sprintf(" The jobs go on in the service; their IDs are kept in state and refreshes record their outcome "+
		"(`terraform apply -refresh-only` saves it). Still running: %s.", namePhones(e.Running))
	if a.invoke {
		rest = fmt.Sprintf(" The jobs go on in the service; the action keeps no record of them, but the cph_jobs data source "+
			"shows their outcome (request_ids = [%s]). Still running: %s.", quotedList(reset.RequestIDs(a.jobs)), namePhones(e.Running))
	}
	switch {
	case errors.Is(e.Err, context.DeadlineExceeded):
		return "Reset Timed Out", fmt.Sprintf("%s ran out while %s were still running.", a.timeout, jobs) + rest
	case errors.Is(e.Err, context.Canceled):
		return "Reset Interrupted", fmt.Sprintf("The %s was interrupted while %s were still running.", a.operation(), jobs) + rest
	default:
		return "Polling Reset Jobs Failed", fmt.Sprintf("Waiting for the reset jobs failed with %s still running: %v.", jobs, e.Err) + rest
	}
}

// nextApply says truthfully what the next plain apply does.
func (a applyReport) nextApply() string {
	if a.invoke {
		return a.invokeAgain() // an action keeps no state: see phone_reset_action.go
	}
	unknown, running := 0, 0
	for _, j := range a.jobs {
		switch j.Status {
		case reset.Unknown:
			unknown++
		case reset.Running:
			running++
		}
	}
	if a.create && nothingApplied(a.jobs) {
		return fmt.Sprintf("No phone was reset, so nothing is saved in state: the next apply tries the same "+
			"create again and resets all %s.", plural(len(a.jobs), "phone", "phones"))
	}
	if a.create && !a.keep {
		return fmt.Sprintf("Because this create returned an error, Terraform marks the resource as tainted: the next plain "+
			"`terraform apply` replaces it and resets all %s again, whatever their outcome now (%s). "+
			"To reset only the phones that did not succeed, first run `terraform untaint cph_phone_reset.<name>`, "+
			"or set on_create_failure = \"keep\" (the pipeline recipe in the resource's documentation).",
			plural(len(a.jobs), "phone", "phones"), tally(a.jobs))
	}
	retry := 0
	for _, j := range a.jobs {
		if j.NeedsRetry() {
			retry++
		}
	}
	var parts []string
	if a.create {
		parts = append(parts, "The resource is saved, not tainted (on_create_failure = \"keep\"): this apply succeeds unless a "+
			"postcondition on self.incomplete_phones fails it.")
	}
	parts = append(parts, fmt.Sprintf("The next plain apply resets only the %s that failed, were rejected or were not sent; "+
		"its plan lists them.", plural(retry, "phone", "phones")))
	if running > 0 && a.wait {
		parts = append(parts, fmt.Sprintf("It does not reset the %s still running: the refresh before it records their outcome, "+
			"and only those that fail are reset again.", plural(running, "phone", "phones")))
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("It does not reset the %s whose outcome is unknown until the phone shows that the "+
			"reset did not happen (see \"unknown\" in the resource's documentation).", plural(unknown, "phone", "phones")))
	}
	return strings.Join(parts, " ")
}

// tally counts jobs by status in table order, e.g. "29 succeeded, 1 failed".
func tally(jobs map[string]reset.Job) string {
	counts := reset.Counts(jobs)
	var parts []string
	for _, st := range reset.Statuses {
		if n := counts[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, strings.ReplaceAll(string(st), "_", " ")))
		}
	}
	return strings.Join(parts, ", ")
}

// operation names what ran, for "The apply was interrupted".
func (a applyReport) operation() string {
	if a.invoke {
		return "invocation"
	}
	return "apply"
}

// timeoutSetting names the timeout in force, e.g. "timeouts.create (30m0s)".
func timeoutSetting(op string, d time.Duration, set bool) string {
	if set {
		return fmt.Sprintf("The %s timeout (timeouts.%s = %q)", op, op, d.String())
	}
	return fmt.Sprintf("The %s timeout (timeouts.%s, default %s)", op, op, d.String())
}
