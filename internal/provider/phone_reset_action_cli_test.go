package provider

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/go-hclog"
	"github.com/hashicorp/go-plugin"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6/tf6server"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

// The action through a real Terraform. Actions need Terraform 1.14 or later;
// Terraform 1.11 and OpenTofu 1.12 reject `action` blocks, so these tests
// find such a Terraform whatever CLI the acceptance pass runs with, and
// skip only when there is none.

// terraformVersionLine matches the first line of `terraform version`.
var terraformVersionLine = regexp.MustCompile(`^Terraform v(\d+)\.(\d+)\.(\d+)`)

// actionTerraform returns a Terraform that runs actions (>= 1.14): the
// acceptance pass's TF_ACC_TERRAFORM_PATH when it is one, else the
// Terraform 1.15.9 that scripts/terraform-cli.sh builds into the user
// cache, else `terraform` on PATH.
func actionTerraform(t *testing.T) string {
	t.Helper()
	var candidates []string
	if p := os.Getenv("TF_ACC_TERRAFORM_PATH"); p != "" {
		candidates = append(candidates, p)
	}
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cache = filepath.Join(home, ".cache")
		}
	}
	if cache != "" {
		candidates = append(candidates, filepath.Join(cache, "terraform-provider-cph", "terraform-v1.15.9", "terraform"))
	}
	if p, err := exec.LookPath("terraform"); err == nil {
		candidates = append(candidates, p)
	}
	var seen []string
	for _, p := range candidates {
		out, err := exec.Command(p, "version").Output()
		if err != nil {
			continue
		}
		first, _, _ := strings.Cut(string(out), "\n")
		seen = append(seen, fmt.Sprintf("%s (%s)", p, first))
		m := terraformVersionLine.FindStringSubmatch(first)
		if m == nil {
			continue // OpenTofu has no actions
		}
		major, _ := strconv.Atoi(m[1])
		minor, _ := strconv.Atoi(m[2])
		if major > 1 || (major == 1 && minor >= 14) {
			return p
		}
	}
	t.Skipf("SKIPPED: no Terraform >= 1.14 to run actions with (looked at %v); build one with "+
		"scripts/terraform-cli.sh or set TF_ACC_TERRAFORM_PATH", seen)
	return ""
}

// actionConfig renders an action block resetting ids.
func actionConfig(name string, ids []string, extra string) string {
	return fmt.Sprintf(`
action "cph_phone_reset" %q {
  config {
    phones = %s
%s
  }
}
`, name, phonesHCL(ids, nil), extra)
}

// TestAccPhoneResetAction_trigger: an action_trigger on a terraform_data
// invokes the action after create and after update, and never otherwise;
// the plan checks the action's phones; destroy resets nothing.
func TestAccPhoneResetAction_trigger(t *testing.T) {
	// plugin-testing reads the CLI and the provider address from the
	// environment: point both at Terraform, also in the OpenTofu pass.
	t.Setenv("TF_ACC_TERRAFORM_PATH", actionTerraform(t))
	t.Setenv("TF_ACC_PROVIDER_HOST", "registry.terraform.io")
	t.Setenv("TF_ACC_PROVIDER_NAMESPACE", "hashicorp")

	env := newAccEnv(t, fakecph.Options{Seed: 31, Phones: 6, JobDuration: 40 * time.Millisecond})
	ids := env.phones(4)
	config := func(build string) string {
		return env.providerBlock() + actionConfig("lab", ids, `    properties = { "sys.prop.writewifissid" = "lab_wifi" }`) + fmt.Sprintf(`
resource "terraform_data" "build" {
  input = %q
  lifecycle {
    action_trigger {
      events  = [after_create, after_update]
      actions = [action.cph_phone_reset.lab]
    }
  }
}
`, build)
	}
	resource.Test(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: protoV6,
		Steps: []resource.TestStep{
			{ // Create: the action resets every phone once, 4 phones in 2 requests.
				PreConfig: func() { env.takeStats() },
				Config:    config("1"),
				Check: resource.ComposeAggregateTestCheckFunc(env.expectResets(ids, 2), func(*terraform.State) error {
					if p, _ := env.svc.Phone(ids[3]); !strings.Contains(p.Property, "lab_wifi") {
						return fmt.Errorf("phone %s property = %q, want the action's properties", ids[3], p.Property)
					}
					return nil
				}),
			},
			{ // Nothing changes: no invocation.
				Config: config("1"),
				Check:  env.expectResets(nil, 0),
			},
			{ // An update: every phone once more.
				Config: config("2"),
				Check:  env.expectResets(ids, 2),
			},
			{ // A frozen phone fails the plan of the next update, on that phone.
				PreConfig:   func() { env.svc.SetPhoneStatus(ids[2], 6) },
				Config:      config("3"),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`(?s)Phone Cannot Be Reset Now.*1 phone is frozen \(status 6\).*` + ids[2]),
			},
		},
		CheckDestroy: func(*terraform.State) error {
			if st := env.takeStats(); st.CallCount(fakecph.RouteBatchReset) != 0 {
				return fmt.Errorf("destroy sent %d batch-reset requests, want 0", st.CallCount(fakecph.RouteBatchReset))
			}
			return nil
		},
	})
}

