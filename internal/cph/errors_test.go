package cph

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseAPIError(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		status int
		header http.Header
		body   string
		want   APIError
	}{
		"CPH shape": {
			status: 400, body: `{"request_id":"r-9","error_code":"CPS.0009","error_msg":"phone_id list is empty"}`,
			want: APIError{HTTPStatus: 400, Code: "CPS.0009", Message: "phone_id list is empty", RequestID: "r-9"},
		},
		"gateway throttling, request ID from header": {
			status: 429, header: http.Header{"X-Request-Id": {"hdr-1"}}, body: `{"error_code":"APIG.0308","error_msg":"The throttling threshold has been reached"}`,
			want: APIError{HTTPStatus: 429, Code: "APIG.0308", Message: "The throttling threshold has been reached", RequestID: "hdr-1"},
		},
		"body request ID wins over header": {
			status: 404, header: http.Header{"X-Request-Id": {"hdr-2"}}, body: `{"error_code":"CPS.0005","error_msg":"not found","request_id":"body-2"}`,
			want: APIError{HTTPStatus: 404, Code: "CPS.0005", Message: "not found", RequestID: "body-2"},
		},
		"IAM shape, numeric code": {
			status: 401, body: `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`,
			want: APIError{HTTPStatus: 401, Code: "401", Message: "The username or password is wrong."},
		},
		"IAM shape, title only": {
			status: 403, body: `{"error":{"code":"IAM.0003","title":"Forbidden"}}`,
			want: APIError{HTTPStatus: 403, Code: "IAM.0003", Message: "Forbidden"},
		},
		"error as a string": {
			status: 500, body: `{"error":"boom"}`,
			want: APIError{HTTPStatus: 500, Message: "boom"},
		},
		"code and message": {
			status: 502, body: `{"code":"APIG.1009","message":"backend down"}`,
			want: APIError{HTTPStatus: 502, Code: "APIG.1009", Message: "backend down"},
		},
		"not JSON": {
			status: 502, body: "<html>\n<body>Bad   Gateway</body>\n</html>",
			want: APIError{HTTPStatus: 502, Message: "<html> <body>Bad Gateway</body> </html>"},
		},
		"empty body": {
			status: 503, header: http.Header{"X-Request-Id": {"hdr-3"}},
			want: APIError{HTTPStatus: 503, RequestID: "hdr-3"},
		},
		"long message truncated": {
			status: 400, body: `{"error_code":"X","error_msg":"` + strings.Repeat("a", 600) + `"}`,
			want: APIError{HTTPStatus: 400, Code: "X", Message: strings.Repeat("a", 512) + "..."},
		},
		"echoed secret scrubbed": {
			status: 401, body: `{"error_code":"APIG.0301","error_msg":"bad token super-secret-token-value"}`,
			want: APIError{HTTPStatus: 401, Code: "APIG.0301", Message: "bad token REDACTED"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			h := tc.header
			if h == nil {
				h = http.Header{}
			}
			got := parseAPIError("GET", "/v1/p/cloud-phone/phones", tc.status, h, []byte(tc.body), []string{"super-secret-token-value"})
			tc.want.Method, tc.want.Path = "GET", "/v1/p/cloud-phone/phones"
			if diff := cmp.Diff(&tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	apiErr := func(status int, code string) error {
		return fmt.Errorf("wrapped: %w", &APIError{Method: "GET", Path: "/x", HTTPStatus: status, Code: code})
	}
	tests := map[string]struct {
		err                                                       error
		notFound, throttled, auth, permission, uncertain, notSent bool
	}{
		"CPS.0005":           {err: apiErr(400, "CPS.0005"), notFound: true},
		"404 of CPH":         {err: apiErr(404, "CPS.0004"), notFound: true},
		"404 without code":   {err: apiErr(404, ""), notFound: true},
		"404 of the gateway": {err: apiErr(404, "APIG.0101")},
		"429":                {err: apiErr(429, "APIG.0308"), throttled: true},
		"401":                {err: apiErr(401, "APIG.0301"), auth: true},
		"signature":          {err: apiErr(400, "APIG.0303"), auth: true},
		"401 without code":   {err: apiErr(401, ""), auth: true},
		"403 APIG.0301":      {err: apiErr(403, "APIG.0301"), auth: true},
		"403 CPS.0001":       {err: apiErr(403, "CPS.0001"), permission: true},
		"CPS.0001 as 400":    {err: apiErr(400, "CPS.0001"), permission: true},
		"403 without code":   {err: apiErr(403, ""), permission: true},
		"uncertain 500":      {err: &UncertainError{Method: "POST", Path: "/x", Err: &APIError{HTTPStatus: 500}}, uncertain: true},
		"not sent, refused":  {err: fmt.Errorf("w: %w", &NotSentError{Method: "POST", Path: "/x", Err: errors.New("connection refused")}), notSent: true},
		"not sent, login":    {err: &NotSentError{Method: "POST", Path: "/x", Err: &authError{apiErr(401, "")}}, notSent: true, auth: true},
		"plain":              {err: errors.New("x")},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got := []bool{IsNotFound(tc.err), IsThrottled(tc.err), IsAuth(tc.err), IsPermission(tc.err), IsUncertain(tc.err), IsNotSent(tc.err)}
			want := []bool{tc.notFound, tc.throttled, tc.auth, tc.permission, tc.uncertain, tc.notSent}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("[notFound throttled auth permission uncertain notSent] (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAPIErrorsFromCalls(t *testing.T) {
	t.Parallel()
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(HeaderRequestID, "hdr-77")
		writeJSON(w, 404, map[string]string{"error_code": "CPS.0005", "error_msg": "The phone does not exist."})
	})
	c := mustNew(t, testConfig(srv, TokenCredentials{Token: "a-secret-token"}))
	_, err := c.ShowPhone(context.Background(), "ffffffffffffffffffffffffffffffff")
	if !IsNotFound(err) {
		t.Fatalf("err = %v, want not found", err)
	}
	want := "GET " + cphPath("phones/ffffffffffffffffffffffffffffffff") +
		": HTTP 404 CPS.0005: The phone does not exist. (request ID hdr-77)"
	if err.Error() != want {
		t.Errorf("error text =\n%s\nwant\n%s", err, want)
	}
	if strings.Contains(err.Error(), "a-secret-token") {
		t.Error("token in error text")
	}
}
