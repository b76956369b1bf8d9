package dockerhost

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/docker/docker/client"
)

// WarnFunc receives the warnings of this package, such as a connection made
// with host key checking turned off. ctx is the context of the call that
// caused it, so that the caller's logger and its masks apply.
type WarnFunc func(ctx context.Context, msg string, fields map[string]any)

// newClient builds the Docker client for one endpoint and the function that
// releases what it holds (idle connections, an SSH connection). It does no
// network I/O.
func newClient(ep Endpoint, prof *Profile, opts Options) (*client.Client, func(), error) {
	if err := ProfileFits(ep, prof); err != nil {
		return nil, nil, err
	}

	switch ep.Scheme {
	case SchemeUnix:
		c, err := unixClient(ep, opts)
		return c, func() { _ = c.Close() }, err
	case SchemeTCP:
		return tcpClient(ep, prof, opts)
	case SchemeSSH:
		return sshClient(ep, prof, opts)
	}
	return nil, nil, fmt.Errorf("unsupported scheme %q", ep.Scheme)
}

// ProfileFits refuses a profile of the wrong kind, so that, say, a TLS
// profile named on an ssh:// host is an error rather than silently unused.
func ProfileFits(ep Endpoint, prof *Profile) error {
	if prof == nil {
		return nil
	}
	switch {
	case ep.Scheme == SchemeUnix:
		return fmt.Errorf("auth profile %q is set, but unix:// endpoints take no credentials", prof.Name)
	case ep.Scheme == SchemeTCP && prof.TLS == nil:
		return fmt.Errorf("auth profile %q has no tls block, which tcp:// endpoints need", prof.Name)
	case ep.Scheme == SchemeSSH && prof.SSH == nil:
		return fmt.Errorf("auth profile %q has no ssh block, which ssh:// endpoints need", prof.Name)
	}
	return nil
}

func unixClient(ep Endpoint, opts Options) (*client.Client, error) {
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout}
	return client.NewClientWithOpts(
		client.WithHost(ep.Raw),
		client.WithDialContext(func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", ep.Path)
		}),
		client.WithAPIVersionNegotiation(),
	)
}

// tcpClient speaks HTTP over connections that its own dialer opens, plain or
// TLS. Doing the handshake in the dialer keeps its errors apart from network
// errors, and keeps one dialer for both API calls and hijacked streams.
func tcpClient(ep Endpoint, prof *Profile, opts Options) (*client.Client, func(), error) {
	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	if prof != nil && prof.TLS != nil {
		cfg, err := tlsConfig(prof.TLS, ep.Host)
		if err != nil {
			return nil, nil, fmt.Errorf("auth profile %q: %w", prof.Name, err)
		}
		td := &tlsDialer{addr: ep.HostPort("2376"), config: cfg, dialer: dialer,
			timeout: opts.ConnectTimeout, warn: opts.Warn}
		return httpClient("tcp://"+td.addr, newTransport(td.dial))
	}

	addr := ep.HostPort("2375")
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		conn, err := dialer.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, err
		}
		return &plainConn{Conn: conn, addr: addr}, nil
	}
	return httpClient("tcp://"+addr, newTransport(dial))
}

func newTransport(dial func(ctx context.Context, network, addr string) (net.Conn, error)) *http.Transport {
	return &http.Transport{
		DialContext:     dial,
		MaxIdleConns:    8,
		IdleConnTimeout: 30 * time.Second,
	}
}

// httpClient builds a Docker client on a transport whose dialer decides where
// connections go; host only names the daemon in the client's messages.
func httpClient(host string, transport *http.Transport) (*client.Client, func(), error) {
	c, err := client.NewClientWithOpts(
		client.WithHost(host),
		// After WithHost, which would otherwise reconfigure the transport.
		client.WithHTTPClient(&http.Client{Transport: transport}),
		client.WithAPIVersionNegotiation(),
	)
	if err != nil {
		return nil, nil, err
	}
	return c, transport.CloseIdleConnections, nil
}
