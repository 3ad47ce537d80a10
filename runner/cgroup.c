/* cgroup.c: a process's memory and pids limits and v1 device rules, from
 * the host's cgroup v1 and v2 file systems. */
#include "cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <libmount.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

/* v1 rounds "no limit" (LONG_MAX) down to a page: anything this large is none. */
#define V1_UNLIMITED (1ULL << 62)

/* What a controller's files are called in each version. */
static const struct limit_files {
	const char *controller;
	const char *v1, *v2;
} files[] = {
	{"memory", "memory.limit_in_bytes", "memory.max"},
	{"pids", "pids.max", "pids.max"},
};

/* The process's cgroup for a v1 controller ("4:memory:/docker/ID"), or the
 * unified one ("0::/system.slice/docker-ID.scope") when controller is NULL. */
static char *cgroup_path_of(const char *text, const char *controller)
{
	for (const char *line = text; line && *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		cleanup_free char *l = xstrndup(line, len);
		char *c1 = strchr(l, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		line = nl ? nl + 1 : NULL;
		if (!c2)
			continue;
		*c1 = *c2 = '\0';
		if (!controller && strcmp(l, "0") == 0 && c2 == c1 + 1)
			return xstrdup(c2 + 1);
		if (!controller)
			continue;
		char *save = NULL;
		for (char *t = strtok_r(c1 + 1, ",", &save); t; t = strtok_r(NULL, ",", &save))
			if (strcmp(t, controller) == 0)
				return xstrdup(c2 + 1);
	}
	return NULL;
}

/* The host's mount of a v1 controller's hierarchy (its superblock options
 * name the controller), or of the unified hierarchy (controller NULL). */
static const struct mount_entry *hierarchy(const struct mount_table *host, const char *controller)
{
	for (size_t i = 0; i < host->n; i++) {
		const struct mount_entry *m = &host->v[i];
		char *val = NULL;
		size_t len = 0;

		if (strcmp(m->root, "/") != 0)
			continue;
		if (!controller && strcmp(m->fstype, "cgroup2") == 0)
			return m;
		if (controller && strcmp(m->fstype, "cgroup") == 0 &&
		    mnt_optstr_get_option(m->fs_options, controller, &val, &len) == 0)
			return m;
	}
	return NULL;
}

int cgroup_host_version(const struct mount_table *host)
{
	const struct mount_entry *m = mounts_find_target(host, "/sys/fs/cgroup");

	return m && strcmp(m->fstype, "cgroup2") == 0 ? 2 : 1;
}

/* Read name in the cgroup dir (relative to the hierarchy's mount, "" for
 * its root), beneath mntfd: a path from /proc/PID/cgroup never climbs out. */
static int read_beneath(int mntfd, const char *dir, const char *name, char **out)
{
	cleanup_free char *rel = *dir ? xasprintf("%s/%s", dir, name) : xstrdup(name);
	cleanup_close int fd = util_openat2(mntfd, rel, O_RDONLY | O_CLOEXEC,
					    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS |
						    RESOLVE_NO_MAGICLINKS);

	if (fd < 0)
		return -1;
	return util_read_fd(fd, out, NULL);
}

/* The value of a limit file: 1 limited (*max), 0 none, -1 unreadable. */
static int parse_limit(const char *text, int version, unsigned long long *max)
{
	char *end;

	if (strncmp(text, "max", 3) == 0)
		return 0;
	errno = 0;
	*max = strtoull(text, &end, 10);
	if (errno || end == text)
		return -1;
	return version == 1 && *max >= V1_UNLIMITED ? 0 : 1;
}

/* Walk from the cgroup up to (not including) the hierarchy's root: a
 * parent's limit binds its children too (a --cgroup-parent with a limit). */
static void walk_limit(int mntfd, const char *mnt_target, const char *path, int version,
		       const char *file, struct cgroup_limit *l)
{
	cleanup_free char *dir = xstrdup(path[0] == '/' ? path + 1 : path);

	l->state = -1;
	for (bool first = true;; first = false) {
		cleanup_free char *text = NULL;
		cleanup_free char *shown = xasprintf("%s/%s%s%s", mnt_target, dir, *dir ? "/" : "",
						     file);
		unsigned long long max = 0;
		int st = -1;

		if (read_beneath(mntfd, dir, file, &text) == 0)
			st = parse_limit(text, version, &max);
		if (first) {
			if (st < 0) {
				l->why = xasprintf("cannot read %s: %s", shown,
						   errno ? strerror(errno) : "not a number");
				return;
			}
			l->state = 0;
			l->file = xstrdup(shown);
		}
		if (st == 1) {
			l->state = 1;
			l->max = max;
			free(l->file);
			l->file = steal_pointer(&shown);
			return;
		}
		char *slash = strrchr(dir, '/');
		if (!*dir)
			return;
		if (slash)
			*slash = '\0';
		else
			dir[0] = '\0';
		if (!*dir)
			return; /* the root: the host's whole, never a container's limit */
	}
}

static void read_limit(const char *cg, const struct mount_table *host, const char *host_root,
		       const struct limit_files *f, struct cgroup_info *out, struct cgroup_limit *l)
{
	const struct mount_entry *m = hierarchy(host, f->controller);
	cleanup_free char *path = m ? cgroup_path_of(cg, f->controller) : NULL;
	int version = 1;

	if (!path) {
		m = hierarchy(host, NULL);
		path = m ? cgroup_path_of(cg, NULL) : NULL;
		version = 2;
	}
	if (!path) {
		l->state = -1;
		l->why = xasprintf("the host mounts no %s hierarchy that the process is in",
				   f->controller);
		return;
	}
	cleanup_free char *dir = xasprintf("%s%s", strcmp(host_root, "/") ? host_root : "", m->target);
	cleanup_close int mntfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mntfd < 0) {
		l->state = -1;
		l->why = xasprintf("cannot open %s: %s", m->target, strerror(errno));
		return;
	}
	walk_limit(mntfd, m->target, path, version, version == 1 ? f->v1 : f->v2, l);
	if (!out->version) {
		out->version = version;
		out->path = xstrdup(path);
	}
}

