package provider

// Resources that put one object on each of their hosts (networks, volumes)
// share the plumbing in this file: planning the computed `per_host` map,
// reading, creating and removing the object on every host in parallel, the
// "still in use" check before a removal, and import IDs that name hosts.
//
// The per_host map is keyed by host name. Each element is an object whose
// `engine_id` attribute records the engine the object was created on; the
// other attributes belong to the resource.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

// privateImported marks a state that ImportState just wrote: the next Read
// fills in what the import ID cannot carry (settings, engine IDs of hosts).
const privateImported = "imported"

// inUseWait bounds how long a removal waits for containers of dockerfleet
// services that are being destroyed in the same run.
var inUseWait = 60 * time.Second

// keepDecision is what the plan does with one host's per_host entry.
type keepDecision struct {
	Name string
	// Keep is set when the entry in state stays as it is; otherwise the
	// entry is known only after apply.
	Keep bool
}

// planPerHost decides, for every host of the planned set, whether its state
// entry can be kept. recorded maps host names with an entry in state to the
// engine ID recorded there; prior is the host set of the state (nil on
// create). Nothing is kept that apply could contradict: a host whose endpoint
// or engine is unknown, changed, or that refresh found without the object.
func planPerHost(planned hostSet, prior *hostSet, recorded map[string]string) []keepDecision {
	out := make([]keepDecision, 0, len(planned.Hosts))
	for _, h := range planned.Hosts {
		out = append(out, keepDecision{Name: h.Name, Keep: keepEntry(h, prior, recorded)})
	}
	return out
}

func keepEntry(h fleetHost, prior *hostSet, recorded map[string]string) bool {
	engine, ok := recorded[h.Name]
	if !ok || prior == nil || !h.Known() || h.EngineIDUnknown {
		return false
	}
	if h.EngineID != "" && h.EngineID != engine {
		return false
	}
	was, ok := prior.Lookup(h.Name)
	return ok && was.Known() && was.Endpoint == h.Endpoint && was.Auth == h.Auth
}

// plannedPerHost builds the planned per_host map: kept entries from state,
// the others objects with unknown attributes. An unknown host set gives an
// unknown map.
func plannedPerHost(elem types.ObjectType, planned hostSet, decisions []keepDecision,
	state map[string]types.Object) types.Map {
	if planned.Unknown {
		return types.MapUnknown(elem)
	}
	elems := make(map[string]attr.Value, len(decisions))
	for _, d := range decisions {
		if d.Keep {
			elems[d.Name] = state[d.Name]
			continue
		}
		elems[d.Name] = unknownObject(elem)
	}
	return types.MapValueMust(elem, elems)
}

func unknownObject(elem types.ObjectType) types.Object {
	vals := make(map[string]attr.Value, len(elem.AttrTypes))
	for name, t := range elem.AttrTypes {
		vals[name] = unknownOf(t)
	}
	return types.ObjectValueMust(elem.AttrTypes, vals)
}

func unknownOf(t attr.Type) attr.Value {
	switch t := t.(type) {
	case types.ListType:
		return types.ListUnknown(t.ElemType)
	case types.MapType:
		return types.MapUnknown(t.ElemType)
	}
	switch t {
	case types.BoolType:
		return types.BoolUnknown()
	case types.Int64Type:
		return types.Int64Unknown()
	}
	return types.StringUnknown()
}

// perHostEntries splits a per_host map into its elements; a null or unknown
// map has none.
func perHostEntries(m types.Map) map[string]types.Object {
	out := map[string]types.Object{}
	if m.IsNull() || m.IsUnknown() {
		return out
	}
	for name, v := range m.Elements() {
		if obj, ok := v.(types.Object); ok {
			out[name] = obj
		}
	}
	return out
}

// recordedEngines maps each host with a known entry to its engine_id.
func recordedEngines(entries map[string]types.Object) map[string]string {
	out := make(map[string]string, len(entries))
	for name, obj := range entries {
		if obj.IsUnknown() || obj.IsNull() {
			continue
		}
		if s, ok := obj.Attributes()["engine_id"].(types.String); ok && !s.IsUnknown() {
			out[name] = s.ValueString()
		}
	}
	return out
}

