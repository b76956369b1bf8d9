package rollout

import (
	"sort"
	"strconv"
	"strings"
)

// Plan cuts changes into batches, in an order the provider can show in the
// plan before anything runs:
//
//  1. Every Remove goes in the first batch. Removed replicas are no longer
//     wanted, so they do not count toward Parallelism.
//  2. Creates and replaces follow, round-robin over hosts ordered by name:
//     the first change of each host, then the second of each host, and so
//     on. Within a host, creates come before replaces, then replicas go by
//     number ("web-2" before "web-10").
//  3. That sequence is cut into batches of Parallelism changes (0: one batch
//     holding everything).
//
// Round-robin means a batch takes a host's second replica only once every
// other host has given one, so a host with more than one replica does not lose
// them all in one batch unless the batch is larger than the other hosts can
// fill. The result depends only on the changes, not on their order.
func Plan(changes []Change, cfg Config) []Batch {
	var removes []Change
	byHost := map[string][]Change{}
	for _, c := range changes {
		if c.Kind == Remove {
			removes = append(removes, c)
			continue
		}
		byHost[c.Host] = append(byHost[c.Host], c)
	}
	sort.Slice(removes, func(i, j int) bool { return changeLess(removes[i], removes[j]) })

	sequence := roundRobin(byHost)
	size := cfg.Parallelism
	if size <= 0 || size > len(sequence) {
		size = max(len(sequence), 1)
	}

	var batches []Batch
	for start := 0; start < len(sequence); start += size {
		end := min(start+size, len(sequence))
		batches = append(batches, Batch{Changes: append([]Change{}, sequence[start:end]...)})
	}
	if len(removes) > 0 {
		if len(batches) == 0 {
			batches = []Batch{{}}
		}
		batches[0].Changes = append(removes, batches[0].Changes...)
	}
	return batches
}

// roundRobin takes one change per host in host-name order until none is left.
func roundRobin(byHost map[string][]Change) []Change {
	hosts := make([]string, 0, len(byHost))
	for h, cs := range byHost {
		hosts = append(hosts, h)
		sort.Slice(cs, func(i, j int) bool { return changeLess(cs[i], cs[j]) })
	}
	sort.Strings(hosts)

	var sequence []Change
	for round := 0; ; round++ {
		took := false
		for _, h := range hosts {
			if round < len(byHost[h]) {
				sequence = append(sequence, byHost[h][round])
				took = true
			}
		}
		if !took {
			return sequence
		}
	}
}

// changeLess orders changes of one host: creates first, then by replica
// number, then by the whole change so that the order is total.
func changeLess(a, b Change) bool {
	if (a.Kind == Create) != (b.Kind == Create) {
		return a.Kind == Create
	}
	if a.Replica != b.Replica {
		return replicaLess(a.Replica, b.Replica)
	}
	if a.Host != b.Host {
		return a.Host < b.Host
	}
	if a.Kind != b.Kind {
		return a.Kind < b.Kind
	}
	return !a.ForceStopFirst && b.ForceStopFirst
}

// replicaLess compares "<service>-<n>" names by n when both have one.
func replicaLess(a, b string) bool {
	na, okA := replicaNumber(a)
	nb, okB := replicaNumber(b)
	if okA && okB && na != nb {
		return na < nb
	}
	return a < b
}

func replicaNumber(name string) (int, bool) {
	i := strings.LastIndexByte(name, '-')
	if i < 0 {
		return 0, false
	}
	n, err := strconv.Atoi(name[i+1:])
	return n, err == nil
}
