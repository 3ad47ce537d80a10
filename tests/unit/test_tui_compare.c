/* test_tui_compare.c: the comparison model, laid out into lines at 80
 * columns with no terminal (tui_compare_model_doc, then the plain text of
 * each line), from the recorded transcripts and an edit of one. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "tui.h"

#define COLS 80

/* The lines a screen of COLS columns shows for a transcript. */
static void layout_json(json_t *j, const struct tui_compare_opts *o, struct argv *lines)
{
	struct cmp_opts co = {.bounding = o->bounding};
	struct cmp_step s;
	struct err e = {0};
	struct tui_doc d = {0};

	if (cmp_step_decode(j, &co, &s, &e) < 0)
		fail_msg("%s", e.msg);
	tui_compare_model_doc(&d, &s, o);
	tui_doc_plain(&d, lines);
	tui_doc_free(&d);
	cmp_step_free(&s);
	for (size_t i = 0; i < lines->n; i++)
		if (tui_width(lines->v[i]) > COLS)
			fail_msg("line %zu is wider than %d columns: %s", i, COLS, lines->v[i]);
}

static void layout(const char *name, const struct tui_compare_opts *o, struct argv *lines)
{
	json_t *j = tu_fixture_json(name);
	layout_json(j, o, lines);
	json_decref(j);
}

static size_t count(const struct argv *lines, const char *needle)
{
	size_t n = 0;
	for (size_t i = 0; i < lines->n; i++)
		n += strstr(lines->v[i], needle) != NULL;
	return n;
}

static const char *line_with(const struct argv *lines, const char *needle)
{
	for (size_t i = 0; i < lines->n; i++)
		if (strstr(lines->v[i], needle))
			return lines->v[i];
	return NULL;
}

static int setup(void **state)
{
	(void)state;
	if (!setlocale(LC_ALL, "C.UTF-8"))
		return -1;
	tui_glyphs_init(true);
	return 0;
}

static void privileged_at_80(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	struct argv l = ARGV_INIT;
	const char *row;
	(void)state;

	layout("tui/capabilities.privileged.json", &o, &l);
	assert_non_null(line_with(&l, "--privileged was approximated for priv"));
	assert_non_null(line_with(&l, "priv compared with default, the reference"));
	row = line_with(&l, "+ cap_sys_admin");
	assert_non_null(row);
	assert_non_null(strstr(row, "lacks it"));
	assert_non_null(strstr(row, "HAS IT"));
	/* The risk mark, from the one vocabulary. */
	assert_non_null(line_with(&l, "! way out: mount file systems"));
	assert_non_null(line_with(&l, "seccomp off") ? line_with(&l, "seccomp off")
						      : line_with(&l, "no system call filter"));
	/* Every expectation held: the held mark, never the failed one. */
	assert_non_null(line_with(&l, "✓ priv: effective set has cap_sys_admin"));
	assert_int_equal(count(&l, "✗"), 0);
	argv_free(&l);
}

static void counts_from_data(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2, .bounding = true};
	struct argv l = ARGV_INIT;
	cleanup_free char *dropped = NULL;
	(void)state;

	layout("tui/capabilities.drop-all.json", &o, &l);
	dropped = xasprintf("%d dropped", __builtin_popcountll(CAPS_DOCKER_DEFAULT));
	assert_non_null(line_with(&l, dropped));
	assert_non_null(line_with(&l, "bounding set"));
	assert_non_null(line_with(&l, "0 capabilities"));
	argv_free(&l);

	/* Presentation: Docker's default set said with its size from the data. */
	o = (struct tui_compare_opts){.width = COLS - 6, .present = true};
	layout("tui/capabilities.default-set.json", &o, &l);
	cleanup_free char *dflt = xasprintf("Docker's default set: %d capabilities, no more",
					    __builtin_popcountll(CAPS_DOCKER_DEFAULT));
	assert_non_null(line_with(&l, dflt));
	argv_free(&l);
}

/* An expected denial has the denied mark and no warning; a result that is
 * not the expected one says so with the failed mark. */
static void expected_denial(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	struct argv l = ARGV_INIT;
	const char *row;
	json_t *j;
	(void)state;

	layout("tui/capabilities.default-set.json", &o, &l);
	row = line_with(&l, "⊘ denied");
	assert_non_null(row);
	assert_non_null(strstr(row, "mount"));
	assert_null(strstr(row, "expected"));
	assert_non_null(line_with(&l, "● allowed"));
	argv_free(&l);

	j = tu_fixture_json("tui/capabilities.default-set.json");
	json_t *x = json_array_get(json_object_get(j, "expectations"), 5);
	assert_string_equal(json_string_value(json_object_get(x, "text")), "mount: denied");
	json_object_set_new(x, "text", json_string("mount: allowed"));
	json_object_set_new(x, "held", json_false());
	layout_json(j, &o, &l);
	json_decref(j);
	row = line_with(&l, "⊘ denied");
	assert_non_null(row);
	assert_non_null(strstr(row, "✗ expected: allowed"));
	assert_non_null(line_with(&l, "✗ mount: allowed"));
	assert_non_null(line_with(&l, "✗ 5 of 6 expectations held"));
	argv_free(&l);
}

