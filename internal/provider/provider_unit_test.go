package provider

import (
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

func TestProviderSchemaIsValid(t *testing.T) {
	var resp provider.SchemaResponse
	New("test")().Schema(context.Background(), provider.SchemaRequest{}, &resp)
	if resp.Diagnostics.HasError() {
		t.Fatalf("schema diagnostics: %v", resp.Diagnostics)
	}
	if diags := resp.Schema.ValidateImplementation(context.Background()); diags.HasError() {
		t.Fatalf("schema does not validate: %v", diags)
	}
}

func TestDurationValidator(t *testing.T) {
	tests := []struct {
		value    string
		positive bool
		wantErr  string
	}{
		{value: "1m30s", positive: true},
		{value: "0s"},
		{value: "0s", positive: true, wantErr: `"0s" is not allowed here`},
		{value: "-5s", wantErr: `"-5s" is not allowed here`},
		{value: "5 minutes", wantErr: `"5 minutes" is not a duration`},
		{value: "10", wantErr: `"10" is not a duration`},
	}
	for _, tt := range tests {
		t.Run(tt.value, func(t *testing.T) {
			req := validator.StringRequest{Path: path.Root("timeout"), ConfigValue: types.StringValue(tt.value)}
			var resp validator.StringResponse
			durationValidator{positive: tt.positive}.ValidateString(context.Background(), req, &resp)
			checkDiag(t, resp.Diagnostics.Errors(), tt.wantErr)
		})
	}
}

func TestValidatorsSkipNullAndUnknown(t *testing.T) {
	for _, v := range []validator.String{durationValidator{positive: true}, endpointValidator{}} {
		for _, value := range []types.String{types.StringNull(), types.StringUnknown()} {
			var resp validator.StringResponse
			v.ValidateString(context.Background(), validator.StringRequest{ConfigValue: value}, &resp)
			if resp.Diagnostics.HasError() {
				t.Errorf("%T reported %v for %v", v, resp.Diagnostics, value)
			}
		}
	}
}

func TestEndpointValidatorNamesAcceptedForms(t *testing.T) {
	var resp validator.StringResponse
	endpointValidator{}.ValidateString(context.Background(), validator.StringRequest{
		Path: path.Root("endpoint"), ConfigValue: types.StringValue("http://node-a"),
	}, &resp)
	checkDiag(t, resp.Diagnostics.Errors(), "tcp://host[:port]")
}

func TestParseHostImportID(t *testing.T) {
	name, endpoint, auth, err := parseHostImportID("node-a,tcp://10.0.0.2:2376,prod")
	if err != nil || name != "node-a" || endpoint != "tcp://10.0.0.2:2376" || auth != "prod" {
		t.Fatalf("got %q %q %q %v", name, endpoint, auth, err)
	}

	for id, want := range map[string]string{
		"node-a":                  "is not of the form",
		"node-a,":                 "is not of the form",
		"-a,tcp://10.0.0.2":       "must start with a letter or digit",
		"node-a,ftp://x":          "unsupported scheme",
		"a,tcp://10.0.0.2,prod,x": "is not of the form",
	} {
		_, _, _, err := parseHostImportID(id)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("parseHostImportID(%q) error = %v, want one containing %q", id, err, want)
		}
	}
}

// checkDiag asserts no error when want is empty, else one error whose detail
// contains want.
func checkDiag(t *testing.T, errs diag.Diagnostics, want string) {
	t.Helper()
	if want == "" {
		if len(errs) > 0 {
			t.Fatalf("unexpected errors: %v", errs)
		}
		return
	}
	if len(errs) != 1 || !strings.Contains(errs[0].Detail(), want) {
		t.Fatalf("errors = %v, want one whose detail contains %q", errs, want)
	}
}

func TestCollectHostsSortsAndRejectsDuplicates(t *testing.T) {
	ref := func(name, endpoint string) hostRefModel {
		return hostRefModel{
			Name: types.StringValue(name), Endpoint: types.StringValue(endpoint),
			Labels: types.MapNull(types.StringType), Auth: types.StringNull(), EngineID: types.StringUnknown(),
		}
	}

	set, diags := collectHosts(map[string]hostRefModel{
		"b": ref("node-b", "tcp://10.0.0.3:2375"),
		"a": ref("node-a", "tcp://10.0.0.2:2375"),
	}, true)
	if diags.HasError() || strings.Join(set.Names(), ",") != "node-a,node-b" {
		t.Fatalf("names = %v, diags = %v", set.Names(), diags)
	}
	if !set.Hosts[0].EngineIDUnknown {
		t.Errorf("an unknown engine_id must stay marked unknown")
	}

	_, diags = collectHosts(map[string]hostRefModel{
		"x": ref("node-a", "tcp://10.0.0.2:2375"),
		"y": ref("node-a", "tcp://10.0.0.3:2375"),
	}, true)
	checkDiag(t, diags.Errors(), `both named "node-a"`)
	if got := diags.Errors()[0].(diag.DiagnosticWithPath).Path().String(); got != `hosts["y"].name` {
		t.Errorf("duplicate reported at %s, want hosts[\"y\"].name", got)
	}
}
