package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

var (
	_ datasource.DataSource              = (*hostDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*hostDataSource)(nil)
)

// NewHostDataSource is the factory of the dockerfleet_host data source.
func NewHostDataSource() datasource.DataSource { return &hostDataSource{} }

type hostDataSource struct {
	data *providerData
}

func (d *hostDataSource) Metadata(_ context.Context, req datasource.MetadataRequest,
	resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
}

func (d *hostDataSource) Schema(_ context.Context, _ datasource.SchemaRequest,
	resp *datasource.SchemaResponse) {
	computed := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: desc}
	}
	resp.Schema = schema.Schema{
		Description: "Engine facts of a Docker endpoint that this configuration does not manage.",
		Attributes: map[string]schema.Attribute{
			"endpoint": schema.StringAttribute{
				Required:    true,
				Description: "Docker endpoint: " + dockerhost.AcceptedEndpointForms + ".",
				Validators:  []validator.String{endpointValidator{}},
			},
			"auth": schema.StringAttribute{
				Optional:    true,
				Description: "Name of an auth profile of the provider block used to reach the endpoint.",
			},
			"engine_id":      computed("Engine ID reported by the daemon."),
			"hostname":       computed("Host name the daemon reports for its machine."),
			"server_version": computed("Docker Engine version."),
			"api_version":    computed("Docker API version negotiated with the daemon."),
			"os":             computed("Operating system type of the engine."),
			"architecture":   computed("Hardware architecture of the engine."),
			"cpus":           schema.Int64Attribute{Computed: true, Description: "Number of CPUs."},
			"memory_bytes":   schema.Int64Attribute{Computed: true, Description: "Total memory in bytes."},
		},
	}
}

func (d *hostDataSource) Configure(_ context.Context, req datasource.ConfigureRequest,
	resp *datasource.ConfigureResponse) {
	if req.ProviderData != nil {
		d.data = req.ProviderData.(*providerData)
	}
}

func (d *hostDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var cfg hostDataModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	d.data.checkAuth(&resp.Diagnostics, path.Root("auth"), cfg.Auth.ValueString(),
		cfg.Endpoint.ValueString())
	if resp.Diagnostics.HasError() {
		return
	}
	h, err := d.data.pool.Host(dockerhost.Target{
		Name: cfg.Endpoint.ValueString(), Endpoint: cfg.Endpoint.ValueString(), Auth: cfg.Auth.ValueString(),
	})
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Cannot Reach Host", capitalize(err.Error())+".")
		return
	}

	f, err := h.Facts(ctx)
	if err != nil {
		addHostError(&resp.Diagnostics, "Cannot Read Host", h, "Reading the engine facts",
			"Check that the daemon runs, that the endpoint is right and that the auth profile fits it.", err)
		return
	}

	cfg.EngineID = types.StringValue(f.EngineID)
	cfg.Hostname = types.StringValue(f.Name)
	cfg.ServerVersion = types.StringValue(f.ServerVersion)
	cfg.APIVersion = types.StringValue(f.APIVersion)
	cfg.OS = types.StringValue(f.OS)
	cfg.Architecture = types.StringValue(f.Architecture)
	cfg.CPUs = types.Int64Value(f.CPUs)
	cfg.MemoryBytes = types.Int64Value(f.MemoryBytes)
	resp.Diagnostics.Append(resp.State.Set(ctx, cfg)...)
}

type hostDataModel struct {
	Endpoint      types.String `tfsdk:"endpoint"`
	Auth          types.String `tfsdk:"auth"`
	EngineID      types.String `tfsdk:"engine_id"`
	Hostname      types.String `tfsdk:"hostname"`
	ServerVersion types.String `tfsdk:"server_version"`
	APIVersion    types.String `tfsdk:"api_version"`
	OS            types.String `tfsdk:"os"`
	Architecture  types.String `tfsdk:"architecture"`
	CPUs          types.Int64  `tfsdk:"cpus"`
	MemoryBytes   types.Int64  `tfsdk:"memory_bytes"`
}
