package fakecph

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestBatchResetLifecycle(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = 10 * time.Minute })
	ids := f.svc.PhoneIDs()[:2]
	a := f.reset(t, ids...)
	if len(a.Jobs) != 2 {
		t.Fatalf("jobs %+v", a.Jobs)
	}
	for i, e := range a.Jobs {
		if e.PhoneID != ids[i] || !IsID(e.JobID) || e.ErrorCode != "" || e.ErrorMsg != "" {
			t.Errorf("entry %d: %+v, want phone %s with a job ID", i, e, ids[i])
		}
	}

	check := func(when string, wantPhone, wantJob int, wantEnd string) {
		t.Helper()
		for _, e := range a.Jobs {
			if got := f.showPhone(t, e.PhoneID).Status; got != wantPhone {
				t.Errorf("%s: phone status %d, want %d", when, got, wantPhone)
			}
			j := f.showJob(t, e.JobID)
			if j.Status != wantJob || j.EndTime != wantEnd {
				t.Errorf("%s: job status %d end %q, want %d %q", when, j.Status, j.EndTime, wantJob, wantEnd)
			}
		}
	}
	check("at once", StatusResetting, JobRunning, "")
	f.clock.Advance(10*time.Minute - time.Second)
	check("a second early", StatusResetting, JobRunning, "")
	f.clock.Advance(time.Second)
	check("on time", StatusRunning, JobSucceeded, t0.Add(10*time.Minute).Format(cphTimeFormat))

	st := f.svc.Stats()
	if st.ResetRequests != 1 || st.Resets[ids[0]] != 1 || st.Resets[ids[1]] != 1 || len(st.Resets) != 2 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchResetZeroDurationIsDoneAtOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.reset(t, f.svc.PhoneIDs()[0])
	if j := f.showJob(t, a.Jobs[0].JobID); j.Status != JobSucceeded || j.EndTime != j.BeginTime {
		t.Errorf("job %+v, want succeeded with end == begin", j)
	}
	if p, _ := f.svc.Phone(a.Jobs[0].PhoneID); p.Status != StatusRunning {
		t.Errorf("phone status %d", p.Status)
	}
}

func TestBatchResetPerPhoneRejections(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	ids := f.svc.PhoneIDs()
	busy, ok, frozen := ids[0], ids[1], ids[2]
	f.reset(t, busy)
	f.svc.SetPhoneStatus(frozen, StatusFrozen)
	unknown := strings.Repeat("0", 32)

	body := `{"phones":[
		{"phone_id":"` + ok + `","property":"{\"sys.prop.writephonenum\":\"13666666666\"}"},
		{"phone_id":"abc"},
		{"phone_id":"` + strings.ToUpper(ok) + `"},
		{"phone_id":""},
		{},
		{"phone_id":"` + unknown + `"},
		{"phone_id":"` + busy + `"},
		{"phone_id":"` + ok + `"},
		{"phone_id":"` + frozen + `"},
		{"phone_id":"` + ids[3] + `","property":"{\"a\":1}"},
		{"phone_id":"abc","property":"broken"}
	]}`
	r := f.call(t, "POST", f.cph("phones/batch-reset"), body)
	if r.status != http.StatusOK {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	var a resetAnswer
	r.decode(t, &a)
	want := []resetEntry{
		{PhoneID: ok, JobID: "<job>"},
		{PhoneID: "abc", ErrorCode: "CPS.0004"},
		{PhoneID: strings.ToUpper(ok), ErrorCode: "CPS.0004"},
		{PhoneID: "", ErrorCode: "CPS.0004"},
		{PhoneID: "", ErrorCode: "CPS.0004"},
		{PhoneID: unknown, ErrorCode: "CPS.0005"},
		{PhoneID: busy, ErrorCode: "CPS.0022"},
		{PhoneID: ok, ErrorCode: "CPS.0022"}, // the same phone twice: the first made it busy
		{PhoneID: frozen, ErrorCode: "CPS.0022"},
		{PhoneID: ids[3], ErrorCode: "CPS.0002"},
		{PhoneID: "abc", ErrorCode: "CPS.0004"},
	}
	for i := range a.Jobs {
		if a.Jobs[i].JobID != "" {
			a.Jobs[i].JobID = "<job>"
		}
		if (a.Jobs[i].ErrorCode == "") != (a.Jobs[i].ErrorMsg == "") {
			t.Errorf("entry %d has a code without a message or back: %+v", i, a.Jobs[i])
		}
		a.Jobs[i].ErrorMsg = ""
	}
	if diff := cmp.Diff(want, a.Jobs); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if st := f.svc.Stats(); st.ResetRequests != 2 || st.Resets[ok] != 1 || st.Resets[frozen] != 0 || st.Resets[ids[3]] != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchResetAllRejectedIsStill200(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	a := f.reset(t, strings.Repeat("0", 32))
	if len(a.Jobs) != 1 || a.Jobs[0].ErrorCode != "CPS.0005" {
		t.Errorf("jobs %+v", a.Jobs)
	}
	if st := f.svc.Stats(); st.ResetRequests != 1 || len(st.Resets) != 0 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchResetRequestErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.MaxBatchSize = 2 })
	ids := f.svc.PhoneIDs()
	one := `[{"phone_id":"` + ids[0] + `"}]`
	tests := map[string]struct {
		body, code string
	}{
		"not JSON":              {`{"phones":`, "CPS.0002"},
		"empty body":            {``, "CPS.0002"},
		"array body":            {one, "CPS.0002"},
		"property not a string": {`{"phones":[{"phone_id":"` + ids[0] + `","property":{"a":"b"}}]}`, "CPS.0002"},
		"phones missing":        {`{}`, "CPS.0009"},
		"phones null":           {`{"phones":null}`, "CPS.0009"},
		"phones empty":          {`{"phones":[]}`, "CPS.0009"},
		"over max batch size":   {`{"phones":[{"phone_id":"` + ids[0] + `"},{"phone_id":"` + ids[1] + `"},{"phone_id":"` + ids[2] + `"}]}`, "CPS.0002"},
		"image_id empty":        {`{"image_id":"","phones":` + one + `}`, "CPS.0029"},
		"image_id unknown":      {`{"image_id":"` + strings.Repeat("f", 32) + `","phones":` + one + `}`, "CPS.0030"},
		"image_id malformed":    {`{"image_id":"img","phones":` + one + `}`, "CPS.0030"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f.call(t, "POST", f.cph("phones/batch-reset"), tc.body).wantErr(t, http.StatusBadRequest, tc.code)
		})
	}
	t.Run("max batch size itself is fine", func(t *testing.T) {
		t.Parallel()
		if a := f.reset(t, ids[3], ids[4]); a.Jobs[0].JobID == "" || a.Jobs[1].JobID == "" {
			t.Errorf("jobs %+v", a.Jobs)
		}
	})
	t.Cleanup(func() {
		// Refused requests change nothing.
		st := f.svc.Stats()
		if st.ResetRequests != 1 || st.Resets[ids[0]] != 0 {
			t.Errorf("stats after refused requests: %+v", st)
		}
	})
}

