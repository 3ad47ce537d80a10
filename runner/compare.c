/* compare.c: the transcript codec (json_unpack_ex, one reader per part of
 * step.h's shape) and the gathering of a comparison's differences. See
 * compare.h. */
#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "compare.h"
#include "report.h"

/* --- the vocabulary ------------------------------------------------------------- */

const char *cmp_mark_word(enum cmp_mark m)
{
	static const char *const words[CMP_MARK_COUNT] = {
		[CMP_MARK_HELD] = "held",         [CMP_MARK_FAILED] = "failed",
		[CMP_MARK_RISK] = "risk",         [CMP_MARK_DISAGREE] = "disagree",
		[CMP_MARK_ALLOWED] = "allowed",   [CMP_MARK_DENIED] = "denied",
		[CMP_MARK_ERROR] = "error",
	};
	return (unsigned)m < CMP_MARK_COUNT ? words[m] : "?";
}

const char *cmp_section_title(enum cmp_section s)
{
	static const char *const titles[CMP_SEC_COUNT] = {
		[CMP_SEC_CAPS] = "Capabilities (effective set)",
		[CMP_SEC_NS] = "Namespaces",
		[CMP_SEC_MOUNTS] = "Mounts",
		[CMP_SEC_SECURITY] = "Seccomp, no_new_privs, LSM",
	};
	return (unsigned)s < CMP_SEC_COUNT ? titles[s] : "?";
}

/* --- the codec ------------------------------------------------------------------- */

/* A transcript from another version may lack a key (every key is optional
 * here) or hold null where a string may be absent; any other shape is bad
 * input. */
#define UNPACK(e, where, j, fmt, ...)                                                        \
	__extension__({                                                                      \
		json_error_t je_;                                                            \
		int rc_ = json_unpack_ex((j), &je_, 0, fmt, __VA_ARGS__);                    \
		if (rc_ < 0)                                                                 \
			err_input((e), "the step's transcript: %s: %s", (where), je_.text); \
		rc_;                                                                         \
	})

static char *dup_nullable(json_t *v)
{
	return json_is_string(v) ? xstrdup(json_string_value(v)) : NULL;
}

static char *dup_str(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static int strings_into(json_t *arr, struct argv *a, const char *where, struct err *e)
{
	size_t i;
	json_t *v;

	if (!arr || json_is_null(arr))
		return 0;
	if (!json_is_array(arr))
		return err_input(e, "the step's transcript: %s: not an array", where);
	json_array_foreach(arr, i, v) {
		const char *s = NULL; /* json_unpack_ex sets it */
		if (UNPACK(e, where, v, "s", &s) < 0)
			return -1;
		argv_push(a, s);
	}
	return 0;
}

static int decode_mount(json_t *j, struct cmp_mount *m, struct err *e)
{
	const char *target = NULL;
	json_t *host = NULL, *kind = NULL;
	int ro = 0, sens = 0;

	if (UNPACK(e, "a mount", j, "{s?s, s?o, s?o, s?b, s?b}", "target", &target, "host_path",
		   &host, "kind", &kind, "read_only", &ro, "sensitive", &sens) < 0)
		return -1;
	m->target = xstrdup(target ? target : "?");
	m->host_path = dup_nullable(host);
	m->kind = dup_nullable(kind);
	m->read_only = ro;
	m->sensitive = sens;
	return 0;
}

static void mount_free(struct cmp_mount *m)
{
	free(m->target);
	free(m->host_path);
	free(m->kind);
}

static int decode_mounts(json_t *arr, struct cmp_mount **v, size_t *n, struct err *e)
{
	size_t i;
	json_t *m;

	if (arr && !json_is_array(arr) && !json_is_null(arr))
		return err_input(e, "the step's transcript: mounts: not an array");
	json_array_foreach(arr, i, m) {
		*v = xreallocarray(*v, *n + 1, sizeof(**v));
		memset(&(*v)[*n], 0, sizeof(**v));
		if (decode_mount(m, &(*v)[(*n)++], e) < 0)
			return -1;
	}
	return 0;
}

/* A set as report_caps_json writes it, {"hex": "...", "names": [...]}: the hex is the truth. */
static int decode_mask(const char *hex, uint64_t *out, struct err *e)
{
	char *end;

	errno = 0;
	*out = strtoull(hex, &end, 16);
	if (*end || !*hex || errno)
		return err_input(e, "the step's transcript: capabilities: %s is not a hex mask", hex);
	return 0;
}

static int decode_caps(json_t *caps, struct cmp_container *c, struct err *e)
{
	for (int s = 0; s < CAPS_NSETS; s++) {
		const char *hex = NULL;

		if (UNPACK(e, "capabilities", caps, "{s?{s?s}}", caps_set_name((enum caps_set)s),
			   "hex", &hex) < 0)
			return -1;
		if (hex && decode_mask(hex, &c->caps[s], e) < 0)
			return -1;
	}
	return 0;
}

static int decode_grantable(json_t *grant, struct cmp_container *c, struct err *e)
{
	const char *hex = NULL;

	if (!grant || json_is_null(grant))
		return 0;
	if (UNPACK(e, "--privileged's grantable set", grant, "{s:s}", "hex", &hex) < 0 ||
	    decode_mask(hex, &c->grantable, e) < 0)
		return -1;
	c->grantable_known = true;
	return 0;
}

static int decode_ns(json_t *nss, struct cmp_container *c, struct err *e)
{
	const char *name;
	json_t *v;

	if (nss && !json_is_object(nss) && !json_is_null(nss))
		return err_input(e, "the step's transcript: namespaces: not an object");
	json_object_foreach(nss, name, v) {
		json_int_t inode = -1, host_inode = -1;
		json_t *shared = NULL;
		struct cmp_ns *n;

		if (UNPACK(e, "a namespace", v, "{s?I, s?o, s?I}", "inode", &inode, "shared_with_host",
			   &shared, "host_inode", &host_inode) < 0)
			return -1;
		c->ns = xreallocarray(c->ns, c->n_ns + 1, sizeof(*c->ns));
		n = &c->ns[c->n_ns++];
		n->name = xstrdup(name);
		n->shared = json_is_boolean(shared) ? json_is_true(shared) : -1;
		n->inode = inode;
		n->host_inode = host_inode;
	}
	return 0;
}

static int decode_docker(json_t *dk, struct cmp_container *c, struct err *e)
{
	json_t *add = NULL, *drop = NULL, *binds = NULL;
	const char *pid_mode = NULL;
	int priv = 0;

	if (!json_is_object(dk))
		return 0;
	if (UNPACK(e, "what Docker says", dk, "{s?b, s?o, s?o, s?o, s?s}", "privileged", &priv,
		   "cap_add", &add, "cap_drop", &drop, "binds", &binds, "pid_mode", &pid_mode) < 0)
		return -1;
	c->docker_known = true;
	c->docker_privileged = priv;
	c->pid_mode = dup_str(pid_mode);
	if (strings_into(add, &c->cap_add, "cap_add", e) < 0 ||
	    strings_into(drop, &c->cap_drop, "cap_drop", e) < 0 ||
	    strings_into(binds, &c->binds, "binds", e) < 0)
		return -1;
	return 0;
}

static int decode_disagreements(json_t *arr, struct cmp_container *c, struct err *e)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v) {
		const char *check = NULL, *docker = NULL, *kernel = NULL;
		json_t *why = NULL;
		struct cmp_disagreement *d;

		if (UNPACK(e, "a disagreement", v, "{s?s, s?s, s?s, s?o}", "check", &check, "docker",
			   &docker, "kernel", &kernel, "why", &why) < 0)
			return -1;
		c->dis = xreallocarray(c->dis, c->n_dis + 1, sizeof(*c->dis));
		d = &c->dis[c->n_dis++];
		d->check = dup_str(check);
		d->docker = xstrdup(docker);
		d->kernel = xstrdup(kernel);
		d->why = dup_nullable(why);
	}
	return 0;
}

