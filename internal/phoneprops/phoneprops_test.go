package phoneprops

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestValidateValue(t *testing.T) {
	t.Parallel()
	cases := map[string]struct {
		key, value string
		wantErr    string
	}{
		"imsi ok":               {"sys.prop.writeimsi", "460021624617113", ""},
		"imsi too long":         {"sys.prop.writeimsi", "4600216246171130", "1 to 15 digits"},
		"imsi letters":          {"sys.prop.writeimsi", "46002x", "1 to 15 digits"},
		"imsi empty":            {"sys.prop.writeimsi", "", "1 to 15 digits"},
		"phone number ok":       {"sys.prop.writephonenum", "13666666666", ""},
		"phone number 21":       {"sys.prop.writephonenum", strings.Repeat("1", 21), "1 to 20 digits"},
		"phone number plus":     {"sys.prop.writephonenum", "+8613666666666", "1 to 20 digits"},
		"ssid ok":               {"sys.prop.writewifissid", "test_wifi-1 @#.:/", ""},
		"ssid bad char":         {"sys.prop.writewifissid", "café", "0-9 A-Z a-z"},
		"ssid 65":               {"sys.prop.writewifissid", strings.Repeat("a", 65), "1 to 64"},
		"flag 1":                {"com.cph.mainkeys", "1", ""},
		"flag 2":                {"disable.status.bar", "2", "0 or 1"},
		"flag true":             {"ro.com.cph.non_root", "true", "0 or 1"},
		"bandwidth -1":          {"com.cph.bandwidth_limit", "-1", ""},
		"bandwidth 0":           {"com.cph.bandwidth_limit", "0", "from 1 to 99999999"},
		"bandwidth max":         {"com.cph.bandwidth_limit", "99999999", ""},
		"bandwidth over":        {"com.cph.bandwidth_limit", "100000000", "from 1 to 99999999"},
		"locale 65":             {"persist.sys.locale", strings.Repeat("x", 65), "at most 64"},
		"unknown key passes":    {"vendor.future.key", "anything at all", ""},
		"empty key":             {"", "x", "must not be empty"},
		"pic path multibyte ok": {"com.cph.cam_local_pic_path", strings.Repeat("é", 90), ""},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			err := ValidateValue(tc.key, tc.value)
			if tc.wantErr == "" {
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("error = %v, want it to contain %q", err, tc.wantErr)
			}
		})
	}
}

func TestEffectivePhoneWins(t *testing.T) {
	t.Parallel()
	got := Effective(map[string]string{"a": "common", "b": "common"}, map[string]string{"b": "own", "c": "own"})
	want := map[string]string{"a": "common", "b": "own", "c": "own"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Fatalf("Effective mismatch (-want +got):\n%s", diff)
	}
}

func TestEncode(t *testing.T) {
	t.Parallel()
	got, err := Encode(map[string]string{"sys.prop.writewifissid": "w", "sys.prop.writeimsi": "1"})
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"sys.prop.writeimsi":"1","sys.prop.writewifissid":"w"}`; got != want {
		t.Fatalf("Encode = %s, want %s (sorted keys)", got, want)
	}
	if got, err := Encode(nil); err != nil || got != "" {
		t.Fatalf("Encode(nil) = %q, %v; want empty", got, err)
	}
	_, err = Encode(map[string]string{"k": strings.Repeat("x", MaxEncodedBytes)})
	if err == nil || !strings.Contains(err.Error(), "at most 2048") {
		t.Fatalf("oversized Encode error = %v", err)
	}
}
