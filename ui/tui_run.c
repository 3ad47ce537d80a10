/* tui_run.c: a step runs in a forked child so that the screen never
 * freezes. The child calls step_run() and writes one JSON line per
 * progress event, then {"transcript": ...}, to a pipe the parent polls
 * with the terminal and its signal pipes. The child never touches curses,
 * runs in a process group of its own (so terminal signals and the
 * session's handlers stay the parent's), and has its own cancel pipe as
 * the engine's cancel_fd: SIGTERM from the parent cancels the docker call
 * in flight, and the child still writes what it has. The parent owns the
 * session: after a cancel it removes the step's containers itself.
 *
 * The parent's side is an event source (tui.h): tui.c polls the pipe and
 * wakes it at its deadlines (a cancel's grace, the second look for a
 * cancelled docker run's container) without knowing what it is.
 *
 * Test hook: with ISOLAB_TUI_REPLAY=DIR the child replays DIR/LAB.STEP.json
 * (a recorded transcript) instead of running anything, after
 * ISOLAB_TUI_REPLAY_DELAY_MS (default 300) milliseconds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "image.h"
#include "tui.h"

/* How long a cancelled child may take to write what it has and exit. */
#define CANCEL_GRACE_MS 3000
/* A docker run killed mid-call may still create its container in the
 * daemon: look again this much later. */
#define RESWEEP_MS 1500

/* --- the child ---------------------------------------------------------------- */

static int child_cancel_wr = -1;

static void child_on_term(int signo)
{
	int saved = errno;
	char b = (char)signo;

	if (child_cancel_wr >= 0 && write(child_cancel_wr, &b, 1) < 0) {
		/* Full: readable already. */
	}
	errno = saved;
}

static const char *const event_names[] = {
	[STEP_EV_PHASE] = "phase",
	[STEP_EV_COMMAND] = "command",
	[STEP_EV_NOTE] = "note",
	[STEP_EV_RESULT] = "result",
};

static void child_write(FILE *out, json_t *o)
{
	json_dumpf(o, out, JSON_COMPACT);
	fputc('\n', out);
	fflush(out);
	json_decref(o);
}

static void child_event(void *data, const struct step_event *ev)
{
	child_write(data, json_pack("{s:s, s:s}", "kind", event_names[ev->kind], "text",
				    ev->text ? ev->text : ""));
}

static void child_build_line(void *data, int fd, const char *line, size_t len)
{
	cleanup_free char *text = xstrndup(line, len);

	(void)fd;
	if (*text)
		child_write(data, json_pack("{s:s, s:s}", "kind", "note", "text", text));
}

static __attribute__((noreturn)) void child_fail(FILE *out, const char *msg)
{
	child_write(out, json_pack("{s:s, s:s}", "kind", "error", "text", msg));
	_exit(1);
}

/* ISOLAB_TUI_REPLAY_DELAY_MS: milliseconds from 0 to a minute, 300 when
 * unset or empty; -1 for anything else. */
static int replay_delay_ms(const char *d)
{
	char *end = NULL;
	long ms;

	if (!d || !*d)
		return 300;
	errno = 0;
	ms = strtol(d, &end, 10);
	if (errno || end == d || *end || ms < 0 || ms > 60000)
		return -1;
	return (int)ms;
}

static __attribute__((noreturn)) void child_replay(FILE *out, const char *dir,
						    const struct lab *lab,
						    const struct lab_step *step, int cancel_fd)
{
	cleanup_free char *path = xasprintf("%s/%s.%s.json", dir, lab->id, step->id);
	const char *d = getenv("ISOLAB_TUI_REPLAY_DELAY_MS");
	int delay = replay_delay_ms(d);
	struct pollfd pfd = {.fd = cancel_fd, .events = POLLIN};
	json_error_t jerr;
	json_t *tr;

	if (delay < 0) {
		cleanup_free char *msg = xasprintf("ISOLAB_TUI_REPLAY_DELAY_MS=%s: not a number of "
						   "milliseconds from 0 to 60000",
						   d);
		child_fail(out, msg);
	}
	child_write(out, json_pack("{s:s, s:s}", "kind", "phase", "text",
				   "replaying a recorded transcript (ISOLAB_TUI_REPLAY)"));
	if (poll(&pfd, 1, delay) > 0)
		child_fail(out, "interrupted");
	tr = json_load_file(path, 0, &jerr);
	if (!tr) {
		cleanup_free char *msg = xasprintf("no recorded transcript %s: %s", path, jerr.text);
		child_fail(out, msg);
	}
	child_write(out, json_pack("{s:o}", "transcript", tr));
	_exit(0);
}

