package containerspec

import (
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
	"github.com/docker/go-units"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

// Labels of service containers beyond the ownership labels every dockerfleet
// object carries (labels.Managed, labels.Resource, labels.Name naming the
// service, labels.Spec holding the digest). The settings label of networks
// and volumes is not written: a service's settings hold secret values.
const (
	LabelReplica = labels.Prefix + "replica"
	LabelHost    = labels.Prefix + "host"
)

// ContainerConfig builds the Docker API configuration of one replica. The
// NetworkingConfig names only the first network, because engines before API
// 1.44 accept one network at create; connect the others with
// AdditionalNetworks after create, before start.
func ContainerConfig(s Spec, r Replica) (*container.Config, *container.HostConfig,
	*network.NetworkingConfig) {
	n := Normalize(s)
	exposed, bindings := portConfig(n.Ports, r.Port)

	cfg := &container.Config{
		Image:        n.Image,
		Cmd:          n.Command,
		Entrypoint:   n.Entrypoint,
		Env:          envList(n.Env, n.SecretEnv),
		Labels:       containerLabels(n.Labels, r),
		User:         n.User,
		WorkingDir:   n.WorkingDir,
		Hostname:     n.Hostname,
		ExposedPorts: exposed,
		Healthcheck:  healthConfig(n.Healthcheck),
		StopSignal:   n.StopSignal,
		StopTimeout:  stopTimeout(n.StopGracePeriod),
	}

	host := &container.HostConfig{
		PortBindings:   bindings,
		RestartPolicy:  container.RestartPolicy{Name: container.RestartPolicyMode(n.Restart.Policy), MaximumRetryCount: n.Restart.MaxRetries},
		LogConfig:      container.LogConfig{Type: n.LogDriver, Config: n.LogOptions},
		CapAdd:         n.CapAdd,
		CapDrop:        n.CapDrop,
		ReadonlyRootfs: n.ReadOnly,
		Privileged:     n.Privileged,
		Tmpfs:          n.Tmpfs,
		DNS:            n.DNS,
		ExtraHosts:     n.ExtraHosts,
		Sysctls:        n.Sysctls,
		Mounts:         mounts(n.Mounts),
		Resources:      resources(n.Resources, n.Ulimits),
	}
	if n.Init {
		yes := true
		host.Init = &yes
	}

	netCfg := &network.NetworkingConfig{}
	if len(n.Networks) > 0 {
		first := n.Networks[0]
		host.NetworkMode = container.NetworkMode(first.Name)
		netCfg.EndpointsConfig = map[string]*network.EndpointSettings{
			first.Name: {Aliases: first.Aliases},
		}
	}
	return cfg, host, netCfg
}

// AdditionalNetworks are the networks to connect after create: all but the
// one ContainerConfig names.
func AdditionalNetworks(s Spec) []Network {
	nets := Normalize(s).Networks
	if len(nets) < 2 {
		return nil
	}
	return nets[1:]
}

// ContainerName is the Docker name of a replica's container: its replica name.
func ContainerName(r Replica) string { return r.Name }

func containerLabels(user map[string]string, r Replica) map[string]string {
	out := make(map[string]string, len(user)+6)
	for k, v := range user {
		out[k] = v
	}
	out[labels.Managed] = "true"
	out[labels.Resource] = labels.KindService
	out[labels.Name] = r.Service
	out[labels.Spec] = r.Digest
	out[LabelReplica] = r.Name
	out[LabelHost] = r.Host
	return out
}

func envList(env, secret map[string]string) []string {
	out := make([]string, 0, len(env)+len(secret))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	for k, v := range secret {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// portConfig exposes every target port and binds the published ones; a
// ranged port binds the replica's own port from the range.
func portConfig(ports []Port, replicaPort int) (nat.PortSet, nat.PortMap) {
	if len(ports) == 0 {
		return nil, nil
	}
	exposed := nat.PortSet{}
	bindings := nat.PortMap{}
	for _, p := range ports {
		key := nat.Port(strconv.Itoa(p.Target) + "/" + p.Protocol)
		exposed[key] = struct{}{}
		first, last, err := ParsePublished(p.Published)
		if err != nil || first == 0 {
			continue
		}
		hostPort := first
		if last > first && replicaPort != 0 {
			hostPort = replicaPort
		}
		bindings[key] = append(bindings[key],
			nat.PortBinding{HostIP: p.HostIP, HostPort: strconv.Itoa(hostPort)})
	}
	return exposed, bindings
}

func healthConfig(h *Healthcheck) *container.HealthConfig {
	if h == nil {
		return nil
	}
	if h.Disabled {
		return &container.HealthConfig{Test: []string{"NONE"}}
	}
	return &container.HealthConfig{
		Test:        h.Test,
		Interval:    parseDuration(h.Interval),
		Timeout:     parseDuration(h.Timeout),
		StartPeriod: parseDuration(h.StartPeriod),
		Retries:     h.Retries,
	}
}

// stopTimeout rounds the grace period up to whole seconds, the unit Docker
// keeps.
func stopTimeout(raw string) *int {
	if raw == "" {
		return nil
	}
	secs := int(math.Ceil(parseDuration(raw).Seconds()))
	return &secs
}

func mounts(ms []Mount) []mount.Mount {
	if len(ms) == 0 {
		return nil
	}
	out := make([]mount.Mount, len(ms))
	for i, m := range ms {
		out[i] = mount.Mount{
			Type: mount.Type(m.Type), Source: m.Source, Target: m.Target, ReadOnly: m.ReadOnly,
		}
	}
	return out
}

func resources(r Resources, limits []Ulimit) container.Resources {
	res := container.Resources{}
	if r.CPUs != "" {
		if f, err := strconv.ParseFloat(r.CPUs, 64); err == nil {
			res.NanoCPUs = int64(math.Round(f * 1e9))
		}
	}
	res.Memory, _ = strconv.ParseInt(orDefault(r.Memory, "0"), 10, 64)
	res.MemoryReservation, _ = strconv.ParseInt(orDefault(r.MemoryReservation, "0"), 10, 64)
	for _, u := range limits {
		res.Ulimits = append(res.Ulimits, &units.Ulimit{Name: u.Name, Soft: u.Soft, Hard: u.Hard})
	}
	return res
}

func parseDuration(raw string) time.Duration {
	d, _ := time.ParseDuration(strings.TrimSpace(raw))
	return d
}
