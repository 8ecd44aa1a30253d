package cph

import "regexp"

// IDPattern is the shape of every CPH and IAM ID (phones, servers, images,
// jobs, requests, projects): 32 lowercase hexadecimal digits. It is the one
// place this rule is written; validators and error texts use it and
// IDDescription.
var IDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// IDDescription says in words what IDPattern accepts, for error messages and
// docs.
const IDDescription = "32 lowercase hexadecimal characters"

// IsID reports whether s has the shape of a CPH ID.
func IsID(s string) bool { return IDPattern.MatchString(s) }
