package placement

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"testing"
)

func hosts(names ...string) []Host {
	hs := make([]Host, len(names))
	for i, n := range names {
		hs[i] = Host{Name: n}
	}
	return hs
}

func zoned(name, zone string) Host {
	h := Host{Name: name, Labels: map[string]string{"role": "web"}}
	if zone != "" {
		h.Labels["zone"] = zone
	}
	return h
}

func running(service string, numberHost ...any) []Replica {
	var rs []Replica
	for i := 0; i < len(numberHost); i += 2 {
		n := numberHost[i].(int)
		rs = append(rs, Replica{Name: ReplicaName(service, n), Number: n,
			Host: numberHost[i+1].(string), Running: true})
	}
	return rs
}

// layout writes an assignment as "1@h1 2@h2 ...", ports as ":port".
func layout(a Assignment) string {
	parts := make([]string, len(a.Replicas))
	for i, r := range a.Replicas {
		parts[i] = fmt.Sprintf("%d@%s", r.Number, r.Host)
		if r.Port != 0 {
			parts[i] += fmt.Sprintf(":%d", r.Port)
		}
	}
	return strings.Join(parts, " ")
}

func numbersOf(rs []Replica) []int {
	ns := []int{}
	for _, r := range rs {
		ns = append(ns, r.Number)
	}
	return ns
}

func sortedCounts(perHost map[string]int) []int {
	cs := []int{}
	for _, c := range perHost {
		cs = append(cs, c)
	}
	sort.Ints(cs)
	return cs
}

