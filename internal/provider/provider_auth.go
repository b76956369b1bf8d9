package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework-validators/objectvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

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
			Description: "Path of the PEM file of the CA that signed the server certificate."},
		"ca_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the CA that signed the server certificate."},
		"cert_file": schema.StringAttribute{Optional: true,
			Description: "Path of the PEM file of the client certificate."},
		"cert_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the client certificate."},
		"key_file": schema.StringAttribute{Optional: true,
			Description: "Path of the PEM file of the client key."},
		"key_pem": schema.StringAttribute{Optional: true, Sensitive: true,
			Description: "PEM text of the client key."},
		"server_name": schema.StringAttribute{Optional: true,
			Description: "Name to verify the server certificate against, when it differs from " +
				"the endpoint's host."},
		"insecure_skip_verify": schema.BoolAttribute{Optional: true,
			Description: "Turn server certificate verification off. Anyone on the path can then " +
				"read and change the traffic. Default false."},
	}
}

func sshProfileAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"user": schema.StringAttribute{Optional: true,
			Description: "Login name, when the endpoint names no user."},
		"identity_file": schema.StringAttribute{Optional: true,
			Description: "Path of a private key file without a passphrase (keys with a " +
				"passphrase go through the agent)."},
		"use_agent": schema.BoolAttribute{Optional: true,
			Description: "Use the keys of the SSH agent at `SSH_AUTH_SOCK`. Default true when " +
				"no identity file is given."},
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
