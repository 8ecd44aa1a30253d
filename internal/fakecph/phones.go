package fakecph

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
)

// cphTimeFormat is how CPH writes times: UTC, whole seconds.
const cphTimeFormat = "2006-01-02T15:04:05Z"

// Phone status values (cph-api.md "Phones").
const (
	StatusCreating       = 1
	StatusRunning        = 2
	StatusResetting      = 3
	StatusRestarting     = 4
	StatusFrozen         = 6
	StatusShuttingDown   = 7
	StatusShutDown       = 8
	StatusResetFailed    = -5
	StatusRestartFailed  = -6
	StatusAbnormal       = -7
	StatusCreationFailed = -8
	StatusShutdownFailed = -9
)

var knownStatuses = []int{
	StatusCreating, StatusRunning, StatusResetting, StatusRestarting, StatusFrozen, StatusShuttingDown,
	StatusShutDown, StatusResetFailed, StatusRestartFailed, StatusAbnormal, StatusCreationFailed, StatusShutdownFailed,
}

// Phone is a snapshot of one cloud phone.
type Phone struct {
	PhoneID, PhoneName, ServerID string
	ImageID, ImageVersion        string
	Status, Type                 int
	// Property is what GET phones/{id} shows: the properties applied by
	// successful resets, as a JSON object encoded in a string (keys sorted),
	// or "" when none is set.
	Property               string
	AvailabilityZone, IMEI string
	CreateTime, UpdateTime time.Time
}

type phoneState struct {
	Phone
	index  int
	props  map[string]string
	active *jobState // the reset in progress, if any
}

func (s *Service) seedPhones(seed int64, n int) {
	rng := stream(seed, streamPhones)
	base := s.clock.Now().UTC().Truncate(time.Second)
	for i := range n {
		p := &phoneState{index: i, props: map[string]string{}}
		p.PhoneID = hexID(rng)
		p.IMEI = fmt.Sprintf("86%013d", rng.Int64N(1e13))
		p.PhoneName = fmt.Sprintf("cph-phone-%03d", i+1)
		p.ServerID = s.servers[i%len(s.servers)]
		if len(s.images) > 0 {
			p.ImageID = s.images[0]
			p.ImageVersion = s.imageVersion(p.ImageID)
		}
		p.Status = StatusRunning
		p.AvailabilityZone = s.region + "a"
		// One minute apart, the last one newest, so "newest first" is a
		// fixed order.
		p.CreateTime = base.Add(-time.Duration(n-i) * time.Minute)
		p.UpdateTime = p.CreateTime
		s.phones[p.PhoneID] = p
	}
}

func (s *Service) imageVersion(imageID string) string {
	return fmt.Sprintf("CPH-%d.0.0", s.imageSet[imageID]+1)
}

// PhoneIDs returns every phone ID, sorted.
func (s *Service) PhoneIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.phones))
	for id := range s.phones {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Phone returns a copy of the phone as the API would show it now.
func (s *Service) Phone(id string) (Phone, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.clock.Now())
	p, ok := s.phones[id]
	if !ok {
		return Phone{}, false
	}
	return p.Phone, true
}

// SetPhoneStatus forces a phone's status, e.g. to make it unavailable for a
// reset. A reset already running still finishes later and sets the status
// it ends with. Unknown IDs are ignored.
func (s *Service) SetPhoneStatus(id string, status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settle(s.clock.Now())
	if p, ok := s.phones[id]; ok {
		p.Status = status
		p.UpdateTime = s.clock.Now().UTC()
	}
}

