/* test_compare.c: the comparison model decoded from recorded step
 * transcripts (tests/fixtures/tui) and edits of them (tests/fixtures/compare). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "testutil.h"

static void decode(const char *name, bool bounding, struct cmp_step *s)
{
	json_t *j = tu_fixture_json(name);
	struct cmp_opts o = {.bounding = bounding};
	struct err e = {0};

	if (cmp_step_decode(j, &o, s, &e) < 0)
		fail_msg("%s: %s", name, e.msg);
	json_decref(j);
}

static const struct cmp_item *find_item(const struct cmp_pair *p, const char *label)
{
	for (size_t i = 0; i < p->n_items; i++)
		if (strcmp(p->items[i].label, label) == 0)
			return &p->items[i];
	return NULL;
}

static void default_set(void **state)
{
	struct cmp_step s;
	(void)state;

	decode("tui/capabilities.default-set.json", false, &s);
	assert_int_equal(s.n_containers, 1);
	assert_string_equal(s.containers[0].name, "default");
	assert_true(s.containers[0].reference);
	assert_true(s.containers[0].inspected);
	/* The masks come from the transcript's hex, not from names. */
	assert_true(s.containers[0].caps[CAPS_EFFECTIVE] == CAPS_DOCKER_DEFAULT);
	assert_true(cmp_caps_beyond_default(&s.containers[0]) == 0);
	assert_true(cmp_caps_dropped_from_default(&s.containers[0]) == 0);
	assert_string_equal(s.containers[0].seccomp, "filter");
	assert_null(s.containers[0].lsm);
	assert_int_equal(s.n_pairs, 0);
	assert_int_equal(s.n_actions, 2);
	assert_int_equal(s.n_expects, 6);
	assert_int_equal(s.held, 6);
	assert_true(cmp_step_ok(&s));
	/* An expected denial is as expected, not a warning. */
	assert_string_equal(s.actions[1].id, "mount");
	assert_int_equal(s.actions[1].mark, CMP_MARK_DENIED);
	assert_string_equal(s.actions[1].expected, "denied");
	assert_true(s.actions[1].as_expected);
	assert_int_equal(s.actions[0].mark, CMP_MARK_ALLOWED);
	assert_null(s.actions[0].proof); /* a probe without output: its detail says it */
	assert_non_null(s.actions[0].detail);
	cmp_step_free(&s);
}

static void drop_all(void **state)
{
	struct cmp_step s;
	const struct cmp_pair *p;
	const struct cmp_item *x;
	(void)state;

	decode("tui/capabilities.drop-all.json", true, &s);
	assert_int_equal(s.n_pairs, 1);
	p = &s.pairs[0];
	assert_string_equal(s.containers[p->ref].name, "default");
	assert_string_equal(s.containers[p->subj].name, "dropped");
	assert_true(s.containers[p->subj].caps[CAPS_EFFECTIVE] == 0);
	/* Every capability of Docker's default is dropped: one grouped row,
	 * whose count comes from the data. */
	cleanup_free char *want = xasprintf("%d dropped", __builtin_popcountll(CAPS_DOCKER_DEFAULT));
	x = find_item(p, want);
	assert_non_null(x);
	assert_int_equal(x->tone, CMP_TONE_REMOVED);
	assert_true(tu_contains(x->note, "cap_chown"));
	/* A lesson about the bounding set: its row, with both sizes. */
	x = find_item(p, "bounding set");
	assert_non_null(x);
	assert_string_equal(x->subj, "0 capabilities");
	assert_int_equal(x->tone, CMP_TONE_REMOVED);
	assert_false(cmp_caps_only_not_root(&s.containers[p->subj]));
	assert_true(tu_contains(p->info[CMP_SEC_CAPS].v[0], "0 held by both"));
	cmp_step_free(&s);

	/* Not about the bounding set, and it differs as the effective set
	 * does: no bounding row. */
	decode("tui/capabilities.drop-all.json", false, &s);
	assert_null(find_item(&s.pairs[0], "bounding set"));
	cmp_step_free(&s);
}

static void privileged(void **state)
{
	struct cmp_step s;
	const struct cmp_item *x;
	const struct cmp_container *priv;
	(void)state;

	decode("tui/capabilities.privileged.json", false, &s);
	priv = &s.containers[1];
	assert_true(priv->approximated);
	assert_true(priv->replacement.n > 0);
	assert_true(priv->left_out.n > 0);
	assert_true(priv->docker_known);
	x = find_item(&s.pairs[0], "cap_sys_admin");
	assert_non_null(x);
	assert_true(x->danger);
	assert_int_equal(x->tone, CMP_TONE_ADDED);
	assert_true(x->weight >= 80);
	x = find_item(&s.pairs[0], "seccomp");
	assert_non_null(x);
	assert_string_equal(x->subj, "disabled");
	assert_int_equal(x->weight, 60);
	/* Sorted: capabilities first, the biggest first within each section. */
	for (size_t i = 1; i < s.pairs[0].n_items; i++) {
		const struct cmp_item *a = &s.pairs[0].items[i - 1], *b = &s.pairs[0].items[i];
		assert_true(a->sec < b->sec || (a->sec == b->sec && a->weight >= b->weight));
	}
	cmp_step_free(&s);
}

