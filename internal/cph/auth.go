package cph

// Authentication: one RoundTripper that adds a token or an AK/SK signature to
// every attempt (so retries are signed again), and the token source of IAM
// password login.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// authError wraps a failure to obtain credentials for a request (the IAM
// login failed); the request itself was never sent.
type authError struct{ err error }

func (e *authError) Error() string { return e.err.Error() }
func (e *authError) Unwrap() error { return e.err }

// authTransport authenticates each attempt.
type authTransport struct {
	next   http.RoundTripper
	creds  Credentials // TokenCredentials, AKSKCredentials or PasswordCredentials
	tokens *tokenSource
	now    func() time.Time
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := drainRequestBody(req)
	if err != nil {
		return nil, err
	}
	switch c := t.creds.(type) {
	case TokenCredentials:
		return t.send(req, body, func(r *http.Request) error {
			r.Header.Set(HeaderAuthToken, c.Token)
			return nil
		})
	case AKSKCredentials:
		return t.send(req, body, func(r *http.Request) error {
			if c.SecurityToken != "" {
				r.Header.Set(HeaderSecurityToken, c.SecurityToken)
			}
			return Sign(r, body, c.AccessKey, c.SecretKey, t.now())
		})
	case PasswordCredentials:
		ctx := req.Context()
		tok, err := t.tokens.Token(ctx)
		if err != nil {
			return nil, &authError{err}
		}
		resp, err := t.send(req, body, withToken(tok))
		if err != nil || resp.StatusCode != http.StatusUnauthorized {
			return resp, err
		}
		// The gateway refused the token (revoked, or expired early): log in
		// again once and re-send. Safe for any method: a 401 means the
		// request was not processed.
		drainAndClose(resp.Body)
		tflog.Debug(ctx, "CPH API answered 401 Unauthorized; logging in to IAM again")
		t.tokens.Invalidate(tok)
		tok, err = t.tokens.Token(ctx)
		if err != nil {
			return nil, &authError{err}
		}
		return t.send(req, body, withToken(tok))
	default:
		return nil, &authError{fmt.Errorf("unsupported credentials type %T", t.creds)}
	}
}

func withToken(tok string) func(*http.Request) error {
	return func(r *http.Request) error {
		r.Header.Set(HeaderAuthToken, tok)
		return nil
	}
}

// send clones req with a fresh copy of body, authenticates the clone and
// sends it.
func (t *authTransport) send(req *http.Request, body []byte, authenticate func(*http.Request) error) (*http.Response, error) {
	r := req.Clone(req.Context())
	setBody(r, body)
	if err := authenticate(r); err != nil {
		return nil, &authError{err}
	}
	return t.next.RoundTrip(r)
}

// drainRequestBody reads and closes the body of req (the RoundTripper
// contract requires closing it).
func drainRequestBody(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return b, nil
}

