# Only services created by dockerfleet can be imported: every container's
# labels hold the service's settings as configured (never secret_env values).
# The ID names the service and its hosts, keyed by host name as in `hosts`:
#   <name>                                          the provider's default host
#   <name>@<host>=<endpoint>[,<host>=<endpoint>...]  `hosts`
#   <name>@host:<host>=<endpoint>                    the single `host`
# An entry may end in ";auth=<profile>" to name the auth profile of that host.
# A service with secret_env replaces its replicas once after import, because
# secret values cannot be read back from the hosts.
terraform import dockerfleet_service.web \
  'web@node-a=tcp://10.0.0.11:2376;auth=prod-tls,node-b=tcp://10.0.0.12:2376;auth=prod-tls,node-c=tcp://10.0.0.13:2376;auth=prod-tls'
