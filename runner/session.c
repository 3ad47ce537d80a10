/* session.c: one run of isolab: id, scratch dir and canary, the host
 * witness, labels and names, signals through a self-pipe, and the cleanup
 * of its own steps and of itself. The sweep of sessions whose owner is
 * gone (and of everything, for cleanup --force) is sweep.c. */
#include "session.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libmount.h>

#include "proc.h"
#include "session_impl.h"

#define SELF_EXE "/proc/self/exe"
#define WITNESS_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define WITNESS_READY_MS 5000
#define NAME_PART_MAX 40

/* --- errors: keep the first, append the rest --------------------------- */

void session_err_note(struct err *acc, const struct err *more)
{
	size_t len;

	if (acc->kind == ERR_NONE) {
		*acc = *more;
		return;
	}
	len = strlen(acc->msg);
	if (len + 3 < sizeof(acc->msg))
		snprintf(acc->msg + len, sizeof(acc->msg) - len, "; %.*s",
			 (int)(sizeof(acc->msg) - len - 3), more->msg);
}

int session_err_give(const struct err *acc, struct err *e)
{
	if (acc->kind == ERR_NONE)
		return 0;
	if (e)
		*e = *acc;
	return -1;
}

/* --- ids, nonces --------------------------------------------------------- */

static int random_hex(char *out, size_t hexlen, struct err *e)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char buf[32];
	size_t n = hexlen / 2, got = 0;

	if (n > sizeof(buf))
		return err_set(e, ERR_SYSTEM, EINVAL, "random_hex");
	while (got < n) {
		ssize_t r = getrandom(buf + got, n - got, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, "getrandom");
		}
		got += (size_t)r;
	}
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[buf[i] >> 4];
		out[2 * i + 1] = digits[buf[i] & 15];
	}
	out[hexlen] = '\0';
	return 0;
}

int session_new_id(char out[SESSION_ID_LEN + 1], struct err *e)
{
	return random_hex(out, SESSION_ID_LEN, e);
}

int session_new_nonce(char out[SESSION_NONCE_LEN + 1], struct err *e)
{
	return random_hex(out, SESSION_NONCE_LEN, e);
}

bool session_id_valid(const char *id)
{
	size_t i;

	for (i = 0; id[i]; i++)
		if (!((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'f')))
			return false;
	return i == SESSION_ID_LEN;
}

/* --- owners -------------------------------------------------------------- */

int session_proc_starttime(const char *proc_root, pid_t pid, unsigned long long *start,
			   char *state, struct err *e)
{
	struct proc_stat st;

	if (proc_stat_read(proc_root, pid, &st, e) < 0)
		return -1;
	*start = st.start;
	if (state)
		*state = st.state;
	return 0;
}

static bool parse_owner(const char *owner, pid_t *pid, unsigned long long *start)
{
	unsigned long long v;
	const char *colon;
	char *end;

	if (!owner || !isdigit((unsigned char)owner[0]))
		return false;
	colon = strchr(owner, ':');
	if (!colon || !isdigit((unsigned char)colon[1]))
		return false;
	errno = 0;
	v = strtoull(owner, &end, 10);
	if (errno || end != colon || v == 0 || v > INT32_MAX)
		return false;
	*pid = (pid_t)v;
	errno = 0;
	*start = strtoull(colon + 1, &end, 10);
	return errno == 0 && *end == '\0';
}

enum session_owner session_owner_state(const char *proc_root, const char *owner)
{
	unsigned long long want, start;
	struct err e;
	pid_t pid;
	char state;

	if (!parse_owner(owner, &pid, &want))
		return SESSION_OWNER_UNKNOWN;
	if (session_proc_starttime(proc_root, pid, &start, &state, &e) < 0)
		return e.kind == ERR_EXITED ? SESSION_OWNER_GONE : SESSION_OWNER_UNKNOWN;
	/* A zombie owner will never clean up; the pid is the same process
	 * only if it started in the same tick (a reused pid does not). */
	if (start != want || state == 'Z' || state == 'X' || state == 'x')
		return SESSION_OWNER_GONE;
	return SESSION_OWNER_ALIVE;
}

static int self_owner(char *buf, size_t size, struct err *e)
{
	unsigned long long start;
	pid_t pid = getpid();

	if (session_proc_starttime(NULL, pid, &start, NULL, e) < 0)
		return err_wrap(e, "reading isolab's own start time");
	snprintf(buf, size, "%d:%llu", (int)pid, start);
	return 0;
}

