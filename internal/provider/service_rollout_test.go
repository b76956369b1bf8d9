package provider_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/rollout"
)

// Rolling updates against the real daemons of the fleet: batch order,
// health gating, start-first and its stop-first fallback, each failure
// action, what state and plan hold after a failure, and faults (a daemon
// stopped and a host cut off mid-rollout). Health checks run every second and
// new replicas are monitored for two seconds, so that each test stays short.

// HCL of the specs the tests roll between.
const (
	sleepCmd = `command = ["sleep", "3600"]`
	// healthOK is a health check that always passes, judged after a second.
	healthOK = `healthcheck = { test = ["CMD", "true"], interval = "1s", retries = 1 }`
	// healthNever is a health check that never passes, with its output.
	healthNever = `healthcheck = { test = ["CMD-SHELL", "echo not ready; exit 1"], ` +
		`interval = "1s", retries = 1 }`
	// servingV2 writes a log line, so that failures show the last log lines.
	servingV2 = `command = ["sh", "-c", "echo serving v2; exec sleep 3600"]`
	// exitsWhenTripped starts fine until the tripwire is set, then exits 3.
	exitsWhenTripped = `command = ["sh", "-c", "if [ -e /trip/broken ]; then echo cannot ` +
		`start, /trip/broken is there; exit 3; fi; echo serving v2; exec sleep 3600"]`
	// healthyUntilTripped passes while the tripwire is unset and, once it has
	// passed, stays passing (it leaves /ok behind): only containers started
	// after the tripwire fail.
	healthyUntilTripped = `healthcheck = { test = ["CMD-SHELL", "test -e /ok || ` +
		`{ test ! -e /trip/broken && touch /ok; } || { echo tripped; exit 1; }"], ` +
		`interval = "1s", retries = 1 }`
)

// rollConfig writes one dockerfleet_service for a rolling update test.
type rollConfig struct {
	name     string
	hosts    []string
	replicas int
	image    string
	// tcp reaches the hosts over TCP instead of their unix sockets, so that
	// acctest.CutHost cuts the provider off them.
	tcp bool
	// provider holds more provider attributes, such as call_timeout.
	provider string
	// update is the content of the update object.
	update string
	// spec holds more resource attributes: command, health check, mounts.
	spec []string
}

func (c rollConfig) hcl(t *testing.T) string {
	t.Helper()
	entries := make([]string, len(c.hosts))
	for i, h := range c.hosts {
		endpoint := acctest.Host(t, h).Unix
		if c.tcp {
			endpoint = acctest.Host(t, h).TCP
		}
		entries[i] = fmt.Sprintf("    %s = { name = %q, endpoint = %q }", h, h, endpoint)
	}
	provider := acctest.ProviderConfig()
	if c.provider != "" {
		provider = strings.Replace(provider, `provider "dockerfleet" {`,
			"provider \"dockerfleet\" {\n  "+c.provider, 1)
	}
	return provider + fmt.Sprintf(`
resource "dockerfleet_service" "test" {
  name        = %q
  hosts       = {
%s
  }
  replicas    = %d
  image       = %q
  stop_signal = "SIGKILL"
  update      = { %s }
  %s
}
`, c.name, strings.Join(entries, "\n"), c.replicas, c.image, c.update,
		strings.Join(c.spec, "\n  "))
}

func imageV2(t *testing.T) string {
	if img := os.Getenv("DFL_IMAGE_V2"); img != "" {
		return img
	}
	t.Skip("DFL_IMAGE_V2 is not set; run scripts/fleet.sh env")
	return ""
}

// rolloutOrder is the order in which the rollout package replaces every
// replica of a first placement one at a time, and where each replica runs.
func rolloutOrder(t *testing.T, name string, hosts []string, replicas int) ([]string,
	map[string]string) {
	t.Helper()
	where := expectedPlacement(t, name, hosts, replicas)
	var changes []rollout.Change
	for rep, h := range where {
		changes = append(changes, rollout.Change{Replica: rep, Host: h, Kind: rollout.Replace})
	}
	var order []string
	for _, b := range rollout.Plan(changes, rollout.Config{Parallelism: 1}) {
		for _, c := range b.Changes {
			order = append(order, c.Replica)
		}
	}
	return order, where
}

