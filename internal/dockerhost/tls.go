package dockerhost

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"time"
)

// tlsConfig builds the client TLS configuration of a profile. Verification is
// on unless the profile explicitly turns it off: a missing CA means the system
// roots, never "trust anything".
func tlsConfig(p *TLSProfile, serverName string) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: serverName}
	if p.ServerName != "" {
		cfg.ServerName = p.ServerName
	}
	cfg.InsecureSkipVerify = p.InsecureSkipVerify

	caPEM, err := pemFrom("ca", p.CAFile, p.CAPEM)
	if err != nil {
		return nil, err
	}
	if caPEM != nil {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(caPEM) {
			return nil, errors.New("the CA holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}

	certPEM, err := pemFrom("cert", p.CertFile, p.CertPEM)
	if err != nil {
		return nil, err
	}
	keyPEM, err := pemFrom("key", p.KeyFile, p.KeyPEM)
	if err != nil {
		return nil, err
	}
	if (certPEM == nil) != (keyPEM == nil) {
		return nil, errors.New("a client certificate needs its key and a key needs its certificate")
	}
	if certPEM != nil {
		pair, err := tls.X509KeyPair(certPEM, keyPEM)
		if err != nil {
			return nil, fmt.Errorf("the client certificate and key do not load: %w", err)
		}
		cfg.Certificates = []tls.Certificate{pair}
	}
	return cfg, nil
}

// pemFrom reads a PEM block from a file or takes it as given. File contents
// are never put into errors.
func pemFrom(what, file, inline string) ([]byte, error) {
	switch {
	case file != "" && inline != "":
		return nil, fmt.Errorf("%s is given both as a file and as PEM; give one", what)
	case inline != "":
		return []byte(inline), nil
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("reading the %s file: %w", what, err)
		}
		return b, nil
	}
	return nil, nil
}

// tlsDialer opens TCP connections and completes the TLS handshake itself, so
// that a handshake failure comes back as a TLSError that says what to fix
// rather than as a connection failure. The Docker client then speaks plain
// HTTP over the returned connection.
type tlsDialer struct {
	addr    string
	config  *tls.Config
	dialer  *net.Dialer
	timeout time.Duration
	warn    WarnFunc
}

func (d *tlsDialer) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	if d.config.InsecureSkipVerify && d.warn != nil {
		d.warn(ctx, "TLS certificate verification is off for this connection: anyone on the "+
			"path can read and change the Docker API traffic",
			map[string]any{"address": d.addr, "setting": "insecure_skip_verify"})
	}

	raw, err := d.dialer.DialContext(ctx, "tcp", d.addr)
	if err != nil {
		return nil, err
	}

	hsCtx, cancel := context.WithTimeout(ctx, d.timeout)
	defer cancel()
	conn := tls.Client(raw, d.config)
	if err := conn.HandshakeContext(hsCtx); err != nil {
		_ = raw.Close()
		return nil, classifyTLS(d.addr, err)
	}
	return &tlsAlertConn{Conn: conn, addr: d.addr}, nil
}

// classifyTLS turns a handshake or alert error into a TLSError when its cause
// is in certificates or protocol; network errors are returned as they are.
func classifyTLS(addr string, err error) error {
	problem := tlsProblemOf(err)
	if problem == 0 {
		return err
	}
	return &TLSError{Problem: problem, Addr: addr, Err: err}
}

func tlsProblemOf(err error) TLSProblem {
	var unknownCA x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	var hostname x509.HostnameError
	var record tls.RecordHeaderError
	var verify *tls.CertificateVerificationError
	switch {
	case errors.As(err, &unknownCA):
		return TLSUnknownAuthority
	case errors.As(err, &invalid) && invalid.Reason == x509.Expired:
		return TLSServerCertExpired
	case errors.As(err, &hostname):
		return TLSNameMismatch
	case errors.As(err, &record):
		return TLSNotSpokenByServer
	case errors.As(err, &verify):
		return TLSVerifyFailed
	}
	return remoteAlertProblem(err)
}

// remoteAlertProblem reads the alert a server sent. crypto/tls reports it as a
// net.OpError "remote error" around an unexported alert type, so its text is
// all there is to go by.
func remoteAlertProblem(err error) TLSProblem {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return 0
	}
	switch alert := op.Err.Error(); {
	case strings.HasSuffix(alert, "expired certificate"),
		strings.HasSuffix(alert, "certificate expired"):
		return TLSClientCertExpired
	case strings.HasSuffix(alert, "bad certificate"),
		strings.HasSuffix(alert, "certificate required"),
		strings.HasSuffix(alert, "unknown certificate authority"),
		strings.HasSuffix(alert, "unsupported certificate"),
		strings.HasSuffix(alert, "certificate revoked"),
		strings.HasSuffix(alert, "handshake failure"):
		return TLSClientCertRejected
	}
	return 0
}

// tlsAlertConn classifies alerts that arrive after the handshake. In TLS 1.3
// the server checks the client certificate only after the client has finished
// its side, so a rejected certificate shows up on the first read.
type tlsAlertConn struct {
	net.Conn
	addr string
}

func (c *tlsAlertConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if err != nil {
		err = classifyTLS(c.addr, err)
	}
	return n, err
}

func (c *tlsAlertConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	if err != nil {
		err = classifyTLS(c.addr, err)
	}
	return n, err
}

// httpsOnlyAnswer is what Go servers, dockerd among them, answer to plain HTTP
// sent to a TLS port.
var httpsOnlyAnswer = []byte("Client sent an HTTP request to an HTTPS server")

// plainConn is a plain TCP connection that recognises the answer of a TLS
// port to plain HTTP in the first bytes it reads.
type plainConn struct {
	net.Conn
	addr    string
	checked bool
}

func (c *plainConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if !c.checked && n > 0 {
		c.checked = true
		if bytes.Contains(p[:n], httpsOnlyAnswer) {
			return 0, &TLSError{Problem: TLSRequiredByServer, Addr: c.addr,
				Err: errors.New(string(httpsOnlyAnswer))}
		}
	}
	return n, err
}

// closeWriter is what Docker's hijacked streams use to half-close stdin.
type closeWriter interface{ CloseWrite() error }

// CloseWrite keeps half-close working through the wrapper.
func (c *tlsAlertConn) CloseWrite() error { return closeWrite(c.Conn) }

// CloseWrite keeps half-close working through the wrapper.
func (c *plainConn) CloseWrite() error { return closeWrite(c.Conn) }

func closeWrite(c net.Conn) error {
	if cw, ok := c.(closeWriter); ok {
		return cw.CloseWrite()
	}
	return nil
}