/* --- bases ------------------------------------------------------------------ */

/* The opts' base, else the environment's (ISOLAB_SCRATCH_BASE,
 * ISOLAB_DISK_BASE: tests keep their sessions apart from the machine's
 * real ones), else the default. */
static const char *base_of(const char *opt, const char *env, const char *def)
{
	const char *v = getenv(env);

	if (opt)
		return opt;
	return v && v[0] == '/' ? v : def;
}

const char *session_scratch_base(const struct session_opts *o)
{
	return base_of(o ? o->scratch_base : NULL, SESSION_ENV_SCRATCH_BASE, SESSION_SCRATCH_BASE);
}

const char *session_disk_base(const struct session_opts *o)
{
	return base_of(o ? o->disk_base : NULL, SESSION_ENV_DISK_BASE, SESSION_DISK_BASE);
}

/* --- labels, names --------------------------------------------------------- */

void session_labels(const struct session *s, const char *lab, const char *step,
		    struct argv *out)
{
	argv_pushf(out, SESSION_LABEL_SESSION "=%s", s->id);
	argv_pushf(out, SESSION_LABEL_LAB "=%s", lab ? lab : "");
	argv_pushf(out, SESSION_LABEL_STEP "=%s", step ? step : "");
	argv_pushf(out, SESSION_LABEL_OWNER "=%s", s->owner);
}

/* Docker accepts [a-zA-Z0-9][a-zA-Z0-9_.-]*; the prefix already starts
 * with a letter, so only the character set matters here. */
static void add_name_part(struct strbuf *sb, const char *part)
{
	size_t n = 0;

	if (!part || !*part)
		part = "x";
	for (; *part && n < NAME_PART_MAX; part++, n++) {
		unsigned char c = (unsigned char)*part;
		strbuf_addc(sb, (isalnum(c) && c < 128) || c == '_' || c == '.' || c == '-' ? (char)c
											  : '-');
	}
}

char *session_container_name(const struct session *s, const char *step, const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "isolab-%s-", s->id);
	add_name_part(&sb, step);
	strbuf_addc(&sb, '-');
	add_name_part(&sb, name);
	return strbuf_detach(&sb);
}

/* --- signals ------------------------------------------------------------------ */

static const int handled[] = {SIGINT, SIGTERM, SIGHUP};
static int sig_pipe_wr = -1;
static volatile sig_atomic_t sig_caught;
static bool session_active;

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (!sig_caught)
		sig_caught = signo;
	if (sig_pipe_wr >= 0 && write(sig_pipe_wr, &b, 1) < 0) {
		/* Full (EAGAIN): it is readable already. */
	}
	errno = saved;
}

static int signals_install(struct session *s, struct err *e)
{
	struct sigaction sa, ign;
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_sys(e, "pipe");
	s->sig_rd = p[0];
	s->sig_wr = p[1];
	sig_caught = 0;
	sig_pipe_wr = s->sig_wr;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
		sigaddset(&sa.sa_mask, handled[i]);
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);

	for (size_t i = 0; i < ARRAY_SIZE(handled); i++) {
		sigaction(handled[i], NULL, &s->old_act[i]);
		/* Ignored on entry (nohup, a shell's background job): the
		 * caller meant it; keep it so. */
		if (s->old_act[i].sa_handler != SIG_IGN)
			sigaction(handled[i], &sa, NULL);
	}
	sigaction(SIGPIPE, &ign, &s->old_act[ARRAY_SIZE(handled)]);
	s->handlers = true;
	return 0;
}

static void signals_restore(struct session *s)
{
	if (s->handlers) {
		if (sig_caught && !s->signo)
			s->signo = sig_caught;
		for (size_t i = 0; i < ARRAY_SIZE(handled); i++)
			sigaction(handled[i], &s->old_act[i], NULL);
		sigaction(SIGPIPE, &s->old_act[ARRAY_SIZE(handled)], NULL);
		s->handlers = false;
		sig_pipe_wr = -1;
	}
	if (s->sig_wr >= 0)
		close(s->sig_wr);
	if (s->sig_rd >= 0)
		close(s->sig_rd);
	s->sig_wr = s->sig_rd = -1;
}

int session_cancel_fd(const struct session *s)
{
	return s->sig_rd;
}

bool session_interrupted(const struct session *s, int *signo)
{
	int sig = s->signo;

	if (!sig && s->handlers)
		sig = sig_caught;
	if (sig && signo)
		*signo = sig;
	return sig != 0;
}

