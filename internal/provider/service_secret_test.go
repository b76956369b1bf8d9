package provider_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/acctest"
)

// TestAccService_secretEnv checks that a secret_env value reaches the
// container and nothing else: not the labels or digests on the daemon, not
// any other attribute of the plan, and not the provider's trace log. A
// changed secret still replaces the replicas. Terraform itself keeps the
// value of the sensitive attribute in state and plan files, as it does for
// every provider. The same run reaches the TLS host with PEM given inline,
// and the trace log must not hold the client key either.
func TestAccService_secretEnv(t *testing.T) {
	dir := t.TempDir()
	logPath := filepath.Join(dir, "provider.log")
	t.Setenv("TF_LOG", "TRACE")
	t.Setenv("TF_ACC_LOG_PATH", logPath)

	name := acctest.RandomName("sec")
	first, second := acctest.RandomName("s3cret"), acctest.RandomName("s3cret")
	secretFile := filepath.Join(dir, "token")

	resource.Test(t, resource.TestCase{
		PreCheck:                 func() { acctest.PreCheck(t) },
		ProtoV6ProviderFactories: acctest.ProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig: func() { writeSecret(t, secretFile, first) },
				Config:    secretConfig(t, name, secretFile),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					secretOnlyInSecretEnv{secret: first},
				}},
				Check: func(*terraform.State) error {
					return secretOnlyInEnv(t, name, first)
				},
			},
			{
				PreConfig: func() { writeSecret(t, secretFile, second) },
				Config:    secretConfig(t, name, secretFile),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(svcAddr, plancheck.ResourceActionUpdate),
					plancheck.ExpectUnknownValue(svcAddr, tfjsonpath.New("instances").AtMapKey(name+"-1").AtMapKey("container_id")),
					secretOnlyInSecretEnv{secret: second},
				}},
				Check: func(*terraform.State) error {
					return secretOnlyInEnv(t, name, second)
				},
			},
		},
	})

	logs, err := os.ReadFile(logPath)
	if err != nil {
		t.Fatalf("reading the provider log: %v", err)
	}
	if len(logs) == 0 {
		t.Fatal("the provider log is empty; the check below would prove nothing")
	}
	for _, s := range append([]string{first, second}, keyLines(t)...) {
		if strings.Contains(string(logs), s) {
			t.Errorf("the secret %q appears in the trace log", s)
		}
	}
}

// keyLines are the base64 lines of the TLS client key, without its armour.
func keyLines(t *testing.T) []string {
	t.Helper()
	pem, err := os.ReadFile(os.Getenv("DFL_TLS_KEY"))
	if err != nil {
		t.Fatalf("reading the client key: %v", err)
	}
	var lines []string
	for _, l := range strings.Split(string(pem), "\n") {
		if l != "" && !strings.HasPrefix(l, "-----") {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 {
		t.Fatal("the client key has no body; the check would prove nothing")
	}
	return lines
}

func secretConfig(t *testing.T, name, secretFile string) string {
	return fmt.Sprintf(`
provider "dockerfleet" {
  auth = {
    pem = {
      tls = {
        ca_pem   = file(%q)
        cert_pem = file(%q)
        key_pem  = file(%q)
      }
    }
  }
}

resource "dockerfleet_host" "tls" {
  name     = %q
  endpoint = %q
  auth     = "pem"
}
`, os.Getenv("DFL_TLS_CA"), os.Getenv("DFL_TLS_CERT"), os.Getenv("DFL_TLS_KEY"), name,
		acctest.Host(t, "h3").TLS) + fmt.Sprintf(`
resource "dockerfleet_service" "test" {
  name        = %q
  host        = { name = "h1", endpoint = %q }
  image       = %q
  replicas    = 1
  command     = ["sleep", "3600"]
  stop_signal = "SIGKILL"
  env         = { PLAIN = "visible" }
  secret_env  = { TOKEN = trimspace(file(%q)) }
  update      = { monitor = "0s" }
}
`, name, acctest.Host(t, "h1").Unix, testImage(t), secretFile)
}

func writeSecret(t *testing.T, path, secret string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
}

// secretOnlyInSecretEnv fails when the secret shows anywhere in the planned
// resource but the secret_env attribute itself.
type secretOnlyInSecretEnv struct{ secret string }

func (c secretOnlyInSecretEnv) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest,
	resp *plancheck.CheckPlanResponse) {
	for _, rc := range req.Plan.ResourceChanges {
		if rc.Address != svcAddr {
			continue
		}
		after, ok := rc.Change.After.(map[string]any)
		if !ok {
			resp.Error = fmt.Errorf("no planned values for %s", svcAddr)
			return
		}
		if _, ok := after["secret_env"]; !ok {
			resp.Error = fmt.Errorf("secret_env is missing from the plan; the check would prove nothing")
			return
		}
		delete(after, "secret_env")
		raw, _ := json.Marshal(after)
		if strings.Contains(string(raw), c.secret) {
			resp.Error = fmt.Errorf("the secret appears in the plan outside secret_env: %s", raw)
		}
		return
	}
	resp.Error = fmt.Errorf("%s is not in the plan", svcAddr)
}

// secretOnlyInEnv asks the daemon: the container has the secret in its
// environment, and in none of its labels.
func secretOnlyInEnv(t *testing.T, service, secret string) error {
	ctx := context.Background()
	docker := acctest.Docker(t, "h1")
	list, err := docker.ContainerList(ctx, container.ListOptions{
		Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.name="+service)),
	})
	if err != nil || len(list) != 1 {
		return fmt.Errorf("want one container of %s on h1, got %d (%v)", service, len(list), err)
	}
	inspect, err := docker.ContainerInspect(ctx, list[0].ID)
	if err != nil {
		return err
	}

	labels, _ := json.Marshal(inspect.Config.Labels)
	if strings.Contains(string(labels), secret) {
		return fmt.Errorf("the secret appears in the container's labels: %s", labels)
	}
	for _, e := range inspect.Config.Env {
		if e == "TOKEN="+secret {
			return nil
		}
	}
	return fmt.Errorf("the container's environment lacks TOKEN: %v", inspect.Config.Env)
}
