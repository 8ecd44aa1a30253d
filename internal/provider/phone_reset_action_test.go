package provider

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/action"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
	"github.com/cph-terraform/terraform-provider-cph/internal/reset"
)

// The action tested through the protocol, as Terraform drives it:
// GetProviderSchema, ConfigureProvider, then ValidateActionConfig,
// PlanAction and InvokeAction, against the fake CPH service.

const actionType = "cph_phone_reset"

// actionProviderServer is a protocol 6 server with the action RPCs (what
// the deprecated tfprotov6.ProviderServerWithActions names).
type actionProviderServer interface {
	tfprotov6.ProviderServer
	tfprotov6.ActionServer
}

// actionServer is one configured provider server over one fake.
type actionServer struct {
	t      *testing.T
	env    *accEnv
	server actionProviderServer
	schema *tfprotov6.GetProviderSchemaResponse
}

// newActionServer configures the provider against env like
// accEnv.providerBlock (batches of 3, 20 ms polls); every is the least time
// between two waiting messages.
func newActionServer(t *testing.T, env *accEnv, every time.Duration) *actionServer {
	t.Helper()
	ps, err := providerserver.NewProtocol6WithError(&cphProvider{version: "test", progressEvery: every})()
	if err != nil {
		t.Fatal(err)
	}
	server, ok := ps.(actionProviderServer)
	if !ok {
		t.Fatalf("%T does not implement the action RPCs (tfprotov6.ActionServer)", ps)
	}
	ctx := context.Background()
	schema, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schema.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %s", err, diagText(schema.Diagnostics))
	}
	if schema.ActionSchemas[actionType] == nil {
		t.Fatalf("no action %s in the provider schema", actionType)
	}
	cfg := dynamicValue(t, schema.Provider.ValueType(), map[string]tftypes.Value{
		"endpoint":      tftypes.NewValue(tftypes.String, env.url),
		"iam_endpoint":  tftypes.NewValue(tftypes.String, env.url),
		"project_id":    tftypes.NewValue(tftypes.String, env.svc.ProjectID()),
		"region":        tftypes.NewValue(tftypes.String, "cn-north-4"),
		"auth_token":    tftypes.NewValue(tftypes.String, testToken),
		"batch_size":    tftypes.NewValue(tftypes.Number, 3),
		"poll_interval": tftypes.NewValue(tftypes.String, "20ms"),
	})
	resp, err := server.ConfigureProvider(ctx, &tfprotov6.ConfigureProviderRequest{Config: cfg})
	if err != nil || hasErrors(resp.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %s", err, diagText(resp.Diagnostics))
	}
	return &actionServer{t: t, env: env, server: server, schema: schema}
}

// actionInput is one configuration of the action.
type actionInput struct {
	phones     map[string]map[string]string
	properties map[string]string
	imageID    string
	timeout    string // timeouts.invoke
}

func (s *actionServer) config(in actionInput) *tfprotov6.DynamicValue {
	s.t.Helper()
	typ := s.schema.ActionSchemas[actionType].Schema.ValueType().(tftypes.Object)
	propsType := tftypes.Map{ElementType: tftypes.String}
	strMap := func(m map[string]string) tftypes.Value {
		if m == nil {
			return tftypes.NewValue(propsType, nil)
		}
		elems := map[string]tftypes.Value{}
		for k, v := range m {
			elems[k] = tftypes.NewValue(tftypes.String, v)
		}
		return tftypes.NewValue(propsType, elems)
	}
	phones := map[string]tftypes.Value{}
	for id, props := range in.phones {
		if props == nil {
			props = map[string]string{}
		}
		phones[id] = strMap(props)
	}
	vals := map[string]tftypes.Value{
		"phones":     tftypes.NewValue(tftypes.Map{ElementType: propsType}, phones),
		"properties": strMap(in.properties),
	}
	if in.imageID != "" {
		vals["image_id"] = tftypes.NewValue(tftypes.String, in.imageID)
	}
	if in.timeout != "" {
		tt := typ.AttributeTypes["timeouts"].(tftypes.Object)
		vals["timeouts"] = tftypes.NewValue(tt, map[string]tftypes.Value{"invoke": tftypes.NewValue(tftypes.String, in.timeout)})
	}
	return dynamicValue(s.t, typ, vals)
}

