# Only networks created by dockerfleet can be imported: their labels hold the
# settings as configured. The ID names the network and the hosts it is on,
# keyed by host name as in the `hosts` map:
#   <name>                                          the provider's default host
#   <name>@<host>=<endpoint>[,<host>=<endpoint>...]  `hosts`
#   <name>@host:<host>=<endpoint>                    the single `host`
# An entry may end in ";auth=<profile>" to name the auth profile of that host.
terraform import dockerfleet_network.app \
  'app@node-a=tcp://10.0.0.11:2376;auth=prod-tls,node-b=tcp://10.0.0.12:2376;auth=prod-tls'
