package cph

// The API calls. Paths and fields: ../shared/reference/cph-api.md.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

const (
	// JobsPageSize is the page size ListJobsByRequest asks for (the API's maximum).
	JobsPageSize = 100
	// PhonesPageSize is the page size ListAllPhones asks for: the API
	// reference allows 1 to 200, Huawei's official SDK 1 to 100; 100 is
	// valid under both.
	PhonesPageSize = 100
	// maxPages stops a paging loop against a service that never ends a list.
	maxPages = 10000
)

func (c *Client) cph(method string, path ...string) request {
	return request{
		method:  method,
		base:    c.s.endpoint,
		path:    append([]string{"v1", c.projectID, "cloud-phone"}, path...),
		project: true,
	}
}

// BatchReset sends one batch-reset request. It is re-sent only when the
// service provably did not act on it (throttled with 429, or no connection
// was made). Every error is exactly one of (see the package doc):
//
//   - *NotSentError: nothing reached the service (invalid request, refused
//     connection, DNS, TLS, failed IAM login, cancelled before connecting);
//   - *APIError: the service or its gateway refused the whole request with a
//     4xx (after the one re-login on 401, after the retries on 429);
//   - *UncertainError: it may have reached the service and no usable answer
//     came back (5xx, timeout or cancellation after connecting, dropped
//     connection, unreadable answer).
//
// A 200 answer may still carry rejected phones: check every PhoneJob.
func (c *Client) BatchReset(ctx context.Context, in BatchResetRequest) (*BatchResetResponse, error) {
	r := c.cph(http.MethodPost, "phones", "batch-reset")
	notSent := func(err error) error {
		return &NotSentError{Method: r.method, Path: r.url().Path, Err: err}
	}
	if len(in.Phones) == 0 {
		return nil, notSent(errors.New("batch reset: no phones"))
	}
	for _, p := range in.Phones {
		if p.PhoneID == "" {
			return nil, notSent(errors.New("batch reset: a phone ID is empty"))
		}
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, notSent(fmt.Errorf("batch reset: encode request: %w", err))
	}
	r.body = body
	r.nonIdempotent = true
	var out BatchResetResponse
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ShowJob returns one job. Its RequestID is the ID of this query, not of the
// request that created the job.
func (c *Client) ShowJob(ctx context.Context, jobID string) (*Job, error) {
	if jobID == "" {
		return nil, errors.New("show job: the job ID is empty")
	}
	var out Job
	if err := c.call(ctx, c.cph(http.MethodGet, "jobs", jobID), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListJobs returns one page of the jobs created by up to
// MaxRequestIDsPerJobList requests.
func (c *Client) ListJobs(ctx context.Context, in ListJobsInput) (*ListJobsOutput, error) {
	if len(in.RequestIDs) == 0 || len(in.RequestIDs) > MaxRequestIDsPerJobList {
		return nil, fmt.Errorf("list jobs: give 1 to %d request IDs, got %d", MaxRequestIDsPerJobList, len(in.RequestIDs))
	}
	for _, id := range in.RequestIDs {
		if id == "" || strings.Contains(id, ",") {
			return nil, fmt.Errorf("list jobs: invalid request ID %q", id)
		}
	}
	if in.Offset < 0 || in.Limit < 0 || in.Limit > JobsPageSize {
		return nil, fmt.Errorf("list jobs: offset must be 0 or more and limit 1 to %d", JobsPageSize)
	}
	r := c.cph(http.MethodGet, "jobs")
	r.query = url.Values{"request_ids": {strings.Join(in.RequestIDs, ",")}, "offset": {strconv.Itoa(in.Offset)}}
	if in.Limit > 0 {
		r.query.Set("limit", strconv.Itoa(in.Limit))
	}
	var out ListJobsOutput
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListJobsByRequest returns every job created by the given requests (IDs
// de-duplicated, empty ones ignored), asking for up to
// MaxRequestIDsPerJobList requests and JobsPageSize jobs per call. Jobs are
// returned once each, in the order listed.
func (c *Client) ListJobsByRequest(ctx context.Context, requestIDs []string) ([]Job, error) {
	ids := dedup(requestIDs)
	var jobs []Job
	seen := make(map[string]bool)
	for start := 0; start < len(ids); start += MaxRequestIDsPerJobList {
		chunk := ids[start:min(start+MaxRequestIDsPerJobList, len(ids))]
		offset := 0
		for page := 0; ; page++ {
			if page == maxPages {
				return nil, fmt.Errorf("list jobs: more than %d pages; giving up", maxPages)
			}
			out, err := c.ListJobs(ctx, ListJobsInput{RequestIDs: chunk, Offset: offset, Limit: JobsPageSize})
			if err != nil {
				return nil, err
			}
			for _, j := range out.Jobs {
				if j.JobID != "" {
					if seen[j.JobID] {
						continue
					}
					seen[j.JobID] = true
				}
				jobs = append(jobs, j)
			}
			if len(out.Jobs) < JobsPageSize {
				break
			}
			offset += len(out.Jobs)
		}
	}
	return jobs, nil
}

// ListPhones returns one page of phones (newest first).
func (c *Client) ListPhones(ctx context.Context, in ListPhonesInput) (*ListPhonesOutput, error) {
	if in.Offset < 0 || in.Limit < 0 || in.Limit > PhonesPageSize {
		return nil, fmt.Errorf("list phones: offset must be 0 or more and limit 1 to %d", PhonesPageSize)
	}
	r := c.cph(http.MethodGet, "phones")
	q := url.Values{"offset": {strconv.Itoa(in.Offset)}}
	if in.Limit > 0 {
		q.Set("limit", strconv.Itoa(in.Limit))
	}
	if in.ServerID != "" {
		q.Set("server_id", in.ServerID)
	}
	if in.Status != nil {
		q.Set("status", strconv.Itoa(*in.Status))
	}
	if in.PhoneName != "" {
		q.Set("phone_name", in.PhoneName)
	}
	if in.Type != nil {
		q.Set("type", strconv.Itoa(*in.Type))
	}
	r.query = q
	var out ListPhonesOutput
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListAllPhones returns every phone matching the filter, following pages of
// PhonesPageSize until the reported count is reached or a page is short
// (in.Offset and in.Limit are ignored). A phone listed twice because the
// list shifted between pages is returned once.
func (c *Client) ListAllPhones(ctx context.Context, in ListPhonesInput) ([]Phone, error) {
	in.Offset, in.Limit = 0, PhonesPageSize
	var phones []Phone
	seen := make(map[string]bool)
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, fmt.Errorf("list phones: more than %d pages; giving up", maxPages)
		}
		out, err := c.ListPhones(ctx, in)
		if err != nil {
			return nil, err
		}
		for _, p := range out.Phones {
			if seen[p.PhoneID] {
				continue
			}
			seen[p.PhoneID] = true
			phones = append(phones, p)
		}
		in.Offset += len(out.Phones)
		if len(out.Phones) < PhonesPageSize || (out.Count > 0 && in.Offset >= out.Count) {
			return phones, nil
		}
	}
}

// ShowPhone returns one phone with its last applied property.
func (c *Client) ShowPhone(ctx context.Context, phoneID string) (*Phone, error) {
	if phoneID == "" {
		return nil, errors.New("show phone: the phone ID is empty")
	}
	var out Phone
	if err := c.call(ctx, c.cph(http.MethodGet, "phones", phoneID), &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// ListProjects lists the IAM projects named name (all projects when name is
// empty): GET {iam}/v3/projects?name=<name>.
func (c *Client) ListProjects(ctx context.Context, name string) ([]Project, error) {
	r := request{method: http.MethodGet, base: c.s.iamEndpoint, path: []string{"v3", "projects"}}
	if name != "" {
		r.query = url.Values{"name": {name}}
	}
	var out struct {
		Projects []Project `json:"projects"`
	}
	if err := c.call(ctx, r, &out); err != nil {
		return nil, err
	}
	return out.Projects, nil
}

func dedup(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if id == "" || seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
	}
	return out
}