// pendingHosts are the planned hosts whose per_host entry is unknown: apply
// has to make sure the object exists there.
func pendingHosts(planned hostSet, plannedMap types.Map) []fleetHost {
	entries := perHostEntries(plannedMap)
	var out []fleetHost
	for _, h := range planned.Hosts {
		if obj, ok := entries[h.Name]; !ok || obj.IsUnknown() || anyUnknown(obj) {
			out = append(out, h)
		}
	}
	return out
}

func anyUnknown(obj types.Object) bool {
	for _, v := range obj.Attributes() {
		if v.IsUnknown() {
			return true
		}
	}
	return false
}

// droppedHosts are the hosts of the prior set that the planned set no longer
// names.
func droppedHosts(prior, planned hostSet) []fleetHost {
	var out []fleetHost
	for _, h := range prior.Hosts {
		if _, ok := planned.Lookup(h.Name); !ok {
			out = append(out, h)
		}
	}
	return out
}

// checkHostAuth reports auth profile names of host references that the
// provider block does not define, at their attribute paths.
func (d *providerData) checkHostAuth(ctx context.Context, diags *diag.Diagnostics, host types.Object,
	hosts types.Map) {
	if !host.IsNull() && !host.IsUnknown() {
		var ref hostRefModel
		diags.Append(host.As(ctx, &ref, objectAsOptions)...)
		if !ref.Auth.IsUnknown() {
			d.checkAuth(diags, path.Root("host").AtName("auth"), ref.Auth.ValueString(),
				ref.Endpoint.ValueString())
		}
	}
	if hosts.IsNull() || hosts.IsUnknown() {
		return
	}
	refs := map[string]hostRefModel{}
	diags.Append(hosts.ElementsAs(ctx, &refs, false)...)
	for key, ref := range refs {
		if !ref.Auth.IsUnknown() {
			d.checkAuth(diags, path.Root("hosts").AtMapKey(key).AtName("auth"), ref.Auth.ValueString(),
				ref.Endpoint.ValueString())
		}
	}
}

// perHostOps is what a per-host resource does on one host, plus how its
// per_host element is built. T is what the daemon reports about the object.
type perHostOps[T any] struct {
	// kind is the resource kind, as in the ownership labels.
	kind string
	name string
	// spec is the digest of the desired settings; an object whose spec label
	// differs is not the one this resource describes.
	spec string
	// find looks for the resource's object on the host with one list call.
	find func(ctx context.Context, c *client.Client) (T, map[string]string, bool, error)
	// ensure adopts the resource's object or creates it.
	ensure func(ctx context.Context, h *dockerhost.Host) (T, error)
	// remove deletes the object; an object already gone is not an error.
	remove func(ctx context.Context, h *dockerhost.Host) error
	// entry builds the per_host element from the object and its engine.
	entry func(v T, engineID string) types.Object
}

// hostFound is what a read found on one host.
type hostFound[T any] struct {
	value    T
	labels   map[string]string
	found    bool
	engineID string
}

// read refreshes every host of the set at once. A host that does not answer
// keeps its prior entry and raises a warning; a host where the object is
// gone, foreign, or on another engine loses its entry, so that the plan
// creates it there only. It returns the new entries and the labels of one
// object found, for import.
func (o perHostOps[T]) read(ctx context.Context, d *providerData, set hostSet,
	prior map[string]types.Object, diags *diag.Diagnostics) (map[string]types.Object,
	map[string]string, map[string]string) {
	hosts := d.hostClients(set, diags)
	results := dockerhost.FanOut(ctx, hosts, func(ctx context.Context,
		h *dockerhost.Host) (hostFound[T], error) {
		return o.findOn(ctx, h)
	})

	entries := map[string]types.Object{}
	engines := map[string]string{}
	var found map[string]string
	for _, r := range results {
		name := r.Host.Name
		switch {
		case dockerhost.IsUnreachable(r.Err):
			o.keepPrior(entries, prior, name)
			addUnreachableWarning(diags, fmt.Sprintf("%s %q", o.kind, o.name), r.Host, r.Err)
		case r.Err != nil:
			o.keepPrior(entries, prior, name)
			addHostError(diags, "Cannot Read "+title(o.kind), r.Host,
				fmt.Sprintf("Listing %s %q", o.kind, o.name), "Check the host and try again.", r.Err)
		case !r.Value.found:
			tflog.Info(ctx, "object not found on host; the plan will create it there",
				map[string]any{"host": name, "kind": o.kind, "name": o.name})
			engines[name] = r.Value.engineID
		case o.spec != "" && r.Value.labels[labels.Spec] != o.spec:
			tflog.Warn(ctx, "object on host has other settings than the state; the plan will "+
				"recreate it there", map[string]any{"host": name, "kind": o.kind, "name": o.name})
			engines[name] = r.Value.engineID
		default:
			entries[name] = o.entry(r.Value.value, r.Value.engineID)
			engines[name] = r.Value.engineID
			found = r.Value.labels
		}
	}
	return entries, engines, found
}