static __attribute__((noreturn)) void child_main(struct tui *t, const struct lab *lab,
						  const struct lab_step *step, int wfd,
						  pid_t parent)
{
	static const int to_default[] = {SIGINT, SIGHUP, SIGQUIT, SIGWINCH, SIGCONT, SIGTSTP,
					 SIGTTIN, SIGTTOU, SIGSEGV, SIGBUS, SIGFPE, SIGILL,
					 SIGABRT, SIGUSR1, SIGUSR2, SIGCHLD};
	struct sigaction sa;
	struct step_result res;
	struct err e = {0};
	sigset_t none;
	int cancel[2], devnull;
	FILE *out;
	const char *replay = tui_replay_dir();

	/* Dispositions first, while every signal is still blocked: nothing of
	 * the parent's (the session's self-pipe, the terminal restore) may
	 * run here. */
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = SIG_DFL;
	for (size_t i = 0; i < ARRAY_SIZE(to_default); i++)
		sigaction(to_default[i], &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	if (pipe2(cancel, O_CLOEXEC | O_NONBLOCK) < 0)
		_exit(125);
	child_cancel_wr = cancel[1];
	sa.sa_handler = child_on_term;
	sigaction(SIGTERM, &sa, NULL);

	/* A group of its own: the parent kills it whole, and a key the
	 * terminal turns into a signal reaches only the foreground group. */
	setpgid(0, 0);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (getppid() != parent)
		raise(SIGTERM);

	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (devnull >= 0) {
		dup2(devnull, STDIN_FILENO);
		dup2(devnull, STDOUT_FILENO);
		dup2(devnull, STDERR_FILENO);
	}
	out = fdopen(wfd, "w");
	if (!out)
		_exit(125);

	/* The engine is the parent's copy; its cancel fd is ours now. */
	t->eng.cancel_fd = cancel[0];
	if (replay)
		child_replay(out, replay, lab, step, cancel[0]);

	if (t->eng_rc < 0)
		child_fail(out, t->eng_err.msg);
	if (t->facts_rc < 0)
		child_fail(out, t->facts_err.msg);
	if (t->host_rc < 0)
		child_fail(out, t->host_err.msg);

	child_write(out, json_pack("{s:s, s:s}", "kind", "phase", "text", "checking the lab image"));
	{
		bool built = false;
		if (image_ensure(&t->eng, child_build_line, out, &built, &e) < 0)
			child_fail(out, e.msg);
		if (built)
			child_write(out, json_pack("{s:s, s:s}", "kind", "phase", "text",
						   "built the lab image"));
	}

	struct step_ctx ctx = {
		.eng = &t->eng,
		.session = &t->session,
		.host = &t->host,
		.facts = &t->facts,
		.image = image_ref(),
		.on_event = child_event,
		.event_data = out,
	};
	step_run(&ctx, lab, step, &res, &e);
	child_write(out, json_pack("{s:o}", "transcript", step_result_json(&res)));
	/* No step_result_free, no exit handlers: _exit is the child's end. */
	_exit(0);
}

/* --- the parent --------------------------------------------------------------- */

static const struct tui_source_ops run_source;

int tui_run_start(struct tui *t, const struct lab *lab, const struct lab_step *step,
		  struct err *e)
{
	struct tui_run *r;
	sigset_t all, old;
	int p[2];
	pid_t pid, parent = getpid();

	if (t->run)
		return err_input(e, "a step is running already");
	if (pipe2(p, O_CLOEXEC) < 0)
		return err_sys(e, "pipe");
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		child_main(t, lab, step, p[1], parent);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[1]);
	if (pid < 0) {
		close(p[0]);
		return err_sys(e, "fork");
	}
	/* Both sides set it: no window where a kill(-pid) misses. */
	setpgid(pid, pid);
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);

	r = xcalloc(1, sizeof(*r));
	r->lab = lab;
	r->step = step;
	r->pid = pid;
	r->fd = p[0];
	r->state = TUI_RUN_RUNNING;
	r->started_ms = util_now_ms();
	t->run = r;
	t->run_seq++;
	tui_source_add(t, &run_source, t);
	return 0;
}

bool tui_run_is_busy(const struct tui *t)
{
	return t->run && t->run->state != TUI_RUN_DONE;
}

static void add_event(struct tui_run *r, enum step_event_kind kind, bool error, const char *text)
{
	r->events = xreallocarray(r->events, r->n_events + 1, sizeof(*r->events));
	r->events[r->n_events].kind = kind;
	r->events[r->n_events].error = error;
	r->events[r->n_events].text = xstrdup(text);
	r->n_events++;
}

/* One line of the child's stream: {"transcript": {...}} or {"kind": s,
 * "text": s}, kind one of event_names or "error". */
