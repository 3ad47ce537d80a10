/* lab.c: lab files (YAML, format 1) into the structs of lab.h. libfyaml's
 * event parser builds a small tree that keeps every node's line and
 * column; the validator walks it against the tables below (keys, docker
 * run flags, probes, host actions, expectation kinds and their fields) and
 * collects every problem of a file, reported in file order. */
#include "lab.h"
#include "labclaims.h"
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mdtext.h"

#ifndef ISOLAB_DATADIR
#define ISOLAB_DATADIR "/usr/local/share/isolab"
#endif

#define LAB_MAX_FILE (1024 * 1024)
#define LAB_MAX_DEPTH 64
#define LAB_MAX_ID 40

/* --- the YAML tree -------------------------------------------------------- */

enum ytype { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ytype type;
	int line, col;     /* 1-based */
	bool bad;          /* already reported (an alias, a bad key): say nothing more */
	bool plain;        /* a plain scalar: may read as null, a bool or a number */
	bool literal;      /* a literal block scalar: its lines are the file's lines */
	char *s;           /* scalar text, NUL-terminated (may hold other NULs) */
	size_t len;
	struct ynode **kid; /* sequence items; mapping keys and values, alternating */
	size_t n, cap;
};

static void ynode_free(struct ynode *n)
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

/* --- problems ------------------------------------------------------------- */

struct prob {
	int line, col;
	size_t seq;
	char *msg;
};

struct ctx {
	const char *file;
	const char *src;
	size_t srclen;
	struct prob *p;
	size_t np, cap;
	struct lab *lab;
	size_t *lines; /* offset of each line's start in src, built when first needed */
	size_t nlines;
};

