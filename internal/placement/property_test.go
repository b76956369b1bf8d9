package placement

import (
	"errors"
	"fmt"
	"math/rand"
	"reflect"
	"sort"
	"testing"
)

// Property checks over random requests. Each uses a fixed seed so that a
// failure repeats; the seed and case number are in every message.

const propertyCases = 400

var zones = []string{"a", "b", "c", ""}

// randomHosts makes 1 to 8 hosts with random roles, zones and draining.
func randomHosts(rng *rand.Rand) []Host {
	n := 1 + rng.Intn(8)
	hs := make([]Host, n)
	for i := range hs {
		labels := map[string]string{}
		if rng.Intn(4) > 0 {
			labels["role"] = "web"
		} else {
			labels["role"] = "db"
		}
		if z := zones[rng.Intn(len(zones))]; z != "" {
			labels["zone"] = z
		}
		hs[i] = Host{Name: fmt.Sprintf("h%02d", i), Labels: labels, Draining: rng.Intn(10) == 0}
	}
	return hs
}

// randomRequest makes a request that may or may not fit, with a random prior
// that may hold duplicates, non-running replicas and unknown hosts.
func randomRequest(rng *rand.Rand) Request {
	req := Request{Service: fmt.Sprintf("svc%d", rng.Intn(5)), Replicas: rng.Intn(16),
		Hosts: randomHosts(rng)}
	if rng.Intn(2) == 0 {
		req.Selector = map[string]string{"role": "web"}
	}
	if rng.Intn(2) == 0 {
		req.SpreadBy = "zone"
	}
	req.MaxPerHost = rng.Intn(4)
	req.ExclusivePort = rng.Intn(6) == 0
	req.Global = rng.Intn(8) == 0
	if rng.Intn(3) == 0 {
		first := 8000 + rng.Intn(10)
		req.PortRange = &PortRange{First: first, Last: first + rng.Intn(20)}
	}

	for i := rng.Intn(12); i > 0; i-- {
		r := Replica{Number: rng.Intn(14), Host: fmt.Sprintf("h%02d", rng.Intn(10)),
			Running: rng.Intn(5) > 0}
		if rng.Intn(2) == 0 {
			r.Port = 7995 + rng.Intn(40)
		}
		req.Prior = append(req.Prior, r)
	}
	return req
}

// shuffled returns the request with hosts, prior and every map rebuilt in
// another order.
func shuffled(rng *rand.Rand, req Request) Request {
	out := req
	out.Hosts = make([]Host, len(req.Hosts))
	for i, j := range rng.Perm(len(req.Hosts)) {
		h := req.Hosts[j]
		labels := map[string]string{}
		for _, k := range shuffledKeys(rng, h.Labels) {
			labels[k] = h.Labels[k]
		}
		h.Labels = labels
		out.Hosts[i] = h
	}
	out.Prior = make([]Replica, len(req.Prior))
	for i, j := range rng.Perm(len(req.Prior)) {
		out.Prior[i] = req.Prior[j]
	}
	return out
}

func shuffledKeys(rng *rand.Rand, m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	rng.Shuffle(len(keys), func(i, j int) { keys[i], keys[j] = keys[j], keys[i] })
	return keys
}

// model computes, independently of Assign, which hosts are eligible, the cap
// and how many replicas are asked.
type model struct {
	eligible map[string]Host
	limit    int
	asked    int
	fits     bool
}

func modelOf(req Request) model {
	m := model{eligible: map[string]Host{}, limit: req.MaxPerHost, asked: req.Replicas}
	matching := 0
	for _, h := range req.Hosts {
		ok := true
		for k, v := range req.Selector {
			if got, has := h.Labels[k]; !has || got != v {
				ok = false
			}
		}
		if ok {
			matching++
		}
		if ok && !h.Draining {
			m.eligible[h.Name] = h
		}
	}
	if req.ExclusivePort || req.Global {
		m.limit = 1
	}
	if req.Global {
		m.asked = len(m.eligible)
	}

	m.fits = m.asked == 0 || len(m.eligible) > 0
	if m.limit > 0 && m.asked > m.limit*len(m.eligible) {
		m.fits = false
	}
	if r := req.PortRange; r != nil && m.asked > r.Last-r.First+1 {
		m.fits = false
	}
	if req.Global && len(req.Selector) > 0 && len(req.Hosts) > 0 && matching == 0 {
		m.fits = false
	}
	return m
}

