package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"
)

// perHostModel is what the shared CRUD steps need of the model of a per-host
// resource. The accessors point into the model, so the steps can update it.
type perHostModel interface {
	// nameAndID are the name attribute and the id that repeats it.
	nameAndID() (name, id *types.String)
	// hostRefs are the host and hosts attributes.
	hostRefs() (*types.Object, *types.Map)
	// perHost is the computed per_host map.
	perHost() *types.Map
	// perHostType is the element type of per_host.
	perHostType() types.ObjectType
}

// perHostModelPtr is a pointer to the model S, so the steps can decode a
// plan or state into a fresh model.
type perHostModelPtr[S any] interface {
	*S
	perHostModel
}

// perHostCRUD is the Create, Read, Update, Delete and plan logic that
// networks and volumes share. S is the model, M its pointer and T what the
// daemon reports about the object. What differs between the resources comes
// in through the functions.
type perHostCRUD[S any, M perHostModelPtr[S], T any] struct {
	data *providerData
	// ops binds the per-host operations to the settings of a model.
	ops func(ctx context.Context, m M, diags *diag.Diagnostics) perHostOps[T]
	// adopt fills an imported model from the labels of the object found and
	// the engine IDs of its hosts.
	adopt func(ctx context.Context, m M, found, engines map[string]string, diags *diag.Diagnostics)
	// dropHosts deals with the hosts an update takes out of the set and
	// returns the names of those where that failed.
	dropHosts func(ctx context.Context, ops perHostOps[T], plan M, dropped []fleetHost,
		diags *diag.Diagnostics) map[string]bool
	// checkUpdate, when set, checks a planned update against the state.
	checkUpdate func(diags *diag.Diagnostics, plan, state M)
}

// configured reports a resource used before the provider was configured.
func (c perHostCRUD[S, M, T]) configured(diags *diag.Diagnostics) bool {
	if c.data == nil {
		providerNotConfigured(diags)
		return false
	}
	return true
}

// hosts resolves the host references of a model.
func (c perHostCRUD[S, M, T]) hosts(ctx context.Context, m M, diags *diag.Diagnostics) hostSet {
	host, hosts := m.hostRefs()
	set, d := c.data.resolveHosts(ctx, *host, *hosts)
	diags.Append(d...)
	return set
}

// load decodes a plan or state into a fresh model.
func (c perHostCRUD[S, M, T]) load(ctx context.Context,
	get func(context.Context, any) diag.Diagnostics, diags *diag.Diagnostics) M {
	m := M(new(S))
	diags.Append(get(ctx, m)...)
	return m
}

