package cph

// The fault matrix of a batch reset: every way it can fail, on real sockets,
// ends as exactly one of *NotSentError (nothing reached the service),
// *APIError (refused as a whole) or *UncertainError (may have been applied).

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// delivery names the class of a BatchReset error, checking that the classes
// exclude each other.
func delivery(t *testing.T, err error) string {
	t.Helper()
	var apiErr *APIError
	switch {
	case err == nil:
		return "ok"
	case IsNotSent(err) && IsUncertain(err):
		t.Fatalf("error is both not sent and uncertain: %v", err)
	case IsNotSent(err):
		return "not sent"
	case IsUncertain(err):
		return "uncertain"
	case errors.As(err, &apiErr):
		return fmt.Sprintf("rejected %d", apiErr.HTTPStatus)
	}
	t.Fatalf("untyped error %T: %v", err, err)
	return ""
}

// closedAddr returns a 127.0.0.1 address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	if err := ln.Close(); err != nil {
		t.Fatal(err)
	}
	return addr
}

// acceptAndClose listens on 127.0.0.1, closes every connection it accepts
// once the request has arrived, and counts them.
func acceptAndClose(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	var n atomic.Int32
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			_, _ = conn.Read(make([]byte, 1)) // the request is on its way
			_ = conn.Close()
		}
	}()
	return ln.Addr().String(), &n
}

// plainConfig is a Config for endpoint with a default transport of its own
// (no test CA, no shared idle connections).
func plainConfig(endpoint string, creds Credentials) Config {
	return Config{
		Region: testRegion, ProjectID: testProjectID,
		Endpoint: endpoint, IAMEndpoint: endpoint,
		Credentials: creds,
		MaxRetries:  2, RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond,
		HTTPClient: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()},
	}
}

