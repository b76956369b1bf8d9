package containerspec

import (
	"testing"
	"time"
)

func TestHealthDeadline(t *testing.T) {
	floor := 2 * time.Minute
	tests := []struct {
		name string
		hc   *Healthcheck
		want time.Duration
	}{
		{"no check", nil, floor},
		{"disabled", &Healthcheck{Disabled: true}, floor},
		{"image's own check", &Healthcheck{Interval: "1s"}, floor},
		{"quick check stays at the floor",
			&Healthcheck{Test: []string{"CMD", "true"}, Interval: "1s", Timeout: "1s", Retries: 3}, floor},
		{"Docker defaults: 4 intervals of 30s and a timeout",
			&Healthcheck{Test: []string{"CMD", "true"}}, 150 * time.Second},
		{"a long start period is waited out",
			&Healthcheck{Test: []string{"CMD", "true"}, Interval: "10s", Timeout: "5s", Retries: 2,
				StartPeriod: "5m"}, 5*time.Minute + 35*time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Spec{Healthcheck: tt.hc}.HealthDeadline(floor)
			if got != tt.want {
				t.Errorf("HealthDeadline = %s, want %s", got, tt.want)
			}
		})
	}
}
