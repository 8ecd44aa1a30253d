package fakecph

import (
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"
)

// maxClockSkew is how far X-Sdk-Date may be from the gateway's clock.
const maxClockSkew = 15 * time.Minute

// authError is a refusal by the gateway. Codes follow the reference:
// APIG.0301 when the credential is missing, unknown or expired, APIG.0303
// when a signature is wrong, malformed or stale. Messages follow the
// gateway's wording but never echo a credential.
type authError struct {
	status    int
	code, msg string
}

func unauthenticated(msg string) *authError {
	return &authError{http.StatusUnauthorized, "APIG.0301", "Incorrect IAM authentication information: " + msg}
}

func badSignature(msg string) *authError {
	return &authError{http.StatusUnauthorized, "APIG.0303", "Incorrect app authentication information: " + msg}
}

// principal is who a request authenticated as.
type principal struct {
	// project is the project the credential is scoped to; a CPH path naming
	// another project is refused.
	project string
}

// authenticate checks a request's credential the way the gateway does: an
// X-Auth-Token when present, otherwise an SDK-HMAC-SHA256 signature.
func (s *Service) authenticate(r *http.Request, body []byte, now time.Time) (principal, *authError) {
	if tok := r.Header.Get("X-Auth-Token"); tok != "" {
		return s.checkToken(tok, now)
	}
	h := r.Header.Get("Authorization")
	if h == "" {
		return principal{}, unauthenticated("x-auth-token not found")
	}
	a, err := parseAuthorization(h)
	if errors.Is(err, errNotSigned) {
		return principal{}, unauthenticated("unsupported authorization scheme")
	}
	if err != nil {
		return principal{}, badSignature(err.Error())
	}
	key, ok := s.keys[a.access] // s.keys is never written after New
	if !ok {
		return principal{}, unauthenticated("Get secretKey failed, err:ak not exist")
	}
	if key.securityToken != "" && !equal(r.Header.Get("X-Security-Token"), key.securityToken) {
		return principal{}, unauthenticated("temporary access key without its matching X-Security-Token")
	}
	date := r.Header.Get(headerSdkDate)
	t, err := time.Parse(sdkDateFormat, date)
	if err != nil {
		return principal{}, badSignature("X-Sdk-Date is missing or not YYYYMMDDTHHMMSSZ")
	}
	if skew := now.Sub(t); skew > maxClockSkew || skew < -maxClockSkew {
		return principal{}, badSignature("calc ak sk signature fail:signature expired (X-Sdk-Date more than 15 minutes from the server's clock)")
	}
	cr, err := canonicalRequest(r, a.signedHeaders, body)
	if err != nil {
		return principal{}, badSignature(err.Error())
	}
	if !equal(strings.ToLower(a.signature), signature(key.secret, stringToSign(date, cr))) {
		return principal{}, badSignature("verify aksk signature fail")
	}
	// With AK/SK the project comes from X-Project-Id when the client sends it
	// (Huawei's SDKs always do); otherwise the key is good for the account's
	// projects, and the path decides.
	p := principal{project: r.Header.Get("X-Project-Id")}
	if p.project == "" {
		p.project = s.projectID
	}
	return p, nil
}

func (s *Service) checkToken(tok string, now time.Time) (principal, *authError) {
	if s.authToken != "" && equal(tok, s.authToken) {
		return principal{project: s.projectID}, nil
	}
	s.mu.Lock()
	st, ok := s.tokens[tok]
	var expired bool
	if ok {
		expired = st.expired || !now.Before(st.expiresAt)
	}
	s.mu.Unlock()
	switch {
	case !ok:
		return principal{}, unauthenticated("decrypt token fail")
	case expired:
		return principal{}, unauthenticated("the token has expired")
	}
	return principal{project: st.projectID}, nil
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
