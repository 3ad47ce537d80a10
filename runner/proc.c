/* proc.c: race-free reads of /proc/<pid> through a pidfd and a dirfd. */
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "util.h"

static int sys_pidfd_open(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
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
