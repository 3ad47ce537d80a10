/* labpolicy.c: what a lab may do, decided at load: its docker run flags
 * (parsed by policy.c, whose problems are the lab's), the probes of
 * image/probe.c with their arguments, the host actions (nsenter into a
 * container's or the witness's namespaces, reads under {scratch}), and
 * the list of what reaches the host that `isolab check-labs` shows. */
#include "labparse.h"
#include "policy.h"

#include <stdlib.h>
#include <string.h>

/* --- docker run flags ----------------------------------------------------- */




void ly_check_flags(struct ctx *c, struct lab_container *ct)
{
	ct->run = xcalloc(1, sizeof(*ct->run));
	policy_parse(&ct->flags, ct->run, ly_policy_problem, c);
}

/* --- probes and host actions ---------------------------------------------- */

/* The experiments of image/probe.c (a contract with it). max -1: any. */
static const struct probe {
	const char *name;
	int min, max;
	const char *args;
} probes[] = {
	{"chown", 0, 0, ""},
	{"net_raw", 0, 0, ""},
	{"icmp_dgram", 0, 0, ""},
	{"bind_low_port", 0, 0, ""},
	{"setuid", 0, 0, ""},
	{"net_admin", 0, 0, ""},
	{"sys_admin", 0, 0, ""},
	{"sys_ptrace", 1, 1, "PID"},
	{"sys_module", 0, 0, ""},
	{"sys_boot", 0, 0, ""},
	{"mknod", 0, 0, ""},
	{"dac_read_search", 0, 1, "[CANARY_PATH]"},
	{"setns", 1, 2, "PID [CANARY_PATH]"},
	{"block_device", 0, 0, ""},
	{"mount_disk", 1, 1, "CANARY_PATH"},
	{"docker_socket", 0, -1, "[OPTIONS...]"},
	{"self", 0, 0, ""},
};

/* The probe named by v, with its args (NULL: none), into a. */
void ly_check_probe(struct ctx *c, const struct ynode *v, const struct ynode *args,
		    struct lab_action *a, const struct lab_step *step)
{
	const struct probe *p = NULL;

	if (!(a->probe = ly_get_str(c, v, "probe", true)))
		return;
	for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
		if (strcmp(a->probe, probes[i].name) == 0)
			p = &probes[i];
	if (!p) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", probes[i].name);
		ly_problem_at(c, v, "unknown probe '%s' (known: %s)", a->probe, strbuf_str(&sb));
		strbuf_release(&sb);
		return;
	}
	if (args && !ly_get_words(c, args, "args", &a->argv))
		return;
	if ((int)a->argv.n < p->min || (p->max >= 0 && (int)a->argv.n > p->max)) {
		if (p->max == 0)
			ly_problem_at(c, args ? args : v, "probe '%s' takes no arguments, found %zu",
				      p->name, a->argv.n);
		else
			ly_problem_at(c, args ? args : v,
				      "probe '%s' takes the arguments %s, found %zu", p->name, p->args,
				      a->argv.n);
		return;
	}
	ly_check_words_placeholders(c, &a->argv, "args", step);
}

enum host_rule { HOST_NSENTER, HOST_SCRATCH };

/* Host actions: nsenter into a container's or the witness's namespaces,
 * and reads under the scratch dir. opts: flag letters; vopts: letters
 * taking a value. */
static const struct host_cmd {
	const char *name;
	enum host_rule rule;
	const char *opts;
	const char *vopts;
} host_cmds[] = {
	{"nsenter", HOST_NSENTER, NULL, NULL},
	{"cat", HOST_SCRATCH, "", ""},
	/* No -L: a link a container planted would be followed out of {scratch}. */
	{"ls", HOST_SCRATCH, "1adiln", ""},
	{"stat", HOST_SCRATCH, "", "c"},
	{"head", HOST_SCRATCH, "", "cn"},
};

static const struct {
	char opt;
	const char *name;
} nsenter_ns[] = {
	{'m', "--mount"}, {'u', "--uts"},  {'i', "--ipc"},    {'n', "--net"},
	{'p', "--pid"},   {'U', "--user"}, {'C', "--cgroup"}, {'T', "--time"},
};

static const char *const nsenter_cmds[] = {"hostname", "cat", "ls", "readlink",
					    "id",       "stat", "head", NULL};

