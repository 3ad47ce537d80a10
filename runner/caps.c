/* caps.c: capability sets from status, named by libcap, with risk notes. */
#include "caps.h"
#include "proc.h"

#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

static const struct {
	const char *json;
	const char *status;
} set_names[CAPS_NSETS] = {
	[CAPS_EFFECTIVE] = {"effective", "CapEff"},
	[CAPS_PERMITTED] = {"permitted", "CapPrm"},
	[CAPS_INHERITABLE] = {"inheritable", "CapInh"},
	[CAPS_BOUNDING] = {"bounding", "CapBnd"},
	[CAPS_AMBIENT] = {"ambient", "CapAmb"},
};

/* Keyed by libcap's names, which are checked against libcap in the unit
 * tests; a capability the kernel adds later simply has no note. */
static const struct caps_note notes[] = {
	{"cap_chown", false, "change the owner of any file"},
	{"cap_dac_override", true, "read, write and execute any file regardless of its permissions"},
	{"cap_dac_read_search", true,
	 "read any file and open files by handle: the 'shocker' escape reaches the host's disk"},
	{"cap_fowner", false, "act as the owner of any file (chmod, utime, set ACLs)"},
	{"cap_fsetid", false, "keep set-user-ID bits when modifying files"},
	{"cap_kill", false, "send signals to processes of other users"},
	{"cap_setgid", false, "change group IDs freely"},
	{"cap_setuid", false, "change user IDs freely"},
	{"cap_setpcap", false, "change capability sets of itself and drop bounding capabilities"},
	{"cap_linux_immutable", false, "set the immutable and append-only file attributes"},
	{"cap_net_bind_service", false, "bind to ports below 1024"},
	{"cap_net_broadcast", false, "broadcast and listen to multicast"},
	{"cap_net_admin", true,
	 "reconfigure networking: interfaces, routes, firewall rules, sniffing (the host's, with --network host)"},
	{"cap_net_raw", true, "open raw sockets: forge packets and spoof addresses (ARP, DNS)"},
	{"cap_ipc_lock", false, "lock memory"},
	{"cap_ipc_owner", false, "bypass permission checks on System V IPC objects"},
	{"cap_sys_module", true, "load kernel modules: run any code in the host's kernel"},
	{"cap_sys_rawio", true, "raw I/O to devices and ports (iopl, /dev/mem)"},
	{"cap_sys_chroot", true, "chroot: combined with a host bind mount it makes the host's / the container's"},
	{"cap_sys_ptrace", true,
	 "trace and read other processes' memory; with --pid=host, the host's processes"},
	{"cap_sys_pacct", false, "switch process accounting on or off"},
	{"cap_sys_admin", true,
	 "mount file systems, enter namespaces, and much more: the 'new root'; most escapes need it"},
	{"cap_sys_boot", true, "reboot the machine and load a new kernel (kexec)"},
	{"cap_sys_nice", false, "raise priorities and set other processes' scheduling"},
	{"cap_sys_resource", false, "override resource limits and quotas"},
	{"cap_sys_time", true, "set the system clock (shared by every container and the host)"},
	{"cap_sys_tty_config", false, "configure terminals (vhangup)"},
	{"cap_mknod", false, "create device nodes (usable only where the device cgroup allows)"},
	{"cap_lease", false, "take file leases on files it does not own"},
	{"cap_audit_write", false, "write records to the kernel audit log"},
	{"cap_audit_control", true, "configure kernel auditing: switch it off, change its rules"},
	{"cap_setfcap", true,
	 "set file capabilities: plant a binary that gains capabilities when it runs"},
	{"cap_mac_override", true, "override the mandatory access control policy (AppArmor, SELinux)"},
	{"cap_mac_admin", true, "change the mandatory access control policy"},
	{"cap_syslog", true, "read and clear the kernel log, which leaks kernel addresses"},
	{"cap_wake_alarm", false, "set alarms that wake the machine"},
	{"cap_block_suspend", false, "keep the machine from suspending"},
	{"cap_audit_read", false, "read the kernel audit log through netlink"},
	{"cap_perfmon", true, "use perf events: observe the kernel and other processes"},
	{"cap_bpf", true, "load BPF programs and maps: read kernel memory, hook the kernel"},
	{"cap_checkpoint_restore", false, "checkpoint and restore processes (set pids, read their state)"},
};