// words matches the words of s in order, whatever whitespace the CLI wraps
// its error output with between them.
func words(s string) string {
	fields := strings.Fields(s)
	for i, f := range fields {
		fields[i] = regexp.QuoteMeta(f)
	}
	return strings.Join(fields, `\s+`)
}

func expectError(parts ...string) *regexp.Regexp {
	for i, p := range parts {
		parts[i] = words(p)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(parts, `.*`))
}

// --- watching the daemons during an apply -----------------------------------

// fleetView is what a poll of the daemons found: the service's containers by
// host.
type fleetView = map[string][]container.Summary

// daemonWatch polls the daemons in the background while a step applies.
type daemonWatch struct {
	cancel context.CancelFunc
	done   chan struct{}
	mu     sync.Mutex
	err    error
	polls  int
}

// watchDaemons lists the service's containers on every host every 100 ms and
// hands them to see, until see returns stop or the watch is stopped. An error
// from see is kept and returned by stop.
func watchDaemons(t *testing.T, name string, hosts []string,
	see func(byHost fleetView) (stop bool, err error)) *daemonWatch {
	t.Helper()
	clients := map[string]*client.Client{}
	for _, h := range hosts {
		clients[h] = acctest.Docker(t, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &daemonWatch{cancel: cancel, done: make(chan struct{})}

	go func() {
		defer close(w.done)
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			byHost, err := listFleet(ctx, clients, name)
			if ctx.Err() != nil {
				return
			}
			stop := false
			if err == nil {
				stop, err = see(byHost)
			}
			w.mu.Lock()
			w.polls++
			if err != nil && w.err == nil {
				w.err = err
			}
			w.mu.Unlock()
			if stop {
				return
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	t.Cleanup(func() { _ = w.stop() })
	return w
}

// stop ends the watch and returns the first error it saw.
func (w *daemonWatch) stop() error {
	w.cancel()
	<-w.done
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

// check stops the watch as a step check.
func (w *daemonWatch) check(*terraform.State) error { return w.stop() }

func listFleet(ctx context.Context, clients map[string]*client.Client,
	name string) (fleetView, error) {
	out := fleetView{}
	for h, cli := range clients {
		callCtx, cancel := context.WithTimeout(ctx, 2*time.Second)
		list, err := cli.ContainerList(callCtx, container.ListOptions{All: true,
			Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.name="+name),
				filters.Arg("label", "dockerfleet.resource=service"))})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("listing containers on %s: %w", h, err)
		}
		out[h] = list
	}
	return out, nil
}

// healthyReplicas counts the replicas with a running container that its
// health check calls healthy; a replica counts once even when its old and new
// containers both run.
func healthyReplicas(byHost fleetView) int {
	seen := map[string]bool{}
	for _, list := range byHost {
		for _, c := range list {
			if c.State == "running" && strings.Contains(c.Status, "(healthy)") {
				seen[c.Labels["dockerfleet.replica"]] = true
			}
		}
	}
	return len(seen)
}

// once runs do in the background the first time cond holds on the daemons.
func once(t *testing.T, name string, hosts []string,
	cond func(byHost fleetView) bool, do func() error) *daemonWatch {
	return watchDaemons(t, name, hosts, func(byHost fleetView) (bool, error) {
		if !cond(byHost) {
			return false, nil
		}
		return true, do()
	})
}

// newContainerUp holds once a container of image runs on one of hosts, and,
// with healthy set, its health check has passed.
func newContainerUp(image string, healthy bool, hosts ...string) func(
	fleetView) bool {
	return func(byHost fleetView) bool {
		for _, h := range hosts {
			for _, c := range byHost[h] {
				if c.Image == image && c.State == "running" &&
					(!healthy || strings.Contains(c.Status, "(healthy)")) {
					return true
				}
			}
		}
		return false
	}
}

// backgroundTB lets a fleet control run on a watch goroutine: a failure is
// kept for the test to report, instead of calling FailNow off the test's own
// goroutine.
type backgroundTB struct {
	testing.TB
	mu     sync.Mutex
	errors []string
}

func (b *backgroundTB) Errorf(format string, args ...any) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.errors = append(b.errors, fmt.Sprintf(format, args...))
}

func (b *backgroundTB) Fatalf(format string, args ...any) {
	b.Errorf(format, args...)
	runtime.Goexit()
}

func (b *backgroundTB) Fatal(args ...any) { b.Fatalf("%s", fmt.Sprint(args...)) }
func (b *backgroundTB) FailNow()          { b.Fatalf("failed") }
func (b *backgroundTB) Skip(args ...any)  { b.Fatalf("skipped: %s", fmt.Sprint(args...)) }

func (b *backgroundTB) report(t *testing.T) {
	t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, e := range b.errors {
		t.Error(e)
	}
}

// --- tripwire ---------------------------------------------------------------

// tripwire is a host directory mounted read-only into new containers at
// /trip. Once the test puts a file named "broken" there, containers of the
// new spec started afterwards fail, while those already up keep running: a
// new version that breaks partway through a rollout.
type tripwire struct{ dir string }

func newTripwire(t *testing.T) tripwire {
	dir := t.TempDir()
	mustDo(t, os.Chmod(dir, 0o755))
	return tripwire{dir: dir}
}

func (w tripwire) mount() string {
	return fmt.Sprintf(`mounts = [{ type = "bind", source = %q, target = "/trip", `+
		`read_only = true }]`, w.dir)
}

func (w tripwire) trip() error {
	return os.WriteFile(filepath.Join(w.dir, "broken"), []byte("set by the test\n"), 0o644)
}

// --- checks on the daemons --------------------------------------------------

// onSpec checks on the daemons that every replica has exactly one running
// container under its name, on its host, from image; with healthy set it
// waits (up to 15 s) for the containers' health checks to pass.
func onSpec(t *testing.T, name string, where map[string]string, image string,
	healthy bool) func() error {
	return func() error {
		deadline := time.Now().Add(15 * time.Second)
		for {
			err := checkOnSpec(t, name, where, image, healthy)
			if err == nil || time.Now().After(deadline) {
				return err
			}
			time.Sleep(250 * time.Millisecond)
		}
	}
}

func checkOnSpec(t *testing.T, name string, where map[string]string, image string,
	healthy bool) error {
	ctx := context.Background()
	for rep, h := range where {
		cli := acctest.Docker(t, h)
		img, err := cli.ImageInspect(ctx, image)
		if err != nil {
			return err
		}
		got, err := cli.ContainerInspect(ctx, rep)
		if err != nil {
			return fmt.Errorf("replica %s on %s: %w", rep, h, err)
		}
		switch {
		case !got.State.Running:
			return fmt.Errorf("replica %s on %s is %s", rep, h, got.State.Status)
		case got.Image != img.ID:
			return fmt.Errorf("replica %s on %s runs image %s, not %s", rep, h, got.Image, image)
		case healthy && (got.State.Health == nil || got.State.Health.Status != "healthy"):
			return fmt.Errorf("replica %s on %s is not healthy: %+v", rep, h, got.State.Health)
		}
	}
	return nil
}

var failedName = regexp.MustCompile(`^(.+)-failed-[0-9a-f]{12}$`)

// quarantined lists, by replica, the failed containers kept for inspection
// on the hosts; none of them may run.
func quarantined(t *testing.T, name string, hosts ...string) (map[string]int, error) {
	out := map[string]int{}
	for _, h := range hosts {
		for _, c := range serviceContainers(t, h, name) {
			m := failedName.FindStringSubmatch(strings.TrimPrefix(c.Names[0], "/"))
			if m == nil {
				continue
			}
			if c.State == "running" {
				return nil, fmt.Errorf("failed container %s on %s still runs", c.Names[0], h)
			}
			out[m[1]]++
		}
	}
	return out, nil
}

func expectQuarantined(t *testing.T, name string, hosts []string,
	want ...string) func() error {
	return func() error {
		got, err := quarantined(t, name, hosts...)
		if err != nil {
			return err
		}
		wantCount := map[string]int{}
		for _, w := range want {
			wantCount[w]++
		}
		if fmt.Sprint(got) != fmt.Sprint(wantCount) {
			return fmt.Errorf("failed containers kept per replica: %v, want %v", got, wantCount)
		}
		return nil
	}
}

// stateMatchesDaemons checks that the state records what really runs: a
// replica with a container ID has that container running under its name on
// its host, and a replica without one has no container under its name.
func stateMatchesDaemons(t *testing.T) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[svcAddr].Primary.Attributes
		ctx := context.Background()
		for k, host := range attrs {
			rep, ok := strings.CutSuffix(strings.TrimPrefix(k, "instances."), ".host")
			if !strings.HasPrefix(k, "instances.") || !ok || strings.Contains(rep, ".") {
				continue
			}
			id := attrs["instances."+rep+".container_id"]
			got, err := acctest.Docker(t, host).ContainerInspect(ctx, rep)
			switch {
			case id == "" && err == nil:
				return fmt.Errorf("state has no container for %s, but %s runs one", rep, host)
			case id == "":
			case err != nil:
				return fmt.Errorf("state has container %s for %s on %s: %w", id, rep, host, err)
			case got.ID != id || !got.State.Running:
				return fmt.Errorf("state has container %s for %s on %s, the host has %s (%s)",
					id, rep, host, got.ID, got.State.Status)
			}
		}
		return nil
	}
}

