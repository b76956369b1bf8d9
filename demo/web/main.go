// Command web is the demo's web tier. Every request to / counts a visit in the
// database tier, records which container served it, reads both back and
// answers with what the database returned:
//
//	web v1 | container 3f2a9b1c0d4e | visits=7 | last=3f2a9b1c0d4e | db http://10.89.0.11:7000
//
// The container name Docker gives is the replica's, but a process cannot see
// it; the host name inside a container is its short container ID, which the
// replica's state in Terraform records too.
//
// Settings come from the environment: PORT (default 8080) and DB_URL, the
// database's address as reachable from any host (its host's address and
// published port). GET /health answers "ok web <version>" without touching
// the database, so a database outage does not make every web replica
// unhealthy. `web -check` asks the local server for /health and exits 0 or 1.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"
)

// version is set at build time (-ldflags "-X main.version=v2").
var version = "dev"

func main() {
	check := flag.Bool("check", false, "ask the local server for /health and exit 0 or 1")
	flag.Parse()
	port := envOr("PORT", "8080")
	if *check {
		os.Exit(healthCheck(port))
	}

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	self, _ := os.Hostname()
	a := &app{
		self:  self,
		dbURL: strings.TrimRight(os.Getenv("DB_URL"), "/"),
		db:    &http.Client{Timeout: 3 * time.Second},
		log:   log,
	}
	if a.dbURL == "" {
		log.Error("DB_URL is not set: give the database's address, such as http://10.0.0.5:7000")
		os.Exit(1)
	}

	log.Info("serving", "version", version, "port", port, "db", a.dbURL)
	srv := &http.Server{Addr: ":" + port, Handler: a.routes(), ReadHeaderTimeout: 5 * time.Second}
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

type app struct {
	self  string
	dbURL string
	db    *http.Client
	log   *slog.Logger
}

func (a *app) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprintf(w, "ok web %s\n", version)
	})
	mux.HandleFunc("GET /{$}", a.visit)
	return mux
}

// visit writes to the database and reads back what it wrote: the answer shows
// values that went through the database, not values held in this process.
func (a *app) visit(w http.ResponseWriter, r *http.Request) {
	if _, err := a.call(http.MethodPost, "/incr/visits", ""); err != nil {
		a.fail(w, err)
		return
	}
	if _, err := a.call(http.MethodPut, "/kv/last", a.self); err != nil {
		a.fail(w, err)
		return
	}
	visits, err := a.call(http.MethodGet, "/kv/visits", "")
	if err != nil {
		a.fail(w, err)
		return
	}
	last, err := a.call(http.MethodGet, "/kv/last", "")
	if err != nil {
		a.fail(w, err)
		return
	}
	fmt.Fprintf(w, "web %s | container %s | visits=%s | last=%s | db %s\n",
		version, a.self, strings.TrimSpace(visits), strings.TrimSpace(last), a.dbURL)
}

func (a *app) fail(w http.ResponseWriter, err error) {
	a.log.Error("database call failed", "db", a.dbURL, "err", err)
	http.Error(w, fmt.Sprintf("web %s | container %s | database error: %v", version, a.self, err),
		http.StatusBadGateway)
}

// call sends one request to the database and returns the body of a 2xx answer.
func (a *app) call(method, path, body string) (string, error) {
	req, err := http.NewRequest(method, a.dbURL+path, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	resp, err := a.db.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return "", err
	}
	if resp.StatusCode/100 != 2 {
		return "", errors.New(method + " " + path + ": " + resp.Status + ": " +
			strings.TrimSpace(string(out)))
	}
	return string(out), nil
}

// healthCheck asks the server on this machine for /health.
func healthCheck(port string) int {
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
