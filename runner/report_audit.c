/* report_audit.c: the renderings of an audit (runner/audit.c finds, this
 * says): the JSON array DESIGN.md fixes, the text (a libsmartcols tree,
 * one branch per container, then notes and a legend) and --explain. Colours
 * are report_tone's; wrapping counts terminal columns. */
#include "audit.h"
#include "report.h"

#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <sys/param.h>

/* The severity's tone; never the only signal, the word is spelt out. */
static const char *severity_color(enum audit_severity s)
{
	switch (s) {
	case AUDIT_CRITICAL:
		return report_tone_color(TONE_ALARM);
	case AUDIT_HIGH:
		return report_tone_color(TONE_BAD);
	case AUDIT_MEDIUM:
		return report_tone_color(TONE_WARN);
	default:
		return NULL;
	}
}

/* ---- JSON ------------------------------------------------------------------------ */

static json_t *finding_json(const struct audit_finding *f)
{
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:o, s:s, s:s}", "check", f->check->name,
			      "severity", audit_severity_name(f->severity), "evidence", f->evidence,
			      "accepted", f->accepted, "reason", report_json_str(f->reason), "risk",
			      f->check->risk, "fix", f->fix);

	if (f->reason_blank)
		json_object_set_new(j, "reason_rejected",
				    json_string("the reason label is blank: a reason must say why"));
	if (f->userns_lowered)
		json_object_set_new(j, "lowered_for_user_namespace", json_true());
	if (f->caps.n)
		json_object_set_new(j, "capabilities", report_json_argv(&f->caps));
	if (f->target)
		json_object_set_new(j, "target", json_string(f->target));
	if (f->host_path)
		json_object_set_new(j, "host_path", json_string(f->host_path));
	if (f->socket)
		json_object_set_new(j, "socket_path", json_string(f->socket));
	if (f->read_only >= 0)
		json_object_set_new(j, "read_only", json_boolean(f->read_only));
	if (f->below.n)
		json_object_set_new(j, "below", report_json_argv(&f->below));
	if (f->ns) {
		json_object_set_new(j, "namespace", json_string(f->ns));
		json_object_set_new(j, "inode", f->ns_inode ? json_integer((json_int_t)f->ns_inode)
							    : json_null());
	}
	if (f->docker_privileged >= 0) {
		json_object_set_new(j, "docker_privileged", json_boolean(f->docker_privileged));
		json_object_set_new(j, "kernel_privileged", json_boolean(f->kernel_privileged));
	}
	return j;
}

json_t *audit_report_json(const struct audit_report *r, enum audit_severity min)
{
	json_t *all = json_array();

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		json_t *findings = json_array();
		json_t *notes = report_json_argv(&c->notes);

		for (size_t j = 0; j < c->n; j++)
			if (c->v[j].severity >= min)
				json_array_append_new(findings, finding_json(&c->v[j]));
		for (size_t j = 0; j < r->notes.n; j++)
			json_array_append_new(notes, json_string(r->notes.v[j]));
		json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "container_id", c->id, "name", c->name,
				      "image", c->image, "findings", findings);
		json_object_set_new(o, "gone", json_boolean(c->gone));
		if (c->gone)
			json_object_set_new(o, "gone_reason", json_string(c->gone_why));
		if (c->error)
			json_object_set_new(o, "error", json_string(c->error));
		if (!c->gone && !c->error)
			json_object_set_new(o, "user_namespace",
					    json_pack("{s:b, s:o}", "own", c->own_userns, "uid_map",
						      report_json_str(c->uid_map)));
		json_object_set_new(o, "notes", notes);
		json_array_append_new(all, o);
	}
	return all;
}

/* ---- text -------------------------------------------------------------------------- */

struct text {
	const struct audit_report *r;
	enum audit_severity min;
	const struct report_opts *o;
	size_t detail_width; /* 0: no wrapping */
	const struct audit_check *checks; /* the table, for a finding's index */
};

