package provider

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/docker/docker/api/types/container"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

// Import of a service: Docker cannot tell which environment values came from
// the configuration and which from the image, so every container carries the
// service's settings as they were configured (the settings label: the
// configuration attributes, msgpack-encoded, without secret_env, which never
// leaves Terraform). The Read after ImportState restores the attributes from
// it and adopts the replicas.
//
// The digest key of the old state is gone, so the labels' digests cannot be
// checked against the configuration. Instead the Read computes the digest of
// the restored settings under a new key and records, in private state, that
// the adopted containers' label digest stands for it. The next plan then
// compares the configuration with those settings: equal settings plan
// nothing. secret_env cannot be restored, so a service with secret values is
// replaced once after import, which also proves the secrets are right.

// privateAdopted maps label digests of imported containers to the digest of
// the settings they were created with, under the current key.
const privateAdopted = "adopted_digests"

// nonSettings are the attributes the settings label does not carry: hosts are
// given by the import ID, computed values are read, secrets never leave.
var nonSettings = map[string]bool{
	"id": true, "host": true, "hosts": true, "instances": true, "placement": true,
	"endpoints": true, "extra_containers": true, "timeouts": true, "secret_env": true,
}

// settingsLabel encodes the configuration attributes of a model.
func settingsLabel(ctx context.Context, m serviceModel) (string, error) {
	s := serviceSchema(ctx)
	typ := s.Type().TerraformType(ctx)
	st := tfsdk.State{Schema: s, Raw: tftypes.NewValue(typ, nil)}
	if diags := st.Set(ctx, m); diags.HasError() {
		return "", fmt.Errorf("encoding settings: %v", diags)
	}
	raw, err := tftypes.Transform(st.Raw, func(p *tftypes.AttributePath,
		v tftypes.Value) (tftypes.Value, error) {
		steps := p.Steps()
		if len(steps) != 1 {
			return v, nil
		}
		if name, ok := steps[0].(tftypes.AttributeName); ok && nonSettings[string(name)] {
			return tftypes.NewValue(v.Type(), nil), nil
		}
		return v, nil
	})
	if err != nil {
		return "", err
	}
	dv, err := tfprotov6.NewDynamicValue(typ, raw)
	if err != nil {
		return "", err
	}
	return base64.StdEncoding.EncodeToString(dv.MsgPack), nil
}

// decodeSettingsLabel returns the attributes a settings label holds.
func decodeSettingsLabel(ctx context.Context, label string) (map[string]attr.Value, error) {
	raw, err := base64.StdEncoding.DecodeString(label)
	if err != nil {
		return nil, err
	}
	s := serviceSchema(ctx)
	val, err := (&tfprotov6.DynamicValue{MsgPack: raw}).Unmarshal(s.Type().TerraformType(ctx))
	if err != nil {
		return nil, err
	}
	var attrs map[string]tftypes.Value
	if err := val.As(&attrs); err != nil {
		return nil, err
	}
	out := map[string]attr.Value{}
	for name, a := range s.Attributes {
		if nonSettings[name] {
			continue
		}
		v, ok := attrs[name]
		if !ok {
			continue
		}
		if out[name], err = a.GetType().ValueFromTerraform(ctx, v); err != nil {
			return nil, fmt.Errorf("attribute %s: %w", name, err)
		}
	}
	return out, nil
}

// readImported is the Read right after ImportState: it finds the service's
// containers, restores the attributes from their settings label and adopts
// them as replicas.
func (r *serviceResource) readImported(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	set, d := r.data.resolveHosts(ctx, state.Host, state.Hosts)
	resp.Diagnostics.Append(d...)
	if resp.Diagnostics.HasError() {
		return
	}
	found, engines := r.findImported(ctx, state.Name.ValueString(), set, &resp.Diagnostics)
	settings := chooseSettings(found)
	if resp.Diagnostics.HasError() {
		return
	}
	if settings == "" {
		resp.Diagnostics.AddError("Cannot Import Service", fmt.Sprintf("No container of "+
			"service %q created by dockerfleet, with its settings label, runs on the hosts %v "+
			"of the import ID. Check the name and the hosts; accepted import IDs: %s.",
			state.Name.ValueString(), set.Names(), importIDForms))
		return
	}

	r.restoreSettings(ctx, settings, resp)
	resp.Diagnostics.Append(resp.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.adopt(ctx, &state, set, found, settings, resp)
	state.Host, state.Hosts = fillImportedEngines(state.Host, state.Hosts, engines)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateImported, nil)...)
}

// importedContainer is one container of the service found at import.
type importedContainer struct {
	host string
	c    container.Summary
}

func (r *serviceResource) findImported(ctx context.Context, service string, set hostSet,
	diags *diag.Diagnostics) ([]importedContainer, map[string]string) {
	hosts := r.data.hostClients(set, diags)
	results := dockerhost.FanOut(ctx, hosts, func(ctx context.Context,
		h *dockerhost.Host) (hostObservation, error) {
		return observeHost(ctx, h, service, "")
	})
	var found []importedContainer
	engines := map[string]string{}
	for _, res := range results {
		if res.Err != nil {
			addHostError(diags, "Cannot Import Service", res.Host,
				fmt.Sprintf("Listing the containers of service %q", service),
				"Every host of the import ID must answer.", res.Err)
			continue
		}
		engines[res.Host.Name] = res.Value.engineID
		for _, c := range res.Value.containers {
			found = append(found, importedContainer{host: res.Host.Name, c: c})
		}
	}
	return found, engines
}