func setBody(r *http.Request, body []byte) {
	if len(body) == 0 {
		r.Body, r.GetBody, r.ContentLength = http.NoBody, func() (io.ReadCloser, error) { return http.NoBody, nil }, 0
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	r.ContentLength = int64(len(body))
}

func drainAndClose(body io.ReadCloser) {
	_, _ = io.Copy(io.Discard, io.LimitReader(body, 64<<10))
	_ = body.Close()
}

// Token lifetime handling.
const (
	// A token is refreshed once refreshFraction of its lifetime has passed
	// (a 24 h token after 18 h, a 1 h token after 45 min), and is no longer
	// used at all once usableFraction has passed.
	refreshNum, refreshDen = 3, 4
	usableNum, usableDen   = 7, 8
	// unknownTokenLifetime is assumed when IAM reports no usable expiry.
	unknownTokenLifetime = 15 * time.Minute
	// refreshRetryDelay spaces out refresh attempts that failed while the old
	// token is still usable.
	refreshRetryDelay = 30 * time.Second
)

// loginResult is what one IAM login returns.
type loginResult struct {
	token     string
	issuedAt  time.Time // server time; zero when unknown
	expiresAt time.Time // server time; zero when unknown
}

// tokenSource caches the token of a password login. Concurrent callers share
// one login in flight; the token is refreshed before it expires.
type tokenSource struct {
	login func(ctx context.Context) (loginResult, error)
	now   func() time.Time

	mu        sync.Mutex
	token     string
	refreshAt time.Time // local time after which a refresh is started
	usableTil time.Time // local time after which the token is not used
	call      *loginCall
	failed    error // a login the credentials themselves failed; not retried
	waiting   int   // callers waiting for the login in flight (tests)
}

type loginCall struct {
	done  chan struct{}
	token string
	err   error
}

// Token returns a valid token, logging in when needed.
func (s *tokenSource) Token(ctx context.Context) (string, error) {
	for {
		s.mu.Lock()
		if s.failed != nil {
			err := s.failed
			s.mu.Unlock()
			return "", err
		}
		now := s.now()
		if s.token != "" && now.Before(s.refreshAt) {
			tok := s.token
			s.mu.Unlock()
			return tok, nil
		}
		if call := s.call; call != nil {
			// A login is in flight: keep using the old token while it is
			// still usable, else wait for the login.
			if s.token != "" && now.Before(s.usableTil) {
				tok := s.token
				s.mu.Unlock()
				return tok, nil
			}
			s.waiting++
			s.mu.Unlock()
			var ctxErr error
			select {
			case <-call.done:
			case <-ctx.Done():
				ctxErr = ctx.Err()
			}
			s.mu.Lock()
			s.waiting--
			s.mu.Unlock()
			if ctxErr != nil {
				return "", ctxErr
			}
			if call.err == nil {
				return call.token, nil
			}
			if isContextError(call.err) && ctx.Err() == nil {
				continue // the caller that logged in gave up; try again ourselves
			}
			return "", call.err
		}
		call := &loginCall{done: make(chan struct{})}
		s.call = call
		s.mu.Unlock()

		res, err := s.login(ctx)

		s.mu.Lock()
		s.call = nil
		now = s.now()
		switch {
		case err == nil:
			lifetime := tokenLifetime(res, now)
			s.token = res.token
			s.refreshAt = now.Add(lifetime * refreshNum / refreshDen)
			s.usableTil = now.Add(lifetime * usableNum / usableDen)
			call.token = res.token
		case isCredentialFailure(err):
			s.failed = err
			s.token = ""
			call.err = err
		case s.token != "" && now.Before(s.usableTil) && !isContextError(err):
			// Refresh failed but the old token still works: use it, and try
			// again a little later.
			s.refreshAt = minTime(now.Add(refreshRetryDelay), s.usableTil)
			call.token = s.token
			tflog.Warn(ctx, "IAM token refresh failed; using the current token until it nears expiry", map[string]any{"error": err.Error()})
		default:
			call.err = err
		}
		close(call.done)
		tok, callErr := call.token, call.err
		s.mu.Unlock()
		if callErr != nil {
			return "", callErr
		}
		return tok, nil
	}
}

// Invalidate forgets tok if it is still the cached token (a 401 proved it
// invalid); the next Token call logs in again.
func (s *tokenSource) Invalidate(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == tok {
		s.token = ""
		s.refreshAt, s.usableTil = time.Time{}, time.Time{}
	}
}

// current returns the cached token (for log redaction).
func (s *tokenSource) current() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.token
}

// waiters returns how many callers wait for the login in flight.
func (s *tokenSource) waiters() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.waiting
}

// tokenLifetime is the token's lifetime as IAM states it: expires_at minus
// issued_at (both server time, so clock skew does not matter), else
// expires_at minus the local time.
func tokenLifetime(res loginResult, now time.Time) time.Duration {
	var d time.Duration
	switch {
	case !res.expiresAt.IsZero() && !res.issuedAt.IsZero():
		d = res.expiresAt.Sub(res.issuedAt)
	case !res.expiresAt.IsZero():
		d = res.expiresAt.Sub(now)
	}
	if d <= 0 {
		return unknownTokenLifetime
	}
	return d
}

