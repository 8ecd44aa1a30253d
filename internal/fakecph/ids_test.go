package fakecph

import (
	"strings"
	"testing"
)

func TestIsHexID(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		in   string
		want bool
	}{
		"32 lowercase hex": {strings.Repeat("0a", 16), true},
		"upper case":       {strings.Repeat("0A", 16), false},
		"31 characters":    {strings.Repeat("a", 31), false},
		"33 characters":    {strings.Repeat("a", 33), false},
		"not hex":          {strings.Repeat("g", 32), false},
		"uuid with dashes": {"13551d6b-755d-4757-b956-536f674975c0", false},
		"empty":            {"", false},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			if got := IsID(tc.in); got != tc.want {
				t.Errorf("IsID(%q) = %v, want %v", tc.in, got, tc.want)
			}
		})
	}
}

func TestHexIDIsDeterministic(t *testing.T) {
	t.Parallel()
	a, b, c := stream(5, streamPhones), stream(5, streamPhones), stream(5, streamServers)
	for range 100 {
		x, y, z := hexID(a), hexID(b), hexID(c)
		if !IsID(x) || x != y || x == z {
			t.Fatalf("hexID gave %q, %q (same seed and stream), %q (other stream)", x, y, z)
		}
	}
}
