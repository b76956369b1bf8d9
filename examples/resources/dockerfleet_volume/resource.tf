# One volume on one database host.
resource "dockerfleet_volume" "pgdata" {
  host = dockerfleet_host.db["db-1"]
  name = "pgdata"
}

# A volume on every web host, backed by NFS through the local driver. Docker
# cannot change a volume's options, and replacing it would delete its data,
# so a change of driver, options or labels is refused at plan time unless
# allow_data_loss is set.
resource "dockerfleet_volume" "uploads" {
  hosts  = dockerfleet_host.web
  name   = "uploads"
  driver = "local"

  driver_options = {
    type   = "nfs"
    o      = "addr=10.0.0.5,rw,nfsvers=4"
    device = ":/exports/uploads"
  }
}
