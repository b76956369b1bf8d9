terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

provider "dockerfleet" {}

# The container instances of the ECS cluster, with their availability zone.
resource "dockerfleet_host" "instance" {
  for_each = var.hosts

  name     = each.key
  endpoint = each.value.endpoint
  labels   = { zone = each.value.zone }
}

resource "dockerfleet_service" "web" {
  hosts = dockerfleet_host.instance
  name  = var.name # serviceName
  image = var.image

  replicas  = 2      # desiredCount
  spread_by = "zone" # placementStrategy spread over ecs.availability-zone

  command = var.command
  env     = { LOG_LEVEL = "info" }

  # portMappings 80:80 in bridge mode: one task per instance.
  ports = [{ target = 80, published = tostring(var.port) }]

  # cpu 256 units is a quarter of a vCPU; memory 512 MiB is the hard limit.
  resources = { cpus = "0.25", memory = "512m" }

  healthcheck = {
    test         = ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
    interval     = "10s"
    timeout      = "5s"
    retries      = 3
    start_period = "5s"
  }

  log_driver  = "json-file"
  log_options = { max-size = "10m" }

  # minimumHealthyPercent 50 and maximumPercent 100 with 2 tasks: one at a
  # time, the old one stopped first. The circuit breaker's rollback.
  update = {
    parallelism    = 1
    order          = "stop-first"
    failure_action = "rollback"
  }
}

output "endpoints" {
  description = "address:port of both replicas, for the load balancer's target group."
  value       = dockerfleet_service.web.endpoints
}
