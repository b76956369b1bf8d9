package provider

import (
	"context"
	"regexp"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/float64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/float64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64default"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/objectdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringdefault"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
)

// serviceNamePattern keeps service names valid as container names once the
// replica number is appended, and as label values.
var serviceNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// Update defaults, as documented in the schema.
const (
	defaultParallelism   = 1
	defaultOrder         = "stop-first"
	defaultDelay         = "0s"
	defaultMonitor       = "5s"
	defaultFailureAction = "pause"
)

// maxReplicas bounds replicas to what a fleet of plain engines can run; a
// larger number is a typo, not a plan.
const maxReplicas = 10000

func serviceSchema(ctx context.Context) schema.Schema {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			Computed:      true,
			Description:   "The service name.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"host":  hostAttribute("the service"),
		"hosts": hostsAttribute("the service"),
		"host_selector": schema.MapAttribute{
			Optional:    true,
			ElementType: types.StringType,
			Description: "Labels a host must have, all of them, to hold replicas.",
		},
		"name": schema.StringAttribute{
			Required: true,
			Description: "Service name. Replicas are named `<name>-<n>`, which is also the " +
				"container name on its host. Changing it replaces the service.",
			PlanModifiers: []planmodifier.String{stringplanmodifier.RequiresReplace()},
			Validators: []validator.String{stringvalidator.RegexMatches(serviceNamePattern,
				"must start with a letter or digit and hold only letters, digits, _, . and -")},
		},
		"replicas": schema.Int64Attribute{
			Optional: true,
			Computed: true,
			Default:  int64default.StaticInt64(1),
			Description: "Number of replicas in `replicated` mode, from 0 to " +
				strconv.Itoa(maxReplicas) + ". Default 1. Ignored in `global` mode.",
			// TODO: a number beyond 64 bits (1e20) fails in the framework's own
			// conversion ("Configuration Read Error") before any validator runs;
			// only a Number attribute with its own range check could name the
			// range there.
			Validators: []validator.Int64{int64validator.Between(0, maxReplicas)},
		},
		"mode": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString("replicated"),
			Description: "`replicated` (default): `replicas` replicas placed over the hosts; " +
				"`global`: one replica on every eligible host.",
			Validators: []validator.String{stringvalidator.OneOf("replicated", "global")},
		},
		"spread_by": schema.StringAttribute{
			Optional: true,
			Description: "Host label (such as `zone`) whose values replicas are spread over " +
				"first, before spreading over hosts.",
		},
		"max_per_host": schema.Int64Attribute{
			Optional:    true,
			Description: "Most replicas one host may hold. Unset means no cap.",
			Validators:  []validator.Int64{int64validator.AtLeast(1)},
		},
		"instances": schema.MapNestedAttribute{
			Computed: true,
			Description: "Replicas by name, each with its host. The plan shows which replicas " +
				"are created or replaced: their `container_id` is known only after apply, and " +
				"`drift` says why a replica that changed outside Terraform is replaced.",
			NestedObject: schema.NestedAttributeObject{Attributes: instanceAttributes()},
		},
		"placement": schema.MapAttribute{
			Computed:    true,
			ElementType: types.Int64Type,
			Description: "Number of replicas per eligible host.",
		},
		"endpoints": schema.ListAttribute{
			Computed:    true,
			ElementType: types.StringType,
			Description: "`address:port` of every published port of every replica, by " +
				"replica number. The address is the port's `host_ip` when it names one " +
				"address (a loopback one included, since the port answers only there), " +
				"otherwise the address of the host's endpoint. IPv6 addresses are " +
				"bracketed: `[::1]:8080`. Ready to feed a load balancer.",
		},
		"extra_containers": schema.MapAttribute{
			Computed:    true,
			ElementType: types.StringType,
			Description: "Containers labelled as this service that are not one of its replicas " +
				"(made by hand, left by a failed rollout), keyed `<host>/<container name>`, " +
				"with their IDs. The next apply removes them.",
		},
		"update":   updateAttribute(),
		"timeouts": timeoutsAttribute(ctx),
	}
	for name, a := range containerSpecAttributes() {
		attrs[name] = a
	}
	return schema.Schema{
		Description: "Replicas of one container spec placed over a fleet of hosts at plan " +
			"time. The service shows as an in-place update even when containers are replaced: " +
			"the plan marks, replica by replica, which are created (with their host), " +
			"replaced (`container_id` known after apply) or removed. Terraform hides a " +
			"replaced replica's unchanged `host`; `placement`, `drift` or " +
			"`terraform show -json` give it. Only replicas whose spec changed, that " +
			"moved or that drifted are replaced.",
		Attributes: attrs,
	}
}

