package cph

// Fuzz targets for the decoding of every answer the client reads. Each one
// serves a fuzzed status and body to the real client (in process, through
// its whole stack: retries, auth, logging) and checks:
//   - a 2xx answer that decodes is returned as decoded, and re-encoding the
//     result and decoding it again gives the same value;
//   - any other answer is a typed error: *APIError carrying the status for
//     a non-2xx, a wrapped decode error for an undecodable 2xx, and for the
//     batch reset exactly what the package doc promises (4xx *APIError, 5xx
//     and undecodable 2xx *UncertainError).

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// fuzzStatus maps any int to an HTTP status from 200 to 599 (keeping those).
func fuzzStatus(n int) int {
	if n >= 200 && n <= 599 {
		return n
	}
	if n < 0 {
		n = -(n + 1)
	}
	return 200 + n%400
}

// answering returns a client whose every request is answered with status
// and body (and the given extra header), without a network.
func answering(t testing.TB, creds Credentials, answer func(r *http.Request) *http.Response) *Client {
	t.Helper()
	c, err := New(context.Background(), Config{
		Region: testRegion, ProjectID: testProjectID,
		Endpoint: "https://cph.fuzz.example", IAMEndpoint: "https://iam.fuzz.example",
		Credentials: creds, MaxRetries: 0,
		HTTPClient: &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if r.Body != nil {
				_, _ = io.Copy(io.Discard, r.Body)
				_ = r.Body.Close()
			}
			resp := answer(r)
			resp.Request = r
			return resp, nil
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func httpAnswer(status int, header http.Header, body []byte) *http.Response {
	if header == nil {
		header = http.Header{}
	}
	return &http.Response{StatusCode: status, Header: header, Body: io.NopCloser(bytes.NewReader(body)), ContentLength: int64(len(body))}
}

// decodeSeeds adds the answers every decode target starts from: real
// shapes, error shapes, and garbage.
func decodeSeeds(f *testing.F, ok ...string) {
	for _, b := range ok {
		f.Add(200, []byte(b))
	}
	for _, s := range []struct {
		status int
		body   string
	}{
		{400, `{"error_code":"CPS.0009","error_msg":"Parameter: phone_id list is empty.","request_id":"r-1"}`},
		{401, `{"error_code":"APIG.0301","error_msg":"Incorrect IAM authentication information"}`},
		{403, `{"error_code":"CPS.0001","error_msg":"No permission"}`},
		{404, `{"error":{"code":404,"message":"not found","title":"Not Found"}}`},
		{429, `{"error_code":"APIG.0308","error_msg":"The request is throttled"}`},
		{500, `{"error_code":"CPS.0003","error_msg":"Service internal error.","request_id":"r-500"}`},
		{502, `<html>Bad Gateway</html>`},
		{503, ``},
		{200, ``},
		{200, `null`},
		{200, `[]`},
		{200, `{"jobs":"not a list"}`},
		{201, `{"request_id":1}`},
		{200, "{\"request_id\":\"\xff\"}"},
	} {
		f.Add(s.status, []byte(s.body))
	}
}

// checkDecoded asserts the properties shared by every decode target; out is
// what the call returned.
func checkDecoded(t *testing.T, status int, body []byte, out any, err error) {
	t.Helper()
	if err == nil {
		if status < 200 || status > 299 {
			t.Fatalf("HTTP %d accepted", status)
		}
		roundTrip(t, out)
		return
	}
	var apiErr *APIError
	if status >= 200 && status <= 299 {
		if errors.As(err, &apiErr) {
			t.Fatalf("HTTP %d is an *APIError: %v", status, err)
		}
		if !strings.Contains(err.Error(), "decode the answer") && !strings.Contains(err.Error(), "list") {
			t.Fatalf("HTTP %d refused without saying why: %v", status, err)
		}
		return
	}
	if !errors.As(err, &apiErr) || apiErr.HTTPStatus != status {
		t.Fatalf("HTTP %d: err = %v (%T), want an *APIError with that status", status, err, err)
	}
	if len(apiErr.Message) > maxErrorMessage+3 || !utf8.ValidString(apiErr.Message) && utf8.Valid(body) {
		t.Fatalf("error message of %d bytes (valid UTF-8: %v)", len(apiErr.Message), utf8.ValidString(apiErr.Message))
	}
}

// roundTrip checks that encoding v and decoding it again gives v.
func roundTrip(t *testing.T, v any) {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("re-encode %#v: %v", v, err)
	}
	back := reflect.New(reflect.TypeOf(v))
	if err := json.Unmarshal(b, back.Interface()); err != nil {
		t.Fatalf("decode the re-encoded %s: %v", b, err)
	}
	if diff := cmp.Diff(v, back.Elem().Interface()); diff != "" {
		t.Fatalf("decode(encode(answer)) differs (-answer +again):\n%s", diff)
	}
}

func FuzzDecodeBatchReset(f *testing.F) {
	decodeSeeds(f,
		`{"request_id":"r-1","jobs":[{"phone_id":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa","job_id":"j-1"}]}`,
		`{"request_id":"r-2","jobs":[{"phone_id":"p","error_code":"CPS.0022","error_msg":"Not available phone."}]}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.BatchReset(context.Background(), oneResetRequest())
		switch {
		case err == nil && (status < 200 || status > 299):
			t.Fatalf("HTTP %d accepted", status)
		case err == nil:
			roundTrip(t, out)
		case IsNotSent(err):
			t.Fatalf("an answered request is not sent: %v", err)
		case status >= 500 || status <= 299:
			if !IsUncertain(err) {
				t.Fatalf("HTTP %d: err = %v, want *UncertainError", status, err)
			}
		default:
			var apiErr *APIError
			if IsUncertain(err) || !errors.As(err, &apiErr) || apiErr.HTTPStatus != status {
				t.Fatalf("HTTP %d: err = %v, want a certain *APIError", status, err)
			}
		}
	})
}

func FuzzDecodeListJobs(f *testing.F) {
	decodeSeeds(f,
		`{"request_id":"q","jobs":[{"request_id":"r-1","job_id":"j-1","phone_id":"p","status":1,"begin_time":"2024-05-01T12:00:00Z"}]}`,
		`{"jobs":[{"job_id":"j","status":-1,"error_code":"CPS.0100","error_msg":"boom","execute_msg":"x"}]}`,
		`{"jobs":[{"status":1e400}]}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.ListJobs(context.Background(), ListJobsInput{RequestIDs: []string{"r-1"}})
		checkDecoded(t, status, body, out, err)
	})
}

func FuzzDecodeShowJob(f *testing.F) {
	decodeSeeds(f, `{"request_id":"q","job_id":"j-1","phone_id":"p","server_id":"s","status":2,"end_time":"2024-05-01T12:01:00Z"}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.ShowJob(context.Background(), "j-1")
		checkDecoded(t, status, body, out, err)
	})
}

func FuzzDecodeListPhones(f *testing.F) {
	decodeSeeds(f,
		`{"request_id":"q","count":1,"phones":[{"phone_id":"p","phone_name":"n","server_id":"s","image_id":"i","status":2,"type":0,"update_time":"2024-05-01T12:00:00Z"}]}`,
		`{"count":-1,"phones":[]}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.ListPhones(context.Background(), ListPhonesInput{})
		checkDecoded(t, status, body, out, err)
	})
}

