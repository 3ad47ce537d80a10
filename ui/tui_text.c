/* tui_text.c: text for the TUI: glyphs with ASCII fallbacks, display width
 * and clipped drawing of UTF-8 through the wide-character API, and the
 * styled-line document screens lay text into: word wrap, the step's
 * Markdown (from mdtext), commands wrapped so that they still paste, and
 * pages for presentation. */
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "tui.h"

/* --- glyphs --------------------------------------------------------------- */

static const struct {
	const char *utf8, *ascii;
} glyphs[TG_COUNT] = {
	[TG_OK] = {"✓", "ok"},
	[TG_FAIL] = {"✗", "XX"},
	[TG_ADDED] = {"+", "+"},
	[TG_REMOVED] = {"−", "-"},
	[TG_WARN] = {"!", "!"},
	[TG_BULLET] = {"•", "*"},
	[TG_CURSOR] = {"▸", ">"},
	[TG_HLINE] = {"─", "-"},
	[TG_SEP] = {"›", ">"},
	[TG_HOST] = {"◆", "#"},
	[TG_ELLIPSIS] = {"…", "..."},
	[TG_ARROW] = {"→", "->"},
	[TG_DOT] = {"·", "."},
	[TG_PAUSE] = {"‖", "||"},
	[TG_PLAY] = {"▶", ">"},
};

static bool use_utf8;

void tui_glyphs_init(bool utf8)
{
	use_utf8 = utf8;
}

const char *tui_glyph(enum tui_glyph g)
{
	return use_utf8 ? glyphs[g].utf8 : glyphs[g].ascii;
}

/* The marks of outcomes: one glyph each, and one ASCII fallback each, all
 * different, so that neither colour nor UTF-8 is needed to tell them apart.
 * An experiment's own result (allowed, denied) is no warning: whether it
 * was the expected one is said by the results, not by a warning colour. */
static const struct {
	const char *utf8, *ascii;
	enum tui_color color;
} marks[CMP_MARK_COUNT] = {
	/* held, failed and risk are the glyphs ✓ ✗ ! that the other screens
	 * (a lab done, an answer right or wrong) draw too. */
	[CMP_MARK_HELD] = {NULL, NULL, TC_OK},
	[CMP_MARK_FAILED] = {NULL, NULL, TC_FAIL},
	[CMP_MARK_RISK] = {NULL, NULL, TC_DANGER},
	[CMP_MARK_DISAGREE] = {"≠", "<>", TC_WARN},
	[CMP_MARK_ALLOWED] = {"●", "go", TC_INFO},
	[CMP_MARK_DENIED] = {"⊘", "no", TC_STRONG},
	[CMP_MARK_ERROR] = {"?", "??", TC_DIM},
};

const char *tui_mark(enum cmp_mark m)
{
	switch (m) {
	case CMP_MARK_HELD:
		return tui_glyph(TG_OK);
	case CMP_MARK_FAILED:
		return tui_glyph(TG_FAIL);
	case CMP_MARK_RISK:
		return tui_glyph(TG_WARN);
	default:
		break;
	}
	if ((unsigned)m >= CMP_MARK_COUNT)
		return "?";
	return use_utf8 ? marks[m].utf8 : marks[m].ascii;
}

enum tui_color tui_mark_color(enum cmp_mark m)
{
	return (unsigned)m < CMP_MARK_COUNT ? marks[m].color : TC_NORMAL;
}

const char *tui_spinner(unsigned tick)
{
	static const char *const braille[] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
	static const char *const ascii[] = {"|", "/", "-", "\\"};

	if (use_utf8)
		return braille[tick % ARRAY_SIZE(braille)];
	return ascii[tick % ARRAY_SIZE(ascii)];
}

/* --- width and drawing ------------------------------------------------------ */

/* The next character of s[0..len): its width (0 or more) and its length in
 * bytes; what the locale cannot decode or show is one '?' of one column. */
