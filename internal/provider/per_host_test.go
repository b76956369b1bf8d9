package provider

import (
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/volume"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

func TestPlanPerHost(t *testing.T) {
	a := fleetHost{Name: "a", Endpoint: "tcp://10.0.0.1:2375", EngineID: "E1"}
	b := fleetHost{Name: "b", Endpoint: "tcp://10.0.0.2:2375"}
	prior := hostSet{Hosts: []fleetHost{a, b}}
	recorded := map[string]string{"a": "E1", "b": "E2"}

	tests := []struct {
		name     string
		planned  []fleetHost
		prior    *hostSet
		recorded map[string]string
		want     map[string]bool
	}{
		{name: "unchanged hosts keep their entries", planned: []fleetHost{a, b}, prior: &prior,
			recorded: recorded, want: map[string]bool{"a": true, "b": true}},
		{name: "create knows nothing", planned: []fleetHost{a, b}, recorded: recorded,
			want: map[string]bool{"a": false, "b": false}},
		{name: "added host is unknown", planned: []fleetHost{a, b, {Name: "c", Endpoint: "tcp://c"}},
			prior: &prior, recorded: recorded, want: map[string]bool{"a": true, "b": true, "c": false}},
		{name: "removed host is absent", planned: []fleetHost{a}, prior: &prior, recorded: recorded,
			want: map[string]bool{"a": true}},
		{name: "refresh found it missing", planned: []fleetHost{a, b}, prior: &prior,
			recorded: map[string]string{"a": "E1"}, want: map[string]bool{"a": true, "b": false}},
		{name: "engine input differs", planned: []fleetHost{withEngine(a, "E9"), b}, prior: &prior,
			recorded: recorded, want: map[string]bool{"a": false, "b": true}},
		{name: "engine input unknown", planned: []fleetHost{a, unknownEngine(b)}, prior: &prior,
			recorded: recorded, want: map[string]bool{"a": true, "b": false}},
		{name: "endpoint unknown", planned: []fleetHost{a, unknownEndpoint(b)}, prior: &prior,
			recorded: recorded, want: map[string]bool{"a": true, "b": false}},
		{name: "endpoint changed", planned: []fleetHost{a, withEndpoint(b, "tcp://10.0.0.9:2375")},
			prior: &prior, recorded: recorded, want: map[string]bool{"a": true, "b": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := planPerHost(hostSet{Hosts: tt.planned}, tt.prior, tt.recorded)
			if len(got) != len(tt.want) {
				t.Fatalf("planPerHost = %+v, want %v", got, tt.want)
			}
			for _, d := range got {
				if keep, ok := tt.want[d.Name]; !ok || keep != d.Keep {
					t.Errorf("host %s: Keep = %v, want %v (present %v)", d.Name, d.Keep, keep, ok)
				}
			}
		})
	}
}

func withEngine(h fleetHost, id string) fleetHost         { h.EngineID = id; return h }
func unknownEngine(h fleetHost) fleetHost                 { h.EngineIDUnknown = true; return h }
func unknownEndpoint(h fleetHost) fleetHost               { h.EndpointUnknown = true; return h }
func withEndpoint(h fleetHost, endpoint string) fleetHost { h.Endpoint = endpoint; return h }

func TestPlannedPerHostShowsUnknownOnlyWhereNeeded(t *testing.T) {
	kept := volumeEntry(volume.Volume{Mountpoint: "/data/a"}, "E1")
	planned := hostSet{Hosts: []fleetHost{{Name: "a"}, {Name: "b"}}}
	decisions := []keepDecision{{Name: "a", Keep: true}, {Name: "b"}}

	m := plannedPerHost(volumeHostType, planned, decisions, map[string]types.Object{"a": kept})
	elems := m.Elements()
	if !elems["a"].Equal(kept) {
		t.Errorf("kept entry = %v, want %v", elems["a"], kept)
	}
	b := elems["b"].(types.Object)
	if b.IsUnknown() || !b.Attributes()["mountpoint"].IsUnknown() {
		t.Errorf("new host entry = %v, want a known object with unknown attributes", b)
	}
	if got := pendingHosts(planned, m); len(got) != 1 || got[0].Name != "b" {
		t.Errorf("pendingHosts = %+v, want only b", got)
	}

	if m := plannedPerHost(volumeHostType, hostSet{Unknown: true}, nil, nil); !m.IsUnknown() {
		t.Errorf("per_host of an unknown host set = %v, want unknown", m)
	}
}

func TestParseImportID(t *testing.T) {
	tests := []struct {
		id      string
		want    importID
		wantErr string
	}{
		{id: "app", want: importID{Name: "app"}},
		{id: "app@h1=unix:///run/h1.sock,h2=tcp://10.0.0.2:2376;auth=tls", want: importID{Name: "app",
			Hosts: []importRef{{Name: "h1", Endpoint: "unix:///run/h1.sock"},
				{Name: "h2", Endpoint: "tcp://10.0.0.2:2376", Auth: "tls"}}}},
		{id: "db@host:db-1=ssh://root@10.0.0.3", want: importID{Name: "db", Single: true,
			Hosts: []importRef{{Name: "db-1", Endpoint: "ssh://root@10.0.0.3"}}}},
		{id: "", wantErr: "names no object"},
		{id: "@h1=tcp://a", wantErr: "names no object"},
		{id: "app@h1", wantErr: "not of the form <host>=<endpoint>"},
		{id: "app@-x=tcp://a", wantErr: "must start with a letter"},
		{id: "app@h1=http://a", wantErr: "unsupported scheme"},
		{id: "app@h1=tcp://a,h1=tcp://b", wantErr: "names host \"h1\" twice"},
		{id: "app@host:a=tcp://a,b=tcp://b", wantErr: "exactly one host"},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			got, err := parseImportID(tt.id)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("parseImportID(%q) error = %v, want one containing %q", tt.id, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseImportID(%q): %v", tt.id, err)
			}
			if got.Name != tt.want.Name || got.Single != tt.want.Single ||
				len(got.Hosts) != len(tt.want.Hosts) {
				t.Fatalf("parseImportID(%q) = %+v, want %+v", tt.id, got, tt.want)
			}
			for i := range got.Hosts {
				if got.Hosts[i] != tt.want.Hosts[i] {
					t.Errorf("host %d = %+v, want %+v", i, got.Hosts[i], tt.want.Hosts[i])
				}
			}
		})
	}
}