static void read_devices(const char *cg, const struct mount_table *host, const char *host_root,
			 struct cgroup_info *out)
{
	const struct mount_entry *m = hierarchy(host, "devices");
	cleanup_free char *path = m ? cgroup_path_of(cg, "devices") : NULL;

	if (!path)
		return;
	cleanup_free char *dir = xasprintf("%s%s", strcmp(host_root, "/") ? host_root : "", m->target);
	cleanup_close int mntfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mntfd >= 0 && read_beneath(mntfd, path[0] == '/' ? path + 1 : path, "devices.list",
				       &out->devices_list) < 0)
		out->devices_list = NULL;
}

int cgroup_read(const struct proc *p, const struct mount_table *host, const char *host_root,
		struct cgroup_info *out, struct err *e)
{
	cleanup_free char *cg = NULL;
	struct err local = {0};

	memset(out, 0, sizeof(*out));
	if (proc_read(p, "cgroup", &cg, NULL, &local) < 0) {
		if (local.kind == ERR_EXITED) {
			*e = local;
			return -1;
		}
		out->memory.state = out->pids.state = -1;
		out->memory.why = xasprintf("cannot read /proc/%d/cgroup: %s", (int)p->pid, local.msg);
		out->pids.why = xstrdup(out->memory.why);
		return 0;
	}
	read_limit(cg, host, host_root, &files[0], out, &out->memory);
	read_limit(cg, host, host_root, &files[1], out, &out->pids);
	read_devices(cg, host, host_root, out);
	return 0;
}

static void limit_free(struct cgroup_limit *l)
{
	free(l->file);
	free(l->why);
}

void cgroup_info_free(struct cgroup_info *c)
{
	free(c->path);
	limit_free(&c->memory);
	limit_free(&c->pids);
	free(c->devices_list);
	memset(c, 0, sizeof(*c));
}

/* One rule: "b 7:5 rwm", "c 1:3 rwm", "a *:* rwm", "c 136:* rwm". */
static bool rule_allows(const char *line, char type, const unsigned *major, const unsigned *minor)
{
	char t, ma[16], mi[16], acc[8];

	if (sscanf(line, " %c %15[^:]:%15s %7s", &t, ma, mi, acc) != 4)
		return false;
	if (t != 'a' && t != type)
		return false;
	if (!strchr(acc, 'r') && !strchr(acc, 'w'))
		return false;
	if (t == 'a')
		return true;
	bool ma_any = strcmp(ma, "*") == 0, mi_any = strcmp(mi, "*") == 0;
	if (!major)
		return ma_any && mi_any;
	return (ma_any || strtoul(ma, NULL, 10) == *major) &&
	       (mi_any || strtoul(mi, NULL, 10) == *minor);
}

static bool list_allows(const char *list, char type, const unsigned *major, const unsigned *minor)
{
	for (const char *line = list; line && *line;) {
		const char *nl = strchr(line, '\n');
		cleanup_free char *l = xstrndup(line, nl ? (size_t)(nl - line) : strlen(line));

		if (rule_allows(l, type, major, minor))
			return true;
		line = nl ? nl + 1 : NULL;
	}
	return false;
}

bool cgroup_devices_allow(const char *list, char type, unsigned major, unsigned minor)
{
	return list_allows(list, type, &major, &minor);
}

bool cgroup_devices_allow_all(const char *list, char type)
{
	return list_allows(list, type, NULL, NULL);
}
