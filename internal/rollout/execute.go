package rollout

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Execute runs the changes in the batches Plan gives, the changes of one
// batch at the same time:
//
//   - Remove: Remove.
//   - Create: StartNew, then wait until healthy.
//   - Replace, stop-first (or ForceStopFirst): RetireOld, StartNew, wait.
//   - Replace, start-first: StartNew, wait, then RetireOld, so the old
//     container serves until the new one is healthy.
//
// "Healthy" means Observe reports Running and Healthy, and keeps doing so for
// cfg.Monitor. A new replica fails when it exits, turns unhealthy, or is not
// healthy within cfg.HealthTimeout. Its last LogLines log lines are kept and
// it is quarantined. Then, after the batch ends:
//
//   - Pause stops, leaving the rest of the changes Skipped.
//   - Rollback restores, newest first and Parallelism at a time, every
//     replaced replica whose old container was retired or whose new one runs;
//     a start-first replica that failed still has its old container and is
//     reported RolledBack without a call. A failed Restore stops the rollback.
//     Creates and removes are not undone: they have no previous spec.
//   - Continue goes on while failures/changes stays at or below
//     MaxFailureRatio, and stops like Pause once it is above.
//
// cfg.Delay passes between batches. Observe hears of every change as it ends.
// Every wait gives way to ctx; the Engine must honour ctx in its calls too.
//
// The error is nil when every change is done, and otherwise an *Error naming
// each failed replica, its host, why it failed and its last log lines. An
// *Error with Completed set means every change was attempted and the failures
// stayed within MaxFailureRatio.
func Execute(ctx context.Context, changes []Change, cfg Config, eng Engine,
	observe Observer) error {
	r := newRun(changes, cfg, eng, observe)
	batches := Plan(changes, cfg)

	for i, b := range batches {
		if i > 0 {
			if err := r.sleep(ctx, cfg.Delay); err != nil {
				r.skip(batches[i:])
				return r.result(err)
			}
		}

		if err := ctx.Err(); err != nil {
			r.skip(batches[i:])
			return r.result(err)
		}
		r.runBatch(ctx, b)
		if err := ctx.Err(); err != nil {
			r.skip(batches[i+1:])
			return r.result(err)
		}

		if r.mustStop() {
			r.stopped = true
			if r.cfg.FailureAction == Rollback {
				r.rollback(ctx)
			}
			r.skip(batches[i+1:])
			return r.result(ctx.Err())
		}
	}
	return r.result(nil)
}

// attempt is one change as it ran.
type attempt struct {
	change  Change
	outcome Outcome
	// oldGone is set once the old container was retired or removed; newUp
	// while the new container runs and is not quarantined.
	oldGone, newUp bool
	failure        *Failure
}

type run struct {
	cfg     Config
	eng     Engine
	observe Observer
	clock   Clock
	poll    time.Duration
	timeout time.Duration
	total   int

	mu       sync.Mutex // serialises observer calls and the fields below
	attempts []*attempt // in plan order
	restore  []Failure
	skipped  int
	stopped  bool
}

func newRun(changes []Change, cfg Config, eng Engine, observe Observer) *run {
	r := &run{cfg: cfg, eng: eng, observe: observe, clock: cfg.Clock, poll: cfg.PollInterval,
		timeout: cfg.HealthTimeout, total: len(changes)}
	if r.clock == nil {
		r.clock = realClock{}
	}
	if r.poll <= 0 {
		r.poll = DefaultPollInterval
	}
	if r.timeout <= 0 {
		r.timeout = DefaultHealthTimeout
	}
	if r.observe == nil {
		r.observe = func(Change, Outcome) {}
	}
	if r.cfg.FailureAction == "" {
		r.cfg.FailureAction = Pause
	}
	return r
}

// sleep waits d, or less if ctx ends first.
func (r *run) sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil || d <= 0 {
		return err
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-r.clock.After(d):
		return nil
	}
}