__attribute__((format(printf, 4, 0))) static void problemv(struct ctx *c, int line, int col,
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

__attribute__((format(printf, 4, 5))) static void problem(struct ctx *c, int line, int col,
							 const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problemv(c, line, col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void problem_at(struct ctx *c, const struct ynode *n,
							    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problemv(c, n->line, n->col, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 3, 4))) static void problem_pos(struct ctx *c,
							     const struct lab_pos *p,
							     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	problemv(c, p->line, p->col, fmt, ap);
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

void lab_problems_print(const struct lab_problems *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++) {
		cleanup_free char *s = lab_problem_format(&p->v[i]);
		fprintf(out, "%s\n", s);
	}
}

static void problems_add(struct lab_problems *p, const char *file, int line, int col, char *msg)
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
			problem_at(c, k, "a key must be a plain word, not %s",
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
			problem_at(c, keys[i], "duplicate key '%s' (first at line %d)", keys[i]->s,
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
			problem(c, line, col, "not valid UTF-8: a lab file is UTF-8 text");
			return false;
		}
		if (cp == 0) {
			problem(c, line, col, "a NUL byte: a lab file is UTF-8 text");
			return false;
		}
		if (!printable(cp)) {
			problem(c, line, col,
				"control character U+%04lX: a lab file is printable text", cp);
			return false;
		}
		if (*p == '%' && col == 1) {
			problem(c, line, col, "YAML directives (%%...) are not supported in lab files");
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
		unsigned major = 0, minor = 0;
		affected = !v || sscanf(v, "%u.%u", &major, &minor) != 2 ||
			   (major == 0 && minor < 8);
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

static struct ynode *yaml_parse(struct ctx *c, const char *buf, size_t len)
{
	struct fy_diag_cfg dc;
	struct fy_diag *diag;
	struct fy_parser *fyp;
	struct fy_event *ev;
	struct ynode *stack[LAB_MAX_DEPTH];
	struct ynode *root = NULL;
	int depth = 0, docs = 0, line = 1, col = 1;
	bool stop = false, failed = false, poisoned = false;

	if (!precheck(c, buf, len))
		return NULL;
	fy_diag_cfg_default(&dc);
	dc.fp = NULL;
	dc.output_fn = diag_quiet;
	dc.colorize = false;
	diag = fy_diag_create(&dc);
	if (!diag) {
		problem(c, 0, 0, "cannot start the YAML parser");
		return NULL;
	}
	fy_diag_set_collect_errors(diag, true);
	struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET, .diag = diag};
	fyp = fy_parser_create(&cfg);
	if (!fyp || fy_parser_set_string(fyp, buf, len) != 0) {
		if (fyp)
			fy_parser_destroy(fyp);
		fy_diag_destroy(diag);
		problem(c, 0, 0, "cannot start the YAML parser");
		return NULL;
	}

	while (!stop && (ev = fy_parser_parse(fyp))) {
		struct ynode *node = NULL;
		struct fy_token *tag = NULL;

		mark_of(ev, &line, &col);
		switch (ev->type) {
		case FYET_DOCUMENT_START:
			if (++docs > 1) {
				problem(c, line, col, "a lab file holds one YAML document, found another");
				stop = failed = true;
			}
			break;
		case FYET_MAPPING_START:
		case FYET_SEQUENCE_START:
			node = xcalloc(1, sizeof(*node));
			node->type = ev->type == FYET_MAPPING_START ? Y_MAP : Y_SEQ;
			tag = ev->type == FYET_MAPPING_START ? ev->mapping_start.tag
							     : ev->sequence_start.tag;
			break;
		case FYET_SCALAR: {
			size_t n = 0;
			const char *t = fy_token_get_text(ev->scalar.value, &n);
			enum fy_scalar_style st = fy_token_scalar_style(ev->scalar.value);
			node = xcalloc(1, sizeof(*node));
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
					col++;
			}
			tag = ev->scalar.tag;
			break;
		}
		case FYET_ALIAS:
			problem(c, line, col, "aliases (*name) are not supported: write the value out");
			node = xcalloc(1, sizeof(*node));
			node->type = Y_SCALAR;
			node->s = xstrdup("");
			node->bad = true;
			break;
		case FYET_MAPPING_END:
		case FYET_SEQUENCE_END:
			if (depth > 0) {
				struct ynode *done = stack[--depth];
				if (done->type == Y_MAP)
					check_mapping_keys(c, done);
			}
			break;
		default:
			break;
		}
		if (node) {
			node->line = line;
			node->col = col;
			/* An anchor alone is harmless: only its aliases are refused. */
			if (tag)
				problem_at(c, node, "tags (!tag) are not supported");
			if (depth == 0) {
				ynode_free(root);
				root = node;
			} else {
				ynode_push(stack[depth - 1], node);
			}
			if (node->type != Y_SCALAR) {
				if (depth == LAB_MAX_DEPTH) {
					problem_at(c, node, "nested too deep (more than %d levels)",
						   LAB_MAX_DEPTH);
					stop = failed = true;
				} else {
					stack[depth++] = node;
				}
			}
		}
		fy_parser_event_free(fyp, ev);
	}

	/* libfyaml's own syntax errors, in the same FILE:LINE:COL form. */
	void *iter = NULL;
	struct fy_diag_error *de;
	while ((de = fy_diag_errors_iterate(diag, &iter))) {
		if (de->type < FYET_ERROR)
			continue;
		if (de->msg && !strcmp(de->msg, FY_TAB_INDENT_ERROR))
			poisoned = fyaml_recycles_twice();
		problem(c, de->line > 0 ? de->line : line, de->line > 0 ? de->column : col, "%s",
			de->msg ? de->msg : "YAML syntax error");
		failed = true;
	}
	if (fy_parser_get_stream_error(fyp) && !failed) {
		problem(c, line, col, "YAML syntax error");
		failed = true;
	}
	if (poisoned)
		parser_abandon(fyp);
	else
		fy_parser_destroy(fyp);
	fy_diag_destroy(diag);

	if (failed) {
		/* A broken tree would only add noise to the real problem. */
		ynode_free(root);
		return NULL;
	}
	if (!root)
		problem(c, 1, 1, "empty file: a lab starts with 'isolab: %d'", LAB_FORMAT_VERSION);
	return root;
}

/* --- typed access --------------------------------------------------------- */

static bool is_null(const struct ynode *n)
{
	return n->type == Y_SCALAR && n->plain &&
	       (n->len == 0 || strcmp(n->s, "~") == 0 || strcmp(n->s, "null") == 0 ||
		strcmp(n->s, "Null") == 0 || strcmp(n->s, "NULL") == 0);
}

static const char *found(const struct ynode *n)
{
	if (n->type == Y_MAP)
		return "a mapping";
	if (n->type == Y_SEQ)
		return "a list";
	if (is_null(n))
		return "nothing";
	return "a string";
}

static struct ynode *map_value(const struct ynode *map, const char *key)
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

static struct ynode *map_key(const struct ynode *map, const char *key)
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

struct kspec {
	const char *name;
	bool required;
};

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
static bool check_map(struct ctx *c, const struct ynode *n, const char *what,
		      const struct kspec *spec, size_t nspec)
{
	if (n->bad)
		return false;
	if (n->type != Y_MAP) {
		problem_at(c, n, "%s must be a mapping (key: value), found %s", what, found(n));
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
			problem_at(c, k, "unknown key '%s' in %s (allowed: %s)", k->s, what,
				   strbuf_str(&sb));
			strbuf_release(&sb);
		}
	}
	for (size_t j = 0; j < nspec; j++)
		if (spec[j].required && !map_key(n, spec[j].name))
			problem_at(c, n, "missing required key '%s' in %s", spec[j].name, what);
	return true;
}

static bool scalar_ok(struct ctx *c, const struct ynode *n, const char *key, const char *want)
{
	if (n->bad)
		return false;
	if (n->type != Y_SCALAR || is_null(n)) {
		problem_at(c, n, "'%s' must be %s, found %s", key, want, found(n));
		return false;
	}
	if (strlen(n->s) != n->len) {
		problem_at(c, n, "'%s' holds a NUL byte", key);
		return false;
	}
	return true;
}

/* A string; empty ones are refused when nonempty. NULL when reported. */
static char *get_str(struct ctx *c, const struct ynode *n, const char *key, bool nonempty)
{
	if (!scalar_ok(c, n, key, "a string"))
		return NULL;
	if (nonempty && n->len == 0) {
		problem_at(c, n, "'%s' must not be empty", key);
		return NULL;
	}
	return xstrdup(n->s);
}

/* One line of text: titles, prompts. */
static char *get_line(struct ctx *c, const struct ynode *n, const char *key)
{
	char *s = get_str(c, n, key, true);

	if (s && strchr(s, '\n')) {
		problem_at(c, n, "'%s' must be one line", key);
		free(s);
		return NULL;
	}
	return s;
}

static bool get_bool(struct ctx *c, const struct ynode *n, const char *key, bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE"};
	static const char *const no[] = {"false", "False", "FALSE"};

	if (!scalar_ok(c, n, key, "true or false"))
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
	problem_at(c, n, "'%s' must be true or false, found '%s'", key, n->s);
	return false;
}

static bool get_int(struct ctx *c, const struct ynode *n, const char *key, int *out)
{
	char *end;
	long v;

	if (!scalar_ok(c, n, key, "an integer"))
		return false;
	errno = 0;
	v = strtol(n->s, &end, 10);
	if (!n->plain || n->len == 0 || *end || errno || v < INT_MIN || v > INT_MAX ||
	    strchr(" \t\n", n->s[0])) {
		problem_at(c, n, "'%s' must be an integer, found '%s'", key, n->s);
		return false;
	}
	*out = (int)v;
	return true;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > LAB_MAX_ID)
		return false;
	return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

static char *get_id(struct ctx *c, const struct ynode *n, const char *key)
{
	char *s;

	if (!scalar_ok(c, n, key, "a string"))
		return NULL;
	if (!valid_id(n->s)) {
		problem_at(c, n, "'%s' must match [a-z0-9-]+ (at most %d characters), found '%s'",
			   key, LAB_MAX_ID, n->s);
		return NULL;
	}
	s = xstrdup(n->s);
	return s;
}

/* One of names[]: its index, or -1 (reported). */
static int get_enum(struct ctx *c, const struct ynode *n, const char *key,
		    const char *const *names, size_t count)
{
	struct strbuf sb = STRBUF_INIT;

	if (!scalar_ok(c, n, key, "a string"))
		return -1;
	for (size_t i = 0; i < count; i++)
		if (strcmp(n->s, names[i]) == 0)
			return (int)i;
	for (size_t i = 0; i < count; i++) {
		if (i)
			strbuf_adds(&sb, ", ");
		strbuf_adds(&sb, names[i]);
	}
	problem_at(c, n, "'%s' must be one of %s, found '%s'", key, strbuf_str(&sb), n->s);
	strbuf_release(&sb);
	return -1;
}

static struct lab_pos pos_of(struct ctx *c, const struct ynode *n)
{
	return (struct lab_pos){c->file, n->line, n->col};
}

static void words_init(struct lab_words *w, struct lab_pos at)
{
	w->v = xcalloc(1, sizeof(*w->v));
	w->n = 0;
	w->pos = NULL;
	w->at = at;
}

static void words_free(struct lab_words *w)
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
static bool get_words(struct ctx *c, const struct ynode *n, const char *key, struct lab_words *w)
{
	bool ok = true;

	if (n->bad)
		return false;
	w->at = pos_of(c, n);
	if (n->type != Y_SEQ) {
		problem_at(c, n, "'%s' must be a list of strings, found %s", key, found(n));
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
		if (it->type != Y_SCALAR || is_null(it)) {
			problem_at(c, it, "'%s' items must be strings, found %s", key, found(it));
			ok = false;
			continue;
		}
		if (strlen(it->s) != it->len) {
			problem_at(c, it, "'%s' holds a NUL byte", key);
			ok = false;
			continue;
		}
		w->pos[w->n] = pos_of(c, it);
		w->v[w->n++] = xstrdup(it->s);
	}
	w->v[w->n] = NULL;
	return ok;
}

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
		if (placeholders[i].container && (!colon || !valid_id(colon + 1))) {
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

static int ph_check_var(void *u, enum lab_var v, const char *arg, const char *whole)
{
	struct ph_check *pc = u;

	(void)v;
	if (!arg)
		return 0;
	if (!pc->step) {
		problem_pos(pc->c, pc->pos,
			    "'%s' cannot be used in '%s': containers start in parallel, so pids and "
			    "names are known to actions only",
			    whole, pc->key);
		return 0;
	}
	if (lab_step_container(pc->step, arg) < 0)
		problem_pos(pc->c, pc->pos, "'%s': no container '%s' in step '%s'", whole, arg,
			    pc->step->id ? pc->step->id : "?");
	return 0;
}

static void check_placeholders(struct ctx *c, const char *s, const struct lab_pos *pos,
			       const char *key, const struct lab_step *step)
{
	static const struct ph_ops ops = {ph_check_lit, ph_check_var};
	struct ph_check pc = {c, pos, key, step};
	cleanup_free char *msg = NULL;

	if (ph_scan(s, &ops, &pc, &msg) < 0 && msg)
		problem_pos(c, pos, "%s", msg);
}

static void check_words_placeholders(struct ctx *c, const struct lab_words *w, const char *key,
				     const struct lab_step *step)
{
	for (size_t i = 0; i < w->n; i++)
		check_placeholders(c, w->v[i], &w->pos[i], key, step);
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

/* --- docker run flags ----------------------------------------------------- */

/* The checks of isolab audit (DESIGN.md's contract, runner/audit.c). */
static const char *const audit_check_list[] = {
	"privileged", "host-pid", "host-net", "host-ipc", "host-uts", "host-userns",
	"docker-socket", "sensitive-mount", "extra-caps", "seccomp-disabled", "lsm-unconfined",
	"no-new-privs-missing", "writable-rootfs", NULL,
};

static void join_list(struct strbuf *sb, const char *const *v)
{
	for (size_t i = 0; v[i]; i++) {
		if (i)
			strbuf_adds(sb, ", ");
		strbuf_adds(sb, v[i]);
	}
}

/* policy.c parses and checks them; its problems are ours. */
static void policy_problem(void *user, const struct lab_pos *pos, const char *msg)
{
	problem_pos(user, pos, "%s", msg);
}

static void check_flags(struct ctx *c, struct lab_container *ct)
{
	ct->run = xcalloc(1, sizeof(*ct->run));
	policy_parse(&ct->flags, ct->run, policy_problem, c);
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
	return valid_id(name);
}

static bool scratch_path_ok(const char *p)
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
				problem_pos(c, &w->pos[i], "nsenter's '%s' needs a pid", a);
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
			problem_pos(c, &w->pos[i],
				    "nsenter option '%s' is not allowed in a host action (allowed: "
				    "-t/--target, -m -u -i -n -p -U -C -T and their long forms, "
				    "--preserve-credentials)",
				    a);
			return;
		}
		nns++;
	}
	if (!target) {
		problem_pos(c, &w->pos[0], "nsenter needs a target: -t {pid:NAME} or -t {witness}");
		return;
	}
	if (!nsenter_target_ok(target)) {
		problem_pos(c, &w->pos[tpos], "nsenter's target must be {pid:NAME} or {witness}, found '%s'",
			    target);
		return;
	}
	/* In a container's mount namespace, the command nsenter runs is the
	 * container's file: code a container planted, as host root. */
	if (mnt && strcmp(target, "{witness}") != 0) {
		problem_pos(c, &w->pos[mnt],
			    "nsenter may not enter a container's mount namespace (-m): the command "
			    "would be the container's own file, run as host root; leave -m out "
			    "(the host's command then runs in the other namespaces)");
		return;
	}
	if (nns == 0) {
		problem_pos(c, &w->pos[0],
			    "nsenter needs a namespace option (-m -u -i -n -p -U -C -T)");
		return;
	}
	if (i >= w->n) {
		problem_pos(c, &w->pos[w->n - 1],
			    "nsenter needs a command: one of hostname, cat, ls, readlink, id, stat, "
			    "head");
		return;
	}
	for (size_t k = 0; nsenter_cmds[k]; k++)
		if (strcmp(w->v[i], nsenter_cmds[k]) == 0)
			return;
	problem_pos(c, &w->pos[i],
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
						problem_pos(c, &w->pos[i], "'%s -%c' needs a value",
							    hc->name, *o);
						return;
					}
					if (o[1] == '\0')
						i++;
					break;
				}
				if (!strchr(hc->opts, *o)) {
					problem_pos(c, &w->pos[i],
						    "option '%s' of '%s' is not allowed in a host action",
						    a, hc->name);
					return;
				}
			}
			continue;
		}
		if (!scratch_path_ok(a)) {
			problem_pos(c, &w->pos[i],
				    "host action '%s' may read only under {scratch}, found '%s'",
				    hc->name, a);
			return;
		}
		paths++;
	}
	if (paths == 0)
		problem_pos(c, &w->pos[0], "host action '%s' needs a path under {scratch}",
			    hc->name);
}

