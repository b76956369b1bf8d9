package provider

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-log/tflog"
	"github.com/hashicorp/terraform-plugin-log/tflogtest"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

const testKeyPEM = `-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeoAoGCCqGSM49
AwEHoUQDQgAEFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFakeFake
-----END EC PRIVATE KEY-----
`

func TestMaskSecretsHidesPEMInLogs(t *testing.T) {
	var out bytes.Buffer
	ctx := tflogtest.RootLogger(context.Background(), &out)
	profiles := map[string]dockerhost.Profile{
		"tls": {Name: "tls", TLS: &dockerhost.TLSProfile{KeyPEM: testKeyPEM}},
	}
	bodyLine := strings.Split(testKeyPEM, "\n")[1]

	ctx = maskSecrets(ctx, profiles)
	tflog.Warn(ctx, "message quoting "+bodyLine, map[string]any{
		"key_pem": testKeyPEM, "other": "x" + bodyLine + "y", "host": "node-a",
	})
	connectionWarnings(profiles)(tflogtest.RootLogger(context.Background(), &out),
		"warning quoting "+bodyLine, map[string]any{"detail": bodyLine})

	logged := out.String()
	if strings.Contains(logged, bodyLine) || strings.Contains(logged, "BEGIN EC PRIVATE") {
		t.Errorf("PEM text reached the log:\n%s", logged)
	}
	if !strings.Contains(logged, "node-a") || !strings.Contains(logged, "warning quoting") {
		t.Errorf("masking hid more than the secrets:\n%s", logged)
	}
}
