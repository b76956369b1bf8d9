package provider

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// hostNamePattern keeps host names usable as map keys, label values and parts
// of container names.
var hostNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// privateObservedEngine is the private-state key where Read records an engine
// ID that differs from the one in state, so that the plan can replace the host.
const privateObservedEngine = "observed_engine_id"

const defaultReadyTimeout = "5m"

var (
	_ resource.Resource                = (*hostResource)(nil)
	_ resource.ResourceWithConfigure   = (*hostResource)(nil)
	_ resource.ResourceWithImportState = (*hostResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*hostResource)(nil)
)

// NewHostResource is the factory of dockerfleet_host.
func NewHostResource() resource.Resource { return &hostResource{} }

type hostResource struct {
	data *providerData
}

func (r *hostResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_host"
}

func (r *hostResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		Description: "One Docker engine that is part of the fleet. Create waits until the daemon " +
			"answers and records its facts. Pass the resource itself to other resources as " +
			"`host` or `hosts`. Destroying it only forgets the host; the engine is not touched.",
		Attributes: hostResourceAttributes(),
	}
}

func hostResourceAttributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			Description:   "The host name.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			Required: true,
			Description: "Fleet name of the host: letters, digits, `_`, `.` and `-`, starting " +
				"with a letter or digit. Per-host state of other resources is keyed by it; " +
				"changing it replaces the host.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators: []validator.String{stringvalidator.RegexMatches(hostNamePattern,
				"must start with a letter or digit and hold only letters, digits, _, . and -")},
		},
		"endpoint": schema.StringAttribute{
			Required: true,
			Description: "Docker endpoint: " + dockerhost.AcceptedEndpointForms + ". May be " +
				"unknown at plan time, for a machine created in the same run.",
			Validators: []validator.String{endpointValidator{}},
		},
		"labels": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Placement labels, matched by `host_selector` and `spread_by` of services.",
		},
		"auth": schema.StringAttribute{
			Optional:    true,
			Description: "Name of an auth profile of the provider block used to reach the host.",
		},
		"ready_timeout": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(defaultReadyTimeout),
			Description: "How long create waits for the daemon to answer, for servers still " +
				"booting. Default `" + defaultReadyTimeout + "`.",
			Validators: []validator.String{durationValidator{positive: true}},
		},
	}
	for name, desc := range map[string]string{
		"engine_id":      "Engine ID reported by the daemon. It changes when the machine is rebuilt, which replaces the host and what belongs on it.",
		"server_version": "Docker Engine version.",
		"api_version":    "Docker API version negotiated with the daemon.",
		"os":             "Operating system type of the engine (`linux` or `windows`).",
		"architecture":   "Hardware architecture of the engine, such as `x86_64`.",
	} {
		attrs[name] = schema.StringAttribute{
			Computed:      true,
			Description:   desc,
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		}
	}
	attrs["cpus"] = schema.Int64Attribute{
		Computed:      true,
		Description:   "Number of CPUs the engine sees.",
		PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
	}
	attrs["memory_bytes"] = schema.Int64Attribute{
		Computed:      true,
		Description:   "Total memory the engine sees, in bytes.",
		PlanModifiers: []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
	}
	return attrs
}

func (r *hostResource) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.data = req.ProviderData.(*providerData)
	}
}

func (r *hostResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	var plan hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// A new machine may still be booting: wait for its daemon, with backoff.
	facts, ok := r.waitReady(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}

	plan.setFacts(facts)
	plan.ID = plan.Name
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *hostResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}

	h, err := r.data.pool.Host(state.target())
	if err != nil {
		resp.Diagnostics.AddAttributeError(path.Root("endpoint"), "Cannot Reach Host",
			fmt.Sprintf("Host %q cannot be reached: %s.", state.Name.ValueString(), err))
		return
	}
	facts, err := h.Facts(ctx)
	if dockerhost.IsUnreachable(err) {
		// The host keeps its last known state; a warning names it.
		addUnreachableWarning(&resp.Diagnostics, "its engine facts", h, err)
		return
	}
	if err != nil {
		addHostError(&resp.Diagnostics, "Cannot Read Host", h, "Reading the engine facts",
			"Check the endpoint and auth profile.", err)
		return
	}

	r.recordEngine(ctx, &state, facts, resp)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

