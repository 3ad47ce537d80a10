/* tui_screen_step.c: one step of a lab. Two views: the step (its text, the
 * exact commands it will run, its question, the hints asked for so far)
 * and its results (the run's progress while it runs, then the comparison
 * from the transcript). The step runs in a child (tui_run.c); the screen
 * follows its events and never waits. In presentation mode both views are
 * cut into pages; in demo mode an autopilot shows the text, types the
 * commands out, runs the step, shows the results and moves on. */
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "tui.h"

#include "tui_step.h"


const struct lab_step *step_cur(const struct step_screen *s)
{
	return &s->lab->steps[s->idx];
}

bool step_own_run(const struct tui *t, const struct step_screen *s)
{
	return t->run && t->run->lab == s->lab && t->run->step == step_cur(s);
}

static const struct tui_run *shown_run(const struct tui *t, const struct step_screen *s)
{
	return step_own_run(t, s) ? t->run : s->last;
}

/* --- the step's state ---------------------------------------------------------- */

static void compute_commands(struct tui *t, struct step_screen *s)
{
	struct step_ctx ctx = {
		.eng = &t->eng,
		.session = &t->session,
		.host = &t->host,
		.facts = &t->facts,
		.image = image_ref(),
	};
	struct err e = {0};

	argv_free(&s->commands);
	free(s->commands_err);
	s->commands_err = NULL;
	s->commands_done = false;
	if (!t->session_open)
		return;
	if (step_commands(&ctx, s->lab, step_cur(s), &s->commands, &e) < 0)
		s->commands_err = xstrdup(e.msg);
	s->commands_done = true;
	s->stale = true;
}

void step_load_step(struct tui *t, struct step_screen *s, size_t idx)
{
	const struct lab_step *step;
	struct err e = {0};
	char *title;

	if (!s->memo)
		s->memo = xcalloc(s->lab->n_steps ? s->lab->n_steps : 1, sizeof(*s->memo));
	/* The step left keeps its results, its answer and its hints. */
	if (s->on_step) {
		struct step_memo *m = &s->memo[s->idx];
		tui_run_free(m->last);
		free(m->q_tried);
		*m = (struct step_memo){true, s->last, s->q == Q_ASKING ? Q_OPEN : s->q, s->q_tried,
					s->hints};
		s->last = NULL;
		s->q_tried = NULL;
	}
	s->idx = idx < s->lab->n_steps ? idx : 0;
	s->on_step = true;
	step = step_cur(s);
	mdtext_free(s->md);
	s->md = NULL;
	if (mdtext_parse(step->text, strlen(step->text), &s->md, &e) < 0)
		s->md = NULL;
	s->q_sel = 0;
	if (s->memo[s->idx].kept) {
		struct step_memo *m = &s->memo[s->idx];
		s->hints = m->hints;
		s->q = m->q;
		s->q_tried = m->q_tried;
		s->last = m->last;
		*m = (struct step_memo){0};
	} else {
		s->hints = 0;
		s->q = Q_OPEN;
		s->q_tried = step->question ? xcalloc(step->question->choices.n, sizeof(bool)) : NULL;
		s->last = NULL;
	}
	s->view = V_TEXT;
	memset(s->top, 0, sizeof(s->top));
	memset(s->page, 0, sizeof(s->page));
	s->typed = 0;
	s->stale = true;
	if (s->demo == D_OFF) {
		progress_set_last(&t->progress, s->lab->id, step->id);
		tui_progress_save(t);
	}
	title = xasprintf("%s %s %zu/%zu %s", s->lab->title, tui_glyph(TG_SEP), s->idx + 1,
			  s->lab->n_steps, step->title);
	tui_set_title(t, title);
	free(title);
	compute_commands(t, s);
}

/* --- laying out ------------------------------------------------------------------ */

static int prose_width(const struct tui *t, int indent)
{
	int w = t->cols - 2 * indent;
	return w > 100 && !t->present ? 100 : w;
}

static void heading(struct tui_doc *d, const char *text, int indent)
{
	struct tui_line *l = tui_doc_line(d, indent);
	tui_line_add(l, text, TC_HEADING);
	l->anchor = true;
}

/* Markdown text (a hint, a question) as a paragraph after a lead-in. */
static void md_inline(struct tui_doc *d, const char *lead, enum tui_color lc, const char *md,
		      int width, int indent, int hang)
{
	struct mdtext *doc = NULL;
	struct tui_para p = {NULL, 0};
	struct err e = {0};

	if (lead)
		tui_para_word(&p, lead, lc);
	if (md && mdtext_parse(md, strlen(md), &doc, &e) == 0) {
		for (size_t i = 0; i < doc->n_blocks; i++)
			for (size_t j = 0; j < doc->blocks[i].n_spans; j++) {
				const struct mdtext_span *sp = &doc->blocks[i].spans[j];
				if (sp->style & MDTEXT_CODE_SPAN)
					tui_para_add_code(&p, sp->text, TC_CODE);
				else
					tui_para_add(&p, sp->text,
						     sp->style & MDTEXT_STRONG ? TC_STRONG
						     : sp->style & MDTEXT_EMPH ? TC_EMPH
									     : TC_NORMAL);
			}
		mdtext_free(doc);
	} else if (md) {
		tui_para_add(&p, md, TC_NORMAL);
	}
	tui_para_flush(&p, d, width, indent, hang);
}