// onePerReplica checks that each replica of the state has exactly one
// container on its host, and that no host holds containers of the service
// that are not replicas: nothing duplicated, nothing lost.
func onePerReplica(t *testing.T, name string, replicas int,
	hosts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		count := map[string]int{}
		for _, h := range hosts {
			for _, c := range serviceContainers(t, h, name) {
				count[h+"/"+c.Labels["dockerfleet.replica"]]++
			}
		}
		for k, n := range count {
			if n != 1 {
				return fmt.Errorf("%d containers of %s", n, k)
			}
		}
		if len(count) != replicas {
			return fmt.Errorf("containers of %d replicas on the hosts (%v), want %d",
				len(count), count, replicas)
		}
		return nil
	}
}

// destroyedOn checks that no container of the service is left on the hosts
// the test used (other hosts may be stopped by other tests meanwhile).
func destroyedOn(t *testing.T, name string, hosts ...string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, h := range hosts {
			if left := serviceContainers(t, h, name); len(left) > 0 {
				return fmt.Errorf("%d containers of %s left on %s", len(left), name, h)
			}
		}
		return nil
	}
}

func checkNow(f func() error) resource.TestCheckFunc {
	return func(*terraform.State) error { return f() }
}

func mustNow(t *testing.T, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatal(err)
	}
}