// chooseSettings takes the settings of the lowest-numbered replica, so that
// a service caught mid-rollout imports one spec deterministically.
func chooseSettings(found []importedContainer) string {
	best, bestNum := "", -1
	for _, f := range found {
		n, ok := replicaNumber(f.c)
		if !ok || f.c.Labels[labels.Settings] == "" {
			continue
		}
		if bestNum < 0 || n < bestNum {
			best, bestNum = f.c.Labels[labels.Settings], n
		}
	}
	return best
}

// replicaNumber reads n from a replica container named <service>-<n>; other
// containers of the service (quarantined, temporary) are not replicas.
func replicaNumber(c container.Summary) (int, bool) {
	rep := c.Labels[containerspec.LabelReplica]
	if containerName(c) != rep {
		return 0, false
	}
	i := strings.LastIndex(rep, "-")
	n, err := strconv.Atoi(rep[i+1:])
	return n, err == nil && n > 0
}

func (r *serviceResource) restoreSettings(ctx context.Context, settings string,
	resp *resource.ReadResponse) {
	attrs, err := decodeSettingsLabel(ctx, settings)
	if err != nil {
		resp.Diagnostics.AddError("Cannot Import Service", "The settings label of the service's "+
			"containers does not decode; it was changed by hand or written by another version.\n\n"+
			"Error: "+err.Error())
		return
	}
	names := make([]string, 0, len(attrs))
	for n := range attrs {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(n), attrs[n])...)
	}
}

// adopt makes the found replica containers the service's instances, under a
// new digest key, and records which label digests stand for the restored
// settings.
func (r *serviceResource) adopt(ctx context.Context, state *serviceModel, set hostSet,
	found []importedContainer, settings string, resp *resource.ReadResponse) {
	key, err := containerspec.NewKey()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Digest Key", "Error: "+err.Error())
		return
	}
	spec, d := state.spec(ctx)
	resp.Diagnostics.Append(d...)
	digest := containerspec.Digest(spec, key)
	ports := planPorts(state, &spec)

	instances := map[string]instanceModel{}
	adopted := map[string]string{}
	extras := map[string]string{}
	for _, f := range found {
		n, ok := replicaNumber(f.c)
		if !ok {
			extras[f.host+"/"+containerName(f.c)] = f.c.ID
			continue
		}
		inst := instanceModel{
			Host: types.StringValue(f.host), Number: types.Int64Value(int64(n)),
			ContainerID: types.StringValue(f.c.ID), ImageID: types.StringValue(f.c.ImageID),
			Digest: types.StringValue(f.c.Labels[labels.Spec]),
			Ports:  int64List(ports.forReplica(publishedRangePort(spec, f.c))),
			Drift:  types.StringNull(),
		}
		if f.c.State != container.StateRunning {
			inst.Drift = types.StringValue(fmt.Sprintf("%s (%s)", driftStopped, f.c.State))
		}
		if f.c.Labels[labels.Settings] == settings {
			adopted[f.c.Labels[labels.Spec]] = digest
			inst.Digest = types.StringValue(digest)
		}
		instances[containerName(f.c)] = inst
	}

	state.Instances, d = instancesValue(instances)
	resp.Diagnostics.Append(d...)
	state.Placement = importedPlacement(set, instances)
	state.Endpoints = endpointsOf(set, instances)
	state.ExtraContainers = nullableStringMap(extras)
	if len(extras) == 0 {
		state.ExtraContainers = types.MapNull(types.StringType)
	}
	resp.Diagnostics.Append(setDigestKey(ctx, resp.Private, key)...)
	raw, _ := json.Marshal(adopted)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateAdopted, raw)...)
}

// publishedRangePort is the host port a running container binds for the
// spec's ranged port, 0 when it has none.
func publishedRangePort(spec containerspec.Spec, c container.Summary) int {
	n := containerspec.Normalize(spec)
	for _, p := range n.Ports {
		first, last, err := containerspec.ParsePublished(p.Published)
		if err != nil || last <= first {
			continue
		}
		for _, b := range c.Ports {
			if int(b.PrivatePort) == p.Target && b.Type == p.Protocol && b.PublicPort != 0 {
				return int(b.PublicPort)
			}
		}
	}
	return 0
}

func importedPlacement(set hostSet, instances map[string]instanceModel) types.Map {
	counts := map[string]int{}
	for _, h := range set.Hosts {
		counts[h.Name] = 0
	}
	for _, inst := range instances {
		counts[inst.Host.ValueString()]++
	}
	return placementValue(counts)
}

// adoptedDigests reads the label digests that stand for another digest.
func adoptedDigests(ctx context.Context, p privateGetter) map[string]string {
	raw, _ := p.GetKey(ctx, privateAdopted)
	out := map[string]string{}
	if len(raw) > 0 {
		_ = json.Unmarshal(raw, &out)
	}
	return out
}
