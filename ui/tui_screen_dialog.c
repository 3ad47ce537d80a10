/* tui_screen_dialog.c: the small screens: help (every key of the screen
 * below and the keys that work everywhere), a yes/no confirmation, and
 * the safety gate, whose decision and wording are ui/gate.c's
 * (gate_decide, gate_answer), asked here inside the TUI. */
#include <stdlib.h>
#include <string.h>

#include "gate.h"
#include "tui.h"

/* --- help -------------------------------------------------------------------- */

struct help {
	const struct tui_screen_ops *of;
	size_t top;
};

static const struct tui_keyhelp global_help[] = {
	{"?, F1", "this help"},
	{"P", "presentation mode on or off (a projector at 80x24: one idea a page)"},
	{"Ctrl-L", "redraw the screen"},
	{"Ctrl-C", "cancel the running step; with none running, quit"},
	{"q, F10", "back; on the lab list, quit (the session's containers are removed)"},
	{NULL, NULL},
};

static void help_lines(struct tui_doc *d, const struct tui_keyhelp *k, int width)
{
	for (size_t i = 0; k && k[i].keys; i++) {
		int kw = tui_width(k[i].keys);
		struct tui_para p = {NULL, 0};

		if (kw < 22) {
			/* The description beside the keys, wrapped under itself. */
			struct strbuf keys = STRBUF_INIT;
			strbuf_adds(&keys, k[i].keys);
			for (int pad = kw; pad < 23; pad++)
				strbuf_addc(&keys, ' ');
			tui_para_add_code(&p, strbuf_str(&keys), TC_STRONG);
			strbuf_release(&keys);
			tui_para_add(&p, k[i].what, TC_NORMAL);
			tui_para_flush(&p, d, width, 3, 26);
		} else {
			struct tui_line *l = tui_doc_line(d, 3);
			tui_line_add(l, k[i].keys, TC_STRONG);
			tui_para_add(&p, k[i].what, TC_NORMAL);
			tui_para_flush(&p, d, width, 26, 26);
		}
	}
}

static void help_draw(struct tui *t, void *self, int top, int rows)
{
	struct help *h = self;
	struct tui_doc d = {0};
	struct tui_line *l;

	l = tui_doc_line(&d, 1);
	tui_line_addf(l, TC_HEADING, "Keys on this screen (%s)", h->of->name);
	tui_doc_blank(&d);
	help_lines(&d, h->of->help, t->cols - 2);
	tui_doc_blank(&d);
	l = tui_doc_line(&d, 1);
	tui_line_add(l, "Keys everywhere", TC_HEADING);
	tui_doc_blank(&d);
	help_lines(&d, global_help, t->cols - 2);
	tui_doc_blank(&d);
	tui_doc_text(&d, "Marks: ✓ held or done, ✗ failed, + added (the subject has it, the "
			 "reference not), − removed, ◆ shared with the host, ! a warning or a known "
			 "way out of a container. Colour only adds to them (NO_COLOR, --no-color).",
		     TC_DIM, t->cols - 2, 1, 1);
	if (h->top + (size_t)rows > d.n)
		h->top = d.n > (size_t)rows ? d.n - (size_t)rows : 0;
	tui_doc_draw(stdscr, &d, h->top, top + 1, 0, rows - 1, t->cols);
	tui_doc_free(&d);
}

static bool help_key(struct tui *t, void *self, int key)
{
	struct help *h = self;

	if (key == TUI_FN(KEY_DOWN) || key == 'j') {
		h->top++;
		return true;
	}
	if (key == TUI_FN(KEY_UP) || key == 'k') {
		if (h->top)
			h->top--;
		return true;
	}
	if (key == TUI_FN(KEY_RESIZE))
		return false;
	/* Any other key closes it. */
	tui_pop(t);
	return true;
}

static void help_destroy(void *self)
{
	free(self);
}

static const struct tui_keyhelp help_bar[] = {
	{"Up/Dn", "Scroll"}, {"any key", "Close"}, {NULL, NULL},
};

