// Command db is the demo's database tier: a small key-value store over HTTP
// that keeps its data in one JSON file, rewritten atomically on every write.
//
//	GET  /kv/{key}    the value, or 404
//	PUT  /kv/{key}    store the request body as the value
//	POST /incr/{key}  add one to an integer value (missing counts as 0), answer the new value
//	GET  /health      "ok" once the data file has been read
//
// Settings come from the environment: DB_LISTEN (default ":7000") and DB_FILE
// (default "/data/kv.json"). `db -check` asks the local server for /health and
// exits 0 or 1, for a container health check in an image without a shell.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// maxValue bounds a stored value: this is a demo store, not a blob store.
const maxValue = 64 << 10

func main() {
	check := flag.Bool("check", false, "ask the local server for /health and exit 0 or 1")
	flag.Parse()
	listen := envOr("DB_LISTEN", ":7000")
	if *check {
		os.Exit(healthCheck(listen))
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	s, err := openStore(envOr("DB_FILE", "/data/kv.json"))
	if err != nil {
		log.Error("cannot open the data file", "err", err)
		os.Exit(1)
	}
	log.Info("serving", "listen", listen, "file", s.path, "keys", len(s.data))
	srv := &http.Server{Addr: listen, Handler: s.routes(log), ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		log.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

func envOr(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// store is the whole database: a map in memory, mirrored to one file. Every
// write holds the lock while the file is replaced, so what a client was told
// is stored survives a restart of the container.
type store struct {
	mu   sync.Mutex
	path string
	data map[string]string
}

func openStore(path string) (*store, error) {
	s := &store{path: path, data: map[string]string{}}
	raw, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw, &s.data); err != nil {
		return nil, fmt.Errorf("%s is not a JSON object of strings: %w", path, err)
	}
	return s, nil
}

// save writes the map to a temporary file beside the data file, syncs it and
// renames it over the data file: a crash leaves the old or the new file whole.
func (s *store) save() error {
	raw, err := json.Marshal(s.data)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".kv-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())

	if _, err := tmp.Write(raw); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), s.path)
}

func (s *store) get(key string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.data[key]
	return v, ok
}

func (s *store) put(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.data[key]
	s.data[key] = value
	if err := s.save(); err != nil {
		s.restore(key, old, had)
		return err
	}
	return nil
}

func (s *store) incr(key string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.data[key]
	n := int64(0)
	if had {
		var err error
		if n, err = strconv.ParseInt(old, 10, 64); err != nil {
			return 0, fmt.Errorf("value of %q is %q, not an integer", key, old)
		}
	}
	n++
	s.data[key] = strconv.FormatInt(n, 10)
	if err := s.save(); err != nil {
		s.restore(key, old, had)
		return 0, err
	}
	return n, nil
}

// restore undoes a change in memory whose file write failed.
func (s *store) restore(key, old string, had bool) {
	if had {
		s.data[key] = old
	} else {
		delete(s.data, key)
	}
}

func (s *store) routes(log *slog.Logger) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, "ok\n")
	})
	mux.HandleFunc("GET /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		v, ok := s.get(r.PathValue("key"))
		if !ok {
			http.Error(w, "no such key", http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, v)
	})
	mux.HandleFunc("PUT /kv/{key}", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxValue))
		if err != nil {
			http.Error(w, "value too large or unreadable", http.StatusRequestEntityTooLarge)
			return
		}
		if err := s.put(r.PathValue("key"), string(body)); err != nil {
			log.Error("write failed", "key", r.PathValue("key"), "err", err)
			http.Error(w, "write failed: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /incr/{key}", func(w http.ResponseWriter, r *http.Request) {
		n, err := s.incr(r.PathValue("key"))
		if err != nil {
			log.Error("increment failed", "key", r.PathValue("key"), "err", err)
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		fmt.Fprintf(w, "%d\n", n)
	})
	return mux
}

// healthCheck asks the server on this machine for /health.
func healthCheck(listen string) int {
	port := listen[strings.LastIndex(listen, ":")+1:]
	c := http.Client{Timeout: 2 * time.Second}
	resp, err := c.Get("http://127.0.0.1:" + port + "/health")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		fmt.Fprintln(os.Stderr, "health:", resp.Status)
		return 1
	}
	return 0
}