static void check_host_argv(struct ctx *c, const struct lab_words *w)
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
	problem_pos(c, &w->pos[0], "host action '%s' is not allowed (" HOST_ALLOWED ")", w->v[0]);
}

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
	{"check", F_CHOICE, true, 0, EOFF(finding.check), NO_OFF, false, 0, audit_check_list},
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

static size_t count_list(const char *const *v)
{
	size_t n = 0;

	while (v[n])
		n++;
	return n;
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
		if (!(s = get_id(c, v, f->name)))
			return false;
		store_str(base, f->off, s);
		return true;
	case F_ENUM: {
		int i = get_enum(c, v, f->name, f->choices, count_list(f->choices));
		if (i < 0)
			return false;
		memcpy(base + f->off, &i, sizeof(i));
		return true;
	}
	case F_CHOICE: {
		int i = get_enum(c, v, f->name, f->choices, count_list(f->choices));
		if (i < 0)
			return false;
		store_str(base, f->off, xstrdup(f->choices[i]));
		return true;
	}
	case F_BOOL:
		return get_bool(c, v, f->name, (bool *)(base + f->off));
	case F_INT:
		return get_int(c, v, f->name, (int *)(base + f->off));
	case F_CAP: {
		cap_value_t cv;
		char *name = NULL;
		if (!(s = get_str(c, v, f->name, true)))
			return false;
		if (cap_from_name(s, &cv) != 0 || !(name = cap_to_name(cv)) ||
		    strncmp(name, "cap_", 4) != 0) {
			problem_at(c, v,
				   "unknown capability '%s' (libcap's lowercase names, e.g. "
				   "cap_sys_admin)",
				   s);
			cap_free(name);
			free(s);
			return false;
		}
		if (strcmp(name, s) != 0) {
			problem_at(c, v, "capability '%s' is written '%s' (libcap's name)", s, name);
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
		struct lab_pos p = pos_of(c, v);
		if (!(s = get_str(c, v, f->name, true)))
			return false;
		if (s[0] != '/' && !scratch_path_ok(s)) {
			problem_at(c, v, "'%s' must be an absolute path (or start with {scratch}), found '%s'",
				   f->name, s);
			free(s);
			return false;
		}
		check_placeholders(c, s, &p, f->name, step);
		store_str(base, f->off, s);
		return true;
	}
	case F_TEXT: {
		struct lab_pos p = pos_of(c, v);
		if (!(s = get_str(c, v, f->name, false)))
			return false;
		check_placeholders(c, s, &p, f->name, step);
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
static const struct kspec note_keys[] = {
	{"when", true},
	{"text", true},
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
static void parse_when(struct ctx *c, const struct ynode *n, struct lab_when *w)
{
	const struct ynode *v;
	int i;

	if (!check_map(c, n, "'when'", when_keys, ARRAY_SIZE(when_keys)))
		return;
	w->pos = pos_of(c, n);
	if ((v = map_value(n, "lsm")) && (i = get_enum(c, v, "lsm", lsm_names + 1, 3)) >= 0)
		w->lsm = (enum lab_lsm)(i + 1);
	if ((v = map_value(n, "privileged")) &&
	    (i = get_enum(c, v, "privileged", priv_names + 1, 2)) >= 0)
		w->privileged = (enum lab_priv)(i + 1);
	if ((v = map_value(n, "cgroup")) && (i = get_enum(c, v, "cgroup", cgroup_names + 1, 2)) >= 0)
		w->cgroup = (enum lab_cgroup)(i + 1);
	if (!map_key(n, "lsm") && !map_key(n, "privileged") && !map_key(n, "cgroup"))
		problem_at(c, n, "'when' needs 'lsm', 'privileged' or 'cgroup'");
}

static bool parse_expect(struct ctx *c, const struct ynode *item, struct lab_expect *x,
			 const struct lab_step *step)
{
	const struct ynode *kkey = NULL, *val = NULL, *why;
	const struct ekind *k = NULL;
	bool ok = true;

	x->container_index = -1;
	x->action.index = -1;
	if (item->bad)
		return false;
	if (item->type != Y_MAP) {
		problem_at(c, item,
			   "an expectation must be a mapping (KIND: {fields}, optional why:), found %s",
			   found(item));
		return false;
	}
	for (size_t i = 0; i + 1 < item->n; i += 2) {
		const struct ynode *key = item->kid[i];
		if (key->bad || key->type != Y_SCALAR || strcmp(key->s, "why") == 0 ||
		    strcmp(key->s, "when") == 0)
			continue;
		if (kkey) {
			problem_at(c, key,
				   "an expectation has exactly one kind, found '%s' after '%s'",
				   key->s, kkey->s);
			return false;
		}
		kkey = key;
		val = item->kid[i + 1];
	}
	if (!kkey) {
		problem_at(c, item,
			   "an expectation needs a kind (cap, namespace, mount, seccomp, "
			   "no_new_privs, action, privileged, finding, lsm)");
		return false;
	}
	for (size_t i = 0; i < ARRAY_SIZE(ekinds); i++)
		if (strcmp(kkey->s, ekinds[i].name) == 0)
			k = &ekinds[i];
	if (!k) {
		problem_at(c, kkey,
			   "unknown expectation kind '%s' (known: cap, namespace, mount, seccomp, "
			   "no_new_privs, action, privileged, finding, lsm)",
			   kkey->s);
		return false;
	}
	x->kind = k->kind;
	x->pos = pos_of(c, kkey);
	if ((why = map_value(item, "why")) && !(x->why = get_str(c, why, "why", true)))
		ok = false;
	if ((why = map_value(item, "when")))
		parse_when(c, why, &x->when);

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
		problem_at(c, val, "'%s' must be a mapping of its fields (%s), found %s", k->name,
			   strbuf_str(&sb), found(val));
		strbuf_release(&sb);
		return false;
	}
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
			problem_at(c, key, "unknown field '%s' in %s %s expectation (allowed: %s)",
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
	for (size_t i = 0; i < k->n; i++)
		if (k->fields[i].required && !map_key(val, k->fields[i].name)) {
			problem_at(c, val, "%s %s expectation needs '%s'", article(k->name),
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
			if ((kn = map_key(val, k->fields[i].name)) && ++given == 2)
				second = kn;
		}
		if (!members)
			continue;
		struct strbuf sb = STRBUF_INIT;
		if (given == 0) {
			/* Both groups join with "or": "one of" below is what says
			 * that group 1 takes exactly one. */
			join_fields(&sb, k, g, " or ");
			problem_at(c, val, "%s %s expectation needs %s%s", article(k->name),
				   k->name, g == 1 ? "one of " : "", strbuf_str(&sb));
			ok = false;
		} else if (g == 1 && given > 1) {
			join_fields(&sb, k, g, ", ");
			problem_at(c, second, "%s %s expectation takes only one of %s",
				   article(k->name), k->name, strbuf_str(&sb));
			ok = false;
		}
		strbuf_release(&sb);
	}
	if (!ok)
		return false;

	/* References into the step. */
	if (x->container) {
		x->container_index = lab_step_container(step, x->container);
		if (x->container_index < 0) {
			problem_at(c, map_value(val, "container"), "no container '%s' in step '%s'",
				   x->container, step->id ? step->id : "?");
			return false;
		}
	}
	if (x->kind == LAB_EXPECT_ACTION) {
		for (size_t i = 0; i < step->n_actions; i++)
			if (step->actions[i].id && strcmp(step->actions[i].id, x->action.id) == 0)
				x->action.index = (int)i;
		if (x->action.index < 0) {
			problem_at(c, map_value(val, "id"), "no action '%s' in step '%s'",
				   x->action.id, step->id ? step->id : "?");
			return false;
		}
		if (x->action.check_exit &&
		    step->actions[x->action.index].kind == LAB_ACTION_PROBE) {
			problem_at(c, map_key(val, "exit"),
				   "'exit' applies to exec and host actions; '%s' is a probe",
				   x->action.id);
			return false;
		}
	}
	return true;
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

	ct->pos = pos_of(c, n);
	words_init(&ct->flags, ct->pos);
	words_init(&ct->command, ct->pos);
	v = map_value(n, "name");
	if (v && v->type == Y_SCALAR && !is_null(v))
		what = xasprintf("container '%s'", v->s);
	if (!check_map(c, n, what ? what : "a container", container_keys,
		       ARRAY_SIZE(container_keys)))
		return;
	if (v && (ct->name = get_id(c, v, "name"))) {
		for (const struct lab_container *o = step->containers; o < ct; o++)
			if (o->name && strcmp(o->name, ct->name) == 0) {
				problem_at(c, v,
					   "duplicate container name '%s' in step '%s' (first at line %d)",
					   ct->name, step->id ? step->id : "?", o->pos.line);
				break;
			}
	}
	if ((v = map_value(n, "reference")) && get_bool(c, v, "reference", &ct->reference) &&
	    ct->reference) {
		if (*ref_first)
			problem_at(c, v,
				   "more than one reference container in step '%s' (the first is at "
				   "line %d)",
				   step->id ? step->id : "?", (*ref_first)->line);
		else
			*ref_first = v;
	}
	if ((v = map_value(n, "flags")) && get_words(c, v, "flags", &ct->flags))
		check_words_placeholders(c, &ct->flags, "flags", NULL);
	/* No flags is an empty canonical form too: Docker gets only isolab's. */
	check_flags(c, ct);
	if ((v = map_value(n, "when")))
		parse_when(c, v, &ct->when);
	if ((v = map_value(n, "command")) && get_words(c, v, "command", &ct->command)) {
		if (ct->command.n == 0)
			problem_at(c, v,
				   "'command' must not be empty (leave it out for the image's default)");
		check_words_placeholders(c, &ct->command, "command", NULL);
	}
}

static void parse_action(struct ctx *c, const struct ynode *n, struct lab_action *a,
			 const struct lab_step *step)
{
	static const char *const kinds[] = {"probe", "exec", "host"};
	const struct ynode *v, *kind_key = NULL, *kind_val = NULL;
	cleanup_free char *what = NULL;
	const char *aid;

	a->pos = pos_of(c, n);
	a->container = -1;
	words_init(&a->argv, a->pos);
	v = map_value(n, "id");
	if (v && v->type == Y_SCALAR && !is_null(v))
		what = xasprintf("action '%s'", v->s);
	if (!check_map(c, n, what ? what : "an action", action_keys, ARRAY_SIZE(action_keys)))
		return;
	if ((kind_val = map_value(n, "when")))
		parse_when(c, kind_val, &a->when);
	kind_val = NULL;
	if (v && (a->id = get_id(c, v, "id"))) {
		for (const struct lab_action *o = step->actions; o < a; o++)
			if (o->id && strcmp(o->id, a->id) == 0) {
				problem_at(c, v,
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
				problem_at(c, key,
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
		problem_at(c, n, "action '%s' needs one of 'probe', 'exec' or 'host'", aid);
		return;
	}
	if ((v = map_key(n, "args")) && a->kind != LAB_ACTION_PROBE)
		problem_at(c, v, "'args' goes with 'probe'; put %s's arguments in its argv",
			   kind_key->s);

	v = map_value(n, "in");
	if (a->kind == LAB_ACTION_HOST) {
		if (v)
			problem_at(c, map_key(n, "in"),
				   "a host action runs on the host: 'in' does not apply");
	} else if (!v) {
		problem_at(c, n, "action '%s' needs 'in': the container it runs in", aid);
	} else if ((a->in = get_id(c, v, "in"))) {
		a->container = lab_step_container(step, a->in);
		if (a->container < 0)
			problem_at(c, v, "no container '%s' in step '%s'", a->in,
				   step->id ? step->id : "?");
	}

	v = kind_val;
	if (a->kind == LAB_ACTION_PROBE) {
		const struct probe *p = NULL;
		const struct ynode *args = map_value(n, "args");
		if (!(a->probe = get_str(c, v, "probe", true)))
			return;
		for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
			if (strcmp(a->probe, probes[i].name) == 0)
				p = &probes[i];
		if (!p) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t i = 0; i < ARRAY_SIZE(probes); i++)
				strbuf_addf(&sb, "%s%s", i ? ", " : "", probes[i].name);
			problem_at(c, v, "unknown probe '%s' (known: %s)", a->probe, strbuf_str(&sb));
			strbuf_release(&sb);
			return;
		}
		if (args && !get_words(c, args, "args", &a->argv))
			return;
		if ((int)a->argv.n < p->min || (p->max >= 0 && (int)a->argv.n > p->max)) {
			if (p->max == 0)
				problem_at(c, args ? args : v,
					   "probe '%s' takes no arguments, found %zu", p->name,
					   a->argv.n);
			else
				problem_at(c, args ? args : v,
					   "probe '%s' takes the arguments %s, found %zu", p->name,
					   p->args, a->argv.n);
			return;
		}
		check_words_placeholders(c, &a->argv, "args", step);
		return;
	}
	if (!get_words(c, v, kind_key->s, &a->argv))
		return;
	if (a->argv.n == 0) {
		problem_at(c, v, "'%s' must not be empty: it is an argv", kind_key->s);
		return;
	}
	check_words_placeholders(c, &a->argv, kind_key->s, step);
	if (a->kind == LAB_ACTION_HOST)
		check_host_argv(c, &a->argv);
}

static void parse_question(struct ctx *c, const struct ynode *n, struct lab_step *st)
{
	struct lab_question *q = xcalloc(1, sizeof(*q));
	const struct ynode *v, *ans;
	bool choices_ok = false;

	st->question = q;
	q->pos = pos_of(c, n);
	words_init(&q->choices, q->pos);
	if (!check_map(c, n, "the question", question_keys, ARRAY_SIZE(question_keys)))
		return;
	if ((v = map_value(n, "prompt")))
		q->prompt = get_line(c, v, "prompt");
	if ((v = map_value(n, "why")))
		q->why = get_str(c, v, "why", true);
	if ((v = map_value(n, "choices")) && get_words(c, v, "choices", &q->choices)) {
		choices_ok = true;
		if (q->choices.n < 2) {
			problem_at(c, v, "'choices' needs at least two choices");
			choices_ok = false;
		}
		for (size_t i = 1; i < q->choices.n; i++)
			for (size_t j = 0; j < i; j++)
				if (strcmp(q->choices.v[i], q->choices.v[j]) == 0) {
					problem_pos(c, &q->choices.pos[i], "duplicate choice '%s'",
						    q->choices.v[i]);
					choices_ok = false;
					break;
				}
	}
	if ((ans = map_value(n, "answer"))) {
		cleanup_free char *a = get_str(c, ans, "answer", true);
		size_t i;
		if (!a || !choices_ok)
			return;
		for (i = 0; i < q->choices.n; i++)
			if (strcmp(a, q->choices.v[i]) == 0)
				break;
		if (i == q->choices.n) {
			struct strbuf sb = STRBUF_INIT;
			join_list(&sb, (const char *const *)q->choices.v);
			problem_at(c, ans, "answer '%s' is not one of the choices (%s)", a,
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

	st->text_pos = pos_of(c, n);
	if (!(st->text = get_str(c, n, "text", true)))
		return;
	if (mdtext_parse(st->text, strlen(st->text), &doc, &e) < 0) {
		problem_at(c, n, "step text: %s", e.msg);
		return;
	}
	for (size_t i = 0; i < doc->n_issues; i++) {
		int l, col;
		text_issue_pos(c, n, doc->issues[i].line, &l, &col);
		problem(c, l, col,
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
			problem_at(c, v, "'notes' must be a list, found %s", found(v));
		return;
	}
	st->notes = xcalloc(v->n, sizeof(*st->notes));
	for (size_t i = 0; i < v->n; i++) {
		const struct ynode *n = v->kid[i], *w;
		struct lab_note *note = &st->notes[st->n_notes++];
		note->pos = pos_of(c, n);
		if (!check_map(c, n, "a note", note_keys, ARRAY_SIZE(note_keys)))
			continue;
		if ((w = map_value(n, "when")))
			parse_when(c, w, &note->when);
		if ((w = map_value(n, "text")))
			note->text = get_str(c, w, "text", true);
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
	problem_pos(c, pos, "%s refers to %s, which exists only %s: give it the same 'when'", what,
		    whom, cond);
}

static void check_when_refs(struct ctx *c, const struct lab_step *st)
{
	for (size_t i = 0; i < st->n_containers; i++) {
		const struct lab_container *ct = &st->containers[i];
		if (ct->reference && ct->when.pos.line)
			problem_pos(c, &ct->when.pos,
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

	st->pos = pos_of(c, n);
	st->reference = -1;
	words_init(&st->hints, st->pos);
	v = map_value(n, "id");
	if (v && v->type == Y_SCALAR && !is_null(v))
		what = xasprintf("step '%s'", v->s);
	if (!check_map(c, n, what ? what : "a step", step_keys, ARRAY_SIZE(step_keys)))
		return;
	if (v && (st->id = get_id(c, v, "id"))) {
		for (const struct lab_step *o = lab->steps; o < st; o++)
			if (o->id && strcmp(o->id, st->id) == 0) {
				problem_at(c, v, "duplicate step id '%s' (first at line %d)", st->id,
					   o->pos.line);
				break;
			}
	}
	if ((v = map_value(n, "title")))
		st->title = get_line(c, v, "title");
	if ((v = map_value(n, "text")))
		parse_text(c, v, st);

	/* Containers first: actions and expectations refer to them. */
	if ((v = map_value(n, "containers"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				problem_at(c, v, "'containers' must be a list, found %s", found(v));
		} else {
			st->containers = xcalloc(v->n, sizeof(*st->containers));
			for (size_t i = 0; i < v->n; i++) {
				if (i == LAB_MAX_CONTAINERS) {
					problem_at(c, v->kid[i], "a step runs at most %d containers",
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
	if ((v = map_value(n, "actions"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				problem_at(c, v, "'actions' must be a list, found %s", found(v));
		} else {
			st->actions = xcalloc(v->n, sizeof(*st->actions));
			for (size_t i = 0; i < v->n; i++) {
				parse_action(c, v->kid[i], &st->actions[i], st);
				st->n_actions++;
			}
		}
	}
	if ((v = map_value(n, "expect"))) {
		if (v->type != Y_SEQ) {
			if (!v->bad)
				problem_at(c, v, "'expect' must be a list, found %s", found(v));
		} else {
			st->expects = xcalloc(v->n, sizeof(*st->expects));
			for (size_t i = 0; i < v->n; i++) {
				parse_expect(c, v->kid[i], &st->expects[i], st);
				st->n_expects++;
			}
		}
	}
	if ((v = map_value(n, "notes")))
		parse_notes(c, v, st);
	check_when_refs(c, st);
	if ((v = map_value(n, "question")))
		parse_question(c, v, st);
	if ((v = map_value(n, "hints")) && get_words(c, v, "hints", &st->hints)) {
		if (st->hints.n == 0)
			problem_at(c, v,
				   "step '%s' has no hints: give at least one (the first a pointer, the "
				   "last the solution)",
				   st->id ? st->id : "?");
		for (size_t i = 0; i < st->hints.n; i++)
			if (st->hints.v[i][0] == '\0')
				problem_pos(c, &st->hints.pos[i], "a hint must not be empty");
		lab_claims_check(st, policy_problem, c);
	}
}

static void build_lab(struct ctx *c, const struct ynode *root)
{
	struct lab *lab = c->lab;
	const struct ynode *v;
	int i;

	lab->pos = pos_of(c, root);
	lab->id_pos = lab->pos;
	if (!check_map(c, root, "the lab", lab_keys, ARRAY_SIZE(lab_keys)))
		return;
	if ((v = map_value(root, "isolab")) && get_int(c, v, "isolab", &lab->version) &&
	    lab->version != LAB_FORMAT_VERSION)
		problem_at(c, v, "'isolab' must be %d (this isolab reads lab format %d), found %d",
			   LAB_FORMAT_VERSION, LAB_FORMAT_VERSION, lab->version);
	if ((v = map_value(root, "id"))) {
		lab->id_pos = pos_of(c, v);
		lab->id = get_id(c, v, "id");
	}
	if ((v = map_value(root, "title")))
		lab->title = get_line(c, v, "title");
	if ((v = map_value(root, "summary")) && (lab->summary = get_str(c, v, "summary", true))) {
		size_t n = strlen(lab->summary);
		while (n > 0 && (lab->summary[n - 1] == '\n' || lab->summary[n - 1] == ' '))
			lab->summary[--n] = '\0';
	}
	if ((v = map_value(root, "safety")) &&
	    (i = get_enum(c, v, "safety", safety_names, count_list(safety_names))) >= 0)
		lab->safety = (enum lab_safety)i;
	if ((v = map_value(root, "steps"))) {
		if (v->bad)
			return;
		if (v->type != Y_SEQ) {
			problem_at(c, v, "'steps' must be a list of steps, found %s", found(v));
			return;
		}
		if (v->n == 0)
			problem_at(c, v, "'steps' must hold at least one step");
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
	words_free(&ct->flags);
	if (ct->run)
		policy_flags_free(ct->run);
	free(ct->run);
	words_free(&ct->command);
}

void lab_action_free(struct lab_action *a)
{
	free(a->id);
	free(a->in);
	free(a->probe);
	words_free(&a->argv);
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
			words_free(&st->question->choices);
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
		words_free(&st->hints);
	}
	free(lab->steps);
	free(lab->id);
	free(lab->title);
	free(lab->summary);
	free(lab->file);
	free(lab);
}

/* Hand the collected problems over, in file order; 0 when there were none. */
static int finish(struct ctx *c, struct lab_problems *probs, struct err *e)
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
			problems_add(probs, c->file, c->p[i].line, c->p[i].col, c->p[i].msg);
		else
			free(c->p[i].msg);
	}
	free(c->p);
	c->p = NULL;
	c->np = c->cap = 0;
	return -1;
}

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
		problem(&c, 0, 0, "too large for a lab file (more than %d bytes)", LAB_MAX_FILE);
	} else if ((root = yaml_parse(&c, buf, len))) {
		build_lab(&c, root);
		ynode_free(root);
	}
	free(c.lines);
	if (finish(&c, probs, e) < 0) {
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
			problems_add(probs, path, 0, 0,
				     xstrdup("not a regular file (a FIFO, a device or a socket): "
					     "a lab is a YAML file"));
		return err_input(e, "%s: not a regular file (a FIFO, a device or a socket): "
				    "a lab is a YAML file", path);
	}
	if (errnum) {
		if (probs)
			problems_add(probs, path, 0, 0, xasprintf("cannot read: %s", strerror(errnum)));
		return err_set(e, ERR_INPUT, errnum, "%s", path);
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0) {
			if (errno == EINTR)
				continue;
			errnum = errno;
			strbuf_release(&sb);
			if (probs)
				problems_add(probs, path, 0, 0,
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
			problems_add(probs, lab->file, lab->id_pos.line, lab->id_pos.col,
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