func instanceAttributes() map[string]schema.Attribute {
	str := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Computed: true, Description: desc}
	}
	return map[string]schema.Attribute{
		"host":         str("Host the replica runs on."),
		"number":       schema.Int64Attribute{Computed: true, Description: "Replica number."},
		"container_id": str("ID of the replica's container; unknown in a plan that (re)creates it."),
		"image_id":     str("ID of the image the replica's container runs."),
		"digest": str("Keyed digest of the replica's container spec. It reveals nothing of " +
			"the spec, secrets included."),
		"ports": schema.ListAttribute{
			Computed:    true,
			ElementType: types.Int64Type,
			Description: "Host ports the replica publishes, in the order of `ports`.",
		},
		"drift": str("Why refresh found the replica differing from state: container " +
			"removed, `container removed (the last apply did not complete it)`, stopped, " +
			"running another image, changed by hand, host rebuilt. Null when it does not."),
	}
}

func instanceAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"host": types.StringType, "number": types.Int64Type, "container_id": types.StringType,
		"image_id": types.StringType, "digest": types.StringType,
		"ports": types.ListType{ElemType: types.Int64Type}, "drift": types.StringType,
	}
}

func updateAttribute() schema.SingleNestedAttribute {
	return schema.SingleNestedAttribute{
		Optional: true,
		Computed: true,
		Default:  objectdefault.StaticValue(defaultUpdateObject()),
		Description: "How changed replicas are rolled out, in batches fixed before anything " +
			"runs: removals first, then creates and replacements taken round-robin over the " +
			"hosts sorted by name (on each host new replicas first, then by number), cut " +
			"into batches of `parallelism`. Replicas that publish host ports always roll " +
			"`stop-first`: a replica keeps its host port, so its new container cannot bind " +
			"it beside the old one, and the plan warns when `order` asks for `start-first`.",
		Attributes: map[string]schema.Attribute{
			"parallelism": schema.Int64Attribute{
				Optional: true, Computed: true, Default: int64default.StaticInt64(defaultParallelism),
				Description: "Replicas replaced at once; 0 means all. Default 1.",
				Validators:  []validator.Int64{int64validator.AtLeast(0)},
			},
			"order": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultOrder),
				Description: "`stop-first` (default): a replica's old container is removed " +
					"before its new one starts. `start-first`: the new container starts beside " +
					"the old one, which is removed only once the new one has been healthy for " +
					"`monitor`. Replicas that publish host ports roll `stop-first` whatever " +
					"this says.",
				Validators: []validator.String{stringvalidator.OneOf("stop-first", "start-first")},
			},
			"delay": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultDelay),
				Description: "Pause between batches, such as `10s`. Default `0s`.",
				Validators:  []validator.String{durationValidator{}},
			},
			"monitor": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultMonitor),
				Description: "How long a new replica must stay running and, with a health " +
					"check, healthy before it counts as done. It fails when its container " +
					"exits, its health check reports unhealthy, or it is not healthy within " +
					"`health_timeout`. Default `5s`.",
				Validators: []validator.String{durationValidator{}},
			},
			"health_timeout": schema.StringAttribute{
				Optional: true,
				Description: "How long a new replica may take to run and report healthy " +
					"before it counts as failed. Default: 2 minutes, or longer when the " +
					"health check's start period, interval, retries and timeout need more.",
				Validators: []validator.String{durationValidator{positive: true}},
			},
			"failure_action": schema.StringAttribute{
				Optional: true, Computed: true, Default: stringdefault.StaticString(defaultFailureAction),
				Description: "`pause` (default): stop and report; `rollback`: put the previous " +
					"spec back on the replicas this apply replaced; `continue`: go on while " +
					"failed changes stay at or below `max_failure_ratio` of all changes. A " +
					"failed container is kept, stopped, as `<replica>-failed-<id>` until the " +
					"next apply.",
				Validators: []validator.String{stringvalidator.OneOf("pause", "rollback", "continue")},
			},
			"max_failure_ratio": schema.Float64Attribute{
				Optional: true, Computed: true, Default: float64default.StaticFloat64(0),
				Description: "Share of failed replicas tolerated with `continue`. Default 0.",
				Validators:  []validator.Float64{float64validator.Between(0, 1)},
			},
		},
	}
}

func updateAttrTypes() map[string]attr.Type {
	return map[string]attr.Type{
		"parallelism": types.Int64Type, "order": types.StringType, "delay": types.StringType,
		"monitor": types.StringType, "health_timeout": types.StringType,
		"failure_action": types.StringType, "max_failure_ratio": types.Float64Type,
	}
}