func (s *actionServer) validate(in actionInput) []*tfprotov6.Diagnostic {
	s.t.Helper()
	resp, err := s.server.ValidateActionConfig(context.Background(),
		&tfprotov6.ValidateActionConfigRequest{ActionType: actionType, Config: s.config(in)})
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.Diagnostics
}

func (s *actionServer) plan(in actionInput) []*tfprotov6.Diagnostic {
	s.t.Helper()
	resp, err := s.server.PlanAction(context.Background(),
		&tfprotov6.PlanActionRequest{ActionType: actionType, Config: s.config(in)})
	if err != nil {
		s.t.Fatal(err)
	}
	return resp.Diagnostics
}

// invoke runs the action to its end and returns the progress messages and
// the final diagnostics; onProgress (optional) sees each message as it
// arrives, while the invocation waits for the loop.
func (s *actionServer) invoke(ctx context.Context, in actionInput, onProgress func(string)) ([]string, []*tfprotov6.Diagnostic) {
	s.t.Helper()
	resp, err := s.server.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: actionType, Config: s.config(in)})
	if err != nil {
		s.t.Fatal(err)
	}
	var messages []string
	var diags []*tfprotov6.Diagnostic
	completed := 0
	for ev := range resp.Events { // Invoke runs only while this loop pulls events
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			messages = append(messages, e.Message)
			if onProgress != nil {
				onProgress(e.Message)
			}
		case tfprotov6.CompletedInvokeActionEventType:
			completed++
			diags = e.Diagnostics
		}
	}
	if completed != 1 {
		s.t.Fatalf("got %d completed events, want 1", completed)
	}
	return messages, diags
}

func dynamicValue(t *testing.T, typ tftypes.Type, vals map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	obj := typ.(tftypes.Object)
	full := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		if v, ok := vals[name]; ok {
			full[name] = v
		} else {
			full[name] = tftypes.NewValue(at, nil)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, full))
	if err != nil {
		t.Fatal(err)
	}
	return &dv
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	return slices.ContainsFunc(diags, func(d *tfprotov6.Diagnostic) bool { return d.Severity == tfprotov6.DiagnosticSeverityError })
}

// diagText renders diagnostics one per line: severity, attribute path,
// summary and detail.
func diagText(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		at := ""
		if d.Attribute != nil {
			at = " [" + d.Attribute.String() + "]"
		}
		fmt.Fprintf(&b, "%s%s %s: %s\n", d.Severity, at, d.Summary, d.Detail)
	}
	return b.String()
}

// expectDiags checks that each pattern matches some line of diagText.
func expectDiags(t *testing.T, diags []*tfprotov6.Diagnostic, patterns ...string) {
	t.Helper()
	text := diagText(diags)
	for _, p := range patterns {
		if !regexp.MustCompile(`(?m)` + p).MatchString(text) {
			t.Errorf("diagnostics do not match %q:\n%s", p, text)
		}
	}
}

func totalCalls(st fakecph.Stats) int {
	n := 0
	for route := range st.Calls {
		n += st.CallCount(route)
	}
	return n
}

func asPhones(ids ...string) map[string]map[string]string {
	m := map[string]map[string]string{}
	for _, id := range ids {
		m[id] = map[string]string{}
	}
	return m
}

// expectFakeResets checks the fake's ground truth since the last
// takeStats: exactly these phones reset once each, in this many requests.
func expectFakeResets(t *testing.T, env *accEnv, phones []string, requests int) {
	t.Helper()
	if err := env.expectResets(phones, requests)(nil); err != nil {
		t.Error(err)
	}
}

