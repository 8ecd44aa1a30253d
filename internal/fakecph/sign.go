package fakecph

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// The SDK-HMAC-SHA256 scheme of Huawei's API gateway, written from the
// signing guide (see cph-api.md "AK/SK signing"), as a server sees it: every
// input comes from the request as received, never from a client's notion of
// what it sent.

const (
	signAlgorithm  = "SDK-HMAC-SHA256"
	sdkDateFormat  = "20060102T150405Z"
	unsignedBody   = "UNSIGNED-PAYLOAD"
	headerSdkDate  = "X-Sdk-Date"
	headerBodyHash = "X-Sdk-Content-Sha256"
)

// escape keeps A-Z a-z 0-9 - _ . ~ and writes every other byte as %XX with
// upper-case hex.
func escape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// canonicalURI escapes each segment of the path as received and makes sure
// it ends in "/". Segments are split on the raw path so an encoded "/"
// inside a segment stays part of it.
func canonicalURI(u *url.URL) (string, error) {
	segs := strings.Split(u.EscapedPath(), "/")
	for i, seg := range segs {
		raw, err := url.PathUnescape(seg)
		if err != nil {
			return "", fmt.Errorf("path segment %q: %w", seg, err)
		}
		segs[i] = escape(raw)
	}
	p := strings.Join(segs, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p, nil
}

// canonicalQuery decodes the query as received and re-encodes it: keys
// sorted, each key's values sorted, both escaped, joined k=v with "&".
func canonicalQuery(rawQuery string) (string, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return "", err
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&"), nil
}

// canonicalHeaders writes "name:value\n" for each signed header, in the
// order the client listed them; a header sent several times gives one line
// per value, values sorted. A signed header the request does not carry is
// an error: the client signed something the server never received.
func canonicalHeaders(r *http.Request, signed []string) (string, error) {
	var b strings.Builder
	for _, name := range signed {
		var vals []string
		if name == "host" {
			if r.Host != "" {
				vals = []string{r.Host} // net/http moves Host out of the header map
			}
		} else {
			vals = append(vals, r.Header.Values(name)...) // a copy: sorted below
		}
		if len(vals) == 0 {
			return "", fmt.Errorf("signed header %q is not in the request", name)
		}
		sort.Strings(vals)
		for _, v := range vals {
			b.WriteString(name + ":" + strings.TrimSpace(v) + "\n")
		}
	}
	return b.String(), nil
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// canonicalRequest builds the six lines that get hashed and signed.
func canonicalRequest(r *http.Request, signed []string, body []byte) (string, error) {
	uri, err := canonicalURI(r.URL)
	if err != nil {
		return "", err
	}
	query, err := canonicalQuery(r.URL.RawQuery)
	if err != nil {
		return "", err
	}
	headers, err := canonicalHeaders(r, signed)
	if err != nil {
		return "", err
	}
	bodyHash := sha256Hex(body)
	if r.Header.Get(headerBodyHash) == unsignedBody {
		// The gateway lets clients opt out of hashing a body (uploads); the
		// literal then stands in for the hash.
		bodyHash = unsignedBody
	}
	return strings.Join([]string{r.Method, uri, query, headers, strings.Join(signed, ";"), bodyHash}, "\n"), nil
}

// stringToSign is what the secret key signs.
func stringToSign(sdkDate, canonical string) string {
	return signAlgorithm + "\n" + sdkDate + "\n" + sha256Hex([]byte(canonical))
}

// signature is hex(HMAC-SHA256(secret key, string to sign)); the scheme
// derives no keys.
func signature(secretKey, sts string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

// authorization is a parsed "SDK-HMAC-SHA256 Access=..., SignedHeaders=...,
// Signature=..." header.
type authorization struct {
	access        string
	signedHeaders []string
	signature     string
}

var errNotSigned = errors.New("not an SDK-HMAC-SHA256 authorization")

func parseAuthorization(h string) (authorization, error) {
	rest, ok := strings.CutPrefix(h, signAlgorithm+" ")
	if !ok {
		return authorization{}, errNotSigned
	}
	var a authorization
	seen := map[string]bool{}
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok || seen[k] {
			return authorization{}, fmt.Errorf("malformed authorization field %q", part)
		}
		seen[k] = true
		switch k {
		case "Access":
			a.access = v
		case "SignedHeaders":
			for _, name := range strings.Split(v, ";") {
				if name == "" || name != strings.ToLower(name) {
					return authorization{}, fmt.Errorf("malformed signed header name %q", name)
				}
				a.signedHeaders = append(a.signedHeaders, name)
			}
		case "Signature":
			a.signature = v
		default:
			return authorization{}, fmt.Errorf("unknown authorization field %q", k)
		}
	}
	if a.access == "" || len(a.signedHeaders) == 0 || a.signature == "" {
		return authorization{}, errors.New("authorization lacks Access, SignedHeaders or Signature")
	}
	return a, nil
}
