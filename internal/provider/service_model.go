package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
)

// serviceModel is the state of dockerfleet_service.
type serviceModel struct {
	ID              types.String   `tfsdk:"id"`
	Host            types.Object   `tfsdk:"host"`
	Hosts           types.Map      `tfsdk:"hosts"`
	HostSelector    types.Map      `tfsdk:"host_selector"`
	Name            types.String   `tfsdk:"name"`
	Replicas        types.Int64    `tfsdk:"replicas"`
	Mode            types.String   `tfsdk:"mode"`
	SpreadBy        types.String   `tfsdk:"spread_by"`
	MaxPerHost      types.Int64    `tfsdk:"max_per_host"`
	Image           types.String   `tfsdk:"image"`
	Pull            types.String   `tfsdk:"pull"`
	Command         types.List     `tfsdk:"command"`
	Entrypoint      types.List     `tfsdk:"entrypoint"`
	Env             types.Map      `tfsdk:"env"`
	SecretEnv       types.Map      `tfsdk:"secret_env"`
	Labels          types.Map      `tfsdk:"labels"`
	User            types.String   `tfsdk:"user"`
	WorkingDir      types.String   `tfsdk:"working_dir"`
	Hostname        types.String   `tfsdk:"hostname"`
	Ports           types.List     `tfsdk:"ports"`
	Networks        types.List     `tfsdk:"networks"`
	Mounts          types.List     `tfsdk:"mounts"`
	Restart         types.Object   `tfsdk:"restart"`
	Healthcheck     types.Object   `tfsdk:"healthcheck"`
	Resources       types.Object   `tfsdk:"resources"`
	StopSignal      types.String   `tfsdk:"stop_signal"`
	StopGracePeriod types.String   `tfsdk:"stop_grace_period"`
	LogDriver       types.String   `tfsdk:"log_driver"`
	LogOptions      types.Map      `tfsdk:"log_options"`
	Capabilities    types.Object   `tfsdk:"capabilities"`
	ReadOnly        types.Bool     `tfsdk:"read_only"`
	Privileged      types.Bool     `tfsdk:"privileged"`
	Init            types.Bool     `tfsdk:"init"`
	Tmpfs           types.Map      `tfsdk:"tmpfs"`
	DNS             types.List     `tfsdk:"dns"`
	ExtraHosts      types.List     `tfsdk:"extra_hosts"`
	Sysctls         types.Map      `tfsdk:"sysctls"`
	Ulimits         types.List     `tfsdk:"ulimits"`
	Update          types.Object   `tfsdk:"update"`
	Timeouts        timeouts.Value `tfsdk:"timeouts"`
	Instances       types.Map      `tfsdk:"instances"`
	Placement       types.Map      `tfsdk:"placement"`
	Endpoints       types.List     `tfsdk:"endpoints"`
	ExtraContainers types.Map      `tfsdk:"extra_containers"`
}

type portModel struct {
	Target    types.Int64  `tfsdk:"target"`
	Published types.String `tfsdk:"published"`
	Protocol  types.String `tfsdk:"protocol"`
	HostIP    types.String `tfsdk:"host_ip"`
}

type networkModel struct {
	Name    types.String `tfsdk:"name"`
	Aliases types.List   `tfsdk:"aliases"`
}

type mountModel struct {
	Type     types.String `tfsdk:"type"`
	Source   types.String `tfsdk:"source"`
	Target   types.String `tfsdk:"target"`
	ReadOnly types.Bool   `tfsdk:"read_only"`
}

type restartModel struct {
	Policy     types.String `tfsdk:"policy"`
	MaxRetries types.Int64  `tfsdk:"max_retries"`
}

type healthcheckModel struct {
	Test        types.List   `tfsdk:"test"`
	Interval    types.String `tfsdk:"interval"`
	Timeout     types.String `tfsdk:"timeout"`
	StartPeriod types.String `tfsdk:"start_period"`
	Retries     types.Int64  `tfsdk:"retries"`
	Disabled    types.Bool   `tfsdk:"disabled"`
}

type resourcesModel struct {
	CPUs              types.String `tfsdk:"cpus"`
	Memory            types.String `tfsdk:"memory"`
	MemoryReservation types.String `tfsdk:"memory_reservation"`
}

type capabilitiesModel struct {
	Add  types.List `tfsdk:"add"`
	Drop types.List `tfsdk:"drop"`
}

type ulimitModel struct {
	Name types.String `tfsdk:"name"`
	Soft types.Int64  `tfsdk:"soft"`
	Hard types.Int64  `tfsdk:"hard"`
}

