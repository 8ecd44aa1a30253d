// Package phoneprops knows the cloud-phone property keys: which values they
// accept, how per-phone and common properties combine, and how the batch-reset
// API wants them encoded. It is plain Go so the rules are tested without
// Terraform and shared by every caller (resource, action, data sources).
package phoneprops

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxEncodedBytes is the API's limit on a phone's encoded property string.
const MaxEncodedBytes = 2048

// Rule describes the values one known key accepts.
type Rule struct {
	// Description is shown in errors and in the docs, e.g. "up to 15 digits".
	Description string
	valid       func(string) bool
}

var (
	digits    = regexp.MustCompile(`^[0-9]+$`)
	wifiSSID  = regexp.MustCompile(`^[0-9A-Za-z\-_@#.:/ ]+$`)
	zeroOrOne = Rule{"0 or 1", func(v string) bool { return v == "0" || v == "1" }}
)

func digitsUpTo(n int) Rule {
	return Rule{fmt.Sprintf("1 to %d digits", n), func(v string) bool { return len(v) <= n && digits.MatchString(v) }}
}

func lengthUpTo(n int) Rule {
	return Rule{fmt.Sprintf("at most %d characters", n), func(v string) bool { return len([]rune(v)) <= n }}
}

// KnownRules lists the documented keys with checkable rules (Huawei's cloud
// phone attribute list). The list is longer and grows, so unknown keys pass.
var KnownRules = map[string]Rule{
	"sys.prop.writeimsi":     digitsUpTo(15),
	"sys.prop.writephonenum": digitsUpTo(20),
	"sys.prop.writewifissid": {
		"1 to 64 characters of 0-9 A-Z a-z and - _ @ # . : / space",
		func(v string) bool { return len(v) <= 64 && wifiSSID.MatchString(v) },
	},
	"com.cph.mainkeys":      zeroOrOne,
	"disable.status.bar":    zeroOrOne,
	"ro.permission.changed": zeroOrOne,
	"ro.install.auto":       zeroOrOne,
	"ro.com.cph.non_root":   zeroOrOne,
	"com.cph.bandwidth_limit": {
		"an integer from 1 to 99999999 (kbit/s), or -1 for no limit",
		func(v string) bool {
			n, err := strconv.Atoi(v)
			return err == nil && (n == -1 || (n >= 1 && n <= 99999999))
		},
	},
	"persist.sys.locale":         lengthUpTo(64),
	"com.cph.cam_local_pic_path": lengthUpTo(90),
}

// KnownKeys returns the keys of KnownRules, sorted (for docs).
func KnownKeys() []string {
	keys := make([]string, 0, len(KnownRules))
	for k := range KnownRules {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// ValidateValue checks one property against the rule of its key, if any.
func ValidateValue(key, value string) error {
	if key == "" {
		return fmt.Errorf("property keys must not be empty")
	}
	rule, ok := KnownRules[key]
	if !ok || rule.valid(value) {
		return nil
	}
	return fmt.Errorf("property %q must be %s, got %q", key, rule.Description, value)
}

// Effective merges the common properties with a phone's own; the phone's win.
func Effective(common, own map[string]string) map[string]string {
	out := make(map[string]string, len(common)+len(own))
	maps.Copy(out, common)
	maps.Copy(out, own)
	return out
}

// Encode renders properties as the JSON object string the batch-reset API
// expects, with keys sorted so equal maps always encode alike. An empty map
// encodes as "" (the API wants the field omitted, not "{}"). A key or value
// that is not valid UTF-8 is refused: JSON would silently replace its bytes,
// sending something other than what was asked (and could merge two keys).
func Encode(props map[string]string) (string, error) {
	if len(props) == 0 {
		return "", nil
	}
	for k, v := range props {
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return "", fmt.Errorf("property %q is not valid UTF-8", strings.ToValidUTF8(k, "\uFFFD"))
		}
	}
	b, err := json.Marshal(props) // encoding/json sorts map keys
	if err != nil {
		return "", err
	}
	if len(b) > MaxEncodedBytes {
		return "", fmt.Errorf("encoded properties are %d bytes; the API accepts at most %d", len(b), MaxEncodedBytes)
	}
	return string(b), nil
}

// Decode reads a phone's property string as the show-phone API returns it:
// "" means none; otherwise a JSON object whose values are strings (numbers
// and booleans are taken in their JSON spelling).
func Decode(property string) (map[string]string, error) {
	if strings.TrimSpace(property) == "" {
		return map[string]string{}, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(property), &raw); err != nil {
		return nil, fmt.Errorf("not a JSON object: %w", err)
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			s = string(v)
		}
		out[k] = s
	}
	return out, nil
}
