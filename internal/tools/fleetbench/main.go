// Command fleetbench measures cph_phone_reset at fleet scale through a real
// CLI (`make bench` runs it): for each fleet size it starts the fake CPH
// service (package fakecph) in-process with jobs of a set duration and an
// added latency per request, points the CLI at a provider binary through
// dev_overrides, and times four commands: the first plan, the apply, a plan
// with nothing to change and a plan that changes one phone's properties. For
// each it reports the API calls by kind (the fake's own counters), the poll
// rounds, and the CPU and peak memory of every provider process the CLI
// started. For the largest fleet it also measures the CLI's own floor, a
// terraform_data whose input is a map shaped like `jobs`, and beside the
// fleets it models a small fleet as one resource per phone.
//
// It prints Markdown (BENCHMARKS.md quotes it) and, after it, how the figures
// compare with the targets of issue 8. It asserts correctness (every phone
// reset exactly once, no-op plans empty) but never time: the targets are
// reported, not enforced.
//
// Usage (see `make bench`):
//
//	fleetbench -provider bin/terraform-provider-cph -cli "$(scripts/terraform-cli.sh)" \
//	    [-phones 100,1000,10000] [-per-phone 100] [-job-duration 3s] [-latency 20ms] [-poll-interval 2s]
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

func main() {
	if provider := os.Getenv(envWrapProvider); provider != "" {
		os.Exit(wrapProvider(provider, os.Getenv(envRusageLog)))
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench:", err)
		os.Exit(1)
	}
}

// config is what the flags say.
type config struct {
	provider, cli   string
	sizes           []int
	perPhone        int
	floor           bool
	jobDuration     time.Duration
	latency         time.Duration
	pollInterval    time.Duration
	commandTimeout  time.Duration
	keep            bool
	selfPath, label string
}

func parseFlags() (*config, error) {
	c := &config{}
	var sizes string
	flag.StringVar(&c.provider, "provider", "bin/terraform-provider-cph", "provider `binary` to run (dev_overrides)")
	flag.StringVar(&c.cli, "cli", "", "Terraform or OpenTofu `binary` (default: scripts/terraform-cli.sh)")
	flag.StringVar(&sizes, "phones", "100,1000,10000", "comma-separated fleet `sizes`, each one cph_phone_reset holding every phone")
	flag.IntVar(&c.perPhone, "per-phone", 100, "also model this many phones as one resource per phone (0: skip)")
	flag.BoolVar(&c.floor, "floor", true, "measure the CLI floor (terraform_data shaped like jobs) for the largest size")
	flag.DurationVar(&c.jobDuration, "job-duration", 3*time.Second, "how long the fake's reset jobs run")
	flag.DurationVar(&c.latency, "latency", 20*time.Millisecond, "latency the fake adds to every request")
	flag.DurationVar(&c.pollInterval, "poll-interval", 2*time.Second, "the provider's poll_interval")
	flag.DurationVar(&c.commandTimeout, "command-timeout", 10*time.Minute, "the longest one CLI command may take")
	flag.BoolVar(&c.keep, "keep", false, "keep the working directories (their logs) for a look afterwards")
	flag.Parse()
	for _, s := range strings.Split(sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 2 {
			return nil, fmt.Errorf("-phones: %q is not a fleet size of at least 2", s)
		}
		c.sizes = append(c.sizes, n)
	}
	slices.Sort(c.sizes)
	c.sizes = slices.Compact(c.sizes)
	if c.perPhone == 1 || c.perPhone < 0 {
		return nil, fmt.Errorf("-per-phone: %d is not 0 or a fleet size of at least 2", c.perPhone)
	}
	var err error
	if c.provider, err = filepath.Abs(c.provider); err != nil {
		return nil, err
	}
	if c.cli == "" {
		out, err := exec.CommandContext(context.Background(), "scripts/terraform-cli.sh").Output()
		if err != nil {
			return nil, fmt.Errorf("scripts/terraform-cli.sh: %w", err)
		}
		c.cli = strings.TrimSpace(string(out))
	}
	if c.selfPath, err = os.Executable(); err != nil {
		return nil, err
	}
	out, err := exec.CommandContext(context.Background(), c.cli, "version").Output()
	if err != nil {
		return nil, fmt.Errorf("%s version: %w", c.cli, err)
	}
	c.label = strings.SplitN(string(out), "\n", 2)[0]
	return c, nil
}

