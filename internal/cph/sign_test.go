package cph

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSignPublishedVector(t *testing.T) {
	t.Parallel()
	const (
		ak = "QTWAOYTTINDUT2QVKYUC"
		sk = "MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc"
	)
	req, err := http.NewRequest(http.MethodGet,
		"https://service.region.example.com/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs?limit=2&marker=13551d6b-755d-4757-b956-536f674975c0", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	signingTime := time.Date(2019, 11, 15, 3, 36, 55, 0, time.UTC)
	if err := Sign(req, nil, ak, sk, signingTime); err != nil {
		t.Fatal(err)
	}

	signed := SignedHeaders(req)
	if diff := cmp.Diff([]string{"content-type", "host", "x-sdk-date"}, signed); diff != "" {
		t.Errorf("signed headers (-want +got):\n%s", diff)
	}
	creq := CanonicalRequest(req, signed, nil)
	if got, want := hexSHA256([]byte(creq)), "b25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a"; got != want {
		t.Errorf("canonical request hash = %s, want %s\ncanonical request:\n%s", got, want, creq)
	}
	if got := req.Header.Get(HeaderSdkDate); got != "20191115T033655Z" {
		t.Errorf("X-Sdk-Date = %q", got)
	}
	want := "SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, " +
		"Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe"
	if got := req.Header.Get("Authorization"); got != want {
		t.Errorf("Authorization =\n%s\nwant\n%s", got, want)
	}
}

func TestEscape(t *testing.T) {
	t.Parallel()
	tests := map[string]struct{ in, want string }{
		"unreserved kept": {"AZaz09-_.~", "AZaz09-_.~"},
		"space is %20":    {"a b", "a%20b"},
		"plus escaped":    {"a+b", "a%2Bb"},
		"comma":           {"r1,r2", "r1%2Cr2"},
		"slash":           {"a/b", "a%2Fb"},
		"upper-case hex":  {"?=&*", "%3F%3D%26%2A"},
		"utf-8 bytes":     {"é", "%C3%A9"},
		"percent":         {"100%", "100%25"},
		"empty":           {"", ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := Escape(tc.in); got != tc.want {
				t.Errorf("Escape(%q) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestCanonicalQueryAndURI(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		query url.Values
		want  string
	}{
		"sorted keys":            {url.Values{"b": {"1"}, "a": {"2"}}, "a=2&b=1"},
		"repeated keys sorted":   {url.Values{"k": {"z", "a", "m"}}, "k=a&k=m&k=z"},
		"space and plus escaped": {url.Values{"phone_name": {"my phone+1"}}, "phone_name=my%20phone%2B1"},
		"empty value":            {url.Values{"x": {""}}, "x="},
		"empty":                  {nil, ""},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := CanonicalQuery(tc.query); got != tc.want {
				t.Errorf("CanonicalQuery = %q, want %q", got, tc.want)
			}
		})
	}
	uris := map[string]string{
		"":                   "/",
		"/":                  "/",
		"/v1/p/phones":       "/v1/p/phones/",
		"/v1/p/phones/":      "/v1/p/phones/",
		"/v1/a b/x":          "/v1/a%20b/x/",
		"/v1/caf\u00e9/jobs": "/v1/caf%C3%A9/jobs/",
	}
	for in, want := range uris {
		if got := CanonicalURI(in); got != want {
			t.Errorf("CanonicalURI(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestSignRewritesWireQuery(t *testing.T) {
	t.Parallel()
	req, _ := http.NewRequest(http.MethodGet, "https://h.example.com/v1/x?phone_name=a+b&limit=2", nil)
	if err := Sign(req, nil, "AK", "SK", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	// "+" in a form-encoded query means a space; on the wire it becomes %20.
	if got, want := req.URL.RawQuery, "limit=2&phone_name=a%20b"; got != want {
		t.Errorf("RawQuery = %q, want %q", got, want)
	}
	if err := Sign(req, nil, "", "SK", time.Unix(0, 0)); err == nil {
		t.Error("Sign without an access key succeeded")
	}
}

// verifySignature checks an incoming request the way the API gateway does,
// from the server's view of the request.
func verifySignature(r *http.Request, body []byte, ak, sk string) error {
	auth := r.Header.Get("Authorization")
	prefix := SignAlgorithm + " Access=" + ak + ", SignedHeaders="
	if !strings.HasPrefix(auth, prefix) {
		return fmt.Errorf("bad Authorization %q", auth)
	}
	rest := strings.TrimPrefix(auth, prefix)
	names, sig, ok := strings.Cut(rest, ", Signature=")
	if !ok {
		return errors.New("no signature")
	}
	signed := strings.Split(names, ";")
	creq := CanonicalRequest(r, signed, body)
	want := Signature(StringToSign(creq, r.Header.Get(HeaderSdkDate)), sk)
	if sig != want {
		return fmt.Errorf("signature mismatch\ncanonical request:\n%s", creq)
	}
	return nil
}

func TestAKSKRequestsAreSignedAndResignedOnRetry(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		creds      AKSKCredentials
		wantSigned []string
	}{
		"permanent keys": {
			creds:      AKSKCredentials{AccessKey: "AK1", SecretKey: "SK-secret-1"},
			wantSigned: []string{"host", "x-project-id", "x-sdk-date"},
		},
		"temporary keys": {
			creds:      AKSKCredentials{AccessKey: "AK2", SecretKey: "SK-secret-2", SecurityToken: "sec-token-2"},
			wantSigned: []string{"host", "x-project-id", "x-sdk-date", "x-security-token"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var dates []string
			var calls int
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				if err := verifySignature(r, body, tc.creds.AccessKey, tc.creds.SecretKey); err != nil {
					writeError(w, 401, "APIG.0303", err.Error())
					return
				}
				if got := r.Header.Get(HeaderSecurityToken); got != tc.creds.SecurityToken {
					writeError(w, 401, "APIG.0301", "security token")
					return
				}
				mu.Lock()
				calls++
				n := calls
				dates = append(dates, r.Header.Get(HeaderSdkDate))
				signed := strings.Split(strings.SplitN(strings.SplitN(r.Header.Get("Authorization"), "SignedHeaders=", 2)[1], ",", 2)[0], ";")
				mu.Unlock()
				if diff := cmp.Diff(tc.wantSigned, signed); diff != "" {
					t.Errorf("signed headers (-want +got):\n%s", diff)
				}
				if n == 1 {
					writeError(w, 503, "CPS.0003", "busy")
					return
				}
				writeJSON(w, 200, map[string]any{"request_id": "x", "count": 1, "phones": []Phone{{PhoneID: "p1", PhoneName: "a b+c"}}})
			})
			cfg := testConfig(srv, tc.creds)
			var tick sync.Mutex
			now := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
			cfg.Now = func() time.Time { // one second later at every call
				tick.Lock()
				defer tick.Unlock()
				now = now.Add(time.Second)
				return now
			}
			c := mustNew(t, cfg)
			out, err := c.ListPhones(context.Background(), ListPhonesInput{PhoneName: "a b+c", Limit: 10})
			if err != nil {
				t.Fatalf("ListPhones: %v", err)
			}
			if len(out.Phones) != 1 {
				t.Fatalf("phones = %+v", out.Phones)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(dates) != 2 || dates[0] == dates[1] {
				t.Errorf("X-Sdk-Date of the two attempts = %v; want two different dates (signed again)", dates)
			}
		})
	}
}

func TestSignPOSTBodyAndWireQuery(t *testing.T) {
	t.Parallel()
	creds := AKSKCredentials{AccessKey: "AK3", SecretKey: "SK3"}
	srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := verifySignature(r, body, creds.AccessKey, creds.SecretKey); err != nil {
			writeError(w, 401, "APIG.0303", err.Error())
			return
		}
		switch r.Method {
		case http.MethodPost:
			if !strings.Contains(r.Header.Get("Authorization"), "content-type;host;x-project-id;x-sdk-date") {
				t.Errorf("POST signed headers: %s", r.Header.Get("Authorization"))
			}
			writeJSON(w, 200, resetOK)
		default:
			if got, want := r.URL.RawQuery, "limit=100&offset=0&request_ids=r1%2Cr2"; got != want {
				t.Errorf("wire query = %q, want %q", got, want)
			}
			writeJSON(w, 200, map[string]any{"jobs": []Job{}})
		}
	})
	c := mustNew(t, testConfig(srv, creds))
	if _, err := c.BatchReset(context.Background(), oneResetRequest()); err != nil {
		t.Fatalf("BatchReset: %v", err)
	}
	if _, err := c.ListJobs(context.Background(), ListJobsInput{RequestIDs: []string{"r1", "r2"}, Limit: 100}); err != nil {
		t.Fatalf("ListJobs: %v", err)
	}
}
