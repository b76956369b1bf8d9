# Only volumes created by dockerfleet can be imported: their labels hold the
# settings as configured. The ID names the volume and the hosts it is on:
#   <name>                                          the provider's default host
#   <name>@<host>=<endpoint>[,<host>=<endpoint>...]  `hosts`, keyed by host name
#   <name>@host:<host>=<endpoint>                    the single `host`
# An entry may end in ";auth=<profile>" to name the auth profile of that host.
terraform import dockerfleet_volume.pgdata 'pgdata@host:db-1=tcp://10.0.0.21:2376;auth=prod-tls'
