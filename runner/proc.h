/* proc.h: a handle on one process, made of its pid, a pidfd and a directory
 * fd on /proc/<pid>. Every read goes through openat() on that directory, and
 * the pidfd says, before and after, that the process is still the one that
 * was opened: a pid that is reaped and reused is never read through an old
 * handle. A handle can also point at a fixture directory (no pidfd), which
 * is how the parsers are tested. */
#ifndef ISOLAB_PROC_H
#define ISOLAB_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"

struct proc {
	pid_t pid;
	int pidfd;  /* -1 for a fixture, or where the kernel has no pidfd_open */
	int dirfd;  /* <root>/<pid> */
	int rootfd; /* the proc root: /proc, or a fixture directory */
	/* Without a pidfd: the start time read through dirfd at open, checked
	 * again on each liveness check (0: no check, a fixture). */
	unsigned long long start;
};
#define PROC_INIT {0, -1, -1, -1, 0}

/* Open pid under proc_root; NULL means the real /proc, with a pidfd. An
 * absent process is ERR_INPUT ("no process N"). */
int proc_open(struct proc *p, const char *proc_root, pid_t pid, struct err *e);
/* isolab itself, through /proc/self: the host reference. */
int proc_open_self(struct proc *p, struct err *e);
void proc_close(struct proc *p);

/* ERR_EXITED "process N exited" once the process has exited (a zombie
 * counts: its mountinfo and ns links are gone). */
int proc_check_alive(const struct proc *p, struct err *e);

/* Read a whole file below /proc/<pid> (e.g. "status", "attr/current"),
 * NUL-terminated. Liveness is checked after the read. */
int proc_read(const struct proc *p, const char *name, char **out, size_t *len, struct err *e);
/* Open a file below /proc/<pid> for a streaming parser (libmount). */
int proc_openat(const struct proc *p, const char *name, struct err *e);
/* Read a file below the proc root, e.g. "sys/kernel/cap_last_cap". */
int proc_read_root(const struct proc *p, const char *name, char **out, struct err *e);

/* The fields of /proc/<pid>/stat that isolab uses. */
struct proc_stat {
	char state;               /* field 3: R, S, Z, X... */
	pid_t ppid;               /* field 4 */
	unsigned long long start; /* field 22: start time in clock ticks since boot */
};
/* Parse the text of a stat file; false when it is not one. */
bool proc_stat_parse(const char *text, struct proc_stat *st);
/* Read and parse <proc_root or /proc>/<pid>/stat. ERR_EXITED "no process N"
 * when there is no such process. */
int proc_stat_read(const char *proc_root, pid_t pid, struct proc_stat *st, struct err *e);

/* The value of a "Key:\tvalue" line of status, or NULL. Points into text;
 * the value ends at the newline (len in *vlen). */
const char *proc_status_field(const char *status, const char *key, size_t *vlen);

#endif