#define HOST_ALLOWED                                                                    \
	"allowed: nsenter -t {pid:NAME} or {witness} with namespace options and one of " \
	"hostname, cat, ls, readlink, id, stat, head; cat, ls, stat, head of paths under " \
	"{scratch}"

static bool nsenter_target_ok(const char *t)
{
	size_t n = strlen(t);

	if (strcmp(t, "{witness}") == 0)
		return true;
	if (n < 7 || strncmp(t, "{pid:", 5) != 0 || t[n - 1] != '}')
		return false;
	cleanup_free char *name = xstrndup(t + 5, n - 6);
	return lab_valid_id(name);
}

bool ly_scratch_path_ok(const char *p)
{
	size_t n = strlen("{scratch}");

	if (strncmp(p, "{scratch}", n) != 0 || (p[n] != '\0' && p[n] != '/'))
		return false;
	for (const char *s = p + n; *s; s++)
		if (s[0] == '/' && s[1] == '.' && s[2] == '.' && (s[3] == '/' || s[3] == '\0'))
			return false;
	return true;
}

static void check_nsenter(struct ctx *c, const struct lab_words *w)
{
	size_t i = 1, nns = 0, tpos = 0, mnt = 0;
	const char *target = NULL;

	for (; i < w->n && w->v[i][0] == '-'; i++) {
		const char *a = w->v[i];
		bool ok = false;

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-t") == 0 || strcmp(a, "--target") == 0) {
			if (i + 1 >= w->n) {
				ly_problem_pos(c, &w->pos[i], "nsenter's '%s' needs a pid", a);
				return;
			}
			target = w->v[++i];
			tpos = i;
			continue;
		}
		if (strncmp(a, "--target=", 9) == 0) {
			target = a + 9;
			tpos = i;
			continue;
		}
		if (strcmp(a, "--preserve-credentials") == 0)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(nsenter_ns); k++)
			if (strcmp(a, nsenter_ns[k].name) == 0)
				ok = true;
		if (strcmp(a, "--mount") == 0 || (a[1] != '-' && strchr(a + 1, 'm')))
			mnt = i;
		if (!ok && a[1] != '-' && a[1] != '\0') {
			/* Short options, alone or bundled (-mu). */
			ok = true;
			for (const char *o = a + 1; *o; o++) {
				bool known = false;
				for (size_t k = 0; k < ARRAY_SIZE(nsenter_ns); k++)
					known |= *o == nsenter_ns[k].opt;
				ok &= known;
			}
			if (ok)
				nns += strlen(a) - 2;
		}
		if (!ok) {
			ly_problem_pos(c, &w->pos[i],
				    "nsenter option '%s' is not allowed in a host action (allowed: "
				    "-t/--target, -m -u -i -n -p -U -C -T and their long forms, "
				    "--preserve-credentials)",
				    a);
			return;
		}
		nns++;
	}
	if (!target) {
		ly_problem_pos(c, &w->pos[0], "nsenter needs a target: -t {pid:NAME} or -t {witness}");
		return;
	}
	if (!nsenter_target_ok(target)) {
		ly_problem_pos(c, &w->pos[tpos], "nsenter's target must be {pid:NAME} or {witness}, found '%s'",
			    target);
		return;
	}
	/* In a container's mount namespace, the command nsenter runs is the
	 * container's file: code a container planted, as host root. */
	if (mnt && strcmp(target, "{witness}") != 0) {
		ly_problem_pos(c, &w->pos[mnt],
			    "nsenter may not enter a container's mount namespace (-m): the command "
			    "would be the container's own file, run as host root; leave -m out "
			    "(the host's command then runs in the other namespaces)");
		return;
	}
	if (nns == 0) {
		ly_problem_pos(c, &w->pos[0],
			    "nsenter needs a namespace option (-m -u -i -n -p -U -C -T)");
		return;
	}
	if (i >= w->n) {
		ly_problem_pos(c, &w->pos[w->n - 1],
			    "nsenter needs a command: one of hostname, cat, ls, readlink, id, stat, "
			    "head");
		return;
	}
	for (size_t k = 0; nsenter_cmds[k]; k++)
		if (strcmp(w->v[i], nsenter_cmds[k]) == 0)
			return;
	ly_problem_pos(c, &w->pos[i],
		    "nsenter may run only hostname, cat, ls, readlink, id, stat or head, found '%s'",
		    w->v[i]);
}

