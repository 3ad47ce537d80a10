/* mdtext.c: a step's Markdown text into the flat block/span model of
 * mdtext.h, by md4c's callbacks (never parsed by hand), and the plain
 * word-wrapped rendering of the CLI transcript. */
#include "mdtext.h"

#include <md4c.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MDTEXT_MAX_LISTS 32

struct list_ctx {
	bool ordered;
	bool tight;
	char mark;
	unsigned next;
};

struct builder {
	struct mdtext *doc;
	size_t cap_blocks;
	size_t cap_issues;
	const char *md;
	size_t len;
	struct list_ctx lists[MDTEXT_MAX_LISTS];
	int n_lists;       /* open lists (may exceed MDTEXT_MAX_LISTS; extra ones not recorded) */
	long cur;          /* block receiving text, or -1 */
	bool item_fresh;   /* cur is a list item that has not received its paragraph yet */
	bool need_blank;   /* the next block is set apart from the previous one */
	unsigned style;    /* span style flags in force */
	int em, strong, code; /* nesting counts behind style */
	bool new_span;     /* a span boundary since the last text: do not merge */
	bool pending_line; /* an issue waits for the line of the next text */
	size_t tail_len;   /* length and room of the last span of block cur */
	size_t tail_cap;
	const char *seen;  /* how far lines have been counted, and their count */
	int seen_line;
};

static bool in_tight_list(const struct builder *b)
{
	int i = b->n_lists - 1;

	if (i < 0)
		return false;
	if (i >= MDTEXT_MAX_LISTS)
		i = MDTEXT_MAX_LISTS - 1;
	return b->lists[i].tight;
}

static int depth_of(const struct builder *b)
{
	return b->n_lists;
}

static struct mdtext_block *add_block(struct builder *b, enum mdtext_block_type type)
{
	struct mdtext *d = b->doc;

	if (b->need_blank && d->n_blocks > 0 && type != MDTEXT_BLANK) {
		b->need_blank = false;
		add_block(b, MDTEXT_BLANK);
	}
	b->need_blank = false;
	if (d->n_blocks == b->cap_blocks) {
		b->cap_blocks = b->cap_blocks ? b->cap_blocks * 2 : 16;
		d->blocks = xreallocarray(d->blocks, b->cap_blocks, sizeof(*d->blocks));
	}
	struct mdtext_block *blk = &d->blocks[d->n_blocks++];
	memset(blk, 0, sizeof(*blk));
	blk->type = type;
	blk->depth = type == MDTEXT_BLANK ? 0 : depth_of(b);
	return blk;
}

static void add_issue(struct builder *b, const char *what)
{
	struct mdtext *d = b->doc;

	if (d->n_issues == b->cap_issues) {
		b->cap_issues = b->cap_issues ? b->cap_issues * 2 : 4;
		d->issues = xreallocarray(d->issues, b->cap_issues, sizeof(*d->issues));
	}
	d->issues[d->n_issues].line = -1;
	d->issues[d->n_issues].what = xstrdup(what);
	d->n_issues++;
	b->pending_line = true;
}

/* md4c hands text as pointers into the input where it can: the line of an
 * issue is that of the first text that follows it. */
static void resolve_issue_line(struct builder *b, const char *text)
{
	uintptr_t p = (uintptr_t)text, s = (uintptr_t)b->md;

	if (!b->pending_line || p < s || p >= s + b->len)
		return;
	/* Count on from where the last count stopped: text mostly moves forward. */
	if (!b->seen || b->seen > text) {
		b->seen = b->md;
		b->seen_line = 0;
	}
	for (; b->seen < text; b->seen++)
		if (*b->seen == '\n')
			b->seen_line++;
	for (size_t i = 0; i < b->doc->n_issues; i++)
		if (b->doc->issues[i].line < 0)
			b->doc->issues[i].line = b->seen_line;
	b->pending_line = false;
}

