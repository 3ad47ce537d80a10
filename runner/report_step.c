/* report_step.c: a step's result as `isolab run` prints it, drawn from the
 * comparison model (compare.h) that the TUI and presentation mode draw
 * too: what --privileged became here, what the kernel says of each
 * container, each comparison, the review, the expectations. The tables go
 * through libsmartcols, one column set each, cells set by column id; they
 * wrap at word boundaries on a terminal and not when piped. */
#include "compare.h"
#include "report.h"

#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

/* A table of this file: its columns as data, the column that wraps, and
 * the width it wraps at (0: not wrapped). */
struct col {
	const char *name;
	double whint;
	int flags;
};

struct table {
	struct libscols_table *tb;
	const struct report_opts *o;
	int wrap_col;
	size_t wrap;
};

static void table_new(struct table *t, FILE *out, const struct col *cols, int n, int wrap_col,
		      size_t left, const struct report_opts *o)
{
	size_t tw = report_term_width(out);

	t->tb = report_table_new(tw, o);
	t->o = o;
	t->wrap_col = wrap_col;
	t->wrap = report_cell_width(tw, left);
	scols_table_set_stream(t->tb, out);
	for (int i = 0; i < n; i++) {
		bool wrapped = i == wrap_col && t->wrap;
		report_table_column(t->tb, cols[i].name, wrapped ? (double)t->wrap : cols[i].whint,
				    cols[i].flags | (wrapped ? SCOLS_FL_WRAP : 0));
	}
}

static void table_print(struct table *t)
{
	scols_print_table(t->tb);
	scols_unref_table(t->tb);
}

static struct libscols_line *table_line(struct table *t, struct libscols_line *parent)
{
	struct libscols_line *ln = scols_table_new_line(t->tb, parent);

	if (!ln)
		abort();
	return ln;
}

static void cell(struct table *t, struct libscols_line *ln, int col, const char *text,
		 enum report_tone tone)
{
	if (col == t->wrap_col && text)
		scols_line_refer_data(ln, col, report_cell_wrap(text, t->wrap)); /* the line frees it */
	else
		scols_line_set_data(ln, col, text ? text : "");
	if (tone != TONE_PLAIN && t->o->color)
		scols_cell_set_color(scols_line_get_cell(ln, col), report_tone_color(tone));
}

static size_t popcount(uint64_t m)
{
	return (size_t)__builtin_popcountll(m);
}

/* ---- --privileged on this host ----------------------------------------------------- */

static void privileged_notes(FILE *out, const struct cmp_step *s)
{
	for (size_t i = 0; i < s->n_containers; i++) {
		const struct cmp_container *c = &s->containers[i];

		if (c->approximated) {
			cleanup_free char *repl = util_argv_to_shell(c->replacement.v);
			fprintf(out, "\nNote: %s asks for --privileged, which this host cannot grant in full.\n"
				     "It ran as: %s\n", c->name, repl);
			for (size_t k = 0; k < c->left_out.n; k++)
				fprintf(out, "  - left out: %s\n", c->left_out.v[k]);
		}
		if (c->privileged && c->inspected && c->grantable_known) {
			uint64_t eff = c->caps[CAPS_EFFECTIVE];
			cleanup_free char *missing = caps_join(c->grantable & ~eff, " ");
			fprintf(out, "%s holds %zu of the %zu capabilities this kernel knows%s%s\n", c->name,
				popcount(eff), popcount(c->grantable), *missing ? "; not granted: " : ".",
				missing);
		}
	}
}

/* ---- what the kernel says ----------------------------------------------------------- */

enum kv_col { K_WHAT, K_SAYS, K_N };
static const struct col kv_cols[K_N] = {
	[K_WHAT] = {"CONTAINER", 0.2, SCOLS_FL_TREE},
	[K_SAYS] = {"WHAT THE KERNEL SAYS", 0.8, 0},
};

static void kv(struct table *t, struct libscols_line *parent, const char *what, const char *says,
	       enum report_tone tone)
{
	struct libscols_line *ln = table_line(t, parent);

	cell(t, ln, K_WHAT, what, TONE_PLAIN);
	cell(t, ln, K_SAYS, says, tone);
}

