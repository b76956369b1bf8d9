package rollout

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
)

// fleet makes n replace changes spread over hosts h1..hn round-robin.
func fleet(n, hosts int) ([]Change, []string) {
	var changes []Change
	var names []string
	for i := 1; i <= n; i++ {
		name := fmt.Sprintf("web-%d", i)
		changes = append(changes, replace(name, fmt.Sprintf("h%d", (i-1)%hosts+1)))
		names = append(names, name)
	}
	return changes, names
}

func testConfig(p int, order Order, action FailureAction) (Config, *fakeClock) {
	clock := &fakeClock{now: time.Unix(1700000000, 0)}
	return Config{Parallelism: p, Order: order, FailureAction: action, Delay: 10 * time.Second,
		Monitor: 3 * time.Second, HealthTimeout: 30 * time.Second,
		PollInterval: 250 * time.Millisecond, Clock: clock}, clock
}

func asError(t *testing.T, err error) *Error {
	t.Helper()

	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("Execute error = %v, want *Error", err)
	}
	return e
}

func TestExecuteSequencing(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		order  Order
		change Change
		want   string
	}{
		{"stop-first", StopFirst, replace("web-1", "h1"), "retire,start,observe"},
		{"default is stop-first", "", replace("web-1", "h1"), "retire,start,observe"},
		{"start-first", StartFirst, replace("web-1", "h1"), "start,observe,retire"},
		{"fixed port forces stop-first", StartFirst,
			Change{Replica: "web-1", Host: "h1", Kind: Replace, ForceStopFirst: true},
			"retire,start,observe"},
		{"create", StartFirst, Change{Replica: "web-1", Host: "h1", Kind: Create},
			"start,observe"},
		{"remove", StartFirst, Change{Replica: "web-1", Host: "h1", Kind: Remove}, "remove"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			eng := newFake(map[string]script{"web-1": {healthyAfter: 2}}, "web-1")
			cfg, _ := testConfig(1, tc.order, Pause)
			var obs observed
			if err := Execute(context.Background(), []Change{tc.change}, cfg, eng,
				obs.observer()); err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if got := eng.callsOf("web-1"); got != tc.want {
				t.Errorf("calls = %s, want %s", got, tc.want)
			}
			if !reflect.DeepEqual(obs.calls, []string{"web-1=done"}) {
				t.Errorf("observer heard %v", obs.calls)
			}
		})
	}
}

// Monitor: the replica must stay healthy for the whole period; with the fake
// clock at 250ms a poll, 3s of monitor is 12 polls after the first healthy.
func TestExecuteMonitorAndDelay(t *testing.T) {
	t.Parallel()

	// One at a time: replicas of one batch share the fake clock.
	changes, names := fleet(4, 2)
	eng := newFake(map[string]script{}, names...)
	cfg, clock := testConfig(1, StopFirst, Pause)
	if err := Execute(context.Background(), changes, cfg, eng, nil); err != nil {
		t.Fatalf("Execute: %v", err)
	}

	for _, n := range names {
		if polls := eng.polls[n]; polls != 13 {
			t.Errorf("%s observed %d times, want 13 (healthy, then 12 polls of monitor)", n, polls)
		}
	}
	if d := clock.waitsOf(cfg.Delay); d != 3 {
		t.Errorf("delay waited %d times for 4 batches, want 3", d)
	}

	// A replica that turns unhealthy during the monitor period fails.
	eng = newFake(map[string]script{"web-1": {b: unhealthy, healthyAfter: 5}}, "web-1")
	err := Execute(context.Background(), changes[:1], cfg, eng, nil)
	if e := asError(t, err); len(e.Failures) != 1 || e.Failures[0].Reason != "turned unhealthy" {
		t.Errorf("error = %v, want web-1 turned unhealthy", err)
	}

	// With no monitor period the first healthy observation is enough.
	cfg.Monitor = 0
	eng = newFake(map[string]script{"web-1": {b: unhealthy, healthyAfter: 5}}, "web-1")
	if err := Execute(context.Background(), changes[:1], cfg, eng, nil); err != nil {
		t.Errorf("Execute without monitor: %v", err)
	}
}

