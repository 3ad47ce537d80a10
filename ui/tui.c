/* tui.c: `isolab` without a command: the lab runner. Options, the
 * terminal (ncursesw; restored on every way out: normal quit, fatal
 * error, SIGINT/SIGTERM/SIGHUP, a crash), the screen stack, and the event
 * loop: one poll() over the terminal, a self-pipe for signals, the
 * session's signal pipe and the descriptors of every event source (the
 * step child, the doctor's child: tui.h's struct tui_source_ops), with a
 * timeout only when something is due (a spinner, a demo, a source's
 * deadline). Nothing spins. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "gate.h"
#include "tui.h"

struct tui *tui_app;

/* --- the terminal, and getting it back ------------------------------------ */

static struct termios saved_tty;
static bool saved_tty_ok;
/* What puts the terminal back (leave the alternate screen, show the
 * cursor, plain attributes), captured at start for the crash handler,
 * which may only write(2). */
static char restore_seq[256];
static size_t restore_len;
static pid_t tui_pid;
static int sig_wr_fd = -1;

static void add_cap(const char *name)
{
	char *s = tigetstr((char *)name);
	size_t n;

	if (!s || s == (char *)-1)
		return;
	n = strlen(s);
	if (restore_len + n < sizeof(restore_seq)) {
		memcpy(restore_seq + restore_len, s, n);
		restore_len += n;
	}
}

/* Safe anywhere: in a signal handler, after a crash. */
static void term_restore_raw(void)
{
	if (restore_len && write(STDOUT_FILENO, restore_seq, restore_len) < 0) {
		/* Nothing more to try. */
	}
	if (saved_tty_ok)
		tcsetattr(STDIN_FILENO, TCSADRAIN, &saved_tty);
}

static void term_end(struct tui *t)
{
	if (t && t->curses_on) {
		if (!isendwin())
			endwin();
		t->curses_on = false;
	}
}

static void on_crash(int signo)
{
	static const char msg[] = "isolab: crashed; the terminal was restored. What it left "
				  "behind, `isolab cleanup` removes.\n";

	if (getpid() == tui_pid) {
		term_restore_raw();
		if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0) {
			/* Nothing more to try. */
		}
	}
	signal(signo, SIG_DFL);
	raise(signo);
}

static void on_signal(int signo)
{
	int saved = errno;
	unsigned char b = (unsigned char)signo;

	if (sig_wr_fd >= 0 && write(sig_wr_fd, &b, 1) < 0) {
		/* Full: it is readable already. */
	}
	errno = saved;
}

static const int piped[] = {SIGWINCH, SIGCONT, SIGINT, SIGTERM, SIGHUP};
static struct sigaction saved_act[ARRAY_SIZE(piped)];
static bool saved_acts;