// runBatch runs every change of b at once and records them in plan order.
func (r *run) runBatch(ctx context.Context, b Batch) {
	done := make([]*attempt, len(b.Changes))
	var wg sync.WaitGroup
	for i, c := range b.Changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a := r.runChange(ctx, c)
			done[i] = a

			r.mu.Lock()
			defer r.mu.Unlock()
			r.observe(a.change, a.outcome)
		}()
	}
	wg.Wait()

	r.attempts = append(r.attempts, done...)
}

func (r *run) runChange(ctx context.Context, c Change) *attempt {
	a := &attempt{change: c, outcome: Done}
	switch {
	case c.Kind == Remove:
		if err := r.eng.Remove(ctx, c); err != nil {
			a.fail(&Failure{Step: StepRemove, Reason: "could not be removed", Err: err})
			return a
		}
		a.oldGone = true

	case c.Kind == Create:
		r.startAndWait(ctx, a)

	case c.Kind == Replace && (c.ForceStopFirst || r.cfg.Order != StartFirst):
		if err := r.eng.RetireOld(ctx, c); err != nil {
			a.fail(&Failure{Step: StepRetire, Reason: "old container could not be stopped",
				Err: err})
			return a
		}
		a.oldGone = true
		r.startAndWait(ctx, a)

	case c.Kind == Replace:
		if !r.startAndWait(ctx, a) {
			return a
		}
		if err := r.eng.RetireOld(ctx, c); err != nil {
			a.fail(&Failure{Step: StepRetire, Reason: "new container is healthy but the old one " +
				"could not be stopped", Err: err})
			return a
		}
		a.oldGone = true

	default:
		a.fail(&Failure{Step: StepStart, Reason: fmt.Sprintf("unknown change kind %q", c.Kind)})
	}
	return a
}

func (a *attempt) fail(f *Failure) {
	f.Replica, f.Host, f.Kind = a.change.Replica, a.change.Host, a.change.Kind
	a.failure = f
	a.outcome = Failed
}

// startAndWait starts the new container and waits until it is healthy. On
// failure it keeps the container's last log lines and quarantines it.
func (r *run) startAndWait(ctx context.Context, a *attempt) bool {
	if err := r.eng.StartNew(ctx, a.change); err != nil {
		a.fail(&Failure{Step: StepStart, Reason: "new container could not be started", Err: err})
		r.quarantine(ctx, a)
		return false
	}
	a.newUp = true

	if f := r.waitHealthy(ctx, a.change); f != nil {
		a.fail(f)
		r.quarantine(ctx, a)
		return false
	}
	return true
}

// quarantine reads the logs first, while the container still has its usual
// name, then moves it aside. Once ctx has ended neither can succeed, and the
// next apply sees the container as drift instead.
func (r *run) quarantine(ctx context.Context, a *attempt) {
	if ctx.Err() != nil {
		return
	}
	a.failure.Logs = r.eng.Logs(ctx, a.change, LogLines)
	a.failure.QuarantineErr = r.eng.Quarantine(ctx, a.change)
	a.newUp = false
}

// waitHealthy polls the new container until it has been healthy for
// cfg.Monitor, and returns why not otherwise.
func (r *run) waitHealthy(ctx context.Context, c Change) *Failure {
	deadline := r.clock.Now().Add(r.timeout)
	var healthySince time.Time
	var last Observation
	var lastErr error

	for {
		obs, err := r.eng.Observe(ctx, c)
		now := r.clock.Now()
		switch {
		case ctx.Err() != nil:
			return &Failure{Step: StepHealth, Reason: "was cut short", Err: ctx.Err()}
		case errors.Is(err, ErrHostGone):
			return &Failure{Step: StepHealth, Reason: "could not be observed: its host does " +
				"not answer", Err: err}
		case err != nil:
			// A failed observation is not a verdict; the deadline decides.
			lastErr, healthySince = err, time.Time{}
		case obs.Unhealthy:
			return &Failure{Step: StepHealth, Reason: "turned unhealthy",
				HealthOutput: obs.HealthOutput}
		case !obs.Running:
			return &Failure{Step: StepHealth, Reason: fmt.Sprintf("exited with code %d",
				obs.ExitCode), Exited: true, ExitCode: obs.ExitCode, HealthOutput: obs.HealthOutput}
		case obs.Healthy:
			last, lastErr = obs, nil
			if healthySince.IsZero() {
				healthySince = now
			}
			if now.Sub(healthySince) >= r.cfg.Monitor {
				return nil
			}
		default:
			last, lastErr, healthySince = obs, nil, time.Time{}
		}

		if healthySince.IsZero() && !now.Before(deadline) {
			return &Failure{Step: StepHealth, Reason: fmt.Sprintf("was not healthy within %s",
				r.timeout), HealthOutput: last.HealthOutput, Err: lastErr}
		}
		if err := r.sleep(ctx, r.poll); err != nil {
			return &Failure{Step: StepHealth, Reason: "was cut short", Err: err}
		}
	}
}