static void on_line(struct tui_run *r, const char *line, size_t len)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr);
	const char *kind = NULL, *text = NULL;
	json_t *tr = NULL;

	if (!o) {
		add_event(r, STEP_EV_NOTE, false, "(a line the step runner sent could not be read)");
		return;
	}
	if (json_unpack_ex(o, NULL, 0, "{s:o}", "transcript", &tr) == 0) {
		if (json_is_object(tr)) {
			json_decref(r->transcript);
			r->transcript = json_incref(tr);
		} else {
			add_event(r, STEP_EV_NOTE, false,
				  "(the step runner sent a transcript that is not a JSON object)");
		}
	} else if (json_unpack_ex(o, &jerr, 0, "{s:s, s:s}", "kind", &kind, "text", &text) < 0) {
		cleanup_free char *msg =
			xasprintf("(a line the step runner sent is neither an event nor the transcript: "
				  "%s)",
				  jerr.text);
		add_event(r, STEP_EV_NOTE, false, msg);
	} else if (strcmp(kind, "error") == 0) {
		free(r->error);
		r->error = xstrdup(text);
		add_event(r, STEP_EV_NOTE, true, text);
	} else {
		enum step_event_kind k = STEP_EV_NOTE;
		for (size_t i = 0; i < ARRAY_SIZE(event_names); i++)
			if (strcmp(kind, event_names[i]) == 0)
				k = (enum step_event_kind)i;
		add_event(r, k, false, text);
	}
	json_decref(o);
}

static void reap(struct tui_run *r)
{
	while (waitpid(r->pid, &r->wstatus, 0) < 0 && errno == EINTR)
		;
}

/* After a cancel: what the step left, the parent removes; the session's
 * engine has no readable cancel fd unless a signal came. */
static void remove_after_cancel(struct tui *t, struct tui_run *r)
{
	struct err e = {0};

	if (!t->session_open) {
		r->cleanup_note = xstrdup("Cancelled before any container started.");
		return;
	}
	tui_message(t, TC_MESSAGE, "Cancelled: removing the containers of step %s...", r->step->id);
	tui_redraw_now(t);
	if (session_remove_step(&t->session, r->lab->id, r->step->id, &e) < 0)
		r->cleanup_note = xasprintf("Cancelled. Removing its containers failed: %s (isolab "
					    "removes them on quit; isolab cleanup does too)",
					    e.msg);
	else
		r->cleanup_note = xasprintf("Cancelled: the containers of step %s were removed.",
					    r->step->id);
	free(t->resweep_lab);
	free(t->resweep_step);
	t->resweep_lab = xstrdup(r->lab->id);
	t->resweep_step = xstrdup(r->step->id);
	t->resweep_at = util_now_ms() + RESWEEP_MS;
}

static void finish(struct tui *t, struct tui_run *r)
{
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	reap(r);
	r->state = TUI_RUN_DONE;
	r->ended_ms = util_now_ms();
	if (!r->transcript && !r->error) {
		if (r->cancelled)
			r->error = xstrdup("cancelled");
		else if (WIFSIGNALED(r->wstatus))
			r->error = xasprintf("the step runner was killed by %s",
					     strsignal(WTERMSIG(r->wstatus)));
		else
			r->error = xasprintf("the step runner ended (status %d) without a result",
					     WIFEXITED(r->wstatus) ? WEXITSTATUS(r->wstatus) : -1);
	}
	if (r->cancelled)
		remove_after_cancel(t, r);
	r->seq++;
	t->dirty = true;
}

static void on_ready(struct tui *t, struct tui_run *r)
{
	char buf[65536];

	for (;;) {
		ssize_t n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			break;
		if (n <= 0) {
			if (r->buf.len)
				on_line(r, r->buf.buf, r->buf.len);
			strbuf_release(&r->buf);
			finish(t, r);
			return;
		}
		strbuf_add(&r->buf, buf, (size_t)n);
		/* Every complete line. */
		size_t start = 0;
		for (size_t i = 0; i < r->buf.len; i++)
			if (r->buf.buf[i] == '\n') {
				on_line(r, r->buf.buf + start, i - start);
				start = i + 1;
			}
		if (start) {
			memmove(r->buf.buf, r->buf.buf + start, r->buf.len - start);
			r->buf.len -= start;
			r->buf.buf[r->buf.len] = '\0';
		}
		r->seq++;
		t->dirty = true;
	}
}

void tui_run_cancel(struct tui *t, struct tui_run *r)
{
	if (!r || r->state != TUI_RUN_RUNNING)
		return;
	r->cancelled = true;
	r->state = TUI_RUN_CANCELLING;
	r->kill_at_ms = util_now_ms() + CANCEL_GRACE_MS;
	kill(-r->pid, SIGTERM);
	add_event(r, STEP_EV_NOTE, false, "cancelling: the docker call in flight is stopped");
	/* The deadline is the source's (run_timeout). */
	r->seq++;
	t->dirty = true;
}

