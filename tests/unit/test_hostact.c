/* test_hostact.c: a host action never follows a link a container planted
 * under {scratch}, never gets the path itself, and runs host binaries by
 * absolute path. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostact.h"

static char dir[] = "/tmp/isolab-hostact-XXXXXX";

static int setup(void **state)
{
	(void)state;
	if (!mkdtemp(dir))
		return -1;
	cleanup_free char *f = xasprintf("%s/canary", dir);
	cleanup_free char *l = xasprintf("%s/link", dir);
	cleanup_free char *d = xasprintf("%s/sub", dir);
	FILE *fp = fopen(f, "w");
	if (!fp)
		return -1;
	fputs("nonce\n", fp);
	fclose(fp);
	return symlink("/etc/passwd", l) < 0 || mkdir(d, 0755) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	const char *names[] = {"canary", "link", "sub"};
	for (size_t i = 0; i < 3; i++) {
		cleanup_free char *p = xasprintf("%s/%s", dir, names[i]);
		if (unlink(p) < 0)
			rmdir(p);
	}
	return rmdir(dir);
}

static int prep(const char *a0, const char *a1, const char *a2, struct hostact *h, struct err *e)
{
	cleanup_free char *p = a2 ? xasprintf("%s/%s", dir, a2) : xstrdup(dir);
	char *words[] = {(char *)a0, (char *)a1, p, NULL};

	if (!a1) {
		words[1] = p;
		words[2] = NULL;
	}
	return hostact_prepare(words, dir, h, e);
}

/* cat reads on stdin what isolab opened; the path never reaches it. */
static void cat_gets_contents(void **state)
{
	struct hostact h;
	struct err e = {0};

	(void)state;
	assert_int_equal(prep("cat", NULL, "canary", &h, &e), 0);
	assert_int_equal(h.argv.n, 1);
	assert_string_equal(h.input, "nonce\n");
	assert_true(h.path[0] == '/');
	hostact_free(&h);
}

/* A link planted under the scratch dir is refused, for every command. */
static void link_refused(void **state)
{
	static const char *const cmds[] = {"cat", "head", "stat", "ls"};
	struct hostact h;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cmds); i++) {
		struct err e = {0};
		cleanup_free char *p = xasprintf("%s/link/x", dir);
		char *w[] = {(char *)cmds[i], p, NULL};
		assert_int_equal(hostact_prepare(w, dir, &h, &e), -1);
		hostact_free(&h);
	}
	struct err e = {0};
	assert_int_equal(prep("cat", NULL, "link", &h, &e), -1);
	assert_true(tu_contains(e.msg, "link"));
	hostact_free(&h);
	assert_int_equal(prep("cat", NULL, "../../etc/passwd", &h, &e), -1);
	hostact_free(&h);
}

/* stat runs in the opened parent on the last name (it does not follow
 * it); ls of a dir runs inside it on ".". */
static void stat_and_ls_by_dirfd(void **state)
{
	struct hostact h;
	struct err e = {0};

	(void)state;
	assert_int_equal(prep("stat", NULL, "link", &h, &e), 0);
	assert_true(h.cwd_fd > 0);
	assert_string_equal(h.argv.v[h.argv.n - 1], "link");
	hostact_free(&h);
	assert_int_equal(prep("ls", "-l", "sub", &h, &e), 0);
	assert_string_equal(h.argv.v[h.argv.n - 1], ".");
	hostact_free(&h);
}

/* nsenter's command is the host's, by absolute path. */
static void nsenter_command_absolute(void **state)
{
	char *w[] = {(char *)"nsenter", (char *)"-t", (char *)"1", (char *)"-u", (char *)"hostname", NULL};
	struct hostact h;
	struct err e = {0};

	(void)state;
	if (hostact_prepare(w, dir, &h, &e) < 0)
		skip();
	assert_true(h.argv.v[4][0] == '/');
	assert_true(tu_contains(h.argv.v[4], "/hostname"));
	hostact_free(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cat_gets_contents),
		cmocka_unit_test(link_refused),
		cmocka_unit_test(stat_and_ls_by_dirfd),
		cmocka_unit_test(nsenter_command_absolute),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
