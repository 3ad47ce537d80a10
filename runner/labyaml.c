/* labyaml.c: a lab file into a tree (libfyaml's event parser; every node
 * keeps its line and column), the problems of the file, reported
 * FILE:LINE:COL in file order, and typed reads from the tree. */
#include "labparse.h"

#include <ctype.h>
#include <errno.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kid[i]);
	free(n->kid);
	free(n->s);
	free(n);
}

static void ynode_push(struct ynode *parent, struct ynode *kid)
{
	if (parent->n == parent->cap) {
		parent->cap = parent->cap ? parent->cap * 2 : 8;
		parent->kid = xreallocarray(parent->kid, parent->cap, sizeof(*parent->kid));
	}
	parent->kid[parent->n++] = kid;
}


__attribute__((format(printf, 4, 0))) void ly_problemv(struct ctx *c, int line, int col,
							  const char *fmt, va_list ap)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_vaddf(&sb, fmt, ap);
	if (c->np == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 8;
		c->p = xreallocarray(c->p, c->cap, sizeof(*c->p));
	}
	c->p[c->np] = (struct prob){line, col, c->np, strbuf_detach(&sb)};
	c->np++;
}

__attribute__((format(printf, 4, 5))) void ly_problem(struct ctx *c, int line, int col,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ly_problemv(c, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) void ly_problem_at(struct ctx *c, const struct ynode *n,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ly_problemv(c, n->line, n->col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) void ly_problem_pos(struct ctx *c,
							     const struct lab_pos *p,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ly_problemv(c, p->line, p->col, fmt, ap);
	va_end(ap);
}

static int prob_cmp(const void *a, const void *b)
{
	const struct prob *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

char *lab_problem_format(const struct lab_problem *p)
{
	if (p->line <= 0)
		return xasprintf("%s: %s", p->file, p->msg);
	return xasprintf("%s:%d:%d: %s", p->file, p->line, p->col, p->msg);
}

void ly_problems_add(struct lab_problems *p, const char *file, int line, int col, char *msg)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 8;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	p->v[p->n++] = (struct lab_problem){xstrdup(file), line, col, msg};
}

void lab_problems_free(struct lab_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].file);
		free(p->v[i].msg);
	}
	free(p->v);
	p->v = NULL;
	p->n = p->cap = 0;
}

/* --- YAML events into the tree -------------------------------------------- */

static void diag_quiet(struct fy_diag *diag, void *user, const char *buf, size_t len)
{
	(void)diag;
	(void)user;
	(void)buf;
	(void)len;
}

static void mark_of(struct fy_event *ev, int *line, int *col)
{
	const struct fy_mark *m = fy_event_start_mark(ev);

	if (m) {
		*line = m->line + 1;
		*col = m->column + 1;
	}
}

static int key_cmp(const void *a, const void *b)
{
	const struct ynode *const *x = a, *const *y = b;
	size_t n = (*x)->len < (*y)->len ? (*x)->len : (*y)->len;
	int r = memcmp((*x)->s, (*y)->s, n);

	if (r)
		return r;
	if ((*x)->len != (*y)->len)
		return (*x)->len < (*y)->len ? -1 : 1;
	/* Equal keys keep file order, so the first stays and the rest are reported. */
	return (*x)->line != (*y)->line ? ((*x)->line < (*y)->line ? -1 : 1)
					: ((*x)->col < (*y)->col ? -1 : (*x)->col > (*y)->col);
}

/* Keys are plain words, each once: anything else is reported here, and
 * the pair marked bad so that the validator does not speak of it again. */
