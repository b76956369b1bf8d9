variable "docker_host" {
  description = "Docker endpoint to run on; null means DOCKER_HOST, else the local socket."
  type        = string
  default     = null
}

variable "project" {
  description = "Compose project name: the prefix of every name, as Compose does it."
  type        = string
  default     = "myapp"
}

variable "web_image" {
  description = "Image of the web service, built beforehand (Compose's build: step)."
  type        = string
  default     = "myapp/web:1.0"
}

variable "web_command" {
  description = "Command of the web service; null keeps the image's."
  type        = list(string)
  default     = null
}

variable "web_port" {
  description = "Host port of the web service (Compose: \"8000:5000\")."
  type        = number
  default     = 8000
}

variable "code_dir" {
  description = "Absolute path of the code mounted at /code; null means ./app beside this file."
  type        = string
  default     = null
}

variable "db_image" {
  description = "Image of the database."
  type        = string
  default     = "postgres:16"
}

variable "db_command" {
  description = "Command of the database; null keeps the image's."
  type        = list(string)
  default     = null
}
