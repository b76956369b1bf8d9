# A host is imported by its fleet name and endpoint, and optionally the auth
# profile that reaches it: <name>,<endpoint>[,<auth profile>]
# Labels live only in the configuration, so they are not read back: the next
# apply sets them in place, without touching the engine.
terraform import 'dockerfleet_host.node["node-a"]' 'node-a,tcp://10.0.0.11:2376,prod-tls'
