package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// durationValidator accepts Go durations ("30s", "1m30s"). Values are
// compared by what they mean, never by how they are written.
type durationValidator struct {
	positive bool
}

var _ validator.String = durationValidator{}

func (v durationValidator) Description(context.Context) string {
	if v.positive {
		return "a positive duration such as 30s, 5m or 1h30m"
	}
	return "a duration such as 0s, 30s, 5m or 1h30m"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (v durationValidator) ValidateString(ctx context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}

	raw := req.ConfigValue.ValueString()
	d, err := time.ParseDuration(raw)
	switch {
	// The detail names the attribute: Terraform points errors in nested
	// attributes at the resource header, not at the line of the value.
	case err != nil:
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s: %q is not a duration. Expected %s.", req.Path, raw,
				v.Description(ctx)))
	case d < 0 || (v.positive && d == 0):
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Duration",
			fmt.Sprintf("%s: %q is not allowed here. Expected %s.", req.Path, raw,
				v.Description(ctx)))
	}
}

// endpointValidator checks Docker endpoint addresses at validate time.
type endpointValidator struct{}

var _ validator.String = endpointValidator{}

func (endpointValidator) Description(context.Context) string {
	return "a Docker endpoint: " + dockerhost.AcceptedEndpointForms
}

func (v endpointValidator) MarkdownDescription(ctx context.Context) string {
	return v.Description(ctx)
}

func (endpointValidator) ValidateString(_ context.Context, req validator.StringRequest,
	resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if _, err := dockerhost.ParseEndpoint(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid Endpoint", capitalize(err.Error())+".")
	}
}

func capitalize(s string) string {
	if s == "" || s[0] < 'a' || s[0] > 'z' {
		return s
	}
	return string(s[0]-'a'+'A') + s[1:]
}
