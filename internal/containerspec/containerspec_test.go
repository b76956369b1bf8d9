package containerspec

import (
	"slices"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/go-connections/nat"
)

var testKey = []byte("0123456789abcdef0123456789abcdef")

func fullSpec() Spec {
	return Spec{
		Image:      "dockerfleet-test/busybox:1",
		Command:    []string{"httpd", "-f", "-p", "8080"},
		Env:        map[string]string{"LOG_LEVEL": "info"},
		SecretEnv:  map[string]string{"DB_PASSWORD": "hunter2"},
		Labels:     map[string]string{"team": "web"},
		User:       "nobody",
		WorkingDir: "/srv",
		Ports: []Port{
			{Target: 8080, Published: "8000-8009"},
			{Target: 53, Protocol: "UDP", Published: "5353", HostIP: "127.0.0.1"},
		},
		Networks: []Network{{Name: "b-net", Aliases: []string{"web", "api"}}, {Name: "a-net"}},
		Mounts: []Mount{{Source: "cache", Target: "/cache"},
			{Type: "bind", Source: "/etc/hosts", Target: "/etc/x", ReadOnly: true}},
		Restart: Restart{Policy: "on-failure", MaxRetries: 3},
		Healthcheck: &Healthcheck{Test: []string{"CMD", "true"}, Interval: "90s",
			Timeout: "2s", Retries: 3},
		Resources:       Resources{CPUs: "0.50", Memory: "512m", MemoryReservation: "1g"},
		StopSignal:      "SIGTERM",
		StopGracePeriod: "1m30s",
		LogDriver:       "json-file",
		LogOptions:      map[string]string{"max-size": "10m"},
		CapAdd:          []string{"net_admin", "CAP_SYS_TIME"},
		CapDrop:         []string{"ALL"},
		Init:            true,
		Tmpfs:           map[string]string{"/run": "size=64m"},
		DNS:             []string{"10.0.0.53", "10.0.0.54"},
		ExtraHosts:      []string{"db:10.0.0.9", "cache:10.0.0.8"},
		Sysctls:         map[string]string{"net.core.somaxconn": "1024"},
		Ulimits:         []Ulimit{{Name: "nofile", Soft: 1024}},
	}
}

func TestNormalizeEquivalentSpellings(t *testing.T) {
	a := fullSpec()
	b := fullSpec()
	b.Healthcheck.Interval = "1m30s"
	b.StopGracePeriod = "90s"
	b.Resources = Resources{CPUs: "0.5", Memory: "536870912", MemoryReservation: "1024m"}
	b.CapAdd = []string{"SYS_TIME", "NET_ADMIN", "net_admin"}
	b.ExtraHosts = []string{"cache:10.0.0.8", "db:10.0.0.9"}
	b.Ports = []Port{a.Ports[1], a.Ports[0]}
	b.Ports[1].Protocol = "tcp"
	b.Networks = []Network{{Name: "a-net"}, {Name: "b-net", Aliases: []string{"api", "web"}}}
	b.Mounts = []Mount{a.Mounts[1], {Type: "volume", Source: "cache", Target: "/cache"}}
	b.Ulimits = []Ulimit{{Name: "nofile", Soft: 1024, Hard: 1024}}
	b.Pull = PullAlways

	if Digest(a, testKey) != Digest(b, testKey) {
		t.Fatalf("equivalent specs have different digests:\n%+v\n%+v", Normalize(a), Normalize(b))
	}
}

func TestNormalizeDefaults(t *testing.T) {
	n := Normalize(Spec{Image: "x", Ports: []Port{{Target: 80, Published: "80-80"}},
		Restart: Restart{MaxRetries: 5}, Env: map[string]string{}})
	if n.Pull != PullMissing || n.Restart.Policy != "no" || n.Restart.MaxRetries != 0 {
		t.Errorf("defaults not filled: %+v", n)
	}
	if n.Ports[0].Protocol != "tcp" || n.Ports[0].Published != "80" {
		t.Errorf("port not normalised: %+v", n.Ports[0])
	}
	if n.Env != nil {
		t.Errorf("empty env should normalise to nil, got %#v", n.Env)
	}
}

