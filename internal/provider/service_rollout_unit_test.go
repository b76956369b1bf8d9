package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/placement"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/rollout"
)

// A replica left on the previous image by a failed rollout, or rolled back to
// it, is not image drift; a container whose reference moved to another image
// is.
func TestDriftOfImage(t *testing.T) {
	obs := hostObservation{engineID: "E", imageID: "sha256:v2"}
	cases := []struct {
		name      string
		c         container.Summary
		wantDrift bool
	}{
		{"rolled back to the previous reference",
			container.Summary{Image: "app:1", ImageID: "sha256:v1", State: "running"}, false},
		{"on the service's reference",
			container.Summary{Image: "app:2", ImageID: "sha256:v2", State: "running"}, false},
		{"reference moved to another image",
			container.Summary{Image: "sha256:old", ImageID: "sha256:old", State: "running"}, true},
		{"listed without a reference",
			container.Summary{ImageID: "sha256:old", State: "running"}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := driftOf(tc.c, obs, "E", "app:2", "d", "d")
			if got.IsNull() == tc.wantDrift {
				t.Errorf("drift = %v, want drift: %v", got, tc.wantDrift)
			}
		})
	}
}

// Rollout progress is logged at Info with the replica and its host.
func TestLogOutcome(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)

	logOutcome(ctx, "web", rollout.Change{Replica: "web-2", Host: "h2", Kind: rollout.Replace},
		rollout.Failed)

	entries, err := tflogtest.MultilineJSONDecode(&out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("log entries %v, %v; want one", entries, err)
	}
	want := map[string]any{"@level": "info", "service": "web", "replica": "web-2",
		"host": "h2", "kind": "replace", "outcome": "failed"}
	for k, v := range want {
		if entries[0][k] != v {
			t.Errorf("%s = %v, want %v (entry %v)", k, entries[0][k], v, entries[0])
		}
	}
}

// start-first on a service that publishes host ports is warned about at plan
// time, on update.order.
func TestWarnStopFirst(t *testing.T) {
	update := func(order string) serviceModel {
		u := defaultUpdateObject().Attributes()
		u["order"] = types.StringValue(order)
		return serviceModel{Update: types.ObjectValueMust(updateAttrTypes(), u)}
	}
	published := servicePorts{fixed: []int{19450}, exclusive: true}
	cases := []struct {
		name  string
		plan  serviceModel
		ports servicePorts
		warns bool
	}{
		{"start-first with a host port", update("start-first"), published, true},
		{"start-first with a ranged port", update("start-first"),
			servicePorts{fixed: []int{0}, rangeOf: &placement.PortRange{First: 1, Last: 9}}, true},
		{"start-first without ports", update("start-first"), servicePorts{}, false},
		{"stop-first with a host port", update("stop-first"), published, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			warnStopFirst(context.Background(), &tc.plan, tc.ports, &diags)

			if diags.HasError() {
				t.Fatalf("errors: %v", diags)
			}
			if got := diags.WarningsCount() == 1; got != tc.warns {
				t.Fatalf("warnings %v, want one: %v", diags, tc.warns)
			}
			if !tc.warns {
				return
			}
			w, ok := diags.Warnings()[0].(diag.DiagnosticWithPath)
			if !ok || !w.Path().Equal(path.Root("update").AtName("order")) ||
				!strings.Contains(w.Detail(), "stop-first") {
				t.Errorf("warning %v is not on update.order or does not say stop-first", w)
			}
		})
	}
}
