package provider_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/docker/docker/api/types/volume"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

const volAddr = "dockerfleet_volume.test"

func volumeHCL(t *testing.T, viaTCP bool, name, extra string, members ...string) string {
	return fleetHCL(t, viaTCP) + fmt.Sprintf(`
resource "dockerfleet_volume" "test" {
  name  = %q
  hosts = %s
%s
}
`, name, hostsExpr(members...), extra)
}

// volumeOn asks a host's daemon for the volume of that name.
func volumeOn(t *testing.T, host, name string) (volume.Volume, bool) {
	t.Helper()
	v, err := acctest.Docker(t, host).VolumeInspect(context.Background(), name)
	if err != nil {
		return volume.Volume{}, false
	}
	return v, true
}

// checkVolumes asks the daemons that the volume is on exactly the given
// hosts and that state records its mountpoint there.
func checkVolumes(t *testing.T, name string, on ...string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, host := range []string{"h1", "h2", "h3"} {
			v, found := volumeOn(t, host, name)
			if want := contains(on, host); found != want {
				return fmt.Errorf("volume %s on %s: found = %v, want %v", name, host, found, want)
			}
			if !found || s == nil {
				continue
			}
			if v.Labels["dockerfleet.managed"] != "true" {
				return fmt.Errorf("volume %s on %s lacks ownership labels: %v", name, host, v.Labels)
			}
			// A volume left on a host removed from `hosts` is not in state.
			rs := s.RootModule().Resources[volAddr]
			if rs == nil || rs.Primary.Attributes["per_host."+host+".mountpoint"] == "" {
				continue
			}
			if err := resource.TestCheckResourceAttr(volAddr, "per_host."+host+".mountpoint",
				v.Mountpoint)(s); err != nil {
				return err
			}
		}
		return nil
	}
}

func destroyedVolume(t *testing.T, name string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		for _, host := range []string{"h1", "h2", "h3"} {
			if _, found := volumeOn(t, host, name); found {
				return fmt.Errorf("volume %s still exists on %s after destroy", name, host)
			}
		}
		return nil
	}
}

func TestAccVolume_basic(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("vol")
	created := newIDRecorder(volAddr, "created_at")
	all := []string{"h1", "h2", "h3"}
	t.Cleanup(func() { _ = acctest.Docker(t, "h3").VolumeRemove(context.Background(), name, true) })

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedVolume(t, name),
		Steps: []resource.TestStep{
			{
				Config: volumeHCL(t, true, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionCreate),
					plancheck.ExpectKnownValue(volAddr, tfjsonpath.New("per_host"), knownvalue.MapSizeExact(3)),
					plancheck.ExpectUnknownValue(volAddr, perHostPath("h1", "mountpoint")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, all...),
					resource.TestCheckResourceAttr(volAddr, "driver", "local"),
					created.record(all...),
				),
			},
			{
				ResourceName:      volAddr,
				ImportState:       true,
				ImportStateId:     importIDFor(t, name, true, all...),
				ImportStateVerify: true,
			},
			{
				ResourceName:    volAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   importIDFor(t, name, true, all...),
			},
			{
				// Removing a host forgets the volume there and keeps its data.
				Config: volumeHCL(t, true, name, "", "h1", "h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectKnownValue(volAddr, tfjsonpath.New("per_host"), knownvalue.MapSizeExact(2)),
					plancheck.ExpectKnownValue(volAddr, perHostPath("h1", "created_at"), created.sameAs("h1")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, all...),
					resource.TestCheckNoResourceAttr(volAddr, "per_host.h3.mountpoint"),
				),
			},
			{
				// Adding it back adopts the volume left there.
				Config: volumeHCL(t, true, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(volAddr, perHostPath("h3", "created_at")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, all...),
					created.unchanged(all...),
				),
			},
			{
				// A relabel would replace the volume and lose its data.
				Config:      volumeHCL(t, true, name, `  labels = { tier = "db" }`, all...),
				PlanOnly:    true,
				ExpectError: errorMatching("Volume Would Lose Its Data", "allow_data_loss = true"),
			},
			{
				Config: volumeHCL(t, true, name, "  labels = { tier = \"db\" }\n  allow_data_loss = true",
					all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionReplace),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, all...),
					func(*terraform.State) error {
						if v, _ := volumeOn(t, "h2", name); v.Labels["tier"] != "db" {
							return fmt.Errorf("volume %s on h2 has labels %v, want tier=db", name, v.Labels)
						}
						return nil
					},
				),
			},
			{
				// With allow_data_loss, removing a host removes the volume there.
				Config: volumeHCL(t, true, name, "  labels = { tier = \"db\" }\n  allow_data_loss = true",
					"h1", "h2"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionUpdate),
				}},
				Check: checkVolumes(t, name, "h1", "h2"),
			},
		},
	})
}