func TestPhoneResetAction_validate(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, fakecph.Options{Seed: 21, Phones: 2})
	s := newActionServer(t, env, time.Hour)
	ok := env.phones(1)[0]
	env.takeStats()

	if d := s.validate(actionInput{phones: asPhones(ok), properties: map[string]string{"sys.prop.writewifissid": "lab"}}); len(d) != 0 {
		t.Errorf("a valid configuration got diagnostics:\n%s", diagText(d))
	}
	t.Cleanup(func() { // after the parallel subtests
		if n := totalCalls(env.takeStats()); n != 0 {
			t.Errorf("validation made %d API calls, want 0", n)
		}
	})
	cases := map[string]struct {
		in   actionInput
		want []string
	}{
		"no phones":    {actionInput{phones: asPhones()}, []string{`ERROR \[AttributeName\("phones"\)\] No Phones To Reset`}},
		"bad phone id": {actionInput{phones: asPhones("ABC")}, []string{`\[AttributeName\("phones"\).ElementKeyString\("ABC"\)\] Invalid Phone ID: .*"ABC"`}},
		"bad image id": {actionInput{phones: asPhones(ok), imageID: "not-an-image"}, []string{`\[AttributeName\("image_id"\)\] Invalid Image ID`}},
		"bad phone property": {actionInput{phones: map[string]map[string]string{ok: {"sys.prop.writeimsi": "46002x"}}},
			[]string{`ElementKeyString\("sys.prop.writeimsi"\)\] Invalid Property: Phone ` + ok + `: .*1 to 15 digits`}},
		"bad common property": {actionInput{phones: asPhones(ok), properties: map[string]string{"ro.install.auto": "2"}},
			[]string{`\[AttributeName\("properties"\).ElementKeyString\("ro.install.auto"\)\] Invalid Property: .*0 or 1`}},
		"bad timeout": {actionInput{phones: asPhones(ok), timeout: "soon"}, []string{`(?i)timeouts.*invoke|duration`}},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := s.validate(tc.in)
			if !hasErrors(d) {
				t.Fatalf("no error diagnostics: %s", diagText(d))
			}
			expectDiags(t, d, tc.want...)
		})
	}
}

// TestPhoneResetAction_plan: PlanAction runs the engine's check; a missing
// or a frozen phone fails the plan with an error on that phone, and no
// reset is sent.
func TestPhoneResetAction_plan(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, fakecph.Options{Seed: 22, Phones: 4})
	s := newActionServer(t, env, time.Hour)
	ids := env.phones(3)
	env.takeStats()

	if d := s.plan(actionInput{phones: asPhones(ids...)}); len(d) != 0 {
		t.Errorf("resettable phones got plan diagnostics:\n%s", diagText(d))
	}
	missing := strings.Repeat("0", 32)
	env.svc.SetPhoneStatus(ids[1], 6) // frozen
	d := s.plan(actionInput{phones: asPhones(append(ids, missing)...)})
	expectDiags(t, d,
		`ERROR \[AttributeName\("phones"\).ElementKeyString\("`+missing+`"\)\] Phone Not Found: 1 phone is not in project `+env.svc.ProjectID()+`: `+missing+`\.`,
		`ERROR \[AttributeName\("phones"\).ElementKeyString\("`+ids[1]+`"\)\] Phone Cannot Be Reset Now: 1 phone is frozen \(status 6\), and the service refuses a reset in that status: `+ids[1]+`\.`,
	)
	if len(d) != 2 {
		t.Errorf("want exactly 2 errors:\n%s", diagText(d))
	}
	st := env.takeStats()
	if n := st.CallCount(fakecph.RouteBatchReset); n != 0 {
		t.Errorf("plan sent %d batch-reset requests", n)
	}
}

