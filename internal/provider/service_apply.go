package provider

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/rollout"
)

// applyRun is one Create or Update: the planned replicas, what ran before,
// and the clients of every host involved.
type applyRun struct {
	plan      serviceModel
	spec      containerspec.Spec
	desired   string
	planned   map[string]instanceModel
	prior     map[string]instanceModel
	priorSpec *containerspec.Spec
	// priorDigest is the digest of priorSpec: only replicas that ran it can
	// be rolled back to it.
	priorDigest string
	clients     map[string]*dockerhost.Host
	imageIDs    map[string]string
	// stopFirst is set when replicas bind host ports (see bindsHostPorts).
	stopFirst bool
	// settings and priorSettings are the settings labels of new and
	// restored containers, read back at import.
	settings, priorSettings string
}

// apply makes the hosts run the planned replicas and returns the state that
// reflects what really runs, also after a failure: replicas whose change did
// not happen keep their old container (or none), so the next plan shows only
// what is left to do.
func (r *serviceResource) apply(ctx context.Context, plan serviceModel, prior *serviceModel,
	key []byte, diags *diag.Diagnostics) serviceModel {
	if plan.Instances.IsUnknown() {
		// The hosts were not known at plan time: place the replicas now.
		r.planReplicas(ctx, &plan, prior, key, diags)
		if diags.HasError() {
			return fallbackState(plan, prior)
		}
	}
	run, ok := r.newApplyRun(ctx, plan, prior, key, diags)
	if !ok {
		return fallbackState(plan, prior)
	}

	extras := r.removeExtras(ctx, run, prior, diags)
	changes := run.changes()
	changes = run.resolveImages(ctx, changes, diags)
	eng := run.engine(plan.Name.ValueString())
	outcomes := map[string]rollout.Outcome{}
	cfg := rolloutConfig(ctx, plan, diags)
	if cfg.HealthTimeout == 0 {
		cfg.HealthTimeout = run.spec.HealthDeadline(rollout.DefaultHealthTimeout)
	}
	tflog.Info(ctx, "rolling out service", map[string]any{
		"service": plan.Name.ValueString(), "changes": len(changes)})
	err := rollout.Execute(ctx, changes, cfg, eng, func(c rollout.Change, o rollout.Outcome) {
		outcomes[changeKey(c)] = o
		logOutcome(ctx, plan.Name.ValueString(), c, o)
	})
	addRolloutError(diags, plan.Name.ValueString(), err)

	next := plan
	instances := run.results(eng, outcomes)
	var d diag.Diagnostics
	next.Instances, d = instancesValue(instances)
	diags.Append(d...)
	next.Placement = recount(plan.Placement, instances)
	next.ExtraContainers = nullableStringMap(extras)
	if next.Endpoints.IsUnknown() {
		set, _ := r.data.resolveHosts(ctx, plan.Host, plan.Hosts)
		next.Endpoints = endpointsOf(set, instances)
	}
	return next
}

// logOutcome logs the rollout's progress as each replica's change ends, at
// Info, with the fields an operator filters on.
func logOutcome(ctx context.Context, service string, c rollout.Change, o rollout.Outcome) {
	tflog.Info(ctx, "replica change ended", map[string]any{
		"service": service, "replica": c.Replica, "host": c.Host,
		"kind": string(c.Kind), "outcome": string(o)})
}

func (r *serviceResource) newApplyRun(ctx context.Context, plan serviceModel, prior *serviceModel,
	key []byte, diags *diag.Diagnostics) (*applyRun, bool) {
	spec, d := plan.spec(ctx)
	diags.Append(d...)
	planned, d := plan.instances(ctx)
	diags.Append(d...)
	run := &applyRun{
		plan: plan, spec: spec, desired: containerspec.Digest(spec, key), planned: planned,
		prior: map[string]instanceModel{}, clients: map[string]*dockerhost.Host{},
		imageIDs: map[string]string{},
	}
	run.stopFirst = planPorts(&plan, &spec).bindsHostPorts()
	var err error
	if run.settings, err = settingsLabel(ctx, plan); err != nil {
		diags.AddError("Cannot Encode Settings", "Error: "+err.Error())
	}

	set, d := r.data.resolveHosts(ctx, plan.Host, plan.Hosts)
	diags.Append(d...)
	hosts := set.Hosts
	if prior != nil {
		run.prior, d = prior.instances(ctx)
		diags.Append(d...)
		if prior.specKnown() {
			ps, _ := prior.spec(ctx)
			run.priorSpec = &ps
			run.priorDigest = containerspec.Digest(ps, key)
			run.priorSettings, _ = settingsLabel(ctx, *prior)
		}
		priorSet, _ := r.data.resolveHosts(ctx, prior.Host, prior.Hosts)
		hosts = append(hosts, droppedHosts(priorSet, set)...)
	}
	for _, h := range hosts {
		c, err := r.data.client(h)
		if err != nil {
			diags.AddError("Cannot Reach Host", fmt.Sprintf("Host %q cannot be used: %s.", h.Name, err))
			continue
		}
		run.clients[h.Name] = c
	}
	return run, !diags.HasError()
}

