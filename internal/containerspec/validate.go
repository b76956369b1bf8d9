package containerspec

import (
	"fmt"
	"net/netip"
	"path"
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
	AcceptedIP         = "an IPv4 or IPv6 address such as 10.0.0.53 or fd00::53"
	AcceptedAbsPath    = "an absolute path inside the container, such as /data"
	AcceptedVolumeName = "a volume name of at least 2 characters: a letter or digit, then " +
		"letters, digits, _, . or -"
	AcceptedSignal = "a signal name with or without SIG, such as SIGTERM, TERM, SIGKILL, " +
		"SIGUSR1 or SIGRTMIN+3, or a signal number from 1 to 64"
	AcceptedExtraHost  = "name:address, such as db:10.0.0.9, db:fd00::9 or gw:host-gateway"
	AcceptedCapability = "a Linux capability name with or without CAP_, in any case, such " +
		"as NET_ADMIN or CAP_SYS_TIME, or ALL"
	AcceptedHostname = "an RFC 1123 host name of at most 64 characters (dot-separated " +
		"labels of letters, digits and -, not starting or ending with -)"
	AcceptedUlimit = "core, cpu, data, fsize, locks, memlock, msgqueue, nice, nofile, " +
		"nproc, rss, rtprio, rttime, sigpending or stack"
	AcceptedSysctl = "a namespaced kernel parameter: kernel.msgmax, kernel.msgmnb, " +
		"kernel.msgmni, kernel.sem, kernel.shmall, kernel.shmmax, kernel.shmmni, " +
		"kernel.shm_rmid_forced, fs.mqueue.* or net.*"
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
	v.mountPoints(s.Mounts, s.Tmpfs)
	v.networks(s.Networks)
	v.process(s)
	v.hostNames(s)
	v.kernel(s)
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
		if !ulimitNames[u.Name] {
			v.add(atItem("ulimits", i, "name"), u.Name, "is not a known limit", AcceptedUlimit)
		}
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
				AcceptedAbsPath)
		}
		if typ == MountBind && !strings.HasPrefix(m.Source, "/") {
			v.add(atItem("mounts", i, "source"), m.Source, "is not an absolute host path",
				"an absolute path on the host for bind mounts")
		}
		if typ == MountVolume && !volumeNamePattern.MatchString(m.Source) {
			v.add(atItem("mounts", i, "source"), m.Source, "is not a volume name",
				AcceptedVolumeName)
		}
		if typ == MountTmpfs && m.Source != "" {
			v.add(atItem("mounts", i, "source"), m.Source, "is set on a tmpfs mount",
				"no source for tmpfs mounts")
		}
	}
}

// mountPoints refuses two mounts on one container path, which Docker
// reports only when it creates the container ("Duplicate mount point").
func (v *validation) mountPoints(mounts []Mount, tmpfs map[string]string) {
	seen := map[string]string{}
	claim := func(p Path, target string) {
		clean := path.Clean(target)
		if first, dup := seen[clean]; dup {
			v.add(p, target, "is a duplicate mount point, already used by "+first,
				"one mount per container path across mounts and tmpfs")
			return
		}
		seen[clean] = p.String()
	}
	for i, m := range mounts {
		if m.Target != "" {
			claim(atItem("mounts", i, "target"), m.Target)
		}
	}
	for _, target := range sortedKeys(tmpfs) {
		if !strings.HasPrefix(target, "/") {
			v.add(atKey("tmpfs", target), target, "is not an absolute path", AcceptedAbsPath)
			continue
		}
		claim(atKey("tmpfs", target), target)
	}
}

func (v *validation) networks(nets []Network) {
	seen := map[string]bool{}
	for i, n := range nets {
		switch {
		case n.Name == "":
			v.add(atItem("networks", i, "name"), n.Name, "is empty", "a network name")
		case seen[n.Name]:
			v.add(atItem("networks", i, "name"), n.Name, "is listed twice",
				"each network once; put all its aliases in one entry")
		}
		seen[n.Name] = true
	}
}

// process checks how the command runs and stops.
func (v *validation) process(s Spec) {
	if s.WorkingDir != "" && !strings.HasPrefix(s.WorkingDir, "/") {
		v.add(at("working_dir"), s.WorkingDir, "is not an absolute path", AcceptedAbsPath)
	}
	if s.StopSignal != "" && !knownSignal(s.StopSignal) {
		v.add(at("stop_signal"), s.StopSignal, "is not a known signal", AcceptedSignal)
	}
	for _, c := range s.CapAdd {
		if !knownCapability(c) {
			v.add(atField("capabilities", "add"), c, "is not a known capability",
				AcceptedCapability)
		}
	}
	for _, c := range s.CapDrop {
		if !knownCapability(c) {
			v.add(atField("capabilities", "drop"), c, "is not a known capability",
				AcceptedCapability)
		}
	}
}

// hostNames checks the names and addresses the container resolves.
func (v *validation) hostNames(s Spec) {
	if s.Hostname != "" && !validHostname(s.Hostname) {
		v.add(at("hostname"), s.Hostname, "is not a valid host name", AcceptedHostname)
	}
	for i, server := range s.DNS {
		if _, err := netip.ParseAddr(server); err != nil {
			v.add(atItem("dns", i, ""), server, "is not an IP address", AcceptedIP)
		}
	}
	for i, entry := range s.ExtraHosts {
		name, addr, ok := strings.Cut(entry, ":")
		_, err := netip.ParseAddr(addr)
		if !ok || name == "" || (err != nil && addr != "host-gateway") {
			v.add(atItem("extra_hosts", i, ""), entry, "is not name:address",
				AcceptedExtraHost)
		}
	}
}

func (v *validation) kernel(s Spec) {
	for _, k := range sortedKeys(s.Sysctls) {
		if !sysctlNamePattern.MatchString(k) || !namespacedSysctl(k) {
			v.add(atKey("sysctls", k), k, "is not a namespaced kernel parameter a "+
				"container can set", AcceptedSysctl)
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
