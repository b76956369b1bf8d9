terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

provider "dockerfleet" {}

resource "dockerfleet_host" "node" {
  for_each = var.hosts

  name     = each.key
  endpoint = each.value.endpoint
  labels   = { env = each.value.env }
}

# Two environments from one module, each on the hosts labelled for it.
module "staging" {
  source = "./modules/web-service"

  hosts      = { for k, h in dockerfleet_host.node : k => h if h.labels.env == "staging" }
  name       = "${var.project}-staging"
  image      = var.image
  command    = var.command
  replicas   = 1
  env        = { ENVIRONMENT = "staging" }
  first_port = var.first_port
}

module "production" {
  source = "./modules/web-service"

  hosts      = { for k, h in dockerfleet_host.node : k => h if h.labels.env == "production" }
  name       = "${var.project}-production"
  image      = var.image
  command    = var.command
  replicas   = 4
  env        = { ENVIRONMENT = "production" }
  first_port = var.first_port + 10
}

output "staging" {
  description = "Endpoints of staging."
  value       = module.staging.endpoints
}

output "production" {
  description = "Endpoints of production."
  value       = module.production.endpoints
}
