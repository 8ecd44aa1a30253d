package reset

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

func TestReconcile(t *testing.T) {
	t.Parallel()
	sentAt := testNow.Add(-time.Hour)
	at := func(d time.Duration) string { return sentAt.Add(d).Format(apiTimeFormat) }
	sent := Inputs{ImageID: "img2", Properties: map[string]string{"k": "v"}, Phones: map[string]map[string]string{phoneA: {}}}
	for name, tc := range map[string]struct {
		phone  cph.Phone
		sentAt time.Time
		sent   Inputs
		status Status
		msg    string
	}{
		"reset shows on the phone": {cph.Phone{Status: 2, UpdateTime: at(time.Minute), ImageID: "img2", Property: `{"k":"v","x":"1"}`},
			sentAt, sent, Succeeded, ""},
		"reset ran and failed": {cph.Phone{Status: -5, UpdateTime: at(time.Minute), ImageID: "img2", Property: `{"k":"v"}`},
			sentAt, sent, Failed, "reset failed"},
		"still resetting": {cph.Phone{Status: 3, UpdateTime: at(time.Second)}, sentAt, sent, Unknown, "resetting now"},
		"changed but another image": {cph.Phone{Status: 2, UpdateTime: at(time.Minute), ImageID: "img1", Property: `{"k":"v"}`},
			sentAt, sent, Unknown, "not the image img2"},
		"changed but other properties": {cph.Phone{Status: 2, UpdateTime: at(time.Minute), ImageID: "img2", Property: `{"k":"w"}`},
			sentAt, sent, Unknown, `property k is "w"`},
		"no change, long ago": {cph.Phone{Status: 2, UpdateTime: at(-time.Hour)}, sentAt, sent, NotSent, "did not reset this phone"},
		"no change, just sent": {cph.Phone{Status: 2, UpdateTime: at(-time.Hour)}, testNow.Add(-time.Minute), sent, Unknown,
			"may still start"},
		"no change, frozen": {cph.Phone{Status: 6, UpdateTime: at(-time.Hour)}, sentAt, sent, Unknown, "frozen"},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			api := newFakeAPI()
			tc.phone.PhoneID = phoneA
			api.phones = []cph.Phone{tc.phone}
			jobs := map[string]Job{
				phoneA: {PhoneID: phoneA, Status: Unknown, SentAt: tc.sentAt, ErrorMsg: "lost"},
				phoneB: {PhoneID: phoneB, Status: Unknown, ErrorMsg: "no sent_at: left alone"},
				phoneC: {PhoneID: phoneC, Status: Failed},
			}
			got, err := engine(api, 0).Reconcile(context.Background(), jobs, tc.sent)
			if err != nil {
				t.Fatal(err)
			}
			j := got[phoneA]
			if j.Status != tc.status || !strings.Contains(j.ErrorMsg, tc.msg) || !j.SentAt.Equal(tc.sentAt) {
				t.Fatalf("reconciled = %+v, want %s with %q", j, tc.status, tc.msg)
			}
			if got[phoneB] != jobs[phoneB] || got[phoneC] != jobs[phoneC] || len(api.phoneCalls) != 1 {
				t.Fatalf("touched other records or made %d calls: %+v", len(api.phoneCalls), got)
			}
		})
	}
}
