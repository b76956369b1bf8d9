package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/placement"
)

const svcAddr = "dockerfleet_service.test"

// svcConfig writes one dockerfleet_service over literal host references (so
// that placement is known at plan time and the hosts can be listed freely).
type svcConfig struct {
	name     string
	hosts    []string
	replicas int
	level    string
	// extra is more HCL inside the resource block.
	extra string
	// hostResources passes dockerfleet_host resources instead of literal
	// host references.
	hostResources bool
	// image replaces the test image.
	image string
}

func (c svcConfig) hcl(t *testing.T) string {
	t.Helper()
	entries := make([]string, len(c.hosts))
	hostBlocks := ""
	for i, h := range c.hosts {
		entries[i] = fmt.Sprintf("    %s = { name = %q, endpoint = %q }", h, h, acctest.Host(t, h).Unix)
		if c.hostResources {
			entries[i] = fmt.Sprintf("    %s = dockerfleet_host.%s", h, h)
			hostBlocks += fmt.Sprintf("resource \"dockerfleet_host\" %q {\n  name     = %q\n"+
				"  endpoint = %q\n}\n", h, h, acctest.Host(t, h).Unix)
		}
	}
	env := fmt.Sprintf("env      = { LEVEL = %q }", c.level)
	switch c.level {
	case "":
		env = `env      = { LEVEL = "info" }`
	case "omit":
		env = ""
	}
	return acctest.ProviderConfig() + hostBlocks + fmt.Sprintf(`
resource "dockerfleet_service" "test" {
  name     = %q
  hosts    = {
%s
  }
  image    = %q
  replicas = %d
  command  = ["sleep", "3600"]
  # sleep as PID 1 ignores SIGTERM; do not wait out a grace period on every
  # replacement.
  stop_signal = "SIGKILL"
  %s
  update   = { parallelism = 0, monitor = "0s" }
%s
}
`, c.name, strings.Join(entries, "\n"), c.imageRef(t), c.replicas, env, c.extra)
}

func (c svcConfig) imageRef(t *testing.T) string {
	if c.image != "" {
		return c.image
	}
	return testImage(t)
}

func testImage(t *testing.T) string {
	if img := os.Getenv("DFL_IMAGE"); img != "" {
		return img
	}
	t.Skip("DFL_IMAGE is not set; run scripts/fleet.sh env")
	return ""
}

// expectedPlacement asks the placement package where a first plan puts the
// replicas, so that the plan check holds whatever the random service name.
func expectedPlacement(t *testing.T, name string, hosts []string, replicas int) map[string]string {
	t.Helper()
	req := placement.Request{Service: name, Replicas: replicas}
	for _, h := range hosts {
		req.Hosts = append(req.Hosts, placement.Host{Name: h})
	}
	a, err := placement.Assign(req)
	if err != nil {
		t.Fatalf("placement: %v", err)
	}
	out := map[string]string{}
	for _, r := range a.Replicas {
		out[r.Name] = r.Host
	}
	return out
}

func placementChecks(where map[string]string) []plancheck.PlanCheck {
	var checks []plancheck.PlanCheck
	for rep, host := range where {
		checks = append(checks, plancheck.ExpectKnownValue(svcAddr,
			tfjsonpath.New("instances").AtMapKey(rep).AtMapKey("host"), knownvalue.StringExact(host)))
	}
	return checks
}

// expectReplaced checks that the plan (re)creates exactly the named replicas:
// theirs, and only theirs, have a container_id known only after apply.
type expectReplaced struct{ names []string }

func (e expectReplaced) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != svcAddr {
			continue
		}
		unknown, _ := rc.Change.AfterUnknown.(map[string]any)
		instances, _ := unknown["instances"].(map[string]any)
		var got []string
		for name, v := range instances {
			if m, ok := v.(map[string]any); ok && m["container_id"] == true {
				got = append(got, name)
			}
		}
		sort.Strings(got)
		want := append([]string(nil), e.names...)
		sort.Strings(want)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			resp.Error = fmt.Errorf("plan replaces replicas %v, want %v", got, want)
		}
		return
	}
	resp.Error = fmt.Errorf("no planned change for %s", svcAddr)
}