/* The table's columns, as data: each cell is set by its column's id. */
enum col_id { C_CHECK, C_SEV, C_STATUS, C_DETAIL, C_N };
static const struct {
	const char *name;
	double whint; /* C_DETAIL's: the detail width, or 0.7 when not wrapped */
	int flags;
} cols[C_N] = {
	[C_CHECK] = {"CONTAINER / CHECK", 0.15, SCOLS_FL_TREE},
	[C_SEV] = {"SEVERITY", 8, 0},
	[C_STATUS] = {"STATUS", 8, 0},
	[C_DETAIL] = {"EVIDENCE, FIX, REASON", 0.7, 0},
};

static void cell(const struct text *t, struct libscols_line *ln, enum col_id col, const char *text,
		 const char *color)
{
	if (col == C_DETAIL && t->detail_width && text) {
		char *w = report_word_wrap(text, t->detail_width);
		scols_line_refer_data(ln, col, w); /* the line frees it */
	} else {
		scols_line_set_data(ln, col, text ? text : "");
	}
	if (color && t->o->color)
		scols_cell_set_color(scols_line_get_cell(ln, col), color);
}

static const char *display_name(const struct audit_container *c)
{
	static char shortid[13];

	if (*c->name)
		return c->name;
	snprintf(shortid, sizeof(shortid), "%.12s", c->id);
	return shortid;
}

static size_t shown(const struct audit_container *c, enum audit_severity min, size_t *open)
{
	size_t n = 0;

	if (open)
		*open = 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].severity >= min) {
			n++;
			if (open)
				*open += !c->v[i].accepted;
		}
	return n;
}

/* The width the first three columns take: the tree column's longest entry
 * (two characters of tree per level), SEVERITY and STATUS, and separators. */
static size_t left_width(const struct audit_report *r, enum audit_severity min)
{
	size_t w = strlen("CONTAINER / CHECK");

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		if (!shown(c, min, NULL) || c->gone || c->error)
			continue;
		w = MAX(w, strlen(display_name(c)));
		for (size_t j = 0; j < c->n; j++)
			w = MAX(w, 2 + strlen(c->v[j].check->name));
		w = MAX(w, 4 + strlen("reason"));
	}
	return w + 1 + strlen("critical") + 1 + strlen("accepted") + 1;
}

static void text_table(FILE *out, const struct text *t, bool *seen)
{
	const struct audit_report *r = t->r;
	struct libscols_table *tb = report_table_new(report_term_width(out), t->o);

	/* A wrapped cell comes in lines; libsmartcols splits it at them. */
	for (int i = 0; i < C_N; i++) {
		bool wrapped = i == C_DETAIL && t->detail_width;
		report_table_column(tb, cols[i].name, wrapped ? (double)t->detail_width : cols[i].whint,
				    cols[i].flags | (wrapped ? SCOLS_FL_WRAP : 0));
	}

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		size_t open;
		int w = -1;

		if (!shown(c, t->min, &open) || c->gone || c->error)
			continue;
		for (size_t j = 0; j < c->n; j++)
			if (c->v[j].severity >= t->min && (int)c->v[j].severity > w)
				w = (int)c->v[j].severity;
		struct libscols_line *cl = scols_table_new_line(tb, NULL);
		cleanup_free char *status = open ? xasprintf("%zu open", open) : xstrdup("accepted");
		cleanup_free char *about =
			c->own_userns ? xasprintf("image %s; in its own user namespace (uid_map %s)",
						  c->image, c->uid_map ? c->uid_map : "?")
				      : xasprintf("image %s", c->image);
		cell(t, cl, C_CHECK, display_name(c), NULL);
		cell(t, cl, C_SEV, audit_severity_name(w), severity_color(w));
		cell(t, cl, C_STATUS, status, NULL);
		cell(t, cl, C_DETAIL, about, NULL);
		for (size_t j = 0; j < c->n; j++) {
			const struct audit_finding *f = &c->v[j];
			if (f->severity < t->min)
				continue;
			seen[f->check - t->checks] = true;
			struct libscols_line *fl = scols_table_new_line(tb, cl);
			cell(t, fl, C_CHECK, f->check->name, NULL);
			cell(t, fl, C_SEV, audit_severity_name(f->severity), severity_color(f->severity));
			cell(t, fl, C_STATUS, f->accepted ? "accepted" : "OPEN",
			     f->accepted ? report_tone_color(TONE_GOOD) : NULL);
			cell(t, fl, C_DETAIL, f->evidence, NULL);
			struct libscols_line *xl = scols_table_new_line(tb, fl);
			cell(t, xl, C_CHECK, "fix", NULL);
			cell(t, xl, C_DETAIL, f->fix, NULL);
			if (f->accepted || f->reason_blank) {
				struct libscols_line *rl = scols_table_new_line(tb, fl);
				cleanup_free char *why =
					f->accepted ? xstrdup(f->reason)
						    : xasprintf("(label " AUDIT_REASON_PREFIX "%s is blank: not "
								"accepted; a reason must say why)",
								f->check->name);
				cell(t, rl, C_CHECK, "reason", NULL);
				cell(t, rl, C_DETAIL, why, NULL);
			}
		}
		for (size_t j = 0; j < c->notes.n; j++) {
			struct libscols_line *nl = scols_table_new_line(tb, cl);
			cell(t, nl, C_CHECK, "note", NULL);
			cell(t, nl, C_DETAIL, c->notes.v[j], NULL);
		}
	}
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/* An unread container's findings from Docker's view, under its line: the
 * table holds only what the kernel confirmed. */
