package fakecph

import "maps"

// Stats is the ground truth of what the fake was asked and did, so a test
// can assert, e.g., "this apply reset exactly these phones, once each, in
// two requests".
type Stats struct {
	// Calls counts API calls by route (Route* constants) and HTTP status;
	// StatusDropped (0) counts answers dropped on purpose.
	Calls map[string]map[int]int `json:"calls"`
	// Resets counts accepted resets per phone ID.
	Resets map[string]int `json:"resets"`
	// ResetRequests counts batch-reset calls that were applied, whether or
	// not they accepted any phone (every 200, every dropped answer and every
	// Faults.ResetErrorsAfterApply; not Faults.ResetErrorsBeforeApply).
	ResetRequests int `json:"reset_requests"`
}

func newStats() Stats {
	return Stats{Calls: map[string]map[int]int{}, Resets: map[string]int{}}
}

// CallCount is the number of calls to route, whatever their status.
func (st Stats) CallCount(route string) int {
	n := 0
	for _, c := range st.Calls[route] {
		n += c
	}
	return n
}

// Stats returns a deep copy of the counters.
func (s *Service) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := Stats{Calls: make(map[string]map[int]int, len(s.stats.Calls)), Resets: maps.Clone(s.stats.Resets),
		ResetRequests: s.stats.ResetRequests}
	for route, byStatus := range s.stats.Calls {
		out.Calls[route] = maps.Clone(byStatus)
	}
	return out
}

// ResetStats zeroes the counters (the phones and jobs are untouched).
func (s *Service) ResetStats() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stats = newStats()
}

func (s *Service) countCall(route string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stats.Calls[route] == nil {
		s.stats.Calls[route] = map[int]int{}
	}
	s.stats.Calls[route][status]++
}
