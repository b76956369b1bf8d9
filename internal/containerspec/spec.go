// Package containerspec is the container spec of a service replica as plain Go:
// normalisation (defaults filled, durations and sizes compared by value, sorted
// where order means nothing), validation with attribute paths, the keyed spec
// digest that labels every container, the Docker API configuration, and the
// comparison with what the daemon reports. It knows nothing of Terraform.
package containerspec

// Pull policies: when the image is pulled on a host.
const (
	PullMissing = "missing"
	PullAlways  = "always"
	PullNever   = "never"
)

// Mount types.
const (
	MountVolume = "volume"
	MountBind   = "bind"
	MountTmpfs  = "tmpfs"
)

// Spec is the desired container of every replica of a service. Empty values
// mean "the image's or Docker's default".
type Spec struct {
	Image string
	// Pull is how the image is resolved on a host; it does not enter the
	// digest, because it does not change the container.
	Pull       string
	Command    []string
	Entrypoint []string
	Env        map[string]string
	// SecretEnv holds environment values that must not show in plans or
	// labels; they enter the digest only through the HMAC.
	SecretEnv  map[string]string
	Labels     map[string]string
	User       string
	WorkingDir string
	Hostname   string

	Ports       []Port
	Networks    []Network
	Mounts      []Mount
	Restart     Restart
	Healthcheck *Healthcheck
	Resources   Resources

	StopSignal string
	// StopGracePeriod is a duration such as "10s".
	StopGracePeriod string
	LogDriver       string
	LogOptions      map[string]string
	CapAdd          []string
	CapDrop         []string
	ReadOnly        bool
	Privileged      bool
	Init            bool
	// Tmpfs maps a container path to its mount options ("size=64m").
	Tmpfs      map[string]string
	DNS        []string
	ExtraHosts []string
	Sysctls    map[string]string
	Ulimits    []Ulimit
}

// Port publishes a container port on the host.
type Port struct {
	Target int
	// Published is empty (not published on the host), one port ("80") or a
	// range ("8000-8009") from which each replica gets its own port.
	Published string
	Protocol  string
	HostIP    string
}

// Network attaches the container to a network with optional aliases.
type Network struct {
	Name    string
	Aliases []string
}

// Mount is a volume, bind or tmpfs mount.
type Mount struct {
	Type     string
	Source   string
	Target   string
	ReadOnly bool
}

// Restart is the restart policy.
type Restart struct {
	Policy     string
	MaxRetries int
}

// Healthcheck overrides the image's health check. Durations are strings such
// as "5s"; empty means Docker's default.
type Healthcheck struct {
	Test        []string
	Interval    string
	Timeout     string
	StartPeriod string
	Retries     int
	Disabled    bool
}

// Resources limit the container. Memory sizes are bytes ("536870912") or
// sizes with a unit ("512m", "1g"); CPUs are a decimal count ("0.5").
type Resources struct {
	CPUs              string
	Memory            string
	MemoryReservation string
}

// Ulimit is one resource limit; Hard defaults to Soft.
type Ulimit struct {
	Name string
	Soft int64
	Hard int64
}

// Replica is what distinguishes one replica's container from another's.
type Replica struct {
	Service string
	Name    string
	Number  int
	Host    string
	// Port is the published host port taken from the spec's port range, 0
	// when the spec has none.
	Port int
	// Digest is the spec digest written to the container's labels.
	Digest string
}
