package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// authProfilesAttribute is the provider's map of named credentials. Hosts name
// a profile; the credentials themselves stay in the provider block and never
// reach any resource's state.
func authProfilesAttribute() schema.MapNestedAttribute {
	return schema.MapNestedAttribute{
		Optional: true,
		Description: "Named auth profiles, keyed by the name that hosts give in their `auth` " +
			"attribute. Each profile has exactly one of `tls` or `ssh`.",
		NestedObject: schema.NestedAttributeObject{
			Attributes: map[string]schema.Attribute{
				"tls": schema.SingleNestedAttribute{
					Optional: true,
					Description: "Client TLS for `tcp://` endpoints. Server certificates are " +
						"always verified unless `insecure_skip_verify` is true.",
					Attributes: tlsProfileAttributes(),
					Validators: []validator.Object{
						objectvalidator.ExactlyOneOf(path.MatchRelative().AtParent().AtName("ssh")),
					},
				},
				"ssh": schema.SingleNestedAttribute{
					Optional:    true,
					Description: "SSH login for `ssh://` endpoints.",
					Attributes:  sshProfileAttributes(),
				},
			},
		},
	}
}

func tlsProfileAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"ca_file": schema.StringAttribute{Optional: true,
			Description: "Path of the PEM file of the CA that signed the server certificate. " +
				"Without a CA the system roots are used; verification stays on.",
			Validators: []validator.String{oneSource("ca_pem")}},
		"ca_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the CA that signed the server certificate." + pemAdvice,
			Validators:  []validator.String{oneSource("ca_file")}},
		"cert_file": schema.StringAttribute{Optional: true,
			Description: "Path of the PEM file of the client certificate.",
			Validators:  []validator.String{oneSource("cert_pem"), needsKey()}},
		"cert_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the client certificate." + pemAdvice,
			Validators:  []validator.String{oneSource("cert_file"), needsKey()}},
		"key_file": schema.StringAttribute{Optional: true,
			Description: "Path of the PEM file of the client key.",
			Validators:  []validator.String{oneSource("key_pem"), needsCert()}},
		"key_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the client key. It is never stored in state or logged." +
				pemAdvice,
			Validators: []validator.String{oneSource("key_file"), needsCert()}},
		"server_name": schema.StringAttribute{Optional: true,
			Description: "Name to verify the server certificate against, when it differs from " +
				"the endpoint's host."},
		"insecure_skip_verify": schema.BoolAttribute{Optional: true,
			Description: "Turn server certificate verification off. Anyone on the path can then " +
				"read and change the traffic. Default false; a warning is logged on every " +
				"connection when true."},
	}
}

// pemAdvice warns that the CLI itself shows literal configuration values and
// root variable values in the JSON form of a plan.
const pemAdvice = " Read it with `file()` or from a data source: a literal, or a root " +
	"variable, shows in `terraform show -json` of a plan, as every such value does."

// oneSource refuses a value given both as a file and as PEM text.
func oneSource(other string) validator.String {
	return stringvalidator.ConflictsWith(path.MatchRelative().AtParent().AtName(other))
}

// needsKey and needsCert keep a client certificate and its key together.
func needsKey() validator.String {
	return stringvalidator.AtLeastOneOf(path.MatchRelative().AtParent().AtName("key_file"),
		path.MatchRelative().AtParent().AtName("key_pem"))
}

func needsCert() validator.String {
	return stringvalidator.AtLeastOneOf(path.MatchRelative().AtParent().AtName("cert_file"),
		path.MatchRelative().AtParent().AtName("cert_pem"))
}

func sshProfileAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"user": schema.StringAttribute{Optional: true,
			Description: "Login name, when the endpoint names no user."},
		"identity_file": schema.StringAttribute{Optional: true,
			Description: "Path of a private key file without a passphrase (keys with a " +
				"passphrase go through the agent)."},
		"use_agent": schema.BoolAttribute{Optional: true,
			Description: "Use the keys of the SSH agent at `SSH_AUTH_SOCK`, after the identity " +
				"file's. Default true when no identity file is given."},
		"known_hosts_file": schema.StringAttribute{Optional: true,
			Description: "Path of the known_hosts file that host keys are checked against. " +
				"Default `~/.ssh/known_hosts`."},
		"insecure_ignore_host_key": schema.BoolAttribute{Optional: true,
			Description: "Accept any host key. Anyone on the path can then impersonate the host. " +
				"Default false; a warning is logged on every connection when true."},
	}
}

type authProfileModel struct {
	TLS *tlsProfileModel `tfsdk:"tls"`
	SSH *sshProfileModel `tfsdk:"ssh"`
}