func TestDigestChangesWithTheContainer(t *testing.T) {
	base := Digest(fullSpec(), testKey)
	changes := map[string]func(*Spec){
		"env value":     func(s *Spec) { s.Env["LOG_LEVEL"] = "debug" },
		"secret value":  func(s *Spec) { s.SecretEnv["DB_PASSWORD"] = "hunter3" },
		"image":         func(s *Spec) { s.Image = "dockerfleet-test/busybox:2" },
		"command order": func(s *Spec) { s.Command = []string{"httpd", "-p", "8080", "-f"} },
		"dns order":     func(s *Spec) { s.DNS = []string{"10.0.0.54", "10.0.0.53"} },
		"interval":      func(s *Spec) { s.Healthcheck.Interval = "1m" },
		"memory":        func(s *Spec) { s.Resources.Memory = "1g" },
		"read only":     func(s *Spec) { s.ReadOnly = true },
		"mount ro":      func(s *Spec) { s.Mounts[0].ReadOnly = true },
		"published":     func(s *Spec) { s.Ports[0].Published = "8000-8010" },
	}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			s := fullSpec()
			change(&s)
			if Digest(s, testKey) == base {
				t.Errorf("digest did not change")
			}
		})
	}
}

func TestDigestIsKeyedAndHidesSecrets(t *testing.T) {
	s := fullSpec()
	d := Digest(s, testKey)
	if d == Digest(s, []byte("another key of thirty-two bytes!")) {
		t.Error("digest does not depend on the key")
	}
	if strings.Contains(d, "hunter2") || len(d) != 64 {
		t.Errorf("digest %q is not a bare 64-hex HMAC", d)
	}
	// Without the key, a guessed secret cannot be confirmed: the digest of
	// the spec with the right guess under any other key does not match.
	if Digest(s, nil) == d {
		t.Error("an empty key gives the same digest")
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name   string
		change func(*Spec)
		path   string
		want   string
	}{
		{"image", func(s *Spec) { s.Image = "UPPER/Case:1" }, "image", "image reference"},
		{"empty image", func(s *Spec) { s.Image = "" }, "image", "image reference"},
		{"pull", func(s *Spec) { s.Pull = "sometimes" }, "pull", "missing, always or never"},
		{"env name", func(s *Spec) { s.Env = map[string]string{"A=B": "x"} }, `env["A=B"]`, "'='"},
		{"secret dup", func(s *Spec) { s.SecretEnv = map[string]string{"LOG_LEVEL": "x"} },
			`secret_env["LOG_LEVEL"]`, "also set in env"},
		{"reserved label", func(s *Spec) { s.Labels = map[string]string{"dockerfleet.x": "1"} },
			`labels["dockerfleet.x"]`, "reserved"},
		{"target", func(s *Spec) { s.Ports[0].Target = 70000 }, "ports[0].target", "1 to 65535"},
		{"published", func(s *Spec) { s.Ports[1].Published = "0" }, "ports[1].published", "range"},
		{"published text", func(s *Spec) { s.Ports[1].Published = "http" }, "ports[1].published",
			"8000-8009"},
		{"reversed range", func(s *Spec) { s.Ports[0].Published = "9000-8000" },
			"ports[0].published", "out of range"},
		{"two ranges", func(s *Spec) { s.Ports[1].Published = "6000-6001" }, "ports[1].published",
			"second port range"},
		{"protocol", func(s *Spec) { s.Ports[0].Protocol = "http" }, "ports[0].protocol", "sctp"},
		{"host ip", func(s *Spec) { s.Ports[1].HostIP = "not-an-ip" }, "ports[1].host_ip",
			`"not-an-ip" is not an IP address; accepted: an IPv4 or IPv6`},
		{"bracketed host ip", func(s *Spec) { s.Ports[1].HostIP = "[::1]" }, "ports[1].host_ip",
			"without brackets"},
		{"host ip zone", func(s *Spec) { s.Ports[1].HostIP = "fe80::1%eth0" }, "ports[1].host_ip",
			"zone"},
		{"mount type", func(s *Spec) { s.Mounts[0].Type = "nfs" }, "mounts[0].type",
			"volume, bind or tmpfs"},
		{"relative target", func(s *Spec) { s.Mounts[0].Target = "cache" }, "mounts[0].target",
			"absolute"},
		{"restart", func(s *Spec) { s.Restart.Policy = "sometimes" }, "restart.policy", "on-failure"},
		{"interval", func(s *Spec) { s.Healthcheck.Interval = "5 seconds" },
			"healthcheck.interval", "1m30s"},
		{"grace", func(s *Spec) { s.StopGracePeriod = "-1s" }, "stop_grace_period", "negative"},
		{"memory", func(s *Spec) { s.Resources.Memory = "lots" }, "resources.memory", "512m"},
		{"cpus", func(s *Spec) { s.Resources.CPUs = "-1" }, "resources.cpus", "0.5"},
		{"ulimit", func(s *Spec) { s.Ulimits[0].Hard = 10 }, "ulimits[0].hard", "soft limit"},
		{"ulimit name", func(s *Spec) { s.Ulimits[0].Name = "files" }, "ulimits[0].name",
			"nofile"},
		{"working dir", func(s *Spec) { s.WorkingDir = "srv" }, "working_dir", "absolute"},
		{"duplicate mount", func(s *Spec) { s.Tmpfs = map[string]string{"/cache/": ""} },
			`tmpfs["/cache/"]`, "duplicate mount point, already used by mounts[0].target"},
		{"duplicate mount target", func(s *Spec) { s.Mounts[1].Target = "/cache" },
			"mounts[1].target", "duplicate mount point"},
		{"short volume", func(s *Spec) { s.Mounts[0].Source = "c" }, "mounts[0].source",
			"at least 2 characters"},
		{"volume name", func(s *Spec) { s.Mounts[0].Source = "/cache" }, "mounts[0].source",
			"volume name"},
		{"empty volume", func(s *Spec) { s.Mounts[0].Source = "" }, "mounts[0].source",
			"volume name"},
		{"stop signal", func(s *Spec) { s.StopSignal = "SIGSTOPPLEASE" }, "stop_signal",
			"SIGTERM"},
		{"signal number", func(s *Spec) { s.StopSignal = "65" }, "stop_signal", "1 to 64"},
		{"extra host", func(s *Spec) { s.ExtraHosts[0] = "db=10.0.0.9" }, "extra_hosts[0]",
			"name:address"},
		{"extra host ip", func(s *Spec) { s.ExtraHosts[1] = "cache:10.0.0.300" },
			"extra_hosts[1]", "name:address"},
		{"cap add", func(s *Spec) { s.CapAdd[0] = "NET_ADMINS" }, "capabilities.add",
			`"NET_ADMINS" is not a known capability`},
		{"cap drop", func(s *Spec) { s.CapDrop = []string{"CAP_EVERYTHING"} },
			"capabilities.drop", "ALL"},
		{"empty network", func(s *Spec) { s.Networks[1].Name = "" }, "networks[1].name", "empty"},
		{"network twice", func(s *Spec) { s.Networks[1].Name = "b-net" }, "networks[1].name",
			"listed twice"},
		{"dns", func(s *Spec) { s.DNS[1] = "dns.example.com" }, "dns[1]", "IP address"},
		{"hostname", func(s *Spec) { s.Hostname = "web_1" }, "hostname", "RFC 1123"},
		{"long hostname", func(s *Spec) { s.Hostname = strings.Repeat("a", 65) }, "hostname",
			"64 characters"},
		{"sysctl", func(s *Spec) { s.Sysctls = map[string]string{"vm.swappiness": "1"} },
			`sysctls["vm.swappiness"]`, "net.*"},
		{"sysctl form", func(s *Spec) { s.Sysctls = map[string]string{"net": "1"} },
			`sysctls["net"]`, "namespaced"},
	}
	s := fullSpec()
	s.Pull = PullMissing
	if errs := Validate(s); len(errs) != 0 {
		t.Fatalf("valid spec rejected: %v", errs)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fullSpec()
			s.Pull = PullMissing
			tt.change(&s)
			errs := Validate(s)
			if len(errs) != 1 {
				t.Fatalf("want one error, got %v", errs)
			}
			if got := errs[0].Path.String(); got != tt.path {
				t.Errorf("path = %s, want %s", got, tt.path)
			}
			if !strings.Contains(errs[0].Error(), tt.want) {
				t.Errorf("error %q does not contain %q", errs[0].Error(), tt.want)
			}
		})
	}
}

