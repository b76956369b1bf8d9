// Package rollout plans and runs the replacement of a service's replicas in
// batches, the way an operator would do it by hand: a few replicas at a time,
// host by host, waiting for each new replica to be healthy, and stopping,
// rolling back or going on when one fails.
//
// The planner is pure. The executor drives an Engine, which the provider
// implements over Docker and unit tests implement with a fake.
package rollout

import (
	"context"
	"errors"
	"time"
)

// Order says whether a replica's old container stops before or after its new
// one starts.
type Order string

// Orders of replacement.
const (
	StopFirst  Order = "stop-first"
	StartFirst Order = "start-first"
)

// FailureAction is what a rollout does when a new replica fails.
type FailureAction string

// Failure actions.
const (
	Pause    FailureAction = "pause"
	Rollback FailureAction = "rollback"
	Continue FailureAction = "continue"
)

// Config is a service's update settings.
type Config struct {
	// Parallelism is how many replicas are replaced at once; 0 means all.
	Parallelism int
	// Order is StopFirst or StartFirst; "" means StopFirst.
	Order Order
	// Delay is the pause between two batches.
	Delay time.Duration
	// Monitor is how long a new replica must stay running and healthy.
	Monitor time.Duration
	// HealthTimeout is how long a new replica may take to become healthy
	// before it counts as failed; 0 means DefaultHealthTimeout. The Monitor
	// period starts once it is healthy and may run past this deadline.
	HealthTimeout time.Duration
	// FailureAction is what to do when a replica fails; "" means Pause.
	// Pause and Rollback act on the first failure; Continue goes on while
	// failures/changes stays at or below MaxFailureRatio, then stops.
	FailureAction   FailureAction
	MaxFailureRatio float64

	// PollInterval is how often a new replica is observed; 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
	// Clock tells the time and waits; nil means the real clock. Tests set a
	// fake one so that delays and deadlines pass at once.
	Clock Clock
}

// Defaults for the zero values of Config.
const (
	DefaultHealthTimeout = 2 * time.Minute
	DefaultPollInterval  = 250 * time.Millisecond
	// LogLines is how many of a failed container's last log lines are kept.
	LogLines = 20
)

// Clock is the time source of the executor.
type Clock interface {
	Now() time.Time
	// After sends the time once d has passed.
	After(d time.Duration) <-chan time.Time
}

type realClock struct{}

func (realClock) Now() time.Time                         { return time.Now() }
func (realClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// Kind is what happens to one replica.
type Kind string

// Kinds of change.
const (
	Create  Kind = "create"
	Replace Kind = "replace"
	Remove  Kind = "remove"
)

// Change is one replica to create, replace or remove on one host.
type Change struct {
	Replica string
	Host    string
	Kind    Kind
	// ForceStopFirst is set when the replica holds a fixed published port on
	// its host, so the new container cannot start beside the old one.
	ForceStopFirst bool
}

// Batch is a set of changes run at the same time.
type Batch struct {
	Changes []Change
}

// Observation is the state of a replica's new container.
type Observation struct {
	Running bool
	// Healthy is true when the container has no health check, or its health
	// check reports healthy.
	Healthy bool
	// Unhealthy is true when the health check reports unhealthy.
	Unhealthy bool
	ExitCode  int
	// HealthOutput is the output of the last health check run.
	HealthOutput string
}

// ErrHostGone marks an error of Engine.Observe that means the replica's host
// does not answer at all. The replica then fails at once instead of at its
// health deadline, so that a host that went away mid-rollout fails its part
// within the engine's own call deadline. Other Observe errors are retried
// until the deadline.
var ErrHostGone = errors.New("host does not answer")

// Engine does the Docker work of a rollout on one replica at a time. Every
// method must be safe to call concurrently for different replicas.
type Engine interface {
	// StartNew creates and starts the replica's container with the new spec.
	// With start-first order the old container is still running beside it.
	StartNew(ctx context.Context, c Change) error
	// Observe reports the state of the replica's new container.
	Observe(ctx context.Context, c Change) (Observation, error)
	// RetireOld stops and removes the replica's old container, if any.
	RetireOld(ctx context.Context, c Change) error
	// Quarantine keeps a failed new container for inspection under a name
	// that never blocks a later apply.
	Quarantine(ctx context.Context, c Change) error
	// Restore puts the previous spec back on a replica that was replaced.
	Restore(ctx context.Context, c Change) error
	// Remove stops and removes a replica that is no longer wanted.
	Remove(ctx context.Context, c Change) error
	// Logs returns the last lines of the replica's new container's log.
	Logs(ctx context.Context, c Change, lines int) string
}

// Outcome is how one change ended.
type Outcome string

// Outcomes of a change.
const (
	Done       Outcome = "done"        // the new spec runs and is healthy
	Failed     Outcome = "failed"      // the change failed; see the Failure in *Error
	RolledBack Outcome = "rolled-back" // the previous spec runs again
	Skipped    Outcome = "skipped"     // not attempted, the rollout stopped first
)

// Observer is told about every change as soon as it ends, so that the caller
// can save progress as it happens. A replaced replica that is rolled back is
// reported a second time, as RolledBack. Changes not attempted because the
// rollout stopped are reported as Skipped. Calls never overlap, so the
// observer needs no lock of its own.
type Observer func(c Change, o Outcome)