static size_t next_char(const char *s, size_t len, wchar_t *wc, int *w)
{
	mbstate_t st;
	size_t n;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*w = 1;
		return 1;
	}
	if (*wc == L'\t' || *wc == L'\n' || *wc == L'\r') {
		*wc = L' ';
		*w = 1;
		return n;
	}
	*w = wcwidth(*wc);
	if (*w < 0) {
		*wc = L'?';
		*w = 1;
	}
	return n;
}

int tui_nwidth(const char *s, size_t len)
{
	int total = 0;

	while (len > 0) {
		wchar_t wc;
		int w;
		size_t n = next_char(s, len, &wc, &w);
		total += w;
		s += n;
		len -= n;
	}
	return total;
}

int tui_width(const char *s)
{
	return s ? tui_nwidth(s, strlen(s)) : 0;
}

int tui_putn(WINDOW *w, int y, int x, int maxw, const char *s, size_t len, enum tui_color c)
{
	wchar_t buf[256];
	size_t nb = 0;
	int used = 0;

	if (maxw <= 0 || !s)
		return 0;
	tui_style(w, c);
	wmove(w, y, x);
	while (len > 0) {
		wchar_t wc;
		int cw;
		size_t n = next_char(s, len, &wc, &cw);

		if (used + cw > maxw)
			break;
		if (cw == 0 && nb == 0 && used == 0) {
			/* A combining mark with nothing to combine with. */
			s += n;
			len -= n;
			continue;
		}
		buf[nb++] = wc;
		used += cw;
		s += n;
		len -= n;
		if (nb == ARRAY_SIZE(buf)) {
			waddnwstr(w, buf, (int)nb);
			nb = 0;
		}
	}
	if (nb)
		waddnwstr(w, buf, (int)nb);
	return used;
}

int tui_put(WINDOW *w, int y, int x, int maxw, const char *s, enum tui_color c)
{
	return s ? tui_putn(w, y, x, maxw, s, strlen(s), c) : 0;
}

int tui_put_clip(WINDOW *w, int y, int x, int maxw, const char *s, enum tui_color c)
{
	const char *ell = tui_glyph(TG_ELLIPSIS);
	int ew = tui_width(ell), used;

	if (!s || tui_width(s) <= maxw || maxw <= ew)
		return tui_put(w, y, x, maxw, s, c);
	used = tui_put(w, y, x, maxw - ew, s, c);
	return used + tui_put(w, y, x + used, ew, ell, c);
}

void tui_fill(WINDOW *w, int y, int x, int n, enum tui_color c)
{
	tui_style(w, c);
	if (n > 0)
		mvwhline(w, y, x, ' ', n);
}

void tui_hline(WINDOW *w, int y, int x, int n, enum tui_color c)
{
	const char *g = tui_glyph(TG_HLINE);

	for (int i = 0; i < n; i++)
		tui_put(w, y, x + i, 1, g, c);
}

/* --- the document ------------------------------------------------------------- */

