package dockerhost

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
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
