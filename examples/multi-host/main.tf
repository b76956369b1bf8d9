terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

# Hosts reached over SSH log in with this key and check host keys against
# this known_hosts file. No credential ever reaches a resource's state.
provider "dockerfleet" {
  auth = {
    ops = {
      ssh = {
        identity_file    = pathexpand(var.ssh_identity_file)
        known_hosts_file = pathexpand(var.ssh_known_hosts_file)
      }
    }
  }
}

# One host per entry of var.hosts; add an entry to grow the fleet.
resource "dockerfleet_host" "node" {
  for_each = var.hosts

  name     = each.key
  endpoint = each.value.endpoint
  auth     = each.value.auth
  labels   = { zone = each.value.zone }
}

# The same network on every host.
resource "dockerfleet_network" "app" {
  hosts = dockerfleet_host.node
  name  = "${var.name}-net"
}

# Replicas spread over zones first, then over the hosts of each zone. Each
# replica gets its own host port from the range.
resource "dockerfleet_service" "web" {
  hosts     = dockerfleet_host.node
  name      = var.name
  image     = var.image
  command   = var.command
  replicas  = var.replicas
  spread_by = "zone"

  ports    = [{ target = 80, published = "${var.first_port}-${var.first_port + 9}" }]
  networks = [{ name = dockerfleet_network.app.name, aliases = ["web"] }]
  restart  = { policy = "unless-stopped" }

  healthcheck = {
    test     = ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
    interval = "5s"
    timeout  = "2s"
    retries  = 3
  }
}

output "placement" {
  description = "Replicas per host."
  value       = dockerfleet_service.web.placement
}

output "endpoints" {
  description = "address:port of every replica, ready for a load balancer."
  value       = dockerfleet_service.web.endpoints
}
