/* test_progress.c: the progress file: where it lives, an atomic save (a
 * new file renamed over the old one, never a rewrite in place), load and
 * resume, a lab reset, and a corrupt file set aside with a notice instead
 * of a crash. */
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lab.h"
#include "progress.h"

#define LAB_FILE FIXTURES "/labs/good/capabilities.yaml"

struct fx {
	char dir[64];
	char *path;
	struct lab *lab;
};

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct err e = {0};

	snprintf(f->dir, sizeof(f->dir), "/tmp/isolab-progress-XXXXXX");
	if (!mkdtemp(f->dir))
		return -1;
	f->path = xasprintf("%s/state/isolab/progress.json", f->dir);
	if (lab_load(LAB_FILE, &f->lab, NULL, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	char *const rm[] = {(char *)"rm", (char *)"-rf", f->dir, NULL};

	tu_run(rm, NULL, NULL);
	lab_free(f->lab);
	free(f->path);
	free(f);
	return 0;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

/* Names in the directory holding path, other than path's own. */
static size_t others_in_dir(const char *path, char **first)
{
	cleanup_free char *dir = xstrdup(path);
	const char *base = strrchr(path, '/') + 1;
	struct dirent *d;
	size_t n = 0;
	DIR *dp;

	*strrchr(dir, '/') = '\0';
	dp = opendir(dir);
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0 ||
		    strcmp(d->d_name, base) == 0)
			continue;
		if (first && !n)
			*first = xasprintf("%s/%s", dir, d->d_name);
		n++;
	}
	closedir(dp);
	return n;
}

static void default_path(void **state)
{
	cleanup_free char *old_state = NULL, *old_home = NULL;
	struct err e = {0};
	char *p;

	(void)state;
	if (getenv("XDG_STATE_HOME"))
		old_state = xstrdup(getenv("XDG_STATE_HOME"));
	if (getenv("HOME"))
		old_home = xstrdup(getenv("HOME"));

	setenv("XDG_STATE_HOME", "/x/state", 1);
	p = progress_default_path(&e);
	assert_string_equal(p, "/x/state/isolab/progress.json");
	free(p);

	/* A relative XDG_STATE_HOME is ignored, as the spec says. */
	setenv("XDG_STATE_HOME", "rel", 1);
	setenv("HOME", "/home/learner", 1);
	p = progress_default_path(&e);
	assert_string_equal(p, "/home/learner/.local/state/isolab/progress.json");
	free(p);

	unsetenv("XDG_STATE_HOME");
	p = progress_default_path(&e);
	assert_string_equal(p, "/home/learner/.local/state/isolab/progress.json");
	free(p);

	if (old_state)
		setenv("XDG_STATE_HOME", old_state, 1);
	if (old_home)
		setenv("HOME", old_home, 1);
	else
		unsetenv("HOME");
}

static void missing_file_is_empty(void **state)
{
	struct fx *f = *state;
	struct progress p;
	struct err e = {0};

	assert_int_equal(progress_load(&p, f->path, &e), 0);
	assert_int_equal(p.n_labs, 0);
	assert_null(p.set_aside);
	assert_null(p.notice);
	assert_int_equal(progress_steps_done(&p, f->lab), 0);
	assert_false(progress_lab_done(&p, f->lab));
	assert_int_equal(progress_resume_index(&p, f->lab), 0);
	progress_free(&p);
}

static void save_load_resume(void **state)
{
	struct fx *f = *state;
	struct progress p, q;
	struct err e = {0};
	struct stat st;
	const struct progress_answer *a;

	assert_int_equal(progress_load(&p, f->path, &e), 0);
	progress_mark_answer(&p, "capabilities", "default-set", false);
	progress_mark_answer(&p, "capabilities", "default-set", true);
	progress_mark_step(&p, "capabilities", "default-set");
	progress_mark_step(&p, "capabilities", "default-set"); /* idempotent */
	progress_set_last(&p, "capabilities", "host-pid");
	progress_mark_step(&p, "other-lab", "one");
	assert_int_equal(progress_save(&p, &e), 0);
	progress_free(&p);

	/* The directories were made, private. */
	cleanup_free char *dir = xasprintf("%s/state/isolab", f->dir);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* Nothing but the file: the temporary was renamed, not left. */
	assert_int_equal(others_in_dir(f->path, NULL), 0);

	assert_int_equal(progress_load(&q, f->path, &e), 0);
	assert_null(q.notice);
	assert_int_equal(q.n_labs, 2);
	assert_true(progress_step_done(&q, "capabilities", "default-set"));
	assert_false(progress_step_done(&q, "capabilities", "host-pid"));
	assert_int_equal(progress_lab_get(&q, "capabilities")->done.n, 1);
	assert_int_equal(progress_steps_done(&q, f->lab), 1);
	assert_false(progress_lab_done(&q, f->lab));
	/* Resumed at the last step, not at the first undone one. */
	assert_int_equal(progress_resume_index(&q, f->lab), 1);
	a = progress_answer(&q, "capabilities", "default-set");
	assert_non_null(a);
	assert_false(a->right); /* the first answer decides */
	assert_true(a->solved);
	assert_int_equal(a->tries, 2);
	assert_int_equal(progress_questions(f->lab), 1);
	assert_int_equal(progress_questions_right(&q, f->lab), 0);

	progress_mark_step(&q, "capabilities", "host-pid");
	assert_true(progress_lab_done(&q, f->lab));
	/* Steps the lab no longer has do not count. */
	progress_mark_step(&q, "capabilities", "gone-step");
	assert_int_equal(progress_steps_done(&q, f->lab), 2);
	progress_free(&q);
}

