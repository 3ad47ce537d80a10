/* sweep.c: what is left of sessions whose owner is gone (their
 * containers, scratch and disk dirs, witnesses), found by their owner
 * (pid plus start time) whatever the engine says, and removed; with
 * --force, everything of isolab's. The reports cleanup prints. */
#include "session.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <libmount.h>

#include "proc.h"
#include "session_impl.h"

/* A session dir without an owner file is one being born, or one whose
 * owner died between mkdir and writing the file: after this long, the
 * latter. */
#define UNOWNED_DIR_AGE_S 60
#define RM_MAX_DEPTH 256

/* --- small reads ---------------------------------------------------------- */

static int read_small(int dfd, const char *name, char *buf, size_t size)
{
	/* Non-blocking, and regular files only: a FIFO planted under a
	 * name we read would otherwise hang the sweep for good. */
	cleanup_close int fd = openat(dfd, name,
				      O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
	size_t len = 0;
	struct stat st;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		return -1;
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	while (len + 1 < size) {
		ssize_t r = read(fd, buf + len, size - 1 - len);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	return (int)len;
}

/* --- reports --------------------------------------------------------------- */

void session_report_free(struct cleanup_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_containers; i++) {
		free(r->containers[i].id);
		free(r->containers[i].name);
		free(r->containers[i].session);
	}
	free(r->containers);
	argv_free(&r->dirs);
	free(r->witnesses);
	argv_free(&r->failures);
	argv_free(&r->kept);
	free(r->engine_error);
	memset(r, 0, sizeof(*r));
}

bool session_report_empty(const struct cleanup_report *r)
{
	return r->n_containers == 0 && r->dirs.n == 0 && r->n_witnesses == 0 &&
	       r->failures.n == 0;
}

static void report_container(struct cleanup_report *r, const struct engine_container *c,
			     const char *session)
{
	struct session_container *sc;

	r->containers = xreallocarray(r->containers, r->n_containers + 1, sizeof(*r->containers));
	sc = &r->containers[r->n_containers++];
	sc->id = xstrdup(c->id);
	sc->name = xstrdup(c->name);
	sc->session = xstrdup(session ? session : "");
}

static void report_witness(struct cleanup_report *r, pid_t pid)
{
	r->witnesses = xreallocarray(r->witnesses, r->n_witnesses + 1, sizeof(*r->witnesses));
	r->witnesses[r->n_witnesses++] = pid;
}

static bool argv_has(const struct argv *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], s) == 0)
			return true;
	return false;
}

static void add_unique(struct argv *a, const char *s)
{
	if (s && *s && !argv_has(a, s))
		argv_push(a, s);
}

/* --- scratch removal ------------------------------------------------------- */

struct rm_ctx {
	struct strbuf path; /* for messages */
	struct err first;
};

__attribute__((format(printf, 3, 4))) static void rm_fail(struct rm_ctx *c, int errnum,
							   const char *fmt, ...)
{
	struct err e;
	va_list ap;

	va_start(ap, fmt);
	err_setv(&e, ERR_SYSTEM, errnum, fmt, ap);
	va_end(ap);
	session_err_note(&c->first, &e);
}

static bool mount_info(int fd, const char *name, int flags, uint64_t *mnt_id, bool *root)
{
	struct statx stx;

	if (statx(fd, name, flags | AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) < 0)
		return false;
	*mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	*root = (stx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) &&
		(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
	return true;
}

/* Remove name below parent. Never follows a symlink (it is unlinked as it
 * is) and never leaves the mount it started on: a directory that is
 * another mount (a bind a container or a lab made) is left in place. */
static void rm_tree_at(struct rm_ctx *c, int parent, const char *name, dev_t dev, uint64_t mnt,
		       int depth)
{
	size_t plen = c->path.len;
	struct stat st, st2;
	uint64_t sub_mnt = 0;
	bool is_root = false;
	int fd;
	DIR *d;

	strbuf_addc(&c->path, '/');
	strbuf_adds(&c->path, name);
	if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno != ENOENT)
			rm_fail(c, errno, "cannot stat %s", c->path.buf);
		goto out;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (unlinkat(parent, name, 0) < 0 && errno != ENOENT)
			rm_fail(c, errno, "cannot remove %s", c->path.buf);
		goto out;
	}
	if (depth > RM_MAX_DEPTH) {
		rm_fail(c, 0, "%s: too deeply nested, left in place", c->path.buf);
		goto out;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rm_fail(c, errno, "cannot open %s", c->path.buf);
		goto out;
	}
	/* Checked on the opened directory: it may have been swapped for
	 * another since the fstatat. */
	if (fstat(fd, &st2) < 0 || st2.st_ino != st.st_ino || st2.st_dev != st.st_dev) {
		close(fd);
		rm_fail(c, 0, "%s changed while being removed, left in place", c->path.buf);
		goto out;
	}
	if (!mount_info(fd, "", AT_EMPTY_PATH, &sub_mnt, &is_root))
		sub_mnt = mnt;
	if (st2.st_dev != dev || is_root || (mnt && sub_mnt && sub_mnt != mnt)) {
		close(fd);
		rm_fail(c, 0, "%s is a mount point (unmount it, then run isolab cleanup)",
			c->path.buf);
		goto out;
	}
	d = fdopendir(fd);
	if (!d) {
		rm_fail(c, errno, "cannot read %s", c->path.buf);
		close(fd);
		goto out;
	}
	for (;;) {
		struct dirent *de;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)
				rm_fail(c, errno, "cannot read %s", c->path.buf);
			break;
		}
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		rm_tree_at(c, dirfd(d), de->d_name, dev, mnt, depth + 1);
	}
	closedir(d);
	/* Not empty because of something already reported: say it once. */
	if (unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT &&
	    !(errno == ENOTEMPTY && c->first.kind != ERR_NONE))
		rm_fail(c, errno, "cannot remove %s", c->path.buf);
