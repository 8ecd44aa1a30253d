package fakecph

import (
	"fmt"
	"net/http"
)

// Image visibility (is_public) and the image_type values of list-images.
const (
	ImagePublic  = 1
	ImagePrivate = 2
)

// Image is a snapshot of one phone image. Seed image i is Huawei's public
// image when i%3 == 0, the account's own private image when i%3 == 1, and a
// private image another account shares with it when i%3 == 2; its name is
// "cph-image-<i+1, two digits>".
type Image struct {
	ImageID, ImageName, OSType, OSName, ImageLabel string
	IsPublic                                       int
	Shared                                         bool // shared by another account (image_type=share)
}

func (s *Service) image(i int) Image {
	img := Image{
		ImageID: s.images[i], ImageName: fmt.Sprintf("cph-image-%02d", i+1),
		OSType: "Android", OSName: fmt.Sprintf("Android %d", 10+i%3), ImageLabel: "cloudphone",
		IsPublic: ImagePrivate,
	}
	switch i % 3 {
	case 0:
		img.IsPublic = ImagePublic
	case 2:
		img.Shared = true
	}
	return img
}

// Images returns every image, in seed order.
func (s *Service) Images() []Image {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Image, len(s.images))
	for i := range s.images {
		out[i] = s.image(i)
	}
	return out
}

// imageJSON is an image in GET phone-images, with the fields of Huawei's
// SDK model.
type imageJSON struct {
	ImageID          string `json:"image_id"`
	ImageName        string `json:"image_name"`
	OSType           string `json:"os_type"`
	OSName           string `json:"os_name"`
	IsPublic         int    `json:"is_public"`
	ImageLabel       string `json:"image_label"`
	IsSupportEncrypt bool   `json:"is_support_encrypt"`
}

// listImages is GET phone-images?image_type=public|private|share|all. The
// reference is silent on a missing image_type; the fake takes it as all.
// Any other value is 400 CPS.0002. The list is not paged.
func (s *Service) listImages(c *call) {
	typ := c.r.URL.Query().Get("image_type")
	if typ == "" {
		typ = "all"
	}
	if typ != "public" && typ != "private" && typ != "share" && typ != "all" {
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: image_type is invalid.")
		return
	}
	out := []imageJSON{}
	for _, img := range s.Images() {
		switch {
		case typ == "public" && img.IsPublic != ImagePublic,
			typ == "private" && (img.IsPublic != ImagePrivate || img.Shared),
			typ == "share" && !img.Shared:
			continue
		}
		out = append(out, imageJSON{ImageID: img.ImageID, ImageName: img.ImageName, OSType: img.OSType,
			OSName: img.OSName, IsPublic: img.IsPublic, ImageLabel: img.ImageLabel})
	}
	c.json(http.StatusOK, map[string]any{"request_id": c.rid, "phone_images": out})
}
