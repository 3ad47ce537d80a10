/* snapshot.c: one process's isolation state, and the diff of two. */
#include "snapshot.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static int read_host(struct host_ref *h, struct proc *p, struct err *e)
{
	cleanup_free char *status = NULL;

	if (ns_read(p, &h->ns, e) < 0 || mounts_read(p, &h->mounts, e) < 0)
		return -1;
	mounts_classify(&h->mounts, &h->mounts);
	if (proc_read(p, "status", &status, NULL, e) < 0 || caps_parse_status(status, &h->caps, e) < 0)
		return -1;
	return caps_last_cap(p->rootfd, &h->last_cap, e);
}

int host_ref_load_from(struct host_ref *h, const char *proc_root, pid_t pid, struct err *e)
{
	struct proc p;
	int rc;

	memset(h, 0, sizeof(*h));
	if (proc_root) {
		const char *slash = strrchr(proc_root, '/');
		h->root = slash ? xstrndup(proc_root, (size_t)(slash - proc_root)) : xstrdup(".");
	} else {
		h->root = xstrdup("/");
	}
	if (proc_open(&p, proc_root, pid, e) < 0)
		return err_wrap(e, "reading isolab's own view of the host");
	rc = read_host(h, &p, e);
	proc_close(&p);
	if (rc < 0) {
		host_ref_free(h);
		return err_wrap(e, "reading isolab's own view of the host");
	}
	return 0;
}

int host_ref_load(struct host_ref *h, struct err *e)
{
	return host_ref_load_from(h, NULL, getpid(), e);
}

void host_ref_free(struct host_ref *h)
{
	mounts_free(&h->mounts);
	free(h->root);
	memset(h, 0, sizeof(*h));
}

static char *field_dup(const char *status, const char *key)
{
	size_t len;
	const char *v = proc_status_field(status, key, &len);

	return v ? xstrndup(v, len) : NULL;
}

/* "Uid:\t0\t0\t0\t0": the four ids, -1 where absent. */
static void parse_ids(const char *status, const char *key, long ids[4])
{
	size_t len;
	const char *v = proc_status_field(status, key, &len);
	cleanup_free char *copy = v ? xstrndup(v, len) : NULL;
	char *p = copy;

	for (int i = 0; i < 4; i++) {
		char *end;
		ids[i] = -1;
		if (!p)
			continue;
		long n = strtol(p, &end, 10);
		if (end != p)
			ids[i] = n;
		p = end;
	}
}

/* A field the kernel writes as one decimal number ("Seccomp:\t2"), or dflt
 * when it is absent or not a number. */
static int field_int(const char *status, const char *key, int dflt)
{
	cleanup_free char *v = field_dup(status, key);
	char *end;
	long n;

	if (!v)
		return dflt;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || end == v || (*end && *end != ' ' && *end != '\t') || n < INT_MIN || n > INT_MAX)
		return dflt;
	return (int)n;
}

/* attr/current: "docker-default (enforce)\n", "unconfined", or EINVAL when
 * no LSM provides a label. */
static int read_lsm(const struct proc *p, char **out, struct err *e)
{
	struct err local = {0};
	char *label = NULL;
	size_t len = 0;

	*out = NULL;
	if (proc_read(p, "attr/current", &label, &len, &local) < 0) {
		if (local.kind == ERR_EXITED) {
			*e = local;
			return -1;
		}
		return 0;
	}
	while (len && (label[len - 1] == '\n' || label[len - 1] == '\0'))
		label[--len] = '\0';
	if (len == 0) {
		free(label);
		return 0;
	}
	*out = label;
	return 0;
}

int snapshot_take(struct snapshot *s, const struct proc *p, const struct host_ref *h,
		  const char *target, struct err *e)
{
	cleanup_free char *status = NULL;
	cleanup_free char *uid_map = NULL;
	size_t len;

	memset(s, 0, sizeof(*s));
	s->pid = p->pid;
	s->target = xstrdup(target);
	s->seccomp = SECCOMP_UNKNOWN;
	s->last_cap = h->last_cap;

	if (proc_read(p, "status", &status, NULL, e) < 0)
		goto fail;
	if (caps_parse_status(status, &s->caps, e) < 0) {
		err_wrap(e, "/proc/%d/status", (int)p->pid);
		goto fail;
	}
	s->comm = field_dup(status, "Name");
	s->no_new_privs = field_int(status, "NoNewPrivs", 0) != 0;
	s->seccomp = field_int(status, "Seccomp", SECCOMP_UNKNOWN);
	s->seccomp_filters = field_int(status, "Seccomp_filters", 0);
	parse_ids(status, "Uid", s->uid);

	if (ns_read(p, &s->ns, e) < 0)
		goto fail;
	ns_compare(&s->ns, &h->ns);
	if (proc_read(p, "uid_map", &uid_map, &len, e) < 0)
		goto fail;
	/* "         0          0 4294967295\n": one space between fields. */
	{
		struct strbuf sb = STRBUF_INIT;
		char *save = NULL;
		for (char *tok = strtok_r(uid_map, " \t\n", &save); tok; tok = strtok_r(NULL, " \t\n", &save)) {
			if (sb.len)
				strbuf_addc(&sb, ' ');
			strbuf_adds(&sb, tok);
		}
		s->uid_map = strbuf_detach(&sb);
	}
	if (mounts_read(p, &s->mounts, e) < 0)
		goto fail;
	mounts_classify(&s->mounts, &h->mounts);
	if (read_lsm(p, &s->lsm, e) < 0)
		goto fail;
	if (cgroup_read(p, &h->mounts, h->root ? h->root : "/", &s->cgroup, e) < 0 ||
	    devices_read(p, h->root ? h->root : "/", &s->devices, e) < 0)
		goto fail;
	if (proc_check_alive(p, e) < 0)
		goto fail;
	return 0;
fail:
	snapshot_free(s);
	return -1;
}

