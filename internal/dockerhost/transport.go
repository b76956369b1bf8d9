package dockerhost

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/docker/docker/client"
)

// newClient builds the Docker client for one endpoint. It does no I/O.
func newClient(ep Endpoint, prof *Profile, opts Options) (*client.Client, error) {
	if err := checkProfileFits(ep, prof); err != nil {
		return nil, err
	}

	switch ep.Scheme {
	case SchemeUnix:
		return unixClient(ep, opts)
	case SchemeTCP:
		return tcpClient(ep, prof, opts)
	case SchemeSSH:
		return sshClient(ep, prof, opts)
	}
	return nil, fmt.Errorf("unsupported scheme %q", ep.Scheme)
}

// checkProfileFits refuses a profile of the wrong kind, so that, say, a TLS
// profile named on an ssh:// host is an error rather than silently unused.
func checkProfileFits(ep Endpoint, prof *Profile) error {
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

func tcpClient(ep Endpoint, prof *Profile, opts Options) (*client.Client, error) {
	transport := &http.Transport{
		MaxIdleConns:        8,
		IdleConnTimeout:     30 * time.Second,
		TLSHandshakeTimeout: opts.ConnectTimeout,
	}
	defaultPort := "2375"
	if prof != nil && prof.TLS != nil {
		cfg, err := tlsConfig(prof.TLS, ep.Host)
		if err != nil {
			return nil, fmt.Errorf("auth profile %q: %w", prof.Name, err)
		}
		transport.TLSClientConfig = cfg
		defaultPort = "2376"
	}

	dialer := &net.Dialer{Timeout: opts.ConnectTimeout, KeepAlive: 30 * time.Second}
	addr := ep.HostPort(defaultPort)
	return client.NewClientWithOpts(
		client.WithHTTPClient(&http.Client{Transport: transport}),
		client.WithHost("tcp://"+addr),
		client.WithDialContext(func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		}),
		client.WithAPIVersionNegotiation(),
	)
}
