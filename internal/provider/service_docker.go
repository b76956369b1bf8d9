package provider

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/client"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/containerspec"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/labels"
	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/rollout"
)

// This file holds the Docker side of dockerfleet_service: what one host runs
// for a service, images, and the rollout.Engine that replaces containers.

// hostObservation is what one refresh call set found on a host.
type hostObservation struct {
	engineID   string
	containers []container.Summary
	// imageID is what the service's image reference resolves to on the host;
	// empty when the image is not there.
	imageID string
}

// serviceFilter selects the containers of one service on one host: one list
// call finds them all, whatever the replica count.
func serviceFilter(service, host string) filters.Args {
	f := labels.OwnerFilter(labels.KindService, service)
	f.Add("label", containerspec.LabelHost+"="+host)
	return f
}

// observeHost reads a host with one list call and one image inspect; the
// engine facts are cached per provider process.
func observeHost(ctx context.Context, h *dockerhost.Host, service, ref string) (hostObservation, error) {
	facts, err := h.Facts(ctx)
	if err != nil {
		return hostObservation{}, err
	}
	obs := hostObservation{engineID: facts.EngineID}
	err = h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		obs.containers, err = c.ContainerList(ctx, container.ListOptions{
			All: true, Filters: serviceFilter(service, h.Name)})
		return err
	})
	if err != nil || ref == "" {
		return obs, err
	}
	obs.imageID, err = imageID(ctx, h, ref)
	return obs, err
}

// imageID is the ID the reference resolves to on the host, empty when the
// host does not have it.
func imageID(ctx context.Context, h *dockerhost.Host, ref string) (string, error) {
	var id string
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		img, err := c.ImageInspect(ctx, ref)
		if dockerhost.IsNotFound(err) {
			return nil
		}
		id = img.ID
		return err
	})
	return id, err
}

// ensureImage resolves the image on a host by the pull policy and returns its
// ID. No registry answering is an error only when the image is missing.
func ensureImage(ctx context.Context, h *dockerhost.Host, ref, pull string) (string, error) {
	if pull != containerspec.PullAlways {
		id, err := imageID(ctx, h, ref)
		if err != nil || id != "" {
			return id, err
		}
		if pull == containerspec.PullNever {
			return "", fmt.Errorf("image %q is not on host %q and pull = \"never\"; load it "+
				"there (docker load) or set pull to \"missing\"", ref, h.Name)
		}
	}

	tflog.Info(ctx, "pulling image", map[string]any{"host": h.Name, "image": ref})
	err := h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		rc, err := c.ImagePull(ctx, ref, image.PullOptions{})
		if err != nil {
			return err
		}
		defer rc.Close()
		// The pull ends when its progress stream does.
		_, err = io.Copy(io.Discard, rc)
		return err
	})
	if err != nil {
		return "", fmt.Errorf("pulling image %q on host %q: %w", ref, h.Name, err)
	}
	id, err := imageID(ctx, h, ref)
	if err == nil && id == "" {
		err = fmt.Errorf("image %q is still missing on host %q after the pull", ref, h.Name)
	}
	return id, err
}

// containerName is the Docker name of a list entry, without its slash.
func containerName(c container.Summary) string {
	if len(c.Names) == 0 {
		return c.ID
	}
	return strings.TrimPrefix(c.Names[0], "/")
}

