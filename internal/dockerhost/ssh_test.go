package dockerhost

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// sshFixture is an SSH server in front of a fake daemon, an authorized
// identity file and a known_hosts file that trusts the server.
type sshFixture struct {
	server     *testSSHServer
	socket     string
	identity   string
	knownHosts string
}

func newSSHFixture(t *testing.T) sshFixture {
	t.Helper()
	identity, pub := newIdentity(t, "")
	server := newTestSSHServer(t, pub)
	return sshFixture{
		server:     server,
		socket:     fakeDaemonSocket(t),
		identity:   identity,
		knownHosts: knownHostsWith(t, server.addr, server.hostKey.PublicKey()),
	}
}

func (f sshFixture) endpoint() string {
	return "ssh://tester@" + f.server.addr + f.socket
}

func (f sshFixture) profile() *SSHProfile {
	return &SSHProfile{IdentityFile: f.identity, KnownHostsFile: f.knownHosts}
}

func sshPool(p *SSHProfile) *Pool {
	return testPool(map[string]Profile{"ssh": {Name: "ssh", SSH: p}})
}

func (f sshFixture) target() Target {
	return Target{Name: "node", Endpoint: f.endpoint(), Auth: "ssh"}
}

// mustRefuse checks that err is a loud refusal, never a host that did not
// answer, and that its message holds every wanted piece.
func mustRefuse(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("connection succeeded, want a refusal")
	}
	t.Logf("refused as expected: %v", err)
	if IsUnreachable(err) || !IsAuthFailure(err) {
		t.Errorf("IsUnreachable = %v, IsAuthFailure = %v for %v; want false, true",
			IsUnreachable(err), IsAuthFailure(err), err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error does not mention %q:\n%v", w, err)
		}
	}
}