func TestValidateAcceptsHostIPs(t *testing.T) {
	for _, ip := range []string{"", "127.0.0.1", "0.0.0.0", "::1", "::", "fd00::5"} {
		s := fullSpec()
		s.Ports[1].HostIP = ip
		if errs := Validate(s); len(errs) != 0 {
			t.Errorf("host_ip %q rejected: %v", ip, errs)
		}
	}
}

func TestValidateAcceptsDockerSpellings(t *testing.T) {
	s := fullSpec()
	s.StopSignal = "term"
	s.CapAdd = []string{"sys_admin", "CAP_net_raw", "all"}
	s.ExtraHosts = []string{"db:fd00::9", "gw:host-gateway"}
	s.DNS = []string{"fd00::53"}
	s.Hostname = "web-1.example.com"
	s.Sysctls = map[string]string{"kernel.shmmax": "1", "fs.mqueue.msg_max": "1",
		"net.ipv4.conf.eth-0.forwarding": "1"}
	s.Mounts = append(s.Mounts, Mount{Type: "tmpfs", Target: "/scratch"})
	for _, sig := range []string{"SIGKILL", "15", "SIGRTMIN+3", "rtmax-2"} {
		s.StopSignal = sig
		if errs := Validate(s); len(errs) != 0 {
			t.Errorf("stop_signal %s: valid spec rejected: %v", sig, errs)
		}
	}
}

