/* tui.h: what the TUI's files (ui/tui*.c) share: the application state, the
 * screen vtable, the event source vtable, colours named by meaning, glyphs
 * with their ASCII fallbacks, a styled-line document that screens lay text
 * out into, the step child, and the doctor's status. Nothing outside
 * ui/tui*.c includes it; ui/cli.h declares the entry point, cmd_tui.
 *
 * Who depends on whom: tui.c (the terminal, the screen stack, the loop)
 * knows screens and sources only through their vtables; the screens
 * (tui_screen_*.c) and the sources (tui_run.c, tui_doctor.c) call tui.c. */
#ifndef ISOLAB_TUI_H
#define ISOLAB_TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#include <curses.h>
#include <jansson.h>
#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "cli.h"
#include "compare.h"
#include "engine.h"
#include "exec.h"
#include "host.h"
#include "lab.h"
#include "mdtext.h"
#include "progress.h"
#include "session.h"
#include "snapshot.h"
#include "step.h"
#include "util.h"

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

/* --- colours by meaning (tui_colors.c) ------------------------------------ */

enum tui_color {
	TC_NORMAL,
	TC_TITLE,      /* the top bar */
	TC_TITLE_DIM,  /* the top bar's secondary text */
	TC_BAR,        /* the key bar */
	TC_BAR_KEY,    /* a key's name in the key bar */
	TC_HEADING,
	TC_STRONG,
	TC_EMPH,
	TC_CODE,       /* `inline code` */
	TC_CODEBLOCK,
	TC_COMMAND,    /* a command a learner can paste */
	TC_DIM,
	TC_SELECTED,   /* the cursor line of a list */
	TC_OK,
	TC_FAIL,
	TC_WARN,
	TC_INFO,
	TC_ADDED,      /* what the subject has that the reference has not */
	TC_REMOVED,
	TC_DANGER,     /* a known path out of a container */
	TC_SHARED,     /* shared with the host */
	TC_PROOF,
	TC_FRAME,      /* panel borders and rules */
	TC_MESSAGE,
	TC_HINT,
	TC_QUESTION,
	TC_SPINNER,
	TC_COUNT
};

enum tui_scheme {
	TUI_SCHEME_COLOR,
	TUI_SCHEME_MONO,         /* NO_COLOR, --no-color, or a terminal without colours */
	TUI_SCHEME_PRESENT,      /* a projector: high contrast */
	TUI_SCHEME_PRESENT_MONO,
	TUI_SCHEME_COUNT
};

/* Pick the scheme and make its pairs; call after start_color(). */
void tui_colors_init(enum tui_scheme scheme, bool has_colors);
attr_t tui_attr(enum tui_color c);
short tui_pair(enum tui_color c);
void tui_style(WINDOW *w, enum tui_color c);

/* --- glyphs (tui_text.c) ------------------------------------------------------ */

enum tui_glyph {
	TG_OK,      /* ✓ */
	TG_FAIL,    /* ✗ */
	TG_ADDED,   /* + */
	TG_REMOVED, /* − */
	TG_WARN,    /* ! */
	TG_BULLET,  /* • */
	TG_CURSOR,  /* ▸ */
	TG_HLINE,   /* ─ */
	TG_SEP,     /* › between breadcrumbs */
	TG_HOST,    /* ◆ shared with the host */
	TG_ELLIPSIS,
	TG_ARROW,   /* → */
	TG_DOT,     /* · */
	TG_PAUSE,
	TG_PLAY,
	TG_COUNT
};

void tui_glyphs_init(bool utf8);
const char *tui_glyph(enum tui_glyph g);

/* The marks of outcomes (compare.h's vocabulary: held, failed, risk, a
 * disagreement, an allowed, a denied experiment, an error), defined here
 * only: each a glyph of its own, with its own ASCII fallback, so that it
 * carries its meaning without colour (NO_COLOR); the colour only adds. */
const char *tui_mark(enum cmp_mark m);
enum tui_color tui_mark_color(enum cmp_mark m);
/* The spinner's frame for a tick count. */
const char *tui_spinner(unsigned tick);

/* --- text (tui_text.c) ------------------------------------------------------- */

/* Display width of a UTF-8 string (a character the locale cannot show
 * counts as one '?'). */
int tui_width(const char *s);
int tui_nwidth(const char *s, size_t len);
/* Draw s at (y, x), at most maxw columns; returns the columns used. Text
 * the locale cannot show becomes '?'; control characters become spaces. */