func TestSSHForwardsDockerAPI(t *testing.T) {
	f := newSSHFixture(t)
	pool := sshPool(f.profile())
	defer pool.Close()

	facts, err := factsOf(t, pool, f.target())
	if err != nil {
		t.Fatal(err)
	}
	if facts.EngineID != fakeEngineID || facts.APIVersion != "1.41" {
		t.Errorf("facts = %+v, want engine %s over API 1.41", facts, fakeEngineID)
	}

	// Every later call rides on the same SSH connection.
	h, _ := pool.Host(f.target())
	for range 5 {
		err := h.Read(context.Background(), func(ctx context.Context, c *client.Client) error {
			_, err := c.ContainerList(ctx, container.ListOptions{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if accepted, _ := f.server.counts(); accepted != 1 {
		t.Errorf("server accepted %d SSH connections, want 1 shared by every call", accepted)
	}
}

func TestSSHUnknownHostKey(t *testing.T) {
	f := newSSHFixture(t)
	other := newTestSSHServer(t)
	p := f.profile()
	p.KnownHostsFile = knownHostsWith(t, other.addr, other.hostKey.PublicKey())

	_, err := factsOf(t, sshPool(p), f.target())
	key := f.server.hostKey.PublicKey()
	mustRefuse(t, err, "not in "+p.KnownHostsFile, f.server.addr, "ssh-ed25519",
		ssh.FingerprintSHA256(key), "add this line", "["+strings.Replace(f.server.addr, ":", "]:", 1))
}

func TestSSHChangedHostKey(t *testing.T) {
	f := newSSHFixture(t)
	p := f.profile()
	p.KnownHostsFile = knownHostsWith(t, f.server.addr, newSigner(t).PublicKey())

	_, err := factsOf(t, sshPool(p), f.target())
	mustRefuse(t, err, "CHANGED", ssh.FingerprintSHA256(f.server.hostKey.PublicKey()),
		p.KnownHostsFile+" line 1", "replace that entry")
}

func TestSSHMissingKnownHostsFile(t *testing.T) {
	f := newSSHFixture(t)
	p := f.profile()
	p.KnownHostsFile = filepath.Join(t.TempDir(), "absent")

	_, err := factsOf(t, sshPool(p), f.target())
	mustRefuse(t, err, "does not exist", ssh.FingerprintSHA256(f.server.hostKey.PublicKey()))
}

func TestSSHWrongClientKey(t *testing.T) {
	f := newSSHFixture(t)
	p := f.profile()
	var stranger ssh.PublicKey
	p.IdentityFile, stranger = newIdentity(t, "")

	_, err := factsOf(t, sshPool(p), f.target())
	mustRefuse(t, err, `user "tester"`, "refused the login", ssh.FingerprintSHA256(stranger))
	var login *SSHLoginError
	if !errors.As(err, &login) {
		t.Errorf("error %T is not an SSHLoginError", err)
	}
}

func TestSSHPassphraseKeyPointsToAgent(t *testing.T) {
	f := newSSHFixture(t)
	p := f.profile()
	p.IdentityFile, _ = newIdentity(t, "s3cret-phrase")
	pem, _ := os.ReadFile(p.IdentityFile)

	_, err := sshPool(p).Host(f.target())
	if err == nil || !strings.Contains(err.Error(), "passphrase") ||
		!strings.Contains(err.Error(), "ssh-add") {
		t.Fatalf("error %v should say the key needs a passphrase and to use the agent", err)
	}
	body := strings.Split(string(pem), "\n")[1]
	if strings.Contains(err.Error(), body) || strings.Contains(err.Error(), "s3cret-phrase") {
		t.Errorf("error leaks key material: %v", err)
	}
}

func TestSSHAgentLogin(t *testing.T) {
	f := newSSHFixture(t)
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keyring := agent.NewKeyring()
	if err := keyring.Add(agent.AddedKey{PrivateKey: priv}); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	f.server.mu.Lock()
	f.server.authorized[string(signer.PublicKey().Marshal())] = true
	f.server.mu.Unlock()
	t.Setenv("SSH_AUTH_SOCK", serveAgent(t, keyring))

	p := &SSHProfile{UseAgent: true, KnownHostsFile: f.knownHosts}
	if _, err := factsOf(t, sshPool(p), f.target()); err != nil {
		t.Fatal(err)
	}
}

func serveAgent(t *testing.T, keyring agent.Agent) string {
	t.Helper()
	path := filepath.Join(shortTempDir(t), "agent.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { _ = agent.ServeAgent(keyring, c); _ = c.Close() }()
		}
	}()
	return path
}

func TestSSHKeepAliveAndRedial(t *testing.T) {
	old := sshKeepAlive
	sshKeepAlive = 50 * time.Millisecond
	t.Cleanup(func() { sshKeepAlive = old })

	f := newSSHFixture(t)
	pool := sshPool(f.profile())
	defer pool.Close()
	if _, err := factsOf(t, pool, f.target()); err != nil {
		t.Fatal(err)
	}

	time.Sleep(300 * time.Millisecond)
	if _, keepAlives := f.server.counts(); keepAlives < 2 {
		t.Errorf("server saw %d keep-alives in 300ms at one per 50ms", keepAlives)
	}

	// The server drops the connection: the next calls, reads or not, dial a
	// new one.
	f.server.dropAll()
	h, _ := pool.Host(f.target())
	for _, call := range []func(context.Context, func(context.Context, *client.Client) error) error{
		h.Read, h.Call,
	} {
		if _, err := h.Refacts(context.Background()); err != nil {
			t.Fatalf("refacts after drop: %v", err)
		}
		f.server.dropAll()
		time.Sleep(20 * time.Millisecond)
		err := call(context.Background(), func(ctx context.Context, c *client.Client) error {
			_, err := c.Info(ctx)
			return err
		})
		if err != nil {
			t.Fatalf("call after the server dropped the connection: %v", err)
		}
	}
	if accepted, _ := f.server.counts(); accepted < 3 {
		t.Errorf("server accepted %d connections, want a new one after each drop", accepted)
	}
}

func TestSSHUnreachable(t *testing.T) {
	f := newSSHFixture(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	_ = ln.Close()

	target := Target{Name: "node", Endpoint: "ssh://tester@" + closed + "/x.sock", Auth: "ssh"}
	_, err = factsOf(t, sshPool(f.profile()), target)
	if !IsUnreachable(err) || IsAuthFailure(err) {
		t.Errorf("closed SSH port: IsUnreachable = %v, IsAuthFailure = %v (%v); want true, false",
			IsUnreachable(err), IsAuthFailure(err), err)
	}
}

func TestSSHDaemonDownIsUnreachable(t *testing.T) {
	f := newSSHFixture(t)
	target := f.target()
	target.Endpoint = "ssh://tester@" + f.server.addr + "/nonexistent/docker.sock"

	_, err := factsOf(t, sshPool(f.profile()), target)
	if !IsUnreachable(err) || !strings.Contains(err.Error(), "/nonexistent/docker.sock") {
		t.Errorf("missing remote socket: IsUnreachable = %v (%v); want true, naming the socket",
			IsUnreachable(err), err)
	}
}

func TestSSHForwardingRefused(t *testing.T) {
	f := newSSHFixture(t)
	f.server.prohibitForwarding = true

	_, err := factsOf(t, sshPool(f.profile()), f.target())
	mustRefuse(t, err, "AllowStreamLocalForwarding", f.socket)
}

func TestSSHInsecureIgnoreHostKeyWarnsEveryConnection(t *testing.T) {
	f := newSSHFixture(t)
	var mu sync.Mutex
	var warnings []map[string]any
	pool := NewPool(map[string]Profile{"ssh": {Name: "ssh", SSH: &SSHProfile{
		IdentityFile: f.identity, InsecureIgnoreHostKey: true,
		KnownHostsFile: filepath.Join(t.TempDir(), "absent"),
	}}}, Options{Warn: func(_ context.Context, msg string, fields map[string]any) {
		mu.Lock()
		defer mu.Unlock()
		warnings = append(warnings, fields)
	}})
	defer pool.Close()

	for range 2 {
		h, _ := pool.Host(f.target())
		if _, err := h.Refacts(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.server.dropAll()
		time.Sleep(20 * time.Millisecond)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(warnings) != 2 || warnings[0]["setting"] != "insecure_ignore_host_key" {
		t.Errorf("warnings = %v, want one per connection naming insecure_ignore_host_key", warnings)
	}
}

func TestSSHProfileNeedsAKey(t *testing.T) {
	f := newSSHFixture(t)
	t.Setenv("SSH_AUTH_SOCK", "")
	for _, p := range []*SSHProfile{
		{KnownHostsFile: f.knownHosts},
		{UseAgent: true, KnownHostsFile: f.knownHosts},
	} {
		if _, err := sshPool(p).Host(f.target()); err == nil {
			t.Errorf("profile %+v offers no key, want an error", p)
		}
	}
}