// TestPhoneResetAction_invoke: 7 phones in batches of 3 are reset once each
// in 3 requests, and the progress messages say so, in order.
func TestPhoneResetAction_invoke(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, fakecph.Options{Seed: 23, Phones: 8, JobDuration: 80 * time.Millisecond})
	ids := env.phones(7)
	s := newActionServer(t, env, time.Nanosecond) // every poll reports
	env.takeStats()

	msgs, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...),
		properties: map[string]string{"sys.prop.writewifissid": "lab"}}, nil)
	if len(diags) != 0 {
		t.Fatalf("diagnostics:\n%s", diagText(diags))
	}
	expectFakeResets(t, env, ids, 3)
	t.Logf("progress messages:\n%s", strings.Join(msgs, "\n"))

	if len(msgs) < 6 {
		t.Fatalf("got %d progress messages, want at least 6:\n%s", len(msgs), strings.Join(msgs, "\n"))
	}
	if want := "Resetting 7 phones in 3 batch-reset requests of up to 3."; msgs[0] != want {
		t.Errorf("first message = %q, want %q", msgs[0], want)
	}
	// Request 1 is sent alone; 2 and 3 then go concurrently, and are
	// reported in the order the service answers them.
	requestIDs := make([]string, 3)
	re := regexp.MustCompile(`^Request (\d)/3 sent: request ID (\S+), (\d) accepted\.$`)
	for i, m := range msgs[1:4] {
		sub := re.FindStringSubmatch(m)
		if sub == nil || (i == 0 && sub[1] != "1") {
			t.Errorf("message %d = %q, want %s (request 1 first)", i+1, m, re)
			continue
		}
		n, _ := strconv.Atoi(sub[1])
		if n < 1 || n > 3 || requestIDs[n-1] != "" {
			t.Errorf("message %d = %q: request %s twice or out of range", i+1, m, sub[1])
			continue
		}
		requestIDs[n-1] = sub[2]
	}
	waiting := msgs[4 : len(msgs)-1]
	if len(waiting) == 0 {
		t.Error("no waiting message, with a throttle of 1ns")
	}
	for _, m := range waiting {
		if !regexp.MustCompile(`^\d/7 phones reset, 0 failed, \d running$`).MatchString(m) {
			t.Errorf("waiting message %q", m)
		}
	}
	if last := waiting[len(waiting)-1]; last != "7/7 phones reset, 0 failed, 0 running" {
		t.Errorf("last waiting message = %q", last)
	}
	want := "Done: 7/7 phones reset, 0 failed, 0 running; 3 batch-reset requests: " + strings.Join(requestIDs, ", ") + "."
	if got := msgs[len(msgs)-1]; got != want {
		t.Errorf("summary = %q, want %q", got, want)
	}
	for _, id := range ids {
		if p, _ := env.svc.Phone(id); !strings.Contains(p.Property, "lab") {
			t.Errorf("phone %s property = %q, want the configured SSID", id, p.Property)
		}
	}

	// With the default throttle the jobs end well within 10 s: no waiting
	// message at all, only the start, the requests and the summary.
	s = newActionServer(t, env, defaultProgressEvery)
	msgs, diags = s.invoke(context.Background(), actionInput{phones: asPhones(ids[:2]...)}, nil)
	if len(diags) != 0 {
		t.Fatalf("diagnostics:\n%s", diagText(diags))
	}
	if len(msgs) != 3 || !strings.HasPrefix(msgs[1], "Request 1/1 sent") || !strings.HasPrefix(msgs[2], "Done: 2/2 phones reset") {
		t.Errorf("throttled messages:\n%s", strings.Join(msgs, "\n"))
	}
	expectFakeResets(t, env, ids[:2], 1)
}

// TestPhoneResetAction_phoneFailures: a failed job and a rejected phone
// fail the invocation with one error each, on that phone, with the code,
// the request and job IDs and what invoking again does.
func TestPhoneResetAction_phoneFailures(t *testing.T) {
	t.Parallel()
	env := newAccEnv(t, fakecph.Options{Seed: 24, Phones: 6, JobDuration: 40 * time.Millisecond})
	ids := env.phones(5)
	failing, rejected := ids[1], ids[3]
	env.svc.FailResets(failing)
	env.svc.RejectResets("CPS.0022", "The phone is not available.", rejected)
	s := newActionServer(t, env, time.Hour)
	env.takeStats()

	msgs, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...)}, nil)
	expectFakeResets(t, env, slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return id == rejected }), 2)
	expectDiags(t, diags,
		`ERROR \[AttributeName\("phones"\).ElementKeyString\("`+failing+`"\)\] Phone Reset Failed: The reset job failed on phone `+failing+`: CPS.0003: .*\(request \S+, job [0-9a-f]{32}\)`,
		`ERROR \[AttributeName\("phones"\).ElementKeyString\("`+rejected+`"\)\] Phone Reset Rejected: The service refused to reset phone `+rejected+`: CPS.0022: The phone is not available. \(request \S+\)`,
		`This action keeps no state: invoking it again resets all 5 phones again, including the 3 whose reset succeeded. `+
			`To retry only the 2 phones that failed, were rejected or were not sent, invoke it with phones limited to them: `+
			strings.Join(slices.Sorted(slices.Values([]string{failing, rejected})), ", ")+`\.`,
	)
	if n := len(diags); n != 2 {
		t.Errorf("want 2 diagnostics, got %d:\n%s", n, diagText(diags))
	}
	if strings.Contains(diagText(diags), "untaint") || strings.Contains(diagText(diags), "next plain apply") {
		t.Errorf("the action's diagnostics speak of the resource:\n%s", diagText(diags))
	}
	if got := msgs[len(msgs)-1]; !regexp.MustCompile(`^Finished with problems: 3/5 phones reset, 1 failed, 0 running, 1 not started; 2 batch-reset requests: \S+, \S+\.$`).MatchString(got) {
		t.Errorf("summary = %q", got)
	}
	if !slices.ContainsFunc(msgs, func(m string) bool { return strings.Contains(m, "1 rejected") }) {
		t.Errorf("no request message counts the rejected phone:\n%s", strings.Join(msgs, "\n"))
	}
}

