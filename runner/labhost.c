/* labhost.c: a lab as it runs on one host. Some outcomes depend on the host
 * (AppArmor stops what the capabilities allow; --privileged is real on a
 * workshop VM and approximated on a sandbox), so a lab marks the containers,
 * actions, expectations and notes that hold only on some hosts with `when:`,
 * and this keeps the ones that hold here. */
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "lab.h"
#include "util.h"

void lab_host_of(const struct host_facts *f, struct lab_host *h)
{
	if (f->apparmor)
		h->lsm = LAB_LSM_APPARMOR;
	else if (f->selinux == HOST_SELINUX_ENFORCING)
		h->lsm = LAB_LSM_SELINUX;
	else
		h->lsm = LAB_LSM_NONE;
	h->privileged = f->can_grant_all ? LAB_PRIV_REAL : LAB_PRIV_APPROXIMATED;
	switch (f->cgroup) {
	case HOST_CGROUP_V1:
	case HOST_CGROUP_HYBRID:
		h->cgroup = LAB_CGROUP_V1;
		break;
	case HOST_CGROUP_V2:
		h->cgroup = LAB_CGROUP_V2;
		break;
	default:
		h->cgroup = LAB_CGROUP_ANY;
		break;
	}
}

bool lab_when_holds(const struct lab_when *w, const struct lab_host *h)
{
	return (w->lsm == LAB_LSM_ANY || w->lsm == h->lsm) &&
	       (w->privileged == LAB_PRIV_ANY || w->privileged == h->privileged) &&
	       (w->cgroup == LAB_CGROUP_ANY || w->cgroup == h->cgroup);
}

bool lab_when_implies(const struct lab_when *a, const struct lab_when *b)
{
	return (b->lsm == LAB_LSM_ANY || a->lsm == b->lsm) &&
	       (b->privileged == LAB_PRIV_ANY || a->privileged == b->privileged) &&
	       (b->cgroup == LAB_CGROUP_ANY || a->cgroup == b->cgroup);
}

char *lab_when_text(const struct lab_when *w)
{
	static const char *const lsm[] = {
		[LAB_LSM_APPARMOR] = "AppArmor confines containers",
		[LAB_LSM_SELINUX] = "SELinux is enforcing",
		[LAB_LSM_NONE] = "no LSM confines containers",
	};
	static const char *const priv[] = {
		[LAB_PRIV_REAL] = "--privileged is real",
		[LAB_PRIV_APPROXIMATED] = "--privileged is approximated",
	};
	static const char *const cg[] = {
		[LAB_CGROUP_V1] = "the host runs cgroup v1",
		[LAB_CGROUP_V2] = "the host runs cgroup v2",
	};
	struct strbuf sb = STRBUF_INIT;

	if (w->lsm != LAB_LSM_ANY)
		strbuf_addf(&sb, "where %s", lsm[w->lsm]);
	if (w->privileged != LAB_PRIV_ANY)
		strbuf_addf(&sb, "%s%s", sb.len ? " and " : "where ", priv[w->privileged]);
	if (w->cgroup != LAB_CGROUP_ANY)
		strbuf_addf(&sb, "%s%s", sb.len ? " and " : "where ", cg[w->cgroup]);
	return strbuf_detach(&sb);
}

/* Compact v (n items of size sz) to those whose keep[] is set; old index ->
 * new index in map (-1 when dropped). */
static size_t compact(void *v, size_t n, size_t sz, const bool *keep, int *map)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		map[i] = keep[i] ? (int)k : -1;
		if (keep[i] && k != i)
			memcpy((char *)v + k * sz, (char *)v + i * sz, sz);
		k += keep[i];
	}
	return k;
}

/* Keep the notes that hold on h, and append them to the text. */
static void add_notes(struct lab_step *st, const struct lab_host *h)
{
	struct strbuf sb = STRBUF_INIT;
	size_t k = 0;

	for (size_t i = 0; i < st->n_notes; i++) {
		if (!st->notes[i].text || !lab_when_holds(&st->notes[i].when, h)) {
			free(st->notes[i].text);
			continue;
		}
		st->notes[k++] = st->notes[i];
		if (!sb.len)
			strbuf_adds(&sb, st->text);
		while (sb.len && sb.buf[sb.len - 1] == '\n')
			sb.buf[--sb.len] = '\0';
		strbuf_addf(&sb, "\n\n**On this host:** %s\n", st->notes[i].text);
	}
	st->n_notes = k;
	if (sb.len) {
		free(st->text);
		st->text = strbuf_detach(&sb);
	}
}

static void step_for_host(struct lab_step *st, const struct lab_host *h)
{
	size_t n = st->n_containers > st->n_actions ? st->n_containers : st->n_actions;
	n = n > st->n_expects ? n : st->n_expects;
	cleanup_free bool *keep = xcalloc(n ? n : 1, sizeof(*keep));
	cleanup_free int *cmap = xcalloc(st->n_containers ? st->n_containers : 1, sizeof(int));
	cleanup_free int *amap = xcalloc(st->n_actions ? st->n_actions : 1, sizeof(int));
	cleanup_free int *xmap = xcalloc(st->n_expects ? st->n_expects : 1, sizeof(int));

	for (size_t i = 0; i < st->n_containers; i++)
		if (!(keep[i] = lab_when_holds(&st->containers[i].when, h)))
			lab_container_free(&st->containers[i]);
	st->n_containers = compact(st->containers, st->n_containers, sizeof(*st->containers), keep,
				   cmap);
	if (st->reference >= 0)
		st->reference = cmap[st->reference];

	for (size_t i = 0; i < st->n_actions; i++)
		if (!(keep[i] = lab_when_holds(&st->actions[i].when, h)))
			lab_action_free(&st->actions[i]);
	st->n_actions = compact(st->actions, st->n_actions, sizeof(*st->actions), keep, amap);
	for (size_t i = 0; i < st->n_actions; i++)
		if (st->actions[i].container >= 0)
			st->actions[i].container = cmap[st->actions[i].container];

	for (size_t i = 0; i < st->n_expects; i++)
		if (!(keep[i] = lab_when_holds(&st->expects[i].when, h)))
			lab_expect_free(&st->expects[i]);
	st->n_expects = compact(st->expects, st->n_expects, sizeof(*st->expects), keep, xmap);
	for (size_t i = 0; i < st->n_expects; i++) {
		struct lab_expect *x = &st->expects[i];
		if (x->container_index >= 0)
			x->container_index = cmap[x->container_index];
		if (x->kind == LAB_EXPECT_ACTION && x->action.index >= 0)
			x->action.index = amap[x->action.index];
	}
	add_notes(st, h);
}

void lab_for_host(struct lab *lab, const struct lab_host *h)
{
	for (size_t i = 0; i < lab->n_steps; i++)
		step_for_host(&lab->steps[i], h);
}
