package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/placement"
)

// A port bound to one address is reached there, not at the host's endpoint.
func TestEndpointsUseHostIP(t *testing.T) {
	set := hostSet{Hosts: []fleetHost{{Name: "h1", Endpoint: "tcp://10.0.0.1:2375"}}}
	spec := containerspec.Spec{Ports: []containerspec.Port{
		{Target: 80, Published: "8000-8009"},
		{Target: 81, Published: "81", HostIP: "127.0.0.1"},
		{Target: 82, Published: "82", HostIP: "::1"},
		{Target: 83, Published: "83", HostIP: "0.0.0.0"},
		{Target: 84, Published: "84", HostIP: "::"},
		{Target: 85},
	}}
	replicas := []placement.Replica{{Name: "s-1", Number: 1, Host: "h1", Port: 8003}}

	got := listStrings(t, endpointsValue(set, replicas, planPorts(nil, &spec)))
	want := []string{"10.0.0.1:8003", "127.0.0.1:81", "[::1]:82", "10.0.0.1:83", "10.0.0.1:84"}
	if len(got) != len(want) {
		t.Fatalf("endpoints = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("endpoints[%d] = %s, want %s", i, got[i], want[i])
		}
	}
}

func listStrings(t *testing.T, l types.List) []string {
	t.Helper()
	if l.IsNull() || l.IsUnknown() {
		t.Fatalf("list is not known: %v", l)
	}
	var out []string
	for _, v := range l.Elements() {
		out = append(out, v.(types.String).ValueString())
	}
	return out
}
