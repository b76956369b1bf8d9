package provider_test

import (
	"context"
	"fmt"
	"os"
	"regexp"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

func TestAccHost_basic(t *testing.T) {
	t.Parallel()
	h1 := acctest.Host(t, "h1")
	engineID := engineIDOf(t, "h1")
	name := acctest.RandomName("node")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: hostConfig(name, h1.Unix, `{ zone = "a" }`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
						knownvalue.StringExact(engineID)),
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("os"),
						knownvalue.StringExact("linux")),
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("cpus"),
						knownvalue.Int64Func(positive)),
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("memory_bytes"),
						knownvalue.Int64Func(positive)),
				},
			},
			{
				ResourceName:      "dockerfleet_host.test",
				ImportState:       true,
				ImportStateId:     name + "," + h1.Unix,
				ImportStateVerify: true,
				// Labels live only in the configuration; the engine knows
				// nothing of them, so the next apply sets them in place.
				ImportStateVerifyIgnore: []string{"labels"},
			},
			{
				// Labels only matter to placement: an in-place update.
				Config: hostConfig(name, h1.Unix, `{ zone = "b" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dockerfleet_host.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
						knownvalue.StringExact(engineID)),
				}},
			},
			{
				// Another way to the same engine: updated in place, facts read
				// again through the new endpoint.
				Config: hostConfig(name, h1.TCP, `{ zone = "b" }`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dockerfleet_host.test", plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue("dockerfleet_host.test", tfjsonpath.New("engine_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
						knownvalue.StringExact(engineID)),
				},
			},
		},
	})
}

func TestAccHost_dataSource(t *testing.T) {
	t.Parallel()
	h2 := acctest.Host(t, "h2")
	engineID := engineIDOf(t, "h2")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: acctest.ProviderConfig() + fmt.Sprintf(`
data "dockerfleet_host" "test" {
  endpoint = %q
}
`, h2.TCP),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.dockerfleet_host.test", tfjsonpath.New("engine_id"),
					knownvalue.StringExact(engineID)),
				statecheck.ExpectKnownValue("data.dockerfleet_host.test", tfjsonpath.New("server_version"),
					knownvalue.StringRegexp(regexp.MustCompile(`^\d+\.\d+`))),
			},
		}},
	})
}

func TestAccHost_tls(t *testing.T) {
	t.Parallel()
	h3 := acctest.Host(t, "h3")
	engineID := engineIDOf(t, "h3")
	name := acctest.RandomName("tls")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: hostConfigAuth(name, h3.TLS, "tls"),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
						knownvalue.StringExact(engineID)),
				},
			},
		},
	})
}

func TestAccHost_tlsWrongCA(t *testing.T) {
	t.Parallel()
	h3 := acctest.Host(t, "h3")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "dockerfleet" {
  auth = {
    wrong = { tls = { ca_file = %q, cert_file = %q, key_file = %q } }
  }
}

resource "dockerfleet_host" "test" {
  name          = %q
  endpoint      = %q
  auth          = "wrong"
  ready_timeout = "5s"
}
`, os.Getenv("DFL_TLS_WRONG_CA"), os.Getenv("DFL_TLS_CERT"), os.Getenv("DFL_TLS_KEY"),
				acctest.RandomName("tls"), h3.TLS),
			ExpectError: regexp.MustCompile(`(?i)certificate`),
		}},
	})
}

