/* tui_screen_home.c: the lab menu: every lab with its progress (steps
 * done, questions right, a mark when finished), labs that could not be
 * read and why, and the status of the host from the doctor's checks. A
 * lab's progress can be reset here, after a confirmation. */
#include <stdlib.h>
#include <string.h>

#include "tui.h"

struct home {
	size_t sel;
	size_t top;
};

/* Rows each lab takes: title and summary, or in presentation mode one
 * line and air. */
static int lab_rows(const struct tui *t)
{
	return t->present ? 2 : 3;
}

static void draw_lab(struct tui *t, const struct lab *lab, bool sel, int y)
{
	size_t done = progress_steps_done(&t->progress, lab);
	size_t qs = progress_questions(lab), right = progress_questions_right(&t->progress, lab);
	bool finished = progress_lab_done(&t->progress, lab);
	struct strbuf info = STRBUF_INIT;
	enum tui_color c = sel ? TC_SELECTED : TC_NORMAL;
	int x = 1, iw;

	if (sel)
		tui_fill(stdscr, y, 0, t->cols, TC_SELECTED);
	x += tui_put(stdscr, y, x, 2, sel ? tui_glyph(TG_CURSOR) : " ", c);
	x += 1;
	/* The mark: ✓ finished, · started, blank untouched: not colour alone. */
	if (finished)
		x += tui_put(stdscr, y, x, 2, tui_glyph(TG_OK), sel ? c : TC_OK);
	else if (done)
		x += tui_put(stdscr, y, x, 2, tui_glyph(TG_DOT), c);
	else
		x += tui_put(stdscr, y, x, 2, " ", c);
	x += 1;
	if (finished)
		strbuf_addf(&info, "finished: %zu/%zu steps", done, lab->n_steps);
	else
		strbuf_addf(&info, "%zu/%zu steps done", done, lab->n_steps);
	if (qs)
		strbuf_addf(&info, "  %zu/%zu questions right", right, qs);
	iw = tui_width(strbuf_str(&info));
	tui_put_clip(stdscr, y, x, t->cols - x - iw - 3, lab->title, sel ? c : TC_STRONG);
	tui_put(stdscr, y, t->cols - iw - 2, iw, strbuf_str(&info), sel ? c : TC_DIM);
	strbuf_release(&info);
	if (!t->present) {
		tui_put_clip(stdscr, y + 1, 7, t->cols - 9, lab->summary, TC_DIM);
	}
}

static void home_draw(struct tui *t, void *self, int top, int rows)
{
	struct home *h = self;
	int status_rows = 3, list_rows, per = lab_rows(t), y = top + 1;
	size_t visible;

	/* Status at the bottom of the body: the doctor's checks. */
	tui_hline(stdscr, top + rows - status_rows - 1, 0, t->cols, TC_FRAME);
	tui_doctor_draw_status(t, top + rows - status_rows, status_rows);

	tui_put(stdscr, y, 1, t->cols - 2, t->present ? "Labs" : "Labs: Enter opens one where you left it",
		TC_HEADING);
	y += 2;
	list_rows = top + rows - status_rows - 2 - y;
	if (!t->labs.n) {
		struct tui_doc d = {0};
		cleanup_free char *msg = xasprintf(
			"No lab could be loaded from %s%s%s. Set ISOLAB_LABS to a directory of lab "
			"files, or install isolab with make install.",
			t->lab_dir ? t->lab_dir : "(none)", t->labs_error ? ": " : "",
			t->labs_error ? t->labs_error : "");
		tui_doc_text(&d, msg, TC_FAIL, t->cols - 4, 2, 2);
		tui_doc_draw(stdscr, &d, 0, y, 0, list_rows, t->cols);
		tui_doc_free(&d);
		return;
	}
	if (t->problems.n)
		list_rows -= 1;
	visible = (size_t)(list_rows / per > 0 ? list_rows / per : 1);
	if (h->sel >= t->labs.n)
		h->sel = t->labs.n - 1;
	if (h->sel < h->top)
		h->top = h->sel;
	if (h->sel >= h->top + visible)
		h->top = h->sel - visible + 1;
	for (size_t i = h->top; i < t->labs.n && i < h->top + visible; i++, y += per)
		draw_lab(t, t->labs.v[i], i == h->sel, y);
	if (t->problems.n) {
		cleanup_free char *msg = xasprintf(
			"%s %zu problem%s in the lab files of %s: isolab check-labs %s shows them",
			tui_glyph(TG_WARN), t->problems.n, t->problems.n == 1 ? "" : "s", t->lab_dir,
			t->lab_dir);
		tui_put(stdscr, top + rows - status_rows - 2, 1, t->cols - 2, msg, TC_WARN);
	}
}

