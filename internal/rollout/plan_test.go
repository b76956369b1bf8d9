package rollout

import (
	"fmt"
	"math/rand"
	"reflect"
	"strings"
	"testing"
)

func replace(replica, host string) Change {
	return Change{Replica: replica, Host: host, Kind: Replace}
}

// batchesString writes batches as "[web-1@h1 web-2@h2] [...]", kinds other
// than replace marked with a prefix.
func batchesString(bs []Batch) string {
	var parts []string
	for _, b := range bs {
		var cs []string
		for _, c := range b.Changes {
			prefix := ""
			switch c.Kind {
			case Create:
				prefix = "+"
			case Remove:
				prefix = "-"
			}
			cs = append(cs, prefix+c.Replica+"@"+c.Host)
		}
		parts = append(parts, "["+strings.Join(cs, " ")+"]")
	}
	return strings.Join(parts, " ")
}

func TestPlan(t *testing.T) {
	t.Parallel()

	fourOnTwo := []Change{replace("web-4", "h2"), replace("web-1", "h1"),
		replace("web-3", "h1"), replace("web-2", "h2")}
	cases := []struct {
		name        string
		changes     []Change
		parallelism int
		want        string
	}{
		{"nothing", nil, 2, ""},
		{"two at a time, one per host", fourOnTwo, 2, "[web-1@h1 web-2@h2] [web-3@h1 web-4@h2]"},
		{"one at a time alternates hosts", fourOnTwo, 1,
			"[web-1@h1] [web-2@h2] [web-3@h1] [web-4@h2]"},
		{"zero means all at once", fourOnTwo, 0, "[web-1@h1 web-2@h2 web-3@h1 web-4@h2]"},
		{"more than there is", fourOnTwo, 9, "[web-1@h1 web-2@h2 web-3@h1 web-4@h2]"},
		{"numbers, not spelling", []Change{replace("web-10", "h1"), replace("web-9", "h1"),
			replace("web-2", "h1")}, 1, "[web-2@h1] [web-9@h1] [web-10@h1]"},
		{
			name: "removes lead the first batch, creates lead their host",
			changes: []Change{replace("web-1", "h1"), {Replica: "web-6", Host: "h2", Kind: Remove},
				replace("web-2", "h2"), {Replica: "web-5", Host: "h1", Kind: Create},
				{Replica: "web-7", Host: "h1", Kind: Remove}},
			parallelism: 1,
			want:        "[-web-6@h2 -web-7@h1 +web-5@h1] [web-2@h2] [web-1@h1]",
		},
		{"only removes", []Change{{Replica: "web-3", Host: "h1", Kind: Remove}}, 1,
			"[-web-3@h1]"},
		{
			name: "uneven hosts: the big host goes last, one a batch",
			changes: []Change{replace("web-1", "h1"), replace("web-2", "h1"),
				replace("web-3", "h1"), replace("web-4", "h2"), replace("web-5", "h3")},
			parallelism: 2,
			want:        "[web-1@h1 web-4@h2] [web-5@h3 web-2@h1] [web-3@h1]",
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			got := batchesString(Plan(tc.changes, Config{Parallelism: tc.parallelism}))
			if got != tc.want {
				t.Errorf("Plan = %s\nwant   %s", got, tc.want)
			}
		})
	}
}

func TestPlanPropertyOrderFreeCompleteAndSpread(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(7))
	for i := 0; i < 300; i++ {
		hosts, perHost := 1+rng.Intn(5), 1+rng.Intn(4)
		var changes []Change
		for h := 0; h < hosts; h++ {
			for k := 0; k < perHost; k++ {
				changes = append(changes, replace(fmt.Sprintf("web-%d", h*perHost+k+1),
					fmt.Sprintf("h%d", h)))
			}
		}
		p := rng.Intn(hosts + 2)
		want := Plan(changes, Config{Parallelism: p})

		shuffled := append([]Change{}, changes...)
		rng.Shuffle(len(shuffled), func(a, b int) { shuffled[a], shuffled[b] = shuffled[b], shuffled[a] })
		if got := Plan(shuffled, Config{Parallelism: p}); !reflect.DeepEqual(got, want) {
			t.Fatalf("case %d: order of changes changed the plan:\n%s\n%s", i,
				batchesString(got), batchesString(want))
		}

		checkPlanShape(t, fmt.Sprintf("case %d (p=%d)", i, p), changes, want, p, hosts)
	}
}

// checkPlanShape asserts that every change appears once, batches respect
// parallelism, and with parallelism at most the number of hosts (all hosts
// holding the same count) no batch takes two replicas of one host.
func checkPlanShape(t *testing.T, where string, changes []Change, bs []Batch, p, hosts int) {
	t.Helper()

	seen := map[string]int{}
	for _, b := range bs {
		perHost := map[string]int{}
		for _, c := range b.Changes {
			seen[c.Replica]++
			perHost[c.Host]++
			if p > 0 && p <= hosts && perHost[c.Host] > 1 {
				t.Fatalf("%s: batch takes two replicas of %s: %s", where, c.Host,
					batchesString(bs))
			}
		}
		if p > 0 && len(b.Changes) > p {
			t.Fatalf("%s: batch of %d: %s", where, len(b.Changes), batchesString(bs))
		}
	}
	for _, c := range changes {
		if seen[c.Replica] != 1 {
			t.Fatalf("%s: %s planned %d times", where, c.Replica, seen[c.Replica])
		}
	}
}