/* The command as the screen shows it: whole when the learner asked (L),
 * else without isolab's bookkeeping labels; NULL: the command itself. */
char *step_shown_command(const struct tui *t, const char *cmd)
{
	return t->full_argv ? NULL : tui_cmd_without_labels(cmd);
}

static void build_commands(struct tui *t, struct step_screen *s, int width, int indent)
{
	size_t budget = s->demo == D_TYPE ? s->typed : (size_t)-1;
	struct tui_doc *d = &s->doc;

	/* The autopilot types them out after the text. */
	if (s->demo == D_TEXT || s->demo == D_ANSWER)
		return;

	heading(d, "The commands this step runs, as you could paste them", indent);
	if (!t->session_open) {
		cleanup_free char *why = xasprintf(
			"They appear once a session is open, and none could be: %s. The lab list's "
			"checks (q, then d) say how to fix it; Enter tries again.",
			t->session_error ? t->session_error : "not tried yet");
		tui_doc_text(d, why, TC_WARN, width, indent + 2, indent + 2);
		return;
	}
	if (s->commands_err) {
		tui_doc_text(d, s->commands_err, TC_FAIL, width, indent + 2, indent + 2);
		return;
	}
	tui_doc_text(d, t->full_argv ? "(the whole argv, isolab's --label isolab.* options too; L "
				       "leaves them out)"
				     : "(isolab's own --label isolab.* options left out: the same "
				       "container without them; L shows the whole argv)",
		     TC_DIM, width, indent + 2, indent + 2);
	for (size_t i = 0; i < s->commands.n && budget; i++) {
		cleanup_free char *shown = step_shown_command(t, s->commands.v[i]);
		const char *c = shown ? shown : s->commands.v[i];
		size_t len = strlen(c);

		if (budget >= len + 1) {
			tui_doc_command(d, c, width, indent + 2);
			if (budget != (size_t)-1)
				budget -= len + 1;
		} else {
			/* Typed out so far: cut at a character boundary. */
			size_t cut = budget;
			while (cut && ((unsigned char)c[cut] & 0xc0) == 0x80)
				cut--;
			char *part = xasprintf("%.*s%s", (int)cut, c, t->utf8 ? "█" : "_");
			tui_doc_command(d, part, width, indent + 2);
			free(part);
			budget = 0;
		}
	}
}

/* What the learner answered on an earlier visit, from the progress file. */
static char *answered_before(const struct lab_question *q, const struct progress_answer *a)
{
	const char *answer = q->choices.v[q->answer];

	if (!a->first)
		return xasprintf("Answered before: you asked for the answer (%s). 1-9 answers it "
				 "again.",
				 answer);
	if (a->right)
		return xasprintf("Answered before: you predicted %s, right at the first try. 1-9 "
				 "answers it again.",
				 a->first);
	return xasprintf("Answered before: you first predicted %s; the answer is %s. 1-9 answers "
			 "it again.",
			 a->first, answer);
}

static void build_question(struct tui *t, struct step_screen *s, int width, int indent)
{
	const struct lab_question *q = step_cur(s)->question;
	const struct progress_answer *a = progress_answer(&t->progress, s->lab->id, step_cur(s)->id);
	struct tui_doc *d = &s->doc;

	heading(d, "Question", indent);
	md_inline(d, NULL, TC_NORMAL, q->prompt, width, indent + 2, indent + 2);
	if (t->present)
		tui_doc_blank(d);
	for (size_t i = 0; i < q->choices.n; i++) {
		struct tui_line *l = tui_doc_line(d, indent + 2);
		bool sel = s->q == Q_ASKING && i == s->q_sel;
		bool answered = s->q == Q_RIGHT || s->q == Q_REVEALED;

		tui_line_add(l, sel ? tui_glyph(TG_CURSOR) : " ", TC_QUESTION);
		tui_line_addf(l, sel ? TC_SELECTED : TC_STRONG, " %zu) %s ", i + 1, q->choices.v[i]);
		if (s->q_tried[i]) {
			tui_line_add(l, " ", TC_NORMAL);
			tui_line_add(l, tui_glyph(TG_FAIL), TC_FAIL);
			tui_line_add(l, " not this one", TC_DIM);
		} else if (answered && i == q->answer) {
			tui_line_add(l, " ", TC_NORMAL);
			tui_line_add(l, tui_glyph(TG_OK), TC_OK);
			tui_line_add(l, s->q == Q_RIGHT ? " right" : " the answer", TC_OK);
		}
		if (t->present)
			tui_doc_blank(d);
	}
	switch (s->q) {
	case Q_OPEN:
		if (s->demo == D_OFF && a) {
			cleanup_free char *before = answered_before(q, a);
			tui_doc_text(d, before, TC_DIM, width, indent + 2, indent + 2);
			break;
		}
		tui_doc_text(d, s->demo != D_OFF ? "Think about it: the answer comes next."
						 : "Predict before you run: 1-9 answers it.",
			     TC_DIM, width, indent + 2, indent + 2);
		break;
	case Q_ASKING:
		tui_doc_text(d, "1-9, or Up/Down and Enter, answers; s shows the answer; Esc leaves it.",
			     TC_QUESTION, width, indent + 2, indent + 2);
		break;
	case Q_RIGHT:
	case Q_REVEALED:
		if (q->why)
			md_inline(d, "Why:", TC_STRONG, q->why, width, indent + 2, indent + 2);
		if (s->demo == D_OFF)
			tui_doc_text(d, "Enter runs the step: see it for real.", TC_DIM, width,
				     indent + 2, indent + 2);
		break;
	}
}