// Phases of one case, in the order they run.
const (
	phaseFirstPlan = iota
	phaseApply
	phaseNoopPlan
	phaseOnePlan
	numPhases
)

var phaseNames = [numPhases]string{"first plan", "apply", "no-op plan", "one-phone plan"}

// phaseResult is one CLI command's figures.
type phaseResult struct {
	wall  time.Duration
	calls fakecph.Stats
	usage usage
	// Of the apply only: poll rounds, how long the last poll came after the
	// last batch reset, and how long the CLI ran after the last API call.
	pollRounds                      int
	submitSpan, pollSpan, afterLast time.Duration
	// timedOut: the command ran out of time; skipped: it did not run
	// because an earlier one of its case ran out of time.
	timedOut, skipped bool
}

func (p phaseResult) measured() bool { return !p.timedOut && !p.skipped }

func (p phaseResult) totalCalls() int {
	n := 0
	for route := range p.calls.Calls {
		n += p.calls.CallCount(route)
	}
	return n
}

// caseResult is one fleet (or the floor) through the four phases.
type caseResult struct {
	name   string
	phones int
	kind   caseKind
	phases [numPhases]phaseResult
}

type caseKind int

const (
	kindFleet    caseKind = iota // one cph_phone_reset holding every phone
	kindPerPhone                 // one cph_phone_reset per phone (for_each)
	kindFloor                    // terraform_data, no provider at all
)

func run() error {
	c, err := parseFlags()
	if err != nil {
		return err
	}
	if _, err := os.Stat(c.provider); err != nil {
		return fmt.Errorf("provider binary: %w (make bench builds it)", err)
	}
	start := time.Now()
	var results []*caseResult
	for _, n := range c.sizes {
		r, err := runCase(c, kindFleet, n)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if c.floor {
		r, err := runCase(c, kindFloor, c.sizes[len(c.sizes)-1])
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	if c.perPhone > 0 {
		r, err := runCase(c, kindPerPhone, c.perPhone)
		if err != nil {
			return err
		}
		results = append(results, r)
	}
	printReport(os.Stdout, c, results, time.Since(start))
	return nil
}

// fakeServer is the fake CPH service with a recorder of when each API call
// was made, for the poll rounds.
type fakeServer struct {
	svc *fakecph.Service
	srv *httptest.Server

	mu    sync.Mutex
	calls []timedCall
}

type timedCall struct {
	at   time.Time
	poll bool // a job query (list or show)
	post bool // a batch reset
}

func startFake(c *config, phones int) *fakeServer {
	f := &fakeServer{svc: fakecph.New(fakecph.Options{Seed: 1, Phones: phones, AuthToken: benchToken, JobDuration: c.jobDuration})}
	f.svc.SetFaults(fakecph.Faults{Latency: c.latency})
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.svc.ServeHTTP(w, r)
		if strings.HasPrefix(r.URL.Path, "/_mock/") {
			return
		}
		tc := timedCall{at: time.Now(), post: r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/batch-reset")}
		tc.poll = r.Method == http.MethodGet && (strings.HasSuffix(r.URL.Path, "/cloud-phone/jobs") || strings.Contains(r.URL.Path, "/cloud-phone/jobs/"))
		f.mu.Lock()
		f.calls = append(f.calls, tc)
		f.mu.Unlock()
	}))
	return f
}

