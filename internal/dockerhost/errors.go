package dockerhost

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"syscall"

	cerrdefs "github.com/containerd/errdefs"

	"github.com/docker/docker/client"
)

// IsUnreachable reports whether err means the host did not answer at all: no
// connection, a connection refused or cut, or a call that ran out of time.
// Callers keep their last known state for such a host and warn.
func IsUnreachable(err error) bool {
	// The Docker client reports every failed dial as a connection failure,
	// including a host key or certificate that was refused: those are not
	// silence, and must not be kept quiet as such.
	if err == nil || IsAuthFailure(err) {
		return false
	}
	if client.IsErrConnectionFailed(err) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EHOSTUNREACH) ||
		errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, os.ErrNotExist) || errors.Is(err, io.EOF) {
		return true
	}
	var netErr net.Error
	if errors.As(err, &netErr) {
		return true
	}
	var unreachable *UnreachableError
	return errors.As(err, &unreachable)
}

// IsNotFound reports whether the daemon said the object does not exist.
func IsNotFound(err error) bool {
	return cerrdefs.IsNotFound(err)
}

// UnreachableError wraps a failure to reach a host that the Docker client
// does not classify itself, such as an SSH dial that timed out.
type UnreachableError struct{ Err error }

func (e *UnreachableError) Error() string { return e.Err.Error() }
func (e *UnreachableError) Unwrap() error { return e.Err }

// retryable is the narrower class of failures worth one more try of a read:
// the connection broke, not the daemon said no.
func retryable(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	return IsUnreachable(err)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}
