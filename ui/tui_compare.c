/* tui_compare.c: the comparison, drawn from the comparison model
 * (runner/compare.h) that a step's transcript decodes into: each subject
 * container beside the reference, biggest differences first (capabilities
 * with their risk notes, namespaces shared with the host, host mounts, a
 * recursive bind's sub-mounts folded under it, the Docker socket, seccomp,
 * no_new_privs, the LSM label); what Docker says against what the kernel
 * says; every probe and command with its proof; every expectation with its
 * mark. Drawn as columns for a terminal, or one idea a page for a
 * projector. No JSON is read here. */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "compare.h"
#include "report.h"
#include "tui.h"

/* --- the model's tones, drawn ------------------------------------------------------ */

static enum tui_glyph tone_glyph(enum cmp_tone t)
{
	switch (t) {
	case CMP_TONE_ADDED:
		return TG_ADDED;
	case CMP_TONE_REMOVED:
		return TG_REMOVED;
	case CMP_TONE_HOST:
		return TG_HOST;
	case CMP_TONE_WARN:
		return TG_WARN;
	case CMP_TONE_SAME:
	case CMP_TONE_NORMAL:
		break;
	}
	return TG_DOT;
}

static enum tui_color tone_color(enum cmp_tone t)
{
	switch (t) {
	case CMP_TONE_ADDED:
		return TC_ADDED;
	case CMP_TONE_REMOVED:
		return TC_REMOVED;
	case CMP_TONE_HOST:
		return TC_SHARED;
	case CMP_TONE_WARN:
		return TC_WARN;
	case CMP_TONE_SAME:
		return TC_DIM;
	case CMP_TONE_NORMAL:
		break;
	}
	return TC_NORMAL;
}

static size_t popcount(uint64_t m)
{
	return (size_t)__builtin_popcountll(m);
}

static char *item_label(const struct cmp_item *x)
{
	if (x->host)
		return xasprintf("%s %s host %s", x->label, tui_glyph(TG_ARROW), x->host);
	return xstrdup(x->label);
}

/* --- layout helpers --------------------------------------------------------------- */

/* Add text to l clipped or padded to exactly w columns. */
static void cell(struct tui_line *l, const char *text, int w, enum tui_color c)
{
	int tw = tui_width(text);

	if (w <= 0)
		return;
	if (tw <= w) {
		tui_line_add(l, text, c);
		if (w - tw > 0) {
			char *pad = xmalloc((size_t)(w - tw) + 1);
			memset(pad, ' ', (size_t)(w - tw));
			pad[w - tw] = '\0';
			tui_line_add(l, pad, TC_NORMAL);
			free(pad);
		}
		return;
	}
	/* Clip: keep w - 1 columns and an ellipsis. */
	{
		const char *ell = tui_glyph(TG_ELLIPSIS);
		int ew = tui_width(ell);
		size_t len = strlen(text), cut = 0;
		while (cut < len) {
			size_t n = 1;
			while (cut + n < len && ((unsigned char)text[cut + n] & 0xc0) == 0x80)
				n++;
			if (tui_nwidth(text, cut + n) > w - ew)
				break;
			cut += n;
		}
		tui_line_addn(l, text, cut, c);
		tui_line_add(l, ell, TC_DIM);
		for (int pad = tui_nwidth(text, cut) + ew; pad < w; pad++)
			tui_line_add(l, " ", TC_NORMAL);
	}
}

/* How much of text starts the next line of a w-column cell: up to a space
 * or a '/' that fits (a word or a path component is not split), else as
 * many characters as fit. */
static size_t fit_piece(const char *text, int w)
{
	size_t len = strlen(text), cut = 0, brk = 0;

	while (cut < len) {
		size_t n = 1;
		while (cut + n < len && ((unsigned char)text[cut + n] & 0xc0) == 0x80)
			n++;
		if (tui_nwidth(text, cut + n) > w)
			break;
		cut += n;
		if (text[cut - 1] == ' ' || text[cut - 1] == '/')
			brk = cut;
	}
	if (cut == len || text[cut] == ' ')
		return cut;
	if (brk)
		return brk;
	return cut ? cut : len;
}

/* One cell of a row that wraps: its text, its width, the gap after it. */
struct rcell {
	const char *text;
	int w, gap;
	enum tui_color c;
};

#define ROW_MAX_CELLS 4

/* A table row whose cells wrap inside their columns instead of ending in
 * an ellipsis: a cell's text carries the lesson ("host bind, read-only"). */
static void wrapped_row(struct tui_doc *d, int indent, const struct rcell *cells, size_t n)
{
	const char *rest[ROW_MAX_CELLS];
	bool more = true;

	if (n > ROW_MAX_CELLS)
		n = ROW_MAX_CELLS;
	for (size_t i = 0; i < n; i++)
		rest[i] = cells[i].text ? cells[i].text : "";
	while (more) {
		struct tui_line *l = tui_doc_line(d, indent);
		more = false;
		for (size_t i = 0; i < n; i++) {
			size_t k = fit_piece(rest[i], cells[i].w);
			cleanup_free char *piece = xstrndup(rest[i], k);
			cell(l, piece, cells[i].w, cells[i].c);
			for (int g = 0; g < cells[i].gap; g++)
				tui_line_add(l, " ", TC_NORMAL);
			rest[i] += k;
			while (*rest[i] == ' ')
				rest[i]++;
			more |= *rest[i] != '\0';
		}
	}
}

static void heading(struct tui_doc *d, const char *text, int indent, bool anchor)
{
	struct tui_line *l = tui_doc_line(d, indent);
	tui_line_add(l, text, TC_HEADING);
	l->anchor = anchor;
}


/* --- the normal view ----------------------------------------------------------------- */

