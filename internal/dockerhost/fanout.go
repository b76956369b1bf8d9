package dockerhost

import (
	"context"
	"sync"
)

// Result is what one host gave back in a fan-out.
type Result[T any] struct {
	Host  *Host
	Value T
	Err   error
}

// FanOut runs fn on every host at once and returns the results in the order of
// hosts. The per-host and overall bounds of each Call still apply.
func FanOut[T any](ctx context.Context, hosts []*Host,
	fn func(ctx context.Context, h *Host) (T, error)) []Result[T] {
	results := make([]Result[T], len(hosts))
	var wg sync.WaitGroup
	for i, h := range hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := fn(ctx, h)
			results[i] = Result[T]{Host: h, Value: v, Err: err}
		}()
	}
	wg.Wait()
	return results
}