static void append(struct builder *b, const char *s, size_t n)
{
	struct mdtext_block *blk;
	struct mdtext_span *sp;

	if (b->cur < 0) {
		add_block(b, MDTEXT_PARAGRAPH);
		b->cur = (long)b->doc->n_blocks - 1;
	}
	b->item_fresh = false;
	blk = &b->doc->blocks[b->cur];
	if (blk->n_spans > 0 && !b->new_span && blk->spans[blk->n_spans - 1].style == b->style) {
		/* md4c hands text a line at a time: grow the last span geometrically. */
		sp = &blk->spans[blk->n_spans - 1];
		if (b->tail_len + n + 1 > b->tail_cap) {
			b->tail_cap = (b->tail_len + n + 1) * 2;
			sp->text = xrealloc(sp->text, b->tail_cap);
		}
		memcpy(sp->text + b->tail_len, s, n);
		b->tail_len += n;
		sp->text[b->tail_len] = '\0';
		return;
	}
	/* Spans are few per block: grow one at a time. */
	blk->spans = xreallocarray(blk->spans, blk->n_spans + 1, sizeof(*blk->spans));
	sp = &blk->spans[blk->n_spans++];
	sp->text = xstrndup(s, n);
	sp->style = b->style;
	b->tail_len = n;
	b->tail_cap = n + 1;
	b->new_span = false;
}

static void update_style(struct builder *b)
{
	b->style = (b->em > 0 ? MDTEXT_EMPH : 0) | (b->strong > 0 ? MDTEXT_STRONG : 0) |
		   (b->code > 0 ? MDTEXT_CODE_SPAN : 0);
	b->new_span = true;
}

static int enter_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct builder *b = user;
	struct mdtext_block *blk;

	if (type != MD_BLOCK_P)
		b->item_fresh = false;
	switch (type) {
	case MD_BLOCK_DOC:
		break;
	case MD_BLOCK_QUOTE:
		add_issue(b, "a block quote");
		break;
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		if (b->n_lists < MDTEXT_MAX_LISTS) {
			struct list_ctx *l = &b->lists[b->n_lists];
			if (type == MD_BLOCK_UL) {
				MD_BLOCK_UL_DETAIL *d = detail;
				*l = (struct list_ctx){false, d->is_tight != 0, d->mark, 0};
			} else {
				MD_BLOCK_OL_DETAIL *d = detail;
				*l = (struct list_ctx){true, d->is_tight != 0, d->mark_delimiter,
						       d->start};
			}
		}
		b->n_lists++;
		b->cur = -1;
		break;
	case MD_BLOCK_LI: {
		int i = b->n_lists - 1;
		if (i >= MDTEXT_MAX_LISTS)
			i = MDTEXT_MAX_LISTS - 1;
		blk = add_block(b, MDTEXT_LIST_ITEM);
		if (i >= 0) {
			blk->ordered = b->lists[i].ordered;
			blk->mark = b->lists[i].mark;
			if (blk->ordered)
				blk->number = b->lists[i].next++;
		} else {
			blk->mark = '-';
		}
		b->cur = (long)b->doc->n_blocks - 1;
		b->item_fresh = true;
		break;
	}
	case MD_BLOCK_HR:
		add_block(b, MDTEXT_RULE);
		b->cur = -1;
		break;
	case MD_BLOCK_H: {
		MD_BLOCK_H_DETAIL *d = detail;
		blk = add_block(b, MDTEXT_HEADING);
		blk->level = (int)d->level;
		b->cur = (long)b->doc->n_blocks - 1;
		break;
	}
	case MD_BLOCK_CODE: {
		MD_BLOCK_CODE_DETAIL *d = detail;
		blk = add_block(b, MDTEXT_CODE);
		if (d->lang.size > 0)
			blk->lang = xstrndup(d->lang.text, d->lang.size);
		b->cur = (long)b->doc->n_blocks - 1;
		b->code++;
		update_style(b);
		break;
	}
	case MD_BLOCK_HTML:
		add_issue(b, "raw HTML");
		b->cur = -1;
		break;
	case MD_BLOCK_P:
		if (b->item_fresh && b->cur >= 0) {
			b->item_fresh = false;
			break;
		}
		add_block(b, MDTEXT_PARAGRAPH);
		b->cur = (long)b->doc->n_blocks - 1;
		break;
	default:
		add_issue(b, "a table");
		break;
	}
	return 0;
}