func TestPropertyDeterministicUnderShuffle(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(1))
	for i := 0; i < propertyCases; i++ {
		req := randomRequest(rng)
		want, wantErr := Assign(req)
		for k := 0; k < 3; k++ {
			got, gotErr := Assign(shuffled(rng, req))
			if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) || !reflect.DeepEqual(got, want) {
				t.Fatalf("case %d: shuffled input changed the result:\n%+v, %v\nwant\n%+v, %v",
					i, got, gotErr, want, wantErr)
			}
		}
	}
}

func TestPropertyValidAndFitsExactlyWhenModelSays(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(2))
	for i := 0; i < propertyCases; i++ {
		req := randomRequest(rng)
		m := modelOf(req)
		a, err := Assign(req)

		var unfit *UnfitError
		if err != nil && !errors.As(err, &unfit) {
			t.Fatalf("case %d: error %v is not an *UnfitError", i, err)
		}
		if (err == nil) != m.fits {
			t.Fatalf("case %d: error = %v, want fits = %v for %+v", i, err, m.fits, req)
		}
		if err == nil {
			checkValid(t, fmt.Sprintf("case %d", i), req, m, a)
		}
	}
}

// checkValid asserts everything an assignment must satisfy whatever the
// request: count, names, eligibility, caps, ports, per-host counts, and a
// change list consistent with the prior.
func checkValid(t *testing.T, where string, req Request, m model, a Assignment) {
	t.Helper()

	if len(a.Replicas) != m.asked {
		t.Fatalf("%s: %d replicas, want %d", where, len(a.Replicas), m.asked)
	}

	counts := map[string]int{}
	ports := map[int]bool{}
	for i, r := range a.Replicas {
		if i > 0 && a.Replicas[i-1].Number >= r.Number {
			t.Fatalf("%s: replicas not sorted by unique number: %s", where, layout(a))
		}
		if r.Number < 1 || r.Name != ReplicaName(req.Service, r.Number) {
			t.Fatalf("%s: bad replica %+v", where, r)
		}
		if _, ok := m.eligible[r.Host]; !ok {
			t.Fatalf("%s: replica %d on ineligible host %s", where, r.Number, r.Host)
		}
		counts[r.Host]++
		checkPort(t, where, req, r, ports)
	}

	for name := range m.eligible {
		if m.limit > 0 && counts[name] > m.limit {
			t.Fatalf("%s: host %s holds %d, cap %d", where, name, counts[name], m.limit)
		}
		if a.PerHost[name] != counts[name] {
			t.Fatalf("%s: PerHost[%s] = %d, want %d", where, name, a.PerHost[name], counts[name])
		}
	}
	if len(a.PerHost) != len(m.eligible) {
		t.Fatalf("%s: PerHost %v has hosts that are not eligible", where, a.PerHost)
	}

	checkChanges(t, where, req, a)
}

func checkPort(t *testing.T, where string, req Request, r Replica, seen map[int]bool) {
	t.Helper()

	pr := req.PortRange
	switch {
	case pr == nil && r.Port != 0:
		t.Fatalf("%s: replica %d has port %d without a range", where, r.Number, r.Port)
	case pr != nil && (r.Port < pr.First || r.Port > pr.Last || seen[r.Port]):
		t.Fatalf("%s: replica %d has port %d, range %d-%d, taken %v", where, r.Number, r.Port,
			pr.First, pr.Last, seen[r.Port])
	}
	seen[r.Port] = true
}

