# Uses the provider block of the provider page (auth profile prod-tls).

variable "nodes" {
  description = "Fleet hosts by name, with their address and zone."
  type = map(object({
    address = string
    zone    = string
  }))
}

# One host per node. The endpoint may come from a VM created in the same
# configuration; the plan then shows the host's facts as known after apply.
resource "dockerfleet_host" "node" {
  for_each = var.nodes

  name     = each.key
  endpoint = "tcp://${each.value.address}:2376"
  auth     = "prod-tls"
  labels = {
    zone = each.value.zone
    role = "web"
  }
}

output "engines" {
  value = { for name, h in dockerfleet_host.node : name => "${h.server_version} ${h.os}/${h.architecture}" }
}
