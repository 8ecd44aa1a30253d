package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// Routes in the order the tables show them.
var routeColumns = []struct{ route, label string }{
	{fakecph.RouteBatchReset, "batch reset"},
	{fakecph.RouteListJobs, "list jobs"},
	{fakecph.RouteShowJob, "show job"},
	{fakecph.RouteListPhones, "list phones"},
	{fakecph.RouteShowPhone, "show phone"},
	{fakecph.RouteListImages, "list images"},
	{fakecph.RouteIAMTokens, "IAM tokens"},
	{fakecph.RouteIAMProjects, "IAM projects"},
}

func printReport(w io.Writer, c *config, results []*caseResult, took time.Duration) {
	var fleets []*caseResult
	var floor, perPhone *caseResult
	for _, r := range results {
		switch r.kind {
		case kindFleet:
			fleets = append(fleets, r)
		case kindFloor:
			floor = r
		case kindPerPhone:
			perPhone = r
		}
	}
	largest := fleets[len(fleets)-1]
	var tenth *caseResult // the fleet a tenth of the largest, for the growth ratio
	for _, r := range fleets {
		if r.phones*10 == largest.phones {
			tenth = r
		}
	}

	fmt.Fprintf(w, "CLI: %s (%s)  \n", c.label, c.cli)
	fmt.Fprintf(w, "Machine: %s  \n", machine())
	fmt.Fprintf(w, "Fake: jobs take %s, %s added per request; provider: poll_interval = %q, token sign-in, project_id set  \n",
		c.jobDuration, c.latency, c.pollInterval.String())
	fmt.Fprintf(w, "Whole run: %s\n\n", took.Round(time.Second))

	// Wall time.
	fmt.Fprintln(w, "Wall time of each CLI command (s):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| case | first plan | apply | no-op plan | one-phone plan |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|")
	row := func(name string, cell func(int) string) {
		cells := make([]string, numPhases)
		for i := range cells {
			cells[i] = cell(i)
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	secs := func(r *caseResult) func(int) string {
		return func(i int) string {
			if cell, ok := unmeasured(c, r.phases[i]); ok {
				return cell
			}
			return fmt.Sprintf("%.2f", r.phases[i].wall.Seconds())
		}
	}
	// pair is a ratio of two phases' figures, "–" unless both were measured.
	pair := func(a, b *caseResult, i int, f func(phaseResult) float64) string {
		if !a.phases[i].measured() || !b.phases[i].measured() {
			return "–"
		}
		return ratio(f(a.phases[i]), f(b.phases[i]))
	}
	wallOf := func(p phaseResult) float64 { return p.wall.Seconds() }
	for _, r := range fleets {
		row(r.name, secs(r))
	}
	if floor != nil {
		row(floor.name, secs(floor))
		if floor.phones == largest.phones {
			row(fmt.Sprintf("%s phones ÷ floor", thousands(largest.phones)), func(i int) string {
				return pair(largest, floor, i, wallOf)
			})
		}
	}
	if tenth != nil {
		row(fmt.Sprintf("%s ÷ %s phones", thousands(largest.phones), thousands(tenth.phones)), func(i int) string {
			return pair(largest, tenth, i, wallOf)
		})
	}
	if perPhone != nil {
		row(perPhone.name, secs(perPhone))
	}

	// API calls.
	fmt.Fprintln(w)
	fmt.Fprintln(w, "API calls (the fake's counters) per command; the apply's by kind, the time from its first to its last")
	fmt.Fprintln(w, "batch reset, its poll rounds, how long its last job query came after its last batch reset, and how")
	fmt.Fprintln(w, "long the CLI ran after the last API call:")
	fmt.Fprintln(w)
	header := "| case | first plan | apply | no-op plan | one-phone plan |"
	sep := "|---|--:|--:|--:|--:|"
	for _, rc := range routeColumns {
		header += " apply: " + rc.label + " |"
		sep += "--:|"
	}
	fmt.Fprintln(w, header+" batch resets first to last (s) | poll rounds | last poll after last reset (s) | CLI after last call (s) |")
	fmt.Fprintln(w, sep+"--:|--:|--:|--:|")
	callRow := func(name string, r *caseResult) {
		cells := []string{}
		for i := range numPhases {
			if cell, ok := unmeasured(c, r.phases[i]); ok {
				cells = append(cells, cell)
				continue
			}
			cells = append(cells, fmt.Sprint(r.phases[i].totalCalls()))
		}
		ap := r.phases[phaseApply]
		for _, rc := range routeColumns {
			cells = append(cells, fmt.Sprint(ap.calls.CallCount(rc.route)))
		}
		cells = append(cells, fmt.Sprintf("%.2f", ap.submitSpan.Seconds()), fmt.Sprint(ap.pollRounds),
			fmt.Sprintf("%.2f", ap.pollSpan.Seconds()), fmt.Sprintf("%.2f", ap.afterLast.Seconds()))
		if !ap.measured() {
			for j := numPhases; j < len(cells); j++ {
				cells[j] = "–"
			}
		}
		fmt.Fprintf(w, "| %s | %s |\n", name, strings.Join(cells, " | "))
	}
	for _, r := range fleets {
		callRow(r.name, r)
	}
	if tenth != nil {
		cells := []string{}
		for i := range numPhases {
			cells = append(cells, pair(largest, tenth, i, func(p phaseResult) float64 { return float64(p.totalCalls()) }))
		}
		la, ta := largest.phases[phaseApply], tenth.phases[phaseApply]
		for _, rc := range routeColumns {
			cells = append(cells, ratio(float64(la.calls.CallCount(rc.route)), float64(ta.calls.CallCount(rc.route))))
		}
		cells = append(cells, ratio(la.submitSpan.Seconds(), ta.submitSpan.Seconds()),
			ratio(float64(la.pollRounds), float64(ta.pollRounds)), ratio(la.pollSpan.Seconds(), ta.pollSpan.Seconds()),
			ratio(la.afterLast.Seconds(), ta.afterLast.Seconds()))
		fmt.Fprintf(w, "| %s ÷ %s phones | %s |\n", thousands(largest.phones), thousands(tenth.phones), strings.Join(cells, " | "))
	}
	if perPhone != nil {
		callRow(perPhone.name, perPhone)
	}

	// Provider processes.
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Provider processes per command: CPU (user + system, s, summed over every provider process the CLI")
	fmt.Fprintln(w, "started for it) / peak resident memory of the largest one (MB):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| case | first plan | apply | no-op plan | one-phone plan | peak of all (MB) |")
	fmt.Fprintln(w, "|---|--:|--:|--:|--:|--:|")
	provRow := func(name string, cell func(int) string, peak string) {
		cells := make([]string, numPhases)
		for i := range cells {
			cells[i] = cell(i)
		}
		fmt.Fprintf(w, "| %s | %s | %s |\n", name, strings.Join(cells, " | "), peak)
	}
	usageCells := func(r *caseResult) (func(int) string, string) {
		return func(i int) string {
			if cell, ok := unmeasured(c, r.phases[i]); ok {
				return cell
			}
			u := r.phases[i].usage
			return fmt.Sprintf("%.2f / %d", u.cpu.Seconds(), u.peakRSSKB/1024)
		}, fmt.Sprint(peakKB(r) / 1024)
	}
	for _, r := range fleets {
		cell, peak := usageCells(r)
		provRow(r.name, cell, peak)
	}
	if tenth != nil {
		provRow(fmt.Sprintf("%s ÷ %s phones", thousands(largest.phones), thousands(tenth.phones)), func(i int) string {
			return pair(largest, tenth, i, func(p phaseResult) float64 { return p.usage.cpu.Seconds() }) + " / " +
				pair(largest, tenth, i, func(p phaseResult) float64 { return float64(p.usage.peakRSSKB) })
		}, ratio(float64(peakKB(largest)), float64(peakKB(tenth))))
	}
	if perPhone != nil {
		cell, peak := usageCells(perPhone)
		provRow(perPhone.name, cell, peak)
	}

	printDesignGain(w, fleets, perPhone)
	printTargets(w, c, fleets, floor)
}

// unmeasured is the cell of a phase that has no figures.
func unmeasured(c *config, p phaseResult) (string, bool) {
	switch {
	case p.timedOut:
		return fmt.Sprintf("> %.0f (timed out)", c.commandTimeout.Seconds()), true
	case p.skipped:
		return "not run", true
	}
	return "", false
}

func peakKB(r *caseResult) int64 {
	var p int64
	for _, ph := range r.phases {
		p = max(p, ph.usage.peakRSSKB)
	}
	return p
}

func ratio(a, b float64) string {
	if b == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", a/b)
}

// printTargets compares the figures with issue 8's targets. It reports; it
// does not fail the run (benchmarks are not timed assertions).
func printTargets(w io.Writer, c *config, fleets []*caseResult, floor *caseResult) {
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Targets (issue 8):")
	fmt.Fprintln(w)
	check := func(ok bool, format string, args ...any) {
		mark := "MET   "
		if !ok {
			mark = "MISSED"
		}
		fmt.Fprintf(w, "- %s %s\n", mark, fmt.Sprintf(format, args...))
	}
	// unfinished reports a target whose figures are missing.
	unfinished := func(what string, ps ...phaseResult) bool {
		for _, p := range ps {
			if !p.measured() {
				check(false, "%s: did not finish within %s", what, c.commandTimeout)
				return true
			}
		}
		return false
	}
	for _, r := range fleets {
		ap := r.phases[phaseApply]
		switch r.phones {
		case 100:
			if !unfinished("100 phones: apply", ap) {
				check(ap.wall <= 4*time.Second && ap.totalCalls() <= 5, "100 phones: apply %.2f s (≤ 4.0 s), %d API calls (≤ 5; %s)",
					ap.wall.Seconds(), ap.totalCalls(), applyCallFloor(r.phones))
			}
		case 1000:
			if !unfinished("1,000 phones: apply", ap) {
				check(ap.wall <= 4500*time.Millisecond && ap.totalCalls() <= 30, "1,000 phones: apply %.2f s (≤ 4.5 s), %d API calls (≤ 30; %s)",
					ap.wall.Seconds(), ap.totalCalls(), applyCallFloor(r.phones))
			}
		}
	}
	largest := fleets[len(fleets)-1]
	if floor == nil || floor.phones != largest.phones {
		return
	}
	n := thousands(largest.phones)
	noop, fnoop := largest.phases[phaseNoopPlan], floor.phases[phaseNoopPlan]
	if !unfinished(n+" phones: no-op plan", noop, fnoop) {
		check(noop.wall.Seconds() <= 1.5*fnoop.wall.Seconds(), "%s phones: no-op plan %.2f s ≤ 1.5 × floor's %.2f s = %.2f s",
			n, noop.wall.Seconds(), fnoop.wall.Seconds(), 1.5*fnoop.wall.Seconds())
	}
	ap, fap := largest.phases[phaseApply], floor.phases[phaseApply]
	if !unfinished(n+" phones: apply", ap, fap) {
		limit := fap.wall + c.jobDuration*3/2
		check(ap.wall <= limit && ap.totalCalls() <= 250, "%s phones: apply %.2f s ≤ floor's %.2f s + 1.5 × %s = %.2f s, %d API calls (≤ 250; %s)",
			n, ap.wall.Seconds(), fap.wall.Seconds(), c.jobDuration, limit.Seconds(), ap.totalCalls(), applyCallFloor(largest.phones))
	}
	one := largest.phases[phaseOnePlan]
	if !unfinished(n+" phones: one-phone plan", one, fnoop) {
		check(one.wall.Seconds() <= 1.5*fnoop.wall.Seconds() && one.totalCalls() <= 2, "%s phones: one-phone plan %.2f s ≤ %.2f s, %d API calls (≤ 2)",
			n, one.wall.Seconds(), 1.5*fnoop.wall.Seconds(), one.totalCalls())
	}
	check(peakKB(largest) <= 200*1024, "%s phones: peak provider memory %d MB (≤ 200 MB)", n, peakKB(largest)/1024)
}

// applyCallFloor says the fewest API calls any apply of a fleet of n phones
// (the whole project, as here) could make, given the API's limits and
// Terraform's apply-time plan: every batch-reset request (reset's default
// batch size), one list-jobs page per 100 jobs once they have ended, and the
// plan-time check twice, because Terraform plans the resource again during
// apply with the same request as the plan (BENCHMARKS.md): one listing of
// the project, 200 phones a page, each time. It holds for any poll schedule
// that learns of the jobs' end at all.
func applyCallFloor(n int) string {
	ceil := func(a, b int) int { return (a + b - 1) / b }
	resets, jobPages, phonePages := ceil(n, reset.DefaultBatchSize), ceil(n, cph.JobsPageSize), ceil(n, cph.PhonesPageSize)
	count := func(n int, what string) string {
		if n == 1 {
			return fmt.Sprintf("%d %s", n, what)
		}
		return fmt.Sprintf("%d %ss", n, what)
	}
	return fmt.Sprintf("no apply can make fewer than %d: %s, %s, 2 × %s",
		resets+jobPages+2*phonePages, count(resets, "batch reset"), count(jobPages, "job page"), count(phonePages, "phone page"))
}

// printDesignGain compares the fleet in one resource with the same phones as
// one resource each.
func printDesignGain(w io.Writer, fleets []*caseResult, perPhone *caseResult) {
	for _, r := range fleets {
		if perPhone == nil || r.phones != perPhone.phones {
			continue
		}
		a, b := r.phases[phaseApply], perPhone.phases[phaseApply]
		fmt.Fprintf(w, "\n%s phones in one resource against one resource per phone: apply %.2f s against %.2f s (%s faster), %d API calls against %d.\n",
			thousands(r.phones), a.wall.Seconds(), b.wall.Seconds(), ratio(b.wall.Seconds(), a.wall.Seconds()), a.totalCalls(), b.totalCalls())
	}
}