// cliRun is one Terraform working directory with the provider served
// in-process (TF_REATTACH_PROVIDERS), for what plugin-testing cannot do:
// `terraform apply -invoke`.
type cliRun struct {
	t   *testing.T
	cli string
	dir string
	env []string
}

// newCLIRun serves the provider in this process and prepares dir with
// main.tf; the server stops when the test ends.
func newCLIRun(t *testing.T, mainTF string) *cliRun {
	t.Helper()
	cli := actionTerraform(t)
	ctx, cancel := context.WithCancel(context.Background())
	reattach := make(chan *plugin.ReattachConfig)
	closed := make(chan struct{})
	const address = "registry.terraform.io/hashicorp/cph"
	go func() {
		err := tf6server.Serve(address, func() tfprotov6.ProviderServer {
			s, err := providerserver.NewProtocol6WithError(New("test")())()
			if err != nil {
				panic(err)
			}
			return s
		}, tf6server.WithDebug(ctx, reattach, closed), tf6server.WithGoPluginLogger(hclog.NewNullLogger()),
			tf6server.WithLoggingSink(t), tf6server.WithoutLogStderrOverride())
		if err != nil {
			t.Errorf("serving the provider: %v", err)
		}
	}()
	var rc *plugin.ReattachConfig
	select {
	case rc = <-reattach:
	case <-closed:
		t.Fatal("the provider server stopped before it started")
	}
	t.Cleanup(func() { cancel(); <-closed })
	if rc == nil {
		t.Fatal("no reattach configuration")
	}
	info, err := json.Marshal(map[string]any{address: map[string]any{
		"Protocol": string(rc.Protocol), "ProtocolVersion": rc.ProtocolVersion, "Pid": rc.Pid, "Test": rc.Test,
		"Addr": map[string]string{"Network": rc.Addr.Network(), "String": rc.Addr.String()},
	}})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cliConfig := filepath.Join(dir, "empty.tfrc")
	for name, body := range map[string]string{"main.tf": mainTF, "empty.tfrc": ""} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	r := &cliRun{t: t, cli: cli, dir: dir, env: append(os.Environ(),
		"TF_REATTACH_PROVIDERS="+string(info), "TF_CLI_CONFIG_FILE="+cliConfig,
		"CHECKPOINT_DISABLE=1", "TF_IN_AUTOMATION=1", "TF_INPUT=0")}
	if out, err := r.run("init", "-no-color"); err != nil {
		t.Fatalf("terraform init: %v\n%s", err, out)
	}
	return r
}

