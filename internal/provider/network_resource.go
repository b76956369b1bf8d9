package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/boolplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/ipam"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

var (
	_ resource.Resource                     = (*networkResource)(nil)
	_ resource.ResourceWithConfigure        = (*networkResource)(nil)
	_ resource.ResourceWithImportState      = (*networkResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*networkResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*networkResource)(nil)
	_ resource.ResourceWithConfigValidators = (*networkResource)(nil)
)

// networkNamePattern keeps network names usable in Docker API paths and name
// filters: an empty name or one with a slash reaches another endpoint or
// matches other networks.
var networkNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// NewNetworkResource is the factory of dockerfleet_network.
func NewNetworkResource() resource.Resource { return &networkResource{} }

type networkResource struct {
	data *providerData
}

func (r *networkResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_network"
}

func (r *networkResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "One Docker network, created with the same name and settings on each of its " +
			"hosts. On many hosts it is one separate network per host, not one network spanning " +
			"them: with `bridge`, containers on different hosts cannot reach each other through " +
			"it; reach a replica on another host at its published endpoint. " +
			"Docker cannot change a network's settings or labels in place, so only the " +
			"set of hosts is updated in place: adding a host creates the network there, removing " +
			"one removes it there. Any other change replaces the network on every host. " +
			"Destroying a network that containers still use fails with an error naming the host " +
			"and the containers, unless they all belong to dockerfleet services (being destroyed " +
			"in the same run); those are waited for, up to one minute.\n\n" +
			"The network carries the labels `dockerfleet.managed`, `dockerfleet.resource`, " +
			"`dockerfleet.name`, `dockerfleet.spec` (a digest of the settings) and " +
			"`dockerfleet.settings`. Refresh treats a network of the same name without them, or " +
			"with other settings, as missing on that host, and apply refuses to touch it.\n\n" +
			"Import ID: " + importIDForms + ". Only networks created by dockerfleet can be " +
			"imported, because their labels hold the settings as configured.",
		Attributes: networkAttributes(),
	}
}

func networkAttributes() map[string]schema.Attribute {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:    true,
			Description: "The network name.",
		},
		"name": schema.StringAttribute{
			Required: true,
			Description: "Name of the network on every host: letters, digits, `_`, `.` and `-`, " +
				"starting with a letter or digit. Changing it replaces the network.",
			PlanModifiers: replace,
			Validators: []validator.String{stringvalidator.RegexMatches(networkNamePattern,
				"must start with a letter or digit and hold only letters, digits, _, . and -")},
		},
		"host":  hostAttribute("the network"),
		"hosts": hostsAttribute("the network"),
		"driver": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString("bridge"),
			Description: "Network driver, such as `bridge`, `macvlan` or `ipvlan`. Default " +
				"`bridge`. A driver the daemon does not know fails at apply, naming the host. " +
				"Changing it replaces the network.",
			PlanModifiers: replace,
		},
		"driver_options": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Driver-specific options. Options the daemon adds on its own are " +
				"ignored. Changing them replaces the network.",
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"internal": networkFlag("Restrict external access to the network."),
		"attachable": networkFlag("Let containers started by hand attach to the network " +
			"(meaningful for swarm-scoped drivers)."),
		"ipv6": networkFlag("Enable IPv6. Required for IPv6 subnets in `ipam`; without an IPv6 " +
			"subnet the daemon needs a default IPv6 address pool."),
		"labels": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Labels of the network. Keys starting with `dockerfleet.` are reserved. " +
				"Docker cannot relabel a network, so changing them replaces it.",
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"ipam": schema.SingleNestedAttribute{
			Optional: true,
			Description: "IP address management. Without it the daemon picks a subnet on each host " +
				"(see `per_host`). Subnets are compared by meaning: their order and the spelling " +
				"of addresses (IPv6 compression, case) never cause a change. Any real change " +
				"replaces the network.",
			Attributes: map[string]schema.Attribute{
				"driver": schema.StringAttribute{
					Optional:    true,
					Computed:    true,
					Default:     stringdefault.StaticString("default"),
					Description: "IPAM driver. Default `default`.",
				},
				"configs": schema.SetNestedAttribute{
					Optional:    true,
					Description: "Address pools, IPv4 and IPv6 together if wanted.",
					NestedObject: schema.NestedAttributeObject{
						Attributes: ipamConfigAttributes(),
					},
				},
			},
			PlanModifiers: []planmodifier.Object{ipamEquivalence{}},
		},
		"per_host": schema.MapNestedAttribute{
			Computed: true,
			Description: "What each host's daemon reports, keyed by host name. A host whose " +
				"network is missing, was changed by hand or whose engine was rebuilt has no " +
				"entry after refresh, and the plan creates the network there.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"id":    schema.StringAttribute{Computed: true, Description: "Network ID on the host."},
				"scope": schema.StringAttribute{Computed: true, Description: "Network scope, such as `local`."},
				"subnets": schema.ListAttribute{
					Computed:    true,
					ElementType: types.StringType,
					Description: "Subnets the daemon assigned, in its own order and spelling.",
				},
				"engine_id": schema.StringAttribute{
					Computed:    true,
					Description: "Engine the network was created on.",
				},
			}},
		},
	}
}

