package reset

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
)

// ReconcileGrace is how long after a lost request a phone that shows no
// sign of a reset is still given the benefit of the doubt: the service may
// have accepted the request and not have started the reset yet (a phone
// often reads "running" before its reset begins).
const ReconcileGrace = 10 * time.Minute

// apiTimeFormat is the time format of the CPH API.
const apiTimeFormat = "2006-01-02T15:04:05Z"

// Reconcile settles Unknown phones (a request whose answer was lost) from
// what the API shows of each, given sent, the inputs of the apply that sent
// them. It returns the updated records:
//
//   - the phone's update_time is at or after the request was sent, it is
//     not resetting and shows the image and properties that were sent: the
//     reset happened, and the phone is Succeeded (or Failed when the phone
//     reads "reset failed"), with no job ID;
//   - the phone shows no change since the request, is resettable and the
//     request is older than ReconcileGrace: the reset did not happen, and
//     the phone is NotSent (the next apply resets it);
//   - anything else is inconclusive: the phone stays Unknown, its message
//     saying what was seen, and no apply resets it until the evidence is
//     clear or the user decides (see the docs).
//
// One show-phone call is made per Unknown phone; other records are not
// touched.
func (e *Engine) Reconcile(ctx context.Context, jobs map[string]Job, sent Inputs) (map[string]Job, error) {
	out := maps.Clone(jobs)
	for id, j := range jobs {
		if j.Status != Unknown || j.SentAt.IsZero() {
			continue
		}
		p, err := e.api.ShowPhone(ctx, id)
		if cph.IsNotFound(err) {
			j.ErrorMsg = "outcome unknown: the phone no longer exists in the project"
			out[id] = j
			continue
		}
		if err != nil {
			return out, err
		}
		out[id] = judge(j, p, sent, e.opts.Now())
	}
	return out, nil
}

func judge(j Job, p *cph.Phone, sent Inputs, now time.Time) Job {
	updated, err := time.Parse(apiTimeFormat, p.UpdateTime)
	st := cph.PhoneStatusOf(p.Status)
	sentAt := j.SentAt.UTC().Format(apiTimeFormat)
	switch {
	case err != nil:
		j.ErrorMsg = fmt.Sprintf("outcome unknown: the phone's update_time %q cannot be read", p.UpdateTime)
	case p.Status == cph.PhoneStatusResetting:
		j.ErrorMsg = fmt.Sprintf("outcome unknown: the phone is resetting now (status 3, since %s), most likely from the "+
			"request sent at %s; the next refresh looks again", p.UpdateTime, sentAt)
	case !updated.Before(j.SentAt):
		if why := mismatch(j.PhoneID, p, sent); why != "" {
			j.ErrorMsg = fmt.Sprintf("outcome unknown: the phone changed at %s, after the request sent at %s, but %s",
				p.UpdateTime, sentAt, why)
			break
		}
		if st.Text == "reset_failed" {
			return Job{PhoneID: j.PhoneID, Status: Failed, SentAt: j.SentAt,
				ErrorMsg: fmt.Sprintf("the request sent at %s reset the phone, and the reset failed (the phone reads status %d, %s, since %s)",
					sentAt, p.Status, st.Text, p.UpdateTime)}
		}
		return Job{PhoneID: j.PhoneID, Status: Succeeded, SentAt: j.SentAt}
	case st.Resettable && now.Sub(j.SentAt) >= ReconcileGrace:
		return Job{PhoneID: j.PhoneID, Status: NotSent, SentAt: j.SentAt,
			ErrorMsg: fmt.Sprintf("the request sent at %s did not reset this phone: %s later it still showed no change since %s",
				sentAt, now.Sub(j.SentAt).Round(time.Second), p.UpdateTime)}
	default:
		j.ErrorMsg = fmt.Sprintf("outcome unknown: the phone shows no change since %s (status %d, %s), but the request sent at %s "+
			"may still start its reset; the next refresh looks again", p.UpdateTime, p.Status, st.Text, sentAt)
	}
	return j
}

// mismatch says how the phone differs from what the request asked for, or
// returns "".
func mismatch(id string, p *cph.Phone, sent Inputs) string {
	if sent.ImageID != "" && p.ImageID != sent.ImageID {
		return fmt.Sprintf("it runs image %s, not the image %s that was sent", p.ImageID, sent.ImageID)
	}
	want := sent.EffectiveProperties(id)
	if len(want) == 0 {
		return ""
	}
	have, err := phoneprops.Decode(p.Property)
	if err != nil {
		return "its property cannot be read: " + err.Error()
	}
	for k, v := range want {
		if have[k] != v {
			return fmt.Sprintf("its property %s is %q, not the %q that was sent", k, have[k], v)
		}
	}
	return ""
}
