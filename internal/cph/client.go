package cph

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/hashicorp/go-retryablehttp"
)

// maxResponseBytes bounds the answer of one call.
const maxResponseBytes = 32 << 20

// Client calls the CPH and IAM APIs. It is safe for concurrent use.
type Client struct {
	s         *settings
	projectID string // set once in New

	reads  *retryablehttp.Client // authenticated, idempotent policy
	writes *retryablehttp.Client // authenticated, non-idempotent policy
	login  *retryablehttp.Client // unauthenticated IAM login, idempotent policy

	tokens *tokenSource // password credentials only
}

var _ API = (*Client)(nil)

// New validates cfg, builds the HTTP stack and, when cfg.ProjectID is empty,
// discovers the project of cfg.Region from IAM.
//
// The stack of every call, outermost first: retries (go-retryablehttp) →
// authentication (token header, or AK/SK signature computed afresh for each
// attempt, or IAM password token with one re-login on 401) → send tracking
// (which attempts may have reached the service) → logging (redacted) → the
// base transport.
func New(ctx context.Context, cfg Config) (*Client, error) {
	s, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	c := &Client{s: s, projectID: s.projectID}

	base, baseTransport, err := baseHTTPClient(s)
	if err != nil {
		return nil, err
	}
	logging := loggingTransport{next: baseTransport, secrets: c.secretValues}

	if _, ok := s.creds.(PasswordCredentials); ok {
		c.tokens = &tokenSource{login: c.passwordLogin, now: s.now}
		loginHTTP := *base
		loginHTTP.Transport = logging
		c.login = newRetryClient(&loginHTTP, s, retryRead)
	}
	apiHTTP := *base
	_, traced := baseTransport.(*http.Transport)
	apiHTTP.Transport = &authTransport{
		next:   trackingTransport{next: logging, traced: traced},
		creds:  s.creds,
		tokens: c.tokens,
		now:    s.now,
	}
	c.reads = newRetryClient(&apiHTTP, s, retryRead)
	c.writes = newRetryClient(&apiHTTP, s, retryNonIdempotent)

	if c.projectID == "" {
		id, err := c.discoverProject(ctx)
		if err != nil {
			return nil, err
		}
		c.projectID = id
	}
	return c, nil
}

// ProjectID returns the project every CPH call is made in.
func (c *Client) ProjectID() string { return c.projectID }

// discoverProject finds the one project named after the region.
func (c *Client) discoverProject(ctx context.Context) (string, error) {
	projects, err := c.ListProjects(ctx, c.s.region)
	if err != nil {
		return "", fmt.Errorf("the project of region %s could not be looked up in IAM: %w", c.s.region, err)
	}
	var ids []string
	for _, p := range projects {
		if p.Name == c.s.region {
			ids = append(ids, p.ID)
		}
	}
	switch {
	case len(ids) == 0:
		return "", fmt.Errorf("IAM lists no project named after region %s", c.s.region)
	case len(ids) > 1:
		return "", fmt.Errorf("IAM lists %d projects named after region %s (%s)", len(ids), c.s.region, strings.Join(ids, ", "))
	case !IsID(ids[0]):
		return "", fmt.Errorf("IAM returned project ID %q for region %s, which is not %s", ids[0], c.s.region, IDDescription)
	}
	return ids[0], nil
}

// baseHTTPClient returns the http.Client every layer is built on (a copy of
// the configured one) and its transport.
func baseHTTPClient(s *settings) (*http.Client, http.RoundTripper, error) {
	var hc http.Client
	if s.httpClient != nil {
		hc = *s.httpClient
	}
	rt := hc.Transport
	if rt == nil {
		rt = http.DefaultTransport
	}
	if s.insecure {
		t, ok := rt.(*http.Transport)
		if !ok {
			return nil, nil, errors.New("insecure needs an *http.Transport in the base HTTP client")
		}
		t = t.Clone()
		if t.TLSClientConfig == nil {
			t.TLSClientConfig = new(tls.Config)
		}
		t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it
		rt = t
	}
	if hc.Timeout == 0 {
		hc.Timeout = s.requestTimeout
	}
	// Never follow redirects: the auth layer would send credentials to
	// wherever the redirect points.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	hc.Transport = nil
	return &hc, rt, nil
}

