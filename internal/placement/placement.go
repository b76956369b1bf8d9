// Package placement decides, at plan time, on which host each replica of a
// service runs. It is pure and deterministic: the same request gives the same
// assignment on any machine, whatever the order of its inputs.
package placement

// Host is one candidate host.
type Host struct {
	Name     string
	Labels   map[string]string
	Draining bool
}

// Replica is one placed replica. Names are "<service>-<number>".
type Replica struct {
	Name   string
	Number int
	Host   string
	// Running is false when the replica is known not to run; scale-down
	// removes such replicas first. New replicas are planned as running.
	Running bool
	// Port is the published host port taken from a range, 0 when none.
	Port int
}

// PortRange is an inclusive range of published host ports; each replica gets
// its own port from it, sticky across plans.
type PortRange struct {
	First, Last int
}

// Request is everything placement needs.
type Request struct {
	Service  string
	Replicas int
	// Global puts one replica on every eligible host; Replicas is ignored.
	Global   bool
	Hosts    []Host
	Selector map[string]string
	// SpreadBy is a host label to spread replicas over first, then hosts.
	// Hosts without the label (or with it empty) form one group of their
	// own, spelled "".
	SpreadBy string
	// MaxPerHost caps replicas per host; 0 means no cap.
	MaxPerHost int
	// ExclusivePort is set when the service publishes a fixed host port, so
	// a host can hold at most one replica.
	ExclusivePort bool
	PortRange     *PortRange
	// Prior is the current assignment, from state. Only Number, Host,
	// Running and Port are read; names are rebuilt from Service and Number.
	Prior []Replica
}

// Assignment is the result, with replicas sorted by number.
type Assignment struct {
	Replicas []Replica
	// PerHost counts replicas per host name, eligible hosts with none included.
	PerHost map[string]int
	// Eligible names the hosts that may hold replicas, sorted by name.
	Eligible []string
	// Added lists replicas whose number was not in Prior, by number.
	Added []Replica
	// Moved lists replicas that keep their name but change host, by number.
	Moved []Move
	// Repinned lists replicas that stay on their host but get another port,
	// because their old one left the range, was taken twice, or the range
	// is gone (port 0). Their containers must be replaced.
	Repinned []Move
	// Removed lists prior replicas that are no longer wanted, by number then
	// host. It includes prior entries that repeat a number, or whose name
	// number is not positive, so that their containers are removed too.
	Removed []Replica
}

// Move is a replica whose host or port differs from Prior.
type Move struct {
	Replica Replica
	// From is the host the replica runs on in Prior.
	From string
	// FromPort is the port it has in Prior.
	FromPort int
}
