package cph

// The one place where HTTP traffic is logged. Every credential is redacted
// before anything reaches tflog: the auth, subject and security token headers,
// the signature in Authorization, cookies, and secrets inside JSON bodies
// (passwords, tokens, secret keys). As a last line of defence every known
// secret value (token, secret key, security token, password, the current IAM
// token) is scrubbed from whatever is logged.

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-log/tflog"
)

const (
	redactedValue = "REDACTED"
	// maxLoggedBody bounds the part of a body that is logged.
	maxLoggedBody = 16 << 10
	// maxBufferedBody bounds the part of a response body read ahead for
	// logging; the rest streams through untouched.
	maxBufferedBody = 8 << 20
	// minScrubLen: shorter secret values are not scrubbed textually (they
	// would garble logs); they are still redacted structurally.
	minScrubLen = 4
)

// loggingTransport logs each attempt at Debug (method, URL, status, duration,
// request ID) and Trace (headers and bodies), with the request's context.
type loggingTransport struct {
	next    http.RoundTripper
	secrets func() []string // secret values to scrub; may be nil
}

func (t loggingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	trace := tflog.IsTrace(ctx)
	fields := map[string]any{"http_method": req.Method, "http_url": req.URL.Redacted()}
	if trace {
		var secrets []string
		if t.secrets != nil {
			secrets = t.secrets()
		}
		reqFields := map[string]any{
			"http_method":      req.Method,
			"http_url":         req.URL.Redacted(),
			"http_req_headers": redactHeaders(req.Header, secrets),
		}
		if req.GetBody != nil && req.ContentLength != 0 {
			if rc, err := req.GetBody(); err == nil {
				b, _ := io.ReadAll(io.LimitReader(rc, maxBufferedBody))
				_ = rc.Close()
				reqFields["http_req_body"] = redactBody(b, secrets)
			}
		}
		tflog.Trace(ctx, "Sending HTTP request", reqFields)
	}

	start := time.Now()
	resp, err := t.next.RoundTrip(req)
	fields["http_duration_ms"] = time.Since(start).Milliseconds()
	if err != nil {
		fields["error"] = scrub(err.Error(), t.secretList())
		tflog.Debug(ctx, "HTTP request failed", fields)
		return resp, err
	}

	// Buffer the body so it can be logged and still be read by the caller.
	buf, readErr := io.ReadAll(io.LimitReader(resp.Body, maxBufferedBody))
	rest := resp.Body
	var bodyReader io.Reader = bytes.NewReader(buf)
	if readErr != nil {
		bodyReader = io.MultiReader(bodyReader, errReader{readErr})
		fields["body_read_error"] = readErr.Error()
	} else if len(buf) == maxBufferedBody {
		bodyReader = io.MultiReader(bodyReader, rest)
	}
	resp.Body = readCloser{Reader: bodyReader, Closer: rest}

	fields["http_status"] = resp.StatusCode
	if id := requestIDOf(resp.Header, buf); id != "" {
		fields["http_request_id"] = id
	}
	tflog.Debug(ctx, "HTTP response", fields)
	if trace {
		secrets := t.secretList()
		tflog.Trace(ctx, "HTTP response details", map[string]any{
			"http_method":      req.Method,
			"http_url":         req.URL.Redacted(),
			"http_status":      resp.StatusCode,
			"http_res_headers": redactHeaders(resp.Header, secrets),
			"http_res_body":    redactBody(buf, secrets),
		})
	}
	return resp, nil
}

