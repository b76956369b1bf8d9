package containerspec

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// KeySize is the length in bytes of a digest key.
const KeySize = 32

// NewKey returns a fresh random digest key.
func NewKey() ([]byte, error) {
	key := make([]byte, KeySize)
	if _, err := rand.Read(key); err != nil {
		return nil, err
	}
	return key, nil
}

// Digest is a keyed digest (HMAC-SHA256, hex) of the normalised spec. Equal
// specs give equal digests under one key; any change that changes the
// container changes the digest.
//
// The digest is written to container labels and shown in plans, and the spec
// holds secret_env values. A plain hash would let anyone who sees the digest
// confirm a guessed low-entropy secret by hashing candidate specs; under a
// random key that only the provider holds, the digest reveals nothing and
// confirms nothing. Secret values enter the computation only as HMAC input.
func Digest(s Spec, key []byte) string {
	n := Normalize(s)
	// The pull policy says how to fetch the image, not what the container is.
	n.Pull = ""
	// A Spec holds only strings, numbers, bools, slices and maps with string
	// keys, which always marshal, and maps marshal with sorted keys.
	payload, _ := json.Marshal(n)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("dockerfleet/containerspec/v1\x00"))
	mac.Write(payload)
	return hex.EncodeToString(mac.Sum(nil))
}