static int decode_inspect(json_t *insp, struct cmp_container *c, struct err *e)
{
	json_int_t pid = -1;
	json_t *caps = NULL, *nss = NULL, *mounts = NULL, *seccomp = NULL, *lsm = NULL;
	json_t *docker = NULL, *dis = NULL;
	int nnp = 0;

	if (!json_is_object(insp))
		return 0;
	if (UNPACK(e, "a container's inspect", insp, "{s?I, s?o, s?b, s?o, s?o, s?o, s?o, s?o, s?o}",
		   "pid", &pid, "caps", &caps, "no_new_privs", &nnp, "seccomp", &seccomp, "lsm", &lsm,
		   "namespaces", &nss, "mounts", &mounts, "docker", &docker, "disagreements",
		   &dis) < 0)
		return -1;
	c->inspected = true;
	c->pid = pid;
	c->no_new_privs = nnp;
	c->seccomp = dup_nullable(seccomp);
	c->lsm = dup_nullable(lsm);
	if ((caps && decode_caps(caps, c, e) < 0) || decode_ns(nss, c, e) < 0 ||
	    decode_mounts(mounts, &c->mounts, &c->n_mounts, e) < 0 || decode_docker(docker, c, e) < 0 ||
	    decode_disagreements(dis, c, e) < 0)
		return -1;
	return 0;
}

static int decode_container(json_t *j, struct cmp_container *c, struct err *e)
{
	const char *name = NULL, *dname = NULL;
	json_t *priv = NULL, *insp = NULL, *error = NULL;
	int ref = 0, approx = 0;

	if (UNPACK(e, "a container", j, "{s?s, s?s, s?b, s?o, s?o, s?o}", "name", &name,
		   "docker_name", &dname, "reference", &ref, "privileged", &priv, "inspect", &insp,
		   "error", &error) < 0)
		return -1;
	c->name = xstrdup(name ? name : dname ? dname : "?");
	c->reference = ref;
	c->error = dup_nullable(error);
	if (json_is_object(priv)) {
		json_t *repl = NULL, *left = NULL, *grant = NULL;
		if (UNPACK(e, "--privileged", priv, "{s?b, s?o, s?o, s?o}", "approximated", &approx,
			   "replacement", &repl, "left_out", &left, "grantable", &grant) < 0 ||
		    strings_into(repl, &c->replacement, "replacement", e) < 0 ||
		    strings_into(left, &c->left_out, "left_out", e) < 0 ||
		    decode_grantable(grant, c, e) < 0)
			return -1;
		c->privileged = true;
		c->approximated = approx;
	}
	return decode_inspect(insp, c, e);
}

static void container_free(struct cmp_container *c)
{
	free(c->name);
	free(c->error);
	argv_free(&c->replacement);
	argv_free(&c->left_out);
	for (size_t i = 0; i < c->n_ns; i++)
		free(c->ns[i].name);
	free(c->ns);
	for (size_t i = 0; i < c->n_mounts; i++)
		mount_free(&c->mounts[i]);
	free(c->mounts);
	free(c->seccomp);
	free(c->lsm);
	argv_free(&c->cap_add);
	argv_free(&c->cap_drop);
	argv_free(&c->binds);
	free(c->pid_mode);
	for (size_t i = 0; i < c->n_dis; i++) {
		free(c->dis[i].check);
		free(c->dis[i].docker);
		free(c->dis[i].kernel);
		free(c->dis[i].why);
	}
	free(c->dis);
}

