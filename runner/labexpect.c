/* labexpect.c: a step's expectations, as data: each kind with its fields
 * (type, required, groups of which one or at least one is given), parsed
 * into struct lab_expect and its references into the step checked. */
#include "labparse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

/* The checks of isolab audit (DESIGN.md's contract, runner/audit.c). */
const char *const lab_audit_checks[] = {
	"privileged", "host-pid", "host-net", "host-ipc", "host-uts", "host-userns",
	"docker-socket", "sensitive-mount", "extra-caps", "seccomp-disabled", "lsm-unconfined",
	"no-new-privs-missing", "writable-rootfs", NULL,
};

/* --- expectations: kinds and fields as data ------------------------------- */

enum ftype {
	F_CONTAINER, /* a container of the step */
	F_ACTION,    /* an action id of the step */
	F_ENUM,      /* one of choices, stored as its index (an enum) */
	F_CHOICE,    /* one of choices, stored as the string */
	F_BOOL,
	F_INT,
	F_CAP,  /* a capability by libcap's name */
	F_PATH, /* absolute, or under {scratch} */
	F_TEXT, /* any string; placeholders allowed */
};

#define NO_OFF SIZE_MAX

struct efield {
	const char *name;
	enum ftype type;
	bool required;
	int group;        /* 1: exactly one of the group's fields; 2: at least one */
	size_t off;       /* where the value goes in struct lab_expect */
	size_t set_off;   /* a bool set to set_val when the field is given, or NO_OFF */
	bool set_val;
	int def;          /* F_BOOL, F_ENUM: the value when absent */
	const char *const *choices;
};

#define EOFF(m) offsetof(struct lab_expect, m)

static const char *const cap_sets[] = {"effective", "permitted", "inheritable", "bounding",
				       "ambient", NULL};
static const char *const ns_names[] = {"cgroup", "ipc",  "mnt",  "net",
				       "pid",    "pid_for_children", "time",
				       "time_for_children", "user", "uts", NULL};
static const char *const mount_kinds[] = {"rootfs", "host-bind", "docker-socket", "proc", "sys",
					  "dev",    "tmpfs",     "masked",        "other", NULL};
static const char *const seccomp_modes[] = {"disabled", "strict", "filter", NULL};
static const char *const results[] = {"allowed", "denied", "error", NULL};

_Static_assert(sizeof(enum lab_cap_set) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum lab_seccomp) == sizeof(int), "enums are stored as int");
_Static_assert(sizeof(enum lab_result) == sizeof(int), "enums are stored as int");

static const struct efield cap_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"set", F_ENUM, false, 0, EOFF(cap.set), NO_OFF, false, LAB_CAPSET_EFFECTIVE, cap_sets},
	{"has", F_CAP, false, 1, EOFF(cap.name), EOFF(cap.has), true, 0, NULL},
	{"lacks", F_CAP, false, 1, EOFF(cap.name), EOFF(cap.has), false, 0, NULL},
};
static const struct efield ns_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"ns", F_CHOICE, true, 0, EOFF(ns.ns), NO_OFF, false, 0, ns_names},
	{"shared", F_BOOL, true, 0, EOFF(ns.shared), NO_OFF, false, 0, NULL},
};
static const struct efield mount_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"host_path", F_PATH, false, 2, EOFF(mount.host_path), NO_OFF, false, 0, NULL},
	{"kind", F_CHOICE, false, 2, EOFF(mount.kind), NO_OFF, false, 0, mount_kinds},
	{"read_only", F_BOOL, false, 0, EOFF(mount.read_only), EOFF(mount.check_read_only), true,
	 0, NULL},
	{"present", F_BOOL, false, 0, EOFF(mount.present), NO_OFF, false, true, NULL},
};
static const struct efield seccomp_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"mode", F_ENUM, true, 0, EOFF(seccomp.mode), NO_OFF, false, 0, seccomp_modes},
};
static const struct efield nnp_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"value", F_BOOL, true, 0, EOFF(nnp.value), NO_OFF, false, 0, NULL},
};
static const struct efield action_fields[] = {
	{"id", F_ACTION, true, 0, EOFF(action.id), NO_OFF, false, 0, NULL},
	{"result", F_ENUM, true, 0, EOFF(action.result), NO_OFF, false, 0, results},
	{"contains", F_TEXT, false, 0, EOFF(action.contains), NO_OFF, false, 0, NULL},
	{"exit", F_INT, false, 0, EOFF(action.exit), EOFF(action.check_exit), true, 0, NULL},
};
static const struct efield privileged_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
};
static const struct efield finding_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"check", F_CHOICE, true, 0, EOFF(finding.check), NO_OFF, false, 0, lab_audit_checks},
	{"present", F_BOOL, false, 0, EOFF(finding.present), NO_OFF, false, true, NULL},
};
static const struct efield lsm_fields[] = {
	{"container", F_CONTAINER, true, 0, EOFF(container), NO_OFF, false, 0, NULL},
	{"profile", F_TEXT, true, 0, EOFF(lsm.profile), NO_OFF, false, 0, NULL},
};

