package provider_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"golang.org/x/crypto/ssh"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

const connHost = "dockerfleet_host.test"

// sshProviderHCL declares an "ssh" profile with the given identity and
// known_hosts files.
func sshProviderHCL(identity, knownHosts string) string {
	return fmt.Sprintf(`
provider "dockerfleet" {
  auth = {
    ssh = {
      ssh = { identity_file = %q, known_hosts_file = %q, use_agent = false }
    }
  }
}
`, identity, knownHosts)
}

func connHostHCL(name, endpoint, auth string) string {
	return fmt.Sprintf(`
resource "dockerfleet_host" "test" {
  name          = %q
  endpoint      = %q
  auth          = %q
  ready_timeout = "10s"
}
`, name, endpoint, auth)
}

func sshEnv(t *testing.T) (endpoint, key, knownHosts string) {
	t.Helper()
	endpoint, key, knownHosts = os.Getenv("DFL_SSH_ENDPOINT"), os.Getenv("DFL_SSH_KEY"),
		os.Getenv("DFL_SSH_KNOWN_HOSTS")
	if endpoint == "" || key == "" || knownHosts == "" {
		t.Skip("the fleet's SSH host is not set up (DFL_SSH_ENDPOINT, DFL_SSH_KEY, DFL_SSH_KNOWN_HOSTS)")
	}
	return endpoint, key, knownHosts
}

func TestAccConnection_ssh(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	endpoint, key, knownHosts := sshEnv(t)
	info, err := acctest.Docker(t, "h2").Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	name := acctest.RandomName("ssh")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: sshProviderHCL(key, knownHosts) + connHostHCL(name, endpoint, "ssh"),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(connHost, tfjsonpath.New("engine_id"),
					knownvalue.StringExact(info.ID)),
				statecheck.ExpectKnownValue(connHost, tfjsonpath.New("server_version"),
					knownvalue.StringExact(info.ServerVersion)),
				statecheck.ExpectKnownValue(connHost, tfjsonpath.New("cpus"),
					knownvalue.Int64Exact(int64(info.NCPU))),
				statecheck.ExpectKnownValue(connHost, tfjsonpath.New("memory_bytes"),
					knownvalue.Int64Exact(info.MemTotal)),
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

func TestAccConnection_sshWrongKnownHosts(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	endpoint, key, knownHosts := sshEnv(t)
	wrong := os.Getenv("DFL_SSH_WRONG_KNOWN_HOSTS")
	if wrong == "" {
		t.Skip("DFL_SSH_WRONG_KNOWN_HOSTS is not set")
	}

	// The error must name the key the host really offers.
	fingerprint := knownFingerprint(t, knownHosts)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: sshProviderHCL(key, wrong) +
				connHostHCL(acctest.RandomName("ssh"), endpoint, "ssh"),
			ExpectError: regexp.MustCompile(`(?s)CHANGED.*` + regexp.QuoteMeta(fingerprint)),
		}},
	})
}

func TestAccConnection_sshWrongKey(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	endpoint, _, knownHosts := sshEnv(t)

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: sshProviderHCL(strangerKey(t), knownHosts) +
				connHostHCL(acctest.RandomName("ssh"), endpoint, "ssh"),
			ExpectError: regexp.MustCompile(`refused\s+the\s+login`),
		}},
	})
}

// TestAccConnection_tlsPEM reaches the TLS host with the certificates given as
// PEM text in the provider block, and checks that none of it reaches the
// state or the plan.
func TestAccConnection_tlsPEM(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	h3 := acctest.Host(t, "h3")
	files := map[string]string{
		"ca_pem": os.Getenv("DFL_TLS_CA"), "cert_pem": os.Getenv("DFL_TLS_CERT"),
		"key_pem": os.Getenv("DFL_TLS_KEY"),
	}
	var secrets []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		secrets = append(secrets, pemBodyLines(string(b))...)
	}
	// file() rather than literals: the CLI prints literal constants of the
	// configuration in the plan JSON, whatever the provider does.
	config := fmt.Sprintf(`
provider "dockerfleet" {
  auth = {
    tls = {
      tls = { ca_pem = file(%q), cert_pem = file(%q), key_pem = file(%q) }
    }
  }
}
`, files["ca_pem"], files["cert_pem"], files["key_pem"]) +
		connHostHCL(acctest.RandomName("tls"), h3.TLS, "tls")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: config,
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				noSecretsInPlan{secrets},
			}},
			ConfigStateChecks: []statecheck.StateCheck{
				noSecretsInState{secrets},
				statecheck.ExpectKnownValue(connHost, tfjsonpath.New("engine_id"),
					knownvalue.NotNull()),
			},
		}},
	})
}

