package provider

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
)

// privateDigestKey is the private-state key holding the service's digest key.
//
// Container labels and plans show the spec digest, and the spec holds
// secret_env values. The digest is therefore an HMAC under a random key made
// once per service at create and kept in the resource's private state: it
// never shows in plans, in `terraform show` or in container labels, so a
// digest seen there neither reveals a secret nor lets anyone confirm a guess.
// A key in the provider block was the alternative; it would have to be
// managed by every user and would be shared by all services.
const privateDigestKey = "digest_key"

const (
	defaultCreateTimeout = 10 * time.Minute
	defaultUpdateTimeout = 20 * time.Minute
	defaultDeleteTimeout = 5 * time.Minute
)

var (
	_ resource.Resource                     = (*serviceResource)(nil)
	_ resource.ResourceWithConfigure        = (*serviceResource)(nil)
	_ resource.ResourceWithImportState      = (*serviceResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*serviceResource)(nil)
	_ resource.ResourceWithConfigValidators = (*serviceResource)(nil)
	_ resource.ResourceWithValidateConfig   = (*serviceResource)(nil)
)

// NewServiceResource is the factory of dockerfleet_service.
func NewServiceResource() resource.Resource { return &serviceResource{} }

type serviceResource struct {
	data *providerData
}

func (r *serviceResource) Metadata(_ context.Context, req resource.MetadataRequest,
	resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}

func (r *serviceResource) Schema(ctx context.Context, _ resource.SchemaRequest,
	resp *resource.SchemaResponse) {
	resp.Schema = serviceSchema(ctx)
}

func (r *serviceResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return hostConfigValidators()
}

func (r *serviceResource) Configure(_ context.Context, req resource.ConfigureRequest,
	resp *resource.ConfigureResponse) {
	if req.ProviderData != nil {
		r.data = req.ProviderData.(*providerData)
	}
}

// ValidateConfig checks the container spec once every part of it is known,
// so that bad input fails at validate with its attribute path.
func (r *serviceResource) ValidateConfig(ctx context.Context, req resource.ValidateConfigRequest,
	resp *resource.ValidateConfigResponse) {
	// A value the model cannot hold (a number beyond 64 bits) is reported
	// by the framework's own check of that attribute, at its path; saying it
	// here again would only add a second, vaguer error.
	var cfg serviceModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() || !cfg.specKnown() {
		return
	}
	spec, diags := cfg.spec(ctx)
	resp.Diagnostics.Append(diags...)
	addSpecErrors(&resp.Diagnostics, spec)
}