func replaced(names ...string) plancheck.PlanCheck { return expectReplaced{names: names} }

func replicaNames(name string, numbers ...int) []string {
	out := make([]string, len(numbers))
	for i, n := range numbers {
		out[i] = name + "-" + strconv.Itoa(n)
	}
	return out
}

// serviceContainers lists the containers of a service on one host.
func serviceContainers(t *testing.T, host, name string) []container.Summary {
	t.Helper()
	list, err := acctest.Docker(t, host).ContainerList(context.Background(), container.ListOptions{
		All: true, Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.name="+name),
			filters.Arg("label", "dockerfleet.resource=service"))})
	if err != nil {
		t.Fatalf("listing containers on %s: %v", host, err)
	}
	return list
}

// checkDaemons asks every daemon whether it runs exactly the replicas the
// state places on it, with the recorded container IDs.
func checkDaemons(t *testing.T, name string, hosts ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[svcAddr]
		if !ok {
			return fmt.Errorf("%s not in state", svcAddr)
		}
		want := map[string]string{} // host/replica -> container ID
		for k, v := range rs.Primary.Attributes {
			rep, ok := strings.CutSuffix(strings.TrimPrefix(k, "instances."), ".host")
			if !strings.HasPrefix(k, "instances.") || !ok || strings.Contains(rep, ".") {
				continue
			}
			want[v+"/"+rep] = rs.Primary.Attributes["instances."+rep+".container_id"]
		}
		got := map[string]string{}
		for _, h := range hosts {
			for _, c := range serviceContainers(t, h, name) {
				if c.State != "running" {
					return fmt.Errorf("container %s on %s is %s", c.Names, h, c.State)
				}
				got[h+"/"+strings.TrimPrefix(c.Names[0], "/")] = c.ID
			}
		}
		if fmt.Sprint(sortedPairs(want)) != fmt.Sprint(sortedPairs(got)) {
			return fmt.Errorf("daemons run %v, state says %v", sortedPairs(got), sortedPairs(want))
		}
		return nil
	}
}

func sortedPairs(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k, v := range m {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

func destroyedService(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, h := range []string{"h1", "h2", "h3"} {
			if left := serviceContainers(t, h, name); len(left) > 0 {
				return fmt.Errorf("%d containers of %s left on %s", len(left), name, h)
			}
		}
		return nil
	}
}

func TestAccService_lifecycle(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, replicas: 6}
	first := expectedPlacement(t, name, all, 6)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{
				// Every replica and its host are in the plan, before apply.
				Config: cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: append(placementChecks(first),
					plancheck.ExpectKnownValue(svcAddr, tfjsonpath.New("placement"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"h1": knownvalue.Int64Exact(2), "h2": knownvalue.Int64Exact(2),
							"h3": knownvalue.Int64Exact(2)})),
					replaced(replicaNames(name, 1, 2, 3, 4, 5, 6)...))},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(svcAddr, "id", name),
					resource.TestCheckResourceAttr(svcAddr, "instances.%", "6"),
					resource.TestCheckNoResourceAttr(svcAddr, "extra_containers.%"),
					checkDaemons(t, name, all...)),
			},
			{
				// Scaling up touches only the new replicas.
				Config: with(cfg, func(c *svcConfig) { c.replicas = 8 }).hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(replicaNames(name, 7, 8)...)}},
				Check: checkDaemons(t, name, all...),
			},
			{
				// Scaling down removes replicas and replaces none.
				Config: with(cfg, func(c *svcConfig) { c.replicas = 3 }).hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(),
					plancheck.ExpectKnownValue(svcAddr, tfjsonpath.New("placement"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"h1": knownvalue.Int64Exact(1), "h2": knownvalue.Int64Exact(1),
							"h3": knownvalue.Int64Exact(1)}))}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(svcAddr, "instances.%", "3"),
					checkDaemons(t, name, all...)),
			},
			{
				// One env value changed: every replica is replaced, and says so.
				Config: with(cfg, func(c *svcConfig) { c.replicas = 3; c.level = "debug" }).hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(replicaNames(name, 1, 2, 3)...)}},
				Check: checkDaemons(t, name, all...),
			},
		},
	})
}

