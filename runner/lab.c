/* lab.c: lab files (YAML, format 1) into the structs of lab.h: the
 * placeholders, the steps, containers, actions and questions, and the
 * loading of a file or a directory of them. labyaml.c builds the tree and
 * keeps the problems; labexpect.c reads the expectations; labpolicy.c
 * decides what a lab may do. Every problem of a file is collected and
 * reported in file order. */
#include "lab.h"
#include "labclaims.h"
#include "labparse.h"
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mdtext.h"

#ifndef ISOLAB_DATADIR
#define ISOLAB_DATADIR "/usr/local/share/isolab"
#endif

/* --- placeholders --------------------------------------------------------- */

static const struct {
	const char *name;
	enum lab_var var;
	bool container; /* takes :NAME, a container of the step */
} placeholders[] = {
	{"pid", LAB_VAR_PID, true},         {"name", LAB_VAR_NAME, true},
	{"witness", LAB_VAR_WITNESS, false}, {"nonce", LAB_VAR_NONCE, false},
	{"scratch", LAB_VAR_SCRATCH, false}, {"image", LAB_VAR_IMAGE, false},
	{"session", LAB_VAR_SESSION, false}, {"disk_canary", LAB_VAR_DISK_CANARY, false},
	{"docker_socket", LAB_VAR_DOCKER_SOCKET, false},
};

#define PH_KNOWN                                                                              \
	"known: {pid:NAME}, {name:NAME}, {witness}, {nonce}, {scratch}, {image}, {session}, {disk_canary}, " \
	"{docker_socket}; " \
	"'{{' and '}}' are literal braces"

const char *lab_var_name(enum lab_var v)
{
	for (size_t i = 0; i < ARRAY_SIZE(placeholders); i++)
		if (placeholders[i].var == v)
			return placeholders[i].name;
	return "?";
}

struct ph_ops {
	int (*lit)(void *u, const char *s, size_t n);
	/* arg: the container name or NULL; whole: "{pid:x}" as written */
	int (*var)(void *u, enum lab_var v, const char *arg, const char *whole);
};

/* Walk a template: literal text and placeholders, in order. Returns 0;
 * -1 with *msg (malloc'd) on a malformed one; or what a callback returned. */
static int ph_scan(const char *s, const struct ph_ops *ops, void *u, char **msg)
{
	const char *lit = s, *p = s;
	int r;

	*msg = NULL;
	while (*p) {
		if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
			if ((r = ops->lit(u, lit, (size_t)(p - lit) + 1)) != 0)
				return r;
			p += 2;
			lit = p;
			continue;
		}
		if (*p == '}') {
			*msg = xstrdup("stray '}' (write '}}' for a literal brace)");
			return -1;
		}
		if (*p != '{') {
			p++;
			continue;
		}
		const char *end = strchr(p, '}');
		if (!end) {
			*msg = xstrdup("unclosed '{' (write '{{' for a literal brace)");
			return -1;
		}
		cleanup_free char *whole = xstrndup(p, (size_t)(end - p) + 1);
		cleanup_free char *inner = xstrndup(p + 1, (size_t)(end - p) - 1);
		char *colon = strchr(inner, ':');
		size_t i;
		if (colon)
			*colon = '\0';
		for (i = 0; i < ARRAY_SIZE(placeholders); i++)
			if (strcmp(inner, placeholders[i].name) == 0)
				break;
		if (i == ARRAY_SIZE(placeholders)) {
			if (strlen(whole) > 40)
				memcpy(whole + 36, "...}", sizeof("...}"));
			*msg = xasprintf("unknown placeholder '%s' (" PH_KNOWN ")", whole);
			return -1;
		}
		if (placeholders[i].container && (!colon || !lab_valid_id(colon + 1))) {
			*msg = xasprintf("'%s' needs a container name: {%s:NAME}", whole, inner);
			return -1;
		}
		if (!placeholders[i].container && colon) {
			*msg = xasprintf("'%s' takes no argument: write {%s}", whole, inner);
			return -1;
		}
		if ((r = ops->lit(u, lit, (size_t)(p - lit))) != 0)
			return r;
		if ((r = ops->var(u, placeholders[i].var, colon ? colon + 1 : NULL, whole)) != 0)
			return r;
		p = end + 1;
		lit = p;
	}
	return ops->lit(u, lit, (size_t)(p - lit));
}