static const struct ekind {
	const char *name;
	enum lab_expect_kind kind;
	const struct efield *fields;
	size_t n;
} ekinds[] = {
	{"cap", LAB_EXPECT_CAP, cap_fields, ARRAY_SIZE(cap_fields)},
	{"namespace", LAB_EXPECT_NAMESPACE, ns_fields, ARRAY_SIZE(ns_fields)},
	{"mount", LAB_EXPECT_MOUNT, mount_fields, ARRAY_SIZE(mount_fields)},
	{"seccomp", LAB_EXPECT_SECCOMP, seccomp_fields, ARRAY_SIZE(seccomp_fields)},
	{"no_new_privs", LAB_EXPECT_NO_NEW_PRIVS, nnp_fields, ARRAY_SIZE(nnp_fields)},
	{"action", LAB_EXPECT_ACTION, action_fields, ARRAY_SIZE(action_fields)},
	{"privileged", LAB_EXPECT_PRIVILEGED, privileged_fields, ARRAY_SIZE(privileged_fields)},
	{"finding", LAB_EXPECT_FINDING, finding_fields, ARRAY_SIZE(finding_fields)},
	{"lsm", LAB_EXPECT_LSM, lsm_fields, ARRAY_SIZE(lsm_fields)},
};

const char *lab_expect_kind_name(enum lab_expect_kind k)
{
	for (size_t i = 0; i < ARRAY_SIZE(ekinds); i++)
		if (ekinds[i].kind == k)
			return ekinds[i].name;
	return "?";
}

const char *lab_cap_set_name(enum lab_cap_set s)
{
	return (unsigned)s < 5 ? cap_sets[s] : "?";
}

const char *lab_seccomp_name(enum lab_seccomp m)
{
	return (unsigned)m < 3 ? seccomp_modes[m] : "?";
}

const char *lab_result_name(enum lab_result r)
{
	return (unsigned)r < 3 ? results[r] : "?";
}


/* Fields sharing a slot (has, lacks) may both be given: keep the last. */
static void store_str(char *base, size_t off, char *s)
{
	char **slot = (char **)(base + off);

	free(*slot);
	*slot = s;
}

/* Store one field's value; false when reported. */
static bool efield_parse(struct ctx *c, const struct efield *f, const struct ynode *v,
			 struct lab_expect *x, const struct lab_step *step)
{
	char *base = (char *)x;
	char *s;

