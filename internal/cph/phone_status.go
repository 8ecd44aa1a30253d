package cph

import "strconv"

// PhoneStatus describes one value of a phone's status field
// (cph-api.md "Phones"). PhoneStatuses is the one table of them: the
// data sources' status_text, the plan-time check and the docs read it.
type PhoneStatus struct {
	Code int
	// Text is the name shown to users, e.g. "reset_failed".
	Text string
	// Resettable reports whether a batch reset may be sent for a phone in
	// this status. A phone that is busy with another operation, frozen, or
	// was never created is refused by the service (CPS.0022).
	Resettable bool
}

// PhoneStatuses lists every documented phone status.
var PhoneStatuses = []PhoneStatus{
	{1, "creating", false},
	{2, "running", true},
	{3, "resetting", false},
	{4, "restarting", false},
	{6, "frozen", false},
	{7, "shutting_down", false},
	{8, "shut_down", true},
	{-5, "reset_failed", true},
	{-6, "restart_failed", true},
	{-7, "abnormal", true},
	{-8, "creation_failed", false},
	{-9, "shutdown_failed", true},
}

// PhoneStatusOf returns the status with this code. An undocumented code is
// named "unknown_<code>" and taken as resettable: the service, not a guess,
// decides then.
func PhoneStatusOf(code int) PhoneStatus {
	for _, s := range PhoneStatuses {
		if s.Code == code {
			return s
		}
	}
	return PhoneStatus{Code: code, Text: "unknown_" + strconv.Itoa(code), Resettable: true}
}