out:
	c->path.len = plen;
	c->path.buf[plen] = '\0';
}

static bool one_component(const char *name)
{
	return *name && !strchr(name, '/') && strcmp(name, ".") != 0 && strcmp(name, "..") != 0;
}

int session_remove_at(int base_fd, const char *base, const char *name, struct err *e)
{
	struct rm_ctx c = {STRBUF_INIT, {0}};
	uint64_t mnt = 0;
	bool is_root;
	struct stat st;

	if (!one_component(name))
		return err_input(e, "refusing to remove '%s' below %s: not a single name", name,
				 base);
	if (fstat(base_fd, &st) < 0)
		return err_sys(e, "cannot stat %s", base);
	if (!mount_info(base_fd, "", AT_EMPTY_PATH, &mnt, &is_root))
		mnt = 0;
	strbuf_adds(&c.path, base);
	rm_tree_at(&c, base_fd, name, st.st_dev, mnt, 0);
	strbuf_release(&c.path);
	return session_err_give(&c.first, e);
}

int session_remove_scratch(const char *base, const char *name, struct err *e)
{
	cleanup_close int fd = -1;

	if (!one_component(name))
		return err_input(e, "refusing to remove '%s' below %s: not a single name", name,
				 base);
	fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "cannot open %s", base);
	}
	return session_remove_at(fd, base, name, e);
}

/* --- sweeping ---------------------------------------------------------------- */

/* Whether a container belongs to a session that is gone: its owner label
 * names a dead process; or it has no (readable) owner label, as the
 * docker-socket step's sibling has, and its session has no live dir. */
static bool container_orphaned(const struct engine_container *c, const struct argv *live)
{
	const char *owner = engine_container_label(c, SESSION_LABEL_OWNER);
	const char *sess = engine_container_label(c, SESSION_LABEL_SESSION);

	switch (session_owner_state(NULL, owner)) {
	case SESSION_OWNER_GONE:
		return true;
	case SESSION_OWNER_ALIVE:
		return false;
	default:
		return !sess || !argv_has(live, sess);
	}
}

static int sweep_containers(struct engine *eng, bool all, struct cleanup_report *r,
			    struct argv *sessions, const struct argv *live, struct err *e)
{
	struct argv ids = ARGV_INIT, rm = ARGV_INIT;
	struct engine_containers cs = {0};
	struct err ie;
	int rc;

	rc = engine_list_label(eng, SESSION_LABEL_SESSION, &ids, e);
	if (rc < 0) {
		r->engine_error = xstrdup(e ? e->msg : "the engine does not answer");
		goto out;
	}
	if (ids.n == 0) {
		r->engine_checked = true;
		goto out;
	}
	/* A container removed meanwhile is only "missing": fine. */
	rc = engine_inspect(eng, ids.v, &cs, &ie);
	if (rc < 0 && rc != ENGINE_FAIL_NO_CONTAINER) {
		r->engine_error = xstrdup(ie.msg);
		if (e)
			*e = ie;
		goto out;
	}
	r->engine_checked = true;
	rc = 0;
	for (size_t i = 0; i < cs.n; i++) {
		if (!all && !container_orphaned(&cs.v[i], live))
			continue;
		argv_push(&rm, cs.v[i].id);
	}
	if (rm.n == 0)
		goto out;
	rc = engine_rm(eng, rm.v, e);
	if (rc < 0) {
		argv_pushf(&r->failures, "%zu container%s labelled " SESSION_LABEL_SESSION ": %s",
			   rm.n, rm.n == 1 ? "" : "s", e ? e->msg : "docker rm failed");
		goto out;
	}
	for (size_t i = 0; i < cs.n; i++) {
		const char *sess = engine_container_label(&cs.v[i], SESSION_LABEL_SESSION);
		if (!argv_has(&rm, cs.v[i].id))
			continue;
		report_container(r, &cs.v[i], sess);
		add_unique(sessions, sess);
	}
out:
	engine_containers_free(&cs);
	argv_free(&ids);
	argv_free(&rm);
	return rc;
}

