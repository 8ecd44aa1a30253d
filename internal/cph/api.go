package cph

import "context"

// API is what the reset engine and the provider need from CPH. *Client
// implements it; tests substitute fakes.
type API interface {
	// BatchReset sends one batch-reset request. It is never re-sent once it
	// may have reached the service. Its errors are *NotSentError, *APIError
	// or *UncertainError (see the package doc); fakes must keep to that.
	BatchReset(ctx context.Context, req BatchResetRequest) (*BatchResetResponse, error)
	// ListJobsByRequest returns every job created by the given requests,
	// calling list-jobs with up to MaxRequestIDsPerJobList IDs and 100 jobs
	// per call, following pages.
	ListJobsByRequest(ctx context.Context, requestIDs []string) ([]Job, error)
	// ListAllPhones returns every phone matching the filter, following pages
	// of PhonesPageSize (in.Offset and in.Limit are ignored).
	ListAllPhones(ctx context.Context, in ListPhonesInput) ([]Phone, error)
	// ShowPhone returns one phone with its last applied property.
	ShowPhone(ctx context.Context, phoneID string) (*Phone, error)
}
