/* report.c: snapshots and diffs as JSON and as libsmartcols tables. */
#include "report.h"

#include <assert.h>
#include <errno.h>
#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* ---- JSON ----------------------------------------------------------- */

static json_t *names_json(uint64_t mask)
{
	json_t *a = json_array();

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(mask & (UINT64_C(1) << bit)))
			continue;
		char *n = caps_name(bit);
		json_array_append_new(a, json_string(n));
		free(n);
	}
	return a;
}

json_t *report_caps_set_json(uint64_t mask)
{
	char hex[17];

	snprintf(hex, sizeof(hex), "%016llx", (unsigned long long)mask);
	return json_pack("{s:s, s:o}", "hex", hex, "names", names_json(mask));
}

json_t *report_caps_json(const struct caps *c)
{
	json_t *o = json_object();

	for (int s = 0; s < CAPS_NSETS; s++)
		json_object_set_new(o, caps_set_name(s), report_caps_set_json(c->set[s]));
	return o;
}

json_t *report_json_str(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *report_json_argv(const struct argv *a)
{
	json_t *arr = json_array();

	for (size_t i = 0; i < a->n; i++)
		json_array_append_new(arr, json_string(a->v[i]));
	return arr;
}

json_t *report_mount_json(const struct mount_entry *m)
{
	return json_pack("{s:s, s:s, s:o, s:s, s:o, s:b, s:s, s:s, s:b}",
			 "target", m->target, "fstype", m->fstype, "source", report_json_str(m->source),
			 "root", m->root, "host_path", report_json_str(m->host_path), "read_only",
			 m->read_only, "propagation", m->propagation, "kind",
			 mounts_kind_name(m->kind), "sensitive", m->sensitive);
}

static json_t *ns_json(const struct ns_set *ns)
{
	json_t *o = json_object();

	for (size_t i = 0; i < ns->n; i++) {
		const struct ns_entry *n = &ns->v[i];
		json_t *e;

		if (n->err) {
			e = json_pack("{s:n, s:n, s:s}", "inode", "shared_with_host", "error",
				      n->err == EACCES || n->err == EPERM
					      ? "permission denied: reading another user's namespaces needs root"
					      : strerror(n->err));
		} else {
			e = json_pack("{s:I, s:o, s:o}", "inode", (json_int_t)n->ino, "shared_with_host",
				      n->shared < 0 ? json_null() : json_boolean(n->shared), "host_inode",
				      n->host_ino ? json_integer((json_int_t)n->host_ino) : json_null());
		}
		json_object_set_new(o, n->name, e);
	}
	return o;
}

json_t *report_snapshot_json(const struct snapshot *s)
{
	json_t *caps = report_caps_json(&s->caps);
	json_t *mounts = json_array();

	json_object_set_new(caps, "added_vs_docker_default", names_json(snapshot_added_vs_docker(s)));
	json_object_set_new(caps, "dropped_vs_docker_default",
			    names_json(snapshot_dropped_vs_docker(s)));
	for (size_t i = 0; i < s->mounts.n; i++)
		json_array_append_new(mounts, report_mount_json(&s->mounts.v[i]));

	return json_pack("{s:s, s:o, s:i, s:o, s:b, s:s, s:i, s:o, s:o, s:o, s:o}",
			 "target", s->target, "container_id", report_json_str(s->container_id), "pid",
			 (int)s->pid, "caps", caps, "no_new_privs", s->no_new_privs, "seccomp",
			 snapshot_seccomp_name(s->seccomp), "seccomp_filters", s->seccomp_filters,
			 "lsm", report_json_str(s->lsm), "namespaces", ns_json(&s->ns), "uid_map",
			 report_json_str(s->uid_map), "mounts", mounts);
}

static json_t *side_json(const struct snapshot *s)
{
	return json_pack("{s:s, s:i, s:o}", "target", s->target, "pid", (int)s->pid,
			 "container_id", report_json_str(s->container_id));
}

static json_t *shared_json(int v)
{
	return v < 0 ? json_null() : json_boolean(v);
}

json_t *report_diff_json(const struct snapshot_diff *d)
{
	json_t *caps = json_object();
	json_t *ns = json_array();
	json_t *only_a = json_array(), *only_b = json_array(), *changed = json_array();
	json_t *sec = json_array();

	for (int s = 0; s < CAPS_NSETS; s++)
		json_object_set_new(caps, caps_set_name(s),
				    json_pack("{s:o, s:o}", "added", names_json(d->caps_added[s]),
					      "removed", names_json(d->caps_removed[s])));
	for (size_t i = 0; i < d->n_ns; i++)
		json_array_append_new(ns, json_pack("{s:s, s:o, s:o}", "name", d->ns[i].name,
						    "a_shared_with_host", shared_json(d->ns[i].a_shared),
						    "b_shared_with_host", shared_json(d->ns[i].b_shared)));
	for (size_t i = 0; i < d->n_mounts; i++) {
		const struct snapshot_mount_change *c = &d->mounts[i];
		if (!c->b)
			json_array_append_new(only_a, report_mount_json(c->a));
		else if (!c->a)
			json_array_append_new(only_b, report_mount_json(c->b));
		else
			json_array_append_new(changed, json_pack("{s:s, s:o, s:o}", "target", c->a->target,
								 "a", report_mount_json(c->a), "b",
								 report_mount_json(c->b)));
	}
	for (size_t i = 0; i < d->n_fields; i++)
		json_array_append_new(sec, json_pack("{s:s, s:s, s:s}", "field", d->fields[i].field, "a",
						     d->fields[i].a, "b", d->fields[i].b));
	return json_pack("{s:o, s:o, s:o, s:o, s:{s:o, s:o, s:o}, s:o, s:b}", "a", side_json(d->a),
			 "b", side_json(d->b), "caps", caps, "namespaces", ns, "mounts", "only_in_a",
			 only_a, "only_in_b", only_b, "changed", changed, "security", sec,
			 "identical", snapshot_diff_empty(d));
}

int report_print_json(FILE *out, json_t *j)
{
	if (!j || json_dumpf(j, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0)
		return -1;
	fputc('\n', out);
	return ferror(out) ? -1 : 0;
}

/* ---- text ------------------------------------------------------------ */

struct col {
	const char *name;
	double whint;
	int flags;
};

static struct libscols_table *new_table(const struct col *cols, size_t n, const struct report_opts *o)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		abort();
	scols_table_enable_colors(tb, o->color);
	scols_table_enable_noencoding(tb, o->ascii);
	for (size_t i = 0; i < n; i++)
		if (!scols_table_new_column(tb, cols[i].name, cols[i].whint, cols[i].flags))
			abort();
	return tb;
}

static void set_cell(struct libscols_line *ln, size_t col, const char *text, const char *color,
		     const struct report_opts *o)
{
	scols_line_set_data(ln, col, text ? text : "");
	if (color && o->color)
		scols_cell_set_color(scols_line_get_cell(ln, col), color);
}

static void print_table(FILE *out, struct libscols_table *tb)
{
	scols_table_set_stream(tb, out);
	scols_print_table(tb);
	scols_unref_table(tb);
}

void report_caps_table(FILE *out, const struct snapshot *s, const struct report_opts *o)
{
	static const struct col cols[] = {
		{"CAPABILITY", 1, 0},      {"EFF", 3, SCOLS_FL_RIGHT}, {"PRM", 3, SCOLS_FL_RIGHT},
		{"BND", 3, SCOLS_FL_RIGHT},  {"INH", 3, SCOLS_FL_RIGHT}, {"AMB", 3, SCOLS_FL_RIGHT},
		{"DOCKER", 7, 0},            {"RISK", 1, SCOLS_FL_TRUNC},
	};
	static const enum caps_set order[] = {CAPS_EFFECTIVE, CAPS_PERMITTED, CAPS_BOUNDING,
					      CAPS_INHERITABLE, CAPS_AMBIENT};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);
	uint64_t any = CAPS_DOCKER_DEFAULT;
	uint64_t eff = s->caps.set[CAPS_EFFECTIVE];

	for (int i = 0; i < CAPS_NSETS; i++)
		any |= s->caps.set[i];
	for (unsigned bit = 0; bit < 64; bit++) {
		uint64_t m = UINT64_C(1) << bit;
		if (!(any & m))
			continue;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		cleanup_free char *name = caps_name(bit);
		const struct caps_note *note = caps_note(bit);
		const char *docker = "";
		const char *color = NULL;
		cleanup_free char *risk = NULL;

		if ((eff & m) && !(CAPS_DOCKER_DEFAULT & m)) {
			docker = "added";
			color = report_tone_color(TONE_BAD);
		} else if (!(eff & m) && (CAPS_DOCKER_DEFAULT & m)) {
			docker = "dropped";
			color = report_tone_color(TONE_GOOD);
		} else if (eff & m) {
			docker = "default";
		}
		if (note)
			risk = xasprintf("%s%s", note->dangerous ? "! " : "", note->note);
		else
			risk = xstrdup("(a capability this isolab does not describe)");
		set_cell(ln, 0, name, note && note->dangerous && (eff & m) ? report_tone_color(TONE_BAD) : NULL, o);
		for (size_t c = 0; c < ARRAY_SIZE(order); c++)
			set_cell(ln, 1 + c, (s->caps.set[order[c]] & m) ? "x" : "-", NULL, o);
		set_cell(ln, 6, docker, color, o);
		set_cell(ln, 7, risk, NULL, o);
	}
	print_table(out, tb);
}

