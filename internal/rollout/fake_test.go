package rollout

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
)

// behaviour is how a fake replica's new container acts once started.
type behaviour int

const (
	healthy      behaviour = iota // starting for healthyAfter polls, then healthy
	exits                         // running one poll, then exited with code
	unhealthy                     // healthy for healthyAfter polls, then unhealthy
	neverHealthy                  // running, never healthy
	startFails                    // StartNew fails
	observeFlaky                  // Observe fails healthyAfter times, then healthy
	hostGone                      // Observe says the host does not answer
)

type script struct {
	b            behaviour
	healthyAfter int
	code         int
	restoreFails bool
	retireFails  bool
}

// fakeEngine plays scripted replicas and records every call. It also tracks
// availability: a replica is up while its old container runs or its new one
// has been seen healthy and is not quarantined.
type fakeEngine struct {
	mu      sync.Mutex
	scripts map[string]script
	polls   map[string]int
	calls   []string

	oldUp, newUp map[string]bool
	minUp        int
}

func newFake(scripts map[string]script, replicas ...string) *fakeEngine {
	f := &fakeEngine{scripts: scripts, polls: map[string]int{}, oldUp: map[string]bool{},
		newUp: map[string]bool{}}
	for _, r := range replicas {
		f.oldUp[r] = true
	}
	f.minUp = len(replicas)
	return f
}

func (f *fakeEngine) record(verb string, c Change) {
	f.calls = append(f.calls, verb+" "+c.Replica)
	up := 0
	for r := range f.oldUp {
		if f.oldUp[r] || f.newUp[r] {
			up++
		}
	}
	f.minUp = min(f.minUp, up)
}

// callsOf lists the verbs called for one replica, in order, polls folded.
func (f *fakeEngine) callsOf(replica string) string {
	f.mu.Lock()
	defer f.mu.Unlock()

	var verbs []string
	for _, c := range f.calls {
		verb, r, _ := strings.Cut(c, " ")
		if r != replica || (verb == "observe" && len(verbs) > 0 && verbs[len(verbs)-1] == verb) {
			continue
		}
		verbs = append(verbs, verb)
	}
	return strings.Join(verbs, ",")
}

func (f *fakeEngine) called(verb string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()

	var rs []string
	for _, c := range f.calls {
		if v, r, _ := strings.Cut(c, " "); v == verb {
			rs = append(rs, r)
		}
	}
	return rs
}

func (f *fakeEngine) StartNew(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.newUp[c.Replica] = false
	f.record("start", c)
	if f.scripts[c.Replica].b == startFails {
		return errors.New("no such image")
	}
	return nil
}

func (f *fakeEngine) Observe(ctx context.Context, c Change) (Observation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()

	s := f.scripts[c.Replica]
	f.polls[c.Replica]++
	n := f.polls[c.Replica]
	obs := Observation{Running: true}
	var err error
	switch {
	case s.b == healthy && n > s.healthyAfter, s.b == unhealthy && n <= s.healthyAfter:
		obs.Healthy = true
	case s.b == exits && n > 1:
		obs = Observation{ExitCode: s.code}
	case s.b == unhealthy:
		obs = Observation{Running: true, Unhealthy: true, HealthOutput: "connection refused\n"}
	case s.b == neverHealthy:
		obs.HealthOutput = "still warming up"
	case s.b == observeFlaky && n <= s.healthyAfter:
		err = errors.New("daemon busy")
	case s.b == observeFlaky:
		obs.Healthy = true
	case s.b == hostGone:
		err = fmt.Errorf("inspecting the container: %w: i/o timeout", ErrHostGone)
	}
	if obs.Healthy {
		f.newUp[c.Replica] = true
	}
	f.record("observe", c)
	return obs, err
}

func (f *fakeEngine) RetireOld(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	if f.scripts[c.Replica].retireFails {
		f.record("retire", c)
		return errors.New("stop timed out")
	}
	f.oldUp[c.Replica] = false
	f.record("retire", c)
	return nil
}

func (f *fakeEngine) Quarantine(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.newUp[c.Replica] = false
	f.record("quarantine", c)
	return nil
}

func (f *fakeEngine) Restore(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.record("restore", c)
	if f.scripts[c.Replica].restoreFails {
		return errors.New("image of the previous spec is gone")
	}
	f.oldUp[c.Replica], f.newUp[c.Replica] = true, false
	return nil
}

func (f *fakeEngine) Remove(ctx context.Context, c Change) error {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.record("remove", c)
	return nil
}

func (f *fakeEngine) Logs(ctx context.Context, c Change, lines int) string {
	f.mu.Lock()
	defer f.mu.Unlock()

	f.record("logs", c)
	return fmt.Sprintf("%s: listening\n%s: panic: bad config\n", c.Replica, c.Replica)
}

// fakeClock jumps forward on every wait, so that delays, monitors and
// deadlines pass at once. It records the waits.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	waits []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()

	c.now = c.now.Add(d)
	c.waits = append(c.waits, d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) waitsOf(d time.Duration) int {
	c.mu.Lock()
	defer c.mu.Unlock()

	n := 0
	for _, w := range c.waits {
		if w == d {
			n++
		}
	}
	return n
}

// observed collects observer calls.
type observed struct {
	calls []string
	last  map[string]Outcome
}

func (o *observed) observer() Observer {
	o.last = map[string]Outcome{}
	return func(c Change, out Outcome) {
		o.calls = append(o.calls, c.Replica+"="+string(out))
		o.last[c.Replica] = out
	}
}