/* A recursive bind's sub-mounts: one line under its row, or the list. */
static void render_below(struct tui_doc *d, const struct cmp_item *x, int width, bool expand)
{
	struct tui_para p = {NULL, 0};
	cleanup_free char *head = NULL;

	if (!x->below.n)
		return;
	head = xasprintf("%s %zu mount%s below it came along (the bind is recursive)%s",
			 tui_glyph(TG_ARROW), x->below.n, x->below.n == 1 ? "" : "s",
			 expand ? ":" : "");
	tui_para_add(&p, head, TC_DIM);
	if (!expand) {
		cleanup_free char *key = xasprintf(" %c: show them", TUI_COMPARE_KEY_MOUNTS);
		tui_para_add(&p, key, TC_BAR_KEY);
		tui_para_flush(&p, d, width, 7, 9);
		return;
	}
	tui_para_flush(&p, d, width, 7, 9);
	for (size_t i = 0; i < x->below.n; i++) {
		tui_para_add(&p, x->below.v[i], TC_NORMAL);
		tui_para_flush(&p, d, width, 9, 11);
	}
	{
		cleanup_free char *key = xasprintf("%c: fold them", TUI_COMPARE_KEY_MOUNTS);
		tui_para_add(&p, key, TC_DIM);
		tui_para_flush(&p, d, width, 9, 11);
	}
}

static void render_item(struct tui_doc *d, const struct cmp_item *x, int lw, int cw, int width,
			bool expand)
{
	cleanup_free char *label = item_label(x);
	const struct rcell row[] = {
		{x->weight ? tui_glyph(tone_glyph(x->tone)) : " ", 2, 0, tone_color(x->tone)},
		{label, lw - 2, 2, x->weight >= 30 ? TC_STRONG : TC_NORMAL},
		{x->ref, cw, 2, tone_color(x->ref_tone)},
		{x->subj, cw, 0, tone_color(x->subj_tone)},
	};

	wrapped_row(d, 3, row, ARRAY_SIZE(row));
	if (x->note || x->danger) {
		struct tui_para p = {NULL, 0};
		if (x->danger) {
			cleanup_free char *risk = xasprintf(
				"%s %s", tui_mark(CMP_MARK_RISK),
				x->sec == CMP_SEC_CAPS ? "way out:" : x->sec == CMP_SEC_NS ? "the host's:"
											 : "risk:");
			tui_para_word(&p, risk, tui_mark_color(CMP_MARK_RISK));
		}
		if (x->note)
			tui_para_add(&p, x->note, TC_DIM);
		tui_para_flush(&p, d, width, 7, 7);
	}
	render_below(d, x, width, expand);
}

static void render_items(struct tui_doc *d, const struct cmp_pair *p, const char *ref_name,
			 const char *subj_name, int width, bool expand)
{
	enum cmp_section order[CMP_SEC_COUNT];
	/* Columns: mark, label, the reference, the subject. */
	int lw = width * 2 / 5 < 26 ? 26 : width * 2 / 5;
	int cw = (width - 4 - lw - 4) / 2 < 12 ? 12 : (width - 4 - lw - 4) / 2;

	cmp_section_order(p, order);
	for (int si = 0; si < CMP_SEC_COUNT; si++) {
		enum cmp_section s = order[si];
		bool any = false;
		struct tui_line *l;

		for (size_t i = 0; i < p->n_items; i++)
			any |= p->items[i].sec == s;
		if (!any && !p->info[s].n)
			continue;
		l = tui_doc_line(d, 2);
		cell(l, cmp_section_title(s), lw + 3, TC_STRONG);
		cell(l, ref_name, cw, TC_DIM);
		tui_line_add(l, "  ", TC_NORMAL);
		cell(l, subj_name, cw, TC_DIM);
		for (size_t i = 0; i < p->n_items; i++)
			if (p->items[i].sec == s)
				render_item(d, &p->items[i], lw, cw, width, expand);
		for (size_t i = 0; i < p->info[s].n; i++) {
			l = tui_doc_line(d, 5);
			tui_line_add(l, p->info[s].v[i], TC_DIM);
		}
		tui_doc_blank(d);
	}
}

static void render_privileged(struct tui_doc *d, const struct cmp_step *s, int width, bool present)
{
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct cmp_container *c = &s->containers[i];
		struct tui_para p = {NULL, 0};
		struct tui_line *l;
		cleanup_free char *say = NULL;

		if (!c->approximated)
			continue;
		if (present)
			tui_doc_page(d);
		say = xasprintf("--privileged was approximated for %s: this host cannot grant every "
				"capability.",
				c->name);
		tui_para_word(&p, tui_glyph(TG_WARN), TC_WARN);
		tui_para_add(&p, say, TC_WARN);
		tui_para_flush(&p, d, width, 1, 3);
		if (present)
			tui_doc_blank(d);
		if (c->replacement.n && !present) {
			cleanup_free char *repl = util_argv_to_shell(c->replacement.v);
			l = tui_doc_line(d, 4);
			tui_line_add(l, "ran instead: ", TC_STRONG);
			tui_doc_command(d, repl, width, 6);
		}
		l = tui_doc_line(d, 4);
		tui_line_add(l, "left out:", TC_STRONG);
		for (size_t j = 0; j < c->left_out.n; j++) {
			tui_para_word(&p, tui_glyph(TG_REMOVED), TC_WARN);
			tui_para_add(&p, c->left_out.v[j], TC_NORMAL);
			tui_para_flush(&p, d, width, 6, 8);
			if (present)
				tui_doc_blank(d);
		}
		tui_doc_blank(d);
	}
}