void session_reraise(int signo)
{
	struct sigaction sa;
	sigset_t set;

	fflush(NULL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	sigaction(signo, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, signo);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(signo);
	_exit(128 + signo);
}

/* --- the witness ---------------------------------------------------------------- */

/* Only async-signal-safe calls between fork and exec. */
__attribute__((noreturn)) static void witness_child(const char *exe, char *const *argv,
						    char *const *envp, pid_t parent, int devnull,
						    int status_fd)
{
	/* Its own process group: a Ctrl-C meant for isolab does not reach
	 * it, and close kills the group. */
	exec_child_begin();
	/* Dies with isolab; if isolab died before the prctl, nobody would
	 * kill it: check that the parent is still the one that forked. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
		_exit(1);
	if (dup2(devnull, STDIN_FILENO) < 0 || dup2(devnull, STDOUT_FILENO) < 0 ||
	    dup2(devnull, STDERR_FILENO) < 0)
		exec_child_fail(status_fd);
	exec_child_exec(exe, argv, envp, status_fd);
}

static void witness_stop(struct session *s)
{
	if (s->witness > 0) {
		kill(-s->witness, SIGKILL);
		kill(s->witness, SIGKILL);
		while (waitpid(s->witness, NULL, 0) < 0 && errno == EINTR)
			;
		s->witness = 0;
	}
	if (s->witness_pidfd >= 0)
		close(s->witness_pidfd);
	s->witness_pidfd = -1;
}

/* Wait until the witness has renamed itself: from then on it is what
 * `isolab cleanup` recognises and what a lab may look for. */
static int witness_wait_ready(struct session *s, const char *exe, struct err *e)
{
	char path[64], comm[32];
	long long deadline = util_now_ms() + WITNESS_READY_MS;
	struct pollfd pfd = {.fd = s->witness_pidfd, .events = POLLIN};

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)s->witness);
	for (;;) {
		cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd < 0 ? -1 : read(fd, comm, sizeof(comm) - 1);

		if (n > 0) {
			comm[n] = '\0';
			if (strcmp(comm, SESSION_WITNESS_COMM "\n") == 0)
				return 0;
		}
		if (util_now_ms() >= deadline)
			return err_set(e, ERR_SYSTEM, 0,
				       "the witness process %d did not start within %d ms",
				       (int)s->witness, WITNESS_READY_MS);
		pfd.revents = 0;
		if (poll(&pfd, 1, 5) > 0 && (pfd.revents & (POLLIN | POLLHUP)))
			return err_set(e, ERR_SYSTEM, 0,
				       "the witness process %d exited at once (is %s isolab?)",
				       (int)s->witness, exe);
	}
}

static int witness_start(struct session *s, const char *exe, struct err *e)
{
	struct argv argv = ARGV_INIT, envp = ARGV_INIT;
	cleanup_close int devnull = -1;
	int st[2] = {-1, -1};
	sigset_t all, old;
	pid_t parent = getpid(), pid;
	int fork_errno, child_errno = 0, rc = -1;
	ssize_t r;

	argv_push(&argv, "isolab");
	argv_push(&argv, SESSION_WITNESS_CMD);
	argv_pushf(&envp, SESSION_ENV_NONCE "=%s", s->nonce);
	argv_pushf(&envp, SESSION_ENV_SESSION "=%s", s->id);
	argv_push(&envp, "PATH=" WITNESS_PATH);

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull < 0) {
		err_sys(e, "opening /dev/null");
		goto out;
	}
	if (pipe2(st, O_CLOEXEC) < 0) {
		err_sys(e, "pipe");
		goto out;
	}
	/* None of our handlers may run in the child before it resets them. */
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		witness_child(exe, argv.v, envp.v, parent, devnull, st[1]);
	fork_errno = errno;
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid < 0) {
		err_set(e, ERR_SYSTEM, fork_errno, "fork for the witness");
		goto out;
	}
	setpgid(pid, pid);
	s->witness = pid;
	close(st[1]);
	st[1] = -1;
	do
		r = read(st[0], &child_errno, sizeof(child_errno));
	while (r < 0 && errno == EINTR);
	if (r == (ssize_t)sizeof(child_errno)) {
		err_set(e, ERR_SYSTEM, child_errno, "cannot start the witness (%s)", exe);
		witness_stop(s);
		goto out;
	}
	s->witness_pidfd = pidfd_open(pid, 0);
	if (s->witness_pidfd < 0) {
		err_sys(e, "pidfd_open for the witness %d", (int)pid);
		witness_stop(s);
		goto out;
	}
	if (witness_wait_ready(s, exe, e) < 0) {
		witness_stop(s);
		goto out;
	}
	rc = 0;
