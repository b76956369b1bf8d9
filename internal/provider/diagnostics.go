package provider

import (
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/diag"

	"github.com/dockerfleet/terraform-provider-dockerfleet/internal/dockerhost"
)

// Every diagnostic of the provider speaks in one voice: a short Title Case
// summary; a detail that says what happened, on which host, and what to do;
// the underlying error last.

// addHostError reports a failed operation on one host.
func addHostError(diags *diag.Diagnostics, summary string, h *dockerhost.Host, action, todo string,
	err error) {
	diags.AddError(summary, hostDetail(h, action, todo, err))
}

// addUnreachableWarning reports a host that did not answer during refresh.
// The caller keeps its last known state for that host.
func addUnreachableWarning(diags *diag.Diagnostics, what string, h *dockerhost.Host, err error) {
	diags.AddWarning("Host Did Not Answer",
		fmt.Sprintf("Host %s did not answer while reading %s, so its last known state is kept. "+
			"Check that the daemon runs and is reachable; the next refresh will read it again.\n\n"+
			"Error: %s", h, what, err))
}

func hostDetail(h *dockerhost.Host, action, todo string, err error) string {
	detail := fmt.Sprintf("%s on host %s failed.", action, h)
	if todo != "" {
		detail += " " + todo
	}
	if err != nil {
		detail += "\n\nError: " + err.Error()
	}
	return detail
}

// providerNotConfigured is the error for resources used before Configure ran,
// which happens only when the provider block depends on unknown values.
func providerNotConfigured(diags *diag.Diagnostics) {
	diags.AddError("Provider Not Configured",
		"The dockerfleet provider was not configured before this resource was used. "+
			"This is a bug in the provider unless the provider block depends on values that "+
			"are only known after apply; please report it otherwise.")
}
