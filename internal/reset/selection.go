package reset

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cph-terraform/terraform-provider-cph/internal/phoneprops"
)

// Inputs are the user's settings that decide what a reset does.
type Inputs struct {
	ImageID      string
	FactoryReset bool
	Triggers     map[string]string
	Properties   map[string]string            // common to every phone
	Phones       map[string]map[string]string // phone ID -> its own properties
}

// EffectiveProperties returns what phone id is reset with.
func (in Inputs) EffectiveProperties(id string) map[string]string {
	return phoneprops.Effective(in.Properties, in.Phones[id])
}

// PhoneIDs returns the phone IDs, sorted.
func (in Inputs) PhoneIDs() []string {
	return slices.Sorted(maps.Keys(in.Phones))
}

// Prior is what an earlier apply recorded, or nil for a first apply.
type Prior struct {
	Inputs Inputs
	Jobs   map[string]Job
	// Adopted is true right after an import: the inputs behind the imported
	// jobs are unknown, so the configuration is taken as their description
	// and only phones without a successful job are reset.
	Adopted bool
}

// Selection is what an apply resets, and why.
type Selection struct {
	Phones []string // sorted
	// All is set, with its reason, when every phone is reset: a first
	// apply, or a change of image, factory-reset flag or triggers.
	All       bool
	AllReason string
	// Otherwise the phones by reason: new to the resource, changed
	// properties, or a retry of a reset that did not succeed.
	New, Changed, Retried int
	// Undecided are phones whose last request's outcome is unknown: they are
	// not reset until Reconcile settles them (see StatusTable).
	Undecided []string
}

// Summary says how many of how many phones the apply resets, and why, e.g.
// "30 of 30 phones: image_id changed" or "2 of 30 phones: 1 with changed
// properties, 1 retried after a failed reset".
func (s Selection) Summary(total int) string {
	head := fmt.Sprintf("%d of %d phones", len(s.Phones), total)
	if s.All {
		return head + ": " + s.AllReason
	}
	var why []string
	if s.New > 0 {
		why = append(why, fmt.Sprintf("%d new to this resource", s.New))
	}
	if s.Changed > 0 {
		why = append(why, fmt.Sprintf("%d with changed properties", s.Changed))
	}
	if s.Retried > 0 {
		why = append(why, fmt.Sprintf("%d retried because the last reset did not succeed", s.Retried))
	}
	if len(why) == 0 {
		return head
	}
	return head + ": " + strings.Join(why, ", ")
}

// Select returns the phones an apply of next must reset. The plan and the
// apply both call it, so what the plan shows is what the apply does.
//
//   - first apply: every phone;
//   - image, factory-reset flag or triggers changed: every phone;
//   - otherwise a phone is reset when it is new, its effective properties
//     changed, or its last reset failed, was rejected or was never sent (a
//     retry).
//
// A phone whose last job is still running is not reset again for a retry,
// and neither is one whose last request's outcome is unknown. Removing a
// phone resets nothing.
func Select(prior *Prior, next Inputs) Selection {
	if prior == nil {
		return Selection{Phones: next.PhoneIDs(), All: true, AllReason: "first apply of this resource"}
	}
	var s Selection
	if !prior.Adopted {
		var changed []string
		if prior.Inputs.ImageID != next.ImageID {
			changed = append(changed, "image_id")
		}
		if prior.Inputs.FactoryReset != next.FactoryReset {
			changed = append(changed, "factory_reset_enabled")
		}
		if !maps.Equal(prior.Inputs.Triggers, next.Triggers) {
			changed = append(changed, "triggers")
		}
		if len(changed) > 0 {
			s.All, s.AllReason = true, strings.Join(changed, ", ")+" changed"
		}
	}
	for _, id := range next.PhoneIDs() {
		job, known := prior.Jobs[id]
		_, wasPhone := prior.Inputs.Phones[id]
		switch {
		case s.All:
			s.Phones = append(s.Phones, id)
		case !known:
			s.Phones = append(s.Phones, id)
			s.New++
		case job.NeedsRetry():
			s.Phones = append(s.Phones, id)
			s.Retried++
		case job.Status == Unknown:
			s.Undecided = append(s.Undecided, id)
		case prior.Adopted:
			// Imported jobs: trust the configuration.
		case !wasPhone || !maps.Equal(prior.Inputs.EffectiveProperties(id), next.EffectiveProperties(id)):
			s.Phones = append(s.Phones, id)
			s.Changed++
		}
	}
	return s
}