static int leave_block(MD_BLOCKTYPE type, void *detail, void *user)
{
	struct builder *b = user;

	(void)detail;
	switch (type) {
	case MD_BLOCK_UL:
	case MD_BLOCK_OL:
		b->n_lists--;
		b->cur = -1;
		b->need_blank = !in_tight_list(b);
		break;
	case MD_BLOCK_LI:
		b->cur = -1;
		b->item_fresh = false;
		if (!in_tight_list(b))
			b->need_blank = true;
		break;
	case MD_BLOCK_CODE:
		if (b->cur >= 0) {
			struct mdtext_block *blk = &b->doc->blocks[b->cur];
			if (blk->n_spans == 0) {
				append(b, "", 0);
			} else {
				/* md4c ends every code line with '\n': drop the last one. */
				char *t = blk->spans[blk->n_spans - 1].text;
				size_t n = strlen(t);
				if (n > 0 && t[n - 1] == '\n')
					t[n - 1] = '\0';
			}
		}
		b->code--;
		update_style(b);
		b->cur = -1;
		b->need_blank = !in_tight_list(b);
		break;
	case MD_BLOCK_P:
	case MD_BLOCK_H:
	case MD_BLOCK_HR:
	case MD_BLOCK_HTML:
	case MD_BLOCK_QUOTE:
		b->cur = -1;
		b->need_blank = !in_tight_list(b);
		break;
	default:
		break;
	}
	return 0;
}

static int enter_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct builder *b = user;

	(void)detail;
	switch (type) {
	case MD_SPAN_EM:
		b->em++;
		break;
	case MD_SPAN_STRONG:
		b->strong++;
		break;
	case MD_SPAN_CODE:
		b->code++;
		break;
	case MD_SPAN_A:
		add_issue(b, "a link");
		break;
	case MD_SPAN_IMG:
		add_issue(b, "an image");
		break;
	default:
		add_issue(b, "an extended span");
		break;
	}
	update_style(b);
	return 0;
}

static int leave_span(MD_SPANTYPE type, void *detail, void *user)
{
	struct builder *b = user;

	(void)detail;
	switch (type) {
	case MD_SPAN_EM:
		b->em--;
		break;
	case MD_SPAN_STRONG:
		b->strong--;
		break;
	case MD_SPAN_CODE:
		b->code--;
		break;
	default:
		break;
	}
	update_style(b);
	return 0;
}

static void append_utf8(struct builder *b, unsigned long cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		cp = 0xfffd;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	append(b, u, n);
}

static const struct {
	const char *name;
	const char *text;
} entities[] = {
	{"&amp;", "&"}, {"&lt;", "<"}, {"&gt;", ">"}, {"&quot;", "\""},
	{"&apos;", "'"}, {"&nbsp;", "\xc2\xa0"}, {"&copy;", "\xc2\xa9"}, {"&mdash;", "\xe2\x80\x94"},
	{"&ndash;", "\xe2\x80\x93"}, {"&hellip;", "\xe2\x80\xa6"},
};

/* md4c leaves entities to the renderer: numeric ones and a few named. */
static void append_entity(struct builder *b, const char *s, size_t n)
{
	if (n >= 4 && s[1] == '#') {
		unsigned long cp = 0;
		bool hex = s[2] == 'x' || s[2] == 'X';
		for (size_t i = hex ? 3 : 2; i < n - 1; i++) {
			int c = (unsigned char)s[i], v;
			if (c >= '0' && c <= '9')
				v = c - '0';
			else if (hex && c >= 'a' && c <= 'f')
				v = c - 'a' + 10;
			else if (hex && c >= 'A' && c <= 'F')
				v = c - 'A' + 10;
			else
				break;
			cp = cp * (hex ? 16 : 10) + (unsigned long)v;
			if (cp > 0x10ffff)
				cp = 0x110000;
		}
		append_utf8(b, cp);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(entities); i++)
		if (strlen(entities[i].name) == n && memcmp(entities[i].name, s, n) == 0) {
			append(b, entities[i].text, strlen(entities[i].text));
			return;
		}
	append(b, s, n);
}