static void check_mapping_keys(struct ctx *c, struct ynode *map)
{
	size_t nk = 0;
	cleanup_free struct ynode **keys = xreallocarray(NULL, map->n / 2 + 1, sizeof(*keys));

	for (size_t i = 0; i + 1 < map->n; i += 2) {
		struct ynode *k = map->kid[i];
		if (k->bad)
			continue;
		if (k->type != Y_SCALAR) {
			ly_problem_at(c, k, "a key must be a plain word, not %s",
				   k->type == Y_MAP ? "a mapping" : "a list");
			k->bad = true;
			continue;
		}
		keys[nk++] = k;
	}
	qsort(keys, nk, sizeof(*keys), key_cmp);
	for (size_t i = 1; i < nk; i++) {
		size_t first = i - 1;
		while (i < nk && keys[i]->len == keys[first]->len &&
		       memcmp(keys[i]->s, keys[first]->s, keys[i]->len) == 0) {
			ly_problem_at(c, keys[i], "duplicate key '%s' (first at line %d)", keys[i]->s,
				   keys[first]->line);
			keys[i]->bad = true;
			i++;
		}
	}
}

/* Length of the UTF-8 sequence at s (strict: no overlongs, surrogates or
 * code points past U+10FFFF), or 0 when it is not valid; *cp gets the
 * code point. */
static size_t utf8_decode(const unsigned char *s, size_t avail, unsigned long *cp)
{
	size_t n;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		n = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && *cp < 0x800) || (n == 4 && (*cp < 0x10000 || *cp > 0x10ffff)) ||
	    (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return n;
}

/* YAML's printable set (YAML 1.2, 5.1) less NEL: no C0 control but tab,
 * line feed and carriage return, no DEL, no C1 control, no U+FFFE/U+FFFF. */
static bool printable(unsigned long cp)
{
	if (cp < 0x20)
		return cp == '\t' || cp == '\n' || cp == '\r';
	return !(cp >= 0x7f && cp <= 0x9f) && cp != 0xfffe && cp != 0xffff;
}

/* What libfyaml 0.7.12 must never see: it loops forever or reads out of
 * bounds on invalid UTF-8, on control characters in anchors and on some %
 * directives (fixed upstream after that release: libfyaml issues #101,
 * #175, #318, commits 56154b8 and 193c017). A lab file is printable UTF-8
 * text and needs no directive, so all three are refused before parsing. */
static bool precheck(struct ctx *c, const char *buf, size_t len)
{
	int line = 1, col = 1;

	for (size_t i = 0; i < len;) {
		const unsigned char *p = (const unsigned char *)buf + i;
		unsigned long cp;
		size_t n = utf8_decode(p, len - i, &cp);
		if (n == 0) {
			ly_problem(c, line, col, "not valid UTF-8: a lab file is UTF-8 text");
			return false;
		}
		if (cp == 0) {
			ly_problem(c, line, col, "a NUL byte: a lab file is UTF-8 text");
			return false;
		}
		if (!printable(cp)) {
			ly_problem(c, line, col,
				"control character U+%04lX: a lab file is printable text", cp);
			return false;
		}
		if (*p == '%' && col == 1) {
			ly_problem(c, line, col, "YAML directives (%%...) are not supported in lab files");
			return false;
		}
		if (*p == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return true;
}

/* libfyaml before 0.8 recycles a simple key twice when a tab indents a
 * block indicator after the ':' of an explicit "? key" (upstream commit
 * 0bb4406, "Fix double free in case of a bad key"): the parser's free list
 * then loops and fy_parser_destroy() crashes. A parser that reported that
 * error is kept, still reachable, instead of destroyed: a few kilobytes for
 * each such file, and only with an affected libfyaml. */
#define FY_TAB_INDENT_ERROR "cannot use tab for indentation of block entry"

static bool fyaml_recycles_twice(void)
{
	static int affected = -1;

	if (affected < 0) {
		const char *v = fy_library_version();
		char *dot = NULL, *end = NULL;
		unsigned long major = 0, minor = 0;

		/* MAJOR.MINOR...; anything else is taken for an affected one. */
		if (v && isdigit((unsigned char)v[0])) {
			errno = 0;
			major = strtoul(v, &dot, 10);
			if (*dot == '.' && isdigit((unsigned char)dot[1]))
				minor = strtoul(dot + 1, &end, 10);
		}
		affected = !end || errno || (major == 0 && minor < 8);
	}
	return affected;
}

static void parser_abandon(struct fy_parser *fyp)
{
	static struct fy_parser **kept;
	static size_t n_kept;

	kept = xreallocarray(kept, n_kept + 1, sizeof(*kept));
	kept[n_kept++] = fyp;
}

/* A parser of buf that reports to a quiet diag of its own (*diag). */
static struct fy_parser *parser_open(struct ctx *c, const char *buf, size_t len,
				     struct fy_diag **diag)
{
	struct fy_diag_cfg dc;
	struct fy_parser *fyp;

	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_quiet;
	dc.colorize = false;
	*diag = fy_diag_create(&dc);
	if (!*diag) {
		ly_problem(c, 0, 0, "cannot start the YAML parser");
		return NULL;
	}
	fy_diag_set_collect_errors(*diag, true);
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET, .diag = *diag};
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, buf, len) != 0) {
		if (fyp)
			fy_parser_destroy(fyp);
		fy_diag_destroy(*diag);
		*diag = NULL;
		ly_problem(c, 0, 0, "cannot start the YAML parser");
		return NULL;
	}
	return fyp;
}