struct ph_check {
	struct ctx *c;
	const struct lab_pos *pos;
	const char *key;
	const struct lab_step *step; /* NULL: container references are not allowed here */
};

static int ph_check_lit(void *u, const char *s, size_t n)
{
	(void)u;
	(void)s;
	(void)n;
	return 0;
}

int lab_step_container(const struct lab_step *step, const char *name)
{
	for (size_t i = 0; i < step->n_containers; i++)
		if (step->containers[i].name && strcmp(step->containers[i].name, name) == 0)
			return (int)i;
	return -1;
}

bool lab_step_about_bounding(const struct lab_step *st)
{
	for (size_t i = 0; i < st->n_expects; i++)
		if (st->expects[i].kind == LAB_EXPECT_CAP &&
		    st->expects[i].cap.set == LAB_CAPSET_BOUNDING)
			return true;
	if (st->text && strcasestr(st->text, "bounding"))
		return true;
	for (size_t i = 0; i < st->hints.n; i++)
		if (strcasestr(st->hints.v[i], "bounding"))
			return true;
	return false;
}

static int ph_check_var(void *u, enum lab_var v, const char *arg, const char *whole)
{
	struct ph_check *pc = u;

	(void)v;
	if (!arg)
		return 0;
	if (!pc->step) {
		ly_problem_pos(pc->c, pc->pos,
			    "'%s' cannot be used in '%s': containers start in parallel, so pids and "
			    "names are known to actions only",
			    whole, pc->key);
		return 0;
	}
	if (lab_step_container(pc->step, arg) < 0)
		ly_problem_pos(pc->c, pc->pos, "'%s': no container '%s' in step '%s'", whole, arg,
			    pc->step->id ? pc->step->id : "?");
	return 0;
}

void ly_check_placeholders(struct ctx *c, const char *s, const struct lab_pos *pos,
			       const char *key, const struct lab_step *step)
{
	static const struct ph_ops ops = {ph_check_lit, ph_check_var};
	struct ph_check pc = {c, pos, key, step};
	cleanup_free char *msg = NULL;

	if (ph_scan(s, &ops, &pc, &msg) < 0 && msg)
		ly_problem_pos(c, pos, "%s", msg);
}

void ly_check_words_placeholders(struct ctx *c, const struct lab_words *w, const char *key,
				     const struct lab_step *step)
{
	for (size_t i = 0; i < w->n; i++)
		ly_check_placeholders(c, w->v[i], &w->pos[i], key, step);
}

struct ph_expand {
	struct strbuf sb;
	const struct lab_vars *vars;
	struct err *e;
};

static int ph_expand_lit(void *u, const char *s, size_t n)
{
	struct ph_expand *x = u;

	strbuf_add(&x->sb, s, n);
	return 0;
}

static int ph_expand_var(void *u, enum lab_var v, const char *arg, const char *whole)
{
	struct ph_expand *x = u;

	if (!x->vars || !x->vars->lookup)
		return err_input(x->e, "no value for %s", whole);
	if (x->vars->lookup(x->vars->user, v, arg, &x->sb, x->e) < 0)
		return err_wrap(x->e, "%s", whole);
	return 0;
}

int lab_expand(const char *tmpl, const struct lab_vars *vars, char **out, struct err *e)
{
	static const struct ph_ops ops = {ph_expand_lit, ph_expand_var};
	struct ph_expand x = {STRBUF_INIT, vars, e};
	cleanup_free char *msg = NULL;

	*out = NULL;
	if (ph_scan(tmpl, &ops, &x, &msg) != 0) {
		strbuf_release(&x.sb);
		if (msg)
			return err_input(e, "'%s': %s", tmpl, msg);
		return -1;
	}
	*out = strbuf_detach(&x.sb);
	return 0;
}

int lab_expand_words(const struct lab_words *w, const struct lab_vars *vars, struct argv *out,
		     struct err *e)
{
	for (size_t i = 0; i < w->n; i++) {
		cleanup_free char *s = NULL;
		if (lab_expand(w->v[i], vars, &s, e) < 0)
			return -1;
		argv_push(out, s);
	}
	return 0;
}


static const char *const safety_names[] = {"inspect-only", "vm-only", NULL};
static const char *const action_kind_names[] = {"probe", "exec", "host", NULL};

