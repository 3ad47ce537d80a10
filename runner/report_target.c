/* report_target.c: the renderings of an inspected target (target.c
 * resolves and compares): its JSON, the snapshot's text, then what Docker
 * says of the container (a FIELD, VALUE table) and where Docker and the
 * kernel disagree (a table of three lines each: Docker's word, the
 * kernel's, and why it matters), through libsmartcols. */
#include "report.h"
#include "target.h"

#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

json_t *target_docker_json(const struct engine_container *c)
{
	json_t *mounts = json_array();
	json_t *labels = json_object();
	json_t *devices = json_array();

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct engine_mount *m = &c->mounts[i];
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:b, s:s}", "type", m->type,
							"source", m->source, "destination",
							m->destination, "rw", m->rw, "propagation",
							m->propagation));
	}
	for (size_t i = 0; i < c->n_labels; i++)
		json_object_set_new(labels, c->labels[i].key, json_string(c->labels[i].value));
	for (size_t i = 0; i < c->n_devices; i++)
		json_array_append_new(devices, json_pack("{s:s, s:s, s:s}", "path_on_host",
							 c->devices[i].path_on_host, "path_in_container",
							 c->devices[i].path_in_container, "cgroup_permissions",
							 c->devices[i].cgroup_permissions));
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:o, "
			 "s:b, s:o, s:o}",
			 "id", c->id, "name", c->name, "image", c->image, "running", c->running,
			 "status", c->status, "privileged", c->privileged, "cap_add",
			 report_json_argv(&c->cap_add), "cap_drop", report_json_argv(&c->cap_drop), "binds",
			 report_json_argv(&c->binds), "pid_mode", c->pid_mode, "network_mode", c->network_mode,
			 "ipc_mode", c->ipc_mode, "uts_mode", c->uts_mode, "userns_mode", c->userns_mode,
			 "security_opt", report_json_argv(&c->security_opt), "readonly_rootfs",
			 c->readonly_rootfs, "mounts", mounts, "labels", labels);
	json_object_set_new(j, "devices", devices);
	return j;
}

json_t *target_json(const struct target *t)
{
	json_t *j = report_snapshot_json(&t->snap);
	json_t *dis = json_array();

	/* DESIGN.md: the target as the user named it. */
	json_object_set_new(j, "docker", t->docker ? target_docker_json(t->docker) : json_null());
	for (size_t i = 0; i < t->dis.n; i++)
		json_array_append_new(dis, json_pack("{s:s, s:s, s:s, s:s}", "check", t->dis.v[i].check,
						     "docker", t->dis.v[i].docker, "kernel",
						     t->dis.v[i].kernel, "why", t->dis.v[i].why));
	json_object_set_new(j, "disagreements", dis);
	return j;
}

/* ---- text ------------------------------------------------------------------------ */

/* Both tables' columns, as data: each cell is set by its column's id. The
 * last column of each is wrapped (on a terminal) and split at newlines. */
struct col {
	const char *name;
	double whint;
	int flags;
};

enum { F_FIELD, F_VALUE, F_N };
static const struct col docker_cols[F_N] = {
	[F_FIELD] = {"FIELD", 0, 0},
	[F_VALUE] = {"VALUE", 0, SCOLS_FL_WRAP},
};

enum { X_CHECK, X_SIDE, X_SAYS, X_N };
static const struct col dis_cols[X_N] = {
	[X_CHECK] = {"CHECK", 0, 0},
	[X_SIDE] = {"", 0, 0},
	[X_SAYS] = {"DETAIL", 0, SCOLS_FL_WRAP},
};

static struct libscols_table *new_table(const struct col *cols, size_t n, size_t tw,
					const struct report_opts *o)
{
	struct libscols_table *tb = report_table_new(tw, o);

	for (size_t i = 0; i < n; i++)
		report_table_column(tb, cols[i].name, cols[i].whint, cols[i].flags);
	return tb;
}

static void print_table(FILE *out, struct libscols_table *tb)
{
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}

/* A list as one cell, "-" for none: its words wrapped as one text, or
 * (one_a_line) each on a line of its own, wrapped by itself. */