func (r *run) failures() []Failure {
	var fs []Failure
	for _, a := range r.attempts {
		if a.failure != nil {
			fs = append(fs, *a.failure)
		}
	}
	return fs
}

// mustStop applies the failure action to the failures so far.
func (r *run) mustStop() bool {
	failed := len(r.failures())
	if r.cfg.FailureAction == Continue {
		return exceeds(failed, r.total, r.cfg.MaxFailureRatio)
	}
	return failed > 0
}

// exceeds is failed/total > ratio, computed so that 1 of 5 at 0.2 does not
// exceed because of rounding.
func exceeds(failed, total int, ratio float64) bool {
	return float64(failed) > ratio*float64(total)+1e-9
}

// skip reports every change of batches as not attempted.
func (r *run) skip(batches []Batch) {
	r.mu.Lock()
	defer r.mu.Unlock()

	for _, b := range batches {
		for _, c := range b.Changes {
			r.skipped++
			r.observe(c, Skipped)
		}
	}
}

// rollback puts the previous spec back on replaced replicas, newest first.
func (r *run) rollback(ctx context.Context) {
	var todo []*attempt
	for i := len(r.attempts) - 1; i >= 0; i-- {
		a := r.attempts[i]
		switch {
		case a.change.Kind != Replace:
		case a.oldGone || a.newUp:
			todo = append(todo, a)
		case a.outcome == Failed:
			// Start-first failed before retiring: the old container still runs.
			r.mu.Lock()
			a.outcome = RolledBack
			r.observe(a.change, RolledBack)
			r.mu.Unlock()
		}
	}

	size := r.cfg.Parallelism
	if size <= 0 {
		size = max(len(todo), 1)
	}
	for start := 0; start < len(todo); start += size {
		if !r.restoreBatch(ctx, todo[start:min(start+size, len(todo))]) {
			return
		}
	}
}

// restoreBatch restores attempts at once and says whether all succeeded.
func (r *run) restoreBatch(ctx context.Context, batch []*attempt) bool {
	var wg sync.WaitGroup
	for _, a := range batch {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := r.eng.Restore(ctx, a.change)

			r.mu.Lock()
			defer r.mu.Unlock()
			if err != nil {
				r.restore = append(r.restore, Failure{Replica: a.change.Replica,
					Host: a.change.Host, Kind: a.change.Kind, Step: StepRestore,
					Reason: "previous spec could not be put back", Err: err})
				return
			}
			a.outcome = RolledBack
			r.observe(a.change, RolledBack)
		}()
	}
	wg.Wait()
	return len(r.restore) == 0
}

// result is nil when every change is done, an *Error otherwise.
func (r *run) result(ctxErr error) error {
	failures := r.failures()
	if len(failures) == 0 && ctxErr == nil && r.skipped == 0 {
		return nil
	}

	e := &Error{Action: r.cfg.FailureAction, MaxFailureRatio: r.cfg.MaxFailureRatio,
		Total: r.total, Failures: failures, RestoreFailures: r.restore, Skipped: r.skipped,
		Completed: !r.stopped && ctxErr == nil && r.skipped == 0, Err: ctxErr}
	for _, a := range r.attempts {
		if a.outcome == RolledBack {
			e.RolledBack++
		}
	}
	return e
}