func (c perHostCRUD[S, M, T]) create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	plan := c.load(ctx, req.Plan.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !c.configured(&resp.Diagnostics) {
		return
	}
	set := c.hosts(ctx, plan, &resp.Diagnostics)
	ops := c.ops(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// Hosts that succeed are saved even when others fail; Terraform then
	// marks the resource tainted, and the next apply replaces it. When no
	// host succeeded there is nothing to save.
	entries := ops.apply(ctx, c.data, set.Hosts, &resp.Diagnostics)
	if len(entries) == 0 && resp.Diagnostics.HasError() {
		return
	}
	name, id := plan.nameAndID()
	*id = *name
	*plan.perHost() = perHostMap(plan.perHostType(), entries)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (c perHostCRUD[S, M, T]) read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	state := c.load(ctx, req.State.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !c.configured(&resp.Diagnostics) {
		return
	}
	imported, diags := req.Private.GetKey(ctx, privateImported)
	resp.Diagnostics.Append(diags...)
	set := c.hosts(ctx, state, &resp.Diagnostics)
	ops := c.ops(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// An import has no settings yet: take any object of ours, settings come
	// from its labels.
	if len(imported) > 0 {
		ops.spec = ""
	}
	var readDiags diag.Diagnostics
	entries, engines, found := ops.read(ctx, c.data, set, perHostEntries(*state.perHost()), &readDiags)
	resp.Diagnostics.Append(readDiags...)
	// Only an object gone from every host, with every host answering, is
	// gone for good; otherwise the plan recreates it where it is missing.
	if len(entries) == 0 && len(set.Hosts) > 0 && !readDiags.HasError() &&
		readDiags.WarningsCount() == 0 {
		tflog.Info(ctx, ops.kind+" gone from every host", map[string]any{"name": ops.name})
		resp.State.RemoveResource(ctx)
		return
	}

	*state.perHost() = perHostMap(state.perHostType(), entries)
	if len(imported) > 0 && !c.adoptImported(ctx, state, found, engines, resp) {
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// adoptImported fills in what the import ID could not carry and clears the
// import marker. It reports false when the import cannot be completed.
func (c perHostCRUD[S, M, T]) adoptImported(ctx context.Context, state M, found,
	engines map[string]string, resp *resource.ReadResponse) bool {
	var diags diag.Diagnostics
	c.adopt(ctx, state, found, engines, &diags)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return false
	}
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
	return true
}

func (c perHostCRUD[S, M, T]) update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	plan := c.load(ctx, req.Plan.Get, &resp.Diagnostics)
	state := c.load(ctx, req.State.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !c.configured(&resp.Diagnostics) {
		return
	}
	planned := c.hosts(ctx, plan, &resp.Diagnostics)
	prior := c.hosts(ctx, state, &resp.Diagnostics)
	ops := c.ops(ctx, plan, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	// Settings on the hosts never change in place (they force replacement),
	// so an update only deals with dropped hosts and creates the object
	// where the plan left a host's entry unknown.
	failed := c.dropHosts(ctx, ops, plan, droppedHosts(prior, planned), &resp.Diagnostics)
	created := ops.apply(ctx, c.data, pendingHosts(planned, *plan.perHost()), &resp.Diagnostics)

	*plan.perHost() = mergeEntries(plan.perHostType(), *plan.perHost(), created,
		perHostEntries(*state.perHost()), failed)
	planHost, planHosts := plan.hostRefs()
	stateHost, stateHosts := state.hostRefs()
	*planHost, *planHosts = keepFailedHosts(*planHost, *stateHost, *planHosts, *stateHosts, failed)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (c perHostCRUD[S, M, T]) delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	state := c.load(ctx, req.State.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() || !c.configured(&resp.Diagnostics) {
		return
	}
	set := c.hosts(ctx, state, &resp.Diagnostics)
	ops := c.ops(ctx, state, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	failed := ops.removeFrom(ctx, c.data, set.Hosts, &resp.Diagnostics)
	if len(failed) == 0 {
		return
	}
	// The hosts where removal failed stay in state, so a later destroy
	// tries them again.
	elem := state.perHostType()
	*state.perHost() = mergeEntries(elem, types.MapNull(elem), nil, perHostEntries(*state.perHost()),
		failed)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// modifyPlan plans the per_host map: entries kept from state where nothing
// can contradict them, unknown ones where apply creates the object.
func (c perHostCRUD[S, M, T]) modifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || c.data == nil {
		return
	}
	plan := c.load(ctx, req.Plan.Get, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}

	planned := c.hosts(ctx, plan, &resp.Diagnostics)
	host, hosts := plan.hostRefs()
	c.data.checkHostAuth(ctx, &resp.Diagnostics, *host, *hosts)
	if resp.Diagnostics.HasError() {
		return
	}

	prior, stateEntries := c.priorHosts(ctx, req.State, plan, &resp.Diagnostics)
	if name, id := plan.nameAndID(); !name.IsUnknown() {
		*id = *name
	}
	decisions := planPerHost(planned, prior, recordedEngines(stateEntries))
	*plan.perHost() = plannedPerHost(plan.perHostType(), planned, decisions, stateEntries)
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// priorHosts resolves the host set and per_host entries of the state; a
// create has neither.
func (c perHostCRUD[S, M, T]) priorHosts(ctx context.Context, raw tfsdk.State, plan M,
	diags *diag.Diagnostics) (*hostSet, map[string]types.Object) {
	if raw.Raw.IsNull() {
		return nil, map[string]types.Object{}
	}
	state := c.load(ctx, raw.Get, diags)
	if c.checkUpdate != nil {
		c.checkUpdate(diags, plan, state)
	}
	set := c.hosts(ctx, state, diags)
	return &set, perHostEntries(*state.perHost())
}