static void do_reset(struct tui *t, void *data)
{
	const struct lab *lab = data;

	progress_reset_lab(&t->progress, lab->id);
	tui_progress_save(t);
	if (!t->msg || t->msg_color != TC_FAIL)
		tui_message(t, TC_MESSAGE, "Progress of %s reset: it starts again at step 1.", lab->title);
}

static bool home_key(struct tui *t, void *self, int key)
{
	struct home *h = self;
	const struct lab *lab = t->labs.n ? t->labs.v[h->sel < t->labs.n ? h->sel : 0] : NULL;

	switch (key) {
	case TUI_FN(KEY_UP):
	case 'k':
		if (h->sel)
			h->sel--;
		return true;
	case TUI_FN(KEY_DOWN):
	case 'j':
		if (h->sel + 1 < t->labs.n)
			h->sel++;
		return true;
	case TUI_FN(KEY_HOME):
		h->sel = 0;
		return true;
	case TUI_FN(KEY_END):
		h->sel = t->labs.n ? t->labs.n - 1 : 0;
		return true;
	case '\r':
	case '\n':
	case TUI_FN(KEY_ENTER):
	case TUI_FN(KEY_RIGHT):
	case 'o':
		if (lab)
			tui_step_open(t, t->labs.v[h->sel], progress_resume_index(&t->progress, lab), false);
		return true;
	case 'R': {
		if (!lab)
			return true;
		cleanup_free char *q = xasprintf("Reset the progress of %s? Steps done, answers "
						 "and where you left off are forgotten.",
						 lab->title);
		tui_confirm_open(t, q, do_reset, (void *)lab);
		return true;
	}
	case 'd':
		tui_doctor_open(t);
		return true;
	case 'c':
		tui_doctor_start(t);
		tui_message(t, TC_MESSAGE, "Checking again...");
		return true;
	}
	if (key >= '1' && key <= '9' && (size_t)(key - '1') < t->labs.n) {
		h->sel = (size_t)(key - '1');
		return true;
	}
	return false;
}

static void home_destroy(void *self)
{
	free(self);
}

static const struct tui_keyhelp home_bar[] = {
	{"Enter", "Open"}, {"Up/Dn", "Move"}, {"R", "Reset"}, {"d", "Checks"},
	{"P", "Present"},  {"?", "Help"},     {"q", "Quit"},  {NULL, NULL},
};

static const struct tui_keyhelp home_help[] = {
	{"Up, Down, j, k, 1-9", "choose a lab"},
	{"Enter, Right, o", "open it, at the step where you left off"},
	{"R", "reset the chosen lab's progress (asks first)"},
	{"d", "every check of the host (isolab doctor), with the fix for each failing one"},
	{"c", "run the checks again"},
	{NULL, NULL},
};

static const struct tui_screen_ops home_ops = {
	.name = "home",
	.draw = home_draw,
	.on_key = home_key,
	.bar = home_bar,
	.help = home_help,
	.destroy = home_destroy,
};

/* The status line is the doctor's: the checks start with the screen. */
void tui_home_open(struct tui *t)
{
	tui_doctor_start(t);
	tui_push(t, &home_ops, xcalloc(1, sizeof(struct home)), "labs");
}
