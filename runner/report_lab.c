/* report_lab.c: a lab file's problems, one FILE:LINE:COL: message a line
 * (lab_problem_format says each). */
#include "lab.h"

#include <stdlib.h>

void lab_problems_print(const struct lab_problems *p, FILE *out)
{
	for (size_t i = 0; i < p->n; i++) {
		cleanup_free char *s = lab_problem_format(&p->v[i]);
		fprintf(out, "%s\n", s);
	}
}
