// Package sdkcompat proves that Huawei's official Go SDK, unmodified, works
// against the fake CPH service: its signatures verify, its strict decoders
// accept the fake's answers, and a wrong secret key is refused.
//
// It is a Go module of its own so the SDK (a large download) never enters
// the provider's module graph. Run it with:
//
//	cd test/sdkcompat && go test ./...
package sdkcompat