/* The expectation on an action, "ID: RESULT[, ...]": the result it asked
 * for, and whether it found the canary's nonce. */
static void link_expectations(struct cmp_step *s, struct cmp_action *a)
{
	size_t n = strlen(a->id);

	for (size_t i = 0; i < s->n_expects; i++) {
		const struct cmp_expect *x = &s->expects[i];
		const char *t = x->text;

		if (!x->kind || strcmp(x->kind, "action") != 0 || !t || strncmp(t, a->id, n) != 0 ||
		    strncmp(t + n, ": ", 2) != 0)
			continue;
		t += n + 2;
		free(a->expected);
		a->expected = xstrndup(t, strcspn(t, ","));
		if (x->held && strstr(t, "the canary's nonce"))
			a->canary_read = true;
	}
	a->as_expected = !a->expected || (a->result && strcmp(a->expected, a->result) == 0);
}

static char *action_proof(const char *probe_out, bool has_probe, const char *so)
{
	size_t len;

	if (probe_out && *probe_out)
		return xstrdup(probe_out);
	if (has_probe || !so || !*so)
		return NULL;
	len = strlen(so);
	while (len && (so[len - 1] == '\n' || so[len - 1] == ' '))
		len--;
	return xstrndup(so, len > 400 ? 400 : len);
}

static int decode_action(json_t *j, struct cmp_action *a, struct err *e)
{
	const char *id = NULL, *kind = NULL, *result = NULL, *out = NULL;
	json_t *in = NULL, *cmd = NULL, *so = NULL, *detail = NULL, *probe = NULL, *error = NULL;

	if (UNPACK(e, "an action", j, "{s?s, s?s, s?o, s?o, s?o, s?s, s?o, s?o, s?o}", "id", &id,
		   "kind", &kind, "in", &in, "command", &cmd, "stdout", &so, "result", &result,
		   "detail", &detail, "probe", &probe, "error", &error) < 0)
		return -1;
	if (json_is_object(probe) &&
	    UNPACK(e, "a probe's result", probe, "{s?s}", "output", &out) < 0)
		return -1;
	a->id = xstrdup(id ? id : "?");
	a->kind = dup_str(kind);
	a->in = dup_nullable(in);
	a->command = dup_nullable(cmd);
	a->result = dup_str(result);
	a->detail = dup_nullable(detail);
	a->error = dup_nullable(error);
	a->proof = action_proof(out, json_is_object(probe), json_string_value(so));
	a->mark = !result                         ? CMP_MARK_ERROR
		  : strcmp(result, "allowed") == 0 ? CMP_MARK_ALLOWED
		  : strcmp(result, "denied") == 0  ? CMP_MARK_DENIED
						   : CMP_MARK_ERROR;
	return 0;
}

static int decode_expect(json_t *j, struct cmp_expect *x, struct err *e)
{
	const char *kind = NULL, *text = NULL;
	json_t *seen = NULL, *why = NULL;
	int held = 0;

	if (UNPACK(e, "an expectation", j, "{s?s, s?s, s?b, s?o, s?o}", "kind", &kind, "text",
		   &text, "held", &held, "seen", &seen, "why", &why) < 0)
		return -1;
	x->kind = dup_str(kind);
	x->text = xstrdup(text);
	x->held = held;
	x->seen = dup_nullable(seen);
	x->why = dup_nullable(why);
	return 0;
}

static int decode_review(json_t *j, struct cmp_review *r, struct err *e)
{
	const char *name = NULL;
	json_t *findings = NULL, *f;
	size_t i;

	if (UNPACK(e, "the review", j, "{s?s, s?o}", "name", &name, "findings", &findings) < 0)
		return -1;
	r->name = xstrdup(name ? name : "?");
	json_array_foreach(findings, i, f) {
		const char *check = NULL, *sev = NULL;
		json_t *reason = NULL, *evidence = NULL;
		int ok = 0;
		struct cmp_finding *x;

		if (UNPACK(e, "a finding", f, "{s?s, s?s, s?b, s?o, s?o}", "check", &check, "severity",
			   &sev, "accepted", &ok, "reason", &reason, "evidence", &evidence) < 0)
			return -1;
		r->findings = xreallocarray(r->findings, r->n_findings + 1, sizeof(*r->findings));
		x = &r->findings[r->n_findings++];
		x->check = xstrdup(check ? check : "?");
		x->severity = xstrdup(sev ? sev : "?");
		x->accepted = ok;
		x->reason = dup_nullable(reason);
		x->evidence = dup_nullable(evidence);
	}
	return 0;
}

/* Arrays of one part: grow, zero, decode each. */
#define DECODE_ARRAY(arr, v, n, fn, where, e)                                                   \
	__extension__({                                                                  \
		size_t i_;                                                               \
		json_t *x_;                                                              \
		int rc_ = 0;                                                             \
		if ((arr) && !json_is_array(arr) && !json_is_null(arr))                  \
			rc_ = err_input((e), "the step's transcript: %s: not an array", where); \
		json_array_foreach((arr), i_, x_) {                                     \
			(v) = xreallocarray((v), (n) + 1, sizeof(*(v)));                 \
			memset(&(v)[(n)], 0, sizeof(*(v)));                              \
			if ((rc_ = fn(x_, &(v)[(n)++], (e))) < 0)                        \
				break;                                                   \
		}                                                                        \
		rc_;                                                                     \
	})

