package provider

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/placement"
)

// Drift kinds that mean the replica does not run; scale-down removes such
// replicas first.
const (
	driftRemoved = "container removed"
	driftStopped = "container not running"
)

// planReplicas places the replicas at plan time and fills the computed
// instances, placement, endpoints and extra_containers. Replicas that are new,
// moved, drifted, on a rebuilt host or whose digest changed get unknown
// container and image IDs, so the plan shows each replacement; every other
// replica keeps its state values, and an unchanged service plans no change.
func (r *serviceResource) planReplicas(ctx context.Context, plan, prior *serviceModel, key []byte,
	diags *diag.Diagnostics) {
	plan.ID = plan.Name
	plan.ExtraContainers = types.MapNull(types.StringType)
	set, d := r.data.resolveHosts(ctx, plan.Host, plan.Hosts)
	diags.Append(d...)
	if diags.HasError() {
		return
	}
	if set.Unknown || plan.Replicas.IsUnknown() || plan.Mode.IsUnknown() ||
		!allKnown(plan.HostSelector) || plan.SpreadBy.IsUnknown() ||
		plan.MaxPerHost.IsUnknown() || !allKnown(plan.Ports) || plan.Name.IsUnknown() {
		unknownReplicas(plan)
		return
	}

	var spec *containerspec.Spec
	if plan.specKnown() {
		s, d := plan.spec(ctx)
		diags.Append(d...)
		addSpecErrors(diags, s)
		spec = &s
	}
	if diags.HasError() {
		return
	}

	priorInst := map[string]instanceModel{}
	var priorSet *hostSet
	if prior != nil {
		var d diag.Diagnostics
		priorInst, d = prior.instances(ctx)
		diags.Append(d...)
		ps, _ := r.data.resolveHosts(ctx, prior.Host, prior.Hosts)
		priorSet = &ps
	}

	ports := planPorts(plan, spec)
	assignment, ok := assignReplicas(ctx, plan, set, ports, priorInst, diags)
	if !ok {
		return
	}
	warnStopFirst(ctx, plan, ports, diags)

	desired := ""
	if spec != nil && key != nil {
		desired = containerspec.Digest(*spec, key)
	}
	rebuilt := rebuiltHosts(set, priorSet)
	instances := map[string]instanceModel{}
	for _, rep := range assignment.Replicas {
		published := ports.forReplica(rep.Port)
		was, had := priorInst[rep.Name]
		if had && keepReplica(was, rep, published, desired, rebuilt) {
			instances[rep.Name] = was
			continue
		}
		instances[rep.Name] = replacedInstance(rep, published, desired)
		logReplaced(ctx, rep, was, had, desired)
	}

	var d2 diag.Diagnostics
	plan.Instances, d2 = instancesValue(instances)
	diags.Append(d2...)
	plan.Placement = placementValue(assignment.PerHost)
	plan.Endpoints = endpointsValue(set, assignment.Replicas, ports)
}

func unknownReplicas(plan *serviceModel) {
	plan.Instances = types.MapUnknown(types.ObjectType{AttrTypes: instanceAttrTypes()})
	plan.Placement = types.MapUnknown(types.Int64Type)
	plan.Endpoints = types.ListUnknown(types.StringType)
}

// keepReplica says whether a prior replica stays as it is: same host, same
// ports, no drift, a container, the desired digest, and its host not rebuilt.
func keepReplica(was instanceModel, rep placement.Replica, published []int, desired string,
	rebuilt map[string]bool) bool {
	return was.Host.ValueString() == rep.Host &&
		was.Drift.IsNull() &&
		!was.ContainerID.IsNull() && was.ContainerID.ValueString() != "" &&
		desired != "" && was.Digest.ValueString() == desired &&
		!rebuilt[rep.Host] &&
		intsEqual(listInts(was.Ports), published)
}

func replacedInstance(rep placement.Replica, published []int, desired string) instanceModel {
	digest := types.StringUnknown()
	if desired != "" {
		digest = types.StringValue(desired)
	}
	return instanceModel{
		Host:        types.StringValue(rep.Host),
		Number:      types.Int64Value(int64(rep.Number)),
		ContainerID: types.StringUnknown(),
		ImageID:     types.StringUnknown(),
		Digest:      digest,
		Ports:       int64List(published),
		Drift:       types.StringNull(),
	}
}

