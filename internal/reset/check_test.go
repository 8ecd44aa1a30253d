package reset

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// project returns n running phones, listed in order, with IDs p(0)...
func project(n int) []cph.Phone {
	out := make([]cph.Phone, n)
	for i := range out {
		out[i] = cph.Phone{PhoneID: p(i), Status: cph.PhoneStatusRunning}
	}
	return out
}

func p(i int) string { return fmt.Sprintf("%032x", i) }

func TestCheckUsesTheFewestCalls(t *testing.T) {
	t.Parallel()
	size := cph.PhonesPageSize
	for name, tc := range map[string]struct {
		project int
		check   []string
		calls   int
	}{
		"on the first page":                {3 * size, []string{p(0), p(size - 1)}, 1},
		"one phone on a later page":        {30 * size, []string{p(20 * size)}, 1},               // show, no listing
		"two phones on a later page":       {30 * size, []string{p(20 * size), p(21 * size)}, 3}, // list, show, show
		"many phones on later pages":       {3 * size, []string{p(size), p(size + 1), p(2 * size), p(2*size + 1)}, 3},
		"a small project":                  {5, []string{p(4)}, 1},
		"a missing phone in a big project": {30 * size, []string{"f" + p(0)[1:]}, 1},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI()
			api.phones = project(tc.project)
			if _, err := engine(api, 0).Check(context.Background(), tc.check, ""); err != nil {
				t.Fatal(err)
			}
			if len(api.phoneCalls) != tc.calls {
				t.Fatalf("calls = %v, want %d", api.phoneCalls, tc.calls)
			}
		})
	}
}

func TestCheckReportsMissingAndUnresettablePhones(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.phones = project(2*cph.PhonesPageSize + 7)
	api.phones[1].Status = 6                     // frozen
	api.phones[cph.PhonesPageSize+3].Status = 7  // shutting down
	api.phones[cph.PhonesPageSize+4].Status = -5 // reset failed: resettable
	missing := "f" + p(0)[1:]
	res, err := engine(api, 0).Check(context.Background(),
		[]string{p(0), p(1), p(cph.PhonesPageSize + 3), p(cph.PhonesPageSize + 4), missing}, "")
	if err != nil {
		t.Fatal(err)
	}
	got := res.Problems
	want := []Problem{
		{PhoneID: p(1), Status: cph.PhoneStatusOf(6)},
		{PhoneID: p(cph.PhonesPageSize + 3), Status: cph.PhoneStatusOf(7)},
		{PhoneID: missing, Missing: true},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("problems (-want +got):\n%s", diff)
	}
}

func TestCheckImage(t *testing.T) {
	t.Parallel()
	api := newFakeAPI()
	api.phones = project(3)
	api.images = []cph.Image{{ImageID: "img1"}, {ImageID: "img2"}}
	e := engine(api, 0)
	for image, missing := range map[string]bool{"img2": false, "img9": true} {
		res, err := e.Check(context.Background(), []string{p(0)}, image)
		if err != nil || res.ImageMissing != missing {
			t.Errorf("image %s: %+v, %v; want missing=%v", image, res, err, missing)
		}
	}
	api.phoneCalls = nil
	if _, err := e.Check(context.Background(), []string{p(0)}, ""); err != nil || len(api.phoneCalls) != 1 {
		t.Errorf("without an image: calls %v, %v; want the one phone listing", api.phoneCalls, err)
	}
}
