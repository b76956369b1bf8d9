package dockerhost

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fakeEngineID is what the fake daemons report as their engine ID.
const fakeEngineID = "FAKE:ENGINE:0001"

// fakeDaemon answers the few Docker API calls that the connection tests make,
// the way dockerd does: the API version in a header of /_ping, and JSON.
func fakeDaemon() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		switch {
		case strings.HasSuffix(r.URL.Path, "/_ping"):
			_, _ = w.Write([]byte("OK"))
		case strings.HasSuffix(r.URL.Path, "/info"):
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(map[string]any{
				"ID": fakeEngineID, "Name": "fake", "ServerVersion": "20.10.0",
				"OSType": "linux", "Architecture": "x86_64", "NCPU": 2, "MemTotal": 1 << 30,
			})
		case strings.HasSuffix(r.URL.Path, "/containers/json"):
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("[]"))
		default:
			http.NotFound(w, r)
		}
	})
}

// shortTempDir is a temporary directory with a path short enough for unix
// sockets, whose paths are limited to about 100 bytes.
func shortTempDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "dfl")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir
}

// fakeDaemonSocket serves the fake daemon on a unix socket and returns its
// path.
func fakeDaemonSocket(t *testing.T) string {
	t.Helper()
	path := filepath.Join(shortTempDir(t), "docker.sock")
	ln, err := net.Listen("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(fakeDaemon())
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return path
}

// testPool is a pool with short time-outs, so that a failing test fails fast.
func testPool(profiles map[string]Profile) *Pool {
	if profiles == nil {
		profiles = map[string]Profile{}
	}
	return NewPool(profiles, Options{ConnectTimeout: 3 * time.Second, CallTimeout: 5 * time.Second})
}

// factsOf reaches the target through a fresh pool and asks for the facts.
func factsOf(t *testing.T, pool *Pool, target Target) (Facts, error) {
	t.Helper()
	h, err := pool.Host(target)
	if err != nil {
		return Facts{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return h.Facts(ctx)
}