static int container_index(const struct cmp_step *s, json_t *which, size_t *out)
{
	if (json_is_integer(which) && json_integer_value(which) >= 0 &&
	    (size_t)json_integer_value(which) < s->n_containers) {
		*out = (size_t)json_integer_value(which);
		return 0;
	}
	for (size_t i = 0; json_is_string(which) && i < s->n_containers; i++)
		if (strcmp(s->containers[i].name, json_string_value(which)) == 0) {
			*out = i;
			return 0;
		}
	return -1;
}

static int cmp_gather(const struct cmp_step *s, struct cmp_pair *p, json_t *diff,
		      const struct cmp_opts *o, struct err *e);

static int decode_pairs(json_t *cmps, struct cmp_step *s, const struct cmp_opts *o, struct err *e)
{
	size_t i;
	json_t *c;

	if (cmps && !json_is_array(cmps) && !json_is_null(cmps))
		return err_input(e, "the step's transcript: comparisons: not an array");
	json_array_foreach(cmps, i, c) {
		json_t *ref = NULL, *subj = NULL, *diff = NULL;
		size_t r, b;
		struct cmp_pair *p;

		if (UNPACK(e, "a comparison", c, "{s?o, s?o, s?o}", "reference", &ref, "subject", &subj,
			   "diff", &diff) < 0)
			return -1;
		/* A comparison with a container that has no kernel view (it did
		 * not start) has nothing to show; the summary names the error. */
		if (container_index(s, ref, &r) < 0 || container_index(s, subj, &b) < 0 ||
		    !s->containers[r].inspected || !s->containers[b].inspected)
			continue;
		s->pairs = xreallocarray(s->pairs, s->n_pairs + 1, sizeof(*s->pairs));
		p = &s->pairs[s->n_pairs++];
		memset(p, 0, sizeof(*p));
		p->ref = r;
		p->subj = b;
		if (cmp_gather(s, p, diff, o, e) < 0)
			return -1;
	}
	return 0;
}

static int decode_step(json_t *tr, const struct cmp_opts *o, struct cmp_step *s, struct err *e)
{
	json_t *cs = NULL, *cmps = NULL, *acts = NULL, *exps = NULL, *audit = NULL, *removed = NULL;
	json_t *error = NULL;
	json_int_t ms = -1;

	if (UNPACK(e, "the step", tr, "{s?o, s?o, s?o, s?o, s?o, s?o, s?o, s?I}", "containers", &cs,
		   "comparisons", &cmps, "actions", &acts, "expectations", &exps, "audit", &audit,
		   "removed", &removed, "error", &error, "elapsed_ms", &ms) < 0)
		return -1;
	s->error = dup_nullable(error);
	s->elapsed_ms = ms;
	if (DECODE_ARRAY(cs, s->containers, s->n_containers, decode_container, "containers", e) < 0 ||
	    DECODE_ARRAY(exps, s->expects, s->n_expects, decode_expect, "expectations", e) < 0 ||
	    DECODE_ARRAY(acts, s->actions, s->n_actions, decode_action, "actions", e) < 0 ||
	    DECODE_ARRAY(audit, s->review, s->n_review, decode_review, "audit", e) < 0 ||
	    strings_into(removed, &s->removed, "removed", e) < 0)
		return -1;
	for (size_t i = 0; i < s->n_expects; i++)
		s->held += s->expects[i].held;
	for (size_t i = 0; i < s->n_actions; i++)
		link_expectations(s, &s->actions[i]);
	return decode_pairs(cmps, s, o, e);
}

int cmp_step_decode(json_t *tr, const struct cmp_opts *o, struct cmp_step *out, struct err *e)
{
	static const struct cmp_opts none = {0};

	memset(out, 0, sizeof(*out));
	out->elapsed_ms = -1;
	if (!json_is_object(tr))
		return err_input(e, "the step's transcript is not a JSON object");
	return decode_step(tr, o ? o : &none, out, e);
}

static void item_free(struct cmp_item *x)
{
	free(x->label);
	free(x->host);
	free(x->ref);
	free(x->subj);
	free(x->note);
	free(x->said);
	argv_free(&x->below);
}

void cmp_step_free(struct cmp_step *s)
{
	for (size_t i = 0; i < s->n_containers; i++)
		container_free(&s->containers[i]);
	free(s->containers);
	for (size_t i = 0; i < s->n_pairs; i++) {
		for (size_t j = 0; j < s->pairs[i].n_items; j++)
			item_free(&s->pairs[i].items[j]);
		free(s->pairs[i].items);
		for (int k = 0; k < CMP_SEC_COUNT; k++)
			argv_free(&s->pairs[i].info[k]);
	}
	free(s->pairs);
	for (size_t i = 0; i < s->n_actions; i++) {
		struct cmp_action *a = &s->actions[i];
		free(a->id);
		free(a->kind);
		free(a->in);
		free(a->command);
		free(a->result);
		free(a->detail);
		free(a->error);
		free(a->proof);
		free(a->expected);
	}
	free(s->actions);
	for (size_t i = 0; i < s->n_expects; i++) {
		free(s->expects[i].kind);
		free(s->expects[i].text);
		free(s->expects[i].seen);
		free(s->expects[i].why);
	}
	free(s->expects);
	for (size_t i = 0; i < s->n_review; i++) {
		for (size_t j = 0; j < s->review[i].n_findings; j++) {
			struct cmp_finding *f = &s->review[i].findings[j];
			free(f->check);
			free(f->severity);
			free(f->reason);
			free(f->evidence);
		}
		free(s->review[i].findings);
		free(s->review[i].name);
	}
	free(s->review);
	argv_free(&s->removed);
	free(s->error);
	memset(s, 0, sizeof(*s));
}