int tui_put(WINDOW *w, int y, int x, int maxw, const char *s, enum tui_color c);
/* The same, ending in an ellipsis when s does not fit. */
int tui_put_clip(WINDOW *w, int y, int x, int maxw, const char *s, enum tui_color c);
int tui_putn(WINDOW *w, int y, int x, int maxw, const char *s, size_t len, enum tui_color c);
/* Fill the rest of a row (x..x+n) with blanks in a colour. */
void tui_fill(WINDOW *w, int y, int x, int n, enum tui_color c);
void tui_hline(WINDOW *w, int y, int x, int n, enum tui_color c);

/* A document: lines of styled spans, laid out for one width. */
struct tui_span {
	char *text;
	enum tui_color color;
};

struct tui_line {
	struct tui_span *spans;
	size_t n;
	int indent;      /* columns before the first span */
	bool page_break; /* presentation: a new page starts at this line */
	bool anchor;     /* a place the view can jump to (a section start) */
};

struct tui_doc {
	struct tui_line *v;
	size_t n;
	bool page_next; /* the next line starts a page */
};

void tui_doc_free(struct tui_doc *d);
struct tui_line *tui_doc_line(struct tui_doc *d, int indent);
void tui_line_add(struct tui_line *l, const char *text, enum tui_color c);
void tui_line_addn(struct tui_line *l, const char *text, size_t len, enum tui_color c);
void tui_line_addf(struct tui_line *l, enum tui_color c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_doc_blank(struct tui_doc *d);
void tui_doc_page(struct tui_doc *d); /* the next line starts a page */

/* A paragraph being built: spans, then word-wrapped into the document. */
struct tui_para {
	struct tui_span *spans;
	size_t n;
};
void tui_para_add(struct tui_para *p, const char *text, enum tui_color c);
/* Text as one unbreakable piece, glued to its neighbours as written
 * (inline code). */
void tui_para_add_code(struct tui_para *p, const char *text, enum tui_color c);
/* One unbreakable word, apart from what comes before and after (a mark, a
 * label). */
void tui_para_word(struct tui_para *p, const char *text, enum tui_color c);
/* Wrap into d: the first line at indent, the others at hang, within width
 * columns in all; then empty p. */
void tui_para_flush(struct tui_para *p, struct tui_doc *d, int width, int indent, int hang);
void tui_para_free(struct tui_para *p);
/* Append wrapped text of one colour. */
void tui_doc_text(struct tui_doc *d, const char *text, enum tui_color c, int width, int indent,
		  int hang);

/* A step's Markdown, laid out. wide: presentation spacing (a blank line
 * between list items, a page before each heading). */
void tui_doc_markdown(struct tui_doc *d, const struct mdtext *md, int width, int indent,
		      bool wide);
/* A shell command, wrapped between words with " \" so that it pastes. */
void tui_doc_command(struct tui_doc *d, const char *cmd, int width, int indent);
/* The command (shell words as util_shell_quote writes them) without isolab's
 * own --label isolab.* options, each word kept as it is quoted: pasted, it
 * runs the same container without them. isolab.reason.* labels stay. */
char *tui_cmd_without_labels(const char *cmd);

/* Draw lines [top, top + rows) of d into the window rows y0.. at x0. */
void tui_doc_draw(WINDOW *w, const struct tui_doc *d, size_t top, int y0, int x0, int rows,
		  int cols);
/* Pages for presentation: the first line of each page, for rows lines a
 * page; a page also breaks where a line asks for it. Never NULL, and at
 * least one page (*n >= 1; an empty doc is one empty page); malloc'd. */
size_t *tui_doc_pages(const struct tui_doc *d, int rows, size_t *n)
	__attribute__((returns_nonnull, warn_unused_result));

/* --- the comparison (tui_compare.c) ----------------------------------------- */

struct tui_compare_opts {
	int width;
	bool present; /* presentation: only what matters, one idea a page */
	bool bounding; /* the step is about the bounding set: always its row */
	bool inodes;   /* the step compares namespace inodes: show them, host beside */
	bool expand_mounts; /* list the sub-mounts a recursive bind brought along */
	bool full_argv;     /* commands whole (L), not without isolab's labels */
};

/* The key that folds and unfolds a recursive bind's sub-mounts, for the
 * screen that shows the comparison, and its line of help. */
#define TUI_COMPARE_KEY_MOUNTS 'm'
#define TUI_COMPARE_HELP_MOUNTS                                                        \
	{"m", "results: show or fold the mounts a recursive bind (-v /:/host) brought along"}

/* Lay out a step transcript (step_result_json) into d: decoded into the
 * comparison model (compare.h), then drawn from it. */
void tui_compare_doc(struct tui_doc *d, json_t *transcript, const struct tui_compare_opts *o);
/* Lay out the model itself. */
void tui_compare_model_doc(struct tui_doc *d, const struct cmp_step *s,
			   const struct tui_compare_opts *o);
/* One line for the top of the results: "5 of 6 expectations held". */
char *tui_compare_summary(json_t *transcript, bool *all_held);
/* The plain text of d's lines, indent included, one string a line (no
 * terminal needed): what a screen of that width shows. */
void tui_doc_plain(const struct tui_doc *d, struct argv *lines);

/* --- the step child (tui_run.c) ---------------------------------------------- */

struct tui_run_event {
	enum step_event_kind kind;
	bool error; /* the child could not run the step at all */
	char *text;
};

enum tui_run_state {
	TUI_RUN_RUNNING,
	TUI_RUN_CANCELLING, /* SIGTERM sent; waiting for the child */
	TUI_RUN_DONE,
};

struct tui_run {
	const struct lab *lab;
	const struct lab_step *step;
	pid_t pid;
	int fd;
	enum tui_run_state state;
	bool cancelled;
	long long started_ms, ended_ms, kill_at_ms;
	struct strbuf buf;
	struct tui_run_event *events;
	size_t n_events;
	json_t *transcript; /* the step_result_json() object once it came */
	char *error;        /* why there is no transcript */
	int wstatus;
	char *cleanup_note; /* after a cancel: what was removed */
	unsigned seq;       /* bumped on every change, for redraws */
};

/* --- the doctor's checks (tui_doctor.c) ------------------------------------ */

enum tui_check_status {
	TUI_CHECK_OK,
	TUI_CHECK_FAIL,
	TUI_CHECK_WARN,
	TUI_CHECK_INFO,
};

struct tui_check {
	char *id;
	enum tui_check_status status;
	char *detail;
	char *fix; /* NULL: nothing to do */
};

struct tui_doctor {
	struct exec_job *job;
	bool done;
	char *error; /* the doctor could not run */
	struct tui_check *v;
	size_t n;
	long long started_ms;
};

/* --- screens ------------------------------------------------------------------- */

/* Keys: a character is its code point; a curses key code is TUI_FN(code). */
#define TUI_FN(k) ((k) | 0x40000000)
#define TUI_KEY_ESC 27
#define TUI_KEY_CTRL(c) ((c) & 0x1f)

/* One line of the help screen. */
struct tui_keyhelp {
	const char *keys; /* "Enter, r" */
	const char *what;
};

struct tui;

struct tui_screen_ops {
	const char *name;
	/* Draw the body: rows [top, top + rows) of stdscr, full width. */
	void (*draw)(struct tui *t, void *self, int top, int rows);
	/* Return true when the key was used. */
	bool (*on_key)(struct tui *t, void *self, int key);
	/* Something may have changed (a run event, a timer): optional. */
	void (*on_tick)(struct tui *t, void *self);
	/* The key bar's entries, and the help screen's lines. */
	const struct tui_keyhelp *bar;
	const struct tui_keyhelp *help;
	void (*destroy)(void *self);
};

struct tui_screen {
	const struct tui_screen_ops *ops;
	void *self;
	char *title; /* the top bar's text */
};

#define TUI_MAX_SCREENS 8

/* --- event sources ------------------------------------------------------------ */

/* What runs beside the screens (the step child, the doctor's checks) is an
 * event source: it registers with tui.c, whose one poll() watches its
 * descriptors beside the terminal's and the signal pipes, and whose
 * timeout is its next deadline when that comes first. tui.c knows a
 * source only by these ops; each gets the application and the self it
 * registered with. Only pollfds, timeout_ms and dispatch are required. */
struct tui_source_ops {
	const char *name;
	/* The descriptors to watch now, at most max of them, into fds (events
	 * set, revents 0); returns how many (0: none now). */
	size_t (*pollfds)(struct tui *t, void *self, struct pollfd *fds, size_t max);
	/* Milliseconds to its next deadline (0: due now), or -1: none. */
	int (*timeout_ms)(struct tui *t, void *self);
	/* After every poll that no signal ended: its descriptors as pollfds
	 * gave them, with their revents (n is 0 when poll found nothing ready);
	 * act on what is ready and on every deadline that passed. */
	void (*dispatch)(struct tui *t, void *self, const struct pollfd *fds, size_t n);
	/* Why q must not close the screen now (a sentence), or NULL. */
	const char *(*busy)(struct tui *t, void *self);
	/* Ctrl-C: true when it stopped something (then isolab does not quit). */
	bool (*interrupt)(struct tui *t, void *self);
	/* isolab is ending: stop what runs, in bounded time, before the session
	 * closes. May come more than once, and from the exit handler. */
	void (*stop)(struct tui *t, void *self);
	/* The end: free what it holds. Once, after stop. */
	void (*destroy)(struct tui *t, void *self);
};

struct tui_source {
	const struct tui_source_ops *ops;
	void *self;
};

#define TUI_MAX_SOURCES 4
/* The most descriptors one source watches at a time. */
#define TUI_SOURCE_MAX_FDS EXEC_JOB_MAX_POLLFDS

/* Register a source; the same ops and self again is a no-op. Sources stay
 * until the end (teardown stops and destroys them, last first). */
void tui_source_add(struct tui *t, const struct tui_source_ops *ops, void *self);

struct tui {
	struct cli *cli;
	bool utf8;
	bool has_colors;
	bool present;
	const char *demo_lab; /* --demo LAB */
	int rows, cols;
	bool curses_on;

	struct tui_screen stack[TUI_MAX_SCREENS];
	size_t depth;
	bool quit;
	bool dirty;     /* redraw everything */
	long long wake_at; /* the next timer, or -1 */
	unsigned tick;

	char *msg;
	enum tui_color msg_color;
	long long msg_until;

	char *lab_dir;
	struct lab_set labs;
	struct lab_problems problems;
	char *labs_error;

	struct progress progress;
	char *progress_error; /* the last save or load failure, shown once */

	struct tui_doctor doctor;

	struct engine eng;
	int eng_rc;
	struct err eng_err;
	struct host_facts facts;
	int facts_rc;
	struct err facts_err;
	struct host_ref host;
	int host_rc;
	struct err host_err;
	bool runtime_loaded;

	struct session session;
	bool session_open;
	char *session_error; /* why the last session_open failed */
	bool full_argv; /* the commands with isolab's --label isolab.* options (L) */
	bool gate_passed;
	bool gate_remembered; /* passed by a "yes" earlier in this boot */

	struct tui_run *run;
	unsigned run_seq; /* bumped per run started */
	long long resweep_at; /* a second look for a cancelled docker run's container */
	char *resweep_lab, *resweep_step;

	struct tui_source sources[TUI_MAX_SOURCES];
	size_t n_sources;

	int sig_rd, sig_wr;
};

/* The one application (the signal handlers and atexit need it). */
extern struct tui *tui_app;

/* tui.c */
void tui_push(struct tui *t, const struct tui_screen_ops *ops, void *self, const char *title);
void tui_pop(struct tui *t);
void tui_set_title(struct tui *t, const char *title);
void tui_message(struct tui *t, enum tui_color c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void tui_wake_in(struct tui *t, int ms);
void tui_toggle_present(struct tui *t);
/* Draw the whole screen now (before a call that blocks a moment). */
void tui_redraw_now(struct tui *t);
/* Save progress; a failure becomes a message, never an exit. */
void tui_progress_save(struct tui *t);
/* The test hook ISOLAB_TUI_REPLAY=DIR (tui_run.c): every step replays
 * DIR/LAB.STEP.json, a recorded transcript, and starts no container, so
 * the session opens without the engine. NULL when unset or empty. */
const char *tui_replay_dir(void);
/* Open the session if it is not: 0, or -1 with a message shown. */
int tui_session_ensure(struct tui *t);
/* Restore the terminal and print msg; then close the session and exit. */
__attribute__((noreturn)) void tui_fatal(struct tui *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* A key bar: entries drawn at row y. */
void tui_draw_bar(struct tui *t, int y, const struct tui_keyhelp *bar);

/* tui_run.c: the step child, an event source of its own (registered by
 * its first start). */
int tui_run_start(struct tui *t, const struct lab *lab, const struct lab_step *step,
		  struct err *e);
/* SIGTERM to the child's group; it ends within a deadline or is killed. */
void tui_run_cancel(struct tui *t, struct tui_run *r);
void tui_run_free(struct tui_run *r);
/* A step runs (or is being cancelled). */
bool tui_run_is_busy(const struct tui *t);

/* tui_doctor.c: `isolab doctor --json` as a child, an event source (registered
 * by the first start). */
void tui_doctor_start(struct tui *t);
/* Draw the home status lines (at most rows) from the checks. */
int tui_doctor_draw_status(struct tui *t, int y, int rows);
void tui_doctor_open(struct tui *t);

/* Screens. */
void tui_home_open(struct tui *t);
void tui_step_open(struct tui *t, struct lab *lab, size_t index, bool demo);
void tui_help_open(struct tui *t, const struct tui_screen_ops *of);
/* A yes/no question; on yes, fn(t, data) runs. */
void tui_confirm_open(struct tui *t, const char *question, void (*fn)(struct tui *, void *),
		      void *data);
/* The safety gate; on "yes", fn(t, data) runs. */
void tui_gate_open(struct tui *t, void (*fn)(struct tui *, void *), void *data);
/* Passed already, or confirmed by the flag (then true at once). */
bool tui_gate_ok(struct tui *t);

/* Whether $TERM names a terminal terminfo knows that can move its cursor;
 * if not, says so on out, pointing at `isolab run`. */
bool tui_term_usable(FILE *out);

#endif