// changes lists what the rollout does: create new replicas, replace changed
// ones on their host, move replicas (remove on the old host, create on the
// new one), and remove replicas no longer planned.
func (a *applyRun) changes() []rollout.Change {
	var out []rollout.Change
	for name, inst := range a.planned {
		if !inst.ContainerID.IsUnknown() {
			continue
		}
		host := inst.Host.ValueString()
		was, had := a.prior[name]
		switch {
		case had && was.Host.ValueString() == host:
			out = append(out, rollout.Change{Replica: name, Host: host, Kind: rollout.Replace,
				ForceStopFirst: a.stopFirst})
		case had:
			out = append(out, rollout.Change{Replica: name, Host: was.Host.ValueString(),
				Kind: rollout.Remove})
			out = append(out, rollout.Change{Replica: name, Host: host, Kind: rollout.Create})
		default:
			out = append(out, rollout.Change{Replica: name, Host: host, Kind: rollout.Create})
		}
	}
	for name, was := range a.prior {
		if _, ok := a.planned[name]; !ok {
			out = append(out, rollout.Change{Replica: name, Host: was.Host.ValueString(),
				Kind: rollout.Remove})
		}
	}
	sort.Slice(out, func(i, j int) bool { return changeKey(out[i]) < changeKey(out[j]) })
	return out
}

// resolveImages makes sure the image is on every host that gets a new
// container, once per host and in parallel. The changes of a host where that
// fails are dropped, with an error naming the host and the image.
func (a *applyRun) resolveImages(ctx context.Context, changes []rollout.Change,
	diags *diag.Diagnostics) []rollout.Change {
	need := map[string]bool{}
	for _, c := range changes {
		if c.Kind != rollout.Remove {
			need[c.Host] = true
		}
	}
	var hosts []*dockerhost.Host
	for name := range need {
		if h, ok := a.clients[name]; ok {
			hosts = append(hosts, h)
		}
	}
	sort.Slice(hosts, func(i, j int) bool { return hosts[i].Name < hosts[j].Name })
	ref, pull := a.spec.Image, a.plan.Pull.ValueString()
	results := dockerhost.FanOut(ctx, hosts, func(ctx context.Context, h *dockerhost.Host) (string, error) {
		return ensureImage(ctx, h, ref, pull)
	})

	failed := map[string]bool{}
	for name := range need {
		if _, ok := a.clients[name]; !ok {
			failed[name] = true
		}
	}
	for _, res := range results {
		if res.Err != nil {
			failed[res.Host.Name] = true
			addImageError(diags, res.Host, ref, res.Err)
			continue
		}
		a.imageIDs[res.Host.Name] = res.Value
	}

	kept := changes[:0:0]
	for _, c := range changes {
		if c.Kind == rollout.Remove || !failed[c.Host] {
			kept = append(kept, c)
		}
	}
	return kept
}

func (a *applyRun) engine(service string) *serviceEngine {
	reps := map[string]containerspec.Replica{}
	idx := planPorts(&a.plan, &a.spec).rangeIndex()
	for name, inst := range a.planned {
		rep := containerspec.Replica{Service: service, Name: name,
			Number: int(inst.Number.ValueInt64()), Host: inst.Host.ValueString(), Digest: a.desired}
		if ports := listInts(inst.Ports); idx >= 0 && idx < len(ports) {
			rep.Port = ports[idx]
		}
		reps[name] = rep
	}
	return &serviceEngine{
		service: service, spec: a.spec, priorSpec: a.priorSpec, priorDigest: a.priorDigest,
		settings: a.settings, priorSettings: a.priorSettings, hosts: a.clients, replicas: reps,
		prior: a.prior, started: map[string]string{}, tempName: map[string]bool{},
		retired: map[string]bool{}, restored: map[string]string{},
	}
}

