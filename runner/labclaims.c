/* labclaims.c: a hint says only what the step checks. A learner who reads
 * "Solution: ... the kernel refuses" and then sees the kernel allow it stops
 * trusting every other line, so a hint (the solution included) that names
 * a claim must name one an expectation of its step checks:
 *
 *   - a capability (cap_...): a `cap` expectation names it;
 *   - an action id of the step: an `action` expectation checks that action;
 *   - a container of the step, written as `code`: an expectation names the
 *     container (an action expectation: the container its action runs in);
 *   - an outcome: "allowed", "allows", "succeeds", "reads" need an action
 *     expectation with result allowed; "denied", "refused", "refuses",
 *     "fails" one with result denied.
 *
 * An expectation under `when:` counts: it checks on the hosts it names, and
 * the hint is shown beside it there. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "labclaims.h"
#include "util.h"

static const char *const allowed_words[] = {"allowed", "allows", "succeeds", "reads"};
static const char *const denied_words[] = {"denied", "refused", "refuses", "fails"};

static bool in_list(const char *w, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(w, list[i]) == 0)
			return true;
	return false;
}

static bool checks_cap(const struct lab_step *st, const char *cap)
{
	for (size_t i = 0; i < st->n_expects; i++) {
		const struct lab_expect *x = &st->expects[i];
		if (x->kind == LAB_EXPECT_CAP && x->cap.name && strcmp(x->cap.name, cap) == 0)
			return true;
	}
	return false;
}

static const struct lab_action *action_of(const struct lab_step *st, const char *id)
{
	for (size_t i = 0; i < st->n_actions; i++)
		if (st->actions[i].id && strcmp(st->actions[i].id, id) == 0)
			return &st->actions[i];
	return NULL;
}

static bool checks_action(const struct lab_step *st, const char *id)
{
	for (size_t i = 0; i < st->n_expects; i++) {
		const struct lab_expect *x = &st->expects[i];
		if (x->kind == LAB_EXPECT_ACTION && x->action.id && strcmp(x->action.id, id) == 0)
			return true;
	}
	return false;
}

static bool checks_result(const struct lab_step *st, enum lab_result r)
{
	for (size_t i = 0; i < st->n_expects; i++)
		if (st->expects[i].kind == LAB_EXPECT_ACTION && st->expects[i].action.result == r)
			return true;
	return false;
}

static bool checks_container(const struct lab_step *st, const char *name)
{
	for (size_t i = 0; i < st->n_expects; i++) {
		const struct lab_expect *x = &st->expects[i];
		const struct lab_action *a;
		if (x->container && strcmp(x->container, name) == 0)
			return true;
		if (x->kind == LAB_EXPECT_ACTION && x->action.id &&
		    (a = action_of(st, x->action.id)) && a->in && strcmp(a->in, name) == 0)
			return true;
	}
	return false;
}

static bool is_container(const struct lab_step *st, const char *name)
{
	for (size_t i = 0; i < st->n_containers; i++)
		if (st->containers[i].name && strcmp(st->containers[i].name, name) == 0)
			return true;
	return false;
}

/* What word w of a hint claims that no expectation checks: NULL when
 * nothing. code: w was written between backticks. */
static char *unchecked(const struct lab_step *st, const char *w, bool code)
{
	if (util_str_has_prefix(w, "cap_") && !checks_cap(st, w))
		return xasprintf("names %s, but no cap expectation of the step checks it", w);
	if (action_of(st, w) && !checks_action(st, w))
		return xasprintf("names action '%s', but no expectation of the step checks it", w);
	if (code && is_container(st, w) && !checks_container(st, w))
		return xasprintf("names container '%s', but no expectation of the step checks it", w);
	if (in_list(w, allowed_words, ARRAY_SIZE(allowed_words)) &&
	    !checks_result(st, LAB_RESULT_ALLOWED))
		return xasprintf("says '%s', but no action expectation of the step has result allowed",
				 w);
	if (in_list(w, denied_words, ARRAY_SIZE(denied_words)) &&
	    !checks_result(st, LAB_RESULT_DENIED))
		return xasprintf("says '%s', but no action expectation of the step has result denied",
				 w);
	return NULL;
}

static bool word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-';
}

/* The first claim of one hint no expectation checks, or NULL. */
static char *hint_unchecked(const struct lab_step *st, const char *hint)
{
	bool code = false;
	const char *p = hint;

	while (*p) {
		if (!word_char(*p)) {
			code ^= *p == '`';
			p++;
			continue;
		}
		size_t n = 0;
		while (word_char(p[n]))
			n++;
		cleanup_free char *w = xstrndup(p, n);
		p += n;
		for (char *q = w; *q; q++)
			*q = (char)tolower((unsigned char)*q);
		/* A trailing '-' is punctuation, not the word. */
		for (size_t k = strlen(w); k > 0 && w[k - 1] == '-'; k--)
			w[k - 1] = '\0';
		char *why = unchecked(st, w, code);
		if (why)
			return why;
	}
	return NULL;
}

void lab_claims_check(const struct lab_step *st, lab_claims_problem_fn report, void *user)
{
	for (size_t i = 0; i < st->hints.n; i++) {
		cleanup_free char *why = hint_unchecked(st, st->hints.v[i]);
		if (!why)
			continue;
		cleanup_free char *msg = xasprintf(
			"%s %s (a hint claims only what an expectation of step '%s' checks)",
			i + 1 == st->hints.n ? "the solution" : "a hint", why, st->id ? st->id : "?");
		report(user, &st->hints.pos[i], msg);
	}
}
