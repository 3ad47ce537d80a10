/* proc.c: race-free reads of /proc/<pid> through a pidfd and a dirfd. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

bool proc_stat_parse(const char *text, struct proc_stat *st)
{
	/* The command name may hold spaces and parentheses: fields are
	 * counted after the last ')'. */
	const char *p = strrchr(text, ')');
	char *end;
	long ppid;

	if (!p || p[1] != ' ' || !p[2])
		return false;
	p += 2;
	st->state = *p;
	for (int field = 3; field < 22; field++) {
		p = strchr(p, ' ');
		if (!p)
			return false;
		p++;
		if (field == 3) {
			errno = 0;
			ppid = strtol(p, &end, 10);
			if (errno || end == p || *end != ' ' || ppid < 0 || ppid > INT32_MAX)
				return false;
			st->ppid = (pid_t)ppid;
		}
	}
	errno = 0;
	st->start = strtoull(p, &end, 10);
	return errno == 0 && end != p && (*end == ' ' || *end == '\n' || *end == '\0');
}

/* Read "stat" below dfd into st: 0, or -1 with errno (EINVAL: not a stat
 * file). A stat line is far below the buffer's size. */
static int stat_at(int dfd, const char *name, struct proc_stat *st)
{
	char buf[1024];
	size_t len = 0;
	/* Non-blocking, and regular files only: a FIFO planted in a fixture
	 * or a scratch proc root must not hang a sweep. */
	cleanup_close int fd = openat(dfd, name,
				      O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK);
	struct stat sb;

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0)
		return -1;
	if (!S_ISREG(sb.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	while (len < sizeof(buf) - 1) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		len += (size_t)r;
	}
	buf[len] = '\0';
	if (!proc_stat_parse(buf, st)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int proc_stat_read(const char *proc_root, pid_t pid, struct proc_stat *st, struct err *e)
{
	char name[32];
	cleanup_close int root = open(proc_root ? proc_root : "/proc",
				      O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (root < 0)
		return err_sys(e, "cannot open %s", proc_root ? proc_root : "/proc");
	snprintf(name, sizeof(name), "%d/stat", (int)pid);
	if (stat_at(root, name, st) == 0)
		return 0;
	if (errno == ENOENT || errno == ESRCH)
		return err_set(e, ERR_EXITED, 0, "no process %d", (int)pid);
	if (errno == EINVAL)
		return err_set(e, ERR_SYSTEM, 0, "cannot parse /proc/%d/stat", (int)pid);
	return err_sys(e, "cannot read /proc/%d/stat", (int)pid);
}

int proc_open(struct proc *p, const char *proc_root, pid_t pid, struct err *e)
{
	char name[32];
	cleanup_close int rootfd = -1;
	cleanup_close int pidfd = -1;
	cleanup_close int dirfd = -1;

	*p = (struct proc)PROC_INIT;
	if (pid <= 0)
		return err_input(e, "pid:%d is not a process id", (int)pid);
	rootfd = open(proc_root ? proc_root : "/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_sys(e, "cannot open %s", proc_root ? proc_root : "/proc");
	/* The pidfd first: the directory opened afterwards is checked against
	 * it, so a pid reused between the two steps is caught. */
	if (!proc_root) {
		pidfd = sys_pidfd_open(pid);
		if (pidfd < 0) {
			if (errno == ESRCH)
				return err_input(e, "no process %d", (int)pid);
			/* Kernels before 5.3 and valgrind have no pidfd_open: the
			 * directory alone, with its start time, stands in below. */
			if (errno != ENOSYS)
				return err_sys(e, "pidfd_open(%d)", (int)pid);
		}
	}
	snprintf(name, sizeof(name), "%d", (int)pid);
	dirfd = openat(rootfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOENT || errno == ESRCH)
			return err_input(e, "no process %d", (int)pid);
		return err_sys(e, "cannot open /proc/%d", (int)pid);
	}
	if (!proc_root && pidfd < 0) {
		/* A /proc/<pid> directory fd stays on the process it was opened
		 * on (reads fail with ESRCH once it is reaped), but it does not
		 * say when the process became a zombie: stat's state does, and its
		 * start time would tell a reused pid. */
		struct proc_stat st;
		if (stat_at(dirfd, "stat", &st) < 0) {
			if (errno == ENOENT || errno == ESRCH)
				return err_input(e, "no process %d", (int)pid);
			return err_sys(e, "cannot read /proc/%d/stat", (int)pid);
		}
		p->start = st.start ? st.start : 1;
	}
	p->pid = pid;
	p->rootfd = util_steal_fd(&rootfd);
	p->pidfd = util_steal_fd(&pidfd);
	p->dirfd = util_steal_fd(&dirfd);
	if (proc_check_alive(p, e) < 0) {
		proc_close(p);
		return -1;
	}
	return 0;
}

int proc_open_self(struct proc *p, struct err *e)
{
	return proc_open(p, NULL, getpid(), e);
}

void proc_close(struct proc *p)
{
	if (p->pidfd >= 0)
		close(p->pidfd);
	if (p->dirfd >= 0)
		close(p->dirfd);
	if (p->rootfd >= 0)
		close(p->rootfd);
	*p = (struct proc)PROC_INIT;
}

int proc_check_alive(const struct proc *p, struct err *e)
{
	struct pollfd pfd = {.fd = p->pidfd, .events = POLLIN};

	if (p->pidfd < 0 && p->start) {
		struct proc_stat st;
		if (stat_at(p->dirfd, "stat", &st) < 0) {
			if (errno == ENOENT || errno == ESRCH)
				return err_set(e, ERR_EXITED, 0, "process %d exited", (int)p->pid);
			return err_sys(e, "cannot read /proc/%d/stat", (int)p->pid);
		}
		if (st.state == 'Z' || st.state == 'X' || st.state == 'x' ||
		    (st.start ? st.start : 1) != p->start)
			return err_set(e, ERR_EXITED, 0, "process %d exited", (int)p->pid);
		return 0;
	}
	if (p->pidfd < 0)
		return 0;
	/* A pidfd polls readable once the process has exited, zombie or not. */
	if (poll(&pfd, 1, 0) < 0)
		return err_sys(e, "poll on the pidfd of %d", (int)p->pid);
	if (pfd.revents & (POLLIN | POLLHUP))
		return err_set(e, ERR_EXITED, 0, "process %d exited", (int)p->pid);
	return 0;
}

static int exited_or(const struct proc *p, struct err *e, const char *what)
{
	int saved = errno;

	if (saved == ESRCH || proc_check_alive(p, NULL) < 0)
		return err_set(e, ERR_EXITED, 0, "process %d exited", (int)p->pid);
	errno = saved;
	return err_sys(e, "cannot read /proc/%d/%s", (int)p->pid, what);
}

int proc_openat(const struct proc *p, const char *name, struct err *e)
{
	int fd;

	if (proc_check_alive(p, e) < 0)
		return -1;
	fd = openat(p->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return exited_or(p, e, name);
	return fd;
}

int proc_read(const struct proc *p, const char *name, char **out, size_t *len, struct err *e)
{
	cleanup_close int fd = proc_openat(p, name, e);

	if (fd < 0)
		return -1;
	if (util_read_fd(fd, out, len) < 0)
		return exited_or(p, e, name);
	if (proc_check_alive(p, e) < 0) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

int proc_read_root(const struct proc *p, const char *name, char **out, struct err *e)
{
	cleanup_close int fd = openat(p->rootfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_sys(e, "cannot open /proc/%s", name);
	if (util_read_fd(fd, out, NULL) < 0)
		return err_sys(e, "cannot read /proc/%s", name);
	return 0;
}

const char *proc_status_field(const char *status, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *line = status;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			const char *v = line + klen + 1;
			while (*v == ' ' || *v == '\t')
				v++;
			*vlen = nl ? (size_t)(nl - v) : strlen(v);
			return v;
		}
		line = nl ? nl + 1 : NULL;
	}
	return NULL;
}