// checkChanges asserts that Added, Moved and Removed account for every
// replica of the prior and of the result exactly once.
func checkChanges(t *testing.T, where string, req Request, a Assignment) {
	t.Helper()

	now := map[int]Replica{}
	for _, r := range a.Replicas {
		now[r.Number] = r
	}
	seen := map[int]bool{}
	for _, p := range req.Prior {
		seen[p.Number] = true
	}
	for _, r := range a.Added {
		if seen[r.Number] || now[r.Number] != r {
			t.Fatalf("%s: added %+v was in prior or is not in the result", where, r)
		}
	}
	for _, mv := range a.Moved {
		if !seen[mv.Replica.Number] || now[mv.Replica.Number] != mv.Replica ||
			mv.From == mv.Replica.Host {
			t.Fatalf("%s: bad move %+v", where, mv)
		}
	}
	for _, mv := range a.Repinned {
		if !seen[mv.Replica.Number] || now[mv.Replica.Number] != mv.Replica ||
			mv.From != mv.Replica.Host || mv.FromPort == mv.Replica.Port {
			t.Fatalf("%s: bad repin %+v", where, mv)
		}
	}
	if len(a.Replicas)+len(a.Removed)-len(a.Added) != len(req.Prior) {
		t.Fatalf("%s: %d replicas + %d removed - %d added != %d prior", where,
			len(a.Replicas), len(a.Removed), len(a.Added), len(req.Prior))
	}
}

// fitting makes a random request without prior that fits, replicated mode.
func fitting(rng *rand.Rand) (Request, model) {
	for {
		req := randomRequest(rng)
		req.Prior, req.Global, req.Replicas = nil, false, rng.Intn(25)
		if m := modelOf(req); m.fits && len(m.eligible) > 0 {
			return req, m
		}
	}
}

// sameReplica is true when a replica kept its host and its port.
func sameReplica(a, b Replica) bool {
	return a.Number == b.Number && a.Host == b.Host && a.Port == b.Port
}

func TestPropertyScaleTouchesOnlyTheDifference(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(3))
	for i := 0; i < propertyCases; i++ {
		req, _ := fitting(rng)
		before, err := Assign(req)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}

		req.Prior = before.Replicas
		req.Replicas = rng.Intn(25)
		after, err := Assign(req)
		if err != nil {
			continue // more than fits; the fit check has its own property
		}

		where := fmt.Sprintf("case %d (%d -> %d)", i, len(before.Replicas), req.Replicas)
		if len(after.Moved) != 0 || len(after.Repinned) != 0 {
			t.Fatalf("%s: scaling moved %+v, repinned %+v", where, after.Moved, after.Repinned)
		}
		kept := keptOf(before.Replicas, after.Replicas)
		want := min(len(before.Replicas), req.Replicas)
		if kept != want {
			t.Fatalf("%s: %d replicas kept host and port, want %d:\n%s\n%s", where, kept, want,
				layout(before), layout(after))
		}
		checkLowestFree(t, where, before.Replicas, after.Added)
	}
}

// keptOf counts the replicas of after that are in before, same host and port.
func keptOf(before, after []Replica) int {
	old := map[int]Replica{}
	for _, r := range before {
		old[r.Number] = r
	}
	kept := 0
	for _, r := range after {
		if o, ok := old[r.Number]; ok && sameReplica(o, r) {
			kept++
		}
	}
	return kept
}

// checkLowestFree asserts that added replicas took the lowest numbers not
// held before.
func checkLowestFree(t *testing.T, where string, before, added []Replica) {
	t.Helper()

	held := map[int]bool{}
	for _, r := range before {
		held[r.Number] = true
	}
	n := 0
	for _, r := range added {
		for n++; held[n]; n++ {
		}
		if r.Number != n {
			t.Fatalf("%s: added replica %d, want lowest free number %d", where, r.Number, n)
		}
	}
}

func TestPropertyHostChangesMoveOnlyTheirReplicas(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(4))
	for i := 0; i < propertyCases; i++ {
		req, _ := fitting(rng)
		before, err := Assign(req)
		if err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		req.Prior = before.Replicas

		// Adding a host moves nothing.
		grown := req
		grown.Hosts = append(append([]Host{}, req.Hosts...), Host{Name: "new",
			Labels: map[string]string{"role": "web", "zone": "c"}})
		after, err := Assign(grown)
		if err != nil || !reflect.DeepEqual(after.Replicas, before.Replicas) {
			t.Fatalf("case %d: adding a host changed\n%s\nto\n%s (%v)", i, layout(before),
				layout(after), err)
		}

		// Removing a host, or its selector label, moves only its replicas.
		gone := rng.Intn(len(req.Hosts))
		shrunk := req
		shrunk.Hosts = append([]Host{}, req.Hosts...)
		if req.Selector != nil && rng.Intn(2) == 0 {
			shrunk.Hosts[gone].Labels = map[string]string{"role": "other"}
		} else {
			shrunk.Hosts = append(shrunk.Hosts[:gone], shrunk.Hosts[gone+1:]...)
		}
		after, err = Assign(shrunk)
		if err != nil {
			continue // the remaining hosts cannot hold them all
		}
		checkOnlyGoneMoved(t, fmt.Sprintf("case %d", i), req.Hosts[gone].Name, before, after)
	}
}

