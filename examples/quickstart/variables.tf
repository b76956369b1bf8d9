variable "docker_host" {
  description = "Docker endpoint to run on; null means DOCKER_HOST, else the local socket."
  type        = string
  default     = null
}

variable "name" {
  description = "Service name; the container is called <name>-1."
  type        = string
  default     = "hello"
}

variable "image" {
  description = "A web server image listening on port 80."
  type        = string
  default     = "nginx:1.27-alpine"
}

variable "command" {
  description = "Command to run instead of the image's own; null keeps the image's."
  type        = list(string)
  default     = null
}

variable "port" {
  description = "Host port to publish the web server on."
  type        = number
  default     = 8080
}