func TestContainerConfig(t *testing.T) {
	r := Replica{Service: "web", Name: "web-2", Number: 2, Host: "h1", Port: 8003, Digest: "d1"}
	cfg, host, netCfg := ContainerConfig(fullSpec(), r)

	if cfg.Labels["dockerfleet.name"] != "web" || cfg.Labels[LabelReplica] != "web-2" ||
		cfg.Labels["dockerfleet.spec"] != "d1" || cfg.Labels["team"] != "web" ||
		cfg.Labels["dockerfleet.managed"] != "true" || cfg.Labels[LabelHost] != "h1" {
		t.Errorf("labels = %v", cfg.Labels)
	}
	if !slices.Equal(cfg.Env, []string{"DB_PASSWORD=hunter2", "LOG_LEVEL=info"}) {
		t.Errorf("env = %v", cfg.Env)
	}
	if b := host.PortBindings["8080/tcp"]; len(b) != 1 || b[0].HostPort != "8003" {
		t.Errorf("ranged port binding = %v, want the replica's port 8003", b)
	}
	if b := host.PortBindings["53/udp"]; len(b) != 1 || b[0].HostPort != "5353" ||
		b[0].HostIP != "127.0.0.1" {
		t.Errorf("fixed port binding = %v", b)
	}
	if *cfg.StopTimeout != 90 || cfg.Healthcheck.Interval.Seconds() != 90 {
		t.Errorf("durations: stop %d, interval %s", *cfg.StopTimeout, cfg.Healthcheck.Interval)
	}
	if host.NanoCPUs != 5e8 || host.Memory != 512<<20 || host.MemoryReservation != 1<<30 {
		t.Errorf("resources = %+v", host.Resources)
	}
	if host.NetworkMode != "a-net" || len(netCfg.EndpointsConfig) != 1 {
		t.Errorf("create must name only the first network: %s %v", host.NetworkMode,
			netCfg.EndpointsConfig)
	}
	if extra := AdditionalNetworks(fullSpec()); len(extra) != 1 || extra[0].Name != "b-net" {
		t.Errorf("additional networks = %v", extra)
	}
	if host.Init == nil || !*host.Init || host.RestartPolicy.MaximumRetryCount != 3 {
		t.Errorf("init/restart = %v %+v", host.Init, host.RestartPolicy)
	}
}

func TestHealthcheckDisabled(t *testing.T) {
	cfg, _, _ := ContainerConfig(Spec{Image: "x", Healthcheck: &Healthcheck{Disabled: true,
		Interval: "5s"}}, Replica{})
	if !slices.Equal(cfg.Healthcheck.Test, []string{"NONE"}) || cfg.Healthcheck.Interval != 0 {
		t.Errorf("disabled healthcheck = %+v", cfg.Healthcheck)
	}
}

