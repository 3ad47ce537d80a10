/* exec.c: children from an argv, after tmux's job.c: signals blocked across
 * fork and reset in the child, pipes with O_CLOEXEC, a CLOEXEC status pipe
 * that carries the errno of a failed exec, the child in its own process
 * group so that a kill reaches its children too, output read with poll()
 * under a cap, a deadline and a cancel fd. */
#include "exec.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* How often to look for the child's exit when no pidfd is available and its
 * pipes are already closed. */
#define EXEC_REAP_TICK_MS 20
/* Bytes read from one stream per readiness, so that one chatty child does
 * not starve the others in a shared loop. */
#define EXEC_READ_CHUNK 65536
/* Command text in messages is cut at this length. */
#define EXEC_CMD_MAX 240

struct exec_stream {
	int fd;             /* -1 once at end of file */
	int which;          /* STDOUT_FILENO or STDERR_FILENO */
	size_t max;
	struct strbuf buf;
	bool truncated;
	struct strbuf line; /* a partial line, for the callback */
};

struct exec_job {
	char *cmd;        /* the argv shell-quoted, for messages */
	pid_t pid;
	int pidfd;        /* -1 when unavailable or once reaped */
	bool reaped;
	int wstatus;
	struct exec_stream out;
	struct exec_stream err;
	int cancel_fd;
	int timeout_ms;
	long long start_ms;
	long long end_ms;
	exec_line_fn on_line;
	void *line_data;
	bool timed_out;
	bool cancelled;   /* by the cancel fd */
	bool killed;      /* by exec_job_kill or an early finish */
};

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* The child's stdio are dup2()ed onto 0-2: no fd of ours may sit there, or
 * one dup2 would clobber another's source. Only a process started with a
 * closed stdio would hand them out. */
static int fd_above_stdio(int fd)
{
	if (fd < 0 || fd > STDERR_FILENO)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	int saved = errno;
	close(fd);
	errno = saved;
	return nfd;
}

static int pipe_above_stdio(int p[2])
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = fd_above_stdio(p[0]);
	p[1] = fd_above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		int saved = errno;
		close_fd(&p[0]);
		close_fd(&p[1]);
		errno = saved;
		return -1;
	}
	return 0;
}

static char *command_text(char *const *argv)
{
	char *s = util_argv_to_shell(argv);

	if (strlen(s) > EXEC_CMD_MAX)
		memcpy(s + EXEC_CMD_MAX - 3, "...", sizeof("..."));
	return s;
}

static void format_duration(char *buf, size_t size, int ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, size, "%d s", ms / 1000);
	else if (ms > 1000)
		snprintf(buf, size, "%.1f s", ms / 1000.0);
	else
		snprintf(buf, size, "%d ms", ms);
}

static bool is_executable_file(const char *path, int *err)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		*err = errno;
		return false;
	}
	if (!S_ISREG(st.st_mode)) {
		*err = EACCES;
		return false;
	}
	if (access(path, X_OK) < 0) {
		*err = errno;
		return false;
	}
	return true;
}

int exec_find_program(const char *name, char **path, struct err *e)
{
	int found_err = ENOENT;
	int err;

	*path = NULL;
	if (!name || !*name)
		return err_set(e, ERR_SYSTEM, ENOENT, "cannot run an empty program name");
	if (strchr(name, '/')) {
		if (!is_executable_file(name, &err))
			return err_set(e, ERR_SYSTEM, err, "cannot run %s", name);
		*path = xstrdup(name);
		return 0;
	}

	const char *env = getenv("PATH");
	cleanup_free char *dirs = xstrdup(env ? env : "/usr/local/bin:/usr/bin:/bin");
	char *save = NULL;
	/* strtok_r would skip empty entries, which mean the current directory. */
	for (char *dir = dirs, *end; dir; dir = save) {
		end = strchr(dir, ':');
		save = end ? end + 1 : NULL;
		if (end)
			*end = '\0';
		cleanup_free char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (is_executable_file(cand, &err)) {
			*path = steal_pointer(&cand);
			return 0;
		}
		/* As execvp: a candidate we may not run is remembered, but the
		 * search goes on. */
		if (err == EACCES)
			found_err = EACCES;
	}
	if (found_err == ENOENT)
		return err_set(e, ERR_SYSTEM, ENOENT, "cannot run %s: not found on PATH", name);
	return err_set(e, ERR_SYSTEM, found_err, "cannot run %s", name);
}