// TestAccHost_waitsForDaemon creates a host whose daemon comes up only after
// create has begun, as a freshly booted server's would.
func TestAccHost_waitsForDaemon(t *testing.T) {
	h1 := acctest.Host(t, "h1")
	name := acctest.RandomName("late")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			PreConfig: func() {
				acctest.StopHost(t, "h1")
				go func() {
					time.Sleep(4 * time.Second)
					acctest.StartHost(t, "h1")
				}()
			},
			Config: hostConfig(name, h1.Unix, `{}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
					knownvalue.StringFunc(func(id string) error {
						if id != engineIDOf(t, "h1") {
							return fmt.Errorf("engine_id %q is not h1's", id)
						}
						return nil
					})),
			},
		}},
	})
}

// TestAccHost_downDuringRefresh stops the daemon after create: refresh warns
// and keeps the host, so the plan stays empty instead of proposing a create.
func TestAccHost_downDuringRefresh(t *testing.T) {
	h1 := acctest.Host(t, "h1")
	name := acctest.RandomName("down")
	t.Cleanup(func() { acctest.StartHost(t, "h1") })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: hostConfig(name, h1.Unix, `{}`)},
			{
				PreConfig: func() { acctest.StopHost(t, "h1") },
				Config:    hostConfig(name, h1.Unix, `{}`),
				PlanOnly:  true,
			},
			{
				PreConfig: func() { acctest.StartHost(t, "h1") },
				Config:    hostConfig(name, h1.Unix, `{}`),
				PlanOnly:  true,
			},
		},
	})
}

// TestAccHost_engineRebuilt wipes the engine behind the address: the plan
// replaces the host, and the new engine ID is recorded.
func TestAccHost_engineRebuilt(t *testing.T) {
	h1 := acctest.Host(t, "h1")
	name := acctest.RandomName("wiped")
	var before string

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: hostConfig(name, h1.Unix, `{}`)},
			{
				PreConfig: func() {
					before = engineIDOf(t, "h1")
					acctest.WipeHost(t, "h1")
				},
				Config: hostConfig(name, h1.Unix, `{}`),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("dockerfleet_host.test",
						plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectUnknownValue("dockerfleet_host.test", tfjsonpath.New("engine_id")),
				}},
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue("dockerfleet_host.test", tfjsonpath.New("engine_id"),
						knownvalue.StringFunc(func(id string) error {
							if id == before || id != engineIDOf(t, "h1") {
								return fmt.Errorf("engine_id %q: want the new engine, not %q", id, before)
							}
							return nil
						})),
				},
			},
		},
	})
}

func TestAccHost_badInput(t *testing.T) {
	t.Parallel()
	h1 := acctest.Host(t, "h1")

	cases := map[string]struct {
		config string
		want   string
	}{
		"malformed endpoint": {hostConfig("n", "unix://var/run/docker.sock", `{}`), `absolute socket path`},
		"unsupported scheme": {hostConfig("n", "http://10.0.0.1:2375", `{}`), `unsupported scheme "http"`},
		"empty name":         {hostConfig("", h1.Unix, `{}`), `must start with a letter or digit`},
		"unknown auth":       {hostConfigAuth("n", h1.TCP, "nope"), `Auth profile "nope" is not defined`},
		"auth of another kind": {hostConfigAuth("n", h1.TCP, "ssh"),
			`has no tls block`},
		"negative timeout": {acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_host" "test" {
  name          = "n"
  endpoint      = %q
  ready_timeout = "-1m"
}
`, h1.Unix), `"-1m" is not allowed here`},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			resource.Test(t, resource.TestCase{
				PreCheck:                 func() { acctest.PreCheck(t) },
				ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
				Steps: []resource.TestStep{{
					Config:      tc.config,
					PlanOnly:    true,
					ExpectError: regexp.MustCompile(regexp.QuoteMeta(tc.want)),
				}},
			})
		})
	}
}

func hostConfig(name, endpoint, labels string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_host" "test" {
  name     = %q
  endpoint = %q
  labels   = %s
}
`, name, endpoint, labels)
}

func hostConfigAuth(name, endpoint, auth string) string {
	return acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_host" "test" {
  name     = %q
  endpoint = %q
  auth     = %q
}
`, name, endpoint, auth)
}

// engineIDOf asks the daemon itself, not the provider.
func engineIDOf(t *testing.T, host string) string {
	t.Helper()
	info, err := acctest.Docker(t, host).Info(context.Background())
	if err != nil {
		t.Fatalf("asking %s for its engine ID: %v", host, err)
	}
	return info.ID
}

func positive(v int64) error {
	if v <= 0 {
		return fmt.Errorf("%d is not positive", v)
	}
	return nil
}