static void build_text(struct tui *t, struct step_screen *s)
{
	const struct lab_step *step = step_cur(s);
	struct tui_doc *d = &s->doc;
	int indent = t->present ? 3 : 1;
	int width = prose_width(t, indent) + indent;
	const struct tui_run *r = shown_run(t, s);

	/* Predict, then see: the question comes first, before any text that
	 * could give its answer away. */
	if (step->question) {
		build_question(t, s, width, indent);
		tui_doc_blank(d);
		if (t->present)
			tui_doc_page(d);
	}
	if (s->md)
		tui_doc_markdown(d, s->md, width, indent, t->present);
	else
		tui_doc_text(d, step->text, TC_NORMAL, width, indent, indent);
	tui_doc_blank(d);
	if (t->present)
		tui_doc_page(d);
	build_commands(t, s, t->cols - indent, indent);
	tui_doc_blank(d);
	if (s->hints) {
		if (t->present)
			tui_doc_page(d);
		for (size_t i = 0; i < s->hints && i < step->hints.n; i++) {
			bool last = i + 1 == step->hints.n;
			char *lead = last		      ? xstrdup("Solution:")
				     : step->hints.n == 2 ? xstrdup("Hint:")
							  : xasprintf("Hint %zu of %zu:", i + 1, step->hints.n - 1);
			const char *text = step->hints.v[i];
			if (last && util_str_has_prefix(text, "Solution:"))
				text += strlen("Solution:");
			while (*text == ' ')
				text++;
			md_inline(d, lead, last ? TC_WARN : TC_HINT, text, width, indent, indent + 2);
			if (t->present)
				tui_doc_blank(d);
			free(lead);
		}
		tui_doc_blank(d);
	}
	if (r && r->state == TUI_RUN_DONE && r->transcript) {
		bool ok;
		cleanup_free char *sum = tui_compare_summary(r->transcript, &ok);
		struct tui_para p = {NULL, 0};
		tui_para_word(&p, "Last run:", TC_STRONG);
		tui_para_word(&p, tui_mark(ok ? CMP_MARK_HELD : CMP_MARK_FAILED),
			      tui_mark_color(ok ? CMP_MARK_HELD : CMP_MARK_FAILED));
		tui_para_add(&p, sum, TC_NORMAL);
		tui_para_add(&p, " (Tab: the results)", TC_DIM);
		tui_para_flush(&p, d, width, indent, indent + 2);
	}
}

static void build_events(struct tui *t, struct step_screen *s, const struct tui_run *r)
{
	struct tui_doc *d = &s->doc;
	int w = t->cols - 2;

	for (size_t i = 0; i < r->n_events; i++) {
		const struct tui_run_event *ev = &r->events[i];
		struct tui_para p = {NULL, 0};

		if (ev->error) {
			tui_para_word(&p, tui_glyph(TG_FAIL), TC_FAIL);
			tui_para_add(&p, ev->text, TC_FAIL);
			tui_para_flush(&p, d, w, 2, 4);
			continue;
		}
		switch (ev->kind) {
		case STEP_EV_PHASE:
			tui_para_word(&p, tui_glyph(TG_CURSOR), TC_STRONG);
			tui_para_add(&p, ev->text, TC_STRONG);
			tui_para_flush(&p, d, w, 2, 4);
			break;
		case STEP_EV_COMMAND: {
			cleanup_free char *shown = step_shown_command(t, ev->text);
			tui_doc_command(d, shown ? shown : ev->text, w, 4);
			break;
		}
		case STEP_EV_NOTE:
			tui_para_word(&p, tui_glyph(TG_WARN), TC_WARN);
			tui_para_add(&p, ev->text, TC_NORMAL);
			tui_para_flush(&p, d, w, 4, 6);
			break;
		case STEP_EV_RESULT:
			tui_para_word(&p, tui_glyph(TG_ARROW), TC_DIM);
			tui_para_add(&p, ev->text, TC_NORMAL);
			tui_para_flush(&p, d, w, 4, 7);
			break;
		}
	}
}

static void build_results(struct tui *t, struct step_screen *s)
{
	const struct tui_run *r = shown_run(t, s);
	struct tui_doc *d = &s->doc;

	if (!r) {
		tui_doc_text(d, "This step has not run yet: Enter runs it.", TC_DIM, t->cols - 2, 1, 1);
		return;
	}
	if (r->state == TUI_RUN_DONE && r->transcript && !r->cancelled) {
		struct tui_compare_opts o = {
			.width = t->present ? t->cols - 6 : t->cols - 2,
			.present = t->present,
			.bounding = lab_step_about_bounding(step_cur(s)),
			.inodes = step_cur(s)->text && strcasestr(step_cur(s)->text, "inode"),
			.expand_mounts = s->mounts_open,
			.full_argv = t->full_argv,
		};
		tui_compare_doc(d, r->transcript, &o);
		if (t->present)
			return;
		tui_doc_blank(d);
		heading(d, "What ran, as it happened", 1);
		build_events(t, s, r);
		return;
	}
	if (r->state == TUI_RUN_DONE) {
		struct tui_para p = {NULL, 0};
		tui_para_word(&p, tui_glyph(TG_FAIL), TC_FAIL);
		tui_para_add(&p, r->cancelled ? (r->cleanup_note ? r->cleanup_note : "Cancelled.")
					      : r->error ? r->error : "The step did not finish.",
			     r->cancelled ? TC_WARN : TC_FAIL);
		tui_para_flush(&p, d, t->cols - 2, 1, 3);
		tui_doc_blank(d);
	}
	heading(d, r->state == TUI_RUN_DONE ? "What ran" : "Running", 1);
	build_events(t, s, r);
}

