package dockerhost

import "testing"

func TestParseSSHEndpoints(t *testing.T) {
	tests := []struct {
		raw      string
		user     string
		hostPort string
		path     string
	}{
		{raw: "ssh://node-a", hostPort: "node-a:22", path: DefaultRemoteSocket},
		{raw: "ssh://root@10.0.0.2/", user: "root", hostPort: "10.0.0.2:22", path: DefaultRemoteSocket},
		{raw: "ssh://deploy@[fd00::2]:2222/run/docker.sock", user: "deploy",
			hostPort: "[fd00::2]:2222", path: "/run/docker.sock"},
		{raw: "ssh://root@10.0.0.2:22/var/lib/dfl/h2/docker.sock", user: "root",
			hostPort: "10.0.0.2:22", path: "/var/lib/dfl/h2/docker.sock"},
	}
	for _, tt := range tests {
		ep, err := ParseEndpoint(tt.raw)
		if err != nil {
			t.Errorf("ParseEndpoint(%q): %v", tt.raw, err)
			continue
		}
		if ep.User != tt.user || ep.HostPort("22") != tt.hostPort || ep.Path != tt.path {
			t.Errorf("ParseEndpoint(%q) = user %q, %s, socket %q; want %q, %s, %q", tt.raw,
				ep.User, ep.HostPort("22"), ep.Path, tt.user, tt.hostPort, tt.path)
		}
	}

	for _, bad := range []string{"ssh://", "ssh://root@", "ssh://node-a:0", "ssh://node-a?x=1"} {
		if _, err := ParseEndpoint(bad); err == nil {
			t.Errorf("ParseEndpoint(%q) succeeded, want an error", bad)
		}
	}
}

func TestSSHProfileDoesNotFitOtherSchemes(t *testing.T) {
	pool := testPool(map[string]Profile{
		"ssh": {Name: "ssh", SSH: &SSHProfile{UseAgent: true}},
		"tls": {Name: "tls", TLS: &TLSProfile{}},
	})
	for _, target := range []Target{
		{Name: "a", Endpoint: "tcp://node-a:2376", Auth: "ssh"},
		{Name: "b", Endpoint: "ssh://root@node-a", Auth: "tls"},
		{Name: "c", Endpoint: "unix:///var/run/docker.sock", Auth: "ssh"},
	} {
		if _, err := pool.Host(target); err == nil {
			t.Errorf("profile %q on %s accepted", target.Auth, target.Endpoint)
		}
	}
}
