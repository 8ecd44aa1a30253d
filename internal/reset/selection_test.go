package reset

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

const (
	phoneA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	phoneB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	phoneC = "cccccccccccccccccccccccccccccccc"
)

func TestSelect(t *testing.T) {
	t.Parallel()
	base := Inputs{
		ImageID:    "img1",
		Properties: map[string]string{"common": "1"},
		Triggers:   map[string]string{"t": "1"},
		Phones:     map[string]map[string]string{phoneA: {}, phoneB: {"own": "x"}},
	}
	succeeded := map[string]Job{phoneA: {PhoneID: phoneA, Status: Succeeded}, phoneB: {PhoneID: phoneB, Status: Succeeded}}
	with := func(edit func(*Inputs)) Inputs {
		in := base
		in.Phones = map[string]map[string]string{}
		for k, v := range base.Phones {
			in.Phones[k] = v
		}
		edit(&in)
		return in
	}
	cases := map[string]struct {
		prior *Prior
		next  Inputs
		want  []string
	}{
		"create resets all":          {nil, base, []string{phoneA, phoneB}},
		"unchanged resets none":      {&Prior{Inputs: base, Jobs: succeeded}, base, nil},
		"image change resets all":    {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.ImageID = "img2" }), []string{phoneA, phoneB}},
		"factory flag resets all":    {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.FactoryReset = true }), []string{phoneA, phoneB}},
		"trigger change resets all":  {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.Triggers = map[string]string{"t": "2"} }), []string{phoneA, phoneB}},
		"common property resets all": {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.Properties = map[string]string{"common": "2"} }), []string{phoneA, phoneB}},
		"own property resets one":    {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.Phones[phoneB] = map[string]string{"own": "y"} }), []string{phoneB}},
		"own overriding common to same value resets none": {
			&Prior{Inputs: base, Jobs: succeeded},
			with(func(i *Inputs) { i.Phones[phoneA] = map[string]string{"common": "1"} }), nil,
		},
		"added phone resets it":     {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { i.Phones[phoneC] = nil }), []string{phoneC}},
		"removed phone resets none": {&Prior{Inputs: base, Jobs: succeeded}, with(func(i *Inputs) { delete(i.Phones, phoneB) }), nil},
		"failed and rejected retried": {
			&Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: Failed}, phoneB: {Status: Rejected}}}, base, []string{phoneA, phoneB},
		},
		"not sent retried, unknown left undecided": {
			&Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: NotSent}, phoneB: {Status: Unknown}}}, base, []string{phoneA},
		},
		"running not retried": {&Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: Running}, phoneB: {Status: Succeeded}}}, base, nil},
		"adopted keeps config": {
			&Prior{Inputs: Inputs{Phones: map[string]map[string]string{phoneA: {}, phoneB: {}}}, Jobs: map[string]Job{phoneA: {Status: Succeeded}, phoneB: {Status: Failed}}, Adopted: true},
			base, []string{phoneB},
		},
		"adopted resets unknown phones": {
			&Prior{Inputs: Inputs{Phones: map[string]map[string]string{phoneA: {}}}, Jobs: map[string]Job{phoneA: {Status: Succeeded}}, Adopted: true},
			base, []string{phoneB},
		},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, Select(tc.prior, tc.next).Phones); diff != "" {
				t.Fatalf("Select mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSelectSaysWhy(t *testing.T) {
	t.Parallel()
	base := Inputs{Phones: map[string]map[string]string{phoneA: {}, phoneB: {"k": "1"}, phoneC: {}}}
	next := Inputs{ImageID: "img2", Phones: base.Phones}
	prior := &Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: Succeeded}, phoneB: {Status: Succeeded}}}
	for name, tc := range map[string]struct {
		prior *Prior
		next  Inputs
		want  string
	}{
		"first apply": {nil, base, "3 of 3 phones: first apply of this resource"},
		"image":       {prior, next, "3 of 3 phones: image_id changed"},
		"image and triggers": {prior, Inputs{ImageID: "i", Triggers: map[string]string{"b": "1"}, Phones: base.Phones},
			"3 of 3 phones: image_id, triggers changed"},
		"mixed": {&Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: Failed}, phoneB: {Status: Succeeded}}},
			Inputs{Phones: map[string]map[string]string{phoneA: {}, phoneB: {"k": "2"}, phoneC: {}}},
			"3 of 3 phones: 1 new to this resource, 1 with changed properties, 1 retried because the last reset did not succeed"},
		"one of three": {&Prior{Inputs: base, Jobs: map[string]Job{phoneA: {Status: Succeeded}, phoneB: {Status: Succeeded}, phoneC: {Status: Succeeded}}},
			Inputs{Phones: map[string]map[string]string{phoneA: {}, phoneB: {"k": "2"}, phoneC: {}}}, "1 of 3 phones: 1 with changed properties"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Select(tc.prior, tc.next).Summary(len(tc.next.Phones)); got != tc.want {
				t.Fatalf("Summary = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestRequestIDsDistinctSorted(t *testing.T) {
	t.Parallel()
	got := RequestIDs(map[string]Job{
		phoneA: {RequestID: "r2"}, phoneB: {RequestID: "r1"}, phoneC: {RequestID: "r2"}, "d": {},
	})
	if diff := cmp.Diff([]string{"r1", "r2"}, got); diff != "" {
		t.Fatalf("RequestIDs mismatch (-want +got):\n%s", diff)
	}
}