const char *report_ns_meaning(const char *ns)
{
	static const struct {
		const char *ns, *meaning;
	} m[] = {
		{"cgroup", "the cgroup tree it sees"},
		{"ipc", "shared memory and message queues"},
		{"mnt", "the file systems it sees"},
		{"net", "interfaces, ports and routes"},
		{"pid", "which processes it can see and signal"},
		{"pid_for_children", "the pid namespace of its future children"},
		{"time", "boot and monotonic clock offsets"},
		{"time_for_children", "the time namespace of its future children"},
		{"user", "what its uid 0 and its capabilities mean"},
		{"uts", "hostname and domain name"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (strcmp(m[i].ns, ns) == 0)
			return m[i].meaning;
	return "";
}

void report_ns_table(FILE *out, const struct snapshot *s, const struct report_opts *o)
{
	static const struct col cols[] = {
		{"NAMESPACE", 1, 0}, {"INODE", 10, SCOLS_FL_RIGHT}, {"HOST", 1, 0}, {"ISOLATES", 1, 0},
	};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);

	for (size_t i = 0; i < s->ns.n; i++) {
		const struct ns_entry *n = &s->ns.v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		char ino[32];

		set_cell(ln, 0, n->name, NULL, o);
		if (n->err) {
			set_cell(ln, 1, "?", NULL, o);
			set_cell(ln, 2, n->err == EACCES || n->err == EPERM ? "unreadable (needs root)"
									    : strerror(n->err),
				 report_tone_color(TONE_WARN), o);
		} else {
			snprintf(ino, sizeof(ino), "%llu", (unsigned long long)n->ino);
			set_cell(ln, 1, ino, NULL, o);
			set_cell(ln, 2, n->shared < 0 ? "unknown" : n->shared ? "shared" : "own",
				 n->shared == 1 ? report_tone_color(TONE_BAD) : NULL, o);
		}
		set_cell(ln, 3, report_ns_meaning(n->name), NULL, o);
	}
	print_table(out, tb);
}

void report_mounts_table(FILE *out, const struct snapshot *s, const struct report_opts *o)
{
	static const struct col cols[] = {
		{"TARGET", 1, SCOLS_FL_TRUNC}, {"KIND", 1, 0},   {"HOST PATH", 1, SCOLS_FL_TRUNC},
		{"RO", 2, 0},                     {"PROPAGATION", 1, 0}, {"FSTYPE", 1, 0},
		{"SENSITIVE", 3, 0},
	};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);

	for (size_t i = 0; i < s->mounts.n; i++) {
		const struct mount_entry *m = &s->mounts.v[i];
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		bool risky = m->sensitive || m->kind == MOUNT_DOCKER_SOCKET;

		set_cell(ln, 0, m->target, risky ? report_tone_color(TONE_BAD) : NULL, o);
		set_cell(ln, 1, mounts_kind_name(m->kind), NULL, o);
		set_cell(ln, 2, m->host_path ? m->host_path : "-", NULL, o);
		set_cell(ln, 3, m->read_only ? "ro" : "rw", NULL, o);
		set_cell(ln, 4, m->propagation, NULL, o);
		set_cell(ln, 5, m->fstype, NULL, o);
		set_cell(ln, 6, risky ? "yes" : "-", risky ? report_tone_color(TONE_BAD) : NULL, o);
	}
	print_table(out, tb);
}