const char *caps_set_name(enum caps_set s)
{
	return set_names[s].json;
}

const char *caps_set_status_key(enum caps_set s)
{
	return set_names[s].status;
}

int caps_set_from_name(const char *name)
{
	for (int s = 0; s < CAPS_NSETS; s++)
		if (strcmp(name, set_names[s].json) == 0)
			return s;
	return -1;
}

int caps_parse_status(const char *status, struct caps *c, struct err *e)
{
	for (int s = 0; s < CAPS_NSETS; s++) {
		size_t len;
		const char *v = proc_status_field(status, set_names[s].status, &len);
		char hex[17];
		char *end;

		if (!v)
			return err_input(e, "status has no %s line", set_names[s].status);
		if (len == 0 || len > 16)
			return err_input(e, "status: %s is not a 64-bit hex mask", set_names[s].status);
		memcpy(hex, v, len);
		hex[len] = '\0';
		errno = 0;
		c->set[s] = strtoull(hex, &end, 16);
		if (errno || *end)
			return err_input(e, "status: %s is not a 64-bit hex mask", set_names[s].status);
	}
	return 0;
}

char *caps_name(unsigned bit)
{
	char *n = cap_to_name((cap_value_t)bit);
	char *copy;

	if (!n)
		return xasprintf("%u", bit);
	copy = xstrdup(n);
	cap_free(n);
	return copy;
}

int caps_from_name(const char *name)
{
	struct strbuf sb = STRBUF_INIT;
	cap_value_t v;
	int r;

	if (strncasecmp(name, "cap_", 4) != 0)
		strbuf_adds(&sb, "cap_");
	for (const char *p = name; *p; p++)
		strbuf_addc(&sb, (char)tolower((unsigned char)*p));
	r = cap_from_name(strbuf_str(&sb), &v) == 0 ? (int)v : -1;
	strbuf_release(&sb);
	/* libcap accepts bare numbers; a name must be a name. */
	if (r >= 0 && isdigit((unsigned char)name[0]))
		return -1;
	return r;
}

void caps_names(uint64_t mask, struct argv *a)
{
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (UINT64_C(1) << bit)))
			continue;
		char *n = caps_name(bit);
		argv_push(a, n);
		free(n);
	}
}

char *caps_join(uint64_t mask, const char *sep)
{
	struct strbuf sb = STRBUF_INIT;

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (UINT64_C(1) << bit)))
			continue;
		char *n = caps_name(bit);
		if (sb.len)
			strbuf_adds(&sb, sep);
		strbuf_adds(&sb, n);
		free(n);
	}
	return strbuf_detach(&sb);
}

int caps_last_cap(int proc_rootfd, unsigned *last, struct err *e)
{
	char buf[32];
	cleanup_close int fd = openat(proc_rootfd, "sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *end;
	unsigned long v;

	if (fd < 0)
		return err_sys(e, "cannot open /proc/sys/kernel/cap_last_cap");
	n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return err_sys(e, "cannot read /proc/sys/kernel/cap_last_cap");
	buf[n] = '\0';
	v = strtoul(buf, &end, 10);
	if (end == buf || v > 63)
		return err_input(e, "cap_last_cap holds '%s', not a capability number", buf);
	*last = (unsigned)v;
	return 0;
}

const struct caps_note *caps_note(unsigned bit)
{
	char *n = caps_name(bit);
	const struct caps_note *found = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(notes); i++)
		if (strcmp(notes[i].name, n) == 0) {
			found = &notes[i];
			break;
		}
	free(n);
	return found;
}

uint64_t caps_dangerous_mask(void)
{
	uint64_t m = 0;

	for (size_t i = 0; i < ARRAY_SIZE(notes); i++) {
		cap_value_t v;
		if (notes[i].dangerous && cap_from_name(notes[i].name, &v) == 0 && v < 64)
			m |= UINT64_C(1) << v;
	}
	return m;
}