	switch (f->type) {
	case F_CONTAINER:
	case F_ACTION:
		if (!(s = ly_get_id(c, v, f->name)))
			return false;
		store_str(base, f->off, s);
		return true;
	case F_ENUM: {
		int i = ly_get_enum(c, v, f->name, f->choices, ly_count_list(f->choices));
		if (i < 0)
			return false;
		memcpy(base + f->off, &i, sizeof(i));
		return true;
	}
	case F_CHOICE: {
		int i = ly_get_enum(c, v, f->name, f->choices, ly_count_list(f->choices));
		if (i < 0)
			return false;
		store_str(base, f->off, xstrdup(f->choices[i]));
		return true;
	}
	case F_BOOL:
		return ly_get_bool(c, v, f->name, (bool *)(base + f->off));
	case F_INT:
		return ly_get_int(c, v, f->name, (int *)(base + f->off));
	case F_CAP: {
		cap_value_t cv;
		char *name = NULL;
		if (!(s = ly_get_str(c, v, f->name, true)))
			return false;
		if (cap_from_name(s, &cv) != 0 || !(name = cap_to_name(cv)) ||
		    strncmp(name, "cap_", 4) != 0) {
			ly_problem_at(c, v,
				   "unknown capability '%s' (libcap's lowercase names, e.g. "
				   "cap_sys_admin)",
				   s);
			cap_free(name);
			free(s);
			return false;
		}
		if (strcmp(name, s) != 0) {
			ly_problem_at(c, v, "capability '%s' is written '%s' (libcap's name)", s, name);
			cap_free(name);
			free(s);
			return false;
		}
		cap_free(name);
		store_str(base, f->off, s);
		x->cap.value = cv;
		return true;
	}
	case F_PATH: {
		struct lab_pos p = ly_pos(c, v);
		if (!(s = ly_get_str(c, v, f->name, true)))
			return false;
		if (s[0] != '/' && !ly_scratch_path_ok(s)) {
			ly_problem_at(c, v, "'%s' must be an absolute path (or start with {scratch}), found '%s'",
				   f->name, s);
			free(s);
			return false;
		}
		ly_check_placeholders(c, s, &p, f->name, step);
		store_str(base, f->off, s);
		return true;
	}
	case F_TEXT: {
		struct lab_pos p = ly_pos(c, v);
		if (!(s = ly_get_str(c, v, f->name, false)))
			return false;
		ly_check_placeholders(c, s, &p, f->name, step);
		store_str(base, f->off, s);
		return true;
	}
	}
	return false;
}

static const char *article(const char *word)
{
	return strchr("aeiou", word[0]) ? "an" : "a";
}

static void join_fields(struct strbuf *sb, const struct ekind *k, int group, const char *sep)
{
	bool first = true;

	for (size_t i = 0; i < k->n; i++) {
		if (group && k->fields[i].group != group)
			continue;
		strbuf_addf(sb, "%s%s%s%s", first ? "" : sep, group ? "'" : "", k->fields[i].name,
			    group ? "'" : "");
		first = false;
	}
}

static const struct kspec when_keys[] = {
	{"lsm", false},
	{"privileged", false},
	{"cgroup", false},
};
static const char *const lsm_names[] = {"any", "apparmor", "selinux", "none"};
static const char *const priv_names[] = {"any", "real", "approximated"};
static const char *const cgroup_names[] = {"any", "v1", "v2"};

const char *lab_lsm_name(enum lab_lsm l)
{
	return (size_t)l < ARRAY_SIZE(lsm_names) ? lsm_names[l] : "?";
}

const char *lab_priv_name(enum lab_priv p)
{
	return (size_t)p < ARRAY_SIZE(priv_names) ? priv_names[p] : "?";
}

const char *lab_cgroup_name(enum lab_cgroup g)
{
	if (g == LAB_CGROUP_ANY)
		return "unknown";
	return (size_t)g < ARRAY_SIZE(cgroup_names) ? cgroup_names[g] : "?";
}

/* when: {lsm: apparmor|selinux|none, privileged: real|approximated, cgroup: v1|v2} */
void ly_parse_when(struct ctx *c, const struct ynode *n, struct lab_when *w)
{
	const struct ynode *v;
	int i;

	if (!ly_check_map(c, n, "'when'", when_keys, ARRAY_SIZE(when_keys)))
		return;
	w->pos = ly_pos(c, n);
	if ((v = ly_map_value(n, "lsm")) && (i = ly_get_enum(c, v, "lsm", lsm_names + 1, 3)) >= 0)
		w->lsm = (enum lab_lsm)(i + 1);
	if ((v = ly_map_value(n, "privileged")) &&
	    (i = ly_get_enum(c, v, "privileged", priv_names + 1, 2)) >= 0)
		w->privileged = (enum lab_priv)(i + 1);
	if ((v = ly_map_value(n, "cgroup")) &&
	    (i = ly_get_enum(c, v, "cgroup", cgroup_names + 1, 2)) >= 0)
		w->cgroup = (enum lab_cgroup)(i + 1);
	if (!ly_map_key(n, "lsm") && !ly_map_key(n, "privileged") && !ly_map_key(n, "cgroup"))
		ly_problem_at(c, n, "'when' needs 'lsm', 'privileged' or 'cgroup'");
}