type updateModel struct {
	Parallelism     types.Int64   `tfsdk:"parallelism"`
	Order           types.String  `tfsdk:"order"`
	Delay           types.String  `tfsdk:"delay"`
	Monitor         types.String  `tfsdk:"monitor"`
	HealthTimeout   types.String  `tfsdk:"health_timeout"`
	FailureAction   types.String  `tfsdk:"failure_action"`
	MaxFailureRatio types.Float64 `tfsdk:"max_failure_ratio"`
}

type instanceModel struct {
	Host        types.String `tfsdk:"host"`
	Number      types.Int64  `tfsdk:"number"`
	ContainerID types.String `tfsdk:"container_id"`
	ImageID     types.String `tfsdk:"image_id"`
	Digest      types.String `tfsdk:"digest"`
	Ports       types.List   `tfsdk:"ports"`
	Drift       types.String `tfsdk:"drift"`
}

// specAttributes are the attributes that make up the container spec; when one
// of them is unknown at plan time, so is the digest.
func (m serviceModel) specKnown() bool {
	for _, v := range []attr.Value{
		m.Image, m.Command, m.Entrypoint, m.Env, m.SecretEnv, m.Labels, m.User, m.WorkingDir,
		m.Hostname, m.Ports, m.Networks, m.Mounts, m.Restart, m.Healthcheck, m.Resources,
		m.StopSignal, m.StopGracePeriod, m.LogDriver, m.LogOptions, m.Capabilities, m.ReadOnly,
		m.Privileged, m.Init, m.Tmpfs, m.DNS, m.ExtraHosts, m.Sysctls, m.Ulimits,
	} {
		if !allKnown(v) {
			return false
		}
	}
	return true
}

// spec converts the model to a container spec. Call it only when specKnown.
func (m serviceModel) spec(ctx context.Context) (containerspec.Spec, diag.Diagnostics) {
	var diags diag.Diagnostics
	s := containerspec.Spec{
		Image:           m.Image.ValueString(),
		Pull:            m.Pull.ValueString(),
		Command:         stringList(ctx, m.Command, &diags),
		Entrypoint:      stringList(ctx, m.Entrypoint, &diags),
		Env:             stringMapOf(ctx, m.Env, &diags),
		SecretEnv:       stringMapOf(ctx, m.SecretEnv, &diags),
		Labels:          stringMapOf(ctx, m.Labels, &diags),
		User:            m.User.ValueString(),
		WorkingDir:      m.WorkingDir.ValueString(),
		Hostname:        m.Hostname.ValueString(),
		StopSignal:      m.StopSignal.ValueString(),
		StopGracePeriod: m.StopGracePeriod.ValueString(),
		LogDriver:       m.LogDriver.ValueString(),
		LogOptions:      stringMapOf(ctx, m.LogOptions, &diags),
		ReadOnly:        m.ReadOnly.ValueBool(),
		Privileged:      m.Privileged.ValueBool(),
		Init:            m.Init.ValueBool(),
		Tmpfs:           stringMapOf(ctx, m.Tmpfs, &diags),
		DNS:             stringList(ctx, m.DNS, &diags),
		ExtraHosts:      stringList(ctx, m.ExtraHosts, &diags),
		Sysctls:         stringMapOf(ctx, m.Sysctls, &diags),
	}
	m.specLists(ctx, &s, &diags)
	m.specObjects(ctx, &s, &diags)
	return s, diags
}

func (m serviceModel) specLists(ctx context.Context, s *containerspec.Spec, diags *diag.Diagnostics) {
	var ports []portModel
	diags.Append(m.Ports.ElementsAs(ctx, &ports, false)...)
	for _, p := range ports {
		s.Ports = append(s.Ports, containerspec.Port{
			Target: int(p.Target.ValueInt64()), Published: p.Published.ValueString(),
			Protocol: p.Protocol.ValueString(), HostIP: p.HostIP.ValueString(),
		})
	}

	var nets []networkModel
	diags.Append(m.Networks.ElementsAs(ctx, &nets, false)...)
	for _, n := range nets {
		s.Networks = append(s.Networks, containerspec.Network{
			Name: n.Name.ValueString(), Aliases: stringList(ctx, n.Aliases, diags),
		})
	}

	var mounts []mountModel
	diags.Append(m.Mounts.ElementsAs(ctx, &mounts, false)...)
	for _, mt := range mounts {
		s.Mounts = append(s.Mounts, containerspec.Mount{
			Type: mt.Type.ValueString(), Source: mt.Source.ValueString(),
			Target: mt.Target.ValueString(), ReadOnly: mt.ReadOnly.ValueBool(),
		})
	}

	var limits []ulimitModel
	diags.Append(m.Ulimits.ElementsAs(ctx, &limits, false)...)
	for _, u := range limits {
		s.Ulimits = append(s.Ulimits, containerspec.Ulimit{
			Name: u.Name.ValueString(), Soft: u.Soft.ValueInt64(), Hard: u.Hard.ValueInt64(),
		})
	}
}

