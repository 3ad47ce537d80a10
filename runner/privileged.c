/* privileged.c: the decision between a real --privileged and its closest
 * honest approximation, and the sentences that say what differs. */
#include "privileged.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"

#define FLAG "--privileged"

enum flag_kind {
	NOT_PRIVILEGED, /* some other flag */
	PRIV_TRUE,
	PRIV_FALSE,
	PRIV_BAD,       /* --privileged=V with a V Docker rejects */
};

/* Docker parses bool flags with Go's strconv.ParseBool. */
static enum flag_kind classify(const char *arg)
{
	static const char *const yes[] = {"1", "t", "T", "TRUE", "true", "True"};
	static const char *const no[] = {"0", "f", "F", "FALSE", "false", "False"};
	const char *v;

	if (!util_str_has_prefix(arg, FLAG))
		return NOT_PRIVILEGED;
	v = arg + strlen(FLAG);
	if (!*v)
		return PRIV_TRUE;
	if (*v != '=')
		return NOT_PRIVILEGED; /* --privileged-something: not ours */
	v++;
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (strcmp(v, yes[i]) == 0)
			return PRIV_TRUE;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (strcmp(v, no[i]) == 0)
			return PRIV_FALSE;
	return PRIV_BAD;
}

bool privileged_is_requested(char *const *flags)
{
	bool on = false;

	for (size_t i = 0; flags && flags[i]; i++) {
		enum flag_kind k = classify(flags[i]);
		if (k == PRIV_TRUE)
			on = true;
		else if (k == PRIV_FALSE)
			on = false;
	}
	return on;
}

/* Docker's spelling of a capability: libcap's name, upper case, without
 * "cap_". NULL for a bit libcap has no name for (Docker has none either). */
static char *docker_cap_name(unsigned bit)
{
	cleanup_free char *n = caps_name(bit);
	char *d;

	if (!util_str_has_prefix(n, "cap_"))
		return NULL;
	d = xstrdup(n + 4);
	for (char *p = d; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return d;
}

static void build_replacement(const struct host_facts *h, struct privileged_plan *p)
{
	argv_push(&p->replacement, "--cap-add");
	argv_push(&p->replacement, "ALL");
	for (unsigned bit = 0; bit < 64; bit++) {
		if (!(h->missing & (UINT64_C(1) << bit)))
			continue;
		cleanup_free char *name = caps_name(bit);
		cleanup_free char *dname = docker_cap_name(bit);

		if (dname) {
			argv_push(&p->replacement, "--cap-drop");
			argv_push(&p->replacement, dname);
			p->dropped |= UINT64_C(1) << bit;
			argv_pushf(&p->left_out,
				   "%s: this host's bounding set does not have it, so no container "
				   "here can get it",
				   name);
		} else {
			argv_pushf(&p->left_out,
				   "capability %s: this host's bounding set does not have it, so no "
				   "container here can get it (neither libcap nor Docker has a name "
				   "for it)",
				   name);
		}
	}
	argv_push(&p->replacement, "--security-opt");
	argv_push(&p->replacement, "seccomp=unconfined");
	argv_push(&p->replacement, "--security-opt");
	argv_push(&p->replacement, "apparmor=unconfined");
	/* Privileged turns SELinux labelling off; the option means nothing, and
	 * is left out, where SELinux is off. */
	if (h->selinux != HOST_SELINUX_OFF) {
		argv_push(&p->replacement, "--security-opt");
		argv_push(&p->replacement, "label=disable");
	}
	argv_push(&p->replacement, "--security-opt");
	argv_push(&p->replacement, "systempaths=unconfined");
	argv_push(&p->replacement, "--device-cgroup-rule");
	argv_push(&p->replacement, "a *:* rwm");

	argv_push(&p->left_out, "/sys stays read-only (privileged mounts it read-write)");
	argv_push(&p->left_out, "host devices are not pre-created in /dev (with the device cgroup "
				"open, a process with cap_mknod can create them)");
	argv_push(&p->left_out,
		  "the engine may grant fewer capabilities with --cap-add ALL than the kernel has "
		  "(Docker 20.10 with runc 1.1 grants 0-37 only): isolab's snapshot shows what "
		  "was really granted");
}

/* An empty argv still has a NULL-terminated v, so callers can pass it on. */
static void argv_terminate(struct argv *a)
{
	if (!a->v) {
		a->v = xcalloc(1, sizeof(*a->v));
		a->cap = 1;
	}
}

int privileged_plan(char *const *flags, const struct host_facts *h, struct privileged_plan *out,
		    struct err *e)
{
	bool placed = false;

	memset(out, 0, sizeof(*out));
	argv_terminate(&out->replacement);
	argv_terminate(&out->left_out);
	for (size_t i = 0; flags && flags[i]; i++)
		if (classify(flags[i]) == PRIV_BAD) {
			argv_push_all(&out->flags, flags);
			argv_terminate(&out->flags);
			return err_input(e, "'%s': Docker takes --privileged, --privileged=true or "
					    "--privileged=false", flags[i]);
		}
	out->requested = privileged_is_requested(flags);
	if (!out->requested || h->can_grant_all) {
		argv_push_all(&out->flags, flags);
		argv_terminate(&out->flags);
		return 0;
	}

	out->approximated = true;
	build_replacement(h, out);
	/* Every --privileged[=V] goes (the last one said true); the replacement
	 * stands where the first one stood, everything else stays in order. */
	for (size_t i = 0; flags[i]; i++) {
		if (classify(flags[i]) == NOT_PRIVILEGED) {
			argv_push(&out->flags, flags[i]);
		} else if (!placed) {
			argv_push_all(&out->flags, out->replacement.v);
			placed = true;
		}
	}
	return 0;
}

void privileged_plan_free(struct privileged_plan *p)
{
	argv_free(&p->flags);
	argv_free(&p->replacement);
	argv_free(&p->left_out);
	memset(p, 0, sizeof(*p));
}
