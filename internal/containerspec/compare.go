package containerspec

import (
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/distribution/reference"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"
)

// Differences compares a replica's desired spec with what ContainerInspect
// reports and returns the names of the attributes that differ, sorted. The
// daemon fills in much of a container: environment and labels from the image,
// the image's command, a hostname, a log driver, default bind addresses,
// aliases of its own. Where the spec leaves a value to the image or Docker, or
// where the daemon adds to what was asked, that is not a difference.
func Differences(s Spec, r Replica, got container.InspectResponse) []string {
	if got.Config == nil || got.HostConfig == nil {
		return []string{"container"}
	}
	want, wantHost, _ := ContainerConfig(s, r)
	n := Normalize(s)
	var diffs []string
	check := func(name string, same bool) {
		if !same {
			diffs = append(diffs, name)
		}
	}

	check("image", sameImage(want.Image, got.Config.Image))
	check("command", want.Cmd == nil || slices.Equal(want.Cmd, got.Config.Cmd))
	check("entrypoint", want.Entrypoint == nil || slices.Equal(want.Entrypoint, got.Config.Entrypoint))
	check("env", containsAll(got.Config.Env, envList(n.Env, nil)))
	check("secret_env", containsAll(got.Config.Env, envList(nil, n.SecretEnv)))
	check("labels", mapContains(got.Config.Labels, n.Labels))
	check("user", n.User == "" || n.User == got.Config.User)
	check("working_dir", n.WorkingDir == "" || n.WorkingDir == got.Config.WorkingDir)
	check("hostname", n.Hostname == "" || n.Hostname == got.Config.Hostname)
	check("ports", samePortBindings(wantHost.PortBindings, got.HostConfig.PortBindings))
	check("networks", sameNetworks(n.Networks, got))
	check("mounts", sameMounts(n.Mounts, got.HostConfig))
	check("restart", n.Restart.Policy == orDefault(string(got.HostConfig.RestartPolicy.Name), "no") &&
		n.Restart.MaxRetries == got.HostConfig.RestartPolicy.MaximumRetryCount)
	check("healthcheck", sameHealth(want.Healthcheck, got.Config.Healthcheck))
	check("resources", wantHost.NanoCPUs == got.HostConfig.NanoCPUs &&
		wantHost.Memory == got.HostConfig.Memory &&
		wantHost.MemoryReservation == got.HostConfig.MemoryReservation)
	check("stop_signal", n.StopSignal == "" || n.StopSignal == got.Config.StopSignal)
	check("stop_grace_period", want.StopTimeout == nil ||
		(got.Config.StopTimeout != nil && *want.StopTimeout == *got.Config.StopTimeout))
	check("log_driver", n.LogDriver == "" || n.LogDriver == got.HostConfig.LogConfig.Type)
	check("log_options", mapContains(got.HostConfig.LogConfig.Config, n.LogOptions))
	check("capabilities", slices.Equal(n.CapAdd, normalizeCaps(got.HostConfig.CapAdd)) &&
		slices.Equal(n.CapDrop, normalizeCaps(got.HostConfig.CapDrop)))
	check("read_only", n.ReadOnly == got.HostConfig.ReadonlyRootfs)
	check("privileged", n.Privileged == got.HostConfig.Privileged)
	check("init", !n.Init || (got.HostConfig.Init != nil && *got.HostConfig.Init))
	check("tmpfs", maps.Equal(n.Tmpfs, mapOrNil(got.HostConfig.Tmpfs)))
	check("dns", slices.Equal(n.DNS, emptyToNil(got.HostConfig.DNS)))
	check("extra_hosts", slices.Equal(n.ExtraHosts, sortedCopy(got.HostConfig.ExtraHosts)))
	check("sysctls", maps.Equal(n.Sysctls, mapOrNil(got.HostConfig.Sysctls)))
	check("ulimits", sameUlimits(wantHost.Ulimits, got.HostConfig.Ulimits))
	return diffs
}

// sameImage compares references the way Docker resolves them: "busybox" is
// "docker.io/library/busybox:latest".
func sameImage(want, got string) bool {
	return canonicalImage(want) == canonicalImage(got)
}

func canonicalImage(ref string) string {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref
	}
	return reference.TagNameOnly(named).String()
}

func containsAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func mapContains(have, want map[string]string) bool {
	for k, v := range want {
		if got, ok := have[k]; !ok || got != v {
			return false
		}
	}
	return true
}

// samePortBindings compares bindings as sets, with the daemon's spellings of
// "all addresses" (empty, 0.0.0.0, ::) taken as one.
func samePortBindings(want, got nat.PortMap) bool {
	return slices.Equal(bindingSet(want), bindingSet(got))
}

func bindingSet(m nat.PortMap) []string {
	var out []string
	for port, bs := range m {
		for _, b := range bs {
			ip := strings.Trim(b.HostIP, "[]")
			if ip == "0.0.0.0" || ip == "::" {
				ip = ""
			}
			out = append(out, string(port)+"|"+ip+"|"+b.HostPort)
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

func sameNetworks(want []Network, got container.InspectResponse) bool {
	if len(want) == 0 {
		return true
	}
	if got.NetworkSettings == nil {
		return false
	}
	for _, w := range want {
		ep, ok := got.NetworkSettings.Networks[w.Name]
		if !ok || ep == nil || !containsAll(ep.Aliases, w.Aliases) {
			return false
		}
	}
	return true
}

func sameMounts(want []Mount, got *container.HostConfig) bool {
	have := make([]Mount, 0, len(got.Mounts))
	for _, m := range got.Mounts {
		have = append(have, Mount{
			Type: string(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly,
		})
	}
	return slices.Equal(want, normalizeMounts(have))
}

// sameHealth compares what the spec sets; a zero duration or retry count is
// the daemon's default and matches anything.
func sameHealth(want, got *container.HealthConfig) bool {
	if want == nil {
		return true
	}
	if got == nil {
		return false
	}
	if len(want.Test) > 0 && !slices.Equal(want.Test, got.Test) {
		return false
	}
	return (want.Interval == 0 || want.Interval == got.Interval) &&
		(want.Timeout == 0 || want.Timeout == got.Timeout) &&
		(want.StartPeriod == 0 || want.StartPeriod == got.StartPeriod) &&
		(want.Retries == 0 || want.Retries == got.Retries)
}

func sameUlimits(want, got []*container.Ulimit) bool {
	str := func(us []*container.Ulimit) []string {
		var out []string
		for _, u := range us {
			if u != nil {
				out = append(out, u.String())
			}
		}
		sort.Strings(out)
		return out
	}
	return slices.Equal(str(want), str(got))
}