func networkFlag(desc string) schema.BoolAttribute {
	return schema.BoolAttribute{
		Optional:      true,
		Computed:      true,
		Default:       booldefault.StaticBool(false),
		Description:   desc + " Default `false`. Changing it replaces the network.",
		PlanModifiers: []planmodifier.Bool{boolplanmodifier.RequiresReplace()},
	}
}

func ipamConfigAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"subnet": schema.StringAttribute{
			Required:    true,
			Description: "Subnet in CIDR form, such as `10.10.0.0/24` or `fd00:10::/64`.",
		},
		"ip_range": schema.StringAttribute{
			Optional:    true,
			Description: "Range within the subnet that containers get addresses from, in CIDR form.",
		},
		"gateway": schema.StringAttribute{
			Optional:    true,
			Description: "Gateway address within the subnet. Without it the daemon picks one.",
		},
		"aux_addresses": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Addresses within the subnet that the daemon must not hand out, by name.",
		},
	}
}

func (r *networkResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return hostConfigValidators()
}

func (r *networkResource) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.data = req.ProviderData.(*providerData)
	}
}

func (r *networkResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.crud().create(ctx, req, resp)
}

func (r *networkResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.crud().read(ctx, req, resp)
}

// adoptImported fills the settings of an imported network from the settings
// label of the network found, and the engine IDs of the host references.
func (r *networkResource) adoptImported(ctx context.Context, state *networkResourceModel,
	found, engines map[string]string, diags *diag.Diagnostics) {
	var s networkSettings
	if err := decodeSettings(found, labels.KindNetwork, state.Name.ValueString(), &s); err != nil {
		diags.AddError("Cannot Import Network", err.Error())
		return
	}
	state.setSettings(s)
	state.Host, state.Hosts = fillImportedEngines(state.Host, state.Hosts, engines)
}

func (r *networkResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.crud().update(ctx, req, resp)
}

// dropHosts removes the network from the hosts taken out of its set.
func (r *networkResource) dropHosts(ctx context.Context, ops perHostOps[network.Summary],
	_ *networkResourceModel, dropped []fleetHost, diags *diag.Diagnostics) map[string]bool {
	return ops.removeFrom(ctx, r.data, dropped, diags)
}

func (r *networkResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.crud().delete(ctx, req, resp)
}

func (r *networkResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", capitalize(err.Error())+".")
		return
	}
	setImportedHosts(ctx, id, resp)
}

func (r *networkResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	r.crud().modifyPlan(ctx, req, resp)
}

