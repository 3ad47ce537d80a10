/* devices.c: device nodes in a process's /dev, read race-free through its
 * root, and a table of what they are. */
#include "devices.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "util.h"

#define MAX_DEPTH 3     /* /dev/mapper/x, /dev/disk/by-id/x are links anyway */
#define MAX_NODES 4096  /* a privileged container has the host's few hundred */
#define ANY_MINOR (~0U)

/* Character devices by number (Documentation/admin-guide/devices.txt);
 * block devices are all disks. */
static const struct {
	unsigned major, minor;
	enum devices_class cls;
} chars[] = {
	{1, 3, DEVICES_DEFAULT},   {1, 5, DEVICES_DEFAULT},     {1, 7, DEVICES_DEFAULT},
	{1, 8, DEVICES_DEFAULT},   {1, 9, DEVICES_DEFAULT},     {5, 0, DEVICES_DEFAULT},
	{5, 1, DEVICES_DEFAULT},   {5, 2, DEVICES_DEFAULT},     {136, ANY_MINOR, DEVICES_DEFAULT},
	{1, 1, DEVICES_MEMORY},    {1, 2, DEVICES_MEMORY},      {1, 4, DEVICES_MEMORY},
	{10, 231, DEVICES_MEMORY}, {202, ANY_MINOR, DEVICES_MEMORY}, /* snapshot, cpu/msr */
	{21, ANY_MINOR, DEVICES_DISK},                               /* scsi generic */
	{1, 11, DEVICES_RISKY},    {10, 200, DEVICES_RISKY},    {10, 229, DEVICES_RISKY},
	{10, 232, DEVICES_RISKY},  {10, 236, DEVICES_RISKY},    {10, 237, DEVICES_RISKY},
	{4, ANY_MINOR, DEVICES_RISKY}, {7, ANY_MINOR, DEVICES_RISKY}, {203, ANY_MINOR, DEVICES_RISKY},
};

static const char *const class_names[] = {
	[DEVICES_DEFAULT] = "default", [DEVICES_OTHER] = "other", [DEVICES_RISKY] = "risky",
	[DEVICES_DISK] = "disk",       [DEVICES_MEMORY] = "memory",
};

const char *devices_class_name(enum devices_class c)
{
	return class_names[c];
}

enum devices_class devices_classify(char type, unsigned major, unsigned minor,
				    const char *host_name)
{
	if (type == 'b')
		return DEVICES_DISK;
	/* NVMe's character devices (nvme0, ng0n1) have a dynamic major. */
	if (host_name && (util_str_has_prefix(host_name, "nvme") || util_str_has_prefix(host_name, "ng")))
		return DEVICES_DISK;
	for (size_t i = 0; i < ARRAY_SIZE(chars); i++)
		if (chars[i].major == major && (chars[i].minor == ANY_MINOR || chars[i].minor == minor))
			return chars[i].cls;
	return DEVICES_OTHER;
}

void devices_add(struct devices_list *l, const char *path, char type, unsigned major,
		 unsigned minor, const char *host_name)
{
	struct devices_node *d;

	l->v = xreallocarray(l->v, l->n + 1, sizeof(*l->v));
	d = &l->v[l->n++];
	d->path = xstrdup(path);
	d->type = type;
	d->major = major;
	d->minor = minor;
	d->host_name = host_name ? xstrdup(host_name) : NULL;
	d->cls = devices_classify(type, major, minor, host_name);
}

/* The host's name for a device: the last component of the sysfs link
 * /sys/dev/block/7:5 -> ../../devices/virtual/block/loop5. */
static char *host_name_of(const char *host_root, char type, unsigned major, unsigned minor)
{
	char link[512];
	cleanup_free char *path = xasprintf("%s/sys/dev/%s/%u:%u",
					    strcmp(host_root, "/") ? host_root : "",
					    type == 'b' ? "block" : "char", major, minor);
	ssize_t n = readlink(path, link, sizeof(link) - 1);

	if (n <= 0)
		return NULL;
	link[n] = '\0';
	const char *base = strrchr(link, '/');
	return xstrdup(base ? base + 1 : link);
}

struct walk {
	const char *host_root;
	struct devices_list *out;
};

static void walk_dir(struct walk *w, int dfd, const char *prefix, int depth)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;

	if (!d) {
		close(dfd);
		return;
	}
	while ((de = readdir(d)) && w->out->n < MAX_NODES) {
		struct stat st;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		/* Never follow: /dev/ptmx and /dev/fd are links, and a link could
		 * name a host path. */
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		cleanup_free char *path = xasprintf("%s/%s", prefix, de->d_name);
		if (S_ISBLK(st.st_mode) || S_ISCHR(st.st_mode)) {
			char type = S_ISBLK(st.st_mode) ? 'b' : 'c';
			unsigned ma = major(st.st_rdev), mi = minor(st.st_rdev);
			cleanup_free char *hn = host_name_of(w->host_root, type, ma, mi);
			devices_add(w->out, path, type, ma, mi, hn);
		} else if (S_ISDIR(st.st_mode) && depth < MAX_DEPTH) {
			/* Stay on /dev's own file system: pts, shm and mqueue are
			 * mounts of their own, with nothing of the host's. */
			int sub = util_openat2(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC,
					       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV);
			if (sub >= 0)
				walk_dir(w, sub, path, depth + 1);
		}
	}
	closedir(d);
}

int devices_read(const struct proc *p, const char *host_root, struct devices_list *out,
		 struct err *e)
{
	cleanup_close int root = -1;
	int dev;

	memset(out, 0, sizeof(*out));
	if (proc_check_alive(p, e) < 0)
		return -1;
	/* /proc/PID/root is the process's root directory (a magic link, which
	 * is the point); below it, resolution stays inside that root. */
	root = openat(p->dirfd, "root", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		out->err = errno;
		return proc_check_alive(p, e) < 0 ? -1 : 0;
	}
	dev = util_openat2(root, "dev", O_RDONLY | O_DIRECTORY | O_CLOEXEC,
			   RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
	if (dev < 0) {
		out->err = errno;
		return proc_check_alive(p, e) < 0 ? -1 : 0;
	}
	struct walk w = {.host_root = host_root, .out = out};
	walk_dir(&w, dev, "/dev", 1);
	return proc_check_alive(p, e);
}

void devices_list_free(struct devices_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].host_name);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}