func TestBatchResetDelivery(t *testing.T) {
	t.Parallel()
	tok := TokenCredentials{Token: "tok"}
	type result struct {
		err      error
		requests int // batch-reset requests the server saw (-1: no server)
	}
	// scripted runs one batch reset against a test server answering with h.
	scripted := func(t *testing.T, cfgFn func(*Config), ctx context.Context, h script) result {
		var n, all atomic.Int32
		srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
			if strings.HasSuffix(r.URL.Path, "/batch-reset") {
				n.Add(1)
			}
			h(w, r, int(all.Add(1)))
		})
		cfg := testConfig(srv, tok)
		if cfgFn != nil {
			cfgFn(&cfg)
		}
		_, err := mustNew(t, cfg).BatchReset(ctx, oneResetRequest())
		return result{err, int(n.Load())}
	}
	tests := map[string]struct {
		run      func(t *testing.T) result
		want     string
		requests int
		cause    func(error) bool // what the error must wrap
	}{
		"refused connection": {
			run: func(t *testing.T) result {
				_, err := mustNew(t, plainConfig("http://"+closedAddr(t), tok)).BatchReset(context.Background(), oneResetRequest())
				return result{err, -1}
			},
			want: "not sent", requests: -1,
			cause: func(err error) bool { return errors.Is(err, syscall.ECONNREFUSED) },
		},
		"DNS failure": {
			run: func(t *testing.T) result {
				_, err := mustNew(t, plainConfig("http://cph.example.invalid", tok)).BatchReset(context.Background(), oneResetRequest())
				return result{err, -1}
			},
			want: "not sent", requests: -1,
			cause: func(err error) bool { var d *net.DNSError; return errors.As(err, &d) },
		},
		"TLS certificate not trusted": {
			run: func(t *testing.T) result {
				var n atomic.Int32
				srv := httptest.NewTLSServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { n.Add(1) }))
				srv.Config.ErrorLog = discardLog()
				t.Cleanup(srv.Close)
				_, err := mustNew(t, plainConfig(srv.URL, tok)).BatchReset(context.Background(), oneResetRequest())
				return result{err, int(n.Load())}
			},
			want: "not sent", requests: 0,
			cause: func(err error) bool {
				var v *tls.CertificateVerificationError
				var u x509.UnknownAuthorityError
				var c *CertificateError
				return (errors.As(err, &v) || errors.As(err, &u)) && errors.As(err, &c) &&
					strings.Contains(err.Error(), "SSL_CERT_FILE") && strings.Contains(err.Error(), "insecure")
			},
		},
		"TLS handshake with a plain HTTP server": {
			run: func(t *testing.T) result {
				var n atomic.Int32
				srv := newServer(t, func(http.ResponseWriter, *http.Request) { n.Add(1) })
				_, err := mustNew(t, plainConfig(strings.Replace(srv.URL, "http:", "https:", 1), tok)).
					BatchReset(context.Background(), oneResetRequest())
				return result{err, int(n.Load())}
			},
			want: "not sent", requests: 0,
			// net/http turns the tls.RecordHeaderError into a message.
			cause: func(err error) bool { return strings.Contains(err.Error(), "HTTP response to HTTPS client") },
		},
		"connection accepted and closed": {
			run: func(t *testing.T) result {
				addr, n := acceptAndClose(t)
				_, err := mustNew(t, plainConfig("http://"+addr, tok)).BatchReset(context.Background(), oneResetRequest())
				return result{err, int(n.Load())}
			},
			want: "uncertain", requests: 1,
			cause: func(err error) bool {
				return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET)
			},
		},
		"server hangs past the timeout": {
			run: func(t *testing.T) result {
				return scripted(t, func(c *Config) { c.RequestTimeout = 50 * time.Millisecond }, context.Background(),
					blockUntilClientGivesUp)
			},
			want: "uncertain", requests: 1,
		},
		"500 on the POST": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(500, 200))
			},
			want: "uncertain", requests: 1,
			cause: func(err error) bool { var a *APIError; return errors.As(err, &a) && a.HTTPStatus == 500 },
		},
		"502 on the POST": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(502, 200))
			},
			want: "uncertain", requests: 1,
		},
		"400": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(400, 200))
			},
			want: "rejected 400", requests: 1,
		},
		"403": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(403, 200))
			},
			want: "rejected 403", requests: 1,
		},
		"401 with a static token": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(401, 200))
			},
			want: "rejected 401", requests: 1,
		},
		"401 after the one re-login": {
			run: func(t *testing.T) result {
				var logins atomic.Int32
				res := scripted(t, func(c *Config) { c.Credentials = passwordCreds() }, context.Background(),
					func(w http.ResponseWriter, r *http.Request, _ int) {
						if r.URL.Path == "/v3/auth/tokens" {
							w.Header().Set(HeaderSubjectToken, fmt.Sprintf("MII-%d", logins.Add(1)))
							writeJSON(w, 201, map[string]any{"token": map[string]string{}})
							return
						}
						writeError(w, 401, "APIG.0307", "token expired")
					})
				if got := logins.Load(); got != 2 {
					t.Errorf("%d logins, want 2 (one re-login)", got)
				}
				return res
			},
			want: "rejected 401", requests: 2,
		},
		"IAM login refused": {
			run: func(t *testing.T) result {
				return scripted(t, func(c *Config) { c.Credentials = passwordCreds() }, context.Background(),
					func(w http.ResponseWriter, _ *http.Request, _ int) {
						writeJSON(w, 401, map[string]any{"error": map[string]any{"code": 401, "message": "wrong password"}})
					})
			},
			want: "not sent", requests: 0,
			cause: IsAuth,
		},
		"429 after the retries": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), statuses(429))
			},
			want: "rejected 429", requests: 4, // 1 + MaxRetries (3)
		},
		"cancelled before sending": {
			run: func(t *testing.T) result {
				ctx, cancel := context.WithCancel(context.Background())
				cancel()
				return scripted(t, nil, ctx, statuses(200))
			},
			want: "not sent", requests: 0,
			cause: func(err error) bool { return errors.Is(err, context.Canceled) },
		},
		"cancelled after sending": {
			run: func(t *testing.T) result {
				ctx, cancel := context.WithCancel(context.Background())
				return scripted(t, nil, ctx, func(w http.ResponseWriter, r *http.Request, n int) {
					cancel()
					blockUntilClientGivesUp(w, r, n)
				})
			},
			want: "uncertain", requests: 1,
			cause: func(err error) bool { return errors.Is(err, context.Canceled) },
		},
		"no phones": {
			run: func(t *testing.T) result {
				srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { statuses(200)(w, r, 1) })
				_, err := mustNew(t, testConfig(srv, tok)).BatchReset(context.Background(), BatchResetRequest{})
				return result{err, -1}
			},
			want: "not sent", requests: -1,
		},
		"unreadable 200": {
			run: func(t *testing.T) result {
				return scripted(t, nil, context.Background(), func(w http.ResponseWriter, _ *http.Request, _ int) {
					w.WriteHeader(200)
					_, _ = w.Write([]byte(`{"request_id":`))
				})
			},
			want: "uncertain", requests: 1,
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			res := tc.run(t)
			if got := delivery(t, res.err); got != tc.want {
				t.Fatalf("delivery = %s, want %s (err: %v)", got, tc.want, res.err)
			}
			if tc.requests >= 0 && res.requests != tc.requests {
				t.Errorf("server saw %d batch-reset requests, want %d", res.requests, tc.requests)
			}
			if tc.cause != nil && !tc.cause(res.err) {
				t.Errorf("error does not wrap the expected cause: %v", res.err)
			}
			if path := cphPath("phones/batch-reset"); !strings.Contains(res.err.Error(), path) {
				t.Errorf("error %q does not name the path %s", res.err, path)
			}
		})
	}
}

