/* exec.h: the one way isolab runs a child: from an argv (never a shell),
 * in its own process group, output captured through pipes with a cap, a
 * deadline, an optional cancel fd and a line callback. Synchronous calls for
 * simple use, and a job API that an event loop (the TUI's, or
 * exec_run_many's) drives with poll(). */
#ifndef ISOLAB_EXEC_H
#define ISOLAB_EXEC_H

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "util.h"

/* Per-stream cap on captured output when exec_opts.max_output is 0. */
#define EXEC_DEFAULT_MAX_OUTPUT (4u << 20)
/* A line longer than this reaches the line callback in pieces. */
#define EXEC_LINE_MAX 8192
/* exec_job_pollfds never fills more entries than this. */
#define EXEC_JOB_MAX_POLLFDS 4

/* Called with each complete line of the child's stdout (fd 1) or stderr
 * (fd 2), without its newline and NUL-terminated, as it arrives; a last line
 * without a newline is delivered at end of file. Sees all output, also what
 * lies beyond the capture cap. */
typedef void (*exec_line_fn)(void *data, int fd, const char *line, size_t len);

/* A zero-initialised struct means: argv[0] looked up on PATH, stdin from
 * /dev/null, default cap, no deadline, no cancel fd, no callback. */
struct exec_opts {
	const char *path;      /* program to execute; NULL: argv[0], looked up on
	                        * PATH unless it contains a '/' */
	const char *input;     /* stdin contents (input_len bytes, up to the
	                        * pipe's maximum size, 1 MiB by default); NULL:
	                        * /dev/null */
	size_t input_len;
	size_t max_output;     /* per stream; 0: EXEC_DEFAULT_MAX_OUTPUT */
	int timeout_ms;        /* deadline from the start; <= 0: none */
	int cancel_fd;         /* > 0: the child is killed once this fd polls
	                        * readable (or hangs up); it is never read. 0 or
	                        * -1: none (fd 0 is stdin, never a self-pipe). */
	exec_line_fn on_line;
	void *line_data;
	int cwd_fd;            /* > 0: the child's working directory (fchdir) */
};

struct exec_output {
	char *data;     /* NUL-terminated, never NULL once filled */
	size_t len;
	bool truncated; /* the child wrote more than the cap: the rest was drained */
};

/* A child that never started has wstatus and exit_code -1, empty output. */
struct exec_result {
	pid_t pid;
	int wstatus;     /* as from waitpid */
	int exit_code;   /* the exit status, or -1 when a signal ended the child */
	int term_signal; /* the signal that ended the child, or 0 */
	struct exec_output out;
	struct exec_output err;
	long long elapsed_ms;
};

/* Free what a result holds; safe on a zeroed or already released result. */
void exec_result_free(struct exec_result *res);
/* The child exited with status 0. */
bool exec_result_ok(const struct exec_result *res);

/* Resolve a program name the way execvp would: a name with a '/' is checked
 * as it is, otherwise each PATH entry is tried. *path receives an allocated
 * path to an executable regular file. Fails with ERR_SYSTEM and errnum ENOENT
 * (nothing found) or EACCES (found, not executable). Never forks. */
int exec_find_program(const char *name, char **path, struct err *e);

/*
 * Run argv to completion. Returns 0 when the child ran and ended, whatever
 * its exit status (check res). Returns -1 when it could not be started
 * (ERR_SYSTEM; errnum ENOENT for a program that does not exist, so a missing
 * program is never confused with one that exits 127), ran past its deadline
 * (ERR_TIMEOUT, naming the command and the deadline) or was cancelled
 * (ERR_CANCEL). In every case *res is filled (with what was captured before
 * a kill) and must be released with exec_result_free(). A killed child's
 * process group is killed too, and the child is always reaped.
 */
int exec_run(char *const *argv, const struct exec_opts *opts, struct exec_result *res,
	     struct err *e);

/* One child of exec_run_many: argv and opts in, the rest out. */
struct exec_many {
	char *const *argv;
	struct exec_opts opts;
	int rc;                   /* exec_run's return value for this child */
	struct exec_result result; /* always filled: release with exec_result_free */
	struct err err;           /* when rc < 0 */
};

/* Run n children concurrently in one poll loop until all have ended. Each
 * gets its own deadline, result and error. Returns 0 when every rc is 0;
 * otherwise -1 with *e a copy of the first failed child's error. */
int exec_run_many(struct exec_many *items, size_t n, struct err *e);

/*
 * The job API, for a caller with its own poll loop:
 *
 *	exec_job_start(argv, &opts, &job, &e);
 *	while (!exec_job_done(job)) {
 *		n = exec_job_pollfds(job, fds, EXEC_JOB_MAX_POLLFDS);
 *		poll(fds, n, exec_job_timeout_ms(job));   (merged with others)
 *		exec_job_on_ready(job, fds, n);
 *	}
 *	rc = exec_job_finish(job, &res, &e);
 *
 * Children are reaped with waitpid(pid), never waitpid(-1): a caller must
 * not reap other children with -1 nor set SIGCHLD to SIG_IGN.
 */
struct exec_job;

/* Fork and exec. On failure nothing is left running and *job is NULL. */
int exec_job_start(char *const *argv, const struct exec_opts *opts, struct exec_job **job,
		   struct err *e);
pid_t exec_job_pid(const struct exec_job *job);
/* Fill up to max entries (EXEC_JOB_MAX_POLLFDS is always enough) with the
 * fds the job waits on; returns how many. 0 once the job is done. */
size_t exec_job_pollfds(const struct exec_job *job, struct pollfd *fds, size_t max);
/* Milliseconds until the job needs attention even if no fd is ready (its
 * deadline), 0 if it does now, -1 for no limit: a poll() timeout. */
int exec_job_timeout_ms(const struct exec_job *job);
/* After poll(): read what is ready, reap, and enforce the deadline and the
 * cancel fd. fds may hold other entries (ignored); n may be 0, which only
 * checks the deadline. */
void exec_job_on_ready(struct exec_job *job, const struct pollfd *fds, size_t n);
bool exec_job_done(const struct exec_job *job);
/* Kill the job's process group now; the job is reaped at once and
 * exec_job_finish() reports ERR_CANCEL. */
void exec_job_kill(struct exec_job *job);
/* Collect the result and free the job (killing and reaping it first if it is
 * not done, which reports ERR_CANCEL). Return value and *res as exec_run. */
int exec_job_finish(struct exec_job *job, struct exec_result *res, struct err *e);

/* For a child forked by hand (the session's witness), between fork and
 * exec; all async-signal-safe. exec_child_begin: every signal back to its
 * default, and a process group of its own. exec_child_exec: fds above
 * stderr closed on exec, the signal mask cleared, then execve (execv when
 * envp is NULL); if that fails, exec_child_fail: errno on status_fd (a
 * CLOEXEC pipe the parent reads) and _exit(127). */
void exec_child_begin(void);
__attribute__((noreturn)) void exec_child_fail(int status_fd);
__attribute__((noreturn)) void exec_child_exec(const char *path, char *const *argv,
					       char *const *envp, int status_fd);

#endif
