/* tui_step_demo.c: demo mode's autopilot on the step screen: it shows the
 * step's text for a time its length decides, gives the question's answer,
 * types the commands out, runs the step, shows the results and moves on to
 * the next step; Space pauses it, n skips ahead. */
#include <string.h>

#include "tui_step.h"

/* --- the autopilot ---------------------------------------------------------------------- */

static size_t word_count(const char *s)
{
	size_t n = 0;
	bool in = false;

	for (; s && *s; s++) {
		bool sp = *s == ' ' || *s == '\n' || *s == '\t';
		if (!sp && !in)
			n++;
		in = !sp;
	}
	return n;
}

void step_demo_enter(struct tui *t, struct step_screen *s, enum demo_phase ph)
{
	long long now = util_now_ms();

	s->demo = ph;
	s->stale = true;
	switch (ph) {
	case D_TEXT: {
		long long ms = DEMO_TEXT_MIN + DEMO_TEXT_PER_WORD * (long long)word_count(step_cur(s)->text);
		s->view = V_TEXT;
		s->demo_at = now + (t->present ? DEMO_PAGE : (ms > DEMO_TEXT_MAX ? DEMO_TEXT_MAX : ms));
		break;
	}
	case D_ANSWER:
		s->view = V_TEXT;
		s->q = Q_REVEALED;
		step_rebuild(t, s);
		step_scroll_to_anchor(s, "Question");
		s->demo_at = now + DEMO_PAGE;
		break;
	case D_TYPE:
		s->view = V_TEXT;
		if (step_cur(s)->question)
			s->q = Q_REVEALED;
		s->typed = 0;
		s->typed_done = false;
		s->typed_total = 0;
		for (size_t i = 0; i < s->commands.n; i++) {
			cleanup_free char *shown = step_shown_command(t, s->commands.v[i]);
			s->typed_total += strlen(shown ? shown : s->commands.v[i]) + 1;
		}
		step_rebuild(t, s);
		step_scroll_to_anchor(s, "The commands");
		s->demo_at = now + DEMO_TYPE_TICK;
		break;
	case D_RUN:
		s->typed = s->typed_total;
		step_start_run(t, s);
		if (!step_own_run(t, s))
			step_demo_enter(t, s, D_RESULTS);
		break;
	case D_RESULTS:
		s->view = V_RESULTS;
		s->demo_at = now + (t->present ? DEMO_PAGE : DEMO_RESULTS);
		break;
	case D_END:
		tui_message(t, TC_OK, "Demo finished: every step of %s ran. q goes back.", s->lab->title);
		break;
	case D_OFF:
		break;
	}
}

static void demo_next_step(struct tui *t, struct step_screen *s)
{
	if (s->idx + 1 >= s->lab->n_steps) {
		step_demo_enter(t, s, D_END);
		return;
	}
	step_load_step(t, s, s->idx + 1);
	step_demo_enter(t, s, D_TEXT);
}

/* Move on one notch: a page, or the next phase. */
void step_demo_advance(struct tui *t, struct step_screen *s, bool skip)
{
	long long now = util_now_ms();

	switch (s->demo) {
	case D_TEXT:
		if (t->present && !skip && s->page[V_TEXT] + 1 < s->n_pages) {
			/* The commands have their own page: stop before it. */
			s->page[V_TEXT]++;
			s->demo_at = now + DEMO_PAGE;
			return;
		}
		step_demo_enter(t, s, step_cur(s)->question ? D_ANSWER : D_TYPE);
		break;
	case D_ANSWER:
		step_demo_enter(t, s, D_TYPE);
		break;
	case D_TYPE: {
		size_t step = s->typed_total / (DEMO_TYPE_TOTAL / DEMO_TYPE_TICK) + 1;
		if (skip || s->typed_done) {
			step_demo_enter(t, s, D_RUN);
			break;
		}
		s->typed += step;
		if (s->typed >= s->typed_total) {
			/* Fully typed: a breath before it runs. */
			s->typed = s->typed_total;
			s->typed_done = true;
			s->demo_at = now + DEMO_BEFORE_RUN;
		} else {
			s->demo_at = now + DEMO_TYPE_TICK;
		}
		s->stale = true;
		break;
	}
	case D_RUN:
		if (skip)
			tui_message(t, TC_MESSAGE, "The step is running; Esc cancels it.");
		break;
	case D_RESULTS:
		if (t->present && !skip && s->page[V_RESULTS] + 1 < s->n_pages) {
			s->page[V_RESULTS]++;
			s->demo_at = now + DEMO_PAGE;
			return;
		}
		demo_next_step(t, s);
		break;
	case D_END:
	case D_OFF:
		break;
	}
}

void step_demo_tick(struct tui *t, struct step_screen *s)
{
	long long now = util_now_ms();

	if (s->demo == D_OFF || s->demo == D_END || s->paused)
		return;
	if (t->depth && t->stack[t->depth - 1].self != s)
		return; /* a dialog is on top: wait */
	if (s->demo == D_RUN)
		return;
	if (now >= s->demo_at)
		step_demo_advance(t, s, false);
	if (s->demo != D_RUN && s->demo != D_END && !s->paused)
		tui_wake_in(t, s->demo_at > now ? (int)(s->demo_at - now) : 0);
}

void step_demo_pause(struct tui *t, struct step_screen *s)
{
	long long now = util_now_ms();

	s->paused = !s->paused;
	if (s->paused) {
		s->paused_left = s->demo_at > now ? s->demo_at - now : 0;
		tui_message(t, TC_MESSAGE, "Paused: Space resumes, n skips ahead.");
	} else {
		s->demo_at = now + s->paused_left;
		tui_message(t, TC_MESSAGE, "Resumed.");
	}
}
