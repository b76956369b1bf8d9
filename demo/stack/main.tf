# The demo application: a key-value database on one host and a web tier spread
# over every host, talking to the database through its host's address and
# published port. scripts/demo.sh writes the variables for the local fleet.

terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

# Credentials stay in the provider block; a host only names its profile.
provider "dockerfleet" {
  auth = {
    tls = {
      tls = {
        ca_file   = var.tls.ca_file
        cert_file = var.tls.cert_file
        key_file  = var.tls.key_file
      }
    }
  }
}

resource "dockerfleet_host" "node" {
  for_each = var.hosts

  name     = each.key
  endpoint = each.value.endpoint
  auth     = each.value.auth
  labels   = { zone = each.value.zone }
}

resource "dockerfleet_network" "app" {
  hosts = dockerfleet_host.node
  name  = "demo-app"
}

# The database's data lives in a named volume on the database host only.
resource "dockerfleet_volume" "db" {
  host = dockerfleet_host.node[var.db_host]
  name = "demo-db-data"
}

resource "dockerfleet_service" "db" {
  host  = dockerfleet_host.node[var.db_host]
  name  = "demo-db"
  image = "dockerfleet-demo/db:1"
  pull  = "never"

  ports    = [{ target = 7000, published = "7000" }]
  mounts   = [{ type = "volume", source = dockerfleet_volume.db.name, target = "/data" }]
  networks = [{ name = dockerfleet_network.app.name, aliases = ["db"] }]
  restart  = { policy = "unless-stopped" }

  healthcheck = {
    test     = ["CMD", "/db", "-check"]
    interval = "2s"
    timeout  = "2s"
    retries  = 3
  }
}

# Each web replica gets its own host port from the range, so a host may hold
# more than one replica. A fixed port (published = "8080") would allow one
# replica per host.
resource "dockerfleet_service" "web" {
  hosts     = dockerfleet_host.node
  name      = "demo-web"
  image     = var.web_image
  pull      = "never"
  replicas  = var.web_replicas
  spread_by = "zone"

  ports    = [{ target = 8080, published = "8081-8089" }]
  networks = [{ name = dockerfleet_network.app.name, aliases = ["web"] }]
  restart  = { policy = "unless-stopped" }

  # The database's address as any host reaches it: its host's address and
  # published port, known at plan time.
  env = { DB_URL = "http://${dockerfleet_service.db.endpoints[0]}" }

  healthcheck = {
    test         = ["CMD", "/web", "-check"]
    interval     = "2s"
    timeout      = "2s"
    retries      = 3
    start_period = "1s"
  }

  # Two replicas at a time: the others keep serving while a batch is replaced.
  # A replica keeps its host port, so its new container starts once the old
  # one has stopped.
  update = {
    parallelism    = 2
    order          = "stop-first"
    monitor        = "3s"
    failure_action = "rollback"
  }
}