func (m serviceModel) specObjects(ctx context.Context, s *containerspec.Spec, diags *diag.Diagnostics) {
	if !m.Restart.IsNull() {
		var r restartModel
		diags.Append(m.Restart.As(ctx, &r, objectAsOptions)...)
		s.Restart = containerspec.Restart{
			Policy: r.Policy.ValueString(), MaxRetries: int(r.MaxRetries.ValueInt64()),
		}
	}
	if !m.Healthcheck.IsNull() {
		var h healthcheckModel
		diags.Append(m.Healthcheck.As(ctx, &h, objectAsOptions)...)
		s.Healthcheck = &containerspec.Healthcheck{
			Test: stringList(ctx, h.Test, diags), Interval: h.Interval.ValueString(),
			Timeout: h.Timeout.ValueString(), StartPeriod: h.StartPeriod.ValueString(),
			Retries: int(h.Retries.ValueInt64()), Disabled: h.Disabled.ValueBool(),
		}
	}
	if !m.Resources.IsNull() {
		var r resourcesModel
		diags.Append(m.Resources.As(ctx, &r, objectAsOptions)...)
		s.Resources = containerspec.Resources{
			CPUs: r.CPUs.ValueString(), Memory: r.Memory.ValueString(),
			MemoryReservation: r.MemoryReservation.ValueString(),
		}
	}
	if !m.Capabilities.IsNull() {
		var c capabilitiesModel
		diags.Append(m.Capabilities.As(ctx, &c, objectAsOptions)...)
		s.CapAdd = stringList(ctx, c.Add, diags)
		s.CapDrop = stringList(ctx, c.Drop, diags)
	}
}

func (m serviceModel) update(ctx context.Context) (updateModel, diag.Diagnostics) {
	var u updateModel
	obj := m.Update
	if obj.IsNull() || obj.IsUnknown() {
		obj = defaultUpdateObject()
	}
	diags := obj.As(ctx, &u, objectAsOptions)
	return u, diags
}

// instances reads the instances map; a null or unknown map is empty.
func (m serviceModel) instances(ctx context.Context) (map[string]instanceModel, diag.Diagnostics) {
	out := map[string]instanceModel{}
	if m.Instances.IsNull() || m.Instances.IsUnknown() {
		return out, nil
	}
	diags := m.Instances.ElementsAs(ctx, &out, false)
	return out, diags
}

func (m serviceModel) extraContainers(ctx context.Context) map[string]string {
	var diags diag.Diagnostics
	return stringMapOf(ctx, m.ExtraContainers, &diags)
}

func instancesValue(in map[string]instanceModel) (types.Map, diag.Diagnostics) {
	elemType := types.ObjectType{AttrTypes: instanceAttrTypes()}
	return types.MapValueFrom(context.Background(), elemType, in)
}

func stringList(ctx context.Context, l types.List, diags *diag.Diagnostics) []string {
	if l.IsNull() || l.IsUnknown() {
		return nil
	}
	var out []string
	diags.Append(l.ElementsAs(ctx, &out, false)...)
	return out
}

func stringMapOf(ctx context.Context, m types.Map, diags *diag.Diagnostics) map[string]string {
	if m.IsNull() || m.IsUnknown() {
		return nil
	}
	out := map[string]string{}
	diags.Append(m.ElementsAs(ctx, &out, false)...)
	return out
}

func int64List(values []int) types.List {
	elems := make([]attr.Value, len(values))
	for i, v := range values {
		elems[i] = types.Int64Value(int64(v))
	}
	return types.ListValueMust(types.Int64Type, elems)
}

// specErrorPath turns a containerspec error path into a Terraform path.
func specErrorPath(p containerspec.Path) path.Path {
	at := path.Root(p.Attr)
	if p.Index >= 0 {
		at = at.AtListIndex(p.Index)
	}
	if p.Key != "" {
		at = at.AtMapKey(p.Key)
	}
	if p.Field != "" {
		at = at.AtName(p.Field)
	}
	return at
}

// allKnown says whether a value holds no unknown anywhere inside it.
func allKnown(v attr.Value) bool {
	tv, err := v.ToTerraformValue(context.Background())
	return err == nil && tv.IsFullyKnown()
}