func (t loggingTransport) secretList() []string {
	if t.secrets == nil {
		return nil
	}
	return t.secrets()
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

type readCloser struct {
	io.Reader
	io.Closer
}

// requestIDOf finds the request ID in the X-Request-Id header or a JSON body.
func requestIDOf(h http.Header, body []byte) string {
	if id := h.Get(HeaderRequestID); id != "" {
		return id
	}
	var v struct {
		RequestID string `json:"request_id"`
	}
	if len(body) > 0 && body[0] == '{' && json.Unmarshal(body, &v) == nil {
		return v.RequestID
	}
	return ""
}

// secretHeaders are logged as REDACTED whatever their value.
var secretHeaders = map[string]bool{
	"x-auth-token":        true,
	"x-subject-token":     true,
	"x-security-token":    true,
	"cookie":              true,
	"set-cookie":          true,
	"proxy-authorization": true,
}

var signaturePattern = regexp.MustCompile(`(Signature=)[^,\s]*`)

// redactHeaders returns the headers as a map for logging, credentials
// redacted. The Authorization header keeps its scheme, access key and signed
// header names but not its signature.
func redactHeaders(h http.Header, secrets []string) map[string]string {
	out := make(map[string]string, len(h))
	for name, values := range h {
		lower := strings.ToLower(name)
		v := strings.Join(values, ", ")
		switch {
		case secretHeaders[lower]:
			v = redactedValue
		case lower == "authorization":
			if strings.HasPrefix(v, SignAlgorithm+" ") {
				v = signaturePattern.ReplaceAllString(v, "${1}"+redactedValue)
			} else {
				v = redactedValue
			}
		}
		out[name] = scrub(v, secrets)
	}
	return out
}

// redactBody returns a body for logging: JSON with secret fields redacted,
// any known secret value scrubbed, truncated to maxLoggedBody.
func redactBody(b []byte, secrets []string) string {
	if len(b) == 0 {
		return ""
	}
	s := string(b)
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err == nil && !dec.More() {
		if out, err := json.Marshal(redactJSON(v, false)); err == nil {
			s = string(out)
		}
	}
	s = scrub(s, secrets)
	if len(s) > maxLoggedBody {
		s = s[:maxLoggedBody] + "...(truncated)"
	}
	return s
}

// secretKeyParts mark JSON keys whose scalar values are secrets.
var secretKeyParts = []string{"password", "passwd", "secret", "token", "signature", "authorization", "private", "credential"}

func isSecretKey(k string) bool {
	k = strings.ToLower(k)
	if k == "sk" {
		return true
	}
	for _, p := range secretKeyParts {
		if strings.Contains(k, p) {
			return true
		}
	}
	return false
}

// redactJSON replaces the values of secret keys. Objects under a secret key
// (e.g. IAM's "token":{"expires_at":...} or "password":{"user":...}) are
// walked, not dropped, but their "id" is redacted too (IAM's token method
// sends {"token":{"id":"<token>"}}).
func redactJSON(v any, underSecret bool) any {
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			secret := isSecretKey(k)
			switch val.(type) {
			case map[string]any:
				x[k] = redactJSON(val, secret)
			case []any:
				if secret {
					x[k] = redactedValue
				} else {
					x[k] = redactJSON(val, false)
				}
			default:
				if secret || (underSecret && strings.EqualFold(k, "id")) {
					if val != nil && val != "" {
						x[k] = redactedValue
					}
				}
			}
		}
		return x
	case []any:
		for i := range x {
			x[i] = redactJSON(x[i], underSecret)
		}
		return x
	default:
		return v
	}
}

// scrub replaces every occurrence of a known secret value in s.
func scrub(s string, secrets []string) string {
	for _, sec := range secrets {
		if len(sec) >= minScrubLen && strings.Contains(s, sec) {
			s = strings.ReplaceAll(s, sec, redactedValue)
		}
	}
	return s
}

// secretValues lists the values to scrub for a set of credentials plus the
// current IAM token, longest first (so a secret containing another is
// scrubbed whole).
func secretValues(creds Credentials, extra ...string) []string {
	var out []string
	switch c := creds.(type) {
	case TokenCredentials:
		out = append(out, c.Token)
	case AKSKCredentials:
		out = append(out, c.SecretKey, c.SecurityToken)
	case PasswordCredentials:
		out = append(out, c.Password)
		// JSON-escaped form, as it appears in a login body.
		if b, err := json.Marshal(c.Password); err == nil {
			if esc := string(b[1 : len(b)-1]); esc != c.Password {
				out = append(out, esc)
			}
		}
	}
	out = append(out, extra...)
	out = slices.DeleteFunc(out, func(s string) bool { return s == "" })
	slices.SortFunc(out, func(a, b string) int { return len(b) - len(a) })
	return out
}