func TestDescribeUsersWaitsOnlyForServices(t *testing.T) {
	service := map[string]string{labels.Managed: "true", labels.Resource: labels.KindService}
	names, only := describeUsers([]container.Summary{
		{Names: []string{"/web-2"}, Labels: service}, {Names: []string{"/web-1"}, Labels: service},
	})
	if !only || strings.Join(names, ",") != "web-1,web-2" {
		t.Errorf("describeUsers = %v, %v; want sorted names and only services", names, only)
	}
	_, only = describeUsers([]container.Summary{
		{Names: []string{"/web-1"}, Labels: service}, {ID: "abc", Labels: map[string]string{}},
	})
	if only {
		t.Error("a hand-made container must not be waited for")
	}
}

func TestKeepFailedHostsKeepsReferencesOfFailedRemovals(t *testing.T) {
	refType := types.ObjectType{AttrTypes: hostRefAttrTypes()}
	ref := func(name string) attr.Value {
		return importedRef(importRef{Name: name, Endpoint: "tcp://" + name})
	}
	state := types.MapValueMust(refType, map[string]attr.Value{"a": ref("a"), "b": ref("b"), "c": ref("c")})
	plan := types.MapValueMust(refType, map[string]attr.Value{"a": ref("a")})
	null := types.ObjectNull(hostRefAttrTypes())

	_, got := keepFailedHosts(null, null, plan, state, map[string]bool{"b": true})
	if keys := got.Elements(); len(keys) != 2 || keys["b"] == nil || keys["a"] == nil {
		t.Errorf("hosts after a failed removal of b = %v, want a and b", got)
	}
	if _, got := keepFailedHosts(null, null, plan, state, nil); !got.Equal(plan) {
		t.Errorf("hosts without failures = %v, want the plan's", got)
	}
}
