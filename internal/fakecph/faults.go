package fakecph

import (
	"fmt"
	"time"
)

// Faults are failures injected into the fake, to test how a client copes.
// Rates are probabilities in [0, 1], drawn from a generator seeded by
// Options.Seed, so a given sequence of requests meets the same faults on
// every run.
type Faults struct {
	// ThrottleRate is the share of API calls (IAM included) the gateway
	// refuses with 429 APIG.0308 before looking at them.
	ThrottleRate float64
	// ReadErrorRate is the share of authenticated CPH GET calls that fail
	// with 500 CPS.0003.
	ReadErrorRate float64
	// Latency is added (in real time) to every API call before it is served.
	Latency time.Duration
	// DropResetResponses is how many of the next batch-reset calls are
	// applied and then answered by closing the connection. It counts down.
	DropResetResponses int
	// ResetErrorsAfterApply is how many of the next batch-reset calls are
	// applied and then answered 500 CPS.0003, as a service that failed
	// after starting the jobs would. It counts down.
	ResetErrorsAfterApply int
	// ResetErrorsBeforeApply is how many of the next batch-reset calls are
	// answered 500 CPS.0003 without applying anything. It counts down.
	//
	// A client cannot tell the two 5xx apart (nor from a dropped answer):
	// they exist to prove it records both as uncertain, and that its
	// reconciliation then finds which phones were reset. One call meets
	// at most one of these faults: before-apply first, then drop, then
	// after-apply.
	ResetErrorsBeforeApply int
}

// SetFaults replaces the injected faults; it may be called at any time,
// also while requests are being served.
func (s *Service) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the faults in force, the countdowns (DropResetResponses,
// ResetErrorsAfterApply, ResetErrorsBeforeApply) being what is left of them.
func (s *Service) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// throttle draws whether this call is throttled.
func (s *Service) throttle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draw(s.faults.ThrottleRate)
}

// resetFailsBeforeApply counts down ResetErrorsBeforeApply.
func (s *Service) resetFailsBeforeApply() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return countDown(&s.faults.ResetErrorsBeforeApply)
}

// countDown reports whether *n was positive, and decrements it if so.
// Callers hold s.mu.
func countDown(n *int) bool {
	if *n <= 0 {
		return false
	}
	*n--
	return true
}

// readFails draws whether this read fails.
func (s *Service) readFails() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.draw(s.faults.ReadErrorRate)
}

// draw reports true with probability rate. It draws nothing at rate 0, so
// enabling one fault does not shift the sequence of another. Callers hold
// s.mu.
func (s *Service) draw(rate float64) bool {
	if rate <= 0 {
		return false
	}
	return s.faultRNG.Float64() < rate
}

// Validate refuses faults that cannot mean anything; the binary's flags and
// the admin endpoint use it so a typo fails loudly.
func (f Faults) Validate() error {
	switch {
	case f.ThrottleRate < 0 || f.ThrottleRate > 1:
		return fmt.Errorf("faults: throttle rate %v is not in [0, 1]", f.ThrottleRate)
	case f.ReadErrorRate < 0 || f.ReadErrorRate > 1:
		return fmt.Errorf("faults: read error rate %v is not in [0, 1]", f.ReadErrorRate)
	case f.Latency < 0:
		return fmt.Errorf("faults: latency %v is negative", f.Latency)
	case f.DropResetResponses < 0:
		return fmt.Errorf("faults: drop count %d is negative", f.DropResetResponses)
	case f.ResetErrorsAfterApply < 0:
		return fmt.Errorf("faults: reset errors after apply %d is negative", f.ResetErrorsAfterApply)
	case f.ResetErrorsBeforeApply < 0:
		return fmt.Errorf("faults: reset errors before apply %d is negative", f.ResetErrorsBeforeApply)
	}
	return nil
}
