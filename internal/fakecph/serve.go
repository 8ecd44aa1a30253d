package fakecph

import (
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Route names, the keys of Stats.Calls.
const (
	RouteBatchReset  = "batch_reset"
	RouteShowJob     = "show_job"
	RouteListJobs    = "list_jobs"
	RouteListPhones  = "list_phones"
	RouteShowPhone   = "show_phone"
	RouteListImages  = "list_images"
	RouteIAMTokens   = "iam_tokens"
	RouteIAMProjects = "iam_projects"
	// RouteUnknown counts requests for APIs the fake does not have.
	RouteUnknown = "unknown"
)

// StatusDropped is the status Stats.Calls records for a batch-reset whose
// connection was closed without an answer (Faults.DropResetResponses).
const StatusDropped = 0

// maxBody bounds what the fake reads of a request body; the real gateway
// also refuses huge bodies, and a test should never need more.
const maxBody = 8 << 20

// route is what the path and method name: the route and its path parameters.
type route struct {
	name    string
	cph     bool   // under /v1/{project_id}/cloud-phone/
	project string // the {project_id} in the path
	id      string // {phone_id} or {job_id}
}

// matchRoute maps a request to one of the fake's APIs. Like the real API
// gateway it matches method and path together: a known path with the wrong
// method is an unknown API too.
func matchRoute(method, path string) route {
	switch {
	case method == http.MethodPost && path == "/v3/auth/tokens":
		return route{name: RouteIAMTokens}
	case method == http.MethodGet && path == "/v3/projects":
		return route{name: RouteIAMProjects}
	}
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	if len(seg) < 4 || seg[0] != "v1" || seg[2] != "cloud-phone" || seg[1] == "" {
		return route{name: RouteUnknown}
	}
	rt := route{cph: true, project: seg[1]}
	rest := seg[3:]
	switch {
	case method == http.MethodPost && len(rest) == 2 && rest[0] == "phones" && rest[1] == "batch-reset":
		rt.name = RouteBatchReset
	case method == http.MethodGet && len(rest) == 1 && rest[0] == "phones":
		rt.name = RouteListPhones
	case method == http.MethodGet && len(rest) == 2 && rest[0] == "phones" && rest[1] != "":
		rt.name, rt.id = RouteShowPhone, rest[1]
	case method == http.MethodGet && len(rest) == 1 && rest[0] == "phone-images":
		rt.name = RouteListImages
	case method == http.MethodGet && len(rest) == 1 && rest[0] == "jobs":
		rt.name = RouteListJobs
	case method == http.MethodGet && len(rest) == 2 && rest[0] == "jobs" && rest[1] != "":
		rt.name, rt.id = RouteShowJob, rest[1]
	default:
		return route{name: RouteUnknown}
	}
	return rt
}

// call is one request being served.
type call struct {
	w     *recorder
	r     *http.Request
	rid   string
	route route
	body  []byte
	now   time.Time
	// counted records the call in Stats; drop calls it before closing the
	// connection, so a client that sees the close also sees the count.
	counted func()
}

// ServeHTTP serves IAM, CPH and the /_mock/ admin endpoints. Each API call
// passes, in order, the steps of the real path: added latency, the gateway
// (unknown API, throttling, authentication), the project check, then the
// service (injected read errors, the handler).
func (s *Service) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, adminPrefix) {
		s.serveAdmin(w, r)
		return
	}
	rt := matchRoute(r.Method, r.URL.Path)
	s.mu.Lock()
	rid := hexID(s.ids)
	latency := s.faults.Latency
	s.mu.Unlock()

	rec := &recorder{ResponseWriter: w}
	rec.Header().Set("X-Request-Id", rid)
	start := time.Now()
	var once sync.Once
	count := func() { once.Do(func() { s.countCall(rt.name, rec.status) }) }
	defer func() {
		count()
		if s.log != nil {
			status := strconv.Itoa(rec.status)
			if rec.status == StatusDropped {
				status = "dropped"
			}
			s.log.Printf("%s %s %s %v %s", r.Method, r.URL.RequestURI(), status, time.Since(start).Round(time.Microsecond), rid)
		}
	}()

	if latency > 0 && !wait(r, latency) {
		return // the client gave up; nothing to answer
	}
	c := &call{w: rec, r: r, rid: rid, route: rt, now: s.clock.Now(), counted: count}
	if rt.name == RouteUnknown {
		c.fail(http.StatusNotFound, "APIG.0101", "The API does not exist or has not been published in the environment")
		return
	}
	if s.throttle() {
		c.fail(http.StatusTooManyRequests, "APIG.0308", "The request is throttled, retry later")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil || len(body) > maxBody {
		c.fail(http.StatusBadRequest, "APIG.0201", "Request body could not be read or is too large")
		return
	}
	c.body = body
	if rt.name == RouteIAMTokens {
		s.iamTokens(c) // logging in is the one call that needs no credential
		return
	}
	who, e := s.authenticate(r, body, c.now)
	if e != nil {
		c.fail(e.status, e.code, e.msg)
		return
	}
	if rt.cph && (rt.project != s.projectID || who.project != rt.project) {
		// The credential is valid but not for the project named in the path;
		// the reference's code for that is CPS.0001 "no permission", and a
		// policy refusal is a 403.
		c.fail(http.StatusForbidden, "CPS.0001", "No permission to request resources: the project ID in the path is not the credential's project")
		return
	}
	if rt.cph && r.Method == http.MethodGet && s.readFails() {
		c.fail(http.StatusInternalServerError, "CPS.0003", "Service internal error.")
		return
	}
	switch rt.name {
	case RouteIAMProjects:
		s.iamProjects(c)
	case RouteBatchReset:
		s.batchReset(c)
	case RouteListPhones:
		s.listPhones(c)
	case RouteShowPhone:
		s.showPhone(c)
	case RouteListImages:
		s.listImages(c)
	case RouteListJobs:
		s.listJobs(c)
	case RouteShowJob:
		s.showJob(c)
	}
}

// wait holds the request for d of real time (latency is felt by the client,
// so the injected clock cannot stand in). It reports false when the client
// went away first.
func wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// json answers with v encoded as JSON.
func (c *call) json(status int, v any) {
	c.w.Header().Set("Content-Type", "application/json;charset=UTF-8")
	c.w.WriteHeader(status)
	_ = json.NewEncoder(c.w).Encode(v) // the client hung up; nothing to do
}

// apiError is the body of every gateway and CPH error.
type apiError struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

func (c *call) fail(status int, code, msg string) {
	c.json(status, apiError{ErrorCode: code, ErrorMsg: msg, RequestID: c.rid})
}

// recorder remembers the status written, for the call counters.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection underneath,
// through this and any wrapper a server adds (cmd/cph-mock logs through one).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// drop closes the connection without an answer, as a network failure after
// the service acted would. Where the connection cannot be hijacked (HTTP/2,
// a ResponseRecorder) it aborts the handler instead, which net/http turns
// into a reset stream or a closed connection.
func (c *call) drop() {
	if c.counted != nil {
		c.counted()
	}
	conn, _, err := http.NewResponseController(c.w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close() // the point is to close it; an error changes nothing
}
