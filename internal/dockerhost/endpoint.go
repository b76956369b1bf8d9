package dockerhost

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Endpoint schemes this package can dial.
const (
	SchemeUnix = "unix"
	SchemeTCP  = "tcp"
	SchemeSSH  = "ssh"
)

// AcceptedEndpointForms is quoted in every endpoint error so that users see
// what would have worked.
const AcceptedEndpointForms = "unix:///path/to/docker.sock, tcp://host[:port] or " +
	"ssh://user@host[:port][/path/to/docker.sock]"

// DefaultRemoteSocket is the Docker socket used on the far side of an SSH
// endpoint that names no path.
const DefaultRemoteSocket = "/var/run/docker.sock"

// Endpoint is a parsed Docker endpoint address.
type Endpoint struct {
	Raw    string
	Scheme string
	// Host and Port are set for tcp and ssh; Port may be empty, meaning the
	// scheme's default.
	Host string
	Port string
	// User is the SSH login; empty means the profile's user.
	User string
	// Path is the socket path: the local socket for unix, the remote Docker
	// socket for ssh.
	Path string
}

// ParseEndpoint checks an endpoint address and splits it into its parts. The
// error says what is wrong and which forms are accepted.
func ParseEndpoint(raw string) (Endpoint, error) {
	if strings.TrimSpace(raw) == "" {
		return Endpoint{}, fmt.Errorf("endpoint is empty; accepted forms: %s", AcceptedEndpointForms)
	}

	u, err := url.Parse(raw)
	if err != nil || u.Scheme == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q is not a URL; accepted forms: %s",
			raw, AcceptedEndpointForms)
	}

	ep := Endpoint{Raw: raw, Scheme: u.Scheme}
	switch u.Scheme {
	case SchemeUnix:
		return parseUnix(ep, u)
	case SchemeTCP:
		return parseNetwork(ep, u, false)
	case SchemeSSH:
		return parseNetwork(ep, u, true)
	default:
		return Endpoint{}, fmt.Errorf("endpoint %q uses the unsupported scheme %q; accepted forms: %s",
			raw, u.Scheme, AcceptedEndpointForms)
	}
}

func parseUnix(ep Endpoint, u *url.URL) (Endpoint, error) {
	// unix:///run/docker.sock has an empty host; unix://run/docker.sock would
	// silently lose "run" as a host name, so it is refused.
	if u.Host != "" || u.Path == "" || !strings.HasPrefix(u.Path, "/") {
		return Endpoint{}, fmt.Errorf("endpoint %q must name an absolute socket path, "+
			"as in unix:///var/run/docker.sock", ep.Raw)
	}

	ep.Path = u.Path
	return ep, nil
}

func parseNetwork(ep Endpoint, u *url.URL, ssh bool) (Endpoint, error) {
	if u.Hostname() == "" {
		return Endpoint{}, fmt.Errorf("endpoint %q names no host; accepted forms: %s",
			ep.Raw, AcceptedEndpointForms)
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return Endpoint{}, fmt.Errorf("endpoint %q must not carry a query or fragment", ep.Raw)
	}
	if p := u.Port(); p != "" && !validPort(p) {
		return Endpoint{}, fmt.Errorf("endpoint %q has port %q; a port is a number from 1 to 65535",
			ep.Raw, p)
	}

	ep.Host = u.Hostname()
	ep.Port = u.Port()
	if !ssh {
		if u.User != nil {
			return Endpoint{}, fmt.Errorf("endpoint %q carries a user; only ssh:// endpoints do", ep.Raw)
		}
		if u.Path != "" && u.Path != "/" {
			return Endpoint{}, fmt.Errorf("endpoint %q has a path; tcp:// endpoints take host and port only",
				ep.Raw)
		}
		return ep, nil
	}

	if u.User != nil {
		if _, hasPassword := u.User.Password(); hasPassword {
			return Endpoint{}, fmt.Errorf("endpoint %q carries a password; put credentials in an ssh "+
				"auth profile of the provider block instead", redactUserinfo(u))
		}
		ep.User = u.User.Username()
	}
	ep.Path = DefaultRemoteSocket
	if u.Path != "" && u.Path != "/" {
		ep.Path = u.Path
	}
	return ep, nil
}

func validPort(p string) bool {
	n := 0
	for _, r := range p {
		if r < '0' || r > '9' {
			return false
		}
		n = n*10 + int(r-'0')
		if n > 65535 {
			return false
		}
	}
	return n >= 1
}

func redactUserinfo(u *url.URL) string {
	c := *u
	c.User = url.User(u.User.Username())
	return c.String()
}

// Address is the network address other machines use to reach services
// published on this host: the endpoint's host for tcp and ssh, and the
// loopback address for a local socket.
func (e Endpoint) Address() string {
	if e.Scheme == SchemeUnix {
		return "127.0.0.1"
	}
	return e.Host
}

// HostPort is host:port for tcp and ssh endpoints, with the default port
// filled in.
func (e Endpoint) HostPort(defaultPort string) string {
	port := e.Port
	if port == "" {
		port = defaultPort
	}
	return net.JoinHostPort(e.Host, port)
}