void step_rebuild(struct tui *t, struct step_screen *s)
{
	tui_doc_free(&s->doc);
	if (s->view == V_TEXT)
		build_text(t, s);
	else
		build_results(t, s);
	s->doc_cols = t->cols;
	s->doc_present = t->present;
	s->doc_view = s->view;
	s->stale = false;
	free(s->pages);
	s->pages = NULL;
	s->n_pages = 0;
	s->pages_rows = 0;
}

/* --- drawing -------------------------------------------------------------------------- */

/* The badges of the header, the most useful first. */
static size_t header_badges(struct tui *t, struct step_screen *s, char *badge[4])
{
	const struct tui_run *r = shown_run(t, s);
	size_t nb = 0;

	if (s->demo != D_OFF && s->demo != D_END)
		badge[nb++] = xasprintf("%s %s", tui_glyph(s->paused ? TG_PAUSE : TG_PLAY),
					s->paused ? "paused" : "autopilot");
	if (t->present && s->n_pages > 1)
		badge[nb++] = xasprintf("page %zu/%zu", s->page[s->view] + 1, s->n_pages);
	if (progress_step_done(&t->progress, s->lab->id, step_cur(s)->id))
		badge[nb++] = xasprintf("%s done", tui_glyph(TG_OK));
	if (r)
		badge[nb++] = xstrdup(s->view == V_TEXT ? "[Step] Results" : "Step [Results]");
	return nb;
}

/* The step's title is the lesson's name: it is never cut while a shorter
 * prefix ("3/7" for "Step 3 of 7:") or fewer badges would let it fit. */
static void draw_header(struct tui *t, struct step_screen *s, int y)
{
	const struct lab_step *step = step_cur(s);
	cleanup_free char *longp = xasprintf("Step %zu of %zu: ", s->idx + 1, s->lab->n_steps);
	cleanup_free char *shortp = xasprintf("%zu/%zu ", s->idx + 1, s->lab->n_steps);
	struct strbuf right = STRBUF_INIT;
	const char *prefix; /* set by the loop below, which always ends with one */
	char *badge[4];
	size_t nb = header_badges(t, s, badge), keep = nb;
	int tw = tui_width(step->title), x = 1, rw;

	for (;;) {
		right.len = 0;
		if (right.buf)
			right.buf[0] = '\0';
		for (size_t i = 0; i < keep; i++)
			strbuf_addf(&right, "%s%s", right.len ? "  " : "", badge[i]);
		rw = tui_width(strbuf_str(&right));
		int room = t->cols - 3 - (rw ? rw + 2 : 0);
		if (tui_width(longp) + tw <= room)
			prefix = longp;
		else if (tui_width(shortp) + tw > room && keep > 0) {
			keep--;
			continue;
		} else
			prefix = shortp; /* it fits, or nothing more can make room */
		break;
	}
	for (size_t i = 0; i < nb; i++)
		free(badge[i]);
	x += tui_put(stdscr, y, x, t->cols - 2, prefix, TC_HEADING);
	tui_put_clip(stdscr, y, x, t->cols - x - 1 - (rw ? rw + 2 : 0), step->title, TC_HEADING);
	if (rw)
		tui_put(stdscr, y, t->cols - rw - 1, rw, strbuf_str(&right), TC_DIM);
	strbuf_release(&right);
}

/* While the step runs: a spinner, the last phase, the time, the way out. */
static void draw_running(struct tui *t, const struct tui_run *r, int y)
{
	const char *phase = "starting";
	long long ms = util_now_ms() - r->started_ms;
	cleanup_free char *line = NULL;
	int x = 1;

	for (size_t i = 0; i < r->n_events; i++)
		if (r->events[i].kind == STEP_EV_PHASE)
			phase = r->events[i].text;
	x += tui_put(stdscr, y, x, 2, tui_spinner(t->tick), TC_SPINNER);
	x += 1;
	line = xasprintf("%s: %s (%lld.%lld s)   Esc or Ctrl-C cancels",
			 r->state == TUI_RUN_CANCELLING ? "Cancelling" : "Running", phase, ms / 1000,
			 (ms % 1000) / 100);
	tui_put(stdscr, y, x, t->cols - x - 1, line, TC_SPINNER);
	tui_wake_in(t, 120);
}

/* The pages of the doc for a body of rows lines, cut anew when there are
 * none yet (a rebuild) or the body changed (a resize): then the page shown
 * stays the one of the same text. Never NULL, at least one page. */
static size_t *pages_for(struct step_screen *s, int rows)
{
	size_t first = 0, n = 0, *v;

	if (s->pages && s->n_pages && s->pages_rows == rows)
		return s->pages;
	if (s->pages && s->n_pages)
		first = s->pages[s->page[s->view] < s->n_pages ? s->page[s->view] : 0];
	v = tui_doc_pages(&s->doc, rows, &n);
	free(s->pages);
	s->pages = v;
	s->n_pages = n;
	s->pages_rows = rows;
	if (first && !s->jump) {
		s->jump = first + 1;
		s->jump_view = s->view;
	}
	return v;
}

