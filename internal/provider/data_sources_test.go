package provider

import (
	"bytes"
	"fmt"
	"log"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// callLog records the API calls the fake served (its Options.Log), so a
// test can check which queries a data source sent.
type callLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *callLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// logger returns a logger for fakecph.Options.Log writing into l.
func (l *callLog) logger() *log.Logger { return log.New(l, "", 0) }

// take returns the queries of the GET calls whose path ends in suffix,
// since the last take, and forgets every call logged so far.
func (l *callLog) take(suffix string) []url.Values {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []url.Values
	for _, line := range strings.Split(l.buf.String(), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "GET" {
			continue
		}
		u, err := url.Parse(f[1])
		if err == nil && strings.HasSuffix(u.Path, suffix) {
			out = append(out, u.Query())
		}
	}
	l.buf.Reset()
	return out
}

// expectReads checks that the calls to suffix since the last take are one
// or more reads, each making exactly the calls of one: the values of key in
// each call, in any order (e.g. the offsets 0, 100, 200 of a three-page list),
// every call also carrying the query parameters in always.
func (l *callLog) expectReads(suffix, key string, oneRead []string, always url.Values) func(*terraform.State) error {
	return func(*terraform.State) error {
		calls := l.take(suffix)
		if len(calls) == 0 || len(calls)%len(oneRead) != 0 {
			return fmt.Errorf("%d calls to %s, want a multiple of %d (one read: %v)", len(calls), suffix, len(oneRead), oneRead)
		}
		var got []string
		for _, q := range calls {
			for k := range always {
				if q.Get(k) != always.Get(k) {
					return fmt.Errorf("call to %s with %s=%q, want %q (query %s)", suffix, k, q.Get(k), always.Get(k), q.Encode())
				}
			}
			got = append(got, q.Get(key))
		}
		// Within one read the pages are fetched concurrently: in any order.
		want := slices.Sorted(slices.Values(oneRead))
		for i := 0; i < len(got); i += len(oneRead) {
			if diff := cmp.Diff(want, slices.Sorted(slices.Values(got[i:i+len(oneRead)]))); diff != "" {
				return fmt.Errorf("read %d of %s: %s values (-want +got):\n%s", i/len(oneRead)+1, suffix, key, diff)
			}
		}
		return nil
	}
}

// expectNoCalls fails the test when the fake saw any API call since the
// last takeStats: what validation refuses must never reach the API.
func (e *accEnv) expectNoCalls() {
	e.t.Helper()
	if st := e.takeStats(); len(st.Calls) != 0 {
		e.t.Errorf("API calls were made for a configuration that fails validation: %v", st.Calls)
	}
}

// failReads makes every CPH read fail with 500 CPS.0003 from now on (a
// step's PreConfig); see noRetryProviderBlock.
func (e *accEnv) failReads() { e.svc.SetFaults(fakecph.Faults{ReadErrorRate: 1}) }

// noRetryProviderBlock is providerBlock without retries, so an API error
// reaches the user at once.
func (e *accEnv) noRetryProviderBlock() string {
	return strings.Replace(e.providerBlock(), "  batch_size", "  max_retries = 0\n  batch_size", 1)
}

func TestDecodeProperty(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]map[string]string{
		"":                                  {},
		`{}`:                                {},
		`{"a":"1","b":"x y"}`:               {"a": "1", "b": "x y"},
		`{"n":1,"t":true,"o":{"k":[1, 2]}}`: {"n": "1", "t": "true", "o": `{"k":[1,2]}`},
	} {
		got, err := decodeProperty(in)
		if err != nil {
			t.Errorf("%q: %v", in, err)
			continue
		}
		wantValues := map[string]attr.Value{}
		for k, v := range want {
			wantValues[k] = types.StringValue(v)
		}
		if diff := cmp.Diff(wantValues, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", in, diff)
		}
	}
	for _, bad := range []string{"x", `["a"]`, "null", `"s"`} {
		if _, err := decodeProperty(bad); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}
