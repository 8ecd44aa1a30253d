// Package fakecph is a stateful, in-memory stand-in for Huawei Cloud's Cloud
// Phone (CPH) API and the small part of IAM a CPH client needs. It is an
// http.Handler: tests serve it with httptest, and cmd/cph-mock serves it to
// users.
//
// It is written from the API reference (shared/reference/cph-api.md) and
// deliberately imports nothing from the provider, so a bug in the provider's
// client (its signer above all) is not mirrored here and canceled out.
//
// Time never advances by itself: jobs finish, tokens expire and signatures go
// stale according to an injectable Clock, read lazily when a request arrives.
// There are no goroutines or timers, so tests run in milliseconds and never
// sleep.
//
// Where the reference is silent, the fake chooses, and says so here:
//   - A CPH path naming another project than the credential's: 403 CPS.0001
//     ("no permission"). An unknown API (path or method): 404 APIG.0101, as
//     the gateway answers.
//   - Unknown or malformed phone in show-phone: 400 CPS.0005 / CPS.0004, the
//     status CPH's error table gives. Unknown job: 404 CPS.0002.
//   - Batch reset: a body that is not JSON, or more phones than
//     Options.MaxBatchSize: 400 CPS.0002; image_id "" is 400 CPS.0029. An
//     invalid property (not a JSON object of strings, "" included, or over
//     2048 bytes) rejects that phone with CPS.0002 inside the 200. Phones
//     being created, reset, restarted, shut down, frozen or whose creation
//     failed are refused with CPS.0022.
//   - A failed reset job reports error_code CPS.0003 and leaves the phone in
//     status -5 (reset failed); nothing it would have applied is applied.
//   - Properties merge across resets; factory_reset_enabled clears them
//     first. A job's request_id is the batch-reset request that created it.
//   - List images: seed image i is public (i%3 == 0), the account's own
//     (1) or shared with it (2); a missing image_type means all, an unknown
//     one is 400 CPS.0002.
//   - IAM refusals use Keystone's {"error":{"code","title","message"}}: 401
//     for wrong credentials or a project the user cannot scope to, 400 for a
//     malformed body or a login without a project scope.
package fakecph

import (
	"log"
	"math/rand/v2"
	"sync"
	"time"
)

// Clock tells the service what time it is.
type Clock interface{ Now() time.Time }

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// FakeClock is a Clock that only moves when told to. It is safe for
// concurrent use.
type FakeClock struct {
	mu  sync.Mutex
	now time.Time
}

// NewFakeClock returns a clock stopped at t.
func NewFakeClock(t time.Time) *FakeClock { return &FakeClock{now: t} }

// Now returns the clock's current time.
func (c *FakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d.
func (c *FakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Set moves the clock to t (backwards too, to test clock skew).
func (c *FakeClock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// User is an IAM user that may log in with a password.
type User struct {
	Name, Password string
	// Domain is the account (domain) name; empty means the same as Name,
	// as for an account's own administrator.
	Domain string
}

// TemporaryKey is an AK/SK pair that is only valid together with its
// security token (sent as X-Security-Token).
type TemporaryKey struct{ AccessKey, SecretKey, SecurityToken string }

// Options configure a Service. The zero value is usable: 10 phones on 2
// servers, 3 images, region cn-north-4, and no credential at all (so every
// authenticated call fails until one is configured).
type Options struct {
	Seed      int64
	ProjectID string // default derived from Seed
	Region    string // default "cn-north-4"
	Phones    int    // default 10; negative means none
	Servers   int    // default 2
	Images    int    // default 3 valid image IDs

	AuthToken     string // a static token accepted in X-Auth-Token; it never expires
	AccessKey     string
	SecretKey     string
	TemporaryKeys []TemporaryKey
	Users         []User

	TokenLifetime time.Duration // default 24h, as IAM's
	JobDuration   time.Duration // default 0: a reset is done as soon as it is accepted
	MaxBatchSize  int           // 0 = unlimited
	Clock         Clock         // default real time
	// Log, when set, gets one line per API call: method, path and query,
	// status ("dropped" when the answer was withheld), duration, request ID.
	// Credentials travel in headers and bodies, which are never logged.
	Log *log.Logger
}

// Service is the fake. All its state sits behind one mutex: requests are
// served concurrently, but each one sees and changes a consistent state.
type Service struct {
	clock         Clock
	projectID     string
	region        string
	domainID      string
	authToken     string
	keys          map[string]accessKey // access key -> secret (and security token)
	users         []User
	tokenLifetime time.Duration
	jobDuration   time.Duration
	maxBatchSize  int
	log           *log.Logger

	mu       sync.Mutex
	servers  []string
	images   []string
	imageSet map[string]int // image ID -> index, for its version string
	phones   map[string]*phoneState
	jobs     map[string]*jobState
	jobList  []*jobState            // every job, in creation order
	pending  []*jobState            // jobs not yet finished
	byReq    map[string][]*jobState // batch-reset request ID -> its jobs
	failing  map[string]bool        // phones whose future resets fail
	refusing map[string]resetEntry  // phones whose future resets are refused, with the answer to give
	tokens   map[string]*tokenState
	ids      *rand.Rand // request, job and token IDs
	faults   Faults
	faultRNG *rand.Rand
	stats    Stats
}

type accessKey struct{ secret, securityToken string }

// Seed streams: each kind of ID comes from its own stream, so adding phones
// does not change the server IDs, and phone i has the same ID whatever the
// phone count.
const (
	streamProject = iota + 1
	streamServers
	streamPhones
	streamImages
	streamIDs
	streamFaults
)

func stream(seed int64, s uint64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), s))
}