func (o perHostOps[T]) keepPrior(entries, prior map[string]types.Object, name string) {
	if e, ok := prior[name]; ok {
		entries[name] = e
	}
}

func (o perHostOps[T]) findOn(ctx context.Context, h *dockerhost.Host) (hostFound[T], error) {
	facts, err := h.Facts(ctx)
	if err != nil {
		return hostFound[T]{}, err
	}
	out := hostFound[T]{engineID: facts.EngineID}
	err = h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		out.value, out.labels, out.found, err = o.find(ctx, c)
		return err
	})
	return out, err
}

// apply makes sure the object exists on each of the hosts, in parallel. It
// returns the entries of the hosts that succeeded; every failure is an error
// naming its host, and does not stop the others.
func (o perHostOps[T]) apply(ctx context.Context, d *providerData, hosts []fleetHost,
	diags *diag.Diagnostics) map[string]types.Object {
	expected := map[string]string{}
	for _, h := range hosts {
		expected[h.Name] = h.EngineID
	}
	clients := d.hostClients(hostSet{Hosts: hosts}, diags)
	results := dockerhost.FanOut(ctx, clients, func(ctx context.Context,
		h *dockerhost.Host) (types.Object, error) {
		facts, err := h.Facts(ctx)
		if err != nil {
			return types.Object{}, err
		}
		// A pinned engine that is not the one answering would make every
		// plan recreate the object here; say so instead.
		if want := expected[h.Name]; want != "" && want != facts.EngineID {
			return types.Object{}, fmt.Errorf("the engine answering is %s, but the host reference "+
				"expects engine_id %s; refresh the dockerfleet_host resource or correct engine_id",
				facts.EngineID, want)
		}
		unlock := lockEnsure(facts.EngineID, o.kind, o.name)
		v, err := o.ensure(ctx, h)
		unlock()
		if err != nil {
			return types.Object{}, err
		}
		tflog.Debug(ctx, "object ensured", map[string]any{"host": h.Name, "kind": o.kind, "name": o.name})
		return o.entry(v, facts.EngineID), nil
	})

	entries := map[string]types.Object{}
	for _, r := range results {
		if r.Err != nil {
			addHostError(diags, "Cannot Create "+title(o.kind), r.Host,
				fmt.Sprintf("Creating %s %q", o.kind, o.name),
				"Fix the cause and apply again; the hosts that succeeded are kept in state.", r.Err)
			continue
		}
		entries[r.Host.Name] = r.Value
	}
	return entries
}

// ensureLocks holds one mutex per engine, kind and object name. Docker 20.10
// does not check network names atomically: two resources of one run that
// name the same network on the same engine both found it missing and both
// created it, leaving two networks of that name that no container could then
// be attached to by name. Keyed by engine ID, since one engine may be reached
// through several endpoints.
var ensureLocks sync.Map

// lockEnsure takes the lock of one object on one engine and returns its
// release.
func lockEnsure(engineID, kind, name string) func() {
	v, _ := ensureLocks.LoadOrStore(engineID+"\x00"+kind+"\x00"+name, &sync.Mutex{})
	mu := v.(*sync.Mutex)
	mu.Lock()
	return mu.Unlock
}

