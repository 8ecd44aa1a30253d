package fakecph

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

type phonesAnswer struct {
	RequestID string      `json:"request_id"`
	Count     int         `json:"count"`
	Phones    []phoneJSON `json:"phones"`
}

func (f *fixture) listPhones(t *testing.T, query string) phonesAnswer {
	t.Helper()
	r := f.get(t, f.cph("phones"+query))
	if r.status != http.StatusOK {
		t.Fatalf("list phones%s: %d %s", query, r.status, r.body)
	}
	var a phonesAnswer
	r.decode(t, &a)
	if a.RequestID != r.header.Get("X-Request-Id") {
		t.Errorf("request_id %q, X-Request-Id %q", a.RequestID, r.header.Get("X-Request-Id"))
	}
	return a
}

func names(ps []phoneJSON) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, p.PhoneName)
	}
	return out
}

// phoneNames lists cph-phone-hi down to cph-phone-lo: newest first.
func phoneNames(hi, lo int) []string {
	out := []string{}
	for i := hi; i >= lo; i-- {
		out = append(out, fmt.Sprintf("cph-phone-%03d", i))
	}
	return out
}

func TestListPhonesPaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil) // 10 phones
	tests := map[string]struct {
		query string
		want  []string
	}{
		"defaults: all, newest first": {query: "", want: phoneNames(10, 1)},
		"first page":                  {query: "?limit=3", want: phoneNames(10, 8)},
		"middle page":                 {query: "?offset=3&limit=3", want: phoneNames(7, 5)},
		"last partial page":           {query: "?offset=9&limit=3", want: phoneNames(1, 1)},
		"exact multiple, last page":   {query: "?offset=5&limit=5", want: phoneNames(5, 1)},
		"exact multiple, past end":    {query: "?offset=10&limit=5", want: []string{}},
		"offset far past end":         {query: "?offset=1000", want: []string{}},
		"limit 1":                     {query: "?limit=1", want: phoneNames(10, 10)},
		"limit 200":                   {query: "?limit=200", want: phoneNames(10, 1)},
		"empty values are absent":     {query: "?offset=&limit=&status=&server_id=&type=", want: phoneNames(10, 1)},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := f.listPhones(t, tc.query)
			if a.Count != 10 {
				t.Errorf("count %d, want 10 (all matches, not the page)", a.Count)
			}
			if diff := cmp.Diff(tc.want, names(a.Phones)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestListPhonesLargePaging(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Phones = 250 })
	if got := len(f.listPhones(t, "").Phones); got != 100 {
		t.Errorf("default limit gave %d phones, want 100", got)
	}
	a := f.listPhones(t, "?limit=200")
	b := f.listPhones(t, "?offset=200&limit=200")
	if len(a.Phones) != 200 || len(b.Phones) != 50 || a.Count != 250 || b.Count != 250 {
		t.Fatalf("pages of %d and %d (counts %d, %d), want 200 and 50 (250)", len(a.Phones), len(b.Phones), a.Count, b.Count)
	}
	seen := map[string]bool{}
	for _, p := range append(a.Phones, b.Phones...) {
		if seen[p.PhoneID] {
			t.Fatalf("phone %s on two pages", p.PhoneID)
		}
		seen[p.PhoneID] = true
	}
}

func TestListPhonesFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	servers := f.svc.ServerIDs()
	frozen := f.phoneNamed(t, "cph-phone-004") // on server 1, out of the way of "combined"
	f.svc.SetPhoneStatus(frozen.PhoneID, StatusFrozen)
	tests := map[string]struct {
		query     string
		wantNames []string
	}{
		// Phone i (1-based) lives on server (i-1) % 2.
		"server 0":              {query: "?server_id=" + servers[0], wantNames: []string{"cph-phone-009", "cph-phone-007", "cph-phone-005", "cph-phone-003", "cph-phone-001"}},
		"server 1, paged":       {query: "?server_id=" + servers[1] + "&offset=1&limit=2", wantNames: []string{"cph-phone-008", "cph-phone-006"}},
		"unknown server":        {query: "?server_id=" + strings.Repeat("0", 32), wantNames: []string{}},
		"status frozen":         {query: "?status=6", wantNames: []string{frozen.PhoneName}},
		"status resetting":      {query: "?status=3", wantNames: []string{}},
		"name exact":            {query: "?phone_name=cph-phone-004", wantNames: []string{"cph-phone-004"}},
		"name fuzzy":            {query: "?phone_name=phone-01", wantNames: []string{"cph-phone-010"}},
		"name case-insensitive": {query: "?phone_name=PHONE-00", wantNames: phoneNames(9, 1)},
		"name no match":         {query: "?phone_name=nothing", wantNames: []string{}},
		"type 0":                {query: "?type=0&limit=2", wantNames: phoneNames(10, 9)},
		"type 1":                {query: "?type=1", wantNames: []string{}},
		"combined":              {query: "?server_id=" + servers[0] + "&phone_name=00&status=2&limit=2", wantNames: []string{"cph-phone-009", "cph-phone-007"}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a := f.listPhones(t, tc.query)
			if diff := cmp.Diff(tc.wantNames, names(a.Phones)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
	// count is the number of matches, not of the page.
	if a := f.listPhones(t, "?server_id="+servers[1]+"&limit=1"); a.Count != 5 || len(a.Phones) != 1 {
		t.Errorf("count %d with %d phones, want 5 with 1", a.Count, len(a.Phones))
	}
}

func TestListPhonesErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	tests := map[string]struct {
		query string
		code  string
	}{
		"limit 0":            {"?limit=0", "CPS.0002"},
		"limit 201":          {"?limit=201", "CPS.0002"},
		"limit negative":     {"?limit=-1", "CPS.0002"},
		"limit not a number": {"?limit=ten", "CPS.0002"},
		"offset negative":    {"?offset=-1", "CPS.0002"},
		"offset not a num":   {"?offset=1.5", "CPS.0002"},
		"server_id short":    {"?server_id=abc", "CPS.0016"},
		"server_id upper":    {"?server_id=" + strings.Repeat("A", 32), "CPS.0016"},
		"status not a num":   {"?status=running", "CPS.0010"},
		"status unknown":     {"?status=5", "CPS.0010"},
		"type not a number":  {"?type=x", "CPS.0002"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f.get(t, f.cph("phones"+tc.query)).wantErr(t, http.StatusBadRequest, tc.code)
		})
	}
}

func TestShowPhone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	id := f.svc.PhoneIDs()[3]
	p, _ := f.svc.Phone(id)
	got := f.showPhone(t, id)
	if got.RequestID == "" {
		t.Error("no request_id")
	}
	want := phoneJSON{
		PhoneName: p.PhoneName, ServerID: p.ServerID, PhoneID: id, PhoneModelName: "rx1.cp.c15.d46.e1v1",
		ImageID: f.svc.ImageIDs()[0], ImageVersion: "CPH-1.0.0", VncEnable: "true", Status: 2, IMEI: p.IMEI,
		TrafficType: "routing", AvailabilityZone: "cn-north-4a", Metadata: map[string]string{"order_id": "", "product_id": ""},
		CreateTime: p.CreateTime.Format(cphTimeFormat), UpdateTime: p.CreateTime.Format(cphTimeFormat),
	}
	if diff := cmp.Diff(want, got.phoneJSON); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got.Property != "" || len(got.AccessInfos) != 1 {
		t.Errorf("property %q, access_infos %v: want none set, one access info", got.Property, got.AccessInfos)
	}
	if _, err := time.Parse(time.RFC3339, got.CreateTime); err != nil {
		t.Errorf("create_time: %v", err)
	}

	t.Run("malformed id", func(t *testing.T) {
		t.Parallel()
		for _, bad := range []string{"abc", strings.ToUpper(id), id + "0", "batch-reset"} {
			f.get(t, f.cph("phones/"+bad)).wantErr(t, http.StatusBadRequest, "CPS.0004")
		}
	})
	t.Run("unknown id", func(t *testing.T) {
		t.Parallel()
		f.get(t, f.cph("phones/"+strings.Repeat("0", 32))).wantErr(t, http.StatusBadRequest, "CPS.0005")
	})
}

func TestSetPhoneStatus(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	id := f.svc.PhoneIDs()[0]
	f.clock.Advance(time.Minute)
	f.svc.SetPhoneStatus(id, StatusAbnormal)
	f.svc.SetPhoneStatus(strings.Repeat("0", 32), StatusAbnormal) // ignored
	got := f.showPhone(t, id)
	if got.Status != StatusAbnormal || got.UpdateTime != t0.Add(time.Minute).Format(cphTimeFormat) {
		t.Errorf("status %d, update_time %s", got.Status, got.UpdateTime)
	}
	if _, ok := f.svc.Phone(strings.Repeat("0", 32)); ok {
		t.Error("Phone found an unknown ID")
	}
}

func (f *fixture) phoneNamed(t *testing.T, name string) Phone {
	t.Helper()
	for _, id := range f.svc.PhoneIDs() {
		if p, _ := f.svc.Phone(id); p.PhoneName == name {
			return p
		}
	}
	t.Fatalf("no phone named %s", name)
	return Phone{}
}