func (f *fixture) resetWith(t *testing.T, body map[string]any) resetAnswer {
	t.Helper()
	b, _ := json.Marshal(body)
	r := f.call(t, "POST", f.cph("phones/batch-reset"), string(b))
	if r.status != http.StatusOK {
		t.Fatalf("batch-reset: %d %s", r.status, r.body)
	}
	var a resetAnswer
	r.decode(t, &a)
	for _, e := range a.Jobs {
		if e.ErrorCode != "" {
			t.Fatalf("phone rejected: %+v", e)
		}
	}
	return a
}

// TestResetAppliesImageAndProperties walks one phone through resets that
// change its image and properties.
func TestResetAppliesImageAndProperties(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	id := f.svc.PhoneIDs()[0]
	images := f.svc.ImageIDs()
	steps := []struct {
		name                   string
		body                   map[string]any
		wantImage, wantVersion string
		wantProperty           string
	}{
		{"image and property", map[string]any{"image_id": images[1], "phones": []map[string]any{{"phone_id": id, "property": `{"a":"1","x":"old"}`}}},
			images[1], "CPH-2.0.0", `{"a":"1","x":"old"}`},
		{"properties merge, image kept", map[string]any{"phones": []map[string]any{{"phone_id": id, "property": `{"b":"2","x":"new"}`}}},
			images[1], "CPH-2.0.0", `{"a":"1","b":"2","x":"new"}`},
		{"no property keeps them", map[string]any{"phones": []map[string]any{{"phone_id": id}}},
			images[1], "CPH-2.0.0", `{"a":"1","b":"2","x":"new"}`},
		{"factory reset clears first", map[string]any{"image_id": images[2], "phones": []map[string]any{{"phone_id": id, "property": `{"c":"<3>"}`, "factory_reset_enabled": true}}},
			images[2], "CPH-3.0.0", `{"c":"<3>"}`},
		{"factory reset without property", map[string]any{"phones": []map[string]any{{"phone_id": id, "factory_reset_enabled": true}}},
			images[2], "CPH-3.0.0", ""},
	}
	for _, st := range steps {
		before, _ := f.svc.Phone(id)
		f.resetWith(t, st.body)
		// Nothing is applied until the job is done.
		if p := f.showPhone(t, id); p.ImageID != before.ImageID || p.Property != before.Property || p.Status != StatusResetting {
			t.Errorf("%s: applied early: %+v", st.name, p)
		}
		f.clock.Advance(time.Minute)
		p := f.showPhone(t, id)
		if p.ImageID != st.wantImage || p.ImageVersion != st.wantVersion || p.Property != st.wantProperty || p.Status != StatusRunning {
			t.Errorf("%s: image %s %s property %q status %d; want %s %s %q 2",
				st.name, p.ImageID, p.ImageVersion, p.Property, p.Status, st.wantImage, st.wantVersion, st.wantProperty)
		}
		if got, _ := f.svc.Phone(id); got.Property != p.Property || got.ImageID != p.ImageID {
			t.Errorf("%s: Go view %+v differs from the API's", st.name, got)
		}
	}
}

