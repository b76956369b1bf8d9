package placement

import (
	"fmt"
	"sort"
	"strings"
)

// Reason says why replicas cannot be placed. Callers map it, or the
// UnfitError's Attribute, to the attribute path of a plan diagnostic.
type Reason string

// Reasons a request cannot be placed.
const (
	// ReasonReplicas: the replica count itself is invalid (negative).
	ReasonReplicas Reason = "replicas"
	// ReasonNoHosts: no host was given at all, or a host name repeats.
	ReasonNoHosts Reason = "hosts"
	// ReasonSelector: host_selector matches none of the given hosts.
	ReasonSelector Reason = "host_selector"
	// ReasonDraining: every host matching the selector is draining.
	ReasonDraining Reason = "draining"
	// ReasonMaxPerHost: max_per_host times the eligible hosts is too few.
	ReasonMaxPerHost Reason = "max_per_host"
	// ReasonExclusivePort: a fixed published port allows one replica per
	// host, and there are fewer eligible hosts than replicas.
	ReasonExclusivePort Reason = "exclusive_port"
	// ReasonPortRange: the published port range is invalid or holds fewer
	// ports than replicas.
	ReasonPortRange Reason = "port_range"
)

// attributes maps each reason to the attribute a diagnostic should point at.
var attributes = map[Reason]string{
	ReasonReplicas:      "replicas",
	ReasonNoHosts:       "hosts",
	ReasonSelector:      "host_selector",
	ReasonDraining:      "replicas",
	ReasonMaxPerHost:    "max_per_host",
	ReasonExclusivePort: "ports",
	ReasonPortRange:     "ports",
}

// UnfitError says that a service's replicas cannot be placed, why, and what
// to change. Its message is written for the user of the provider.
type UnfitError struct {
	Service string
	// Global is set for a service in global mode (one replica per host).
	Global bool
	Reason Reason
	// Attribute is the service attribute to point the diagnostic at:
	// "replicas", "hosts", "host_selector", "max_per_host" or "ports".
	Attribute string
	// Asked is the number of replicas asked for; Fit is how many could be
	// placed (0 when the request itself is invalid).
	Asked, Fit int
	// Eligible names the hosts that could hold replicas, sorted.
	Eligible []string
	// Draining names the hosts that match the selector but are draining.
	Draining []string
	// Selector and HostLabels (labels of every given host, by host name)
	// explain a selector that matches nothing.
	Selector   map[string]string
	HostLabels map[string]map[string]string
	MaxPerHost int
	PortRange  *PortRange
	// Detail is set for invalid input that the fields above do not describe.
	Detail string
}

func newUnfit(req Request, reason Reason) *UnfitError {
	return &UnfitError{
		Service:    req.Service,
		Reason:     reason,
		Attribute:  attributes[reason],
		Asked:      req.Replicas,
		Selector:   req.Selector,
		MaxPerHost: req.MaxPerHost,
		PortRange:  req.PortRange,
	}
}

// Error says what was asked, what fits, why, and what to change.
func (e *UnfitError) Error() string {
	if e.Detail != "" {
		return fmt.Sprintf("service %q: %s", e.Service, e.Detail)
	}
	head := fmt.Sprintf("service %q asks for %d replicas but %s", e.Service, e.Asked,
		fitPhrase(e.Fit))
	switch {
	case e.Global && e.Asked == 0:
		head = fmt.Sprintf("service %q runs one replica on every eligible host but "+
			"no host is eligible", e.Service)
	case e.Global:
		head = fmt.Sprintf("service %q runs one replica on each of its %d eligible hosts but %s",
			e.Service, e.Asked, fitPhrase(e.Fit))
	}
	return head + ": " + e.why() + e.drainingNote()
}

func fitPhrase(fit int) string {
	switch fit {
	case 0:
		return "none fit"
	case 1:
		return "only 1 fits"
	}
	return fmt.Sprintf("only %d fit", fit)
}

func (e *UnfitError) why() string {
	switch e.Reason {
	case ReasonNoHosts:
		return "no host is given; set hosts or configure a default host on the provider"
	case ReasonSelector:
		return fmt.Sprintf("host_selector %s matches none of the %d hosts, whose labels are %s; "+
			"change host_selector or the labels of the hosts", formatLabels(e.Selector),
			len(e.HostLabels), formatHostLabels(e.HostLabels))
	case ReasonDraining:
		return fmt.Sprintf("every host matching the selector is draining (%s); "+
			"stop draining a host or add one", strings.Join(e.Draining, ", "))
	case ReasonMaxPerHost:
		return fmt.Sprintf("max_per_host = %d on %d eligible hosts (%s); raise max_per_host, "+
			"add hosts or lower replicas", e.MaxPerHost, len(e.Eligible),
			strings.Join(e.Eligible, ", "))
	case ReasonExclusivePort:
		return fmt.Sprintf("a fixed published host port allows one replica per host and %d hosts "+
			"are eligible (%s); publish a port range instead, add hosts or lower replicas",
			len(e.Eligible), strings.Join(e.Eligible, ", "))
	case ReasonPortRange:
		return fmt.Sprintf("the published port range %d-%d gives each replica its own port and "+
			"holds %d; widen the range or lower replicas", e.PortRange.First, e.PortRange.Last,
			e.PortRange.Last-e.PortRange.First+1)
	}
	return string(e.Reason)
}

func (e *UnfitError) drainingNote() string {
	if len(e.Draining) == 0 || e.Reason == ReasonDraining {
		return ""
	}
	return fmt.Sprintf(" (draining, so not counted: %s)", strings.Join(e.Draining, ", "))
}

// formatLabels writes labels as {a = "1", b = "2"}, keys sorted.
func formatLabels(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s = %q", k, labels[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func formatHostLabels(hosts map[string]map[string]string) string {
	names := make([]string, 0, len(hosts))
	for n := range hosts {
		names = append(names, n)
	}
	sort.Strings(names)

	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = n + " " + formatLabels(hosts[n])
	}
	return strings.Join(parts, ", ")
}
