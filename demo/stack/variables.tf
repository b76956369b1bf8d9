variable "hosts" {
  description = "Fleet hosts by name: Docker endpoint, zone label, optional auth profile."
  type = map(object({
    endpoint = string
    zone     = string
    auth     = optional(string)
  }))
}

variable "tls" {
  description = "Client certificate files of the `tls` auth profile."
  type = object({
    ca_file   = string
    cert_file = string
    key_file  = string
  })
}

variable "db_host" {
  description = "Name of the host that holds the database and its volume."
  type        = string
  default     = "h1"
}

variable "web_image" {
  description = "Image of the web tier."
  type        = string
  default     = "dockerfleet-demo/web:1"
}

variable "web_replicas" {
  description = "Number of web replicas (at most 9: one per port of the published range)."
  type        = number
  default     = 4
}