// encodeProps renders properties the way the API shows them: a JSON
// object in a string, "" when there is none.
func encodeProps(props map[string]string) string {
	if len(props) == 0 {
		return ""
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(props) // a map of strings always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

// phoneJSON is a phone in GET phones; the field set and types are those of
// Huawei's SDK model, so its strict decoder accepts them.
type phoneJSON struct {
	PhoneName        string            `json:"phone_name"`
	ServerID         string            `json:"server_id"`
	PhoneID          string            `json:"phone_id"`
	PhoneModelName   string            `json:"phone_model_name"`
	ImageID          string            `json:"image_id"`
	ImageVersion     string            `json:"image_version"`
	VncEnable        string            `json:"vnc_enable"`
	Status           int               `json:"status"`
	Type             int               `json:"type"`
	IMEI             string            `json:"imei"`
	TrafficType      string            `json:"traffic_type"`
	VolumeMode       int               `json:"volume_mode"`
	AvailabilityZone string            `json:"availability_zone"`
	Metadata         map[string]string `json:"metadata"`
	HasEncrypt       bool              `json:"has_encrypt"`
	CreateTime       string            `json:"create_time"`
	UpdateTime       string            `json:"update_time"`
}

// phoneDetailJSON is GET phones/{phone_id}.
type phoneDetailJSON struct {
	RequestID string `json:"request_id"`
	phoneJSON
	Property    string           `json:"property"`
	AccessInfos []accessInfoJSON `json:"access_infos"`
}

type accessInfoJSON struct {
	Type       string `json:"type"`
	DeviceIP   string `json:"device_ip"`
	PhoneIP    string `json:"phone_ip"`
	ListenPort int    `json:"listen_port"`
	AccessIP   string `json:"access_ip"`
	IntranetIP string `json:"intranet_ip"`
	AccessPort int    `json:"access_port"`
}

func (p *phoneState) json() phoneJSON {
	return phoneJSON{
		PhoneName: p.PhoneName, ServerID: p.ServerID, PhoneID: p.PhoneID,
		PhoneModelName: "rx1.cp.c15.d46.e1v1", ImageID: p.ImageID, ImageVersion: p.ImageVersion,
		VncEnable: "true", Status: p.Status, Type: p.Type, IMEI: p.IMEI, TrafficType: "routing",
		AvailabilityZone: p.AvailabilityZone, Metadata: map[string]string{"order_id": "", "product_id": ""},
		CreateTime: p.CreateTime.UTC().Format(cphTimeFormat), UpdateTime: p.UpdateTime.UTC().Format(cphTimeFormat),
	}
}

// intParam reads an optional integer query parameter; ok is false when it
// is present but not an integer.
func intParam(c *call, name string, def int) (v int, ok bool) {
	raw := c.r.URL.Query().Get(name)
	if raw == "" {
		return def, true
	}
	v, err := strconv.Atoi(raw)
	return v, err == nil
}

// pageParams reads offset (≥ 0) and limit (1..maxLimit, default defLimit).
func pageParams(c *call, defLimit, maxLimit int) (offset, limit int, ok bool) {
	offset, okO := intParam(c, "offset", 0)
	limit, okL := intParam(c, "limit", defLimit)
	if !okO || !okL || offset < 0 || limit < 1 || limit > maxLimit {
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: offset or limit is invalid.")
		return 0, 0, false
	}
	return offset, limit, true
}

// page cuts [offset, offset+limit) out of n items, clamped.
func page(n, offset, limit int) (from, to int) {
	from = min(offset, n)
	return from, min(from+limit, n)
}

// listPhones is GET phones: filtered, newest first, paged; count is the
// number of matches before paging.
func (s *Service) listPhones(c *call) {
	offset, limit, ok := pageParams(c, 100, 200)
	if !ok {
		return
	}
	q := c.r.URL.Query()
	serverID := q.Get("server_id")
	if serverID != "" && !IsID(serverID) {
		c.fail(http.StatusBadRequest, "CPS.0016", "server_id is invalid.")
		return
	}
	status, okS := intParam(c, "status", 0)
	if !okS || q.Get("status") != "" && !slices.Contains(knownStatuses, status) {
		c.fail(http.StatusBadRequest, "CPS.0010", "Parameter: status is invalid.")
		return
	}
	typ, okT := intParam(c, "type", 0)
	if !okT {
		c.fail(http.StatusBadRequest, "CPS.0002", "Parameter: type is invalid.")
		return
	}
	name := strings.ToLower(q.Get("phone_name"))

	s.mu.Lock()
	s.settle(c.now)
	var match []*phoneState
	for _, p := range s.phones {
		if serverID != "" && p.ServerID != serverID ||
			q.Get("status") != "" && p.Status != status ||
			q.Get("type") != "" && p.Type != typ ||
			!strings.Contains(strings.ToLower(p.PhoneName), name) {
			continue
		}
		match = append(match, p)
	}
	sort.Slice(match, func(i, j int) bool {
		if !match[i].CreateTime.Equal(match[j].CreateTime) {
			return match[i].CreateTime.After(match[j].CreateTime)
		}
		return match[i].PhoneID < match[j].PhoneID
	})
	from, to := page(len(match), offset, limit)
	out := make([]phoneJSON, 0, to-from)
	for _, p := range match[from:to] {
		out = append(out, p.json())
	}
	s.mu.Unlock()

	c.json(http.StatusOK, map[string]any{"request_id": c.rid, "count": len(match), "phones": out})
}

// showPhone is GET phones/{phone_id}. Both errors are 400, as in the CPH
// error-code table.
func (s *Service) showPhone(c *call) {
	id := c.route.id
	if !IsID(id) {
		c.fail(http.StatusBadRequest, "CPS.0004", "Invalid phone id.")
		return
	}
	s.mu.Lock()
	s.settle(c.now)
	p, ok := s.phones[id]
	var out phoneDetailJSON
	if ok {
		out = phoneDetailJSON{RequestID: c.rid, phoneJSON: p.json(), Property: p.Property,
			AccessInfos: []accessInfoJSON{{
				Type: "cph", DeviceIP: fmt.Sprintf("10.0.%d.%d", p.index/250, p.index%250+2),
				PhoneIP: fmt.Sprintf("172.16.%d.%d", p.index/250, p.index%250+2), ListenPort: 8888,
				AccessIP: "192.168.0.10", IntranetIP: "192.168.0.10", AccessPort: 30000 + p.index,
			}}}
	}
	s.mu.Unlock()
	if !ok {
		c.fail(http.StatusBadRequest, "CPS.0005", "Phone is not found.")
		return
	}
	c.json(http.StatusOK, out)
}