func (f *fakeServer) reset() {
	f.svc.ResetStats()
	f.mu.Lock()
	f.calls = nil
	f.mu.Unlock()
}

// pollFigures counts poll rounds (job queries more than roundGap apart
// start a new round), and returns how long the batch resets took from the
// first to the last, how long the last job query came after the last batch
// reset, and the last call's time.
func (f *fakeServer) pollFigures() (rounds int, submitSpan, span time.Duration, last time.Time) {
	const roundGap = 300 * time.Millisecond
	f.mu.Lock()
	defer f.mu.Unlock()
	var prevPoll, firstPost, lastPost, lastPoll time.Time
	for _, tc := range f.calls {
		if tc.at.After(last) {
			last = tc.at
		}
		switch {
		case tc.post:
			if firstPost.IsZero() {
				firstPost = tc.at
			}
			lastPost = tc.at
		case tc.poll:
			if prevPoll.IsZero() || tc.at.Sub(prevPoll) > roundGap {
				rounds++
			}
			prevPoll, lastPoll = tc.at, tc.at
		}
	}
	if !lastPost.IsZero() && lastPoll.After(lastPost) {
		span = lastPoll.Sub(lastPost)
	}
	return rounds, lastPost.Sub(firstPost), span, last
}

const benchToken = "fleetbench-token-not-a-secret"

// runCase runs the four phases of one case in a fresh working directory.
func runCase(c *config, kind caseKind, n int) (*caseResult, error) {
	r := &caseResult{phones: n, kind: kind}
	switch kind {
	case kindFleet:
		r.name = fmt.Sprintf("%s phones, one resource", thousands(n))
	case kindPerPhone:
		r.name = fmt.Sprintf("%s phones, one resource per phone", thousands(n))
	case kindFloor:
		r.name = fmt.Sprintf("%s-entry floor (terraform_data)", thousands(n))
	}
	fmt.Fprintf(os.Stderr, "==> %s\n", r.name)
	work, err := os.MkdirTemp("", "fleetbench-")
	if err != nil {
		return nil, err
	}
	if c.keep {
		fmt.Fprintf(os.Stderr, "    working directory %s (kept)\n", work)
	} else {
		defer func() { _ = os.RemoveAll(work) }()
	}

	f := startFake(c, n)
	defer f.srv.Close()
	ids := f.svc.PhoneIDs()
	if len(ids) != n {
		return nil, fmt.Errorf("the fake has %d phones, want %d", len(ids), n)
	}
	if err := writeWorkdir(c, work, kind, f, ids); err != nil {
		return nil, err
	}
	steps := [numPhases]struct {
		args []string
		exit int
	}{
		{[]string{"plan", "-input=false", "-lock=false", "-detailed-exitcode"}, 2},
		{[]string{"apply", "-input=false", "-auto-approve"}, 0},
		{[]string{"plan", "-input=false", "-lock=false", "-detailed-exitcode"}, 0},
		{[]string{"plan", "-input=false", "-lock=false", "-detailed-exitcode"}, 2},
	}
	for i, st := range steps {
		if i == phaseOnePlan {
			if err := writeVars(work, kind, ids, true); err != nil {
				return nil, err
			}
		}
		f.reset()
		rusageLog := filepath.Join(work, "rusage.log")
		_ = os.Remove(rusageLog)
		logPath := filepath.Join(work, fmt.Sprintf("%d-%s.log", i+1, strings.ReplaceAll(phaseNames[i], " ", "-")))
		began := time.Now()
		if err := runCLI(c, work, logPath, st.args, st.exit); err != nil {
			// A command that takes too long is a figure (the table says
			// so), not the end of the run; the case's later phases, which
			// need its result, are skipped.
			if !errors.Is(err, errTimeout) {
				return nil, fmt.Errorf("%s, %s: %w", r.name, phaseNames[i], err)
			}
			fmt.Fprintf(os.Stderr, "    %-15s did not finish within %s; skipping the rest of this case\n", phaseNames[i], c.commandTimeout)
			r.phases[i].timedOut = true
			for j := i + 1; j < numPhases; j++ {
				r.phases[j].skipped = true
			}
			break
		}
		ended := time.Now()
		p := &r.phases[i]
		p.wall = ended.Sub(began)
		p.calls = f.svc.Stats()
		if p.usage, err = readUsage(rusageLog); err != nil {
			return nil, err
		}
		var last time.Time
		p.pollRounds, p.submitSpan, p.pollSpan, last = f.pollFigures()
		if !last.IsZero() {
			p.afterLast = ended.Sub(last)
		}
		fmt.Fprintf(os.Stderr, "    %-15s %7.2fs  %4d API calls  provider CPU %6.2fs in %d processes, peak %d MB\n",
			phaseNames[i], p.wall.Seconds(), p.totalCalls(), p.usage.cpu.Seconds(), p.usage.processes, p.usage.peakRSSKB/1024)
		if i == phaseApply && kind != kindFloor {
			if err := checkResetOnce(p.calls, ids); err != nil {
				return nil, fmt.Errorf("%s: %w", r.name, err)
			}
		}
		if i == phaseOnePlan && kind != kindFloor && p.calls.ResetRequests != 0 {
			return nil, fmt.Errorf("%s: a plan sent %d batch resets", r.name, p.calls.ResetRequests)
		}
	}
	return r, nil
}

