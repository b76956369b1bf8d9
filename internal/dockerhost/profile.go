package dockerhost

// Profile is a named set of credentials from the provider block. Hosts refer to
// it by name, so credentials never travel through resource values or state.
type Profile struct {
	Name string
	TLS  *TLSProfile
	SSH  *SSHProfile
}

// TLSProfile holds what a TLS-protected Docker endpoint needs. Each of CA,
// certificate and key comes either from a file or as PEM text.
type TLSProfile struct {
	CAFile   string
	CAPEM    string
	CertFile string
	CertPEM  string
	KeyFile  string
	KeyPEM   string
	// ServerName overrides the name checked against the server certificate.
	ServerName string
	// InsecureSkipVerify turns server certificate verification off. It is only
	// ever set by an explicit profile attribute of the same loud name.
	InsecureSkipVerify bool
}

// SSHProfile holds what an SSH endpoint needs.
type SSHProfile struct {
	User           string
	IdentityFile   string
	UseAgent       bool
	KnownHostsFile string
	// InsecureIgnoreHostKey turns host key checking off; set only by an
	// explicit profile attribute of the same loud name.
	InsecureIgnoreHostKey bool
}
