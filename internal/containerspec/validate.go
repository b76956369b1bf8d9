package containerspec

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/distribution/reference"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

// Path names the attribute an error is about: Attr, then an optional list
// Index (-1 for none) or map Key, then an optional nested Field.
type Path struct {
	Attr  string
	Index int
	Key   string
	Field string
}

func at(attr string) Path                      { return Path{Attr: attr, Index: -1} }
func atField(attr, field string) Path          { return Path{Attr: attr, Index: -1, Field: field} }
func atKey(attr, key string) Path              { return Path{Attr: attr, Index: -1, Key: key} }
func atItem(attr string, i int, f string) Path { return Path{Attr: attr, Index: i, Field: f} }

// String writes the path the way Terraform users read it: ports[0].published.
func (p Path) String() string {
	s := p.Attr
	if p.Index >= 0 {
		s += "[" + strconv.Itoa(p.Index) + "]"
	}
	if p.Key != "" {
		s += "[" + strconv.Quote(p.Key) + "]"
	}
	if p.Field != "" {
		s += "." + p.Field
	}
	return s
}

// Error is one invalid value: where, what was given, and what is accepted.
type Error struct {
	Path     Path
	Value    string
	Problem  string
	Accepted string
}

func (e Error) Error() string {
	msg := fmt.Sprintf("%s: %q %s", e.Path, e.Value, e.Problem)
	if e.Accepted != "" {
		msg += "; accepted: " + e.Accepted
	}
	return msg
}

// Accepted forms, quoted in errors and schema descriptions.
const (
	AcceptedDuration = "a duration such as 500ms, 5s or 1m30s"
	AcceptedSize     = "bytes or a size with a unit b, k, m or g, such as 536870912, 512m or 1g"
	AcceptedCPUs     = "a positive decimal number of CPUs such as 0.5 or 2"
	AcceptedPort     = "a port number from 1 to 65535"
	AcceptedPublish  = "one host port such as 80, or a range such as 8000-8009"
	AcceptedImage    = "an image reference such as nginx, nginx:1.27, " +
		"registry.example.com:5000/team/app:v1 or app@sha256:<64 hex digits>"
	AcceptedPull     = "missing, always or never"
	AcceptedMount    = "volume, bind or tmpfs"
	AcceptedRestart  = "no, always, unless-stopped or on-failure"
	AcceptedProtocol = "tcp, udp or sctp"
	AcceptedEnvName  = "a name without '=' and not empty, such as LOG_LEVEL"
	AcceptedHostIP   = "an IPv4 or IPv6 address without brackets or zone, such as " +
		"127.0.0.1, 0.0.0.0, ::1 or ::"
)

// Validate checks a spec and returns every problem found, in a stable order.
// It never looks at a host; everything it reports fails at plan time.
func Validate(s Spec) []Error {
	v := &validation{}
	v.image(s.Image)
	v.oneOf(at("pull"), s.Pull, AcceptedPull, "", PullMissing, PullAlways, PullNever)
	v.envNames("env", s.Env)
	v.envNames("secret_env", s.SecretEnv)
	for k := range s.Env {
		if _, dup := s.SecretEnv[k]; dup {
			v.add(atKey("secret_env", k), k, "is also set in env",
				"each variable in either env or secret_env")
		}
	}
	for _, k := range labels.Reserved(s.Labels) {
		v.add(atKey("labels", k), k, "uses the reserved prefix "+labels.Prefix,
			"any label name not starting with "+labels.Prefix)
	}
	v.ports(s.Ports)
	v.mounts(s.Mounts)
	v.oneOf(atField("restart", "policy"), s.Restart.Policy, AcceptedRestart,
		"", "no", "always", "unless-stopped", "on-failure")
	if s.Restart.MaxRetries < 0 {
		v.add(atField("restart", "max_retries"), strconv.Itoa(s.Restart.MaxRetries),
			"is negative", "0 or more")
	}
	v.healthcheck(s.Healthcheck)
	v.resources(s.Resources)
	v.duration(at("stop_grace_period"), s.StopGracePeriod)
	for i, u := range s.Ulimits {
		if u.Hard != 0 && u.Hard < u.Soft {
			v.add(atItem("ulimits", i, "hard"), strconv.FormatInt(u.Hard, 10),
				"is below the soft limit", "a hard limit of at least the soft limit")
		}
	}
	return v.errs
}

type validation struct {
	errs []Error
}

func (v *validation) add(p Path, value, problem, accepted string) {
	v.errs = append(v.errs, Error{Path: p, Value: value, Problem: problem, Accepted: accepted})
}

func (v *validation) image(ref string) {
	if _, err := reference.ParseNormalizedNamed(ref); err != nil {
		v.add(at("image"), ref, "is not a valid image reference ("+err.Error()+")", AcceptedImage)
	}
}

func (v *validation) oneOf(p Path, value, accepted string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	v.add(p, value, "is not known", accepted)
}

