package provider

import (
	"context"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
)

// unitModel builds a model the way the framework would from a configuration.
func unitModel(t *testing.T, set map[string]any) serviceModel {
	t.Helper()
	ctx := context.Background()
	s := serviceSchema(ctx)
	plan := tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}
	for name, v := range set {
		if d := plan.SetAttribute(ctx, path.Root(name), v); d.HasError() {
			t.Fatalf("setting %s: %v", name, d)
		}
	}
	var m serviceModel
	if d := plan.Get(ctx, &m); d.HasError() {
		t.Fatal(d)
	}
	return m
}

func TestSettingsLabelRoundTripWithoutSecrets(t *testing.T) {
	ctx := context.Background()
	m := unitModel(t, map[string]any{
		"name": "web", "image": "busybox:1", "replicas": int64(3),
		"env":        map[string]string{"LEVEL": "info"},
		"secret_env": map[string]string{"DB_PASSWORD": "hunter2"},
		"command":    []string{"sleep", "60"},
	})
	label, err := settingsLabel(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := base64.StdEncoding.DecodeString(label)
	if strings.Contains(string(raw), "hunter2") || strings.Contains(string(raw), "DB_PASSWORD") {
		t.Fatal("the settings label carries secret_env")
	}

	attrs, err := decodeSettingsLabel(ctx, label)
	if err != nil {
		t.Fatal(err)
	}
	if got := attrs["image"].(types.String).ValueString(); got != "busybox:1" {
		t.Errorf("image = %q", got)
	}
	if got := attrs["replicas"].(types.Int64).ValueInt64(); got != 3 {
		t.Errorf("replicas = %d", got)
	}
	if _, ok := attrs["secret_env"]; ok {
		t.Error("secret_env restored from the label")
	}
	if !attrs["env"].Equal(m.Env) || !attrs["command"].Equal(m.Command) {
		t.Errorf("env/command not restored: %v %v", attrs["env"], attrs["command"])
	}
}

func instance(host string, n int64, id, digest string) instanceModel {
	return instanceModel{
		Host: types.StringValue(host), Number: types.Int64Value(n),
		ContainerID: types.StringValue(id), ImageID: types.StringValue("sha256:img1"),
		Digest: types.StringValue(digest), Ports: int64List(nil), Drift: types.StringNull(),
	}
}

func summary(id, name, state, image, digest string) container.Summary {
	return container.Summary{ID: id, Names: []string{"/" + name}, State: state, ImageID: image,
		Labels: map[string]string{containerspec.LabelReplica: name, labels.Spec: digest}}
}

func TestReconcileHostDriftKinds(t *testing.T) {
	instances := map[string]instanceModel{
		"web-1": instance("h1", 1, "c1", "d"),   // running as recorded
		"web-2": instance("h1", 2, "c2", "d"),   // exited
		"web-3": instance("h1", 3, "c3", "d"),   // removed
		"web-4": instance("h1", 4, "c4", "d"),   // another image
		"web-5": instance("h1", 5, "c5", "d"),   // digest changed by hand
		"web-6": instance("h2", 6, "c6", "d"),   // other host: untouched
		"web-7": instance("h1", 7, "c7", "old"), // imported: label digest adopted
	}
	obs := hostObservation{engineID: "E1", imageID: "sha256:img1", containers: []container.Summary{
		summary("c1", "web-1", "running", "sha256:img1", "d"),
		summary("c2", "web-2", "exited", "sha256:img1", "d"),
		summary("c4", "web-4", "running", "sha256:img2", "d"),
		summary("c5", "web-5", "running", "sha256:img1", "edited"),
		summary("c7", "web-7", "running", "sha256:img1", "old-label"),
		summary("c8", "web-1-failed-abc", "exited", "sha256:img1", "d"),
	}}
	extras := map[string]string{}
	reconcileHost("h1", "E1", "busybox:1", obs, map[string]string{"old-label": "old"},
		instances, extras)

	want := map[string]string{
		"web-1": "", "web-2": "container not running (exited)", "web-3": "container removed",
		"web-4": "container runs image", "web-5": "changed outside Terraform", "web-6": "",
		"web-7": "",
	}
	for name, drift := range want {
		got := instances[name].Drift.ValueString()
		if (drift == "" && got != "") || !strings.Contains(got, drift) {
			t.Errorf("%s drift = %q, want %q", name, got, drift)
		}
	}
	for _, name := range []string{"web-2", "web-3", "web-4"} {
		if got := instances[name].Drift.ValueString(); !strings.HasSuffix(got, ` on host "h1"`) {
			t.Errorf("%s drift = %q does not name its host", name, got)
		}
	}
	if len(extras) != 1 || extras["h1/web-1-failed-abc"] != "c8" {
		t.Errorf("extras = %v", extras)
	}

	// A rebuilt engine makes every replica of the host drift.
	reconcileHost("h1", "E0", "busybox:1", obs, nil, instances, map[string]string{})
	if !strings.Contains(instances["web-1"].Drift.ValueString(), "host rebuilt") {
		t.Errorf("web-1 drift = %q after an engine change", instances["web-1"].Drift.ValueString())
	}
}

func TestApplyChanges(t *testing.T) {
	unknown := func(host string, n int64) instanceModel {
		i := instance(host, n, "", "d2")
		i.ContainerID = types.StringUnknown()
		return i
	}
	run := &applyRun{
		planned: map[string]instanceModel{
			"web-1": instance("h1", 1, "c1", "d"), // kept
			"web-2": unknown("h1", 2),             // replaced in place
			"web-3": unknown("h3", 3),             // moved from h2
			"web-5": unknown("h2", 5),             // new
		},
		prior: map[string]instanceModel{
			"web-1": instance("h1", 1, "c1", "d"),
			"web-2": instance("h1", 2, "c2", "d"),
			"web-3": instance("h2", 3, "c3", "d"),
			"web-4": instance("h3", 4, "c4", "d"), // scaled away
		},
		stopFirst: true,
	}
	var got []string
	for _, c := range run.changes() {
		s := string(c.Kind) + " " + changeKey(c)
		if c.ForceStopFirst {
			s += " stop-first"
		}
		got = append(got, s)
	}
	want := []string{
		"replace web-2@h1 stop-first", "remove web-3@h2", "create web-3@h3",
		"remove web-4@h3", "create web-5@h2",
	}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("changes:\n got %v\nwant %v", got, want)
	}
}
