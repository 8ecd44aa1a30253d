package cph

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// script answers the n-th request (1-based) of a test server.
type script func(w http.ResponseWriter, r *http.Request, n int)

func statuses(codes ...int) script {
	return func(w http.ResponseWriter, r *http.Request, n int) {
		code := codes[min(n, len(codes))-1]
		switch {
		case code == 200 && r.Method == http.MethodPost:
			writeJSON(w, 200, resetOK)
		case code == 200:
			writeJSON(w, 200, map[string]any{"phone_id": "p1", "status": 2})
		case code == 429:
			writeError(w, 429, "APIG.0308", "throttled")
		default:
			writeError(w, code, "CPS.0003", "error")
		}
	}
}

// blockUntilClientGivesUp reads the request and answers only once the client
// has closed the connection (or after a long bound, so a broken test cannot
// hang).
func blockUntilClientGivesUp(_ http.ResponseWriter, r *http.Request, _ int) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}

func hijackClose(w http.ResponseWriter, _ *http.Request, _ int) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestRetryPolicy(t *testing.T) {
	t.Parallel()
	type want struct {
		requests  int
		ok        bool
		uncertain bool
		status    int // of the *APIError, when one is expected
	}
	tests := map[string]struct {
		post       bool
		maxRetries int
		timeout    time.Duration
		script     script
		want       want
	}{
		"GET retried on 5xx":            {maxRetries: 3, script: statuses(503, 500, 200), want: want{requests: 3, ok: true}},
		"GET retried on 429":            {maxRetries: 3, script: statuses(429, 429, 200), want: want{requests: 3, ok: true}},
		"GET gives up after MaxRetries": {maxRetries: 2, script: statuses(500), want: want{requests: 3, status: 500}},
		"GET not retried with 0":        {maxRetries: 0, script: statuses(503, 200), want: want{requests: 1, status: 503}},
		"GET not retried on 404":        {maxRetries: 3, script: statuses(404, 200), want: want{requests: 1, status: 404}},
		"GET not retried on 501":        {maxRetries: 3, script: statuses(501, 200), want: want{requests: 1, status: 501}},
		"GET retried after dropped conn": {maxRetries: 3, script: func(w http.ResponseWriter, r *http.Request, n int) {
			if n == 1 {
				hijackClose(w, r, n)
			} else {
				statuses(200)(w, r, 1)
			}
		}, want: want{requests: 2, ok: true}},
		"POST not re-sent after 500":     {post: true, maxRetries: 3, script: statuses(500, 200), want: want{requests: 1, uncertain: true, status: 500}},
		"POST not re-sent after 503":     {post: true, maxRetries: 3, script: statuses(503, 200), want: want{requests: 1, uncertain: true, status: 503}},
		"POST not re-sent after hijack":  {post: true, maxRetries: 3, script: hijackClose, want: want{requests: 1, uncertain: true}},
		"POST not re-sent after timeout": {post: true, maxRetries: 3, timeout: 50 * time.Millisecond, script: blockUntilClientGivesUp, want: want{requests: 1, uncertain: true}},
		"POST throttled is retried":      {post: true, maxRetries: 3, script: statuses(429, 200), want: want{requests: 2, ok: true}},
		"POST throttled to the end":      {post: true, maxRetries: 2, script: statuses(429), want: want{requests: 3, status: 429}},
		"POST 400 is final and certain":  {post: true, maxRetries: 3, script: statuses(400, 200), want: want{requests: 1, status: 400}},
		"POST garbage 200 is uncertain": {post: true, maxRetries: 3, script: func(w http.ResponseWriter, _ *http.Request, _ int) {
			w.WriteHeader(200)
			_, _ = w.Write([]byte("{not json"))
		}, want: want{requests: 1, uncertain: true}},
		"POST throttled then 500 uncertain": {post: true, maxRetries: 3, script: statuses(429, 500, 200), want: want{requests: 2, uncertain: true, status: 500}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var n atomic.Int32
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				tc.script(w, r, int(n.Add(1)))
			})
			cfg := testConfig(srv, TokenCredentials{Token: "tok"})
			cfg.MaxRetries = tc.maxRetries
			cfg.RequestTimeout = tc.timeout
			c := mustNew(t, cfg)
			var err error
			if tc.post {
				_, err = c.BatchReset(context.Background(), oneResetRequest())
			} else {
				_, err = c.ShowPhone(context.Background(), "p1")
			}
			if got := int(n.Load()); got != tc.want.requests {
				t.Errorf("server saw %d requests, want %d", got, tc.want.requests)
			}
			if tc.want.ok {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no error")
			}
			if got := IsUncertain(err); got != tc.want.uncertain {
				t.Errorf("IsUncertain = %v, want %v (err: %v)", got, tc.want.uncertain, err)
			}
			var apiErr *APIError
			if tc.want.status != 0 {
				if !errors.As(err, &apiErr) || apiErr.HTTPStatus != tc.want.status {
					t.Errorf("err = %v, want an *APIError with HTTP %d", err, tc.want.status)
				}
			} else if errors.As(err, &apiErr) {
				t.Errorf("err = %v, want a transport error", err)
			}
			path := cphPath("phones/p1")
			if tc.post {
				path = cphPath("phones/batch-reset")
			}
			if !strings.Contains(err.Error(), path) {
				t.Errorf("error %q does not name the path %s", err, path)
			}
		})
	}
}