func checkOnlyGoneMoved(t *testing.T, where, gone string, before, after Assignment) {
	t.Helper()

	onGone := 0
	for _, r := range before.Replicas {
		if r.Host == gone {
			onGone++
		}
	}
	if kept := keptOf(before.Replicas, after.Replicas); kept != len(before.Replicas)-onGone {
		t.Fatalf("%s: removing %s kept %d replicas in place, want %d:\n%s\n%s", where, gone,
			kept, len(before.Replicas)-onGone, layout(before), layout(after))
	}
	if len(after.Moved) != onGone || len(after.Added) != 0 || len(after.Removed) != 0 ||
		len(after.Repinned) != 0 {
		t.Fatalf("%s: removing %s: moved %d added %d removed %d, want %d moved", where, gone,
			len(after.Moved), len(after.Added), len(after.Removed), onGone)
	}
}

// checkBalanced checks the spread: a group (then a host within its group) may
// hold two fewer than another only when it is full.
func checkBalanced(t *testing.T, where string, req Request, m model, a Assignment) {
	t.Helper()

	groupCount, groupRoom := map[string]int{}, map[string]bool{}
	for name, h := range m.eligible {
		g := h.Labels[req.SpreadBy]
		groupCount[g] += a.PerHost[name]
		if m.limit == 0 || a.PerHost[name] < m.limit {
			groupRoom[g] = true
		}
	}
	for g, c := range groupCount {
		for g2, c2 := range groupCount {
			if c+1 < c2 && groupRoom[g] {
				t.Fatalf("%s: group %q holds %d and has room, group %q holds %d: %s", where, g,
					c, g2, c2, layout(a))
			}
		}
	}

	for name, h := range m.eligible {
		for name2, h2 := range m.eligible {
			c, c2 := a.PerHost[name], a.PerHost[name2]
			same := h.Labels[req.SpreadBy] == h2.Labels[req.SpreadBy]
			if same && c+1 < c2 && (m.limit == 0 || c < m.limit) {
				t.Fatalf("%s: host %s holds %d and has room, %s in its group holds %d: %s",
					where, name, c, name2, c2, layout(a))
			}
		}
	}
}

func TestPropertySpreadStaysBalancedThroughScaling(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(5))
	for i := 0; i < propertyCases/4; i++ {
		req, m := fitting(rng)
		for step := 0; step < 8; step++ {
			req.Replicas = rng.Intn(25)
			a, err := Assign(req)
			if err != nil {
				continue
			}
			m.asked = req.Replicas
			where := fmt.Sprintf("case %d step %d", i, step)
			checkValid(t, where, req, m, a)
			checkBalanced(t, where, req, m, a)
			req.Prior = a.Replicas
		}
	}
}

func TestPropertyGlobalOnePerEligibleHost(t *testing.T) {
	t.Parallel()

	rng := rand.New(rand.NewSource(6))
	for i := 0; i < propertyCases; i++ {
		req := randomRequest(rng)
		req.Global, req.PortRange = true, nil
		m := modelOf(req)
		a, err := Assign(req)
		if (err == nil) != m.fits {
			t.Fatalf("case %d: error = %v, want fits = %v", i, err, m.fits)
		}
		for name := range m.eligible {
			if err == nil && a.PerHost[name] != 1 {
				t.Fatalf("case %d: host %s holds %d, want 1: %s", i, name, a.PerHost[name],
					layout(a))
			}
		}

		// A prior replica on a host that stays eligible never changes.
		if err == nil {
			req.Prior = a.Replicas
			again, err := Assign(shuffled(rng, req))
			if err != nil || !reflect.DeepEqual(again.Replicas, a.Replicas) {
				t.Fatalf("case %d: second global plan changed: %v\n%s\n%s", i, err, layout(a),
					layout(again))
			}
		}
	}
}