// TestAccService_hosts removes a host (only its replicas move) and adds it
// back (nothing moves).
func TestAccService_hosts(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, replicas: 3, extra: "  max_per_host = 2"}
	first := expectedPlacement(t, name, all, 3)
	var onH3 []string
	for rep, h := range first {
		if h == "h3" {
			onH3 = append(onH3, rep)
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(t), Check: checkDaemons(t, name, all...)},
			{
				Config: with(cfg, func(c *svcConfig) { c.hosts = []string{"h1", "h2"} }).hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(onH3...)}},
				Check: checkDaemons(t, name, all...),
			},
			{
				Config: cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced()}},
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(svcAddr, "placement.h3", "0"),
					checkDaemons(t, name, all...)),
			},
		},
	})
}

// TestAccService_drift changes containers behind Terraform's back on each
// host, one kind per host, and checks that the plan replaces exactly those
// replicas and removes the stray container.
func TestAccService_drift(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	// The service runs its own tag of the test image, so that moving the tag
	// on one host changes no other test's image.
	tag := "dockerfleet-test/" + name + ":1"
	for _, h := range all {
		mustDo(t, acctest.Docker(t, h).ImageTag(context.Background(), testImage(t), tag))
	}
	t.Cleanup(func() {
		for _, h := range all {
			_, _ = acctest.Docker(t, h).ImageRemove(context.Background(), tag, image.RemoveOptions{})
		}
	})
	cfg := svcConfig{name: name, hosts: all, replicas: 3, image: tag}
	where := expectedPlacement(t, name, all, 3)
	on := map[string]string{}
	for rep, h := range where {
		on[h] = rep
	}
	ctx := context.Background()

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(t), Check: checkDaemons(t, name, all...)},
			{
				PreConfig: func() {
					// h1: stopped; h2: removed; h3: a stray container of the service.
					timeout := 1
					mustDo(t, acctest.Docker(t, "h1").ContainerStop(ctx, on["h1"],
						container.StopOptions{Timeout: &timeout}))
					mustDo(t, acctest.Docker(t, "h2").ContainerRemove(ctx, on["h2"],
						container.RemoveOptions{Force: true}))
					runStray(t, "h3", name)
				},
				Config: cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(on["h1"], on["h2"]),
					plancheck.ExpectKnownValue(svcAddr, tfjsonpath.New("extra_containers"),
						knownvalue.Null())}},
				Check: checkDaemons(t, name, all...),
			},
			{
				// A replica recreated by hand with another spec digest.
				PreConfig: func() { replaceByHand(t, "h3", on["h3"]) },
				Config:    cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(on["h3"])}},
				Check: checkDaemons(t, name, all...),
			},
			{
				// The image reference now names another image on h1: its
				// replica runs another image than the reference resolves to.
				PreConfig: func() {
					mustDo(t, acctest.Docker(t, "h1").ImageTag(ctx, os.Getenv("DFL_IMAGE_V2"), tag))
				},
				Config: cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(on["h1"])}},
				Check: resource.ComposeAggregateTestCheckFunc(checkDaemons(t, name, all...),
					checkRunsImage(t, "h1", on["h1"], os.Getenv("DFL_IMAGE_V2"))),
			},
		},
	})
}