static void docker_said(struct tui_doc *d, const struct cmp_container *c, int width)
{
	struct strbuf said = STRBUF_INIT;
	struct tui_para p = {NULL, 0};

	strbuf_addf(&said, "privileged=%s", c->docker_privileged ? "true" : "false");
	if (c->cap_add.n) {
		strbuf_adds(&said, "; cap_add");
		for (size_t j = 0; j < c->cap_add.n; j++)
			strbuf_addf(&said, " %s", c->cap_add.v[j]);
	}
	if (c->cap_drop.n) {
		strbuf_adds(&said, "; cap_drop");
		for (size_t j = 0; j < c->cap_drop.n; j++)
			strbuf_addf(&said, " %s", c->cap_drop.v[j]);
	}
	if (c->pid_mode && *c->pid_mode)
		strbuf_addf(&said, "; pid=%s", c->pid_mode);
	for (size_t j = 0; j < c->binds.n; j++)
		strbuf_addf(&said, "; -v %s", c->binds.v[j]);
	tui_para_word(&p, "Docker:", TC_DIM);
	tui_para_add(&p, strbuf_str(&said), TC_NORMAL);
	tui_para_flush(&p, d, width, 5, 13);
	strbuf_release(&said);
}

static void kernel_said(struct tui_doc *d, const struct cmp_container *c, int width)
{
	struct strbuf seen = STRBUF_INIT, host = STRBUF_INIT;
	struct tui_para p = {NULL, 0};
	size_t eff = popcount(c->caps[CAPS_EFFECTIVE]);

	strbuf_addf(&seen, "%zu capabilit%s (%zu beyond Docker's default)", eff,
		    eff == 1 ? "y" : "ies", popcount(cmp_caps_beyond_default(c)));
	for (size_t j = 0; j < c->n_ns; j++)
		if (c->ns[j].shared > 0 && !strstr(c->ns[j].name, "_for_children"))
			strbuf_addf(&host, "%s%s", host.len ? " " : "", c->ns[j].name);
	strbuf_addf(&seen, "; host namespaces: %s", host.len ? strbuf_str(&host) : "none");
	strbuf_addf(&seen, "; seccomp %s", c->seccomp ? c->seccomp : "?");
	tui_para_word(&p, "kernel:", TC_DIM);
	tui_para_add(&p, strbuf_str(&seen), TC_NORMAL);
	tui_para_flush(&p, d, width, 5, 13);
	strbuf_release(&host);
	strbuf_release(&seen);
}

static void render_disagreement(struct tui_doc *d, const struct cmp_disagreement *v, int width)
{
	struct tui_para p = {NULL, 0};
	struct tui_line *l = tui_doc_line(d, 5);

	tui_line_add(l, tui_mark(CMP_MARK_DISAGREE), tui_mark_color(CMP_MARK_DISAGREE));
	tui_line_add(l, " they disagree", tui_mark_color(CMP_MARK_DISAGREE));
	if (v->check)
		tui_line_addf(l, TC_DIM, " (%s)", v->check);
	tui_para_word(&p, "Docker says:", TC_STRONG);
	tui_para_add(&p, v->docker, TC_NORMAL);
	tui_para_flush(&p, d, width, 7, 9);
	tui_para_word(&p, "the kernel says:", TC_STRONG);
	tui_para_add(&p, v->kernel, TC_NORMAL);
	tui_para_flush(&p, d, width, 7, 9);
	if (v->why) {
		tui_para_word(&p, "why it matters:", TC_STRONG);
		tui_para_add(&p, v->why, TC_WARN);
		tui_para_flush(&p, d, width, 7, 9);
	}
}

static void render_docker_kernel(struct tui_doc *d, const struct cmp_step *s, int width)
{
	size_t n_dis = 0;

	heading(d, "What Docker says, and what the kernel says", 1, true);
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct cmp_container *c = &s->containers[i];
		struct tui_line *l;

		if (!c->inspected)
			continue;
		l = tui_doc_line(d, 3);
		tui_line_add(l, c->name, TC_STRONG);
		if (c->docker_known)
			docker_said(d, c, width);
		kernel_said(d, c, width);
		for (size_t j = 0; j < c->n_dis; j++)
			render_disagreement(d, &c->dis[j], width);
		n_dis += c->n_dis;
	}
	if (!n_dis) {
		struct tui_line *l = tui_doc_line(d, 3);
		tui_line_add(l, tui_glyph(TG_OK), TC_OK);
		tui_line_add(l, " Docker and the kernel agree on every container of this step.",
			     TC_NORMAL);
	}
	tui_doc_blank(d);
}

/* An experiment's mark: allowed, denied or error; in the colour of a
 * failure only where it is not the result an expectation asked for. */
static void action_mark(struct tui_line *l, const struct cmp_action *a, bool word)
{
	enum tui_color c = a->as_expected ? tui_mark_color(a->mark) : TC_FAIL;

	tui_line_add(l, tui_mark(a->mark), c);
	if (word)
		tui_line_addf(l, c, " %-8s ", a->result ? a->result : "?");
}

static void render_action(struct tui_doc *d, const struct cmp_action *a, int width,
			  bool full_argv)
{
	struct tui_para p = {NULL, 0};
	struct tui_line *l = tui_doc_line(d, 3);

	action_mark(l, a, true);
	tui_line_add(l, a->id, TC_STRONG);
	if (a->kind)
		tui_line_addf(l, TC_DIM, "  (%s%s%s)", a->kind, a->in ? " in " : "", a->in ? a->in : "");
	if (!a->as_expected)
		tui_line_addf(l, TC_FAIL, "  %s expected: %s", tui_mark(CMP_MARK_FAILED), a->expected);
	if (a->command) {
		cleanup_free char *shown = full_argv ? NULL : tui_cmd_without_labels(a->command);
		tui_doc_command(d, shown ? shown : a->command, width, 7);
	}
	if (a->detail) {
		tui_para_add(&p, a->detail, TC_NORMAL);
		tui_para_flush(&p, d, width, 7, 7);
	}
	if (a->proof) {
		tui_para_word(&p, a->canary_read ? "the canary, read from the host:" : "proof:", TC_PROOF);
		tui_para_add(&p, a->proof, TC_PROOF);
		tui_para_flush(&p, d, width, 7, 9);
	}
	if (a->error) {
		tui_para_word(&p, "error:", TC_FAIL);
		tui_para_add(&p, a->error, TC_NORMAL);
		tui_para_flush(&p, d, width, 7, 9);
	}
}

