package dockerhost

import (
	"fmt"
	"sync"
	"time"
)

// Options bound every host of a pool.
type Options struct {
	// ConnectTimeout bounds establishing a connection (TCP, TLS or SSH).
	ConnectTimeout time.Duration
	// CallTimeout is the deadline put on each Docker API call.
	CallTimeout time.Duration
	// PerHost is how many calls may run at once against one host.
	PerHost int
	// Overall is how many calls may run at once against all hosts.
	Overall int
	// Warn receives warnings about connections, such as one made with host
	// key checking or certificate verification turned off. May be nil.
	Warn WarnFunc
}

// DefaultOptions are used for any zero field of the options given to NewPool.
var DefaultOptions = Options{
	ConnectTimeout: 10 * time.Second,
	CallTimeout:    60 * time.Second,
	PerHost:        4,
	Overall:        16,
}

// Target names one host to reach: its fleet name, endpoint and auth profile.
type Target struct {
	Name     string
	Endpoint string
	Auth     string
}

// Pool hands out one Host per endpoint and auth profile for the life of the
// provider process. Creating a Host does no network I/O; the first call does.
type Pool struct {
	opts     Options
	profiles map[string]Profile
	overall  chan struct{}

	mu    sync.Mutex
	hosts map[string]*Host
}

// NewPool returns a pool that knows the given auth profiles.
func NewPool(profiles map[string]Profile, opts Options) *Pool {
	opts = withDefaults(opts)
	return &Pool{
		opts:     opts,
		profiles: profiles,
		overall:  make(chan struct{}, opts.Overall),
		hosts:    map[string]*Host{},
	}
}

func withDefaults(o Options) Options {
	if o.ConnectTimeout <= 0 {
		o.ConnectTimeout = DefaultOptions.ConnectTimeout
	}
	if o.CallTimeout <= 0 {
		o.CallTimeout = DefaultOptions.CallTimeout
	}
	if o.PerHost <= 0 {
		o.PerHost = DefaultOptions.PerHost
	}
	if o.Overall <= 0 {
		o.Overall = DefaultOptions.Overall
	}
	return o
}

// Options returns the options the pool runs with.
func (p *Pool) Options() Options { return p.opts }

// Profile returns the named auth profile.
func (p *Pool) Profile(name string) (Profile, bool) {
	prof, ok := p.profiles[name]
	return prof, ok
}

// ProfileNames lists the defined profile names, for error messages.
func (p *Pool) ProfileNames() []string {
	return sortedKeys(p.profiles)
}

// Host returns the pool's Host for the target, creating its client on first
// use. Two targets with the same endpoint and profile share one client.
func (p *Pool) Host(t Target) (*Host, error) {
	ep, err := ParseEndpoint(t.Endpoint)
	if err != nil {
		return nil, err
	}

	var prof *Profile
	if t.Auth != "" {
		found, ok := p.profiles[t.Auth]
		if !ok {
			return nil, fmt.Errorf("auth profile %q is not defined in the provider block "+
				"(defined: %s)", t.Auth, listOrNone(p.ProfileNames()))
		}
		prof = &found
	}

	key := t.Endpoint + "\x00" + t.Auth
	p.mu.Lock()
	defer p.mu.Unlock()
	if h, ok := p.hosts[key]; ok {
		return h.withName(t.Name), nil
	}

	c, closeTransport, err := newClient(ep, prof, p.opts)
	if err != nil {
		return nil, fmt.Errorf("preparing a client for %s: %w", t.Endpoint, err)
	}
	h := &Host{
		conn: &conn{
			endpoint: ep,
			auth:     t.Auth,
			client:   c,
			release:  closeTransport,
			perHost:  make(chan struct{}, p.opts.PerHost),
			overall:  p.overall,
			timeout:  p.opts.CallTimeout,
		},
		Name: t.Name,
	}
	p.hosts[key] = h
	return h, nil
}

// Close releases every client of the pool.
func (p *Pool) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, h := range p.hosts {
		h.release()
	}
	p.hosts = map[string]*Host{}
}