static void caps_rows(struct table *t, struct libscols_line *cl, const struct cmp_container *c)
{
	uint64_t eff = c->caps[CAPS_EFFECTIVE];
	uint64_t added = cmp_caps_beyond_default(c), dropped = cmp_caps_dropped_from_default(c);
	cleanup_free char *n = xasprintf("%zu (effective %016llx)", popcount(eff),
					 (unsigned long long)eff);

	kv(t, cl, "capabilities", n, TONE_PLAIN);
	if (added) {
		cleanup_free char *a = caps_join(added, " ");
		kv(t, cl, "beyond Docker's default", a, TONE_BAD);
	}
	if (dropped) {
		cleanup_free char *d = caps_join(dropped, " ");
		kv(t, cl, "dropped from Docker's default", d, TONE_GOOD);
	}
}

static void ns_rows(struct table *t, struct libscols_line *cl, const struct cmp_container *c)
{
	struct strbuf shared = STRBUF_INIT, own = STRBUF_INIT;

	for (size_t i = 0; i < c->n_ns; i++) {
		const struct cmp_ns *n = &c->ns[i];
		if (n->shared == 1)
			strbuf_addf(&shared, "%s%s", shared.len ? " " : "", n->name);
		else if (n->shared == 0 && !strstr(n->name, "_for_children"))
			strbuf_addf(&own, "%s%s:[%lld]", own.len ? " " : "", n->name, n->inode);
	}
	kv(t, cl, "namespaces shared with the host", shared.len ? shared.buf : "none",
	   shared.len ? TONE_WARN : TONE_PLAIN);
	if (own.len)
		kv(t, cl, "its own namespaces", own.buf, TONE_PLAIN);
	strbuf_release(&shared);
	strbuf_release(&own);
}

static bool is_bind(const struct cmp_mount *m)
{
	return m->kind && (strcmp(m->kind, "host-bind") == 0 || strcmp(m->kind, "docker-socket") == 0);
}

/* The host's directories and the socket, each once: what a recursive bind
 * brought along is counted under it, not listed. */
static void mount_rows(struct table *t, struct libscols_line *cl, const struct cmp_container *c)
{
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct cmp_mount *m = &c->mounts[i];
		size_t below = 0, j;

		if (!is_bind(m) || !m->host_path || cmp_mount_plumbing(m))
			continue;
		for (j = i + 1; j < c->n_mounts && util_path_within(c->mounts[j].target, m->target); j++)
			below += strcmp(c->mounts[j].target, m->target) != 0;
		cleanup_free char *what = xasprintf(
			"%s %s", strcmp(m->kind, "docker-socket") == 0 ? "socket" : "bind", m->target);
		cleanup_free char *more =
			below ? xasprintf("; and %zu mount%s below it", below, below == 1 ? "" : "s")
			      : xstrdup("");
		cleanup_free char *says =
			xasprintf("host %s (%s%s)%s", m->host_path, m->read_only ? "read-only" : "writable",
				  m->sensitive ? ", sensitive" : "", more);
		kv(t, cl, what, says, m->sensitive || !m->read_only ? TONE_BAD : TONE_WARN);
		i = j - 1;
	}
}

static void kernel_rows(struct table *t, const struct cmp_container *c)
{
	struct libscols_line *cl = table_line(t, NULL);
	cleanup_free char *head = c->inspected ? xasprintf("host pid %lld", c->pid) : NULL;

	cell(t, cl, K_WHAT, c->name, TONE_PLAIN);
	if (!c->inspected) {
		cell(t, cl, K_SAYS, c->error ? c->error : "not running", TONE_BAD);
		return;
	}
	cell(t, cl, K_SAYS, c->reference ? "the reference" : "", TONE_PLAIN);
	kv(t, cl, "process", head, TONE_PLAIN);
	caps_rows(t, cl, c);
	ns_rows(t, cl, c);
	mount_rows(t, cl, c);
	cleanup_free char *sec = xasprintf("seccomp %s, no_new_privs %s, LSM %s",
					   c->seccomp ? c->seccomp : "?", c->no_new_privs ? "yes" : "no",
					   c->lsm ? c->lsm : "none");
	kv(t, cl, "security", sec, TONE_PLAIN);
	for (size_t i = 0; i < c->n_dis; i++) {
		const struct cmp_disagreement *d = &c->dis[i];
		cleanup_free char *say = xasprintf("Docker says %s; the kernel: %s%s%s", d->docker,
						   d->kernel, d->why ? ". " : "", d->why ? d->why : "");
		kv(t, cl, "! Docker and the kernel disagree", say, TONE_WARN);
	}
}

