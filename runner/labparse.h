/* labparse.h: what the lab loader's files share (lab.c, labyaml.c,
 * labexpect.c, labpolicy.c), not a public interface. labyaml.c turns a
 * file into a tree of nodes that keep their line and column, collects
 * the problems of the file (reported FILE:LINE:COL, in file order) and
 * reads typed values out of the tree; labexpect.c validates the
 * expectations, labpolicy.c what a lab may do (docker flags, probes,
 * host actions, host reach), lab.c the rest of a lab and its loading. */
#ifndef ISOLAB_LABPARSE_H
#define ISOLAB_LABPARSE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "lab.h"
#include "util.h"

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

struct kspec {
	const char *name;
	bool required;
};

/* --- labyaml.c: the tree and its problems ---------------------------------- */

/* The tree of buf (NULL when the file is not YAML or empty: reported). */
struct ynode *ly_parse(struct ctx *c, const char *buf, size_t len);
void ynode_free(struct ynode *n);

__attribute__((format(printf, 4, 0))) void ly_problemv(struct ctx *c, int line, int col,
							const char *fmt, va_list ap);
__attribute__((format(printf, 4, 5))) void ly_problem(struct ctx *c, int line, int col,
						       const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void ly_problem_at(struct ctx *c, const struct ynode *n,
							  const char *fmt, ...);
__attribute__((format(printf, 3, 4))) void ly_problem_pos(struct ctx *c, const struct lab_pos *p,
							   const char *fmt, ...);
/* A policy_report_fn whose user is a struct ctx. */
void ly_policy_problem(void *user, const struct lab_pos *pos, const char *msg);
/* Takes msg. */
void ly_problems_add(struct lab_problems *p, const char *file, int line, int col, char *msg);
/* 0 without problems; else -1 with the first in e and all of them moved
 * into probs (when not NULL). */
int ly_finish(struct ctx *c, struct lab_problems *probs, struct err *e);

/* --- labyaml.c: typed access (each NULL/false/-1 when reported) ----------- */

bool ly_is_null(const struct ynode *n);
const char *ly_found(const struct ynode *n); /* "a mapping", "a list", ... */
struct ynode *ly_map_value(const struct ynode *map, const char *key);
struct ynode *ly_map_key(const struct ynode *map, const char *key);
/* Unknown keys and missing required ones; false when n is not a mapping. */
bool ly_check_map(struct ctx *c, const struct ynode *n, const char *what, const struct kspec *spec,
		  size_t nspec);
bool ly_scalar_ok(struct ctx *c, const struct ynode *n, const char *key, const char *want);
char *ly_get_str(struct ctx *c, const struct ynode *n, const char *key, bool nonempty);
char *ly_get_line(struct ctx *c, const struct ynode *n, const char *key);
bool ly_get_bool(struct ctx *c, const struct ynode *n, const char *key, bool *out);
bool ly_get_int(struct ctx *c, const struct ynode *n, const char *key, int *out);
bool lab_valid_id(const char *s);
char *ly_get_id(struct ctx *c, const struct ynode *n, const char *key);
int ly_get_enum(struct ctx *c, const struct ynode *n, const char *key, const char *const *names,
		size_t count);
size_t ly_count_list(const char *const *v);
struct lab_pos ly_pos(struct ctx *c, const struct ynode *n);
void ly_words_init(struct lab_words *w, struct lab_pos at);
void ly_words_free(struct lab_words *w);
bool ly_get_words(struct ctx *c, const struct ynode *n, const char *key, struct lab_words *w);
void ly_join_list(struct strbuf *sb, const char *const *v);

/* --- lab.c: placeholders ------------------------------------------------- */

void ly_check_placeholders(struct ctx *c, const char *s, const struct lab_pos *pos, const char *key,
			   const struct lab_step *step);
void ly_check_words_placeholders(struct ctx *c, const struct lab_words *w, const char *key,
				 const struct lab_step *step);

/* --- labexpect.c ---------------------------------------------------------- */

/* The checks of isolab audit (DESIGN.md's contract, runner/audit.c). */
extern const char *const lab_audit_checks[];
void ly_parse_when(struct ctx *c, const struct ynode *n, struct lab_when *w);
bool ly_parse_expect(struct ctx *c, const struct ynode *item, struct lab_expect *x,
		     const struct lab_step *step);

/* --- labpolicy.c ---------------------------------------------------------- */

void ly_check_flags(struct ctx *c, struct lab_container *ct);
/* The probe named by v with its args (may be NULL) into a. */
void ly_check_probe(struct ctx *c, const struct ynode *v, const struct ynode *args,
		    struct lab_action *a, const struct lab_step *step);
void ly_check_host_argv(struct ctx *c, const struct lab_words *w);
/* {scratch} or a path under it, with no ".." component. */
bool ly_scratch_path_ok(const char *p);

#endif
