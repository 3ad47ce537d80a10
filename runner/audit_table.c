/* audit_table.c: the audit's checks as data (DESIGN.md's contract: the
 * names, severities and their rules, what each risks, checks and fixes,
 * and why it matters), and the names of the severities. audit.c decides
 * the findings; report_audit.c says them. */
#include "audit.h"

#include <string.h>
#include <strings.h>

/* ---- the table ------------------------------------------------------------ */

static const struct audit_check checks[] = {
	{
		.name = "privileged",
		.severity = AUDIT_CRITICAL,
		.severity_rule = "critical; high in the container's own user namespace",
		.risk = "root in the container is root on the host: it can mount the host's disks, "
			"load kernel modules and enter host processes",
		.fix = "drop --privileged (or its spelled-out form, --cap-add ALL with "
		       "seccomp=unconfined): start from --cap-drop ALL, add only the capabilities the "
		       "workload needs (e.g. --cap-add NET_ADMIN) and keep the default seccomp profile",
		.what = "Whether the process is privileged in effect, read from /proc/PID/status: its "
			"capabilities (the effective set, and the bounding set while no_new_privs is "
			"off, since a setuid program regains those) include Docker's default set plus "
			"cap_sys_admin, cap_sys_module, cap_sys_ptrace, cap_sys_rawio, "
			"cap_dac_read_search and cap_net_admin (each as far as this host's bounding set "
			"has it), and Seccomp is 0. A fixed mask would not do: engines grant different "
			"sets (Docker 20.10 stops at capability 37) and hosts lack some (a sandbox "
			"without cap_sys_resource). So it is found whether Docker says Privileged or the "
			"flags were spelled out one by one; Docker's Privileged is supporting evidence, "
			"and a finding says when the two disagree.",
		.why = "A privileged container is root on the host one command away: mount the host "
		       "disk from /dev, load a kernel module, rewrite a cgroup release_agent, or "
		       "nsenter into a host process when it also shares the pid namespace. It covers "
		       "extra-caps, seccomp-disabled and host-devices (a privileged container has "
		       "every device), which are then not reported separately: one reason label "
		       "accepts the whole.",
	},
	{
		.name = "host-pid",
		.severity = AUDIT_HIGH,
		.risk = "it sees and signals every host process; with cap_sys_ptrace it can enter "
			"them (nsenter -t PID)",
		.fix = "remove {flag}",
		.what = "Whether /proc/PID/ns/pid is the host's: the same device and inode as "
			"isolab's own (reading another process's namespace links needs root; without it "
			"Docker's PidMode stands in, and the finding says so). Joining another "
			"container's pid namespace that is the host's counts too.",
		.why = "Host command lines and environments (/proc/N/environ) leak secrets; kill stops "
		       "host services; with cap_sys_ptrace (or privileged) a process can nsenter into a "
		       "host process and run as root on the host.",
	},
	{
		.name = "host-net",
		.severity = AUDIT_HIGH,
		.risk = "it shares the host's interfaces: binds host ports, reaches services that "
			"listen on the host's localhost, and sniffs traffic with cap_net_raw",
		.fix = "remove {flag}; publish only the ports it serves (-p)",
		.what = "Whether /proc/PID/ns/net is the host's (as for host-pid).",
		.why = "Services bound to 127.0.0.1 on the host (a database, the Docker API on TCP, a "
		       "metrics endpoint) become reachable; cap_net_raw, a default capability, sniffs "
		       "and spoofs on the host's interfaces; with cap_net_admin it rewrites the host's "
		       "firewall and routes.",
	},
	{
		.name = "host-ipc",
		.severity = AUDIT_MEDIUM,
		.risk = "it shares the host's System V IPC and POSIX shared memory",
		.fix = "remove {flag}; share IPC only between the containers that need it "
		       "(--ipc=shareable, then --ipc=container:NAME)",
		.what = "Whether /proc/PID/ns/ipc is the host's (as for host-pid).",
		.why = "Shared memory segments and message queues of host processes (databases, "
		       "desktop sessions) can be read or corrupted.",
	},
	{
		.name = "host-uts",
		.severity = AUDIT_LOW,
		.risk = "it shares the host's hostname (and can change it with cap_sys_admin)",
		.fix = "remove {flag}",
		.what = "Whether /proc/PID/ns/uts is the host's (as for host-pid).",
		.why = "Little by itself; it tells the container which host it is on and lets a "
		       "process with cap_sys_admin rename the host under every service that logs it.",
	},
	{
		.name = "host-userns",
		.severity = AUDIT_INFO,
		.severity_rule = "info when the container simply shares the host's user namespace (a "
				 "daemon without userns-remap does that for every container); medium "
				 "when Docker's UsernsMode is host, an explicit opt-out of remapping",
		.risk = "uid 0 in the container is uid 0 on the host: any escape lands as root",
		.fix = "give containers their own user namespace: run dockerd with "
		       "--userns-remap=default and do not pass {flag}",
		.what = "Whether /proc/PID/ns/user is the host's, with /proc/PID/uid_map as the "
			"evidence (\"0 0 4294967295\" is the identity: no remapping; readable without "
			"root).",
		.why = "Without a user namespace, root in the container is root on the host, held back "
		       "only by capabilities, seccomp and the LSM: an escape through a kernel bug, a "
		       "mount or the socket lands as root. In its own user namespace, root in the "
		       "container is an unprivileged uid on the host and its capabilities are relative "
		       "to that namespace: isolab then lowers privileged, extra-caps and "
		       "sensitive-mount one level and says why.",
	},
	{
		.name = "docker-socket",
		.severity = AUDIT_CRITICAL,
		.severity_rule = "critical, read-only or not",
		.risk = "the Docker API is root on the host: the container can start a privileged "
			"container with the host's / mounted",
		.fix = "remove the bind of the host's {host_path} at {target} (:ro does not help); if the "
		       "workload must drive Docker, put a proxy in between that allows only the API "
		       "calls it needs",
		.what = "Whether the host's Docker socket (/run/docker.sock, /var/run/docker.sock) is "
			"reachable through the container's mount table, found by its host path (device "
			"and root from /proc/PID/mountinfo) whatever its name inside: a bind of the "
			"socket itself (-v /var/run/docker.sock:/tmp/d.sock), or a bind of a directory "
			"that holds it (/run, /var/run, /) whose mount covers the socket's path.",
		.why = "Read-only on a socket stops changes to the socket file, not connections to it: "
		       "the API behind it is fully usable. With it, `docker run --privileged -v "
		       "/:/host` is one request away.",
	},
	{
		.name = "sensitive-mount",
		.severity = AUDIT_HIGH,
		.severity_rule = "high when read-only; critical when writable (the mount, or a mount "
				 "below it); one lower in the container's own user namespace",
		.risk = "host directories such as /, /etc, /root, /proc, /sys or /dev are visible "
			"inside: secrets, host configuration, devices",
		.fix = "bind only the directory the workload needs instead of the host's {host_path}, "
		       "read-only (:ro) where it only reads",
		.what = "Every mount whose host path (derived from the kernel's device and root, never "
			"from Docker's description) is /, lies under /etc, /proc, /sys, /dev, /boot, "
			"/usr, /lib or /root, or is /run or /var/run. A bind of a parent counts: -v "
			"/:/host exposes /host/etc. The mounts below a reported bind (a recursive bind "
			"brings the host's /proc, /sys and /dev along) are folded into its finding.",
		.why = "Writing /etc (cron, passwd), /root/.ssh or a disk under /dev is a way out; "
		       "reading /etc/shadow or keys leaks secrets. Docker 20.10's :ro makes only the "
		       "top mount read-only: the mounts below a bind of / stay writable, and the "
		       "finding says so.",
	},
	{
		.name = "extra-caps",
		.severity = AUDIT_MEDIUM,
		.severity_rule = "medium; high when an added capability is a known way out (one the "
				 "capability notes mark dangerous: cap_sys_admin, cap_sys_module, "
				 "cap_sys_ptrace, cap_dac_read_search, cap_net_admin...); one lower in "
				 "the container's own user namespace",
		.risk = "capabilities beyond Docker's default set widen what root in the container can "
			"do to the kernel and the host",
		.fix = "remove --cap-add {docker_caps}, or start from --cap-drop ALL and add back only "
		       "what the workload needs",
		.what = "The capabilities the process holds beyond Docker's default set "
			"(00000000a80425fb: chown dac_override fowner fsetid kill setgid setuid setpcap "
			"net_bind_service net_raw sys_chroot mknod audit_write setfcap), from "
			"/proc/PID/status: the effective set, and the bounding set while no_new_privs is "
			"off. Re-adding a default after --cap-drop ALL (--cap-drop ALL --cap-add CHOWN) "
			"is no extra capability.",
		.why = "cap_sys_admin mounts and unshares, cap_sys_module loads kernel code, "
		       "cap_sys_ptrace reads and steers other processes, cap_dac_read_search opens "
		       "host files by handle (shocker), cap_net_admin rewrites the network. Docker's "
		       "default seccomp profile opens the system calls a capability needs, so "
		       "--cap-add loosens seccomp too.",
	},
	{
		.name = "seccomp-disabled",
		.severity = AUDIT_HIGH,
		.risk = "no system call filter: the whole kernel API is open, including the calls "
			"behind most container escapes (unshare, keyctl, bpf, userfaultfd)",
		.fix = "remove --security-opt seccomp=unconfined; if the workload needs a blocked "
		       "system call, use a profile that allows just that call",
		.what = "Seccomp: in /proc/PID/status: 0 is no filter, 2 a filter (Docker's default "
			"profile or another).",
		.why = "Docker's default profile blocks about 44 system calls that containers rarely "
		       "need and kernel exploits often do; escapes such as CVE-2022-0185 (through "
		       "unshare) were stopped by it alone.",
	},
	{
		.name = "lsm-unconfined",
		.severity = AUDIT_MEDIUM,
		.risk = "no AppArmor or SELinux profile confines the process",
		.fix = "remove --security-opt apparmor=unconfined (SELinux: label=disable) so that the "
		       "engine's default profile applies",
		.what = "The LSM label in /proc/PID/attr/current (\"unconfined\", spc_t or "
			"unconfined_t, or none). Checked only where an LSM is enabled on this host; "
			"elsewhere no container is confined by one and the check is skipped with a "
			"note.",
		.why = "The engine's default profile denies mounts, ptrace and writes to /proc and /sys "
		       "files that capabilities would otherwise allow: a wall behind capabilities and "
		       "seccomp.",
	},
	{
		.name = "no-new-privs-missing",
		.severity = AUDIT_LOW,
		.risk = "setuid and file-capability programs can raise the process's privileges",
		.fix = "add --security-opt no-new-privileges (or run dockerd --no-new-privileges for "
		       "every container)",
		.what = "NoNewPrivs: in /proc/PID/status, which also shows a daemon-wide "
			"--no-new-privileges that the container's own configuration does not.",
		.why = "A non-root process, or one that dropped privileges, regains them through a "
		       "setuid program in the image (su, ping) or one an attacker writes; with "
		       "no_new_privs, execve never grants privileges.",
	},
	{
		.name = "writable-rootfs",
		.severity = AUDIT_LOW,
		.risk = "the container's root file system is writable: an attacker can change its "
			"programs and persist in the writable layer",
		.fix = "add --read-only, with --tmpfs for the paths it writes (e.g. --tmpfs /tmp)",
		.what = "The read-only flag of the mount at / in /proc/PID/mountinfo.",
		.why = "A read-only root stops tampering with the image's programs and libraries, and "
		       "what an attacker leaves behind goes with the container.",
	},
	{
		.name = "host-devices",
		.severity = AUDIT_HIGH,
		.severity_rule = "high for a disk or memory device (any block device, /dev/mem, "
				 "/dev/kmem, /dev/port, scsi generic, nvme) or a device cgroup that "
				 "lets cap_mknod make any block device; medium otherwise (kmsg, kvm, "
				 "fuse, tun, loop-control, a console)",
		.risk = "the container can open a host device: a disk's raw blocks, kernel memory, "
			"or a device that talks to the kernel directly",
		.fix = "remove --device {target} (and --device-cgroup-rule, --privileged); give the "
		       "workload a volume or a file instead of the device",
		.what = "The device nodes in the container's /dev, read through /proc/PID/root "
			"(openat2 with RESOLVE_IN_ROOT, never following a link, not crossing into "
			"pts, shm or mqueue), each named by its major:minor and the host's name for it "
			"(/sys/dev), less Docker's defaults (null, zero, full, random, urandom, tty, "
			"console, ptmx, pts). On cgroup v1 the device cgroup's devices.list says "
			"whether the process may open each one (a node it may not open is no "
			"finding), and a rule that allows every block device counts even with no node: "
			"cap_mknod, a default capability, makes one. On cgroup v2 the rules are a BPF "
			"program; Docker's Devices stand in as evidence.",
		.why = "A disk's block device is the host's file system without permissions: mount "
		       "it or read it raw and every file, /etc/shadow included, is readable and "
		       "writable. /dev/mem and /dev/port reach physical memory and I/O ports, "
		       "/dev/kmsg the kernel log; kvm and fuse widen the kernel surface.",
	},
	{
		.name = "mount-propagation",
		.severity = AUDIT_MEDIUM,
		.severity_rule = "medium; high when the process holds cap_sys_admin (it can mount "
				 "there, and the mount appears on the host)",
		.risk = "a host mount is shared with the container: mounts made on either side "
			"appear on the other",
		.fix = "remove the shared propagation (:rshared, :shared, bind-propagation=shared) "
		       "from the bind at {target}; Docker's default, rprivate, keeps mounts apart",
		.what = "The optional fields of /proc/PID/mountinfo (shared:N) of every mount backed "
			"by a host directory: shared means it is in a peer group with the host's "
			"mount. Mounts below a reported one are folded into it. A slave mount "
			"(master:N) only receives the host's mounts and is not reported.",
		.why = "A process that can mount (cap_sys_admin, or privileged) mounts over a shared "
		       "directory and the host sees it: it can hide host files under a mount, or "
		       "plant one where a host service looks. The host's later mounts (a USB disk, a "
		       "secrets volume) show up inside the container too.",
	},
	{
		.name = "no-memory-limit",
		.severity = AUDIT_LOW,
		.risk = "no memory limit: one container can take the host's memory and make the "
			"kernel kill other services",
		.fix = "add --memory (e.g. --memory 512m) sized for the workload",
		.what = "The memory limit of the container's cgroup and its parents: cgroup v1 "
			"memory.limit_in_bytes (a value near 2^63 is no limit), cgroup v2 memory.max "
			"(\"max\" is none), found from /proc/PID/cgroup and the host's cgroup mounts.",
		.why = "Without a limit, a leak or a deliberate allocation pushes the host into the "
		       "OOM killer, which may pick the database next door rather than the "
		       "container.",
	},
	{
		.name = "no-pids-limit",
		.severity = AUDIT_LOW,
		.risk = "no limit on processes: a fork bomb in the container exhausts the host's "
			"process table",
		.fix = "add --pids-limit (e.g. --pids-limit 200)",
		.what = "pids.max of the container's cgroup and its parents (\"max\" is none), on "
			"cgroup v1 and v2.",
		.why = "Every container and the host share one pid space in the kernel: a container "
		       "that forks without bound stops the host from starting processes, ssh "
		       "logins included.",
	},
	{
		.name = "root-user",
		.severity = AUDIT_LOW,
		.severity_rule = "low; medium when the container also has a bind of a host directory "
				 "(root writes there as the host's root)",
		.risk = "the main process runs as root on the host (uid 0 in the host's user "
			"namespace)",
		.fix = "run as an unprivileged user: --user 1000:1000 (or USER in the image), or "
		       "give the container its own user namespace (dockerd --userns-remap)",
		.what = "The Uid: line of /proc/PID/status as the host sees it (real, effective, "
			"saved, file system), with /proc/PID/uid_map as evidence: uid 0 there is the "
			"host's root whatever the image says.",
		.why = "Root is what most escapes need and what every escape hands over: files on a "
		       "host bind are written as root, a setuid binary dropped there runs as root on "
		       "the host, and the capabilities left are root's.",
	},
	{
		.name = "host-cgroupns",
		.severity = AUDIT_LOW,
		.severity_rule = "low; info on cgroup v1, where sharing it is Docker's default",
		.risk = "it shares the host's cgroup namespace: it sees the host's cgroup tree and "
			"its own place in it",
		.fix = "run with --cgroupns=private (Docker's default on cgroup v2)",
		.what = "Whether /proc/PID/ns/cgroup is the host's (as for host-pid).",
		.why = "With the host's cgroup namespace, /proc/self/cgroup names the container's "
		       "full path (its id, the host's slices), and a process that can mount cgroupfs "
		       "sees the whole hierarchy: the ground for the release_agent escape on cgroup "
		       "v1.",
	},
};

static const char *const severity_names[] = {
	[AUDIT_INFO] = "info",     [AUDIT_LOW] = "low",           [AUDIT_MEDIUM] = "medium",
	[AUDIT_HIGH] = "high",     [AUDIT_CRITICAL] = "critical",
};

const struct audit_check *audit_checks(size_t *n)
{
	*n = ARRAY_SIZE(checks);
	return checks;
}

const struct audit_check *audit_check_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		if (strcmp(checks[i].name, name) == 0)
			return &checks[i];
	return NULL;
}

char *audit_check_names(const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		if (i)
			strbuf_adds(&sb, sep);
		strbuf_adds(&sb, checks[i].name);
	}
	return strbuf_detach(&sb);
}

const char *audit_severity_name(enum audit_severity s)
{
	return (unsigned)s < ARRAY_SIZE(severity_names) ? severity_names[s] : "?";
}

int audit_severity_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(severity_names); i++)
		if (strcasecmp(severity_names[i], name) == 0)
			return (int)i;
	return -1;
}
