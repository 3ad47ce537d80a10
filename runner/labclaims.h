/* labclaims.h: a hint or a solution claims only what an expectation of its
 * step checks (the rule: labclaims.c, docs/authoring-labs.md). */
#ifndef ISOLAB_LABCLAIMS_H
#define ISOLAB_LABCLAIMS_H
#include "lab.h"

typedef void (*lab_claims_problem_fn)(void *user, const struct lab_pos *pos, const char *msg);

/* Report, at the hint, each hint of st that names a capability, an action,
 * a container or an outcome no expectation of st checks. */
void lab_claims_check(const struct lab_step *st, lab_claims_problem_fn report, void *user);
#endif