static int text_cb(MD_TEXTTYPE type, const MD_CHAR *text, MD_SIZE size, void *user)
{
	struct builder *b = user;

	resolve_issue_line(b, text);
	switch (type) {
	case MD_TEXT_NULLCHAR:
		append_utf8(b, 0xfffd);
		break;
	case MD_TEXT_BR:
		append(b, b->code ? " " : "\n", 1);
		break;
	case MD_TEXT_SOFTBR:
		append(b, " ", 1);
		break;
	case MD_TEXT_ENTITY:
		append_entity(b, text, size);
		break;
	default:
		append(b, text, size);
		break;
	}
	return 0;
}

int mdtext_parse(const char *md, size_t len, struct mdtext **out, struct err *e)
{
	struct builder b = {
		.doc = xcalloc(1, sizeof(struct mdtext)),
		.md = md,
		.len = len,
		.cur = -1,
	};
	MD_PARSER parser = {
		.abi_version = 0,
		.flags = MD_FLAG_NOHTML,
		.enter_block = enter_block,
		.leave_block = leave_block,
		.enter_span = enter_span,
		.leave_span = leave_span,
		.text = text_cb,
	};

	*out = NULL;
	if (len > UINT32_MAX) {
		mdtext_free(b.doc);
		return err_input(e, "Markdown text too long");
	}
	if (md_parse(md, (MD_SIZE)len, &parser, &b) != 0) {
		mdtext_free(b.doc);
		return err_input(e, "Markdown parser failed");
	}
	*out = b.doc;
	return 0;
}

void mdtext_free(struct mdtext *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_blocks; i++) {
		struct mdtext_block *blk = &doc->blocks[i];
		for (size_t j = 0; j < blk->n_spans; j++)
			free(blk->spans[j].text);
		free(blk->spans);
		free(blk->lang);
	}
	free(doc->blocks);
	for (size_t i = 0; i < doc->n_issues; i++)
		free(doc->issues[i].what);
	free(doc->issues);
	free(doc);
}

/* --- plain rendering ------------------------------------------------------ */

