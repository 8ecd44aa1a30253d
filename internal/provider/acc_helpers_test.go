package provider

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// protoV6 serves the provider in-process to the CLI that plugin-testing runs.
var protoV6 = map[string]func() (tfprotov6.ProviderServer, error){
	"cph": providerserver.NewProtocol6WithError(New("test")()),
}

// protoV6At serves the provider with the engine's clock set to now, so that
// lost answers are judged against the fake's clock.
func protoV6At(now func() time.Time) map[string]func() (tfprotov6.ProviderServer, error) {
	return map[string]func() (tfprotov6.ProviderServer, error){
		"cph": providerserver.NewProtocol6WithError(&cphProvider{version: "test", now: now}),
	}
}

const testToken = "test-token-0123456789"

// accEnv is one fake CPH service for one acceptance test.
type accEnv struct {
	t   *testing.T
	svc *fakecph.Service
	url string
}

func newAccEnv(t *testing.T, opts fakecph.Options) *accEnv {
	t.Helper()
	if opts.AuthToken == "" && opts.AccessKey == "" && len(opts.Users) == 0 && len(opts.TemporaryKeys) == 0 {
		opts.AuthToken = testToken
	}
	svc := fakecph.New(opts)
	srv := httptest.NewServer(svc)
	t.Cleanup(srv.Close)
	return &accEnv{t: t, svc: svc, url: srv.URL}
}

// providerBlock signs in with the static token; batch size 3 makes small
// fleets span several requests.
func (e *accEnv) providerBlock() string {
	return fmt.Sprintf(`
provider "cph" {
  endpoint      = %[1]q
  iam_endpoint  = %[1]q
  project_id    = %[2]q
  region        = "cn-north-4"
  auth_token    = %[3]q
  batch_size    = 3
  poll_interval = "20ms"
}
`, e.url, e.svc.ProjectID(), testToken)
}

// phones returns the first n phone IDs of the fake, sorted.
func (e *accEnv) phones(n int) []string {
	ids := e.svc.PhoneIDs()
	if len(ids) < n {
		e.t.Fatalf("fake has %d phones, test needs %d", len(ids), n)
	}
	return ids[:n]
}

// resetsSince reports, for the checks of one step, the fake's ground truth
// since the last call: phones reset (each with a count) and requests sent.
func (e *accEnv) takeStats() fakecph.Stats {
	st := e.svc.Stats()
	e.svc.ResetStats()
	return st
}

// expectResets checks that exactly the given phones were reset once each,
// in the given number of batch-reset requests, since the last takeStats.
func (e *accEnv) expectResets(phones []string, requests int) func(*terraform.State) error {
	return func(*terraform.State) error {
		st := e.takeStats()
		want := map[string]int{}
		for _, id := range phones {
			want[id] = 1
		}
		got := map[string]int{}
		for id, n := range st.Resets {
			if n > 0 {
				got[id] = n
			}
		}
		if fmt.Sprint(sortedCounts(got)) != fmt.Sprint(sortedCounts(want)) {
			return fmt.Errorf("fake reset phones %v, want %v", sortedCounts(got), sortedCounts(want))
		}
		if st.ResetRequests != requests {
			return fmt.Errorf("fake got %d batch-reset requests, want %d", st.ResetRequests, requests)
		}
		return nil
	}
}

func sortedCounts(m map[string]int) []string {
	out := make([]string, 0, len(m))
	for id, n := range m {
		out = append(out, fmt.Sprintf("%s=%d", id, n))
	}
	sort.Strings(out)
	return out
}

// phonesHCL renders a phones map; props gives some phones their own properties.
func phonesHCL(ids []string, props map[string]map[string]string) string {
	var b strings.Builder
	b.WriteString("{\n")
	for _, id := range ids {
		fmt.Fprintf(&b, "    %q = {", id)
		keys := make([]string, 0, len(props[id]))
		for k := range props[id] {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "%q = %q", k, props[id][k])
		}
		b.WriteString("}\n")
	}
	b.WriteString("  }")
	return b.String()
}

// directReset resets phones with the API itself, as a user's script would,
// and returns the request ID (for import tests).
func (e *accEnv) directReset(ids []string) string {
	e.t.Helper()
	var phones []string
	for _, id := range ids {
		phones = append(phones, fmt.Sprintf(`{"phone_id":%q}`, id))
	}
	body := `{"phones":[` + strings.Join(phones, ",") + `]}`
	req, _ := http.NewRequest(http.MethodPost, e.url+"/v1/"+e.svc.ProjectID()+"/cloud-phone/phones/batch-reset", strings.NewReader(body))
	req.Header.Set("X-Auth-Token", testToken)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		RequestID string `json:"request_id"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.RequestID == "" {
		e.t.Fatalf("direct reset: HTTP %d, %v, %+v", resp.StatusCode, err, out)
	}
	return out.RequestID
}