// recordEngine updates the facts, unless the engine behind the address is not
// the one in state: then the old facts stay and the new engine ID goes to
// private state, from where the plan turns it into a replacement.
func (r *hostResource) recordEngine(ctx context.Context, state *hostModel, facts dockerhost.Facts,
	resp *resource.ReadResponse) {
	known := state.EngineID.ValueString()
	if known != "" && known != facts.EngineID {
		tflog.Warn(ctx, "engine behind the host's endpoint changed", map[string]any{
			"host": state.Name.ValueString(), "engine_id": known, "observed_engine_id": facts.EngineID,
		})
		resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateObservedEngine,
			[]byte(fmt.Sprintf("%q", facts.EngineID)))...)
		return
	}

	state.setFacts(facts)
	resp.Diagnostics.Append(resp.Private.SetKey(ctx, privateObservedEngine, nil)...)
}

func (r *hostResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	var plan hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// Labels change nothing on the engine; a new endpoint or profile may reach
	// it another way, so the facts are read again through it.
	facts, ok := r.waitReady(ctx, &plan, &resp.Diagnostics)
	if !ok {
		return
	}

	plan.setFacts(facts)
	resp.Diagnostics.Append(resp.State.Set(ctx, plan)...)
}

func (r *hostResource) Delete(ctx context.Context, req resource.DeleteRequest, _ *resource.DeleteResponse) {
	// The engine belongs to the machine, not to the fleet: forgetting the host
	// is all there is to do. Resources placed on it are destroyed first by
	// their own dependency on it.
	tflog.Debug(ctx, "forgetting host", map[string]any{"resource": "dockerfleet_host"})
}

func (r *hostResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	name, endpoint, auth, err := parseHostImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", err.Error())
		return
	}

	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("endpoint"), endpoint)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("ready_timeout"), defaultReadyTimeout)...)
	if auth != "" {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("auth"), auth)...)
	}
}

// parseHostImportID reads "<name>,<endpoint>[,<auth profile>]".
func parseHostImportID(id string) (name, endpoint, auth string, err error) {
	parts := strings.Split(id, ",")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" {
		return "", "", "", fmt.Errorf("import ID %q is not of the form <name>,<endpoint> or "+
			"<name>,<endpoint>,<auth profile>, as in node-a,tcp://10.0.0.2:2376,prod", id)
	}
	if !hostNamePattern.MatchString(parts[0]) {
		return "", "", "", fmt.Errorf("host name %q in the import ID must start with a letter or "+
			"digit and hold only letters, digits, _, . and -", parts[0])
	}
	if _, err := dockerhost.ParseEndpoint(parts[1]); err != nil {
		return "", "", "", fmt.Errorf("import ID %q: %w", id, err)
	}
	if len(parts) == 3 {
		auth = parts[2]
	}
	return parts[0], parts[1], auth, nil
}

func (r *hostResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan hostModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}

	// An unknown profile name is a plan error, not an apply failure.
	if !plan.Auth.IsUnknown() {
		r.data.checkAuth(&resp.Diagnostics, path.Root("auth"), plan.Auth.ValueString(),
			plan.Endpoint.ValueString())
	}
	if req.State.Raw.IsNull() {
		return
	}

	var state hostModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	r.planEngine(ctx, req, resp, &plan, &state)
}

// planEngine replaces the host when refresh saw a different engine behind its
// address, and leaves the facts unknown when a new endpoint may reach another
// engine. Nothing here guesses what apply will find.
func (r *hostResource) planEngine(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse, plan, state *hostModel) {
	observed, diags := req.Private.GetKey(ctx, privateObservedEngine)
	resp.Diagnostics.Append(diags...)
	if len(observed) > 0 {
		plan.unknownFacts()
		resp.RequiresReplace = append(resp.RequiresReplace, path.Root("engine_id"))
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
		return
	}

	if !plan.Endpoint.Equal(state.Endpoint) || !plan.Auth.Equal(state.Auth) {
		plan.unknownFacts()
		resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
	}
}

