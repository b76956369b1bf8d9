// Package dockerhost reaches the Docker engines of a fleet.
//
// It turns an endpoint string and a named auth profile into a Docker API client,
// keeps one client per host for the life of the provider process, bounds how many
// calls run at once (per host and overall), puts a deadline on every call and
// classifies the errors that mean "this host did not answer" so that callers can
// keep their last known state instead of failing.
//
// Nothing here knows about Terraform: the provider package adapts its schema
// values into the plain types of this package.
package dockerhost