void tui_doc_free(struct tui_doc *d)
{
	for (size_t i = 0; i < d->n; i++) {
		for (size_t j = 0; j < d->v[i].n; j++)
			free(d->v[i].spans[j].text);
		free(d->v[i].spans);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

struct tui_line *tui_doc_line(struct tui_doc *d, int indent)
{
	struct tui_line *l;

	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	l = &d->v[d->n++];
	memset(l, 0, sizeof(*l));
	l->indent = indent;
	if (d->page_next) {
		l->page_break = true;
		d->page_next = false;
	}
	return l;
}

void tui_line_addn(struct tui_line *l, const char *text, size_t len, enum tui_color c)
{
	if (!len)
		return;
	/* The same colour as the last span: one span. */
	if (l->n && l->spans[l->n - 1].color == c) {
		struct tui_span *s = &l->spans[l->n - 1];
		size_t old = strlen(s->text);
		s->text = xrealloc(s->text, old + len + 1);
		memcpy(s->text + old, text, len);
		s->text[old + len] = '\0';
		return;
	}
	l->spans = xreallocarray(l->spans, l->n + 1, sizeof(*l->spans));
	l->spans[l->n].text = xstrndup(text, len);
	l->spans[l->n].color = c;
	l->n++;
}

void tui_line_add(struct tui_line *l, const char *text, enum tui_color c)
{
	if (text)
		tui_line_addn(l, text, strlen(text), c);
}

void tui_line_addf(struct tui_line *l, enum tui_color c, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	tui_line_addn(l, strbuf_str(&sb), sb.len, c);
	strbuf_release(&sb);
}

void tui_doc_blank(struct tui_doc *d)
{
	tui_doc_line(d, 0);
}

void tui_doc_page(struct tui_doc *d)
{
	/* Mark the next line; a page break before any line is no break. */
	d->page_next = d->n > 0;
}

/* --- word wrap ------------------------------------------------------------------ */

/* A span added with tui_para_add_code carries this in its colour's high
 * bits until it is laid out. */
#define NOBREAK 0x1000

void tui_para_add(struct tui_para *p, const char *text, enum tui_color c)
{
	if (!text || !*text)
		return;
	p->spans = xreallocarray(p->spans, p->n + 1, sizeof(*p->spans));
	p->spans[p->n].text = xstrdup(text);
	p->spans[p->n].color = c;
	p->n++;
}

void tui_para_add_code(struct tui_para *p, const char *text, enum tui_color c)
{
	size_t n = p->n;

	tui_para_add(p, text, c);
	if (p->n > n)
		p->spans[n].color = (enum tui_color)(c | NOBREAK);
}

void tui_para_word(struct tui_para *p, const char *text, enum tui_color c)
{
	if (p->n)
		tui_para_add(p, " ", TC_NORMAL);
	tui_para_add_code(p, text, c);
	tui_para_add(p, " ", TC_NORMAL);
}

void tui_para_free(struct tui_para *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->spans[i].text);
	free(p->spans);
	p->spans = NULL;
	p->n = 0;
}

/* A piece of a word: part of one span. */
struct piece {
	const char *s;
	size_t len;
	enum tui_color c;
};

struct word {
	struct piece *pieces;
	size_t n;
	int width;
	bool space_before; /* a break is allowed before it */
	bool newline;      /* a hard break comes before it */
};

struct words {
	struct word *v;
	size_t n;
};

static struct word *word_new(struct words *ws, bool space, bool newline)
{
	struct word *w;

	ws->v = xreallocarray(ws->v, ws->n + 1, sizeof(*ws->v));
	w = &ws->v[ws->n++];
	memset(w, 0, sizeof(*w));
	w->space_before = space;
	w->newline = newline;
	return w;
}

static void word_piece(struct word *w, const char *s, size_t len, enum tui_color c)
{
	w->pieces = xreallocarray(w->pieces, w->n + 1, sizeof(*w->pieces));
	w->pieces[w->n++] = (struct piece){s, len, c};
	w->width += tui_nwidth(s, len);
}

static void split_words(const struct tui_para *p, struct words *ws)
{
	struct word *cur = NULL;
	bool space = false, newline = false;

	for (size_t i = 0; i < p->n; i++) {
		const char *s = p->spans[i].text;
		enum tui_color c = (enum tui_color)(p->spans[i].color & ~NOBREAK);

		if (p->spans[i].color & NOBREAK) {
			if (!cur || space || newline)
				cur = word_new(ws, space, newline);
			word_piece(cur, s, strlen(s), c);
			space = newline = false;
			continue;
		}
		while (*s) {
			if (*s == ' ' || *s == '\t' || *s == '\n') {
				if (*s == '\n')
					newline = true;
				space = true;
				s++;
				continue;
			}
			size_t n = strcspn(s, " \t\n");
			if (!cur || space || newline)
				cur = word_new(ws, space, newline);
			word_piece(cur, s, n, c);
			space = newline = false;
			s += n;
		}
	}
}

/* A word wider than a line: split it at character boundaries. */
static void put_long_word(struct tui_doc *d, struct tui_line **l, int *col, const struct word *w,
			  int width, int hang)
{
	for (size_t i = 0; i < w->n; i++) {
		const char *s = w->pieces[i].s;
		size_t len = w->pieces[i].len;

		while (len > 0) {
			size_t take = 0;
			int used = 0;
			while (take < len) {
				wchar_t wc;
				int cw;
				size_t n = next_char(s + take, len - take, &wc, &cw);
				if (*col + used + cw > width && (*col + used) > hang)
					break;
				used += cw;
				take += n;
			}
			if (take == 0) {
				*l = tui_doc_line(d, hang);
				*col = hang;
				continue;
			}
			tui_line_addn(*l, s, take, w->pieces[i].c);
			*col += used;
			s += take;
			len -= take;
			if (len > 0) {
				*l = tui_doc_line(d, hang);
				*col = hang;
			}
		}
	}
}

void tui_para_flush(struct tui_para *p, struct tui_doc *d, int width, int indent, int hang)
{
	struct words ws = {NULL, 0};
	enum tui_color prev = TC_NORMAL;
	struct tui_line *l;
	int col;

	if (width < hang + 8)
		width = hang + 8;
	split_words(p, &ws);
	l = tui_doc_line(d, indent);
	col = indent;
	for (size_t i = 0; i < ws.n; i++) {
		const struct word *w = &ws.v[i];
		bool first = l->n == 0;

		if (!first && (w->newline || (w->space_before && col + 1 + w->width > width))) {
			l = tui_doc_line(d, hang);
			col = hang;
			first = true;
		}
		if (!first && w->space_before) {
			/* A space takes its neighbours' colour only when they share it. */
			tui_line_add(l, " ", prev == w->pieces[0].c ? prev : TC_NORMAL);
			col++;
		}
		if (col + w->width > width) {
			put_long_word(d, &l, &col, w, width, hang);
		} else {
			for (size_t j = 0; j < w->n; j++)
				tui_line_addn(l, w->pieces[j].s, w->pieces[j].len, w->pieces[j].c);
			col += w->width;
		}
		prev = w->pieces[w->n - 1].c;
	}
	for (size_t i = 0; i < ws.n; i++)
		free(ws.v[i].pieces);
	free(ws.v);
	tui_para_free(p);
}

void tui_doc_text(struct tui_doc *d, const char *text, enum tui_color c, int width, int indent,
		  int hang)
{
	struct tui_para p = {NULL, 0};

	tui_para_add(&p, text, c);
	if (!p.n)
		tui_doc_line(d, indent);
	tui_para_flush(&p, d, width, indent, hang);
}

/* --- Markdown ----------------------------------------------------------------------- */

static void para_spans(struct tui_para *p, const struct mdtext_block *b, enum tui_color base)
{
	for (size_t i = 0; i < b->n_spans; i++) {
		const struct mdtext_span *s = &b->spans[i];

		if (s->style & MDTEXT_CODE_SPAN)
			tui_para_add_code(p, s->text, TC_CODE);
		else if (s->style & MDTEXT_STRONG)
			tui_para_add(p, s->text, TC_STRONG);
		else if (s->style & MDTEXT_EMPH)
			tui_para_add(p, s->text, TC_EMPH);
		else
			tui_para_add(p, s->text, base);
	}
}

void tui_doc_markdown(struct tui_doc *d, const struct mdtext *md, int width, int indent,
		      bool wide)
{
	struct tui_para p = {NULL, 0};
	bool last_blank = true;

	for (size_t i = 0; i < md->n_blocks; i++) {
		const struct mdtext_block *b = &md->blocks[i];

		switch (b->type) {
		case MDTEXT_HEADING:
			if (wide)
				tui_doc_page(d);
			para_spans(&p, b, TC_HEADING);
			for (size_t j = 0; j < p.n; j++)
				if (p.spans[j].color == TC_STRONG || p.spans[j].color == TC_EMPH ||
				    p.spans[j].color == TC_NORMAL)
					p.spans[j].color = TC_HEADING;
			tui_para_flush(&p, d, width, indent, indent);
			break;
		case MDTEXT_PARAGRAPH:
			para_spans(&p, b, TC_NORMAL);
			tui_para_flush(&p, d, width, indent, indent);
			break;
		case MDTEXT_LIST_ITEM: {
			int at = indent + (b->depth > 0 ? b->depth - 1 : 0) * 3;
			struct strbuf mark = STRBUF_INIT;

			if (b->ordered)
				strbuf_addf(&mark, "%u%c ", b->number, b->mark ? b->mark : '.');
			else
				strbuf_addf(&mark, "%s ", tui_glyph(TG_BULLET));
			if (wide && !last_blank)
				tui_doc_blank(d);
			/* The marker as its own unbreakable first word. */
			tui_para_add_code(&p, strbuf_str(&mark), TC_HEADING);
			para_spans(&p, b, TC_NORMAL);
			tui_para_flush(&p, d, width, at, at + tui_width(strbuf_str(&mark)));
			strbuf_release(&mark);
			break;
		}
		case MDTEXT_CODE: {
			const char *s = b->n_spans ? b->spans[0].text : "";
			while (s) {
				const char *nl = strchr(s, '\n');
				size_t len = nl ? (size_t)(nl - s) : strlen(s);
				char *line = xstrndup(s, len);
				struct tui_para cp = {NULL, 0};

				tui_para_add_code(&cp, *line ? line : " ", TC_CODEBLOCK);
				tui_para_flush(&cp, d, width, indent + 4, indent + 4);
				free(line);
				s = nl ? nl + 1 : NULL;
			}
			break;
		}
		case MDTEXT_BLANK:
			tui_doc_blank(d);
			break;
		case MDTEXT_RULE: {
			struct tui_line *l = tui_doc_line(d, indent);
			for (int c = indent; c < width; c++)
				tui_line_add(l, tui_glyph(TG_HLINE), TC_FRAME);
			break;
		}
		}
		last_blank = b->type == MDTEXT_BLANK;
	}
}

/* --- commands that still paste ---------------------------------------------------------- */

/* Byte offsets in cmd where a break may go: unquoted spaces outside $( ). */
static size_t break_points(const char *cmd, size_t **out)
{
	size_t *v = NULL, n = 0;
	int depth = 0;
	bool sq = false, dq = false, isq = false; /* isq: in single quotes inside "$(...)" */

	for (size_t i = 0; cmd[i]; i++) {
		char c = cmd[i];

		if (sq) {
			sq = c != '\'';
			continue;
		}
		if (c == '\\' && cmd[i + 1]) {
			i++;
			continue;
		}
		if (dq) {
			/* Inside "$(...)" the words of the inner command may break
			 * too: a backslash-newline there is removed, and the next
			 * line's indent is space between the inner words. */
			if (depth > 0 && c == '\'')
				isq = !isq;
			else if (isq)
				continue;
			else if (c == '"')
				dq = false;
			else if (c == '$' && cmd[i + 1] == '(')
				depth++, i++;
			else if (c == ')' && depth > 0)
				depth--;
			else if (c == ' ' && depth > 0) {
				v = xreallocarray(v, n + 1, sizeof(*v));
				v[n++] = i;
			}
			continue;
		}
		if (c == '\'')
			sq = true;
		else if (c == '"')
			dq = true;
		else if (c == '$' && cmd[i + 1] == '(')
			depth++, i++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == ' ' && depth == 0) {
			v = xreallocarray(v, n + 1, sizeof(*v));
			v[n++] = i;
		}
	}
	*out = v;
	return n;
}

