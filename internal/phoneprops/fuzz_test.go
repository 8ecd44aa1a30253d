package phoneprops

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// FuzzValidateValue: never panics; an empty key is always refused, an
// unknown key always passes, and a refusal names the key, its rule and the
// value given.
func FuzzValidateValue(f *testing.F) {
	for _, key := range KnownKeys() {
		f.Add(key, "1")
	}
	f.Add("", "x")
	f.Add("vendor.custom", "anything at all")
	f.Add("sys.prop.writeimsi", "1234567890123456")
	f.Add("com.cph.bandwidth_limit", "-1")
	f.Add("com.cph.bandwidth_limit", "0x10")
	f.Add("persist.sys.locale", strings.Repeat("é", 65))
	f.Fuzz(func(t *testing.T, key, value string) {
		err := ValidateValue(key, value)
		rule, known := KnownRules[key]
		switch {
		case key == "":
			if err == nil {
				t.Fatal("empty key accepted")
			}
			return
		case !known:
			if err != nil {
				t.Fatalf("unknown key %q refused: %v", key, err)
			}
			return
		}
		if err != nil {
			msg := err.Error()
			for _, part := range []string{strconv.Quote(key), rule.Description, strconv.Quote(value)} {
				if !strings.Contains(msg, part) {
					t.Fatalf("error %q lacks %s", msg, part)
				}
			}
		}
		if again := ValidateValue(key, value); (again == nil) != (err == nil) {
			t.Fatal("ValidateValue is not deterministic")
		}
	})
}

// FuzzEncode: a successful Encode is a JSON object string of at most
// MaxEncodedBytes that decodes to exactly the map given, encodes equal maps
// alike, and common properties merged with a phone's own behave the same.
// A failure is either the size limit or invalid UTF-8, never a panic.
func FuzzEncode(f *testing.F) {
	f.Add("sys.prop.writeimsi", "1", "sys.prop.writewifissid", "w", "")
	f.Add("k", "<&>\"\\\u2028", "k", "own wins", "common")
	f.Add("", "", "", "", "")
	f.Add("a\xffb", "v", "a\xfeb", "v", "")
	f.Add("k", strings.Repeat("x", MaxEncodedBytes-8), "", "", "")
	f.Add("k", strings.Repeat("\x01", 400), "l", "", "x")
	f.Fuzz(func(t *testing.T, k1, v1, k2, v2, common string) {
		own := map[string]string{k1: v1, k2: v2}
		props := Effective(map[string]string{"common": common}, own)
		s, err := Encode(props)
		if err != nil {
			msg := err.Error()
			valid := true
			for k, v := range props {
				valid = valid && utf8.ValidString(k) && utf8.ValidString(v)
			}
			switch {
			case !valid && strings.Contains(msg, "not valid UTF-8"):
			case valid && strings.Contains(msg, "at most 2048"):
			default:
				t.Fatalf("unexpected error for %q: %v", props, err)
			}
			return
		}
		if len(s) > MaxEncodedBytes {
			t.Fatalf("encoded %d bytes, over the limit", len(s))
		}
		var back map[string]string
		if err := json.Unmarshal([]byte(s), &back); err != nil {
			t.Fatalf("Encode gave invalid JSON %q: %v", s, err)
		}
		if diff := cmp.Diff(props, back); diff != "" {
			t.Fatalf("decode(encode(props)) differs (-props +decoded):\n%s", diff)
		}
		// Equal maps, built in another order, encode alike.
		other := Effective(map[string]string{"common": common}, map[string]string{k2: v2, k1: v1})
		if k1 == k2 {
			other = props
		}
		if s2, _ := Encode(other); s2 != s {
			t.Fatalf("equal maps encode differently: %q vs %q", s, s2)
		}
	})
}