static void render_actions(struct tui_doc *d, const struct cmp_step *s, int width,
			   bool full_argv)
{
	if (!s->n_actions)
		return;
	heading(d, "What the probes and commands found", 1, true);
	for (size_t i = 0; i < s->n_actions; i++)
		render_action(d, &s->actions[i], width, full_argv);
	tui_doc_blank(d);
}

static void render_expectations(struct tui_doc *d, const struct cmp_step *s, int width,
				bool failed_only)
{
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct cmp_expect *x = &s->expects[i];
		enum cmp_mark m = x->held ? CMP_MARK_HELD : CMP_MARK_FAILED;
		struct tui_para p = {NULL, 0};

		if (failed_only && x->held)
			continue;
		tui_para_word(&p, tui_mark(m), tui_mark_color(m));
		tui_para_add(&p, x->text, TC_NORMAL);
		if (!x->held && x->seen) {
			tui_para_word(&p, "seen:", TC_FAIL);
			tui_para_add(&p, x->seen, TC_NORMAL);
		}
		tui_para_flush(&p, d, width, 3, 5);
		if (x->why) {
			tui_para_add(&p, x->why, TC_DIM);
			tui_para_flush(&p, d, width, 5, 5);
		}
	}
}

static void render_summary(struct tui_doc *d, const struct cmp_step *s, int width, bool present)
{
	enum cmp_mark m = cmp_step_ok(s) ? CMP_MARK_HELD : CMP_MARK_FAILED;
	cleanup_free char *sum = cmp_step_summary(s);
	struct tui_para p = {NULL, 0};

	tui_para_word(&p, tui_mark(m), tui_mark_color(m));
	tui_para_add(&p, sum, tui_mark_color(m));
	tui_para_flush(&p, d, width, 1, 3);
	for (size_t i = 0; i < s->n_containers; i++)
		if (s->containers[i].error) {
			tui_para_word(&p, tui_mark(CMP_MARK_FAILED), tui_mark_color(CMP_MARK_FAILED));
			tui_para_word(&p, s->containers[i].name, TC_STRONG);
			tui_para_add(&p, s->containers[i].error, TC_NORMAL);
			tui_para_flush(&p, d, width, 3, 5);
		}
	if (!present)
		tui_doc_blank(d);
}

/* --- the presentation view: one idea a page --------------------------------------------- */

#define PRESENT_ITEMS 4

static void present_heading(struct tui_doc *d, const char *text, bool anchor)
{
	struct tui_line *l;

	tui_doc_page(d);
	l = tui_doc_line(d, 2);
	tui_line_add(l, text, TC_HEADING);
	l->anchor = anchor;
	tui_doc_blank(d);
}

/* What matters, biggest first whatever the section. No big difference:
 * the small ones are then the lesson (no_new_privs set), never "no
 * difference" where the normal view shows one. */
static size_t present_pick(const struct cmp_pair *p, const struct cmp_item **v)
{
	bool big = false;
	size_t n = 0;

	for (size_t i = 0; i < p->n_items; i++)
		big = big || p->items[i].weight >= 30;
	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].weight >= (big ? 30 : 1))
			v[n++] = &p->items[i];
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j]->weight > v[j - 1]->weight; j--) {
			const struct cmp_item *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	return n;
}

static void present_item(struct tui_doc *d, const struct cmp_item *x, int width)
{
	struct tui_para p = {NULL, 0};

	tui_para_word(&p, tui_glyph(tone_glyph(x->tone)), tone_color(x->tone));
	tui_para_add(&p, x->said ? x->said : x->label, TC_NORMAL);
	tui_para_flush(&p, d, width, 4, 6);
	if (x->below.n) {
		struct tui_line *l = tui_doc_line(d, 6);
		tui_line_addf(l, TC_DIM, "and the %zu mount%s below it: the bind is recursive",
			      x->below.n, x->below.n == 1 ? "" : "s");
	}
	if (x->danger) {
		struct tui_line *l = tui_doc_line(d, 6);
		tui_line_addf(l, tui_mark_color(CMP_MARK_RISK), "%s a known way out of a container",
			      tui_mark(CMP_MARK_RISK));
	}
	tui_doc_blank(d);
}

static void present_items(struct tui_doc *d, const struct cmp_pair *p, const char *ref_name,
			  const char *subj_name, int width)
{
	const struct cmp_item **v = xcalloc(p->n_items + 1, sizeof(*v));
	size_t n = present_pick(p, v), shown = 0;
	cleanup_free char *title = xasprintf("%s, compared with %s", subj_name, ref_name);
	cleanup_free char *more = xasprintf("%s (continued)", title);
	struct tui_line *l;

	present_heading(d, title, true);
	if (!n) {
		l = tui_doc_line(d, 4);
		tui_line_add(l, "No difference that matters.", TC_NORMAL);
	}
	for (size_t i = 0; i < n && shown < PRESENT_ITEMS; i++, shown++) {
		/* Two ideas a page, so they can be read from the back. */
		if (shown && shown % 2 == 0 && i + 1 < n) {
			tui_doc_page(d);
			l = tui_doc_line(d, 2);
			tui_line_add(l, more, TC_HEADING);
			tui_doc_blank(d);
		}
		present_item(d, v[i], width);
	}
	if (n > shown) {
		l = tui_doc_line(d, 4);
		tui_line_addf(l, TC_DIM, "%s %zu more: P leaves presentation mode for every detail",
			      tui_glyph(TG_ELLIPSIS), n - shown);
	}
	free(v);
}

