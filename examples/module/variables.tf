variable "hosts" {
  description = "Docker hosts by name, with their endpoint and the environment they serve."
  type = map(object({
    endpoint = string
    env      = string
  }))
  default = {
    stage-1 = { endpoint = "tcp://10.0.9.11:2375", env = "staging" }
    prod-1  = { endpoint = "tcp://10.0.1.11:2375", env = "production" }
    prod-2  = { endpoint = "tcp://10.0.2.11:2375", env = "production" }
  }

  validation {
    condition     = alltrue([for h in values(var.hosts) : contains(["staging", "production"], h.env)])
    error_message = "Each host's env must be \"staging\" or \"production\"."
  }
}

variable "project" {
  description = "Prefix of every name."
  type        = string
  default     = "shop"
}

variable "image" {
  description = "Image of the web service."
  type        = string
  default     = "nginx:1.27-alpine"
}

variable "command" {
  description = "Command to run instead of the image's own; null keeps the image's."
  type        = list(string)
  default     = null
}

variable "first_port" {
  description = "First host port: staging gets 10 ports from here, production the next 10."
  type        = number
  default     = 8080
}