// createdOrder checks on the daemons that the replicas' containers were made
// in the given order.
func createdOrder(t *testing.T, where map[string]string, want []string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		created := map[string]time.Time{}
		for rep, h := range where {
			got, err := acctest.Docker(t, h).ContainerInspect(context.Background(), rep)
			if err != nil {
				return err
			}
			if created[rep], err = time.Parse(time.RFC3339Nano, got.Created); err != nil {
				return err
			}
		}
		order := append([]string(nil), want...)
		sort.Slice(order, func(i, j int) bool { return created[order[i]].Before(created[order[j]]) })
		if strings.Join(order, ",") != strings.Join(want, ",") {
			return fmt.Errorf("replicas replaced in the order %v, want %v", order, want)
		}
		return nil
	}
}

// --- tests ------------------------------------------------------------------

// TestAccServiceRollout_startFirstAvailability rolls 4 replicas over 2 hosts
// one at a time, start-first, with a health check, and polls the daemons all
// along: at every moment at least replicas - parallelism = 3 replicas run and
// are healthy. The plan shows every replica replaced, the batches go in the
// documented order, and the plan after the update is empty.
func TestAccServiceRollout_startFirstAvailability(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	order, where := rolloutOrder(t, name, hosts, 4)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t),
		update: `parallelism = 0, monitor = "2s"`, spec: []string{sleepCmd, healthOK}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, order = "start-first", monitor = "2s"`
	})
	var watch *daemonWatch
	lowest := 4

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{
				Config: v1.hcl(t),
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, hosts...),
					checkNow(onSpec(t, name, where, testImage(t), true))),
			},
			{
				PreConfig: func() {
					watch = watchDaemons(t, name, hosts, func(byHost fleetView) (bool, error) {
						n := healthyReplicas(byHost)
						lowest = min(lowest, n)
						if n < 3 {
							return false, fmt.Errorf("only %d replicas running and healthy: %v", n,
								describeFleet(byHost))
						}
						return false, nil
					})
				},
				Config: v2.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(order...)}},
				Check: resource.ComposeAggregateTestCheckFunc(
					watch2(&watch),
					checkDaemons(t, name, hosts...),
					checkNow(onSpec(t, name, where, imageV2(t), true)),
					createdOrder(t, where, order),
					func(*terraform.State) error {
						t.Logf("fewest healthy replicas seen during the update: %d (%d polls)",
							lowest, watch.polls)
						if lowest < 4 {
							// Start-first: an old container serves until its
							// replacement is healthy, so no replica is ever down.
							return fmt.Errorf("start-first let a replica go down: %d of 4 healthy",
								lowest)
						}
						if watch.polls < 20 {
							return fmt.Errorf("only %d polls of the daemons during the update",
								watch.polls)
						}
						return nil
					}),
			},
		},
	})
}

// watch2 checks the watch a PreConfig started, once the step has applied.
func watch2(w **daemonWatch) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		if *w == nil {
			return fmt.Errorf("the daemons were not watched")
		}
		return (*w).check(s)
	}
}

func with2(c rollConfig, change func(*rollConfig)) rollConfig {
	c.spec = append([]string(nil), c.spec...)
	change(&c)
	return c
}

func describeFleet(byHost fleetView) string {
	var parts []string
	for h, list := range byHost {
		for _, c := range list {
			parts = append(parts, fmt.Sprintf("%s/%s %s", h, strings.TrimPrefix(c.Names[0], "/"),
				c.Status))
		}
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

// TestAccServiceRollout_fixedPortStopFirst asks for start-first on a service
// that publishes a fixed host port: the old and the new container cannot
// both bind it, so each host rolls stop-first (at no moment do two containers
// of one replica run) and the update succeeds.
func TestAccServiceRollout_fixedPortStopFirst(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	_, where := rolloutOrder(t, name, hosts, 2)
	ports := `ports = [{ target = 8080, published = "19450" }]`
	v1 := rollConfig{name: name, hosts: hosts, replicas: 2, image: testImage(t),
		update: `order = "start-first", monitor = "1s"`, spec: []string{sleepCmd, ports}}
	v2 := with2(v1, func(c *rollConfig) { c.image = imageV2(t) })
	var watch *daemonWatch

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				PreConfig: func() {
					watch = watchDaemons(t, name, hosts, func(byHost fleetView) (bool, error) {
						running := map[string]int{}
						for h, list := range byHost {
							for _, c := range list {
								if c.State == "running" {
									running[h+"/"+c.Labels["dockerfleet.replica"]]++
								}
							}
						}
						for rep, n := range running {
							if n > 1 {
								return false, fmt.Errorf("%d containers of %s run at once", n, rep)
							}
						}
						return false, nil
					})
				},
				Config: v2.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(replicaNames(name, 1, 2)...)}},
				Check: resource.ComposeAggregateTestCheckFunc(watch2(&watch),
					checkDaemons(t, name, hosts...), bindsPort(t, where, "19450"),
					checkNow(onSpec(t, name, where, imageV2(t), false))),
			},
		},
	})
}

// bindsPort checks on the daemons that every replica binds container port
// 8080 to the given host port.
func bindsPort(t *testing.T, where map[string]string, port string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for rep, h := range where {
			got, err := acctest.Docker(t, h).ContainerInspect(context.Background(), rep)
			if err != nil {
				return err
			}
			b := got.HostConfig.PortBindings["8080/tcp"]
			if len(b) != 1 || b[0].HostPort != port {
				return fmt.Errorf("%s on %s binds %v, want host port %s", rep, h, b, port)
			}
		}
		return nil
	}
}

// TestAccServiceRollout_pause breaks the new spec partway through: the first
// replica is replaced, the second exits, and the rollout pauses. The error
// names the replica, its host, the exit code and the container's last log
// lines; the state holds what really runs on each host; the plan shows only
// what is left; and putting the old spec back touches only the replicas that
// do not run it, and removes the failed container kept for inspection.
func TestAccServiceRollout_pause(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	order, where := rolloutOrder(t, name, hosts, 4)
	wire := newTripwire(t)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t),
		update: `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, monitor = "2s"`
		c.spec = []string{exitsWhenTripped, wire.mount()}
	})
	var watch *daemonWatch

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				// The first new replica starts; every later one exits.
				PreConfig: func() {
					watch = once(t, name, hosts, newContainerUp(imageV2(t), false, hosts...),
						func() error {
							// Let its shell pass the check before the wire trips.
							time.Sleep(500 * time.Millisecond)
							return wire.trip()
						})
				},
				Config: v2.hcl(t),
				ExpectError: expectError("rolling update paused: 1 of 4 changes failed; 2 not "+
					"attempted", fmt.Sprintf("replica %s on host %s (replace): exited with code 3",
					order[1], where[order[1]]), "last log lines:",
					"cannot start, /trip/broken is there"),
			},
			{
				// The state records what runs: the first replica on the new
				// spec, the failed one without a container, the rest untouched.
				// The plan replaces only the replicas not on the new spec.
				PreConfig: func() {
					if err := watch.stop(); err != nil {
						t.Error(err)
					}
				},
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(
					stateMatchesDaemons(t),
					resource.TestCheckNoResourceAttr(svcAddr, "instances."+order[1]+".container_id"),
					checkNow(onSpec(t, name, map[string]string{order[0]: where[order[0]]},
						imageV2(t), false)),
					checkNow(onSpec(t, name, map[string]string{order[2]: where[order[2]],
						order[3]: where[order[3]]}, testImage(t), false)),
					checkNow(expectQuarantined(t, name, hosts, order[1]))),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					replaced(order[1:]...)}},
				ExpectNonEmptyPlan: true,
			},
			{
				// Back to the old spec: only the replicas not on it change,
				// and the failed container goes.
				Config: v1.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(order[0], order[1])}},
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, hosts...),
					checkNow(onSpec(t, name, where, testImage(t), false)),
					checkNow(expectQuarantined(t, name, hosts))),
			},
		},
	})
}

// TestAccServiceRollout_rollback breaks the new spec's health check partway
// through with failure_action rollback: the replica already replaced and the
// failed one both get the old spec back, every replica ends on the old spec
// and healthy, and the plan still proposes the new spec. The failed container
// is kept until the next successful apply.
func TestAccServiceRollout_rollback(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	order, where := rolloutOrder(t, name, hosts, 4)
	wire := newTripwire(t)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t),
		update: `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd, healthOK}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, monitor = "2s", failure_action = "rollback"`
		c.spec = []string{servingV2, healthyUntilTripped, wire.mount()}
	})
	var watch *daemonWatch

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				PreConfig: func() {
					watch = once(t, name, hosts, newContainerUp(imageV2(t), true, hosts...),
						wire.trip)
				},
				Config: v2.hcl(t),
				ExpectError: expectError("rolling update rolled back: 1 of 4 changes failed, 2 "+
					"replicas run the previous spec again; 2 not attempted",
					fmt.Sprintf("replica %s on host %s (replace): turned unhealthy; health check "+
						`output: "tripped"`, order[1], where[order[1]]),
					"last log lines:", "serving v2"),
			},
			{
				// Every replica runs the old spec and is healthy; the plan
				// still proposes the new spec for all of them.
				PreConfig: func() {
					if err := watch.stop(); err != nil {
						t.Error(err)
					}
				},
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(stateMatchesDaemons(t),
					checkNow(onSpec(t, name, where, testImage(t), true)),
					checkNow(expectQuarantined(t, name, hosts, order[1]))),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					replaced(order...)}},
				ExpectNonEmptyPlan: true,
			},
			{
				// Giving up on the new spec changes no replica and removes the
				// failed container.
				Config: v1.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced()}},
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, hosts...),
					checkNow(expectQuarantined(t, name, hosts))),
			},
		},
	})
}

// TestAccServiceRollout_continue rolls out a health check that never passes,
// start-first, with failure_action continue and max_failure_ratio 0.5: the
// rollout goes past the first and second failures and stops at the third;
// the old containers served all along.
func TestAccServiceRollout_continue(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	order, where := rolloutOrder(t, name, hosts, 4)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t),
		update: `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd, healthOK}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `order = "start-first", monitor = "1s", failure_action = "continue", ` +
			`max_failure_ratio = 0.5`
		c.spec = []string{sleepCmd, healthNever}
	})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				Config: v2.hcl(t),
				ExpectError: expectError("rolling update stopped: 3 of 4 changes failed, more "+
					"than max_failure_ratio 0.5 allows; 1 not attempted",
					fmt.Sprintf("replica %s on host %s (replace): turned unhealthy; health check "+
						`output: "not ready"`, order[0], where[order[0]]),
					fmt.Sprintf("replica %s on host %s", order[1], where[order[1]]),
					fmt.Sprintf("replica %s on host %s", order[2], where[order[2]])),
			},
			{
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(stateMatchesDaemons(t),
					checkNow(onSpec(t, name, where, testImage(t), true)),
					checkNow(expectQuarantined(t, name, hosts, order[:3]...))),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					replaced(order...)}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