func TestResetPropertyValidation(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Phones = 20 })
	long := `{"k":"` + strings.Repeat("v", maxPropertyBytes-8) + `"}` // exactly 2048 bytes
	if len(long) != maxPropertyBytes {
		t.Fatalf("test setup: %d bytes", len(long))
	}
	tests := map[string]struct {
		property string
		ok       bool
	}{
		"object of strings":     {`{"sys.prop.writewifissid":"cafe wifi","com.cph.mainkeys":"1"}`, true},
		"empty object":          {`{}`, true},
		"spaces around":         {` {"a":"b"} `, true},
		"unknown keys pass":     {`{"vendor.future.key":"x"}`, true},
		"exactly 2048 bytes":    {long, true},
		"2049 bytes":            {long[:len(long)-2] + `v"}`, false},
		"empty string":          {``, false},
		"null":                  {`null`, false},
		"array":                 {`["a"]`, false},
		"number value":          {`{"a":1}`, false},
		"nested object":         {`{"a":{"b":"c"}}`, false},
		"not JSON":              {`a=b`, false},
		"trailing garbage":      {`{"a":"b"}x`, false},
		"a string, not object ": {`"{}"`, false},
	}
	ids := f.svc.PhoneIDs()
	i := 0
	for name, tc := range tests {
		id := ids[i]
		i++
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, _ := json.Marshal(map[string]any{"phones": []map[string]string{{"phone_id": id, "property": tc.property}}})
			r := f.call(t, "POST", f.cph("phones/batch-reset"), string(b))
			var a resetAnswer
			r.decode(t, &a)
			if r.status != http.StatusOK || len(a.Jobs) != 1 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			if got := a.Jobs[0].ErrorCode == ""; got != tc.ok {
				t.Errorf("accepted = %v, want %v: %+v", got, tc.ok, a.Jobs[0])
			}
			if !tc.ok && a.Jobs[0].ErrorCode != "CPS.0002" {
				t.Errorf("error_code %q, want CPS.0002", a.Jobs[0].ErrorCode)
			}
		})
	}
}

func TestResetAvailabilityByStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Phones = len(knownStatuses) })
	ids := f.svc.PhoneIDs()
	refused := map[int]bool{}
	for _, s := range unavailableStatuses {
		refused[s] = true
	}
	for i, status := range knownStatuses {
		id := ids[i]
		t.Run(fmt.Sprintf("status %d", status), func(t *testing.T) {
			t.Parallel()
			f.svc.SetPhoneStatus(id, status)
			a := f.reset(t, id)
			if got := a.Jobs[0].ErrorCode == "CPS.0022"; got != refused[status] {
				t.Errorf("status %d: refused = %v, want %v (%+v)", status, got, refused[status], a.Jobs[0])
			}
		})
	}
}

func TestFailResets(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = time.Minute })
	ids := f.svc.PhoneIDs()
	failing, started := ids[0], ids[1]
	pre := f.reset(t, started) // running before FailResets: unaffected
	f.svc.FailResets(failing, started)
	b, _ := json.Marshal(map[string]any{"phones": []map[string]any{{"phone_id": failing, "property": `{"a":"b"}`}}})
	r := f.call(t, "POST", f.cph("phones/batch-reset"), string(b))
	var a resetAnswer
	r.decode(t, &a)
	f.clock.Advance(time.Minute)

	j := f.showJob(t, a.Jobs[0].JobID)
	if j.Status != JobFailed || j.ErrorCode == "" || j.ErrorMsg == "" || j.EndTime == "" {
		t.Errorf("failed job %+v", j)
	}
	if p := f.showPhone(t, failing); p.Status != StatusResetFailed || p.Property != "" {
		t.Errorf("phone after failed reset: status %d property %q; want -5 and nothing applied", p.Status, p.Property)
	}
	if j := f.showJob(t, pre.Jobs[0].JobID); j.Status != JobSucceeded {
		t.Errorf("job started before FailResets: %+v", j)
	}
	// A phone whose reset failed may be reset again (and still fails).
	again := f.reset(t, failing)
	if again.Jobs[0].JobID == "" {
		t.Fatalf("retry refused: %+v", again.Jobs[0])
	}
	f.clock.Advance(time.Minute)
	if j, _ := f.svc.Job(again.Jobs[0].JobID); j.Status != JobFailed {
		t.Errorf("retry %+v", j)
	}
}

func TestResetBusyUntilDone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.JobDuration = 5 * time.Minute })
	id := f.svc.PhoneIDs()[0]
	f.reset(t, id)
	f.clock.Advance(5*time.Minute - time.Second)
	if a := f.reset(t, id); a.Jobs[0].ErrorCode != "CPS.0022" {
		t.Errorf("reset while resetting: %+v", a.Jobs[0])
	}
	f.clock.Advance(time.Second)
	if a := f.reset(t, id); a.Jobs[0].JobID == "" {
		t.Errorf("reset after the job ended: %+v", a.Jobs[0])
	}
	if n := f.svc.Stats().Resets[id]; n != 2 {
		t.Errorf("accepted resets %d, want 2", n)
	}
}