// removeFrom deletes the object from each of the hosts, in parallel, and
// returns the names of the hosts where that failed.
func (o perHostOps[T]) removeFrom(ctx context.Context, d *providerData, hosts []fleetHost,
	diags *diag.Diagnostics) map[string]bool {
	failed := map[string]bool{}
	var reachable []fleetHost
	for _, h := range hosts {
		if !h.Known() {
			failed[h.Name] = true
			diags.AddError("Cannot Remove "+title(o.kind), fmt.Sprintf("The endpoint of host %q "+
				"is not known, so %s %q cannot be removed from it.", h.Name, o.kind, o.name))
			continue
		}
		reachable = append(reachable, h)
	}
	clients := d.hostClients(hostSet{Hosts: reachable}, diags)
	results := dockerhost.FanOut(ctx, clients, func(ctx context.Context, h *dockerhost.Host) (struct{}, error) {
		return struct{}{}, o.remove(ctx, h)
	})
	for _, r := range results {
		if r.Err == nil {
			continue
		}
		failed[r.Host.Name] = true
		todo := "Check the host and try again."
		var inUse *inUseError
		if errors.As(r.Err, &inUse) {
			todo = "Remove or disconnect those containers first, then apply again."
		}
		addHostError(diags, "Cannot Remove "+title(o.kind), r.Host,
			fmt.Sprintf("Removing %s %q", o.kind, o.name), todo, r.Err)
	}
	return failed
}

// hostClients returns the pool's client of every host; a host that cannot get
// one (bad endpoint, unknown profile) is an error naming it.
func (d *providerData) hostClients(set hostSet, diags *diag.Diagnostics) []*dockerhost.Host {
	out := make([]*dockerhost.Host, 0, len(set.Hosts))
	for _, h := range set.Hosts {
		c, err := d.client(h)
		if err != nil {
			diags.AddError("Cannot Reach Host", fmt.Sprintf("Host %q cannot be used: %s.", h.Name, err))
			continue
		}
		out = append(out, c)
	}
	return out
}

// inUseError says which containers still use an object.
type inUseError struct {
	What       string
	Containers []string
}

func (e *inUseError) Error() string {
	return fmt.Sprintf("%s is still used by container(s) %s", e.What, strings.Join(e.Containers, ", "))
}

// waitUnused returns once no container matching filter (containers attached
// to a network, or mounting a volume) exists on the host. Containers of
// dockerfleet services are being destroyed in the same run when they are the
// only users, so those are waited for, up to inUseWait; any other user is an
// inUseError at once.
func waitUnused(ctx context.Context, h *dockerhost.Host, what string, filter filters.Args) error {
	deadline := time.Now().Add(inUseWait)
	for {
		users, err := containersUsing(ctx, h, filter)
		if err != nil || len(users) == 0 {
			return err
		}

		names, onlyServices := describeUsers(users)
		if !onlyServices || time.Now().After(deadline) {
			return &inUseError{What: what, Containers: names}
		}
		tflog.Debug(ctx, "waiting for service containers to go", map[string]any{
			"host": h.Name, "object": what, "containers": names})
		select {
		case <-ctx.Done():
			return &inUseError{What: what, Containers: names}
		case <-time.After(time.Second):
		}
	}
}

func containersUsing(ctx context.Context, h *dockerhost.Host, filter filters.Args) ([]container.Summary,
	error) {
	var users []container.Summary
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		users, err = c.ContainerList(ctx, container.ListOptions{All: true, Filters: filter})
		return err
	})
	return users, err
}

func describeUsers(users []container.Summary) (names []string, onlyServices bool) {
	onlyServices = true
	for _, u := range users {
		name := u.ID
		if len(u.Names) > 0 {
			name = strings.TrimPrefix(u.Names[0], "/")
		}
		names = append(names, name)
		if !labels.IsManaged(u.Labels) || u.Labels[labels.Resource] != labels.KindService {
			onlyServices = false
		}
	}
	sort.Strings(names)
	return names, onlyServices
}

// importRef is one host named by an import ID.
type importRef struct {
	Name     string
	Endpoint string
	Auth     string
}

// importID is a parsed import ID of a per-host resource.
type importID struct {
	Name string
	// Single is set for the `host:` form, which fills `host` instead of `hosts`.
	Single bool
	Hosts  []importRef
}

// importIDForms is quoted in import ID errors and resource descriptions.
const importIDForms = "`<name>` (the default host), " +
	"`<name>@<host>=<endpoint>[,<host>=<endpoint>...]` (the `hosts` map, keyed by host name) " +
	"or `<name>@host:<host>=<endpoint>` (the single `host`); an entry may end in " +
	"`;auth=<profile>` to name its auth profile"