static void unread_findings(FILE *out, const struct audit_container *c, size_t prose)
{
	for (size_t j = 0; j < c->n; j++) {
		const struct audit_finding *f = &c->v[j];
		cleanup_free char *fl = xasprintf("%s (%s%s): %s", f->check->name,
						  audit_severity_name(f->severity),
						  f->accepted ? ", accepted" : "", f->evidence);
		report_wrap(out, "  ", fl, prose);
	}
}

/* The legend under the table, and the risk of each check it showed. */
static void legend(FILE *out, enum audit_severity min, const bool *seen,
		   const struct audit_check *checks, size_t n_checks, size_t prose)
{
	cleanup_free char *legend = xasprintf(
		"Legend: severity critical > high > medium > low > info (info only with "
		"--min-severity info). OPEN findings of %s severity or worse make the exit status 1; "
		"accept one by labelling the container when it is created: --label "
		"'" AUDIT_REASON_PREFIX "CHECK=why it needs this'. `isolab audit --explain CHECK` "
		"says what a check means and how to fix it.",
		audit_severity_name(audit_gate(min)));
	fputc('\n', out);
	report_wrap(out, "", legend, prose);
	for (size_t i = 0; i < n_checks; i++) {
		if (!seen[i])
			continue;
		cleanup_free char *head = xasprintf("  %-21s ", checks[i].name);
		cleanup_free char *w = report_word_wrap(checks[i].risk, prose > 40 ? prose - 24 : 40);
		bool first = true;
		for (char *line = w, *next; line; line = next, first = false) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			fprintf(out, "%s%s\n", first ? head : "                        ", line);
		}
	}
}