// An answer that arrives as the context ends is still the answer: the phones
// it lists have jobs, and losing it would make them look uncertain.
func TestBatchResetAnswerAtCancellation(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) { statuses(200)(w, r, 1) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	cfg := testConfig(srv, TokenCredentials{Token: "tok"})
	cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		resp, err := srv.Client().Transport.RoundTrip(r)
		if err != nil {
			return nil, err
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		cancel() // the context ends as the answer is handed over
		return resp, err
	})}
	resp, err := mustNew(t, cfg).BatchReset(ctx, oneResetRequest())
	if err != nil {
		t.Fatalf("BatchReset: %v", err)
	}
	if len(resp.Jobs) != 1 || resp.Jobs[0].JobID != "j-1" {
		t.Errorf("answer = %+v", resp)
	}
}

func discardLog() *log.Logger { return log.New(io.Discard, "", 0) }

// The fake's reset faults all look uncertain to the client, whether or not
// the reset was applied: only reconciliation can tell them apart.
func TestBatchResetAgainstFakeFaults(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		faults  fakecph.Faults
		applied bool
	}{
		"applied, answer dropped": {fakecph.Faults{DropResetResponses: 1}, true},
		"applied, 500 answer":     {fakecph.Faults{ResetErrorsAfterApply: 1}, true},
		"not applied, 500 answer": {fakecph.Faults{ResetErrorsBeforeApply: 1}, false},
		"throttled to the end":    {fakecph.Faults{ThrottleRate: 1}, false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			svc := fakecph.New(fakecph.Options{Seed: 5, Phones: 1, AuthToken: "tok", ProjectID: testProjectID, JobDuration: time.Hour})
			srv := httptest.NewServer(svc)
			t.Cleanup(srv.Close)
			svc.SetFaults(tc.faults)
			cfg := testConfig(srv, TokenCredentials{Token: "tok"})
			cfg.MaxRetries = 1
			phone := svc.PhoneIDs()[0]
			_, err := mustNew(t, cfg).BatchReset(context.Background(), BatchResetRequest{Phones: []ResetPhone{{PhoneID: phone}}})
			want := "uncertain"
			if tc.faults.ThrottleRate > 0 {
				want = "rejected 429"
			}
			if got := delivery(t, err); got != want {
				t.Fatalf("delivery = %s, want %s (err: %v)", got, want, err)
			}
			if got := svc.Stats().Resets[phone] == 1; got != tc.applied {
				t.Errorf("applied = %v, want %v", got, tc.applied)
			}
		})
	}
}
