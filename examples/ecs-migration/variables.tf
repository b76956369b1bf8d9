variable "hosts" {
  description = "Docker hosts by name (the cluster's instances), with endpoint and zone."
  type = map(object({
    endpoint = string
    zone     = string
  }))
  default = {
    i-0a1 = { endpoint = "tcp://10.0.1.21:2375", zone = "eu-west-1a" }
    i-0b2 = { endpoint = "tcp://10.0.2.21:2375", zone = "eu-west-1b" }
  }
}

variable "name" {
  description = "Service name, the ECS serviceName."
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
  description = "Host port, the task's hostPort."
  type        = number
  default     = 80
}
