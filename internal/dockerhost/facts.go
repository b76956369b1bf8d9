package dockerhost

import (
	"context"
	"fmt"
	"time"

	"github.com/docker/docker/client"
)

// Facts are what the engine reports about itself.
type Facts struct {
	EngineID      string
	Name          string
	ServerVersion string
	APIVersion    string
	OS            string
	Architecture  string
	CPUs          int64
	MemoryBytes   int64
}

// Facts asks the engine who it is. The answer is cached for the life of the
// provider process, so that every resource on a host can check the engine ID
// without another API call; Refacts bypasses the cache.
func (h *Host) Facts(ctx context.Context) (Facts, error) {
	h.factsMu.Lock()
	defer h.factsMu.Unlock()
	if h.facts != nil {
		return *h.facts, nil
	}
	return h.loadFacts(ctx)
}

// Refacts asks the engine again, ignoring the cache.
func (h *Host) Refacts(ctx context.Context) (Facts, error) {
	h.factsMu.Lock()
	defer h.factsMu.Unlock()
	return h.loadFacts(ctx)
}

func (h *Host) loadFacts(ctx context.Context) (Facts, error) {
	var f Facts
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		info, err := c.Info(ctx)
		if err != nil {
			return err
		}
		f = Facts{
			EngineID:      info.ID,
			Name:          info.Name,
			ServerVersion: info.ServerVersion,
			OS:            info.OSType,
			Architecture:  info.Architecture,
			CPUs:          int64(info.NCPU),
			MemoryBytes:   info.MemTotal,
		}
		// Info negotiated the API version on the way.
		f.APIVersion = c.ClientVersion()
		return nil
	})
	if err != nil {
		return Facts{}, err
	}
	if f.EngineID == "" {
		return Facts{}, fmt.Errorf("the engine at %s reported no engine ID", h.endpoint.Raw)
	}
	h.facts = &f
	return f, nil
}

// WaitReady asks for the engine facts until the engine answers or ctx ends,
// backing off between tries. It is for hosts that are still booting.
func (h *Host) WaitReady(ctx context.Context, onRetry func(attempt int, err error)) (Facts, error) {
	delay := 250 * time.Millisecond
	for attempt := 1; ; attempt++ {
		f, err := h.Refacts(ctx)
		if err == nil {
			return f, nil
		}
		if !IsUnreachable(err) && !retryable(err) {
			return Facts{}, err
		}
		if onRetry != nil {
			onRetry(attempt, err)
		}

		select {
		case <-ctx.Done():
			return Facts{}, fmt.Errorf("the engine did not answer in time; last error: %w", err)
		case <-time.After(delay):
		}
		delay = min(delay*2, 5*time.Second)
	}
}
