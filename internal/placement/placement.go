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
	SpreadBy string
	// MaxPerHost caps replicas per host; 0 means no cap.
	MaxPerHost int
	// ExclusivePort is set when the service publishes a fixed host port, so
	// a host can hold at most one replica.
	ExclusivePort bool
	PortRange     *PortRange
	// Prior is the current assignment, from state.
	Prior []Replica
}

// Assignment is the result, with replicas sorted by number.
type Assignment struct {
	Replicas []Replica
	// PerHost counts replicas per host name, eligible hosts with none included.
	PerHost map[string]int
}