static void step_draw(struct tui *t, void *self, int top, int rows)
{
	struct step_screen *s = self;
	const struct tui_run *r = shown_run(t, s);
	bool running = r && r->state != TUI_RUN_DONE && s->view == V_RESULTS;
	int y0 = top + 2, body;

	if (s->stale || s->doc_cols != t->cols || s->doc_present != t->present ||
	    s->doc_view != s->view)
		step_rebuild(t, s);
	body = rows - 2;
	if (running) {
		draw_running(t, r, y0);
		y0++;
		body--;
	}
	if (t->present) {
		size_t *p;
		size_t start, end;
		/* The last row is the footer's: a page never reaches it. */
		if (body > 2)
			body--;
		p = pages_for(s, body);
		if (s->jump && s->jump_view == s->view) {
			for (size_t i = 0; i < s->n_pages; i++)
				if (p[i] <= s->jump - 1)
					s->page[s->view] = i;
		}
		s->jump = 0;
		if (s->page[s->view] >= s->n_pages)
			s->page[s->view] = s->n_pages - 1;
		start = p[s->page[s->view]];
		end = s->page[s->view] + 1 < s->n_pages ? p[s->page[s->view] + 1] : s->doc.n;
		tui_doc_draw(stdscr, &s->doc, start, y0, 0, (int)(end - start) < body ? (int)(end - start) : body,
			     t->cols);
		if (s->page[s->view] + 1 < s->n_pages)
			tui_put(stdscr, top + rows - 1, t->cols - 22, 21, "Space: next page", TC_DIM);
	} else {
		size_t *tp = &s->top[s->view];
		size_t max;
		s->jump = 0; /* a jump is for pages; top is already set */
		/* A longer document keeps its last row for saying so. */
		if (s->doc.n > (size_t)body)
			body--;
		max = s->doc.n > (size_t)body ? s->doc.n - (size_t)body : 0;
		if (s->follow && running)
			*tp = max;
		if (*tp > max)
			*tp = max;
		tui_doc_draw(stdscr, &s->doc, *tp, y0, 0, body, t->cols);
		if (s->doc.n > (size_t)body) {
			size_t below = s->doc.n - *tp - (size_t)body;
			cleanup_free char *more =
				below ? xasprintf("%s %zu more line%s: Down, PgDn, End", tui_glyph(TG_ELLIPSIS), below,
					    below == 1 ? "" : "s")
				      : xasprintf("(the end: Up, PgUp, Home)");
			int w = tui_width(more);
			tui_put(stdscr, y0 + body, t->cols - w - 1, w, more, TC_DIM);
		}
	}
	draw_header(t, s, top);
	tui_hline(stdscr, top + 1, 0, t->cols, TC_FRAME);
}

/* --- acting -------------------------------------------------------------------------------- */

static void scroll_to_line(struct step_screen *s, size_t i)
{
	s->top[s->view] = i > 0 ? i - 1 : 0;
	s->jump = i + 1;
	s->jump_view = s->view;
}

void step_scroll_to_anchor(struct step_screen *s, const char *text)
{
	for (size_t i = 0; i < s->doc.n; i++)
		if (s->doc.v[i].anchor && s->doc.v[i].n &&
		    util_str_has_prefix(s->doc.v[i].spans[0].text, text)) {
			scroll_to_line(s, i);
			return;
		}
}

void step_start_run(struct tui *t, struct step_screen *s)
{
	struct err e = {0};

	if (tui_session_ensure(t) < 0) {
		s->stale = true;
		return;
	}
	if (!s->commands_done)
		compute_commands(t, s);
	tui_run_free(s->last);
	s->last = NULL;
	if (tui_run_start(t, s->lab, step_cur(s), &e) < 0) {
		tui_message(t, TC_FAIL, "The step could not start: %s", e.msg);
		return;
	}
	s->seen_seq = 0;
	s->view = V_RESULTS;
	s->follow = true;
	s->top[V_RESULTS] = 0;
	s->page[V_RESULTS] = 0;
	s->stale = true;
}

static void gate_then_run(struct tui *t, void *data);

static void begin_run(struct tui *t, struct step_screen *s)
{
	const struct lab_question *q = step_cur(s)->question;

	if (tui_run_is_busy(t)) {
		tui_message(t, TC_WARN, "The step is running: Esc cancels it.");
		return;
	}
	if (!tui_gate_ok(t)) {
		tui_gate_open(t, gate_then_run, s);
		return;
	}
	if (q && s->demo == D_OFF && (s->q == Q_OPEN || s->q == Q_ASKING)) {
		const struct progress_answer *a = progress_answer(&t->progress, s->lab->id, step_cur(s)->id);
		if (!a || !a->solved || s->q == Q_ASKING) {
			s->q = Q_ASKING;
			s->view = V_TEXT;
			s->stale = true;
			step_rebuild(t, s);
			step_scroll_to_anchor(s, "Question");
			tui_message(t, TC_QUESTION, "First, predict: answer the question (1-%zu).",
				    q->choices.n);
			return;
		}
	}
	step_start_run(t, s);
}

/* The gate screen calls back with the step screen beneath it. */
static void gate_then_run(struct tui *t, void *data)
{
	struct step_screen *s = data;
	if (!t->session_open)
		tui_session_ensure(t);
	compute_commands(t, s);
	begin_run(t, s);
}

