package fakecph

import (
	"maps"
	"net/http"
	"sort"
	"strings"
	"time"
)

// Job status values (cph-api.md "Jobs").
const (
	JobRunning   = 1
	JobSucceeded = 2
	JobFailed    = -1
)

// maxRequestIDs is how many request IDs one list-jobs call may name.
const maxRequestIDs = 20

// Job is a snapshot of one reset job.
type Job struct {
	JobID, RequestID, PhoneID, ServerID string
	Status                              int
	BeginTime                           time.Time
	EndTime                             time.Time // zero while running
	ErrorCode, ErrorMsg                 string
}

type jobState struct {
	Job
	seq    int       // creation order, for stable listings
	doneAt time.Time // when the job finishes: BeginTime + JobDuration
	fail   bool      // decided when the job started (FailResets)
	phone  *phoneState

	// What a successful reset applies.
	imageID      string            // "" keeps the phone's image
	props        map[string]string // nil when the reset sets none
	factoryReset bool              // clear earlier properties first
}

// FailResets makes every reset of these phones accepted from now on end
// with job status -1 and leave the phone in status -5 (reset failed).
// Resets already running are not affected.
func (s *Service) FailResets(phoneIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range phoneIDs {
		s.failing[id] = true
	}
}

// RejectResets makes every reset of these phones from now on refused inside
// the 200 answer with the given error code and message, as the service does
// for phones it cannot reset (e.g. CPS.0022), while other phones of the same
// request are reset.
func (s *Service) RejectResets(code, msg string, phoneIDs ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range phoneIDs {
		s.refusing[id] = resetEntry{PhoneID: id, ErrorCode: code, ErrorMsg: msg}
	}
}

// ClearFailures undoes FailResets and RejectResets for future resets.
func (s *Service) ClearFailures() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.failing)
	clear(s.refusing)
}

// Job returns a copy of a job as the API would show it now.
func (s *Service) Job(id string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.clock.Now())
	j, ok := s.jobs[id]
	if !ok {
		return Job{}, false
	}
	return j.Job, true
}

// settle finishes every job whose time has come. Progress is computed
// here, lazily, whenever state is read: nothing runs in the background, so
// an injected clock fully controls it. Callers hold s.mu.
func (s *Service) settle(now time.Time) {
	kept := s.pending[:0]
	for _, j := range s.pending {
		if now.Before(j.doneAt) {
			kept = append(kept, j)
			continue
		}
		s.finish(j)
	}
	clear(s.pending[len(kept):]) // let finished jobs' memory go
	s.pending = kept
}

func (s *Service) finish(j *jobState) {
	j.EndTime = j.doneAt
	p := j.phone
	if j.fail {
		j.Status = JobFailed
		j.ErrorCode, j.ErrorMsg = "CPS.0003", "Service internal error: the phone could not be reset."
	} else {
		j.Status = JobSucceeded
	}
	p.active = nil // a phone runs one reset at a time, so it is this one
	p.UpdateTime = j.doneAt.UTC()
	if j.fail {
		p.Status = StatusResetFailed
		return
	}
	p.Status = StatusRunning
	if j.imageID != "" {
		p.ImageID, p.ImageVersion = j.imageID, s.imageVersion(j.imageID)
	}
	if j.factoryReset {
		p.props = map[string]string{}
	}
	maps.Copy(p.props, j.props)
	p.Property = encodeProps(p.props)
}

// jobJSON is a job as show-job and list-jobs return it. request_id is the
// batch-reset request that created the job (the key list-jobs searches by);
// the X-Request-Id header carries the ID of the call itself.
type jobJSON struct {
	RequestID  string `json:"request_id"`
	JobID      string `json:"job_id"`
	PhoneID    string `json:"phone_id"`
	ServerID   string `json:"server_id"`
	Status     int    `json:"status"`
	BeginTime  string `json:"begin_time"`
	EndTime    string `json:"end_time"` // "" while running
	ErrorCode  string `json:"error_code"`
	ErrorMsg   string `json:"error_msg"`
	ExecuteMsg string `json:"execute_msg"`
}

func (j *jobState) json() jobJSON {
	out := jobJSON{
		RequestID: j.RequestID, JobID: j.JobID, PhoneID: j.PhoneID, ServerID: j.ServerID, Status: j.Status,
		BeginTime: j.BeginTime.UTC().Format(cphTimeFormat), ErrorCode: j.ErrorCode, ErrorMsg: j.ErrorMsg,
	}
	if !j.EndTime.IsZero() {
		out.EndTime = j.EndTime.UTC().Format(cphTimeFormat)
	}
	if j.Status == JobSucceeded {
		out.ExecuteMsg = "reset succeeded"
	}
	return out
}

// showJob is GET jobs/{job_id}. The reference gives no code for an unknown
// job; the fake answers 404 with CPS.0002 (parameter invalid).
func (s *Service) showJob(c *call) {
	s.mu.Lock()
	s.settle(c.now)
	j, ok := s.jobs[c.route.id]
	var out jobJSON
	if ok {
		out = j.json()
	}
	s.mu.Unlock()
	if !ok {
		c.fail(http.StatusNotFound, "CPS.0002", "Parameter: job_id is invalid, the job is not found.")
		return
	}
	c.json(http.StatusOK, out)
}

// listJobs is GET jobs?request_id=R or ?request_ids=R1,R2 (both may be
// given; at most 20 distinct IDs), paged with offset and limit (1..100).
// Jobs come in creation order, so pages are stable.
func (s *Service) listJobs(c *call) {
	offset, limit, ok := pageParams(c, 100, 100)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	var ids []string
	seen := map[string]bool{}
	for _, id := range append([]string{q.Get("request_id")}, strings.Split(q.Get("request_ids"), ",")...) {
		id = strings.TrimSpace(id)
		if id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	switch {
	case len(ids) == 0:
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: request_id or request_ids is required.")
		return
	case len(ids) > maxRequestIDs:
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: request_ids may name at most 20 requests.")
		return
	}

	s.mu.Lock()
	s.settle(c.now)
	var match []*jobState
	for _, id := range ids {
		match = append(match, s.byReq[id]...)
	}
	sort.Slice(match, func(i, j int) bool { return match[i].seq < match[j].seq })
	from, to := page(len(match), offset, limit)
	out := make([]jobJSON, 0, to-from)
	for _, j := range match[from:to] {
		out = append(out, j.json())
	}
	s.mu.Unlock()

	c.json(http.StatusOK, map[string]any{"request_id": c.rid, "jobs": out})
}