static const char *uid_map_meaning(const char *uid_map)
{
	if (uid_map && strcmp(uid_map, "0 0 4294967295") == 0)
		return "no user namespace: its root is the host's root";
	return "a user namespace: its root maps to another uid on the host";
}

void report_snapshot_text(FILE *out, const struct snapshot *s, const struct report_opts *o)
{
	cleanup_free char *added = caps_join(snapshot_added_vs_docker(s), " ");
	cleanup_free char *dropped = caps_join(snapshot_dropped_vs_docker(s), " ");

	fprintf(out, "%s: pid %d (%s)\n", s->target, (int)s->pid, s->comm ? s->comm : "?");
	if (s->container_id)
		fprintf(out, "  container     %.12s\n", s->container_id);
	fprintf(out, "  effective     %016llx  vs Docker's default: added [%s] dropped [%s]\n",
		(unsigned long long)s->caps.set[CAPS_EFFECTIVE], added, dropped);
	fprintf(out, "  bounding      %016llx\n", (unsigned long long)s->caps.set[CAPS_BOUNDING]);
	fprintf(out, "  seccomp       %s", snapshot_seccomp_name(s->seccomp));
	if (s->seccomp == SECCOMP_FILTER)
		fprintf(out, " (%d filter%s)", s->seccomp_filters, s->seccomp_filters == 1 ? "" : "s");
	else if (s->seccomp == SECCOMP_DISABLED)
		fputs(" (every system call is open to it)", out);
	fprintf(out, "\n  no_new_privs  %s\n", s->no_new_privs ? "yes (setuid binaries cannot raise privileges)"
							     : "no");
	fprintf(out, "  LSM           %s\n", s->lsm ? s->lsm : "none (no label: no AppArmor or SELinux confinement)");
	fprintf(out, "  uid_map       %s (%s)\n\n", s->uid_map ? s->uid_map : "?", uid_map_meaning(s->uid_map));
	report_caps_table(out, s, o);
	fputc('\n', out);
	report_ns_table(out, s, o);
	fputc('\n', out);
	report_mounts_table(out, s, o);
}

