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

	if (sb->len)
		strbuf_addc(sb, '\n');
	strbuf_adds(sb, first);
	if (!width) {
		strbuf_adds(sb, text);
		return;
	}
	cleanup_free char *w = report_word_wrap(text, width > lead + 20 ? width - lead : 20);
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

/* What the detail cell may take on a terminal of tw columns (0: not one,
 * no wrapping): what the mark, the title and their separators leave. */
static size_t detail_width(const struct doctor_row *rows, size_t n, size_t tw,
			   const struct report_opts *o)
{
	size_t left = 0;

	if (!tw)
		return 0;
	for (size_t i = 0; i < n; i++) {
		size_t w = report_text_width(rows[i].title);
		left = w > left ? w : left;
	}
	left += report_text_width(o->ascii ? statuses[DOCTOR_OK].ascii : statuses[DOCTOR_OK].utf8) + 2;
	return tw > left + 30 ? tw - left - 1 : 30;
}

static struct libscols_table *doctor_table(size_t tw, const struct report_opts *o)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		abort();
	scols_table_enable_colors(tb, o->color);
	scols_table_enable_noencoding(tb, o->ascii);
	scols_table_enable_noheadings(tb, 1);
	/* libsmartcols asks isatty(1) itself: tell it what out is. */
	if (tw) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, tw);
	} else {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	}
	for (size_t c = 0; c < D_N; c++) {
		struct libscols_column *cl =
			scols_table_new_column(tb, cols[c].name, cols[c].whint, cols[c].flags);
		if (!cl)
			abort();
		/* The cell comes in lines; libsmartcols only splits it at the newlines. */
		if (c == D_DETAIL) {
			scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
			scols_column_set_safechars(cl, "\n");
		}
	}
	return tb;
}

void report_doctor_text(FILE *out, const struct doctor_row *rows, size_t n, bool can_run,
			const struct report_opts *o)
{
	size_t tw = report_term_width(out);
	size_t dw = detail_width(rows, n, tw, o);
	struct libscols_table *tb = doctor_table(tw, o);

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