func TestAccConnection_tlsWrongCAIsClear(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	h3 := acctest.Host(t, "h3")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "dockerfleet" {
  auth = {
    tls = { tls = { ca_file = %q, cert_file = %q, key_file = %q } }
  }
}
`, os.Getenv("DFL_TLS_WRONG_CA"), os.Getenv("DFL_TLS_CERT"), os.Getenv("DFL_TLS_KEY")) +
				connHostHCL(acctest.RandomName("tls"), h3.TLS, "tls"),
			ExpectError: regexp.MustCompile(`not\s+signed\s+by\s+the\s+CA\s+of\s+the\s+auth\s+profile`),
		}},
	})
}

// TestAccConnection_objectsOverSSH creates a network, a volume and a service
// with two replicas on the SSH host, and checks them on its daemon.
func TestAccConnection_objectsOverSSH(t *testing.T) {
	t.Parallel()
	acctest.PreCheck(t)
	endpoint, key, knownHosts := sshEnv(t)
	name := acctest.RandomName("sshobj")
	docker := acctest.Docker(t, "h2")

	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		CheckDestroy: func(*terraform.State) error {
			return objectsOnH2(docker, name, false)
		},
		Steps: []resource.TestStep{{
			Config: sshProviderHCL(key, knownHosts) + connHostHCL("h2", endpoint, "ssh") +
				fmt.Sprintf(`
resource "dockerfleet_network" "ssh" {
  name = %[1]q
  host = dockerfleet_host.test
}

resource "dockerfleet_volume" "ssh" {
  name = %[1]q
  host = dockerfleet_host.test
}

resource "dockerfleet_service" "ssh" {
  name     = %[1]q
  host     = dockerfleet_host.test
  image    = %[2]q
  replicas = 2
  command  = ["sleep", "3600"]
  stop_signal = "SIGKILL"
  update   = { parallelism = 0, monitor = "0s" }
  networks = [{ name = dockerfleet_network.ssh.name }]
  mounts   = [{ source = dockerfleet_volume.ssh.name, target = "/data" }]
}
`, name, os.Getenv("DFL_IMAGE")),
			Check: func(*terraform.State) error {
				return objectsOnH2(docker, name, true)
			},
			ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
				plancheck.ExpectEmptyPlan(),
			}},
		}},
	})
}

// objectsOnH2 checks that the network, the volume and the two running
// replicas named name are on h2, or that none of them is left.
func objectsOnH2(docker *client.Client, name string, want bool) error {
	ctx := context.Background()
	_, netErr := docker.NetworkInspect(ctx, name, network.InspectOptions{})
	_, volErr := docker.VolumeInspect(ctx, name)
	running, err := docker.ContainerList(ctx, container.ListOptions{All: !want,
		Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.name="+name))})
	if err != nil {
		return err
	}

	switch {
	case want && (netErr != nil || volErr != nil):
		return fmt.Errorf("network (%v) or volume (%v) made over SSH is not on h2", netErr, volErr)
	case want && len(running) != 2:
		return fmt.Errorf("%d running replicas of %s on h2, want 2", len(running), name)
	case !want && (netErr == nil || volErr == nil || len(running) > 0):
		return fmt.Errorf("destroy over SSH left objects named %s on h2", name)
	}
	return nil
}

// knownFingerprint is the SHA256 fingerprint of the first key of a
// known_hosts file.
func knownFingerprint(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	_, _, key, _, _, err := ssh.ParseKnownHosts(b)
	if err != nil {
		t.Fatal(err)
	}
	return ssh.FingerprintSHA256(key)
}

// strangerKey writes a private key that no host authorizes.
func strangerKey(t *testing.T) string {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "stranger")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_stranger")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func pemBodyLines(text string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if line = strings.TrimSpace(line); len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			lines = append(lines, line)
		}
	}
	return lines
}

// noSecretsInPlan fails when any secret line shows anywhere in the plan JSON,
// the configuration section included.
type noSecretsInPlan struct{ secrets []string }

func (c noSecretsInPlan) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	resp.Error = findSecrets("plan", req.Plan, c.secrets)
}

// noSecretsInState fails when any secret line shows anywhere in the state.
type noSecretsInState struct{ secrets []string }

func (c noSecretsInState) CheckState(_ context.Context, req statecheck.CheckStateRequest,
	resp *statecheck.CheckStateResponse) {
	resp.Error = findSecrets("state", req.State, c.secrets)
}

func findSecrets(where string, v any, secrets []string) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	text := strings.ReplaceAll(string(b), `\n`, "\n")
	for _, s := range secrets {
		if strings.Contains(text, s) {
			return fmt.Errorf("the %s holds PEM text of the auth profile", where)
		}
	}
	return nil
}
