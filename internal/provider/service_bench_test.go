package provider

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// countingProxy sits between the provider and one daemon's unix socket and
// counts the Docker API requests that pass, so that the benchmark measures
// calls on the wire rather than trusting the code's own bookkeeping.
type countingProxy struct {
	socket string
	calls  atomic.Int64
	srv    *http.Server
}

func startCountingProxy(b *testing.B, target string) *countingProxy {
	b.Helper()
	ep, err := dockerhost.ParseEndpoint(target)
	if err != nil || ep.Scheme != dockerhost.SchemeUnix {
		b.Fatalf("the benchmark needs a unix:// endpoint, got %q", target)
	}
	p := &countingProxy{socket: filepath.Join(b.TempDir(), "docker.sock")}
	l, err := net.Listen("unix", p.socket)
	if err != nil {
		b.Fatal(err)
	}
	backend := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) { r.SetURL(&url.URL{Scheme: "http", Host: "docker"}) },
		Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", ep.Path)
		}},
	}
	p.srv = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.calls.Add(1)
		backend.ServeHTTP(w, r)
	})}
	go func() { _ = p.srv.Serve(l) }()
	b.Cleanup(func() { _ = p.srv.Close() })
	return p
}

// BenchmarkRefresh measures one refresh of a service of 6 and of 60 replicas
// over 3 hosts: the Docker API calls it makes (which must not grow with the
// replica count) and its wall time, and the wall time of a plan with no
// changes (refresh plus placement). It needs the test fleet
// (eval "$(scripts/fleet.sh env)") and runs only with -bench.
func BenchmarkRefresh(b *testing.B) {
	for _, replicas := range []int{6, 60} {
		b.Run(fmt.Sprintf("replicas=%d", replicas), func(b *testing.B) {
			benchmarkRefresh(b, replicas)
		})
	}
}

func benchmarkRefresh(b *testing.B, replicas int) {
	ctx := context.Background()
	hosts := map[string]*countingProxy{}
	for _, h := range []string{"h1", "h2", "h3"} {
		raw := os.Getenv("DFL_" + strings.ToUpper(h) + "_UNIX")
		if raw == "" || os.Getenv("DFL_IMAGE") == "" {
			b.Skip("the test fleet is not set up; eval \"$(scripts/fleet.sh env)\"")
		}
		hosts[h] = startCountingProxy(b, raw)
	}
	r := &serviceResource{data: &providerData{pool: dockerhost.NewPool(nil, dockerhost.Options{})}}
	b.Cleanup(r.data.pool.Close)

	name := fmt.Sprintf("bench%d-%d", replicas, time.Now().UnixNano()%100000)
	model := benchServiceModel(b, name, replicas, hosts)
	key, _ := containerspec.NewKey()
	var diags diag.Diagnostics
	r.planReplicas(ctx, &model, nil, key, &diags)
	state := r.apply(ctx, model, nil, key, &diags)
	b.Cleanup(func() {
		var d diag.Diagnostics
		r.removeAll(context.Background(), state, &d)
	})
	if diags.HasError() {
		b.Fatalf("creating the service: %v", diags)
	}

	// The first refresh of a process also asks each engine for its facts and
	// negotiates the API version; what is measured is every refresh after.
	warm := state
	r.refresh(ctx, &warm, nil, &diags)

	var calls, refreshTime, planTime int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		before := totalCalls(hosts)
		refreshed := state
		start := time.Now()
		r.refresh(ctx, &refreshed, nil, &diags)
		refreshTime += int64(time.Since(start))
		calls += totalCalls(hosts) - before

		planned := model
		r.planReplicas(ctx, &planned, &refreshed, key, &diags)
		planTime += int64(time.Since(start))
		if !planned.Instances.Equal(state.Instances) {
			b.Fatalf("a plan with no changes changed the instances")
		}
	}
	b.StopTimer()
	if diags.HasError() {
		b.Fatalf("refresh: %v", diags)
	}
	b.ReportMetric(float64(calls)/float64(b.N), "calls/refresh")
	b.ReportMetric(float64(refreshTime)/float64(b.N)/1e6, "ms/refresh")
	b.ReportMetric(float64(planTime)/float64(b.N)/1e6, "ms/plan")
}

func totalCalls(hosts map[string]*countingProxy) int64 {
	var n int64
	for _, p := range hosts {
		n += p.calls.Load()
	}
	return n
}

// benchServiceModel builds the planned model of a service the way the
// framework would from a configuration: every attribute null but the ones set.
func benchServiceModel(b *testing.B, name string, replicas int, hosts map[string]*countingProxy) serviceModel {
	ctx := context.Background()
	s := serviceSchema(ctx)
	plan := tfsdk.Plan{Schema: s, Raw: tftypes.NewValue(s.Type().TerraformType(ctx), nil)}

	refType := types.ObjectType{AttrTypes: hostRefAttrTypes()}
	refs := map[string]attr.Value{}
	for h, p := range hosts {
		refs[h] = types.ObjectValueMust(hostRefAttrTypes(), map[string]attr.Value{
			"name": types.StringValue(h), "endpoint": types.StringValue("unix://" + p.socket),
			"labels": types.MapNull(types.StringType), "auth": types.StringNull(),
			"engine_id": types.StringNull(),
		})
	}
	var diags diag.Diagnostics
	set := func(attr string, v any) { diags.Append(plan.SetAttribute(ctx, path.Root(attr), v)...) }
	set("name", name)
	set("hosts", types.MapValueMust(refType, refs))
	set("image", os.Getenv("DFL_IMAGE"))
	set("pull", containerspec.PullNever)
	set("replicas", int64(replicas))
	set("mode", "replicated")
	set("command", []string{"sleep", "3600"})
	set("update", types.ObjectValueMust(updateAttrTypes(), map[string]attr.Value{
		"parallelism": types.Int64Value(0), "order": types.StringValue("stop-first"),
		"delay": types.StringValue("0s"), "monitor": types.StringValue("0s"),
		"health_timeout": types.StringNull(),
		"failure_action": types.StringValue("pause"), "max_failure_ratio": types.Float64Value(0),
	}))

	var m serviceModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		b.Fatalf("building the model: %v", diags)
	}
	return m
}
