package reset

import (
	"context"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/cph-terraform/terraform-provider-cph/internal/cph"
)

// Problem is a phone a reset cannot be sent for.
type Problem struct {
	PhoneID string
	// Missing: the project has no such phone. Otherwise Status says why.
	Missing bool
	Status  cph.PhoneStatus
}

// CheckResult is what Check found.
type CheckResult struct {
	// Problems are the phones that cannot be reset now, sorted by ID.
	Problems []Problem
	// ImageMissing: an image was named and the project cannot use it.
	ImageMissing bool
}

// Check says whether phoneIDs can be reset now, onto imageID when it is not
// "": phones missing from the project or in a status cph.PhoneStatuses
// marks as not resettable are Problems, and an image the project cannot use
// (not among its public, private or shared images) is ImageMissing. It
// makes as few calls as it can: one listing of the images when one is
// named; for a single phone one show-phone call (no listing can take
// fewer); otherwise one page of the phone listing, then for the phones not
// on it either one show-phone call each or the remaining pages, whichever
// is fewer calls.
func (e *Engine) Check(ctx context.Context, phoneIDs []string, imageID string) (CheckResult, error) {
	var res CheckResult
	if len(phoneIDs) == 0 {
		return res, nil
	}
	if imageID != "" {
		images, err := e.api.ListImages(ctx, "all")
		if err != nil {
			return res, err
		}
		res.ImageMissing = !slices.ContainsFunc(images, func(im cph.Image) bool { return im.ImageID == imageID })
	}
	problems, err := e.checkPhones(ctx, phoneIDs)
	res.Problems = problems
	return res, err
}

func (e *Engine) checkPhones(ctx context.Context, phoneIDs []string) ([]Problem, error) {
	status := make(map[string]int, len(phoneIDs))
	rest := phoneIDs // the phones no listing has shown yet
	if len(phoneIDs) > 1 {
		first, err := e.api.ListPhones(ctx, cph.ListPhonesInput{Limit: cph.PhonesPageSize})
		if err != nil {
			return nil, err
		}
		for _, p := range first.Phones {
			status[p.PhoneID] = p.Status
		}
		rest = slices.DeleteFunc(slices.Clone(phoneIDs), func(id string) bool { _, ok := status[id]; return ok })
		pagesLeft := (first.Count - len(first.Phones) + cph.PhonesPageSize - 1) / cph.PhonesPageSize
		if len(rest) > pagesLeft && len(first.Phones) == cph.PhonesPageSize {
			rest, err = e.listRest(ctx, pagesLeft, rest, status)
			if err != nil {
				return nil, err
			}
		}
	}
	var problems []Problem
	for _, id := range rest {
		p, err := e.api.ShowPhone(ctx, id)
		switch {
		case cph.IsNotFound(err):
			problems = append(problems, Problem{PhoneID: id, Missing: true})
			continue
		case err != nil:
			return nil, err
		}
		status[id] = p.Status
	}
	for _, id := range phoneIDs {
		if st, ok := status[id]; ok {
			if s := cph.PhoneStatusOf(st); !s.Resettable {
				problems = append(problems, Problem{PhoneID: id, Status: s})
			}
		}
	}
	slices.SortFunc(problems, func(a, b Problem) int {
		if a.PhoneID < b.PhoneID {
			return -1
		}
		if a.PhoneID > b.PhoneID {
			return 1
		}
		return 0
	})
	return problems, nil
}

// listRest reads the pagesLeft pages after the first, concurrently, into
// status, and returns the phones of rest still not seen.
func (e *Engine) listRest(ctx context.Context, pagesLeft int, rest []string, status map[string]int) ([]string, error) {
	pages := make([][]cph.Phone, pagesLeft)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(e.opts.Concurrency)
	for i := range pages {
		g.Go(func() error {
			page, err := e.api.ListPhones(gctx, cph.ListPhonesInput{Offset: (i + 1) * cph.PhonesPageSize, Limit: cph.PhonesPageSize})
			if err != nil {
				return err
			}
			pages[i] = page.Phones
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, page := range pages {
		for _, p := range page {
			status[p.PhoneID] = p.Status
		}
	}
	// A phone created while the list was read shifts it: look up the
	// few still missing one by one before calling them missing.
	rest = slices.DeleteFunc(rest, func(id string) bool { _, ok := status[id]; return ok })
	return rest, nil
}