const char *lab_safety_name(enum lab_safety s)
{
	return (unsigned)s < 2 ? safety_names[s] : "?";
}

const char *lab_action_kind_name(enum lab_action_kind k)
{
	return (unsigned)k < 3 ? action_kind_names[k] : "?";
}
static const struct kspec note_keys[] = {
	{"when", true},
	{"text", true},
};
/* --- steps ---------------------------------------------------------------- */

static const struct kspec lab_keys[] = {
	{"isolab", true}, {"id", true},     {"title", true},
	{"summary", true}, {"safety", true}, {"steps", true},
};
static const struct kspec step_keys[] = {
	{"id", true},          {"title", true},   {"text", true},    {"question", false},
	{"containers", false}, {"actions", false}, {"expect", false}, {"hints", true},
	{"notes", false},
};
static const struct kspec question_keys[] = {
	{"prompt", true}, {"choices", true}, {"answer", true}, {"why", false},
};
static const struct kspec container_keys[] = {
	{"name", true}, {"reference", false}, {"flags", false}, {"command", false},
	{"when", false},
};
static const struct kspec action_keys[] = {
	{"id", true}, {"in", false}, {"probe", false}, {"args", false}, {"exec", false}, {"host", false},
	{"when", false},
};

static void parse_container(struct ctx *c, const struct ynode *n, struct lab_container *ct,
			    const struct lab_step *step, const struct ynode **ref_first)
{
	const struct ynode *v;
	cleanup_free char *what = NULL;

	ct->pos = ly_pos(c, n);
	ly_words_init(&ct->flags, ct->pos);
	ly_words_init(&ct->command, ct->pos);
	v = ly_map_value(n, "name");
	if (v && v->type == Y_SCALAR && !ly_is_null(v))
		what = xasprintf("container '%s'", v->s);
	if (!ly_check_map(c, n, what ? what : "a container", container_keys,
		       ARRAY_SIZE(container_keys)))
		return;
	if (v && (ct->name = ly_get_id(c, v, "name"))) {
		for (const struct lab_container *o = step->containers; o < ct; o++)
			if (o->name && strcmp(o->name, ct->name) == 0) {
				ly_problem_at(c, v,
					   "duplicate container name '%s' in step '%s' (first at line %d)",
					   ct->name, step->id ? step->id : "?", o->pos.line);
				break;
			}
	}
	if ((v = ly_map_value(n, "reference")) && ly_get_bool(c, v, "reference", &ct->reference) &&
	    ct->reference) {
		if (*ref_first)
			ly_problem_at(c, v,
				   "more than one reference container in step '%s' (the first is at "
				   "line %d)",
				   step->id ? step->id : "?", (*ref_first)->line);
		else
			*ref_first = v;
	}
	if ((v = ly_map_value(n, "flags")) && ly_get_words(c, v, "flags", &ct->flags))
		ly_check_words_placeholders(c, &ct->flags, "flags", NULL);
	/* No flags is an empty canonical form too: Docker gets only isolab's. */
	ly_check_flags(c, ct);
	if ((v = ly_map_value(n, "when")))
		ly_parse_when(c, v, &ct->when);
	if ((v = ly_map_value(n, "command")) && ly_get_words(c, v, "command", &ct->command)) {
		if (ct->command.n == 0)
			ly_problem_at(c, v,
				   "'command' must not be empty (leave it out for the image's default)");
		ly_check_words_placeholders(c, &ct->command, "command", NULL);
	}
}

