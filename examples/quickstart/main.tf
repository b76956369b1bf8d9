terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

# No hosts anywhere: everything runs on the default host, DOCKER_HOST or the
# local socket unless docker_host says otherwise.
provider "dockerfleet" {
  default_host = var.docker_host
}

resource "dockerfleet_service" "hello" {
  name    = var.name
  image   = var.image
  command = var.command
  ports   = [{ target = 80, published = tostring(var.port) }]
}

output "url" {
  description = "Where the service answers."
  value       = "http://${dockerfleet_service.hello.endpoints[0]}/"
}
