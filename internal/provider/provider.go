// Package provider is the Terraform glue of dockerfleet: schemas, CRUD and plan
// modification. The logic that decides what goes where lives in plain packages
// (placement, containerspec, rollout); Docker I/O lives in dockerhost.
package provider

import (
	"context"
	"os"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// Address is the registry address users put in required_providers.
const Address = "registry.terraform.io/dockerfleet/dockerfleet"

// localSocket is the default host when neither default_host nor DOCKER_HOST
// is set.
const localSocket = "unix:///var/run/docker.sock"

// DefaultHostName is the fleet name of the provider's default host: the key of
// per-host maps of resources that name no hosts.
const DefaultHostName = "default"

var _ provider.Provider = (*fleetProvider)(nil)

type fleetProvider struct {
	version string
}

// New returns the provider factory that providerserver serves.
func New(version string) func() provider.Provider {
	return func() provider.Provider {
		return &fleetProvider{version: version}
	}
}

func (p *fleetProvider) Metadata(_ context.Context, _ provider.MetadataRequest,
	resp *provider.MetadataResponse) {
	resp.TypeName = "dockerfleet"
	resp.Version = p.version
}

func (p *fleetProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "Runs Docker across a fleet of plain Docker engines: hosts, networks, " +
			"volumes and replicated services, planned host by host and replica by replica.",
		Attributes: map[string]schema.Attribute{
			"default_host": schema.StringAttribute{
				Optional: true,
				Description: "Endpoint of the host used by resources that name no hosts. " +
					"Defaults to `DOCKER_HOST`, else `" + localSocket + "`. Accepted forms: " +
					dockerhost.AcceptedEndpointForms + ".",
				Validators: []validator.String{endpointValidator{}},
			},
			"default_host_auth": schema.StringAttribute{
				Optional:    true,
				Description: "Name of the auth profile used to reach the default host.",
			},
			"connect_timeout": schema.StringAttribute{
				Optional: true,
				Description: "How long to wait for a connection to a host (TCP, TLS or SSH), " +
					"as a Go duration such as `10s`. Default `10s`.",
				Validators: []validator.String{durationValidator{positive: true}},
			},
			"call_timeout": schema.StringAttribute{
				Optional: true,
				Description: "Deadline of each Docker API call, as a Go duration such as `1m`. " +
					"Default `60s`.",
				Validators: []validator.String{durationValidator{positive: true}},
			},
			"auth": authProfilesAttribute(),
		},
	}
}

func (p *fleetProvider) Configure(ctx context.Context, req provider.ConfigureRequest,
	resp *provider.ConfigureResponse) {
	var cfg providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &cfg)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Configure never contacts a host: clients connect on first use, so that
	// a provider whose hosts do not exist yet still plans.
	profiles, diags := cfg.profiles(ctx)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	// No PEM text of a profile may show in any log line, here or later.
	ctx = maskSecrets(ctx, profiles)

	data := &providerData{
		pool: dockerhost.NewPool(profiles, dockerhost.Options{
			ConnectTimeout: durationOr(cfg.ConnectTimeout, 0),
			CallTimeout:    durationOr(cfg.CallTimeout, 0),
			Warn:           connectionWarnings(profiles),
		}),
		defaultHost: cfg.defaultTarget(ctx),
	}
	resp.ResourceData = data
	resp.DataSourceData = data
}

func (p *fleetProvider) Resources(_ context.Context) []func() resource.Resource {
	return []func() resource.Resource{
		NewHostResource,
		NewNetworkResource, NewVolumeResource,
		NewServiceResource,
	}
}

func (p *fleetProvider) DataSources(_ context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		NewHostDataSource,
	}
}

type providerModel struct {
	DefaultHost     types.String `tfsdk:"default_host"`
	DefaultHostAuth types.String `tfsdk:"default_host_auth"`
	ConnectTimeout  types.String `tfsdk:"connect_timeout"`
	CallTimeout     types.String `tfsdk:"call_timeout"`
	Auth            types.Map    `tfsdk:"auth"`
}

// defaultTarget resolves the default host: the provider attribute, then
// DOCKER_HOST, then the local socket. An unknown attribute leaves the endpoint
// empty, and resources that need it say so when they use it.
func (m providerModel) defaultTarget(ctx context.Context) defaultHost {
	switch {
	case m.DefaultHost.IsUnknown():
		return defaultHost{unknown: true}
	case m.DefaultHost.ValueString() != "":
		return defaultHost{target: dockerhost.Target{
			Name: DefaultHostName, Endpoint: m.DefaultHost.ValueString(),
			Auth: m.DefaultHostAuth.ValueString(),
		}}
	case os.Getenv("DOCKER_HOST") != "":
		tflog.Debug(ctx, "default host taken from DOCKER_HOST",
			map[string]any{"endpoint": os.Getenv("DOCKER_HOST")})
		return defaultHost{target: dockerhost.Target{
			Name: DefaultHostName, Endpoint: os.Getenv("DOCKER_HOST"),
			Auth: m.DefaultHostAuth.ValueString(),
		}}
	}
	return defaultHost{target: dockerhost.Target{
		Name: DefaultHostName, Endpoint: localSocket, Auth: m.DefaultHostAuth.ValueString(),
	}}
}

func durationOr(v types.String, fallback time.Duration) time.Duration {
	if v.IsNull() || v.IsUnknown() {
		return fallback
	}
	d, err := time.ParseDuration(v.ValueString())
	if err != nil {
		return fallback
	}
	return d
}