void snapshot_free(struct snapshot *s)
{
	free(s->target);
	free(s->container_id);
	free(s->comm);
	free(s->lsm);
	free(s->uid_map);
	mounts_free(&s->mounts);
	cgroup_info_free(&s->cgroup);
	devices_list_free(&s->devices);
	memset(s, 0, sizeof(*s));
}

const char *snapshot_seccomp_name(int mode)
{
	switch (mode) {
	case SECCOMP_DISABLED:
		return "disabled";
	case SECCOMP_STRICT:
		return "strict";
	case SECCOMP_FILTER:
		return "filter";
	default:
		return "unknown";
	}
}

uint64_t snapshot_added_vs_docker(const struct snapshot *s)
{
	return s->caps.set[CAPS_EFFECTIVE] & ~CAPS_DOCKER_DEFAULT;
}

uint64_t snapshot_dropped_vs_docker(const struct snapshot *s)
{
	return CAPS_DOCKER_DEFAULT & ~s->caps.set[CAPS_EFFECTIVE];
}

static void add_field(struct snapshot_diff *d, const char *field, const char *a, const char *b)
{
	if ((a && b && strcmp(a, b) == 0) || (!a && !b))
		return;
	if (d->n_fields == ARRAY_SIZE(d->fields))
		return;
	d->fields[d->n_fields].field = field;
	d->fields[d->n_fields].a = xstrdup(a ? a : "none");
	d->fields[d->n_fields].b = xstrdup(b ? b : "none");
	d->n_fields++;
}

static void push_mount(struct snapshot_diff *d, size_t *cap, const struct mount_entry *a,
		       const struct mount_entry *b)
{
	if (d->n_mounts == *cap) {
		*cap = *cap ? *cap * 2 : 16;
		d->mounts = xreallocarray(d->mounts, *cap, sizeof(*d->mounts));
	}
	d->mounts[d->n_mounts].a = a;
	d->mounts[d->n_mounts].b = b;
	d->n_mounts++;
}

static const struct mount_entry *find_same(const struct mount_table *t, const struct mount_entry *m)
{
	for (size_t i = 0; i < t->n; i++)
		if (mounts_same(&t->v[i], m))
			return &t->v[i];
	return NULL;
}

void snapshot_diff(const struct snapshot *a, const struct snapshot *b, struct snapshot_diff *d)
{
	size_t cap = 0;
	char abuf[32], bbuf[32];

	memset(d, 0, sizeof(*d));
	d->a = a;
	d->b = b;
	for (int s = 0; s < CAPS_NSETS; s++) {
		d->caps_added[s] = b->caps.set[s] & ~a->caps.set[s];
		d->caps_removed[s] = a->caps.set[s] & ~b->caps.set[s];
	}

	for (size_t i = 0; i < b->ns.n; i++) {
		const struct ns_entry *nb = &b->ns.v[i];
		const struct ns_entry *na = ns_find(&a->ns, nb->name);
		int as = na ? na->shared : -1;

		if (as == nb->shared)
			continue;
		struct snapshot_ns_change *c = &d->ns[d->n_ns++];
		snprintf(c->name, sizeof(c->name), "%s", nb->name);
		c->a_shared = as;
		c->b_shared = nb->shared;
	}

	for (size_t i = 0; i < a->mounts.n; i++) {
		const struct mount_entry *ma = &a->mounts.v[i];
		const struct mount_entry *mb = find_same(&b->mounts, ma);

		if (!mb)
			push_mount(d, &cap, ma, NULL);
		else if (ma->read_only != mb->read_only || ma->kind != mb->kind)
			push_mount(d, &cap, ma, mb);
	}
	for (size_t i = 0; i < b->mounts.n; i++) {
		const struct mount_entry *mb = &b->mounts.v[i];
		if (!find_same(&a->mounts, mb))
			push_mount(d, &cap, NULL, mb);
	}

	add_field(d, "no_new_privs", a->no_new_privs ? "true" : "false",
		  b->no_new_privs ? "true" : "false");
	add_field(d, "seccomp", snapshot_seccomp_name(a->seccomp), snapshot_seccomp_name(b->seccomp));
	snprintf(abuf, sizeof(abuf), "%d", a->seccomp_filters);
	snprintf(bbuf, sizeof(bbuf), "%d", b->seccomp_filters);
	add_field(d, "seccomp_filters", abuf, bbuf);
	add_field(d, "lsm", a->lsm, b->lsm);
	add_field(d, "uid_map", a->uid_map, b->uid_map);
}

void snapshot_diff_free(struct snapshot_diff *d)
{
	for (size_t i = 0; i < d->n_fields; i++) {
		free(d->fields[i].a);
		free(d->fields[i].b);
	}
	free(d->mounts);
	memset(d, 0, sizeof(*d));
}

bool snapshot_diff_empty(const struct snapshot_diff *d)
{
	for (int s = 0; s < CAPS_NSETS; s++)
		if (d->caps_added[s] || d->caps_removed[s])
			return false;
	return d->n_ns == 0 && d->n_mounts == 0 && d->n_fields == 0;
}
