package provider

import (
	"bytes"
	"context"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

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
