// Package cph is the client of the Huawei Cloud Cloud Phone (CPH) and IAM APIs
// used by the provider. It imports nothing from Terraform except tflog for
// logging.
//
// Every call takes a context first and fails with a typed error: *APIError
// for an error answer, or a wrapped transport or validation error naming the
// method and path. A Config is checked by Config.Validate (New calls it):
// each problem is a *FieldError naming the field, so callers can point at
// the setting; IDs are checked by IsID.
//
// # What a failed batch reset did
//
// BatchReset, the one call that changes anything, fails with exactly one of
// three types, so a caller can record truthfully what happened to the
// phones of the request (test IsNotSent and IsUncertain before errors.As
// with *APIError: a *NotSentError may wrap the *APIError of a failed IAM
// login, an *UncertainError the *APIError of a 5xx):
//
//	*NotSentError    nothing reached the service, nothing was applied:     phones not_sent
//	                 refused connection, DNS failure, TLS handshake or
//	                 certificate failure, proxy failure, IAM login failed,
//	                 context ended before a connection was made, invalid
//	                 request. Safe to send again.
//	*APIError        the service or gateway refused the whole request      phones rejected
//	                 with a 4xx: 400, 403, 401 (after the one re-login      (with Code and
//	                 of a password login), 429 (after the retries).         RequestID)
//	                 Nothing was applied.
//	*UncertainError  it may have reached the service and no usable         phones unknown
//	                 answer came back: 5xx, timeout or cancellation after
//	                 connecting, dropped connection or EOF, unreadable
//	                 answer. Never re-sent: find out what happened first.
//
// "Reached" is judged per attempt on the wire: an attempt that never got a
// connection (httptrace GotConn) was not sent, whatever its error says.
//
// Layers of one call, outermost first (see New):
//
//	retries      go-retryablehttp; reads on 429/5xx/transport errors, a batch
//	             reset only on 429 or when no connection was made
//	auth         X-Auth-Token, or an SDK-HMAC-SHA256 signature made afresh for
//	             each attempt (sign.go), or an IAM password token (auth.go)
//	tracking     remembers whether the last attempt may have reached the service
//	logging      tflog Debug/Trace with every credential redacted (logging.go)
//	transport    the base http.Transport (redirects never followed)
package cph