// run runs the CLI in the directory and returns its combined output.
func (r *cliRun) run(args ...string) (string, error) {
	r.t.Helper()
	cmd := exec.Command(r.cli, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// TestAccPhoneResetAction_invokeCLI: `terraform apply -invoke` resets the
// action's phones on every invocation, prints the progress messages, fails
// on a failed job with the action's diagnostics, and `plan -invoke` stops a
// frozen phone before anything is sent. The phones are literal IDs: an
// action whose config refers to a resource cannot be invoked alone
// (hashicorp/terraform#37785).
func TestAccPhoneResetAction_invokeCLI(t *testing.T) {
	env := newAccEnv(t, fakecph.Options{Seed: 32, Phones: 6, JobDuration: 40 * time.Millisecond})
	ids := env.phones(5)
	lab, other := ids[:4], ids[4:]
	r := newCLIRun(t, `
terraform {
  required_providers {
    cph = { source = "hashicorp/cph" }
  }
}
`+env.providerBlock()+actionConfig("lab", lab, `    timeouts {
      invoke = "5m"
    }`)+actionConfig("other", other, ""))
	env.takeStats()

	invoke := func(name string) (string, error) {
		return r.run("apply", "-invoke=action.cph_phone_reset."+name, "-auto-approve", "-no-color")
	}
	out, err := invoke("lab")
	if err != nil {
		t.Fatalf("apply -invoke: %v\n%s", err, out)
	}
	if err := env.expectResets(lab, 2)(nil); err != nil {
		t.Error(err)
	}
	for _, want := range []string{
		`Resetting 4 phones in 2 batch-reset requests of up to 3\.`,
		`Request 1/2 sent: request ID [0-9a-f]{32}, 3 accepted\.`,
		`Request 2/2 sent: request ID [0-9a-f]{32}, 1 accepted\.`,
		`Done: 4/4 phones reset, 0 failed, 0 running; 2 batch-reset requests: [0-9a-f]{32}, [0-9a-f]{32}\.`,
	} {
		if !regexp.MustCompile(want).MatchString(out) {
			t.Errorf("apply -invoke output lacks %q:\n%s", want, out)
		}
	}
	t.Logf("terraform apply -invoke output:\n%s", out)

	// Again: an action keeps no state, so the same phones are reset again;
	// the other action's phone is never touched.
	if out, err := invoke("lab"); err != nil {
		t.Fatalf("second apply -invoke: %v\n%s", err, out)
	}
	if err := env.expectResets(lab, 2)(nil); err != nil {
		t.Error(err)
	}

	// A failed job fails the invocation with the action's diagnostic.
	env.svc.FailResets(other[0])
	out, err = invoke("other")
	if err == nil {
		t.Fatalf("apply -invoke succeeded with a failing job:\n%s", out)
	}
	flat := strings.Join(strings.Fields(out), " ")
	for _, want := range []string{`Phone Reset Failed`, `The reset job failed on phone ` + other[0] + `: CPS.0003`,
		`This action keeps no state: invoking it again resets all 1 phone again.`} {
		if !strings.Contains(flat, want) {
			t.Errorf("failed invocation output lacks %q:\n%s", want, out)
		}
	}
	if err := env.expectResets(other, 1)(nil); err != nil {
		t.Error(err)
	}

	// A frozen phone fails `plan -invoke` on that phone, and nothing is sent.
	env.svc.ClearFailures()
	env.svc.SetPhoneStatus(lab[2], 6)
	out, err = r.run("plan", "-invoke=action.cph_phone_reset.lab", "-no-color")
	flat = strings.Join(strings.Fields(out), " ")
	if err == nil || !strings.Contains(flat, "Phone Cannot Be Reset Now") || !strings.Contains(flat, "1 phone is frozen (status 6)") || !strings.Contains(flat, lab[2]) {
		t.Errorf("plan -invoke with a frozen phone: err = %v\n%s", err, out)
	}
	if st := env.takeStats(); st.CallCount(fakecph.RouteBatchReset) != 0 {
		t.Errorf("plan sent %d batch-reset requests, want 0", st.CallCount(fakecph.RouteBatchReset))
	}
}

// TestAccPhoneResetAction_example: the documented example is valid for
// Terraform (OpenTofu would reject it, which is why it has a file of its
// own).
func TestAccPhoneResetAction_example(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "actions", "cph_phone_reset", "action.tf"))
	if err != nil {
		t.Fatal(err)
	}
	env := newAccEnv(t, fakecph.Options{Seed: 33, Phones: 1})
	r := newCLIRun(t, `
terraform {
  required_providers {
    cph = { source = "hashicorp/cph" }
  }
}
`+env.providerBlock()+string(example))
	if out, err := r.run("validate", "-no-color"); err != nil || !strings.Contains(out, "The configuration is valid") {
		t.Errorf("terraform validate of the example: %v\n%s", err, out)
	}
	if st := env.takeStats(); totalCalls(st) != 0 {
		t.Errorf("validate made API calls: %v", st.Calls)
	}
}
