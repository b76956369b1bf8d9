package containerspec

import (
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
)

// Normalize returns the spec in its one canonical form: defaults filled in,
// durations, sizes and CPU counts written one way, lists whose order means
// nothing sorted, empty collections nil. Two specs that mean the same
// container normalise to equal values, so their digests are equal. Values
// that do not parse are left as written; Validate reports them.
func Normalize(s Spec) Spec {
	n := s
	n.Pull = orDefault(s.Pull, PullMissing)
	n.Command = emptyToNil(s.Command)
	n.Entrypoint = emptyToNil(s.Entrypoint)
	n.Env = mapOrNil(s.Env)
	n.SecretEnv = mapOrNil(s.SecretEnv)
	n.Labels = mapOrNil(s.Labels)
	n.LogOptions = mapOrNil(s.LogOptions)
	n.Tmpfs = mapOrNil(s.Tmpfs)
	n.Sysctls = mapOrNil(s.Sysctls)
	n.DNS = emptyToNil(s.DNS)
	n.ExtraHosts = sortedCopy(s.ExtraHosts)
	n.CapAdd = normalizeCaps(s.CapAdd)
	n.CapDrop = normalizeCaps(s.CapDrop)
	n.StopGracePeriod = normalizeDuration(s.StopGracePeriod)

	n.Ports = normalizePorts(s.Ports)
	n.Networks = normalizeNetworks(s.Networks)
	n.Mounts = normalizeMounts(s.Mounts)
	n.Restart = normalizeRestart(s.Restart)
	n.Healthcheck = normalizeHealthcheck(s.Healthcheck)
	n.Resources = Resources{
		CPUs:              normalizeCPUs(s.Resources.CPUs),
		Memory:            normalizeSize(s.Resources.Memory),
		MemoryReservation: normalizeSize(s.Resources.MemoryReservation),
	}
	n.Ulimits = normalizeUlimits(s.Ulimits)
	return n
}

func normalizePorts(ports []Port) []Port {
	if len(ports) == 0 {
		return nil
	}
	out := make([]Port, len(ports))
	for i, p := range ports {
		p.Protocol = strings.ToLower(orDefault(p.Protocol, "tcp"))
		p.Published = normalizePublished(p.Published)
		out[i] = p
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Target != b.Target {
			return a.Target < b.Target
		}
		if a.Protocol != b.Protocol {
			return a.Protocol < b.Protocol
		}
		if a.HostIP != b.HostIP {
			return a.HostIP < b.HostIP
		}
		return a.Published < b.Published
	})
	return out
}

// normalizePublished writes "80", " 80 " and "80-80" as "80", and ranges as
// "first-last".
func normalizePublished(raw string) string {
	first, last, err := ParsePublished(raw)
	if err != nil || first == 0 {
		return strings.TrimSpace(raw)
	}
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "-" + strconv.Itoa(last)
}

func normalizeNetworks(nets []Network) []Network {
	if len(nets) == 0 {
		return nil
	}
	out := make([]Network, len(nets))
	for i, n := range nets {
		out[i] = Network{Name: n.Name, Aliases: sortedCopy(n.Aliases)}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func normalizeMounts(mounts []Mount) []Mount {
	if len(mounts) == 0 {
		return nil
	}
	out := make([]Mount, len(mounts))
	for i, m := range mounts {
		m.Type = strings.ToLower(orDefault(m.Type, MountVolume))
		out[i] = m
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Target < out[j].Target })
	return out
}

func normalizeRestart(r Restart) Restart {
	r.Policy = orDefault(r.Policy, "no")
	if r.Policy != "on-failure" {
		// Docker keeps a retry count only for on-failure.
		r.MaxRetries = 0
	}
	return r
}

func normalizeHealthcheck(h *Healthcheck) *Healthcheck {
	if h == nil {
		return nil
	}
	if h.Disabled {
		return &Healthcheck{Disabled: true}
	}
	return &Healthcheck{
		Test:        emptyToNil(h.Test),
		Interval:    normalizeDuration(h.Interval),
		Timeout:     normalizeDuration(h.Timeout),
		StartPeriod: normalizeDuration(h.StartPeriod),
		Retries:     h.Retries,
	}
}

func normalizeUlimits(limits []Ulimit) []Ulimit {
	if len(limits) == 0 {
		return nil
	}
	out := slices.Clone(limits)
	for i := range out {
		if out[i].Hard == 0 {
			out[i].Hard = out[i].Soft
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// normalizeCaps writes capabilities the way Docker reports them: upper case
// with the CAP_ prefix, sorted and without duplicates.
func normalizeCaps(caps []string) []string {
	if len(caps) == 0 {
		return nil
	}
	out := make([]string, 0, len(caps))
	for _, c := range caps {
		c = strings.ToUpper(strings.TrimSpace(c))
		if c != "ALL" && !strings.HasPrefix(c, "CAP_") {
			c = "CAP_" + c
		}
		out = append(out, c)
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// normalizeDuration writes a duration the way time.Duration prints it, so that
// "90s" and "1m30s" are the same value. Empty stays empty.
func normalizeDuration(raw string) string {
	if raw == "" {
		return ""
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		return raw
	}
	return d.String()
}

// normalizeSize writes a memory size in bytes.
func normalizeSize(raw string) string {
	if raw == "" {
		return ""
	}
	n, err := ParseSize(raw)
	if err != nil {
		return raw
	}
	return strconv.FormatInt(n, 10)
}

func normalizeCPUs(raw string) string {
	if raw == "" {
		return ""
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
	if err != nil {
		return raw
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// ParseSize reads a memory size: plain bytes ("536870912") or a number with a
// binary unit b, k, m, g, t or p ("512m", "1g", "1.5GB").
func ParseSize(raw string) (int64, error) {
	return units.RAMInBytes(strings.TrimSpace(raw))
}

// ParsePublished reads a published port: empty (0, 0), one port ("80") or a
// range ("8000-8009").
func ParsePublished(raw string) (first, last int, err error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return 0, 0, nil
	}
	lo, hi, isRange := strings.Cut(raw, "-")
	first, err = strconv.Atoi(strings.TrimSpace(lo))
	if err != nil {
		return 0, 0, err
	}
	last = first
	if isRange {
		if last, err = strconv.Atoi(strings.TrimSpace(hi)); err != nil {
			return 0, 0, err
		}
	}
	return first, last, nil
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func emptyToNil(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

func sortedCopy(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

func mapOrNil(m map[string]string) map[string]string {
	if len(m) == 0 {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}
