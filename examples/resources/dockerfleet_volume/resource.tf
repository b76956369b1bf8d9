# Uses the provider block of the provider page (auth profile prod-tls)
# and dockerfleet_host.node from the dockerfleet_host page.

# One volume on one database host.
resource "dockerfleet_host" "db" {
  name     = "db-1"
  endpoint = "tcp://10.0.0.21:2376"
  auth     = "prod-tls"
}

resource "dockerfleet_volume" "pgdata" {
  host = dockerfleet_host.db
  name = "pgdata"
}

# A volume on every node, backed by NFS through the local driver. Docker
# cannot change a volume's options, and replacing it would delete its data,
# so a change of driver, options or labels is refused at plan time unless
# allow_data_loss is set.
resource "dockerfleet_volume" "uploads" {
  hosts  = dockerfleet_host.node
  name   = "uploads"
  driver = "local"

  driver_options = {
    type   = "nfs"
    o      = "addr=10.0.0.5,rw,nfsvers=4"
    device = ":/exports/uploads"
  }
}