/* A scalar event's node; *col moves to a block scalar's text. */
static struct ynode *scalar_node(struct fy_event *ev, const char *buf, size_t len, int *col)
{
	size_t n = 0;
	const char *t = fy_token_get_text(ev->scalar.value, &n);
	enum fy_scalar_style st = fy_token_scalar_style(ev->scalar.value);
	struct ynode *node = xcalloc(1, sizeof(*node));

	node->type = Y_SCALAR;
	node->s = xmalloc(n + 1);
	if (t && n)
		memcpy(node->s, t, n);
	node->s[n] = '\0';
	node->len = t ? n : 0;
	node->plain = st == FYSS_PLAIN;
	node->literal = st == FYSS_LITERAL;
	if (st == FYSS_LITERAL || st == FYSS_FOLDED) {
		/* A block scalar's mark is the start of its first line:
		 * point at the text itself. */
		const struct fy_mark *m = fy_event_start_mark(ev);
		for (size_t k = m ? m->input_pos : len; k < len && buf[k] == ' '; k++)
			(*col)++;
	}
	return node;
}

/* The tree being built: the open collections, innermost last. */
struct build {
	struct ynode *stack[LAB_MAX_DEPTH];
	struct ynode *root;
	int depth;
};

/* Hang node where it belongs; false when it nests too deep (reported). */
static bool attach(struct ctx *c, struct build *b, struct ynode *node, int line, int col,
		   bool tagged)
{
	node->line = line;
	node->col = col;
	/* An anchor alone is harmless: only its aliases are refused. */
	if (tagged)
		ly_problem_at(c, node, "tags (!tag) are not supported");
	if (b->depth == 0) {
		ynode_free(b->root);
		b->root = node;
	} else {
		ynode_push(b->stack[b->depth - 1], node);
	}
	if (node->type == Y_SCALAR)
		return true;
	if (b->depth == LAB_MAX_DEPTH) {
		ly_problem_at(c, node, "nested too deep (more than %d levels)", LAB_MAX_DEPTH);
		return false;
	}
	b->stack[b->depth++] = node;
	return true;
}

/* One event into the tree; false when the file cannot be read on. */
static bool on_event(struct ctx *c, struct build *b, struct fy_event *ev, const char *buf,
		     size_t len, int *docs, int line, int *col)
{
	struct ynode *node = NULL;
	struct fy_token *tag = NULL;

	switch (ev->type) {
	case FYET_DOCUMENT_START:
		if (++*docs > 1) {
			ly_problem(c, line, *col, "a lab file holds one YAML document, found another");
			return false;
		}
		break;
	case FYET_MAPPING_START:
	case FYET_SEQUENCE_START:
		node = xcalloc(1, sizeof(*node));
		node->type = ev->type == FYET_MAPPING_START ? Y_MAP : Y_SEQ;
		tag = ev->type == FYET_MAPPING_START ? ev->mapping_start.tag : ev->sequence_start.tag;
		break;
	case FYET_SCALAR:
		node = scalar_node(ev, buf, len, col);
		tag = ev->scalar.tag;
		break;
	case FYET_ALIAS:
		ly_problem(c, line, *col, "aliases (*name) are not supported: write the value out");
		node = xcalloc(1, sizeof(*node));
		node->type = Y_SCALAR;
		node->s = xstrdup("");
		node->bad = true;
		break;
	case FYET_MAPPING_END:
	case FYET_SEQUENCE_END:
		if (b->depth > 0) {
			struct ynode *done = b->stack[--b->depth];
			if (done->type == Y_MAP)
				check_mapping_keys(c, done);
		}
		break;
	default:
		break;
	}
	return !node || attach(c, b, node, line, *col, tag != NULL);
}