static void kernel_views(FILE *out, const struct cmp_step *s, const struct report_opts *o)
{
	struct table t;

	if (!s->n_containers)
		return;
	fputs("\nWhat the kernel says\n", out);
	table_new(&t, out, kv_cols, K_N, K_SAYS, 34, o);
	for (size_t i = 0; i < s->n_containers; i++)
		kernel_rows(&t, &s->containers[i]);
	table_print(&t);
}

/* ---- the comparisons ------------------------------------------------------------------ */

enum pair_col { P_WHAT, P_REF, P_SUBJ, P_MEANS, P_N };

static enum report_tone tone_of(enum cmp_tone t)
{
	switch (t) {
	case CMP_TONE_ADDED:
		return TONE_BAD;
	case CMP_TONE_REMOVED:
		return TONE_GOOD;
	case CMP_TONE_HOST:
	case CMP_TONE_WARN:
		return TONE_WARN;
	default:
		return TONE_PLAIN;
	}
}

static char *item_means(const struct cmp_item *x)
{
	const char *risk = x->sec == CMP_SEC_CAPS ? "way out" : x->sec == CMP_SEC_NS ? "the host's"
											: "risk";
	struct strbuf sb = STRBUF_INIT;

	if (x->danger)
		strbuf_addf(&sb, "! %s: ", risk);
	if (x->note)
		strbuf_adds(&sb, x->note);
	if (x->below.n)
		strbuf_addf(&sb, "%s(and %zu mount%s below it)", sb.len ? " " : "", x->below.n,
			    x->below.n == 1 ? "" : "s");
	return strbuf_detach(&sb);
}

static void item_row(struct table *t, struct libscols_line *sec, const struct cmp_item *x)
{
	struct libscols_line *ln = table_line(t, sec);
	cleanup_free char *label = x->host ? xasprintf("%s (host %s)", x->label, x->host)
					   : xstrdup(x->label);
	cleanup_free char *means = item_means(x);

	cell(t, ln, P_WHAT, label, TONE_PLAIN);
	cell(t, ln, P_REF, x->ref, tone_of(x->ref_tone));
	cell(t, ln, P_SUBJ, x->subj, tone_of(x->subj_tone));
	cell(t, ln, P_MEANS, means, x->danger ? TONE_BAD : TONE_PLAIN);
}

static void pair_table(FILE *out, const struct cmp_step *s, const struct cmp_pair *p,
		       const struct report_opts *o)
{
	const char *rn = s->containers[p->ref].name, *sn = s->containers[p->subj].name;
	const struct col cols[P_N] = {
		[P_WHAT] = {"DIFFERENCE", 0.25, SCOLS_FL_TREE},
		[P_REF] = {rn, 0.15, 0},
		[P_SUBJ] = {sn, 0.15, 0},
		[P_MEANS] = {"WHAT IT MEANS", 0.45, 0},
	};
	enum cmp_section order[CMP_SEC_COUNT];
	struct table t;

	fprintf(out, "\n%s against %s\n", sn, rn);
	bool info = false;
	for (int k = 0; k < CMP_SEC_COUNT; k++)
		info |= p->info[k].n > 0;
	if (!p->n_items && !info) {
		fputs("  the same, as far as the kernel shows\n", out);
		return;
	}
	table_new(&t, out, cols, P_N, P_MEANS, 60, o);
	cmp_section_order(p, order);
	for (int k = 0; k < CMP_SEC_COUNT; k++) {
		enum cmp_section sec = order[k];
		struct libscols_line *sl = NULL;
		bool any = p->info[sec].n > 0;

		for (size_t i = 0; i < p->n_items; i++)
			any |= p->items[i].sec == sec;
		if (!any)
			continue;
		sl = table_line(&t, NULL);
		cell(&t, sl, P_WHAT, cmp_section_title(sec), TONE_PLAIN);
		for (size_t i = 0; i < p->n_items; i++)
			if (p->items[i].sec == sec)
				item_row(&t, sl, &p->items[i]);
		for (size_t i = 0; i < p->info[sec].n; i++) {
			struct libscols_line *ln = table_line(&t, sl);
			cell(&t, ln, P_MEANS, p->info[sec].v[i], TONE_PLAIN);
		}
	}
	table_print(&t);
}