// waitReady asks the daemon for its facts until it answers or ready_timeout
// passes.
func (r *hostResource) waitReady(ctx context.Context, plan *hostModel,
	diags *diag.Diagnostics) (dockerhost.Facts, bool) {
	h, err := r.data.pool.Host(plan.target())
	if err != nil {
		diags.AddAttributeError(path.Root("endpoint"), "Cannot Reach Host",
			fmt.Sprintf("Host %q cannot be reached: %s.", plan.Name.ValueString(), err))
		return dockerhost.Facts{}, false
	}

	timeout := durationOr(plan.ReadyTimeout, 5*time.Minute)
	waitCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	fields := map[string]any{"host": h.Name, "endpoint": h.Endpoint().Raw, "ready_timeout": timeout.String()}
	tflog.Debug(ctx, "waiting for the daemon to answer", fields)
	facts, err := h.WaitReady(waitCtx, func(attempt int, err error) {
		tflog.Debug(ctx, "daemon not answering yet", map[string]any{
			"host": h.Name, "attempt": attempt, "error": err.Error()})
	})
	if dockerhost.IsAuthFailure(err) {
		// Waiting longer cannot fix a wrong key, CA or host key.
		addHostError(diags, "Host Refused The Credentials", h, "Connecting to the daemon",
			"Check the auth profile named in `auth` against the host.", err)
		return dockerhost.Facts{}, false
	}
	if err != nil {
		addHostError(diags, "Host Not Ready", h, fmt.Sprintf("Waiting up to %s for the daemon", timeout),
			"Check that the machine is up, that the daemon listens on the endpoint and that the "+
				"auth profile fits it, or raise ready_timeout.", err)
		return dockerhost.Facts{}, false
	}
	return facts, true
}

// hostModel is the state of dockerfleet_host.
type hostModel struct {
	ID            types.String `tfsdk:"id"`
	Name          types.String `tfsdk:"name"`
	Endpoint      types.String `tfsdk:"endpoint"`
	Labels        types.Map    `tfsdk:"labels"`
	Auth          types.String `tfsdk:"auth"`
	ReadyTimeout  types.String `tfsdk:"ready_timeout"`
	EngineID      types.String `tfsdk:"engine_id"`
	ServerVersion types.String `tfsdk:"server_version"`
	APIVersion    types.String `tfsdk:"api_version"`
	OS            types.String `tfsdk:"os"`
	Architecture  types.String `tfsdk:"architecture"`
	CPUs          types.Int64  `tfsdk:"cpus"`
	MemoryBytes   types.Int64  `tfsdk:"memory_bytes"`
}

func (m hostModel) target() dockerhost.Target {
	return dockerhost.Target{
		Name: m.Name.ValueString(), Endpoint: m.Endpoint.ValueString(), Auth: m.Auth.ValueString(),
	}
}

func (m *hostModel) setFacts(f dockerhost.Facts) {
	m.EngineID = types.StringValue(f.EngineID)
	m.ServerVersion = types.StringValue(f.ServerVersion)
	m.APIVersion = types.StringValue(f.APIVersion)
	m.OS = types.StringValue(f.OS)
	m.Architecture = types.StringValue(f.Architecture)
	m.CPUs = types.Int64Value(f.CPUs)
	m.MemoryBytes = types.Int64Value(f.MemoryBytes)
}

func (m *hostModel) unknownFacts() {
	m.EngineID = types.StringUnknown()
	m.ServerVersion = types.StringUnknown()
	m.APIVersion = types.StringUnknown()
	m.OS = types.StringUnknown()
	m.Architecture = types.StringUnknown()
	m.CPUs = types.Int64Unknown()
	m.MemoryBytes = types.Int64Unknown()
}