/* The pipe that becomes the child's stdin, filled before the fork: the
 * child cannot make us block on it, and we never write to a pipe whose
 * reader is gone (so no SIGPIPE in the parent). */
static int input_pipe(const char *input, size_t len, int *rfd, struct err *e)
{
	int p[2];

	if (pipe_above_stdio(p) < 0)
		return err_sys(e, "pipe");
	if (len > 0) {
		int size = fcntl(p[1], F_GETPIPE_SZ);
		if (size >= 0 && (size_t)size < len && len <= INT_MAX)
			size = fcntl(p[1], F_SETPIPE_SZ, (int)len);
		if (size < 0 || (size_t)size < len) {
			close_fd(&p[0]);
			close_fd(&p[1]);
			return err_set(e, ERR_SYSTEM, E2BIG, "input of %zu bytes for a child", len);
		}
		for (size_t off = 0; off < len;) {
			ssize_t w = write(p[1], input + off, len - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				int saved = errno;
				close_fd(&p[0]);
				close_fd(&p[1]);
				return err_set(e, ERR_SYSTEM, saved, "writing a child's input");
			}
			off += (size_t)w;
		}
	}
	close_fd(&p[1]);
	*rfd = p[0];
	return 0;
}

void exec_child_begin(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	/* Dispositions set or ignored by the parent (a TUI ignores SIGPIPE,
	 * handles SIGINT) must not leak into the child. Unknown and
	 * uncatchable signals fail harmlessly. */
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	setpgid(0, 0);
}

void exec_child_fail(int status_fd)
{
	int saved = errno;

	while (write(status_fd, &saved, sizeof(saved)) < 0 && errno == EINTR)
		;
	_exit(127);
}

/* close_range's fallback (kernels before 5.11 have no CLOSE_RANGE_CLOEXEC,
 * before 5.9 no close_range): close each fd from first up to the soft limit,
 * keeping keep. Only system calls: it runs between fork and exec. */
static void close_from(int first, int keep)
{
	struct rlimit rl;
	rlim_t max = 1024;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		max = rl.rlim_cur;
	/* An unlimited or huge limit would mean a million close() calls. */
	if (max > 1 << 20)
		max = 1 << 20;
	for (rlim_t fd = (rlim_t)first; fd < max; fd++)
		if ((int)fd != keep)
			close((int)fd);
}

