package dockerhost

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// testSSHServer is an SSH server that logs in the authorized keys and forwards
// direct-streamlocal channels to unix sockets, as sshd does for the Docker
// socket. It counts connections and keep-alives and can drop every
// connection, to test what the client does then.
type testSSHServer struct {
	addr    string
	hostKey ssh.Signer

	mu         sync.Mutex
	authorized map[string]bool
	conns      []*ssh.ServerConn
	accepted   int
	keepAlives int
	// prohibitForwarding refuses every forwarding, like
	// AllowStreamLocalForwarding no.
	prohibitForwarding bool
}

func newTestSSHServer(t *testing.T, authorized ...ssh.PublicKey) *testSSHServer {
	t.Helper()
	s := &testSSHServer{hostKey: newSigner(t), authorized: map[string]bool{}}
	for _, k := range authorized {
		s.authorized[string(k.Marshal())] = true
	}

	config := &ssh.ServerConfig{PublicKeyCallback: s.checkKey}
	config.AddHostKey(s.hostKey)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close(); s.dropAll() })
	s.addr = ln.Addr().String()

	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c, config)
		}
	}()
	return s
}

func (s *testSSHServer) checkKey(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.authorized[string(key.Marshal())] {
		return nil, nil
	}
	return nil, errors.New("key not authorized")
}

func (s *testSSHServer) serve(c net.Conn, config *ssh.ServerConfig) {
	conn, chans, reqs, err := ssh.NewServerConn(c, config)
	if err != nil {
		_ = c.Close()
		return
	}
	s.mu.Lock()
	s.conns = append(s.conns, conn)
	s.accepted++
	s.mu.Unlock()

	go s.answerRequests(reqs)
	for nc := range chans {
		s.forward(nc)
	}
}

func (s *testSSHServer) answerRequests(reqs <-chan *ssh.Request) {
	for r := range reqs {
		if r.Type == "keepalive@openssh.com" {
			s.mu.Lock()
			s.keepAlives++
			s.mu.Unlock()
		}
		if r.WantReply {
			_ = r.Reply(false, nil)
		}
	}
}

// forward connects a direct-streamlocal channel to the socket it names.
func (s *testSSHServer) forward(nc ssh.NewChannel) {
	if nc.ChannelType() != "direct-streamlocal@openssh.com" {
		_ = nc.Reject(ssh.UnknownChannelType, "only direct-streamlocal is served")
		return
	}
	s.mu.Lock()
	prohibited := s.prohibitForwarding
	s.mu.Unlock()
	if prohibited {
		_ = nc.Reject(ssh.Prohibited, "stream-local forwarding is off")
		return
	}

	var msg struct {
		Path      string
		Reserved0 string
		Reserved1 uint32
	}
	if err := ssh.Unmarshal(nc.ExtraData(), &msg); err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, "bad request")
		return
	}
	up, err := net.Dial("unix", msg.Path)
	if err != nil {
		_ = nc.Reject(ssh.ConnectionFailed, "open failed")
		return
	}
	ch, chReqs, err := nc.Accept()
	if err != nil {
		_ = up.Close()
		return
	}
	go ssh.DiscardRequests(chReqs)
	go func() {
		_, _ = io.Copy(ch, up)
		_ = ch.Close()
	}()
	go func() {
		_, _ = io.Copy(up, ch)
		_ = up.Close()
	}()
}

func (s *testSSHServer) dropAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
	s.conns = nil
}

func (s *testSSHServer) counts() (accepted, keepAlives int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.accepted, s.keepAlives
}

func newSigner(t *testing.T) ssh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return signer
}

// newIdentity writes a new private key to a file, with a passphrase unless it
// is empty, and returns the file and the public key.
func newIdentity(t *testing.T, passphrase string) (string, ssh.PublicKey) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var block *pem.Block
	if passphrase == "" {
		block, err = ssh.MarshalPrivateKey(priv, "test")
	} else {
		block, err = ssh.MarshalPrivateKeyWithPassphrase(priv, "test", []byte(passphrase))
	}
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return file, signer.PublicKey()
}

// knownHostsWith writes a known_hosts file that holds key for addr.
func knownHostsWith(t *testing.T, addr string, key ssh.PublicKey) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "known_hosts")
	line := knownhosts.Line([]string{knownhosts.Normalize(addr)}, key) + "\n"
	if err := os.WriteFile(file, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}
