package dockerhost

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/client"
	"golang.org/x/crypto/ssh"
)

// sshKeepAlive is how often an SSH connection is probed, and how long a probe
// may wait for its answer before the connection is given up as dead.
var sshKeepAlive = 15 * time.Second

// sshClient forwards the Docker API over one native SSH connection to the
// remote Docker socket: no ssh binary on this side, no docker CLI on the far
// side. Every API call and stream of the host opens a channel on that one
// connection, which is dialled on first use and again after it drops.
func sshClient(ep Endpoint, prof *Profile, opts Options) (*client.Client, func(), error) {
	var sp *SSHProfile
	if prof != nil {
		sp = prof.SSH
	}
	auth, err := newSSHAuth(ep, sp)
	if err != nil {
		if prof != nil {
			return nil, nil, fmt.Errorf("auth profile %q: %w", prof.Name, err)
		}
		return nil, nil, err
	}

	t := &sshTunnel{
		addr:    ep.HostPort("22"),
		socket:  ep.Path,
		auth:    auth,
		timeout: opts.ConnectTimeout,
		warn:    opts.Warn,
		probe:   sshKeepAlive,
		dialing: make(chan struct{}, 1),
	}
	c, closeIdle, err := httpClient("ssh://"+t.addr, newTransport(t.dialDocker))
	if err != nil {
		return nil, nil, err
	}
	return c, func() { closeIdle(); t.close() }, nil
}

// sshTunnel is the one SSH connection of a host.
type sshTunnel struct {
	addr    string
	socket  string
	auth    *sshAuth
	timeout time.Duration
	warn    WarnFunc
	probe   time.Duration

	// dialing lets one caller dial at a time; a channel rather than a mutex
	// so that waiting gives up with the caller's context.
	dialing chan struct{}

	mu     sync.Mutex
	client *ssh.Client
}

// dialDocker opens a channel to the remote Docker socket. When the channel
// cannot be opened because the connection died, the connection is replaced
// and the channel tried once more: nothing has been sent yet, so this is safe
// even for calls that change things.
func (t *sshTunnel) dialDocker(ctx context.Context, _, _ string) (net.Conn, error) {
	for attempt := 0; ; attempt++ {
		c, err := t.connect(ctx)
		if err != nil {
			return nil, err
		}

		conn, err := c.DialContext(ctx, "unix", t.socket)
		var refused *ssh.OpenChannelError
		switch {
		case err == nil:
			return conn, nil
		case errors.As(err, &refused):
			return nil, t.forwardError(refused)
		case ctx.Err() != nil || attempt > 0:
			return nil, &UnreachableError{Err: fmt.Errorf("opening a channel to the Docker "+
				"socket over SSH to %s: %w", t.addr, err)}
		}
		t.drop(c)
	}
}

// forwardError tells a socket that does not answer (the daemon is down: the
// host is unreachable for our purpose) from a server that will not forward.
func (t *sshTunnel) forwardError(err *ssh.OpenChannelError) error {
	if err.Reason == ssh.ConnectionFailed {
		return &UnreachableError{Err: fmt.Errorf("the SSH server at %s could not connect to the "+
			"Docker socket %s; check that the daemon runs and listens there: %w",
			t.addr, t.socket, err)}
	}
	return &SSHForwardError{Addr: t.addr, Socket: t.socket, Err: err}
}

// connect returns the live SSH connection, dialling one if there is none.
func (t *sshTunnel) connect(ctx context.Context) (*ssh.Client, error) {
	select {
	case t.dialing <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-t.dialing }()

	t.mu.Lock()
	c := t.client
	t.mu.Unlock()
	if c != nil {
		return c, nil
	}

	c, err := t.dial(ctx)
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	t.client = c
	t.mu.Unlock()
	go t.watch(c)
	return c, nil
}

