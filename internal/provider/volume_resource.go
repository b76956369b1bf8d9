package provider

import (
	"context"
	"fmt"
	"regexp"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/client"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/booldefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/mapplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

var (
	_ resource.Resource                     = (*volumeResource)(nil)
	_ resource.ResourceWithConfigure        = (*volumeResource)(nil)
	_ resource.ResourceWithImportState      = (*volumeResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*volumeResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*volumeResource)(nil)
	_ resource.ResourceWithConfigValidators = (*volumeResource)(nil)
)

// volumeNamePattern is the rule Docker's local driver applies to volume
// names; checking it here fails the plan instead of the apply on each host.
var volumeNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]+$`)

// NewVolumeResource is the factory of dockerfleet_volume.
func NewVolumeResource() resource.Resource { return &volumeResource{} }

type volumeResource struct {
	data *providerData
}

func (r *volumeResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_volume"
}

func (r *volumeResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "One named Docker volume on each of its hosts. A volume's data is never " +
			"removed as a side effect of another change.\n\n" +
			"Docker cannot change a volume's driver, options or labels, and replacing a " +
			"volume deletes its data. A change of `name`, `driver`, `driver_options` or `labels` " +
			"is therefore refused at plan time unless `allow_data_loss = true`; then the plan " +
			"shows the replacement.\n\n" +
			"Removing a host from `hosts` forgets the volume on that host and leaves it in " +
			"place (a warning says so); adding the host back adopts it. With " +
			"`allow_data_loss = true` the volume is removed from that host instead.\n\n" +
			"Destroying the resource removes the volume from every host, but never one that a " +
			"container still uses: the error names the host and the containers. Containers of " +
			"dockerfleet services being destroyed in the same run are waited for, up to one " +
			"minute.\n\n" +
			"The volume carries the labels `dockerfleet.managed`, `dockerfleet.resource`, " +
			"`dockerfleet.name`, `dockerfleet.spec` and `dockerfleet.settings`; a volume of the " +
			"same name without them is never adopted or removed.\n\n" +
			"Import ID: " + importIDForms + ". Only volumes created by dockerfleet can be " +
			"imported, because their labels hold the settings as configured.",
		Attributes: volumeAttributes(),
	}
}

func volumeAttributes() map[string]schema.Attribute {
	replace := []planmodifier.String{stringplanmodifier.RequiresReplace()}
	return map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:    true,
			Description: "The volume name.",
		},
		"name": schema.StringAttribute{
			Required: true,
			Description: "Name of the volume on every host: at least two letters, digits, `_`, " +
				"`.` and `-`, starting with a letter or digit, as Docker requires. Changing it " +
				"replaces the volume, which needs `allow_data_loss`.",
			PlanModifiers: replace,
			Validators: []validator.String{stringvalidator.RegexMatches(volumeNamePattern,
				"must be at least two characters, start with a letter or digit and hold only "+
					"letters, digits, _, . and -")},
		},
		"host":  hostAttribute("the volume"),
		"hosts": hostsAttribute("the volume"),
		"driver": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString("local"),
			Description: "Volume driver. Default `local`. A driver the daemon does not know fails " +
				"at apply, naming the host. Changing it replaces the volume, which needs " +
				"`allow_data_loss`.",
			PlanModifiers: replace,
		},
		"driver_options": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Driver-specific options, such as `type`, `device` and `o` of the local " +
				"driver. Changing them replaces the volume, which needs `allow_data_loss`.",
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"labels": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Labels of the volume. Keys starting with `dockerfleet.` are reserved. " +
				"Docker cannot relabel a volume, so changing them replaces it, which needs " +
				"`allow_data_loss`.",
			PlanModifiers: []planmodifier.Map{mapplanmodifier.RequiresReplace()},
		},
		"allow_data_loss": schema.BoolAttribute{
			Optional: true,
			Computed: true,
			Default:  booldefault.StaticBool(false),
			Description: "Let changes that replace the volume, and the removal of a host from " +
				"`hosts`, delete the volume and its data. Default `false`. It changes nothing " +
				"on the hosts, so it is updated in place.",
		},
		"per_host": schema.MapNestedAttribute{
			Computed: true,
			Description: "What each host's daemon reports, keyed by host name. A host whose " +
				"volume is missing or whose engine was rebuilt has no entry after refresh, and " +
				"the plan creates the volume there.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"mountpoint": schema.StringAttribute{Computed: true,
					Description: "Where the volume's data lives on the host."},
				"created_at": schema.StringAttribute{Computed: true,
					Description: "When the daemon created the volume, as it reports it."},
				"engine_id": schema.StringAttribute{Computed: true,
					Description: "Engine the volume was created on."},
			}},
		},
	}
}

func (r *volumeResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return hostConfigValidators()
}

func (r *volumeResource) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.data = req.ProviderData.(*providerData)
	}
}

// Create saves the hosts that succeed even when others fail; the next apply
// replaces the tainted volume, and the volumes were created in this run, so
// they hold no data yet.
func (r *volumeResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	r.crud().create(ctx, req, resp)
}

func (r *volumeResource) Read(ctx context.Context, req resource.ReadRequest,
	resp *resource.ReadResponse) {
	r.crud().read(ctx, req, resp)
}

// adoptImported fills the settings of an imported volume from the settings
// label of the volume found, and the engine IDs of the host references.
func (r *volumeResource) adoptImported(ctx context.Context, state *volumeResourceModel,
	found, engines map[string]string, diags *diag.Diagnostics) {
	var s volumeSettings
	if err := decodeSettings(found, labels.KindVolume, state.Name.ValueString(), &s); err != nil {
		diags.AddError("Cannot Import Volume", err.Error())
		return
	}
	state.setSettings(s)
	state.AllowDataLoss = types.BoolValue(false)
	state.Host, state.Hosts = fillImportedEngines(state.Host, state.Hosts, engines)
}

func (r *volumeResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	r.crud().update(ctx, req, resp)
}

// dropHosts removes the volume from the hosts taken out of its set only when
// allow_data_loss says so; otherwise the volume and its data stay there.
func (r *volumeResource) dropHosts(ctx context.Context, ops perHostOps[volume.Volume],
	plan *volumeResourceModel, dropped []fleetHost, diags *diag.Diagnostics) map[string]bool {
	if plan.AllowDataLoss.ValueBool() {
		return ops.removeFrom(ctx, r.data, dropped, diags)
	}
	forgetVolume(diags, plan.Name.ValueString(), dropped)
	return map[string]bool{}
}

// forgetVolume warns about the hosts where the volume stays untracked.
func forgetVolume(diags *diag.Diagnostics, name string, hosts []fleetHost) {
	for _, h := range hosts {
		diags.AddWarning("Volume Left On Host",
			fmt.Sprintf("Host %q was removed from the volume's hosts. Volume %q and its data stay "+
				"on that host, no longer managed; adding the host back adopts it. Remove it by "+
				"hand, or set allow_data_loss = true before removing a host, to delete it.",
				h.Name, name))
	}
}

func (r *volumeResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	r.crud().delete(ctx, req, resp)
}

func (r *volumeResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", capitalize(err.Error())+".")
		return
	}
	setImportedHosts(ctx, id, resp)
}

func (r *volumeResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	r.crud().modifyPlan(ctx, req, resp)
}

// refuseDataLoss stops a plan that would replace the volume, deleting its
// data, unless the configuration allows it.
func refuseDataLoss(diags *diag.Diagnostics, plan, state *volumeResourceModel) {
	if plan.AllowDataLoss.ValueBool() || plan.AllowDataLoss.IsUnknown() {
		return
	}
	changes := map[string]bool{
		"name":           !plan.Name.Equal(state.Name),
		"driver":         !plan.Driver.Equal(state.Driver),
		"driver_options": !plan.DriverOptions.Equal(state.DriverOptions),
		"labels":         !plan.Labels.Equal(state.Labels),
	}
	for _, attrName := range []string{"name", "driver", "driver_options", "labels"} {
		if !changes[attrName] {
			continue
		}
		diags.AddAttributeError(path.Root(attrName), "Volume Would Lose Its Data",
			fmt.Sprintf("Docker cannot change the %s of existing volume %q, so this change would "+
				"replace the volume and delete its data on every host. Revert the change, or set "+
				"allow_data_loss = true to replace it on purpose.", attrName, state.Name.ValueString()))
	}
}

func (r *volumeResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse) {
	var cfg volumeResourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}
	reservedLabels(ctx, &resp.Diagnostics, path.Root("labels"), cfg.Labels)
}

// volumeCRUD is the per-host CRUD logic as volumes use it.
type volumeCRUD = perHostCRUD[volumeResourceModel, *volumeResourceModel, volume.Volume]

// crud binds the shared per-host steps to this resource; refuseDataLoss
// checks every planned update.
func (r *volumeResource) crud() volumeCRUD {
	return volumeCRUD{data: r.data, ops: r.ops, adopt: r.adoptImported, dropHosts: r.dropHosts,
		checkUpdate: refuseDataLoss}
}

// ops binds the per-host operations to this volume's settings.
func (r *volumeResource) ops(ctx context.Context, m *volumeResourceModel,
	diags *diag.Diagnostics) perHostOps[volume.Volume] {
	name := m.Name.ValueString()
	settings := volumeSettings{
		Driver:        m.Driver.ValueString(),
		DriverOptions: goStringMap(ctx, m.DriverOptions, diags),
		Labels:        goStringMap(ctx, m.Labels, diags),
	}
	objLabels, err := labels.Owned(labels.KindVolume, name, settings.Labels, settings)
	if err != nil {
		diags.AddError("Cannot Encode Volume Settings", err.Error())
	}
	return perHostOps[volume.Volume]{
		kind: labels.KindVolume,
		name: name,
		spec: objLabels[labels.Spec],
		find: func(ctx context.Context, c *client.Client) (volume.Volume, map[string]string, bool, error) {
			return findVolume(ctx, c, name)
		},
		ensure: func(ctx context.Context, h *dockerhost.Host) (volume.Volume, error) {
			return ensureVolume(ctx, h, name, settings, objLabels)
		},
		remove: func(ctx context.Context, h *dockerhost.Host) error {
			return removeVolume(ctx, h, name)
		},
		entry: volumeEntry,
	}
}

// findVolume lists the volumes carrying this resource's ownership labels.
func findVolume(ctx context.Context, c *client.Client, name string) (volume.Volume,
	map[string]string, bool, error) {
	list, err := c.VolumeList(ctx, volume.ListOptions{Filters: labels.OwnerFilter(labels.KindVolume, name)})
	if err != nil {
		return volume.Volume{}, nil, false, err
	}
	for _, v := range list.Volumes {
		if v != nil && v.Name == name {
			return *v, v.Labels, true, nil
		}
	}
	return volume.Volume{}, nil, false, nil
}

// ensureVolume adopts the volume of this name when it is ours with the same
// settings, refuses one that is not, and creates it otherwise.
func ensureVolume(ctx context.Context, h *dockerhost.Host, name string, s volumeSettings,
	objLabels map[string]string) (volume.Volume, error) {
	var existing volume.Volume
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		existing, err = c.VolumeInspect(ctx, name)
		return err
	})
	switch {
	case err == nil && labels.Owner(existing.Labels, labels.KindVolume, name) &&
		existing.Labels[labels.Spec] == objLabels[labels.Spec]:
		return existing, nil
	case err == nil:
		return volume.Volume{}, fmt.Errorf("a volume named %q already exists on the host and was "+
			"not created by this resource with these settings; its data is left alone: remove "+
			"it by hand or choose another name", name)
	case !dockerhost.IsNotFound(err):
		return volume.Volume{}, err
	}

	var created volume.Volume
	err = h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		created, err = c.VolumeCreate(ctx, volume.CreateOptions{
			Name: name, Driver: s.Driver, DriverOpts: s.DriverOptions, Labels: objLabels,
		})
		return err
	})
	return created, err
}

// removeVolume removes this resource's volume from the host once no
// container uses it. A volume that is gone, or not ours, is left alone.
func removeVolume(ctx context.Context, h *dockerhost.Host, name string) error {
	found := false
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		_, _, found, err = findVolume(ctx, c, name)
		return err
	})
	if err != nil || !found {
		return err
	}

	what := fmt.Sprintf("volume %q", name)
	if err := waitUnused(ctx, h, what, filters.NewArgs(filters.Arg("volume", name))); err != nil {
		return err
	}
	return h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		err := c.VolumeRemove(ctx, name, false)
		if dockerhost.IsNotFound(err) {
			return nil
		}
		return err
	})
}

var volumeHostType = types.ObjectType{AttrTypes: map[string]attr.Type{
	"mountpoint": types.StringType,
	"created_at": types.StringType,
	"engine_id":  types.StringType,
}}

func volumeEntry(v volume.Volume, engineID string) types.Object {
	return types.ObjectValueMust(volumeHostType.AttrTypes, map[string]attr.Value{
		"mountpoint": types.StringValue(v.Mountpoint),
		"created_at": types.StringValue(v.CreatedAt),
		"engine_id":  types.StringValue(engineID),
	})
}

// volumeSettings are what the spec digest of a volume covers and what its
// settings label holds.
type volumeSettings struct {
	Driver        string            `json:"driver"`
	DriverOptions map[string]string `json:"driver_options"`
	Labels        map[string]string `json:"labels"`
}

// volumeResourceModel is the state of dockerfleet_volume.
type volumeResourceModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Host          types.Object `tfsdk:"host"`
	Hosts         types.Map    `tfsdk:"hosts"`
	Driver        types.String `tfsdk:"driver"`
	DriverOptions types.Map    `tfsdk:"driver_options"`
	Labels        types.Map    `tfsdk:"labels"`
	AllowDataLoss types.Bool   `tfsdk:"allow_data_loss"`
	PerHost       types.Map    `tfsdk:"per_host"`
}

func (m *volumeResourceModel) nameAndID() (name, id *types.String) { return &m.Name, &m.ID }

func (m *volumeResourceModel) hostRefs() (*types.Object, *types.Map) { return &m.Host, &m.Hosts }

func (m *volumeResourceModel) perHost() *types.Map { return &m.PerHost }

func (m *volumeResourceModel) perHostType() types.ObjectType { return volumeHostType }

func (m *volumeResourceModel) setSettings(s volumeSettings) {
	m.Driver = types.StringValue(s.Driver)
	m.DriverOptions = nullableStringMap(s.DriverOptions)
	m.Labels = nullableStringMap(s.Labels)
}
