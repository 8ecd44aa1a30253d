package fakecph

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// adminPrefix is where the fake's own, unauthenticated endpoints live. Real
// CPH has nothing under it, so they cannot collide with the API. They are
// not counted in Stats, and faults do not touch them.
const adminPrefix = "/_mock/"

const adminHelp = `cph-mock admin endpoints (unauthenticated):
GET  /_mock/stats           calls by route and status, accepted resets per phone (JSON)
POST /_mock/stats/reset     zero the counters
GET  /_mock/phone-ids       phone IDs, one per line, sorted
GET  /_mock/image-ids       image IDs a reset may name, one per line
GET  /_mock/faults          the injected faults (JSON)
PUT  /_mock/faults          replace them: {"throttle_rate":0.1,"read_error_rate":0,"latency":"50ms","drop_reset_responses":1,
                            "reset_errors_after_apply":0,"reset_errors_before_apply":0} (omitted fields are 0)
POST /_mock/expire-tokens   expire every token the fake IAM issued
`

// faultsJSON is Faults over HTTP, with the latency as a Go duration string.
type faultsJSON struct {
	ThrottleRate       float64 `json:"throttle_rate"`
	ReadErrorRate      float64 `json:"read_error_rate"`
	Latency            string  `json:"latency"`
	DropResetResponses int     `json:"drop_reset_responses"`
	ResetErrorsAfter   int     `json:"reset_errors_after_apply"`
	ResetErrorsBefore  int     `json:"reset_errors_before_apply"`
}

func (s *Service) serveAdmin(w http.ResponseWriter, r *http.Request) {
	path := strings.TrimPrefix(r.URL.Path, adminPrefix)
	method := map[string]string{
		"": http.MethodGet, "stats": http.MethodGet, "stats/reset": http.MethodPost, "phone-ids": http.MethodGet,
		"image-ids": http.MethodGet, "expire-tokens": http.MethodPost,
	}
	switch {
	case path == "faults":
		if r.Method != http.MethodGet && r.Method != http.MethodPut {
			w.Header().Set("Allow", "GET, PUT")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
	case method[path] == "":
		http.Error(w, "no such admin endpoint\n\n"+adminHelp, http.StatusNotFound)
		return
	case r.Method != method[path]:
		w.Header().Set("Allow", method[path])
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}

	switch path {
	case "":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, adminHelp)
	case "stats":
		writeJSON(w, s.Stats())
	case "stats/reset":
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
	case "phone-ids":
		writeLines(w, s.PhoneIDs())
	case "image-ids":
		writeLines(w, s.ImageIDs())
	case "expire-tokens":
		s.ExpireTokens()
		w.WriteHeader(http.StatusNoContent)
	case "faults":
		if r.Method == http.MethodPut {
			f, err := decodeFaults(r.Body)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.SetFaults(f)
		}
		f := s.Faults()
		writeJSON(w, faultsJSON{ThrottleRate: f.ThrottleRate, ReadErrorRate: f.ReadErrorRate,
			Latency: f.Latency.String(), DropResetResponses: f.DropResetResponses,
			ResetErrorsAfter: f.ResetErrorsAfterApply, ResetErrorsBefore: f.ResetErrorsBeforeApply})
	}
}

func decodeFaults(body io.Reader) (Faults, error) {
	var in faultsJSON
	dec := json.NewDecoder(io.LimitReader(body, 1<<16))
	dec.DisallowUnknownFields() // a typo must not silently inject nothing
	if err := dec.Decode(&in); err != nil {
		return Faults{}, fmt.Errorf("faults: %w", err)
	}
	f := Faults{ThrottleRate: in.ThrottleRate, ReadErrorRate: in.ReadErrorRate, DropResetResponses: in.DropResetResponses,
		ResetErrorsAfterApply: in.ResetErrorsAfter, ResetErrorsBeforeApply: in.ResetErrorsBefore}
	if in.Latency != "" {
		d, err := time.ParseDuration(in.Latency)
		if err != nil {
			return Faults{}, fmt.Errorf("faults: latency: %w", err)
		}
		f.Latency = d
	}
	if err := f.Validate(); err != nil {
		return Faults{}, err
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v) // the client hung up; nothing to do
}

func writeLines(w http.ResponseWriter, lines []string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	for _, l := range lines {
		_, _ = io.WriteString(w, l+"\n")
	}
}
