package cph

// AK/SK request signing, SDK-HMAC-SHA256, as described in Huawei's API
// signing guide (../shared/reference/cph-api.md, "AK/SK signing").

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

const (
	// SignAlgorithm names the signing scheme in the Authorization header.
	SignAlgorithm = "SDK-HMAC-SHA256"
	// HeaderSdkDate carries the signing time, formatted with SdkDateFormat.
	HeaderSdkDate = "X-Sdk-Date"
	// SdkDateFormat is the layout of X-Sdk-Date (UTC).
	SdkDateFormat = "20060102T150405Z"
	// HeaderProjectID names the project; sent on every CPH call and signed.
	HeaderProjectID = "X-Project-Id"
	// HeaderSecurityToken carries the security token of temporary AK/SK.
	HeaderSecurityToken = "X-Security-Token"
	// HeaderAuthToken carries an IAM token.
	HeaderAuthToken = "X-Auth-Token"
	// HeaderSubjectToken is where IAM returns a new token.
	HeaderSubjectToken = "X-Subject-Token"
	// HeaderRequestID is the gateway's request ID header.
	HeaderRequestID = "X-Request-Id"
)

// signableHeaders are the headers signed when the request carries them. Only
// headers this client sets itself are signed (never ones a proxy may alter).
var signableHeaders = []string{"content-type", "host", "x-domain-id", "x-project-id", "x-sdk-date", "x-security-token"}

// Signer signs requests with one access key / secret key pair.
type Signer struct {
	AccessKey string
	SecretKey string
}

// Sign signs req in place; see the package function Sign.
func (s Signer) Sign(req *http.Request, body []byte, t time.Time) error {
	return Sign(req, body, s.AccessKey, s.SecretKey, t)
}

// Sign signs req in place with SDK-HMAC-SHA256: it sets X-Sdk-Date from t,
// rewrites req.URL.RawQuery in canonical form (so the query on the wire is
// escaped exactly as signed) and sets the Authorization header. body must be
// the exact bytes that will be sent (nil or empty for none). Headers that take
// part in the signature (X-Project-Id, X-Security-Token, Content-Type) must be
// set before calling Sign; Sign must be called again for every attempt.
func Sign(req *http.Request, body []byte, accessKey, secretKey string, t time.Time) error {
	if accessKey == "" || secretKey == "" {
		return errors.New("sign request: access key and secret key must both be set")
	}
	if req.URL == nil {
		return errors.New("sign request: request has no URL")
	}
	if req.Header == nil {
		req.Header = make(http.Header)
	}
	date := t.UTC().Format(SdkDateFormat)
	req.Header.Set(HeaderSdkDate, date)
	req.URL.RawQuery = CanonicalQuery(req.URL.Query())

	signed := SignedHeaders(req)
	creq := CanonicalRequest(req, signed, body)
	sig := Signature(StringToSign(creq, date), secretKey)
	req.Header.Set("Authorization", SignAlgorithm+" Access="+accessKey+
		", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
	return nil
}

// SignedHeaders returns the lower-case names of the headers of req that are
// signed, sorted: always host, and content-type, x-domain-id, x-project-id,
// x-sdk-date and x-security-token when present.
func SignedHeaders(req *http.Request) []string {
	var names []string
	for _, name := range signableHeaders {
		if name == "host" || len(req.Header.Values(name)) > 0 {
			names = append(names, name)
		}
	}
	return names // signableHeaders is sorted
}

// CanonicalRequest builds the canonical request of req for the given signed
// header names (lower case, sorted) and body.
func CanonicalRequest(req *http.Request, signedHeaders []string, body []byte) string {
	var b strings.Builder
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(CanonicalURI(req.URL.Path))
	b.WriteByte('\n')
	b.WriteString(CanonicalQuery(req.URL.Query()))
	b.WriteByte('\n')
	for _, name := range signedHeaders {
		var values []string
		if name == "host" {
			values = []string{requestHost(req)}
		} else {
			values = slices.Clone(req.Header.Values(name))
			slices.Sort(values)
		}
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(hexSHA256(body))
	return b.String()
}

// StringToSign builds the string to sign from a canonical request and the
// X-Sdk-Date value.
func StringToSign(canonicalRequest, sdkDate string) string {
	return SignAlgorithm + "\n" + sdkDate + "\n" + hexSHA256([]byte(canonicalRequest))
}

// Signature is hex(HMAC-SHA256(secretKey, stringToSign)).
func Signature(stringToSign, secretKey string) string {
	m := hmac.New(sha256.New, []byte(secretKey))
	m.Write([]byte(stringToSign))
	return hex.EncodeToString(m.Sum(nil))
}

// CanonicalURI escapes each segment of a (decoded) path and makes sure the
// result ends in "/".
func CanonicalURI(path string) string {
	segments := strings.Split(path, "/")
	for i, s := range segments {
		segments[i] = Escape(s)
	}
	p := strings.Join(segments, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

// CanonicalQuery encodes a query with Escape, sorted by key, repeated keys
// with sorted values, joined "k=v" with "&". It is also the form sent on the
// wire.
func CanonicalQuery(q url.Values) string {
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		values := slices.Clone(q[k])
		slices.Sort(values)
		for _, v := range values {
			parts = append(parts, Escape(k)+"="+Escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// Escape keeps A-Z a-z 0-9 - _ . ~ and writes every other byte as %XX with
// upper-case hex (a space is %20, never +).
func Escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isUnreserved(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&0xF])
	}
	return b.String()
}

func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// requestHost is the Host header Go will send for req.
func requestHost(req *http.Request) string {
	if req.Host != "" {
		return req.Host
	}
	return req.URL.Host
}

func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