// checkResetOnce fails unless the apply reset every phone exactly once.
func checkResetOnce(st fakecph.Stats, ids []string) error {
	for _, id := range ids {
		if got := st.Resets[id]; got != 1 {
			return fmt.Errorf("the apply reset phone %s %d times, want once", id, got)
		}
	}
	if len(st.Resets) != len(ids) {
		return fmt.Errorf("the apply reset %d phones, want %d", len(st.Resets), len(ids))
	}
	return nil
}

// runCLI runs one command of the CLI in work, its output going to logPath,
// and fails unless it exits with want.
func runCLI(c *config, work, logPath string, args []string, want int) error {
	ctx, cancel := context.WithTimeout(context.Background(), c.commandTimeout)
	defer cancel()
	logf, err := os.Create(logPath)
	if err != nil {
		return err
	}
	defer func() { _ = logf.Close() }()
	cmd := exec.CommandContext(ctx, c.cli, append([]string{"-chdir=" + work}, append(args, "-no-color")...)...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.Env = cliEnv(work)
	cmd.WaitDelay = 10 * time.Second
	err = cmd.Run()
	var exit *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		return err
	}
	if ctx.Err() != nil {
		return errTimeout
	}
	if code != want {
		return fmt.Errorf("%s exited %d, want %d:\n%s", args[0], code, want, tail(logPath))
	}
	return nil
}

// errTimeout is a command that ran out of -command-timeout.
var errTimeout = errors.New("command timed out")

// cliEnv is the environment of every CLI command: this process's, without
// anything that would change what the CLI does, plus the bench's CLI
// configuration and the wrapper's settings.
func cliEnv(work string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "TF_") || strings.HasPrefix(k, "HW_") || k == envWrapProvider || k == envRusageLog {
			continue
		}
		env = append(env, kv)
	}
	return append(env,
		"TF_CLI_CONFIG_FILE="+filepath.Join(work, "cli.tfrc"),
		"TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		envRusageLog+"="+filepath.Join(work, "rusage.log"),
	)
}

// tail is the end of a log, for an error message.
func tail(path string) string {
	b, _ := os.ReadFile(path)
	if len(b) > 3000 {
		b = b[len(b)-3000:]
	}
	return string(b)
}

