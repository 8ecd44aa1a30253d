package fakecph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
)

// maxPropertyBytes is the documented limit of a phone's property string.
const maxPropertyBytes = 2048

// unavailableStatuses are the phone states a reset is refused in
// (CPS.0022): phones busy with another operation, frozen, or never created.
var unavailableStatuses = []int{
	StatusCreating, StatusResetting, StatusRestarting, StatusFrozen, StatusShuttingDown, StatusCreationFailed,
}

type resetRequest struct {
	ImageID *string `json:"image_id"`
	Phones  []struct {
		PhoneID             string  `json:"phone_id"`
		Property            *string `json:"property"`
		FactoryResetEnabled bool    `json:"factory_reset_enabled"`
	} `json:"phones"`
}

// resetEntry is one element of the answer's jobs: a job_id when the phone
// was accepted, error_code and error_msg when it was not.
type resetEntry struct {
	PhoneID   string `json:"phone_id"`
	JobID     string `json:"job_id,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	ErrorMsg  string `json:"error_msg,omitempty"`
}

// batchReset is POST phones/batch-reset. Problems with the request as a
// whole are a 400; problems with one phone are reported in that phone's
// entry of a 200, and the other phones are still reset.
func (s *Service) batchReset(c *call) {
	if s.resetFailsBeforeApply() {
		c.fail(http.StatusInternalServerError, "CPS.0003", "Service internal error.")
		return
	}
	var req resetRequest
	if err := json.Unmarshal(c.body, &req); err != nil {
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: the request body is not valid JSON: "+err.Error())
		return
	}
	if len(req.Phones) == 0 {
		c.fail(http.StatusBadRequest, "CPS.0009", "Parameter: phone_id list is empty.")
		return
	}
	if s.maxBatchSize > 0 && len(req.Phones) > s.maxBatchSize {
		c.fail(http.StatusBadRequest, "CPS.0002", fmt.Sprintf("Parameter: phones is invalid: at most %d phones per request.", s.maxBatchSize))
		return
	}
	imageID := ""
	if req.ImageID != nil {
		imageID = *req.ImageID
		if imageID == "" {
			c.fail(http.StatusBadRequest, "CPS.0029", "Parameter: image_id is empty.")
			return
		}
	}

	s.mu.Lock()
	if _, ok := s.imageSet[imageID]; imageID != "" && !ok {
		s.mu.Unlock()
		c.fail(http.StatusBadRequest, "CPS.0030", "Parameter: image_id is invalid.")
		return
	}
	s.settle(c.now)
	entries := make([]resetEntry, 0, len(req.Phones))
	for _, ph := range req.Phones {
		e := resetEntry{PhoneID: ph.PhoneID}
		p, found := s.phones[ph.PhoneID]
		props, propErr := parseProperty(ph.Property)
		switch {
		case !IsID(ph.PhoneID):
			e.ErrorCode, e.ErrorMsg = "CPS.0004", "Invalid phone id."
		case !found:
			e.ErrorCode, e.ErrorMsg = "CPS.0005", "Phone is not found."
		case propErr != "":
			e.ErrorCode, e.ErrorMsg = "CPS.0002", "Parameter: property is invalid: "+propErr
		case s.refusing[ph.PhoneID].ErrorCode != "":
			e = s.refusing[ph.PhoneID]
		case p.active != nil || slices.Contains(unavailableStatuses, p.Status):
			e.ErrorCode, e.ErrorMsg = "CPS.0022", "Not available phone."
		default:
			e.JobID = s.startReset(c, p, imageID, props, ph.FactoryResetEnabled)
		}
		entries = append(entries, e)
	}
	s.stats.ResetRequests++
	drop := countDown(&s.faults.DropResetResponses)
	failAfter := !drop && countDown(&s.faults.ResetErrorsAfterApply)
	s.mu.Unlock()

	switch {
	case drop:
		c.drop() // the resets stand; only the answer is lost
		return
	case failAfter:
		c.fail(http.StatusInternalServerError, "CPS.0003", "Service internal error.") // the resets stand
		return
	}
	c.json(http.StatusOK, map[string]any{"request_id": c.rid, "jobs": entries})
}

// startReset creates the job for an accepted phone and marks the phone
// busy. Callers hold s.mu.
func (s *Service) startReset(c *call, p *phoneState, imageID string, props map[string]string, factory bool) string {
	j := &jobState{
		Job: Job{
			JobID: hexID(s.ids), RequestID: c.rid, PhoneID: p.PhoneID, ServerID: p.ServerID,
			Status: JobRunning, BeginTime: c.now.UTC(),
		},
		seq: len(s.jobList), doneAt: c.now.Add(s.jobDuration), fail: s.failing[p.PhoneID], phone: p,
		imageID: imageID, props: props, factoryReset: factory,
	}
	s.jobs[j.JobID] = j
	s.jobList = append(s.jobList, j)
	s.pending = append(s.pending, j)
	s.byReq[c.rid] = append(s.byReq[c.rid], j)
	p.active = j
	p.Status = StatusResetting
	p.UpdateTime = c.now.UTC()
	s.stats.Resets[p.PhoneID]++
	return j.JobID
}

// parseProperty checks a phone's property: absent, or a JSON object of
// string values, encoded in a string of at most 2048 bytes. "" is refused:
// the reference tells clients to omit the field instead. It returns why
// the property is invalid, or "".
func parseProperty(prop *string) (map[string]string, string) {
	if prop == nil {
		return nil, ""
	}
	if len(*prop) > maxPropertyBytes {
		return nil, fmt.Sprintf("longer than %d bytes", maxPropertyBytes)
	}
	if !bytes.HasPrefix(bytes.TrimSpace([]byte(*prop)), []byte("{")) {
		return nil, "not a JSON object encoded as a string"
	}
	var props map[string]string
	if err := json.Unmarshal([]byte(*prop), &props); err != nil {
		return nil, "not a JSON object of string values"
	}
	return props, ""
}
