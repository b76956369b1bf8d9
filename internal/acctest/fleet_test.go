package acctest

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/docker/docker/client"
)

// TestAccFleet checks the fleet itself, so that a broken fleet fails here with
// a plain message rather than somewhere inside a resource test: every host
// answers on its socket and on its network endpoint, engine IDs are distinct,
// and the test images have the same ID everywhere.
func TestAccFleet(t *testing.T) {
	PreCheck(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	names := strings.Fields(os.Getenv("DFL_HOSTS"))
	if len(names) < 3 {
		t.Fatalf("DFL_HOSTS=%q: the fleet has fewer than 3 hosts", os.Getenv("DFL_HOSTS"))
	}
	ids := map[string]string{}
	images := map[string]string{}
	for _, name := range names {
		id := engineID(ctx, t, name, Docker(t, name))
		if other, dup := ids[id]; dup {
			t.Errorf("%s and %s share the engine ID %s", other, name, id)
		}
		ids[id] = name

		overNetwork := networkClient(t, Host(t, name))
		if got := engineID(ctx, t, name, overNetwork); got != id {
			t.Errorf("%s: its network endpoint reports engine %s, its socket %s", name, got, id)
		}
		checkImages(ctx, t, name, Docker(t, name), images)
	}
}

func engineID(ctx context.Context, t *testing.T, name string, c *client.Client) string {
	t.Helper()
	info, err := c.Info(ctx)
	if err != nil {
		t.Fatalf("%s does not answer at %s: %v", name, c.DaemonHost(), err)
	}
	if info.ID == "" {
		t.Fatalf("%s reports no engine ID", name)
	}
	return info.ID
}

// networkClient reaches a host the way a remote user would: plain TCP, or
// TLS with the fleet's client certificate on the TLS host.
func networkClient(t *testing.T, h FleetHost) *client.Client {
	t.Helper()
	opts := []client.Opt{client.WithAPIVersionNegotiation(), client.WithHost(h.TCP)}
	if h.TLS != "" {
		opts = []client.Opt{client.WithAPIVersionNegotiation(), client.WithHost(h.TLS),
			client.WithTLSClientConfig(os.Getenv("DFL_TLS_CA"), os.Getenv("DFL_TLS_CERT"),
				os.Getenv("DFL_TLS_KEY"))}
	}

	c, err := client.NewClientWithOpts(opts...)
	if err != nil {
		t.Fatalf("%s: docker client: %v", h.Name, err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// checkImages records the test images' IDs on the first host and compares
// the others with them.
func checkImages(ctx context.Context, t *testing.T, name string, c *client.Client,
	seen map[string]string) {
	t.Helper()
	for _, ref := range []string{os.Getenv("DFL_IMAGE"), os.Getenv("DFL_IMAGE_V2")} {
		img, err := c.ImageInspect(ctx, ref)
		if err != nil {
			t.Errorf("%s: test image %s: %v", name, ref, err)
			continue
		}
		if want, ok := seen[ref]; ok && want != img.ID {
			t.Errorf("%s: %s has ID %s, other hosts %s", name, ref, img.ID, want)
		}
		seen[ref] = img.ID
	}
}