static void answer(struct tui *t, struct step_screen *s, size_t pick)
{
	const struct lab_question *q = step_cur(s)->question;

	if (!q || pick >= q->choices.n || s->q == Q_RIGHT || s->q == Q_REVEALED)
		return;
	if (s->q_tried[pick]) {
		tui_message(t, TC_MESSAGE, "%s was tried already: another one?", q->choices.v[pick]);
		return;
	}
	if (s->demo == D_OFF) {
		progress_mark_pick(&t->progress, s->lab->id, step_cur(s)->id, q->choices.v[pick],
				   pick == q->answer);
		tui_progress_save(t);
	}
	s->stale = true;
	if (pick == q->answer) {
		s->q = Q_RIGHT;
		tui_message(t, TC_OK, "%s Right: %s. Enter runs the step.", tui_glyph(TG_OK),
			    q->choices.v[pick]);
	} else {
		s->q_tried[pick] = true;
		s->q = Q_ASKING;
		s->q_sel = pick;
		tui_message(t, TC_FAIL, "%s Not %s. Try another answer (s shows it).", tui_glyph(TG_FAIL),
			    q->choices.v[pick]);
	}
}

static void reveal(struct tui *t, struct step_screen *s)
{
	const struct progress_answer *a = progress_answer(&t->progress, s->lab->id, step_cur(s)->id);

	if (!step_cur(s)->question || s->q == Q_RIGHT || s->q == Q_REVEALED)
		return;
	/* Skipping without any answer counts as a wrong first answer. */
	if (s->demo == D_OFF && !a) {
		progress_mark_answer(&t->progress, s->lab->id, step_cur(s)->id, false);
		tui_progress_save(t);
	}
	s->q = Q_REVEALED;
	s->stale = true;
	tui_message(t, TC_MESSAGE, "The answer: %s. Enter runs the step.",
		    step_cur(s)->question->choices.v[step_cur(s)->question->answer]);
}

static void next_hint(struct tui *t, struct step_screen *s)
{
	const struct lab_words *h = &step_cur(s)->hints;

	if (s->hints >= h->n) {
		tui_message(t, TC_MESSAGE, "No more hints: the last one was the solution.");
		return;
	}
	s->hints++;
	s->view = V_TEXT;
	s->stale = true;
	step_rebuild(t, s);
	/* Show the hint just revealed. */
	for (size_t i = s->doc.n; i-- > 0;)
		if (s->doc.v[i].n && (util_str_has_prefix(s->doc.v[i].spans[0].text, "Hint") ||
				      util_str_has_prefix(s->doc.v[i].spans[0].text, "Solution"))) {
			scroll_to_line(s, i);
			s->top[V_TEXT] = i > 2 ? i - 2 : 0;
			break;
		}
	if (s->hints == h->n)
		tui_message(t, TC_HINT, "The solution is below the commands.");
	else if (h->n == 2)
		tui_message(t, TC_HINT, "The hint is below the commands (h: the solution).");
	else
		tui_message(t, TC_HINT, "Hint %zu of %zu is below the commands (h: %s).", s->hints,
			    h->n - 1, s->hints + 1 == h->n ? "the solution" : "the next one");
}

static void go_step(struct tui *t, struct step_screen *s, size_t idx)
{
	if (tui_run_is_busy(t)) {
		tui_message(t, TC_WARN, "The step is running: Esc cancels it first.");
		return;
	}
	step_load_step(t, s, idx);
}

/* Why the step stopped before its end (the transcript's "error": a string,
 * or null when it ran through): NULL when it did not. A transcript of
 * another shape says so, in *bad. */
static const char *stop_reason(json_t *tr, char **bad)
{
	json_error_t jerr;
	json_t *error = NULL;

	*bad = NULL;
	if (json_unpack_ex(tr, &jerr, 0, "{s?o}", "error", &error) < 0) {
		*bad = xasprintf("the step's transcript: %s", jerr.text);
		return NULL;
	}
	if (error && !json_is_null(error) && !json_is_string(error))
		*bad = xstrdup("the step's transcript: error: neither a string nor null");
	return json_string_value(error);
}

/* The run ended: keep it, count it, say so. */
static void run_finished(struct tui *t, struct step_screen *s)
{
	struct tui_run *r = s->last;
	json_t *tr = r->transcript;
	cleanup_free char *bad = NULL;
	const char *stopped;
	bool ok;

	s->view = V_RESULTS;
	s->follow = false;
	s->top[V_RESULTS] = 0;
	s->page[V_RESULTS] = 0;
	s->stale = true;
	if (r->cancelled) {
		tui_message(t, TC_WARN, "%s", r->cleanup_note ? r->cleanup_note : "Cancelled.");
		return;
	}
	if (!tr) {
		tui_message(t, TC_FAIL, "The step could not run: %s", r->error ? r->error : "no result");
		return;
	}
	free(tui_compare_summary(tr, &ok));
	stopped = stop_reason(tr, &bad);
	if (bad) {
		tui_message(t, TC_FAIL, "The step's result could not be read: %s", bad);
	} else if (ok) {
		if (s->demo == D_OFF) {
			progress_mark_step(&t->progress, s->lab->id, step_cur(s)->id);
			tui_progress_save(t);
		}
		if (s->demo == D_OFF && progress_lab_done(&t->progress, s->lab))
			tui_message(t, TC_OK, "%s Lab finished: all %zu steps done.", tui_glyph(TG_OK),
				    s->lab->n_steps);
		else
			tui_message(t, TC_OK, "%s Step done: every expectation held.%s", tui_glyph(TG_OK),
				    s->idx + 1 < s->lab->n_steps ? " n: the next step." : "");
	} else if (stopped) {
		tui_message(t, TC_FAIL, "The step stopped: %s", stopped);
	} else {
		tui_message(t, TC_WARN, "Some expectations did not hold: the %s marks say which. h: a hint.",
			    tui_glyph(TG_FAIL));
	}
}