/* The one kind of an expectation (its key other than why and when), and
 * its value in *val; NULL when reported. */
static const struct ekind *expect_kind(struct ctx *c, const struct ynode *item,
				       const struct ynode **kkey_out, const struct ynode **val)
{
	const struct ynode *kkey = NULL;
	const struct ekind *k = NULL;

	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *key = item->kid[i];
		if (key->bad || key->type != Y_SCALAR || strcmp(key->s, "why") == 0 ||
		    strcmp(key->s, "when") == 0)
			continue;
		if (kkey) {
			ly_problem_at(c, key,
				   "an expectation has exactly one kind, found '%s' after '%s'",
				   key->s, kkey->s);
			return NULL;
		}
		kkey = key;
		*val = item->kid[i + 1];
	}
	if (!kkey) {
		ly_problem_at(c, item,
			   "an expectation needs a kind (cap, namespace, mount, seccomp, "
			   "no_new_privs, action, privileged, finding, lsm)");
		return NULL;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ekinds); i++)
		if (strcmp(kkey->s, ekinds[i].name) == 0)
			k = &ekinds[i];
	if (!k) {
		ly_problem_at(c, kkey,
			   "unknown expectation kind '%s' (known: cap, namespace, mount, seccomp, "
			   "no_new_privs, action, privileged, finding, lsm)",
			   kkey->s);
		return NULL;
	}
	*kkey_out = kkey;
	return k;
}

/* The fields of val (a mapping) into x; false when any was reported. */
static bool expect_fields(struct ctx *c, const struct ekind *k, const struct ynode *val,
			  struct lab_expect *x, const struct lab_step *step)
{
	bool ok = true;

	for (size_t i = 0; i + 1 < val->n; i += 2) {
		const struct ynode *key = val->kid[i];
		const struct efield *f = NULL;
		if (key->bad || key->type != Y_SCALAR)
			continue;
		for (size_t j = 0; j < k->n; j++)
			if (strcmp(key->s, k->fields[j].name) == 0)
				f = &k->fields[j];
		if (!f) {
			struct strbuf sb = STRBUF_INIT;
			join_fields(&sb, k, 0, ", ");
			ly_problem_at(c, key, "unknown field '%s' in %s %s expectation (allowed: %s)",
				   key->s, article(k->name), k->name, strbuf_str(&sb));
			strbuf_release(&sb);
			ok = false;
			continue;
		}
		if (!efield_parse(c, f, val->kid[i + 1], x, step)) {
			ok = false;
			continue;
		}
		if (f->set_off != NO_OFF)
			*(bool *)((char *)x + f->set_off) = f->set_val;
	}
	return ok;
}

/* Required fields, and the groups of which one (1) or at least one (2)
 * is given; false when reported. */
static bool expect_given(struct ctx *c, const struct ekind *k, const struct ynode *val)
{
	bool ok = true;

	for (size_t i = 0; i < k->n; i++)
		if (k->fields[i].required && !ly_map_key(val, k->fields[i].name)) {
			ly_problem_at(c, val, "%s %s expectation needs '%s'", article(k->name),
				   k->name, k->fields[i].name);
			ok = false;
		}
	for (int g = 1; g <= 2; g++) {
		size_t given = 0, members = 0;
		const struct ynode *second = NULL;
		for (size_t i = 0; i < k->n; i++) {
			const struct ynode *kn;
			if (k->fields[i].group != g)
				continue;
			members++;
			if ((kn = ly_map_key(val, k->fields[i].name)) && ++given == 2)
				second = kn;
		}
		if (!members)
			continue;
		struct strbuf sb = STRBUF_INIT;
		if (given == 0) {
			/* Both groups join with "or": "one of" below is what says
			 * that group 1 takes exactly one. */
			join_fields(&sb, k, g, " or ");
			ly_problem_at(c, val, "%s %s expectation needs %s%s", article(k->name),
				   k->name, g == 1 ? "one of " : "", strbuf_str(&sb));
			ok = false;
		} else if (g == 1 && given > 1) {
			join_fields(&sb, k, g, ", ");
			ly_problem_at(c, second, "%s %s expectation takes only one of %s",
				   article(k->name), k->name, strbuf_str(&sb));
			ok = false;
		}
		strbuf_release(&sb);
	}
	return ok;
}

