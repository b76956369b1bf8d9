package placement

import (
	"hash/fnv"
	"strconv"
	"testing"
)

// tieHash must stay the FNV-1a it documents: plans made by one version of
// the provider must break ties the same way as plans made by the next.
func TestTieHashIsFNV1a(t *testing.T) {
	t.Parallel()

	for _, tc := range []struct {
		service string
		n       int
		host    string
	}{{"web", 1, "h1"}, {"", 0, ""}, {"api", 600, "node-a.example"}} {
		h := fnv.New64a()
		h.Write([]byte(tc.service + "\x00" + strconv.Itoa(tc.n) + "\x00" + tc.host + "\x00"))
		if got, want := tieHash(tc.service, strconv.Itoa(tc.n), tc.host), h.Sum64(); got != want {
			t.Errorf("tieHash(%q, %d, %q) = %x, want %x", tc.service, tc.n, tc.host, got, want)
		}
	}
}
