package placement

import (
	"fmt"
	"sort"
	"strconv"
)

// Assign places the replicas of a service on hosts.
//
// It keeps every prior replica that is still valid (its host is eligible and
// within the per-host cap) where it is, with its port. It then removes or adds
// only the difference to reach the asked count:
//
//   - Scale-down removes, one at a time: replicas not running first, then
//     those in the spread group with the most replicas, then on the host with
//     the most replicas in that group, then the highest number.
//   - New replicas take the lowest free numbers, in ascending order, and each
//     goes to the spread group with the fewest replicas, then to the host with
//     the fewest replicas in it, among hosts under their cap. Ties break by an
//     FNV-1a hash of service, replica number and host name.
//
// A replica that had to leave its host (the host is gone, draining, no longer
// matches the selector, or is over its cap) frees its number; as new replicas
// take the lowest free numbers, it usually comes back under the same name on
// another host and is reported in Moved.
//
// With Global, the count is the number of eligible hosts and the cap is one.
// The result depends only on the content of the request, never on the order
// of Hosts, Prior or map iteration. Errors are *UnfitError.
func Assign(req Request) (Assignment, error) {
	if err := validate(req); err != nil {
		return Assignment{}, err
	}

	p := newPlanner(req)
	if err := p.checkFit(); err != nil {
		return Assignment{}, err
	}

	p.keepPrior()
	p.scaleDown()
	p.scaleUp()
	p.assignPorts()
	return p.result(), nil
}

// validate rejects requests that are wrong whatever the hosts.
func validate(req Request) error {
	if req.Replicas < 0 && !req.Global {
		e := newUnfit(req, ReasonReplicas)
		e.Detail = fmt.Sprintf("replicas must be 0 or more, got %d", req.Replicas)
		return e
	}
	if req.MaxPerHost < 0 {
		e := newUnfit(req, ReasonMaxPerHost)
		e.Detail = fmt.Sprintf("max_per_host must be 0 (no cap) or more, got %d", req.MaxPerHost)
		return e
	}
	if r := req.PortRange; r != nil && (r.First < 1 || r.Last > 65535 || r.First > r.Last) {
		e := newUnfit(req, ReasonPortRange)
		e.Detail = fmt.Sprintf("published port range %d-%d is not valid: ports run from 1 to "+
			"65535 and the first must not be above the last", r.First, r.Last)
		return e
	}

	seen := make(map[string]bool, len(req.Hosts))
	for _, h := range req.Hosts {
		if seen[h.Name] {
			e := newUnfit(req, ReasonNoHosts)
			e.Detail = fmt.Sprintf("host %q is given more than once; list each host once", h.Name)
			return e
		}
		seen[h.Name] = true
	}
	return nil
}

// slot is one eligible host while planning.
type slot struct {
	name  string
	group string
	count int
}

type planner struct {
	req Request
	// limit is the per-host cap, 0 for none.
	limit  int
	target int

	slots    map[string]*slot
	eligible []string // sorted
	matching int      // hosts matching the selector, draining or not
	draining []string // sorted
	groups   map[string]int

	prior   map[int]Replica // first prior entry per number
	removed []Replica       // prior entries dropped before planning
	placed  map[int]*Replica
}

func newPlanner(req Request) *planner {
	p := &planner{
		req:    req,
		limit:  req.MaxPerHost,
		slots:  map[string]*slot{},
		groups: map[string]int{},
		prior:  map[int]Replica{},
		placed: map[int]*Replica{},
	}
	if req.ExclusivePort || req.Global {
		p.limit = 1
	}

	for _, h := range req.Hosts {
		if !matches(h.Labels, req.Selector) {
			continue
		}
		p.matching++
		if h.Draining {
			p.draining = append(p.draining, h.Name)
			continue
		}
		p.slots[h.Name] = &slot{name: h.Name, group: h.Labels[req.SpreadBy]}
		p.eligible = append(p.eligible, h.Name)
	}
	sort.Strings(p.eligible)
	sort.Strings(p.draining)

	p.target = req.Replicas
	if req.Global {
		p.target = len(p.eligible)
	}
	return p
}

// matches is true when every selector key is present with the same value.
func matches(labels, selector map[string]string) bool {
	for k, v := range selector {
		got, ok := labels[k]
		if !ok || got != v {
			return false
		}
	}
	return true
}