// writeWorkdir writes the configuration of one case, the CLI configuration
// (dev_overrides pointing at the wrapper script) and the first variables.
func writeWorkdir(c *config, work string, kind caseKind, f *fakeServer, ids []string) error {
	overrides := filepath.Join(work, "provider")
	if err := os.Mkdir(overrides, 0o755); err != nil {
		return err
	}
	wrapper := fmt.Sprintf("#!/bin/sh\n%s=%q exec %q \"$@\"\n", envWrapProvider, c.provider, c.selfPath)
	if err := os.WriteFile(filepath.Join(overrides, "terraform-provider-cph"), []byte(wrapper), 0o755); err != nil {
		return err
	}
	// The unqualified address covers Terraform (registry.terraform.io/...)
	// and OpenTofu (registry.opentofu.org/...).
	tfrc := fmt.Sprintf("provider_installation {\n  dev_overrides {\n    \"cph-terraform/cph\" = %q\n  }\n  direct {}\n}\n", overrides)
	if err := os.WriteFile(filepath.Join(work, "cli.tfrc"), []byte(tfrc), 0o644); err != nil {
		return err
	}
	var hcl string
	switch kind {
	case kindFloor:
		hcl = floorHCL
	default:
		hcl = fmt.Sprintf(providerHCL, f.srv.URL, f.srv.URL, f.svc.ProjectID(), benchToken, c.pollInterval)
		if kind == kindFleet {
			hcl += fleetHCL
		} else {
			hcl += perPhoneHCL
		}
	}
	if err := os.WriteFile(filepath.Join(work, "main.tf"), []byte(hcl), 0o644); err != nil {
		return err
	}
	return writeVars(work, kind, ids, false)
}

const providerHCL = `terraform {
  required_providers {
    cph = { source = "cph-terraform/cph" }
  }
}

provider "cph" {
  endpoint      = %q
  iam_endpoint  = %q
  region        = "cn-north-4"
  project_id    = %q
  auth_token    = %q
  poll_interval = %q
}

variable "phones" {
  type = map(map(string))
}
`

const fleetHCL = `
resource "cph_phone_reset" "fleet" {
  phones     = var.phones
  properties = { "sys.prop.writewifissid" = "bench" }
}
`

const perPhoneHCL = `
resource "cph_phone_reset" "phone" {
  for_each   = var.phones
  phones     = { (each.key) = each.value }
  properties = { "sys.prop.writewifissid" = "bench" }
}
`

const floorHCL = `variable "jobs" {
  type = map(object({
    job_id     = string
    request_id = string
    status     = string
    error_code = string
    error_msg  = string
    sent_at    = string
  }))
}

resource "terraform_data" "floor" {
  input = var.jobs
}
`

// writeVars writes terraform.tfvars.json: every phone with no properties of
// its own; changed, the first phone gets its own Wi-Fi name (or, for the
// floor, the first entry another status).
func writeVars(work string, kind caseKind, ids []string, changed bool) error {
	vars := map[string]any{}
	if kind == kindFloor {
		jobs := make(map[string]map[string]any, len(ids))
		for i, id := range ids {
			jobs[id] = map[string]any{"job_id": fmt.Sprintf("%032x", i+1), "request_id": fmt.Sprintf("%032x", i/100+1),
				"status": "succeeded", "error_code": nil, "error_msg": nil, "sent_at": "2026-12-01T00:00:00Z"}
		}
		if changed {
			jobs[ids[0]]["status"] = "failed"
		}
		vars["jobs"] = jobs
	} else {
		phones := make(map[string]map[string]string, len(ids))
		for _, id := range ids {
			phones[id] = map[string]string{}
		}
		if changed {
			phones[ids[0]] = map[string]string{"sys.prop.writewifissid": "bench-changed"}
		}
		vars["phones"] = phones
	}
	b, err := json.Marshal(vars)
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(work, "terraform.tfvars.json"), b, 0o644)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// machine describes where the bench ran.
func machine() string {
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(b), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf(", %.0f GiB", float64(kb)/(1<<20))
		}
	}
	return fmt.Sprintf("%s/%s, %d CPUs%s, %s, %s", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), mem, model, runtime.Version())
}