/* A break at bp (a space) keeps "--opt value" together: the word after
 * is an option, or the word before is not one. */
static bool option_break(const char *cmd, size_t start, size_t bp)
{
	size_t w = bp;

	if (cmd[bp + 1] == '-')
		return true;
	while (w > start && cmd[w - 1] != ' ')
		w--;
	return cmd[w] != '-';
}

/* A word too long for its line, split inside it so that the shell still
 * reads one word: where it is single-quoted, the quote is closed before the
 * line's backslash and opened again on the next line ('abc'\ + 'def'); where
 * it is bare, a backslash alone (abc\ + def). Either way the next line must
 * start at column 0: spaces there would end the word. From start, in quotes
 * when quoted, the last split that leaves room columns for the text and the
 * ending; 0 when none does. *q_at says whether the split is in quotes. */
static size_t split_word(const char *cmd, size_t start, bool quoted, int room, bool *q_at)
{
	size_t best = 0, at_space = 0;
	bool q = quoted, esc = false, q_space = false;

	for (size_t i = start; cmd[i] && (q || esc || cmd[i] != ' ');) {
		size_t len = 1;
		char c = cmd[i];

		while (((unsigned char)cmd[i + len] & 0xc0) == 0x80)
			len++;
		if (esc)
			esc = false;
		else if (c == '\'' )
			q = !q;
		else if (c == '\\' && !q)
			esc = true;
		else if (c == '"' || c == '$' || c == '`')
			break; /* double quotes and expansions: not split here */
		i += len;
		if (i > start && !esc && cmd[i] && cmd[i] != ' ' &&
		    tui_nwidth(cmd + start, i - start) + (q ? 2 : 1) <= room) {
			best = i;
			*q_at = q;
			/* Best after a quoted space: the line ends between words. */
			if (q && cmd[i - 1] == ' ') {
				at_space = i;
				q_space = q;
			}
		}
	}
	if (at_space && tui_nwidth(cmd + start, at_space - start) * 2 >= room) {
		*q_at = q_space;
		return at_space;
	}
	return best;
}