// New builds a service from opts.
func New(opts Options) *Service {
	s := &Service{
		clock:         opts.Clock,
		projectID:     opts.ProjectID,
		region:        opts.Region,
		authToken:     opts.AuthToken,
		keys:          map[string]accessKey{},
		users:         append([]User(nil), opts.Users...),
		tokenLifetime: opts.TokenLifetime,
		jobDuration:   opts.JobDuration,
		maxBatchSize:  opts.MaxBatchSize,
		log:           opts.Log,
		imageSet:      map[string]int{},
		phones:        map[string]*phoneState{},
		jobs:          map[string]*jobState{},
		byReq:         map[string][]*jobState{},
		failing:       map[string]bool{},
		refusing:      map[string]resetEntry{},
		tokens:        map[string]*tokenState{},
		ids:           stream(opts.Seed, streamIDs),
		faultRNG:      stream(opts.Seed, streamFaults),
		stats:         newStats(),
	}
	if s.clock == nil {
		s.clock = realClock{}
	}
	projRNG := stream(opts.Seed, streamProject)
	if s.projectID == "" {
		s.projectID = hexID(projRNG)
	}
	s.domainID = hexID(projRNG)
	if s.region == "" {
		s.region = "cn-north-4"
	}
	if s.tokenLifetime <= 0 {
		s.tokenLifetime = 24 * time.Hour
	}
	if opts.AccessKey != "" {
		s.keys[opts.AccessKey] = accessKey{secret: opts.SecretKey}
	}
	for _, k := range opts.TemporaryKeys {
		s.keys[k.AccessKey] = accessKey{secret: k.SecretKey, securityToken: k.SecurityToken}
	}

	nServers := defaultCount(opts.Servers, 2)
	nImages := defaultCount(opts.Images, 3)
	nPhones := defaultCount(opts.Phones, 10)
	if nServers == 0 && nPhones > 0 {
		nServers = 1 // phones live on servers
	}
	srvRNG := stream(opts.Seed, streamServers)
	for range nServers {
		s.servers = append(s.servers, hexID(srvRNG))
	}
	imgRNG := stream(opts.Seed, streamImages)
	for i := range nImages {
		id := hexID(imgRNG)
		s.images = append(s.images, id)
		s.imageSet[id] = i
	}
	s.seedPhones(opts.Seed, nPhones)
	return s
}

func defaultCount(n, def int) int {
	switch {
	case n == 0:
		return def
	case n < 0:
		return 0
	}
	return n
}

// ProjectID is the one project the fake serves.
func (s *Service) ProjectID() string { return s.projectID }

// Region is the name of that project (IAM project names are region names).
func (s *Service) Region() string { return s.region }

// ImageIDs returns the image IDs a reset may name, in seed order.
func (s *Service) ImageIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.images...)
}

// ServerIDs returns the server IDs the phones live on, in seed order.
func (s *Service) ServerIDs() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.servers...)
}
