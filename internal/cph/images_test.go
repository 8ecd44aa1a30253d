package cph

import (
	"context"
	"net/http"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListImages(t *testing.T) {
	t.Parallel()
	var got []string
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || r.URL.Path != cphPath("phone-images") {
			t.Errorf("%s %s", r.Method, r.URL.Path)
		}
		got = append(got, r.URL.RawQuery)
		writeJSON(w, 200, map[string]any{"request_id": "r1", "phone_images": []map[string]any{
			{"image_id": "i1", "image_name": "android-10", "os_type": "Android", "os_name": "Android 10",
				"is_public": 1, "image_label": "cloudphone", "is_support_encrypt": false},
		}})
	})
	c := mustNew(t, testConfig(srv, TokenCredentials{Token: "tok"}))
	images, err := c.ListImages(context.Background(), "share")
	if err != nil {
		t.Fatal(err)
	}
	want := []Image{{ImageID: "i1", ImageName: "android-10", OSType: "Android", OSName: "Android 10", IsPublic: ImagePublic, ImageLabel: "cloudphone"}}
	if diff := cmp.Diff(want, images); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"image_type=share"}, got); diff != "" {
		t.Errorf("queries (-want +got):\n%s", diff)
	}
}

func TestListImagesRefusesUnknownType(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(http.ResponseWriter, *http.Request) { t.Error("no call expected") })
	c := mustNew(t, testConfig(srv, TokenCredentials{Token: "tok"}))
	if _, err := c.ListImages(context.Background(), "mine"); err == nil {
		t.Error("no error for image type mine")
	}
}

func TestIsID(t *testing.T) {
	t.Parallel()
	for id, want := range map[string]bool{
		"0123456789abcdef0123456789abcdef":  true,
		"0123456789ABCDEF0123456789ABCDEF":  false,
		"0123456789abcdef0123456789abcde":   false,
		"0123456789abcdef0123456789abcdef0": false,
		"":                                  false,
	} {
		if IsID(id) != want {
			t.Errorf("IsID(%q) = %v, want %v", id, !want, want)
		}
	}
}
