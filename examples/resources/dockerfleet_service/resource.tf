# Uses the provider block of the provider page (auth profile prod-tls).

resource "dockerfleet_host" "node" {
  for_each = {
    node-a = { endpoint = "tcp://10.0.0.11:2376", zone = "a" }
    node-b = { endpoint = "tcp://10.0.0.12:2376", zone = "b" }
    node-c = { endpoint = "tcp://10.0.0.13:2376", zone = "b" }
  }
  name     = each.key
  endpoint = each.value.endpoint
  auth     = "prod-tls"
  labels   = { role = "web", zone = each.value.zone }
}

resource "dockerfleet_service" "web" {
  hosts         = dockerfleet_host.node
  host_selector = { role = "web" }
  name          = "web"
  image         = "example/web:1.4"
  replicas      = 5
  spread_by     = "zone"
  max_per_host  = 2

  # A range gives each replica on a host its own host port (a single
  # published port would allow one replica per host). Replicas that publish
  # host ports always roll stop-first: each keeps its port, so its new
  # container cannot bind it beside the old one.
  ports      = [{ target = 8080, published = "8000-8009" }]
  env        = { LOG_LEVEL = "info" }
  secret_env = { DB_PASSWORD = var.db_password }
  healthcheck = {
    test     = ["CMD", "wget", "-q", "-O-", "http://localhost:8080/health"]
    interval = "5s"
    timeout  = "2s"
    retries  = 3
  }
  resources = { cpus = "0.5", memory = "256m" }
  restart   = { policy = "unless-stopped" }

  update = {
    parallelism    = 2
    order          = "stop-first"
    monitor        = "15s"
    failure_action = "rollback"
  }
  timeouts = { create = "10m", update = "20m", delete = "5m" }
}

variable "db_password" {
  type      = string
  sensitive = true
}

# address:port of every replica, for a load balancer.
output "web_endpoints" {
  value = dockerfleet_service.web.endpoints
}
