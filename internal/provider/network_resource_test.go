package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

const netAddr = "dockerfleet_network.test"

// fleetHCL declares the provider and one dockerfleet_host per fleet host,
// named after it. h1 is reached over TCP when viaTCP is set, the others
// over their unix sockets. (The hosts are separate resources rather than
// one for_each, because the legacy state checks cannot address for_each
// instances.)
func fleetHCL(t *testing.T, viaTCP bool) string {
	var b strings.Builder
	b.WriteString(acctest.ProviderConfig())
	for _, name := range []string{"h1", "h2", "h3"} {
		h := acctest.Host(t, name)
		endpoint := h.Unix
		if viaTCP && name == "h1" {
			endpoint = h.TCP
		}
		fmt.Fprintf(&b, "\nresource \"dockerfleet_host\" %q {\n  name     = %q\n  endpoint = %q\n}\n",
			name, name, endpoint)
	}
	return b.String()
}

// hostsExpr passes some of the fleet's host resources as `hosts`.
func hostsExpr(members ...string) string {
	entries := make([]string, len(members))
	for i, m := range members {
		entries[i] = fmt.Sprintf("%s = dockerfleet_host.%s", m, m)
	}
	return "{ " + strings.Join(entries, ", ") + " }"
}

func networkHCL(t *testing.T, viaTCP bool, name, extra string, members ...string) string {
	return fleetHCL(t, viaTCP) + fmt.Sprintf(`
resource "dockerfleet_network" "test" {
  name  = %q
  hosts = %s
%s
}
`, name, hostsExpr(members...), extra)
}

// networkOn asks a host's daemon for the network of that name.
func networkOn(t *testing.T, host, name string) (network.Summary, bool) {
	t.Helper()
	list, err := acctest.Docker(t, host).NetworkList(context.Background(), network.ListOptions{
		Filters: filters.NewArgs(filters.Arg("name", name))})
	if err != nil {
		t.Fatalf("listing networks on %s: %v", host, err)
	}
	for _, n := range list {
		if n.Name == name {
			return n, true
		}
	}
	return network.Summary{}, false
}

// checkNetworks asks the daemons that the network is on exactly the given
// hosts of the fleet, carries our labels, and has the ID that state records.
func checkNetworks(t *testing.T, name string, on ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, host := range []string{"h1", "h2", "h3"} {
			n, found := networkOn(t, host, name)
			want := contains(on, host)
			if found != want {
				return fmt.Errorf("network %s on %s: found = %v, want %v", name, host, found, want)
			}
			if !found {
				continue
			}
			if n.Labels["dockerfleet.managed"] != "true" || n.Labels["dockerfleet.name"] != name {
				return fmt.Errorf("network %s on %s lacks ownership labels: %v", name, host, n.Labels)
			}
			if s == nil {
				continue
			}
			if err := resource.TestCheckResourceAttr(netAddr, "per_host."+host+".id", n.ID)(s); err != nil {
				return err
			}
		}
		return nil
	}
}

// destroyedNetwork is a CheckDestroy that asks every daemon.
func destroyedNetwork(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, host := range []string{"h1", "h2", "h3"} {
			if _, found := networkOn(t, host, name); found {
				return fmt.Errorf("network %s still exists on %s after destroy", name, host)
			}
		}
		return nil
	}
}

// idRecorder remembers per-host IDs from state, to show later that a step
// left some hosts alone.
type idRecorder struct {
	addr, attr string
	ids        map[string]string
}

func newIDRecorder(addr, attr string) *idRecorder {
	return &idRecorder{addr: addr, attr: attr, ids: map[string]string{}}
}

func (r *idRecorder) record(hosts ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[r.addr]
		if !ok {
			return fmt.Errorf("%s not in state", r.addr)
		}
		for _, h := range hosts {
			v := rs.Primary.Attributes["per_host."+h+"."+r.attr]
			if v == "" {
				return fmt.Errorf("%s has no per_host.%s.%s", r.addr, h, r.attr)
			}
			r.ids[h] = v
		}
		return nil
	}
}

