variable "hosts" {
  description = "Hosts to run on, by name: dockerfleet_host resources can be passed as they are."
  type = map(object({
    name      = string
    endpoint  = string
    labels    = optional(map(string))
    auth      = optional(string)
    engine_id = optional(string)
  }))
}

variable "name" {
  description = "Name of the service; the network is <name>-net."
  type        = string
}

variable "image" {
  description = "Image of the service."
  type        = string
}

variable "command" {
  description = "Command to run instead of the image's own; null keeps the image's."
  type        = list(string)
  default     = null
}

variable "replicas" {
  description = "Number of replicas, at most 10."
  type        = number
  default     = 2
}

variable "env" {
  description = "Environment variables of the service."
  type        = map(string)
  default     = {}
}

variable "container_port" {
  description = "Port the service listens on in its containers."
  type        = number
  default     = 80
}

variable "first_port" {
  description = "First of the 10 host ports the replicas are published on."
  type        = number
}
