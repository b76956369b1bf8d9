variable "hosts" {
  description = "Docker hosts by name: endpoint, zone label and optional auth profile."
  type = map(object({
    endpoint = string
    zone     = string
    auth     = optional(string)
  }))
  default = {
    node-a = { endpoint = "ssh://deploy@10.0.1.11", zone = "zone-a", auth = "ops" }
    node-b = { endpoint = "ssh://deploy@10.0.2.11", zone = "zone-b", auth = "ops" }
    node-c = { endpoint = "ssh://deploy@10.0.2.12", zone = "zone-b", auth = "ops" }
  }
}

variable "ssh_identity_file" {
  description = "Private key of the `ops` auth profile."
  type        = string
  default     = "~/.ssh/id_ed25519"
}

variable "ssh_known_hosts_file" {
  description = "known_hosts file of the `ops` auth profile."
  type        = string
  default     = "~/.ssh/known_hosts"
}

variable "name" {
  description = "Service name; the network is <name>-net."
  type        = string
  default     = "web"
}

variable "image" {
  description = "A web server image listening on port 80, with wget for the health check."
  type        = string
  default     = "nginx:1.27-alpine"
}

variable "command" {
  description = "Command to run instead of the image's own; null keeps the image's."
  type        = list(string)
  default     = null
}

variable "replicas" {
  description = "Number of replicas (at most 10, the size of the port range)."
  type        = number
  default     = 4
}

variable "first_port" {
  description = "First host port of the published range of 10 ports."
  type        = number
  default     = 8080
}
