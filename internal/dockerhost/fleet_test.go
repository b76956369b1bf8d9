package dockerhost

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
)

// These tests and the benchmark reach the Docker hosts of the test fleet
// (scripts/fleet.sh) and skip when its environment is not set.

func fleetEnv(tb testing.TB, names ...string) map[string]string {
	tb.Helper()
	env := map[string]string{}
	for _, n := range names {
		v := os.Getenv(n)
		if v == "" {
			tb.Skipf("%s is not set; run eval \"$(scripts/fleet.sh env)\" first", n)
		}
		env[n] = v
	}
	return env
}

func fleetSSHProfile(env map[string]string) *SSHProfile {
	return &SSHProfile{IdentityFile: env["DFL_SSH_KEY"], KnownHostsFile: env["DFL_SSH_KNOWN_HOSTS"]}
}

func TestFleetSSH(t *testing.T) {
	env := fleetEnv(t, "DFL_SSH_ENDPOINT", "DFL_SSH_KEY", "DFL_SSH_KNOWN_HOSTS",
		"DFL_SSH_WRONG_KNOWN_HOSTS", "DFL_H2_UNIX")
	target := Target{Name: "h2", Endpoint: env["DFL_SSH_ENDPOINT"], Auth: "ssh"}

	viaSSH, err := factsOf(t, sshPool(fleetSSHProfile(env)), target)
	if err != nil {
		t.Fatal(err)
	}
	local, err := factsOf(t, testPool(nil), Target{Name: "h2", Endpoint: env["DFL_H2_UNIX"]})
	if err != nil {
		t.Fatal(err)
	}
	if viaSSH != local {
		t.Errorf("facts over SSH %+v differ from the local socket's %+v", viaSSH, local)
	}

	wrong := fleetSSHProfile(env)
	wrong.KnownHostsFile = env["DFL_SSH_WRONG_KNOWN_HOSTS"]
	_, err = factsOf(t, sshPool(wrong), target)
	mustRefuse(t, err, "CHANGED", "SHA256:")
}

func TestFleetTLS(t *testing.T) {
	env := fleetEnv(t, "DFL_H3_TLS", "DFL_TLS_CA", "DFL_TLS_CERT", "DFL_TLS_KEY",
		"DFL_TLS_WRONG_CA")
	p := &TLSProfile{CAFile: env["DFL_TLS_CA"], CertFile: env["DFL_TLS_CERT"],
		KeyFile: env["DFL_TLS_KEY"]}
	if _, err := tlsFacts(t, env["DFL_H3_TLS"], p); err != nil {
		t.Fatal(err)
	}

	for name, tc := range map[string]struct {
		profile *TLSProfile
		want    TLSProblem
	}{
		"wrong CA": {&TLSProfile{CAFile: env["DFL_TLS_WRONG_CA"], CertFile: p.CertFile,
			KeyFile: p.KeyFile}, TLSUnknownAuthority},
		"no client certificate": {&TLSProfile{CAFile: p.CAFile}, TLSClientCertRejected},
		"plain HTTP":            {nil, TLSRequiredByServer},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := tlsFacts(t, env["DFL_H3_TLS"], tc.profile)
			mustBeTLSProblem(t, err, tc.want)
		})
	}
}