/* Columns a UTF-8 string takes: one per character. */
static size_t text_width(const char *s, size_t n)
{
	size_t w = 0;

	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void add_spaces(struct strbuf *out, size_t n)
{
	while (n--)
		strbuf_addc(out, ' ');
}

/* A word is unbreakable text; a code span is one word however many spaces
 * it holds, so a command stays whole on one line. */
struct word {
	struct strbuf text;
	bool newline; /* a hard break, not a word */
};

struct words {
	struct word *v;
	size_t n;
	size_t cap;
	bool open; /* the last word may still grow */
};

static struct word *words_new(struct words *w)
{
	if (w->n == w->cap) {
		w->cap = w->cap ? w->cap * 2 : 16;
		w->v = xreallocarray(w->v, w->cap, sizeof(*w->v));
	}
	struct word *wd = &w->v[w->n++];
	wd->text = (struct strbuf)STRBUF_INIT;
	wd->newline = false;
	return wd;
}

static void words_addc(struct words *w, char c)
{
	if (!w->open) {
		words_new(w);
		w->open = true;
	}
	strbuf_addc(&w->v[w->n - 1].text, c);
}

static void words_free(struct words *w)
{
	for (size_t i = 0; i < w->n; i++)
		strbuf_release(&w->v[i].text);
	free(w->v);
}

static void split_words(const struct mdtext_block *blk, struct words *w)
{
	for (size_t i = 0; i < blk->n_spans; i++) {
		const struct mdtext_span *sp = &blk->spans[i];
		if (sp->style & MDTEXT_CODE_SPAN) {
			words_addc(w, '`');
			for (const char *c = sp->text; *c; c++)
				words_addc(w, *c == '\n' ? ' ' : *c);
			words_addc(w, '`');
			continue;
		}
		for (const char *c = sp->text; *c; c++) {
			if (*c == '\n') {
				words_new(w)->newline = true;
				w->open = false;
			} else if (*c == ' ' || *c == '\t') {
				w->open = false;
			} else {
				words_addc(w, *c);
			}
		}
	}
}

/* Greedy fill: the first line starts after first columns already written
 * by the caller (a list marker), the others at indent. */
static void wrap(const struct mdtext_block *blk, size_t first, size_t indent, int width,
		 struct strbuf *out)
{
	struct words w = {0};
	size_t col = first;
	bool empty = true;
	size_t lim = width > 0 ? (size_t)width : 1;

	split_words(blk, &w);
	for (size_t i = 0; i < w.n; i++) {
		if (w.v[i].newline) {
			strbuf_addc(out, '\n');
			add_spaces(out, indent);
			col = indent;
			empty = true;
			continue;
		}
		size_t ww = text_width(w.v[i].text.buf, w.v[i].text.len);
		if (!empty && col + 1 + ww > lim) {
			strbuf_addc(out, '\n');
			add_spaces(out, indent);
			col = indent;
			empty = true;
		}
		if (!empty) {
			strbuf_addc(out, ' ');
			col++;
		}
		strbuf_add(out, w.v[i].text.buf, w.v[i].text.len);
		col += ww;
		empty = false;
	}
	strbuf_addc(out, '\n');
	words_free(&w);
}

void mdtext_render_plain(const struct mdtext *doc, int width, struct strbuf *out)
{
	/* hang[d]: where the content of the latest item at depth d starts, so
	 * that its later paragraphs and code line up under it. */
	size_t hang[MDTEXT_MAX_LISTS + 2] = {0};

	for (size_t i = 0; i < doc->n_blocks; i++) {
		const struct mdtext_block *blk = &doc->blocks[i];
		int d = blk->depth;
		if (d > MDTEXT_MAX_LISTS)
			d = MDTEXT_MAX_LISTS;
		if (d < 0)
			d = 0;
		size_t indent = hang[d];

		switch (blk->type) {
		case MDTEXT_BLANK:
			strbuf_addc(out, '\n');
			break;
		case MDTEXT_RULE: {
			int n = width > 0 ? width - (int)indent : 3;
			add_spaces(out, indent);
			for (int k = 0; k < (n < 3 ? 3 : n); k++)
				strbuf_addc(out, '-');
			strbuf_addc(out, '\n');
			break;
		}
		case MDTEXT_HEADING: {
			size_t start = out->len, line;
			add_spaces(out, indent);
			wrap(blk, indent, indent, width, out);
			/* Underline the heading's first line: '=' for level 1. */
			line = strcspn(out->buf + start, "\n");
			size_t n = text_width(out->buf + start + indent, line - indent);
			add_spaces(out, indent);
			for (size_t k = 0; k < n; k++)
				strbuf_addc(out, blk->level <= 1 ? '=' : '-');
			strbuf_addc(out, '\n');
			break;
		}
		case MDTEXT_PARAGRAPH:
			add_spaces(out, indent);
			wrap(blk, indent, indent, width, out);
			break;
		case MDTEXT_LIST_ITEM: {
			size_t lead = d > 0 ? hang[d - 1] : 0;
			size_t start = out->len;
			add_spaces(out, lead);
			if (blk->ordered)
				strbuf_addf(out, "%u%c ", blk->number, blk->mark ? blk->mark : '.');
			else
				strbuf_addf(out, "%c ", blk->mark ? blk->mark : '-');
			size_t content = out->len - start;
			hang[d] = content;
			if (blk->n_spans == 0) {
				/* An item whose first block is a list or code. */
				while (out->len > start && out->buf[out->len - 1] == ' ')
					out->buf[--out->len] = '\0';
				strbuf_addc(out, '\n');
			} else {
				wrap(blk, content, content, width, out);
			}
			break;
		}
		case MDTEXT_CODE: {
			const char *t = blk->n_spans > 0 ? blk->spans[0].text : "";
			for (;;) {
				size_t n = strcspn(t, "\n");
				if (n > 0) {
					add_spaces(out, indent + 4);
					strbuf_add(out, t, n);
				}
				strbuf_addc(out, '\n');
				if (!t[n])
					break;
				t += n + 1;
			}
			break;
		}
		}
	}
}