out:
	if (st[0] >= 0)
		close(st[0]);
	if (st[1] >= 0)
		close(st[1]);
	argv_free(&argv);
	argv_free(&envp);
	return rc;
}

/* --- scratch dir ------------------------------------------------------------------- */

static int write_file_at(int dfd, const char *name, const char *text, mode_t mode,
			 struct err *e)
{
	cleanup_close int fd = openat(dfd, name,
				      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	size_t len = strlen(text), off = 0;

	if (fd < 0)
		return err_sys(e, "cannot create %s", name);
	if (fchmod(fd, mode) < 0)
		return err_sys(e, "cannot chmod %s", name);
	while (off < len) {
		ssize_t w = write(fd, text + off, len - off);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return err_sys(e, "cannot write %s", name);
		}
		off += (size_t)w;
	}
	return 0;
}

/* The base is where every session's files live: it must be ours, a real
 * directory, not writable by others (nobody may plant a session dir). */
/* What run requires of a base dir it did not just create: a directory
 * (never a link) of isolab's uid that nobody else may write, since it holds
 * canaries and owner files other sessions trust. */
static int base_ok(const char *base, const struct stat *st, struct err *e)
{
	if (!S_ISDIR(st->st_mode))
		return err_set(e, ERR_SYSTEM, 0, "%s is not a directory", base);
	if (st->st_uid != geteuid() || (st->st_mode & 022))
		return err_set(e, ERR_SYSTEM, 0,
			       "%s must belong to uid %d and not be writable by others (it is uid %d, mode %04o)",
			       base, (int)geteuid(), (int)st->st_uid, (unsigned)(st->st_mode & 07777));
	return 0;
}

