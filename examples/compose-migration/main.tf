terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

# Compose runs on one Docker host; so does this: the default host.
provider "dockerfleet" {
  default_host = var.docker_host
}

locals {
  # Compose's env_file, read the same way: NAME=value lines, # comments.
  db_env = {
    for line in split("\n", file("${path.module}/db.env")) :
    trimspace(split("=", line)[0]) => trimspace(join("=", slice(split("=", line), 1, length(split("=", line)))))
    if can(regex("^[A-Za-z_][A-Za-z0-9_]*=", trimspace(line)))
  }
  code_dir = coalesce(var.code_dir, abspath("${path.module}/app"))
}

# Compose's default network, on which services find each other by name.
resource "dockerfleet_network" "default" {
  name = "${var.project}_default"
}

# volumes: db-data
resource "dockerfleet_volume" "db_data" {
  name = "${var.project}_db-data"
}

# services.db
resource "dockerfleet_service" "db" {
  name    = "${var.project}-db"
  image   = var.db_image
  command = var.db_command

  # env_file: db.env. It holds a password, so its values stay out of plans.
  secret_env = local.db_env
  mounts     = [{ type = "volume", source = dockerfleet_volume.db_data.name, target = "/var/lib/postgresql/data" }]
  networks   = [{ name = dockerfleet_network.default.name, aliases = ["db"] }]
  restart    = { policy = "always" }
}

# services.web
resource "dockerfleet_service" "web" {
  name    = "${var.project}-web"
  image   = var.web_image
  command = var.web_command

  ports    = [{ target = 5000, published = tostring(var.web_port) }]
  mounts   = [{ type = "bind", source = local.code_dir, target = "/code" }]
  env      = { DATABASE_HOST = "db" }
  networks = [{ name = dockerfleet_network.default.name, aliases = ["web"] }]

  # depends_on: [db]
  depends_on = [dockerfleet_service.db]
}

output "url" {
  description = "Where the web service answers."
  value       = "http://${dockerfleet_service.web.endpoints[0]}/"
}