func (r *idRecorder) unchanged(hosts ...string) resource.TestCheckFunc {
	checks := make([]resource.TestCheckFunc, 0, len(hosts))
	for _, h := range hosts {
		checks = append(checks, resource.TestCheckResourceAttrWith(r.addr, "per_host."+h+"."+r.attr,
			func(v string) error {
				if v != r.ids[h] {
					return fmt.Errorf("per_host.%s.%s changed from %q to %q", h, r.attr, r.ids[h], v)
				}
				return nil
			}))
	}
	return resource.ComposeAggregateTestCheckFunc(checks...)
}

func (r *idRecorder) changed(host string) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(r.addr, "per_host."+host+"."+r.attr, func(v string) error {
		if v == r.ids[host] {
			return fmt.Errorf("per_host.%s.%s is still %q; expected a new object", host, r.attr, v)
		}
		return nil
	})
}

// sameAs is a plan-time value check against a recorded ID.
func (r *idRecorder) sameAs(host string) knownvalue.Check {
	return knownvalue.StringFunc(func(v string) error {
		if v != r.ids[host] {
			return fmt.Errorf("planned %s of %s is %q, want the recorded %q", r.attr, host, v, r.ids[host])
		}
		return nil
	})
}

func perHostPath(host, attr string) tfjsonpath.Path {
	return tfjsonpath.New("per_host").AtMapKey(host).AtMapKey(attr)
}

// errorMatching matches error output holding the given pieces in order.
// Terraform wraps long lines of diagnostics, so spaces match any white space.
func errorMatching(pieces ...string) *regexp.Regexp {
	quoted := make([]string, len(pieces))
	for i, p := range pieces {
		quoted[i] = strings.ReplaceAll(regexp.QuoteMeta(p), " ", `\s+`)
	}
	return regexp.MustCompile(`(?s)` + strings.Join(quoted, ".*"))
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// importIDFor builds an import ID naming the given fleet hosts.
func importIDFor(t *testing.T, name string, viaTCP bool, hosts ...string) string {
	entries := make([]string, 0, len(hosts))
	for _, h := range hosts {
		endpoint := acctest.Host(t, h).Unix
		if viaTCP && h == "h1" {
			endpoint = acctest.Host(t, h).TCP
		}
		entries = append(entries, h+"="+endpoint)
	}
	sort.Strings(entries)
	return name + "@" + strings.Join(entries, ",")
}

func TestAccNetwork_basic(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	ids := newIDRecorder(netAddr, "id")
	all := []string{"h1", "h2", "h3"}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{
				Config: networkHCL(t, true, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(netAddr, tfjsonpath.New("per_host"), knownvalue.MapSizeExact(3)),
					plancheck.ExpectUnknownValue(netAddr, perHostPath("h2", "id")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, all...),
					resource.TestCheckResourceAttr(netAddr, "id", name),
					resource.TestCheckResourceAttr(netAddr, "driver", "bridge"),
					resource.TestCheckResourceAttr(netAddr, "per_host.h1.scope", "local"),
					resource.TestCheckResourceAttrSet(netAddr, "per_host.h3.subnets.0"),
					ids.record(all...),
				),
			},
			{
				ResourceName:      netAddr,
				ImportState:       true,
				ImportStateId:     importIDFor(t, name, true, all...),
				ImportStateVerify: true,
			},
			{
				// The import block form plans: with the configuration naming
				// the same hosts, the plan must be empty.
				ResourceName:    netAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   importIDFor(t, name, true, all...),
			},
			{
				// Removing a host is an update that touches that host only.
				Config: networkHCL(t, true, name, "", "h1", "h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(netAddr, tfjsonpath.New("per_host"), knownvalue.MapSizeExact(2)),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h1", "id"), ids.sameAs("h1")),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h2", "id"), ids.sameAs("h2")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, "h1", "h2"),
					ids.unchanged("h1", "h2"),
				),
			},
			{
				// Adding it back creates the network there only.
				Config: networkHCL(t, true, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(netAddr, perHostPath("h3", "id")),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h1", "id"), ids.sameAs("h1")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, all...),
					ids.unchanged("h1", "h2"),
				),
			},
			{
				// Docker cannot make a network internal in place.
				Config: networkHCL(t, true, name, "  internal = true", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, all...),
					ids.changed("h1"),
					func(*terraform.State) error {
						if n, _ := networkOn(t, "h2", name); !n.Internal {
							return fmt.Errorf("network %s on h2 is not internal", name)
						}
						return nil
					},
				),
			},
		},
	})
}