// parseImportID reads the import ID of a per-host resource.
func parseImportID(id string) (importID, error) {
	name, list, hasHosts := strings.Cut(id, "@")
	if name == "" {
		return importID{}, fmt.Errorf("import ID %q names no object; accepted forms: %s", id,
			importIDForms)
	}
	out := importID{Name: name}
	if !hasHosts {
		return out, nil
	}

	list, out.Single = strings.CutPrefix(list, "host:")
	seen := map[string]bool{}
	for _, entry := range strings.Split(list, ",") {
		ref, err := parseImportRef(entry)
		if err != nil {
			return importID{}, fmt.Errorf("import ID %q: %w; accepted forms: %s", id, err, importIDForms)
		}
		if seen[ref.Name] {
			return importID{}, fmt.Errorf("import ID %q names host %q twice", id, ref.Name)
		}
		seen[ref.Name] = true
		out.Hosts = append(out.Hosts, ref)
	}
	if out.Single && len(out.Hosts) != 1 {
		return importID{}, fmt.Errorf("import ID %q: the host: form takes exactly one host", id)
	}
	return out, nil
}

func parseImportRef(entry string) (importRef, error) {
	hostName, rest, ok := strings.Cut(entry, "=")
	if !ok || hostName == "" || rest == "" {
		return importRef{}, fmt.Errorf("entry %q is not of the form <host>=<endpoint>", entry)
	}
	if !hostNamePattern.MatchString(hostName) {
		return importRef{}, fmt.Errorf("host name %q must start with a letter or digit and hold "+
			"only letters, digits, _, . and -", hostName)
	}
	endpoint, auth, _ := strings.Cut(rest, ";auth=")
	if _, err := dockerhost.ParseEndpoint(endpoint); err != nil {
		return importRef{}, err
	}
	return importRef{Name: hostName, Endpoint: endpoint, Auth: auth}, nil
}

// setImportedHosts writes `id`, `name` and the host references of an import
// ID to the state, and marks the state for the Read that follows.
func setImportedHosts(ctx context.Context, id importID, resp *resource.ImportStateResponse) {
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.Name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), id.Name)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, []byte("true"))...)

	refType := types.ObjectType{AttrTypes: hostRefAttrTypes()}
	refs := map[string]attr.Value{}
	for _, h := range id.Hosts {
		refs[h.Name] = importedRef(h)
	}
	switch {
	case len(id.Hosts) == 0:
		return
	case id.Single:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("host"),
			importedRef(id.Hosts[0]))...)
	default:
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("hosts"),
			types.MapValueMust(refType, refs))...)
	}
}

func importedRef(h importRef) types.Object {
	auth := types.StringNull()
	if h.Auth != "" {
		auth = types.StringValue(h.Auth)
	}
	return types.ObjectValueMust(hostRefAttrTypes(), map[string]attr.Value{
		"name":      types.StringValue(h.Name),
		"endpoint":  types.StringValue(h.Endpoint),
		"labels":    types.MapNull(types.StringType),
		"auth":      auth,
		"engine_id": types.StringNull(),
	})
}

func hostRefAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"name":      types.StringType,
		"endpoint":  types.StringType,
		"labels":    types.MapType{ElemType: types.StringType},
		"auth":      types.StringType,
		"engine_id": types.StringType,
	}
}

// fillImportedEngines sets the engine_id of imported host references to the
// engine each host reported, so that a configuration passing the host
// resources plans no change. Only a Read right after ImportState does this:
// otherwise the references hold exactly what the configuration gave.
func fillImportedEngines(host types.Object, hosts types.Map, engines map[string]string) (types.Object,
	types.Map) {
	fill := func(v attr.Value) attr.Value {
		obj, ok := v.(types.Object)
		if !ok || obj.IsNull() || obj.IsUnknown() {
			return v
		}
		attrs := obj.Attributes()
		name, _ := attrs["name"].(types.String)
		engine, ok := engines[name.ValueString()]
		if !ok || engine == "" || !attrs["engine_id"].IsNull() {
			return v
		}
		next := make(map[string]attr.Value, len(attrs))
		for k, a := range attrs {
			next[k] = a
		}
		next["engine_id"] = types.StringValue(engine)
		return types.ObjectValueMust(hostRefAttrTypes(), next)
	}

	if !host.IsNull() {
		host = fill(host).(types.Object)
	}
	if !hosts.IsNull() && !hosts.IsUnknown() {
		elems := map[string]attr.Value{}
		for k, v := range hosts.Elements() {
			elems[k] = fill(v)
		}
		hosts = types.MapValueMust(types.ObjectType{AttrTypes: hostRefAttrTypes()}, elems)
	}
	return host, hosts
}