static void present_proof(struct tui_doc *d, const struct cmp_step *s, int width)
{
	for (size_t i = 0; i < s->n_actions; i++) {
		const struct cmp_action *a = &s->actions[i];
		struct tui_para p = {NULL, 0};
		enum tui_color c = a->as_expected ? tui_mark_color(a->mark) : TC_FAIL;

		if (i % 2 == 0)
			present_heading(d, "The proof", true);
		tui_para_word(&p, tui_mark(a->mark), c);
		tui_para_word(&p, a->id, TC_STRONG);
		tui_para_add(&p, a->result ? a->result : "?", c);
		if (!a->as_expected) {
			cleanup_free char *exp = xasprintf(" (%s expected: %s)", tui_mark(CMP_MARK_FAILED),
							   a->expected);
			tui_para_add(&p, exp, TC_FAIL);
		}
		tui_para_flush(&p, d, width, 4, 6);
		if (a->proof) {
			tui_doc_blank(d);
			if (a->canary_read)
				tui_para_word(&p, "the canary, read from the host:", TC_PROOF);
			tui_para_add(&p, a->proof, TC_PROOF);
			tui_para_flush(&p, d, width, 6, 6);
		} else if (a->detail) {
			tui_doc_blank(d);
			tui_para_add(&p, a->detail, TC_NORMAL);
			tui_para_flush(&p, d, width, 6, 6);
		}
		tui_doc_blank(d);
	}
}

/* Presentation: each disagreement on a page of its own. */
static void present_disagreements(struct tui_doc *d, const struct cmp_step *s, int width)
{
	for (size_t i = 0; i < s->n_containers; i++)
		for (size_t j = 0; j < s->containers[i].n_dis; j++) {
			const struct cmp_disagreement *v = &s->containers[i].dis[j];
			cleanup_free char *title =
				xasprintf("%s: Docker and the kernel disagree", s->containers[i].name);
			struct tui_para p = {NULL, 0};

			present_heading(d, title, true);
			tui_para_word(&p, "Docker says:", TC_STRONG);
			tui_para_add(&p, v->docker, TC_NORMAL);
			tui_para_flush(&p, d, width, 4, 6);
			tui_doc_blank(d);
			tui_para_word(&p, "The kernel says:", TC_STRONG);
			tui_para_add(&p, v->kernel, TC_NORMAL);
			tui_para_flush(&p, d, width, 4, 6);
			tui_doc_blank(d);
			if (v->why) {
				tui_para_word(&p, tui_mark(CMP_MARK_DISAGREE),
					      tui_mark_color(CMP_MARK_DISAGREE));
				tui_para_add(&p, v->why, TC_WARN);
				tui_para_flush(&p, d, width, 4, 6);
			}
		}
}

/* --- each container alone: what the kernel says, against Docker's default --- */

static void names_para(struct tui_para *p, uint64_t mask, enum tui_glyph mark, enum tui_color c,
		       bool notes)
{
	for (unsigned bit = 0; bit < 64; bit++) {
		const struct caps_note *note = caps_note(bit);
		cleanup_free char *name = NULL, *word = NULL;

		if (!(mask >> bit & 1))
			continue;
		name = caps_name(bit);
		word = xasprintf("%s%s", mark == TG_COUNT ? "" : tui_glyph(mark), name);
		tui_para_word(p, word, c);
		if (notes && note && note->dangerous) {
			cleanup_free char *risk = xasprintf("(%s way out)", tui_mark(CMP_MARK_RISK));
			tui_para_word(p, risk, tui_mark_color(CMP_MARK_RISK));
		}
	}
}

/* A row's label, padded so that the rows' text starts in one column. */
static void label(struct tui_para *p, const char *text, bool present)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%-*s", present ? 0 : 13, text);
	tui_para_add_code(p, buf, TC_DIM);
	if (present)
		tui_para_add(p, ": ", TC_DIM);
}

/* Move every line of src to the end of d. */
static void doc_move(struct tui_doc *d, struct tui_doc *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct tui_line *l = tui_doc_line(d, 0);
		bool page = l->page_break;
		*l = src->v[i];
		l->page_break |= page;
	}
	free(src->v);
	memset(src, 0, sizeof(*src));
}

static int caps_row(struct tui_para *p, const struct cmp_container *c, bool present)
{
	uint64_t added = cmp_caps_beyond_default(c), dropped = cmp_caps_dropped_from_default(c);
	int w = added ? 30 : 0;

	for (unsigned bit = 0; bit < 64; bit++) {
		const struct caps_note *n = caps_note(bit);
		if ((added >> bit & 1) && n && n->dangerous)
			w = 80;
	}
	label(p, "capabilities", present);
	if (!added && !dropped && !present) {
		tui_para_add(p, "Docker's default set:", TC_NORMAL);
		names_para(p, c->caps[CAPS_EFFECTIVE], TG_COUNT, TC_NORMAL, false);
		return w;
	}
	if (!added && !dropped) {
		cleanup_free char *n = xasprintf("Docker's default set: %zu capabilities, no more",
						 popcount(CAPS_DOCKER_DEFAULT));
		tui_para_add(p, n, TC_NORMAL);
		return w;
	}
	{
		cleanup_free char *head = xasprintf("%zu effective;", popcount(c->caps[CAPS_EFFECTIVE]));
		tui_para_add(p, head, TC_NORMAL);
	}
	if (added) {
		tui_para_add(p, " beyond Docker's default:", TC_NORMAL);
		names_para(p, added, TG_ADDED, TC_ADDED, true);
	}
	if (dropped) {
		/* Nothing dropped from the bounding set: the process is not
		 * root (a --user container), and a setuid-root program would
		 * regain them. */
		bool not_root = cmp_caps_only_not_root(c);
		tui_para_add(p, not_root ? added ? "; not effective, still in the bounding set:"
						 : " not effective (not root), still in the bounding set:"
				 : added ? "; dropped from it:"
					 : " dropped from Docker's default:",
			     TC_NORMAL);
		names_para(p, dropped, TG_REMOVED, TC_REMOVED, false);
	}
	return w;
}

