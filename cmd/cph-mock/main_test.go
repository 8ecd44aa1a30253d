package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// syncBuffer is a bytes.Buffer the server's goroutines may write to while
// the test reads it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// started is a run() in progress.
type started struct {
	url    string
	stderr *syncBuffer
	cancel context.CancelFunc
	done   chan int
}

// start runs the command with args and waits for the first line of stdout.
func start(t *testing.T, args ...string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	pr, pw := io.Pipe()
	s := &started{stderr: &syncBuffer{}, cancel: cancel, done: make(chan int, 1)}
	go func() {
		s.done <- run(ctx, args, pw, s.stderr)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		cancel()
		t.Fatalf("reading the first line: %v; stderr:\n%s", err, s.stderr)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }() // nothing else is expected, but never block run
	s.url = strings.TrimSuffix(line, "\n")
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(s.url) {
		t.Fatalf("first line %q is not a base URL", line)
	}
	t.Cleanup(func() {
		cancel()
		<-s.done
	})
	return s
}

// stop cancels the run and returns its exit code.
func (s *started) stop() int {
	s.cancel()
	code := <-s.done
	s.done <- code // for Cleanup
	return code
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", url, nil)
	if token != "" {
		req.Header.Set("X-Auth-Token", token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeAndStop(t *testing.T) {
	t.Parallel()
	s := start(t, "-phones", "5", "-auth-token", "tok-secret-123", "-project-id", strings.Repeat("ab", 16))
	status, body := get(t, s.url+"/_mock/phone-ids", "")
	if status != 200 || strings.Count(body, "\n") != 5 {
		t.Fatalf("phone-ids: %d %q", status, body)
	}
	status, body = get(t, s.url+"/v1/"+strings.Repeat("ab", 16)+"/cloud-phone/phones?limit=2", "tok-secret-123")
	if status != 200 || !strings.Contains(body, `"count":5`) {
		t.Fatalf("list phones: %d %s", status, body)
	}
	if status, _ := get(t, s.url+"/v3/projects?name=cn-north-4", "tok-secret-123"); status != 200 {
		t.Errorf("IAM under the same base URL: %d", status)
	}
	if code := s.stop(); code != 0 {
		t.Errorf("exit code %d after cancel; stderr:\n%s", code, s.stderr)
	}
	logs := s.stderr.String()
	if !strings.Contains(logs, "GET /v1/"+strings.Repeat("ab", 16)+"/cloud-phone/phones?limit=2 200") {
		t.Errorf("request not logged:\n%s", logs)
	}
	if strings.Contains(logs, "tok-secret-123") {
		t.Errorf("the token was logged:\n%s", logs)
	}
	if !strings.Contains(logs, "shutting down") {
		t.Errorf("no clean shutdown:\n%s", logs)
	}
}

// TestStopsOnSignal is not parallel: it signals the whole test process,
// and the parallel tests are paused while it runs.
func TestStopsOnSignal(t *testing.T) {
	s := start(t, "-auth-token", "t")
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if code := <-s.done; code != 0 {
		t.Errorf("exit code %d after SIGTERM; stderr:\n%s", code, s.stderr)
	}
	s.done <- 0
}

func TestFlagsReachTheService(t *testing.T) {
	t.Parallel()
	failing := fakecph.New(fakecph.Options{Seed: 3, Phones: 4}).PhoneIDs()[0]
	s := start(t, "-seed", "3", "-phones", "4", "-auth-token", "t", "-fail-phones", " "+failing+" ",
		"-drop-reset-responses", "1", "-region", "ap-southeast-1")
	svc := fakecph.New(fakecph.Options{Seed: 3, Phones: 4})
	base := s.url + "/v1/" + svc.ProjectID() + "/cloud-phone/"
	reset := func() (*http.Response, error) {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", base+"phones/batch-reset", strings.NewReader(`{"phones":[{"phone_id":"`+failing+`"}]}`))
		req.Header.Set("X-Auth-Token", "t")
		return http.DefaultClient.Do(req)
	}
	if res, err := reset(); err == nil {
		res.Body.Close()
		t.Fatalf("first reset answered %d; -drop-reset-responses 1 should drop it", res.StatusCode)
	}
	// The dropped reset was applied (and failed at once, as configured).
	if status, body := get(t, base+"phones/"+failing, "t"); status != 200 || !strings.Contains(body, `"status":-5`) {
		t.Errorf("phone after the dropped reset: %d %s", status, body)
	}
	if _, body := get(t, s.url+"/_mock/stats", ""); !strings.Contains(body, `"batch_reset":{"0":1}`) {
		t.Errorf("stats: %s", body)
	}
	if status, body := get(t, s.url+"/v3/projects?name=ap-southeast-1", "t"); status != 200 || !strings.Contains(body, svc.ProjectID()) {
		t.Errorf("projects: %d %s", status, body)
	}
	if !strings.Contains(s.stderr.String(), "batch-reset dropped") {
		t.Errorf("dropped answer not logged:\n%s", s.stderr)
	}
}

func TestResetErrorFlags(t *testing.T) {
	t.Parallel()
	s := start(t, "-seed", "4", "-phones", "2", "-auth-token", "t",
		"-reset-errors-before-apply", "1", "-reset-errors-after-apply", "1")
	svc := fakecph.New(fakecph.Options{Seed: 4, Phones: 2})
	phone := svc.PhoneIDs()[0]
	for i, want := range []string{"before", "after"} {
		req, _ := http.NewRequestWithContext(t.Context(), "POST", s.url+"/v1/"+svc.ProjectID()+"/cloud-phone/phones/batch-reset",
			strings.NewReader(`{"phones":[{"phone_id":"`+phone+`"}]}`))
		req.Header.Set("X-Auth-Token", "t")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 500 {
			t.Fatalf("reset %d (%s apply): HTTP %d, want 500", i+1, want, res.StatusCode)
		}
	}
	// Only the second was applied.
	if _, body := get(t, s.url+"/_mock/stats", ""); !strings.Contains(body, `"resets":{"`+phone+`":1}`) ||
		!strings.Contains(body, `"reset_requests":1`) || !strings.Contains(body, `"batch_reset":{"500":2}`) {
		t.Errorf("stats: %s", body)
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	t.Parallel()
	var stderr syncBuffer
	if code := run(t.Context(), []string{"-h"}, io.Discard, &stderr); code != 0 {
		t.Fatalf("-h exit code %d", code)
	}
	for _, flag := range []string{"addr", "seed", "project-id", "region", "phones", "servers", "images", "access-key",
		"secret-key", "security-token", "auth-token", "user", "password", "domain", "job-duration", "token-lifetime",
		"max-batch-size", "fail-phones", "throttle-rate", "read-error-rate", "latency", "drop-reset-responses",
		"reset-errors-after-apply", "reset-errors-before-apply"} {
		if !strings.Contains(stderr.String(), "  -"+flag+" ") && !strings.Contains(stderr.String(), "  -"+flag+"\n") {
			t.Errorf("-h does not document -%s", flag)
		}
	}
	if !strings.Contains(stderr.String(), "/_mock/stats") {
		t.Error("-h does not mention the admin endpoints")
	}
}

func TestBadFlags(t *testing.T) {
	t.Parallel()
	tests := map[string][]string{
		"unknown flag":              {"-nope"},
		"stray argument":            {"serve"},
		"access key alone":          {"-access-key", "AK"},
		"secret key alone":          {"-secret-key", "SK"},
		"security token alone":      {"-security-token", "x"},
		"user without password":     {"-user", "u"},
		"domain without user":       {"-domain", "d"},
		"throttle rate above 1":     {"-throttle-rate", "1.5"},
		"negative read error rate":  {"-read-error-rate", "-0.1"},
		"negative latency":          {"-latency", "-1s"},
		"negative drops":            {"-drop-reset-responses", "-1"},
		"negative errors after":     {"-reset-errors-after-apply", "-1"},
		"negative errors before":    {"-reset-errors-before-apply", "-1"},
		"negative phones":           {"-phones", "-1"},
		"project id not hex":        {"-project-id", "my-project"},
		"no servers":                {"-servers", "0"},
		"negative max batch":        {"-max-batch-size", "-1"},
		"zero token lifetime":       {"-token-lifetime", "0s"},
		"unknown phone to fail":     {"-fail-phones", strings.Repeat("0", 32)},
		"listen address in use bad": {"-addr", "256.0.0.1:0"},
	}
	for name, args := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var stderr syncBuffer
			code := run(t.Context(), args, io.Discard, &stderr)
			if code == 0 {
				t.Errorf("exit code 0 for %q", args)
			}
			if stderr.String() == "" {
				t.Error("no message on stderr")
			}
		})
	}
}

func TestDescribeCredentialsNeverShowsValues(t *testing.T) {
	t.Parallel()
	c, err := parseFlags([]string{"-access-key", "AKVALUE", "-secret-key", "SKVALUE", "-security-token", "STVALUE",
		"-auth-token", "TOKVALUE", "-user", "u", "-password", "PWVALUE"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	got := describeCredentials(c)
	if got != "static token, temporary AK/SK, IAM password login" {
		t.Errorf("describeCredentials = %q", got)
	}
	if got := describeCredentials(&config{}); !strings.Contains(got, "none") {
		t.Errorf("no credentials: %q", got)
	}
}