// isCredentialFailure reports login failures that repeating cannot fix (wrong
// password, unknown user or domain, forbidden): remembering them avoids
// locking the IAM user by repeated failed logins.
func isCredentialFailure(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && apiErr.HTTPStatus >= 400 && apiErr.HTTPStatus < 500 &&
		apiErr.HTTPStatus != http.StatusTooManyRequests && apiErr.HTTPStatus != http.StatusRequestTimeout
}

func isContextError(err error) bool {
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// IAM password login body.
type iamAuthRequest struct {
	Auth iamAuth `json:"auth"`
}
type iamAuth struct {
	Identity iamIdentity `json:"identity"`
	Scope    iamScope    `json:"scope"`
}
type iamIdentity struct {
	Methods  []string    `json:"methods"`
	Password iamPassword `json:"password"`
}
type iamPassword struct {
	User iamUser `json:"user"`
}
type iamUser struct {
	Name     string  `json:"name"`
	Password string  `json:"password"`
	Domain   iamName `json:"domain"`
}
type iamName struct {
	Name string `json:"name"`
}
type iamScope struct {
	Project iamProject `json:"project"`
}
type iamProject struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
}

type iamTokenResponse struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		IssuedAt  string `json:"issued_at"`
	} `json:"token"`
}

// passwordLogin logs in to IAM: POST {iam}/v3/auth/tokens?nocatalog=true,
// scoped to the project by ID when known, else by the region's name.
func (c *Client) passwordLogin(ctx context.Context) (loginResult, error) {
	pc := c.s.creds.(PasswordCredentials)
	scope := iamProject{ID: c.projectID}
	if scope.ID == "" {
		scope.Name = c.s.region
	}
	body, err := json.Marshal(iamAuthRequest{Auth: iamAuth{
		Identity: iamIdentity{
			Methods:  []string{"password"},
			Password: iamPassword{User: iamUser{Name: pc.UserName, Password: pc.Password, Domain: iamName{Name: pc.DomainName}}},
		},
		Scope: iamScope{Project: scope},
	}})
	if err != nil {
		return loginResult{}, fmt.Errorf("encode IAM login request: %w", err)
	}
	what := fmt.Sprintf("IAM password login of user %q in domain %q", pc.UserName, pc.DomainName)

	resp, err := c.send(ctx, c.login, request{
		method: http.MethodPost,
		base:   c.s.iamEndpoint,
		path:   []string{"v3", "auth", "tokens"},
		query:  map[string][]string{"nocatalog": {"true"}},
		body:   body,
	})
	if err != nil {
		return loginResult{}, fmt.Errorf("%s: %w", what, err)
	}
	tok := resp.header.Get(HeaderSubjectToken)
	if tok == "" {
		return loginResult{}, fmt.Errorf("%s: IAM answered HTTP %d without an %s header", what, resp.status, HeaderSubjectToken)
	}
	var tr iamTokenResponse
	if err := json.Unmarshal(resp.body, &tr); err != nil {
		return loginResult{}, fmt.Errorf("%s: decode the IAM answer: %w", what, err)
	}
	res := loginResult{token: tok}
	res.expiresAt, _ = time.Parse(time.RFC3339Nano, tr.Token.ExpiresAt)
	res.issuedAt, _ = time.Parse(time.RFC3339Nano, tr.Token.IssuedAt)
	tflog.Debug(ctx, "Logged in to IAM", map[string]any{
		"iam_user": pc.UserName, "iam_domain": pc.DomainName,
		"token_issued_at": tr.Token.IssuedAt, "token_expires_at": tr.Token.ExpiresAt,
	})
	return res, nil
}