/* ---- the review ------------------------------------------------------------------------ */

enum rev_col { R_CHECK, R_SEV, R_STATUS, R_WHY, R_N };
static const struct col rev_cols[R_N] = {
	[R_CHECK] = {"CONTAINER / CHECK", 0.2, SCOLS_FL_TREE},
	[R_SEV] = {"SEVERITY", 8, 0},
	[R_STATUS] = {"STATUS", 8, 0},
	[R_WHY] = {"EVIDENCE (OPEN), REASON (accepted)", 0.6, 0},
};

static enum report_tone severity_tone(const char *sev)
{
	return strcmp(sev, "critical") == 0 ? TONE_ALARM
	       : strcmp(sev, "high") == 0   ? TONE_BAD
	       : strcmp(sev, "medium") == 0 ? TONE_WARN
					    : TONE_PLAIN;
}

static void review(FILE *out, const struct cmp_step *s, const struct report_opts *o)
{
	struct table t;

	if (!s->n_review)
		return;
	fputs("\nThe review (isolab audit of these containers)\n", out);
	table_new(&t, out, rev_cols, R_N, R_WHY, 44, o);
	for (size_t i = 0; i < s->n_review; i++) {
		const struct cmp_review *c = &s->review[i];
		struct libscols_line *cl = table_line(&t, NULL);

		cell(&t, cl, R_CHECK, c->name, TONE_PLAIN);
		if (!c->n_findings)
			cell(&t, cl, R_WHY, "no finding", TONE_PLAIN);
		for (size_t j = 0; j < c->n_findings; j++) {
			const struct cmp_finding *f = &c->findings[j];
			struct libscols_line *fl = table_line(&t, cl);
			cell(&t, fl, R_CHECK, f->check, TONE_PLAIN);
			cell(&t, fl, R_SEV, f->severity, severity_tone(f->severity));
			cell(&t, fl, R_STATUS, f->accepted ? "accepted" : "OPEN",
			     f->accepted ? TONE_GOOD : TONE_PLAIN);
			cell(&t, fl, R_WHY, f->accepted ? f->reason : f->evidence, TONE_PLAIN);
		}
	}
	table_print(&t);
}

/* ---- the expectations and the end ------------------------------------------------------ */

static void expectations(FILE *out, const struct cmp_step *s, const struct report_opts *o)
{
	const char *ok = o->ascii ? "ok  " : "✓";
	const char *bad = o->ascii ? "FAIL" : "✗";

	if (!s->n_expects)
		return;
	fputs("\nExpectations\n", out);
	for (size_t i = 0; i < s->n_expects; i++) {
		const struct cmp_expect *x = &s->expects[i];
		const char *mark = x->held ? ok : bad;

		fputs("  ", out);
		report_toned(out, x->held ? TONE_GOOD : TONE_BAD, mark, o->color);
		fprintf(out, " %s\n", x->text);
		if (!x->held && x->seen)
			fprintf(out, "      seen: %s\n", x->seen);
		if (x->why)
			fprintf(out, "      why: %s\n", x->why);
	}
}

void report_step_text(FILE *out, const struct cmp_step *s, const struct report_opts *o)
{
	privileged_notes(out, s);
	kernel_views(out, s, o);
	for (size_t i = 0; i < s->n_pairs; i++)
		pair_table(out, s, &s->pairs[i], o);
	review(out, s, o);
	expectations(out, s, o);
	if (s->error)
		fprintf(out, "\nThe step stopped: %s\n", s->error);
	if (s->removed.n)
		fprintf(out, "\nRemoved %zu container%s.\n", s->removed.n, s->removed.n == 1 ? "" : "s");
}