// removeContainer stops and removes a container; one already gone is done.
// It stops first, as `docker stop` does, so that the process gets its
// stop_signal and stop_grace_period (recorded in the container's own config)
// before anything is killed; a grace period longer than the provider's
// call_timeout is cut short there. A removal already under way is waited for,
// a few seconds at most: it is what a request from a call that timed out does
// when the network delivers it late, after a host was cut off and came back.
func removeContainer(ctx context.Context, h *dockerhost.Host, id string) error {
	if id == "" {
		return nil
	}
	err := h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		return c.ContainerStop(ctx, id, container.StopOptions{})
	})
	if dockerhost.IsNotFound(err) {
		return nil
	}

	// Whatever the stop said, the forced removal below finishes the job.
	for try := 1; ; try++ {
		err := h.Call(ctx, func(ctx context.Context, c *client.Client) error {
			return c.ContainerRemove(ctx, id, container.RemoveOptions{Force: true})
		})
		switch {
		case err == nil || dockerhost.IsNotFound(err):
			return nil
		case !removalInProgress(err) || try == removeTries:
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// removeTries bounds how often a removal already in progress is waited for.
const removeTries = 20

func removalInProgress(err error) bool {
	return cerrdefs.IsConflict(err) && strings.Contains(err.Error(), "already in progress")
}

// serviceEngine implements rollout.Engine over Docker for one apply. Changes
// are keyed by replica and host, since a moved replica is removed on one host
// and created on another.
type serviceEngine struct {
	service string
	spec    containerspec.Spec
	// priorSpec and the prior instances are what Restore puts back;
	// priorDigest is the digest of priorSpec.
	priorSpec   *containerspec.Spec
	priorDigest string
	// settings and priorSettings go to the settings label, for import.
	settings, priorSettings string
	hosts                   map[string]*dockerhost.Host
	// replicas are the desired replicas by name, digest included.
	replicas map[string]containerspec.Replica
	prior    map[string]instanceModel

	mu       sync.Mutex
	started  map[string]string // change key -> new container ID
	tempName map[string]bool   // change key -> started under a temporary name
	retired  map[string]bool   // change key -> old container gone
	restored map[string]string // change key -> restored container ID
}

var _ rollout.Engine = (*serviceEngine)(nil)

func changeKey(c rollout.Change) string { return c.Replica + "@" + c.Host }

func (e *serviceEngine) host(name string) (*dockerhost.Host, error) {
	h, ok := e.hosts[name]
	if !ok {
		return nil, fmt.Errorf("host %q is not reachable in this apply", name)
	}
	return h, nil
}

// oldOnHost is the prior container of the change's replica on its host, if
// it has not been retired yet.
func (e *serviceEngine) oldOnHost(c rollout.Change) (string, bool) {
	was, ok := e.prior[c.Replica]
	if !ok || was.Host.ValueString() != c.Host || was.ContainerID.ValueString() == "" {
		return "", false
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.retired[changeKey(c)] {
		return "", false
	}
	return was.ContainerID.ValueString(), true
}

func (e *serviceEngine) StartNew(ctx context.Context, c rollout.Change) error {
	rep, ok := e.replicas[c.Replica]
	if !ok {
		return fmt.Errorf("replica %q is not planned", c.Replica)
	}
	name := rep.Name
	_, oldRuns := e.oldOnHost(c)
	if oldRuns {
		// Start-first: the old container keeps its name until retired.
		name += "-next"
	}
	id, err := e.create(ctx, c.Host, e.spec, e.settings, rep, name)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.started[changeKey(c)] = id
	e.tempName[changeKey(c)] = oldRuns
	e.mu.Unlock()
	return nil
}

// create makes and starts a container. A leftover container of this service
// under the same name (a half-done earlier apply) is removed first; one that
// belongs to anything else is an error.
func (e *serviceEngine) create(ctx context.Context, hostName string, spec containerspec.Spec,
	settings string, rep containerspec.Replica, name string) (string, error) {
	h, err := e.host(hostName)
	if err != nil {
		return "", err
	}
	if err := e.clearName(ctx, h, name); err != nil {
		return "", err
	}

	cfg, hostCfg, netCfg := containerspec.ContainerConfig(spec, rep)
	if settings != "" {
		cfg.Labels[labels.Settings] = settings
	}
	var id string
	err = h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		created, err := c.ContainerCreate(ctx, cfg, hostCfg, netCfg, nil, name)
		id = created.ID
		return err
	})
	if err != nil {
		return "", fmt.Errorf("creating container %q: %w", name, err)
	}
	tflog.Debug(ctx, "container created", map[string]any{
		"host": hostName, "replica": rep.Name, "container": name, "container_id": id})

	for _, n := range containerspec.AdditionalNetworks(spec) {
		err := h.Call(ctx, func(ctx context.Context, c *client.Client) error {
			return c.NetworkConnect(ctx, n.Name, id, endpointSettings(n))
		})
		if err != nil {
			return id, fmt.Errorf("connecting container %q to network %q: %w", name, n.Name, err)
		}
	}
	err = h.Call(ctx, func(ctx context.Context, c *client.Client) error {
		return c.ContainerStart(ctx, id, container.StartOptions{})
	})
	if err != nil {
		return id, fmt.Errorf("starting container %q: %w", name, err)
	}
	return id, nil
}

func (e *serviceEngine) clearName(ctx context.Context, h *dockerhost.Host, name string) error {
	var found container.InspectResponse
	err := h.Read(ctx, func(ctx context.Context, c *client.Client) error {
		var err error
		found, err = c.ContainerInspect(ctx, name)
		return err
	})
	if dockerhost.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if found.Config == nil || !labels.Owner(found.Config.Labels, labels.KindService, e.service) {
		return fmt.Errorf("a container named %q that does not belong to service %q exists on "+
			"host %q; rename or remove it", name, e.service, h.Name)
	}
	tflog.Debug(ctx, "removing leftover container", map[string]any{"host": h.Name, "container": name})
	return removeContainer(ctx, h, found.ID)
}

func (e *serviceEngine) Observe(ctx context.Context, c rollout.Change) (rollout.Observation, error) {
	e.mu.Lock()
	id := e.started[changeKey(c)]
	e.mu.Unlock()
	h, err := e.host(c.Host)
	if err != nil {
		return rollout.Observation{}, err
	}

	var got container.InspectResponse
	err = h.Read(ctx, func(ctx context.Context, cl *client.Client) error {
		var err error
		got, err = cl.ContainerInspect(ctx, id)
		return err
	})
	if err != nil && ctx.Err() == nil && dockerhost.IsUnreachable(err) {
		// A silent host fails the replica now, within the call deadline,
		// instead of being polled until the health deadline.
		return rollout.Observation{}, fmt.Errorf("%w: %w", rollout.ErrHostGone, err)
	}
	if err != nil || got.State == nil {
		return rollout.Observation{}, err
	}
	return observation(got.State), nil
}

func observation(s *container.State) rollout.Observation {
	obs := rollout.Observation{Running: s.Running, ExitCode: s.ExitCode}
	if s.Health == nil || s.Health.Status == container.NoHealthcheck {
		obs.Healthy = s.Running
		return obs
	}
	obs.Healthy = s.Health.Status == container.Healthy
	obs.Unhealthy = s.Health.Status == container.Unhealthy
	if n := len(s.Health.Log); n > 0 {
		obs.HealthOutput = strings.TrimSpace(s.Health.Log[n-1].Output)
	}
	return obs
}

func (e *serviceEngine) RetireOld(ctx context.Context, c rollout.Change) error {
	h, err := e.host(c.Host)
	if err != nil {
		return err
	}
	if old, ok := e.oldOnHost(c); ok {
		if err := removeContainer(ctx, h, old); err != nil {
			return fmt.Errorf("removing the old container of replica %q: %w", c.Replica, err)
		}
	}
	e.mu.Lock()
	e.retired[changeKey(c)] = true
	id, temp := e.started[changeKey(c)], e.tempName[changeKey(c)]
	e.mu.Unlock()
	if !temp {
		return nil
	}

	// The new container ran under a temporary name beside the old one.
	err = h.Call(ctx, func(ctx context.Context, cl *client.Client) error {
		return cl.ContainerRename(ctx, id, e.replicas[c.Replica].Name)
	})
	if err == nil {
		e.mu.Lock()
		e.tempName[changeKey(c)] = false
		e.mu.Unlock()
	}
	return err
}

// Quarantine stops a failed new container and renames it aside, so that it
// stays for inspection without holding the replica's name or its ports. The
// next successful apply removes it (it shows in extra_containers).
func (e *serviceEngine) Quarantine(ctx context.Context, c rollout.Change) error {
	e.mu.Lock()
	id := e.started[changeKey(c)]
	delete(e.started, changeKey(c))
	e.mu.Unlock()
	if id == "" {
		return nil
	}
	h, err := e.host(c.Host)
	if err != nil {
		return err
	}
	name := fmt.Sprintf("%s-failed-%s", c.Replica, shortID(id))
	return h.Call(ctx, func(ctx context.Context, cl *client.Client) error {
		timeout := 5
		if err := cl.ContainerStop(ctx, id, container.StopOptions{Timeout: &timeout}); err != nil &&
			!dockerhost.IsNotFound(err) {
			return err
		}
		return cl.ContainerRename(ctx, id, name)
	})
}

// Restore puts the previous spec back on a replaced replica: the new
// container goes, and a container of the prior spec starts under the
// replica's name.
func (e *serviceEngine) Restore(ctx context.Context, c rollout.Change) error {
	was, ok := e.prior[c.Replica]
	if !ok || e.priorSpec == nil {
		return fmt.Errorf("the previous spec of replica %q is not known", c.Replica)
	}
	if _, oldThere := e.oldOnHost(c); !oldThere && was.Digest.ValueString() != e.priorDigest {
		// After an unfinished rollout the state's spec is not what every
		// replica ran; this one's spec is known only by its digest.
		// TODO: keep retired containers aside until the rollout ends, so that
		// a rollback can restart them whatever spec they ran.
		return fmt.Errorf("replica %q ran a spec left by an earlier rollout that did not "+
			"finish, which is no longer known; apply a working spec to repair it", c.Replica)
	}
	h, err := e.host(c.Host)
	if err != nil {
		return err
	}
	e.mu.Lock()
	newID := e.started[changeKey(c)]
	e.mu.Unlock()
	if err := removeContainer(ctx, h, newID); err != nil {
		return err
	}

	rep := e.replicas[c.Replica]
	rep.Digest = was.Digest.ValueString()
	if ports := listInts(was.Ports); len(ports) > 0 {
		rep.Port = rangePortOf(*e.priorSpec, ports)
	}
	if old, stillThere := e.oldOnHost(c); stillThere {
		e.mu.Lock()
		e.restored[changeKey(c)] = old
		e.mu.Unlock()
		return nil
	}
	id, err := e.create(ctx, c.Host, *e.priorSpec, e.priorSettings, rep, rep.Name)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.restored[changeKey(c)] = id
	delete(e.started, changeKey(c))
	e.mu.Unlock()
	return nil
}

func (e *serviceEngine) Remove(ctx context.Context, c rollout.Change) error {
	was, ok := e.prior[c.Replica]
	if !ok || was.Host.ValueString() != c.Host {
		return nil
	}
	h, err := e.host(c.Host)
	if err != nil {
		return err
	}
	return removeContainer(ctx, h, was.ContainerID.ValueString())
}

func (e *serviceEngine) Logs(ctx context.Context, c rollout.Change, lines int) string {
	e.mu.Lock()
	id := e.started[changeKey(c)]
	e.mu.Unlock()
	h, err := e.host(c.Host)
	if err != nil || id == "" {
		return ""
	}
	var out bytes.Buffer
	_ = h.Read(ctx, func(ctx context.Context, cl *client.Client) error {
		rc, err := cl.ContainerLogs(ctx, id, container.LogsOptions{
			ShowStdout: true, ShowStderr: true, Tail: fmt.Sprint(lines)})
		if err != nil {
			return err
		}
		defer rc.Close()
		out.Reset()
		_, err = stdcopy.StdCopy(&out, &out, rc)
		return err
	})
	return strings.TrimRight(out.String(), "\n")
}

// rangePortOf picks, from a replica's published ports, the one that came
// from the spec's port range (0 when none).
func rangePortOf(spec containerspec.Spec, ports []int) int {
	i := 0
	for _, p := range spec.Ports {
		first, last, err := containerspec.ParsePublished(p.Published)
		if err != nil || first == 0 {
			continue
		}
		if last > first && i < len(ports) {
			return ports[i]
		}
		i++
	}
	return 0
}

func shortID(id string) string {
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

func endpointSettings(n containerspec.Network) *network.EndpointSettings {
	return &network.EndpointSettings{Aliases: n.Aliases}
}
