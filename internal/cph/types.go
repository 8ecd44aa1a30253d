package cph

// The request and response shapes of the CPH and IAM APIs this provider uses.
// Field names follow ../shared/reference/cph-api.md; only fields the provider
// reads or sends are modelled.

// Job status codes reported by the jobs API.
const (
	JobStatusRunning   = 1
	JobStatusSucceeded = 2
	JobStatusFailed    = -1
)

// Phone status codes reported by the phones API (the ones the provider acts on).
const (
	PhoneStatusRunning   = 2
	PhoneStatusResetting = 3
)

// PhoneTypes are the documented values of a phone's type field (Huawei's
// SDK, ListCloudPhonesRequest): 0 an ordinary cloud phone, 1 a trial one.
var PhoneTypes = []PhoneType{{0, "normal"}, {1, "trial"}}

// PhoneType is one value of a phone's type field.
type PhoneType struct {
	Code int
	Text string
}

// MaxRequestIDsPerJobList is the most request IDs one list-jobs call accepts.
const MaxRequestIDsPerJobList = 20

// ResetPhone is one entry of a batch-reset request.
type ResetPhone struct {
	PhoneID string `json:"phone_id"`
	// Property is a JSON object encoded as a string; empty means "omit".
	Property            string `json:"property,omitempty"`
	FactoryResetEnabled *bool  `json:"factory_reset_enabled,omitempty"`
}

// BatchResetRequest is the body of POST .../cloud-phone/phones/batch-reset.
type BatchResetRequest struct {
	ImageID string       `json:"image_id,omitempty"`
	Phones  []ResetPhone `json:"phones"`
}

// PhoneJob is one entry of a batch-reset answer: either accepted (JobID set)
// or rejected (ErrorCode/ErrorMsg set) although the HTTP status was 200.
type PhoneJob struct {
	PhoneID   string `json:"phone_id"`
	JobID     string `json:"job_id,omitempty"`
	ErrorCode string `json:"error_code,omitempty"`
	ErrorMsg  string `json:"error_msg,omitempty"`
}

// BatchResetResponse is the 200 answer of a batch reset.
type BatchResetResponse struct {
	RequestID string     `json:"request_id"`
	Jobs      []PhoneJob `json:"jobs"`
}

// Job is an asynchronous job as reported by the jobs API.
type Job struct {
	RequestID  string `json:"request_id"`
	JobID      string `json:"job_id"`
	PhoneID    string `json:"phone_id,omitempty"`
	ServerID   string `json:"server_id,omitempty"`
	Status     int    `json:"status"`
	BeginTime  string `json:"begin_time,omitempty"`
	EndTime    string `json:"end_time,omitempty"`
	ErrorCode  string `json:"error_code,omitempty"`
	ErrorMsg   string `json:"error_msg,omitempty"`
	ExecuteMsg string `json:"execute_msg,omitempty"`
}

// ListJobsInput selects jobs by the requests that created them.
// Offset/Limit address one page; zero Limit means the API default (100).
type ListJobsInput struct {
	RequestIDs []string // 1 to MaxRequestIDsPerJobList
	Offset     int
	Limit      int
}

// ListJobsOutput is one page of jobs.
type ListJobsOutput struct {
	RequestID string `json:"request_id"`
	Jobs      []Job  `json:"jobs"`
}

// Phone is a cloud phone as the list and show APIs report it.
type Phone struct {
	PhoneID      string `json:"phone_id"`
	PhoneName    string `json:"phone_name"`
	ServerID     string `json:"server_id"`
	ImageID      string `json:"image_id"`
	ImageVersion string `json:"image_version,omitempty"`
	Status       int    `json:"status"`
	Type         int    `json:"type"`
	CreateTime   string `json:"create_time,omitempty"`
	UpdateTime   string `json:"update_time,omitempty"`
	// Show phone only.
	Property         string `json:"property,omitempty"`
	IMEI             string `json:"imei,omitempty"`
	AvailabilityZone string `json:"availability_zone,omitempty"`
}

// ListPhonesInput filters the phone list; zero values mean "no filter".
// Offset/Limit address one page; zero Limit means the API default (100).
type ListPhonesInput struct {
	ServerID  string
	Status    *int
	PhoneName string
	Type      *int
	Offset    int
	Limit     int
}

// ListPhonesOutput is one page of phones.
type ListPhonesOutput struct {
	RequestID string  `json:"request_id"`
	Count     int     `json:"count"`
	Phones    []Phone `json:"phones"`
}

// Project is an IAM project (one per region).
type Project struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	DomainID string `json:"domain_id,omitempty"`
	Enabled  bool   `json:"enabled"`
}
