/* step.c: one step of a lab, from its containers to its expectations, and
 * its transcript (the JSON `isolab run --json` prints and the TUI's child
 * streams; report_step.c renders its text from the comparison model). */
#include "step.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"
#include "hostact.h"
#include "policy.h"

#define PROBE_PATH "/bin/probe"
#define HOST_ACTION_TIMEOUT_MS 30000

/* ---- events ------------------------------------------------------------- */

static void emit(const struct step_ctx *ctx, enum step_event_kind kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void emit(const struct step_ctx *ctx, enum step_event_kind kind, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (!ctx->on_event)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	struct step_event ev = {kind, strbuf_str(&sb)};
	ctx->on_event(ctx->event_data, &ev);
	strbuf_release(&sb);
}

static void emit_argv(const struct step_ctx *ctx, char *const *argv)
{
	cleanup_free char *line = util_argv_to_shell(argv);
	emit(ctx, STEP_EV_COMMAND, "%s", line);
}

/* ---- placeholders ------------------------------------------------------- */

struct vars_data {
	const struct step_ctx *ctx;
	const struct lab_step *step;
	const struct step_result *r; /* NULL before anything ran */
	bool preview;                /* step_commands: pids as a shell substitution */
};

/* A marker that util_shell_quote() always quotes; step_commands() turns
 * it into $(docker inspect ...) after quoting. */
#define PID_MARK_OPEN '\x01'
#define PID_MARK_CLOSE '\x02'

static int lookup(void *user, enum lab_var var, const char *arg, struct strbuf *out, struct err *e)
{
	const struct vars_data *d = user;
	const struct session *s = d->ctx->session;
	int c = arg ? lab_step_container(d->step, arg) : -1;

	switch (var) {
	case LAB_VAR_PID:
		if (c < 0)
			return err_input(e, "{pid:%s}: no container %s in this step", arg, arg);
		if (d->preview) {
			strbuf_addc(out, PID_MARK_OPEN);
			strbuf_adds(out, arg);
			strbuf_addc(out, PID_MARK_CLOSE);
			return 0;
		}
		if (!d->r || !d->r->containers[c].target)
			return err_input(e, "{pid:%s}: container %s is not running", arg, arg);
		strbuf_addf(out, "%d", (int)d->r->containers[c].target->snap.pid);
		return 0;
	case LAB_VAR_NAME: {
		if (c < 0)
			return err_input(e, "{name:%s}: no container %s in this step", arg, arg);
		cleanup_free char *n = session_container_name(s, d->step->id, arg);
		strbuf_adds(out, n);
		return 0;
	}
	case LAB_VAR_WITNESS:
		if (s->witness <= 0)
			return err_input(e, "{witness}: no witness process is running");
		strbuf_addf(out, "%d", (int)s->witness);
		return 0;
	case LAB_VAR_NONCE:
		strbuf_adds(out, s->nonce);
		return 0;
	case LAB_VAR_SCRATCH:
		if (!s->scratch)
			return err_input(e, "{scratch}: the session has no scratch dir");
		strbuf_adds(out, s->scratch);
		return 0;
	case LAB_VAR_IMAGE:
		strbuf_adds(out, d->ctx->image);
		return 0;
	case LAB_VAR_SESSION:
		strbuf_adds(out, s->id);
		return 0;
	case LAB_VAR_DISK_CANARY:
		if (!s->disk_canary)
			return err_input(e, "{disk_canary}: the session has no disk canary");
		strbuf_adds(out, s->disk_canary);
		return 0;
	case LAB_VAR_DOCKER_SOCKET: {
		cleanup_free char *sock = NULL;
		if (engine_socket_path(d->ctx->eng, &sock, e) < 0)
			return -1;
		strbuf_adds(out, sock);
		return 0;
	}
	}
	return err_input(e, "unknown placeholder");
}

/* ---- containers --------------------------------------------------------- */

static int plan_container(struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
			  size_t i, const struct lab_vars *vars, struct step_container *c,
			  struct argv *labels, struct argv *command, struct err *e)
{
	const struct lab_container *def = &step->containers[i];
	struct argv flags = ARGV_INIT;
	int rc;

	c->def = def;
	c->name = session_container_name(ctx->session, step->id, def->name);
	session_labels(ctx->session, lab->id, step->id, labels);
	/* Docker gets the canonical flags the host-reach gate decided on,
	 * never the lab's own words. */
	if (!def->run)
		return err_input(e, "container %s: its flags were not checked", def->name);
	if (policy_emit(def->run, vars, &flags, e) < 0 ||
	    lab_expand_words(&def->command, vars, command, e) < 0) {
		argv_free(&flags);
		return err_wrap(e, "container %s", def->name);
	}
	rc = privileged_plan(flags.v, ctx->facts, &c->plan, e);
	argv_free(&flags);
	if (rc < 0)
		return err_wrap(e, "container %s", def->name);

	struct engine_run_spec spec = {
		.name = c->name,
		.image = ctx->image,
		.labels = labels->v,
		.flags = c->plan.flags.v,
		.command = command->n ? command->v : NULL,
	};
	engine_run_argv(ctx->eng, &spec, &c->run_argv);
	return 0;
}

static int start_containers(struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
			    const struct lab_vars *vars, struct step_result *r, struct err *e)
{
	size_t n = step->n_containers;
	struct argv *labels = xcalloc(n ? n : 1, sizeof(*labels));
	struct argv *commands = xcalloc(n ? n : 1, sizeof(*commands));
	struct engine_run_spec *specs = xcalloc(n ? n : 1, sizeof(*specs));
	struct engine_run_job *jobs = xcalloc(n ? n : 1, sizeof(*jobs));
	int rc = 0;

	/* Every container names its definition before any can fail: the
	 * renderings read def for each, started or not. */
	for (size_t i = 0; i < n; i++)
		r->containers[i].def = &step->containers[i];
	for (size_t i = 0; i < n; i++) {
		struct step_container *c = &r->containers[i];
		if (plan_container(ctx, lab, step, i, vars, c, &labels[i], &commands[i], e) < 0) {
			rc = -1;
			goto out;
		}
		specs[i] = (struct engine_run_spec){c->name, ctx->image, labels[i].v, c->plan.flags.v,
						    commands[i].n ? commands[i].v : NULL};
		jobs[i].spec = &specs[i];
		emit_argv(ctx, c->run_argv.v);
		if (c->plan.approximated) {
			cleanup_free char *repl = util_argv_to_shell(c->plan.replacement.v);
			emit(ctx, STEP_EV_NOTE,
			     "%s: this host cannot grant every capability, so --privileged runs as: %s",
			     c->def->name, repl);
			for (size_t k = 0; k < c->plan.left_out.n; k++)
				emit(ctx, STEP_EV_NOTE, "  left out: %s", c->plan.left_out.v[k]);
		}
	}
	if (n) {
		emit(ctx, STEP_EV_PHASE, "starting %zu container%s in parallel", n, n == 1 ? "" : "s");
		engine_run_many(ctx->eng, jobs, n, NULL);
	}
	for (size_t i = 0; i < n; i++) {
		struct step_container *c = &r->containers[i];
		c->rc = jobs[i].rc;
		c->id = steal_pointer(&jobs[i].id);
		if (c->rc < 0) {
			c->err = jobs[i].err;
			emit(ctx, STEP_EV_NOTE, "%s did not start: %s", c->def->name, c->err.msg);
			/* The engine itself failing stops the step; a container that
			 * cannot start (bad flag) is that container's result. */
			if (c->err.kind == ERR_ENGINE || c->err.kind == ERR_CANCEL || c->err.kind == ERR_TIMEOUT) {
				if (rc == 0)
					*e = c->err;
				rc = -1;
			}
		}
	}
out:
	for (size_t i = 0; i < n; i++) {
		argv_free(&labels[i]);
		argv_free(&commands[i]);
	}
	free(labels);
	free(commands);
	free(specs);
	free(jobs);
	return rc;
}

static int inspect_containers(struct step_ctx *ctx, struct step_result *r, struct err *e)
{
	struct argv ids = ARGV_INIT;
	int *index = xcalloc(r->n_containers ? r->n_containers : 1, sizeof(*index));
	int rc;

	for (size_t i = 0; i < r->n_containers; i++)
		if (r->containers[i].id) {
			index[ids.n] = (int)i;
			argv_push(&ids, r->containers[i].id);
		}
	if (!ids.n) {
		free(index);
		return 0;
	}
	emit(ctx, STEP_EV_PHASE, "reading each container's process from the kernel (/proc)");
	rc = target_resolve(ctx->eng, ids.v, ids.n, ctx->host, &r->targets, e);
	if (rc == 0) {
		for (size_t k = 0; k < r->targets.n; k++) {
			struct step_container *c = &r->containers[index[k]];
			const struct target *t = &r->targets.v[k];
			if (t->rc < 0) {
				c->rc = -1;
				c->err = t->err;
				emit(ctx, STEP_EV_NOTE, "%s: %s", c->def->name, t->err.msg);
				continue;
			}
			/* The learner knows the container by the lab's name for it;
			 * the id stays in container_id. */
			free(r->targets.v[k].snap.target);
			r->targets.v[k].snap.target = xstrdup(c->def->name);
			c->target = t;
		}
	}
	argv_free(&ids);
	free(index);
	return rc;
}

static void compare(const struct lab_step *step, struct step_result *r)
{
	int ref = step->reference;

	if (ref < 0 || !r->containers[ref].target)
		return;
	r->comparisons = xcalloc(r->n_containers, sizeof(*r->comparisons));
	for (size_t i = 0; i < r->n_containers; i++) {
		if ((int)i == ref || !r->containers[i].target)
			continue;
		struct step_comparison *c = &r->comparisons[r->n_comparisons++];
		c->reference = ref;
		c->subject = (int)i;
		snapshot_diff(&r->containers[ref].target->snap, &r->containers[i].target->snap, &c->diff);
	}
}

/* ---- actions -------------------------------------------------------------- */

/* Words a command prints when the kernel refused it for lack of privilege. */
static const char *const denied_words[] = {
	"Permission denied", "Operation not permitted", "EPERM", "EACCES",
	"Read-only file system", /* a write the mount refused */
};

static bool says_denied(const char *text)
{
	for (size_t i = 0; i < ARRAY_SIZE(denied_words); i++)
		if (text && strstr(text, denied_words[i]))
			return true;
	return false;
}

static char *first_line(const char *text)
{
	const char *nl;

	while (text && (*text == '\n' || *text == ' '))
		text++;
	if (!text || !*text)
		return NULL;
	nl = strchr(text, '\n');
	return nl ? xstrndup(text, (size_t)(nl - text)) : xstrdup(text);
}

/* The probe prints one JSON object on its last line: {"result", "detail",
 * "output"}. Returns its output (a->probe's), or NULL. */
static const char *classify_probe(struct step_action *a)
{
	const char *out = a->res.out.data ? a->res.out.data : "";
	const char *last = out, *p;
	const char *result = NULL, *detail = NULL, *output = NULL;
	json_error_t jerr;

	for (p = out; *p; p++)
		if (*p == '\n' && p[1])
			last = p + 1;
	a->probe = json_loads(last, JSON_DISABLE_EOF_CHECK, &jerr);
	if (a->probe && json_unpack_ex(a->probe, &jerr, 0, "{s?s, s?s, s?s}", "result", &result,
				       "detail", &detail, "output", &output) < 0) {
		a->result = LAB_RESULT_ERROR;
		a->detail = xasprintf("the probe's result is malformed: %s", jerr.text);
		return NULL;
	}
	if (result && strcmp(result, "allowed") == 0)
		a->result = LAB_RESULT_ALLOWED;
	else if (result && strcmp(result, "denied") == 0)
		a->result = LAB_RESULT_DENIED;
	else
		a->result = LAB_RESULT_ERROR;
	if (detail)
		a->detail = xstrdup(detail);
	else
		a->detail = first_line(a->res.err.data) ? first_line(a->res.err.data)
							: xstrdup("the probe printed no result");
	return output;
}

static void classify_command(struct step_action *a)
{
	if (a->res.exit_code == 0) {
		a->result = LAB_RESULT_ALLOWED;
		a->detail = first_line(a->res.out.data);
		if (!a->detail)
			a->detail = xstrdup("exit status 0");
		return;
	}
	a->result = says_denied(a->res.err.data) || says_denied(a->res.out.data) ? LAB_RESULT_DENIED
										   : LAB_RESULT_ERROR;
	a->detail = first_line(a->res.err.data);
	if (!a->detail)
		a->detail = xasprintf("exit status %d", a->res.exit_code);
}

static int run_action(struct step_ctx *ctx, const struct lab_step *step, const struct lab_vars *vars,
		      struct step_result *r, size_t i, struct err *e)
{
	const struct lab_action *def = &step->actions[i];
	struct step_action *a = &r->actions[i];
	struct argv words = ARGV_INIT;
	const struct step_container *c = def->container >= 0 ? &r->containers[def->container] : NULL;

	a->def = def;
	if (c && !c->target) {
		a->rc = err_set(&a->err, ERR_EXITED, 0, "container %s is not running", def->in);
		a->result = LAB_RESULT_ERROR;
		a->detail = xstrdup(a->err.msg);
		return 0;
	}
	if (lab_expand_words(&def->argv, vars, &words, &a->err) < 0) {
		a->rc = -1;
		a->result = LAB_RESULT_ERROR;
		a->detail = xstrdup(a->err.msg);
		return 0;
	}
	if (def->kind == LAB_ACTION_HOST) {
		argv_push_all(&a->argv, words.v);
	} else {
		/* lab_validate gives every probe and exec action a container;
		 * only host actions run without one. */
		assert(c);
		argv_push(&a->argv, ctx->eng->name);
		argv_push(&a->argv, "exec");
		argv_push(&a->argv, c->name);
		if (def->kind == LAB_ACTION_PROBE) {
			argv_push(&a->argv, PROBE_PATH);
			argv_push(&a->argv, def->probe);
		}
		argv_push_all(&a->argv, words.v);
	}
	emit_argv(ctx, a->argv.v);

	int rc;
	if (def->kind == LAB_ACTION_HOST) {
		/* The host's own binary; a {scratch} path opened by isolab
		 * beneath the dir, never handed to the command (hostact.h). */
		struct hostact h;
		rc = hostact_prepare(a->argv.v, ctx->session->scratch, &h, &a->err);
		if (rc == 0) {
			struct exec_opts o = {
				.path = h.path,
				.input = h.input,
				.input_len = h.input_len,
				.timeout_ms = HOST_ACTION_TIMEOUT_MS,
				.cancel_fd = ctx->eng->cancel_fd,
				.max_output = 1 << 20,
				.cwd_fd = h.cwd_fd,
			};
			rc = exec_run(h.argv.v, &o, &a->res, &a->err);
		}
		hostact_free(&h);
	} else {
		rc = engine_exec(ctx->eng, c->name, a->argv.v + 3, 0, &a->res, &a->err);
	}
	argv_free(&words);
	if (rc < 0) {
		a->rc = -1;
		a->result = LAB_RESULT_ERROR;
		a->detail = xstrdup(a->err.msg);
		emit(ctx, STEP_EV_RESULT, "%s: could not run: %s", def->id, a->err.msg);
		if (a->err.kind == ERR_CANCEL || a->err.kind == ERR_ENGINE || engine_unanswered(ctx->eng)) {
			*e = a->err;
			return -1;
		}
		return 0;
	}
	const char *output = NULL;
	if (def->kind == LAB_ACTION_PROBE)
		output = classify_probe(a);
	else
		classify_command(a);
	emit(ctx, STEP_EV_RESULT, "%s: %s%s%s", lab_result_name(a->result), a->detail,
	     output && *output ? "\noutput: " : "", output && *output ? output : "");
	return 0;
}

/* ---- expectations ------------------------------------------------------- */

static const struct snapshot *snap_of(const struct step_result *r, int c)
{
	return c >= 0 && r->containers[c].target ? &r->containers[c].target->snap : NULL;
}

static const char *const set_words[] = {
	[LAB_CAPSET_EFFECTIVE] = "effective", [LAB_CAPSET_PERMITTED] = "permitted",
	[LAB_CAPSET_INHERITABLE] = "inheritable", [LAB_CAPSET_BOUNDING] = "bounding",
	[LAB_CAPSET_AMBIENT] = "ambient",
};

static bool mount_matches(const struct mount_entry *m, const char *host_path, const char *kind)
{
	if (host_path && (!m->host_path || strcmp(m->host_path, host_path) != 0))
		return false;
	if (kind && strcmp(mounts_kind_name(m->kind), kind) != 0)
		return false;
	return true;
}


/* The note is a claim about the canary: only when the expected text holds
 * the nonce and the nonce itself is in the output. */
static bool nonce_read(const char *pattern, const char *expanded, const char *out)
{
	return pattern && expanded && out && strstr(pattern, "{nonce}") && strstr(out, expanded);
}

/* Each kind of expectation: out->text says what was expected, out->seen
 * what the kernel (or the action, or the review) showed, out->held whether
 * they agree. s is the container's snapshot (NULL only for actions). */
typedef void expect_fn(const struct step_result *r, const struct lab_vars *vars,
		       const struct lab_expect *x, const struct snapshot *s, struct step_expect *out);

static void expect_cap(const struct step_result *r, const struct lab_vars *vars,
		       const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	int set = caps_set_from_name(set_words[x->cap.set]);
	bool has = (s->caps.set[set] >> x->cap.value) & 1;

	(void)r, (void)vars;
	out->text = xasprintf("%s: %s set %s %s", x->container, set_words[x->cap.set],
			      x->cap.has ? "has" : "lacks", x->cap.name);
	out->seen = xasprintf("%s %016llx %s it", set_words[x->cap.set], (unsigned long long)s->caps.set[set],
			      has ? "has" : "lacks");
	out->held = has == x->cap.has;
}

static void expect_namespace(const struct step_result *r, const struct lab_vars *vars,
			     const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	const struct ns_entry *n = ns_find(&s->ns, x->ns.ns);

	(void)r, (void)vars;
	out->text = xasprintf("%s: %s namespace %s the host's", x->container, x->ns.ns,
			      x->ns.shared ? "is" : "is not");
	if (!n || n->shared < 0) {
		out->seen = xasprintf("%s namespace unreadable%s", x->ns.ns, n && n->err ? " (needs root)" : "");
		out->held = false;
		return;
	}
	out->seen = xasprintf("%s:[%llu], %s", x->ns.ns, (unsigned long long)n->ino,
			      n->shared ? "the host's" : "its own");
	out->held = (n->shared == 1) == x->ns.shared;
}

static void expect_mount(const struct step_result *r, const struct lab_vars *vars,
			 const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	cleanup_free char *path = NULL;
	const struct mount_entry *found = NULL;
	struct strbuf t = STRBUF_INIT;
	struct err e = {0};

	(void)r;
	if (x->mount.host_path && lab_expand(x->mount.host_path, vars, &path, &e) < 0) {
		out->text = xasprintf("%s: a mount", x->container);
		out->seen = xstrdup(e.msg);
		return;
	}
	for (size_t i = 0; i < s->mounts.n && !found; i++)
		if (mount_matches(&s->mounts.v[i], path, x->mount.kind))
			found = &s->mounts.v[i];
	strbuf_addf(&t, "%s: %s mount", x->container, x->mount.present ? "a" : "no");
	if (x->mount.kind)
		strbuf_addf(&t, " of kind %s", x->mount.kind);
	if (path)
		strbuf_addf(&t, " of the host's %s", path);
	if (x->mount.present && x->mount.check_read_only)
		strbuf_addf(&t, ", %s", x->mount.read_only ? "read-only" : "writable");
	out->text = strbuf_detach(&t);
	if (found)
		out->seen = xasprintf("%s <- %s (%s, %s)", found->target, found->host_path ? found->host_path : "-",
				      mounts_kind_name(found->kind), found->read_only ? "ro" : "rw");
	else
		out->seen = xstrdup("no such mount");
	out->held = x->mount.present ? found && (!x->mount.check_read_only || found->read_only == x->mount.read_only)
				     : !found;
}

static void expect_seccomp(const struct step_result *r, const struct lab_vars *vars,
			   const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	(void)r, (void)vars;
	out->text = xasprintf("%s: seccomp %s", x->container, lab_seccomp_name(x->seccomp.mode));
	out->seen = xasprintf("Seccomp: %s (%d filter%s)", snapshot_seccomp_name(s->seccomp), s->seccomp_filters,
			      s->seccomp_filters == 1 ? "" : "s");
	out->held = s->seccomp == (int)x->seccomp.mode; /* same numbering as the kernel */
}

static void expect_nnp(const struct step_result *r, const struct lab_vars *vars,
		       const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	(void)r, (void)vars;
	out->text = xasprintf("%s: no_new_privs %s", x->container, x->nnp.value ? "set" : "not set");
	out->seen = xasprintf("NoNewPrivs: %d", s->no_new_privs ? 1 : 0);
	out->held = s->no_new_privs == x->nnp.value;
}

static void expect_privileged(const struct step_result *r, const struct lab_vars *vars,
			      const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	const struct step_container *c = &r->containers[x->container_index];
	bool sys_admin = (s->caps.set[CAPS_EFFECTIVE] >> caps_from_name("cap_sys_admin")) & 1;
	bool priv = c->plan.requested &&
		    (c->plan.approximated || (c->target->docker && c->target->docker->privileged));
	int ncap = __builtin_popcountll(s->caps.set[CAPS_EFFECTIVE]);

	(void)vars;
	out->text = xasprintf("%s: runs privileged%s", x->container,
			      c->plan.approximated ? " (approximated on this host)" : "");
	out->seen = xasprintf("%d capabilit%s, seccomp %s%s", ncap, ncap == 1 ? "y" : "ies",
			      snapshot_seccomp_name(s->seccomp),
			      c->plan.approximated ? ", --privileged approximated" : "");
	out->held = priv && sys_admin && s->seccomp == SECCOMP_DISABLED;
}

static void expect_lsm(const struct step_result *r, const struct lab_vars *vars,
		       const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	size_t n = s->lsm ? strcspn(s->lsm, " ") : 0;

	(void)r, (void)vars;
	out->text = xasprintf("%s: the LSM confines it as %s", x->container, x->lsm.profile);
	out->seen = xasprintf("attr/current: %s", s->lsm ? s->lsm : "none (no LSM)");
	out->held = s->lsm && n == strlen(x->lsm.profile) && strncmp(s->lsm, x->lsm.profile, n) == 0;
}

static void expect_finding(const struct step_result *r, const struct lab_vars *vars,
			   const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	const struct audit_container *ac = NULL;
	const struct audit_finding *f = NULL;

	(void)vars, (void)s;
	for (size_t i = 0; i < r->audit.n; i++)
		if (strcmp(r->audit.v[i].name, r->containers[x->container_index].name) == 0)
			ac = &r->audit.v[i];
	for (size_t i = 0; ac && i < ac->n && !f; i++)
		if (strcmp(ac->v[i].check->name, x->finding.check) == 0)
			f = &ac->v[i];
	out->text = xasprintf("%s: the review %s %s", x->container, x->finding.present ? "raises" : "does not raise",
			      x->finding.check);
	out->seen = f ? xasprintf("%s (%s): %s", f->check->name, audit_severity_name(f->severity), f->evidence)
		      : xasprintf("no %s finding", x->finding.check);
	out->held = (f != NULL) == x->finding.present;
}

static void expect_action(const struct step_result *r, const struct lab_vars *vars,
			  const struct lab_expect *x, const struct snapshot *s, struct step_expect *out)
{
	const struct step_action *a = &r->actions[x->action.index];
	cleanup_free char *contains = NULL;
	struct strbuf t = STRBUF_INIT;
	bool held = a->result == x->action.result;
	struct err e = {0};

	(void)s;
	strbuf_addf(&t, "%s: %s", x->action.id, lab_result_name(x->action.result));
	if (x->action.contains) {
		const char *stdout_text = a->res.out.data ? a->res.out.data : "";

		if (lab_expand(x->action.contains, vars, &contains, &e) < 0)
			held = false;
		strbuf_addf(&t, ", output holds %s",
			    strcmp(x->action.contains, "{nonce}") == 0 ? "the canary's nonce" : x->action.contains);
		if (contains && !strstr(stdout_text, contains))
			held = false;
	}
	if (x->action.check_exit) {
		strbuf_addf(&t, ", exit status %d", x->action.exit);
		if (a->res.exit_code != x->action.exit)
			held = false;
	}
	out->text = strbuf_detach(&t);
	out->seen = xasprintf("%s: %s%s", lab_result_name(a->result), a->detail ? a->detail : "",
			      nonce_read(x->action.contains, contains, a->res.out.data) ? " (the nonce was read)" : "");
	out->held = held;
}

static expect_fn *const expect_of[] = {
	[LAB_EXPECT_CAP] = expect_cap,
	[LAB_EXPECT_NAMESPACE] = expect_namespace,
	[LAB_EXPECT_MOUNT] = expect_mount,
	[LAB_EXPECT_SECCOMP] = expect_seccomp,
	[LAB_EXPECT_NO_NEW_PRIVS] = expect_nnp,
	[LAB_EXPECT_PRIVILEGED] = expect_privileged,
	[LAB_EXPECT_LSM] = expect_lsm,
	[LAB_EXPECT_FINDING] = expect_finding,
	[LAB_EXPECT_ACTION] = expect_action,
};

static void check_expect(const struct step_result *r, const struct lab_vars *vars, const struct lab_expect *x,
			 struct step_expect *out)
{
	const struct snapshot *s = snap_of(r, x->container_index);

	out->def = x;
	if (x->kind != LAB_EXPECT_ACTION && !s) {
		out->text = xasprintf("%s: %s", x->container, lab_expect_kind_name(x->kind));
		out->seen = xasprintf("container %s has no process to read", x->container);
		out->held = false;
		return;
	}
	assert((size_t)x->kind < sizeof(expect_of) / sizeof(expect_of[0]) && expect_of[x->kind]);
	expect_of[x->kind](r, vars, x, s, out);
}

/* ---- the review ----------------------------------------------------------- */

/* isolab audit of the step's own containers, from the snapshots already
 * taken: what a reviewer would be told about each. */
static void review(const struct step_ctx *ctx, const struct lab_step *step, struct step_result *r)
{
	bool wanted = false;

	for (size_t i = 0; i < step->n_expects; i++)
		wanted |= step->expects[i].kind == LAB_EXPECT_FINDING;
	if (!wanted)
		return;
	emit(ctx, STEP_EV_PHASE, "reviewing the step's containers as isolab audit would");
	r->audit.v = xcalloc(r->n_containers ? r->n_containers : 1, sizeof(*r->audit.v));
	for (size_t i = 0; i < r->n_containers; i++) {
		const struct target *t = r->containers[i].target;
		if (!t || !t->docker)
			continue;
		audit_evaluate(t->docker, &t->snap, ctx->host, ctx->facts, &r->audit.v[r->audit.n++]);
	}
	r->audit.lsm = ctx->facts->apparmor || ctx->facts->selinux != HOST_SELINUX_OFF;
	audit_report_sort(&r->audit);
	r->audited = true;
}

/* ---- the step ------------------------------------------------------------ */

static void remove_containers(struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
			      struct step_result *r)
{
	struct err e = {0};

	if (!r->n_containers)
		return;
	if (session_remove_step(ctx->session, lab->id, step->id, &e) < 0) {
		emit(ctx, STEP_EV_NOTE, "could not remove this step's containers: %s", e.msg);
		if (r->rc == 0) {
			r->rc = -1;
			r->err = e;
		}
		return;
	}
	for (size_t i = 0; i < r->n_containers; i++)
		if (r->containers[i].id)
			argv_push(&r->removed, r->containers[i].name);
	if (r->removed.n)
		emit(ctx, STEP_EV_PHASE, "removed %zu container%s", r->removed.n,
		     r->removed.n == 1 ? "" : "s");
}

int step_run(struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
	     struct step_result *r, struct err *e)
{
	struct vars_data vd = {ctx, step, r, false};
	struct lab_vars vars = {lookup, &vd};
	long long t0 = util_now_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	r->lab = lab;
	r->step = step;
	r->grantable = ctx->facts->all;
	for (size_t i = 0; i < lab->n_steps; i++)
		if (&lab->steps[i] == step)
			r->index = i + 1;
	r->n_containers = step->n_containers;
	r->containers = xcalloc(step->n_containers ? step->n_containers : 1, sizeof(*r->containers));
	r->n_actions = step->n_actions;
	r->actions = xcalloc(step->n_actions ? step->n_actions : 1, sizeof(*r->actions));
	r->n_expects = step->n_expects;
	r->expects = xcalloc(step->n_expects ? step->n_expects : 1, sizeof(*r->expects));

	emit(ctx, STEP_EV_PHASE, "step %zu of %zu: %s", r->index, lab->n_steps, step->title);
	rc = start_containers(ctx, lab, step, &vars, r, &r->err);
	if (rc == 0)
		rc = inspect_containers(ctx, r, &r->err);
	if (rc == 0) {
		compare(step, r);
		for (size_t i = 0; i < step->n_actions && rc == 0; i++)
			rc = run_action(ctx, step, &vars, r, i, &r->err);
	}
	if (rc == 0)
		review(ctx, step, r);
	if (rc == 0) {
		for (size_t i = 0; i < step->n_expects; i++) {
			check_expect(r, &vars, &step->expects[i], &r->expects[i]);
			if (r->expects[i].held)
				r->held++;
			else
				r->failed++;
		}
	}
	r->rc = rc;
	/* Interrupted: the session's close removes everything, with the
	 * signal pipe out of the way; calling the engine now would only be
	 * cancelled again. An engine that does not answer: the run says
	 * once what is left (ui/cmd_run.c), and isolab cleanup removes it. */
	if (!(rc < 0 && r->err.kind == ERR_CANCEL) && engine_answers_again(ctx->eng))
		remove_containers(ctx, lab, step, r);
	r->elapsed_ms = util_now_ms() - t0;
	if (r->rc < 0) {
		if (e)
			*e = r->err;
		return -1;
	}
	return 0;
}

void step_result_free(struct step_result *r)
{
	for (size_t i = 0; i < r->n_containers; i++) {
		struct step_container *c = &r->containers[i];
		free(c->name);
		free(c->id);
		privileged_plan_free(&c->plan);
		argv_free(&c->run_argv);
	}
	free(r->containers);
	for (size_t i = 0; i < r->n_comparisons; i++)
		snapshot_diff_free(&r->comparisons[i].diff);
	free(r->comparisons);
	for (size_t i = 0; i < r->n_actions; i++) {
		struct step_action *a = &r->actions[i];
		argv_free(&a->argv);
		exec_result_free(&a->res);
		json_decref(a->probe);
		free(a->detail);
	}
	free(r->actions);
	for (size_t i = 0; i < r->n_expects; i++) {
		free(r->expects[i].text);
		free(r->expects[i].seen);
	}
	free(r->expects);
	if (r->audited)
		audit_report_free(&r->audit);
	target_set_free(&r->targets);
	argv_free(&r->removed);
	memset(r, 0, sizeof(*r));
}

/* ---- before running: the commands, pasteable ------------------------------ */

static void replace_all(struct strbuf *out, const char *in, const char *from, const char *to)
{
	size_t fl = strlen(from);
	const char *p;

	while ((p = strstr(in, from)) != NULL) {
		strbuf_add(out, in, (size_t)(p - in));
		strbuf_adds(out, to);
		in = p + fl;
	}
	strbuf_adds(out, in);
}

/* util_shell_quote() put every marked word in single quotes: close them
 * around a double-quoted substitution. */
static char *with_substitutions(const char *line, const struct step_ctx *ctx, const struct lab_step *step)
{
	struct strbuf out = STRBUF_INIT;
	const char *p = line;

	while (*p) {
		const char *open = strchr(p, PID_MARK_OPEN);
		if (!open) {
			strbuf_adds(&out, p);
			break;
		}
		const char *close = strchr(open, PID_MARK_CLOSE);
		if (!close) {
			strbuf_adds(&out, p);
			break;
		}
		strbuf_add(&out, p, (size_t)(open - p));
		cleanup_free char *name = xstrndup(open + 1, (size_t)(close - open - 1));
		cleanup_free char *docker_name = session_container_name(ctx->session, step->id, name);
		strbuf_addf(&out, "'\"$(%s inspect -f '{{.State.Pid}}' %s)\"'", ctx->eng->name, docker_name);
		p = close + 1;
	}
	/* A substitution at a word's edge leaves an empty '' pair behind. */
	struct strbuf clean = STRBUF_INIT;
	struct strbuf tmp = STRBUF_INIT;
	replace_all(&tmp, strbuf_str(&out), "''\"$(", "\"$(");
	replace_all(&clean, strbuf_str(&tmp), ")\"''", ")\"");
	strbuf_release(&tmp);
	strbuf_release(&out);
	return strbuf_detach(&clean);
}

int step_commands(const struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
		  struct argv *lines, struct err *e)
{
	struct vars_data vd = {ctx, step, NULL, true};
	struct lab_vars vars = {lookup, &vd};

	for (size_t i = 0; i < step->n_containers; i++) {
		struct step_container c = {0};
		struct argv labels = ARGV_INIT, command = ARGV_INIT;
		int rc = plan_container((struct step_ctx *)ctx, lab, step, i, &vars, &c, &labels, &command, e);
		if (rc == 0) {
			cleanup_free char *line = util_argv_to_shell(c.run_argv.v);
			argv_push(lines, line);
		}
		free(c.name);
		privileged_plan_free(&c.plan);
		argv_free(&c.run_argv);
		argv_free(&labels);
		argv_free(&command);
		if (rc < 0)
			return -1;
	}
	for (size_t i = 0; i < step->n_actions; i++) {
		const struct lab_action *def = &step->actions[i];
		struct argv a = ARGV_INIT, words = ARGV_INIT;

		if (lab_expand_words(&def->argv, &vars, &words, e) < 0) {
			argv_free(&words);
			return err_wrap(e, "action %s", def->id);
		}
		if (def->kind != LAB_ACTION_HOST) {
			cleanup_free char *name = session_container_name(ctx->session, step->id, def->in);
			argv_push(&a, ctx->eng->name);
			argv_push(&a, "exec");
			argv_push(&a, name);
			if (def->kind == LAB_ACTION_PROBE) {
				argv_push(&a, PROBE_PATH);
				argv_push(&a, def->probe);
			}
		}
		argv_push_all(&a, words.v);
		cleanup_free char *quoted = util_argv_to_shell(a.v);
		cleanup_free char *line = with_substitutions(quoted, ctx, step);
		argv_push(lines, line);
		argv_free(&a);
		argv_free(&words);
	}
	return 0;
}

/* ---- JSON ------------------------------------------------------------------ */

static json_t *question_json(const struct lab_question *q)
{
	json_t *choices = json_array();

	if (!q)
		return json_null();
	for (size_t i = 0; i < q->choices.n; i++)
		json_array_append_new(choices, json_string(q->choices.v[i]));
	return json_pack("{s:s, s:o, s:s, s:o}", "prompt", q->prompt, "choices", choices, "answer",
			 q->choices.v[q->answer], "why", report_json_str(q->why));
}

json_t *step_result_json(const struct step_result *r)
{
	json_t *containers = json_array(), *comparisons = json_array();
	json_t *actions = json_array(), *expects = json_array();
	const struct lab_step *step = r->step;

	for (size_t i = 0; i < r->n_containers; i++) {
		const struct step_container *c = &r->containers[i];
		cleanup_free char *command = c->run_argv.n ? util_argv_to_shell(c->run_argv.v) : NULL;
		json_t *priv = json_null();
		if (c->plan.requested)
			priv = json_pack("{s:b, s:o, s:o, s:o}", "approximated", c->plan.approximated,
					 "replacement", report_json_argv(&c->plan.replacement), "left_out",
					 report_json_argv(&c->plan.left_out), "grantable",
					 report_caps_set_json(r->grantable));
		json_array_append_new(
			containers,
			json_pack("{s:s, s:b, s:o, s:o, s:o, s:o, s:o, s:o}", "name", c->def->name,
				  "reference", c->def->reference, "docker_name", report_json_str(c->name), "id",
				  report_json_str(c->id), "command", report_json_str(command), "privileged", priv,
				  "inspect", c->target ? target_json(c->target) : json_null(), "error",
				  c->rc < 0 ? json_string(c->err.msg) : json_null()));
	}
	for (size_t i = 0; i < r->n_comparisons; i++) {
		const struct step_comparison *c = &r->comparisons[i];
		json_array_append_new(comparisons,
				      json_pack("{s:s, s:s, s:o}", "reference",
						r->containers[c->reference].def->name, "subject",
						r->containers[c->subject].def->name, "diff",
						report_diff_json(&c->diff)));
	}
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct step_action *a = &r->actions[i];
		cleanup_free char *command = a->argv.n ? util_argv_to_shell(a->argv.v) : NULL;
		if (!a->def)
			continue;
		json_array_append_new(
			actions,
			json_pack("{s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:s, s:o, s:o, s:o}", "id",
				  a->def->id, "kind", lab_action_kind_name(a->def->kind), "in",
				  report_json_str(a->def->in), "command", report_json_str(command), "exit_code",
				  a->res.out.data ? json_integer(a->res.exit_code) : json_null(), "stdout",
				  report_json_str(a->res.out.data), "stderr", report_json_str(a->res.err.data),
				  "result", lab_result_name(a->result), "detail", report_json_str(a->detail),
				  "probe", a->probe ? json_incref(a->probe) : json_null(), "error",
				  a->rc < 0 ? json_string(a->err.msg) : json_null()));
	}
	for (size_t i = 0; i < r->n_expects; i++) {
		const struct step_expect *x = &r->expects[i];
		if (!x->def)
			continue;
		json_array_append_new(expects, json_pack("{s:s, s:s, s:b, s:s, s:o}", "kind",
							 lab_expect_kind_name(x->def->kind), "text",
							 x->text, "held", x->held, "seen", x->seen, "why",
							 report_json_str(x->def->why)));
	}
	json_t *notes = json_array();
	for (size_t i = 0; i < step->n_notes; i++)
		json_array_append_new(notes, json_string(step->notes[i].text));
	return json_pack("{s:s, s:s, s:s, s:o, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:I, s:I, s:o, s:o, s:I}",
			 "lab", r->lab->id, "step", step->id, "title", step->title, "notes", notes, "index",
			 (json_int_t)r->index, "of", (json_int_t)r->lab->n_steps, "question",
			 question_json(step->question), "containers", containers, "comparisons",
			 comparisons, "actions", actions, "expectations", expects, "audit",
			 r->audited ? audit_report_json(&r->audit, AUDIT_LOW) : json_null(), "held",
			 r->rc == 0 && r->failed == 0, "passed", (json_int_t)r->held, "failed",
			 (json_int_t)r->failed, "removed", report_json_argv(&r->removed), "error",
			 r->rc < 0 ? json_string(r->err.msg) : json_null(), "elapsed_ms",
			 (json_int_t)r->elapsed_ms);
}