void tui_doc_command(struct tui_doc *d, const char *cmd, int width, int indent)
{
	size_t *bp = NULL;
	size_t nbp = break_points(cmd, &bp);
	size_t start = 0;
	int cont = indent + 4; /* continuation lines: indented further */
	bool first = true, in_word = false, reopen = false;

	/* Room for " \" at the end of a broken line. */
	while (cmd[start]) {
		int at = first ? indent : in_word ? 0 : cont;
		int avail = width - at - (reopen ? 1 : 0);
		int room = avail - 2;
		size_t rest = strlen(cmd + start);
		size_t cut = 0, split;
		bool q_at = false;
		struct tui_line *l;

		l = tui_doc_line(d, at);
		if (reopen)
			tui_line_add(l, "'", TC_COMMAND);
		if (tui_nwidth(cmd + start, rest) <= avail) {
			tui_line_add(l, cmd + start, TC_COMMAND);
			break;
		}
		/* The last break point that fits, preferring one that keeps an
		 * option beside its value; else the first one after. */
		size_t good = 0;
		for (size_t i = 0; i < nbp; i++) {
			if (bp[i] <= start)
				continue;
			if (tui_nwidth(cmd + start, bp[i] - start) <= room) {
				cut = bp[i];
				if (option_break(cmd, start, bp[i]))
					good = bp[i];
			} else {
				if (!cut)
					cut = bp[i];
				break;
			}
		}
		/* A good break, unless it leaves the line less than half full. */
		if (good && tui_nwidth(cmd + start, good - start) * 2 >= room)
			cut = good;
		/* The first word alone is too long: split it inside. */
		if (tui_nwidth(cmd + start, (cut ? cut : start + rest) - start) > room &&
		    (split = split_word(cmd, start, reopen, avail, &q_at)) > start) {
			tui_line_addn(l, cmd + start, split - start, TC_COMMAND);
			tui_line_add(l, q_at ? "'\\" : "\\", TC_COMMAND);
			start = split;
			reopen = q_at;
			in_word = true;
			first = false;
			continue;
		}
		if (!cut) {
			tui_line_add(l, cmd + start, TC_COMMAND);
			break;
		}
		tui_line_addn(l, cmd + start, cut - start, TC_COMMAND);
		tui_line_add(l, " \\", TC_COMMAND);
		start = cut + 1;
		first = false;
		in_word = reopen = false;
	}
	free(bp);
}