// dial makes a new SSH connection within the connect timeout.
func (t *sshTunnel) dial(ctx context.Context) (*ssh.Client, error) {
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	raw, err := (&net.Dialer{KeepAlive: 30 * time.Second}).DialContext(ctx, "tcp", t.addr)
	if err != nil {
		return nil, &UnreachableError{Err: fmt.Errorf("connecting to the SSH server at %s: %w",
			t.addr, err)}
	}

	c, err := t.handshake(ctx, raw)
	if err != nil {
		_ = raw.Close()
		return nil, err
	}
	if t.auth.insecure && t.warn != nil {
		t.warn(ctx, "SSH host key checking is off for this connection: anyone on the path can "+
			"impersonate the host", map[string]any{"address": t.addr,
			"setting": "insecure_ignore_host_key"})
	}
	return c, nil
}

// handshake logs in over raw. The SSH handshake takes no context, so the
// context's deadline and cancellation are put on the connection instead.
func (t *sshTunnel) handshake(ctx context.Context, raw net.Conn) (*ssh.Client, error) {
	signers, offered, closeAgent, err := t.auth.signers(t.addr)
	if err != nil {
		return nil, err
	}
	defer closeAgent()

	if deadline, ok := ctx.Deadline(); ok {
		_ = raw.SetDeadline(deadline)
	}
	stop := context.AfterFunc(ctx, func() { _ = raw.SetDeadline(time.Now()) })
	config := &ssh.ClientConfig{
		User:              t.auth.user,
		Auth:              []ssh.AuthMethod{ssh.PublicKeys(signers...)},
		HostKeyCallback:   t.auth.checkHostKey,
		HostKeyAlgorithms: t.auth.hostKeyAlgorithms(t.addr),
	}
	conn, chans, reqs, err := ssh.NewClientConn(raw, t.addr, config)
	stop()
	if err != nil {
		return nil, t.handshakeError(ctx, err, offered)
	}
	_ = raw.SetDeadline(time.Time{})
	return ssh.NewClient(conn, chans, reqs), nil
}

// handshakeError keeps a refused host key or login loud, and reports only
// what happened in the network as unreachable.
func (t *sshTunnel) handshakeError(ctx context.Context, err error, offered []string) error {
	var hostKey *HostKeyError
	var netErr net.Error
	switch {
	case errors.As(err, &hostKey):
		return hostKey
	case strings.Contains(err.Error(), "unable to authenticate"):
		return &SSHLoginError{Addr: t.addr, User: t.auth.user, Offered: offered, Err: err}
	case ctx.Err() != nil, errors.Is(err, io.EOF), errors.As(err, &netErr):
		return &UnreachableError{Err: fmt.Errorf("SSH handshake with %s: %w", t.addr, err)}
	}
	return &SSHSetupError{Addr: t.addr, Err: err}
}

// watch probes the connection every t.probe and closes it when a probe
// goes unanswered, so that a host that vanished without closing the
// connection is noticed and the next call dials again. It forgets the
// connection when it ends, however it ends.
func (t *sshTunnel) watch(c *ssh.Client) {
	done := make(chan struct{})
	go func() {
		_ = c.Wait()
		close(done)
		t.drop(c)
	}()

	ticker := time.NewTicker(t.probe)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return
		case <-ticker.C:
		}
		if !keepAlive(c, t.probe) {
			_ = c.Close()
			return
		}
	}
}

// keepAlive sends the OpenSSH keep-alive request. Any answer, even a refusal,
// shows that the server is there.
func keepAlive(c *ssh.Client, wait time.Duration) bool {
	answered := make(chan error, 1)
	go func() {
		_, _, err := c.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()

	select {
	case err := <-answered:
		return err == nil
	case <-time.After(wait):
		return false
	}
}

// drop closes c and forgets it if it is still the current connection.
func (t *sshTunnel) drop(c *ssh.Client) {
	t.mu.Lock()
	if t.client == c {
		t.client = nil
	}
	t.mu.Unlock()
	_ = c.Close()
}

func (t *sshTunnel) close() {
	t.mu.Lock()
	c := t.client
	t.mu.Unlock()
	if c != nil {
		t.drop(c)
	}
}
