package provider

import (
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-framework/types/basetypes"
)

// Resources take hosts as values: `hosts = dockerfleet_host.web` (a map from
// for_each) or `host = dockerfleet_host.db["db-1"]`. The nested object declares
// only what is needed to reach and identify a host; Terraform's type
// conversion drops the other attributes of the host resource object.

type hostRefModel struct {
	Name     types.String `tfsdk:"name"`
	Endpoint types.String `tfsdk:"endpoint"`
	Labels   types.Map    `tfsdk:"labels"`
	Auth     types.String `tfsdk:"auth"`
	EngineID types.String `tfsdk:"engine_id"`
}

var objectAsOptions = basetypes.ObjectAsOptions{}

func hostRefAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		// name and endpoint are required, but checked by resolveHosts: the
		// framework's own check of required attributes fails on a map element
		// that is a whole unknown object, as `{ a = dockerfleet_host.a }` is
		// during validate.
		"name": schema.StringAttribute{
			Optional:    true,
			Description: "Fleet name of the host; per-host state is keyed by it. Required.",
		},
		"endpoint": schema.StringAttribute{
			Optional:    true,
			Description: "Docker endpoint of the host. May be unknown until the host exists. Required.",
			Validators:  []validator.String{endpointValidator{}},
		},
		"labels": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Placement labels of the host.",
		},
		"auth": schema.StringAttribute{
			Optional:    true,
			Description: "Name of the provider auth profile used to reach the host.",
		},
		"engine_id": schema.StringAttribute{
			Optional: true,
			Description: "Engine ID the host is expected to have. When it changes (machine " +
				"rebuilt), what belonged on that host is recreated there.",
		},
	}
}

func hostsAttribute(what string) schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		Description: "Hosts to run " + what + " on, usually `dockerfleet_host.<name>` from a " +
			"`for_each`. Conflicts with `host`; with neither, the provider's default host " +
			"(named `" + DefaultHostName + "`) is used.",
		NestedObject: schema.NestedAttributeObject{Attributes: hostRefAttributes()},
	}
}

func hostAttribute(what string) schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Description: "The one host to run " + what + " on, such as " +
			"`dockerfleet_host.db[\"db-1\"]`. Conflicts with `hosts`.",
		Attributes: hostRefAttributes(),
	}
}

// hostConfigValidators make `host` and `hosts` exclusive at validate time.
func hostConfigValidators() []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.Conflicting(path.MatchRoot("host"), path.MatchRoot("hosts")),
	}
}

func (r hostRefModel) fleetHost() fleetHost {
	h := fleetHost{
		Name:            r.Name.ValueString(),
		Endpoint:        r.Endpoint.ValueString(),
		Auth:            r.Auth.ValueString(),
		EngineID:        r.EngineID.ValueString(),
		EndpointUnknown: r.Endpoint.IsUnknown() || r.Auth.IsUnknown(),
		EngineIDUnknown: r.EngineID.IsUnknown(),
		Labels:          map[string]string{},
	}
	if !r.Labels.IsNull() && !r.Labels.IsUnknown() {
		for k, v := range r.Labels.Elements() {
			if s, ok := v.(types.String); ok && !s.IsUnknown() {
				h.Labels[k] = s.ValueString()
			}
		}
	}
	return h
}

// stringMap converts a Go map to a Terraform map of strings.
func stringMap(m map[string]string) types.Map {
	elems := make(map[string]attr.Value, len(m))
	for k, v := range m {
		elems[k] = types.StringValue(v)
	}
	return types.MapValueMust(types.StringType, elems)
}