func TestExecuteFailureReasons(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name   string
		script script
		says   []string
		calls  string
	}{
		{"exits", script{b: exits, code: 3},
			[]string{"replica web-1 on host h1 (replace): exited with code 3",
				"last log lines:\n    web-1: listening\n    web-1: panic: bad config"},
			"retire,start,observe,logs,quarantine"},
		{"unhealthy", script{b: unhealthy},
			[]string{"turned unhealthy", `health check output: "connection refused"`},
			"retire,start,observe,logs,quarantine"},
		{"never healthy", script{b: neverHealthy},
			[]string{"was not healthy within 30s", `"still warming up"`},
			"retire,start,observe,logs,quarantine"},
		{"start fails", script{b: startFails},
			[]string{"new container could not be started", "error: no such image"},
			"retire,start,logs,quarantine"},
		{"retire fails", script{retireFails: true},
			[]string{"old container could not be stopped", "error: stop timed out"}, "retire"},
		{"flaky observe recovers", script{b: observeFlaky, healthyAfter: 3}, nil,
			"retire,start,observe"},
		{"flaky observe times out", script{b: observeFlaky, healthyAfter: 1000},
			[]string{"was not healthy within 30s", "error: daemon busy"},
			"retire,start,observe,logs,quarantine"},
		{"host gone fails at the first observation", script{b: hostGone},
			[]string{"could not be observed: its host does not answer", "i/o timeout"},
			"retire,start,observe,logs,quarantine"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			eng := newFake(map[string]script{"web-1": tc.script}, "web-1")
			cfg, _ := testConfig(1, StopFirst, Pause)
			var obs observed
			err := Execute(context.Background(), []Change{replace("web-1", "h1")}, cfg, eng,
				obs.observer())

			if got := eng.callsOf("web-1"); got != tc.calls {
				t.Errorf("calls = %s, want %s", got, tc.calls)
			}
			if tc.says == nil {
				if err != nil {
					t.Errorf("Execute: %v", err)
				}
				return
			}
			for _, s := range tc.says {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("error %v does not say %q", err, s)
				}
			}
			if obs.last["web-1"] != Failed {
				t.Errorf("observer heard %v, want web-1 failed", obs.calls)
			}
		})
	}
}

func TestExecutePause(t *testing.T) {
	t.Parallel()

	changes, names := fleet(6, 2)
	eng := newFake(map[string]script{"web-4": {b: neverHealthy}}, names...)
	cfg, _ := testConfig(2, StartFirst, Pause)
	var obs observed
	err := Execute(context.Background(), changes, cfg, eng, obs.observer())

	e := asError(t, err)
	if len(e.Failures) != 1 || e.Failures[0].Replica != "web-4" || e.Skipped != 2 ||
		e.Completed {
		t.Fatalf("error = %+v, want web-4 failed and 2 skipped", e)
	}
	want := map[string]Outcome{"web-1": Done, "web-2": Done, "web-3": Done, "web-4": Failed,
		"web-5": Skipped, "web-6": Skipped}
	if !reflect.DeepEqual(obs.last, want) || len(obs.calls) != 6 {
		t.Errorf("observer heard %v, want %v once each", obs.calls, want)
	}
	if !strings.HasPrefix(err.Error(), "rolling update paused: 1 of 6 changes failed; "+
		"2 not attempted\n- replica web-4 on host h2") {
		t.Errorf("error = %q", err)
	}
	if got := eng.called("restore"); got != nil {
		t.Errorf("pause restored %v", got)
	}
}