// checkRunsImage asks a daemon which image a replica's container runs.
func checkRunsImage(t *testing.T, host, replica, ref string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		cli := acctest.Docker(t, host)
		want, err := cli.ImageInspect(context.Background(), ref)
		if err != nil {
			return err
		}
		got, err := cli.ContainerInspect(context.Background(), replica)
		if err != nil {
			return err
		}
		if got.Image != want.ID {
			return fmt.Errorf("%s on %s runs %s, want %s (%s)", replica, host, got.Image, ref, want.ID)
		}
		return nil
	}
}

func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// runStray starts a container labelled as the service but not one of its
// replicas.
func runStray(t *testing.T, host, service string) {
	t.Helper()
	cli := acctest.Docker(t, host)
	ctx := context.Background()
	c, err := cli.ContainerCreate(ctx, &container.Config{Image: testImage(t),
		Cmd: []string{"sleep", "600"}, Labels: map[string]string{
			"dockerfleet.managed": "true", "dockerfleet.resource": "service",
			"dockerfleet.name": service, "dockerfleet.host": host,
			"dockerfleet.replica": service + "-99"}}, nil, nil, nil, service+"-stray")
	mustDo(t, err)
	mustDo(t, cli.ContainerStart(ctx, c.ID, container.StartOptions{}))
}

// replaceByHand recreates a replica's container with the same name and
// labels but another spec digest, as an operator editing it by hand would.
func replaceByHand(t *testing.T, host, replica string) {
	t.Helper()
	cli := acctest.Docker(t, host)
	ctx := context.Background()
	old, err := cli.ContainerInspect(ctx, replica)
	mustDo(t, err)
	mustDo(t, cli.ContainerRemove(ctx, replica, container.RemoveOptions{Force: true}))
	old.Config.Labels["dockerfleet.spec"] = "edited-by-hand"
	c, err := cli.ContainerCreate(ctx, old.Config, nil, nil, nil, replica)
	mustDo(t, err)
	mustDo(t, cli.ContainerStart(ctx, c.ID, container.StartOptions{}))
}

// TestAccService_hostDown stops a host's daemon before a refresh (its
// replicas stay in state with a warning, and the plan is empty) and before an
// apply (it fails for that host only, and the next apply finishes the job).
func TestAccService_hostDown(t *testing.T) {
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, replicas: 3}
	changed := with(cfg, func(c *svcConfig) { c.level = "debug" })
	var onH3 []string
	for rep, h := range expectedPlacement(t, name, all, 3) {
		if h == "h3" {
			onH3 = append(onH3, rep)
		}
	}
	t.Cleanup(func() { acctest.StartHost(t, "h3") })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(t), Check: checkDaemons(t, name, all...)},
			{
				PreConfig: func() { acctest.StopHost(t, "h3") },
				Config:    cfg.hcl(t),
				PlanOnly:  true,
			},
			{
				PreConfig: func() { acctest.StartHost(t, "h3") },
				Config:    cfg.hcl(t),
				Check:     checkDaemons(t, name, all...),
			},
			{
				// Apply with h3 down fails for h3 only; the others are updated.
				PreConfig:   func() { acctest.StopHost(t, "h3") },
				Config:      changed.hcl(t),
				ExpectError: regexp.MustCompile(`(?s)host "h3"`),
			},
			{
				// Once h3 is back, only its replica is left to replace.
				PreConfig: func() { acctest.StartHost(t, "h3") },
				Config:    changed.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					replaced(onH3...)}},
				Check: checkDaemons(t, name, all...),
			},
		},
	})
}

func TestAccService_globalAndPortRange(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, extra: `
  mode  = "global"
  ports = [{ target = 8080, published = "19100-19102" }]`}
	endpoint := knownvalue.StringRegexp(regexp.MustCompile(`^[0-9.]+:1910[0-2]$`))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{
				Config: cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectKnownValue(svcAddr, tfjsonpath.New("placement"),
						knownvalue.MapExact(map[string]knownvalue.Check{
							"h1": knownvalue.Int64Exact(1), "h2": knownvalue.Int64Exact(1),
							"h3": knownvalue.Int64Exact(1)})),
					plancheck.ExpectKnownValue(svcAddr, tfjsonpath.New("endpoints"),
						knownvalue.ListExact([]knownvalue.Check{endpoint, endpoint, endpoint})),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkDaemons(t, name, all...), checkPublishedPorts(t, name, all...)),
			},
		},
	})
}