/* --- what the model says on its own --------------------------------------------------- */

bool cmp_step_ok(const struct cmp_step *s)
{
	return !s->error && s->held == s->n_expects;
}

char *cmp_step_summary(const struct cmp_step *s)
{
	struct strbuf sb = STRBUF_INIT;

	if (s->error)
		strbuf_addf(&sb, "The step could not run to the end: %s", s->error);
	else if (s->n_expects)
		/* The TUI tests wait for "expectations held": plural always. */
		strbuf_addf(&sb, "%zu of %zu expectations held", s->held, s->n_expects);
	else
		strbuf_adds(&sb, "The step ran to the end");
	if (s->elapsed_ms >= 0)
		strbuf_addf(&sb, " (%lld.%lld s)", s->elapsed_ms / 1000, (s->elapsed_ms % 1000) / 100);
	return strbuf_detach(&sb);
}

uint64_t cmp_caps_beyond_default(const struct cmp_container *c)
{
	return c->caps[CAPS_EFFECTIVE] & ~CAPS_DOCKER_DEFAULT;
}

uint64_t cmp_caps_dropped_from_default(const struct cmp_container *c)
{
	return CAPS_DOCKER_DEFAULT & ~c->caps[CAPS_EFFECTIVE];
}

bool cmp_caps_only_not_root(const struct cmp_container *c)
{
	uint64_t dropped = cmp_caps_dropped_from_default(c);
	return (dropped & c->caps[CAPS_BOUNDING]) == dropped;
}

bool cmp_mount_plumbing(const struct cmp_mount *m)
{
	const char *hp = m->host_path;
	return hp && (strstr(hp, "/var/lib/docker/containers/") ||
		      strstr(hp, "/var/lib/docker/overlay2/") ||
		      util_str_has_prefix(hp, "/sys/fs/cgroup/"));
}

static bool kind_is(const struct cmp_mount *m, const char *kind)
{
	return m->kind && strcmp(m->kind, kind) == 0;
}

int cmp_mount_weight(const struct cmp_mount *m)
{
	if (!m->kind)
		return 5;
	if (kind_is(m, "docker-socket"))
		return 100;
	if (kind_is(m, "host-bind"))
		return m->sensitive ? (m->read_only ? 75 : 90) : (m->read_only ? 40 : 50);
	if (kind_is(m, "masked"))
		return 35;
	if (kind_is(m, "sys") || kind_is(m, "proc"))
		return 40;
	if (kind_is(m, "dev"))
		return 45;
	return 5;
}

int cmp_ns_weight(const char *ns)
{
	static const struct {
		const char *ns;
		int w;
	} t[] = {
		{"user", 90}, {"mnt", 85}, {"pid", 75}, {"net", 70},
		{"ipc", 55},  {"uts", 40}, {"cgroup", 35}, {"time", 20},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(t[i].ns, ns) == 0)
			return t[i].w;
	return 20;
}