func (r *networkResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse) {
	var cfg networkResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	reservedLabels(ctx, &resp.Diagnostics, path.Root("labels"), cfg.Labels)
	if cfg.IPAM.IsNull() || cfg.IPAM.IsUnknown() {
		return
	}
	var m ipamModel
	resp.Diagnostics.Append(cfg.IPAM.As(ctx, &m, objectAsOptions)...)
	if resp.Diagnostics.HasError() || m.Configs.IsNull() || m.Configs.IsUnknown() {
		return
	}
	// An unknown ipv6 flag cannot make an IPv6 subnet wrong yet.
	ipv6 := cfg.IPv6.ValueBool() || cfg.IPv6.IsUnknown()
	for _, elem := range m.Configs.Elements() {
		checkIPAMConfig(ctx, elem, ipv6, &resp.Diagnostics)
	}
}

// checkIPAMConfig reports the invalid values of one IPAM config at their
// paths. Configs holding unknown values are checked once they are known.
func checkIPAMConfig(ctx context.Context, elem attr.Value, ipv6 bool, diags *diag.Diagnostics) {
	obj, ok := elem.(types.Object)
	if !ok || obj.IsUnknown() {
		return
	}
	var c ipamConfigModel
	diags.Append(obj.As(ctx, &c, objectAsOptions)...)
	if c.Subnet.IsUnknown() || c.IPRange.IsUnknown() || c.Gateway.IsUnknown() ||
		c.AuxAddresses.IsUnknown() {
		return
	}
	cfg, ok := c.config(ctx, diags)
	if !ok {
		return
	}

	at := path.Root("ipam").AtName("configs").AtSetValue(elem)
	for _, p := range ipam.Check(cfg, ipv6) {
		where := at.AtName(p.Field)
		if p.Key != "" {
			where = where.AtMapKey(p.Key)
		}
		diags.AddAttributeError(where, "Invalid IPAM Config", capitalize(p.Message)+".")
	}
}

// networkCRUD is the per-host CRUD logic as networks use it.
type networkCRUD = perHostCRUD[networkResourceModel, *networkResourceModel, network.Summary]

// crud binds the shared per-host steps to this resource.
func (r *networkResource) crud() networkCRUD {
	return networkCRUD{data: r.data, ops: r.ops, adopt: r.adoptImported, dropHosts: r.dropHosts}
}

// ops binds the per-host operations to this network's settings.
func (r *networkResource) ops(ctx context.Context, m *networkResourceModel,
	diags *diag.Diagnostics) perHostOps[network.Summary] {
	name := m.Name.ValueString()
	settings := m.settings(ctx, diags)
	objLabels, err := labels.Owned(labels.KindNetwork, name, settings.Labels, settings)
	if err != nil {
		diags.AddError("Cannot Encode Network Settings", err.Error())
	}
	return perHostOps[network.Summary]{
		kind: labels.KindNetwork,
		name: name,
		spec: objLabels[labels.Spec],
		find: func(ctx context.Context, c *client.Client) (network.Summary, map[string]string, bool, error) {
			return findNetwork(ctx, c, name)
		},
		ensure: func(ctx context.Context, h *dockerhost.Host) (network.Summary, error) {
			return ensureNetwork(ctx, h, name, settings, objLabels)
		},
		remove: func(ctx context.Context, h *dockerhost.Host) error {
			return removeNetwork(ctx, h, name)
		},
		entry: networkEntry,
	}
}

// findNetwork lists the networks carrying this resource's ownership labels.
// The list answer holds the IPAM config, so no inspect is needed.
func findNetwork(ctx context.Context, c *client.Client, name string) (network.Summary,
	map[string]string, bool, error) {
	list, err := c.NetworkList(ctx, network.ListOptions{Filters: labels.OwnerFilter(labels.KindNetwork, name)})
	if err != nil {
		return network.Summary{}, nil, false, err
	}
	for _, n := range list {
		if n.Name == name {
			return n, n.Labels, true, nil
		}
	}
	return network.Summary{}, nil, false, nil
}