func TestAccNetwork_removedOutOfBand(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	ids := newIDRecorder(netAddr, "id")
	all := []string{"h1", "h2", "h3"}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{
				Config: networkHCL(t, false, name, "", all...),
				Check:  resource.ComposeAggregateTestCheckFunc(checkNetworks(t, name, all...), ids.record(all...)),
			},
			{
				PreConfig: func() {
					if err := acctest.Docker(t, "h2").NetworkRemove(context.Background(), name); err != nil {
						t.Fatalf("removing network %s on h2 by hand: %v", name, err)
					}
				},
				Config: networkHCL(t, false, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(netAddr, perHostPath("h2", "id")),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h1", "id"), ids.sameAs("h1")),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h3", "id"), ids.sameAs("h3")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, all...),
					ids.unchanged("h1", "h3"),
					ids.changed("h2"),
				),
			},
		},
	})
}

// TestAccNetwork_engineRebuilt rebuilds h2's engine: the host resource is
// replaced and the network is recreated on h2 only.
func TestAccNetwork_engineRebuilt(t *testing.T) {
	name := acctest.RandomName("net")
	ids := newIDRecorder(netAddr, "id")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{
				Config: networkHCL(t, false, name, "", "h1", "h2"),
				Check:  ids.record("h1", "h2"),
			},
			{
				PreConfig: func() { acctest.WipeHost(t, "h2") },
				Config:    networkHCL(t, false, name, "", "h1", "h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dockerfleet_host.h2",
						plancheck.ResourceActionReplace),
					plancheck.ExpectResourceAction(netAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(netAddr, perHostPath("h2", "id")),
					plancheck.ExpectKnownValue(netAddr, perHostPath("h1", "id"), ids.sameAs("h1")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, "h1", "h2"),
					ids.unchanged("h1"),
					resource.TestCheckResourceAttrPair(netAddr, "per_host.h2.engine_id",
						"dockerfleet_host.h2", "engine_id"),
				),
			},
		},
	})
}

// TestAccNetwork_hostDownDuringRefresh stops h1 after create: refresh warns,
// keeps h1's entry, and the plan stays empty.
func TestAccNetwork_hostDownDuringRefresh(t *testing.T) {
	name := acctest.RandomName("net")
	ids := newIDRecorder(netAddr, "id")
	t.Cleanup(func() { acctest.StartHost(t, "h1") })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{
				Config: networkHCL(t, false, name, "", "h1", "h2"),
				Check:  ids.record("h1", "h2"),
			},
			{
				PreConfig:    func() { acctest.StopHost(t, "h1") },
				RefreshState: true,
				Check:        ids.unchanged("h1", "h2"),
			},
			{
				Config:   networkHCL(t, false, name, "", "h1", "h2"),
				PlanOnly: true,
			},
			{
				// Back up: the state is intact and nothing changes.
				PreConfig: func() { acctest.StartHost(t, "h1") },
				Config:    networkHCL(t, false, name, "", "h1", "h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectEmptyPlan(),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkNetworks(t, name, "h1", "h2"),
					ids.unchanged("h1", "h2"),
				),
			},
		},
	})
}

func TestAccNetwork_destroyBlockedByContainer(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	user := acctest.RandomName("user")
	replica := acctest.RandomName("web")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{Config: networkHCL(t, false, name, "", "h1", "h2")},
			{
				PreConfig:   func() { startContainer(t, "h2", user, name, "", nil) },
				Config:      networkHCL(t, false, name, "", "h1", "h2"),
				Destroy:     true,
				ExpectError: errorMatching(`Removing network "`+name+`" on host "h2"`, user),
			},
			{
				// A container of a dockerfleet service is being destroyed in
				// the same run: the removal waits for it to go.
				PreConfig: func() {
					removeContainer(t, "h2", user)
					startContainer(t, "h2", replica, name, "", serviceLabels)
					go func() {
						time.Sleep(3 * time.Second)
						removeContainer(t, "h2", replica)
					}()
				},
				Config:  networkHCL(t, false, name, "", "h1", "h2"),
				Destroy: true,
			},
		},
	})
}

// serviceLabels mark a container as a replica of a dockerfleet service.
var serviceLabels = map[string]string{
	"dockerfleet.managed":  "true",
	"dockerfleet.resource": "service",
	"dockerfleet.name":     "web",
}

