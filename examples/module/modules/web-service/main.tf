# A web service and its own network, on the hosts it is given.

terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

resource "dockerfleet_network" "this" {
  hosts = var.hosts
  name  = "${var.name}-net"
}

resource "dockerfleet_service" "this" {
  hosts    = var.hosts
  name     = var.name
  image    = var.image
  command  = var.command
  replicas = var.replicas
  env      = var.env

  # One port per replica from the range starting at first_port.
  ports    = [{ target = var.container_port, published = "${var.first_port}-${var.first_port + 9}" }]
  networks = [{ name = dockerfleet_network.this.name, aliases = [var.name] }]
  restart  = { policy = "unless-stopped" }

  update = {
    parallelism    = 1
    order          = "stop-first"
    failure_action = "rollback"
  }
}
