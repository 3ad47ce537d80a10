/* report_doctor.c: the renderings of isolab doctor's checks (ui/cmd_doctor.c
 * runs them, this says them): the JSON array, and the text, a libsmartcols
 * table without headings, one line per check (its mark, its title, what was
 * found) whose detail cell holds the evidence and the fix on lines of their
 * own, under the detail, as util-linux's multi-line cells do. On a terminal
 * the cell is wrapped at word boundaries to what is left of its width, each
 * wrapped line under the start of its own text; elsewhere (a pipe, a file)
 * nothing is wrapped, so each line can be grepped whole. */
#include "report.h"

#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;  /* JSON's */
	const char *utf8;  /* the mark */
	const char *ascii; /* the mark outside a UTF-8 locale, all four as wide */
	enum report_tone tone;
} statuses[] = {
	[DOCTOR_OK] = {"ok", "✓", "ok  ", TONE_GOOD},
	[DOCTOR_FAIL] = {"fail", "✗", "FAIL", TONE_ALARM},
	[DOCTOR_WARN] = {"warn", "!", "warn", TONE_WARN},
	[DOCTOR_INFO] = {"info", "i", "info", TONE_PLAIN},
};

const char *report_doctor_status_name(enum doctor_status s)
{
	return statuses[s].name;
}

/* ---- JSON ----------------------------------------------------------------------- */

json_t *report_doctor_json(const struct doctor_row *rows, size_t n)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n; i++) {
		const struct doctor_row *r = &rows[i];
		struct strbuf detail = STRBUF_INIT;

		strbuf_adds(&detail, r->detail);
		for (size_t j = 0; j < r->more.n; j++)
			strbuf_addf(&detail, "; %s", r->more.v[j]);
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:o}", "check", r->id, "status",
						     statuses[r->status].name, "detail",
						     strbuf_str(&detail), "fix", report_json_str(r->fix)));
		strbuf_release(&detail);
	}
	return arr;
}

/* ---- text ----------------------------------------------------------------------- */

/* The table's columns, as data: each cell is set by its column's id. */
enum { D_MARK, D_CHECK, D_DETAIL, D_N };
static const struct {
	const char *name;
	double whint;
	int flags;
} cols[D_N] = {
	[D_MARK] = {"", 1, 0},
	[D_CHECK] = {"CHECK", 1, 0},
	[D_DETAIL] = {"DETAIL", 1, SCOLS_FL_WRAP},
};

/* A line of the detail cell: first, then text; when width is not 0, text
 * is wrapped so that no line takes more than width columns, each line after
 * the first under the text's start (indent: as wide as first). */
static void cell_line(struct strbuf *sb, const char *first, const char *indent, const char *text,
		      size_t width)
{
	size_t lead = report_text_width(first);
	cleanup_free char *w = report_cell_wrap(text, width > lead + 20 ? width - lead : width ? 20 : 0);

	if (sb->len)
		strbuf_addc(sb, '\n');
	strbuf_adds(sb, first);
	for (char *line = w, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line != w)
			strbuf_addf(sb, "\n%s", indent);
		strbuf_adds(sb, line);
	}
}

static char *detail_cell(const struct doctor_row *r, size_t width)
{
	struct strbuf sb = STRBUF_INIT;

	cell_line(&sb, "", "", r->detail, width);
	for (size_t j = 0; j < r->more.n; j++)
		cell_line(&sb, "- ", "  ", r->more.v[j], width);
	if (r->fix && (r->status == DOCTOR_FAIL || r->status == DOCTOR_WARN))
		cell_line(&sb, "fix: ", "     ", r->fix, width);
	return strbuf_detach(&sb);
}

/* The columns the mark, the title and their separators take. */
static size_t left_width(const struct doctor_row *rows, size_t n, const struct report_opts *o)
{
	size_t left = 0;

	for (size_t i = 0; i < n; i++) {
		size_t w = report_text_width(rows[i].title);
		left = w > left ? w : left;
	}
	return left + report_text_width(o->ascii ? statuses[DOCTOR_OK].ascii
						  : statuses[DOCTOR_OK].utf8) + 2;
}

void report_doctor_text(FILE *out, const struct doctor_row *rows, size_t n, bool can_run,
			const struct report_opts *o)
{
	size_t tw = report_term_width(out);
	size_t dw = report_cell_width(tw, left_width(rows, n, o));
	struct libscols_table *tb = report_table_new(tw, o);

	scols_table_enable_noheadings(tb, 1);
	for (size_t c = 0; c < D_N; c++)
		report_table_column(tb, cols[c].name, cols[c].whint, cols[c].flags);
	for (size_t i = 0; i < n; i++) {
		const struct doctor_row *r = &rows[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		const char *color = report_tone_color(statuses[r->status].tone);

		if (!ln)
			abort();
		scols_line_set_data(ln, D_MARK, o->ascii ? statuses[r->status].ascii
							 : statuses[r->status].utf8);
		if (color && o->color)
			scols_cell_set_color(scols_line_get_cell(ln, D_MARK), color);
		scols_line_set_data(ln, D_CHECK, r->title);
		scols_line_refer_data(ln, D_DETAIL, detail_cell(r, dw)); /* the line frees it */
	}
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
	if (can_run)
		fputs("The labs can run here.\n", out);
	else
		fprintf(out, "The labs cannot run here yet: fix the checks marked %s.\n",
			o->ascii ? statuses[DOCTOR_FAIL].ascii : statuses[DOCTOR_FAIL].utf8);
}
