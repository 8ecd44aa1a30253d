// Package cph is the client of the Huawei Cloud Cloud Phone (CPH) and IAM APIs
// used by the provider. It imports nothing from Terraform except tflog for
// logging.
//
// Every call takes a context first and fails with a typed error: *APIError
// for an error answer, *UncertainError when a batch reset may have reached the
// service but its outcome is unknown (never re-sent), or a wrapped transport
// or validation error naming the method and path.
//
// Layers of one call, outermost first (see New):
//
//	retries      go-retryablehttp; reads on 429/5xx/transport errors, a batch
//	             reset only on 429 or when the connection could not be made
//	auth         X-Auth-Token, or an SDK-HMAC-SHA256 signature made afresh for
//	             each attempt (sign.go), or an IAM password token (auth.go)
//	tracking     remembers whether the last attempt may have reached the service
//	logging      tflog Debug/Trace with every credential redacted (logging.go)
//	transport    the base http.Transport (redirects never followed)
package cph