static void parse_action(struct ctx *c, const struct ynode *n, struct lab_action *a,
			 const struct lab_step *step)
{
	static const char *const kinds[] = {"probe", "exec", "host"};
	const struct ynode *v, *kind_key = NULL, *kind_val = NULL;
	cleanup_free char *what = NULL;
	const char *aid;

	a->pos = ly_pos(c, n);
	a->container = -1;
	ly_words_init(&a->argv, a->pos);
	v = ly_map_value(n, "id");
	if (v && v->type == Y_SCALAR && !ly_is_null(v))
		what = xasprintf("action '%s'", v->s);
	if (!ly_check_map(c, n, what ? what : "an action", action_keys, ARRAY_SIZE(action_keys)))
		return;
	if ((kind_val = ly_map_value(n, "when")))
		ly_parse_when(c, kind_val, &a->when);
	kind_val = NULL;
	if (v && (a->id = ly_get_id(c, v, "id"))) {
		for (const struct lab_action *o = step->actions; o < a; o++)
			if (o->id && strcmp(o->id, a->id) == 0) {
				ly_problem_at(c, v,
					   "duplicate action id '%s' in step '%s' (first at line %d)",
					   a->id, step->id ? step->id : "?", o->pos.line);
				break;
			}
	}
	aid = a->id ? a->id : "?";

	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *key = n->kid[i];
		for (size_t k = 0; !key->bad && key->type == Y_SCALAR && k < 3; k++) {
			if (strcmp(key->s, kinds[k]) != 0)
				continue;
			if (kind_key) {
				ly_problem_at(c, key,
					   "action '%s' has both '%s' and '%s': an action is one of "
					   "probe, exec or host",
					   aid, kind_key->s, key->s);
				return;
			}
			kind_key = key;
			kind_val = n->kid[i + 1];
			a->kind = (enum lab_action_kind)k;
		}
	}
	if (!kind_key) {
		ly_problem_at(c, n, "action '%s' needs one of 'probe', 'exec' or 'host'", aid);
		return;
	}
	if ((v = ly_map_key(n, "args")) && a->kind != LAB_ACTION_PROBE)
		ly_problem_at(c, v, "'args' goes with 'probe'; put %s's arguments in its argv",
			   kind_key->s);

	v = ly_map_value(n, "in");
	if (a->kind == LAB_ACTION_HOST) {
		if (v)
			ly_problem_at(c, ly_map_key(n, "in"),
				   "a host action runs on the host: 'in' does not apply");
	} else if (!v) {
		ly_problem_at(c, n, "action '%s' needs 'in': the container it runs in", aid);
	} else if ((a->in = ly_get_id(c, v, "in"))) {
		a->container = lab_step_container(step, a->in);
		if (a->container < 0)
			ly_problem_at(c, v, "no container '%s' in step '%s'", a->in,
				   step->id ? step->id : "?");
	}

	v = kind_val;
	if (a->kind == LAB_ACTION_PROBE) {
		ly_check_probe(c, v, ly_map_value(n, "args"), a, step);
		return;
	}
	if (!ly_get_words(c, v, kind_key->s, &a->argv))
		return;
	if (a->argv.n == 0) {
		ly_problem_at(c, v, "'%s' must not be empty: it is an argv", kind_key->s);
		return;
	}
	ly_check_words_placeholders(c, &a->argv, kind_key->s, step);
	if (a->kind == LAB_ACTION_HOST)
		ly_check_host_argv(c, &a->argv);
}

static void parse_question(struct ctx *c, const struct ynode *n, struct lab_step *st)
{
	struct lab_question *q = xcalloc(1, sizeof(*q));
	const struct ynode *v, *ans;
	bool choices_ok = false;

	st->question = q;
	q->pos = ly_pos(c, n);
	ly_words_init(&q->choices, q->pos);
	if (!ly_check_map(c, n, "the question", question_keys, ARRAY_SIZE(question_keys)))
		return;
	if ((v = ly_map_value(n, "prompt")))
		q->prompt = ly_get_line(c, v, "prompt");
	if ((v = ly_map_value(n, "why")))
		q->why = ly_get_str(c, v, "why", true);
	if ((v = ly_map_value(n, "choices")) && ly_get_words(c, v, "choices", &q->choices)) {
		choices_ok = true;
		if (q->choices.n < 2) {
			ly_problem_at(c, v, "'choices' needs at least two choices");
			choices_ok = false;
		}
		for (size_t i = 1; i < q->choices.n; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(q->choices.v[i], q->choices.v[j]) == 0) {
					ly_problem_pos(c, &q->choices.pos[i], "duplicate choice '%s'",
						    q->choices.v[i]);
					choices_ok = false;
					break;
				}
	}
	if ((ans = ly_map_value(n, "answer"))) {
		cleanup_free char *a = ly_get_str(c, ans, "answer", true);
		size_t i;
		if (!a || !choices_ok)
			return;
		for (i = 0; i < q->choices.n; i++)
			if (strcmp(a, q->choices.v[i]) == 0)
				break;
		if (i == q->choices.n) {
			struct strbuf sb = STRBUF_INIT;
			ly_join_list(&sb, (const char *const *)q->choices.v);
			ly_problem_at(c, ans, "answer '%s' is not one of the choices (%s)", a,
				   strbuf_str(&sb));
			strbuf_release(&sb);
		}
		q->answer = i;
	}
}