static enum session_owner dir_owner(int base_fd, const char *name, char *buf, size_t size)
{
	cleanup_close int fd = openat(base_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	int len;

	buf[0] = '\0';
	if (fd < 0)
		return SESSION_OWNER_UNKNOWN;
	len = read_small(fd, "owner", buf, size);
	if (len <= 0) {
		buf[0] = '\0';
		return SESSION_OWNER_UNKNOWN;
	}
	buf[strcspn(buf, "\n")] = '\0';
	return session_owner_state(NULL, buf);
}

/* Whether the session dir base/name is one to leave alone: its owner runs,
 * or it has no owner file yet and is young (a session being born). */
static bool dir_live(int base_fd, const char *name, const struct stat *st, char *owner,
		     size_t size)
{
	enum session_owner o = dir_owner(base_fd, name, owner, size);

	if (o == SESSION_OWNER_ALIVE)
		return true;
	return o == SESSION_OWNER_UNKNOWN && time(NULL) - st->st_mtime < UNOWNED_DIR_AGE_S;
}

static int open_session_names(const char *base, int *base_fd, struct argv *names,
			      struct err *e)
{
	DIR *d;
	int fd;

	*base_fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (*base_fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "cannot open %s", base);
	}
	fd = dup(*base_fd);
	d = fd < 0 ? NULL : fdopendir(fd);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return err_sys(e, "cannot read %s", base);
	}
	/* Only names that are session ids: the base may hold other things
	 * (scripts/dockerd keeps its log there). */
	for (struct dirent *de; (de = readdir(d));)
		if (session_id_valid(de->d_name))
			argv_push(names, de->d_name);
	closedir(d);
	return 0;
}

/* The sessions under base that are alive, into live; each named once in
 * r->kept, with the process that runs it. */
static void find_live(const char *base, struct cleanup_report *r, struct argv *live)
{
	cleanup_close int base_fd = -1;
	struct argv names = ARGV_INIT;

	if (open_session_names(base, &base_fd, &names, NULL) == 0 && base_fd >= 0) {
		for (size_t i = 0; i < names.n; i++) {
			char owner[64];
			struct stat st;

			if (fstatat(base_fd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0 ||
			    !dir_live(base_fd, names.v[i], &st, owner, sizeof(owner)) ||
			    argv_has(live, names.v[i]))
				continue;
			argv_push(live, names.v[i]);
			argv_pushf(&r->kept, "session %s (%s)", names.v[i],
				   *owner ? owner : "being set up");
		}
	}
	argv_free(&names);
}

/* Dir failures are warnings (r->failures): a dir isolab cannot remove (a
 * mount point, a tree too deep) must not stop every later run. */
static void sweep_dirs(const char *base, bool all, struct cleanup_report *r,
		       struct argv *sessions)
{
	cleanup_close int base_fd = -1;
	struct argv names = ARGV_INIT;
	struct err one;

	if (open_session_names(base, &base_fd, &names, &one) < 0) {
		argv_pushf(&r->failures, "%s", one.msg);
		return;
	}
	for (size_t i = 0; i < names.n; i++) {
		const char *name = names.v[i];
		char owner[64];
		struct stat st;

		if (fstatat(base_fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!all && !argv_has(sessions, name) &&
		    dir_live(base_fd, name, &st, owner, sizeof(owner)))
			continue;
		if (session_remove_at(base_fd, base, name, &one) < 0) {
			argv_pushf(&r->failures, "%s", one.msg);
			continue;
		}
		argv_pushf(&r->dirs, "%s/%s", base, name);
		add_unique(sessions, name);
	}
	argv_free(&names);
}

/* The ISOLAB_SESSION value of a NUL-separated environment, or NULL. */
static const char *env_session(const char *env, size_t len)
{
	static const char key[] = SESSION_ENV_SESSION "=";
	const char *p = env, *end = env + len;

	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));
		if (n >= sizeof(key) - 1 && memcmp(p, key, sizeof(key) - 1) == 0 && p + n < end)
			return p + sizeof(key) - 1;
		p += n + 1;
	}
	return NULL;
}

static bool uid_ok(const char *status)
{
	size_t vlen;
	const char *v = proc_status_field(status, "Uid", &vlen);
	unsigned long uid;
	char *end;

	if (!v)
		return false;
	errno = 0;
	uid = strtoul(v, &end, 10);
	if (errno || end == v)
		return false;
	return uid == 0 || uid == (unsigned long)getuid();
}