/* libfyaml's own syntax errors, in the same FILE:LINE:COL form; true when
 * there was one. *poisoned: the parser must be abandoned, not destroyed. */
static bool syntax_problems(struct ctx *c, struct fy_diag *diag, int line, int col,
			    bool *poisoned)
{
	void *iter = NULL;
	struct fy_diag_error *de;
	bool failed = false;

	while ((de = fy_diag_errors_iterate(diag, &iter))) {
		if (de->type < FYET_ERROR)
			continue;
		if (de->msg && !strcmp(de->msg, FY_TAB_INDENT_ERROR))
			*poisoned = fyaml_recycles_twice();
		ly_problem(c, de->line > 0 ? de->line : line, de->line > 0 ? de->column : col, "%s",
			   de->msg ? de->msg : "YAML syntax error");
		failed = true;
	}
	return failed;
}

struct ynode *ly_parse(struct ctx *c, const char *buf, size_t len)
{
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_event *ev;
	struct build b = {.depth = 0};
	int docs = 0, line = 1, col = 1;
	bool stop = false, failed = false, poisoned = false;

	if (!precheck(c, buf, len))
		return NULL;
	if (!(fyp = parser_open(c, buf, len, &diag)))
		return NULL;
	while (!stop && (ev = fy_parser_parse(fyp))) {
		mark_of(ev, &line, &col);
		if (!on_event(c, &b, ev, buf, len, &docs, line, &col))
			stop = failed = true;
		fy_parser_event_free(fyp, ev);
	}
	if (syntax_problems(c, diag, line, col, &poisoned))
		failed = true;
	if (fy_parser_get_stream_error(fyp) && !failed) {
		ly_problem(c, line, col, "YAML syntax error");
		failed = true;
	}
	if (poisoned)
		parser_abandon(fyp);
	else
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);

	if (failed) {
		/* A broken tree would only add noise to the real problem. */
		ynode_free(b.root);
		return NULL;
	}
	if (!b.root)
		ly_problem(c, 1, 1, "empty file: a lab starts with 'isolab: %d'", LAB_FORMAT_VERSION);
	return b.root;
}

/* --- typed access --------------------------------------------------------- */

bool ly_is_null(const struct ynode *n)
{
	return n->type == Y_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
		strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

const char *ly_found(const struct ynode *n)
{
	if (n->type == Y_MAP)
		return "a mapping";
	if (n->type == Y_SEQ)
		return "a list";
	if (ly_is_null(n))
		return "nothing";
	return "a string";
}

struct ynode *ly_map_value(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct ynode *k = map->kid[i];
		if (!k->bad && k->type == Y_SCALAR && strcmp(k->s, key) == 0)
			return map->kid[i + 1];
	}
	return NULL;
}

struct ynode *ly_map_key(const struct ynode *map, const char *key)
{
	if (!map || map->type != Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		struct ynode *k = map->kid[i];
		if (!k->bad && k->type == Y_SCALAR && strcmp(k->s, key) == 0)
			return k;
	}
	return NULL;
}


static void join_names(struct strbuf *sb, const struct kspec *spec, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_adds(sb, spec[i].name);
	}
}

/* Unknown keys and missing required ones of a mapping; false when n is not
 * a mapping at all (reported). what names it in messages ("step 'x'"). */
