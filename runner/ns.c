/* ns.c: namespace identity from /proc/<pid>/ns through the dirfd. */
#include "ns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

const char *const ns_kinds[] = {
	"cgroup", "ipc", "mnt", "net", "pid", "pid_for_children", "time", "time_for_children",
	"user", "uts", NULL,
};

bool ns_kind_known(const char *name)
{
	for (size_t i = 0; ns_kinds[i]; i++)
		if (strcmp(ns_kinds[i], name) == 0)
			return true;
	return false;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ns_entry *)a)->name, ((const struct ns_entry *)b)->name);
}

/* Without ptrace access (another user's process, isolab not root) the
 * kernel refuses the ns directory itself, not only its links. DESIGN.md
 * promises the rest of the snapshot with the links marked unreadable: list
 * the kinds this kernel has (our own ns directory, always readable), each
 * with the errno that hid it. */
static void all_unreadable(struct ns_set *out, int errnum)
{
	for (size_t i = 0; ns_kinds[i] && out->n < NS_MAX; i++) {
		struct ns_entry *n;
		if (faccessat(AT_FDCWD, "/proc/self/ns", F_OK, 0) == 0) {
			cleanup_free char *path = xasprintf("/proc/self/ns/%s", ns_kinds[i]);
			if (faccessat(AT_FDCWD, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
				continue;
		}
		n = &out->v[out->n++];
		memcpy(n->name, ns_kinds[i], strlen(ns_kinds[i]) + 1);
		n->shared = -1;
		n->err = errnum;
	}
}

int ns_read(const struct proc *p, struct ns_set *out, struct err *e)
{
	cleanup_close int fd = proc_openat(p, "ns", e);
	DIR *d;
	struct dirent *de;

	int why = fd < 0 ? (e ? e->errnum : errno) : 0;

	memset(out, 0, sizeof(*out));
	if (why == EACCES || why == EPERM) {
		all_unreadable(out, why);
		if (e)
			err_clear(e);
		return 0;
	}
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d)
		return err_sys(e, "cannot list /proc/%d/ns", (int)p->pid);
	(void)util_steal_fd(&fd); /* the DIR owns it now */
	while ((de = readdir(d)) != NULL) {
		struct ns_entry *n;
		struct stat st;

		if (de->d_name[0] == '.')
			continue;
		if (out->n == NS_MAX)
			break;
		if (strlen(de->d_name) >= sizeof(n->name))
			continue;
		n = &out->v[out->n++];
		memcpy(n->name, de->d_name, strlen(de->d_name) + 1);
		n->shared = -1;
		/* stat() follows the magic link into nsfs: dev and inode name the
		 * namespace itself. readlink would give the inode only. */
		if (fstatat(dirfd(d), de->d_name, &st, 0) < 0) {
			n->err = errno;
			continue;
		}
		n->dev = st.st_dev;
		n->ino = (uint64_t)st.st_ino;
	}
	closedir(d);
	qsort(out->v, out->n, sizeof(out->v[0]), by_name);
	/* A zombie's links are gone (ENOENT): that is an exit, not a finding. */
	if (proc_check_alive(p, e) < 0)
		return -1;
	return 0;
}

const struct ns_entry *ns_find(const struct ns_set *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

void ns_compare(struct ns_set *target, const struct ns_set *host)
{
	for (size_t i = 0; i < target->n; i++) {
		struct ns_entry *t = &target->v[i];
		const struct ns_entry *h = ns_find(host, t->name);

		if (t->err || !h || h->err) {
			t->shared = -1;
			continue;
		}
		t->shared = t->dev == h->dev && t->ino == h->ino;
		t->host_ino = h->ino;
	}
}
