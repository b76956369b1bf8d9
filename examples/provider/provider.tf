terraform {
  required_providers {
    dockerfleet = {
      source = "dockerfleet/dockerfleet"
    }
  }
}

# Credentials live here, under a profile name; hosts only name the profile,
# so no secret reaches any resource's state.
provider "dockerfleet" {
  # Resources that name no hosts run here. Default: DOCKER_HOST, else the
  # local socket.
  default_host = "unix:///var/run/docker.sock"

  auth = {
    prod-tls = {
      tls = {
        ca_file   = "certs/ca.pem"
        cert_file = "certs/cert.pem"
        key_file  = "certs/key.pem"
      }
    }
    ops-ssh = {
      ssh = {
        user             = "deploy"
        identity_file    = pathexpand("~/.ssh/id_ed25519")
        known_hosts_file = pathexpand("~/.ssh/known_hosts")
      }
    }
  }
}