func FuzzDecodeShowPhone(f *testing.F) {
	decodeSeeds(f,
		`{"phone_id":"p","status":3,"property":"{\"sys.prop.writeimsi\":\"1\"}","imei":"8","availability_zone":"az1"}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.ShowPhone(context.Background(), "p")
		checkDecoded(t, status, body, out, err)
	})
}

func FuzzDecodeListProjects(f *testing.F) {
	decodeSeeds(f, `{"projects":[{"id":"0123456789abcdef0123456789abcdef","name":"cn-north-4","domain_id":"d","enabled":true}],"links":{}}`)
	f.Fuzz(func(t *testing.T, n int, body []byte) {
		status := fuzzStatus(n)
		c := answering(t, TokenCredentials{Token: "tok"}, func(*http.Request) *http.Response { return httpAnswer(status, nil, body) })
		out, err := c.ListProjects(context.Background(), "cn-north-4")
		checkDecoded(t, status, body, out, err)
	})
}

// FuzzDecodeIAMToken answers a password login with a fuzzed status, token
// header and body: either the next call carries exactly that token, or the
// call fails without sending anything, saying it was the IAM login, and the
// issued token (a secret) appears in no error.
func FuzzDecodeIAMToken(f *testing.F) {
	for _, s := range []struct {
		status int
		token  string
		body   string
	}{
		{201, "MIIsecret-token", `{"token":{"expires_at":"2024-05-02T12:00:00.000000Z","issued_at":"2024-05-01T12:00:00.000000Z"}}`},
		{201, "MIIsecret-token", `{"token":{"expires_at":"yesterday"}}`},
		{201, "", `{"token":{}}`},
		{201, "MIIsecret-token", `not json`},
		{401, "", `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`},
		{403, "MIIsecret-token", `{"error":"MIIsecret-token"}`},
		{500, "", ``},
	} {
		f.Add(s.status, s.token, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, n int, token string, body []byte) {
		status := fuzzStatus(n)
		var sent []string
		c := answering(t, passwordCreds(), func(r *http.Request) *http.Response {
			if r.URL.Path == "/v3/auth/tokens" {
				return httpAnswer(status, http.Header{HeaderSubjectToken: {token}}, body)
			}
			sent = append(sent, r.Header.Get(HeaderAuthToken))
			return httpAnswer(200, nil, []byte(`{"phone_id":"p","status":2}`))
		})
		_, err := c.BatchReset(context.Background(), oneResetRequest())
		if err == nil {
			// Header values are trimmed on the wire; compare what was sent.
			if len(sent) != 1 || sent[0] != token || token == "" {
				t.Fatalf("login answered %d with token %q; the reset carried %q", status, token, sent)
			}
			return
		}
		if len(sent) != 0 {
			if IsUncertain(err) {
				return // logged in; the reset's own answer did not decode
			}
			t.Fatalf("reset sent with %q, then: %v", sent, err)
		}
		if !IsNotSent(err) || !strings.Contains(err.Error(), "IAM password login") {
			t.Fatalf("failed login: err = %v, want a *NotSentError naming the login", err)
		}
		if status <= 299 && len(token) >= 8 && strings.Contains(err.Error(), token) {
			t.Fatalf("the error shows the issued token: %v", err)
		}
	})
}

// FuzzParseAPIError: every error body gives an *APIError with the status,
// a bounded message and no configured secret in it.
func FuzzParseAPIError(f *testing.F) {
	const secret = "sekrit-password-42"
	f.Add(400, []byte(`{"error_code":"CPS.0009","error_msg":"bad","request_id":"r"}`), "hdr-id")
	f.Add(401, []byte(`{"error":{"code":"401","message":"password sekrit-password-42 is wrong"}}`), "")
	f.Add(500, []byte(`{"error":"plain"}`), "")
	f.Add(502, []byte(`{"code":12,"message":"m"}`), "")
	f.Add(503, []byte("<html>\n sekrit-password-42 </html>"), "")
	f.Add(429, []byte(`{"error_code":429.5,"error_msg":null}`), "x")
	f.Fuzz(func(t *testing.T, n int, body []byte, requestID string) {
		status := fuzzStatus(n)
		e := parseAPIError("POST", "/p", status, http.Header{HeaderRequestID: {requestID}}, body, []string{secret})
		if e.HTTPStatus != status || e.Method != "POST" || e.Path != "/p" {
			t.Fatalf("%+v", e)
		}
		if len(e.Message) > maxErrorMessage+3 {
			t.Fatalf("message of %d bytes", len(e.Message))
		}
		if strings.Contains(e.Message, secret) {
			t.Fatalf("message shows the secret: %q", e.Message)
		}
		if e.RequestID == "" && requestID != "" {
			t.Fatalf("request ID lost: header %q", requestID)
		}
		if msg := e.Error(); !strings.Contains(msg, "POST /p: HTTP ") {
			t.Fatalf("Error() = %q", msg)
		}
	})
}