bool ly_check_map(struct ctx *c, const struct ynode *n, const char *what,
		      const struct kspec *spec, size_t nspec)
{
	if (n->bad)
		return false;
	if (n->type != Y_MAP) {
		ly_problem_at(c, n, "%s must be a mapping (key: value), found %s", what, ly_found(n));
		return false;
	}
	for (size_t i = 0; i + 1 < n->n; i += 2) {
		const struct ynode *k = n->kid[i];
		size_t j;
		if (k->bad || k->type != Y_SCALAR)
			continue;
		for (j = 0; j < nspec; j++)
			if (strcmp(k->s, spec[j].name) == 0)
				break;
		if (j == nspec) {
			struct strbuf sb = STRBUF_INIT;
			join_names(&sb, spec, nspec);
			ly_problem_at(c, k, "unknown key '%s' in %s (allowed: %s)", k->s, what,
				   strbuf_str(&sb));
			strbuf_release(&sb);
		}
	}
	for (size_t j = 0; j < nspec; j++)
		if (spec[j].required && !ly_map_key(n, spec[j].name))
			ly_problem_at(c, n, "missing required key '%s' in %s", spec[j].name, what);
	return true;
}

bool ly_scalar_ok(struct ctx *c, const struct ynode *n, const char *key, const char *want)
{
	if (n->bad)
		return false;
	if (n->type != Y_SCALAR || ly_is_null(n)) {
		ly_problem_at(c, n, "'%s' must be %s, found %s", key, want, ly_found(n));
		return false;
	}
	if (strlen(n->s) != n->len) {
		ly_problem_at(c, n, "'%s' holds a NUL byte", key);
		return false;
	}
	return true;
}

/* A string; empty ones are refused when nonempty. NULL when reported. */
char *ly_get_str(struct ctx *c, const struct ynode *n, const char *key, bool nonempty)
{
	if (!ly_scalar_ok(c, n, key, "a string"))
		return NULL;
	if (nonempty && n->len == 0) {
		ly_problem_at(c, n, "'%s' must not be empty", key);
		return NULL;
	}
	return xstrdup(n->s);
}

/* One line of text: titles, prompts. */
char *ly_get_line(struct ctx *c, const struct ynode *n, const char *key)
{
	char *s = ly_get_str(c, n, key, true);

	if (s && strchr(s, '\n')) {
		ly_problem_at(c, n, "'%s' must be one line", key);
		free(s);
		return NULL;
	}
	return s;
}

bool ly_get_bool(struct ctx *c, const struct ynode *n, const char *key, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};

	if (!ly_scalar_ok(c, n, key, "true or false"))
		return false;
	for (size_t i = 0; n->plain && i < ARRAY_SIZE(yes); i++) {
		if (strcmp(n->s, yes[i]) == 0) {
			*out = true;
			return true;
		}
		if (strcmp(n->s, no[i]) == 0) {
			*out = false;
			return true;
		}
	}
	ly_problem_at(c, n, "'%s' must be true or false, found '%s'", key, n->s);
	return false;
}

bool ly_get_int(struct ctx *c, const struct ynode *n, const char *key, int *out)
{
	char *end;
	long v;

	if (!ly_scalar_ok(c, n, key, "an integer"))
		return false;
	errno = 0;
	v = strtol(n->s, &end, 10);
	if (!n->plain || n->len == 0 || *end || errno || v < INT_MIN || v > INT_MAX ||
	    strchr(" \t\n", n->s[0])) {
		ly_problem_at(c, n, "'%s' must be an integer, found '%s'", key, n->s);
		return false;
	}
	*out = (int)v;
	return true;
}

bool lab_valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LAB_MAX_ID)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

char *ly_get_id(struct ctx *c, const struct ynode *n, const char *key)
{
	char *s;

	if (!ly_scalar_ok(c, n, key, "a string"))
		return NULL;
	if (!lab_valid_id(n->s)) {
		ly_problem_at(c, n, "'%s' must match [a-z0-9-]+ (at most %d characters), found '%s'",
			   key, LAB_MAX_ID, n->s);
		return NULL;
	}
	s = xstrdup(n->s);
	return s;
}