static void recursive_bind(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	struct argv l = ARGV_INIT;
	(void)state;

	layout("compare/host-mounts.root-bind.json", &o, &l);
	assert_int_equal(count(&l, "/host → host /"), 2); /* the row, and the kernel's view */
	assert_non_null(line_with(&l, "6 mounts below it came along"));
	assert_non_null(line_with(&l, "m: show them"));
	assert_non_null(line_with(&l, "with 6 mounts")); /* the kernel's view, each once */
	assert_int_equal(count(&l, "/host/proc"), 0);
	argv_free(&l);

	o.expand_mounts = true;
	layout("compare/host-mounts.root-bind.json", &o, &l);
	assert_non_null(line_with(&l, "m: fold them"));
	assert_int_equal(count(&l, "/host/proc"), 1);
	assert_int_equal(count(&l, "/host/run"), 1); /* stacked twice, listed once */
	assert_int_equal(count(&l, "/host/boot/efi"), 1);
	assert_int_equal(count(&l, "overlay2"), 0); /* Docker's own data */
	argv_free(&l);

	o = (struct tui_compare_opts){.width = COLS - 6, .present = true};
	layout("compare/host-mounts.root-bind.json", &o, &l);
	assert_non_null(line_with(&l, "the host's / is mounted at /host, writable"));
	assert_non_null(line_with(&l, "and the 6 mounts below it"));
	argv_free(&l);
}

static void ascii_marks(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	struct argv l = ARGV_INIT;
	(void)state;

	tui_glyphs_init(false);
	layout("tui/host-mounts.docker-socket.json", &o, &l);
	for (size_t i = 0; i < l.n; i++)
		for (const char *c = l.v[i]; *c; c++)
			if ((unsigned char)*c >= 0x80)
				fail_msg("not ASCII: %s", l.v[i]);
	assert_non_null(line_with(&l, "<> they disagree (docker-socket-ro)"));
	assert_non_null(line_with(&l, "go allowed"));
	assert_non_null(line_with(&l, "ok sock: a mount of kind docker-socket"));
	argv_free(&l);
	tui_glyphs_init(true);
}

/* Each mark its own glyph, in UTF-8 and in ASCII. */
static void marks_distinct(void **state)
{
	(void)state;
	for (int utf8 = 0; utf8 <= 1; utf8++) {
		tui_glyphs_init(utf8);
		for (int m = 0; m < CMP_MARK_COUNT; m++) {
			assert_true(strlen(tui_mark((enum cmp_mark)m)) > 0);
			for (int k = m + 1; k < CMP_MARK_COUNT; k++)
				assert_string_not_equal(tui_mark((enum cmp_mark)m),
							tui_mark((enum cmp_mark)k));
		}
	}
	tui_glyphs_init(true);
}

static void bad_transcript(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	json_t *j = json_loads("{\"containers\": 3}", 0, NULL);
	struct tui_doc d = {0};
	struct argv l = ARGV_INIT;
	bool ok = true;
	(void)state;

	tui_compare_doc(&d, j, &o);
	tui_doc_plain(&d, &l);
	assert_non_null(line_with(&l, "✗ the step's transcript: containers: not an array"));
	free(tui_compare_summary(j, &ok));
	assert_false(ok);
	argv_free(&l);
	tui_doc_free(&d);
	json_decref(j);
}

/* An action's command is shown without isolab's bookkeeping labels (the
 * docker-socket probe is told them for its sibling), whole with L. */
static void action_labels(void **state)
{
	struct tui_compare_opts o = {.width = COLS - 2};
	struct argv l = ARGV_INIT, full = ARGV_INIT;
	(void)state;

	layout("tui/host-mounts.docker-socket.json", &o, &l);
	cleanup_free char *shown = argv_join(&l, " ");
	assert_non_null(strstr(shown, "docker_socket --socket"));
	assert_null(strstr(shown, "isolab.session"));
	o.full_argv = true;
	layout("tui/host-mounts.docker-socket.json", &o, &full);
	cleanup_free char *whole = argv_join(&full, " ");
	assert_non_null(strstr(whole, "isolab.session"));
	argv_free(&l);
	argv_free(&full);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(action_labels),
		cmocka_unit_test(privileged_at_80), cmocka_unit_test(counts_from_data),
		cmocka_unit_test(expected_denial),  cmocka_unit_test(recursive_bind),
		cmocka_unit_test(ascii_marks),      cmocka_unit_test(marks_distinct),
		cmocka_unit_test(bad_transcript),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
