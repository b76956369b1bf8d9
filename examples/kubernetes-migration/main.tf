terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

provider "dockerfleet" {}

# The nodes: Docker hosts with the zone label the Deployment spreads over.
resource "dockerfleet_host" "node" {
  for_each = var.hosts

  name     = each.key
  endpoint = each.value.endpoint
  labels   = { zone = each.value.zone }
}

resource "dockerfleet_service" "web" {
  hosts = dockerfleet_host.node
  name  = var.name # metadata.name
  image = var.image

  replicas  = 2      # spec.replicas
  spread_by = "zone" # topologySpreadConstraints on the zone label

  command = var.command
  env     = { LOG_LEVEL = "info" }
  labels  = { app = "web" }

  # containerPort 80 with hostPort 80: one replica per host, as on Kubernetes.
  ports = [{ target = 80, published = tostring(var.port) }]

  resources = { cpus = "0.5", memory = "128m" } # limits: cpu 500m, memory 128Mi

  # readinessProbe httpGet / on port 80.
  healthcheck = {
    test     = ["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1/ || exit 1"]
    interval = "5s"
    timeout  = "2s"
    retries  = 3
  }

  # RollingUpdate with maxUnavailable 1, maxSurge 0.
  update = {
    parallelism = 1
    order       = "stop-first"
  }
}

output "endpoints" {
  description = "address:port of both replicas: what a NodePort Service would give."
  value       = dockerfleet_service.web.endpoints
}
