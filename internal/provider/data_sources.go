package provider

// What the data sources share: the calls they make, their Configure, the ID
// validator and the renderings of the documented value tables.

import (
	"context"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// readAPI is what the data sources read from CPH. *cph.Client implements it.
type readAPI interface {
	ListAllPhones(ctx context.Context, in cph.ListPhonesInput) ([]cph.Phone, error)
	ShowPhone(ctx context.Context, phoneID string) (*cph.Phone, error)
	ListJobsByRequest(ctx context.Context, requestIDs []string) ([]cph.Job, error)
	ListImages(ctx context.Context, imageType string) ([]cph.Image, error)
}

var _ readAPI = (*cph.Client)(nil)

// configureDataSource returns the reads of a configured provider: nil (and
// no error) while the provider is not configured yet, as during validation.
func configureDataSource(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) readAPI {
	if data := providerDataFrom(req.ProviderData, &resp.Diagnostics); data != nil {
		return data.reads
	}
	return nil
}

// notConfigured is the error of a read before Configure ran.
const notConfigured = "The provider is not configured. Please report this issue to the provider developers."

// idValidator checks one CPH ID (phone, server, request...) at validate time.
func idValidator() validator.String {
	return stringvalidator.RegexMatches(cph.IDPattern, "must be "+cph.IDDescription)
}

// phoneStatusCodes are the documented phone statuses, for validators.
func phoneStatusCodes() []int64 {
	out := make([]int64, len(cph.PhoneStatuses))
	for i, s := range cph.PhoneStatuses {
		out[i] = int64(s.Code)
	}
	return out
}

// phoneStatusesMarkdown renders cph.PhoneStatuses, e.g. "`2` (running)".
func phoneStatusesMarkdown() string {
	parts := make([]string, len(cph.PhoneStatuses))
	for i, s := range cph.PhoneStatuses {
		parts[i] = fmt.Sprintf("`%d` (%s)", s.Code, s.Text)
	}
	return strings.Join(parts, ", ")
}

// phoneTypeCodes and phoneTypesMarkdown do the same for cph.PhoneTypes.
func phoneTypeCodes() []int64 {
	out := make([]int64, len(cph.PhoneTypes))
	for i, t := range cph.PhoneTypes {
		out[i] = int64(t.Code)
	}
	return out
}

func phoneTypesMarkdown() string {
	parts := make([]string, len(cph.PhoneTypes))
	for i, t := range cph.PhoneTypes {
		parts[i] = fmt.Sprintf("`%d` (%s)", t.Code, t.Text)
	}
	return strings.Join(parts, ", ")
}

// codeList renders values as Markdown code: `a`, `b`.
func codeList(values []string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = "`" + v + "`"
	}
	return strings.Join(parts, ", ")
}