/* --- drawing and pages ---------------------------------------------------------------- */

void tui_doc_draw(WINDOW *w, const struct tui_doc *d, size_t top, int y0, int x0, int rows,
		  int cols)
{
	for (int r = 0; r < rows; r++) {
		size_t i = top + (size_t)r;
		const struct tui_line *l;
		int x;

		if (i >= d->n)
			break;
		l = &d->v[i];
		x = x0 + l->indent;
		for (size_t j = 0; j < l->n && x < x0 + cols; j++)
			x += tui_put(w, y0 + r, x, x0 + cols - x, l->spans[j].text, l->spans[j].color);
	}
}

/* Whether the line ends a sentence (or a lead-in to a list: ':'). */
static bool line_ends_sentence(const struct tui_line *l)
{
	for (size_t k = l->n; k-- > 0;) {
		const char *t = l->spans[k].text;
		size_t n = t ? strlen(t) : 0;
		while (n && (t[n - 1] == ' ' || t[n - 1] == ')' || t[n - 1] == '"' ||
			     t[n - 1] == '*' || t[n - 1] == '`'))
			n--;
		if (n)
			return strchr(".!?:", t[n - 1]) != NULL;
	}
	return false;
}

/* Where a full page [at, i) ends best: after its last blank line (between
 * paragraphs), else after its last line that ends a sentence, else at i. */