static void save_is_atomic(void **state)
{
	struct fx *f = *state;
	struct progress p;
	struct err e = {0};
	struct stat before, after;
	cleanup_free char *link_path = xasprintf("%s/old-copy", f->dir);
	cleanup_free char *old = NULL, *now = NULL;

	assert_int_equal(progress_load(&p, f->path, &e), 0);
	progress_mark_step(&p, "capabilities", "default-set");
	assert_int_equal(progress_save(&p, &e), 0);
	assert_int_equal(stat(f->path, &before), 0);
	/* A second name for the old file: a rewrite in place would show in it. */
	assert_int_equal(link(f->path, link_path), 0);
	old = tu_read_file(link_path);

	progress_mark_step(&p, "capabilities", "host-pid");
	assert_int_equal(progress_save(&p, &e), 0);
	assert_int_equal(stat(f->path, &after), 0);
	assert_true(before.st_ino != after.st_ino);
	now = tu_read_file(f->path);
	assert_non_null(now);
	assert_true(tu_contains(now, "host-pid"));
	cleanup_free char *still = tu_read_file(link_path);
	assert_string_equal(still, old);
	assert_false(tu_contains(still, "host-pid"));
	unlink(link_path);
	assert_int_equal(others_in_dir(f->path, NULL), 0);
	progress_free(&p);
}

static void reset_lab(void **state)
{
	struct fx *f = *state;
	struct progress p, q;
	struct err e = {0};

	assert_int_equal(progress_load(&p, f->path, &e), 0);
	progress_mark_step(&p, "capabilities", "default-set");
	progress_mark_answer(&p, "capabilities", "default-set", true);
	progress_mark_step(&p, "kept", "s1");
	assert_int_equal(progress_save(&p, &e), 0);

	progress_reset_lab(&p, "capabilities");
	progress_reset_lab(&p, "never-seen"); /* nothing to do */
	assert_null(progress_lab_get(&p, "capabilities"));
	assert_int_equal(progress_steps_done(&p, f->lab), 0);
	assert_int_equal(progress_questions_right(&p, f->lab), 0);
	assert_int_equal(progress_resume_index(&p, f->lab), 0);
	assert_int_equal(progress_save(&p, &e), 0);
	progress_free(&p);

	assert_int_equal(progress_load(&q, f->path, &e), 0);
	assert_null(progress_lab_get(&q, "capabilities"));
	assert_true(progress_step_done(&q, "kept", "s1"));
	progress_free(&q);
}

static void corrupt_case(struct fx *f, const char *text, const char *why)
{
	struct progress p;
	struct err e = {0};
	char *aside = NULL;
	cleanup_free char *kept = NULL;

	{
		struct progress mk;
		assert_int_equal(progress_load(&mk, f->path, &e), 0);
		assert_int_equal(progress_save(&mk, &e), 0); /* makes the directories */
		progress_free(&mk);
	}
	write_file(f->path, text);
	assert_int_equal(progress_load(&p, f->path, &e), 0);
	assert_int_equal(p.n_labs, 0);
	assert_non_null(p.set_aside);
	assert_non_null(p.notice);
	assert_true(tu_contains(p.set_aside, ".corrupt-"));
	assert_true(tu_contains(p.notice, why));
	assert_true(tu_contains(p.notice, p.set_aside));
	/* The bad file is kept, untouched, under its new name; the old name is free. */
	assert_int_equal(access(f->path, F_OK), -1);
	kept = tu_read_file(p.set_aside);
	assert_string_equal(kept, text);
	assert_int_equal(others_in_dir(f->path, &aside), 1);
	assert_string_equal(aside, p.set_aside);
	free(aside);

	/* And progress goes on: a save writes a fresh file. */
	progress_mark_step(&p, "capabilities", "default-set");
	assert_int_equal(progress_save(&p, &e), 0);
	unlink(p.set_aside);
	progress_free(&p);
	unlink(f->path);
}

