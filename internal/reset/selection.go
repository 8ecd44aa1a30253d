package reset

import (
	"maps"
	"sort"

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
	ids := make([]string, 0, len(in.Phones))
	for id := range in.Phones {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
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

// Select returns, sorted, the phones an apply of next must reset. The plan
// and the apply both call it, so what the plan shows is what the apply does.
//
//   - first apply: every phone;
//   - image, factory-reset flag or triggers changed: every phone;
//   - otherwise a phone is reset when it is new, its effective properties
//     changed, or its last reset failed or was rejected (a retry).
//
// A phone whose last job is still running is not reset again for a retry.
// Removing a phone resets nothing.
func Select(prior *Prior, next Inputs) []string {
	if prior == nil {
		return next.PhoneIDs()
	}
	all := !prior.Adopted && (prior.Inputs.ImageID != next.ImageID ||
		prior.Inputs.FactoryReset != next.FactoryReset ||
		!maps.Equal(prior.Inputs.Triggers, next.Triggers))
	var ids []string
	for _, id := range next.PhoneIDs() {
		job, known := prior.Jobs[id]
		_, wasPhone := prior.Inputs.Phones[id]
		switch {
		case all, !known, job.NeedsRetry():
			ids = append(ids, id)
		case prior.Adopted:
			// Imported jobs: trust the configuration.
		case !wasPhone || !maps.Equal(prior.Inputs.EffectiveProperties(id), next.EffectiveProperties(id)):
			ids = append(ids, id)
		}
	}
	return ids
}
