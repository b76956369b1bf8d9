package provider_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

// The examples under examples/ are applied and destroyed here as they are,
// with variables pointing them at the test fleet and its busybox image, so
// that they cannot rot. Each test checks that the web servers answer on the
// hosts the plan chose, that a second plan is empty, and that destroy leaves
// nothing behind.

// testPage is what busybox httpd serves from /www in the test image.
const testPage = "dockerfleet test image 1"

// httpdCommand runs busybox's web server in the foreground.
func httpdCommand(port int, root string) config.Variable {
	return config.ListVariable(config.StringVariable("httpd"), config.StringVariable("-f"),
		config.StringVariable("-p"), config.StringVariable(fmt.Sprint(port)),
		config.StringVariable("-h"), config.StringVariable(root))
}

func TestAccExampleQuickstart(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	name := acctest.RandomName("quick")
	objects := exampleObjects{hosts: []string{"h1"}, services: []string{name}}

	exampleTest(t, "quickstart", objects,
		config.Variables{
			"docker_host": config.StringVariable(acctest.Host(t, "h1").Unix),
			"name":        config.StringVariable(name),
			"image":       config.StringVariable(os.Getenv("DFL_IMAGE")),
			"command":     httpdCommand(80, "/www"),
			"port":        config.IntegerVariable(examplePorts()),
		},
		exampleReplicas(t, objects.hosts, name, map[string]int{"h1": 1}),
		exampleServes(t, objects.hosts, name, testPage),
	)
}

func TestAccExampleMultiHost(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	name := acctest.RandomName("multi")
	objects := exampleObjects{hosts: []string{"h1", "h2", "h3"}, services: []string{name},
		networks: []string{name + "-net"}}

	// h1 over plain TCP, h2 over SSH with the example's "ops" profile, h3 over
	// its socket: the example takes any endpoint form.
	hosts := config.MapVariable(map[string]config.Variable{
		"h1": exampleHost(acctest.Host(t, "h1").TCP, "zone-a", ""),
		"h2": exampleHost(acctest.Host(t, "h2").SSH, "zone-b", "ops"),
		"h3": exampleHost(acctest.Host(t, "h3").Unix, "zone-b", ""),
	})
	exampleTest(t, "multi-host", objects,
		config.Variables{
			"hosts":                hosts,
			"ssh_identity_file":    config.StringVariable(os.Getenv("DFL_SSH_KEY")),
			"ssh_known_hosts_file": config.StringVariable(os.Getenv("DFL_SSH_KNOWN_HOSTS")),
			"name":                 config.StringVariable(name),
			"image":                config.StringVariable(os.Getenv("DFL_IMAGE")),
			"command":              httpdCommand(80, "/www"),
			"first_port":           config.IntegerVariable(examplePorts()),
		},
		// Two zones share 4 replicas; zone-b's two hosts share its 2.
		exampleReplicas(t, objects.hosts, name, map[string]int{"h1": 2, "h2": 1, "h3": 1}),
		exampleServes(t, objects.hosts, name, testPage),
	)
}

func TestAccExampleComposeMigration(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	project := acctest.RandomName("compose")
	objects := exampleObjects{hosts: []string{"h1"},
		services: []string{project + "-web", project + "-db"},
		networks: []string{project + "_default"}, volumes: []string{project + "_db-data"}}
	code, err := filepath.Abs(filepath.Join("..", "..", "examples", "compose-migration", "app"))
	if err != nil {
		t.Fatal(err)
	}

	exampleTest(t, "compose-migration", objects,
		config.Variables{
			"docker_host": config.StringVariable(acctest.Host(t, "h1").Unix),
			"project":     config.StringVariable(project),
			"web_image":   config.StringVariable(os.Getenv("DFL_IMAGE")),
			"web_command": httpdCommand(5000, "/code"),
			"web_port":    config.IntegerVariable(examplePorts()),
			"code_dir":    config.StringVariable(code),
			"db_image":    config.StringVariable(os.Getenv("DFL_IMAGE")),
			"db_command":  httpdCommand(5432, "/var/lib/postgresql/data"),
		},
		exampleReplicas(t, objects.hosts, project+"-db", map[string]int{"h1": 1}),
		exampleServes(t, objects.hosts, project+"-web", "Served from the code directory"),
		exampleDBEnv(t, "h1", project+"-db-1"),
	)
}