static void corrupt_set_aside(void **state)
{
	struct fx *f = *state;

	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": ", "not JSON");
	corrupt_case(f, "", "empty");
	corrupt_case(f, "[1, 2]", "not a JSON object");
	corrupt_case(f, "{\"version\": 7, \"labs\": {}}", "newer isolab");
	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": {\"done\": 3}}}", "wrong shape");
	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": {\"done\": [1]}}}", "not a string");
	corrupt_case(f, "\x01\x02" "binary\xff", "not JSON");
	/* A part of the wrong type: the notice says which and what it holds. */
	corrupt_case(f, "{\"version\": \"1\", \"labs\": {}}",
		     "it has no version: Expected integer, got string");
	corrupt_case(f, "{\"labs\": {}}", "it has no version: Object item not found: version");
	corrupt_case(f, "{\"version\": 1, \"labs\": []}",
		     "it has no \"labs\" object: Expected object, got array");
	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": {\"last\": 4}}}",
		     "a lab's record has the wrong shape: labs.x: Expected string, got integer");
	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": {\"questions\": {\"s\": "
			"{\"right\": true, \"tries\": \"2\"}}}}}",
		     "an answer has the wrong shape: labs.x.questions.s: Expected integer, got string");
}

static void two_set_aside_same_second(void **state)
{
	struct fx *f = *state;
	struct progress p1, p2;
	struct err e = {0};

	{
		struct progress mk;
		assert_int_equal(progress_load(&mk, f->path, &e), 0);
		assert_int_equal(progress_save(&mk, &e), 0);
		progress_free(&mk);
	}
	write_file(f->path, "garbage one");
	assert_int_equal(progress_load(&p1, f->path, &e), 0);
	write_file(f->path, "garbage two");
	assert_int_equal(progress_load(&p2, f->path, &e), 0);
	assert_non_null(p1.set_aside);
	assert_non_null(p2.set_aside);
	assert_string_not_equal(p1.set_aside, p2.set_aside);
	unlink(p1.set_aside);
	unlink(p2.set_aside);
	progress_free(&p1);
	progress_free(&p2);
}

/* The choice first picked is kept across a save and a load: "answered
 * before" shows it. A reveal before any pick keeps none; a later pick does
 * not replace the first. */
static void first_pick_kept(void **state)
{
	struct fx *f = *state;
	struct progress p, q;
	struct err e = {0};
	const struct progress_answer *a;

	assert_int_equal(progress_load(&p, f->path, &e), 0);
	progress_mark_pick(&p, "capabilities", "default-set", "yes", false);
	progress_mark_pick(&p, "capabilities", "default-set", "no", true);
	progress_mark_answer(&p, "capabilities", "host-pid", false); /* the answer shown */
	progress_mark_pick(&p, "capabilities", "host-pid", "14", true);
	assert_int_equal(progress_save(&p, &e), 0);
	progress_free(&p);

	assert_int_equal(progress_load(&q, f->path, &e), 0);
	a = progress_answer(&q, "capabilities", "default-set");
	assert_non_null(a);
	assert_non_null(a->first);
	assert_string_equal(a->first, "yes");
	assert_false(a->right);
	assert_true(a->solved);
	assert_int_equal(a->tries, 2);
	a = progress_answer(&q, "capabilities", "host-pid");
	assert_non_null(a);
	assert_null(a->first);
	progress_free(&q);

	/* "first" that is not a string: the file is not progress. */
	corrupt_case(f, "{\"version\": 1, \"labs\": {\"x\": {\"done\": [], \"questions\": "
			"{\"s\": {\"right\": true, \"tries\": 1, \"first\": 3}}}}}",
		     "wrong shape");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_path),
		cmocka_unit_test_setup_teardown(missing_file_is_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(save_load_resume, setup, teardown),
		cmocka_unit_test_setup_teardown(save_is_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(first_pick_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(reset_lab, setup, teardown),
		cmocka_unit_test_setup_teardown(corrupt_set_aside, setup, teardown),
		cmocka_unit_test_setup_teardown(two_set_aside_same_second, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
