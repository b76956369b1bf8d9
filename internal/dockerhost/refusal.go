package dockerhost

import (
	"errors"
	"fmt"
	"strings"
)

// IsAuthFailure reports whether err means that the host answered but the
// connection could not be trusted or was refused: an SSH host key that is
// unknown or changed, an SSH login or forwarding the server refused, or a TLS
// handshake that failed on certificates. Such errors are never unreachable:
// trying again cannot fix them, and keeping the last known state would hide
// a problem the user must act on.
func IsAuthFailure(err error) bool {
	if err == nil {
		return false
	}
	var hostKey *HostKeyError
	var login *SSHLoginError
	var forward *SSHForwardError
	var setup *SSHSetupError
	var tlsErr *TLSError
	return errors.As(err, &hostKey) || errors.As(err, &login) || errors.As(err, &forward) ||
		errors.As(err, &setup) || errors.As(err, &tlsErr)
}

// HostKeyError says that an SSH server offered a host key that the known_hosts
// file does not vouch for. It names the key so that the user can compare it
// with the real one before trusting it.
type HostKeyError struct {
	// Addr is the host:port that was dialled.
	Addr string
	// KeyType and Fingerprint describe the key the server offered; the
	// fingerprint is in the SHA256:... form of ssh-keygen -l.
	KeyType     string
	Fingerprint string
	// KnownHostsFile is the file that was searched; empty when host key
	// checking had no file at all.
	KnownHostsFile string
	// Conflicts lists the file:line entries that hold another key for the
	// host. Empty means the host is unknown; set means its key changed.
	Conflicts []string
	// Revoked is set when the key is marked @revoked.
	Revoked bool
	// Line is the known_hosts line that would trust the offered key.
	Line string
	// Err is the underlying reason, if any beyond the key itself.
	Err error
}

func (e *HostKeyError) Error() string {
	offered := fmt.Sprintf("the server offered the %s host key %s", e.KeyType, e.Fingerprint)
	switch {
	case e.Revoked:
		return fmt.Sprintf("the SSH host key of %s is revoked in %s: %s. Do not connect until "+
			"the host has a new key", e.Addr, e.KnownHostsFile, offered)
	case len(e.Conflicts) > 0:
		return fmt.Sprintf("the SSH host key of %s has CHANGED: %s, but %s holds another key for "+
			"it. Someone may be intercepting the connection, or the host was rebuilt. Only if "+
			"you have checked the new fingerprint on the host itself (ssh-keygen -lf on its "+
			"host key), replace that entry with this line:\n%s",
			e.Addr, offered, strings.Join(e.Conflicts, ", "), e.Line)
	case e.Err != nil:
		return fmt.Sprintf("the SSH host key of %s cannot be checked: %s, and %v. Create the "+
			"file and add this line once you have checked the fingerprint on the host:\n%s",
			e.Addr, offered, e.Err, e.Line)
	}
	return fmt.Sprintf("the SSH host %s is not in %s: %s. Check the fingerprint on the host "+
		"itself (ssh-keygen -lf on its host key), then add this line to %s (ssh-keyscan "+
		"prints the same):\n%s", e.Addr, e.KnownHostsFile, offered, e.KnownHostsFile, e.Line)
}

func (e *HostKeyError) Unwrap() error { return e.Err }

// SSHLoginError says that the SSH server refused every key offered for the
// login.
type SSHLoginError struct {
	Addr string
	User string
	// Offered describes the keys that were tried, by source, type and
	// fingerprint. Public key fingerprints are not secret.
	Offered []string
	Err     error
}

func (e *SSHLoginError) Error() string {
	return fmt.Sprintf("the SSH server at %s refused the login of user %q with the keys offered "+
		"(%s). Check the user, and that one of these keys is in that user's authorized_keys on "+
		"the host: %v", e.Addr, e.User, listOrNone(e.Offered), e.Err)
}

func (e *SSHLoginError) Unwrap() error { return e.Err }

// SSHForwardError says that the SSH server logged the user in but would not
// forward a connection to the Docker socket for a reason other than the
// socket not answering.
type SSHForwardError struct {
	Addr   string
	Socket string
	Err    error
}

func (e *SSHForwardError) Error() string {
	return fmt.Sprintf("the SSH server at %s refused to forward to the Docker socket %s. The "+
		"server must allow stream-local forwarding (AllowStreamLocalForwarding in sshd_config) "+
		"and the user must be allowed to open the socket: %v", e.Addr, e.Socket, e.Err)
}

func (e *SSHForwardError) Unwrap() error { return e.Err }

// SSHSetupError says that an SSH connection failed for a reason on this side
// or in the protocol, not in the network: the agent cannot be reached, or the
// server and client share no algorithm.
type SSHSetupError struct {
	Addr string
	Err  error
}

func (e *SSHSetupError) Error() string {
	return fmt.Sprintf("SSH to %s failed before login: %v", e.Addr, e.Err)
}

func (e *SSHSetupError) Unwrap() error { return e.Err }

// TLSProblem names what went wrong in a TLS handshake.
type TLSProblem int

// The TLS problems told apart, each with its own advice.
const (
	TLSUnknownAuthority TLSProblem = iota + 1
	TLSClientCertRejected
	TLSServerCertExpired
	TLSClientCertExpired
	TLSNameMismatch
	TLSNotSpokenByServer
	TLSRequiredByServer
	TLSVerifyFailed
)

var tlsAdvice = map[TLSProblem]string{
	TLSUnknownAuthority: "the server certificate is not signed by the CA of the auth profile " +
		"(or by a system root when the profile gives no CA). Set ca_file or ca_pem to the CA " +
		"that signed the daemon's --tlscert",
	TLSClientCertRejected: "the daemon asked for a client certificate and rejected the one sent, " +
		"or none was sent. Set cert_file/key_file (or cert_pem/key_pem) to a certificate " +
		"signed by the CA the daemon trusts (its --tlscacert)",
	TLSServerCertExpired: "the daemon's certificate has expired or is not valid yet. Renew it " +
		"on the host (or check the clocks of both machines)",
	TLSClientCertExpired: "the daemon says the client certificate has expired. Issue a new one " +
		"and point the auth profile at it",
	TLSNameMismatch: "the daemon's certificate is not made out to the endpoint's host. Use the " +
		"name the certificate holds, or set server_name in the auth profile",
	TLSNotSpokenByServer: "the endpoint does not speak TLS (it answered in plain HTTP). Use the " +
		"daemon's TLS port, or drop the auth profile if this port is meant to be plain",
	TLSRequiredByServer: "the endpoint speaks TLS but the host was reached in plain HTTP. Give " +
		"the host an auth profile with a tls block",
	TLSVerifyFailed: "the daemon's certificate did not verify. Check the CA and the " +
		"certificate of the daemon",
}

// TLSError says that a TLS connection to a Docker daemon failed for a reason
// that lies in certificates or protocol, not in the network.
type TLSError struct {
	Problem TLSProblem
	Addr    string
	Err     error
}

func (e *TLSError) Error() string {
	msg := fmt.Sprintf("TLS with %s failed: %s", e.Addr, tlsAdvice[e.Problem])
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *TLSError) Unwrap() error { return e.Err }