// checkPublishedPorts asks the daemons which host port each replica binds:
// the one state records, each replica its own from the range.
func checkPublishedPorts(t *testing.T, name string, hosts ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		attrs := s.RootModule().Resources[svcAddr].Primary.Attributes
		seen := map[string]bool{}
		for _, h := range hosts {
			for _, c := range serviceContainers(t, h, name) {
				rep := strings.TrimPrefix(c.Names[0], "/")
				inspect, err := acctest.Docker(t, h).ContainerInspect(context.Background(), c.ID)
				if err != nil {
					return err
				}
				b := inspect.HostConfig.PortBindings["8080/tcp"]
				want := attrs["instances."+rep+".ports.0"]
				if len(b) != 1 || b[0].HostPort != want || seen[want] {
					return fmt.Errorf("%s on %s binds %v, want its own port %s", rep, h, b, want)
				}
				seen[want] = true
			}
		}
		return nil
	}
}

func TestAccService_badInput(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	two := []string{"h1", "h2"}
	cases := []struct {
		cfg  svcConfig
		want string
	}{
		{svcConfig{name: name, hosts: two, replicas: -1}, `(?s)replicas.*between\s+0\s+and\s+10000`},
		{svcConfig{name: name, hosts: two, replicas: 10001},
			`(?s)replicas.*between\s+0\s+and\s+10000.*got:\s+10001`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `  image = "Bad/Name"`},
			`(?s)image.*image\s+reference`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  stop_grace_period = "ten seconds"`}, `(?s)stop_grace_period.*duration`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  healthcheck = { test = ["CMD", "true"], interval = "5 seconds" }`},
			`(?s)healthcheck\.interval:\s+"5\s+seconds"\s+is\s+not\s+a\s+duration`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  ports = [{ target = 70000 }]`}, `(?s)ports\[0\].target.*1\s+to\s+65535`},
		{svcConfig{name: name, hosts: two, replicas: 1, level: "omit", extra: `  env = { "A=B" = "x" }`},
			`(?s)env\["A=B"\].*'='`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  mounts = [{ type = "nfs", target = "/data" }]`}, `(?s)volume,\s+bind\s+or\s+tmpfs`},
		{svcConfig{name: name, hosts: two, replicas: 3,
			extra: `  ports = [{ target = 80, published = "19200" }]`}, `(?s)one\s+replica\s+per\s+host`},
		{svcConfig{name: name, hosts: two, replicas: 3,
			extra: `  ports = [{ target = 80, published = "19200-19201" }]`}, `(?s)port\s+range\s+19200-19201`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `  host_selector = { role = "db" }`},
			`(?s)host_selector.*matches\s+none`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  ports = [{ target = 80, published = "19210", host_ip = "[::1]" }]`},
			`(?s)ports\[0\]\.host_ip:\s+"\[::1\]"\s+is\s+bracketed.*::1`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  ports = [{ target = 80, published = "19210", host_ip = "not-an-ip" }]`},
			`(?s)ports\[0\]\.host_ip:\s+"not-an-ip"\s+is\s+not\s+an\s+IP`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `  working_dir = "srv"`},
			`(?s)working_dir:\s+"srv"\s+is\s+not\s+an\s+absolute\s+path`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `
  mounts = [{ type = "tmpfs", target = "/scratch" }]
  tmpfs  = { "/scratch" = "size=1m" }`},
			`(?s)tmpfs\["/scratch"\]:.*duplicate\s+mount\s+point.*mounts\[0\]\.target`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  mounts = [{ source = "x", target = "/data" }]`},
			`(?s)mounts\[0\]\.source:\s+"x"\s+is\s+not\s+a\s+volume\s+name.*at\s+least\s+2`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  capabilities = { add = ["NET_ADMINS"] }`},
			`(?s)capabilities\.add:\s+"NET_ADMINS"\s+is\s+not\s+a\s+known\s+capability`},
		{svcConfig{name: name, hosts: two, replicas: 1,
			extra: `  sysctls = { "vm.swappiness" = "1" }`},
			`(?s)sysctls\["vm.swappiness"\].*namespaced.*net\.\*`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `  extra_hosts = ["db=10.0.0.9"]`},
			`(?s)extra_hosts\[0\]:\s+"db=10.0.0.9"\s+is\s+not\s+name:address`},
		{svcConfig{name: name, hosts: two, replicas: 1, extra: `  stop_signal = "SIGNOPE"`},
			`(?s)stop_signal:\s+"SIGNOPE"\s+is\s+not\s+a\s+known\s+signal.*SIGTERM`},
	}
	// The image and stop_signal attributes would be set twice in their bad
	// cases; HCL rejects that, so they are written in place of the defaults.
	var steps []resource.TestStep
	for _, c := range cases {
		hcl := c.cfg.hcl(t)
		if strings.Contains(c.cfg.extra, "image =") {
			hcl = strings.Replace(hcl, fmt.Sprintf("image    = %q\n", testImage(t)), "", 1)
		}
		if strings.Contains(c.cfg.extra, "stop_signal =") {
			hcl = strings.Replace(hcl, "stop_signal = \"SIGKILL\"\n", "", 1)
		}
		steps = append(steps, resource.TestStep{Config: hcl, PlanOnly: true,
			ExpectError: regexp.MustCompile(c.want)})
	}
	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps:                    steps,
	})
}

