# Uses the provider block of the provider page (auth profile ops-ssh).

# Facts of an engine this configuration does not manage.
data "dockerfleet_host" "build" {
  endpoint = "ssh://deploy@build.internal"
  auth     = "ops-ssh"
}

output "build_engine" {
  value = "${data.dockerfleet_host.build.server_version} on ${data.dockerfleet_host.build.hostname}"
}
