/* mounts.c: mountinfo via libmount, host paths and classification. */
#include "mounts.h"

#include <ctype.h>
#include <errno.h>
#include <libmount.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

static const char *const kind_names[] = {
	[MOUNT_ROOTFS] = "rootfs",
	[MOUNT_HOST_BIND] = "host-bind",
	[MOUNT_DOCKER_SOCKET] = "docker-socket",
	[MOUNT_PROC] = "proc",
	[MOUNT_SYS] = "sys",
	[MOUNT_DEV] = "dev",
	[MOUNT_TMPFS] = "tmpfs",
	[MOUNT_MASKED] = "masked",
	[MOUNT_OTHER] = "other",
};

/* Host paths DESIGN.md calls sensitive: these and everything below them
 * ("/" itself only as such: everything is below it). */
static const char *const sensitive_dirs[] = {
	"/etc", "/proc", "/sys", "/dev", "/boot", "/usr", "/lib", "/root",
	"/var/run/docker.sock", "/run/docker.sock",
};

/* The socket's directories: a bind of one of them hands over the socket. */
static const char *const socket_parents[] = {"/run", "/var/run"};

/* Pseudo file systems whose mounts belong under /sys and /dev. */
static const char *const sys_fstypes[] = {
	"sysfs", "cgroup", "cgroup2", "securityfs", "debugfs", "tracefs", "bpf", "pstore",
	"configfs", "fusectl", "efivarfs",
};
static const char *const dev_fstypes[] = {"devpts", "mqueue", "devtmpfs", "hugetlbfs"};

const char *mounts_kind_name(enum mount_kind k)
{
	return kind_names[k];
}

int mounts_kind_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(kind_names); i++)
		if (strcmp(kind_names[i], name) == 0)
			return (int)i;
	return -1;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* The engine's own socket, as named and as resolved (host_path is the
 * kernel's, so links are already followed there). */
static char *engine_sock[2];

void mounts_set_engine_socket(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(engine_sock); i++) {
		free(engine_sock[i]);
		engine_sock[i] = NULL;
	}
	if (!path)
		return;
	engine_sock[0] = xstrdup(path);
	engine_sock[1] = realpath(path, NULL);
}

bool mounts_path_is_docker_socket(const char *host_path)
{
	if (!host_path)
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(engine_sock); i++)
		if (engine_sock[i] && strcmp(host_path, engine_sock[i]) == 0)
			return true;
	return strcmp(host_path, "/run/docker.sock") == 0 ||
	       strcmp(host_path, "/var/run/docker.sock") == 0;
}

bool mounts_path_sensitive(const char *host_path)
{
	if (!host_path)
		return false;
	if (strcmp(host_path, "/") == 0)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(sensitive_dirs); i++)
		if (util_path_within(host_path, sensitive_dirs[i]))
			return true;
	return in_list(host_path, socket_parents, ARRAY_SIZE(socket_parents));
}

static int on_parse_error(struct libmnt_table *tb, const char *filename, int line)
{
	(void)tb;
	(void)filename;
	(void)line;
	return 1; /* skip the line, keep parsing */
}

static const char *propagation_of(struct libmnt_fs *fs)
{
	unsigned long flags = 0;

	/* No optional fields at all means private. */
	if (mnt_fs_get_propagation(fs, &flags) < 0 || flags == 0)
		return "private";
	if ((flags & MS_SHARED) && (flags & MS_SLAVE))
		return (flags & MS_UNBINDABLE) ? "shared,slave,unbindable" : "shared,slave";
	if (flags & MS_SHARED)
		return (flags & MS_UNBINDABLE) ? "shared,unbindable" : "shared";
	if (flags & MS_SLAVE)
		return (flags & MS_UNBINDABLE) ? "slave,unbindable" : "slave";
	if (flags & MS_UNBINDABLE)
		return "unbindable";
	return "private";
}

static bool has_ro_option(const char *opts)
{
	/* mnt_optstr_get_option() would do, but "ro" must be a whole word. */
	char *val = NULL;
	size_t len = 0;

	return opts && mnt_optstr_get_option(opts, "ro", &val, &len) == 0;
}