static const struct tui_keyhelp help_help[] = {
	{"Up, Down", "scroll"},
	{"any other key", "close the help"},
	{NULL, NULL},
};

static const struct tui_screen_ops help_ops = {
	.name = "help",
	.draw = help_draw,
	.on_key = help_key,
	.bar = help_bar,
	.help = help_help,
	.destroy = help_destroy,
};

void tui_help_open(struct tui *t, const struct tui_screen_ops *of)
{
	struct help *h = xcalloc(1, sizeof(*h));

	if (of == &help_ops)
		return;
	h->of = of;
	tui_push(t, &help_ops, h, "help");
}

/* --- a yes/no question ------------------------------------------------------------ */

struct confirm {
	char *question;
	void (*fn)(struct tui *, void *);
	void *data;
};

static void confirm_draw(struct tui *t, void *self, int top, int rows)
{
	struct confirm *c = self;
	struct tui_doc d = {0};
	int y;

	tui_doc_text(&d, c->question, TC_QUESTION, t->cols - 8, 4, 4);
	tui_doc_blank(&d);
	tui_doc_text(&d, "y: yes     n, Esc: no", TC_STRONG, t->cols - 8, 4, 4);
	y = top + (rows - (int)d.n) / 3;
	tui_doc_draw(stdscr, &d, 0, y, 0, rows - (y - top), t->cols);
	tui_doc_free(&d);
}

static bool confirm_key(struct tui *t, void *self, int key)
{
	struct confirm *c = self;
	void (*fn)(struct tui *, void *) = c->fn;
	void *data = c->data;

	if (key == 'y' || key == 'Y') {
		tui_pop(t);
		fn(t, data);
		return true;
	}
	if (key == 'n' || key == 'N' || key == TUI_KEY_ESC || key == 'q') {
		tui_pop(t);
		tui_message(t, TC_MESSAGE, "Nothing changed.");
		return true;
	}
	return true; /* modal: nothing else */
}

static void confirm_destroy(void *self)
{
	struct confirm *c = self;
	free(c->question);
	free(c);
}

static const struct tui_keyhelp confirm_bar[] = {
	{"y", "Yes"}, {"n", "No"}, {NULL, NULL},
};

static const struct tui_keyhelp confirm_help[] = {
	{"y", "yes"},
	{"n, Esc, q", "no"},
	{NULL, NULL},
};

static const struct tui_screen_ops confirm_ops = {
	.name = "confirm",
	.draw = confirm_draw,
	.on_key = confirm_key,
	.bar = confirm_bar,
	.help = confirm_help,
	.destroy = confirm_destroy,
};

void tui_confirm_open(struct tui *t, const char *question, void (*fn)(struct tui *, void *),
		      void *data)
{
	struct confirm *c = xcalloc(1, sizeof(*c));

	c->question = xstrdup(question);
	c->fn = fn;
	c->data = data;
	tui_push(t, &confirm_ops, c, "confirm");
}

/* --- the safety gate --------------------------------------------------------------- */

#define GATE_MAX_ANSWER 32

struct gate {
	struct gate_decision d;
	char answer[GATE_MAX_ANSWER + 1];
	size_t len;
	char *error;
	void (*fn)(struct tui *, void *);
	void *data;
};

bool tui_gate_ok(struct tui *t)
{
	struct gate_decision d;

	if (t->gate_passed)
		return true;
	if (!t->cli->yes_vm)
		return false;
	gate_decide(&t->facts, true, true, &d);
	if (d.lines.n)
		tui_message(t, TC_MESSAGE, "%s", d.lines.v[0]);
	gate_decision_free(&d);
	t->gate_passed = true;
	return true;
}

