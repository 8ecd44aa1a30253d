package cph

import (
	"context"
	"errors"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// FuzzEscape: Escape keeps only unreserved bytes and upper-case %XX, and
// unescaping gives back the input exactly.
func FuzzEscape(f *testing.F) {
	for _, s := range []string{"", "abc-_.~", "a b+c", "é/?#&=%", "\x00\xff", "%2F", "13551d6b-755d-4757-b956-536f674975c0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		e := Escape(s)
		for i := 0; i < len(e); i++ {
			switch c := e[i]; {
			case isUnreserved(c):
			case c == '%' && i+2 < len(e) && isUpperHex(e[i+1]) && isUpperHex(e[i+2]):
				i += 2
			default:
				t.Fatalf("Escape(%q) = %q: byte %d (%q) is neither unreserved nor %%XX", s, e, i, c)
			}
		}
		back, err := url.PathUnescape(e)
		if err != nil || back != s {
			t.Fatalf("unescape(Escape(%q)) = %q, %v", s, back, err)
		}
	})
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// FuzzCanonicalQuery: the canonical query (also the wire query) parses back
// to the same values, and canonicalising it again changes nothing.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("limit", "2", "marker", "13551d6b-755d-4757-b956-536f674975c0", "")
	f.Add("request_ids", "a,b", "request_ids", "c", "offset")
	f.Add("", "", "a b", "x+y", "é")
	f.Add("k", ";", "&", "=", "%zz")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, k3 string) {
		q := url.Values{}
		q.Add(k1, v1)
		q.Add(k2, v2)
		q.Add(k3, "")
		c := CanonicalQuery(q)
		parsed, err := url.ParseQuery(c)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", c, err)
		}
		if len(parsed) != len(q) {
			t.Fatalf("%q parses to %d keys, want %d", c, len(parsed), len(q))
		}
		for k, vs := range q {
			want := slices.Sorted(slices.Values(vs))
			if got := parsed[k]; !slices.Equal(got, want) {
				t.Fatalf("key %q: parsed %q, want %q (query %q)", k, got, want, c)
			}
		}
		if again := CanonicalQuery(parsed); again != c {
			t.Fatalf("not idempotent: %q then %q", c, again)
		}
	})
}

// FuzzCanonicalURI: the canonical URI ends in "/" and its segments unescape
// to the path's segments.
func FuzzCanonicalURI(f *testing.F) {
	for _, p := range []string{"", "/", "/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs", "/v1/p/cloud-phone/phones/batch-reset",
		"/a b/é/", "//x//", "/%2F/"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, path string) {
		c := CanonicalURI(path)
		if !strings.HasSuffix(c, "/") {
			t.Fatalf("CanonicalURI(%q) = %q does not end in /", path, c)
		}
		want := strings.Split(path, "/")
		if !strings.HasSuffix(path, "/") {
			want = append(want, "")
		}
		got := strings.Split(c, "/")
		if len(got) != len(want) {
			t.Fatalf("CanonicalURI(%q) = %q: %d segments, want %d", path, c, len(got), len(want))
		}
		for i := range got {
			if s, err := url.PathUnescape(got[i]); err != nil || s != want[i] {
				t.Fatalf("segment %d of %q unescapes to %q (%v), want %q", i, c, s, err, want[i])
			}
		}
	})
}

// FuzzSignAcceptedByFake signs real requests with fuzzed path segments and
// query values through the client and has the fake gateway, whose verifier
// is written independently from the signing guide, check them over HTTP:
// a signature is never refused.
func FuzzSignAcceptedByFake(f *testing.F) {
	const ak, sk = "FUZZAK0123456789", "fuzz-secret-key"
	svc := fakecph.New(fakecph.Options{Seed: 9, Phones: 2, ProjectID: testProjectID, AccessKey: ak, SecretKey: sk})
	srv := httptest.NewServer(svc)
	f.Cleanup(srv.Close)
	cfg := testConfig(srv, AKSKCredentials{AccessKey: ak, SecretKey: sk})
	cfg.MaxRetries = 0
	c, err := New(context.Background(), cfg)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(svc.PhoneIDs()[0], "phone-1", "")
	f.Add("not a phone", "a b+c&d=e", "é;%")
	f.Add("..", "", "\x00")
	f.Add("a/b", "*", "~")
	f.Fuzz(func(t *testing.T, phoneID, phoneName, serverID string) {
		ctx := context.Background()
		check := func(what string, err error) {
			var apiErr *APIError
			if err == nil || !errors.As(err, &apiErr) {
				return // answered, or refused by the client before sending
			}
			if IsAuth(err) {
				t.Fatalf("%s: the fake refused the signature: %v", what, err)
			}
			if apiErr.Code == "APIG.0101" && what == "list phones" {
				t.Fatalf("%s: the fake found no route: %v", what, err)
			}
		}
		if phoneID != "" {
			_, err := c.ShowPhone(ctx, phoneID)
			check("show phone", err)
		}
		_, err := c.ListPhones(ctx, ListPhonesInput{PhoneName: phoneName, ServerID: serverID})
		check("list phones", err)
	})
}