static char *list_cell(const struct argv *a, bool one_a_line, size_t width)
{
	struct strbuf sb = STRBUF_INIT;

	if (!a->n)
		return xstrdup("-");
	if (!one_a_line) {
		cleanup_free char *words = argv_join(a, " ");
		return report_cell_wrap(words, width);
	}
	for (size_t i = 0; i < a->n; i++) {
		cleanup_free char *w = report_cell_wrap(a->v[i], width);
		if (i)
			strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, w);
	}
	return strbuf_detach(&sb);
}

static const char *mode_or_default(const char *m)
{
	return *m ? m : "default";
}

static void docker_table(FILE *out, const struct engine_container *c, size_t tw,
			 const struct report_opts *o)
{
	size_t dw = report_cell_width(tw, strlen("read-only root") + 1);
	struct libscols_table *tb = new_table(docker_cols, F_N, tw, o);
	cleanup_free char *ns = xasprintf("pid=%s ipc=%s uts=%s network=%s userns=%s",
					  mode_or_default(c->pid_mode), mode_or_default(c->ipc_mode),
					  mode_or_default(c->uts_mode), mode_or_default(c->network_mode),
					  mode_or_default(c->userns_mode));
	const struct {
		const char *field;
		char *value;
	} rows[] = {
		{"privileged", xstrdup(c->privileged ? "yes" : "no")},
		{"cap_add", list_cell(&c->cap_add, false, dw)},
		{"cap_drop", list_cell(&c->cap_drop, false, dw)},
		{"binds", list_cell(&c->binds, true, dw)},
		{"namespaces", report_cell_wrap(ns, dw)},
		{"security_opt", list_cell(&c->security_opt, true, dw)},
		{"read-only root", xstrdup(c->readonly_rootfs ? "yes" : "no")},
	};

	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		if (!ln)
			abort();
		scols_line_set_data(ln, F_FIELD, rows[i].field);
		scols_line_refer_data(ln, F_VALUE, rows[i].value); /* the line frees it */
	}
	print_table(out, tb);
}

/* Each disagreement in three lines: what Docker says, what the kernel
 * says, and why it matters. */
static void disagreements_table(FILE *out, const struct disagreements *d, size_t tw,
				const struct report_opts *o)
{
	struct libscols_table *tb = new_table(dis_cols, X_N, tw, o);
	size_t left = strlen("CHECK");

	for (size_t i = 0; i < d->n; i++)
		left = strlen(d->v[i].check) > left ? strlen(d->v[i].check) : left;
	size_t dw = report_cell_width(tw, left + 1 + strlen("Docker:") + 1);
	for (size_t i = 0; i < d->n; i++) {
		const struct disagreement *x = &d->v[i];
		const struct {
			const char *side, *says;
		} sides[] = {{"Docker:", x->docker}, {"kernel:", x->kernel}, {"why:", x->why}};

		for (size_t k = 0; k < ARRAY_SIZE(sides); k++) {
			struct libscols_line *ln = scols_table_new_line(tb, NULL);
			if (!ln)
				abort();
			if (k == 0) {
				scols_line_set_data(ln, X_CHECK, x->check);
				if (o->color)
					scols_cell_set_color(scols_line_get_cell(ln, X_CHECK),
							     report_tone_color(TONE_WARN));
			}
			scols_line_set_data(ln, X_SIDE, sides[k].side);
			/* the line frees it */
			scols_line_refer_data(ln, X_SAYS, report_cell_wrap(sides[k].says, dw));
		}
	}
	print_table(out, tb);
}

void target_text(FILE *out, const struct target *t, const struct report_opts *o)
{
	const struct engine_container *c = t->docker;
	size_t tw = report_term_width(out);

	report_snapshot_text(out, &t->snap, o);
	if (!c)
		return;
	fprintf(out, "\nWhat Docker says about %s (%s)\n", c->name, c->image);
	docker_table(out, c, tw, o);
	if (!t->dis.n) {
		fputs("\nDocker's description and the kernel's state agree.\n", out);
		return;
	}
	fprintf(out, "\nWhere Docker and the kernel disagree (%zu)\n", t->dis.n);
	disagreements_table(out, &t->dis, tw, o);
}