// TestPhoneResetAction_requestErrors: a request refused as a whole stops
// submission; a request whose answer is lost is never sent again.
func TestPhoneResetAction_requestErrors(t *testing.T) {
	t.Parallel()
	t.Run("refused", func(t *testing.T) {
		t.Parallel()
		env := newAccEnv(t, fakecph.Options{Seed: 25, Phones: 8, MaxBatchSize: 2})
		ids := env.phones(7)
		s := newActionServer(t, env, time.Hour)
		env.takeStats()
		msgs, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...)}, nil)
		expectDiags(t, diags,
			`^ERROR Batch Reset Refused: The service refused a batch-reset request as a whole, so 3 phones \(`+strings.Join(ids[:3], ", ")+`\) were not reset: .*CPS.0002.* Submission stopped there: 4 phones after it \(`+strings.Join(ids[3:], ", ")+`\) were not sent either.`,
			`This action keeps no state: invoking it again resets all 7 phones again\. Batch-reset requests sent: \S+\.$`,
		)
		if n := len(diags); n != 1 {
			t.Errorf("want 1 diagnostic for the one cause, got %d:\n%s", n, diagText(diags))
		}
		st := env.takeStats()
		if n := st.CallCount(fakecph.RouteBatchReset); n != 1 {
			t.Errorf("sent %d batch-reset requests, want 1", n)
		}
		if len(st.Resets) != 0 {
			t.Errorf("fake reset %v", st.Resets)
		}
		if got := msgs[len(msgs)-1]; !regexp.MustCompile(`^Finished with problems: 0/7 phones reset, 0 failed, 0 running, 7 not started; 1 batch-reset request: \S+\.$`).MatchString(got) {
			t.Errorf("summary = %q", got)
		}
	})
	t.Run("answer lost", func(t *testing.T) {
		t.Parallel()
		env := newAccEnv(t, fakecph.Options{Seed: 26, Phones: 8})
		env.svc.SetFaults(fakecph.Faults{DropResetResponses: 1})
		ids := env.phones(5)
		s := newActionServer(t, env, time.Hour)
		env.takeStats()
		_, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...)}, nil)
		expectDiags(t, diags,
			`^ERROR Batch Reset Outcome Unknown: A batch-reset request for 3 phones \(`+strings.Join(ids[:3], ", ")+`\) may have reached the service, but no answer came back: .*Invoking the action again would send them again: check each phone first`,
			`Submission stopped there: 2 phones after it`,
			`Check the 3 phones whose outcome is unknown before sending them again.`,
		)
		st := env.takeStats()
		if n := st.CallCount(fakecph.RouteBatchReset); n != 1 {
			t.Errorf("sent %d batch-reset requests, want exactly 1 (never twice)", n)
		}
		expectFakeResetsIn(t, st, ids[:3])
	})
}

func expectFakeResetsIn(t *testing.T, st fakecph.Stats, phones []string) {
	t.Helper()
	got := map[string]int{}
	for id, n := range st.Resets {
		if n > 0 {
			got[id] = n
		}
	}
	want := map[string]int{}
	for _, id := range phones {
		want[id] = 1
	}
	if fmt.Sprint(sortedCounts(got)) != fmt.Sprint(sortedCounts(want)) {
		t.Errorf("fake reset %v, want %v", sortedCounts(got), sortedCounts(want))
	}
}

