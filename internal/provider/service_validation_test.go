package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
)

// Terraform shows errors of nested attributes at the resource header, so the
// detail itself must say which attribute is wrong.
func TestDurationValidatorNamesTheAttribute(t *testing.T) {
	req := validator.StringRequest{Path: path.Root("update").AtName("delay"),
		ConfigValue: types.StringValue("-5s")}
	var resp validator.StringResponse
	durationValidator{}.ValidateString(context.Background(), req, &resp)
	checkDiag(t, resp.Diagnostics.Errors(), `update.delay: "-5s" is not allowed here`)
}

// A value the spec check skips must be checked by a validator of its own,
// or a bad value would pass plan unreported.
func TestSchemaCheckedValuesHaveValidators(t *testing.T) {
	attrs := serviceSchema(context.Background()).Attributes
	for p := range schemaChecked {
		parent, child, nested := strings.Cut(p, ".")
		a := attrs[parent]
		if nested {
			a = a.(schema.SingleNestedAttribute).Attributes[child]
		}
		s, ok := a.(schema.StringAttribute)
		if !ok || len(s.Validators) == 0 {
			t.Errorf("%s is skipped by the spec check but has no validator", p)
		}
	}
}

// Each bad value is reported once: by the attribute validator, not again by
// the spec check.
func TestSpecErrorsSkipSchemaCheckedValues(t *testing.T) {
	spec := containerspec.Spec{Image: "busybox", Pull: "sometimes", StopGracePeriod: "soon",
		Healthcheck: &containerspec.Healthcheck{Interval: "5 seconds"}}
	var diags diag.Diagnostics
	addSpecErrors(&diags, spec)
	if diags.HasError() {
		t.Errorf("spec check repeated the attribute validators: %v", diags)
	}
}