static const char *shared_word(int v)
{
	return v < 0 ? "unknown" : v ? "shared with host" : "own";
}

static void diff_caps(FILE *out, const struct snapshot_diff *d, const struct report_opts *o)
{
	uint64_t any = 0;
	for (int s = 0; s < CAPS_NSETS; s++)
		any |= d->caps_added[s] | d->caps_removed[s];
	if (!any)
		return;
	static const struct col cols[] = {
		{"", 1, 0}, {"CAPABILITY", 1, 0}, {"SETS", 1, 0}, {"RISK", 1, SCOLS_FL_TRUNC},
	};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);
	fputs("\nCapabilities\n", out);
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned bit = 0; bit < 64; bit++) {
			uint64_t m = UINT64_C(1) << bit;
			struct strbuf sets = STRBUF_INIT;
			for (int s = 0; s < CAPS_NSETS; s++) {
				uint64_t v = pass == 0 ? d->caps_added[s] : d->caps_removed[s];
				if (v & m) {
					if (sets.len)
						strbuf_addc(&sets, ',');
					strbuf_adds(&sets, caps_set_name(s));
				}
			}
			if (!sets.len)
				continue;
			struct libscols_line *ln = scols_table_new_line(tb, NULL);
			cleanup_free char *name = caps_name(bit);
			const struct caps_note *note = caps_note(bit);
			cleanup_free char *risk =
				note ? xasprintf("%s%s", note->dangerous ? "! " : "", note->note) : NULL;
			set_cell(ln, 0, pass == 0 ? "+" : "-", pass == 0 ? report_tone_color(TONE_BAD) : report_tone_color(TONE_GOOD), o);
			set_cell(ln, 1, name, NULL, o);
			set_cell(ln, 2, strbuf_str(&sets), NULL, o);
			set_cell(ln, 3, risk, NULL, o);
			strbuf_release(&sets);
		}
	}
	print_table(out, tb);
}

static void diff_ns(FILE *out, const struct snapshot_diff *d, const struct report_opts *o)
{
	static const struct col cols[] = {
		{"NAMESPACE", 1, 0}, {"A", 1, 0}, {"B", 1, 0}, {"ISOLATES", 1, 0},
	};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);
	fputs("\nNamespaces\n", out);
	for (size_t i = 0; i < d->n_ns; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		set_cell(ln, 0, d->ns[i].name, NULL, o);
		set_cell(ln, 1, shared_word(d->ns[i].a_shared), NULL, o);
		set_cell(ln, 2, shared_word(d->ns[i].b_shared), d->ns[i].b_shared == 1 ? report_tone_color(TONE_BAD) : NULL, o);
		set_cell(ln, 3, report_ns_meaning(d->ns[i].name), NULL, o);
	}
	print_table(out, tb);
}