// ensureNetwork adopts the network of this name when it is ours with the
// same settings, refuses one that is not, and creates it otherwise.
func ensureNetwork(ctx context.Context, h *dockerhost.Host, name string, s networkSettings,
	objLabels map[string]string) (network.Summary, error) {
	existing, found, err := networkByName(ctx, h, name)
	if err != nil {
		return network.Summary{}, err
	}
	if found {
		if labels.Owner(existing.Labels, labels.KindNetwork, name) &&
			existing.Labels[labels.Spec] == objLabels[labels.Spec] {
			return existing, nil
		}
		return network.Summary{}, fmt.Errorf("a network named %q (ID %.12s) already exists on the "+
			"host and was not created by this resource with these settings; remove it by hand "+
			"or choose another name", name, existing.ID)
	}

	var created network.Inspect
	err = h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		resp, err := c.NetworkCreate(ctx, name, s.createOptions(objLabels))
		if err != nil {
			return err
		}
		// The create answer holds only the ID; the assigned subnets come
		// from an inspect of the new network.
		created, err = c.NetworkInspect(ctx, resp.ID, network.InspectOptions{})
		return err
	})
	return created, err
}

func networkByName(ctx context.Context, h *dockerhost.Host, name string) (network.Summary, bool, error) {
	var matches []network.Summary
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		// The name filter matches substrings, so the exact name is picked here.
		list, err := c.NetworkList(ctx, network.ListOptions{Filters: filters.NewArgs(
			filters.Arg("name", name))})
		matches = matches[:0]
		for _, n := range list {
			if n.Name == name {
				matches = append(matches, n)
			}
		}
		return err
	})
	switch {
	case err != nil || len(matches) == 0:
		return network.Summary{}, false, err
	case len(matches) > 1:
		// Docker lets several networks share a name; containers cannot then
		// name any of them, so adopting one would not help.
		ids := make([]string, len(matches))
		for i, n := range matches {
			ids[i] = fmt.Sprintf("%.12s", n.ID)
		}
		return network.Summary{}, false, fmt.Errorf("%d networks named %q exist on the host "+
			"(IDs %s); remove all but one by hand", len(matches), name, strings.Join(ids, ", "))
	}
	return matches[0], true, nil
}

// removeNetwork removes this resource's network from the host once no
// container uses it. A network that is gone, or not ours, is left alone.
func removeNetwork(ctx context.Context, h *dockerhost.Host, name string) error {
	var ours network.Summary
	found := false
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		ours, _, found, err = findNetwork(ctx, c, name)
		return err
	})
	if err != nil || !found {
		return err
	}

	what := fmt.Sprintf("network %q", name)
	if err := waitUnused(ctx, h, what, filters.NewArgs(filters.Arg("network", ours.ID))); err != nil {
		return err
	}
	return h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		err := c.NetworkRemove(ctx, ours.ID)
		if dockerhost.IsNotFound(err) {
			return nil
		}
		return err
	})
}

var networkHostType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"id":        types.StringType,
	"scope":     types.StringType,
	"subnets":   types.ListType{ElemType: types.StringType},
	"engine_id": types.StringType,
}}

func networkEntry(n network.Summary, engineID string) types.Object {
	subnets := make([]attr.Value, 0, len(n.IPAM.Config))
	for _, c := range n.IPAM.Config {
		subnets = append(subnets, types.StringValue(c.Subnet))
	}
	return types.ObjectValueMust(networkHostType.AttrTypes, map[string]attr.Value{
		"id":        types.StringValue(n.ID),
		"scope":     types.StringValue(n.Scope),
		"subnets":   types.ListValueMust(types.StringType, subnets),
		"engine_id": types.StringValue(engineID),
	})
}

// networkSettings are the desired settings of a network: what its spec
// digest covers and what its settings label holds. IPAM configs are in
// canonical form.
type networkSettings struct {
	Driver        string            `json:"driver"`
	DriverOptions map[string]string `json:"driver_options"`
	Internal      bool              `json:"internal"`
	Attachable    bool              `json:"attachable"`
	IPv6          bool              `json:"ipv6"`
	Labels        map[string]string `json:"labels"`
	IPAM          *ipamSettings     `json:"ipam"`
}

