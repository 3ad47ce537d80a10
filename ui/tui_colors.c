/* tui_colors.c: the TUI's colours, named by meaning, in schemes as htop's
 * CRT_colors: one table row per scheme. The monochrome schemes use only
 * attributes (bold, underline, reverse), and every mark the screens draw
 * (✓ ✗ + − !) carries its meaning without colour; colour only adds to it. */
#include "tui.h"

struct tui_colordef {
	short fg, bg; /* -1: the terminal's default; both -1 and no pair: attributes only */
	attr_t attr;
};

#define D (-1)
#define C(fg, bg, a) {COLOR_##fg, COLOR_##bg, (a)}
#define CD(fg, a) {COLOR_##fg, D, (a)}
#define A(a) {D, D, (a)}

static const struct tui_colordef schemes[TUI_SCHEME_COUNT][TC_COUNT] = {
	[TUI_SCHEME_COLOR] = {
		[TC_NORMAL] = A(A_NORMAL),
		[TC_TITLE] = C(BLACK, CYAN, A_BOLD),
		[TC_TITLE_DIM] = C(BLACK, CYAN, A_NORMAL),
		[TC_BAR] = C(BLACK, CYAN, A_NORMAL),
		[TC_BAR_KEY] = A(A_BOLD),
		[TC_HEADING] = CD(YELLOW, A_BOLD),
		[TC_STRONG] = A(A_BOLD),
		[TC_EMPH] = CD(CYAN, A_NORMAL),
		[TC_CODE] = CD(GREEN, A_NORMAL),
		[TC_CODEBLOCK] = CD(GREEN, A_NORMAL),
		[TC_COMMAND] = CD(CYAN, A_BOLD),
		[TC_DIM] = A(A_DIM),
		[TC_SELECTED] = C(BLACK, CYAN, A_NORMAL),
		[TC_OK] = CD(GREEN, A_BOLD),
		[TC_FAIL] = CD(RED, A_BOLD),
		[TC_WARN] = CD(YELLOW, A_BOLD),
		[TC_INFO] = CD(BLUE, A_BOLD),
		[TC_ADDED] = CD(GREEN, A_BOLD),
		[TC_REMOVED] = CD(RED, A_NORMAL),
		[TC_DANGER] = C(WHITE, RED, A_BOLD),
		[TC_SHARED] = CD(MAGENTA, A_BOLD),
		[TC_PROOF] = CD(YELLOW, A_NORMAL),
		[TC_FRAME] = CD(BLUE, A_NORMAL),
		[TC_MESSAGE] = CD(YELLOW, A_BOLD),
		[TC_HINT] = CD(CYAN, A_NORMAL),
		[TC_QUESTION] = CD(YELLOW, A_BOLD),
		[TC_SPINNER] = CD(CYAN, A_BOLD),
	},
	[TUI_SCHEME_MONO] = {
		[TC_NORMAL] = A(A_NORMAL),
		[TC_TITLE] = A(A_REVERSE | A_BOLD),
		[TC_TITLE_DIM] = A(A_REVERSE),
		[TC_BAR] = A(A_REVERSE),
		[TC_BAR_KEY] = A(A_BOLD),
		[TC_HEADING] = A(A_BOLD | A_UNDERLINE),
		[TC_STRONG] = A(A_BOLD),
		[TC_EMPH] = A(A_UNDERLINE),
		[TC_CODE] = A(A_BOLD),
		[TC_CODEBLOCK] = A(A_NORMAL),
		[TC_COMMAND] = A(A_BOLD),
		[TC_DIM] = A(A_DIM),
		[TC_SELECTED] = A(A_REVERSE),
		[TC_OK] = A(A_BOLD),
		[TC_FAIL] = A(A_BOLD),
		[TC_WARN] = A(A_BOLD),
		[TC_INFO] = A(A_NORMAL),
		[TC_ADDED] = A(A_BOLD),
		[TC_REMOVED] = A(A_NORMAL),
		[TC_DANGER] = A(A_REVERSE | A_BOLD),
		[TC_SHARED] = A(A_BOLD),
		[TC_PROOF] = A(A_BOLD),
		[TC_FRAME] = A(A_NORMAL),
		[TC_MESSAGE] = A(A_BOLD),
		[TC_HINT] = A(A_NORMAL),
		[TC_QUESTION] = A(A_BOLD),
		[TC_SPINNER] = A(A_BOLD),
	},
	/* A projector washes out thin and dim text: everything bold on black. */
	[TUI_SCHEME_PRESENT] = {
		[TC_NORMAL] = C(WHITE, BLACK, A_BOLD),
		[TC_TITLE] = C(BLACK, WHITE, A_BOLD),
		[TC_TITLE_DIM] = C(BLACK, WHITE, A_BOLD),
		[TC_BAR] = C(BLACK, WHITE, A_NORMAL),
		[TC_BAR_KEY] = C(WHITE, BLACK, A_BOLD),
		[TC_HEADING] = C(YELLOW, BLACK, A_BOLD),
		[TC_STRONG] = C(WHITE, BLACK, A_BOLD | A_UNDERLINE),
		[TC_EMPH] = C(CYAN, BLACK, A_BOLD),
		[TC_CODE] = C(GREEN, BLACK, A_BOLD),
		[TC_CODEBLOCK] = C(GREEN, BLACK, A_BOLD),
		[TC_COMMAND] = C(CYAN, BLACK, A_BOLD),
		[TC_DIM] = C(WHITE, BLACK, A_BOLD),
		[TC_SELECTED] = C(BLACK, YELLOW, A_BOLD),
		[TC_OK] = C(GREEN, BLACK, A_BOLD),
		[TC_FAIL] = C(RED, BLACK, A_BOLD),
		[TC_WARN] = C(YELLOW, BLACK, A_BOLD),
		[TC_INFO] = C(CYAN, BLACK, A_BOLD),
		[TC_ADDED] = C(GREEN, BLACK, A_BOLD),
		[TC_REMOVED] = C(RED, BLACK, A_BOLD),
		[TC_DANGER] = C(WHITE, RED, A_BOLD),
		[TC_SHARED] = C(MAGENTA, BLACK, A_BOLD),
		[TC_PROOF] = C(YELLOW, BLACK, A_BOLD),
		[TC_FRAME] = C(WHITE, BLACK, A_BOLD),
		[TC_MESSAGE] = C(YELLOW, BLACK, A_BOLD),
		[TC_HINT] = C(CYAN, BLACK, A_BOLD),
		[TC_QUESTION] = C(YELLOW, BLACK, A_BOLD),
		[TC_SPINNER] = C(YELLOW, BLACK, A_BOLD),
	},
	[TUI_SCHEME_PRESENT_MONO] = {
		[TC_NORMAL] = A(A_BOLD),
		[TC_TITLE] = A(A_REVERSE | A_BOLD),
		[TC_TITLE_DIM] = A(A_REVERSE | A_BOLD),
		[TC_BAR] = A(A_REVERSE),
		[TC_BAR_KEY] = A(A_BOLD),
		[TC_HEADING] = A(A_BOLD | A_UNDERLINE),
		[TC_STRONG] = A(A_BOLD | A_UNDERLINE),
		[TC_EMPH] = A(A_BOLD | A_UNDERLINE),
		[TC_CODE] = A(A_BOLD),
		[TC_CODEBLOCK] = A(A_BOLD),
		[TC_COMMAND] = A(A_BOLD),
		[TC_DIM] = A(A_BOLD),
		[TC_SELECTED] = A(A_REVERSE | A_BOLD),
		[TC_OK] = A(A_BOLD),
		[TC_FAIL] = A(A_BOLD),
		[TC_WARN] = A(A_BOLD),
		[TC_INFO] = A(A_BOLD),
		[TC_ADDED] = A(A_BOLD),
		[TC_REMOVED] = A(A_BOLD),
		[TC_DANGER] = A(A_REVERSE | A_BOLD),
		[TC_SHARED] = A(A_BOLD),
		[TC_PROOF] = A(A_BOLD),
		[TC_FRAME] = A(A_BOLD),
		[TC_MESSAGE] = A(A_BOLD),
		[TC_HINT] = A(A_BOLD),
		[TC_QUESTION] = A(A_BOLD),
		[TC_SPINNER] = A(A_BOLD),
	},
};