static void check_scratch_read(struct ctx *c, const struct host_cmd *hc,
			       const struct lab_words *w)
{
	bool opts_done = false;
	size_t paths = 0;

	for (size_t i = 1; i < w->n; i++) {
		const char *a = w->v[i];
		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && a[0] == '-' && a[1]) {
			for (const char *o = a + 1; *o; o++) {
				if (*o && strchr(hc->vopts, *o)) {
					if (o[1] == '\0' && i + 1 >= w->n) {
						ly_problem_pos(c, &w->pos[i], "'%s -%c' needs a value",
							    hc->name, *o);
						return;
					}
					if (o[1] == '\0')
						i++;
					break;
				}
				if (!strchr(hc->opts, *o)) {
					ly_problem_pos(c, &w->pos[i],
						    "option '%s' of '%s' is not allowed in a host action",
						    a, hc->name);
					return;
				}
			}
			continue;
		}
		if (!ly_scratch_path_ok(a)) {
			ly_problem_pos(c, &w->pos[i],
				    "host action '%s' may read only under {scratch}, found '%s'",
				    hc->name, a);
			return;
		}
		paths++;
	}
	if (paths == 0)
		ly_problem_pos(c, &w->pos[0], "host action '%s' needs a path under {scratch}",
			    hc->name);
}

void ly_check_host_argv(struct ctx *c, const struct lab_words *w)
{
	for (size_t i = 0; i < ARRAY_SIZE(host_cmds); i++) {
		if (strcmp(w->v[0], host_cmds[i].name) != 0)
			continue;
		if (host_cmds[i].rule == HOST_NSENTER)
			check_nsenter(c, w);
		else
			check_scratch_read(c, &host_cmds[i], w);
		return;
	}
	ly_problem_pos(c, &w->pos[0], "host action '%s' is not allowed (" HOST_ALLOWED ")", w->v[0]);
}


/* --- host reach ----------------------------------------------------------- */

struct reach_list {
	struct lab_reach *v;
	size_t n, cap;
};

static void reach_add(struct reach_list *r, const char *step, const struct lab_pos *pos,
		      char *what, const char *why)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 8;
		r->v = xreallocarray(r->v, r->cap, sizeof(*r->v));
	}
	r->v[r->n++] = (struct lab_reach){step, *pos, what, why};
}

static int reach_cmp(const void *a, const void *b)
{
	const struct lab_reach *x = a, *y = b;

	if (x->pos.line != y->pos.line)
		return x->pos.line < y->pos.line ? -1 : 1;
	return (x->pos.col > y->pos.col) - (x->pos.col < y->pos.col);
}

size_t lab_host_reach(const struct lab *lab, struct lab_reach **out)
{
	struct reach_list r = {0};

	for (size_t s = 0; s < lab->n_steps; s++) {
		const struct lab_step *st = &lab->steps[s];
		for (size_t k = 0; k < st->n_containers; k++) {
			const struct policy_flags *pf = st->containers[k].run;
			for (size_t i = 0; pf && i < pf->n; i++)
				if (pf->v[i].reach)
					reach_add(&r, st->id, &pf->v[i].pos, policy_flag_text(&pf->v[i]),
						  pf->v[i].why);
		}
		for (size_t k = 0; k < st->n_actions; k++) {
			const struct lab_action *a = &st->actions[k];
			if (a->kind == LAB_ACTION_HOST) {
				cleanup_free char *sh = util_argv_to_shell(a->argv.v);
				bool ns = a->argv.n && strcmp(a->argv.v[0], "nsenter") == 0;
				reach_add(&r, st->id, &a->pos, xasprintf("host: %s", sh),
					  ns ? "executes the host's nsenter, then the host's own command "
					       "(never a container's file), as root with every "
					       "capability, in the namespaces named"
					     : "executes the host's command as root; isolab opens the "
					       "path under {scratch} itself, refusing links");
			} else if (a->kind == LAB_ACTION_PROBE && a->probe &&
				   strcmp(a->probe, "docker_socket") == 0) {
				reach_add(&r, st->id, &a->pos, xstrdup("probe: docker_socket"),
					  "uses the Docker API through a mounted socket");
			}
		}
	}
	if (r.n > 1)
		qsort(r.v, r.n, sizeof(*r.v), reach_cmp);
	*out = r.v;
	return r.n;
}

void lab_reach_free(struct lab_reach *r, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(r[i].what);
	free(r);
}