void exec_child_exec(const char *path, char *const *argv, char *const *envp, int status_fd)
{
	sigset_t none;

	/* Any fd the parent left inheritable (a log, a socket) stays the
	 * parent's; the status pipe is already CLOEXEC and must stay open
	 * until the exec. */
	if (close_range(STDERR_FILENO + 1, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		close_from(STDERR_FILENO + 1, status_fd);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (envp)
		execve(path, argv, envp);
	else
		execv(path, argv);
	exec_child_fail(status_fd);
}

/* Only async-signal-safe calls from here to exec: the parent may have other
 * threads, and malloc's locks may be held across the fork. */
__attribute__((noreturn)) static void child(const char *path, char *const *argv, int in_fd,
					     int out_fd, int err_fd, int status_fd, int cwd_fd)
{
	exec_child_begin();
	if (cwd_fd > 0 && fchdir(cwd_fd) < 0)
		exec_child_fail(status_fd);
	if (dup2(in_fd, STDIN_FILENO) < 0 || dup2(out_fd, STDOUT_FILENO) < 0 ||
	    dup2(err_fd, STDERR_FILENO) < 0)
		exec_child_fail(status_fd);
	exec_child_exec(path, argv, NULL, status_fd);
}

static void stream_init(struct exec_stream *s, int fd, int which, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->fd = fd;
	s->which = which;
	s->max = max;
}

static void stream_release(struct exec_stream *s)
{
	close_fd(&s->fd);
	strbuf_release(&s->buf);
	strbuf_release(&s->line);
}

static void job_free(struct exec_job *job)
{
	if (!job)
		return;
	stream_release(&job->out);
	stream_release(&job->err);
	close_fd(&job->pidfd);
	free(job->cmd);
	free(job);
}

static void emit_line(struct exec_job *job, struct exec_stream *s)
{
	if (job->on_line)
		job->on_line(job->line_data, s->which, strbuf_str(&s->line), s->line.len);
	s->line.len = 0;
	if (s->line.buf)
		s->line.buf[0] = '\0';
}

static void feed_lines(struct exec_job *job, struct exec_stream *s, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t take = nl ? (size_t)(nl - p) : n;

		if (s->line.len + take > EXEC_LINE_MAX)
			take = EXEC_LINE_MAX - s->line.len;
		strbuf_add(&s->line, p, take);
		p += take;
		n -= take;
		if (n > 0 && *p == '\n') {
			p++;
			n--;
			emit_line(job, s);
		} else if (s->line.len >= EXEC_LINE_MAX) {
			emit_line(job, s);
		}
	}
}

static void stream_eof(struct exec_job *job, struct exec_stream *s)
{
	close_fd(&s->fd);
	if (s->line.len > 0)
		emit_line(job, s);
}

static void stream_read(struct exec_job *job, struct exec_stream *s)
{
	char buf[4096];
	size_t total = 0;

	while (s->fd >= 0 && total < EXEC_READ_CHUNK) {
		ssize_t r = read(s->fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (r <= 0) {
			/* An error reading our own pipe ends the stream like
			 * EOF would: nothing more can come from it. */
			stream_eof(job, s);
			return;
		}
		total += (size_t)r;
		if (s->buf.len < s->max) {
			size_t keep = s->max - s->buf.len;
			if ((size_t)r < keep)
				keep = (size_t)r;
			strbuf_add(&s->buf, buf, keep);
			if (keep < (size_t)r)
				s->truncated = true;
		} else {
			s->truncated = true;
		}
		if (job->on_line)
			feed_lines(job, s, buf, (size_t)r);
	}
}

static void job_reaped(struct exec_job *job, int wstatus)
{
	job->reaped = true;
	job->wstatus = wstatus;
	job->end_ms = util_now_ms();
	close_fd(&job->pidfd);
}

static void job_try_reap(struct exec_job *job)
{
	int st;
	pid_t r;

	if (job->reaped)
		return;
	do
		r = waitpid(job->pid, &st, WNOHANG);
	while (r < 0 && errno == EINTR);
	if (r == job->pid)
		job_reaped(job, st);
	else if (r < 0 && errno == ECHILD)
		/* Someone else reaped it (SIGCHLD ignored): status unknown. */
		job_reaped(job, W_EXITCODE(127, 0));
}

/* Kill the child and everything in its process group, reap the child, and
 * stop listening to its pipes (a grandchild in another group may still hold
 * them). */
static void job_kill_reap(struct exec_job *job)
{
	kill(-job->pid, SIGKILL);
	if (!job->reaped) {
		int st;
		pid_t r;

		kill(job->pid, SIGKILL);
		do
			r = waitpid(job->pid, &st, 0);
		while (r < 0 && errno == EINTR);
		job_reaped(job, r == job->pid ? st : W_EXITCODE(127, 0));
	}
	stream_eof(job, &job->out);
	stream_eof(job, &job->err);
}

bool exec_job_done(const struct exec_job *job)
{
	return job->timed_out || job->cancelled || job->killed ||
	       (job->reaped && job->out.fd < 0 && job->err.fd < 0);
}

pid_t exec_job_pid(const struct exec_job *job)
{
	return job->pid;
}

/* A job for argv, before its fork: what it runs and how it is watched. */
static struct exec_job *job_new(char *const *argv, const struct exec_opts *opts)
{
	struct exec_job *job = xcalloc(1, sizeof(*job));
	size_t max = opts->max_output ? opts->max_output : EXEC_DEFAULT_MAX_OUTPUT;

	job->cmd = command_text(argv);
	job->pidfd = -1;
	job->cancel_fd = opts->cancel_fd > 0 ? opts->cancel_fd : -1;
	job->timeout_ms = opts->timeout_ms > 0 ? opts->timeout_ms : 0;
	job->on_line = opts->on_line;
	job->line_data = opts->line_data;
	stream_init(&job->out, -1, STDOUT_FILENO, max);
	stream_init(&job->err, -1, STDERR_FILENO, max);
	return job;
}

/* The child's stdin: a pipe holding opts->input, else /dev/null. */
static int job_stdin(const struct exec_opts *opts, int *in_fd, struct err *e)
{
	if (opts->input)
		return input_pipe(opts->input, opts->input_len, in_fd, e);
	*in_fd = fd_above_stdio(open("/dev/null", O_RDONLY | O_CLOEXEC));
	if (*in_fd < 0)
		return err_sys(e, "opening /dev/null");
	return 0;
}

/* The errno the child wrote on the status pipe when its exec failed; 0 when
 * the pipe closed empty (the exec happened: O_CLOEXEC closed it). */
static int exec_failed(int st_fd)
{
	int child_errno = 0;
	ssize_t r;

	do
		r = read(st_fd, &child_errno, sizeof(child_errno));
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)sizeof(child_errno) ? (child_errno ? child_errno : EIO) : 0;
}

int exec_job_start(char *const *argv, const struct exec_opts *opts, struct exec_job **jobp,
		   struct err *e)
{
	static const struct exec_opts defaults;
	cleanup_free char *path = NULL;
	int in_fd = -1, out_p[2] = {-1, -1}, err_p[2] = {-1, -1}, st_p[2] = {-1, -1};
	sigset_t all, old;
	struct exec_job *job;
	int rc = -1;

	*jobp = NULL;
	if (!opts)
		opts = &defaults;
	if (!argv || !argv[0])
		return err_set(e, ERR_SYSTEM, EINVAL, "cannot run an empty command");

	const char *prog = opts->path ? opts->path : argv[0];
	/* A bare name is resolved here, before any fork; a path goes to
	 * execv as it is and a failure comes back through the status pipe. */
	if (strchr(prog, '/'))
		path = xstrdup(prog);
	else if (exec_find_program(prog, &path, e) < 0)
		return -1;

	if (job_stdin(opts, &in_fd, e) < 0)
		return -1;
	if (pipe_above_stdio(out_p) < 0 || pipe_above_stdio(err_p) < 0 ||
	    pipe_above_stdio(st_p) < 0) {
		err_sys(e, "pipe");
		goto out;
	}

	job = job_new(argv, opts);

	/* No handler of ours may run in the child between fork and the
	 * reset of dispositions. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	job->start_ms = util_now_ms();
	job->pid = fork();
	if (job->pid == 0)
		child(path, argv, in_fd, out_p[1], err_p[1], st_p[1], opts->cwd_fd);
	int fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (job->pid < 0) {
		err_set(e, ERR_SYSTEM, fork_errno, "fork for %s", job->cmd);
		job_free(job);
		goto out;
	}
	/* Also here: a kill of the group must work even before the child
	 * has run setpgid. EACCES once it has exec'd is fine. */
	setpgid(job->pid, job->pid);

	close_fd(&st_p[1]);
	close_fd(&out_p[1]);
	close_fd(&err_p[1]);
	close_fd(&in_fd);

	int child_errno = exec_failed(st_p[0]);
	if (child_errno) {
		int st;
		while (waitpid(job->pid, &st, 0) < 0 && errno == EINTR)
			;
		err_set(e, ERR_SYSTEM, child_errno, "cannot run %s", path);
		close_fd(&out_p[0]);
		close_fd(&err_p[0]);
		job_free(job);
		goto out;
	}

	fcntl(out_p[0], F_SETFL, O_NONBLOCK);
	fcntl(err_p[0], F_SETFL, O_NONBLOCK);
	job->out.fd = util_steal_fd(&out_p[0]);
	job->err.fd = util_steal_fd(&err_p[0]);
	job->pidfd = pidfd_open(job->pid, 0);
	if (job->pidfd >= 0)
		job->pidfd = fd_above_stdio(job->pidfd);
	*jobp = job;
	rc = 0;
out:
	close_fd(&in_fd);
	close_fd(&out_p[0]);
	close_fd(&out_p[1]);
	close_fd(&err_p[0]);
	close_fd(&err_p[1]);
	close_fd(&st_p[0]);
	close_fd(&st_p[1]);
	return rc;
}

size_t exec_job_pollfds(const struct exec_job *job, struct pollfd *fds, size_t max)
{
	int want[EXEC_JOB_MAX_POLLFDS];
	size_t n = 0, k = 0;

	if (exec_job_done(job))
		return 0;
	if (job->out.fd >= 0)
		want[n++] = job->out.fd;
	if (job->err.fd >= 0)
		want[n++] = job->err.fd;
	if (job->pidfd >= 0)
		want[n++] = job->pidfd;
	if (job->cancel_fd >= 0)
		want[n++] = job->cancel_fd;
	for (; k < n && k < max; k++) {
		fds[k].fd = want[k];
		fds[k].events = POLLIN;
		fds[k].revents = 0;
	}
	return k;
}

int exec_job_timeout_ms(const struct exec_job *job)
{
	long long left = -1;

	if (exec_job_done(job))
		return 0;
	if (job->timeout_ms > 0) {
		left = job->start_ms + job->timeout_ms - util_now_ms();
		if (left < 0)
			left = 0;
	}
	/* Without a pidfd nothing wakes us when the child exits after
	 * closing its pipes: look now and then. */
	if (!job->reaped && job->pidfd < 0 && job->out.fd < 0 && job->err.fd < 0 &&
	    (left < 0 || left > EXEC_REAP_TICK_MS))
		left = EXEC_REAP_TICK_MS;
	return left > INT_MAX ? INT_MAX : (int)left;
}

void exec_job_on_ready(struct exec_job *job, const struct pollfd *fds, size_t n)
{
	bool cancel = false;

	if (exec_job_done(job))
		return;
	for (size_t i = 0; i < n; i++) {
		if (!fds[i].revents || fds[i].fd < 0)
			continue;
		if (fds[i].fd == job->out.fd)
			stream_read(job, &job->out);
		else if (fds[i].fd == job->err.fd)
			stream_read(job, &job->err);
		else if (fds[i].fd == job->pidfd)
			job_try_reap(job);
		else if (fds[i].fd == job->cancel_fd)
			cancel = true;
	}
	if (!job->reaped && job->pidfd < 0 && job->out.fd < 0 && job->err.fd < 0)
		job_try_reap(job);
	if (exec_job_done(job))
		return;
	if (cancel) {
		job->cancelled = true;
		job_kill_reap(job);
	} else if (job->timeout_ms > 0 && util_now_ms() >= job->start_ms + job->timeout_ms) {
		job->timed_out = true;
		job_kill_reap(job);
	}
}

void exec_job_kill(struct exec_job *job)
{
	if (exec_job_done(job))
		return;
	job->killed = true;
	job_kill_reap(job);
}

static void output_take(struct exec_output *o, struct exec_stream *s)
{
	o->len = s->buf.len;
	o->data = strbuf_detach(&s->buf);
	o->truncated = s->truncated;
}

int exec_job_finish(struct exec_job *job, struct exec_result *res, struct err *e)
{
	char dur[32];
	int rc = 0;

	memset(res, 0, sizeof(*res));
	if (!exec_job_done(job))
		exec_job_kill(job);
	/* A grandchild may still hold a pipe; it was killed with the group
	 * or is none of ours: stop reading either way. */
	stream_eof(job, &job->out);
	stream_eof(job, &job->err);

	res->pid = job->pid;
	res->wstatus = job->wstatus;
	if (WIFEXITED(job->wstatus)) {
		res->exit_code = WEXITSTATUS(job->wstatus);
	} else {
		res->exit_code = -1;
		res->term_signal = WIFSIGNALED(job->wstatus) ? WTERMSIG(job->wstatus) : 0;
	}
	output_take(&res->out, &job->out);
	output_take(&res->err, &job->err);
	res->elapsed_ms = job->end_ms - job->start_ms;

	if (job->timed_out) {
		format_duration(dur, sizeof(dur), job->timeout_ms);
		rc = err_set(e, ERR_TIMEOUT, 0, "%s did not finish within %s and was killed",
			     job->cmd, dur);
	} else if (job->cancelled) {
		rc = err_set(e, ERR_CANCEL, 0, "%s was interrupted", job->cmd);
	} else if (job->killed) {
		rc = err_set(e, ERR_CANCEL, 0, "%s was stopped before it finished", job->cmd);
	}
	job_free(job);
	return rc;
}

/* What a child that never started leaves: not a success, not a signal. */
static void result_unstarted(struct exec_result *res)
{
	memset(res, 0, sizeof(*res));
	res->wstatus = -1;
	res->exit_code = -1;
	res->out.data = xstrdup("");
	res->err.data = xstrdup("");
}

void exec_result_free(struct exec_result *res)
{
	if (!res)
		return;
	free(res->out.data);
	free(res->err.data);
	memset(res, 0, sizeof(*res));
}

bool exec_result_ok(const struct exec_result *res)
{
	return res->wstatus != -1 && WIFEXITED(res->wstatus) && WEXITSTATUS(res->wstatus) == 0;
}

static void poll_wait(struct pollfd *fds, size_t n, int timeout)
{
	/* EINTR: a signal handler ran (SIGINT writing the self-pipe); the
	 * caller's loop looks again. */
	if (poll(fds, n, timeout) < 0 && errno != EINTR) {
		/* Cannot happen with valid fds; do not spin on it. */
		for (size_t i = 0; i < n; i++)
			fds[i].revents = 0;
	}
}

int exec_run(char *const *argv, const struct exec_opts *opts, struct exec_result *res,
	     struct err *e)
{
	struct pollfd fds[EXEC_JOB_MAX_POLLFDS];
	struct exec_job *job;

	memset(res, 0, sizeof(*res));
	if (exec_job_start(argv, opts, &job, e) < 0) {
		result_unstarted(res);
		return -1;
	}
	while (!exec_job_done(job)) {
		size_t n = exec_job_pollfds(job, fds, ARRAY_SIZE(fds));
		poll_wait(fds, n, exec_job_timeout_ms(job));
		exec_job_on_ready(job, fds, n);
	}
	return exec_job_finish(job, res, e);
}

int exec_run_many(struct exec_many *items, size_t n, struct err *e)
{
	cleanup_free struct exec_job **jobs = xcalloc(n, sizeof(*jobs));
	cleanup_free struct pollfd *fds = xcalloc(n * EXEC_JOB_MAX_POLLFDS, sizeof(*fds));
	cleanup_free size_t *nfds = xcalloc(n, sizeof(*nfds));
	size_t running = 0;
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		err_clear(&items[i].err);
		memset(&items[i].result, 0, sizeof(items[i].result));
		items[i].rc = exec_job_start(items[i].argv, &items[i].opts, &jobs[i], &items[i].err);
		if (items[i].rc < 0)
			result_unstarted(&items[i].result);
		else
			running++;
	}
	while (running > 0) {
		size_t total = 0;
		int timeout = -1;

		for (size_t i = 0; i < n; i++) {
			nfds[i] = 0;
			if (!jobs[i])
				continue;
			nfds[i] = exec_job_pollfds(jobs[i], fds + total, EXEC_JOB_MAX_POLLFDS);
			total += nfds[i];
			int t = exec_job_timeout_ms(jobs[i]);
			if (t >= 0 && (timeout < 0 || t < timeout))
				timeout = t;
		}
		poll_wait(fds, total, timeout);
		total = 0;
		for (size_t i = 0; i < n; i++) {
			if (!jobs[i])
				continue;
			exec_job_on_ready(jobs[i], fds + total, nfds[i]);
			total += nfds[i];
			if (exec_job_done(jobs[i])) {
				items[i].rc = exec_job_finish(jobs[i], &items[i].result, &items[i].err);
				jobs[i] = NULL;
				running--;
			}
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (items[i].rc < 0 && rc == 0) {
			rc = -1;
			if (e)
				*e = items[i].err;
		}
	}
	return rc;
}