int mounts_parse_stream(FILE *f, const char *name, struct mount_table *t, struct err *e)
{
	struct libmnt_table *tb = mnt_new_table();
	struct libmnt_iter *it = mnt_new_iter(MNT_ITER_FORWARD);
	struct libmnt_fs *fs;
	size_t cap = 0;
	int rc;

	memset(t, 0, sizeof(*t));
	if (!tb || !it) {
		mnt_free_table(tb);
		mnt_free_iter(it);
		return err_set(e, ERR_SYSTEM, ENOMEM, "libmount");
	}
	/* No path cache: it would canonicalise paths in isolab's own mount
	 * namespace, which is wrong for another process's table. */
	mnt_table_set_parser_errcb(tb, on_parse_error);
	rc = mnt_table_parse_stream(tb, f, name);
	if (rc < 0) {
		mnt_free_table(tb);
		mnt_free_iter(it);
		return err_set(e, ERR_SYSTEM, -rc, "cannot parse %s", name);
	}
	while (mnt_table_next_fs(tb, it, &fs) == 0) {
		struct mount_entry *m;
		const char *target = mnt_fs_get_target(fs);

		if (!target)
			continue;
		if (t->n == cap) {
			cap = cap ? cap * 2 : 32;
			t->v = xreallocarray(t->v, cap, sizeof(*t->v));
		}
		m = &t->v[t->n++];
		memset(m, 0, sizeof(*m));
		m->id = mnt_fs_get_id(fs);
		m->parent_id = mnt_fs_get_parent_id(fs);
		m->devno = mnt_fs_get_devno(fs);
		m->target = xstrdup(target);
		m->root = xstrdup(mnt_fs_get_root(fs) ? mnt_fs_get_root(fs) : "/");
		m->fstype = xstrdup(mnt_fs_get_fstype(fs));
		m->source = mnt_fs_get_source(fs) ? xstrdup(mnt_fs_get_source(fs)) : NULL;
		m->vfs_options = xstrdup(mnt_fs_get_vfs_options(fs));
		m->fs_options = xstrdup(mnt_fs_get_fs_options(fs) ? mnt_fs_get_fs_options(fs) : "");
		m->read_only = has_ro_option(m->vfs_options);
		m->propagation = propagation_of(fs);
		m->kind = MOUNT_OTHER;
	}
	mnt_free_iter(it);
	mnt_free_table(tb);
	return 0;
}

int mounts_read(const struct proc *p, struct mount_table *t, struct err *e)
{
	char name[64];
	int fd = proc_openat(p, "mountinfo", e);
	FILE *f;
	int rc;

	if (fd < 0)
		return -1;
	f = fdopen(fd, "re");
	if (!f) {
		close(fd);
		return err_sys(e, "fdopen");
	}
	snprintf(name, sizeof(name), "/proc/%d/mountinfo", (int)p->pid);
	rc = mounts_parse_stream(f, name, t, e);
	if (rc == 0 && ferror(f)) {
		/* A zombie's mountinfo reads as EINVAL: the process is gone. */
		mounts_free(t);
		rc = proc_check_alive(p, e) < 0 ? -1 : err_set(e, ERR_SYSTEM, EIO, "cannot read %s", name);
	}
	fclose(f);
	if (rc == 0 && proc_check_alive(p, e) < 0) {
		mounts_free(t);
		return -1;
	}
	if (rc == 0 && t->n == 0) {
		/* Every live process has at least its root: an empty table means
		 * the read failed quietly (a zombie's mountinfo reads empty). */
		rc = proc_check_alive(p, e) < 0
			     ? -1
			     : err_set(e, ERR_EXITED, 0, "process %d exited", (int)p->pid);
	}
	return rc;
}

void mounts_free(struct mount_table *t)
{
	for (size_t i = 0; i < t->n; i++) {
		struct mount_entry *m = &t->v[i];
		free(m->target);
		free(m->root);
		free(m->fstype);
		free(m->source);
		free(m->vfs_options);
		free(m->fs_options);
		free(m->host_path);
	}
	free(t->v);
	t->v = NULL;
	t->n = 0;
}

/* The host mount of the same device whose root is the longest prefix of
 * this root, on a component boundary; its target plus the rest. */
static char *derive_host_path(const struct mount_entry *m, const struct mount_table *host)
{
	const struct mount_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < host->n; i++) {
		const struct mount_entry *h = &host->v[i];
		size_t len = strlen(h->root);

		if (h->devno != m->devno || !util_path_within(m->root, h->root))
			continue;
		/* Longest root wins; among equals, the shortest target (the
		 * mount a person would name), then the first. */
		if (!best || len > best_len ||
		    (len == best_len && strlen(h->target) < strlen(best->target))) {
			best = h;
			best_len = len;
		}
	}
	if (!best)
		return NULL;

	const char *rest = strcmp(best->root, "/") == 0 ? m->root : m->root + best_len;
	if (strcmp(best->target, "/") == 0)
		return xstrdup(*rest ? rest : "/");
	if (strcmp(rest, "/") == 0 || !*rest)
		return xstrdup(best->target);
	return xasprintf("%s%s", best->target, rest);
}

/* A path component of 64 hex digits: a container id. */
static bool names_container_id(const char *path)
{
	const char *p = path;

	while (*p) {
		size_t n = 0;

		while (*p == '/')
			p++;
		while (p[n] && p[n] != '/' && isxdigit((unsigned char)p[n]))
			n++;
		if (n >= 64 && (p[n] == '/' || !p[n] || p[n] == '.'))
			return true;
		while (*p && *p != '/')
			p++;
	}
	return false;
}