func TestExecuteRollback(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name       string
		order      Order
		scripts    map[string]script
		restored   []string
		outcomes   map[string]Outcome
		rolledBack int
		says       string
	}{
		{
			name:     "stop-first restores the replaced and the failed, newest first",
			order:    StopFirst,
			scripts:  map[string]script{"web-3": {b: exits, code: 1}},
			restored: []string{"web-4", "web-3", "web-2", "web-1"},
			outcomes: map[string]Outcome{"web-1": RolledBack, "web-2": RolledBack,
				"web-3": RolledBack, "web-4": RolledBack, "web-5": Skipped, "web-6": Skipped},
			rolledBack: 4,
			says:       "rolling update rolled back: 1 of 6 changes failed, 4 replicas run",
		},
		{
			name:     "start-first leaves the failed one's old container alone",
			order:    StartFirst,
			scripts:  map[string]script{"web-3": {b: exits, code: 1}},
			restored: []string{"web-4", "web-2", "web-1"},
			outcomes: map[string]Outcome{"web-1": RolledBack, "web-2": RolledBack,
				"web-3": RolledBack, "web-4": RolledBack, "web-5": Skipped, "web-6": Skipped},
			rolledBack: 4,
			says:       "exited with code 1",
		},
		{
			name:  "a failed restore stops the rollback and is reported with the failure",
			order: StopFirst,
			scripts: map[string]script{"web-3": {b: unhealthy},
				"web-4": {restoreFails: true}},
			restored: []string{"web-4", "web-3"},
			outcomes: map[string]Outcome{"web-1": Done, "web-2": Done, "web-3": RolledBack,
				"web-4": Done, "web-5": Skipped, "web-6": Skipped},
			rolledBack: 1,
			says: "rolling update failed and so did its rollback: 1 of 6 changes failed, " +
				"1 replicas put back on the previous spec, 1 could not be; 2 not attempted",
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			changes, names := fleet(6, 2)
			eng := newFake(tc.scripts, names...)
			cfg, _ := testConfig(2, tc.order, Rollback)
			var obs observed
			err := Execute(context.Background(), changes, cfg, eng, obs.observer())

			e := asError(t, err)
			restored := eng.called("restore")
			// Restores of one batch run at once; compare batch by batch.
			for i := 0; i < len(restored); i += 2 {
				sort.Sort(sort.Reverse(sort.StringSlice(restored[i:min(i+2, len(restored))])))
			}
			if !reflect.DeepEqual(restored, tc.restored) {
				t.Errorf("restored %v, want %v", restored, tc.restored)
			}
			if !reflect.DeepEqual(obs.last, tc.outcomes) {
				t.Errorf("outcomes %v, want %v", obs.last, tc.outcomes)
			}
			if e.RolledBack != tc.rolledBack || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("rolled back %d, error %q; want %d and %q", e.RolledBack, err,
					tc.rolledBack, tc.says)
			}
		})
	}
}

func TestExceeds(t *testing.T) {
	t.Parallel()

	cases := []struct {
		failed, total int
		ratio         float64
		want          bool
	}{
		{0, 5, 0, false}, {1, 5, 0, true}, {1, 5, 0.2, false}, {2, 5, 0.2, true},
		{1, 10, 0.1, false}, {3, 10, 0.3, false}, {4, 10, 0.3, true}, {5, 5, 1, false},
	}
	for _, tc := range cases {
		if got := exceeds(tc.failed, tc.total, tc.ratio); got != tc.want {
			t.Errorf("exceeds(%d, %d, %g) = %v, want %v", tc.failed, tc.total, tc.ratio, got,
				tc.want)
		}
	}
}

func TestExecuteContinue(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name      string
		scripts   map[string]script
		completed bool
		skipped   int
		says      string
	}{
		{"1 of 5 at 0.2 goes on", map[string]script{"web-2": {b: exits, code: 2}}, true, 0,
			"rolling update finished, but 1 of 5 changes failed (within max_failure_ratio 0.2)"},
		{"2 of 5 at 0.2 stops", map[string]script{"web-2": {b: exits, code: 2},
			"web-3": {b: neverHealthy}}, false, 2,
			"rolling update stopped: 2 of 5 changes failed, more than max_failure_ratio 0.2 " +
				"allows; 2 not attempted"},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			changes, names := fleet(5, 2)
			eng := newFake(tc.scripts, names...)
			cfg, _ := testConfig(1, StartFirst, Continue)
			cfg.MaxFailureRatio = 0.2
			var obs observed
			err := Execute(context.Background(), changes, cfg, eng, obs.observer())

			e := asError(t, err)
			if e.Completed != tc.completed || e.Skipped != tc.skipped ||
				!strings.HasPrefix(err.Error(), tc.says) {
				t.Errorf("completed %v skipped %d error %q; want %v, %d, %q", e.Completed,
					e.Skipped, err, tc.completed, tc.skipped, tc.says)
			}
			if len(obs.calls) != 5 {
				t.Errorf("observer heard %v, want each of 5 once", obs.calls)
			}
			if got := eng.called("restore"); got != nil {
				t.Errorf("continue restored %v", got)
			}
		})
	}
}