func TestAssignLayouts(t *testing.T) {
	t.Parallel()

	cases := []struct {
		name string
		req  Request
		// want is the exact layout when ties cannot matter.
		want string
		// counts is the sorted multiset of PerHost counts.
		counts   []int
		added    []int
		moved    map[int]string // number -> from host
		removed  []int
		repinned []int
	}{
		{
			name:   "fresh spread over three hosts",
			req:    Request{Service: "web", Replicas: 5, Hosts: hosts("h1", "h2", "h3")},
			counts: []int{1, 2, 2},
			added:  []int{1, 2, 3, 4, 5},
		},
		{
			name: "selector and draining narrow the hosts",
			req: Request{Service: "web", Replicas: 4, Selector: map[string]string{"role": "web"},
				Hosts: []Host{
					{Name: "h1", Labels: map[string]string{"role": "web"}},
					{Name: "h2", Labels: map[string]string{"role": "db"}},
					{Name: "h3", Labels: map[string]string{"role": "web"}},
					{Name: "h4", Labels: map[string]string{"role": "web"}, Draining: true},
				}},
			counts: []int{2, 2},
			added:  []int{1, 2, 3, 4},
		},
		{
			name: "scale-down removes not running, then most loaded host, then highest",
			req: Request{Service: "web", Replicas: 4, Hosts: hosts("h1", "h2", "h3"),
				Prior: func() []Replica {
					rs := running("web", 1, "h1", 2, "h2", 3, "h3", 4, "h1", 5, "h2", 6, "h3")
					rs[3].Running = false
					return rs
				}()},
			want:    "1@h1 2@h2 3@h3 5@h2",
			counts:  []int{1, 1, 2},
			removed: []int{4, 6},
		},
		{
			name: "scale-down takes from the fullest spread group first",
			req: Request{Service: "web", Replicas: 3, SpreadBy: "zone",
				Hosts: []Host{zoned("a1", "a"), zoned("a2", "a"), zoned("b1", "b")},
				Prior: running("web", 1, "a1", 2, "b1", 3, "a2", 4, "b1")},
			// Zones hold a=2 and b=2; b1 is the fuller host, 4 is its highest.
			want:    "1@a1 2@b1 3@a2",
			counts:  []int{1, 1, 1},
			removed: []int{4},
		},
		{
			name: "spread over zones first, hosts without the label form their own group",
			req: Request{Service: "web", Replicas: 6, SpreadBy: "zone",
				Hosts: []Host{zoned("a1", "a"), zoned("a2", "a"), zoned("b1", "b"),
					zoned("x1", "")}},
			counts: []int{1, 1, 2, 2},
			added:  []int{1, 2, 3, 4, 5, 6},
		},
		{
			name: "removing a host moves only its replicas and reuses their numbers",
			req: Request{Service: "web", Replicas: 6, Hosts: hosts("h1", "h2"),
				Prior: running("web", 1, "h1", 2, "h2", 3, "h3", 4, "h1", 5, "h2", 6, "h3")},
			counts: []int{3, 3},
			moved:  map[int]string{3: "h3", 6: "h3"},
		},
		{
			name: "adding a host moves nothing",
			req: Request{Service: "web", Replicas: 4, Hosts: hosts("h1", "h2", "h3"),
				Prior: running("web", 1, "h1", 2, "h2", 3, "h1", 4, "h2")},
			want:   "1@h1 2@h2 3@h1 4@h2",
			counts: []int{0, 2, 2},
		},
		{
			name: "scale-up fills the emptiest host with the lowest free numbers",
			req: Request{Service: "web", Replicas: 6, Hosts: hosts("h1", "h2", "h3"),
				Prior: running("web", 1, "h1", 3, "h2", 7, "h1", 8, "h2")},
			want:   "1@h1 2@h3 3@h2 4@h3 7@h1 8@h2",
			counts: []int{2, 2, 2},
			added:  []int{2, 4},
		},
		{
			name: "a lowered cap moves the excess, not running first",
			req: Request{Service: "web", Replicas: 4, MaxPerHost: 2, Hosts: hosts("h1", "h2"),
				Prior: func() []Replica {
					rs := running("web", 1, "h1", 2, "h1", 3, "h1", 4, "h2")
					rs[0].Running = false
					return rs
				}()},
			want:   "1@h2 2@h1 3@h1 4@h2",
			counts: []int{2, 2},
			moved:  map[int]string{1: "h1"},
		},
		{
			name: "global keeps replicas and fills eligible hosts",
			req: Request{Service: "agent", Global: true, Replicas: 99,
				Hosts: []Host{{Name: "h1"}, {Name: "h2"}, {Name: "h3"}, {Name: "h4", Draining: true}},
				Prior: running("agent", 1, "h2", 2, "h4", 5, "h3", 6, "h3")},
			want:    "1@h2 2@h1 5@h3",
			counts:  []int{1, 1, 1},
			moved:   map[int]string{2: "h4"},
			removed: []int{6},
		},
		{
			name: "ports are sticky and new replicas take the lowest free",
			req: Request{Service: "web", Replicas: 4, Hosts: hosts("h1", "h2"),
				PortRange: &PortRange{First: 8000, Last: 8009},
				Prior: func() []Replica {
					rs := running("web", 1, "h1", 2, "h2", 3, "h1")
					rs[0].Port, rs[1].Port, rs[2].Port = 8003, 8000, 8020
					return rs
				}()},
			want:     "1@h1:8003 2@h2:8000 3@h1:8001 4@h2:8002",
			counts:   []int{2, 2},
			added:    []int{4},
			repinned: []int{3},
		},
		{
			name: "duplicate and invalid prior entries are removed",
			req: Request{Service: "web", Replicas: 2, Hosts: hosts("h1", "h2"),
				Prior: running("web", 2, "h2", 1, "h2", 1, "h1", 0, "h1")},
			want:    "1@h1 2@h2",
			counts:  []int{1, 1},
			removed: []int{0, 1},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			a, err := Assign(tc.req)
			if err != nil {
				t.Fatalf("Assign: %v", err)
			}

			if tc.want != "" && layout(a) != tc.want {
				t.Errorf("layout = %q, want %q", layout(a), tc.want)
			}
			if got := sortedCounts(a.PerHost); !reflect.DeepEqual(got, tc.counts) {
				t.Errorf("per-host counts = %v, want %v (%v)", got, tc.counts, a.PerHost)
			}
			if tc.added == nil {
				tc.added = []int{}
			}
			if got := numbersOf(a.Added); !reflect.DeepEqual(got, tc.added) {
				t.Errorf("added = %v, want %v", got, tc.added)
			}
			moved := map[int]string{}
			for _, m := range a.Moved {
				moved[m.Replica.Number] = m.From
			}
			if tc.moved == nil {
				tc.moved = map[int]string{}
			}
			if !reflect.DeepEqual(moved, tc.moved) {
				t.Errorf("moved = %v, want %v", moved, tc.moved)
			}
			if tc.removed == nil {
				tc.removed = []int{}
			}
			if got := numbersOf(a.Removed); !reflect.DeepEqual(got, tc.removed) {
				t.Errorf("removed = %v, want %v", got, tc.removed)
			}
			repinned := []int{}
			for _, m := range a.Repinned {
				repinned = append(repinned, m.Replica.Number)
			}
			if tc.repinned == nil {
				tc.repinned = []int{}
			}
			if !reflect.DeepEqual(repinned, tc.repinned) {
				t.Errorf("repinned = %v, want %v", repinned, tc.repinned)
			}
			for _, r := range a.Replicas {
				if r.Name != ReplicaName(tc.req.Service, r.Number) {
					t.Errorf("replica %d is named %q", r.Number, r.Name)
				}
			}
		})
	}
}