// TestAccServiceRollout_daemonStopped stops h2's daemon in the middle of a
// rollout and starts it again: the apply fails naming h2, and the next plan
// and apply converge, with exactly one container per replica on the hosts.
func TestAccServiceRollout_daemonStopped(t *testing.T) {
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	_, where := rolloutOrder(t, name, hosts, 4)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t),
		update: `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, monitor = "2s", delay = "2s"`
	})
	bg := &backgroundTB{TB: t}
	var watch *daemonWatch
	t.Cleanup(func() { acctest.StartHost(t, "h2") })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				// h1 gets its first new replica first; then h2's daemon stops.
				PreConfig: func() {
					watch = once(t, name, []string{"h1"}, newContainerUp(imageV2(t), false, "h1"),
						func() error { acctest.StopHost(bg, "h2"); return nil })
				},
				Config:      v2.hcl(t),
				ExpectError: regexp.MustCompile(`(?s)Rollout Failed.*on\s+host\s+h2`),
			},
			{
				PreConfig: func() {
					if err := watch.stop(); err != nil {
						t.Error(err)
					}
					bg.report(t)
					acctest.StartHost(t, "h2")
				},
				Config: v2.hcl(t),
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, hosts...),
					onePerReplica(t, name, 4, hosts...),
					checkNow(onSpec(t, name, where, imageV2(t), false))),
			},
		},
	})
}