// refusingDialer fails every dial as a refused connection and counts dials.
type refusingDialer struct{ dials atomic.Int32 }

func (d *refusingDialer) DialContext(_ context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	return nil, &net.OpError{Op: "dial", Net: network, Err: &net.AddrError{Err: syscall.ECONNREFUSED.Error(), Addr: addr}}
}

func TestRetryWhenConnectionRefused(t *testing.T) {
	t.Parallel()
	for _, post := range []bool{false, true} {
		name := map[bool]string{false: "GET", true: "POST"}[post]
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			d := &refusingDialer{}
			cfg := Config{
				Region: testRegion, ProjectID: testProjectID,
				Endpoint: "http://cph.invalid:1", IAMEndpoint: "http://iam.invalid:1",
				Credentials: TokenCredentials{Token: "tok"},
				MaxRetries:  2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
				HTTPClient: &http.Client{Transport: &http.Transport{DialContext: d.DialContext}},
			}
			c := mustNew(t, cfg)
			var err error
			if post {
				_, err = c.BatchReset(context.Background(), oneResetRequest())
			} else {
				_, err = c.ShowPhone(context.Background(), "p1")
			}
			if err == nil {
				t.Fatal("no error")
			}
			if IsUncertain(err) {
				t.Errorf("a request that never left is uncertain: %v", err)
			}
			if got := d.dials.Load(); got != 3 {
				t.Errorf("dials = %d, want 3 (1 + MaxRetries)", got)
			}
		})
	}
}

func TestRetryStopsWithContext(t *testing.T) {
	t.Parallel()
	var n atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	srv := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		if n.Add(1) == 2 {
			cancel()
		}
		writeError(w, 503, "CPS.0003", "busy")
	})
	cfg := testConfig(srv, TokenCredentials{Token: "tok"})
	cfg.MaxRetries = 50
	c := mustNew(t, cfg)
	_, err := c.ShowPhone(ctx, "p1")
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if got := n.Load(); got != 2 {
		t.Errorf("server saw %d requests, want 2", got)
	}

	// A throttled batch reset cancelled while waiting to retry was refused:
	// certain, not uncertain.
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	srv2 := newServer(t, func(w http.ResponseWriter, _ *http.Request) {
		writeError(w, 429, "APIG.0308", "throttled")
	})
	cfg2 := testConfig(srv2, TokenCredentials{Token: "tok"})
	cfg2.RetryWaitMin, cfg2.RetryWaitMax = time.Minute, time.Minute
	c2 := mustNew(t, cfg2)
	_, err = c2.BatchReset(ctx2, oneResetRequest())
	if !errors.Is(err, context.DeadlineExceeded) || IsUncertain(err) {
		t.Errorf("err = %v, want a certain error", err)
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	throttled := &http.Response{StatusCode: 429, Header: http.Header{}}
	withRetryAfter := &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {"3"}}}
	tests := map[string]struct {
		throttleMin, min, max time.Duration
		attempt               int
		resp                  *http.Response
		lo, hi                time.Duration
	}{
		"first attempt":           {time.Second, 10 * time.Millisecond, time.Second, 0, nil, 10 * time.Millisecond, 15 * time.Millisecond},
		"exponential":             {time.Second, 10 * time.Millisecond, time.Second, 3, nil, 80 * time.Millisecond, 120 * time.Millisecond},
		"capped":                  {time.Second, 10 * time.Millisecond, 50 * time.Millisecond, 10, nil, 50 * time.Millisecond, 50 * time.Millisecond},
		"throttled waits 2s":      {2 * time.Second, time.Second, 30 * time.Second, 0, throttled, 2 * time.Second, 3 * time.Second},
		"throttled, ms test wait": {time.Millisecond, time.Millisecond, 5 * time.Millisecond, 0, throttled, time.Millisecond, 2 * time.Millisecond},
		"retry-after honoured":    {2 * time.Second, time.Second, 30 * time.Second, 0, withRetryAfter, 3 * time.Second, 4500 * time.Millisecond},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := backoff(tc.throttleMin)
			for range 50 {
				if d := b(tc.min, tc.max, tc.attempt, tc.resp); d < tc.lo || d > tc.hi {
					t.Fatalf("backoff = %s, want within [%s, %s]", d, tc.lo, tc.hi)
				}
			}
		})
	}
}
