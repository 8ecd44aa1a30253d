package cph

// Retry policy. Reads (GET, and the idempotent IAM login) are retried on
// throttling, 5xx answers and transport errors. A batch reset is retried only
// when the service provably did not act on it: a 429 (the gateway throttled
// it) or no connection made. Anything else that may have reached the service
// (5xx, timeout, reset or closed connection) ends the call with *UncertainError.
//
// A policy only gives up with the context's error when it would otherwise
// retry: an answer that arrived as the context ended is still used.

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptrace"
	"regexp"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// newRetryClient wraps hc with retries following policy.
func newRetryClient(hc *http.Client, s *settings, policy retryablehttp.CheckRetry) *retryablehttp.Client {
	return &retryablehttp.Client{
		HTTPClient:   hc,
		Logger:       nil, // logging happens in loggingTransport and logRetry
		RetryWaitMin: s.waitMin,
		RetryWaitMax: s.waitMax,
		RetryMax:     s.maxRetries,
		CheckRetry:   policy,
		Backoff:      backoff(s.throttleWaitMin),
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		RequestLogHook: func(_ retryablehttp.Logger, req *http.Request, attempt int) {
			if attempt > 0 {
				tflog.Debug(req.Context(), "Retrying HTTP request", map[string]any{
					"http_method": req.Method, "http_url": req.URL.Redacted(), "attempt": attempt + 1,
				})
			}
		},
	}
}

// retryRead is the policy of idempotent requests.
func retryRead(ctx context.Context, resp *http.Response, err error) (bool, error) {
	var retry bool
	if err != nil {
		retry = !isPermanentTransportError(err)
	} else {
		retry = isThrottledStatus(resp.StatusCode) || isRetryableServerStatus(resp.StatusCode)
	}
	return retryUnlessDone(ctx, retry)
}

// retryNonIdempotent is the policy of a batch reset: retry only when the
// request certainly was not acted on (the sendTracker of the call knows).
func retryNonIdempotent(ctx context.Context, resp *http.Response, err error) (bool, error) {
	var retry bool
	if err != nil {
		notSent := neverSent(err)
		if tr := trackerFrom(ctx); tr != nil {
			notSent = !tr.maybeSent.Load()
		}
		retry = notSent && !isPermanentTransportError(err)
	} else {
		retry = isThrottledStatus(resp.StatusCode)
	}
	return retryUnlessDone(ctx, retry)
}

func retryUnlessDone(ctx context.Context, retry bool) (bool, error) {
	if !retry {
		return false, nil
	}
	if ctxErr := ctx.Err(); ctxErr != nil {
		return false, ctxErr
	}
	return true, nil
}

func isThrottledStatus(code int) bool { return code == http.StatusTooManyRequests }

func isRetryableServerStatus(code int) bool {
	return code >= 500 && code != http.StatusNotImplemented
}

var permanentErrorPattern = regexp.MustCompile(`unsupported protocol scheme|invalid header|stopped after \d+ redirects`)

// isPermanentTransportError reports errors that another attempt cannot fix.
func isPermanentTransportError(err error) bool {
	var authErr *authError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	switch {
	case errors.As(err, &authErr),
		errors.As(err, &unknownAuthority),
		errors.As(err, &hostnameErr),
		errors.As(err, &certInvalid),
		errors.As(err, &verifyErr):
		return true
	}
	return permanentErrorPattern.MatchString(err.Error())
}

// neverSent reports transport errors proving that no byte of the request
// reached the service: the connection (or the TLS handshake, or the proxy
// tunnel) could not be established.
func neverSent(err error) bool {
	var opErr *net.OpError
	if errors.As(err, &opErr) && (opErr.Op == "dial" || opErr.Op == "proxyconnect") {
		return true
	}
	var dnsErr *net.DNSError
	var recordErr tls.RecordHeaderError
	var authErr *authError
	return errors.As(err, &dnsErr) || errors.As(err, &recordErr) || errors.As(err, &authErr) ||
		isPermanentTransportError(err) && !permanentErrorPattern.MatchString(err.Error())
}

// backoff returns a jittered exponential backoff: attempt n waits between
// d and 1.5*d, where d = floor * 2^n capped at max, floor being the minimum
// wait (or, after a throttling answer, the throttling minimum or a
// Retry-After value when larger). The wait never exceeds max.
func backoff(throttleMin time.Duration) retryablehttp.Backoff {
	return func(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
		floor := minWait
		if resp != nil && isThrottledStatus(resp.StatusCode) {
			floor = max(floor, throttleMin)
			if ra, ok := retryAfter(resp); ok {
				floor = max(floor, ra)
			}
		}
		d := floor
		for i := 0; i < attempt && d < maxWait; i++ {
			d *= 2
		}
		d = min(d, maxWait)
		if half := int64(d / 2); half > 0 {
			d += time.Duration(rand.Int64N(half + 1))
		}
		return min(d, maxWait)
	}
}

// retryAfter parses a Retry-After header given in seconds (Huawei does not
// promise one; honour it when present).
func retryAfter(resp *http.Response) (time.Duration, bool) {
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	secs, err := strconv.Atoi(v)
	if err != nil || secs < 0 {
		return 0, false
	}
	return time.Duration(secs) * time.Second, true
}

// sendTracker records, for one non-idempotent call, whether the last attempt
// may have reached the service. It travels in the request context. Retries
// stop at the first attempt that may have reached it, so the last attempt
// speaks for the whole call.
type sendTracker struct{ maybeSent atomic.Bool }

type trackerKey struct{}

func withTracker(ctx context.Context) (context.Context, *sendTracker) {
	t := &sendTracker{}
	return context.WithValue(ctx, trackerKey{}, t), t
}

func trackerFrom(ctx context.Context) *sendTracker {
	t, _ := ctx.Value(trackerKey{}).(*sendTracker)
	return t
}

// trackingTransport feeds the sendTracker of the request, if any. It sits
// below the authentication layer, so it judges every attempt on the wire.
//
// An attempt that failed may have reached the service only if it got a
// connection: with an *http.Transport underneath (traced), httptrace's
// GotConn says so exactly, whatever the error (a context cancelled while
// dialling, a refused connection, a DNS or TLS failure never get one). Any
// other transport is judged by the error alone (neverSent). Even after a
// connection, an error proving the request was not written (a dial error
// of net/http's own retry on a fresh connection) counts as not sent.
type trackingTransport struct {
	next   http.RoundTripper
	traced bool
}

func (t trackingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tr := trackerFrom(req.Context())
	if tr == nil {
		return t.next.RoundTrip(req)
	}
	var connected atomic.Bool
	if t.traced {
		req = req.WithContext(httptrace.WithClientTrace(req.Context(), &httptrace.ClientTrace{
			GotConn: func(httptrace.GotConnInfo) { connected.Store(true) },
		}))
	}
	tr.maybeSent.Store(true)
	resp, err := t.next.RoundTrip(req)
	switch {
	case err != nil:
		tr.maybeSent.Store((connected.Load() || !t.traced) && !neverSent(err))
	case isThrottledStatus(resp.StatusCode) || resp.StatusCode == http.StatusUnauthorized:
		// Refused by the gateway before it reached the service.
		tr.maybeSent.Store(false)
	}
	return resp, err
}
