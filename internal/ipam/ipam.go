// Package ipam checks and normalises the IP address management settings of a
// network as users write them. Docker writes addresses its own way (IPv6
// compressed, subnets in its own order); comparing the canonical forms made
// here keeps such differences out of plans.
package ipam

import (
	"fmt"
	"net/netip"
	"sort"
)

// Config is one address pool of a network, as written in the configuration.
// Empty strings mean "not given".
type Config struct {
	Subnet       string            `json:"subnet"`
	IPRange      string            `json:"ip_range,omitempty"`
	Gateway      string            `json:"gateway,omitempty"`
	AuxAddresses map[string]string `json:"aux_addresses,omitempty"`
}

// Problem is one invalid value of a Config. Field is the attribute name
// ("subnet", "ip_range", "gateway" or "aux_addresses"); Key is the map key for
// auxiliary addresses.
type Problem struct {
	Field   string
	Key     string
	Message string
}

// Check reports every invalid value of c. IPv6 subnets need ipv6 enabled on
// the network.
func Check(c Config, ipv6 bool) []Problem {
	subnet, err := parsePrefix(c.Subnet)
	if err != nil {
		return []Problem{{Field: "subnet", Message: "subnet " + err.Error()}}
	}

	var problems []Problem
	if subnet.Addr().Is6() && !ipv6 {
		problems = append(problems, Problem{Field: "subnet", Message: fmt.Sprintf(
			"subnet %q is an IPv6 subnet, but the network does not enable IPv6; set ipv6 = true",
			c.Subnet)})
	}
	if c.IPRange != "" {
		if p := checkRange(subnet, c.IPRange); p != "" {
			problems = append(problems, Problem{Field: "ip_range", Message: p})
		}
	}
	if c.Gateway != "" {
		if p := checkAddr(subnet, "gateway", c.Gateway); p != "" {
			problems = append(problems, Problem{Field: "gateway", Message: p})
		}
	}
	for _, key := range sortedKeys(c.AuxAddresses) {
		if p := checkAddr(subnet, "auxiliary address "+key, c.AuxAddresses[key]); p != "" {
			problems = append(problems, Problem{Field: "aux_addresses", Key: key, Message: p})
		}
	}
	return problems
}

func checkRange(subnet netip.Prefix, raw string) string {
	r, err := parsePrefix(raw)
	if err != nil {
		return "ip_range " + err.Error()
	}
	if r.Bits() < subnet.Bits() || !subnet.Contains(r.Addr()) {
		return fmt.Sprintf("ip_range %q is not inside subnet %s; give a range within the subnet",
			raw, subnet)
	}
	return ""
}

func checkAddr(subnet netip.Prefix, what, raw string) string {
	a, err := netip.ParseAddr(raw)
	if err != nil || a.Zone() != "" {
		return fmt.Sprintf("%s %q is not an IP address; expected an address such as 10.0.0.1 "+
			"or fd00::1", what, raw)
	}
	if !subnet.Contains(a) {
		return fmt.Sprintf("%s %q is outside subnet %s; give an address within the subnet",
			what, raw, subnet)
	}
	return ""
}

// parsePrefix accepts a CIDR whose host bits are zero, in any spelling.
func parsePrefix(raw string) (netip.Prefix, error) {
	p, err := netip.ParsePrefix(raw)
	if err != nil {
		return netip.Prefix{}, fmt.Errorf("%q is not a CIDR; expected a network such as "+
			"10.10.0.0/24 or fd00:10::/64", raw)
	}
	if p.Addr().Zone() != "" {
		return netip.Prefix{}, fmt.Errorf("%q carries an IPv6 zone, which a subnet cannot have", raw)
	}
	if p != p.Masked() {
		return netip.Prefix{}, fmt.Errorf("%q has host bits set; did you mean %s?", raw, p.Masked())
	}
	return p, nil
}

// Canonical returns the configs with every address in its canonical spelling
// (IPv6 compressed and lower case) and sorted by subnet, so that
// two ways of writing the same settings compare equal. Values that do not
// parse are kept as written: Check reports them.
func Canonical(configs []Config) []Config {
	out := make([]Config, len(configs))
	for i, c := range configs {
		out[i] = Config{
			Subnet:  canonicalPrefix(c.Subnet),
			IPRange: canonicalPrefix(c.IPRange),
			Gateway: canonicalAddr(c.Gateway),
		}
		if len(c.AuxAddresses) > 0 {
			out[i].AuxAddresses = make(map[string]string, len(c.AuxAddresses))
			for k, v := range c.AuxAddresses {
				out[i].AuxAddresses[k] = canonicalAddr(v)
			}
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Subnet < out[j].Subnet })
	return out
}

// Equal says whether two lists of configs mean the same address pools,
// regardless of order and spelling.
func Equal(a, b []Config) bool {
	if len(a) != len(b) {
		return false
	}
	ca, cb := Canonical(a), Canonical(b)
	for i := range ca {
		if !sameConfig(ca[i], cb[i]) {
			return false
		}
	}
	return true
}

func sameConfig(a, b Config) bool {
	if a.Subnet != b.Subnet || a.IPRange != b.IPRange || a.Gateway != b.Gateway ||
		len(a.AuxAddresses) != len(b.AuxAddresses) {
		return false
	}
	for k, v := range a.AuxAddresses {
		if w, ok := b.AuxAddresses[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// CanonicalPrefix is the canonical spelling of a CIDR, or the input when it
// does not parse.
func CanonicalPrefix(raw string) string { return canonicalPrefix(raw) }

func canonicalPrefix(raw string) string {
	p, err := netip.ParsePrefix(raw)
	if err != nil {
		return raw
	}
	return p.String()
}

func canonicalAddr(raw string) string {
	a, err := netip.ParseAddr(raw)
	if err != nil {
		return raw
	}
	return a.String()
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
