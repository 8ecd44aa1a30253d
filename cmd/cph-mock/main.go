// Command cph-mock serves a fake Huawei Cloud CPH and IAM API (package
// fakecph) on one local base URL, for demos, for trying the provider, and
// for testing pipelines without touching real phones.
//
// It prints the base URL as the first line on standard output, logs one
// line per request on standard error (never a credential), and stops
// cleanly on SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/cph-terraform/terraform-provider-cph/internal/fakecph"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr))
}

const usageHeader = `Usage: cph-mock [flags]

cph-mock serves a stateful fake of Huawei Cloud's Cloud Phone (CPH) API and of
the IAM calls a client needs, under one base URL printed as the first line on
standard output. Point the provider's endpoint and iam_endpoint at that URL.

Admin endpoints (unauthenticated): GET /_mock/ lists them; GET /_mock/stats,
POST /_mock/stats/reset, GET /_mock/phone-ids, GET /_mock/image-ids,
GET|PUT /_mock/faults, POST /_mock/expire-tokens.

Flags:
`

// config is what the flags say.
type config struct {
	addr                   string
	opts                   fakecph.Options
	securityToken          string
	user, password, domain string
	failPhones             string
	faults                 fakecph.Faults
}

func parseFlags(args []string, stderr io.Writer) (*config, error) {
	var c config
	fs := flag.NewFlagSet("cph-mock", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHeader)
		fs.PrintDefaults()
	}
	o := &c.opts
	fs.StringVar(&c.addr, "addr", "127.0.0.1:0", "`host:port` to listen on; port 0 picks a free port")
	fs.Int64Var(&o.Seed, "seed", 1, "seed of every generated ID (project, phones, servers, images) and of the fault rates")
	fs.StringVar(&o.ProjectID, "project-id", "", "project `ID` to serve (32 hex characters; default derived from -seed)")
	fs.StringVar(&o.Region, "region", "cn-north-4", "region, which is also the project's name in IAM")
	fs.IntVar(&o.Phones, "phones", 10, "number of phones")
	fs.IntVar(&o.Servers, "servers", 2, "number of servers the phones are spread over")
	fs.IntVar(&o.Images, "images", 3, "number of image IDs a reset may name (see /_mock/image-ids)")
	fs.StringVar(&o.AccessKey, "access-key", "", "access key (AK) accepted for SDK-HMAC-SHA256 signatures")
	fs.StringVar(&o.SecretKey, "secret-key", "", "secret key (SK) of -access-key")
	fs.StringVar(&c.securityToken, "security-token", "", "make -access-key a temporary key that needs this X-Security-Token")
	fs.StringVar(&o.AuthToken, "auth-token", "", "static token accepted in X-Auth-Token; it never expires")
	fs.StringVar(&c.user, "user", "", "IAM user name allowed to log in with -password (POST /v3/auth/tokens)")
	fs.StringVar(&c.password, "password", "", "password of -user")
	fs.StringVar(&c.domain, "domain", "", "account (domain) name of -user (default: the user name)")
	fs.DurationVar(&o.JobDuration, "job-duration", 0, "how long a reset job runs; 0 finishes it at once")
	fs.DurationVar(&o.TokenLifetime, "token-lifetime", 24*time.Hour, "lifetime of tokens issued by the fake IAM")
	fs.IntVar(&o.MaxBatchSize, "max-batch-size", 0, "refuse batch resets of more phones than this (400 CPS.0002); 0 means no limit")
	fs.StringVar(&c.failPhones, "fail-phones", "", "comma-separated phone IDs whose resets fail (job status -1, phone status -5)")
	fs.Float64Var(&c.faults.ThrottleRate, "throttle-rate", 0, "share of API calls answered 429 APIG.0308, 0..1")
	fs.Float64Var(&c.faults.ReadErrorRate, "read-error-rate", 0, "share of CPH GET calls answered 500 CPS.0003, 0..1")
	fs.DurationVar(&c.faults.Latency, "latency", 0, "delay added to every API call")
	fs.IntVar(&c.faults.DropResetResponses, "drop-reset-responses", 0, "apply the next `N` batch resets but close the connection instead of answering")
	fs.IntVar(&c.faults.ResetErrorsAfterApply, "reset-errors-after-apply", 0, "apply the next `N` batch resets but answer 500 CPS.0003")
	fs.IntVar(&c.faults.ResetErrorsBeforeApply, "reset-errors-before-apply", 0, "answer the next `N` batch resets 500 CPS.0003 without applying them")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	}
	if err := c.check(); err != nil {
		return nil, err
	}
	if c.securityToken != "" {
		o.TemporaryKeys = []fakecph.TemporaryKey{{AccessKey: o.AccessKey, SecretKey: o.SecretKey, SecurityToken: c.securityToken}}
		o.AccessKey, o.SecretKey = "", ""
	}
	if c.user != "" {
		o.Users = []fakecph.User{{Name: c.user, Password: c.password, Domain: c.domain}}
	}
	return &c, nil
}