// TestAccServiceRollout_hostCut cuts h2 off the network in the middle of a
// rollout over TCP, with a 3 s call timeout and failure_action continue: h2's
// replicas fail within bounded time and the error names h2, h1's replicas
// finish. Once h2 is back, the plan replaces only h2's replicas.
func TestAccServiceRollout_hostCut(t *testing.T) {
	name := acctest.RandomName("roll")
	hosts := []string{"h1", "h2"}
	_, where := rolloutOrder(t, name, hosts, 4)
	var onH1, onH2 []string
	for rep, h := range where {
		if h == "h1" {
			onH1 = append(onH1, rep)
		} else {
			onH2 = append(onH2, rep)
		}
	}
	v1 := rollConfig{name: name, hosts: hosts, replicas: 4, image: testImage(t), tcp: true,
		provider: `call_timeout = "3s"` + "\n  connect_timeout = \"3s\"",
		update:   `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, monitor = "2s", delay = "1s", failure_action = "continue", ` +
			`max_failure_ratio = 0.25`
	})
	bg := &backgroundTB{TB: t}
	var watch *daemonWatch
	var started time.Time
	t.Cleanup(func() { acctest.HealHost(t, "h2") })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				PreConfig: func() {
					started = time.Now()
					watch = once(t, name, hosts, newContainerUp(imageV2(t), false, "h1"),
						func() error { acctest.CutHost(bg, "h2"); return nil })
				},
				Config: v2.hcl(t),
				ExpectError: regexp.MustCompile(`(?s)more\s+than\s+max_failure_ratio.*on\s+host\s+h2` +
					`.*on\s+host\s+h2`),
			},
			{
				PreConfig: func() {
					took := time.Since(started)
					t.Logf("the apply with h2 cut off ended after %s", took.Round(time.Millisecond))
					if took > 60*time.Second {
						t.Errorf("the apply with h2 cut off took %s", took)
					}
					if err := watch.stop(); err != nil {
						t.Error(err)
					}
					bg.report(t)
					mustNow(t, onSpec(t, name, map[string]string{onH1[0]: "h1", onH1[1]: "h1"},
						imageV2(t), false))
					acctest.HealHost(t, "h2")
				},
				Config: v2.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(onH2...)}},
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, hosts...),
					onePerReplica(t, name, 4, hosts...),
					checkNow(onSpec(t, name, where, imageV2(t), false))),
			},
		},
	})
}