// checkFit fails when the asked replicas cannot all be placed.
func (p *planner) checkFit() error {
	selectorMissesAll := len(p.req.Selector) > 0 && len(p.req.Hosts) > 0 && p.matching == 0
	if p.target == 0 && (!p.req.Global || !selectorMissesAll) {
		return nil
	}

	switch {
	case len(p.req.Hosts) == 0:
		return p.unfit(ReasonNoHosts, 0)
	case p.matching == 0:
		return p.unfit(ReasonSelector, 0)
	case len(p.eligible) == 0:
		return p.unfit(ReasonDraining, 0)
	}

	if p.limit > 0 && p.target > p.limit*len(p.eligible) {
		reason := ReasonMaxPerHost
		if p.req.ExclusivePort && (p.req.MaxPerHost == 0 || p.req.MaxPerHost > 1) {
			reason = ReasonExclusivePort
		}
		return p.unfit(reason, p.limit*len(p.eligible))
	}

	if r := p.req.PortRange; r != nil && p.target > r.Last-r.First+1 {
		return p.unfit(ReasonPortRange, r.Last-r.First+1)
	}
	return nil
}

func (p *planner) unfit(reason Reason, fit int) *UnfitError {
	e := newUnfit(p.req, reason)
	e.Asked = p.target
	e.Global = p.req.Global
	e.Fit = fit
	e.Eligible = append([]string{}, p.eligible...)
	e.Draining = append([]string{}, p.draining...)
	if reason == ReasonSelector {
		e.HostLabels = make(map[string]map[string]string, len(p.req.Hosts))
		for _, h := range p.req.Hosts {
			e.HostLabels[h.Name] = h.Labels
		}
	}
	return e
}

// keepPrior places every prior replica that is still valid.
func (p *planner) keepPrior() {
	prior := append([]Replica{}, p.req.Prior...)
	sort.Slice(prior, func(i, j int) bool { return priorLess(prior[i], prior[j]) })

	byHost := map[string][]Replica{}
	for _, r := range prior {
		if _, dup := p.prior[r.Number]; dup || r.Number < 1 {
			p.removed = append(p.removed, r)
			continue
		}
		p.prior[r.Number] = r
		if p.slots[r.Host] != nil {
			byHost[r.Host] = append(byHost[r.Host], r)
		}
	}

	for host, rs := range byHost {
		// The replicas a cap forces off a host are chosen the way scale-down
		// would choose them: not running first, then the highest number.
		sort.Slice(rs, func(i, j int) bool { return keepFirst(rs[i], rs[j]) })
		if p.limit > 0 && len(rs) > p.limit {
			rs = rs[:p.limit]
		}
		for _, r := range rs {
			p.place(r.Number, host, r.Running, r.Port)
		}
	}
}

// priorLess orders prior entries totally, so that duplicates resolve the
// same way whatever the input order.
func priorLess(a, b Replica) bool {
	if a.Number != b.Number {
		return a.Number < b.Number
	}
	if a.Host != b.Host {
		return a.Host < b.Host
	}
	if a.Running != b.Running {
		return a.Running
	}
	return a.Port < b.Port
}

// keepFirst orders replicas of one host from most to least worth keeping.
func keepFirst(a, b Replica) bool {
	if a.Running != b.Running {
		return a.Running
	}
	return a.Number < b.Number
}

func (p *planner) place(number int, host string, running bool, port int) {
	s := p.slots[host]
	s.count++
	p.groups[s.group]++
	p.placed[number] = &Replica{Number: number, Host: host, Running: running, Port: port}
}

func (p *planner) unplace(number int) {
	r := p.placed[number]
	s := p.slots[r.Host]
	s.count--
	p.groups[s.group]--
	delete(p.placed, number)
}

// scaleDown removes replicas one at a time until the target is reached.
func (p *planner) scaleDown() {
	for len(p.placed) > p.target {
		var victim *Replica
		for _, r := range p.placed {
			if victim == nil || p.removeBefore(r, victim) {
				victim = r
			}
		}
		p.unplace(victim.Number)
	}
}

// removeBefore says whether a should be removed before b.
func (p *planner) removeBefore(a, b *Replica) bool {
	if a.Running != b.Running {
		return !a.Running
	}
	sa, sb := p.slots[a.Host], p.slots[b.Host]
	if ga, gb := p.groups[sa.group], p.groups[sb.group]; ga != gb {
		return ga > gb
	}
	if sa.count != sb.count {
		return sa.count > sb.count
	}
	return a.Number > b.Number
}

