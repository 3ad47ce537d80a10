/* report.h: one model, two renderings. Snapshots and diffs become JSON
 * objects (jansson) that callers may extend, or libsmartcols tables in the
 * style of lsns and findmnt. */
#ifndef ISOLAB_REPORT_H
#define ISOLAB_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "snapshot.h"
#include "util.h"

struct report_opts {
	bool color;
	bool ascii; /* no UTF-8 marks */
};

/* Small JSON pieces every renderer needs: a string or null (for NULL),
 * and an argv as an array of strings. */
json_t *report_json_str(const char *s);
json_t *report_json_argv(const struct argv *a);

/* One set, {"hex": "...", "names": [...]}; all of them. */
json_t *report_caps_set_json(uint64_t mask);
json_t *report_caps_json(const struct caps *c);
json_t *report_mount_json(const struct mount_entry *m);
/* The object DESIGN.md fixes for `inspect --json`. */
json_t *report_snapshot_json(const struct snapshot *s);
json_t *report_diff_json(const struct snapshot_diff *d);
/* Print JSON with a trailing newline; 0 or -1. */
int report_print_json(FILE *out, json_t *j);

void report_snapshot_text(FILE *out, const struct snapshot *s, const struct report_opts *o);
void report_diff_text(FILE *out, const struct snapshot_diff *d, const struct report_opts *o);

/* The pieces, for screens that lay them out themselves. */
void report_caps_table(FILE *out, const struct snapshot *s, const struct report_opts *o);
void report_ns_table(FILE *out, const struct snapshot *s, const struct report_opts *o);
void report_mounts_table(FILE *out, const struct snapshot *s, const struct report_opts *o);

/* isolab doctor: one row per check, in the order shown. The text is a mark
 * (✓ ✗ ! i, or ok FAIL warn info outside UTF-8), the title and the detail,
 * with the evidence ("- ...") and, for a check that fails or warns, the fix
 * ("fix: ...") under the detail; then whether the labs can run. */
enum doctor_status {
	DOCTOR_OK,
	DOCTOR_FAIL,
	DOCTOR_WARN,
	DOCTOR_INFO,
};

struct doctor_row {
	const char *id;    /* JSON "check" */
	const char *title; /* the text's name for it */
	enum doctor_status status;
	char *detail;
	char *fix;         /* NULL: nothing to do */
	struct argv more;  /* evidence, one line each */
};

/* "ok", "fail", "warn", "info": JSON's "status". */
const char *report_doctor_status_name(enum doctor_status s);
void report_doctor_text(FILE *out, const struct doctor_row *rows, size_t n, bool can_run,
			const struct report_opts *o);
/* The array DESIGN.md fixes for `doctor --json`: {check, status, detail,
 * fix}, the evidence joined to the detail with "; ". */
json_t *report_doctor_json(const struct doctor_row *rows, size_t n);

/* The one colour vocabulary, by meaning. Colour is never the only signal:
 * the word (a severity, a status) is always spelt out beside it. */
enum report_tone {
	TONE_PLAIN,
	TONE_ALARM, /* the worst: a critical finding, a check that fails */
	TONE_BAD,   /* a high finding, an added capability */
	TONE_WARN,  /* a medium finding, a check that warns */
	TONE_GOOD,  /* accepted, dropped, a check that passes */
};
/* The sequence for a tone (what libsmartcols and the terminal take), or
 * NULL for TONE_PLAIN: the only place escape codes are written. */
const char *report_tone_color(enum report_tone t);
/* text in tone t when color is set (and the tone has a colour), else plain. */
void report_toned(FILE *out, enum report_tone t, const char *text, bool color);

/* The terminal's width, or 0 when out is not a terminal. */
size_t report_term_width(FILE *out);
/* The terminal columns text takes (wcwidth, in the current locale). */
size_t report_text_width(const char *text);
/* text with newlines at word boundaries so that no line takes more than
 * width terminal columns (wcwidth, in the current locale); a word longer
 * than a line is cut between characters. Malloc'd. */
char *report_word_wrap(const char *text, size_t width);
/* report_word_wrap, each line printed after indent. */
void report_wrap(FILE *out, const char *indent, const char *text, size_t width);

/* A step's result as `isolab run` prints it, from its comparison model. */
struct cmp_step;
void report_step_text(FILE *out, const struct cmp_step *s, const struct report_opts *o);

/* A libsmartcols table for a stream whose terminal has tw columns (0: not
 * a terminal: nothing is reduced or wrapped), colour and encoding as o
 * says; and a column of it. A column with SCOLS_FL_WRAP takes cells in
 * lines (report_cell_wrap's) and libsmartcols splits them at the newlines
 * only. Both abort when libsmartcols cannot allocate. */
struct libscols_table;
struct libscols_column;
struct libscols_table *report_table_new(size_t tw, const struct report_opts *o);
struct libscols_column *report_table_column(struct libscols_table *tb, const char *name,
					    double whint, int flags);
/* The last column's width on a terminal of tw columns when left columns
 * come before it (at least 30), or 0 when tw is 0. */
size_t report_cell_width(size_t tw, size_t left);
/* text wrapped to width (report_word_wrap), or as it is when width is 0.
 * Malloc'd. */
char *report_cell_wrap(const char *text, size_t width);

/* One line on what a namespace's sharing means, e.g. for "pid". */
const char *report_ns_meaning(const char *ns);

#endif