// startContainer runs a container on a
// network or with a volume mounted at /data, with the given labels.
func startContainer(t *testing.T, host, name, net, vol string, labels map[string]string) {
	t.Helper()
	ctx := context.Background()
	c := acctest.Docker(t, host)
	hostCfg := &container.HostConfig{}
	if net != "" {
		hostCfg.NetworkMode = container.NetworkMode(net)
	}
	if vol != "" {
		hostCfg.Binds = []string{vol + ":/data"}
	}
	created, err := c.ContainerCreate(ctx, &container.Config{
		Image: os.Getenv("DFL_IMAGE"), Cmd: []string{"sleep", "300"}, Labels: labels,
	}, hostCfg, nil, nil, name)
	if err != nil {
		t.Fatalf("creating container %s on %s: %v", name, host, err)
	}
	t.Cleanup(func() { removeContainer(t, host, name) })
	if err := c.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		t.Fatalf("starting container %s on %s: %v", name, host, err)
	}
}

func removeContainer(t *testing.T, host, name string) {
	err := acctest.Docker(t, host).ContainerRemove(context.Background(), name,
		container.RemoveOptions{Force: true})
	if err != nil && !strings.Contains(strings.ToLower(err.Error()), "no such container") {
		t.Errorf("removing container %s on %s: %v", name, host, err)
	}
}

// TestAccNetwork_dualStack uses IPv4 and IPv6 pools with auxiliary
// addresses, written in a spelling the daemon changes; neither the
// spelling nor the order of pools may cause a diff, and import round-trips.
func TestAccNetwork_dualStack(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	h3 := acctest.Host(t, "h3")
	v4 := `{
      subnet        = "10.231.0.0/24"
      ip_range      = "10.231.0.128/25"
      gateway       = "10.231.0.1"
      aux_addresses = { router = "10.231.0.5" }
    }`
	v6 := func(subnet, gw, aux string) string {
		return fmt.Sprintf(`{
      subnet        = %q
      gateway       = %q
      aux_addresses = { router = %q }
    }`, subnet, gw, aux)
	}
	config := func(first, second string) string {
		return fleetHCL(t, false) + fmt.Sprintf(`
resource "dockerfleet_network" "test" {
  name = %q
  host = dockerfleet_host.h3
  ipv6 = true
  ipam = {
    configs = [
    %s,
    %s,
    ]
  }
}
`, name, first, second)
	}
	written := config(v6("FD00:0DF1:0000::/64", "fd00:df1:0:0::1", "FD00:DF1::5"), v4)
	respelled := config(v4, v6("fd00:df1::/64", "fd00:df1::1", "fd00:df1::5"))

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps: []resource.TestStep{
			{
				Config: written,
				Check: resource.ComposeAggregateTestCheckFunc(
					resource.TestCheckResourceAttr(netAddr, "per_host.h3.subnets.#", "2"),
					resource.TestCheckTypeSetElemAttr(netAddr, "per_host.h3.subnets.*", "10.231.0.0/24"),
					resource.TestCheckTypeSetElemAttr(netAddr, "per_host.h3.subnets.*", "fd00:df1::/64"),
					// State keeps what the configuration says.
					resource.TestCheckTypeSetElemNestedAttrs(netAddr, "ipam.configs.*",
						map[string]string{"subnet": "FD00:0DF1:0000::/64"}),
					func(*terraform.State) error {
						n, found := networkOn(t, "h3", name)
						if !found || !n.EnableIPv6 || len(n.IPAM.Config) != 2 {
							return fmt.Errorf("network %s on h3: found %v, %+v", name, found, n)
						}
						return nil
					},
				),
			},
			{Config: respelled, PlanOnly: true},
			{
				ResourceName:    netAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name + "@host:h3=" + h3.Unix,
				// The configuration is the prior step's (respelled); a step
				// of its own would lack the provider source OpenTofu needs.
			},
		},
	})
}

