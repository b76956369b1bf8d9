variable "hosts" {
  description = "Docker hosts by name, with their endpoint and zone."
  type = map(object({
    endpoint = string
    zone     = string
  }))
  default = {
    node-a = { endpoint = "tcp://10.0.1.11:2375", zone = "zone-a" }
    node-b = { endpoint = "tcp://10.0.2.11:2375", zone = "zone-b" }
  }
}

variable "name" {
  description = "Service name, the Deployment's metadata.name."
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

variable "port" {
  description = "Host port, the container's hostPort."
  type        = number
  default     = 80
}
