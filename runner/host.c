/* host.c: facts about the machine isolab runs on, each read below a root
 * directory through openat() so that fixture trees stand in for it. */
#include "host.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "caps.h"
#include "proc.h"

/* cpuinfo on a machine with hundreds of CPUs runs to a few hundred KB. */
#define HOST_READ_MAX (8u << 20)

/* --- reading below the root ------------------------------------------------ */

/* Read a whole file below rootfd; -1 with errno set when it cannot. */
static int read_at(int rootfd, const char *path, char **out, size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	cleanup_close int fd = openat(rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char buf[4096];

	*out = NULL;
	if (fd < 0)
		return -1;
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;
			strbuf_release(&sb);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		strbuf_add(&sb, buf, (size_t)n);
		if (sb.len > HOST_READ_MAX)
			break;
	}
	if (!sb.buf)
		strbuf_adds(&sb, "");
	if (len)
		*len = sb.len;
	*out = strbuf_detach(&sb);
	return 0;
}

/* The first line of a small file, without surrounding space; NULL when the
 * file cannot be read. DMI and sysfs values end in a newline. */
static char *read_value(int rootfd, const char *path)
{
	char *s;
	size_t start = 0, end;

	if (read_at(rootfd, path, &s, NULL) < 0)
		return NULL;
	end = strcspn(s, "\n");
	while (start < end && isspace((unsigned char)s[start]))
		start++;
	while (end > start && isspace((unsigned char)s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

static bool exists_at(int dirfd, const char *path)
{
	struct stat st;
	return fstatat(dirfd, path, &st, 0) == 0;
}

static bool is_dir_at(int dirfd, const char *path)
{
	struct stat st;
	return fstatat(dirfd, path, &st, 0) == 0 && S_ISDIR(st.st_mode);
}

/* --- capabilities ------------------------------------------------------------ */

static int load_caps(struct host_facts *h, int rootfd, struct err *e)
{
	cleanup_free char *status = NULL;
	cleanup_close int procfd = -1;
	struct caps c;
	size_t vlen;

	if (read_at(rootfd, "proc/self/status", &status, NULL) < 0)
		return err_sys(e, "cannot read /proc/self/status");
	if (caps_parse_status(status, &c, e) < 0)
		return err_wrap(e, "/proc/self/status");
	procfd = openat(rootfd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return err_sys(e, "cannot open /proc");
	if (caps_last_cap(procfd, &h->last_cap, e) < 0)
		return -1;
	h->bounding = c.set[CAPS_BOUNDING];
	h->all = caps_all_mask(h->last_cap);
	h->missing = h->all & ~h->bounding;
	h->can_grant_all = h->missing == 0;
	h->seccomp = proc_status_field(status, "Seccomp", &vlen) != NULL;
	return 0;
}

/* --- virtualisation ---------------------------------------------------------- */

/* Every non-NULL pattern must occur (case-insensitively) in its DMI field.
 * First match wins; a NULL name marks a known bare-metal machine from a
 * vendor that otherwise means a VM. Strings as the vendors' firmware
 * reports them (and as systemd-detect-virt matches them). */
static const struct {
	const char *sys_vendor;
	const char *product_name;
	const char *board_vendor;
	const char *name;
} dmi_vendors[] = {
	{"Amazon EC2", ".metal", NULL, NULL}, /* EC2 bare-metal instances */
	{"Amazon EC2", NULL, NULL, "Amazon EC2"},
	{NULL, NULL, "Amazon EC2", "Amazon EC2"},
	{"Microsoft Corporation", "Virtual Machine", NULL, "Microsoft Hyper-V"},
	{NULL, "Google Compute Engine", NULL, "Google Compute Engine"},
	{"Google", NULL, NULL, "Google Compute Engine"},
	{NULL, "KubeVirt", NULL, "KubeVirt"},
	{NULL, "OpenStack", NULL, "OpenStack"},
	{"OpenStack", NULL, NULL, "OpenStack"},
	{"DigitalOcean", NULL, NULL, "DigitalOcean"},
	{"Hetzner", "vServer", NULL, "Hetzner Cloud"},
	{"Linode", NULL, NULL, "Linode"},
	{"Scaleway", NULL, NULL, "Scaleway"},
	{"Alibaba Cloud", "ECS", NULL, "Alibaba Cloud ECS"},
	{NULL, "KVM", NULL, "KVM"},
	{"QEMU", NULL, NULL, "QEMU"},
	{NULL, "QEMU", NULL, "QEMU"},
	{NULL, NULL, "QEMU", "QEMU"},
	{"VMware", NULL, NULL, "VMware"},
	{NULL, "VMware", NULL, "VMware"},
	{"innotek GmbH", NULL, NULL, "VirtualBox"},
	{NULL, "VirtualBox", NULL, "VirtualBox"},
	{"Xen", NULL, NULL, "Xen"},
	{NULL, "HVM domU", NULL, "Xen"},
	{"Parallels", NULL, NULL, "Parallels"},
	{"Bochs", NULL, NULL, "Bochs"},
	{NULL, "Bochs", NULL, "Bochs"},
	{NULL, "BHYVE", NULL, "bhyve"},
	{NULL, "Apple Virtualization", NULL, "Apple Virtualization"},
	{NULL, "AHV", "Nutanix", "Nutanix AHV"},
	{"ACRN", NULL, NULL, "ACRN"},
};

static bool field_matches(const char *value, const char *pattern)
{
	if (!pattern)
		return true;
	return value && strcasestr(value, pattern) != NULL;
}

/* The table's entry for a triple: -1 when none matches. */
static int dmi_match(const char *sys_vendor, const char *product_name, const char *board_vendor)
{
	for (size_t i = 0; i < ARRAY_SIZE(dmi_vendors); i++)
		if (field_matches(sys_vendor, dmi_vendors[i].sys_vendor) &&
		    field_matches(product_name, dmi_vendors[i].product_name) &&
		    field_matches(board_vendor, dmi_vendors[i].board_vendor))
			return (int)i;
	return -1;
}

const char *host_vm_vendor(const char *sys_vendor, const char *product_name,
			   const char *board_vendor)
{
	int i = dmi_match(sys_vendor, product_name, board_vendor);
	return i < 0 ? NULL : dmi_vendors[i].name;
}

/* " sys_vendor 'X', product_name 'Y'" for an evidence line. */
static void describe_dmi(struct strbuf *sb, const char *sys_vendor, const char *product_name,
			 const char *board_vendor)
{
	const struct {
		const char *key;
		const char *value;
	} f[] = {
		{"sys_vendor", sys_vendor},
		{"product_name", product_name},
		{"board_vendor", board_vendor},
	};
	bool first = true;

	for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
		if (!f[i].value || !*f[i].value)
			continue;
		strbuf_addf(sb, "%s%s '%s'", first ? "" : ", ", f[i].key, f[i].value);
		first = false;
	}
}

/* DMI: the firmware's own name for the machine. */
static void load_dmi(struct host_facts *h, int rootfd)
{
	cleanup_free char *sys_vendor = read_value(rootfd, "sys/class/dmi/id/sys_vendor");
	cleanup_free char *product = read_value(rootfd, "sys/class/dmi/id/product_name");
	cleanup_free char *board = read_value(rootfd, "sys/class/dmi/id/board_vendor");
	struct strbuf sb = STRBUF_INIT;
	const char *vendor;

	if (!sys_vendor && !product && !board) {
		argv_push(&h->evidence, "DMI: /sys/class/dmi/id is not readable here (no firmware "
					"tables, as in a microVM, or hidden), so no vendor to go by");
		return;
	}
	if (!(sys_vendor && *sys_vendor) && !(product && *product) && !(board && *board)) {
		argv_push(&h->evidence, "DMI: the firmware names no vendor or product, so no "
					"vendor to go by");
		return;
	}
	h->dmi_available = true;
	vendor = host_vm_vendor(sys_vendor, product, board);
	strbuf_adds(&sb, "DMI: ");
	describe_dmi(&sb, sys_vendor, product, board);
	if (vendor) {
		h->vm_vendor = xstrdup(vendor);
		strbuf_addf(&sb, ": a %s virtual machine", vendor);
	} else if (dmi_match(sys_vendor, product, board) >= 0) {
		strbuf_adds(&sb, ": a bare-metal instance");
	} else {
		strbuf_adds(&sb, ": not a hypervisor or cloud isolab knows");
	}
	argv_push(&h->evidence, strbuf_str(&sb));
	strbuf_release(&sb);
}

static bool has_word(const char *s, size_t len, const char *word)
{
	size_t wl = strlen(word);

	for (size_t i = 0; i + wl <= len; i++) {
		if ((i == 0 || isspace((unsigned char)s[i - 1])) && memcmp(s + i, word, wl) == 0 &&
		    (i + wl == len || isspace((unsigned char)s[i + wl])))
			return true;
	}
	return false;
}

/* The hypervisor flag: the CPU (as the hypervisor presents it) says the
 * kernel runs as a guest. x86 only; other architectures have no flags line.
 * Returns whether a flags line was found at all. */
static bool load_cpuinfo(struct host_facts *h, int rootfd)
{
	cleanup_free char *cpuinfo = NULL;

	if (read_at(rootfd, "proc/cpuinfo", &cpuinfo, NULL) < 0) {
		argv_push(&h->evidence, "/proc/cpuinfo is not readable: the hypervisor CPU flag "
					"was not checked");
		return false;
	}
	for (const char *p = cpuinfo; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		const char *colon = memchr(p, ':', len);

		if (colon && util_str_has_prefix(p, "flags") &&
		    strspn(p + 5, " \t") == (size_t)(colon - p - 5)) {
			size_t vlen = len - (size_t)(colon + 1 - p);
			h->hypervisor_flag = has_word(colon + 1, vlen, "hypervisor");
			argv_push(&h->evidence,
				  h->hypervisor_flag
					  ? "/proc/cpuinfo: the hypervisor CPU flag is set: the kernel "
					    "runs as a guest of a hypervisor"
					  : "/proc/cpuinfo: no hypervisor CPU flag");
			return true;
		}
		p = nl ? nl + 1 : p + len;
	}
	argv_push(&h->evidence, "/proc/cpuinfo has no CPU flags line (not x86): the hypervisor "
				"flag cannot be checked");
	return false;
}

/* The markers container engines leave: isolab itself may run inside one,
 * and then "the host" the labs reach is that container's. */
static void load_container(struct host_facts *h, int rootfd)
{
	cleanup_free char *env = NULL;
	size_t len = 0;

	if (exists_at(rootfd, ".dockerenv")) {
		h->in_container = true;
		argv_push(&h->evidence, "/.dockerenv exists: isolab runs inside a Docker container");
	}
	if (exists_at(rootfd, "run/.containerenv")) {
		h->in_container = true;
		argv_push(&h->evidence, "/run/.containerenv exists: isolab runs inside a Podman "
					"container");
	}
	if (read_at(rootfd, "proc/1/environ", &env, &len) < 0) {
		if (errno != ENOENT)
			argv_pushf(&h->evidence, "/proc/1/environ is not readable (%s): its "
						 "container= marker was not checked", strerror(errno));
		return;
	}
	/* NUL-separated entries. */
	for (size_t off = 0; off < len; off += strlen(env + off) + 1) {
		const char *v = env + off;
		if (util_str_has_prefix(v, "container=")) {
			h->in_container = true;
			argv_pushf(&h->evidence, "PID 1's environment has %s: isolab runs inside a "
						 "container", v);
			break;
		}
	}
}

static void decide_vm(struct host_facts *h, bool flags_line)
{
	if (h->vm_vendor || h->hypervisor_flag)
		h->vm = HOST_VM_YES;
	else if (h->dmi_available || flags_line)
		h->vm = HOST_VM_NO;
	else
		h->vm = HOST_VM_UNKNOWN;
}

/* --- kernel features ----------------------------------------------------------- */

static bool is_cgroup2(int dirfd, const char *path)
{
	cleanup_close int fd = openat(dirfd, path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;

	if (fd < 0 || fstatfs(fd, &sf) < 0)
		return false;
	return sf.f_type == CGROUP2_SUPER_MAGIC;
}

/* statfs says it on a real host; a fixture tree (a plain directory) is told
 * apart by its contents, which the kernel lays out the same way. */
static void load_cgroup(struct host_facts *h, int rootfd)
{
	static const char *const v1_controllers[] = {
		"cpu", "cpuacct", "cpuset", "memory", "pids", "devices", "blkio", "freezer",
	};
	cleanup_close int fd = openat(rootfd, "sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct statfs sf;
	struct strbuf found = STRBUF_INIT;
	bool unified;

	if (fd < 0 || fstatfs(fd, &sf) < 0) {
		h->cgroup = HOST_CGROUP_UNKNOWN;
		h->cgroup_detail = xstrdup("/sys/fs/cgroup is not there");
		return;
	}
	if (sf.f_type == CGROUP2_SUPER_MAGIC) {
		h->cgroup = HOST_CGROUP_V2;
		h->cgroup_detail = xstrdup("cgroup2 file system at /sys/fs/cgroup");
		return;
	}
	if (sf.f_type != TMPFS_MAGIC && exists_at(fd, "cgroup.controllers")) {
		h->cgroup = HOST_CGROUP_V2;
		h->cgroup_detail = xstrdup("cgroup.controllers at /sys/fs/cgroup");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(v1_controllers); i++) {
		if (!is_dir_at(fd, v1_controllers[i]))
			continue;
		strbuf_addf(&found, "%s%s", found.len ? ", " : "", v1_controllers[i]);
	}
	unified = is_cgroup2(fd, "unified") || exists_at(fd, "unified/cgroup.controllers");
	if (!found.len) {
		h->cgroup = HOST_CGROUP_UNKNOWN;
		h->cgroup_detail = xstrdup("neither cgroup2 nor v1 controllers at /sys/fs/cgroup");
	} else {
		h->cgroup = unified ? HOST_CGROUP_HYBRID : HOST_CGROUP_V1;
		h->cgroup_detail = xasprintf(
			"%sv1 controllers at /sys/fs/cgroup (%s)%s",
			sf.f_type == TMPFS_MAGIC ? "tmpfs with " : "", found.buf,
			unified ? "; cgroup2 at /sys/fs/cgroup/unified" : "");
	}
	strbuf_release(&found);
}

static void load_lsm(struct host_facts *h, int rootfd)
{
	cleanup_free char *aa = read_value(rootfd, "sys/module/apparmor/parameters/enabled");
	cleanup_free char *se = read_value(rootfd, "sys/fs/selinux/enforce");

	h->apparmor = aa && strcmp(aa, "Y") == 0;
	if (!se)
		h->selinux = HOST_SELINUX_OFF;
	else
		h->selinux = strcmp(se, "1") == 0 ? HOST_SELINUX_ENFORCING : HOST_SELINUX_PERMISSIVE;
}

int host_facts_load(struct host_facts *h, const char *root, struct err *e)
{
	cleanup_close int rootfd = -1;
	bool flags_line;

	memset(h, 0, sizeof(*h));
	if (!root)
		root = "/";
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(e, "cannot open %s", root);
	if (load_caps(h, rootfd, e) < 0)
		return err_wrap(e, "host capabilities");

	load_dmi(h, rootfd);
	flags_line = load_cpuinfo(h, rootfd);
	load_container(h, rootfd);
	decide_vm(h, flags_line);

	load_cgroup(h, rootfd);
	h->seccomp_actions = read_value(rootfd, "proc/sys/kernel/seccomp/actions_avail");
	load_lsm(h, rootfd);
	return 0;
}

void host_facts_free(struct host_facts *h)
{
	free(h->vm_vendor);
	free(h->cgroup_detail);
	free(h->seccomp_actions);
	argv_free(&h->evidence);
	memset(h, 0, sizeof(*h));
}

const char *host_vm_name(enum host_vm vm)
{
	switch (vm) {
	case HOST_VM_YES:
		return "yes";
	case HOST_VM_NO:
		return "no";
	default:
		return "unknown";
	}
}

const char *host_cgroup_name(enum host_cgroup cg)
{
	switch (cg) {
	case HOST_CGROUP_V1:
		return "1";
	case HOST_CGROUP_HYBRID:
		return "1 (hybrid)";
	case HOST_CGROUP_V2:
		return "2";
	default:
		return "unknown";
	}
}

const char *host_selinux_name(enum host_selinux s)
{
	switch (s) {
	case HOST_SELINUX_PERMISSIVE:
		return "permissive";
	case HOST_SELINUX_ENFORCING:
		return "enforcing";
	default:
		return "off";
	}
}
