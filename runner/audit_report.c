/* audit_report.c: an audit report as a whole: its findings and
 * containers worst first, the exit status it leads to, and its freeing. */
#include "audit.h"

#include <stdlib.h>
#include <string.h>

enum audit_severity audit_gate(enum audit_severity min)
{
	return min > AUDIT_GATE ? min : AUDIT_GATE;
}

static void finding_free(struct audit_finding *f)
{
	free(f->evidence);
	free(f->fix);
	free(f->reason);
	free(f->target);
	free(f->socket);
	free(f->host_path);
	argv_free(&f->caps);
	argv_free(&f->below);
}

void audit_container_free(struct audit_container *c)
{
	for (size_t i = 0; i < c->n; i++)
		finding_free(&c->v[i]);
	free(c->v);
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->gone_why);
	free(c->error);
	free(c->uid_map);
	argv_free(&c->notes);
	memset(c, 0, sizeof(*c));
}

void audit_report_free(struct audit_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		audit_container_free(&r->v[i]);
	free(r->v);
	argv_free(&r->notes);
	memset(r, 0, sizeof(*r));
}

/* ---- many containers --------------------------------------------------------- */

static int finding_cmp(const void *pa, const void *pb)
{
	const struct audit_finding *a = pa, *b = pb;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if (a->accepted != b->accepted)
		return a->accepted ? 1 : -1;
	if (a->check != b->check)
		return a->check < b->check ? -1 : 1;
	return strcmp(a->evidence ? a->evidence : "", b->evidence ? b->evidence : "");
}

static int worst(const struct audit_container *c, bool open_only)
{
	int w = -1;

	for (size_t i = 0; i < c->n; i++)
		if ((!open_only || !c->v[i].accepted) && (int)c->v[i].severity > w)
			w = (int)c->v[i].severity;
	return w;
}

static int container_cmp(const void *pa, const void *pb)
{
	const struct audit_container *a = pa, *b = pb;
	bool a_out = a->gone || a->error, b_out = b->gone || b->error;
	int d;

	if (a_out != b_out)
		return a_out ? 1 : -1;
	if ((d = worst(b, true) - worst(a, true)) != 0)
		return d;
	if ((d = worst(b, false) - worst(a, false)) != 0)
		return d;
	if ((d = strcmp(a->name, b->name)) != 0)
		return d;
	return strcmp(a->id, b->id);
}

void audit_report_sort(struct audit_report *r)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].n > 1)
			qsort(r->v[i].v, r->v[i].n, sizeof(r->v[i].v[0]), finding_cmp);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(r->v[0]), container_cmp);
}


int audit_report_status(const struct audit_report *r, enum audit_severity min)
{
	enum audit_severity gate = audit_gate(min);

	for (size_t i = 0; i < r->n; i++) {
		const struct audit_container *c = &r->v[i];
		if (c->error)
			return EXIT_EXPECT;
		for (size_t j = 0; j < c->n; j++)
			if (!c->v[j].accepted && c->v[j].severity >= gate)
				return EXIT_EXPECT;
	}
	return EXIT_OK;
}