func (v *validation) envNames(attr string, env map[string]string) {
	for _, k := range sortedKeys(env) {
		if k == "" || strings.Contains(k, "=") {
			v.add(atKey(attr, k), k, "is not a valid variable name", AcceptedEnvName)
		}
	}
}

func (v *validation) ports(ports []Port) {
	ranges := 0
	for i, p := range ports {
		if p.Target < 1 || p.Target > 65535 {
			v.add(atItem("ports", i, "target"), strconv.Itoa(p.Target), "is out of range", AcceptedPort)
		}
		v.oneOf(atItem("ports", i, "protocol"), strings.ToLower(p.Protocol), AcceptedProtocol,
			"", "tcp", "udp", "sctp")
		v.hostIP(atItem("ports", i, "host_ip"), p.HostIP)
		first, last, err := ParsePublished(p.Published)
		switch {
		case err != nil:
			v.add(atItem("ports", i, "published"), p.Published, "is not a port or range", AcceptedPublish)
		case p.Published != "" && (first < 1 || last > 65535 || last < first):
			v.add(atItem("ports", i, "published"), p.Published, "is out of range", AcceptedPublish)
		case last > first:
			ranges++
			if ranges > 1 {
				v.add(atItem("ports", i, "published"), p.Published,
					"is a second port range; a service can publish one range",
					"one ranged port per service, other ports fixed or not published")
			}
		}
	}
}

// hostIP refuses what Docker would silently read as "all addresses": a port
// meant for loopback must never end up open on every interface. Brackets are
// refused, not stripped, so the value in state is the one Docker reports.
func (v *validation) hostIP(p Path, raw string) {
	if raw == "" {
		return
	}
	addr, err := netip.ParseAddr(raw)
	switch {
	case strings.HasPrefix(raw, "["):
		v.add(p, raw, "is bracketed; write IPv6 addresses without brackets", AcceptedHostIP)
	case err != nil:
		v.add(p, raw, "is not an IP address", AcceptedHostIP)
	case addr.Zone() != "":
		v.add(p, raw, "has a zone, which Docker cannot bind", AcceptedHostIP)
	}
}

func (v *validation) mounts(mounts []Mount) {
	for i, m := range mounts {
		typ := strings.ToLower(orDefault(m.Type, MountVolume))
		v.oneOf(atItem("mounts", i, "type"), typ, AcceptedMount, MountVolume, MountBind, MountTmpfs)
		if !strings.HasPrefix(m.Target, "/") {
			v.add(atItem("mounts", i, "target"), m.Target, "is not an absolute path",
				"an absolute path inside the container, such as /data")
		}
		if typ == MountBind && !strings.HasPrefix(m.Source, "/") {
			v.add(atItem("mounts", i, "source"), m.Source, "is not an absolute host path",
				"an absolute path on the host for bind mounts")
		}
		if typ == MountVolume && m.Source == "" {
			v.add(atItem("mounts", i, "source"), m.Source, "is empty", "a volume name")
		}
		if typ == MountTmpfs && m.Source != "" {
			v.add(atItem("mounts", i, "source"), m.Source, "is set on a tmpfs mount",
				"no source for tmpfs mounts")
		}
	}
}

func (v *validation) healthcheck(h *Healthcheck) {
	if h == nil {
		return
	}
	v.duration(atField("healthcheck", "interval"), h.Interval)
	v.duration(atField("healthcheck", "timeout"), h.Timeout)
	v.duration(atField("healthcheck", "start_period"), h.StartPeriod)
	if h.Retries < 0 {
		v.add(atField("healthcheck", "retries"), strconv.Itoa(h.Retries), "is negative", "0 or more")
	}
	if !h.Disabled && len(h.Test) > 0 {
		switch h.Test[0] {
		case "CMD", "CMD-SHELL", "NONE":
		default:
			v.add(atField("healthcheck", "test"), h.Test[0], "does not start the test",
				`["CMD", "prog", "arg"...] or ["CMD-SHELL", "command line"]`)
		}
	}
}

func (v *validation) resources(r Resources) {
	if r.CPUs != "" {
		f, err := strconv.ParseFloat(strings.TrimSpace(r.CPUs), 64)
		if err != nil || f <= 0 {
			v.add(atField("resources", "cpus"), r.CPUs, "is not a CPU count", AcceptedCPUs)
		}
	}
	v.size(atField("resources", "memory"), r.Memory)
	v.size(atField("resources", "memory_reservation"), r.MemoryReservation)
}

func (v *validation) size(p Path, raw string) {
	if raw == "" {
		return
	}
	if n, err := ParseSize(raw); err != nil || n <= 0 {
		v.add(p, raw, "is not a memory size", AcceptedSize)
	}
}

func (v *validation) duration(p Path, raw string) {
	if raw == "" {
		return
	}
	d, err := time.ParseDuration(raw)
	if err != nil {
		v.add(p, raw, "is not a duration", AcceptedDuration)
		return
	}
	if d < 0 {
		v.add(p, raw, "is negative", AcceptedDuration)
	}
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