/* One of names[]: its index, or -1 (reported). */
int ly_get_enum(struct ctx *c, const struct ynode *n, const char *key,
		    const char *const *names, size_t count)
{
	struct strbuf sb = STRBUF_INIT;

	if (!ly_scalar_ok(c, n, key, "a string"))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (strcmp(n->s, names[i]) == 0)
			return (int)i;
	for (size_t i = 0; i < count; i++) {
		if (i)
			strbuf_adds(&sb, ", ");
		strbuf_adds(&sb, names[i]);
	}
	ly_problem_at(c, n, "'%s' must be one of %s, found '%s'", key, strbuf_str(&sb), n->s);
	strbuf_release(&sb);
	return -1;
}

struct lab_pos ly_pos(struct ctx *c, const struct ynode *n)
{
	return (struct lab_pos){c->file, n->line, n->col};
}

void ly_words_init(struct lab_words *w, struct lab_pos at)
{
	w->v = xcalloc(1, sizeof(*w->v));
	w->n = 0;
	w->pos = NULL;
	w->at = at;
}

void ly_words_free(struct lab_words *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i]);
	free(w->v);
	free(w->pos);
	w->v = NULL;
	w->pos = NULL;
	w->n = 0;
}

/* A list of strings into w (already initialised). False when reported. */
bool ly_get_words(struct ctx *c, const struct ynode *n, const char *key, struct lab_words *w)
{
	bool ok = true;

	if (n->bad)
		return false;
	w->at = ly_pos(c, n);
	if (n->type != Y_SEQ) {
		ly_problem_at(c, n, "'%s' must be a list of strings, found %s", key, ly_found(n));
		return false;
	}
	w->v = xreallocarray(w->v, n->n + 1, sizeof(*w->v));
	w->pos = xreallocarray(w->pos, n->n + 1, sizeof(*w->pos));
	for (size_t i = 0; i < n->n; i++) {
		const struct ynode *it = n->kid[i];
		if (it->bad) {
			ok = false;
			continue;
		}
		if (it->type != Y_SCALAR || ly_is_null(it)) {
			ly_problem_at(c, it, "'%s' items must be strings, found %s", key, ly_found(it));
			ok = false;
			continue;
		}
		if (strlen(it->s) != it->len) {
			ly_problem_at(c, it, "'%s' holds a NUL byte", key);
			ok = false;
			continue;
		}
		w->pos[w->n] = ly_pos(c, it);
		w->v[w->n++] = xstrdup(it->s);
	}
	w->v[w->n] = NULL;
	return ok;
}

void ly_join_list(struct strbuf *sb, const char *const *v)
{
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_adds(sb, v[i]);
	}
}

/* policy.c parses and checks them; its problems are ours. */
void ly_policy_problem(void *user, const struct lab_pos *pos, const char *msg)
{
	ly_problem_pos(user, pos, "%s", msg);
}

int ly_finish(struct ctx *c, struct lab_problems *probs, struct err *e)
{
	struct lab_problem first;

	if (c->np == 0)
		return 0;
	qsort(c->p, c->np, sizeof(*c->p), prob_cmp);
	first = (struct lab_problem){(char *)c->file, c->p[0].line, c->p[0].col, c->p[0].msg};
	{
		cleanup_free char *s = lab_problem_format(&first);
		if (c->np > 1)
			err_input(e, "%s (and %zu more problem%s)", s, c->np - 1, c->np > 2 ? "s" : "");
		else
			err_input(e, "%s", s);
	}
	for (size_t i = 0; i < c->np; i++) {
		if (probs)
			ly_problems_add(probs, c->file, c->p[i].line, c->p[i].col, c->p[i].msg);
		else
			free(c->p[i].msg);
	}
	free(c->p);
	c->p = NULL;
	c->np = c->cap = 0;
	return -1;
}

size_t ly_count_list(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
}