func logReplaced(ctx context.Context, rep placement.Replica, was instanceModel, had bool, desired string) {
	why := "new replica"
	switch {
	case !had:
	case was.Host.ValueString() != rep.Host:
		why = "moves from host " + was.Host.ValueString()
	case !was.Drift.IsNull():
		why = "drifted: " + was.Drift.ValueString()
	case desired == "":
		why = "spec known only after apply"
	default:
		why = "spec changed"
	}
	tflog.Debug(ctx, "replica planned for (re)creation", map[string]any{
		"replica": rep.Name, "host": rep.Host, "reason": why})
}

// rebuiltHosts are the hosts whose engine is not the one the prior state
// names: the host resource is being replaced, or its engine_id changed.
func rebuiltHosts(set hostSet, prior *hostSet) map[string]bool {
	out := map[string]bool{}
	for _, h := range set.Hosts {
		if h.EngineIDUnknown {
			out[h.Name] = true
			continue
		}
		if prior == nil {
			continue
		}
		if was, ok := prior.Lookup(h.Name); ok && was.EngineID != "" && h.EngineID != "" &&
			was.EngineID != h.EngineID {
			out[h.Name] = true
		}
	}
	return out
}

// servicePorts are the published ports of a spec, in the order of `ports`.
type servicePorts struct {
	// fixed holds the host port of each published port; 0 marks the ranged
	// one, which each replica takes from rangeOf.
	fixed []int
	// hostIPs holds each published port's host_ip, in the order of fixed;
	// empty when the port binds all addresses.
	hostIPs   []string
	rangeOf   *placement.PortRange
	exclusive bool
}

// bindsHostPorts says whether replicas publish host ports: their old and new
// containers cannot run side by side, so they roll stop-first.
func (p servicePorts) bindsHostPorts() bool { return len(p.fixed) > 0 }

func planPorts(plan *serviceModel, spec *containerspec.Spec) servicePorts {
	var out servicePorts
	var ports []containerspec.Port
	if spec != nil {
		ports = spec.Ports
	} else {
		var models []portModel
		plan.Ports.ElementsAs(context.Background(), &models, false)
		for _, p := range models {
			ports = append(ports, containerspec.Port{Published: p.Published.ValueString(),
				HostIP: p.HostIP.ValueString()})
		}
	}
	for _, p := range ports {
		first, last, err := containerspec.ParsePublished(p.Published)
		if err != nil || first == 0 {
			continue
		}
		out.hostIPs = append(out.hostIPs, p.HostIP)
		if last > first {
			out.rangeOf = &placement.PortRange{First: first, Last: last}
			out.fixed = append(out.fixed, 0)
			continue
		}
		out.exclusive = true
		out.fixed = append(out.fixed, first)
	}
	return out
}

func (p servicePorts) forReplica(rangePort int) []int {
	out := make([]int, len(p.fixed))
	for i, port := range p.fixed {
		out[i] = port
		if port == 0 {
			out[i] = rangePort
		}
	}
	return out
}

// rangeIndex is the position of the ranged port in an instance's ports.
func (p servicePorts) rangeIndex() int {
	for i, port := range p.fixed {
		if port == 0 {
			return i
		}
	}
	return -1
}

func assignReplicas(ctx context.Context, plan *serviceModel, set hostSet, ports servicePorts,
	prior map[string]instanceModel, diags *diag.Diagnostics) (placement.Assignment, bool) {
	var d diag.Diagnostics
	req := placement.Request{
		Service:       plan.Name.ValueString(),
		Replicas:      int(plan.Replicas.ValueInt64()),
		Global:        plan.Mode.ValueString() == "global",
		Selector:      stringMapOf(ctx, plan.HostSelector, &d),
		SpreadBy:      plan.SpreadBy.ValueString(),
		MaxPerHost:    int(plan.MaxPerHost.ValueInt64()),
		ExclusivePort: ports.exclusive,
		PortRange:     ports.rangeOf,
	}
	diags.Append(d...)
	for _, h := range set.Hosts {
		req.Hosts = append(req.Hosts, placement.Host{Name: h.Name, Labels: h.Labels})
	}
	idx := ports.rangeIndex()
	for name, inst := range prior {
		rep := placement.Replica{
			Name: name, Number: int(inst.Number.ValueInt64()), Host: inst.Host.ValueString(),
			Running: replicaRunning(inst),
		}
		if got := listInts(inst.Ports); idx >= 0 && idx < len(got) {
			rep.Port = got[idx]
		}
		req.Prior = append(req.Prior, rep)
	}

	a, err := placement.Assign(req)
	if err != nil {
		addPlacementError(diags, err)
		return a, false
	}
	return a, true
}