/* Lines of a literal block scalar are the file's lines: point a problem
 * found in step text at its own line. */
static void text_issue_pos(struct ctx *c, const struct ynode *n, int line, int *l, int *col)
{
	*l = n->line;
	*col = n->col;
	if (!n->literal || line < 0)
		return;
	*l = n->line + line;
	if (!c->lines) {
		size_t count = 1;
		for (size_t i = 0; i < c->srclen; i++)
			count += c->src[i] == '\n';
		c->lines = xreallocarray(NULL, count, sizeof(*c->lines));
		c->lines[c->nlines++] = 0;
		for (size_t i = 0; i < c->srclen; i++)
			if (c->src[i] == '\n')
				c->lines[c->nlines++] = i + 1;
	}
	if (*l < 1 || (size_t)*l > c->nlines)
		return;
	*col = 1;
	for (size_t i = c->lines[*l - 1]; i < c->srclen && c->src[i] == ' '; i++)
		(*col)++;
}

static void parse_text(struct ctx *c, const struct ynode *n, struct lab_step *st)
{
	struct mdtext *doc = NULL;
	struct err e;

	st->text_pos = ly_pos(c, n);
	if (!(st->text = ly_get_str(c, n, "text", true)))
		return;
	if (mdtext_parse(st->text, strlen(st->text), &doc, &e) < 0) {
		ly_problem_at(c, n, "step text: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < doc->n_issues; i++) {
		int l, col;
		text_issue_pos(c, n, doc->issues[i].line, &l, &col);
		ly_problem(c, l, col,
			"step text uses %s, which is not in isolab's Markdown subset (paragraphs, "
			"*emphasis*, **strong**, `code`, lists, code blocks, headings)",
			doc->issues[i].what);
	}
	mdtext_free(doc);
}

static void parse_notes(struct ctx *c, const struct ynode *v, struct lab_step *st)
{
	if (v->type != Y_SEQ) {
		if (!v->bad)
			ly_problem_at(c, v, "'notes' must be a list, found %s", ly_found(v));
		return;
	}
	st->notes = xcalloc(v->n, sizeof(*st->notes));
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *n = v->kid[i], *w;
		struct lab_note *note = &st->notes[st->n_notes++];
		note->pos = ly_pos(c, n);
		if (!ly_check_map(c, n, "a note", note_keys, ARRAY_SIZE(note_keys)))
			continue;
		if ((w = ly_map_value(n, "when")))
			ly_parse_when(c, w, &note->when);
		if ((w = ly_map_value(n, "text")))
			note->text = ly_get_str(c, w, "text", true);
	}
}

/* What an item refers to must exist wherever the item does: an action in a
 * container that runs only on some hosts runs only there too. */
static void when_ref(struct ctx *c, const struct lab_pos *pos, const char *what,
		     const struct lab_when *item, const char *whom, const struct lab_when *ref)
{
	if (lab_when_implies(item, ref))
		return;
	cleanup_free char *cond = lab_when_text(ref);
	ly_problem_pos(c, pos, "%s refers to %s, which exists only %s: give it the same 'when'", what,
		    whom, cond);
}

static void check_when_refs(struct ctx *c, const struct lab_step *st)
{
	for (size_t i = 0; i < st->n_containers; i++) {
		const struct lab_container *ct = &st->containers[i];
		if (ct->reference && ct->when.pos.line)
			ly_problem_pos(c, &ct->when.pos,
				    "the reference container runs on every host: it takes no 'when'");
	}
	for (size_t i = 0; i < st->n_actions; i++) {
		const struct lab_action *a = &st->actions[i];
		if (a->container < 0 || !a->id)
			continue;
		cleanup_free char *what = xasprintf("action '%s'", a->id);
		cleanup_free char *whom = xasprintf("container '%s'", a->in);
		when_ref(c, &a->pos, what, &a->when, whom, &st->containers[a->container].when);
	}
	for (size_t i = 0; i < st->n_expects; i++) {
		const struct lab_expect *x = &st->expects[i];
		if (x->container_index >= 0) {
			cleanup_free char *whom = xasprintf("container '%s'", x->container);
			when_ref(c, &x->pos, "an expectation", &x->when, whom,
				 &st->containers[x->container_index].when);
		}
		if (x->kind == LAB_EXPECT_ACTION && x->action.index >= 0) {
			cleanup_free char *whom = xasprintf("action '%s'", x->action.id);
			when_ref(c, &x->pos, "an expectation", &x->when, whom,
				 &st->actions[x->action.index].when);
		}
	}
}

