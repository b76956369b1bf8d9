package dockerhost

import (
	"crypto/ed25519"
	"errors"
	"fmt"
	"net"
	"os"
	"os/user"
	"path/filepath"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// defaultIdentityFiles are tried, like ssh does, for an ssh:// host that names
// no auth profile.
var defaultIdentityFiles = []string{"~/.ssh/id_ed25519", "~/.ssh/id_ecdsa", "~/.ssh/id_rsa"}

// sshAuth is what an SSH connection needs to log in and to trust the server.
// Keys from files are read once; the agent is asked on every dial, since it
// may gain or lose keys while the provider runs.
type sshAuth struct {
	user         string
	identityFile string
	identity     ssh.Signer
	useAgent     bool

	knownHostsFile string
	knownHosts     ssh.HostKeyCallback
	insecure       bool
}

// newSSHAuth reads the keys and known_hosts file of a profile; nil means an
// endpoint without a profile, which gets the defaults of ssh itself.
func newSSHAuth(ep Endpoint, prof *SSHProfile) (*sshAuth, error) {
	p := SSHProfile{UseAgent: true}
	if prof != nil {
		p = *prof
	}
	a := &sshAuth{user: ep.User, useAgent: p.UseAgent, insecure: p.InsecureIgnoreHostKey}
	if a.user == "" {
		a.user = p.User
	}
	if a.user == "" {
		a.user = currentUser()
	}
	if a.user == "" {
		return nil, errors.New("no SSH user: put one in the endpoint (ssh://user@host) or in the " +
			"profile's user")
	}

	if err := a.loadIdentity(p.IdentityFile, prof == nil); err != nil {
		return nil, err
	}
	if a.identity == nil && !a.useAgent {
		return nil, errors.New("the ssh profile offers no key: set identity_file or use_agent")
	}
	if a.identity == nil && os.Getenv("SSH_AUTH_SOCK") == "" {
		return nil, errors.New("no SSH key to log in with: SSH_AUTH_SOCK is not set, so there is " +
			"no agent, and no identity_file is given")
	}
	return a, a.loadKnownHosts(p.KnownHostsFile)
}

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// loadIdentity reads the identity file. Without a profile the usual files of
// ssh are tried and passphrase-protected ones skipped, as the agent may hold
// them; a file named in a profile must load.
func (a *sshAuth) loadIdentity(file string, defaults bool) error {
	if file != "" {
		signer, err := readIdentity(file)
		if err != nil {
			return err
		}
		a.identityFile, a.identity = file, signer
		return nil
	}
	if !defaults {
		return nil
	}
	for _, f := range defaultIdentityFiles {
		if signer, err := readIdentity(f); err == nil {
			a.identityFile, a.identity = f, signer
			return nil
		}
	}
	return nil
}

// readIdentity parses a private key file. Its contents never go into errors.
func readIdentity(file string) (ssh.Signer, error) {
	path, err := expandHome(file)
	if err != nil {
		return nil, err
	}
	pemBytes, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading the identity file: %w", err)
	}

	signer, err := ssh.ParsePrivateKey(pemBytes)
	var missing *ssh.PassphraseMissingError
	switch {
	case errors.As(err, &missing):
		return nil, fmt.Errorf("the identity file %s is protected by a passphrase, which the "+
			"provider cannot ask for: load the key into the SSH agent (ssh-add %s), set "+
			"use_agent = true and drop identity_file", file, file)
	case err != nil:
		// The parser's errors name what it could not handle, never the bytes.
		return nil, fmt.Errorf("the identity file %s holds no private key that SSH can read: %w",
			file, err)
	}
	return signer, nil
}

func expandHome(path string) (string, error) {
	if path != "~" && !strings.HasPrefix(path, "~/") {
		return path, nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("expanding %s: %w", path, err)
	}
	return filepath.Join(home, strings.TrimPrefix(path, "~")), nil
}

