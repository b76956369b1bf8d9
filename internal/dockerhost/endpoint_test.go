package dockerhost

import (
	"strings"
	"testing"
)

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		raw     string
		want    Endpoint
		wantErr string
	}{
		{raw: "unix:///var/run/docker.sock",
			want: Endpoint{Scheme: "unix", Path: "/var/run/docker.sock"}},
		{raw: "tcp://10.0.0.2:2376", want: Endpoint{Scheme: "tcp", Host: "10.0.0.2", Port: "2376"}},
		{raw: "tcp://node-a", want: Endpoint{Scheme: "tcp", Host: "node-a"}},
		{raw: "tcp://[fd00::2]:2375", want: Endpoint{Scheme: "tcp", Host: "fd00::2", Port: "2375"}},
		{raw: "ssh://deploy@node-a",
			want: Endpoint{Scheme: "ssh", Host: "node-a", User: "deploy", Path: DefaultRemoteSocket}},
		{raw: "ssh://node-a:2222/run/user/1000/docker.sock",
			want: Endpoint{Scheme: "ssh", Host: "node-a", Port: "2222", Path: "/run/user/1000/docker.sock"}},
		{raw: "", wantErr: "endpoint is empty"},
		{raw: "10.0.0.2:2375", wantErr: "is not a URL"},
		{raw: "node-a:2375", wantErr: `unsupported scheme "node-a"`},
		{raw: "node-a", wantErr: "is not a URL"},
		{raw: "http://node-a:2375", wantErr: `unsupported scheme "http"`},
		{raw: "unix://var/run/docker.sock", wantErr: "absolute socket path"},
		{raw: "tcp://:2375", wantErr: "names no host"},
		{raw: "tcp://node-a:99999", wantErr: "a port is a number from 1 to 65535"},
		{raw: "tcp://node-a:2375/v1.41", wantErr: "has a path"},
		{raw: "tcp://me@node-a:2375", wantErr: "only ssh:// endpoints"},
		{raw: "ssh://me:secret@node-a", wantErr: "carries a password"},
	}
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			got, err := ParseEndpoint(tt.raw)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseEndpoint(%q) error = %v, want one containing %q", tt.raw, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseEndpoint(%q): %v", tt.raw, err)
			}
			tt.want.Raw = tt.raw
			if got != tt.want {
				t.Errorf("ParseEndpoint(%q) = %+v, want %+v", tt.raw, got, tt.want)
			}
		})
	}
}

func TestParseEndpointNeverEchoesPassword(t *testing.T) {
	_, err := ParseEndpoint("ssh://me:hunter2@node-a")
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("error %v must exist and must not contain the password", err)
	}
}

func TestEndpointAddress(t *testing.T) {
	for raw, want := range map[string]string{
		"unix:///var/run/docker.sock": "127.0.0.1",
		"tcp://10.0.0.2:2376":         "10.0.0.2",
		"ssh://deploy@node-a":         "node-a",
	} {
		ep, err := ParseEndpoint(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := ep.Address(); got != want {
			t.Errorf("Address of %s = %q, want %q", raw, got, want)
		}
	}
}