func TestAccVolume_driftAndBlockedDestroy(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("vol")
	user := acctest.RandomName("user")
	created := newIDRecorder(volAddr, "created_at")
	all := []string{"h1", "h2", "h3"}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedVolume(t, name),
		Steps: []resource.TestStep{
			{
				Config: volumeHCL(t, false, name, "", all...),
				Check:  resource.ComposeAggregateTestCheckFunc(checkVolumes(t, name, all...), created.record(all...)),
			},
			{
				PreConfig: func() {
					if err := acctest.Docker(t, "h2").VolumeRemove(context.Background(), name, false); err != nil {
						t.Fatalf("removing volume %s on h2 by hand: %v", name, err)
					}
				},
				Config: volumeHCL(t, false, name, "", all...),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(volAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(volAddr, perHostPath("h2", "mountpoint")),
					plancheck.ExpectKnownValue(volAddr, perHostPath("h1", "created_at"), created.sameAs("h1")),
				}},
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, all...),
					created.unchanged("h1", "h3"),
				),
			},
			{
				PreConfig:   func() { startContainer(t, "h1", user, "", name, nil) },
				Config:      volumeHCL(t, false, name, "", all...),
				Destroy:     true,
				ExpectError: errorMatching(`Removing volume "`+name+`" on host "h1"`, user),
			},
			{
				PreConfig: func() { removeContainer(t, "h1", user) },
				Config:    volumeHCL(t, false, name, "", all...),
				Destroy:   true,
			},
		},
	})
}

// TestAccVolume_defaultHost runs a volume on the provider's default host,
// with no host named, and imports it by name alone.
func TestAccVolume_defaultHost(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("vol")
	config := fmt.Sprintf(`
provider "dockerfleet" {
  default_host = %q
}

resource "dockerfleet_volume" "test" {
  name = %q
}
`, acctest.Host(t, "h2").Unix, name)

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedVolume(t, name),
		Steps: []resource.TestStep{
			{
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					checkVolumes(t, name, "h2"),
					resource.TestCheckResourceAttrSet(volAddr, "per_host.default.mountpoint"),
				),
			},
			{
				ResourceName:    volAddr,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithID,
				ImportStateId:   name,
			},
		},
	})
}

func TestAccVolume_badInput(t *testing.T) {
	t.Parallel()
	name := acctest.RandomName("vol")
	h1 := acctest.Host(t, "h1")
	literal := func(body string) string {
		return acctest.ProviderConfig() + fmt.Sprintf(`
resource "dockerfleet_volume" "test" {
  name = %q
%s
}
`, name, body)
	}

	// Names Docker's local driver rejects fail the plan, not the apply.
	var badNames []resource.TestStep
	for _, bad := range []string{"", "v", "a/b", "-vol", "völ"} {
		badNames = append(badNames, resource.TestStep{
			Config: acctest.ProviderConfig() +
				fmt.Sprintf("resource \"dockerfleet_volume\" \"test\" {\n  name = %q\n}\n", bad),
			PlanOnly:    true,
			ExpectError: errorMatching(`Attribute name must be at least two characters`),
		})
	}

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy:             destroyedVolume(t, name),
		Steps: append(badNames, []resource.TestStep{
			{
				Config:      literal("  labels = { \"dockerfleet.spec\" = \"x\" }"),
				PlanOnly:    true,
				ExpectError: errorMatching(`Reserved Label`),
			},
			{
				Config: literal(fmt.Sprintf("  host = { name = \"a\", endpoint = %q }\n"+
					"  hosts = { b = { name = \"b\", endpoint = %q } }", h1.Unix, h1.Unix)),
				PlanOnly:    true,
				ExpectError: errorMatching(`cannot be configured together`),
			},
			{
				Config: literal(fmt.Sprintf("  host = { name = \"h1\", endpoint = %q }\n"+
					"  driver = \"nosuchdriver\"", h1.Unix)),
				ExpectError: errorMatching(`Creating volume "`+name+`" on host "h1"`, "nosuchdriver"),
			},
		}...),
	})
}
