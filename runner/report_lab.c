/* report_lab.c: a lab file's problems, one FILE:LINE:COL: message a line
 * (lab_problem_format says each), and isolab labs' table. */
#include "lab.h"
#include "progress.h"
#include "report.h"

#include <libsmartcols.h>
#include <stdlib.h>

void lab_problems_print(const struct lab_problems *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++) {
		cleanup_free char *s = lab_problem_format(&p->v[i]);
		fprintf(out, "%s\n", s);
	}
}

/* isolab labs: its columns, as data; each cell is set by its column's id. */
enum { LABS_ID, LABS_PROGRESS, LABS_SAFETY, LABS_TITLE, LABS_NCOLS };

static const struct {
	const char *name;
	double whint;
	int flags;
} labs_cols[LABS_NCOLS] = {
	[LABS_ID] = {"LAB", 0, 0},
	[LABS_PROGRESS] = {"PROGRESS", 0, 0},
	[LABS_SAFETY] = {"SAFETY", 0, 0},
	[LABS_TITLE] = {"TITLE", 0, 0},
};

void report_labs_table(FILE *out, const struct lab_set *set, const struct progress *prog,
		       const struct report_opts *o)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		abort();
	scols_table_enable_colors(tb, o->color);
	scols_table_enable_noencoding(tb, o->ascii);
	for (size_t c = 0; c < LABS_NCOLS; c++)
		if (!scols_table_new_column(tb, labs_cols[c].name, labs_cols[c].whint, labs_cols[c].flags))
			abort();
	for (size_t i = 0; i < set->n; i++) {
		const struct lab *l = set->v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		cleanup_free char *done = prog && progress_lab_done(prog, l)
						  ? xstrdup("done")
						  : xasprintf("%zu/%zu", prog ? progress_steps_done(prog, l) : 0,
							      l->n_steps);

		if (!ln)
			abort();
		scols_line_set_data(ln, LABS_ID, l->id);
		scols_line_set_data(ln, LABS_PROGRESS, done);
		scols_line_set_data(ln, LABS_SAFETY, lab_safety_name(l->safety));
		scols_line_set_data(ln, LABS_TITLE, l->title);
	}
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}