// TestAccServiceRollout_healthTimeout rolls out a spec whose health check
// never reports (its first run is an hour away): the new replica counts as
// failed once update.health_timeout passes, and rollback puts the old spec
// back.
func TestAccServiceRollout_healthTimeout(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("roll")
	hosts := []string{"h1"}
	order, where := rolloutOrder(t, name, hosts, 2)
	v1 := rollConfig{name: name, hosts: hosts, replicas: 2, image: testImage(t),
		update: `parallelism = 0, monitor = "1s"`, spec: []string{sleepCmd}}
	v2 := with2(v1, func(c *rollConfig) {
		c.image = imageV2(t)
		c.update = `parallelism = 1, monitor = "1s", health_timeout = "4s", ` +
			`failure_action = "rollback"`
		c.spec = append(c.spec, `healthcheck = { test = ["CMD", "true"], interval = "1h" }`)
	})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedOn(t, name, hosts...),
		Steps: []resource.TestStep{
			{Config: v1.hcl(t), Check: checkDaemons(t, name, hosts...)},
			{
				Config: v2.hcl(t),
				ExpectError: expectError("rolling update rolled back",
					fmt.Sprintf("replica %s on host %s (replace): was not healthy within 4s",
						order[0], where[order[0]])),
			},
			{
				// Both replicas run the old spec; the plan still proposes the
				// new one.
				RefreshState: true,
				Check: resource.ComposeAggregateTestCheckFunc(stateMatchesDaemons(t),
					checkNow(onSpec(t, name, where, testImage(t), false)),
					checkNow(expectQuarantined(t, name, hosts, order[0]))),
				RefreshPlanChecks: resource.RefreshPlanChecks{PostRefresh: []plancheck.PlanCheck{
					replaced(order...)}},
				ExpectNonEmptyPlan: true,
			},
		},
	})
}