func replicaRunning(inst instanceModel) bool {
	d := inst.Drift.ValueString()
	return !strings.HasPrefix(d, driftRemoved) && !strings.HasPrefix(d, driftStopped)
}

func addPlacementError(diags *diag.Diagnostics, err error) {
	var unfit *placement.UnfitError
	if !errors.As(err, &unfit) {
		diags.AddError("Cannot Place Replicas", capitalize(err.Error())+".")
		return
	}
	diags.AddAttributeError(path.Root(unfit.Attribute), "Cannot Place Replicas",
		capitalize(unfit.Error())+".")
}

// warnStopFirst says at plan time that start-first cannot keep an old replica
// beside its new one on a host where both would bind the same fixed port.
func warnStopFirst(ctx context.Context, plan *serviceModel, ports servicePorts,
	diags *diag.Diagnostics) {
	u, d := plan.update(ctx)
	diags.Append(d...)
	if u.Order.ValueString() != "start-first" || !ports.bindsHostPorts() {
		return
	}
	diags.AddAttributeWarning(path.Root("update").AtName("order"), "Replicas Roll Stop-First",
		"The service publishes host ports, and a replica keeps its host port across updates, so "+
			"the old and the new container of a replica cannot both bind it. Replicas are "+
			"therefore replaced stop-first: each is briefly down while it is replaced, and "+
			"update.parallelism bounds how many are down at once. Leave ports unpublished "+
			"(reach replicas over a network) to roll start-first.")
}

func placementValue(perHost map[string]int) types.Map {
	elems := make(map[string]attr.Value, len(perHost))
	for h, n := range perHost {
		elems[h] = types.Int64Value(int64(n))
	}
	return types.MapValueMust(types.Int64Type, elems)
}

// endpointsValue lists address:port for every published port of every
// replica, by replica number. A port bound to one host address is listed
// with that address, loopback included, because that is the only place it
// answers; other ports use the address of the host's endpoint. A host whose
// address is not known yet makes the list unknown: guessing would
// contradict apply.
func endpointsValue(set hostSet, replicas []placement.Replica, ports servicePorts) types.List {
	sorted := append([]placement.Replica(nil), replicas...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].Number < sorted[j].Number })

	elems := []attr.Value{}
	for _, rep := range sorted {
		h, ok := set.Lookup(rep.Host)
		if !ok || !h.Known() {
			return types.ListUnknown(types.StringType)
		}
		ep, err := dockerhost.ParseEndpoint(h.Endpoint)
		if err != nil {
			return types.ListUnknown(types.StringType)
		}
		for i, port := range ports.forReplica(rep.Port) {
			addr := net.JoinHostPort(endpointAddress(ports.hostIPs[i], ep.Address()),
				strconv.Itoa(port))
			elems = append(elems, types.StringValue(addr))
		}
	}
	return types.ListValueMust(types.StringType, elems)
}

// endpointAddress is the address a published port answers on: its host_ip
// unless that is empty or means all addresses (0.0.0.0, ::).
func endpointAddress(hostIP, hostAddress string) string {
	ip, err := netip.ParseAddr(hostIP)
	if err != nil || ip.IsUnspecified() {
		return hostAddress
	}
	return ip.String()
}

func listInts(l types.List) []int {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []int
	for _, v := range l.Elements() {
		if n, ok := v.(types.Int64); ok {
			out = append(out, int(n.ValueInt64()))
		}
	}
	return out
}

func intsEqual(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
