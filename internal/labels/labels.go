// Package labels names the Docker labels that dockerfleet puts on every object
// it creates, and computes the spec digest that lets a refresh tell one of its
// own objects from a hand-made or changed one.
//
// Docker cannot change the labels of an existing network, volume or container,
// so the labels written at creation describe the object for its whole life.
package labels

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/filters"
)

// Label names. Every name starts with Prefix, which users may not use.
const (
	Prefix = "dockerfleet."
	// Managed is "true" on every object dockerfleet created.
	Managed = Prefix + "managed"
	// Resource is the kind of resource that owns the object: "network",
	// "volume" or "service".
	Resource = Prefix + "resource"
	// Name is the name of the owning resource.
	Name = Prefix + "name"
	// Spec is the digest of the desired settings the object was created with.
	Spec = Prefix + "spec"
	// Settings holds the canonical JSON of those settings, so that an import
	// can recover what the configuration said, including values the daemon
	// would otherwise fill in (such as default IPAM).
	Settings = Prefix + "settings"
)

// Kinds of owning resources, the values of the Resource label.
const (
	KindNetwork = "network"
	KindVolume  = "volume"
	KindService = "service"
)

// Encode returns the canonical JSON of settings and its digest. encoding/json
// writes map keys in sorted order, so equal settings give equal digests.
func Encode(settings any) (canonical, digest string, err error) {
	raw, err := json.Marshal(settings)
	if err != nil {
		return "", "", fmt.Errorf("encoding settings: %w", err)
	}
	sum := sha256.Sum256(raw)
	return string(raw), hex.EncodeToString(sum[:16]), nil
}

// Owned returns the labels of a new object: the user's labels plus the
// ownership labels of the resource kind and name and the settings digest.
func Owned(kind, name string, user map[string]string, settings any) (map[string]string, error) {
	canonical, digest, err := Encode(settings)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(user)+5)
	for k, v := range user {
		out[k] = v
	}
	out[Managed] = "true"
	out[Resource] = kind
	out[Name] = name
	out[Spec] = digest
	out[Settings] = canonical
	return out, nil
}

// Owner says whether an object with these labels was created by dockerfleet
// for the resource of this kind and name.
func Owner(l map[string]string, kind, name string) bool {
	return l[Managed] == "true" && l[Resource] == kind && l[Name] == name
}

// IsManaged says whether dockerfleet created the object at all.
func IsManaged(l map[string]string) bool {
	return l[Managed] == "true"
}

// User returns the labels that are not dockerfleet's own.
func User(l map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range l {
		if !strings.HasPrefix(k, Prefix) {
			out[k] = v
		}
	}
	return out
}

// Reserved lists the keys of l that use the dockerfleet prefix, sorted.
func Reserved(l map[string]string) []string {
	var keys []string
	for k := range l {
		if strings.HasPrefix(k, Prefix) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// OwnerFilter selects the objects of one resource in a Docker list call.
func OwnerFilter(kind, name string) filters.Args {
	return filters.NewArgs(
		filters.Arg("label", Managed+"=true"),
		filters.Arg("label", Resource+"="+kind),
		filters.Arg("label", Name+"="+name),
	)
}