static void gate_draw(struct tui *t, void *self, int top, int rows)
{
	struct gate *g = self;
	struct tui_doc d = {0};
	struct tui_line *l;
	int w = t->cols - 4, y;

	l = tui_doc_line(&d, 2);
	tui_line_add(l, "Safety gate", TC_HEADING);
	tui_doc_blank(&d);
	for (size_t i = 0; i < g->d.lines.n; i++) {
		const char *s = g->d.lines.v[i];
		bool item = util_str_has_prefix(s, "  - ");
		tui_doc_text(&d, item ? s + 4 : s, item ? TC_DIM : TC_NORMAL, w, item ? 4 : 2,
			     item ? 6 : 2);
	}
	tui_doc_blank(&d);
	tui_doc_text(&d, g->d.question ? g->d.question : "Type yes to confirm:", TC_QUESTION, w, 2, 2);
	l = tui_doc_line(&d, 4);
	tui_line_add(l, "> ", TC_STRONG);
	tui_line_add(l, g->answer, TC_STRONG);
	tui_line_add(l, t->utf8 ? "▏" : "_", TC_STRONG);
	tui_doc_blank(&d);
	if (g->error)
		tui_doc_text(&d, g->error, TC_FAIL, w, 2, 2);
	tui_doc_text(&d, "Enter confirms; Esc goes back without running anything. Scripts and "
			 "tests: --yes-isolated-vm or ISOLAB_ISOLATED_VM=1.",
		     TC_DIM, w, 2, 2);
	y = top + 1;
	tui_doc_draw(stdscr, &d, d.n > (size_t)(rows - 1) ? d.n - (size_t)(rows - 1) : 0, y, 0,
		     rows - 1, t->cols);
	tui_doc_free(&d);
}

static bool gate_key(struct tui *t, void *self, int key)
{
	struct gate *g = self;
	struct err e = {0};

	switch (key) {
	case TUI_KEY_ESC:
		tui_pop(t);
		tui_message(t, TC_WARN, "Not confirmed: no lab runs until the safety gate is.");
		return true;
	case '\r':
	case '\n':
	case TUI_FN(KEY_ENTER):
		if (gate_answer(g->answer, &e) == 0) {
			void (*fn)(struct tui *, void *) = g->fn;
			void *data = g->data;
			t->gate_passed = true;
			tui_pop(t);
			if (gate_remember() == 0)
				tui_message(t, TC_OK, "Safety gate confirmed, for this boot of this "
						      "machine: isolab does not ask again until it "
						      "restarts.");
			else
				tui_message(t, TC_OK, "Safety gate confirmed (for this run: isolab "
						      "could not note it for this boot).");
			if (fn)
				fn(t, data);
			return true;
		}
		free(g->error);
		g->error = xasprintf("%s. Type yes, or Esc.", e.msg);
		g->len = 0;
		g->answer[0] = '\0';
		return true;
	case TUI_FN(KEY_BACKSPACE):
	case 127:
	case 8:
		if (g->len)
			g->answer[--g->len] = '\0';
		return true;
	case TUI_KEY_CTRL('c'):
		return false;
	}
	if (key >= 0x20 && key < 0x7f && g->len < GATE_MAX_ANSWER) {
		g->answer[g->len++] = (char)key;
		g->answer[g->len] = '\0';
	}
	return true; /* modal: every other key is typing */
}

static void gate_destroy(void *self)
{
	struct gate *g = self;
	gate_decision_free(&g->d);
	free(g->error);
	free(g);
}

static const struct tui_keyhelp gate_bar[] = {
	{"yes Enter", "Confirm"}, {"Esc", "Back"}, {NULL, NULL},
};

static const struct tui_keyhelp gate_help[] = {
	{"y e s, Enter", "confirm that this is an isolated VM you control"},
	{"Backspace", "erase"},
	{"Esc", "go back; nothing runs"},
	{NULL, NULL},
};

static const struct tui_screen_ops gate_ops = {
	.name = "safety gate",
	.draw = gate_draw,
	.on_key = gate_key,
	.bar = gate_bar,
	.help = gate_help,
	.destroy = gate_destroy,
};

void tui_gate_open(struct tui *t, void (*fn)(struct tui *, void *), void *data)
{
	struct gate *g = xcalloc(1, sizeof(*g));

	gate_decide(&t->facts, t->cli->yes_vm, true, &g->d);
	g->fn = fn;
	g->data = data;
	tui_push(t, &gate_ops, g, "safety gate");
}