func TestAccNetwork_badInput(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	h1 := acctest.Host(t, "h1")
	withIPAM := func(ipv6, configs string) string {
		return networkHCL(t, false, name, fmt.Sprintf("  ipv6 = %s\n  ipam = { configs = [%s] }",
			ipv6, configs), "h1")
	}
	literal := func(body string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_network" "test" {
  name = %q
%s
}
`, name, body)
	}
	hostObj := func(hostName string) string {
		return fmt.Sprintf(`{ name = %q, endpoint = %q }`, hostName, h1.Unix)
	}

	steps := []resource.TestStep{
		{Config: withIPAM("false", `{ subnet = "10.232.0.0/33" }`), ExpectError: errorMatching(`is not a CIDR`)},
		{Config: withIPAM("false", `{ subnet = "10.232.0.7/24" }`), ExpectError: errorMatching(`host bits set`)},
		{Config: withIPAM("false", `{ subnet = "10.232.0.0/24", gateway = "10.233.0.1" }`),
			ExpectError: errorMatching(`outside subnet 10.232.0.0/24`)},
		{Config: withIPAM("false", `{ subnet = "10.232.0.0/24", ip_range = "10.232.0.0/16" }`),
			ExpectError: errorMatching(`not inside subnet`)},
		{Config: withIPAM("false", `{ subnet = "10.232.0.0/24", aux_addresses = { r = "10.9.9.9" } }`),
			ExpectError: errorMatching(`uxiliary address r "10.9.9.9" is outside`)},
		{Config: withIPAM("false", `{ subnet = "fd00:232::/64" }`), ExpectError: errorMatching(`set ipv6 = true`)},
		{Config: literal(fmt.Sprintf("  hosts = { a = %s, b = %s }", hostObj("x"), hostObj("x"))),
			ExpectError: errorMatching(`Duplicate Host Name`)},
		{Config: literal(fmt.Sprintf("  host = %s\n  hosts = { a = %s }", hostObj("x"), hostObj("y"))),
			ExpectError: errorMatching(`cannot be configured together`)},
		{Config: literal(fmt.Sprintf("  host = { name = \"x\", endpoint = %q, auth = \"nope\" }", h1.Unix)),
			ExpectError: errorMatching(`Unknown Auth Profile`)},
		{Config: literal("  labels = { \"dockerfleet.name\" = \"x\" }"),
			ExpectError: errorMatching(`Reserved Label`)},
	}
	// Names Docker would reject, or read as another API path, fail the plan.
	for _, bad := range []string{"", "a/b", "-net", "nét", "a b"} {
		steps = append(steps, resource.TestStep{
			Config: acctest.ProviderConfig() +
				fmt.Sprintf("resource \"dockerfleet_network\" \"test\" {\n  name = %q\n}\n", bad),
			ExpectError: errorMatching(`Attribute name must start with a letter or digit`),
		})
	}
	for i := range steps {
		steps[i].PlanOnly = true
	}
	// A host reference pinning another engine than the one answering.
	steps = append(steps, resource.TestStep{
		Config: literal(fmt.Sprintf("  host = { name = \"h1\", endpoint = %q, engine_id = \"OTHER\" }",
			h1.Unix)),
		ExpectError: errorMatching(`on host "h1"`, "expects engine_id OTHER"),
	})
	// A driver the daemon does not know fails at apply, naming the host.
	steps = append(steps, resource.TestStep{
		Config:      networkHCL(t, false, name, `  driver = "nosuchdriver"`, "h1"),
		ExpectError: errorMatching(`Creating network "`+name+`" on host "h1"`, "nosuchdriver"),
	})

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps:                    steps,
	})
}

// Several resources that name the same network on the same engine, some
// reaching it over TCP and some over its socket, are applied at once. Docker
// would hold several networks of that name if their creations raced; the
// provider makes them share one.
func TestAccNetwork_sameNameOnOneEngine(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("net")
	h1 := acctest.Host(t, "h1")
	config := acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_network" "test" {
  count = 6
  name  = %q
  host  = { name = "h1", endpoint = count.index %% 2 == 0 ? %q : %q }
}
`, name, h1.Unix, h1.TCP)

	onlyOne := func(*terraform.State) error {
		list, err := acctest.Docker(t, "h1").NetworkList(context.Background(), network.ListOptions{
			Filters: filters.NewArgs(filters.Arg("name", name))})
		if err != nil {
			return err
		}
		count := 0
		for _, n := range list {
			if n.Name == name {
				count++
			}
		}
		if count != 1 {
			return fmt.Errorf("%d networks named %s on h1, want 1", count, name)
		}
		return nil
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedNetwork(t, name),
		Steps:                    []resource.TestStep{{Config: config, Check: onlyOne}},
	})
}