type ipamSettings struct {
	Driver  string        `json:"driver"`
	Configs []ipam.Config `json:"configs"`
}

func (s networkSettings) createOptions(objLabels map[string]string) network.CreateOptions {
	ipv6 := s.IPv6
	opts := network.CreateOptions{
		Driver:     s.Driver,
		Options:    s.DriverOptions,
		Internal:   s.Internal,
		Attachable: s.Attachable,
		EnableIPv6: &ipv6,
		Labels:     objLabels,
	}
	if s.IPAM != nil {
		opts.IPAM = &network.IPAM{Driver: s.IPAM.Driver}
		for _, c := range s.IPAM.Configs {
			opts.IPAM.Config = append(opts.IPAM.Config, network.IPAMConfig{
				Subnet: c.Subnet, IPRange: c.IPRange, Gateway: c.Gateway, AuxAddress: c.AuxAddresses,
			})
		}
	}
	return opts
}

// networkResourceModel is the state of dockerfleet_network.
type networkResourceModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Host          types.Object `tfsdk:"host"`
	Hosts         types.Map    `tfsdk:"hosts"`
	Driver        types.String `tfsdk:"driver"`
	DriverOptions types.Map    `tfsdk:"driver_options"`
	Internal      types.Bool   `tfsdk:"internal"`
	Attachable    types.Bool   `tfsdk:"attachable"`
	IPv6          types.Bool   `tfsdk:"ipv6"`
	Labels        types.Map    `tfsdk:"labels"`
	IPAM          types.Object `tfsdk:"ipam"`
	PerHost       types.Map    `tfsdk:"per_host"`
}

func (m *networkResourceModel) nameAndID() (name, id *types.String) { return &m.Name, &m.ID }

func (m *networkResourceModel) hostRefs() (*types.Object, *types.Map) { return &m.Host, &m.Hosts }

func (m *networkResourceModel) perHost() *types.Map { return &m.PerHost }

func (m *networkResourceModel) perHostType() types.ObjectType { return networkHostType }

type ipamModel struct {
	Driver  types.String `tfsdk:"driver"`
	Configs types.Set    `tfsdk:"configs"`
}

type ipamConfigModel struct {
	Subnet       types.String `tfsdk:"subnet"`
	IPRange      types.String `tfsdk:"ip_range"`
	Gateway      types.String `tfsdk:"gateway"`
	AuxAddresses types.Map    `tfsdk:"aux_addresses"`
}

var ipamConfigType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"subnet":        types.StringType,
	"ip_range":      types.StringType,
	"gateway":       types.StringType,
	"aux_addresses": types.MapType{ElemType: types.StringType},
}}

var ipamType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"driver":  types.StringType,
	"configs": types.SetType{ElemType: ipamConfigType},
}}

func (m networkResourceModel) settings(ctx context.Context, diags *diag.Diagnostics) networkSettings {
	s := networkSettings{
		Driver:        m.Driver.ValueString(),
		DriverOptions: goStringMap(ctx, m.DriverOptions, diags),
		Internal:      m.Internal.ValueBool(),
		Attachable:    m.Attachable.ValueBool(),
		IPv6:          m.IPv6.ValueBool(),
		Labels:        goStringMap(ctx, m.Labels, diags),
	}
	s.IPAM = ipamFromObject(ctx, m.IPAM, diags)
	return s
}

// ipamFromObject reads an ipam attribute into canonical settings; nil when
// it is null.
func ipamFromObject(ctx context.Context, obj types.Object, diags *diag.Diagnostics) *ipamSettings {
	if obj.IsNull() || obj.IsUnknown() {
		return nil
	}
	var m ipamModel
	diags.Append(obj.As(ctx, &m, objectAsOptions)...)
	out := &ipamSettings{Driver: m.Driver.ValueString()}
	if m.Configs.IsNull() || m.Configs.IsUnknown() {
		return out
	}
	var configs []ipamConfigModel
	diags.Append(m.Configs.ElementsAs(ctx, &configs, false)...)
	for _, c := range configs {
		if cfg, ok := c.config(ctx, diags); ok {
			out.Configs = append(out.Configs, cfg)
		}
	}
	out.Configs = ipam.Canonical(out.Configs)
	return out
}

