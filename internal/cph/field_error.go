package cph

import (
	"errors"
	"fmt"
)

// Field names a Config field (or one credential of Credentials) that a
// FieldError is about, so a caller such as the provider can point at the
// setting the user wrote.
type Field string

// The fields Config.Validate reports on.
const (
	FieldRegion         Field = "region"
	FieldProjectID      Field = "project ID"
	FieldEndpoint       Field = "endpoint"
	FieldIAMEndpoint    Field = "IAM endpoint"
	FieldCredentials    Field = "credentials" // none given, or an unsupported type
	FieldToken          Field = "token"
	FieldAccessKey      Field = "access key"
	FieldSecretKey      Field = "secret key"
	FieldSecurityToken  Field = "security token"
	FieldUserName       Field = "user name"
	FieldPassword       Field = "password"
	FieldDomainName     Field = "domain name"
	FieldMaxRetries     Field = "max retries"
	FieldRetryWait      Field = "retry wait"
	FieldRequestTimeout Field = "request timeout"
	FieldUserAgent      Field = "user agent"
	FieldHTTPClient     Field = "HTTP client"
)

// FieldError is one problem with one Config field. Problem completes a
// sentence that starts with the field's name, says what was given (never a
// secret) and what is allowed, e.g. `must be an absolute http or https URL,
// got "cph.example.com"`.
type FieldError struct {
	Field   Field
	Missing bool // the field is required and empty
	Problem string
}

func (e *FieldError) Error() string { return string(e.Field) + " " + e.Problem }

// FieldErrors returns every *FieldError in err (as joined by Config.Validate
// and New), or nil when err holds none.
func FieldErrors(err error) []*FieldError {
	var joined interface{ Unwrap() []error }
	if errors.As(err, &joined) {
		var out []*FieldError
		for _, e := range joined.Unwrap() {
			out = append(out, FieldErrors(e)...)
		}
		return out
	}
	var fe *FieldError
	if errors.As(err, &fe) {
		return []*FieldError{fe}
	}
	return nil
}

func fieldErr(f Field, format string, args ...any) *FieldError {
	return &FieldError{Field: f, Problem: fmt.Sprintf(format, args...)}
}

func missing(f Field, format string, args ...any) *FieldError {
	return &FieldError{Field: f, Missing: true, Problem: fmt.Sprintf(format, args...)}
}

// RegionDescription says what a region name looks like.
const RegionDescription = "a region name: lowercase letters and digits in dash-separated words, such as cn-north-4"

// ValidateRegion checks the form of a region name ("" is not checked: whether
// a region is needed depends on the other fields, see Config.Validate).
func ValidateRegion(region string) error {
	if region == "" || regionPattern.MatchString(region) {
		return nil
	}
	return fieldErr(FieldRegion, "must be %s, got %q", RegionDescription, region)
}

// ValidateProjectID checks the form of a project ID ("" means "look it up").
func ValidateProjectID(id string) error {
	if id == "" || IsID(id) {
		return nil
	}
	return fieldErr(FieldProjectID, "must be %s, got %q", IDDescription, id)
}

// ValidateEndpoint checks an explicit endpoint (f is FieldEndpoint or
// FieldIAMEndpoint; "" means "the region's default").
func ValidateEndpoint(f Field, raw string) error {
	_, err := parseEndpoint(f, raw)
	return err
}

// requireNoSpace reports a credential holding white space or control
// characters (a pasted newline, usually); the value itself is never shown.
func requireNoSpace(f Field, v string) error {
	if hasSpaceOrControl(v) {
		return fieldErr(f, "must not contain white space or control characters (the value is not shown)")
	}
	return nil
}