/* A cancel's grace ran out? */
static void on_timer(struct tui *t, struct tui_run *r)
{
	if (!r || r->state != TUI_RUN_CANCELLING || util_now_ms() < r->kill_at_ms)
		return;
	/* It did not end in time: the whole group, now. */
	kill(-r->pid, SIGKILL);
	add_event(r, STEP_EV_NOTE, false, "the step runner did not stop in time: killed");
	finish(t, r);
}

static void run_abort(struct tui_run *r)
{
	if (!r || r->state == TUI_RUN_DONE)
		return;
	kill(-r->pid, SIGKILL);
	if (r->fd >= 0) {
		close(r->fd);
		r->fd = -1;
	}
	reap(r);
	r->state = TUI_RUN_DONE;
}

/* Quitting: SIGTERM, a short grace for the docker call in flight to be
 * cancelled, then SIGKILL; reaped in every case. */
static void run_stop(struct tui_run *r)
{
	long long until = util_now_ms() + CANCEL_GRACE_MS;
	char buf[4096];

	if (!r || r->state == TUI_RUN_DONE)
		return;
	if (r->state == TUI_RUN_RUNNING)
		kill(-r->pid, SIGTERM);
	r->cancelled = true;
	/* Its output no longer matters; its end does (EOF on the pipe). */
	while (r->fd >= 0) {
		struct pollfd pfd = {.fd = r->fd, .events = POLLIN};
		long long left = until - util_now_ms();
		ssize_t n;

		if (left <= 0 || poll(&pfd, 1, (int)left) == 0)
			break;
		n = read(r->fd, buf, sizeof(buf));
		if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			break;
	}
	run_abort(r);
}

void tui_run_free(struct tui_run *r)
{
	if (!r)
		return;
	run_abort(r);
	for (size_t i = 0; i < r->n_events; i++)
		free(r->events[i].text);
	free(r->events);
	strbuf_release(&r->buf);
	json_decref(r->transcript);
	free(r->error);
	free(r->cleanup_note);
	free(r);
}

/* --- the event source ------------------------------------------------------------ */

static size_t run_pollfds(struct tui *t, void *self, struct pollfd *fds, size_t max)
{
	(void)self;
	if (!t->run || t->run->fd < 0 || !max)
		return 0;
	fds[0] = (struct pollfd){.fd = t->run->fd, .events = POLLIN};
	return 1;
}

static int until(long long at)
{
	long long now = util_now_ms();
	return at > now ? (int)(at - now) : 0;
}

/* The nearest of a cancel's deadline and the second look. */
static int run_timeout(struct tui *t, void *self)
{
	int timeout = -1;

	(void)self;
	if (t->run && t->run->state == TUI_RUN_CANCELLING)
		timeout = until(t->run->kill_at_ms);
	if (t->resweep_at > 0 && (timeout < 0 || until(t->resweep_at) < timeout))
		timeout = until(t->resweep_at);
	return timeout;
}

static void run_dispatch(struct tui *t, void *self, const struct pollfd *fds, size_t n)
{
	(void)self;
	if (t->run && n && fds[0].revents)
		on_ready(t, t->run);
	on_timer(t, t->run);
	if (t->resweep_at > 0 && util_now_ms() >= t->resweep_at) {
		struct err e = {0};
		t->resweep_at = 0;
		if (t->session_open)
			session_remove_step(&t->session, t->resweep_lab, t->resweep_step, &e);
	}
}

static const char *run_busy(struct tui *t, void *self)
{
	(void)self;
	return tui_run_is_busy(t) ? "A step is running: Esc cancels it first." : NULL;
}

static bool run_interrupt(struct tui *t, void *self)
{
	(void)self;
	if (!tui_run_is_busy(t))
		return false;
	tui_run_cancel(t, t->run);
	return true;
}

static void run_source_stop(struct tui *t, void *self)
{
	(void)self;
	if (t->run) {
		run_stop(t->run);
		tui_run_free(t->run);
		t->run = NULL;
	}
}

static void run_destroy(struct tui *t, void *self)
{
	(void)self;
	tui_run_free(t->run);
	t->run = NULL;
	free(t->resweep_lab);
	free(t->resweep_step);
	t->resweep_lab = t->resweep_step = NULL;
	t->resweep_at = 0;
}

static const struct tui_source_ops run_source = {
	.name = "step run",
	.pollfds = run_pollfds,
	.timeout_ms = run_timeout,
	.dispatch = run_dispatch,
	.busy = run_busy,
	.interrupt = run_interrupt,
	.stop = run_source_stop,
	.destroy = run_destroy,
};