// results is the instances map after the rollout: what runs on each host.
func (a *applyRun) results(eng *serviceEngine, outcomes map[string]rollout.Outcome) map[string]instanceModel {
	out := map[string]instanceModel{}
	for name, inst := range a.planned {
		if !inst.ContainerID.IsUnknown() {
			out[name] = inst
			continue
		}
		key := name + "@" + inst.Host.ValueString()
		was, had := a.prior[name]
		switch outcomes[key] {
		case rollout.Done:
			inst.ContainerID = types.StringValue(eng.started[key])
			inst.ImageID = types.StringValue(a.imageIDs[inst.Host.ValueString()])
			inst.Digest = types.StringValue(a.desired)
			out[name] = inst
		case rollout.RolledBack:
			was.ContainerID = types.StringValue(eng.restored[key])
			was.Drift = types.StringNull()
			out[name] = was
		default:
			if _, oldRuns := eng.oldOnHost(rollout.Change{Replica: name, Host: inst.Host.ValueString()}); had && oldRuns {
				out[name] = was
				continue
			}
			out[name] = notRunning(inst)
		}
	}
	for name, was := range a.prior {
		if _, planned := a.planned[name]; planned {
			continue
		}
		if outcomes[name+"@"+was.Host.ValueString()] != rollout.Done {
			out[name] = was
		}
	}
	return out
}

// notRunning is a replica whose new container does not run after a failed
// apply; the next plan creates it again.
func notRunning(inst instanceModel) instanceModel {
	inst.ContainerID = types.StringNull()
	inst.ImageID = types.StringNull()
	inst.Digest = types.StringNull()
	inst.Drift = types.StringValue(driftRemoved + " (the last apply did not complete it)")
	return inst
}

// fallbackState is what an apply that did nothing leaves: the prior state,
// or for a create, the plan with every replica missing.
func fallbackState(plan serviceModel, prior *serviceModel) serviceModel {
	if prior != nil {
		return *prior
	}
	next := plan
	next.Instances = types.MapNull(types.ObjectType{AttrTypes: instanceAttrTypes()})
	next.Placement = types.MapNull(types.Int64Type)
	next.Endpoints = types.ListNull(types.StringType)
	next.ExtraContainers = types.MapNull(types.StringType)
	return next
}

func rolloutConfig(ctx context.Context, plan serviceModel, diags *diag.Diagnostics) rollout.Config {
	u, d := plan.update(ctx)
	diags.Append(d...)
	delay, _ := time.ParseDuration(u.Delay.ValueString())
	monitor, _ := time.ParseDuration(u.Monitor.ValueString())
	// Left out, the deadline follows the health check (see applyRun).
	health, _ := time.ParseDuration(u.HealthTimeout.ValueString())
	return rollout.Config{
		HealthTimeout:   health,
		Parallelism:     int(u.Parallelism.ValueInt64()),
		Order:           rollout.Order(u.Order.ValueString()),
		Delay:           delay,
		Monitor:         monitor,
		FailureAction:   rollout.FailureAction(u.FailureAction.ValueString()),
		MaxFailureRatio: u.MaxFailureRatio.ValueFloat64(),
	}
}

func addRolloutError(diags *diag.Diagnostics, service string, err error) {
	if err == nil {
		return
	}
	var rerr *rollout.Error
	if errors.As(err, &rerr) && rerr.Completed {
		diags.AddWarning("Rollout Completed With Failures", fmt.Sprintf("Service %q: %s", service, err))
		return
	}
	diags.AddError("Rollout Failed", fmt.Sprintf("Service %q did not fully roll out. The state "+
		"records what runs on each host; fix the cause and apply again to finish.\n\n%s", service, err))
}

// removeExtras removes the containers refresh found labelled as this service
// but not one of its replicas. It returns those it could not remove.
func (r *serviceResource) removeExtras(ctx context.Context, run *applyRun, prior *serviceModel,
	diags *diag.Diagnostics) map[string]string {
	if prior == nil {
		return nil
	}
	left := map[string]string{}
	for key, id := range prior.extraContainers(ctx) {
		hostName, name, _ := strings.Cut(key, "/")
		h, ok := run.clients[hostName]
		if !ok {
			left[key] = id
			continue
		}
		if err := removeContainer(ctx, h, id); err != nil {
			left[key] = id
			addHostError(diags, "Cannot Remove Container", h,
				fmt.Sprintf("Removing extra container %q of the service", name), "", err)
			continue
		}
		tflog.Info(ctx, "extra container removed", map[string]any{"host": hostName, "container": name})
	}
	if len(left) == 0 {
		return nil
	}
	return left
}