/* The container and action an expectation names, in the step. */
static bool expect_refs(struct ctx *c, const struct ynode *val, struct lab_expect *x,
			const struct lab_step *step)
{
	if (x->container) {
		x->container_index = lab_step_container(step, x->container);
		if (x->container_index < 0) {
			ly_problem_at(c, ly_map_value(val, "container"), "no container '%s' in step '%s'",
				   x->container, step->id ? step->id : "?");
			return false;
		}
	}
	if (x->kind == LAB_EXPECT_ACTION) {
		for (size_t i = 0; i < step->n_actions; i++)
			if (step->actions[i].id && strcmp(step->actions[i].id, x->action.id) == 0)
				x->action.index = (int)i;
		if (x->action.index < 0) {
			ly_problem_at(c, ly_map_value(val, "id"), "no action '%s' in step '%s'",
				   x->action.id, step->id ? step->id : "?");
			return false;
		}
		if (x->action.check_exit &&
		    step->actions[x->action.index].kind == LAB_ACTION_PROBE) {
			ly_problem_at(c, ly_map_key(val, "exit"),
				   "'exit' applies to exec and host actions; '%s' is a probe",
				   x->action.id);
			return false;
		}
	}
	return true;
}

bool ly_parse_expect(struct ctx *c, const struct ynode *item, struct lab_expect *x,
		     const struct lab_step *step)
{
	const struct ynode *kkey = NULL, *val = NULL, *why;
	const struct ekind *k;
	bool ok = true;

	x->container_index = -1;
	x->action.index = -1;
	if (item->bad)
		return false;
	if (item->type != Y_MAP) {
		ly_problem_at(c, item,
			   "an expectation must be a mapping (KIND: {fields}, optional why:), found %s",
			   ly_found(item));
		return false;
	}
	if (!(k = expect_kind(c, item, &kkey, &val)))
		return false;
	x->kind = k->kind;
	x->pos = ly_pos(c, kkey);
	if ((why = ly_map_value(item, "why")) && !(x->why = ly_get_str(c, why, "why", true)))
		ok = false;
	if ((why = ly_map_value(item, "when")))
		ly_parse_when(c, why, &x->when);

	for (size_t i = 0; i < k->n; i++) {
		const struct efield *f = &k->fields[i];
		if (f->type == F_BOOL)
			*(bool *)((char *)x + f->off) = f->def != 0;
		else if (f->type == F_ENUM)
			memcpy((char *)x + f->off, &f->def, sizeof(int));
	}
	if (val->bad)
		return false;
	if (val->type != Y_MAP) {
		struct strbuf sb = STRBUF_INIT;
		join_fields(&sb, k, 0, ", ");
		ly_problem_at(c, val, "'%s' must be a mapping of its fields (%s), found %s", k->name,
			   strbuf_str(&sb), ly_found(val));
		strbuf_release(&sb);
		return false;
	}
	if (!expect_fields(c, k, val, x, step))
		ok = false;
	if (!expect_given(c, k, val))
		ok = false;
	if (!ok)
		return false;
	return expect_refs(c, val, x, step);
}

void lab_expect_free(struct lab_expect *x)
{
	free(x->why);
	free(x->container);
	free(x->cap.name);
	free(x->ns.ns);
	free(x->mount.host_path);
	free(x->mount.kind);
	free(x->finding.check);
	free(x->lsm.profile);
	free(x->action.id);
	free(x->action.contains);
}