static int open_base(const char *base, struct err *e)
{
	struct stat st;
	int fd;

	if (mkdir(base, 0755) == 0) {
		if (chmod(base, 0755) < 0)
			return err_sys(e, "cannot chmod %s", base);
	} else if (errno != EEXIST) {
		return err_sys(e, "cannot create %s", base);
	}
	fd = open(base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "cannot open %s", base);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return err_sys(e, "cannot stat %s", base);
	}
	if (base_ok(base, &st, e) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int session_check_bases(const struct session_opts *o, struct err *e)
{
	const char *bases[] = {session_scratch_base(o), session_disk_base(o)};

	for (size_t i = 0; i < ARRAY_SIZE(bases); i++) {
		struct stat st;
		if (lstat(bases[i], &st) == 0) {
			if (base_ok(bases[i], &st, e) < 0)
				return -1;
			continue;
		}
		if (errno != ENOENT)
			return err_sys(e, "cannot stat %s", bases[i]);
		/* Missing: run creates it, so its parent must be a directory. */
		cleanup_free char *parent = xstrdup(bases[i]);
		char *slash = strrchr(parent, '/');
		if (slash)
			*(slash == parent ? slash + 1 : slash) = '\0';
		if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
			return err_set(e, ERR_SYSTEM, errno, "cannot create %s", bases[i]);
	}
	return 0;
}

/* The path of host path p inside the file system that holds it: mountinfo's
 * root of the mount that holds p, plus the rest of p. */
static char *path_in_fs(const char *p)
{
	struct libmnt_table *tb = mnt_new_table_from_file("/proc/self/mountinfo");
	struct libmnt_fs *fs = tb ? mnt_table_find_mountpoint(tb, p, MNT_ITER_BACKWARD) : NULL;
	char *out = NULL;

	if (fs) {
		const char *target = mnt_fs_get_target(fs), *root = mnt_fs_get_root(fs);
		const char *rest = p + (strcmp(target, "/") == 0 ? 0 : strlen(target));
		out = xasprintf("%s%s", strcmp(root, "/") == 0 ? "" : root, rest);
	}
	mnt_unref_table(tb);
	return out ? out : xstrdup(p);
}

/* <disk_base>/<id>: owner and canary, as in the scratch dir. */
static int disk_make(struct session *s, struct err *e)
{
	cleanup_close int dfd = -1;
	char text[sizeof(s->owner) + 2];

	s->disk_base_fd = open_base(s->disk_base, e);
	if (s->disk_base_fd < 0)
		return -1;
	if (mkdirat(s->disk_base_fd, s->id, 0700) < 0)
		return err_sys(e, "cannot create %s/%s", s->disk_base, s->id);
	s->disk_scratch = xasprintf("%s/%s", s->disk_base, s->id);
	dfd = openat(s->disk_base_fd, s->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0 || fchmod(dfd, 0700) < 0)
		return err_sys(e, "cannot open %s", s->disk_scratch);
	snprintf(text, sizeof(text), "%s\n", s->owner);
	if (write_file_at(dfd, "owner", text, 0644, e) < 0)
		return err_wrap(e, "in %s", s->disk_scratch);
	snprintf(text, sizeof(text), "%s\n", s->nonce);
	if (write_file_at(dfd, "canary", text, 0644, e) < 0)
		return err_wrap(e, "in %s", s->disk_scratch);
	{
		cleanup_free char *host = xasprintf("%s/canary", s->disk_scratch);
		s->disk_canary = path_in_fs(host);
	}
	return 0;
}

static int scratch_make(struct session *s, struct err *e)
{
	cleanup_close int dfd = -1;
	struct strbuf owner = STRBUF_INIT;
	int rc;

	s->base_fd = open_base(s->scratch_base, e);
	if (s->base_fd < 0)
		return -1;
	for (int tries = 0;; tries++) {
		if (session_new_id(s->id, e) < 0)
			return -1;
		if (mkdirat(s->base_fd, s->id, 0700) == 0)
			break;
		if (errno != EEXIST || tries == 5)
			return err_sys(e, "cannot create %s/%s", s->scratch_base, s->id);
	}
	s->scratch = xasprintf("%s/%s", s->scratch_base, s->id);
	dfd = openat(s->base_fd, s->id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dfd < 0)
		return err_sys(e, "cannot open %s", s->scratch);
	if (fchmod(dfd, 0700) < 0)
		return err_sys(e, "cannot chmod %s", s->scratch);
	/* The owner file first: a sweep tells a dead owner's dir by it. */
	strbuf_addf(&owner, "%s\n", s->owner);
	rc = write_file_at(dfd, "owner", strbuf_str(&owner), 0644, e);
	strbuf_release(&owner);
	if (rc < 0)
		return err_wrap(e, "in %s", s->scratch);
	{
		char canary[SESSION_NONCE_LEN + 2];
		snprintf(canary, sizeof(canary), "%s\n", s->nonce);
		if (write_file_at(dfd, "canary", canary, 0644, e) < 0)
			return err_wrap(e, "in %s", s->scratch);
	}
	return disk_make(s, e);
}

/* --- the session ----------------------------------------------------------------- */

static void session_init(struct session *s, struct engine *eng)
{
	memset(s, 0, sizeof(*s));
	s->eng = eng;
	s->base_fd = -1;
	s->disk_base_fd = -1;
	s->witness_pidfd = -1;
	s->sig_rd = s->sig_wr = -1;
}

int session_open(struct session *s, struct engine *eng, const struct session_opts *o,
		 struct err *e)
{
	const char *exe = o && o->self_exe ? o->self_exe : SELF_EXE;
	struct err ce;

	session_init(s, eng);
	if (session_active)
		return err_set(e, ERR_SYSTEM, EBUSY, "a session is already open in this process");
	s->scratch_base = xstrdup(session_scratch_base(o));
	s->disk_base = xstrdup(session_disk_base(o));
	if (signals_install(s, e) < 0)
		goto fail;
	session_active = true;
	if (eng) {
		s->saved_cancel_fd = eng->cancel_fd;
		eng->cancel_fd = s->sig_rd;
		s->cancel_set = true;
	}
	if (self_owner(s->owner, sizeof(s->owner), e) < 0)
		goto fail;
	if (session_sweep_orphans(eng, o, &s->swept, e) < 0) {
		if (session_interrupted(s, NULL))
			goto cancelled;
		err_wrap(e, "looking for what an earlier isolab left behind");
		goto fail;
	}
	if (session_interrupted(s, NULL))
		goto cancelled;
	if (session_new_nonce(s->nonce, e) < 0)
		goto fail;
	if (scratch_make(s, e) < 0)
		goto fail;
	if (witness_start(s, exe, e) < 0)
		goto fail;
	if (session_interrupted(s, NULL))
		goto cancelled;
	/* From here on the step runner starts containers. */
	s->containers = eng != NULL;
	return 0;

cancelled:
	err_set(e, ERR_CANCEL, 0, "interrupted by %s", strsignal(sig_caught));
fail:
	if (session_close(s, &ce) < 0 && e) {
		struct err acc = *e;
		err_wrap(&ce, "and cleaning up");
		session_err_note(&acc, &ce);
		*e = acc;
	}
	return -1;
}

static int list_session(struct engine *eng, const struct session *s, const char *lab,
			const char *step, struct argv *ids, struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_result res;
	int rc;

	argv_push(&a, "ps");
	argv_push(&a, "-a");
	argv_push(&a, "-q");
	argv_push(&a, "--no-trunc");
	/* Several label filters: docker requires them all. */
	argv_push(&a, "--filter");
	argv_pushf(&a, "label=" SESSION_LABEL_SESSION "=%s", s->id);
	if (lab) {
		argv_push(&a, "--filter");
		argv_pushf(&a, "label=" SESSION_LABEL_LAB "=%s", lab);
	}
	if (step) {
		argv_push(&a, "--filter");
		argv_pushf(&a, "label=" SESSION_LABEL_STEP "=%s", step);
	}
	rc = engine_call(eng, a.v, 0, &res, e);
	if (rc == 0) {
		char *save = NULL;
		for (char *t = strtok_r(res.out.data, " \t\r\n", &save); t;
		     t = strtok_r(NULL, " \t\r\n", &save))
			argv_push(ids, t);
	}
	exec_result_free(&res);
	argv_free(&a);
	return rc;
}

static int remove_matching(struct session *s, const char *lab, const char *step, struct err *e)
{
	struct argv ids = ARGV_INIT;
	int rc;

	rc = list_session(s->eng, s, lab, step, &ids, e);
	if (rc == 0)
		rc = engine_rm(s->eng, ids.v, e);
	argv_free(&ids);
	return rc;
}

int session_remove_step(struct session *s, const char *lab, const char *step, struct err *e)
{
	if (!s->eng || !s->id[0])
		return 0;
	if (remove_matching(s, lab, step, e) < 0)
		return err_wrap(e, "removing the containers of step %s", step ? step : "(any)");
	return 0;
}

int session_close(struct session *s, struct err *e)
{
	struct err acc = {0}, one;

	/* Cleanup must run even after a signal: the cancel fd stays
	 * readable, and would cancel every docker call. */
	if (s->cancel_set && s->eng) {
		if (s->eng->cancel_fd == s->sig_rd)
			s->eng->cancel_fd = s->saved_cancel_fd;
		s->cancel_set = false;
	}
	if (s->containers && s->eng) {
		int rc = remove_matching(s, NULL, NULL, &one);
		/* A docker run cancelled mid-flight may still be creating
		 * its container in the daemon: look once more a moment
		 * later. What escapes both, the next session sweeps. */
		if (rc == 0 && session_interrupted(s, NULL)) {
			struct timespec ts = {0, 300 * 1000 * 1000};
			nanosleep(&ts, NULL);
			rc = remove_matching(s, NULL, NULL, &one);
		}
		if (rc < 0) {
			err_wrap(&one, "removing the containers of session %s", s->id);
			session_err_note(&acc, &one);
		} else {
			s->containers = false;
		}
	}
	witness_stop(s);
	if (s->scratch && s->base_fd >= 0) {
		if (session_remove_at(s->base_fd, s->scratch_base, s->id, &one) < 0) {
			session_err_note(&acc, &one);
		} else {
			free(s->scratch);
			s->scratch = NULL;
		}
	}
	if (s->disk_scratch && s->disk_base_fd >= 0) {
		if (session_remove_at(s->disk_base_fd, s->disk_base, s->id, &one) < 0) {
			session_err_note(&acc, &one);
		} else {
			free(s->disk_scratch);
			s->disk_scratch = NULL;
		}
	}
	if (!s->disk_scratch) {
		if (s->disk_base_fd >= 0)
			close(s->disk_base_fd);
		s->disk_base_fd = -1;
		free(s->disk_canary);
		s->disk_canary = NULL;
	}
	/* Kept while something is left: a second close retries. */
	if (!s->scratch && !s->containers) {
		if (s->base_fd >= 0)
			close(s->base_fd);
		s->base_fd = -1;
	}
	if (s->handlers || s->sig_rd >= 0) {
		signals_restore(s);
		session_active = false;
	}
	if (!s->scratch && !s->disk_scratch && !s->containers) {
		free(s->disk_base);
		s->disk_base = NULL;
		free(s->scratch_base);
		s->scratch_base = NULL;
		session_report_free(&s->swept);
	}
	return session_err_give(&acc, e);
}
