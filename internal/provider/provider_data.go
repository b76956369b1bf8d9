package provider

import (
	"context"
	"fmt"
	"sort"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// providerData is what Configure hands to every resource and data source.
type providerData struct {
	pool        *dockerhost.Pool
	defaultHost defaultHost
}

type defaultHost struct {
	target dockerhost.Target
	// unknown is set when default_host depends on a value not known yet.
	unknown bool
}

// fleetHost is one host a resource runs on, as the configuration gives it.
type fleetHost struct {
	Name     string
	Endpoint string
	Auth     string
	Labels   map[string]string
	// EngineID is the engine the configuration expects, empty when the
	// configuration names none or it is not known yet.
	EngineID string
	// EndpointUnknown is set when the host is still being created and its
	// address is known only after apply.
	EndpointUnknown bool
	// EngineIDUnknown is set when the host resource will be created or
	// replaced in this run, so its engine is known only after apply.
	EngineIDUnknown bool
	// IsDefault marks the provider's default host.
	IsDefault bool
}

// Known reports whether the host can be reached at plan time.
func (h fleetHost) Known() bool { return !h.EndpointUnknown }

func (h fleetHost) target() dockerhost.Target {
	return dockerhost.Target{Name: h.Name, Endpoint: h.Endpoint, Auth: h.Auth}
}

// hostSet is the resolved `host`/`hosts` of a resource, sorted by name.
type hostSet struct {
	Hosts []fleetHost
	// Unknown is set when even the names of the hosts are not known yet (for
	// example hosts from a for_each over values known only after apply).
	Unknown bool
}

// Names lists the host names of the set.
func (s hostSet) Names() []string {
	names := make([]string, len(s.Hosts))
	for i, h := range s.Hosts {
		names[i] = h.Name
	}
	return names
}

// Lookup finds a host by name.
func (s hostSet) Lookup(name string) (fleetHost, bool) {
	for _, h := range s.Hosts {
		if h.Name == name {
			return h, true
		}
	}
	return fleetHost{}, false
}

// resolveHosts turns the `host` and `hosts` attributes into a host set; with
// neither, the set is the provider's default host. Duplicate names are an
// error at the path of the second one.
func (d *providerData) resolveHosts(ctx context.Context, host types.Object,
	hosts types.Map) (hostSet, diag.Diagnostics) {
	var diags diag.Diagnostics
	if host.IsUnknown() || hosts.IsUnknown() {
		return hostSet{Unknown: true}, diags
	}

	refs := map[string]hostRefModel{}
	switch {
	case !hosts.IsNull():
		diags.Append(hosts.ElementsAs(ctx, &refs, false)...)
	case !host.IsNull():
		var one hostRefModel
		diags.Append(host.As(ctx, &one, objectAsOptions)...)
		refs[""] = one
	default:
		return d.defaultHostSet(), diags
	}
	if diags.HasError() {
		return hostSet{}, diags
	}

	return collectHosts(refs, !hosts.IsNull())
}

func collectHosts(refs map[string]hostRefModel, fromMap bool) (hostSet, diag.Diagnostics) {
	var diags diag.Diagnostics
	keys := make([]string, 0, len(refs))
	for k := range refs {
		keys = append(keys, k)
	}
	sort.Strings(keys)

	set := hostSet{}
	seen := map[string]string{}
	for _, key := range keys {
		ref := refs[key]
		at := path.Root("host").AtName("name")
		if fromMap {
			at = path.Root("hosts").AtMapKey(key).AtName("name")
		}
		if ref.Name.IsUnknown() {
			return hostSet{Unknown: true}, diags
		}
		if ref.Name.IsNull() || ref.Endpoint.IsNull() {
			diags.AddAttributeError(at.ParentPath(), "Incomplete Host Reference",
				fmt.Sprintf("Host %q needs both name and endpoint. Pass a dockerfleet_host resource, "+
					"or an object with at least those two attributes.", key))
			continue
		}

		h := ref.fleetHost()
		if other, dup := seen[h.Name]; dup {
			diags.AddAttributeError(at, "Duplicate Host Name",
				fmt.Sprintf("Hosts %q and %q are both named %q. Every host of a resource needs its "+
					"own name, because per-host state is keyed by it.", other, key, h.Name))
			continue
		}
		seen[h.Name] = key
		set.Hosts = append(set.Hosts, h)
	}
	sort.Slice(set.Hosts, func(i, j int) bool { return set.Hosts[i].Name < set.Hosts[j].Name })
	return set, diags
}

func (d *providerData) defaultHostSet() hostSet {
	t := d.defaultHost.target
	return hostSet{Hosts: []fleetHost{{
		Name:            DefaultHostName,
		Endpoint:        t.Endpoint,
		Auth:            t.Auth,
		EndpointUnknown: d.defaultHost.unknown,
		IsDefault:       true,
	}}}
}

// client returns the pool's connection to a host. It does no I/O.
func (d *providerData) client(h fleetHost) (*dockerhost.Host, error) {
	if h.EndpointUnknown {
		return nil, fmt.Errorf("the endpoint of host %q is not known yet", h.Name)
	}
	return d.pool.Host(h.target())
}

// checkAuth reports, at the given path, an auth profile name that the
// provider block does not define, or a profile of the wrong kind for the
// endpoint (empty when not known yet), so that both fail at plan.
func (d *providerData) checkAuth(diags *diag.Diagnostics, at path.Path, name, endpoint string) {
	if name == "" {
		return
	}
	if prof, ok := d.pool.Profile(name); ok {
		ep, err := dockerhost.ParseEndpoint(endpoint)
		if err != nil {
			return
		}
		if err := dockerhost.ProfileFits(ep, &prof); err != nil {
			diags.AddAttributeError(at, "Auth Profile Does Not Fit The Endpoint",
				fmt.Sprintf("%s (endpoint %s). Name a profile of the kind the endpoint needs.",
					capitalize(err.Error()), endpoint))
		}
		return
	}
	defined := "none are defined"
	if names := d.pool.ProfileNames(); len(names) > 0 {
		defined = fmt.Sprintf("defined: %q", names)
	}
	diags.AddAttributeError(at, "Unknown Auth Profile",
		fmt.Sprintf("Auth profile %q is not defined in the provider block (%s). Add it to the "+
			"provider's `auth` map or name one that exists.", name, defined))
}
