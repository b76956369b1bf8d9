# Uses the provider block of the provider page (auth profile prod-tls)
# and dockerfleet_host.node from the dockerfleet_host page.

# The same network on every node. Adding a host to dockerfleet_host.node
# creates the network there only; removing one removes it there only.
resource "dockerfleet_network" "app" {
  hosts = dockerfleet_host.node
  name  = "app"
}

# IPv4 and IPv6 pools together. Subnets are compared by meaning, so the
# daemon's own spelling and order never show up in a plan.
resource "dockerfleet_network" "backend" {
  hosts = dockerfleet_host.node
  name  = "backend"
  ipv6  = true

  ipam = {
    configs = [
      {
        subnet        = "10.30.0.0/24"
        ip_range      = "10.30.0.128/25"
        gateway       = "10.30.0.1"
        aux_addresses = { router = "10.30.0.2" }
      },
      {
        subnet  = "fd00:30::/64"
        gateway = "fd00:30::1"
      },
    ]
  }

  labels = {
    team = "payments"
  }
}

output "backend_subnets" {
  value = { for host, n in dockerfleet_network.backend.per_host : host => n.subnets }
}