func TestAccService_pullNeverMissingImage(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	cfg := svcConfig{name: name, hosts: []string{"h1"}, replicas: 1, extra: `  pull = "never"`}
	hcl := strings.Replace(cfg.hcl(t), testImage(t), "dockerfleet-test/absent:"+name, 1)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{{
			Config:      hcl,
			ExpectError: regexp.MustCompile(`(?s)dockerfleet-test/absent:` + name + `.*"h1"`),
		}},
	})
}

func with(c svcConfig, change func(*svcConfig)) svcConfig {
	change(&c)
	return c
}

// TestAccService_import imports a running service by name and hosts; the plan
// with the matching configuration is empty.
func TestAccService_import(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, replicas: 4, hostResources: true, extra: `
  ports       = [{ target = 8080, published = "19300-19309" }]
  healthcheck = { test = ["CMD", "true"], interval = "2000ms" }
  resources   = { memory = "64m" }`}
	entries := make([]string, len(all))
	for i, h := range all {
		entries[i] = h + "=" + acctest.Host(t, h).Unix
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(t), Check: checkDaemons(t, name, all...)},
			{
				Config:          cfg.hcl(t),
				ResourceName:    svcAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name + "@" + strings.Join(entries, ","),
			},
		},
	})
}

// TestAccService_hostRebuilt wipes a host (new engine ID, no containers):
// the plan replaces the replicas of that host only, because the host
// resource passes the new engine ID.
func TestAccService_hostRebuilt(t *testing.T) {
	name := acctest.RandomName("svc")
	all := []string{"h1", "h2", "h3"}
	cfg := svcConfig{name: name, hosts: all, replicas: 3, hostResources: true}
	var onH2 []string
	for rep, h := range expectedPlacement(t, name, all, 3) {
		if h == "h2" {
			onH2 = append(onH2, rep)
		}
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedService(t, name),
		Steps: []resource.TestStep{
			{Config: cfg.hcl(t), Check: checkDaemons(t, name, all...)},
			{
				PreConfig: func() { acctest.WipeHost(t, "h2") },
				Config:    cfg.hcl(t),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dockerfleet_host.h2",
						plancheck.ResourceActionReplace),
					replaced(onH2...)}},
				Check: checkDaemons(t, name, all...),
			},
		},
	})
}
