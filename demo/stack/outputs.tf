output "web_endpoints" {
  description = "address:port of every web replica, by replica number."
  value       = dockerfleet_service.web.endpoints
}

output "web_placement" {
  description = "Web replicas per host."
  value       = dockerfleet_service.web.placement
}

output "db_endpoint" {
  description = "address:port of the database."
  value       = dockerfleet_service.db.endpoints[0]
}

output "web_targets" {
  description = "One line per web replica, for scripts: name, host, address:port, container."
  value = join("\n", [
    for name, r in dockerfleet_service.web.instances : join(" ", [
      name, r.host,
      "${regex("://([^:/]+)", var.hosts[r.host].endpoint)[0]}:${r.ports[0]}",
      substr(r.container_id, 0, 12),
    ])
  ])
}
