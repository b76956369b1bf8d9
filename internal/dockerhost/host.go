package dockerhost

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/docker/docker/client"
)

// conn is what Hosts sharing an endpoint and profile share: the client, the
// per-host call bound and the cached engine facts.
type conn struct {
	endpoint Endpoint
	auth     string
	client   *client.Client
	// release closes the client's idle connections and any SSH connection.
	release func()
	perHost chan struct{}
	overall chan struct{}
	timeout time.Duration

	factsMu sync.Mutex
	facts   *Facts
}

// Host is one reachable Docker engine under a fleet name.
type Host struct {
	*conn
	Name string
}

func (h *Host) withName(name string) *Host {
	return &Host{conn: h.conn, Name: name}
}

// Endpoint returns the parsed endpoint of the host.
func (h *Host) Endpoint() Endpoint { return h.endpoint }

// String names the host for messages: its fleet name and endpoint.
func (h *Host) String() string {
	return fmt.Sprintf("%q (%s)", h.Name, h.endpoint.Raw)
}

// Call runs fn with the host's client under the per-host and overall bounds
// and with the pool's call deadline. fn should make one Docker API call, or a
// few that belong together.
func (h *Host) Call(ctx context.Context, fn func(ctx context.Context, c *client.Client) error) error {
	if err := acquire(ctx, h.overall); err != nil {
		return err
	}
	defer release(h.overall)
	if err := acquire(ctx, h.perHost); err != nil {
		return err
	}
	defer release(h.perHost)

	callCtx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	return fn(callCtx, h.client)
}

// Read is Call for calls that change nothing on the host: a read that failed
// because the connection broke is tried once more, since repeating it is safe.
func (h *Host) Read(ctx context.Context, fn func(ctx context.Context, c *client.Client) error) error {
	err := h.Call(ctx, fn)
	if err == nil || !retryable(err) || ctx.Err() != nil {
		return err
	}

	select {
	case <-time.After(200 * time.Millisecond):
	case <-ctx.Done():
		return err
	}
	return h.Call(ctx, fn)
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release(sem chan struct{}) { <-sem }
