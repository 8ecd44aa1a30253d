package cph

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// APIError is an error answer from CPH, IAM or the API gateway.
type APIError struct {
	Method     string // e.g. "POST"
	Path       string // request path without query, e.g. "/v1/<project>/cloud-phone/phones/batch-reset"
	HTTPStatus int
	Code       string // e.g. "CPS.0009", "APIG.0301"; empty when the body had none
	Message    string
	RequestID  string // from the body's request_id, else the X-Request-Id header
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("%s %s: HTTP %d", e.Method, e.Path, e.HTTPStatus)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.RequestID != "" {
		msg += " (request ID " + e.RequestID + ")"
	}
	return msg
}

// IsNotFound reports whether err is an API error meaning "no such object".
// A 404 from the API gateway itself (APIG.xxxx, e.g. APIG.0101 "API not
// found" from a wrong endpoint) says nothing about the object and is not
// "not found": treating it so would make Read drop resources that exist.
func IsNotFound(err error) bool {
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		return false
	}
	if apiErr.Code == "CPS.0005" {
		return true
	}
	return apiErr.HTTPStatus == http.StatusNotFound && !strings.HasPrefix(apiErr.Code, "APIG.")
}

// IsThrottled reports whether err is the gateway's throttling answer.
func IsThrottled(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.HTTPStatus == http.StatusTooManyRequests || apiErr.Code == "APIG.0308")
}

// IsAuth reports whether err is an authentication or signature failure: the
// credentials are wrong, expired or unknown (HTTP 401, APIG.0301
// authentication failed, APIG.0303 signature invalid or expired, whatever
// the HTTP status). Retrying with the same credentials cannot help.
func IsAuth(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && (apiErr.HTTPStatus == http.StatusUnauthorized || apiErr.Code == "APIG.0301" || apiErr.Code == "APIG.0303")
}

// IsPermission reports whether err says the credentials are valid but not
// allowed to do this: HTTP 403 or CPS.0001 "no permission" (also the answer
// for a project that is not the credential's). An authentication failure
// (IsAuth) is never also a permission failure.
func IsPermission(err error) bool {
	var apiErr *APIError
	return errors.As(err, &apiErr) && !IsAuth(err) && (apiErr.HTTPStatus == http.StatusForbidden || apiErr.Code == "CPS.0001")
}

// NotSentError says a non-idempotent request (a batch reset) certainly did
// not reach the service, so nothing was applied: it was invalid before
// leaving, no connection could be made (refused, DNS failure, TLS handshake
// or certificate failure, proxy failure), the credentials could not be
// obtained (IAM login failed), or the context ended before a connection was
// made. Sending it again later is safe.
type NotSentError struct {
	Method string
	Path   string
	Err    error // the cause: a transport, login, context or validation error
}

func (e *NotSentError) Error() string {
	return fmt.Sprintf("%s %s: not sent, nothing reached the service: %v", e.Method, e.Path, e.Err)
}

func (e *NotSentError) Unwrap() error { return e.Err }

// IsNotSent reports whether err is a *NotSentError.
func IsNotSent(err error) bool {
	var n *NotSentError
	return errors.As(err, &n)
}

// UncertainError says a non-idempotent request (a batch reset) may have
// reached the service although no answer came back: the caller must not send
// it again without first finding out what happened.
type UncertainError struct {
	Method string
	Path   string
	Err    error // the transport error or the *APIError of a 5xx answer
}

func (e *UncertainError) Error() string {
	return fmt.Sprintf("%s %s: the request may have reached the service, but its outcome is unknown: %v", e.Method, e.Path, e.Err)
}

func (e *UncertainError) Unwrap() error { return e.Err }

// IsUncertain reports whether err is an *UncertainError.
func IsUncertain(err error) bool {
	var u *UncertainError
	return errors.As(err, &u)
}
