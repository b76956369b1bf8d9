// Package acctest connects acceptance tests to the test fleet that
// scripts/fleet.sh starts: the provider factories, a provider block with the
// fleet's credentials, the fleet's hosts and Docker clients to check them out
// of band, and controls that stop, wipe or cut a host in the middle of a test.
//
// The fleet's environment comes from `eval "$(scripts/fleet.sh env)"`. Like
// terraform-plugin-testing, every helper skips the test unless TF_ACC is set,
// so `go test ./...` stays a unit test run.
package acctest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/provider"
)

// ProtoV6ProviderFactories serves the provider in process to the Terraform or
// OpenTofu CLI that runs the test.
var ProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"dockerfleet": providerserver.NewProtocol6WithError(provider.New("test")()),
}

// fleetVars are the variables every acceptance test may rely on.
var fleetVars = []string{
	"DFL_HOSTS", "DFL_H1_UNIX", "DFL_H1_ADDR", "DFL_H1_TCP", "DFL_H2_UNIX", "DFL_H2_ADDR",
	"DFL_H2_TCP", "DFL_H3_UNIX", "DFL_H3_ADDR", "DFL_H3_TLS", "DFL_TLS_CA", "DFL_TLS_CERT",
	"DFL_TLS_KEY", "DFL_TLS_WRONG_CA", "DFL_SSH_ENDPOINT", "DFL_SSH_KEY",
	"DFL_SSH_KNOWN_HOSTS", "DFL_SSH_WRONG_KNOWN_HOSTS", "DFL_IMAGE", "DFL_IMAGE_V2",
}

// PreCheck fails the test at once when the fleet's environment is missing,
// naming the variables, instead of letting it fail later on an empty endpoint.
func PreCheck(t testing.TB) {
	t.Helper()
	skipUnlessAcc(t)

	var missing []string
	for _, v := range fleetVars {
		if os.Getenv(v) == "" {
			missing = append(missing, v)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the test fleet's environment is missing (%s): run scripts/fleet.sh up, then "+
			`eval "$(scripts/fleet.sh env)"`, strings.Join(missing, ", "))
	}
}

// skipUnlessAcc skips like resource.Test does, so helpers called before it
// do not fail a unit test run.
func skipUnlessAcc(t testing.TB) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 and start the fleet (scripts/fleet.sh up)")
	}
}

// ProviderConfig is a provider block for the fleet: the default host is h1's
// socket, the auth profile "tls" holds the client certificate for h3 and the
// profile "ssh" the key and known_hosts for h2.
func ProviderConfig() string {
	return fmt.Sprintf(`
provider "dockerfleet" {
  default_host = %q
  auth = {
    tls = {
      tls = {
        ca_file   = %q
        cert_file = %q
        key_file  = %q
      }
    }
    ssh = {
      ssh = {
        identity_file    = %q
        known_hosts_file = %q
      }
    }
  }
}
`, os.Getenv("DFL_H1_UNIX"), os.Getenv("DFL_TLS_CA"), os.Getenv("DFL_TLS_CERT"),
		os.Getenv("DFL_TLS_KEY"), os.Getenv("DFL_SSH_KEY"), os.Getenv("DFL_SSH_KNOWN_HOSTS"))
}

// FleetHost is one host of the fleet and its endpoints. An endpoint the host
// does not serve is empty.
type FleetHost struct {
	Name string // h1, h2, ...
	Addr string // its IP address in its own network namespace
	Unix string // unix:// socket, answers even when the host is cut
	TCP  string // plain tcp://Addr:2375 (not on the TLS host)
	TLS  string // tcp://Addr:2376 with TLS and client certificates (h3 only)
	SSH  string // ssh://root@Addr:22/path/to/docker.sock (h2 only)
}

// Host returns a host of the fleet by name ("h1", "h2", "h3").
func Host(t testing.TB, name string) FleetHost {
	t.Helper()
	PreCheck(t)

	h := FleetHost{
		Name: name,
		Addr: hostVar(name, "ADDR"),
		Unix: hostVar(name, "UNIX"),
		TCP:  hostVar(name, "TCP"),
		TLS:  hostVar(name, "TLS"),
	}
	if h.Unix == "" || h.Addr == "" {
		t.Fatalf("host %q is not in the fleet (DFL_HOSTS=%q)", name, os.Getenv("DFL_HOSTS"))
	}
	if ssh := os.Getenv("DFL_SSH_ENDPOINT"); strings.Contains(ssh, "@"+h.Addr+":") {
		h.SSH = ssh
	}
	return h
}

func hostVar(name, suffix string) string {
	return os.Getenv("DFL_" + strings.ToUpper(name) + "_" + suffix)
}

// Docker returns a client for a host's unix socket, for checks and changes
// made behind the provider's back. It still answers when the host is cut off
// the network, and is closed when the test ends.
func Docker(t testing.TB, name string) *client.Client {
	t.Helper()
	h := Host(t, name)

	c, err := client.NewClientWithOpts(client.WithHost(h.Unix), client.WithAPIVersionNegotiation())
	if err != nil {
		t.Fatalf("docker client for %s (%s): %v", name, h.Unix, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// RandomName returns prefix-xxxxxxxx, so that tests running at the same time
// never pick the same Docker or host name.
func RandomName(prefix string) string {
	const letters = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 8)
	for i := range b {
		b[i] = letters[rand.IntN(len(letters))]
	}
	return prefix + "-" + string(b)
}
