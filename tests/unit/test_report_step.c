/* test_report_step.c: `isolab run`'s text of a step, rendered by the report
 * layer from the comparison model of recorded transcripts
 * (tests/fixtures/tui): each part is there, in its order; --privileged's
 * approximation and what the kernel could grant; the marks in UTF-8 and
 * ASCII; colour only when asked for; a failed step says so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "compare.h"
#include "report.h"
#include "testutil.h"

static json_t *load(const char *name)
{
	cleanup_free char *path = xasprintf("tui/%s", name);
	return tu_fixture_json(path);
}

/* The text of transcript tr, as run prints it with o. Malloc'd. */
static char *render(json_t *tr, const struct report_opts *o)
{
	struct cmp_step s;
	struct err e = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	if (cmp_step_decode(tr, NULL, &s, &e) < 0)
		fail_msg("decode: %s", e.msg);
	report_step_text(out, &s, o);
	cmp_step_free(&s);
	assert_int_equal(fclose(out), 0);
	return buf;
}

/* Each of want[] in text, in that order. */
static void in_order(const char *text, const char *const *want, size_t n)
{
	const char *at = text;

	for (size_t i = 0; i < n; i++) {
		const char *p = strstr(at, want[i]);
		if (!p)
			fail_msg("missing, or out of order: \"%s\" in:\n%s", want[i], text);
		at = p + strlen(want[i]);
	}
}

static void test_privileged_parts(void **state)
{
	static const struct report_opts o = {.color = false, .ascii = false};
	static const char *const want[] = {
		"Note: priv asks for --privileged, which this host cannot grant in full.",
		"It ran as: --cap-add ALL --cap-drop SYS_RESOURCE",
		"  - left out: cap_sys_resource",
		"What the kernel says",
		"default",
		"host pid",
		"priv",
		"37 (effective 0000003ffeffffff)",
		"beyond Docker's default",
		"cap_sys_admin",
		"seccomp disabled",
		"priv against default",
		"DIFFERENCE",
		"cap_sys_admin",
		"! way out:",
		"Expectations",
		"  \u2713 priv: runs privileged (approximated on this host)",
		"Removed 2 containers.",
	};
	json_t *tr = load("capabilities.privileged.json");
	cleanup_free char *text = render(tr, &o);

	(void)state;
	in_order(text, want, ARRAY_SIZE(want));
	/* The recording has no grantable set: no count is made up. */
	assert_null(strstr(text, "capabilities this kernel knows"));
	assert_null(strstr(text, "\033["));
	assert_null(strstr(text, "The step stopped"));
	json_decref(tr);
}

static void test_grantable(void **state)
{
	static const struct report_opts o = {0};
	json_t *tr = load("capabilities.privileged.json");
	json_t *priv = json_object_get(json_array_get(json_object_get(tr, "containers"), 1),
				       "privileged");

	(void)state;
	assert_true(json_is_object(priv));
	/* 41 capabilities; the container holds 37 of them. */
	json_object_set_new(priv, "grantable", json_pack("{s:s}", "hex", "000001ffffffffff"));
	cleanup_free char *text = render(tr, &o);
	assert_non_null(strstr(text, "priv holds 37 of the 41 capabilities this kernel knows; "
				     "not granted: cap_sys_resource cap_perfmon cap_bpf "
				     "cap_checkpoint_restore\n"));
	/* All of them granted: nothing is named. */
	json_object_set_new(priv, "grantable", json_pack("{s:s}", "hex", "0000003ffeffffff"));
	cleanup_free char *all = render(tr, &o);
	assert_non_null(strstr(all, "priv holds 37 of the 37 capabilities this kernel knows.\n"));
	json_decref(tr);
}

static void test_ascii_and_colour(void **state)
{
	static const struct report_opts ascii = {.ascii = true};
	static const struct report_opts colour = {.color = true};
	json_t *tr = load("host-mounts.docker-socket.json");
	cleanup_free char *a = render(tr, &ascii);
	cleanup_free char *c = render(tr, &colour);

	(void)state;
	for (const unsigned char *p = (const unsigned char *)a; *p; p++)
		if (*p > 0x7f)
			fail_msg("a byte over 0x7f in the ASCII text: \"%.40s\"", (const char *)p);
	assert_non_null(strstr(a, "\n  ok   "));
	assert_non_null(strstr(a, "socket "));
	assert_non_null(strstr(c, "\033["));
	/* Colour adds to the words, never replaces them. */
	assert_non_null(strstr(c, "Expectations"));
	json_decref(tr);
}

static void test_failed_step(void **state)
{
	static const struct report_opts o = {0};
	json_t *tr = load("nsenter.enter-container.json");
	json_t *exps = json_object_get(tr, "expectations");

	(void)state;
	assert_true(json_array_size(exps) > 0);
	json_object_set_new(json_array_get(exps, 0), "held", json_false());
	json_object_set_new(json_array_get(exps, 0), "seen", json_string("something else"));
	json_object_set_new(tr, "error", json_string("the engine does not answer"));
	cleanup_free char *text = render(tr, &o);
	assert_non_null(strstr(text, "  \u2717 "));
	assert_non_null(strstr(text, "      seen: something else\n"));
	assert_non_null(strstr(text, "\nThe step stopped: the engine does not answer\n"));
	json_decref(tr);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_privileged_parts),
		cmocka_unit_test(test_grantable),
		cmocka_unit_test(test_ascii_and_colour),
		cmocka_unit_test(test_failed_step),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
