package dockerhost

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"math/big"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testCA issues certificates for the TLS tests.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  string
}

func newTestCA(t *testing.T, name string) testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert: cert, key: key, pem: string(pemOf("CERTIFICATE", der))}
}

// certSpec says what to issue; a zero validity means valid for an hour.
type certSpec struct {
	client   bool
	names    []string
	expired  bool
	serialNo int64
}

// issue returns the PEM of a certificate and of its key.
func (ca testCA) issue(t *testing.T, s certSpec) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(s.serialNo + 2), Subject: pkix.Name{CommonName: "test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	if s.client {
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
	}
	if s.expired {
		tmpl.NotBefore, tmpl.NotAfter = time.Now().Add(-2*time.Hour), time.Now().Add(-time.Hour)
	}
	for _, n := range s.names {
		if ip := net.ParseIP(n); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, n)
		}
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pemOf("CERTIFICATE", der)), string(pemOf("EC PRIVATE KEY", keyDER))
}

func pemOf(kind string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: kind, Bytes: der})
}

// tlsFixture is a fake daemon behind TLS that requires a client certificate
// signed by ca, and a client certificate that it accepts.
type tlsFixture struct {
	ca         testCA
	endpoint   string
	clientCert string
	clientKey  string
}

func newTLSFixture(t *testing.T, server certSpec) tlsFixture {
	t.Helper()
	ca := newTestCA(t, "fleet CA")
	certPEM, keyPEM := ca.issue(t, server)
	pair, err := tls.X509KeyPair([]byte(certPEM), []byte(keyPEM))
	if err != nil {
		t.Fatal(err)
	}
	clients := x509.NewCertPool()
	clients.AddCert(ca.cert)

	srv := httptest.NewUnstartedServer(fakeDaemon())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair},
		ClientAuth: tls.RequireAndVerifyClientCert, ClientCAs: clients}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	clientCert, clientKey := ca.issue(t, certSpec{client: true, serialNo: 1})
	return tlsFixture{ca: ca, endpoint: "tcp://" + srv.Listener.Addr().String(),
		clientCert: clientCert, clientKey: clientKey}
}

func (f tlsFixture) profile() *TLSProfile {
	return &TLSProfile{CAPEM: f.ca.pem, CertPEM: f.clientCert, KeyPEM: f.clientKey}
}

func tlsFacts(t *testing.T, endpoint string, p *TLSProfile) (Facts, error) {
	t.Helper()
	profiles := map[string]Profile{}
	target := Target{Name: "node", Endpoint: endpoint}
	if p != nil {
		profiles["tls"] = Profile{Name: "tls", TLS: p}
		target.Auth = "tls"
	}
	pool := testPool(profiles)
	defer pool.Close()
	return factsOf(t, pool, target)
}

// mustBeTLSProblem checks that err is a TLSError of the wanted problem and
// not an unreachable host.
func mustBeTLSProblem(t *testing.T, err error, want TLSProblem) {
	t.Helper()
	var tlsErr *TLSError
	if !errors.As(err, &tlsErr) {
		t.Fatalf("error %v is not a TLSError", err)
	}
	t.Logf("failed as expected: %v", err)
	if tlsErr.Problem != want {
		t.Errorf("problem = %d (%s), want %d (%s)", tlsErr.Problem, tlsAdvice[tlsErr.Problem],
			want, tlsAdvice[want])
	}
	if IsUnreachable(err) {
		t.Errorf("a TLS refusal counts as unreachable: %v", err)
	}
}

var localServer = certSpec{names: []string{"127.0.0.1"}}