/* --- the vtable ------------------------------------------------------------------------------ */

static void step_tick(struct tui *t, void *self)
{
	struct step_screen *s = self;

	if (step_own_run(t, s)) {
		if (t->run->seq != s->seen_seq) {
			s->seen_seq = t->run->seq;
			s->stale = true;
		}
		if (t->run->state == TUI_RUN_DONE) {
			tui_run_free(s->last);
			s->last = t->run;
			t->run = NULL;
			run_finished(t, s);
			if (s->demo == D_RUN)
				step_demo_enter(t, s, D_RESULTS);
		}
	}
	step_demo_tick(t, s);
}

static void move_view(struct tui *t, struct step_screen *s, long delta)
{
	if (t->present) {
		size_t *pg = &s->page[s->view];
		if (delta > 0 && *pg + 1 < s->n_pages)
			(*pg)++;
		else if (delta < 0 && *pg > 0)
			(*pg)--;
		return;
	}
	size_t *tp = &s->top[s->view];
	s->follow = false;
	if (delta < 0 && (size_t)-delta > *tp)
		*tp = 0;
	else
		*tp = (size_t)((long)*tp + delta);
}

/* The question takes the keys it needs while it is asked, and 1-9 answer
 * it until it is answered; the autopilot takes Space and n. Returns
 * whether the key was theirs. */
static bool question_key(struct tui *t, struct step_screen *s, const struct lab_question *q, int key)
{
	if (q && s->q == Q_ASKING) {
		switch (key) {
		case TUI_FN(KEY_UP):
		case 'k':
			if (s->q_sel)
				s->q_sel--;
			s->stale = true;
			return true;
		case TUI_FN(KEY_DOWN):
		case 'j':
			if (s->q_sel + 1 < q->choices.n)
				s->q_sel++;
			s->stale = true;
			return true;
		case '\r':
		case '\n':
		case TUI_FN(KEY_ENTER):
			answer(t, s, s->q_sel);
			return true;
		case 's':
			reveal(t, s);
			return true;
		case TUI_KEY_ESC:
			s->q = Q_OPEN;
			s->stale = true;
			return true;
		}
	}
	if (q && key >= '1' && key <= '9' && s->q != Q_RIGHT && s->q != Q_REVEALED) {
		answer(t, s, (size_t)(key - '1'));
		return true;
	}
	if (s->demo != D_OFF && key == ' ') {
		step_demo_pause(t, s);
		return true;
	}
	if (s->demo != D_OFF && key == 'n') {
		if (s->paused)
			step_demo_pause(t, s);
		step_demo_advance(t, s, true);
		return true;
	}
	return false;
}

static bool step_key(struct tui *t, void *self, int key)
{
	struct step_screen *s = self;
	int page = t->rows - 6;

	if (question_key(t, s, step_cur(s)->question, key))
		return true;
	switch (key) {
	case '\r':
	case '\n':
	case TUI_FN(KEY_ENTER):
	case 'r':
		if (s->demo != D_OFF) {
			tui_message(t, TC_MESSAGE, "The autopilot runs the steps: Space pauses, n skips ahead.");
			return true;
		}
		begin_run(t, s);
		return true;
	case TUI_KEY_ESC:
		if (step_own_run(t, s))
			tui_run_cancel(t, t->run);
		return true;
	case TUI_KEY_CTRL('c'):
		if (step_own_run(t, s)) {
			tui_run_cancel(t, t->run);
			return true;
		}
		return false;
	case 'n':
		if (s->idx + 1 < s->lab->n_steps)
			go_step(t, s, s->idx + 1);
		else
			tui_message(t, TC_MESSAGE, "This is the last step of %s. q: back to the labs.",
				    s->lab->title);
		return true;
	case 'p':
		if (s->idx > 0)
			go_step(t, s, s->idx - 1);
		else
			tui_message(t, TC_MESSAGE, "This is the first step.");
		return true;
	case 'h':
		next_hint(t, s);
		return true;
	case TUI_COMPARE_KEY_MOUNTS:
		s->mounts_open = !s->mounts_open;
		s->stale = true;
		return true;
	case '\t':
	case TUI_FN(KEY_BTAB):
		s->view = s->view == V_TEXT ? V_RESULTS : V_TEXT;
		s->stale = true;
		return true;
	case TUI_FN(KEY_DOWN):
	case 'j':
		move_view(t, s, 1);
		return true;
	case TUI_FN(KEY_UP):
	case 'k':
		move_view(t, s, -1);
		return true;
	case TUI_FN(KEY_NPAGE):
	case ' ':
	case TUI_FN(KEY_RIGHT):
		move_view(t, s, t->present ? 1 : page);
		return true;
	case TUI_FN(KEY_PPAGE):
	case TUI_FN(KEY_LEFT):
	case TUI_FN(KEY_BACKSPACE):
	case 127:
		move_view(t, s, t->present ? -1 : -page);
		return true;
	case TUI_FN(KEY_HOME):
	case 'g':
		s->top[s->view] = 0;
		s->page[s->view] = 0;
		return true;
	case TUI_FN(KEY_END):
	case 'G':
		s->top[s->view] = s->doc.n;
		s->page[s->view] = s->n_pages ? s->n_pages - 1 : 0;
		return true;
	case 'P':
		/* The pages are cut anew for the other mode. */
		s->stale = true;
		return false;
	case 'L':
		t->full_argv = !t->full_argv;
		s->stale = true;
		tui_message(t, TC_MESSAGE, "%s",
			    t->full_argv ? "The commands in full: isolab's --label isolab.* options too."
					 : "The commands without isolab's own --label isolab.* options.");
		return true;
	}
	return false;
}

