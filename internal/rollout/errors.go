package rollout

import (
	"fmt"
	"strings"
)

// Step is the part of a change that failed.
type Step string

// Steps of a change.
const (
	StepRemove  Step = "remove"  // Remove of an unwanted replica
	StepRetire  Step = "retire"  // RetireOld of the old container
	StepStart   Step = "start"   // StartNew of the new container
	StepHealth  Step = "health"  // waiting for the new container to be healthy
	StepRestore Step = "restore" // Restore during a rollback
)

// Failure is one change that failed, with what the user needs to fix it.
type Failure struct {
	Replica string
	Host    string
	Kind    Kind
	Step    Step
	// Reason says in a few words what went wrong ("exited with code 1").
	Reason string
	// Exited and ExitCode are set when the new container exited.
	Exited   bool
	ExitCode int
	// HealthOutput is the output of the last health check run, if any.
	HealthOutput string
	// Logs holds the last LogLines lines of the new container's log.
	Logs string
	// Err is the underlying error, if any.
	Err error
	// QuarantineErr is set when the failed container could not be moved
	// aside; it may then block the next apply until removed.
	QuarantineErr error
}

// String writes the failure on one line, then its log lines indented.
func (f Failure) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "replica %s on host %s", f.Replica, f.Host)
	if f.Step == StepRestore {
		b.WriteString(": rollback failed, " + f.Reason)
	} else {
		fmt.Fprintf(&b, " (%s): %s", f.Kind, f.Reason)
	}
	if f.HealthOutput != "" {
		fmt.Fprintf(&b, "; health check output: %q", strings.TrimSpace(f.HealthOutput))
	}
	if f.QuarantineErr != nil {
		fmt.Fprintf(&b, "; the failed container could not be set aside: %s", f.QuarantineErr)
	}
	if f.Err != nil {
		fmt.Fprintf(&b, "; error: %s", f.Err)
	}

	if logs := strings.TrimRight(f.Logs, "\n"); logs != "" {
		b.WriteString("\n  last log lines:")
		for _, line := range strings.Split(logs, "\n") {
			b.WriteString("\n    " + line)
		}
	}
	return b.String()
}

// Error is the result of a rollout that did not do every change.
type Error struct {
	Action          FailureAction
	MaxFailureRatio float64
	// Total is the number of changes asked for.
	Total int
	// Failures lists failed changes in plan order.
	Failures []Failure
	// RestoreFailures lists the replicas a rollback could not put back.
	RestoreFailures []Failure
	// RolledBack counts replicas that run the previous spec again.
	RolledBack int
	// Skipped counts changes not attempted because the rollout stopped.
	Skipped int
	// Completed is set when every change was attempted and the failures
	// stayed within MaxFailureRatio (failure action continue): the caller
	// may report it as a warning rather than an error.
	Completed bool
	// Err is the context's error when the rollout was cut short.
	Err error
}

// Unwrap gives the context's error, so errors.Is(err, context.Canceled)
// works.
func (e *Error) Unwrap() error { return e.Err }

// Error says how the rollout ended, then each failure on its own lines.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.headline())
	for _, f := range e.Failures {
		b.WriteString("\n- " + f.String())
	}
	for _, f := range e.RestoreFailures {
		b.WriteString("\n- " + f.String())
	}
	return b.String()
}

func (e *Error) headline() string {
	failed := fmt.Sprintf("%d of %d changes failed", len(e.Failures), e.Total)
	skipped := ""
	if e.Skipped > 0 {
		skipped = fmt.Sprintf("; %d not attempted", e.Skipped)
	}

	switch {
	case e.Err != nil:
		return fmt.Sprintf("rolling update cut short (%s): %s%s", e.Err, failed, skipped)
	case e.Completed:
		return fmt.Sprintf("rolling update finished, but %s (within max_failure_ratio %g)",
			failed, e.MaxFailureRatio)
	case len(e.RestoreFailures) > 0:
		return fmt.Sprintf("rolling update failed and so did its rollback: %s, %d replicas "+
			"put back on the previous spec, %d could not be%s", failed, e.RolledBack,
			len(e.RestoreFailures), skipped)
	case e.Action == Rollback:
		return fmt.Sprintf("rolling update rolled back: %s, %d replicas run the previous spec "+
			"again%s", failed, e.RolledBack, skipped)
	case e.Action == Continue:
		return fmt.Sprintf("rolling update stopped: %s, more than max_failure_ratio %g allows%s",
			failed, e.MaxFailureRatio, skipped)
	}
	return fmt.Sprintf("rolling update paused: %s%s", failed, skipped)
}