void audit_report_text(FILE *out, const struct audit_report *r, enum audit_severity min,
		       const struct report_opts *o)
{
	size_t n_checks;
	const struct audit_check *checks = audit_checks(&n_checks);
	cleanup_free bool *seen = xcalloc(n_checks, sizeof(*seen));
	size_t with = 0, open_total = 0, reviewed = 0, unread = 0;
	size_t tw = report_term_width(out);
	size_t prose = tw ? MIN(tw - 1, 100) : 78;
	struct argv clean = ARGV_INIT;
	struct text t = {.r = r, .min = min, .o = o, .checks = checks};

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		size_t open;
		unread += c->error != NULL;
		if (c->gone || c->error)
			continue;
		reviewed++;
		if (shown(c, min, &open)) {
			with++;
			open_total += open;
		} else {
			argv_push(&clean, display_name(c));
		}
	}
	if (tw) {
		size_t left = left_width(r, min);
		t.detail_width = tw > left + 30 ? tw - left - 1 : 30;
	}

	if (r->n_isolab)
		fprintf(out, "Left out: %zu of isolab's own lab containers (--include-isolab to "
			     "audit them).\n",
			r->n_isolab);
	if (!r->n) {
		fputs("No running containers to audit: no findings.\n", out);
	} else if (!with && unread) {
		/* Never "No findings" while a container went unread. */
		fprintf(out, "Not a pass: %zu container%s could not be read (below); %zu reviewed, "
			     "none with a finding of %s severity or worse.\n",
			unread, unread == 1 ? "" : "s", reviewed, audit_severity_name(min));
	} else if (!with) {
		fprintf(out, "No findings: %zu container%s reviewed, none with a finding of %s "
			     "severity or worse.\n",
			reviewed, reviewed == 1 ? "" : "s", audit_severity_name(min));
	} else {
		fprintf(out, "%zu of %zu container%s with findings of %s severity or worse; %zu "
			     "open.\n\n",
			with, reviewed, reviewed == 1 ? "" : "s", audit_severity_name(min), open_total);
		text_table(out, &t, seen);
		if (clean.n) {
			cleanup_free char *list = argv_join(&clean, ", ");
			cleanup_free char *line = xasprintf("No findings of %s severity or worse: %s",
							    audit_severity_name(min), list);
			fputc('\n', out);
			report_wrap(out, "", line, prose);
		}
	}
	argv_free(&clean);

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		cleanup_free char *line = NULL;
		if (c->gone)
			line = xasprintf("Gone, not reviewed: %s: %s", display_name(c),
					 c->gone_why);
		else if (c->error)
			line = xasprintf("Could not audit %s: %s", display_name(c), c->error);
		if (line)
			report_wrap(out, "", line, prose);
		if (c->error)
			unread_findings(out, c, prose);
		else if (!shown(c, min, NULL))
			for (size_t j = 0; j < c->notes.n; j++) {
				cleanup_free char *n = xasprintf("Note on %s: %s", display_name(c),
								 c->notes.v[j]);
				report_wrap(out, "", n, prose);
			}
	}
	for (size_t i = 0; i < r->notes.n; i++) {
		cleanup_free char *n = xasprintf("Note: %s.", r->notes.v[i]);
		report_wrap(out, "", n, prose);
	}

	if (with)
		legend(out, min, seen, checks, n_checks, prose);

}

/* ---- --explain ------------------------------------------------------------------------ */

void audit_explain(FILE *out, const struct audit_check *c)
{
	cleanup_free char *fix = audit_explain_fix(c);
	cleanup_free char *sev = c->severity_rule ? xstrdup(c->severity_rule)
						  : xstrdup(audit_severity_name(c->severity));
	cleanup_free char *label = xasprintf("--label '" AUDIT_REASON_PREFIX "%s=why this container "
					     "needs it'",
					     c->name);

	fprintf(out, "%s\n\n", c->name);
	fputs("Risk\n", out);
	report_wrap(out, "  ", c->risk, 74);
	fputs("Severity\n", out);
	report_wrap(out, "  ", sev, 74);
	fputs("What it checks\n", out);
	report_wrap(out, "  ", c->what, 74);
	fputs("Why it matters\n", out);
	report_wrap(out, "  ", c->why, 74);
	fputs("How to fix it\n", out);
	report_wrap(out, "  ", fix, 74);
	fputs("How to accept it\n", out);
	report_wrap(out, "  ",
	     "When the container needs it, write down why, as a label set when the container is "
	     "created (labels cannot be changed later):",
	     74);
	fprintf(out, "    docker run %s ...\n", label);
	report_wrap(out, "  ",
	     "(Compose: under labels:.) The finding is then shown as accepted, with the reason, "
	     "and no longer fails the audit. A blank reason does not count.",
	     74);
}