static int ns_row(struct tui_para *p, const struct cmp_container *c, bool present)
{
	struct strbuf own = STRBUF_INIT, host = STRBUF_INIT;
	int w = 0;

	for (size_t i = 0; i < c->n_ns; i++) {
		const char *ns = c->ns[i].name;
		if (strstr(ns, "_for_children"))
			continue;
		if (c->ns[i].shared > 0)
			strbuf_addf(&host, "%s%s%s", host.len ? " " : "", tui_glyph(TG_HOST), ns);
		else if (c->ns[i].shared == 0)
			strbuf_addf(&own, "%s%s", own.len ? " " : "", ns);
		/* cgroup, time and user are the host's in a default container
		 * too (no cgroup or user namespace): only the others tell. */
		if (c->ns[i].shared > 0 && strcmp(ns, "cgroup") && strcmp(ns, "time") &&
		    strcmp(ns, "user") && cmp_ns_weight(ns) > w)
			w = cmp_ns_weight(ns);
	}
	label(p, "namespaces", present);
	if (own.len) {
		tui_para_add(p, "its own: ", TC_NORMAL);
		tui_para_add(p, strbuf_str(&own), TC_NORMAL);
	}
	if (host.len) {
		tui_para_add(p, own.len ? "; the host's: " : "the host's: ", TC_NORMAL);
		tui_para_add(p, strbuf_str(&host), TC_SHARED);
	}
	strbuf_release(&own);
	strbuf_release(&host);
	return w;
}

/* Whether mount i lies below a host bind listed before it (a recursive
 * bind's sub-mount), or repeats a target already seen. */
static bool mount_folded(const struct cmp_container *c, size_t i)
{
	const struct cmp_mount *m = &c->mounts[i];

	for (size_t j = 0; j < i; j++) {
		const struct cmp_mount *b = &c->mounts[j];
		if (strcmp(b->target, m->target) == 0 && !cmp_mount_plumbing(b))
			return true;
		if (b->kind && strcmp(b->kind, "host-bind") == 0 && !cmp_mount_plumbing(b) &&
		    util_path_within(m->target, b->target) && strcmp(b->target, m->target) != 0)
			return true;
	}
	return false;
}

static void bind_words(struct strbuf *binds, const struct cmp_container *c, size_t i)
{
	const struct cmp_mount *v = &c->mounts[i];
	size_t below = 0;

	if (strcmp(v->kind, "docker-socket") == 0) {
		strbuf_addf(binds, "%sthe Docker socket at %s%s", binds->len ? "; " : "", v->target,
			    v->read_only ? " (:ro, still the API)" : "");
		return;
	}
	for (size_t k = i + 1; k < c->n_mounts; k++) {
		const struct cmp_mount *m = &c->mounts[k];
		bool again = false;
		if (cmp_mount_plumbing(m) || strcmp(m->target, v->target) == 0 ||
		    !util_path_within(m->target, v->target))
			continue;
		for (size_t j = i + 1; j < k && !again; j++)
			again = strcmp(c->mounts[j].target, m->target) == 0;
		below += !again;
	}
	strbuf_addf(binds, "%s%s %s host %s, %s%s", binds->len ? "; " : "", v->target,
		    tui_glyph(TG_ARROW), v->host_path ? v->host_path : "?",
		    v->read_only ? "read-only" : "writable", v->sensitive ? " (sensitive)" : "");
	if (below)
		strbuf_addf(binds, ", with %zu mount%s below it", below, below == 1 ? "" : "s");
}

static int mounts_row(struct tui_para *p, const struct cmp_container *c, bool present)
{
	struct strbuf binds = STRBUF_INIT;
	size_t masked = 0;
	int w;

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct cmp_mount *v = &c->mounts[i];
		if (!v->kind)
			continue;
		masked += strcmp(v->kind, "masked") == 0;
		if (cmp_mount_plumbing(v) || mount_folded(c, i))
			continue;
		if (strcmp(v->kind, "docker-socket") == 0 || strcmp(v->kind, "host-bind") == 0)
			bind_words(&binds, c, i);
	}
	w = masked ? 0 : 35;
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct cmp_mount *v = &c->mounts[i];
		if (v->kind && !cmp_mount_plumbing(v) &&
		    (strcmp(v->kind, "docker-socket") == 0 || strcmp(v->kind, "host-bind") == 0) &&
		    cmp_mount_weight(v) > w)
			w = cmp_mount_weight(v);
	}
	label(p, "mounts", present);
	tui_para_add(p, binds.len ? strbuf_str(&binds) : "no host directory",
		     binds.len ? TC_ADDED : TC_NORMAL);
	if (masked && !present) {
		cleanup_free char *m = xasprintf("; %zu path%s masked by Docker", masked,
						 masked == 1 ? "" : "s");
		tui_para_add(p, m, TC_NORMAL);
	} else if (!masked) {
		tui_para_add(p, "; nothing masked", TC_WARN);
	}
	strbuf_release(&binds);
	return w;
}