// check refuses flag combinations that would silently serve something
// other than what the user meant.
func (c *config) check() error {
	o := c.opts
	switch {
	case (o.AccessKey == "") != (o.SecretKey == ""):
		return errors.New("-access-key and -secret-key go together")
	case c.securityToken != "" && o.AccessKey == "":
		return errors.New("-security-token needs -access-key and -secret-key")
	case (c.user == "") != (c.password == ""):
		return errors.New("-user and -password go together")
	case c.domain != "" && c.user == "":
		return errors.New("-domain needs -user")
	case o.ProjectID != "" && !fakecph.IsID(o.ProjectID):
		return errors.New("-project-id must be 32 lowercase hex characters, like a real project ID")
	case o.Phones < 0 || o.Servers < 1 || o.Images < 1:
		return errors.New("-phones must be ≥ 0, -servers and -images ≥ 1")
	case o.MaxBatchSize < 0 || o.JobDuration < 0 || o.TokenLifetime <= 0:
		return errors.New("-max-batch-size and -job-duration must be ≥ 0, -token-lifetime > 0")
	}
	return c.faults.Validate()
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	logger := log.New(stderr, "cph-mock: ", log.LstdFlags)
	c, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "cph-mock:", err)
		return 2
	}
	if c.opts.Phones == 0 {
		c.opts.Phones = -1 // the library reads 0 as "the default"
	}
	c.opts.Log = logger
	svc := fakecph.New(c.opts)
	if c.failPhones != "" {
		ids := strings.Split(c.failPhones, ",")
		known := svc.PhoneIDs()
		for i, id := range ids {
			ids[i] = strings.TrimSpace(id)
			if !slices.Contains(known, ids[i]) {
				fmt.Fprintf(stderr, "cph-mock: -fail-phones: %q is not one of the phones (see /_mock/phone-ids)\n", ids[i])
				return 2
			}
		}
		svc.FailResets(ids...)
	}
	svc.SetFaults(c.faults)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := new(net.ListenConfig).Listen(ctx, "tcp", c.addr)
	if err != nil {
		fmt.Fprintln(stderr, "cph-mock:", err)
		return 1
	}
	srv := &http.Server{Handler: svc, ReadHeaderTimeout: 10 * time.Second}

	// The URL goes first, alone, so scripts can read one line and go.
	fmt.Fprintf(stdout, "http://%s\n", ln.Addr())
	if f, ok := stdout.(interface{ Sync() error }); ok {
		_ = f.Sync() // a pipe or terminal cannot sync; that is fine
	}
	logger.Printf("serving project %s (region %s): %d phones, %d images; credentials: %s",
		svc.ProjectID(), svc.Region(), len(svc.PhoneIDs()), len(svc.ImageIDs()), describeCredentials(c))

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		logger.Print(err)
		return 1
	case <-ctx.Done():
	}
	logger.Print("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		logger.Print("shutdown: ", err)
		return 1
	}
	return 0
}

// describeCredentials says which kinds of credential are configured,
// never their values.
func describeCredentials(c *config) string {
	var kinds []string
	if c.opts.AuthToken != "" {
		kinds = append(kinds, "static token")
	}
	if len(c.opts.TemporaryKeys) > 0 {
		kinds = append(kinds, "temporary AK/SK")
	} else if c.opts.AccessKey != "" {
		kinds = append(kinds, "AK/SK")
	}
	if len(c.opts.Users) > 0 {
		kinds = append(kinds, "IAM password login")
	}
	if len(kinds) == 0 {
		return "none (every API call will be refused; set -auth-token, -access-key/-secret-key or -user/-password)"
	}
	return strings.Join(kinds, ", ")
}