// secretValues lists the secrets the logging layer scrubs.
func (c *Client) secretValues() []string {
	var tok string
	if c.tokens != nil {
		tok = c.tokens.current()
	}
	return secretValues(c.s.creds, tok)
}

// request describes one API call.
type request struct {
	method string
	base   *url.URL
	path   []string // unescaped segments after the endpoint's own path
	query  url.Values
	body   []byte // nil: no body
	// project sends X-Project-Id (CPH calls).
	project bool
	// nonIdempotent marks a call that must not be repeated once it may have
	// reached the service (batch reset).
	nonIdempotent bool
}

// response is a successful (2xx) answer.
type response struct {
	status int
	header http.Header
	body   []byte
}

// url builds the request URL, escaping path segments and the query exactly as
// the signer does.
func (r request) url() *url.URL {
	u := *r.base
	segs := append(splitPath(r.base.Path), r.path...)
	escaped := make([]string, len(segs))
	for i, s := range segs {
		escaped[i] = Escape(s)
	}
	u.Path = "/" + strings.Join(segs, "/")
	u.RawPath = "/" + strings.Join(escaped, "/")
	u.RawQuery = CanonicalQuery(r.query)
	return &u
}

func splitPath(p string) []string {
	p = strings.Trim(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

// send performs one call through rc and returns its 2xx answer, or an
// *APIError, or, for a non-idempotent call, a *NotSentError or an
// *UncertainError (never a bare transport error), or, for other calls, a
// wrapped transport error.
func (c *Client) send(ctx context.Context, rc *retryablehttp.Client, r request) (*response, error) {
	u := r.url()
	path := u.Path
	var tracker *sendTracker
	if r.nonIdempotent {
		ctx, tracker = withTracker(ctx)
	}
	var body any
	if r.body != nil {
		body = r.body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		err = fmt.Errorf("build request: %w", err)
		if r.nonIdempotent {
			return nil, &NotSentError{Method: r.method, Path: path, Err: err}
		}
		return nil, fmt.Errorf("%s %s: %w", r.method, path, err)
	}
	req.URL = u
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.s.userAgent)
	if r.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if r.project {
		req.Header.Set(HeaderProjectID, c.projectID)
	}

	resp, err := rc.Do(req)
	if err != nil {
		if resp != nil {
			drainAndClose(resp.Body)
		}
		err = explainTransportError(unwrapURLError(err))
		if tracker != nil {
			if tracker.maybeSent.Load() {
				return nil, &UncertainError{Method: r.method, Path: path, Err: err}
			}
			return nil, &NotSentError{Method: r.method, Path: path, Err: err}
		}
		return nil, fmt.Errorf("%s %s: %w", r.method, path, err)
	}
	defer resp.Body.Close()
	b, readErr := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if readErr == nil && len(b) > maxResponseBytes {
		readErr = fmt.Errorf("answer larger than %d bytes", maxResponseBytes)
	}

	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		apiErr := parseAPIError(r.method, path, resp.StatusCode, resp.Header, b, c.secretValues())
		if r.nonIdempotent && resp.StatusCode >= 500 {
			return nil, &UncertainError{Method: r.method, Path: path, Err: apiErr}
		}
		return nil, apiErr
	}
	if readErr != nil {
		err := fmt.Errorf("read the answer (HTTP %d): %w", resp.StatusCode, readErr)
		if r.nonIdempotent {
			return nil, &UncertainError{Method: r.method, Path: path, Err: err}
		}
		return nil, fmt.Errorf("%s %s: %w", r.method, path, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// call sends r with the policy it needs and decodes a JSON answer into out.
func (c *Client) call(ctx context.Context, r request, out any) error {
	rc := c.reads
	if r.nonIdempotent {
		rc = c.writes
	}
	resp, err := c.send(ctx, rc, r)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(resp.body, out); err != nil {
		path := r.url().Path
		err = fmt.Errorf("decode the answer (HTTP %d): %w", resp.status, err)
		if r.nonIdempotent {
			return &UncertainError{Method: r.method, Path: path, Err: err}
		}
		return fmt.Errorf("%s %s: %w", r.method, path, err)
	}
	return nil
}

// CertificateError is a failed TLS certificate verification, with a hint at
// the two ways out. It wraps the crypto/tls or crypto/x509 error.
type CertificateError struct{ Err error }

func (e *CertificateError) Error() string {
	return e.Err.Error() + " (the endpoint's TLS certificate could not be verified: add the CA that signed it " +
		"to the system's trust store, e.g. with SSL_CERT_FILE, or, for a test endpoint only, skip verification with insecure)"
}

func (e *CertificateError) Unwrap() error { return e.Err }

// explainTransportError adds what the user can do to errors that need it.
func explainTransportError(err error) error {
	var verifyErr *tls.CertificateVerificationError
	var unknownAuthority x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var certInvalid x509.CertificateInvalidError
	if errors.As(err, &verifyErr) || errors.As(err, &unknownAuthority) || errors.As(err, &hostnameErr) || errors.As(err, &certInvalid) {
		return &CertificateError{Err: err}
	}
	return err
}

func unwrapURLError(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		return ue.Err
	}
	return err
}

// maxErrorMessage bounds the message kept from an error answer.
const maxErrorMessage = 512

// errorBody covers the error shapes of CPH/APIG
// ({"error_code","error_msg","request_id"}) and IAM
// ({"error":{"code","message","title"}}).
type errorBody struct {
	ErrorCode json.RawMessage `json:"error_code"`
	ErrorMsg  string          `json:"error_msg"`
	RequestID string          `json:"request_id"`
	Error     json.RawMessage `json:"error"`
	Code      json.RawMessage `json:"code"`
	Message   string          `json:"message"`
}

type iamErrorBody struct {
	Code    json.RawMessage `json:"code"`
	Message string          `json:"message"`
	Title   string          `json:"title"`
}

// parseAPIError builds the *APIError of a non-2xx answer.
func parseAPIError(method, path string, status int, h http.Header, body []byte, secrets []string) *APIError {
	e := &APIError{Method: method, Path: path, HTTPStatus: status}
	var eb errorBody
	if len(body) > 0 && json.Unmarshal(body, &eb) == nil {
		e.Code = rawString(eb.ErrorCode)
		e.Message = eb.ErrorMsg
		e.RequestID = eb.RequestID
		if len(eb.Error) > 0 {
			var ie iamErrorBody
			var s string
			switch {
			case json.Unmarshal(eb.Error, &ie) == nil:
				if e.Code == "" {
					e.Code = rawString(ie.Code)
				}
				if e.Message == "" {
					e.Message = ie.Message
					if e.Message == "" {
						e.Message = ie.Title
					}
				}
			case json.Unmarshal(eb.Error, &s) == nil && e.Message == "":
				e.Message = s
			}
		}
		if e.Code == "" {
			e.Code = rawString(eb.Code)
		}
		if e.Message == "" {
			e.Message = eb.Message
		}
	} else if len(body) > 0 {
		e.Message = strings.Join(strings.Fields(string(body)), " ")
		e.Message = truncate(e.Message, 200)
	}
	if e.RequestID == "" {
		e.RequestID = h.Get(HeaderRequestID)
	}
	e.Message = truncate(scrub(e.Message, secrets), maxErrorMessage)
	return e
}

// rawString turns a JSON string or number into a string.
func rawString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}