func TestAccExampleKubernetesMigration(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	name := acctest.RandomName("k8s")
	objects := exampleObjects{hosts: []string{"h1", "h2", "h3"}, services: []string{name}}

	exampleTest(t, "kubernetes-migration", objects,
		config.Variables{
			"hosts":   zonedFleet(t),
			"name":    config.StringVariable(name),
			"image":   config.StringVariable(os.Getenv("DFL_IMAGE")),
			"command": httpdCommand(80, "/www"),
			"port":    config.IntegerVariable(examplePorts()),
		},
		// One replica per zone; h2 or h3 holds zone-b's.
		exampleReplicasSpread(t, objects.hosts, name, 2, map[string]int{"h1": 1}),
		exampleServes(t, objects.hosts, name, testPage),
	)
}

func TestAccExampleECSMigration(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	name := acctest.RandomName("ecs")
	objects := exampleObjects{hosts: []string{"h1", "h2", "h3"}, services: []string{name}}

	exampleTest(t, "ecs-migration", objects,
		config.Variables{
			"hosts":   zonedFleet(t),
			"name":    config.StringVariable(name),
			"image":   config.StringVariable(os.Getenv("DFL_IMAGE")),
			"command": httpdCommand(80, "/www"),
			"port":    config.IntegerVariable(examplePorts()),
		},
		exampleReplicasSpread(t, objects.hosts, name, 2, map[string]int{"h1": 1}),
		exampleServes(t, objects.hosts, name, testPage),
		// cpu 256 units and memory 512 MiB.
		exampleLimits(t, objects.hosts, name, 250_000_000, 512<<20),
	)
}

func TestAccExampleModule(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	project := acctest.RandomName("mod")
	staging, production := project+"-staging", project+"-production"
	objects := exampleObjects{hosts: []string{"h1", "h2", "h3"},
		services: []string{staging, production},
		networks: []string{staging + "-net", production + "-net"}}

	hosts := config.MapVariable(map[string]config.Variable{
		"h1": exampleEnvHost(acctest.Host(t, "h1").Unix, "staging"),
		"h2": exampleEnvHost(acctest.Host(t, "h2").Unix, "production"),
		"h3": exampleEnvHost(acctest.Host(t, "h3").Unix, "production"),
	})
	exampleTest(t, "module", objects,
		config.Variables{
			"hosts":      hosts,
			"project":    config.StringVariable(project),
			"image":      config.StringVariable(os.Getenv("DFL_IMAGE")),
			"command":    httpdCommand(80, "/www"),
			"first_port": config.IntegerVariable(examplePorts()),
		},
		exampleReplicas(t, objects.hosts, staging, map[string]int{"h1": 1}),
		exampleReplicas(t, objects.hosts, production, map[string]int{"h2": 2, "h3": 2}),
		exampleServes(t, objects.hosts, staging, testPage),
		exampleServes(t, objects.hosts, production, testPage),
	)
}

// exampleObjects are the Docker objects an example makes, by name, on the
// hosts it uses: destroy must leave none of them.
type exampleObjects struct {
	hosts    []string
	services []string
	networks []string
	volumes  []string
}

// exampleTest applies an example with vars, runs the checks, expects an
// empty plan after apply, destroys it and checks that nothing is left.
//
// The checks are state checks and destroy is a step of its own because the
// framework's legacy state (Check, CheckDestroy, its clean-up destroy) cannot
// hold for_each instances or child modules, which the examples use. For the
// same reason a failed step would leave objects behind, so a clean-up removes
// whatever is left of the example by name.
func exampleTest(t *testing.T, example string, objects exampleObjects, vars config.Variables,
	checks ...statecheck.StateCheck) {
	t.Helper()
	dir := exampleDir(t, example)
	t.Cleanup(func() { exampleCleanup(t, objects) })

	resource.Test(t, resource.TestCase{
		PreCheck: func() { acctest.PreCheck(t) },
		Steps: []resource.TestStep{
			{
				// With ConfigDirectory the framework wants the providers on the step.
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(dir),
				ConfigVariables:          vars,
				ConfigStateChecks:        checks,
				ConfigPlanChecks: resource.ConfigPlanChecks{
					PostApplyPostRefresh: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()},
				},
			},
			{
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				ConfigDirectory:          config.StaticDirectory(dir),
				ConfigVariables:          vars,
				Destroy:                  true,
				ConfigStateChecks:        []statecheck.StateCheck{exampleGone(t, objects)},
			},
		},
	})
}

