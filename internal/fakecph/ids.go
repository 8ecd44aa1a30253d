package fakecph

import (
	"fmt"
	"math/rand/v2"
)

// hexID draws a 32-lowercase-hex ID, the shape of every CPH and IAM ID.
func hexID(r *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
}

// IsID reports whether s has that shape. The fake keeps this rule apart from
// the client's (cph.IsID) on purpose: a shared mistake would go unseen.
func IsID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