// TestPhoneResetAction_timeout: the invoke timeout ends the wait, names the
// jobs still running, and resets nothing twice.
func TestPhoneResetAction_timeout(t *testing.T) {
	t.Parallel()
	clock := fakecph.NewFakeClock(time.Now()) // never advanced: jobs never end
	env := newAccEnv(t, fakecph.Options{Seed: 27, Phones: 5, JobDuration: time.Minute, Clock: clock})
	ids := env.phones(4)
	s := newActionServer(t, env, time.Hour)
	env.takeStats()
	msgs, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...), timeout: "300ms"}, nil)
	expectDiags(t, diags,
		`^ERROR Reset Timed Out: The invoke timeout \(timeouts.invoke = "300ms"\) ran out while 4 reset jobs were still running. `+
			`The jobs go on in the service; the action keeps no record of them, but the cph_jobs data source shows their outcome `+
			`\(request_ids = \["\S+", "\S+"\]\). Still running: `+strings.Join(ids, ", ")+`\.`,
		`Leave out the 4 phones still running.`,
	)
	if n := len(diags); n != 1 {
		t.Errorf("want 1 diagnostic, got %d:\n%s", n, diagText(diags))
	}
	expectFakeResets(t, env, ids, 2)
	if got := msgs[len(msgs)-1]; !strings.HasPrefix(got, "Finished with problems: 0/4 phones reset, 0 failed, 4 running; 2 batch-reset requests: ") {
		t.Errorf("summary = %q", got)
	}
}

// TestPhoneResetAction_cancel: Terraform's StopProvider (Ctrl-C) while the
// jobs run ends the invocation at once, naming them.
func TestPhoneResetAction_cancel(t *testing.T) {
	t.Parallel()
	clock := fakecph.NewFakeClock(time.Now())
	env := newAccEnv(t, fakecph.Options{Seed: 28, Phones: 7, JobDuration: time.Minute, Clock: clock})
	ids := env.phones(6)
	s := newActionServer(t, env, time.Hour)
	env.takeStats()
	_, diags := s.invoke(context.Background(), actionInput{phones: asPhones(ids...)}, func(m string) {
		if strings.HasPrefix(m, "Request 2/2 sent") { // every request is sent: the engine is waiting
			if _, err := s.server.StopProvider(context.Background(), &tfprotov6.StopProviderRequest{}); err != nil {
				t.Error(err)
			}
		}
	})
	expectDiags(t, diags,
		`^ERROR Reset Interrupted: The invocation was interrupted while 6 reset jobs were still running. The jobs go on in the service`,
		`Still running: `+strings.Join(ids[:5], ", ")+` and 1 more\.`,
	)
	expectFakeResets(t, env, ids, 2)
}

// TestProgressReporter_throttle: while waiting, at most one message every
// `every`, on an injected clock; requests and the summary always report.
func TestProgressReporter_throttle(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	now := start
	var got []string
	p := &progressReporter{every: 10 * time.Second, total: 120, batchSize: 100, now: func() time.Time { return now },
		send: func(ev action.InvokeProgressEvent) { got = append(got, ev.Message) }}
	at := func(d time.Duration, ev reset.Event) { now = start.Add(d); p.event(ev) }
	poll := func(s, f, r int) reset.Event {
		return reset.Event{Kind: reset.EventPolled, Succeeded: s, Failed: f, Running: r}
	}
	at(0, reset.Event{Kind: reset.EventStarted, Phones: 120, Batches: 2})
	at(time.Second, reset.Event{Kind: reset.EventBatchSent, Batch: 1, Batches: 2, RequestID: "r1", Accepted: 100})
	at(2*time.Second, reset.Event{Kind: reset.EventBatchSent, Batch: 2, Batches: 2, RequestID: "r2", Accepted: 18, Rejected: 2})
	at(3*time.Second, poll(0, 0, 118))   // too soon after the start
	at(9*time.Second, poll(10, 0, 108))  // still too soon
	at(10*time.Second, poll(37, 0, 81))  // 10 s after the start: reported
	at(15*time.Second, poll(60, 1, 57))  // 5 s after the last: not
	at(20*time.Second, poll(100, 1, 17)) // reported
	at(21*time.Second, poll(117, 1, 0))  // the summary says the rest
	p.summary(map[string]reset.Job{
		"a": {Status: reset.Succeeded, RequestID: "r2"}, "b": {Status: reset.Failed, RequestID: "r1"},
		"c": {Status: reset.Rejected, RequestID: "r2"},
	})
	want := []string{
		"Resetting 120 phones in 2 batch-reset requests of up to 100.",
		"Request 1/2 sent: request ID r1, 100 accepted.",
		"Request 2/2 sent: request ID r2, 18 accepted, 2 rejected.",
		"37/120 phones reset, 0 failed, 81 running, 2 not started",
		"100/120 phones reset, 1 failed, 17 running, 2 not started",
		"Finished with problems: 1/120 phones reset, 1 failed, 0 running, 118 not started; 2 batch-reset requests: r1, r2.",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
}