// fleetCheck is a check of the fleet's daemons run as a state check.
type fleetCheck func() error

func (c fleetCheck) CheckState(_ context.Context, _ statecheck.CheckStateRequest,
	resp *statecheck.CheckStateResponse) {
	resp.Error = c()
}

// testProviderAddress is the full address the framework serves the provider
// under. It must name the host: OpenTofu would resolve a bare
// namespace/name against its own registry, where nothing is attached.
func testProviderAddress() string {
	host, namespace := "registry.terraform.io", "hashicorp"
	if v := os.Getenv("TF_ACC_PROVIDER_HOST"); v != "" {
		host = v
	}
	if v := os.Getenv("TF_ACC_PROVIDER_NAMESPACE"); v != "" {
		namespace = v
	}
	return host + "/" + namespace + "/dockerfleet"
}

// moduleSource finds module blocks whose source is a local directory.
var moduleSource = regexp.MustCompile(`(?s)module\s+"([^"]+)"\s*\{[^}]*?source\s*=\s*"(\./[^"]+)"`)

// exampleDir copies examples/<name> to a temporary directory, unchanged, and
// adds an override file to each of its configuration directories:
//   - the provider's source becomes the address under which the test
//     framework serves the provider in process (see testProviderAddress),
//     instead of the registry address users install it from;
//   - a local module's source becomes the absolute path of its copy, because
//     the framework copies only the files of the root directory.
func exampleDir(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "..", "examples", name)
	dst := filepath.Join(t.TempDir(), name)
	if err := os.CopyFS(dst, os.DirFS(src)); err != nil {
		t.Fatalf("copying example %s: %v", name, err)
	}

	address := testProviderAddress()
	err := filepath.WalkDir(dst, func(dir string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		return writeOverride(dir, address)
	})
	if err != nil {
		t.Fatalf("preparing example %s: %v", name, err)
	}
	return dst
}

func writeOverride(dir, address string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil || len(files) == 0 {
		return err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "terraform {\n  required_providers {\n    dockerfleet = {\n"+
		"      source = %q\n    }\n  }\n}\n", address)
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		for _, m := range moduleSource.FindAllStringSubmatch(string(text), -1) {
			abs := filepath.Join(dir, m[2])
			fmt.Fprintf(&b, "\nmodule %q {\n  source = %q\n}\n", m[1], abs)
		}
	}
	return os.WriteFile(filepath.Join(dir, "acctest_override.tf"), []byte(b.String()), 0o644)
}

// examplePorts returns the first of 20 consecutive host ports, enough for any
// example. Tests run at once on the same hosts, so each picks a random block.
func examplePorts() int {
	return 20000 + rand.IntN(1000)*20
}

func exampleHost(endpoint, zone, auth string) config.Variable {
	attrs := map[string]config.Variable{
		"endpoint": config.StringVariable(endpoint),
		"zone":     config.StringVariable(zone),
	}
	if auth != "" {
		attrs["auth"] = config.StringVariable(auth)
	}
	return config.ObjectVariable(attrs)
}

func exampleEnvHost(endpoint, env string) config.Variable {
	return config.ObjectVariable(map[string]config.Variable{
		"endpoint": config.StringVariable(endpoint),
		"env":      config.StringVariable(env),
	})
}

// zonedFleet is the fleet as two zones: h1 alone in zone-a, h2 and h3 in zone-b.
func zonedFleet(t *testing.T) config.Variable {
	return config.MapVariable(map[string]config.Variable{
		"h1": exampleHost(acctest.Host(t, "h1").Unix, "zone-a", ""),
		"h2": exampleHost(acctest.Host(t, "h2").Unix, "zone-b", ""),
		"h3": exampleHost(acctest.Host(t, "h3").Unix, "zone-b", ""),
	})
}

