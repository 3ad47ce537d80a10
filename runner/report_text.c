/* report_text.c: what every text rendering of the report layer shares:
 * the one colour vocabulary (tones named by meaning, mapped here and only
 * here to the sequences libsmartcols and the terminal take), the
 * terminal's width, a word wrapper that counts terminal columns (wcwidth),
 * never bytes, so it neither splits a UTF-8 sequence nor miscounts a wide
 * character, and the libsmartcols set-up of a table whose cells it wraps. */
#include "report.h"

#include <libsmartcols.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <wchar.h>

const char *report_tone_color(enum report_tone t)
{
	switch (t) {
	case TONE_ALARM:
		return "\033[1;31m";
	case TONE_BAD:
		return "\033[31m";
	case TONE_WARN:
		return "\033[33m";
	case TONE_GOOD:
		return "\033[32m";
	case TONE_PLAIN:
		break;
	}
	return NULL;
}

void report_toned(FILE *out, enum report_tone t, const char *text, bool color)
{
	const char *seq = color ? report_tone_color(t) : NULL;

	if (seq)
		fprintf(out, "%s%s\033[0m", seq, text);
	else
		fputs(text, out);
}

size_t report_term_width(FILE *out)
{
	struct winsize ws;
	int fd = fileno(out);

	if (fd < 0 || !isatty(fd) || ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0)
		return 0;
	return ws.ws_col;
}

/* The bytes and the columns of the character at s (len bytes left): a
 * byte that does not start a character of the locale counts as one
 * column, as a terminal shows a replacement for it. */
static size_t char_at(const char *s, size_t len, size_t *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t n;
	int w;

	memset(&st, 0, sizeof(st));
	n = mbrtowc(&wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cols = 1;
		return 1;
	}
	w = wcwidth(wc);
	*cols = w < 0 ? 1 : (size_t)w;
	return n;
}

size_t report_text_width(const char *text)
{
	size_t len = strlen(text), at = 0, cols = 0;

	while (at < len) {
		size_t w;
		at += char_at(text + at, len - at, &w);
		cols += w;
	}
	return cols;
}

/* Where the line starting at p ends when it may take width columns: after
 * the last space that fits, or (one word longer than the line) after the
 * last character that fits, at least one. *rest: p holds no more than
 * width columns, so all of it is the line. */
static size_t line_cut(const char *p, size_t width, bool *rest)
{
	size_t len = strlen(p), at = 0, cols = 0, space = 0, fit = 0;

	*rest = false;
	while (at < len) {
		size_t w, n = char_at(p + at, len - at, &w);
		if (cols + w > width)
			break;
		cols += w;
		at += n;
		fit = at;
		if (p[at] == ' ')
			space = at;
	}
	if (at >= len) {
		*rest = true;
		return len;
	}
	if (space)
		return space;
	if (fit)
		return fit;
	{
		size_t w;
		return char_at(p, len, &w);
	}
}

char *report_word_wrap(const char *text, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	const char *p = text;

	while (*p) {
		bool rest;
		size_t cut = line_cut(p, width, &rest);

		if (sb.len)
			strbuf_addc(&sb, '\n');
		strbuf_add(&sb, p, cut);
		p += cut;
		while (*p == ' ')
			p++;
	}
	return strbuf_detach(&sb);
}

struct libscols_table *report_table_new(size_t tw, const struct report_opts *o)
{
	struct libscols_table *tb = scols_new_table();

	if (!tb)
		abort();
	scols_table_enable_colors(tb, o->color);
	scols_table_enable_noencoding(tb, o->ascii);
	scols_table_enable_ascii(tb, o->ascii); /* the tree's lines too */
	/* libsmartcols asks isatty(1) itself: tell it what the stream is. */
	if (tw) {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_ALWAYS);
		scols_table_set_termwidth(tb, tw);
	} else {
		scols_table_set_termforce(tb, SCOLS_TERMFORCE_NEVER);
	}
	return tb;
}

struct libscols_column *report_table_column(struct libscols_table *tb, const char *name,
					    double whint, int flags)
{
	struct libscols_column *cl = scols_table_new_column(tb, name, whint, flags);

	if (!cl)
		abort();
	if (flags & SCOLS_FL_WRAP) {
		scols_column_set_wrapfunc(cl, scols_wrapnl_chunksize, scols_wrapnl_nextchunk, NULL);
		scols_column_set_safechars(cl, "\n");
	}
	return cl;
}

size_t report_cell_width(size_t tw, size_t left)
{
	if (!tw)
		return 0;
	return tw > left + 30 ? tw - left - 1 : 30;
}

char *report_cell_wrap(const char *text, size_t width)
{
	return width ? report_word_wrap(text, width) : xstrdup(text);
}

void report_wrap(FILE *out, const char *indent, const char *text, size_t width)
{
	cleanup_free char *w = report_word_wrap(text, width);

	for (char *line = w, *next; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		fprintf(out, "%s%s\n", indent, line);
	}
}
