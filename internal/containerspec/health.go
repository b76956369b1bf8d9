package containerspec

import "time"

// Docker's health check defaults, used when the spec leaves a setting out.
const (
	dockerHealthInterval = 30 * time.Second
	dockerHealthTimeout  = 30 * time.Second
	dockerHealthRetries  = 3
)

// HealthDeadline is how long a new container may take to report healthy
// before a rollout counts it as failed: never less than floor, and long
// enough for the spec's own health check to pass after its start period,
// with every retry it allows. A check that is disabled, or that the image
// defines, gets floor.
func (s Spec) HealthDeadline(floor time.Duration) time.Duration {
	hc := s.Healthcheck
	if hc == nil || hc.Disabled || len(hc.Test) == 0 {
		return floor
	}

	interval := durationOr(hc.Interval, dockerHealthInterval)
	timeout := durationOr(hc.Timeout, dockerHealthTimeout)
	retries := hc.Retries
	if retries <= 0 {
		retries = dockerHealthRetries
	}
	start := durationOr(hc.StartPeriod, 0)

	need := start + time.Duration(retries+1)*interval + timeout
	return max(need, floor)
}

func durationOr(raw string, fallback time.Duration) time.Duration {
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return fallback
	}
	return d
}
