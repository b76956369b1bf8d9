package containerspec

import (
	"regexp"
	"strconv"
	"strings"
)

// Names Docker and the Linux kernel accept, checked at plan so that a typo
// fails before any replica is touched rather than on the first host at apply.

// linuxSignals are the signal names a Linux container can be stopped with,
// without the SIG prefix.
var linuxSignals = setOf("ABRT", "ALRM", "BUS", "CHLD", "CLD", "CONT", "FPE", "HUP", "ILL",
	"INT", "IO", "IOT", "KILL", "PIPE", "POLL", "PROF", "PWR", "QUIT", "SEGV", "STKFLT",
	"STOP", "SYS", "TERM", "TRAP", "TSTP", "TTIN", "TTOU", "URG", "USR1", "USR2", "VTALRM",
	"WINCH", "XCPU", "XFSZ", "RTMIN", "RTMAX")

// linuxCapabilities are the capability names of Linux, without CAP_.
var linuxCapabilities = setOf("AUDIT_CONTROL", "AUDIT_READ", "AUDIT_WRITE", "BLOCK_SUSPEND",
	"BPF", "CHECKPOINT_RESTORE", "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER",
	"FSETID", "IPC_LOCK", "IPC_OWNER", "KILL", "LEASE", "LINUX_IMMUTABLE", "MAC_ADMIN",
	"MAC_OVERRIDE", "MKNOD", "NET_ADMIN", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_RAW",
	"PERFMON", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_ADMIN", "SYS_BOOT",
	"SYS_CHROOT", "SYS_MODULE", "SYS_NICE", "SYS_PACCT", "SYS_PTRACE", "SYS_RAWIO",
	"SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "SYSLOG", "WAKE_ALARM")

// ulimitNames are the process limits Docker can set.
var ulimitNames = setOf("core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue",
	"nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack")

// namespacedSysctls are the kernel.* parameters that belong to a container's
// IPC namespace; fs.mqueue.* and net.* are matched by prefix.
var namespacedSysctls = setOf("kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",
	"kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced")

var (
	volumeNamePattern = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]+$`)
	sysctlNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-zA-Z0-9_-]+)+$`)
	hostLabelPattern  = regexp.MustCompile(`^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$`)
)

// knownSignal accepts SIGTERM, TERM, sigterm, SIGRTMIN+3, RTMAX-2 and numbers
// from 1 to 64.
func knownSignal(raw string) bool {
	if n, err := strconv.Atoi(raw); err == nil {
		return n >= 1 && n <= 64
	}
	name := strings.TrimPrefix(strings.ToUpper(raw), "SIG")
	if linuxSignals[name] {
		return true
	}
	for base, sign := range map[string]string{"RTMIN": "+", "RTMAX": "-"} {
		if rest, ok := strings.CutPrefix(name, base+sign); ok {
			n, err := strconv.Atoi(rest)
			return err == nil && n >= 1 && n <= 15
		}
	}
	return false
}

// knownCapability accepts NET_ADMIN, CAP_NET_ADMIN and net_admin, and ALL.
func knownCapability(raw string) bool {
	name := strings.ToUpper(strings.TrimSpace(raw))
	return name == "ALL" || linuxCapabilities[strings.TrimPrefix(name, "CAP_")]
}

// namespacedSysctl says whether a sysctl can be set per container.
func namespacedSysctl(key string) bool {
	return namespacedSysctls[key] || strings.HasPrefix(key, "fs.mqueue.") ||
		strings.HasPrefix(key, "net.")
}

// validHostname is an RFC 1123 host name that fits the 64 bytes Linux keeps.
func validHostname(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, label := range strings.Split(name, ".") {
		if !hostLabelPattern.MatchString(label) {
			return false
		}
	}
	return true
}

func setOf(names ...string) map[string]bool {
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out
}
