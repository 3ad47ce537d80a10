/* tui_term.c: whether TERM can carry the lab runner. Apart from tui.c,
 * and without tui.h: <term.h> defines macros (lines, columns, cur_term)
 * that clash with ordinary names elsewhere. Declared in tui.h. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <curses.h>
#include <term.h>

bool tui_term_usable(FILE *out);

/* TERM must name a terminal terminfo knows and that can move its cursor:
 * TERM=dumb would show a blank screen, an unknown TERM ncurses' own exit. */
bool tui_term_usable(FILE *out)
{
	const char *term = getenv("TERM");
	int err = 0;
	bool ok;
	char *cup;

	if (!term || !*term) {
		fputs("isolab: TERM is not set: the lab runner needs a terminal that terminfo "
		      "knows (e.g. TERM=xterm-256color); without one, use `isolab run LAB`\n",
		      out);
		return false;
	}
	if (setupterm(term, STDOUT_FILENO, &err) != OK) {
		fprintf(out,
			"isolab: TERM=%s is not a terminal that terminfo knows: the lab runner "
			"needs one (e.g. TERM=xterm-256color); without one, use `isolab run LAB`\n",
			term);
		return false;
	}
	cup = tigetstr("cup");
	ok = cup && cup != (char *)-1;
	del_curterm(cur_term);
	if (!ok)
		fprintf(out,
			"isolab: TERM=%s cannot move the cursor: the lab runner needs a full-screen "
			"terminal (e.g. TERM=xterm-256color); without one, use `isolab run LAB`\n",
			term);
	return ok;
}
