package fakecph

import (
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestPublishedVector checks the verifier's pieces against the test vector
// Huawei publishes with its signing guide (cph-api.md).
func TestPublishedVector(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequestWithContext(t.Context(), "GET",
		"https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0", nil)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Sdk-Date", "20191115T033655Z")
	signed := []string{"content-type", "host", "x-sdk-date"}

	cr, err := canonicalRequest(req, signed, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := sha256Hex([]byte(cr)), "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"; got != want {
		t.Errorf("canonical request hash %s, want %s; canonical request:\n%s", got, want, cr)
	}
	sig := signature(testSK, stringToSign("20191115T033655Z", cr))
	if want := "7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"; sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"unreserved kept":      {"AZaz09-_.~", "AZaz09-_.~"},
		"space is %20 never +": {"a b", "a%20b"},
		"plus escaped":         {"a+b", "a%2Bb"},
		"reserved escaped":     {"/?#[]@!$&'()*,;=:", "%2F%3F%23%5B%5D%40%21%24%26%27%28%29%2A%2C%3B%3D%3A"},
		"upper-case hex":       {"\xff", "%FF"},
		"utf-8 bytes":          {"é", "%C3%A9"},
		"empty":                {"", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := escape(tc.in); got != tc.want {
				t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalURI(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ url, want string }{
		"slash appended":         {"http://h/v1/p/cloud-phone/phones", "/v1/p/cloud-phone/phones/"},
		"trailing slash kept":    {"http://h/v1/p/", "/v1/p/"},
		"root":                   {"http://h", "/"},
		"encoded space":          {"http://h/a%20b", "/a%20b/"},
		"encoded slash stays":    {"http://h/a%2Fb/c", "/a%2Fb/c/"},
		"sub-delims re-escaped":  {"http://h/a:b,c", "/a%3Ab%2Cc/"},
		"lower-case hex upgrade": {"http://h/%c3%a9", "/%C3%A9/"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			u, err := url.Parse(tc.url)
			if err != nil {
				t.Fatal(err)
			}
			got, err := canonicalURI(u)
			if err != nil || got != tc.want {
				t.Errorf("canonicalURI(%s) = %q, %v; want %q", tc.url, got, err, tc.want)
			}
		})
	}
}

func TestCanonicalQuery(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ raw, want string }{
		"empty":                 {"", ""},
		"sorted by key":         {"limit=2&marker=x&offset=0", "limit=2&marker=x&offset=0"},
		"unsorted input":        {"offset=0&limit=2", "limit=2&offset=0"},
		"repeated keys sorted":  {"a=2&a=1&a=10", "a=1&a=10&a=2"},
		"comma escaped":         {"request_ids=r1,r2", "request_ids=r1%2Cr2"},
		"already escaped comma": {"request_ids=r1%2Cr2", "request_ids=r1%2Cr2"},
		"space as %20":          {"phone_name=a%20b", "phone_name=a%20b"},
		"plus means space":      {"phone_name=a+b", "phone_name=a%20b"},
		"key without value":     {"nocatalog", "nocatalog="},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := canonicalQuery(tc.raw)
			if err != nil || got != tc.want {
				t.Errorf("canonicalQuery(%q) = %q, %v; want %q", tc.raw, got, err, tc.want)
			}
		})
	}
	if _, err := canonicalQuery("a=%zz"); err == nil {
		t.Error("canonicalQuery accepted a broken escape")
	}
}

func TestCanonicalHeaders(t *testing.T) {
	t.Parallel()
	req := httptest.NewRequestWithContext(t.Context(), "GET", "http://example.com:8080/", nil)
	req.Header.Add("X-Multi", "b")
	req.Header.Add("X-Multi", "  a  ")
	req.Header.Set("X-Sdk-Date", "20240501T100000Z")
	got, err := canonicalHeaders(req, []string{"host", "x-multi", "x-sdk-date"})
	want := "host:example.com:8080\nx-multi:a\nx-multi:b\nx-sdk-date:20240501T100000Z\n"
	if err != nil || got != want {
		t.Errorf("canonicalHeaders = %q, %v; want %q", got, err, want)
	}
	if got := req.Header.Values("X-Multi"); got[0] != "b" {
		t.Errorf("canonicalHeaders reordered the request's own headers: %q", got)
	}
	if _, err := canonicalHeaders(req, []string{"x-absent"}); err == nil {
		t.Error("a signed header absent from the request was accepted")
	}
}

func TestParseAuthorization(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in      string
		want    authorization
		wantErr bool
	}{
		"valid": {
			in:   "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;x-sdk-date, Signature=abc",
			want: authorization{access: "AK", signedHeaders: []string{"host", "x-sdk-date"}, signature: "abc"},
		},
		"no spaces after commas": {
			in:   "SDK-HMAC-SHA256 Access=AK,SignedHeaders=x-sdk-date,Signature=abc",
			want: authorization{access: "AK", signedHeaders: []string{"x-sdk-date"}, signature: "abc"},
		},
		"other scheme":            {in: "Bearer xyz", wantErr: true},
		"missing signature":       {in: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host", wantErr: true},
		"missing signed headers":  {in: "SDK-HMAC-SHA256 Access=AK, Signature=abc", wantErr: true},
		"upper-case header name":  {in: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=Host, Signature=abc", wantErr: true},
		"empty header name":       {in: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host;;x, Signature=abc", wantErr: true},
		"unknown field":           {in: "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=abc, Extra=1", wantErr: true},
		"duplicate field":         {in: "SDK-HMAC-SHA256 Access=AK, Access=BK, SignedHeaders=host, Signature=abc", wantErr: true},
		"field without equals":    {in: "SDK-HMAC-SHA256 Access, SignedHeaders=host, Signature=abc", wantErr: true},
		"algorithm without space": {in: "SDK-HMAC-SHA256Access=AK", wantErr: true},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			got, err := parseAuthorization(tc.in)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(authorization{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
