package cph

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
)

// ImageTypes are the values of list-images' image_type: the images of
// Huawei (public), the account's own (private), the ones other accounts
// share with it (share), or all of them.
var ImageTypes = []string{"public", "private", "share", "all"}

// Image visibility, the is_public field of an image.
const (
	ImagePublic  = 1
	ImagePrivate = 2
)

// Image is a phone image as list-images reports it.
type Image struct {
	ImageID    string `json:"image_id"`
	ImageName  string `json:"image_name"`
	OSType     string `json:"os_type,omitempty"`
	OSName     string `json:"os_name,omitempty"`
	IsPublic   int    `json:"is_public"` // ImagePublic or ImagePrivate
	ImageLabel string `json:"image_label,omitempty"`
}

// ListImages returns the phone images of one of ImageTypes:
// GET /v1/{project_id}/cloud-phone/phone-images?image_type=<type> (the
// official SDK's ListCloudPhoneImages). The API does not page this list.
func (c *Client) ListImages(ctx context.Context, imageType string) ([]Image, error) {
	if !slices.Contains(ImageTypes, imageType) {
		return nil, fmt.Errorf("list images: image type %q is not one of %v", imageType, ImageTypes)
	}
	r := c.cph(http.MethodGet, "phone-images")
	r.query = url.Values{"image_type": {imageType}}
	var out struct {
		RequestID string  `json:"request_id"`
		Images    []Image `json:"phone_images"`
	}
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.Images, nil
}
