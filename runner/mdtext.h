/* mdtext.h: a lab step's Markdown text (parsed by md4c) as a flat list of
 * blocks made of styled spans, which the plain CLI transcript and the TUI
 * both render. Spacing is explicit: MDTEXT_BLANK blocks stand between the
 * blocks that a reader sees apart. */
#ifndef ISOLAB_MDTEXT_H
#define ISOLAB_MDTEXT_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "util.h"

enum mdtext_block_type {
	MDTEXT_PARAGRAPH,
	MDTEXT_HEADING,   /* level 1..6 */
	MDTEXT_LIST_ITEM, /* the item's first paragraph; bullet or number */
	MDTEXT_CODE,      /* one MDTEXT_CODE span, lines joined by '\n', no final '\n' */
	MDTEXT_BLANK,     /* an empty line */
	MDTEXT_RULE,      /* a thematic break (---) */
};

/* Span style flags; 0 is plain. */
enum {
	MDTEXT_PLAIN = 0,
	MDTEXT_EMPH = 1 << 0,
	MDTEXT_STRONG = 1 << 1,
	MDTEXT_CODE_SPAN = 1 << 2,
};

/* text may hold '\n' for a hard line break (never in a code span). */
struct mdtext_span {
	char *text;
	unsigned style;
};

struct mdtext_block {
	enum mdtext_block_type type;
	int level;        /* MDTEXT_HEADING: 1..6 */
	int depth;        /* list nesting: 0 outside lists, 1 in a top-level item... */
	bool ordered;     /* MDTEXT_LIST_ITEM: numbered */
	unsigned number;  /* MDTEXT_LIST_ITEM, ordered: the item's number */
	char mark;        /* MDTEXT_LIST_ITEM: '-', '*', '+' or, ordered, '.' or ')' */
	char *lang;       /* MDTEXT_CODE: the fence's info word, or NULL */
	struct mdtext_span *spans;
	size_t n_spans;
};

/* A construct outside isolab's Markdown subset (link, image, block quote,
 * raw HTML...): the lab validator reports these. */
struct mdtext_issue {
	int line; /* 0-based line in the text, -1 when unknown */
	char *what;
};

struct mdtext {
	struct mdtext_block *blocks;
	size_t n_blocks;
	struct mdtext_issue *issues;
	size_t n_issues;
};

/* Parse len bytes of Markdown into a new document. Constructs outside the
 * subset are kept as plain text and listed in issues; only a failure of
 * md4c itself is an error. */
int mdtext_parse(const char *md, size_t len, struct mdtext **out, struct err *e);
void mdtext_free(struct mdtext *doc);

/* Plain text for a terminal transcript: paragraphs and list items
 * word-wrapped to width columns (UTF-8 characters count one each), code
 * blocks indented by 4 and never wrapped, `code` spans kept as written
 * (backticks included, never split), emphasis and strong without their
 * markers. Blocks end with '\n'. */
void mdtext_render_plain(const struct mdtext *doc, int width, struct strbuf *out);

#endif