static void step_destroy(void *self)
{
	struct step_screen *s = self;

	/* The demo ends with its screen: the title bar stops saying DEMO. */
	if (s->demo != D_OFF && tui_app)
		tui_app->demo_lab = NULL;

	mdtext_free(s->md);
	argv_free(&s->commands);
	free(s->commands_err);
	free(s->q_tried);
	tui_run_free(s->last);
	for (size_t i = 0; s->memo && i < s->lab->n_steps; i++) {
		tui_run_free(s->memo[i].last);
		free(s->memo[i].q_tried);
	}
	free(s->memo);
	tui_doc_free(&s->doc);
	free(s->pages);
	free(s);
}

static const struct tui_keyhelp step_bar[] = {
	{"Enter", "Run"}, {"n", "Next"},  {"p", "Prev"},  {"h", "Hint"},
	{"Tab", "Results"}, {"Esc", "Cancel"}, {"?", "Help"}, {"q", "Back"},
	{NULL, NULL},
};

static const struct tui_keyhelp step_help[] = {
	{"Enter, r", "run the step (its question first, if it has one, and the safety gate once)"},
	{"1-9", "answer the step's question"},
	{"Up/Down, Enter", "while the question is asked: choose and answer"},
	{"s", "while the question is asked: show the answer"},
	{"n, p", "the next and the previous step"},
	{"h", "the next hint; the last one is the solution"},
	{"Tab", "the step's text or its results"},
	TUI_COMPARE_HELP_MOUNTS,
	{"L", "the commands in full (isolab's --label isolab.* options too), or without them"},
	{"Esc, Ctrl-C", "cancel the running step: its containers are removed"},
	{"Up, Down, j, k", "scroll (presentation: turn pages)"},
	{"PgUp, PgDn, Space", "a page up or down"},
	{"Home, End, g, G", "the top or the end"},
	{"Space, n", "demo mode: pause and resume; skip ahead"},
	{"q", "back to the labs (not while a step runs)"},
	{NULL, NULL},
};

static const struct tui_screen_ops step_ops = {
	.name = "step",
	.draw = step_draw,
	.on_key = step_key,
	.on_tick = step_tick,
	.bar = step_bar,
	.help = step_help,
	.destroy = step_destroy,
};

static const struct tui_keyhelp demo_bar[] = {
	{"Space", "Pause"}, {"n", "Skip"}, {"Esc", "Cancel"}, {"P", "Present"},
	{"?", "Help"},      {"q", "Stop"}, {NULL, NULL},
};

static const struct tui_keyhelp demo_help[] = {
	{"Space", "pause the autopilot, and resume it"},
	{"n", "skip ahead: the commands, the run, the next step"},
	{"Esc, Ctrl-C", "cancel the running step: its containers are removed"},
	{"Up, Down, PgUp, PgDn", "scroll (presentation: turn pages)"},
	{"Tab", "the step's text or its results"},
	TUI_COMPARE_HELP_MOUNTS,
	{"q", "stop the demo: back to the labs (not while a step runs)"},
	{NULL, NULL},
};

/* The same screen under the autopilot: its own keys. */
static const struct tui_screen_ops demo_ops = {
	.name = "demo",
	.draw = step_draw,
	.on_key = step_key,
	.on_tick = step_tick,
	.bar = demo_bar,
	.help = demo_help,
	.destroy = step_destroy,
};

/* --- opening, after the gate --------------------------------------------------------------- */

static struct {
	struct lab *lab;
	size_t idx;
	bool demo;
} pending;

static void open_now(struct tui *t, struct lab *lab, size_t idx, bool demo)
{
	struct step_screen *s = xcalloc(1, sizeof(*s));

	s->lab = lab;
	s->demo = demo ? D_TEXT : D_OFF;
	tui_push(t, demo ? &demo_ops : &step_ops, s, lab->title);
	step_load_step(t, s, idx);
	/* The exact commands name the session's containers, witness and
	 * scratch dir: the session opens with the first step shown. */
	if (tui_session_ensure(t) == 0)
		compute_commands(t, s);
	s->stale = true;
	if (demo)
		step_demo_enter(t, s, D_TEXT);
}

static void open_after_gate(struct tui *t, void *data)
{
	(void)data;
	open_now(t, pending.lab, pending.idx, pending.demo);
}

void tui_step_open(struct tui *t, struct lab *lab, size_t index, bool demo)
{
	if (!lab || !lab->n_steps)
		return;
	if (!tui_gate_ok(t)) {
		pending.lab = lab;
		pending.idx = index;
		pending.demo = demo;
		tui_gate_open(t, open_after_gate, NULL);
		return;
	}
	open_now(t, lab, index, demo);
}