func (c ipamConfigModel) config(ctx context.Context, diags *diag.Diagnostics) (ipam.Config, bool) {
	aux := goStringMap(ctx, c.AuxAddresses, diags)
	return ipam.Config{
		Subnet:       c.Subnet.ValueString(),
		IPRange:      c.IPRange.ValueString(),
		Gateway:      c.Gateway.ValueString(),
		AuxAddresses: aux,
	}, !diags.HasError()
}

// setSettings writes settings recovered from a settings label (at import).
func (m *networkResourceModel) setSettings(s networkSettings) {
	m.Driver = types.StringValue(s.Driver)
	m.DriverOptions = nullableStringMap(s.DriverOptions)
	m.Internal = types.BoolValue(s.Internal)
	m.Attachable = types.BoolValue(s.Attachable)
	m.IPv6 = types.BoolValue(s.IPv6)
	m.Labels = nullableStringMap(s.Labels)
	m.IPAM = types.ObjectNull(ipamType.AttrTypes)
	if s.IPAM == nil {
		return
	}

	configs := types.SetNull(ipamConfigType)
	if s.IPAM.Configs != nil {
		elems := make([]attr.Value, 0, len(s.IPAM.Configs))
		for _, c := range s.IPAM.Configs {
			elems = append(elems, types.ObjectValueMust(ipamConfigType.AttrTypes, map[string]attr.Value{
				"subnet":        types.StringValue(c.Subnet),
				"ip_range":      optionalString(c.IPRange),
				"gateway":       optionalString(c.Gateway),
				"aux_addresses": nullableStringMap(c.AuxAddresses),
			}))
		}
		configs = types.SetValueMust(ipamConfigType, elems)
	}
	m.IPAM = types.ObjectValueMust(ipamType.AttrTypes, map[string]attr.Value{
		"driver":  types.StringValue(s.IPAM.Driver),
		"configs": configs,
	})
}

// ipamEquivalence keeps the ipam settings of the state when the
// configuration means the same pools written another way (order, IPv6
// compression, case), and asks for replacement on any real change: Docker
// cannot change the IPAM of an existing network.
type ipamEquivalence struct{}

var _ planmodifier.Object = ipamEquivalence{}

func (ipamEquivalence) Description(context.Context) string {
	return "Keeps equivalent IPAM settings; replaces the network when they really change."
}

func (m ipamEquivalence) MarkdownDescription(ctx context.Context) string { return m.Description(ctx) }

func (ipamEquivalence) PlanModifyObject(ctx context.Context, req planmodifier.ObjectRequest,
	resp *planmodifier.ObjectResponse) {
	if req.State.Raw.IsNull() || req.Plan.Raw.IsNull() || req.StateValue.Equal(req.PlanValue) {
		return
	}
	if req.StateValue.IsNull() || req.PlanValue.IsNull() || !fullyKnown(ctx, req.PlanValue) {
		resp.RequiresReplace = true
		return
	}

	var diags diag.Diagnostics
	was := ipamFromObject(ctx, req.StateValue, &diags)
	will := ipamFromObject(ctx, req.PlanValue, &diags)
	if !diags.HasError() && was.Driver == will.Driver && ipam.Equal(was.Configs, will.Configs) &&
		(was.Configs == nil) == (will.Configs == nil) {
		resp.PlanValue = req.StateValue
		return
	}
	resp.RequiresReplace = true
}

func fullyKnown(ctx context.Context, v attr.Value) bool {
	tv, err := v.ToTerraformValue(ctx)
	return err == nil && tv.IsFullyKnown()
}