// inspectAsDaemon builds what ContainerInspect returns for a container made
// from ContainerConfig, with the values a daemon fills in on its own.
func inspectAsDaemon(s Spec, r Replica) container.InspectResponse {
	cfg, host, _ := ContainerConfig(s, r)
	got := container.InspectResponse{Config: cfg, ContainerJSONBase: &container.ContainerJSONBase{
		HostConfig: host,
	}}
	cfg.Image = "docker.io/" + cfg.Image // the same reference, spelled in full
	cfg.Env = append([]string{"PATH=/usr/local/sbin:/usr/bin"}, cfg.Env...)
	cfg.Labels["org.opencontainers.image.version"] = "1"
	if cfg.Hostname == "" {
		cfg.Hostname = "3f2a9c1b7d0e"
	}
	if cfg.Cmd == nil {
		cfg.Cmd = []string{"sh"}
	}
	if host.LogConfig.Type == "" {
		host.LogConfig = container.LogConfig{Type: "json-file", Config: map[string]string{}}
	}
	for port, bs := range host.PortBindings {
		for i := range bs {
			if bs[i].HostIP == "" {
				bs[i].HostIP = "0.0.0.0"
			}
		}
		host.PortBindings[port] = bs
	}
	if host.RestartPolicy.Name == "no" {
		host.RestartPolicy.Name = ""
	}
	host.CapAdd = slices.Clone(host.CapAdd)
	slices.Reverse(host.CapAdd)
	got.NetworkSettings = &container.NetworkSettings{Networks: map[string]*network.EndpointSettings{}}
	for _, n := range Normalize(s).Networks {
		got.NetworkSettings.Networks[n.Name] = &network.EndpointSettings{
			Aliases: append(slices.Clone(n.Aliases), "3f2a9c1b7d0e"),
		}
	}
	if len(got.NetworkSettings.Networks) == 0 {
		got.NetworkSettings.Networks["bridge"] = &network.EndpointSettings{}
	}
	return got
}

func TestDaemonFilledValuesNeverCauseADiff(t *testing.T) {
	r := Replica{Service: "web", Name: "web-1", Number: 1, Host: "h1", Port: 8001, Digest: "d"}
	specs := map[string]Spec{
		"minimal":                  {Image: "busybox"},
		"full":                     fullSpec(),
		"published, all addresses": {Image: "busybox:1", Ports: []Port{{Target: 80, Published: "80"}}},
		"healthcheck with defaults": {Image: "busybox", Healthcheck: &Healthcheck{
			Test: []string{"CMD-SHELL", "true"}}},
	}
	for name, s := range specs {
		t.Run(name, func(t *testing.T) {
			if d := Differences(s, r, inspectAsDaemon(s, r)); len(d) != 0 {
				t.Errorf("differences reported for daemon-filled values: %v", d)
			}
		})
	}
}

func TestDifferencesSeeRealChanges(t *testing.T) {
	r := Replica{Service: "web", Name: "web-1", Host: "h1", Port: 8001}
	changes := map[string]func(*container.InspectResponse){
		"env":        func(c *container.InspectResponse) { c.Config.Env = []string{"LOG_LEVEL=debug"} },
		"image":      func(c *container.InspectResponse) { c.Config.Image = "busybox:2" },
		"ports":      func(c *container.InspectResponse) { c.HostConfig.PortBindings = nat.PortMap{} },
		"mounts":     func(c *container.InspectResponse) { c.HostConfig.Mounts = []mount.Mount{} },
		"privileged": func(c *container.InspectResponse) { c.HostConfig.Privileged = true },
		"resources":  func(c *container.InspectResponse) { c.HostConfig.Memory = 1 },
		"healthcheck": func(c *container.InspectResponse) {
			c.Config.Healthcheck = &container.HealthConfig{Test: []string{"CMD", "false"}}
		},
	}
	want := map[string]string{"env": "env", "image": "image", "ports": "ports", "mounts": "mounts",
		"privileged": "privileged", "resources": "resources", "healthcheck": "healthcheck"}
	for name, change := range changes {
		t.Run(name, func(t *testing.T) {
			s := fullSpec()
			got := inspectAsDaemon(s, r)
			change(&got)
			if d := Differences(s, r, got); !slices.Contains(d, want[name]) {
				t.Errorf("Differences = %v, want it to contain %q", d, want[name])
			}
		})
	}
}