// exampleContainers lists the containers of a service on some hosts.
func exampleContainers(t *testing.T, hosts []string,
	service string) (map[string][]container.Summary, error) {
	out := map[string][]container.Summary{}
	for _, h := range hosts {
		list, err := acctest.Docker(t, h).ContainerList(context.Background(), container.ListOptions{
			All: true, Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.name="+service))})
		if err != nil {
			return nil, fmt.Errorf("listing containers on %s: %w", h, err)
		}
		if len(list) > 0 {
			out[h] = list
		}
	}
	return out, nil
}

// runningPerHost counts the running replicas of a service on each host.
func runningPerHost(t *testing.T, hosts []string, service string) (map[string]int, int, error) {
	byHost, err := exampleContainers(t, hosts, service)
	if err != nil {
		return nil, 0, err
	}
	got, total := map[string]int{}, 0
	for h, list := range byHost {
		for _, c := range list {
			if c.State == "running" {
				got[h]++
				total++
			}
		}
	}
	return got, total, nil
}

// exampleReplicas checks the number of running replicas on each host.
func exampleReplicas(t *testing.T, hosts []string, service string,
	want map[string]int) statecheck.StateCheck {
	return fleetCheck(func() error {
		got, _, err := runningPerHost(t, hosts, service)
		if err != nil {
			return err
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			return fmt.Errorf("service %s: running replicas per host %v, want %v", service, got, want)
		}
		return nil
	})
}

// exampleReplicasSpread checks the total number of running replicas and the
// number on some hosts, for placements where a tie-break picks the others.
func exampleReplicasSpread(t *testing.T, hosts []string, service string, total int,
	on map[string]int) statecheck.StateCheck {
	return fleetCheck(func() error {
		got, n, err := runningPerHost(t, hosts, service)
		if err != nil {
			return err
		}
		if n != total {
			return fmt.Errorf("service %s: %d running replicas (%v), want %d", service, n, got, total)
		}
		for h, w := range on {
			if got[h] != w {
				return fmt.Errorf("service %s: %d replicas on %s (%v), want %d", service, got[h], h,
					got, w)
			}
		}
		return nil
	})
}

// exampleServes asks every replica of a service, on its host's address and
// published port, for / and expects want in the answer.
func exampleServes(t *testing.T, hosts []string, service, want string) statecheck.StateCheck {
	return fleetCheck(func() error {
		byHost, err := exampleContainers(t, hosts, service)
		if err != nil {
			return err
		}
		asked := 0
		for h, list := range byHost {
			addr := acctest.Host(t, h).Addr
			for _, c := range list {
				for _, p := range c.Ports {
					if p.PublicPort == 0 || strings.Contains(p.IP, ":") {
						continue
					}
					url := fmt.Sprintf("http://%s:%d/", addr, p.PublicPort)
					if err := getContains(url, want); err != nil {
						return fmt.Errorf("service %s on %s: %w", service, h, err)
					}
					asked++
				}
			}
		}
		if asked == 0 {
			return fmt.Errorf("service %s publishes no port on any of %v", service, hosts)
		}
		return nil
	})
}

// getContains retries for a few seconds: a replica counts as started when
// its process runs, which can be just before it listens.
func getContains(url, want string) error {
	c := http.Client{Timeout: 2 * time.Second}
	var last error
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		resp, err := c.Get(url)
		if err == nil {
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
			_ = resp.Body.Close()
			if strings.Contains(string(body), want) {
				return nil
			}
			err = fmt.Errorf("GET %s: %s, body %q does not hold %q", url, resp.Status,
				strings.TrimSpace(string(body)), want)
		}
		last = err
		time.Sleep(250 * time.Millisecond)
	}
	return last
}

// exampleDBEnv checks that the database got the env file's values and
// Compose's restart policy.
func exampleDBEnv(t *testing.T, host, replica string) statecheck.StateCheck {
	return fleetCheck(func() error {
		c, err := acctest.Docker(t, host).ContainerInspect(context.Background(), replica)
		if err != nil {
			return fmt.Errorf("inspecting %s on %s: %w", replica, host, err)
		}
		for _, want := range []string{"POSTGRES_USER=app", "POSTGRES_PASSWORD=change-me",
			"POSTGRES_DB=app"} {
			if !contains(c.Config.Env, want) {
				return fmt.Errorf("%s: env %v lacks %s from db.env", replica, c.Config.Env, want)
			}
		}
		if c.HostConfig.RestartPolicy.Name != "always" {
			return fmt.Errorf("%s: restart policy %q, want always", replica,
				c.HostConfig.RestartPolicy.Name)
		}
		return nil
	})
}

// exampleLimits checks the CPU (in nano CPUs) and memory limits of every
// replica of a service.
func exampleLimits(t *testing.T, hosts []string, service string,
	nanoCPUs, memory int64) statecheck.StateCheck {
	return fleetCheck(func() error {
		byHost, err := exampleContainers(t, hosts, service)
		if err != nil {
			return err
		}
		for h, list := range byHost {
			for _, c := range list {
				got, err := acctest.Docker(t, h).ContainerInspect(context.Background(), c.ID)
				if err != nil {
					return fmt.Errorf("inspecting %s on %s: %w", c.ID, h, err)
				}
				r := got.HostConfig.Resources
				if r.NanoCPUs != nanoCPUs || r.Memory != memory {
					return fmt.Errorf("%v on %s: NanoCPUs %d, Memory %d; want %d, %d", c.Names, h,
						r.NanoCPUs, r.Memory, nanoCPUs, memory)
				}
			}
		}
		return nil
	})
}

// exampleLeft lists what is left of an example's objects on its hosts.
func exampleLeft(t *testing.T, o exampleObjects) ([]string, error) {
	ctx := context.Background()
	var left []string
	for _, s := range o.services {
		byHost, err := exampleContainers(t, o.hosts, s)
		if err != nil {
			return nil, err
		}
		for h, list := range byHost {
			for _, c := range list {
				left = append(left, "container "+h+"/"+c.ID)
			}
		}
	}
	for _, h := range o.hosts {
		docker := acctest.Docker(t, h)
		for _, n := range o.networks {
			if _, err := docker.NetworkInspect(ctx, n, network.InspectOptions{}); err == nil {
				left = append(left, "network "+h+"/"+n)
			} else if !cerrdefs.IsNotFound(err) {
				return nil, fmt.Errorf("network %s on %s: %w", n, h, err)
			}
		}
		for _, v := range o.volumes {
			if _, err := docker.VolumeInspect(ctx, v); err == nil {
				left = append(left, "volume "+h+"/"+v)
			} else if !cerrdefs.IsNotFound(err) {
				return nil, fmt.Errorf("volume %s on %s: %w", v, h, err)
			}
		}
	}
	return left, nil
}

// exampleGone checks that destroy left none of an example's objects.
func exampleGone(t *testing.T, o exampleObjects) statecheck.StateCheck {
	return fleetCheck(func() error {
		left, err := exampleLeft(t, o)
		if err != nil {
			return err
		}
		if len(left) > 0 {
			return fmt.Errorf("destroy left %s", strings.Join(left, ", "))
		}
		return nil
	})
}

// exampleCleanup removes what a failed test left of an example, by name.
func exampleCleanup(t *testing.T, o exampleObjects) {
	left, err := exampleLeft(t, o)
	if err != nil || len(left) == 0 {
		return
	}
	t.Logf("removing what the test left: %s", strings.Join(left, ", "))
	ctx := context.Background()
	for _, item := range left {
		kind, where, _ := strings.Cut(item, " ")
		h, name, _ := strings.Cut(where, "/")
		docker := acctest.Docker(t, h)
		switch kind {
		case "container":
			err = docker.ContainerRemove(ctx, name, container.RemoveOptions{Force: true})
		case "network":
			err = docker.NetworkRemove(ctx, name)
		case "volume":
			err = docker.VolumeRemove(ctx, name, true)
		}
		if err != nil {
			t.Logf("removing %s: %v", item, err)
		}
	}
}