// scaleUp adds replicas under the lowest free numbers until the target is
// reached. checkFit has made sure there is room.
func (p *planner) scaleUp() {
	for n := 1; len(p.placed) < p.target; n++ {
		if p.placed[n] != nil {
			continue
		}
		p.place(n, p.pickHost(n), true, 0)
	}
}

// pickHost chooses the host for new replica n: the group with the fewest
// replicas, then the host with the fewest, then the lowest tie hash.
func (p *planner) pickHost(n int) string {
	var best *slot
	var bestHash uint64
	number := strconv.Itoa(n)
	for _, name := range p.eligible {
		s := p.slots[name]
		if p.limit > 0 && s.count >= p.limit {
			continue
		}
		h := tieHash(p.req.Service, number, s.name)
		if best == nil || p.placeBefore(s, h, best, bestHash) {
			best, bestHash = s, h
		}
	}
	return best.name
}

func (p *planner) placeBefore(a *slot, ha uint64, b *slot, hb uint64) bool {
	if ga, gb := p.groups[a.group], p.groups[b.group]; ga != gb {
		return ga < gb
	}
	if a.count != b.count {
		return a.count < b.count
	}
	if ha != hb {
		return ha < hb
	}
	return a.name < b.name
}

// tieHash is a stable hash of service, replica number and host, so that ties
// fall differently per replica and service but the same on every machine.
// It is FNV-1a over the three parts separated by NUL bytes, written out to
// avoid an allocation per candidate host.
func tieHash(service, number, host string) uint64 {
	const offset, prime = 14695981039346656037, 1099511628211
	h := uint64(offset)
	mix := func(s string) {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * prime
		}
		h *= prime // the NUL separator: h ^ 0 == h
	}
	mix(service)
	mix(number)
	mix(host)
	return h
}

// assignPorts gives each replica its own port from the range: a prior
// replica keeps its port while it stays in the range, then replicas without
// one take the lowest free ports in number order. checkFit has made sure the
// range is large enough.
func (p *planner) assignPorts() {
	numbers := p.numbers()
	r := p.req.PortRange
	if r == nil {
		for _, n := range numbers {
			p.placed[n].Port = 0
		}
		return
	}

	used := map[int]bool{}
	for _, n := range numbers {
		port := p.prior[n].Port
		if port < r.First || port > r.Last || used[port] {
			port = 0
		}
		p.placed[n].Port = port
		used[port] = true
	}

	next := r.First
	for _, n := range numbers {
		if p.placed[n].Port != 0 {
			continue
		}
		for used[next] {
			next++
		}
		p.placed[n].Port = next
		used[next] = true
	}
}

func (p *planner) numbers() []int {
	ns := make([]int, 0, len(p.placed))
	for n := range p.placed {
		ns = append(ns, n)
	}
	sort.Ints(ns)
	return ns
}

// result builds the assignment and what changed against the prior one.
func (p *planner) result() Assignment {
	a := Assignment{
		PerHost:  make(map[string]int, len(p.eligible)),
		Eligible: append([]string{}, p.eligible...),
	}
	for _, name := range p.eligible {
		a.PerHost[name] = p.slots[name].count
	}

	for _, n := range p.numbers() {
		r := *p.placed[n]
		r.Name = ReplicaName(p.req.Service, n)
		a.Replicas = append(a.Replicas, r)

		old, existed := p.prior[n]
		switch {
		case !existed:
			a.Added = append(a.Added, r)
		case old.Host != r.Host:
			a.Moved = append(a.Moved, Move{Replica: r, From: old.Host, FromPort: old.Port})
		case old.Port != r.Port:
			a.Repinned = append(a.Repinned, Move{Replica: r, From: old.Host, FromPort: old.Port})
		}
	}

	for _, old := range p.prior {
		if p.placed[old.Number] == nil {
			p.removed = append(p.removed, old)
		}
	}
	for _, old := range p.removed {
		old.Name = ReplicaName(p.req.Service, old.Number)
		a.Removed = append(a.Removed, old)
	}
	sort.Slice(a.Removed, func(i, j int) bool { return priorLess(a.Removed[i], a.Removed[j]) })
	return a
}

// ReplicaName is the stable name of replica n of a service.
func ReplicaName(service string, n int) string {
	return service + "-" + strconv.Itoa(n)
}