func (r *serviceResource) Create(ctx context.Context, req resource.CreateRequest,
	resp *resource.CreateResponse) {
	var plan serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Create(ctx, defaultCreateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	// The digest key is made here, once: see privateDigestKey.
	key, err := containerspec.NewKey()
	if err != nil {
		resp.Diagnostics.AddError("Cannot Create Digest Key", "Reading random bytes failed.\n\n"+
			"Error: "+err.Error())
		return
	}
	resp.Diagnostics.Append(setDigestKey(ctx, resp.Private, key)...)

	next := r.apply(ctx, plan, nil, key, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
}

func (r *serviceResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if r.data == nil {
		providerNotConfigured(&resp.Diagnostics)
		return
	}
	if imported, _ := req.Private.GetKey(ctx, privateImported); string(imported) == "true" {
		r.readImported(ctx, req, resp)
		return
	}

	r.refresh(ctx, &state, adoptedDigests(ctx, req.Private), &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, state)...)
}

func (r *serviceResource) Update(ctx context.Context, req resource.UpdateRequest,
	resp *resource.UpdateResponse) {
	var plan, state serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := plan.Timeouts.Update(ctx, defaultUpdateTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	key, diags := digestKey(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if key == nil {
		// A state from before digest keys, or an import that made none: make
		// one now. Replicas the plan kept keep their labels.
		var err error
		if key, err = containerspec.NewKey(); err != nil {
			resp.Diagnostics.AddError("Cannot Create Digest Key", "Error: "+err.Error())
			return
		}
		resp.Diagnostics.Append(setDigestKey(ctx, resp.Private, key)...)
	}

	next := r.apply(ctx, plan, &state, key, &resp.Diagnostics)
	resp.Diagnostics.Append(resp.State.Set(ctx, next)...)
}

func (r *serviceResource) Delete(ctx context.Context, req resource.DeleteRequest,
	resp *resource.DeleteResponse) {
	var state serviceModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	timeout, diags := state.Timeouts.Delete(ctx, defaultDeleteTimeout)
	resp.Diagnostics.Append(diags...)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	r.removeAll(ctx, state, &resp.Diagnostics)
}

// ImportState reads "<name>" (the default host) or
// "<name>@<host>=<endpoint>[,<host>=<endpoint>...]", each entry optionally
// ending in ";auth=<profile>". The Read that follows finds the replicas and
// the settings written on their containers.
func (r *serviceResource) ImportState(ctx context.Context, req resource.ImportStateRequest,
	resp *resource.ImportStateResponse) {
	id, err := parseImportID(req.ID)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Import ID", capitalize(err.Error())+".")
		return
	}
	setImportedHosts(ctx, id, resp)
}

func (r *serviceResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest,
	resp *resource.ModifyPlanResponse) {
	if req.Plan.Raw.IsNull() || r.data == nil {
		return
	}
	var plan serviceModel
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var prior *serviceModel
	if !req.State.Raw.IsNull() {
		prior = &serviceModel{}
		resp.Diagnostics.Append(req.State.Get(ctx, prior)...)
	}
	key, diags := digestKey(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	r.data.checkHostAuth(ctx, &resp.Diagnostics, plan.Host, plan.Hosts)
	r.planReplicas(ctx, &plan, prior, key, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.Plan.Set(ctx, plan)...)
}

// schemaChecked are the spec values that attribute validators of the schema
// already check at their exact path; reporting them from the spec as well
// would show every such mistake twice.
var schemaChecked = map[string]bool{
	"pull": true, "stop_grace_period": true, "healthcheck.interval": true,
	"healthcheck.timeout": true, "healthcheck.start_period": true,
}

// addSpecErrors reports every problem of the spec at its attribute path.
func addSpecErrors(diags *diag.Diagnostics, spec containerspec.Spec) {
	for _, e := range containerspec.Validate(spec) {
		if schemaChecked[e.Path.String()] {
			continue
		}
		at := specErrorPath(e.Path)
		detail := fmt.Sprintf("%s: %q %s.", e.Path, e.Value, e.Problem)
		if e.Accepted != "" {
			detail += " Accepted: " + e.Accepted + "."
		}
		diags.AddAttributeError(at, "Invalid Container Spec", detail)
	}
}

func digestKey(ctx context.Context, p privateGetter) ([]byte, diag.Diagnostics) {
	raw, diags := p.GetKey(ctx, privateDigestKey)
	if len(raw) == 0 || diags.HasError() {
		return nil, diags
	}
	var encoded string
	if err := json.Unmarshal(raw, &encoded); err != nil {
		return nil, diags
	}
	key, err := hex.DecodeString(encoded)
	if err != nil || len(key) != containerspec.KeySize {
		tflog.Warn(ctx, "digest key in private state is unreadable; a new one will be made")
		return nil, diags
	}
	return key, diags
}

func setDigestKey(ctx context.Context, p privateSetter, key []byte) diag.Diagnostics {
	raw, _ := json.Marshal(hex.EncodeToString(key))
	return p.SetKey(ctx, privateDigestKey, raw)
}

type privateGetter interface {
	GetKey(ctx context.Context, key string) ([]byte, diag.Diagnostics)
}

type privateSetter interface {
	SetKey(ctx context.Context, key string, value []byte) diag.Diagnostics
}