#undef D
#undef C
#undef CD
#undef A

static attr_t cur_attr[TC_COUNT];
static short cur_pair[TC_COUNT];

void tui_colors_init(enum tui_scheme scheme, bool has_colors)
{
	short next = 1;

	/* A terminal without colours gets the matching attribute scheme. */
	if (!has_colors && scheme == TUI_SCHEME_COLOR)
		scheme = TUI_SCHEME_MONO;
	if (!has_colors && scheme == TUI_SCHEME_PRESENT)
		scheme = TUI_SCHEME_PRESENT_MONO;
	for (int i = 0; i < TC_COUNT; i++) {
		const struct tui_colordef *c = &schemes[scheme][i];

		cur_attr[i] = c->attr;
		cur_pair[i] = 0;
		if (!has_colors || (c->fg < 0 && c->bg < 0))
			continue;
		/* Pairs are made per scheme; reuse one already made alike. */
		for (int j = 0; j < i; j++) {
			const struct tui_colordef *o = &schemes[scheme][j];
			if (cur_pair[j] && o->fg == c->fg && o->bg == c->bg) {
				cur_pair[i] = cur_pair[j];
				break;
			}
		}
		if (!cur_pair[i] && next < COLOR_PAIRS) {
			init_pair(next, c->fg, c->bg);
			cur_pair[i] = next++;
		}
	}
}

attr_t tui_attr(enum tui_color c)
{
	return cur_attr[c];
}

short tui_pair(enum tui_color c)
{
	return cur_pair[c];
}

void tui_style(WINDOW *w, enum tui_color c)
{
	wattr_set(w, cur_attr[c], cur_pair[c], NULL);
}