static int security_row(struct tui_para *p, const struct cmp_container *c, bool present)
{
	bool off = c->seccomp && strcmp(c->seccomp, "disabled") == 0;
	cleanup_free char *sec = xasprintf("seccomp %s%s, no_new_privs %s, LSM %s",
					   c->seccomp ? c->seccomp : "?",
					   off ? " (no system call filter)" : "",
					   c->no_new_privs ? "set" : "not set", c->lsm ? c->lsm : "none");

	label(p, "security", present);
	tui_para_add(p, sec, TC_NORMAL);
	return off ? 60 : 0;
}

static void render_kernel_view(struct tui_doc *d, const struct cmp_container *c, int width,
			       bool present)
{
	static int (*const rowfn[])(struct tui_para *, const struct cmp_container *, bool) = {
		caps_row, ns_row, mounts_row, security_row,
	};
	enum { NROWS = ARRAY_SIZE(rowfn) };
	struct tui_doc rows[NROWS] = {{0}};
	int w[NROWS] = {0}, order[NROWS];
	int lab = present ? 4 : 5, body = present ? 6 : 18;
	struct tui_line *l = tui_doc_line(d, present ? 2 : 3);

	tui_line_add(l, c->name, present ? TC_HEADING : TC_STRONG);
	if (c->reference)
		tui_line_add(l, " (the reference)", TC_DIM);
	if (!present && c->pid >= 0)
		tui_line_addf(l, TC_DIM, "  host pid %lld", c->pid);
	if (present)
		tui_doc_blank(d);
	for (int k = 0; k < NROWS; k++) {
		struct tui_para p = {NULL, 0};
		w[k] = rowfn[k](&p, c, present);
		tui_para_flush(&p, &rows[k], width, lab, body);
		order[k] = k;
	}
	/* Biggest first; the order above where they weigh the same. */
	for (int a = 1; a < NROWS; a++)
		for (int b = a; b > 0 && w[order[b]] > w[order[b - 1]]; b--) {
			int tmp = order[b];
			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	for (int k = 0; k < NROWS; k++) {
		doc_move(d, &rows[order[k]]);
		if (present)
			tui_doc_blank(d);
	}
}

/* The namespace inodes of each container beside the host's, as
 * `ls -l /proc/PID/ns` prints them: the same number is the same namespace. */
static void render_inodes(struct tui_doc *d, const struct cmp_step *s, int width)
{
	int cw = (width - 6 - 20) / 3 < 12 ? 12 : (width - 6 - 20) / 3;

	for (size_t i = 0; i < s->n_containers; i++) {
		const struct cmp_container *c = &s->containers[i];
		cleanup_free char *title = NULL;

		if (!c->n_ns)
			continue;
		title = xasprintf("%s: its namespace inodes beside the host's", c->name);
		heading(d, title, 1, false);
		const struct rcell head[] = {{"namespace", 18, 2, TC_STRONG},
					     {"the host's", cw, 2, TC_DIM},
					     {c->name, cw, 2, TC_DIM},
					     {"", cw, 0, TC_DIM}};
		wrapped_row(d, 3, head, ARRAY_SIZE(head));
		for (size_t j = 0; j < c->n_ns; j++) {
			const struct cmp_ns *n = &c->ns[j];
			bool shared = n->shared > 0;
			if (strstr(n->name, "_for_children"))
				continue;
			cleanup_free char *hs = n->host_inode >= 0
							? xasprintf("%s:[%lld]", n->name, n->host_inode)
							: xstrdup("?");
			cleanup_free char *cs = n->inode >= 0 ? xasprintf("%s:[%lld]", n->name, n->inode)
							      : xstrdup("?");
			const struct rcell row[] = {
				{n->name, 18, 2, TC_NORMAL},
				{hs, cw, 2, TC_NORMAL},
				{cs, cw, 2, shared ? TC_SHARED : TC_NORMAL},
				{shared ? "the same: the host's" : "its own", cw, 0,
				 shared ? TC_SHARED : TC_DIM},
			};
			wrapped_row(d, 3, row, ARRAY_SIZE(row));
		}
		tui_doc_blank(d);
	}
}

/* The step's review as `isolab audit` prints it: per container, each
 * finding's check, severity, status (OPEN or accepted) and the reason an
 * accepted one gives (an open one: its evidence). */
static void render_audit(struct tui_doc *d, const struct cmp_step *s, int width)
{
	int sw = 9, stw = 9, cw = 24, rw = width - 3 - cw - 2 - sw - 2 - stw - 2;

	if (!s->n_review)
		return;
	if (rw < 16)
		rw = 16;
	heading(d, "The review, as isolab audit prints it", 1, true);
	const struct rcell head[] = {{"CHECK", cw, 2, TC_DIM},
				     {"SEVERITY", sw, 2, TC_DIM},
				     {"STATUS", stw, 2, TC_DIM},
				     {"REASON (accepted) / EVIDENCE (open)", rw, 0, TC_DIM}};
	wrapped_row(d, 3, head, ARRAY_SIZE(head));
	for (size_t i = 0; i < s->n_review; i++) {
		const struct cmp_review *c = &s->review[i];
		struct tui_line *l = tui_doc_line(d, 2);
		tui_line_add(l, c->name, TC_STRONG);
		if (!c->n_findings) {
			l = tui_doc_line(d, 3);
			tui_line_add(l, "no finding", TC_DIM);
		}
		for (size_t j = 0; j < c->n_findings; j++) {
			const struct cmp_finding *f = &c->findings[j];
			const char *why = f->accepted ? f->reason : f->evidence;
			const struct rcell row[] = {
				{f->check, cw, 2, TC_NORMAL},
				{f->severity, sw, 2, f->accepted ? TC_DIM : TC_DANGER},
				{f->accepted ? "accepted" : "OPEN", stw, 2,
				 f->accepted ? TC_ADDED : TC_DANGER},
				{why ? why : "", rw, 0, TC_DIM},
			};
			wrapped_row(d, 3, row, ARRAY_SIZE(row));
		}
	}
	tui_doc_blank(d);
}

static void render_kernel_views(struct tui_doc *d, const struct cmp_step *s, int width,
				bool present)
{
	bool any = false;

	for (size_t i = 0; i < s->n_containers; i++) {
		if (!s->containers[i].inspected)
			continue;
		if (present)
			present_heading(d, "What the kernel says", true);
		else if (!any)
			heading(d, "What the kernel says, container by container", 1, true);
		any = true;
		render_kernel_view(d, &s->containers[i], width, present);
		if (!present)
			tui_doc_blank(d);
	}
}

/* --- entry ------------------------------------------------------------------------------- */

static void render_pairs(struct tui_doc *d, const struct cmp_step *s,
			 const struct tui_compare_opts *o)
{
	for (size_t i = 0; i < s->n_pairs; i++) {
		const struct cmp_pair *p = &s->pairs[i];
		const char *rn = s->containers[p->ref].name, *sn = s->containers[p->subj].name;

		if (o->present) {
			present_items(d, p, rn, sn, o->width);
		} else {
			cleanup_free char *title = xasprintf("%s compared with %s, the reference", sn, rn);
			heading(d, title, 1, true);
			render_items(d, p, rn, sn, o->width, o->expand_mounts);
		}
	}
}

static void render_removed(struct tui_doc *d, const struct cmp_step *s, int width)
{
	struct tui_para p = {NULL, 0};

	if (!s->removed.n)
		return;
	tui_para_add(&p, "Removed at the end of the step:", TC_DIM);
	for (size_t j = 0; j < s->removed.n; j++)
		tui_para_word(&p, s->removed.v[j], TC_DIM);
	tui_para_flush(&p, d, width, 1, 3);
}

void tui_compare_model_doc(struct tui_doc *d, const struct cmp_step *s,
			   const struct tui_compare_opts *o)
{
	int width = o->width;

	if (o->present) {
		struct tui_line *l = tui_doc_line(d, 2);
		tui_line_add(l, "Result", TC_HEADING);
		tui_doc_blank(d);
	}
	render_summary(d, s, width, o->present);
	if (o->present && !cmp_step_ok(s)) {
		tui_doc_blank(d);
		render_expectations(d, s, width, true);
	}
	render_privileged(d, s, width, o->present);
	render_pairs(d, s, o);
	if (o->present) {
		if (!s->n_pairs)
			render_kernel_views(d, s, width, true);
		if (o->inodes)
			render_inodes(d, s, width);
		render_audit(d, s, width);
		present_disagreements(d, s, width);
		present_proof(d, s, width);
		return;
	}
	render_kernel_views(d, s, width, false);
	if (o->inodes)
		render_inodes(d, s, width);
	render_audit(d, s, width);
	render_docker_kernel(d, s, width);
	render_actions(d, s, width, o->full_argv);
	if (s->n_expects) {
		heading(d, "Expectations", 1, true);
		render_expectations(d, s, width, false);
		tui_doc_blank(d);
	}
	render_removed(d, s, width);
}

/* The model of the transcript shown, built once: the screen lays the
 * results out again on every resize and key, from the same transcript
 * (held here by a reference of its own, so that its address cannot be a
 * new one's). */
static struct {
	json_t *tr;
	bool bounding;
	int rc;
	struct cmp_step s;
	struct err e;
} model;

static const struct cmp_step *model_of(json_t *tr, bool bounding, const struct err **e)
{
	struct cmp_opts co = {.bounding = bounding};

	if (!model.tr || model.tr != tr || model.bounding != bounding) {
		cmp_step_free(&model.s);
		json_decref(model.tr);
		err_clear(&model.e);
		model.tr = json_incref(tr);
		model.bounding = bounding;
		model.rc = cmp_step_decode(tr, &co, &model.s, &model.e);
	}
	*e = &model.e;
	return model.rc < 0 ? NULL : &model.s;
}

void tui_compare_doc(struct tui_doc *d, json_t *tr, const struct tui_compare_opts *o)
{
	const struct err *e;
	const struct cmp_step *s = model_of(tr, o->bounding, &e);

	if (!s) {
		struct tui_para p = {NULL, 0};
		tui_para_word(&p, tui_mark(CMP_MARK_FAILED), tui_mark_color(CMP_MARK_FAILED));
		tui_para_add(&p, e->msg, TC_FAIL);
		tui_para_flush(&p, d, o->width, 1, 3);
		return;
	}
	tui_compare_model_doc(d, s, o);
}

char *tui_compare_summary(json_t *tr, bool *all_held)
{
	const struct err *e;
	/* The bounding row is no part of the summary: any model will do. */
	const struct cmp_step *s = model_of(tr, model.tr == tr && model.bounding, &e);

	*all_held = s && cmp_step_ok(s);
	return s ? cmp_step_summary(s) : xstrdup(e->msg);
}

void tui_doc_plain(const struct tui_doc *d, struct argv *lines)
{
	for (size_t i = 0; i < d->n; i++) {
		const struct tui_line *l = &d->v[i];
		struct strbuf sb = STRBUF_INIT;

		for (int k = 0; k < l->indent; k++)
			strbuf_addc(&sb, ' ');
		for (size_t k = 0; k < l->n; k++)
			strbuf_adds(&sb, l->spans[k].text);
		/* What a screen shows: no trailing blanks. */
		while (sb.len && sb.buf[sb.len - 1] == ' ')
			sb.buf[--sb.len] = '\0';
		argv_push(lines, strbuf_str(&sb));
		strbuf_release(&sb);
	}
}