static size_t page_end(const struct tui_doc *d, size_t at, size_t i)
{
	for (size_t j = i; j > at + 1; j--)
		if (d->v[j - 1].n == 0)
			return j;
	for (size_t j = i; j > at + 1; j--)
		if (line_ends_sentence(&d->v[j - 1]))
			return j;
	return i;
}

size_t *tui_doc_pages(const struct tui_doc *d, int rows, size_t *count)
{
	size_t *v = xmalloc(sizeof(*v));
	size_t n = 1, at = 0;

	v[0] = 0;
	if (rows < 1)
		rows = 1;
	for (size_t i = 1; i < d->n; i++) {
		bool full = i - at >= (size_t)rows;

		if (!d->v[i].page_break && !full)
			continue;
		/* A full page breaks between paragraphs, not inside a sentence. */
		if (full && !d->v[i].page_break)
			i = page_end(d, at, i);
		/* A page does not start with blank lines. */
		while (i < d->n && d->v[i].n == 0 && !d->v[i].page_break)
			i++;
		if (i >= d->n)
			break;
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = at = i;
	}
	*count = n;
	return v;
}

/* --- commands as shown ------------------------------------------------------ */

/* The end of the shell word at p (as util_shell_quote writes them: bare,
 * or in single quotes with '\'' for a quote). */
static const char *word_end(const char *p)
{
	bool quoted = false;

	for (; *p; p++) {
		if (*p == '\'')
			quoted = !quoted;
		else if (*p == '\\' && !quoted && p[1])
			p++;
		else if (*p == ' ' && !quoted)
			break;
	}
	return p;
}

/* Whether the shell word [w, end) is one of isolab's own labels, the
 * bookkeeping it finds its containers by (isolab.session, isolab.lab...);
 * isolab.reason.* is the lab's own lesson and stays. */
static bool bookkeeping_label(const char *w, const char *end)
{
	if (*w == '\'')
		w++;
	return end - w > 7 && strncmp(w, "isolab.", 7) == 0 && strncmp(w, "isolab.reason.", 14) != 0;
}

/* The same command without isolab's own --label isolab.* options, each word
 * kept as it is quoted: pasted, it runs the same container without them. */
char *tui_cmd_without_labels(const char *cmd)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = cmd;

	while (*p) {
		const char *w = p + (*p == ' '), *e = word_end(w);
		if ((size_t)(e - w) == strlen("--label") && strncmp(w, "--label", 7) == 0 && *e == ' ' &&
		    bookkeeping_label(e + 1, word_end(e + 1))) {
			p = word_end(e + 1);
			continue;
		}
		strbuf_add(&sb, p, (size_t)(e - p));
		p = e;
	}
	return strbuf_detach(&sb);
}
