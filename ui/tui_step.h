/* tui_step.h: the step screen's state, shared by tui_screen_step.c (the
 * step, its views, its keys) and tui_step_demo.c (the autopilot of demo
 * mode); nothing else includes it. */
#ifndef ISOLAB_TUI_STEP_H
#define ISOLAB_TUI_STEP_H

#include "tui.h"

enum qstate {
	Q_OPEN,     /* not answered yet in this visit */
	Q_ASKING,   /* Enter was pressed: answer before the run */
	Q_RIGHT,
	Q_REVEALED, /* skipped, or shown by the demo */
};

enum view {
	V_TEXT,
	V_RESULTS,
	V_COUNT
};

enum demo_phase {
	D_OFF,
	D_TEXT,
	D_ANSWER, /* the question's answer, before the commands */
	D_TYPE,
	D_RUN,
	D_RESULTS,
	D_END,
};

/* Autopilot timings, in milliseconds. */
#define DEMO_TEXT_MIN 5000
#define DEMO_TEXT_PER_WORD 220
#define DEMO_TEXT_MAX 20000
#define DEMO_PAGE 7000
#define DEMO_TYPE_TICK 30
#define DEMO_TYPE_TOTAL 6000
#define DEMO_BEFORE_RUN 1200
#define DEMO_RESULTS 12000

/* A step the learner left: what it showed, kept for coming back. */
struct step_memo {
	bool kept;
	struct tui_run *last;
	enum qstate q;
	bool *q_tried;
	size_t hints;
};

struct step_screen {
	struct lab *lab;
	size_t idx;
	bool on_step;            /* the fields below are step idx's */
	struct step_memo *memo;  /* per step, lab->n_steps */

	struct mdtext *md;
	struct argv commands;
	char *commands_err;
	bool commands_done;
	size_t hints;
	enum qstate q;
	size_t q_sel;
	bool *q_tried;
	struct tui_run *last; /* this step's finished run, owned */
	unsigned seen_seq;

	enum view view;
	bool follow; /* keep the end of the run's events in view */
	struct tui_doc doc;
	bool stale;
	bool mounts_open; /* the results list a recursive bind's sub-mounts */
	int doc_cols;
	bool doc_present;
	enum view doc_view;
	size_t top[V_COUNT];
	size_t page[V_COUNT];
	size_t *pages;
	size_t n_pages;
	int pages_rows;   /* the body height the pages were cut for */
	size_t jump;      /* presentation: show the page of line jump - 1; 0: none */
	enum view jump_view;

	enum demo_phase demo;
	long long demo_at;
	long long paused_left;
	bool paused;
	size_t typed, typed_total;
	bool typed_done;
};

/* tui_screen_step.c, for the autopilot. */
const struct lab_step *step_cur(const struct step_screen *s);
bool step_own_run(const struct tui *t, const struct step_screen *s);
void step_load_step(struct tui *t, struct step_screen *s, size_t idx);
/* The command as the screen shows it (see tui_cmd_without_labels); NULL: the command itself. */
char *step_shown_command(const struct tui *t, const char *cmd);
void step_rebuild(struct tui *t, struct step_screen *s);
void step_scroll_to_anchor(struct step_screen *s, const char *text);
void step_start_run(struct tui *t, struct step_screen *s);

/* tui_step_demo.c: the autopilot shows the text, types the commands out,
 * runs the step, shows the results and moves on. */
void step_demo_enter(struct tui *t, struct step_screen *s, enum demo_phase ph);
void step_demo_advance(struct tui *t, struct step_screen *s, bool skip);
void step_demo_tick(struct tui *t, struct step_screen *s);
void step_demo_pause(struct tui *t, struct step_screen *s);

#endif