// loadKnownHosts reads the known_hosts file. A missing file is not an error
// yet: every host is then unknown, and the error of the first connection says
// which line to add.
func (a *sshAuth) loadKnownHosts(file string) error {
	if a.insecure {
		return nil
	}
	if file == "" {
		file = "~/.ssh/known_hosts"
	}
	path, err := expandHome(file)
	if err != nil {
		return err
	}
	a.knownHostsFile = path

	cb, err := knownhosts.New(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		missing := fmt.Errorf("the known_hosts file %s does not exist", path)
		a.knownHosts = func(string, net.Addr, ssh.PublicKey) error { return missing }
		return nil
	case err != nil:
		return fmt.Errorf("reading the known_hosts file %s: %w", path, err)
	}
	a.knownHosts = cb
	return nil
}

// checkHostKey is the host key callback: the key must be in known_hosts, and
// when it is not the error names the key and how to trust it.
func (a *sshAuth) checkHostKey(hostname string, remote net.Addr, key ssh.PublicKey) error {
	if a.insecure {
		return nil
	}
	err := a.knownHosts(hostname, remote, key)
	if err == nil {
		return nil
	}

	hk := &HostKeyError{
		Addr:           hostname,
		KeyType:        key.Type(),
		Fingerprint:    ssh.FingerprintSHA256(key),
		KnownHostsFile: a.knownHostsFile,
		Line:           knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key),
	}
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &keyErr):
		for _, k := range keyErr.Want {
			hk.Conflicts = append(hk.Conflicts,
				fmt.Sprintf("%s line %d (%s)", k.Filename, k.Line, k.Key.Type()))
		}
	case errors.As(err, &revoked):
		hk.Revoked = true
	default:
		hk.Err = err
	}
	return hk
}

// hostKeyAlgorithms puts the algorithms of the keys known for addr first, so
// that a server with several host keys shows the one known_hosts holds rather
// than failing on another of its keys; the others follow, so that a server
// that lost the known key still shows which key it offers instead.
func (a *sshAuth) hostKeyAlgorithms(addr string) []string {
	var known []string
	if !a.insecure {
		probe, _ := ssh.NewPublicKey(ed25519.PublicKey(make([]byte, ed25519.PublicKeySize)))
		var keyErr *knownhosts.KeyError
		err := a.knownHosts(addr, &net.TCPAddr{IP: net.IPv4zero}, probe)
		if errors.As(err, &keyErr) {
			for _, k := range keyErr.Want {
				known = append(known, algorithmsOf(k.Key.Type())...)
			}
		}
	}

	out := []string{}
	seen := map[string]bool{}
	for _, alg := range append(known, ssh.SupportedAlgorithms().HostKeys...) {
		if !seen[alg] {
			seen[alg] = true
			out = append(out, alg)
		}
	}
	return out
}

func algorithmsOf(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// signers gathers the keys to offer: the identity file's, then the agent's.
// It also describes them, by public fingerprint only, for a refused login.
// The returned function closes the agent connection.
func (a *sshAuth) signers(addr string) ([]ssh.Signer, []string, func(), error) {
	var signers []ssh.Signer
	var offered []string
	if a.identity != nil {
		signers = append(signers, a.identity)
		offered = append(offered, "identity file "+a.identityFile+" "+describeKey(a.identity.PublicKey()))
	}
	sock := os.Getenv("SSH_AUTH_SOCK")
	if !a.useAgent || sock == "" {
		return signers, offered, func() {}, nil
	}

	conn, err := net.Dial("unix", sock)
	if err != nil {
		if a.identity != nil {
			return signers, offered, func() {}, nil
		}
		return nil, nil, nil, &SSHSetupError{Addr: addr,
			Err: fmt.Errorf("cannot reach the SSH agent at SSH_AUTH_SOCK: %w", err)}
	}
	fromAgent, err := agent.NewClient(conn).Signers()
	if err != nil {
		_ = conn.Close()
		return nil, nil, nil, &SSHSetupError{Addr: addr,
			Err: fmt.Errorf("listing the keys of the SSH agent: %w", err)}
	}
	for _, s := range fromAgent {
		offered = append(offered, "agent key "+describeKey(s.PublicKey()))
	}
	return append(signers, fromAgent...), offered, func() { _ = conn.Close() }, nil
}

func describeKey(k ssh.PublicKey) string {
	return k.Type() + " " + ssh.FingerprintSHA256(k)
}