static int signals_install(struct tui *t, struct err *e)
{
	static const int crash[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
	struct sigaction sa, old;
	int p[2];

	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_sys(e, "pipe");
	t->sig_rd = p[0];
	t->sig_wr = sig_wr_fd = p[1];

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_crash;
	sa.sa_flags = SA_RESETHAND;
	for (size_t i = 0; i < ARRAY_SIZE(crash); i++)
		sigaction(crash[i], &sa, NULL);

	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	for (size_t i = 0; i < ARRAY_SIZE(piped); i++) {
		sigaction(piped[i], NULL, &old);
		saved_act[i] = old;
		/* Ignored on entry (nohup): the caller meant it. */
		if (old.sa_handler == SIG_IGN && piped[i] != SIGWINCH && piped[i] != SIGCONT)
			continue;
		sigaction(piped[i], &sa, NULL);
	}
	saved_acts = true;
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

static void term_start(struct tui *t)
{
	if (tcgetattr(STDIN_FILENO, &saved_tty) == 0)
		saved_tty_ok = true;
	initscr();
	t->curses_on = true;
	raw(); /* Ctrl-C is a key here: it cancels a run, it does not kill isolab */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	t->has_colors = has_colors() && t->cli->color;
	if (t->has_colors) {
		start_color();
		use_default_colors();
	}
	restore_len = 0;
	add_cap("sgr0");
	add_cap("cnorm");
	add_cap("rmcup");
	t->rows = LINES;
	t->cols = COLS;
}

static void apply_scheme(struct tui *t)
{
	enum tui_scheme s;
	cchar_t bg;
	wchar_t sp[2] = {L' ', L'\0'};

	if (t->present)
		s = t->has_colors ? TUI_SCHEME_PRESENT : TUI_SCHEME_PRESENT_MONO;
	else
		s = t->has_colors ? TUI_SCHEME_COLOR : TUI_SCHEME_MONO;
	tui_colors_init(s, t->has_colors);
	/* The presentation scheme paints the whole screen. */
	setcchar(&bg, sp, t->present ? tui_attr(TC_NORMAL) : A_NORMAL,
		 t->present ? tui_pair(TC_NORMAL) : 0, NULL);
	wbkgrndset(stdscr, &bg);
	clearok(stdscr, TRUE);
	t->dirty = true;
}

/* --- event sources -------------------------------------------------------------- */

void tui_source_add(struct tui *t, const struct tui_source_ops *ops, void *self)
{
	for (size_t i = 0; i < t->n_sources; i++)
		if (t->sources[i].ops == ops && t->sources[i].self == self)
			return;
	if (t->n_sources == TUI_MAX_SOURCES)
		tui_fatal(t, "too many event sources (%s)", ops->name);
	t->sources[t->n_sources++] = (struct tui_source){ops, self};
}

/* Whatever runs, stopped (quitting, a fatal error, a signal). */
static void sources_stop(struct tui *t)
{
	for (size_t i = t->n_sources; i-- > 0;)
		if (t->sources[i].ops->stop)
			t->sources[i].ops->stop(t, t->sources[i].self);
}

static void sources_destroy(struct tui *t)
{
	sources_stop(t);
	while (t->n_sources) {
		struct tui_source *s = &t->sources[--t->n_sources];
		if (s->ops->destroy)
			s->ops->destroy(t, s->self);
		memset(s, 0, sizeof(*s));
	}
}

/* Why q must wait, or NULL. */
static const char *sources_busy(struct tui *t)
{
	for (size_t i = 0; i < t->n_sources; i++) {
		const char *why = t->sources[i].ops->busy ? t->sources[i].ops->busy(t, t->sources[i].self)
							 : NULL;
		if (why)
			return why;
	}
	return NULL;
}

/* Ctrl-C: true when a source stopped something. */
static bool sources_interrupt(struct tui *t)
{
	bool used = false;

	for (size_t i = 0; i < t->n_sources; i++)
		if (t->sources[i].ops->interrupt && t->sources[i].ops->interrupt(t, t->sources[i].self))
			used = true;
	return used;
}

/* --- the session, closed on every way out ---------------------------------------- */

static void session_end(struct tui *t, bool quiet)
{
	struct err e = {0};

	/* Nothing of a step may still run when its containers are removed. */
	sources_stop(t);
	if (!t->session_open)
		return;
	if (session_close(&t->session, &e) < 0 && !quiet)
		fprintf(stderr, "isolab: cleaning up: %s\n", e.msg);
	t->session_open = false;
}

static void at_exit(void)
{
	struct tui *t = tui_app;

	if (!t || getpid() != tui_pid)
		return;
	term_end(t);
	session_end(t, false);
}

void tui_fatal(struct tui *t, const char *fmt, ...)
{
	va_list ap;

	/* The terminal first: the message must be readable. */
	term_end(t);
	fputs("isolab: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	session_end(t, false);
	exit(EXIT_USAGE);
}

const char *tui_replay_dir(void)
{
	const char *dir = getenv("ISOLAB_TUI_REPLAY");

	return dir && *dir ? dir : NULL;
}

int tui_session_ensure(struct tui *t)
{
	struct err e = {0};

	if (t->session_open)
		return 0;
	tui_message(t, TC_MESSAGE, "Opening a session: a scratch dir, its canary and the host witness...");
	tui_redraw_now(t);
	free(t->session_error);
	t->session_error = NULL;
	/* A replay starts no container: its session needs no engine (and
	 * looks for no container to sweep), so the TUI tests replay
	 * without one. */
	if (session_open(&t->session, tui_replay_dir() ? NULL : &t->eng, NULL, &e) < 0) {
		t->session_error = xstrdup(e.msg);
		tui_message(t, TC_FAIL, "No session: %s", e.msg);
		return -1;
	}
	t->session_open = true;
	if (t->session.swept.n_containers)
		tui_message(t, TC_MESSAGE, "Removed %zu container%s an earlier isolab left behind.",
			    t->session.swept.n_containers,
			    t->session.swept.n_containers == 1 ? "" : "s");
	else
		tui_message(t, TC_MESSAGE, "Session %s open.", t->session.id);
	return 0;
}

/* --- screens, messages, timers -------------------------------------------------- */

void tui_push(struct tui *t, const struct tui_screen_ops *ops, void *self, const char *title)
{
	if (t->depth == TUI_MAX_SCREENS) {
		ops->destroy(self);
		return;
	}
	t->stack[t->depth].ops = ops;
	t->stack[t->depth].self = self;
	t->stack[t->depth].title = xstrdup(title ? title : "");
	t->depth++;
	t->dirty = true;
}

void tui_pop(struct tui *t)
{
	struct tui_screen *s;

	if (!t->depth)
		return;
	s = &t->stack[--t->depth];
	s->ops->destroy(s->self);
	free(s->title);
	memset(s, 0, sizeof(*s));
	t->dirty = true;
	if (!t->depth)
		t->quit = true;
}

void tui_set_title(struct tui *t, const char *title)
{
	if (!t->depth)
		return;
	free(t->stack[t->depth - 1].title);
	t->stack[t->depth - 1].title = xstrdup(title);
}

void tui_message(struct tui *t, enum tui_color c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	free(t->msg);
	t->msg = strbuf_detach(&sb);
	t->msg_color = c;
	t->dirty = true;
}

void tui_wake_in(struct tui *t, int ms)
{
	long long at = util_now_ms() + (ms > 0 ? ms : 0);

	if (t->wake_at < 0 || at < t->wake_at)
		t->wake_at = at;
}

void tui_toggle_present(struct tui *t)
{
	t->present = !t->present;
	apply_scheme(t);
	tui_message(t, TC_MESSAGE, t->present ? "Presentation mode: one idea a page; Space and "
						"Left/Right turn pages; P leaves it."
					      : "Presentation mode off.");
}

void tui_progress_save(struct tui *t)
{
	struct err e = {0};

	if (progress_save(&t->progress, &e) < 0)
		tui_message(t, TC_FAIL, "Progress not saved: %s", e.msg);
}

/* --- drawing ------------------------------------------------------------------------ */

void tui_draw_bar(struct tui *t, int y, const struct tui_keyhelp *bar)
{
	int x = 0;

	tui_fill(stdscr, y, 0, t->cols, TC_BAR);
	for (size_t i = 0; bar && bar[i].keys && x < t->cols; i++) {
		int kw = tui_width(bar[i].keys) + 1;
		if (x + kw + 2 > t->cols)
			break;
		x += tui_put(stdscr, y, x, t->cols - x, bar[i].keys, TC_BAR_KEY);
		x += tui_put(stdscr, y, x, t->cols - x, " ", TC_BAR_KEY);
		x += tui_put(stdscr, y, x, t->cols - x, bar[i].what, TC_BAR);
		x += tui_put(stdscr, y, x, t->cols - x, " ", TC_BAR);
	}
}

static void draw_title(struct tui *t)
{
	const struct tui_screen *s = &t->stack[t->depth - 1];
	struct strbuf right = STRBUF_INIT;
	int x, rw, room;

	if (t->demo_lab)
		strbuf_adds(&right, "DEMO ");
	if (t->present)
		strbuf_adds(&right, "PRESENT ");
	if (!t->has_colors)
		strbuf_adds(&right, "NO COLOR ");
	if (!t->utf8)
		strbuf_adds(&right, "ASCII ");
	rw = tui_width(strbuf_str(&right));
	/* The badges say how the screen is shown: they win over the title. */
	room = t->cols - rw - 2;
	tui_fill(stdscr, 0, 0, t->cols, TC_TITLE);
	x = 1 + tui_put(stdscr, 0, 1, room - 1, "isolab", TC_TITLE);
	if (s->title && *s->title && x + 4 < room) {
		x += 1 + tui_put(stdscr, 0, x + 1, room - x - 1, tui_glyph(TG_SEP), TC_TITLE_DIM);
		tui_put_clip(stdscr, 0, x + 1, room - x - 1, s->title, TC_TITLE);
	}
	if (rw)
		tui_put(stdscr, 0, t->cols - rw, rw, strbuf_str(&right), TC_TITLE_DIM);
	strbuf_release(&right);
}

static void draw_too_small(struct tui *t)
{
	struct tui_doc d = {0};
	char *msg = xasprintf("isolab needs a terminal of at least %dx%d; this one is %dx%d.",
			      TUI_MIN_COLS, TUI_MIN_ROWS, t->cols, t->rows);
	int w = t->cols > 4 ? t->cols - 4 : t->cols;
	int y;

	tui_doc_text(&d, msg, TC_STRONG, w, 0, 0);
	tui_doc_blank(&d);
	tui_doc_text(&d, "Make the window larger (or the font smaller): the screen comes back at once.",
		     TC_NORMAL, w, 0, 0);
	tui_doc_blank(&d);
	tui_doc_text(&d, "q quits.", TC_NORMAL, w, 0, 0);
	y = t->rows > (int)d.n ? (t->rows - (int)d.n) / 2 : 0;
	tui_doc_draw(stdscr, &d, 0, y, 2, t->rows - y, w);
	tui_doc_free(&d);
	free(msg);
}

static void draw(struct tui *t)
{
	const struct tui_screen *s;
	struct tui_doc msg = {0};
	int body, lines;

	erase();
	if (!t->depth)
		return;
	if (t->cols < TUI_MIN_COLS || t->rows < TUI_MIN_ROWS) {
		draw_too_small(t);
		return;
	}
	s = &t->stack[t->depth - 1];
	draw_title(t);
	/* A long message takes up to three rows from the body. */
	if (t->msg)
		tui_doc_text(&msg, t->msg, t->msg_color, t->cols - 1, 1, 3);
	lines = msg.n < 1 ? 1 : msg.n > 3 ? 3 : (int)msg.n;
	body = t->rows - 2 - lines;
	s->ops->draw(t, s->self, 1, body);
	for (int i = 0; i < lines; i++)
		tui_fill(stdscr, t->rows - 1 - lines + i, 0, t->cols, TC_NORMAL);
	tui_doc_draw(stdscr, &msg, 0, t->rows - 1 - lines, 0, lines, t->cols);
	tui_doc_free(&msg);
	tui_draw_bar(t, t->rows - 1, s->ops->bar);
}

static void draw_and_refresh(struct tui *t)
{
	draw(t);
	wnoutrefresh(stdscr);
	doupdate();
	t->dirty = false;
}

void tui_redraw_now(struct tui *t)
{
	if (t->curses_on)
		draw_and_refresh(t);
}

/* --- input ------------------------------------------------------------------------- */

static void resize(struct tui *t)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
		resize_term(ws.ws_row, ws.ws_col);
	t->rows = LINES;
	t->cols = COLS;
	clearok(stdscr, TRUE);
	t->dirty = true;
}

static void quit_all(struct tui *t)
{
	t->quit = true;
}

static void global_key(struct tui *t, int key)
{
	const struct tui_screen *s = &t->stack[t->depth - 1];

	switch (key) {
	case '?':
	case TUI_FN(KEY_F(1)):
		tui_help_open(t, s->ops);
		break;
	case 'P':
		tui_toggle_present(t);
		break;
	case TUI_KEY_CTRL('l'):
		clearok(stdscr, TRUE);
		break;
	case TUI_KEY_CTRL('c'):
		if (!sources_interrupt(t))
			quit_all(t);
		break;
	case 'q':
	case TUI_FN(KEY_F(10)): {
		const char *why = sources_busy(t);
		if (why)
			tui_message(t, TC_WARN, "%s", why);
		else
			tui_pop(t);
		break;
	}
	case TUI_FN(KEY_RESIZE):
		resize(t);
		break;
	default:
		break;
	}
}

static void on_key(struct tui *t, int key)
{
	if (key == TUI_FN(KEY_RESIZE)) {
		resize(t);
		return;
	}
	if (t->cols < TUI_MIN_COLS || t->rows < TUI_MIN_ROWS) {
		/* Only a way out: nothing else is on the screen to act on. */
		if (key == 'q' || key == TUI_KEY_CTRL('c'))
			quit_all(t);
		return;
	}
	if (key != TUI_FN(KEY_MOUSE)) {
		free(t->msg);
		t->msg = NULL;
	}
	if (t->depth) {
		const struct tui_screen *s = &t->stack[t->depth - 1];
		if (s->ops->on_key(t, s->self, key))
			return;
	}
	if (t->depth)
		global_key(t, key);
}

static void read_keys(struct tui *t)
{
	wint_t wc;
	int rc;

	while (!t->quit && (rc = get_wch(&wc)) != ERR) {
		int key = rc == KEY_CODE_YES ? TUI_FN((int)wc) : (int)wc;
		on_key(t, key);
		t->dirty = true;
	}
}

/* A signal arrived: a resize, a continue after a stop, or the end. */
static int read_signals(struct tui *t)
{
	unsigned char buf[64];
	ssize_t n;
	int fatal = 0;

	while ((n = read(t->sig_rd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++) {
			if (buf[i] == SIGWINCH)
				resize(t);
			else if (buf[i] == SIGCONT) {
				/* Stopped from outside and continued: the terminal
				 * may have been changed meanwhile. */
				reset_prog_mode();
				clearok(stdscr, TRUE);
				resize(t);
			} else if (!fatal)
				fatal = buf[i];
		}
	return fatal;
}

/* --- the loop ------------------------------------------------------------------------ */

/* The terminal, the signal pipe, the session's, and every source's. */
#define MAX_FDS (3 + TUI_MAX_SOURCES * TUI_SOURCE_MAX_FDS)

/* Where each source's descriptors are in the poll set. */
struct polled {
	size_t at, n;
};

/* The descriptors of the first count sources after fds[n]; the new n. */
static size_t sources_pollfds(struct tui *t, size_t count, struct pollfd *fds, size_t n,
			      struct polled *slot)
{
	for (size_t i = 0; i < count; i++) {
		const struct tui_source *s = &t->sources[i];
		slot[i].at = n;
		slot[i].n = s->ops->pollfds(t, s->self, fds + n, TUI_SOURCE_MAX_FDS);
		n += slot[i].n;
	}
	return n;
}

/* The poll timeout: the nearest of the screens' wake-up and the sources'
 * deadlines; -1 when nothing is due. */
static int loop_timeout(struct tui *t)
{
	long long now = util_now_ms();
	int timeout = -1;

	if (t->wake_at >= 0)
		timeout = t->wake_at > now ? (int)(t->wake_at - now) : 0;
	for (size_t i = 0; i < t->n_sources; i++) {
		int dt = t->sources[i].ops->timeout_ms(t, t->sources[i].self);
		if (dt >= 0 && (timeout < 0 || dt < timeout))
			timeout = dt;
	}
	return timeout;
}

static int loop(struct tui *t)
{
	int signo = 0;

	while (!t->quit) {
		struct pollfd fds[MAX_FDS];
		struct polled slot[TUI_MAX_SOURCES] = {{0, 0}};
		size_t n = 0, sess_at = (size_t)-1, polled;
		int rc;

		/* Every screen learns of what changed; then one draw. */
		t->wake_at = -1;
		for (size_t i = 0; i < t->depth; i++)
			if (t->stack[i].ops->on_tick)
				t->stack[i].ops->on_tick(t, t->stack[i].self);
		if (t->quit)
			break;
		draw_and_refresh(t);

		fds[n++] = (struct pollfd){.fd = STDIN_FILENO, .events = POLLIN};
		fds[n++] = (struct pollfd){.fd = t->sig_rd, .events = POLLIN};
		if (t->session_open && session_cancel_fd(&t->session) >= 0) {
			sess_at = n;
			fds[n++] = (struct pollfd){.fd = session_cancel_fd(&t->session), .events = POLLIN};
		}
		/* A source a key adds below is polled from the next round. */
		polled = t->n_sources;
		n = sources_pollfds(t, polled, fds, n, slot);

		rc = poll(fds, n, loop_timeout(t));
		if (rc < 0 && errno != EINTR)
			tui_fatal(t, "poll: %s", strerror(errno));
		t->tick++;

		if (rc > 0 && fds[1].revents)
			signo = read_signals(t);
		if (!signo && sess_at != (size_t)-1 && fds[sess_at].revents &&
		    session_interrupted(&t->session, &signo) && !signo)
			signo = SIGTERM;
		if (signo)
			break;
		for (size_t i = 0; i < polled; i++)
			t->sources[i].ops->dispatch(t, t->sources[i].self, fds + slot[i].at,
						    rc > 0 ? slot[i].n : 0);
		if (rc > 0 && (fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLIN)) {
			/* The terminal went away: nothing to draw on. */
			signo = SIGHUP;
			break;
		}
		if (rc > 0 && fds[0].revents)
			read_keys(t);
	}
	return signo;
}

/* --- entry --------------------------------------------------------------------------- */

void cmd_tui_usage(FILE *out)
{
	fputs("Usage: isolab [--present] [--demo LAB] [OPTIONS]\n"
	      "\n"
	      "The lab runner: pick a lab, read a step, run it, and see from the kernel\n"
	      "what its containers were given. Progress is kept in\n"
	      "$XDG_STATE_HOME/isolab/progress.json (~/.local/state/isolab/progress.json).\n"
	      "\n"
	      "  --present     presentation mode (a projector at 80x24): high contrast, one\n"
	      "                idea a page; P toggles it\n"
	      "  --demo LAB    autopilot for a presenter: each step's text, its commands typed\n"
	      "                out, the run, the results, a pause; Space pauses, n skips ahead\n"
	      "\n"
	      "Keys: ? lists them on every screen. The labs run only on an isolated VM you\n"
	      "control: isolab asks before the first step unless --yes-isolated-vm (or\n"
	      "ISOLAB_ISOLATED_VM=1) says so. NO_COLOR or --no-color: no colour; every mark\n"
	      "(✓ ✗ + −) still says what it means.\n",
	      out);
}

static void load_labs(struct tui *t)
{
	struct err e = {0};

	t->lab_dir = lab_dir();
	if (lab_list(t->lab_dir, &t->labs, &t->problems, &e) < 0)
		t->labs_error = xstrdup(e.msg);
}

static void load_progress(struct tui *t)
{
	struct err e = {0};

	if (progress_load(&t->progress, NULL, &e) < 0)
		t->progress_error = xasprintf("Progress could not be read: %s (it is kept in memory "
					      "only)",
					      e.msg);
}

static void teardown(struct tui *t)
{
	while (t->depth)
		tui_pop(t);
	sources_destroy(t);
	if (t->runtime_loaded) {
		host_facts_free(&t->facts);
		if (t->host_rc == 0)
			host_ref_free(&t->host);
		engine_release(&t->eng);
	}
	progress_free(&t->progress);
	lab_set_free(&t->labs);
	lab_problems_free(&t->problems);
	free(t->lab_dir);
	free(t->labs_error);
	free(t->progress_error);
	free(t->msg);
	free(t->session_error);
	/* The dispositions isolab found, before the pipe closes. */
	for (size_t i = 0; saved_acts && i < ARRAY_SIZE(piped); i++)
		sigaction(piped[i], &saved_act[i], NULL);
	saved_acts = false;
	sig_wr_fd = -1;
	if (t->sig_rd >= 0)
		close(t->sig_rd);
	if (t->sig_wr >= 0)
		close(t->sig_wr);
	t->sig_rd = t->sig_wr = -1;
}

/* --present, --demo LAB; 0, or the usage error's exit status. */
static int tui_args(struct tui *t, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"present", no_argument, NULL, 'p'},
		{"demo", required_argument, NULL, 'd'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", longopts, NULL)) != -1) {
		switch (c) {
		case 'p':
			t->present = true;
			break;
		case 'd':
			t->demo_lab = optarg;
			break;
		case ':':
			return cli_usage_error(NULL, "'%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error(NULL, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error(NULL, "unknown command '%s'", argv[optind]);
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fputs("isolab: the lab runner needs a terminal; without one, use `isolab run LAB` "
		      "(see isolab --help)\n",
		      stderr);
		return EXIT_USAGE;
	}
	return tui_term_usable(stderr) ? 0 : EXIT_USAGE;
}

/* What does not need the screen, before it: the labs (--demo's among
 * them), progress, the engine, the host, the gate's note of this boot.
 * Returns false when --demo names no lab. */
static bool tui_load(struct tui *t)
{
	load_labs(t);
	if (t->demo_lab && !lab_set_find(&t->labs, t->demo_lab)) {
		struct strbuf known = STRBUF_INIT;
		for (size_t i = 0; i < t->labs.n; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", t->labs.v[i]->id);
		fprintf(stderr, "isolab: --demo: no lab '%s' in %s (known: %s)\n", t->demo_lab, t->lab_dir,
			known.len ? strbuf_str(&known) : "none");
		strbuf_release(&known);
		return false;
	}
	load_progress(t);
	t->eng_rc = engine_init(&t->eng, t->cli->engine, &t->eng_err);
	if (t->eng_rc == 0)
		engine_learn_socket(&t->eng);
	t->facts_rc = host_facts_load(&t->facts, NULL, &t->facts_err);
	if (t->facts_rc == 0) {
		struct lab_host here;
		lab_host_of(&t->facts, &here);
		for (size_t i = 0; i < t->labs.n; i++)
			lab_for_host(t->labs.v[i], &here);
	}
	t->host_rc = host_ref_load(&t->host, &t->host_err);
	t->runtime_loaded = true;
	/* A "yes" earlier in this boot holds (the flag needs no memory). */
	if (!t->cli->yes_vm && gate_remembered())
		t->gate_passed = t->gate_remembered = true;
	return true;
}

/* The screen: curses, the home screen (or --demo's lab), and what the
 * progress file had to say. */
static void tui_open_screens(struct tui *t)
{
	t->utf8 = cli_utf8_locale();
	tui_glyphs_init(t->utf8);
	term_start(t);
	apply_scheme(t);
	tui_home_open(t);
	if (t->progress.notice)
		tui_message(t, TC_WARN, "%s", t->progress.notice);
	else if (t->progress_error)
		tui_message(t, TC_FAIL, "%s", t->progress_error);
	if (t->demo_lab)
		tui_step_open(t, lab_set_find(&t->labs, t->demo_lab), 0, true);
}

int cmd_tui(struct cli *cli, int argc, char **argv)
{
	static struct tui app;
	struct tui *t = &app;
	struct err e = {0};
	int rc, signo;

	if (cli->help) {
		cmd_tui_usage(stdout);
		return EXIT_OK;
	}
	memset(t, 0, sizeof(*t));
	t->cli = cli;
	t->sig_rd = t->sig_wr = -1;
	rc = tui_args(t, argc, argv);
	if (rc)
		return rc;
	if (!tui_load(t)) {
		teardown(t);
		return EXIT_USAGE;
	}
	tui_app = t;
	tui_pid = getpid();
	if (signals_install(t, &e) < 0) {
		teardown(t);
		return cli_fail(&e);
	}
	atexit(at_exit);
	tui_open_screens(t);

	signo = loop(t);

	/* Say what happens while it happens: removing containers takes a moment. */
	if (t->session_open && t->curses_on && !signo) {
		tui_message(t, TC_MESSAGE, "Removing this session's containers, scratch dir and witness...");
		tui_redraw_now(t);
	}
	sources_stop(t);
	term_end(t);
	session_end(t, false);
	teardown(t);
	tui_app = NULL;
	if (signo)
		session_reraise(signo);
	return EXIT_OK;
}