void cmp_section_order(const struct cmp_pair *p, enum cmp_section order[CMP_SEC_COUNT])
{
	int best[CMP_SEC_COUNT] = {0};

	for (size_t i = 0; i < p->n_items; i++)
		if (p->items[i].weight > best[p->items[i].sec])
			best[p->items[i].sec] = p->items[i].weight;
	for (int s = 0; s < CMP_SEC_COUNT; s++)
		order[s] = (enum cmp_section)s;
	/* Insertion sort: stable, so equal weights keep the sections' order. */
	for (int i = 1; i < CMP_SEC_COUNT; i++)
		for (int j = i; j > 0 && best[order[j]] > best[order[j - 1]]; j--) {
			enum cmp_section t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

/* --- the differences of one comparison ------------------------------------------------- */

/* More than this many plain capabilities go on one line. */
#define GROUP_OVER 4

static struct cmp_item *item_new(struct cmp_pair *p, enum cmp_section sec, int weight)
{
	struct cmp_item *x;

	p->items = xreallocarray(p->items, p->n_items + 1, sizeof(*p->items));
	x = &p->items[p->n_items++];
	memset(x, 0, sizeof(*x));
	x->sec = sec;
	x->weight = weight;
	return x;
}

static size_t popcount(uint64_t m)
{
	return (size_t)__builtin_popcountll(m);
}

/* n capabilities, said right for one. */
static char *caps_count(size_t n)
{
	return xasprintf("%zu capabilit%s", n, n == 1 ? "y" : "ies");
}

static bool cap_dangerous(unsigned bit)
{
	const struct caps_note *n = caps_note(bit);
	return n && n->dangerous;
}

/* The bounding row: where the step is about the bounding set always, each
 * side's size with what differs; elsewhere only when it differs otherwise
 * than the effective set does. */
static void gather_bounding(struct cmp_pair *p, const struct cmp_container *r,
			    const struct cmp_container *b, bool lesson)
{
	uint64_t ra = r->caps[CAPS_BOUNDING], sb = b->caps[CAPS_BOUNDING];
	uint64_t re = r->caps[CAPS_EFFECTIVE], se = b->caps[CAPS_EFFECTIVE];
	size_t more = popcount(sb & ~ra), fewer = popcount(ra & ~sb);
	struct cmp_item *x;

	if (!lesson && (sb & ~ra) == (se & ~re) && (ra & ~sb) == (re & ~se))
		return;
	x = item_new(p, CMP_SEC_CAPS, lesson ? 30 : 5);
	x->label = xstrdup("bounding set");
	x->ref = caps_count(popcount(ra));
	x->subj = caps_count(popcount(sb));
	x->tone = ra == sb ? CMP_TONE_SAME : more ? CMP_TONE_ADDED : CMP_TONE_REMOVED;
	x->note = ra == sb ? xstrdup("the ceiling: the most a program run here could ever gain; "
				     "the same on both")
			   : xasprintf("the ceiling: the most a program run here could ever gain; "
				       "%zu more, %zu fewer than the reference's",
				       more, fewer);
	x->said = xasprintf("bounding set: %s", x->subj);
}

static void gather_added_caps(struct cmp_pair *p, uint64_t added)
{
	struct strbuf rest = STRBUF_INIT;
	size_t n_rest = 0, n_plain = 0;

	for (unsigned bit = 0; bit < 64; bit++)
		n_plain += (added >> bit & 1) && !cap_dangerous(bit);
	/* Each dangerous one on its own line, with its note; the others
	 * alone only while they are few. */
	for (unsigned bit = 0; bit < 64; bit++) {
		const struct caps_note *note = caps_note(bit);
		cleanup_free char *name = NULL;
		struct cmp_item *x;

		if (!(added >> bit & 1))
			continue;
		name = caps_name(bit);
		if (!cap_dangerous(bit) && n_plain > GROUP_OVER) {
			strbuf_addf(&rest, "%s%s", rest.len ? " " : "", name);
			n_rest++;
			continue;
		}
		x = item_new(p, CMP_SEC_CAPS, cap_dangerous(bit) ? 80 : 30);
		x->tone = x->subj_tone = CMP_TONE_ADDED;
		x->label = xstrdup(name);
		x->ref = xstrdup("lacks it");
		x->subj = xstrdup("HAS IT");
		x->danger = cap_dangerous(bit);
		x->note = note ? xstrdup(note->note) : NULL;
		x->said = note ? xasprintf("%s: %s", name, note->note) : xstrdup(name);
	}
	if (n_rest) {
		struct cmp_item *x = item_new(p, CMP_SEC_CAPS, 30);
		x->tone = x->subj_tone = CMP_TONE_ADDED;
		x->label = xasprintf("%zu more", n_rest);
		x->ref = xstrdup("lacks them");
		x->subj = xstrdup("HAS THEM");
		x->note = strbuf_detach(&rest);
		x->said = xasprintf("%zu more capabilities", n_rest);
	}
	strbuf_release(&rest);
}

static void gather_removed_caps(struct cmp_pair *p, uint64_t removed)
{
	if (popcount(removed) > GROUP_OVER) {
		struct cmp_item *x = item_new(p, CMP_SEC_CAPS, 10);
		x->tone = x->subj_tone = CMP_TONE_REMOVED;
		x->label = xasprintf("%zu dropped", popcount(removed));
		x->ref = xstrdup("has them");
		x->subj = xstrdup("lacks them");
		x->note = caps_join(removed, " ");
		x->said = xasprintf("%zu capabilities dropped", popcount(removed));
		return;
	}
	for (unsigned bit = 0; bit < 64; bit++) {
		struct cmp_item *x;

		if (!(removed >> bit & 1))
			continue;
		x = item_new(p, CMP_SEC_CAPS, 10);
		x->tone = x->subj_tone = CMP_TONE_REMOVED;
		x->label = caps_name(bit);
		x->ref = xstrdup("has it");
		x->subj = xstrdup("lacks it");
		x->said = xasprintf("%s dropped", x->label);
	}
}

static void gather_caps(struct cmp_pair *p, const struct cmp_container *r,
			const struct cmp_container *b, bool bounding)
{
	uint64_t re = r->caps[CAPS_EFFECTIVE], se = b->caps[CAPS_EFFECTIVE];

	gather_added_caps(p, se & ~re);
	gather_removed_caps(p, re & ~se);
	argv_pushf(&p->info[CMP_SEC_CAPS], "%zu held by both; the reference holds %zu, the subject %zu",
		   popcount(re & se), popcount(re), popcount(se));
	gather_bounding(p, r, b, bounding);
}

/* 1 shared with the host, 0 its own, -1 unknown. */
static int ns_shared(const struct cmp_container *c, const char *ns)
{
	for (size_t i = 0; i < c->n_ns; i++)
		if (strcmp(c->ns[i].name, ns) == 0)
			return c->ns[i].shared;
	return -1;
}

static const char *ns_word(int shared)
{
	return shared > 0 ? "HOST'S" : shared == 0 ? "its own" : "unreadable";
}

static void gather_one_ns(struct cmp_pair *p, const char *ns, const char *base, int a, int b)
{
	struct cmp_item *x = item_new(p, CMP_SEC_NS, b > 0 ? cmp_ns_weight(base ? base : ns) : 10);

	x->tone = b > 0 ? CMP_TONE_HOST : CMP_TONE_NORMAL;
	x->label = xstrdup(ns);
	x->ref = xstrdup(ns_word(a));
	x->ref_tone = a > 0 ? CMP_TONE_HOST : CMP_TONE_NORMAL;
	x->subj = xstrdup(ns_word(b));
	x->subj_tone = b > 0 ? CMP_TONE_HOST : CMP_TONE_NORMAL;
	x->note = xstrdup(report_ns_meaning(ns));
	x->danger = b > 0 && a <= 0 && cmp_ns_weight(ns) >= 70;
	x->said = b > 0 ? xasprintf("shares the host's %s namespace: %s", ns, report_ns_meaning(ns))
			: xasprintf("has its own %s namespace", ns);
}

static void gather_ns(struct cmp_pair *p, const struct cmp_container *r,
		      const struct cmp_container *b)
{
	struct strbuf own = STRBUF_INIT, host = STRBUF_INIT;

	for (size_t i = 0; i < b->n_ns; i++) {
		const char *ns = b->ns[i].name, *base = NULL;
		int sa = ns_shared(r, ns), sb = b->ns[i].shared;

		/* pid_for_children and time_for_children follow their base. */
		if (strcmp(ns, "pid_for_children") == 0)
			base = "pid";
		else if (strcmp(ns, "time_for_children") == 0)
			base = "time";
		if (base && ns_shared(r, base) == sa && ns_shared(b, base) == sb)
			continue;
		if (sa == sb) {
			struct strbuf *to = sa > 0 ? &host : &own;
			if (!base)
				strbuf_addf(to, "%s%s", to->len ? " " : "", ns);
			continue;
		}
		gather_one_ns(p, ns, base, sa, sb);
	}
	if (own.len)
		argv_pushf(&p->info[CMP_SEC_NS], "their own on both: %s", strbuf_str(&own));
	if (host.len)
		argv_pushf(&p->info[CMP_SEC_NS], "the host's on both: %s", strbuf_str(&host));
	strbuf_release(&own);
	strbuf_release(&host);
}

static char *mount_desc(const struct cmp_mount *m)
{
	bool ro = m->read_only;

	if (!m->kind)
		return xstrdup("?");
	if (kind_is(m, "host-bind"))
		return xstrdup(ro ? "host bind, read-only" : "host bind, WRITABLE");
	if (kind_is(m, "docker-socket"))
		return xstrdup(ro ? "Docker socket (:ro)" : "Docker socket");
	return xasprintf("%s%s", m->kind, ro ? ", read-only" : ", writable");
}

static char *mount_note(const struct cmp_mount *m)
{
	if (kind_is(m, "docker-socket"))
		return xstrdup(m->read_only ? "read-only stops writes to the socket file, not API "
					      "calls: the container can start a privileged sibling"
					    : "the Docker API: the container can start a privileged "
					      "sibling with the host's / mounted");
	if (kind_is(m, "host-bind") && m->sensitive)
		return xstrdup(m->read_only ? "a sensitive host path, readable"
					    : "a sensitive host path, writable: a way to change "
					      "the host");
	if (kind_is(m, "masked"))
		return xstrdup("Docker hides this path by default");
	return NULL;
}

static char *mount_said(const struct cmp_item *x, const struct cmp_mount *a,
			const struct cmp_mount *b)
{
	const struct cmp_mount *m = b ? b : a;

	if (!a && kind_is(m, "docker-socket"))
		return xasprintf("the Docker socket is mounted at %s%s", m->target,
				 m->read_only ? " (:ro, still the full API)" : "");
	if (!a && m->host_path)
		return xasprintf("the host's %s is mounted at %s, %s", m->host_path, m->target,
				 m->read_only ? "read-only" : "writable");
	if (!b && kind_is(m, "masked"))
		return xasprintf("%s is no longer masked", m->target);
	return xasprintf("%s: %s", x->label, x->subj);
}

static void gather_one_mount(struct cmp_pair *p, const struct cmp_mount *a,
			     const struct cmp_mount *b)
{
	const struct cmp_mount *m = b ? b : a;

	assert(m); /* a change has one side at least */
	struct cmp_item *x = item_new(p, CMP_SEC_MOUNTS, cmp_mount_weight(m));

	x->label = xstrdup(m->target);
	x->host = dup_str(m->host_path);
	x->ref = a ? mount_desc(a) : xstrdup("not mounted");
	x->subj = b ? mount_desc(b) : xstrdup("not mounted");
	x->tone = !a ? CMP_TONE_ADDED : !b ? CMP_TONE_REMOVED : CMP_TONE_WARN;
	x->subj_tone = b && x->weight >= 40 ? CMP_TONE_ADDED : CMP_TONE_NORMAL;
	x->note = b ? mount_note(b) : NULL;
	x->danger = b && (kind_is(b, "docker-socket") || (kind_is(b, "host-bind") && b->sensitive));
	x->said = mount_said(x, a, b);
}

/* A bind is recursive: -v /:/host brings every mount of the host along
 * below /host. A mount on one side only that lies below such a bind on the
 * same side is folded into the bind's row, each target once. */
static bool fold_below(struct cmp_pair *p, size_t first, const struct cmp_mount *m)
{
	for (size_t i = first; i < p->n_items; i++) {
		struct cmp_item *x = &p->items[i];
		if (!x->host || strcmp(x->ref, "not mounted") != 0 || strcmp(x->label, m->target) == 0 ||
		    !util_path_within(m->target, x->label))
			continue;
		for (size_t k = 0; k < x->below.n; k++)
			if (strcmp(x->below.v[k], m->target) == 0)
				return true;
		argv_push(&x->below, m->target);
		return true;
	}
	return false;
}

static int gather_mounts(struct cmp_pair *p, json_t *diff, struct err *e)
{
	json_t *only_a = NULL, *only_b = NULL, *changed = NULL, *v;
	struct cmp_mount *ma = NULL, *mb = NULL;
	size_t na = 0, nb = 0, i, first = p->n_items;
	struct strbuf unmasked = STRBUF_INIT;
	size_t n_unmasked = 0;
	int rc = -1;

	if (json_is_object(diff) &&
	    UNPACK(e, "a comparison's diff", diff, "{s?{s?o, s?o, s?o}}", "mounts", "only_in_a",
		   &only_a, "only_in_b", &only_b, "changed", &changed) < 0)
		return -1;
	if (decode_mounts(only_a, &ma, &na, e) < 0 || decode_mounts(only_b, &mb, &nb, e) < 0)
		goto out;
	/* A container's own files under Docker's data differ by nature. */
	for (i = 0; i < nb; i++)
		if (!cmp_mount_plumbing(&mb[i]) && !fold_below(p, first, &mb[i]))
			gather_one_mount(p, NULL, &mb[i]);
	/* Masked in the reference only: the subject sees what Docker hides. */
	for (i = 0; i < na; i++) {
		if (kind_is(&ma[i], "masked")) {
			strbuf_addf(&unmasked, "%s%s", unmasked.len ? " " : "", ma[i].target);
			n_unmasked++;
		} else if (!cmp_mount_plumbing(&ma[i])) {
			gather_one_mount(p, &ma[i], NULL);
		}
	}
	if (n_unmasked) {
		struct cmp_item *x = item_new(p, CMP_SEC_MOUNTS, 35);
		x->tone = x->subj_tone = CMP_TONE_WARN;
		x->label = n_unmasked == 1 ? xstrdup(strbuf_str(&unmasked))
					   : xasprintf("%zu paths Docker masks", n_unmasked);
		x->ref = xstrdup("masked");
		x->subj = xstrdup("VISIBLE");
		x->note = n_unmasked == 1 ? xstrdup("a kernel file Docker hides by default")
					  : xasprintf("kernel files Docker hides by default: %s",
						      strbuf_str(&unmasked));
		x->said = xasprintf("%zu kernel path%s Docker masks %s visible", n_unmasked,
				    n_unmasked == 1 ? "" : "s", n_unmasked == 1 ? "is" : "are");
	}
	json_array_foreach(changed, i, v) {
		json_t *a = NULL, *b = NULL;
		struct cmp_mount x = {0}, y = {0};
		int bad = UNPACK(e, "a changed mount", v, "{s?o, s?o}", "a", &a, "b", &b) < 0 ||
			  decode_mount(a, &x, e) < 0 || decode_mount(b, &y, e) < 0;
		if (!bad)
			gather_one_mount(p, &x, &y);
		mount_free(&x);
		mount_free(&y);
		if (bad)
			goto out;
	}
	if (!na && !nb && !json_array_size(changed))
		argv_push(&p->info[CMP_SEC_MOUNTS], "the same mounts on both");
	rc = 0;
out:
	strbuf_release(&unmasked);
	for (i = 0; i < na; i++)
		mount_free(&ma[i]);
	for (i = 0; i < nb; i++)
		mount_free(&mb[i]);
	free(ma);
	free(mb);
	return rc;
}

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static void gather_security(struct cmp_pair *p, const struct cmp_container *r,
			    const struct cmp_container *b)
{
	const char *sa = r->seccomp, *sb = b->seccomp, *la = r->lsm, *lb = b->lsm;
	bool off = sb && strcmp(sb, "disabled") == 0, same = sa && sb && strcmp(sa, sb) == 0;
	struct cmp_item *x = item_new(p, CMP_SEC_SECURITY, same ? 0 : off ? 60 : 20);

	x->label = xstrdup("seccomp");
	x->ref = xstrdup(sa ? sa : "?");
	x->subj = xstrdup(sb ? sb : "?");
	if (!same) {
		x->tone = x->subj_tone = CMP_TONE_WARN;
		x->note = off ? xstrdup("no system call filter: every call the capabilities allow "
					"reaches the kernel")
			      : NULL;
		x->said = off ? xstrdup("seccomp is off: no system call filter")
			      : xasprintf("seccomp: %s, not %s", x->subj, x->ref);
	}

	x = item_new(p, CMP_SEC_SECURITY, r->no_new_privs == b->no_new_privs ? 0 : 15);
	x->label = xstrdup("no_new_privs");
	x->ref = xstrdup(r->no_new_privs ? "set" : "not set");
	x->subj = xstrdup(b->no_new_privs ? "set" : "not set");
	if (x->weight) {
		x->tone = CMP_TONE_WARN;
		x->note = xstrdup(b->no_new_privs ? "set-user-ID programs cannot gain privileges"
						  : "set-user-ID programs can gain privileges");
		x->said = xasprintf("no_new_privs is %s", x->subj);
	}

	same = same_str(la, lb);
	x = item_new(p, CMP_SEC_SECURITY, same ? 0 : (lb && strstr(lb, "unconfined")) ? 40 : 30);
	x->label = xstrdup("LSM label");
	x->ref = xstrdup(la ? la : "none");
	x->subj = xstrdup(lb ? lb : "none");
	if (!same) {
		x->tone = CMP_TONE_WARN;
		x->said = xasprintf("LSM label: %s, not %s", x->subj, x->ref);
	}
}

static int cmp_items(const void *pa, const void *pb)
{
	const struct cmp_item *a = pa, *b = pb;

	if (a->sec != b->sec)
		return (int)a->sec - (int)b->sec;
	return b->weight - a->weight;
}

static int cmp_gather(const struct cmp_step *s, struct cmp_pair *p, json_t *diff,
		      const struct cmp_opts *o, struct err *e)
{
	const struct cmp_container *r = &s->containers[p->ref], *b = &s->containers[p->subj];

	gather_caps(p, r, b, o->bounding);
	gather_ns(p, r, b);
	if (gather_mounts(p, diff, e) < 0)
		return -1;
	gather_security(p, r, b);
	/* By section, biggest first (a stable order: the weight, then as gathered). */
	if (p->n_items)
		qsort(p->items, p->n_items, sizeof(*p->items), cmp_items);
	return 0;
}