static bool is_masked(const struct mount_entry *m)
{
	const char *base = strrchr(m->root, '/');

	/* A bind of a null device over a file hides it (Docker, Podman). */
	if (base && strcmp(base, "/null") == 0 && strcmp(m->target, "/dev/null") != 0 &&
	    (strcmp(m->fstype, "tmpfs") == 0 || strcmp(m->fstype, "devtmpfs") == 0))
		return true;
	if (!util_path_within(m->target, "/proc") && !util_path_within(m->target, "/sys"))
		return false;
	if (strcmp(m->target, "/proc") == 0 || strcmp(m->target, "/sys") == 0)
		return false;
	/* An empty read-only tmpfs over a directory (/proc/acpi, /sys/firmware). */
	if (strcmp(m->fstype, "tmpfs") == 0 && m->read_only)
		return true;
	/* A read-only rebind of a proc subdirectory over itself (/proc/sys). */
	if (strcmp(m->fstype, "proc") == 0 && m->read_only && strcmp(m->root, "/") != 0)
		return true;
	return false;
}

static enum mount_kind classify(const struct mount_entry *m)
{
	if (strcmp(m->target, "/") == 0)
		return MOUNT_ROOTFS;
	if (is_masked(m))
		return MOUNT_MASKED;
	if (mounts_path_is_docker_socket(m->host_path))
		return MOUNT_DOCKER_SOCKET;
	if (strcmp(m->fstype, "proc") == 0)
		return MOUNT_PROC;
	if (in_list(m->fstype, sys_fstypes, ARRAY_SIZE(sys_fstypes)) ||
	    util_path_within(m->target, "/sys"))
		return MOUNT_SYS;
	if (in_list(m->fstype, dev_fstypes, ARRAY_SIZE(dev_fstypes)) ||
	    util_path_within(m->target, "/dev"))
		return MOUNT_DEV;
	/* A namespace file bound somewhere (ip netns) is no directory of the host. */
	if (strcmp(m->fstype, "nsfs") == 0)
		return MOUNT_OTHER;
	if (m->host_path)
		return MOUNT_HOST_BIND;
	if (strcmp(m->fstype, "tmpfs") == 0)
		return MOUNT_TMPFS;
	return MOUNT_OTHER;
}

/* A sysfs shares its superblock with every other mount of it in the same
 * network namespace (and a procfs, before Linux 5.8, in the same pid
 * namespace): under --network host the runtime's fresh /sys has the host's
 * device. What tells it from a bind of the host's is the mount itself: the
 * whole file system: root "/", its own source name, at the place the runtime
 * mounts it, and the first mount there (a bind over it comes later). */
static bool fresh_pseudo(const struct mount_table *t, size_t i)
{
	const struct mount_entry *m = &t->v[i];
	const char *place = strcmp(m->fstype, "sysfs") == 0  ? "/sys"
			    : strcmp(m->fstype, "proc") == 0 ? "/proc"
							     : NULL;

	if (!place || strcmp(m->target, place) != 0 || strcmp(m->root, "/") != 0 || !m->source ||
	    (strcmp(m->source, m->fstype) != 0 && strcmp(m->source, "none") != 0))
		return false;
	for (size_t j = 0; j < i; j++)
		if (strcmp(t->v[j].target, place) == 0)
			return false;
	return true;
}

void mounts_classify(struct mount_table *t, const struct mount_table *host)
{
	for (size_t i = 0; i < t->n; i++) {
		struct mount_entry *m = &t->v[i];

		free(m->host_path);
		m->host_path = host ? derive_host_path(m, host) : NULL;
		m->per_container = names_container_id(m->root);
		m->kind = classify(m);
		m->sensitive = mounts_path_sensitive(m->host_path);
		/* The host's own table is the reference: its /sys is the host's. */
		m->fresh = t != host && fresh_pseudo(t, i);
		if (m->fresh)
			m->sensitive = false;
		/* A cgroup hierarchy mounted at a sub-tree is the container's own
		 * cgroup (cgroup v1 binds); the whole hierarchy would be the host's. */
		if ((strcmp(m->fstype, "cgroup") == 0 || strcmp(m->fstype, "cgroup2") == 0) &&
		    strcmp(m->root, "/") != 0)
			m->sensitive = false;
	}
}

const struct mount_entry *mounts_find_target(const struct mount_table *t, const char *target)
{
	const struct mount_entry *found = NULL;

	/* The last one wins: a later mount on the same target covers it. */
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->v[i].target, target) == 0)
			found = &t->v[i];
	return found;
}

bool mounts_same(const struct mount_entry *a, const struct mount_entry *b)
{
	if (strcmp(a->target, b->target) != 0)
		return false;
	if (a->kind == MOUNT_ROOTFS && b->kind == MOUNT_ROOTFS)
		return true;
	bool a_host = a->host_path && !a->per_container;
	bool b_host = b->host_path && !b->per_container;
	if (a_host != b_host)
		return false;
	if (a_host)
		return a->devno == b->devno && strcmp(a->root, b->root) == 0;
	return strcmp(a->fstype, b->fstype) == 0;
}