// BenchmarkRefreshTCPvsSSH times what a refresh does on one host, engine facts
// and a labelled container list, over plain TCP and over SSH to the same
// daemon, once connected.
func BenchmarkRefreshTCPvsSSH(b *testing.B) {
	env := fleetEnv(b, "DFL_H2_TCP", "DFL_SSH_ENDPOINT", "DFL_SSH_KEY", "DFL_SSH_KNOWN_HOSTS")
	pool := sshPool(fleetSSHProfile(env))
	defer pool.Close()

	for _, tc := range []struct{ name, endpoint, auth string }{
		{"tcp", env["DFL_H2_TCP"], ""},
		{"ssh", env["DFL_SSH_ENDPOINT"], "ssh"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			h, err := pool.Host(Target{Name: "h2", Endpoint: tc.endpoint, Auth: tc.auth})
			if err != nil {
				b.Fatal(err)
			}
			if err := refreshLike(h); err != nil {
				b.Fatal(err)
			}

			for b.Loop() {
				if err := refreshLike(h); err != nil {
					b.Fatal(err)
				}
			}
		})
	}

	// What the first refresh of a provider process pays: the SSH handshake.
	b.Run("ssh-first-call", func(b *testing.B) {
		for b.Loop() {
			fresh := sshPool(fleetSSHProfile(env))
			h, err := fresh.Host(Target{Name: "h2", Endpoint: env["DFL_SSH_ENDPOINT"], Auth: "ssh"})
			if err != nil {
				b.Fatal(err)
			}
			if err := refreshLike(h); err != nil {
				b.Fatal(err)
			}
			fresh.Close()
		}
	})
}

func refreshLike(h *Host) error {
	ctx := context.Background()
	return h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		if _, err := c.Info(ctx); err != nil {
			return err
		}
		list, err := c.ContainerList(ctx, container.ListOptions{All: true,
			Filters: filters.NewArgs(filters.Arg("label", "dockerfleet.bench=1"))})
		if err != nil {
			return err
		}
		if list == nil {
			return errors.New("no container list")
		}
		return nil
	})
}

// TestFleetExecStreams runs an exec with attached output over SSH and over
// TLS: hijacked streams must go through the same dialer as API calls.
func TestFleetExecStreams(t *testing.T) {
	env := fleetEnv(t, "DFL_SSH_ENDPOINT", "DFL_SSH_KEY", "DFL_SSH_KNOWN_HOSTS", "DFL_H3_TLS",
		"DFL_TLS_CA", "DFL_TLS_CERT", "DFL_TLS_KEY", "DFL_IMAGE")
	pool := testPool(map[string]Profile{
		"ssh": {Name: "ssh", SSH: fleetSSHProfile(env)},
		"tls": {Name: "tls", TLS: &TLSProfile{CAFile: env["DFL_TLS_CA"],
			CertFile: env["DFL_TLS_CERT"], KeyFile: env["DFL_TLS_KEY"]}},
	})
	defer pool.Close()

	for _, target := range []Target{
		{Name: "h2", Endpoint: env["DFL_SSH_ENDPOINT"], Auth: "ssh"},
		{Name: "h3", Endpoint: env["DFL_H3_TLS"], Auth: "tls"},
	} {
		t.Run(target.Name, func(t *testing.T) {
			h, err := pool.Host(target)
			if err != nil {
				t.Fatal(err)
			}
			err = h.Call(context.Background(), func(ctx context.Context, c *client.Client) error {
				return execEcho(ctx, c, env["DFL_IMAGE"])
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func execEcho(ctx context.Context, c *client.Client, image string) error {
	name := fmt.Sprintf("dfl-exec-%d", time.Now().UnixNano())
	created, err := c.ContainerCreate(ctx, &container.Config{Image: image,
		Cmd: []string{"sleep", "30"}}, nil, nil, nil, name)
	if err != nil {
		return err
	}
	defer func() {
		_ = c.ContainerRemove(context.Background(), created.ID, container.RemoveOptions{Force: true})
	}()
	if err := c.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return err
	}

	exec, err := c.ContainerExecCreate(ctx, created.ID, container.ExecOptions{
		Cmd: []string{"echo", "over the stream"}, AttachStdout: true, AttachStderr: true})
	if err != nil {
		return err
	}
	attached, err := c.ContainerExecAttach(ctx, exec.ID, container.ExecAttachOptions{})
	if err != nil {
		return err
	}
	defer attached.Close()
	var stdout, stderr strings.Builder
	if _, err := stdcopy.StdCopy(&stdout, &stderr, attached.Reader); err != nil {
		return err
	}
	if got := strings.TrimSpace(stdout.String()); got != "over the stream" {
		return fmt.Errorf("exec printed %q (stderr %q)", got, stderr.String())
	}
	return nil
}