type tlsProfileModel struct {
	CAFile             types.String `tfsdk:"ca_file"`
	CAPEM              types.String `tfsdk:"ca_pem"`
	CertFile           types.String `tfsdk:"cert_file"`
	CertPEM            types.String `tfsdk:"cert_pem"`
	KeyFile            types.String `tfsdk:"key_file"`
	KeyPEM             types.String `tfsdk:"key_pem"`
	ServerName         types.String `tfsdk:"server_name"`
	InsecureSkipVerify types.Bool   `tfsdk:"insecure_skip_verify"`
}

type sshProfileModel struct {
	User                  types.String `tfsdk:"user"`
	IdentityFile          types.String `tfsdk:"identity_file"`
	UseAgent              types.Bool   `tfsdk:"use_agent"`
	KnownHostsFile        types.String `tfsdk:"known_hosts_file"`
	InsecureIgnoreHostKey types.Bool   `tfsdk:"insecure_ignore_host_key"`
}

// profiles converts the auth map into dockerhost profiles.
func (m providerModel) profiles(ctx context.Context) (map[string]dockerhost.Profile, diag.Diagnostics) {
	out := map[string]dockerhost.Profile{}
	if m.Auth.IsNull() || m.Auth.IsUnknown() {
		return out, nil
	}

	var raw map[string]authProfileModel
	diags := m.Auth.ElementsAs(ctx, &raw, false)
	if diags.HasError() {
		return nil, diags
	}
	for name, p := range raw {
		prof := dockerhost.Profile{Name: name}
		if p.TLS != nil {
			prof.TLS = p.TLS.profile()
		}
		if p.SSH != nil {
			prof.SSH = p.SSH.profile()
		}
		out[name] = prof
	}
	return out, nil
}

func (t *tlsProfileModel) profile() *dockerhost.TLSProfile {
	return &dockerhost.TLSProfile{
		CAFile:             t.CAFile.ValueString(),
		CAPEM:              t.CAPEM.ValueString(),
		CertFile:           t.CertFile.ValueString(),
		CertPEM:            t.CertPEM.ValueString(),
		KeyFile:            t.KeyFile.ValueString(),
		KeyPEM:             t.KeyPEM.ValueString(),
		ServerName:         t.ServerName.ValueString(),
		InsecureSkipVerify: t.InsecureSkipVerify.ValueBool(),
	}
}

func (s *sshProfileModel) profile() *dockerhost.SSHProfile {
	return &dockerhost.SSHProfile{
		User:                  s.User.ValueString(),
		IdentityFile:          s.IdentityFile.ValueString(),
		UseAgent:              s.UseAgent.ValueBool() || (s.UseAgent.IsNull() && s.IdentityFile.ValueString() == ""),
		KnownHostsFile:        s.KnownHostsFile.ValueString(),
		InsecureIgnoreHostKey: s.InsecureIgnoreHostKey.ValueBool(),
	}
}

// secretFieldKeys are log field names whose values are always masked.
var secretFieldKeys = []string{"ca_pem", "cert_pem", "key_pem", "passphrase", "private_key"}

// maskSecrets returns ctx with every PEM text of the profiles masked in log
// messages and fields. Each line of the PEM body is masked on its own, so that
// a log line holding part of a key hides it too.
func maskSecrets(ctx context.Context, profiles map[string]dockerhost.Profile) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	var secrets []string
	for _, p := range profiles {
		if p.TLS == nil {
			continue
		}
		for _, text := range []string{p.TLS.CAPEM, p.TLS.CertPEM, p.TLS.KeyPEM} {
			secrets = append(secrets, pemLines(text)...)
		}
	}
	if len(secrets) == 0 {
		return ctx
	}
	ctx = tflog.MaskMessageStrings(ctx, secrets...)
	return tflog.MaskAllFieldValuesStrings(ctx, secrets...)
}

// pemLines lists the body lines of PEM text: the base64 between the
// BEGIN and END lines, which is what must never show.
func pemLines(text string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if len(line) >= 16 && !strings.HasPrefix(line, "-----") {
			lines = append(lines, line)
		}
	}
	return lines
}

// connectionWarnings logs the warnings of dockerhost, such as a connection
// made with host key checking off, with the secrets masked.
func connectionWarnings(profiles map[string]dockerhost.Profile) dockerhost.WarnFunc {
	return func(ctx context.Context, msg string, fields map[string]any) {
		tflog.Warn(maskSecrets(ctx, profiles), msg, fields)
	}
}
