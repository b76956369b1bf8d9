package acctest

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// hostOpTimeout bounds one fleet operation: stopping a daemon waits for its
// containers to stop (10 s each, in parallel) before it kills what is left.
const hostOpTimeout = 2 * time.Minute

// StopHost stops a host's dockerd. Its data and engine ID are kept; its
// containers stop with it, as when a server is shut down.
func StopHost(t testing.TB, name string) { t.Helper(); hostOp(t, "stop", name) }

// StartHost starts a stopped host again with the same data and engine ID and
// returns once it answers.
func StartHost(t testing.TB, name string) { t.Helper(); hostOp(t, "start", name) }

// WipeHost rebuilds a host behind the same address: empty data root, new
// engine ID, the test images loaded again.
func WipeHost(t testing.TB, name string) { t.Helper(); hostOp(t, "wipe", name) }

// CutHost takes a host off the network: calls to its address time out, its
// unix socket (and so Docker(t, name)) still answers.
func CutHost(t testing.TB, name string) { t.Helper(); hostOp(t, "cut", name) }

// HealHost puts a cut host back on the network.
func HealHost(t testing.TB, name string) { t.Helper(); hostOp(t, "heal", name) }

func hostOp(t testing.TB, op, name string) {
	t.Helper()
	Host(t, name)
	script, err := fleetScript()
	if err != nil {
		t.Fatalf("%s %s: %v", op, name, err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), hostOpTimeout)
	defer cancel()
	start := time.Now()
	out, err := exec.CommandContext(ctx, script, op, name).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %s failed: %v\n%s", op, name, script, err, out)
	}
	t.Logf("fleet: %s %s took %s", op, name, time.Since(start).Round(time.Millisecond))
}

// fleetScript finds scripts/fleet.sh: the one that started the fleet when the
// environment names it, else the one of this module.
func fleetScript() (string, error) {
	if s := os.Getenv("DFL_FLEET_SCRIPT"); s != "" {
		if _, err := os.Stat(s); err == nil {
			return s, nil
		}
	}
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "scripts", "fleet.sh"), nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: cannot find scripts/fleet.sh")
		}
		dir = parent
	}
}
