package fakecph

import (
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListImagesByType(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Images = 6 })
	ids := f.svc.ImageIDs()
	for typ, want := range map[string][]string{
		"":        ids,
		"all":     ids,
		"public":  {ids[0], ids[3]},
		"private": {ids[1], ids[4]},
		"share":   {ids[2], ids[5]},
	} {
		q := ""
		if typ != "" {
			q = "?image_type=" + typ
		}
		r := f.get(t, f.cph("phone-images"+q))
		if r.status != http.StatusOK {
			t.Fatalf("image_type %q: %d %s", typ, r.status, r.body)
		}
		var a struct {
			Images []imageJSON `json:"phone_images"`
		}
		r.decode(t, &a)
		var got []string
		for _, img := range a.Images {
			got = append(got, img.ImageID)
			if img.ImageName == "" || img.OSName == "" || (img.IsPublic != ImagePublic && img.IsPublic != ImagePrivate) {
				t.Errorf("image_type %q: incomplete image %+v", typ, img)
			}
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("image_type %q (-want +got):\n%s", typ, diff)
		}
	}
	if got := f.svc.Stats().CallCount(RouteListImages); got != 5 {
		t.Errorf("list_images calls = %d, want 5", got)
	}
}

func TestListImagesRefusesUnknownType(t *testing.T) {
	t.Parallel()
	f := newFixture(t, nil)
	f.get(t, f.cph("phone-images?image_type=mine")).wantErr(t, http.StatusBadRequest, "CPS.0002")
}

func TestListImagesEmpty(t *testing.T) {
	t.Parallel()
	f := newFixture(t, func(o *Options) { o.Images = -1 })
	r := f.get(t, f.cph("phone-images?image_type=all"))
	if r.status != http.StatusOK || string(r.body) != `{"phone_images":[],"request_id":"`+r.header.Get("X-Request-Id")+`"}`+"\n" {
		t.Errorf("%d %s", r.status, r.body)
	}
}
