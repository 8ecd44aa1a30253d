package cph

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

// jobsCall is one list-jobs call as the server saw it.
type jobsCall struct {
	IDs    int
	Offset int
	Limit  int
}

func TestListJobsByRequestChunksAndPages(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		ids       []string       // request IDs asked for
		jobsPerID map[string]int // jobs the server holds per request ID (default 1)
		known     map[string]int // jobs the caller knows of (ListJobsOf)
		wantCalls []jobsCall     // in any order: pages are fetched concurrently
		wantJobs  int
	}{
		"45 IDs with duplicates: 3 chunks": {
			ids:       append(requestIDs(45), "req-0", "req-44", ""),
			wantCalls: []jobsCall{{20, 0, 100}, {20, 0, 100}, {5, 0, 100}},
			wantJobs:  45,
		},
		"250 jobs of one request: 3 pages": {
			ids:       []string{"req-0"},
			jobsPerID: map[string]int{"req-0": 250},
			wantCalls: []jobsCall{{1, 0, 100}, {1, 100, 100}, {1, 200, 100}},
			wantJobs:  250,
		},
		"exactly 100 jobs: one more empty page": {
			ids:       []string{"req-0", "req-1"},
			jobsPerID: map[string]int{"req-0": 60, "req-1": 40},
			wantCalls: []jobsCall{{2, 0, 100}, {2, 100, 100}},
			wantJobs:  100,
		},
		"21 IDs, first chunk paged": {
			ids:       requestIDs(21),
			jobsPerID: map[string]int{"req-3": 150},
			wantCalls: []jobsCall{{20, 0, 100}, {20, 100, 100}, {1, 0, 100}},
			wantJobs:  20 + 149 + 1,
		},
		"exactly 100 known jobs: no empty page": {
			ids:       []string{"req-0", "req-1"},
			jobsPerID: map[string]int{"req-0": 60, "req-1": 40},
			known:     map[string]int{"req-0": 60, "req-1": 40},
			wantCalls: []jobsCall{{2, 0, 100}},
			wantJobs:  100,
		},
		"250 known jobs: 3 pages at once": {
			ids:       []string{"req-0"},
			jobsPerID: map[string]int{"req-0": 250},
			known:     map[string]int{"req-0": 250},
			wantCalls: []jobsCall{{1, 0, 100}, {1, 100, 100}, {1, 200, 100}},
			wantJobs:  250,
		},
		"one count unknown: pages as without": {
			ids:       []string{"req-0", "req-1"},
			jobsPerID: map[string]int{"req-0": 60, "req-1": 40},
			known:     map[string]int{"req-0": 60},
			wantCalls: []jobsCall{{2, 0, 100}, {2, 100, 100}},
			wantJobs:  100,
		},
		"more jobs than known: not followed": {
			ids:       []string{"req-0"},
			jobsPerID: map[string]int{"req-0": 150},
			known:     map[string]int{"req-0": 100},
			wantCalls: []jobsCall{{1, 0, 100}},
			wantJobs:  100,
		},
		"no IDs: no call": {ids: nil, wantCalls: nil, wantJobs: 0},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var calls []jobsCall
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != cphPath("jobs") || r.URL.Query().Has("request_id") {
					t.Errorf("unexpected request %s", r.URL)
				}
				q := r.URL.Query()
				ids := strings.Split(q.Get("request_ids"), ",")
				offset, _ := strconv.Atoi(q.Get("offset"))
				limit, _ := strconv.Atoi(q.Get("limit"))
				mu.Lock()
				calls = append(calls, jobsCall{len(ids), offset, limit})
				mu.Unlock()
				var all []Job
				for _, id := range ids {
					n, ok := tc.jobsPerID[id]
					if !ok {
						n = 1
					}
					for i := range n {
						all = append(all, Job{JobID: fmt.Sprintf("%s-job-%d", id, i), Status: JobStatusRunning})
					}
				}
				page := all[min(offset, len(all)):min(offset+limit, len(all))]
				writeJSON(w, 200, ListJobsOutput{RequestID: "list", Jobs: page})
			})
			c := mustNew(t, testConfig(srv, TokenCredentials{Token: "tok"}))
			jobs, err := c.ListJobsOf(context.Background(), tc.ids, tc.known)
			if err != nil {
				t.Fatal(err)
			}
			byCall := func(a, b jobsCall) int { return cmp.Compare(a.IDs*1e6+a.Offset, b.IDs*1e6+b.Offset) }
			slices.SortFunc(calls, byCall)
			slices.SortFunc(tc.wantCalls, byCall)
			if diff := gocmp.Diff(tc.wantCalls, calls); diff != "" {
				t.Errorf("calls (-want +got):\n%s", diff)
			}
			if len(jobs) != tc.wantJobs {
				t.Errorf("jobs = %d, want %d", len(jobs), tc.wantJobs)
			}
			seen := map[string]bool{}
			for _, j := range jobs {
				if seen[j.JobID] {
					t.Errorf("job %s returned twice", j.JobID)
				}
				seen[j.JobID] = true
			}
		})
	}
}

func requestIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("req-%d", i)
	}
	return ids
}

func TestListJobsValidation(t *testing.T) {
	t.Parallel()
	c := mustNew(t, Config{Region: testRegion, ProjectID: testProjectID, Credentials: TokenCredentials{Token: "t"}})
	for name, in := range map[string]ListJobsInput{
		"no IDs":      {},
		"21 IDs":      {RequestIDs: requestIDs(21)},
		"comma in ID": {RequestIDs: []string{"a,b"}},
		"limit 101":   {RequestIDs: []string{"a"}, Limit: 101},
	} {
		if _, err := c.ListJobs(context.Background(), in); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestListAllPhonesPages(t *testing.T) {
	t.Parallel()
	status := PhoneStatusRunning
	tests := map[string]struct {
		total       int
		reportCount int // count the server reports; -1: the true total
		shift       bool
		wantOffsets []int
		wantPhones  int
	}{
		"900 phones: 5 pages":              {total: 900, reportCount: -1, wantOffsets: []int{0, 200, 400, 600, 800}, wantPhones: 900},
		"2050 phones: count then 11 pages": {total: 2050, reportCount: -1, wantOffsets: []int{0, 200, 400, 600, 800, 1000, 1200, 1400, 1600, 1800, 2000}, wantPhones: 2050},
		"400 phones: stops at count":       {total: 400, reportCount: -1, wantOffsets: []int{0, 200}, wantPhones: 400},
		"count 0 but full pages":           {total: 400, reportCount: 0, wantOffsets: []int{0, 200, 400}, wantPhones: 400},
		"none":                             {total: 0, reportCount: -1, wantOffsets: []int{0}, wantPhones: 0},
		"new phone between pages: deduped": {total: 300, reportCount: -1, shift: true, wantOffsets: []int{0, 200}, wantPhones: 300},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var offsets []int
			srv := newServer(t, func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				if q.Get("limit") != "200" || q.Get("status") != "2" || q.Get("server_id") != "srv-1" {
					t.Errorf("query = %s", r.URL.RawQuery)
				}
				offset, _ := strconv.Atoi(q.Get("offset"))
				mu.Lock()
				offsets = append(offsets, offset)
				n := len(offsets)
				mu.Unlock()
				var all []Phone
				for i := range tc.total {
					all = append(all, Phone{PhoneID: fmt.Sprintf("phone-%03d", i)})
				}
				if tc.shift && n > 1 {
					// A phone created after the first page: newest first, so
					// everything shifts down by one.
					all = append([]Phone{{PhoneID: "phone-new"}}, all...)
				}
				count := tc.reportCount
				if count < 0 {
					count = len(all)
				}
				page := all[min(offset, len(all)):min(offset+PhonesPageSize, len(all))]
				writeJSON(w, 200, ListPhonesOutput{Count: count, Phones: page})
			})
			c := mustNew(t, testConfig(srv, TokenCredentials{Token: "tok"}))
			phones, err := c.ListAllPhones(context.Background(), ListPhonesInput{ServerID: "srv-1", Status: &status, Offset: 7, Limit: 3})
			if err != nil {
				t.Fatal(err)
			}
			slices.Sort(offsets) // pages after the first are fetched concurrently
			if diff := gocmp.Diff(tc.wantOffsets, offsets); diff != "" {
				t.Errorf("offsets (-want +got):\n%s", diff)
			}
			if len(phones) != tc.wantPhones {
				t.Errorf("phones = %d, want %d", len(phones), tc.wantPhones)
			}
			ids := make([]string, len(phones))
			for i, p := range phones {
				ids[i] = p.PhoneID
			}
			slices.Sort(ids)
			if len(slices.Compact(ids)) != len(phones) {
				t.Error("a phone was returned twice")
			}
		})
	}
}