static void mounts_and_socket(void **state)
{
	struct cmp_step s;
	const struct cmp_item *x;
	(void)state;

	decode("tui/host-mounts.etc-read-only.json", false, &s);
	x = find_item(&s.pairs[0], "/host-etc");
	assert_non_null(x);
	assert_string_equal(x->host, "/etc");
	assert_string_equal(x->subj, "host bind, read-only");
	assert_true(x->danger);
	assert_int_equal(x->below.n, 0);
	assert_string_equal(s.actions[1].id, "write-etc");
	assert_true(s.actions[1].as_expected);
	cmp_step_free(&s);

	decode("tui/host-mounts.docker-socket.json", false, &s);
	assert_int_equal(s.containers[0].n_dis, 1);
	assert_string_equal(s.containers[0].dis[0].check, "docker-socket-ro");
	assert_non_null(s.containers[0].dis[0].why);
	/* The nonce was found: the proof is the canary. */
	assert_true(s.actions[0].canary_read);
	cmp_step_free(&s);

	decode("tui/host-mounts.etc-read-only.json", false, &s);
	/* "output holds /host-etc/shadow" is no nonce. */
	assert_false(s.actions[0].canary_read);
	cmp_step_free(&s);
}

static void namespaces(void **state)
{
	struct cmp_step s;
	const struct cmp_item *x;
	(void)state;

	decode("tui/nsenter.pid-host.json", false, &s);
	x = find_item(&s.pairs[0], "pid");
	assert_non_null(x);
	assert_string_equal(x->subj, "HOST'S");
	assert_int_equal(x->tone, CMP_TONE_HOST);
	assert_true(x->danger);
	/* pid_for_children follows pid: no row of its own. */
	assert_null(find_item(&s.pairs[0], "pid_for_children"));
	/* An error that was expected is as expected. */
	assert_string_equal(s.actions[0].id, "see-default");
	assert_int_equal(s.actions[0].mark, CMP_MARK_ERROR);
	assert_true(s.actions[0].as_expected);
	cmp_step_free(&s);
}

/* -v /:/host: one row for the bind, its sub-mounts folded under it, each
 * once, Docker's own data left out. */
static void recursive_bind_folded(void **state)
{
	struct cmp_step s;
	const struct cmp_item *x;
	size_t mounts = 0;
	(void)state;

	decode("compare/host-mounts.root-bind.json", false, &s);
	for (size_t i = 0; i < s.pairs[0].n_items; i++)
		mounts += s.pairs[0].items[i].sec == CMP_SEC_MOUNTS;
	assert_int_equal(mounts, 1);
	x = find_item(&s.pairs[0], "/host");
	assert_non_null(x);
	assert_string_equal(x->host, "/");
	assert_int_equal(x->below.n, 6);
	assert_string_equal(x->below.v[0], "/host/proc");
	assert_string_equal(x->below.v[4], "/host/run");
	assert_string_equal(x->below.v[5], "/host/boot/efi");
	assert_null(find_item(&s.pairs[0], "/host/proc"));
	cmp_step_free(&s);
}

static void summary(void **state)
{
	struct cmp_step s;
	(void)state;

	decode("tui/host-mounts.baseline.json", false, &s);
	cleanup_free char *sum = cmp_step_summary(&s);
	assert_true(tu_contains(sum, "4 of 4 expectations held"));
	cmp_step_free(&s);
}

static void bad_shapes(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{\"containers\": 3}",
		"{\"containers\": [{\"name\": 7}]}",
		("{\"containers\": [{\"name\": \"a\", \"inspect\": {\"caps\": "
		 "{\"effective\": {\"hex\": \"xyz\"}}}}]}"),
		"{\"expectations\": [{\"held\": \"yes\"}]}",
		"{\"removed\": [1]}",
		"{\"comparisons\": {}}",
		"{\"containers\": [{\"inspect\": {\"mounts\": 1}}]}",
	};
	(void)state;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *j = json_loads(bad[i], 0, NULL);
		struct cmp_step s;
		struct err e = {0};

		assert_non_null(j);
		if (cmp_step_decode(j, NULL, &s, &e) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(e.kind, ERR_INPUT);
		assert_true(tu_contains(e.msg, "transcript"));
		cmp_step_free(&s);
		json_decref(j);
	}
	/* Nothing at all is no error: an older transcript lacks parts. */
	{
		json_t *j = json_object();
		struct cmp_step s;
		struct err e = {0};
		assert_int_equal(cmp_step_decode(j, NULL, &s, &e), 0);
		assert_int_equal(s.n_containers, 0);
		assert_int_equal(s.elapsed_ms, -1);
		cmp_step_free(&s);
		json_decref(j);
	}
}

static void marks_have_words(void **state)
{
	(void)state;
	for (int m = 0; m < CMP_MARK_COUNT; m++)
		for (int k = m + 1; k < CMP_MARK_COUNT; k++)
			assert_string_not_equal(cmp_mark_word((enum cmp_mark)m),
						cmp_mark_word((enum cmp_mark)k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_set),
		cmocka_unit_test(drop_all),
		cmocka_unit_test(privileged),
		cmocka_unit_test(mounts_and_socket),
		cmocka_unit_test(namespaces),
		cmocka_unit_test(recursive_bind_folded),
		cmocka_unit_test(summary),
		cmocka_unit_test(bad_shapes),
		cmocka_unit_test(marks_have_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
