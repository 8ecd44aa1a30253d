package cph

// The API calls. Paths and fields: ../shared/reference/cph-api.md.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/sync/errgroup"
)

const (
	// JobsPageSize is the page size ListJobsByRequest asks for (the API's maximum).
	JobsPageSize = 100
	// PhonesPageSize is the page size phone listings ask for: the most the
	// API reference allows (limit 1 to 200). Huawei's official Go SDK
	// models the limit as 1 to 100, but that is the SDK's own check; pages
	// of 200 halve the calls of every listing (a 10,000-phone plan-time
	// check is 50 calls, not 100).
	PhonesPageSize = 200
	// PageConcurrency is the most pages of one listing fetched at once.
	PageConcurrency = 4
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
	return c.ListJobsOf(ctx, requestIDs, nil)
}

// ListJobsOf is ListJobsByRequest for requests whose number of jobs the
// caller may know (known[id]; the phones a batch-reset request accepted).
// The list-jobs answer has no count, so without it a page that comes back
// exactly full is followed by one more, usually empty; when every request
// of a chunk has a known count, the pages that count needs are all fetched,
// up to PageConcurrency at once, and no more unless the last one is full
// and a count was unknown.
func (c *Client) ListJobsOf(ctx context.Context, requestIDs []string, known map[string]int) ([]Job, error) {
	ids := dedup(requestIDs)
	type chunk struct {
		ids   []string
		pages [][]Job // in page order
		known bool
	}
	var chunks []*chunk
	for start := 0; start < len(ids); start += MaxRequestIDsPerJobList {
		ch := &chunk{ids: ids[start:min(start+MaxRequestIDsPerJobList, len(ids))], known: true}
		total := 0
		for _, id := range ch.ids {
			n := known[id]
			ch.known = ch.known && n > 0
			total += n
		}
		ch.pages = make([][]Job, max(1, (total+JobsPageSize-1)/JobsPageSize))
		if !ch.known {
			ch.pages = ch.pages[:1] // the first page, then one by one
		}
		chunks = append(chunks, ch)
	}
	page := func(ctx context.Context, ch *chunk, i int) error {
		out, err := c.ListJobs(ctx, ListJobsInput{RequestIDs: ch.ids, Offset: i * JobsPageSize, Limit: JobsPageSize})
		if err != nil {
			return err
		}
		ch.pages[i] = out.Jobs
		return nil
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(PageConcurrency)
	for _, ch := range chunks {
		for i := range ch.pages {
			g.Go(func() error { return page(gctx, ch, i) })
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	var jobs []Job
	seen := make(map[string]bool)
	for _, ch := range chunks {
		// Pages beyond the known count: one at a time while they come back full.
		for !ch.known && len(ch.pages[len(ch.pages)-1]) == JobsPageSize {
			if len(ch.pages) == maxPages {
				return nil, fmt.Errorf("list jobs: more than %d pages; giving up", maxPages)
			}
			ch.pages = append(ch.pages, nil)
			if err := page(ctx, ch, len(ch.pages)-1); err != nil {
				return nil, err
			}
		}
		for _, p := range ch.pages {
			for _, j := range p {
				if j.JobID != "" {
					if seen[j.JobID] {
						continue
					}
					seen[j.JobID] = true
				}
				jobs = append(jobs, j)
			}
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

// ListAllPhones returns every phone matching the filter (in.Offset and
// in.Limit are ignored): the first page of PhonesPageSize tells the count,
// the pages that count needs are then fetched up to PageConcurrency at
// once, and more one at a time only while the last comes back full and the
// count has grown. A phone listed twice because the list shifted between
// pages is returned once.
func (c *Client) ListAllPhones(ctx context.Context, in ListPhonesInput) ([]Phone, error) {
	in.Offset, in.Limit = 0, PhonesPageSize
	first, err := c.ListPhones(ctx, in)
	if err != nil {
		return nil, err
	}
	pages := [][]Phone{first.Phones}
	count := first.Count
	if len(first.Phones) == PhonesPageSize && count > PhonesPageSize {
		n := (count + PhonesPageSize - 1) / PhonesPageSize
		if n > maxPages {
			return nil, fmt.Errorf("list phones: more than %d pages; giving up", maxPages)
		}
		pages = append(pages, make([][]Phone, n-1)...)
		counts := make([]int, n)
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(PageConcurrency)
		for i := 1; i < n; i++ {
			g.Go(func() error {
				p := in
				p.Offset = i * PhonesPageSize
				out, err := c.ListPhones(gctx, p)
				if err != nil {
					return err
				}
				pages[i], counts[i] = out.Phones, out.Count
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		count = max(count, slices.Max(counts))
	}
	// One at a time past the first count: a service that reports no count
	// (0), or phones created while the list was read.
	for offset := len(pages) * PhonesPageSize; len(pages[len(pages)-1]) == PhonesPageSize && (count == 0 || offset < count); offset += PhonesPageSize {
		if len(pages) == maxPages {
			return nil, fmt.Errorf("list phones: more than %d pages; giving up", maxPages)
		}
		in.Offset = offset
		out, err := c.ListPhones(ctx, in)
		if err != nil {
			return nil, err
		}
		pages = append(pages, out.Phones)
		if count > 0 {
			count = max(count, out.Count)
		}
	}
	var phones []Phone
	seen := make(map[string]bool)
	for _, p := range pages {
		for _, ph := range p {
			if seen[ph.PhoneID] {
				continue
			}
			seen[ph.PhoneID] = true
			phones = append(phones, ph)
		}
	}
	return phones, nil
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
	if c.s.iamEndpoint == nil {
		return nil, errors.New("list IAM projects: no IAM endpoint is configured (set the IAM endpoint or the region)")
	}
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
