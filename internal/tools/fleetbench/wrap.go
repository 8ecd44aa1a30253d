package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The CLI starts the provider itself (dev_overrides), several times per
// command. To measure every one of those processes, dev_overrides points at
// a small script that runs this binary in wrapper mode: it starts the real
// provider as its child, on the same stdin/stdout/stderr (so go-plugin's
// handshake passes straight through), forwards signals, waits, and appends
// the child's resource usage (from wait4) to a log the bench reads after
// each command.
const (
	envWrapProvider = "FLEETBENCH_WRAP_PROVIDER"
	envRusageLog    = "FLEETBENCH_RUSAGE_LOG"
)

// wrapProvider runs the provider named by envWrapProvider and returns its
// exit code.
func wrapProvider(provider, logPath string) int {
	// No context: the provider ends when the CLI tells it to (or kills us).
	cmd := exec.CommandContext(context.Background(), provider, os.Args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// If the CLI kills the wrapper outright, the provider goes with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGINT, syscall.SIGTERM)
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "fleetbench wrapper:", err)
		return 1
	}
	go func() {
		for s := range sigs {
			_ = cmd.Process.Signal(s)
		}
	}()
	err := cmd.Wait()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		line := fmt.Sprintf("%d %d %d\n", tvMicros(ru.Utime), tvMicros(ru.Stime), ru.Maxrss)
		if f, ferr := os.OpenFile(logPath, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600); ferr == nil {
			_, _ = f.WriteString(line) // one short O_APPEND write: processes do not interleave
			_ = f.Close()
		}
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode()
	}
	if err != nil {
		return 1
	}
	return 0
}

func tvMicros(tv syscall.Timeval) int64 { return tv.Nano() / 1000 }

// usage is what the provider processes of one command used together.
type usage struct {
	processes int
	cpu       time.Duration // user + system, summed over the processes
	peakRSSKB int64         // the largest process's peak resident set
}

// readUsage sums the wrapper log.
func readUsage(path string) (usage, error) {
	var u usage
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return u, nil
	}
	if err != nil {
		return u, err
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) != 3 {
			continue
		}
		var v [3]int64
		for i, s := range fields {
			if v[i], err = strconv.ParseInt(s, 10, 64); err != nil {
				return u, fmt.Errorf("%s: %w", path, err)
			}
		}
		u.processes++
		u.cpu += time.Duration(v[0]+v[1]) * time.Microsecond
		u.peakRSSKB = max(u.peakRSSKB, v[2])
	}
	return u, sc.Err()
}
