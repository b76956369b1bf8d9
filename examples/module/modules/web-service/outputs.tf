output "endpoints" {
  description = "address:port of every replica."
  value       = dockerfleet_service.this.endpoints
}

output "placement" {
  description = "Replicas per host."
  value       = dockerfleet_service.this.placement
}

output "network" {
  description = "Name of the service's network."
  value       = dockerfleet_network.this.name
}