// recount counts replicas per host, over the planned placement's hosts.
func recount(planned types.Map, instances map[string]instanceModel) types.Map {
	counts := map[string]int{}
	if !planned.IsNull() && !planned.IsUnknown() {
		for h := range planned.Elements() {
			counts[h] = 0
		}
	}
	for _, inst := range instances {
		if !inst.ContainerID.IsNull() {
			counts[inst.Host.ValueString()]++
		}
	}
	return placementValue(counts)
}

func endpointsOf(set hostSet, instances map[string]instanceModel) types.List {
	names := make([]string, 0, len(instances))
	for n := range instances {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return instances[names[i]].Number.ValueInt64() < instances[names[j]].Number.ValueInt64()
	})
	elems := []attr.Value{}
	for _, n := range names {
		inst := instances[n]
		h, ok := set.Lookup(inst.Host.ValueString())
		if !ok {
			continue
		}
		ep, err := dockerhost.ParseEndpoint(h.Endpoint)
		if err != nil {
			continue
		}
		for _, port := range listInts(inst.Ports) {
			addr := net.JoinHostPort(ep.Address(), strconv.Itoa(port))
			elems = append(elems, types.StringValue(addr))
		}
	}
	return types.ListValueMust(types.StringType, elems)
}

// refresh reads every host of the service with one list call each, in
// parallel, and records drift replica by replica. A host that does not answer
// keeps its replicas, with a warning.
func (r *serviceResource) refresh(ctx context.Context, state *serviceModel,
	adopted map[string]string, diags *diag.Diagnostics) {
	set, d := r.data.resolveHosts(ctx, state.Host, state.Hosts)
	diags.Append(d...)
	instances, d := state.instances(ctx)
	diags.Append(d...)
	priorExtras := state.extraContainers(ctx)

	var hosts []*dockerhost.Host
	for _, h := range set.Hosts {
		if c, err := r.data.client(h); err == nil {
			hosts = append(hosts, c)
		}
	}
	service, ref := state.Name.ValueString(), state.Image.ValueString()
	results := dockerhost.FanOut(ctx, hosts, func(ctx context.Context,
		h *dockerhost.Host) (hostObservation, error) {
		return observeHost(ctx, h, service, ref)
	})

	extras := map[string]string{}
	for _, res := range results {
		name := res.Host.Name
		switch {
		case res.Err != nil && dockerhost.IsUnreachable(res.Err):
			addUnreachableWarning(diags, fmt.Sprintf("the replicas of service %q", service),
				res.Host, res.Err)
			keepExtras(extras, priorExtras, name)
		case res.Err != nil:
			addHostError(diags, "Cannot Read Service", res.Host,
				fmt.Sprintf("Listing the containers of service %q", service),
				"Check the host and try again.", res.Err)
			keepExtras(extras, priorExtras, name)
		default:
			h, _ := set.Lookup(name)
			reconcileHost(name, h.EngineID, ref, res.Value, adopted, instances, extras)
		}
	}

	state.Instances, d = instancesValue(instances)
	diags.Append(d...)
	state.ExtraContainers = types.MapNull(types.StringType)
	if len(extras) > 0 {
		state.ExtraContainers = stringMap(extras)
	}
}

func keepExtras(into, prior map[string]string, host string) {
	for k, v := range prior {
		if strings.HasPrefix(k, host+"/") {
			into[k] = v
		}
	}
}

// reconcileHost updates the replicas on one host from what its list call
// returned, and collects containers of the service that are not replicas.
func reconcileHost(host, engineID, ref string, obs hostObservation, adopted map[string]string,
	instances map[string]instanceModel, extras map[string]string) {
	found := map[string]container.Summary{}
	for _, c := range obs.containers {
		rep, name := c.Labels[containerspec.LabelReplica], containerName(c)
		if inst, ok := instances[rep]; ok && inst.Host.ValueString() == host && name == rep {
			found[rep] = c
			continue
		}
		extras[host+"/"+name] = c.ID
	}

	for name, inst := range instances {
		if inst.Host.ValueString() != host {
			continue
		}
		c, ok := found[name]
		if !ok {
			if inst.Drift.IsNull() {
				inst.Drift = types.StringValue(driftRemoved + onHost(host))
			}
			instances[name] = inst
			continue
		}
		prevDigest := inst.Digest.ValueString()
		digest := c.Labels[labels.Spec]
		if stands, ok := adopted[digest]; ok {
			// An imported container: its label digest was made under the old key.
			digest = stands
		}
		inst.ContainerID = types.StringValue(c.ID)
		inst.ImageID = types.StringValue(c.ImageID)
		inst.Digest = types.StringValue(digest)
		inst.Drift = driftOf(c, obs, engineID, ref, prevDigest, digest)
		if !inst.Drift.IsNull() {
			// The plan hides the unchanged host attribute: say it here.
			inst.Drift = types.StringValue(inst.Drift.ValueString() + onHost(host))
		}
		instances[name] = inst
	}
}