/* A witness dies with its session (PDEATHSIG); one whose parent is still
 * an isolab belongs to a live session. */
static bool parent_is_isolab(const char *status)
{
	size_t vlen;
	const char *v = proc_status_field(status, "PPid", &vlen);
	char path[64], comm[32];
	long ppid;

	if (!v)
		return false;
	ppid = strtol(v, NULL, 10);
	if (ppid <= 1)
		return false;
	snprintf(path, sizeof(path), "/proc/%ld/comm", ppid);
	return read_small(AT_FDCWD, path, comm, sizeof(comm)) > 0 &&
	       strcmp(comm, "isolab\n") == 0;
}

static int sweep_witnesses(bool all, struct cleanup_report *r, const struct argv *sessions,
			   struct err *e)
{
	struct err acc = {0};
	DIR *d = opendir("/proc");
	pid_t self = getpid();

	if (!d) {
		err_sys(e, "cannot read /proc");
		argv_pushf(&r->failures, "%s", e ? e->msg : "/proc");
		return -1;
	}
	for (struct dirent *de; (de = readdir(d));) {
		char path[64], comm[32];
		struct proc p = PROC_INIT;
		cleanup_free char *status = NULL, *env = NULL, *comm2 = NULL;
		size_t envlen = 0;
		const char *sess;
		struct pollfd pfd;
		char *end;
		long pid = strtol(de->d_name, &end, 10);

		if (*end || pid <= 0 || pid == self)
			continue;
		/* A cheap look first; then again through a pidfd, which the
		 * kill goes through, so a pid reused meanwhile is not hit. */
		snprintf(path, sizeof(path), "%ld/comm", pid);
		if (read_small(dirfd(d), path, comm, sizeof(comm)) < 0 ||
		    strcmp(comm, SESSION_WITNESS_COMM "\n") != 0)
			continue;
		if (proc_open(&p, NULL, (pid_t)pid, NULL) < 0)
			continue;
		if (proc_read(&p, "comm", &comm2, NULL, NULL) < 0 ||
		    strcmp(comm2, SESSION_WITNESS_COMM "\n") != 0 ||
		    proc_read(&p, "status", &status, NULL, NULL) < 0 || !uid_ok(status) ||
		    proc_read(&p, "environ", &env, &envlen, NULL) < 0 ||
		    !(sess = env_session(env, envlen)) ||
		    (!all && !argv_has(sessions, sess) && parent_is_isolab(status))) {
			proc_close(&p);
			continue;
		}
		if (pidfd_send_signal(p.pidfd, SIGKILL, NULL, 0) < 0) {
			if (errno != ESRCH) {
				struct err one;
				err_sys(&one, "cannot kill witness process %ld (session %s)", pid,
					sess);
				argv_pushf(&r->failures, "%s", one.msg);
				session_err_note(&acc, &one);
			}
			proc_close(&p);
			continue;
		}
		/* Wait until it is gone, so "nothing else left" is true. */
		pfd = (struct pollfd){.fd = p.pidfd, .events = POLLIN};
		while (poll(&pfd, 1, 2000) < 0 && errno == EINTR)
			;
		report_witness(r, (pid_t)pid);
		proc_close(&p);
	}
	closedir(d);
	return session_err_give(&acc, e);
}

static int sweep(struct engine *eng, const struct session_opts *o, bool all,
		 struct cleanup_report *r, struct err *e)
{
	const char *bases[2] = {session_scratch_base(o), session_disk_base(o)};
	struct argv sessions = ARGV_INIT, live = ARGV_INIT;
	struct err one = {0};
	int rc = 0;

	memset(r, 0, sizeof(*r));
	/* What is alive first, whatever the engine says: its dirs, its
	 * containers and its witness are never touched. */
	if (!all)
		for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
			find_live(bases[i], r, &live);
	/* Containers next: they may bind-mount the scratch dirs. */
	if (eng && sweep_containers(eng, all, r, &sessions, &live, &one) < 0)
		rc = -1;
	for (size_t i = 0; i < ARRAY_SIZE(bases); i++)
		sweep_dirs(bases[i], all, r, &sessions);
	sweep_witnesses(all, r, &sessions, NULL);
	argv_free(&sessions);
	argv_free(&live);
	if (rc < 0 && e)
		*e = one;
	return rc;
}

int session_cleanup(struct engine *eng, const struct session_opts *o, bool force,
		    struct cleanup_report *r, struct err *e)
{
	return sweep(eng, o, force, r, e);
}

int session_sweep_orphans(struct engine *eng, const struct session_opts *o,
			  struct cleanup_report *r, struct err *e)
{
	return sweep(eng, o, false, r, e);
}