func TestAssignUnfit(t *testing.T) {
	t.Parallel()

	three := hosts("h1", "h2", "h3")
	cases := []struct {
		name      string
		req       Request
		reason    Reason
		attribute string
		fit       int
		says      []string
	}{
		{
			name:      "negative replicas",
			req:       Request{Service: "web", Replicas: -1, Hosts: three},
			reason:    ReasonReplicas,
			attribute: "replicas",
			says:      []string{"replicas must be 0 or more, got -1"},
		},
		{
			name:      "no hosts",
			req:       Request{Service: "web", Replicas: 1},
			reason:    ReasonNoHosts,
			attribute: "hosts",
			says:      []string{"asks for 1 replicas but none fit", "no host is given"},
		},
		{
			name:      "host given twice",
			req:       Request{Service: "web", Replicas: 1, Hosts: hosts("h1", "h1")},
			reason:    ReasonNoHosts,
			attribute: "hosts",
			says:      []string{`host "h1" is given more than once`},
		},
		{
			name: "selector matches no host",
			req: Request{Service: "web", Replicas: 2, Selector: map[string]string{"role": "db"},
				Hosts: []Host{{Name: "h1", Labels: map[string]string{"role": "web", "zone": "a"}},
					{Name: "h2"}}},
			reason:    ReasonSelector,
			attribute: "host_selector",
			says: []string{`host_selector {role = "db"} matches none of the 2 hosts`,
				`h1 {role = "web", zone = "a"}, h2 {}`, "change host_selector"},
		},
		{
			name: "global selector matches no host",
			req: Request{Service: "agent", Global: true, Selector: map[string]string{"gpu": "1"},
				Hosts: three},
			reason:    ReasonSelector,
			attribute: "host_selector",
			says:      []string{"runs one replica on every eligible host but no host is eligible"},
		},
		{
			name: "every matching host draining",
			req: Request{Service: "web", Replicas: 1,
				Hosts: []Host{{Name: "h1", Draining: true}, {Name: "h2", Draining: true}}},
			reason:    ReasonDraining,
			attribute: "replicas",
			says:      []string{"draining (h1, h2)"},
		},
		{
			name:      "max per host",
			req:       Request{Service: "web", Replicas: 7, MaxPerHost: 2, Hosts: three},
			reason:    ReasonMaxPerHost,
			attribute: "max_per_host",
			fit:       6,
			says: []string{"asks for 7 replicas but only 6 fit",
				"max_per_host = 2 on 3 eligible hosts (h1, h2, h3)", "raise max_per_host"},
		},
		{
			name: "fixed port allows one per host",
			req: Request{Service: "web", Replicas: 3, ExclusivePort: true,
				Hosts: []Host{{Name: "h1"}, {Name: "h2"}, {Name: "h3", Draining: true}}},
			reason:    ReasonExclusivePort,
			attribute: "ports",
			fit:       2,
			says: []string{"fixed published host port allows one replica per host",
				"2 hosts are eligible (h1, h2)", "draining, so not counted: h3"},
		},
		{
			name: "port range too small",
			req: Request{Service: "web", Replicas: 4, Hosts: three,
				PortRange: &PortRange{First: 8000, Last: 8002}},
			reason:    ReasonPortRange,
			attribute: "ports",
			fit:       3,
			says:      []string{"port range 8000-8002", "holds 3", "widen the range"},
		},
		{
			name: "port range backwards",
			req: Request{Service: "web", Replicas: 1, Hosts: three,
				PortRange: &PortRange{First: 9000, Last: 8000}},
			reason:    ReasonPortRange,
			attribute: "ports",
			says:      []string{"9000-8000 is not valid"},
		},
		{
			name:      "negative cap",
			req:       Request{Service: "web", Replicas: 1, MaxPerHost: -2, Hosts: three},
			reason:    ReasonMaxPerHost,
			attribute: "max_per_host",
			says:      []string{"max_per_host must be 0 (no cap) or more, got -2"},
		},
	}

	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()

			_, err := Assign(tc.req)
			var unfit *UnfitError
			if !errors.As(err, &unfit) {
				t.Fatalf("Assign error = %v, want *UnfitError", err)
			}
			if unfit.Reason != tc.reason || unfit.Attribute != tc.attribute || unfit.Fit != tc.fit {
				t.Errorf("reason, attribute, fit = %q, %q, %d; want %q, %q, %d", unfit.Reason,
					unfit.Attribute, unfit.Fit, tc.reason, tc.attribute, tc.fit)
			}
			for _, s := range tc.says {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not say %q", err, s)
				}
			}
		})
	}
}

func TestAssignZeroReplicasNeedsNoHost(t *testing.T) {
	t.Parallel()

	a, err := Assign(Request{Service: "web", Selector: map[string]string{"role": "db"},
		Hosts: hosts("h1"), Prior: running("web", 1, "h1")})
	if err != nil {
		t.Fatalf("Assign: %v", err)
	}
	if len(a.Replicas) != 0 || len(a.PerHost) != 0 || len(a.Removed) != 1 {
		t.Errorf("assignment = %+v, want no replicas and web-1 removed", a)
	}
}

// Ties between equally loaded hosts must not always fall to the first host
// by name, or every service would pile its odd replica on the same host.
func TestAssignTiesBreakByHash(t *testing.T) {
	t.Parallel()

	firstHosts := map[string]int{}
	for i := 0; i < 30; i++ {
		a, err := Assign(Request{Service: fmt.Sprintf("svc%d", i), Replicas: 1,
			Hosts: hosts("a", "b", "c")})
		if err != nil {
			t.Fatalf("Assign: %v", err)
		}
		firstHosts[a.Replicas[0].Host]++
	}
	if len(firstHosts) < 3 {
		t.Errorf("the first replica of 30 services landed on %v, want all three hosts used",
			firstHosts)
	}
}
