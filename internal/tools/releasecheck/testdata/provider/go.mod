// A stand-in for the provider's main package, with the provider's module
// path, so the tests can build a small real binary the way goreleaser does.
module github.com/cph-terraform/terraform-provider-cph

go 1.26.0