static void parse_step(struct ctx *c, const struct ynode *n, struct lab_step *st,
		       const struct lab *lab)
{
	const struct ynode *v;
	cleanup_free char *what = NULL;
	const struct ynode *ref_first = NULL;

	st->pos = ly_pos(c, n);
	st->reference = -1;
	ly_words_init(&st->hints, st->pos);
	v = ly_map_value(n, "id");
	if (v && v->type == Y_SCALAR && !ly_is_null(v))
		what = xasprintf("step '%s'", v->s);
	if (!ly_check_map(c, n, what ? what : "a step", step_keys, ARRAY_SIZE(step_keys)))
		return;
	if (v && (st->id = ly_get_id(c, v, "id"))) {
		for (const struct lab_step *o = lab->steps; o < st; o++)
			if (o->id && strcmp(o->id, st->id) == 0) {
				ly_problem_at(c, v, "duplicate step id '%s' (first at line %d)", st->id,
					   o->pos.line);
				break;
			}
	}
	if ((v = ly_map_value(n, "title")))
		st->title = ly_get_line(c, v, "title");
	if ((v = ly_map_value(n, "text")))
		parse_text(c, v, st);

	/* Containers first: actions and expectations refer to them. */
	if ((v = ly_map_value(n, "containers"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				ly_problem_at(c, v, "'containers' must be a list, found %s", ly_found(v));
		} else {
			st->containers = xcalloc(v->n, sizeof(*st->containers));
			for (size_t i = 0; i < v->n; i++) {
				if (i == LAB_MAX_CONTAINERS) {
					ly_problem_at(c, v->kid[i], "a step runs at most %d containers",
						   LAB_MAX_CONTAINERS);
					break;
				}
				parse_container(c, v->kid[i], &st->containers[i], st, &ref_first);
				st->n_containers++;
				if (st->containers[i].reference && st->reference < 0)
					st->reference = (int)i;
			}
		}
	}
	if ((v = ly_map_value(n, "actions"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				ly_problem_at(c, v, "'actions' must be a list, found %s", ly_found(v));
		} else {
			st->actions = xcalloc(v->n, sizeof(*st->actions));
			for (size_t i = 0; i < v->n; i++) {
				parse_action(c, v->kid[i], &st->actions[i], st);
				st->n_actions++;
			}
		}
	}
	if ((v = ly_map_value(n, "expect"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				ly_problem_at(c, v, "'expect' must be a list, found %s", ly_found(v));
		} else {
			st->expects = xcalloc(v->n, sizeof(*st->expects));
			for (size_t i = 0; i < v->n; i++) {
				ly_parse_expect(c, v->kid[i], &st->expects[i], st);
				st->n_expects++;
			}
		}
	}
	if ((v = ly_map_value(n, "notes")))
		parse_notes(c, v, st);
	check_when_refs(c, st);
	if ((v = ly_map_value(n, "question")))
		parse_question(c, v, st);
	if ((v = ly_map_value(n, "hints")) && ly_get_words(c, v, "hints", &st->hints)) {
		if (st->hints.n == 0)
			ly_problem_at(c, v,
				   "step '%s' has no hints: give at least one (the first a pointer, the "
				   "last the solution)",
				   st->id ? st->id : "?");
		for (size_t i = 0; i < st->hints.n; i++)
			if (st->hints.v[i][0] == '\0')
				ly_problem_pos(c, &st->hints.pos[i], "a hint must not be empty");
		lab_claims_check(st, ly_policy_problem, c);
	}
}

static void build_lab(struct ctx *c, const struct ynode *root)
{
	struct lab *lab = c->lab;
	const struct ynode *v;
	int i;

	lab->pos = ly_pos(c, root);
	lab->id_pos = lab->pos;
	if (!ly_check_map(c, root, "the lab", lab_keys, ARRAY_SIZE(lab_keys)))
		return;
	if ((v = ly_map_value(root, "isolab")) && ly_get_int(c, v, "isolab", &lab->version) &&
	    lab->version != LAB_FORMAT_VERSION)
		ly_problem_at(c, v, "'isolab' must be %d (this isolab reads lab format %d), found %d",
			   LAB_FORMAT_VERSION, LAB_FORMAT_VERSION, lab->version);
	if ((v = ly_map_value(root, "id"))) {
		lab->id_pos = ly_pos(c, v);
		lab->id = ly_get_id(c, v, "id");
	}
	if ((v = ly_map_value(root, "title")))
		lab->title = ly_get_line(c, v, "title");
	if ((v = ly_map_value(root, "summary")) && (lab->summary = ly_get_str(c, v, "summary", true))) {
		size_t n = strlen(lab->summary);
		while (n > 0 && (lab->summary[n - 1] == '\n' || lab->summary[n - 1] == ' '))
			lab->summary[--n] = '\0';
	}
	if ((v = ly_map_value(root, "safety")) &&
	    (i = ly_get_enum(c, v, "safety", safety_names, ly_count_list(safety_names))) >= 0)
		lab->safety = (enum lab_safety)i;
	if ((v = ly_map_value(root, "steps"))) {
		if (v->bad)
			return;
		if (v->type != Y_SEQ) {
			ly_problem_at(c, v, "'steps' must be a list of steps, found %s", ly_found(v));
			return;
		}
		if (v->n == 0)
			ly_problem_at(c, v, "'steps' must hold at least one step");
		lab->steps = xcalloc(v->n, sizeof(*lab->steps));
		for (size_t k = 0; k < v->n; k++) {
			parse_step(c, v->kid[k], &lab->steps[k], lab);
			lab->n_steps++;
		}
	}
}

/* --- loading -------------------------------------------------------------- */

void lab_container_free(struct lab_container *ct)
{
	free(ct->name);
	ly_words_free(&ct->flags);
	if (ct->run)
		policy_flags_free(ct->run);
	free(ct->run);
	ly_words_free(&ct->command);
}

void lab_action_free(struct lab_action *a)
{
	free(a->id);
	free(a->in);
	free(a->probe);
	ly_words_free(&a->argv);
}

void lab_free(struct lab *lab)
{
	if (!lab)
		return;
	for (size_t i = 0; i < lab->n_steps; i++) {
		struct lab_step *st = &lab->steps[i];
		free(st->id);
		free(st->title);
		free(st->text);
		if (st->question) {
			free(st->question->prompt);
			free(st->question->why);
			ly_words_free(&st->question->choices);
			free(st->question);
		}
		for (size_t j = 0; j < st->n_containers; j++)
			lab_container_free(&st->containers[j]);
		free(st->containers);
		for (size_t j = 0; j < st->n_actions; j++)
			lab_action_free(&st->actions[j]);
		free(st->actions);
		for (size_t j = 0; j < st->n_notes; j++)
			free(st->notes[j].text);
		free(st->notes);
		for (size_t j = 0; j < st->n_expects; j++)
			lab_expect_free(&st->expects[j]);
		free(st->expects);
		ly_words_free(&st->hints);
	}
	free(lab->steps);
	free(lab->id);
	free(lab->title);
	free(lab->summary);
	free(lab->file);
	free(lab);
}

/* Hand the collected problems over, in file order; 0 when there were none. */

int lab_load_string(const char *name, const char *buf, size_t len, struct lab **out,
		    struct lab_problems *probs, struct err *e)
{
	struct lab *lab = xcalloc(1, sizeof(*lab));
	struct ctx c = {0};
	struct ynode *root;

	*out = NULL;
	lab->file = xstrdup(name);
	c.file = lab->file;
	c.src = buf;
	c.srclen = len;
	c.lab = lab;
	if (len > LAB_MAX_FILE) {
		ly_problem(&c, 0, 0, "too large for a lab file (more than %d bytes)", LAB_MAX_FILE);
	} else if ((root = ly_parse(&c, buf, len))) {
		build_lab(&c, root);
		ynode_free(root);
	}
	free(c.lines);
	if (ly_finish(&c, probs, e) < 0) {
		lab_free(lab);
		return -1;
	}
	*out = lab;
	return 0;
}

int lab_load(const char *path, struct lab **out, struct lab_problems *probs, struct err *e)
{
	/* Non-blocking: opening a FIFO would otherwise wait for a writer
	 * forever; only a regular file is a lab. */
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct strbuf sb = STRBUF_INIT;
	struct stat st;
	char chunk[65536];
	ssize_t r;
	int ret, errnum = 0;

	*out = NULL;
	if (fd < 0 || fstat(fd, &st) < 0)
		errnum = errno;
	else if (S_ISDIR(st.st_mode))
		errnum = EISDIR;
	else if (!S_ISREG(st.st_mode)) {
		if (probs)
			ly_problems_add(probs, path, 0, 0,
				     xstrdup("not a regular file (a FIFO, a device or a socket): "
					     "a lab is a YAML file"));
		return err_input(e, "%s: not a regular file (a FIFO, a device or a socket): "
				    "a lab is a YAML file", path);
	}
	if (errnum) {
		if (probs)
			ly_problems_add(probs, path, 0, 0, xasprintf("cannot read: %s", strerror(errnum)));
		return err_set(e, ERR_INPUT, errnum, "%s", path);
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			errnum = errno;
			strbuf_release(&sb);
			if (probs)
				ly_problems_add(probs, path, 0, 0,
					     xasprintf("cannot read: %s", strerror(errnum)));
			return err_set(e, ERR_INPUT, errnum, "%s", path);
		}
		strbuf_add(&sb, chunk, (size_t)r);
		if (sb.len > LAB_MAX_FILE)
			break;
	}
	ret = lab_load_string(path, strbuf_str(&sb), sb.len, out, probs, e);
	strbuf_release(&sb);
	return ret;
}

bool lab_id_taken(struct lab *const *labs, size_t n, const struct lab *lab,
		  struct lab_problems *probs)
{
	if (!lab || !lab->id)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (!labs[i] || labs[i] == lab || !labs[i]->id || strcmp(labs[i]->id, lab->id) != 0)
			continue;
		if (probs)
			ly_problems_add(probs, lab->file, lab->id_pos.line, lab->id_pos.col,
				     xasprintf("duplicate lab id '%s' (also in %s)", lab->id,
					       labs[i]->file));
		return true;
	}
	return false;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int lab_list(const char *dir, struct lab_set *out, struct lab_problems *probs, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, bad = 0;

	out->v = NULL;
	out->n = 0;
	if (!d)
		return err_set(e, ERR_INPUT, errno, "labs directory %s", dir);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		names = xreallocarray(names, n + 1, sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	/* An empty directory leaves names NULL, and qsort's pointer must not be. */
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	out->v = xcalloc(n + 1, sizeof(*out->v));
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", dir, names[i]);
		struct lab *lab;
		struct err e2;
		if (lab_load(path, &lab, probs, &e2) < 0) {
			bad++;
		} else {
			if (lab_id_taken(out->v, out->n, lab, probs)) {
				lab_free(lab);
				bad++;
			} else {
				out->v[out->n++] = lab;
			}
		}
		free(names[i]);
	}
	free(names);
	if (bad)
		return err_input(e, "%zu lab file%s in %s %s problems (isolab check-labs %s)", bad,
				 bad == 1 ? "" : "s", dir, bad == 1 ? "has" : "have", dir);
	return 0;
}

void lab_set_free(struct lab_set *s)
{
	for (size_t i = 0; i < s->n; i++)
		lab_free(s->v[i]);
	free(s->v);
	s->v = NULL;
	s->n = 0;
}

struct lab *lab_set_find(const struct lab_set *s, const char *id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i]->id && strcmp(s->v[i]->id, id) == 0)
			return s->v[i];
	return NULL;
}

const struct lab_step *lab_find_step(const struct lab *lab, const char *id)
{
	for (size_t i = 0; i < lab->n_steps; i++)
		if (lab->steps[i].id && strcmp(lab->steps[i].id, id) == 0)
			return &lab->steps[i];
	return NULL;
}

char *lab_dir(void)
{
	const char *env = getenv("ISOLAB_LABS");
	char exe[PATH_MAX];
	ssize_t n;
	struct stat st;

	if (env && *env)
		return xstrdup(env);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		exe[n] = '\0';
		char *slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			char *dir = xasprintf("%s/labs", exe);
			if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
				return dir;
			free(dir);
		}
	}
	return xstrdup(ISOLAB_DATADIR "/labs");
}