func TestTLSConnects(t *testing.T) {
	f := newTLSFixture(t, localServer)
	facts, err := tlsFacts(t, f.endpoint, f.profile())
	if err != nil || facts.EngineID != fakeEngineID {
		t.Fatalf("facts = %+v, %v", facts, err)
	}

	// The same from files.
	dir := t.TempDir()
	p := &TLSProfile{}
	for name, body := range map[string]string{"ca": f.ca.pem, "cert": f.clientCert, "key": f.clientKey} {
		file := filepath.Join(dir, name+".pem")
		if err := os.WriteFile(file, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	p.CAFile, p.CertFile, p.KeyFile = dir+"/ca.pem", dir+"/cert.pem", dir+"/key.pem"
	if _, err := tlsFacts(t, f.endpoint, p); err != nil {
		t.Fatal(err)
	}
}

func TestTLSWrongCA(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.CAPEM = newTestCA(t, "other CA").pem
	_, err := tlsFacts(t, f.endpoint, p)
	mustBeTLSProblem(t, err, TLSUnknownAuthority)
	if !strings.Contains(err.Error(), "ca_file or ca_pem") {
		t.Errorf("error does not say which setting to fix: %v", err)
	}
}

func TestTLSCertificateWithoutCAStillVerifies(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.CAPEM = ""
	_, err := tlsFacts(t, f.endpoint, p)
	mustBeTLSProblem(t, err, TLSUnknownAuthority)
}

func TestTLSMissingClientCertificate(t *testing.T) {
	f := newTLSFixture(t, localServer)
	_, err := tlsFacts(t, f.endpoint, &TLSProfile{CAPEM: f.ca.pem})
	mustBeTLSProblem(t, err, TLSClientCertRejected)
}

func TestTLSClientCertificateOfAnotherCA(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.CertPEM, p.KeyPEM = newTestCA(t, "other CA").issue(t, certSpec{client: true})
	_, err := tlsFacts(t, f.endpoint, p)
	mustBeTLSProblem(t, err, TLSClientCertRejected)
}

func TestTLSExpiredClientCertificate(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.CertPEM, p.KeyPEM = f.ca.issue(t, certSpec{client: true, expired: true, serialNo: 7})
	_, err := tlsFacts(t, f.endpoint, p)
	mustBeTLSProblem(t, err, TLSClientCertExpired)
}

func TestTLSExpiredServerCertificate(t *testing.T) {
	f := newTLSFixture(t, certSpec{names: []string{"127.0.0.1"}, expired: true})
	_, err := tlsFacts(t, f.endpoint, f.profile())
	mustBeTLSProblem(t, err, TLSServerCertExpired)
}

func TestTLSNameMismatchAndServerName(t *testing.T) {
	f := newTLSFixture(t, certSpec{names: []string{"docker.example"}})
	_, err := tlsFacts(t, f.endpoint, f.profile())
	mustBeTLSProblem(t, err, TLSNameMismatch)

	p := f.profile()
	p.ServerName = "docker.example"
	if _, err := tlsFacts(t, f.endpoint, p); err != nil {
		t.Fatalf("with server_name: %v", err)
	}
}

func TestPlainHTTPToTLSPort(t *testing.T) {
	f := newTLSFixture(t, localServer)
	_, err := tlsFacts(t, f.endpoint, nil)
	mustBeTLSProblem(t, err, TLSRequiredByServer)
}

func TestTLSToPlainHTTPPort(t *testing.T) {
	srv := httptest.NewServer(fakeDaemon())
	t.Cleanup(srv.Close)
	f := newTLSFixture(t, localServer)
	_, err := tlsFacts(t, "tcp://"+srv.Listener.Addr().String(), f.profile())
	mustBeTLSProblem(t, err, TLSNotSpokenByServer)
}

func TestTLSInsecureSkipVerifyWarns(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.CAPEM, p.InsecureSkipVerify = newTestCA(t, "other CA").pem, true
	warned := 0
	pool := NewPool(map[string]Profile{"tls": {Name: "tls", TLS: p}}, Options{
		Warn: func(context.Context, string, map[string]any) { warned++ },
	})
	defer pool.Close()
	if _, err := factsOf(t, pool, Target{Name: "n", Endpoint: f.endpoint, Auth: "tls"}); err != nil {
		t.Fatal(err)
	}
	if warned == 0 {
		t.Error("no warning for a connection without certificate verification")
	}
}

func TestTLSClosedPortIsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	endpoint := "tcp://" + ln.Addr().String()
	_ = ln.Close()
	f := newTLSFixture(t, localServer)

	_, err = tlsFacts(t, endpoint, f.profile())
	if !IsUnreachable(err) || IsAuthFailure(err) {
		t.Errorf("closed TLS port: IsUnreachable = %v, IsAuthFailure = %v (%v)",
			IsUnreachable(err), IsAuthFailure(err), err)
	}
}

func TestTLSErrorsNeverHoldPEM(t *testing.T) {
	f := newTLSFixture(t, localServer)
	p := f.profile()
	p.KeyPEM = strings.Replace(p.KeyPEM, "\n", "\nX", 2)
	_, err := tlsFacts(t, f.endpoint, p)
	if err == nil {
		t.Fatal("a broken key loaded")
	}
	for _, line := range strings.Split(f.clientKey, "\n")[1:3] {
		if strings.Contains(err.Error(), line) {
			t.Errorf("error holds key material: %v", err)
		}
	}
}