// keepFailedHosts returns the host references of the new state after a
// partial failure: the planned ones, plus those of hosts whose removal
// failed, so that the next Read still reaches them and the next plan tries
// again. Only the `hosts` map can hold both; with `host` or the default host
// the prior reference is kept as a whole.
func keepFailedHosts(planHost, stateHost types.Object, planHosts, stateHosts types.Map,
	failed map[string]bool) (types.Object, types.Map) {
	if len(failed) == 0 {
		return planHost, planHosts
	}
	if planHosts.IsNull() || stateHosts.IsNull() {
		return stateHost, stateHosts
	}
	elems := map[string]attr.Value{}
	for k, v := range planHosts.Elements() {
		elems[k] = v
	}
	for k, v := range stateHosts.Elements() {
		if obj, ok := v.(types.Object); ok {
			if name, _ := obj.Attributes()["name"].(types.String); failed[name.ValueString()] {
				elems[k] = v
			}
		}
	}
	return planHost, types.MapValueMust(types.ObjectType{AttrTypes: hostRefAttrTypes()}, elems)
}

// mergeEntries builds the per_host map after an apply: the planned entries
// that are known, the entries just created, and the prior entries of hosts
// whose removal failed.
func mergeEntries(elem types.ObjectType, planned types.Map, created map[string]types.Object,
	prior map[string]types.Object, failed map[string]bool) types.Map {
	out := map[string]types.Object{}
	for name, obj := range perHostEntries(planned) {
		if !obj.IsUnknown() && !anyUnknown(obj) {
			out[name] = obj
		}
	}
	for name, obj := range created {
		out[name] = obj
	}
	for name := range failed {
		if obj, ok := prior[name]; ok {
			out[name] = obj
		}
	}
	return perHostMap(elem, out)
}

// perHostMap turns entries into the per_host map value.
func perHostMap(elem types.ObjectType, entries map[string]types.Object) types.Map {
	elems := make(map[string]attr.Value, len(entries))
	for k, v := range entries {
		elems[k] = v
	}
	return types.MapValueMust(elem, elems)
}

// reservedLabels reports user labels that use the dockerfleet prefix.
func reservedLabels(ctx context.Context, diags *diag.Diagnostics, at path.Path, m types.Map) {
	if m.IsNull() || m.IsUnknown() {
		return
	}
	var user map[string]string
	diags.Append(m.ElementsAs(ctx, &user, true)...)
	for _, k := range labels.Reserved(user) {
		diags.AddAttributeError(at.AtMapKey(k), "Reserved Label",
			fmt.Sprintf("Label %q uses the prefix %q, which dockerfleet keeps for its own labels. "+
				"Choose another key.", k, labels.Prefix))
	}
}

func title(s string) string { return capitalize(s) }

// decodeSettings reads the settings label of an object found at import into
// out, after checking that the object is this resource's and that the label
// matches its spec digest.
func decodeSettings(found map[string]string, kind, name string, out any) error {
	if found == nil {
		return fmt.Errorf("no %s named %q created by dockerfleet answered on the hosts of the "+
			"import ID", kind, name)
	}
	raw, ok := found[labels.Settings]
	if !labels.Owner(found, kind, name) || !ok {
		return fmt.Errorf("%s %q carries no dockerfleet settings label, so it was not created by "+
			"dockerfleet and cannot be imported; Docker cannot add labels to an existing %s",
			kind, name, kind)
	}
	if err := json.Unmarshal([]byte(raw), out); err != nil {
		return fmt.Errorf("the settings label of %s %q does not decode: %w", kind, name, err)
	}
	if _, digest, err := labels.Encode(out); err != nil || digest != found[labels.Spec] {
		return fmt.Errorf("the settings label of %s %q does not match its spec label; it was "+
			"changed by hand", kind, name)
	}
	return nil
}

// goStringMap reads a map of strings; nil when it is null or unknown.
func goStringMap(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

// nullableStringMap is the inverse of goStringMap: nil gives a null map.
func nullableStringMap(m map[string]string) types.Map {
	if m == nil {
		return types.MapNull(types.StringType)
	}
	return stringMap(m)
}

func optionalString(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