static void diff_mounts(FILE *out, const struct snapshot_diff *d, const struct report_opts *o)
{
	static const struct col cols[] = {
		{"", 1, 0},          {"TARGET", 1, SCOLS_FL_TRUNC}, {"KIND", 1, 0},
		{"HOST PATH", 1, SCOLS_FL_TRUNC}, {"RO", 2, 0}, {"SENSITIVE", 3, 0},
	};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);
	/* A bind is recursive: -v /:/host brings every mount of the host
	 * along below /host. Show the bind, count what came with it. */
	const struct mount_entry **roots = xcalloc(d->n_mounts, sizeof(*roots));
	size_t *below = xcalloc(d->n_mounts, sizeof(*below));
	size_t n_roots = 0;
	fputs("\nMounts\n", out);
	for (size_t i = 0; i < d->n_mounts; i++) {
		const struct snapshot_mount_change *c = &d->mounts[i];
		const struct mount_entry *m = c->b ? c->b : c->a;
		bool one_side = !c->a || !c->b;
		bool nested = false;

		assert(m); /* snapshot_diff: a change has one side at least */
		for (size_t k = 0; k < n_roots && one_side; k++)
			if (strcmp(m->target, roots[k]->target) != 0 && util_path_within(m->target, roots[k]->target)) {
				below[k]++;
				nested = true;
				break;
			}
		if (nested)
			continue;
		if (one_side && m->host_path && !m->per_container)
			roots[n_roots++] = m;
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		const char *mark = !c->a ? "+" : !c->b ? "-" : "~";
		cleanup_free char *ro = NULL;
		bool risky = m->sensitive || m->kind == MOUNT_DOCKER_SOCKET;

		if (c->a && c->b)
			ro = xasprintf("%s>%s", c->a->read_only ? "ro" : "rw", c->b->read_only ? "ro" : "rw");
		set_cell(ln, 0, mark, NULL, o);
		set_cell(ln, 1, m->target, risky ? report_tone_color(TONE_BAD) : NULL, o);
		if (c->a && c->b && c->a->kind != c->b->kind) {
			cleanup_free char *k = xasprintf("%s>%s", mounts_kind_name(c->a->kind),
							  mounts_kind_name(c->b->kind));
			set_cell(ln, 2, k, NULL, o);
		} else {
			set_cell(ln, 2, mounts_kind_name(m->kind), NULL, o);
		}
		set_cell(ln, 3, m->host_path ? m->host_path : "-", NULL, o);
		set_cell(ln, 4, ro ? ro : m->read_only ? "ro" : "rw", NULL, o);
		set_cell(ln, 5, risky ? "yes" : "-", risky ? report_tone_color(TONE_BAD) : NULL, o);
	}
	print_table(out, tb);
	for (size_t k = 0; k < n_roots; k++)
		if (below[k])
			fprintf(out, "  (%zu more mount%s below %s came with that bind: it is recursive)\n",
				below[k], below[k] == 1 ? "" : "s", roots[k]->target);
	free(roots);
	free(below);
}

static void diff_fields(FILE *out, const struct snapshot_diff *d, const struct report_opts *o)
{
	static const struct col cols[] = {{"SETTING", 1, 0}, {"A", 1, 0}, {"B", 1, 0}};
	struct libscols_table *tb = new_table(cols, ARRAY_SIZE(cols), o);
	fputs("\nSecurity\n", out);
	for (size_t i = 0; i < d->n_fields; i++) {
		struct libscols_line *ln = scols_table_new_line(tb, NULL);
		set_cell(ln, 0, d->fields[i].field, NULL, o);
		set_cell(ln, 1, d->fields[i].a, NULL, o);
		set_cell(ln, 2, d->fields[i].b, NULL, o);
	}
	print_table(out, tb);
}

void report_diff_text(FILE *out, const struct snapshot_diff *d, const struct report_opts *o)
{
	fprintf(out, "A = %s (pid %d), B = %s (pid %d)\n", d->a->target, (int)d->a->pid, d->b->target,
		(int)d->b->pid);
	if (snapshot_diff_empty(d)) {
		fputs("No differences in capabilities, namespaces, mounts or security settings.\n", out);
		return;
	}
	fputs("+ B has it and A has not;  - A has it and B has not\n", out);

	diff_caps(out, d, o);
	if (d->n_ns)
		diff_ns(out, d, o);
	if (d->n_mounts)
		diff_mounts(out, d, o);
	if (d->n_fields)
		diff_fields(out, d, o);
}