func TestExecuteRespectsContext(t *testing.T) {
	t.Parallel()

	changes, names := fleet(4, 2)
	eng := newFake(map[string]script{"web-1": {b: neverHealthy}, "web-2": {b: neverHealthy}},
		names...)
	cfg := Config{Parallelism: 2, HealthTimeout: time.Hour, PollInterval: 5 * time.Millisecond,
		FailureAction: Rollback}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()

	start := time.Now()
	var obs observed
	err := Execute(ctx, changes, cfg, eng, obs.observer())
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Execute took %s after a 100ms deadline", took)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("error = %v, want the deadline", err)
	}
	e := asError(t, err)
	if len(e.Failures) != 2 || e.Skipped != 2 || !strings.Contains(err.Error(), "cut short") {
		t.Errorf("error = %q, want 2 cut short and 2 not attempted", err)
	}
	if len(obs.calls) != 4 || eng.called("restore") != nil {
		t.Errorf("observer heard %v, restored %v", obs.calls, eng.called("restore"))
	}

	// A context that ends during the delay stops before the next batch.
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	err = Execute(ctx, changes, Config{Parallelism: 2, Delay: time.Hour}, newFake(nil), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("error = %v, want canceled", err)
	}
}

// With start-first the old container serves until the new one is healthy,
// so every replica stays up; stop-first loses at most one batch at a time.
func TestExecuteAvailability(t *testing.T) {
	t.Parallel()

	for _, n := range []int{4, 7} {
		for _, p := range []int{1, 2, 3} {
			for _, order := range []Order{StartFirst, StopFirst} {
				changes, names := fleet(n, 2)
				eng := newFake(map[string]script{"web-2": {healthyAfter: 6}}, names...)
				cfg, _ := testConfig(p, order, Pause)
				if err := Execute(context.Background(), changes, cfg, eng, nil); err != nil {
					t.Fatalf("Execute: %v", err)
				}

				want := n - p
				if order == StartFirst {
					want = n
				}
				if eng.minUp < want {
					t.Errorf("%d replicas, parallelism %d, %s: at least %d up, want %d", n, p,
						order, eng.minUp, want)
				}
			}
		}
	}
}

func TestExecuteNothingToDo(t *testing.T) {
	t.Parallel()

	if err := Execute(context.Background(), nil, Config{}, newFake(nil), nil); err != nil {
		t.Errorf("Execute of no changes: %v", err)
	}
}

// A host that does not answer fails its replica at the first observation,
// not after the health deadline; the other host's replica finishes.
func TestExecuteHostGoneFailsAtOnce(t *testing.T) {
	t.Parallel()

	eng := newFake(map[string]script{"web-2": {b: hostGone}}, "web-1", "web-2")
	cfg, clock := testConfig(0, StopFirst, Pause)
	err := Execute(context.Background(), []Change{replace("web-1", "h1"),
		replace("web-2", "h2")}, cfg, eng, nil)

	e := asError(t, err)
	if len(e.Failures) != 1 || e.Failures[0].Host != "h2" {
		t.Fatalf("failures = %+v, want web-2 on h2", e.Failures)
	}
	if n := eng.polls["web-2"]; n != 1 {
		t.Errorf("web-2 observed %d times, want once", n)
	}
	if n := clock.waitsOf(cfg.PollInterval); n >= int(cfg.HealthTimeout/cfg.PollInterval) {
		t.Errorf("%d polls: the rollout waited for the health deadline", n)
	}
}