func onHost(host string) string { return fmt.Sprintf(" on host %q", host) }

func driftOf(c container.Summary, obs hostObservation, engineID, ref, prevDigest,
	digest string) types.String {
	switch {
	case engineID != "" && obs.engineID != engineID:
		return types.StringValue(fmt.Sprintf("host rebuilt: engine ID is %s, not %s",
			obs.engineID, engineID))
	case c.State != container.StateRunning:
		return types.StringValue(fmt.Sprintf("%s (%s)", driftStopped, c.State))
	case obs.imageID != "" && c.ImageID != obs.imageID && !madeFromOtherRef(c, ref):
		return types.StringValue(fmt.Sprintf("container runs image %s, but %s is %s on the host",
			shortID(strings.TrimPrefix(c.ImageID, "sha256:")), ref,
			shortID(strings.TrimPrefix(obs.imageID, "sha256:"))))
	case prevDigest != "" && digest != prevDigest:
		return types.StringValue("container changed outside Terraform: its spec digest label " +
			"differs from state")
	}
	return types.StringNull()
}

// madeFromOtherRef says whether a container was made from another image
// reference than the service's: a replica that a failed rollout left on the
// previous spec, or rolled back to it. Its image differs by design, and its
// digest decides whether the plan replaces it. Docker lists the reference a
// container was made from while that reference still names the container's
// image, and the image ID once the reference has moved on: the drift the
// image check is after.
func madeFromOtherRef(c container.Summary, ref string) bool {
	return c.Image != "" && c.Image != ref && !strings.HasPrefix(c.Image, "sha256:")
}

// removeAll deletes every container of the service on every host, found by
// label so that nothing is left behind, in parallel across hosts. A host that
// does not answer is an error: destroying must not forget what still runs.
func (r *serviceResource) removeAll(ctx context.Context, state serviceModel, diags *diag.Diagnostics) {
	set, d := r.data.resolveHosts(ctx, state.Host, state.Hosts)
	diags.Append(d...)
	var hosts []*dockerhost.Host
	for _, h := range set.Hosts {
		c, err := r.data.client(h)
		if err != nil {
			diags.AddError("Cannot Reach Host", fmt.Sprintf("Host %q cannot be used: %s.", h.Name, err))
			continue
		}
		hosts = append(hosts, c)
	}

	service := state.Name.ValueString()
	results := dockerhost.FanOut(ctx, hosts, func(ctx context.Context, h *dockerhost.Host) (int, error) {
		var found []container.Summary
		err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
			var err error
			found, err = c.ContainerList(ctx, container.ListOptions{All: true,
				Filters: serviceFilter(service, h.Name)})
			return err
		})
		for _, c := range found {
			if err == nil {
				err = removeContainer(ctx, h, c.ID)
			}
		}
		return len(found), err
	})
	for _, res := range results {
		if res.Err != nil {
			addHostError(diags, "Cannot Remove Service", res.Host,
				fmt.Sprintf("Removing the containers of service %q", service),
				"Bring the host back and destroy again; its containers are still in state.", res.Err)
			continue
		}
		tflog.Debug(ctx, "service containers removed", map[string]any{
			"service": service, "host": res.Host.Name, "containers": res.Value})
	}
}

// addImageError tells a host that did not answer from an image it lacks:
// the first wants the host back, the second the image.
func addImageError(diags *diag.Diagnostics, h *dockerhost.Host, ref string, err error) {
	if dockerhost.IsUnreachable(err) {
		addHostError(diags, "Host Did Not Answer", h, fmt.Sprintf("Resolving image %q", ref),
			"Bring the host back and apply again. No replica was changed on this host.", err)
		return
	}
	addHostError(diags, "Image Not Available", h, fmt.Sprintf("Resolving image %q", ref),
		"Load the image on the host, or allow pulling it with pull = \"missing\" or "+
			"\"always\". No replica was changed on this host.", err)
}