func defaultUpdateObject() types.Object {
	return types.ObjectValueMust(updateAttrTypes(), map[string]attr.Value{
		"parallelism":       types.Int64Value(defaultParallelism),
		"order":             types.StringValue(defaultOrder),
		"delay":             types.StringValue(defaultDelay),
		"monitor":           types.StringValue(defaultMonitor),
		"health_timeout":    types.StringNull(),
		"failure_action":    types.StringValue(defaultFailureAction),
		"max_failure_ratio": types.Float64Value(0),
	})
}

// containerSpecAttributes are the attributes of the container every replica
// runs. Each omitted one means the image's or Docker's default.
func containerSpecAttributes() map[string]schema.Attribute {
	optStr := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Description: desc}
	}
	strList := func(desc string) schema.ListAttribute {
		return schema.ListAttribute{Optional: true, ElementType: types.StringType, Description: desc}
	}
	strMap := func(desc string) schema.MapAttribute {
		return schema.MapAttribute{Optional: true, ElementType: types.StringType, Description: desc}
	}
	optBool := func(desc string) schema.BoolAttribute {
		return schema.BoolAttribute{Optional: true, Description: desc}
	}
	// Durations enter the digest by value, so "90s" and "1m30s" never
	// replace a replica. TODO: the attribute itself still shows an in-place
	// change when only its spelling changes; Terraform requires the planned
	// value of a configured attribute to equal the configuration, so hiding
	// it needs a computed shadow attribute, which is not written yet.
	duration := func(desc string) schema.StringAttribute {
		return schema.StringAttribute{Optional: true, Description: desc,
			Validators: []validator.String{durationValidator{}}}
	}
	return map[string]schema.Attribute{
		"image": schema.StringAttribute{
			Required:    true,
			Description: "Image every replica runs, given as " + containerspec.AcceptedImage + ".",
		},
		"pull": schema.StringAttribute{
			Optional: true,
			Computed: true,
			Default:  stringdefault.StaticString(containerspec.PullMissing),
			Description: "When apply pulls the image on a host: `missing` (default), `always` or " +
				"`never` (the image must already be on every host).",
			Validators: []validator.String{stringvalidator.OneOf(containerspec.PullMissing,
				containerspec.PullAlways, containerspec.PullNever)},
		},
		"command":    strList("Command, replacing the image's `CMD`."),
		"entrypoint": strList("Entrypoint, replacing the image's `ENTRYPOINT`."),
		"env":        strMap("Environment variables."),
		"secret_env": schema.MapAttribute{
			Optional: true, Sensitive: true, ElementType: types.StringType,
			Description: "Environment variables whose values never show in plans, labels or " +
				"logs. A changed value still replaces the replicas.",
		},
		"labels": strMap("Container labels. Names starting with `dockerfleet.` are reserved."),
		"user":   optStr("User (and group) the command runs as, such as `1000:1000`."),
		"working_dir": optStr("Working directory of the command: " +
			containerspec.AcceptedAbsPath + "."),
		"hostname": optStr("Host name inside the container: " + containerspec.AcceptedHostname +
			"."),
		"ports": schema.ListNestedAttribute{
			Optional: true,
			Description: "Ports the container exposes, and publishes on its host. A " +
				"service can publish at most one port range; its other ports are fixed or not " +
				"published. The range is shared by all replicas across all hosts: each " +
				"replica gets its own port from it, so the range needs at least as many " +
				"ports as there are replicas.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"target": schema.Int64Attribute{Required: true, Description: "Container port."},
				"published": optStr("Host port: one port (`80`), which allows one replica per " +
					"host, or a range (`8000-8009`), from which each replica gets its own port, " +
					"sticky across plans. Unset: the port is not published."),
				"protocol": optStr("`tcp` (default), `udp` or `sctp`."),
				"host_ip": optStr("Host address to bind: " + containerspec.AcceptedHostIP +
					". IPv6 is written without brackets (`::1`, not `[::1]`). All addresses " +
					"when unset."),
			}},
		},
		"networks": schema.ListNestedAttribute{
			Optional:    true,
			Description: "Networks to attach, by name; the default bridge when unset.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Required: true,
					Description: "Network name; each network once."},
				"aliases": strList("DNS aliases of the container on the network."),
			}},
		},
		"mounts": schema.ListNestedAttribute{
			Optional:    true,
			Description: "Volume, bind and tmpfs mounts.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"type": optStr("`volume` (default), `bind` or `tmpfs`."),
				"source": optStr("For `volume`: " + containerspec.AcceptedVolumeName +
					". For `bind`: an absolute host path. None for `tmpfs`."),
				"target": schema.StringAttribute{Required: true, Description: "Path in the " +
					"container; one mount per path across `mounts` and `tmpfs`."},
				"read_only": optBool("Mount read-only."),
			}},
		},
		"restart": schema.SingleNestedAttribute{
			Optional:    true,
			Description: "Restart policy; Docker's `no` when unset.",
			Attributes: map[string]schema.Attribute{
				"policy": optStr("`no`, `always`, `unless-stopped` or `on-failure`."),
				"max_retries": schema.Int64Attribute{Optional: true,
					Description: "Restart attempts with `on-failure`."},
			},
		},
		"healthcheck": schema.SingleNestedAttribute{
			Optional:    true,
			Description: "Health check, replacing the image's. Durations such as `5s`.",
			Attributes: map[string]schema.Attribute{
				"test": strList("`[\"CMD\", \"prog\", \"arg\"...]` or " +
					"`[\"CMD-SHELL\", \"command line\"]`."),
				"interval":     duration("Time between checks."),
				"timeout":      duration("Time a check may take."),
				"start_period": duration("Grace period after start before failures count."),
				"retries": schema.Int64Attribute{Optional: true,
					Description: "Consecutive failures that make the container unhealthy."},
				"disabled": optBool("Turn off any health check of the image."),
			},
		},
		"resources": schema.SingleNestedAttribute{
			Optional:    true,
			Description: "Resource limits.",
			Attributes: map[string]schema.Attribute{
				"cpus":               optStr("CPUs, such as `0.5`."),
				"memory":             optStr("Memory limit: " + containerspec.AcceptedSize + "."),
				"memory_reservation": optStr("Memory soft limit, same forms as `memory`."),
			},
		},
		"stop_signal": optStr("Signal that stops the container: " +
			containerspec.AcceptedSignal + "."),
		"stop_grace_period": duration("Time to wait after the stop signal before killing."),
		"log_driver":        optStr("Logging driver; the daemon's default when unset."),
		"log_options":       strMap("Options of the logging driver."),
		"capabilities": schema.SingleNestedAttribute{
			Optional: true,
			Description: "Kernel capabilities to add and drop: " +
				containerspec.AcceptedCapability + ".",
			Attributes: map[string]schema.Attribute{
				"add":  strList("Capabilities to add."),
				"drop": strList("Capabilities to drop; `ALL` drops every one not added."),
			},
		},
		"read_only":   optBool("Mount the container's root file system read-only."),
		"privileged":  optBool("Run privileged."),
		"init":        optBool("Run an init process as PID 1."),
		"tmpfs":       strMap("tmpfs mounts: container path to mount options such as `size=64m`."),
		"dns":         strList("DNS servers, in order: IP addresses."),
		"extra_hosts": strList("Extra `/etc/hosts` entries: " + containerspec.AcceptedExtraHost + "."),
		"sysctls":     strMap("Kernel parameters; each key is " + containerspec.AcceptedSysctl + "."),
		"ulimits": schema.ListNestedAttribute{
			Optional:    true,
			Description: "Resource limits of the process, such as `nofile`.",
			NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
				"name": schema.StringAttribute{Required: true,
					Description: "Limit name: " + containerspec.AcceptedUlimit + "."},
				"soft": schema.Int64Attribute{Required: true, Description: "Soft limit."},
				"hard": schema.Int64Attribute{Optional: true,
					Description: "Hard limit; the soft limit when unset."},
			}},
		},
	}
}

// timeoutsAttribute is the timeouts package's attribute with descriptions:
// its Opts describe the fields, and the outer description is set on the
// nested attribute it returns.
func timeoutsAttribute(ctx context.Context) schema.Attribute {
	a := timeouts.Attributes(ctx, timeouts.Opts{
		Create: true, Update: true, Delete: true,
		CreateDescription: "Bound on a whole create, as a duration such as `10m`. Default `10m`.",
		UpdateDescription: "Bound on a whole update, as a duration such as `20m`. Default `20m`.",
		DeleteDescription: "Bound on a whole delete, as a duration such as `5m`. Default `5m`.",
	})
	nested, ok := a.(schema.SingleNestedAttribute)
	if !ok {
		return a
	}
	nested.Description = "How long a create, update or delete may take in all. A rollout " +
		"cut short by it stops like `failure_action = \"pause\"` and records its progress."
	return nested
}
