/* test_util.c: shell quoting (what a learner pastes must be what ran),
 * paths, buffers and the error object. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

static void quote(const char *word, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	util_shell_quote(&sb, word);
	assert_string_equal(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

static void shell_quoting(void **state)
{
	(void)state;
	quote("docker", "docker");
	quote("--cap-add=NET_ADMIN", "--cap-add=NET_ADMIN");
	quote("/etc:/host-etc:ro", "/etc:/host-etc:ro");
	quote("", "''");
	quote("a b", "'a b'");
	quote("it's", "'it'\\''s'");
	quote("$HOME", "'$HOME'");
	quote("a*", "'a*'");
	quote("label=x;rm", "'label=x;rm'");
	quote("~", "'~'");
	char *const argv[] = {(char *)"docker", (char *)"run", (char *)"-v", (char *)"/srv/my data:/d",
			      (char *)"busybox", NULL};
	char *s = util_argv_to_shell(argv);
	assert_string_equal(s, "docker run -v '/srv/my data:/d' busybox");
	free(s);
}

/* The quoted line, read back by a real shell, gives the same argv. */
static void shell_round_trip(void **state)
{
	(void)state;
	char *const words[] = {(char *)"printf", (char *)"[%s]", (char *)"a b", (char *)"it's",
			       (char *)"$x", (char *)"\\n", (char *)"\"q\"", (char *)"", NULL};
	char *line = util_argv_to_shell(words);
	char *const argv[] = {(char *)"/bin/sh", (char *)"-c", line, NULL};
	char *out = NULL;

	assert_int_equal(tu_run(argv, &out, NULL), 0);
	assert_string_equal(out, "[a b][it's][$x][\\n][\"q\"][]");
	free(out);
	free(line);
}

static void paths(void **state)
{
	(void)state;
	assert_true(util_path_within("/etc", "/etc"));
	assert_true(util_path_within("/etc/ssh", "/etc"));
	assert_false(util_path_within("/etcetera", "/etc"));
	assert_true(util_path_within("/anything", "/"));
	assert_false(util_path_within("/et", "/etc"));
}

static void buffers(void **state)
{
	(void)state;
	struct strbuf sb = STRBUF_INIT;
	struct argv a = ARGV_INIT;

	for (int i = 0; i < 1000; i++)
		strbuf_addf(&sb, "%d,", i);
	assert_true(util_str_has_prefix(strbuf_str(&sb), "0,1,2,"));
	assert_int_equal(sb.len, strlen(sb.buf));
	strbuf_release(&sb);
	for (int i = 0; i < 40; i++)
		argv_pushf(&a, "w%d", i);
	assert_int_equal(a.n, 40);
	assert_null(a.v[40]);
	assert_string_equal(a.v[39], "w39");
	argv_free(&a);
}

/* Whole files and pipes, larger than one read; empty is "", absent is -1. */
static void reading(void **state)
{
	char *text = NULL;
	size_t len = 1;
	int fds[2];

	(void)state;
	assert_int_equal(util_read_path("/proc/self/status", &text, &len), 0);
	assert_true(len > 0 && strlen(text) == len && util_str_has_prefix(text, "Name:"));
	free(text);

	assert_int_equal(util_read_path("/dev/null", &text, &len), 0);
	assert_string_equal(text, "");
	assert_int_equal(len, 0);
	free(text);

	errno = 0;
	text = NULL;
	assert_int_equal(util_read_path("/nonexistent/isolab", &text, NULL), -1);
	assert_int_equal(errno, ENOENT);
	assert_null(text);

	assert_int_equal(pipe(fds), 0);
	char big[20000];
	memset(big, 'x', sizeof(big));
	assert_int_equal(write(fds[1], big, 16384), 16384);
	close(fds[1]);
	assert_int_equal(util_read_fd(fds[0], &text, &len), 0);
	close(fds[0]);
	assert_int_equal(len, 16384);
	assert_int_equal(strspn(text, "x"), 16384);
	free(text);
}

static void errors(void **state)
{
	(void)state;
	struct err e = {0};

	errno = ENOENT;
	assert_int_equal(err_sys(&e, "cannot open %s", "/x"), -1);
	assert_string_equal(e.msg, "cannot open /x: No such file or directory");
	assert_int_equal(e.kind, ERR_SYSTEM);
	err_wrap(&e, "pid:%d", 42);
	assert_string_equal(e.msg, "pid:42: cannot open /x: No such file or directory");
	err_input(&e, "bad");
	assert_int_equal(e.exit, EXIT_USAGE);
	err_set(&e, ERR_ENGINE, 0, "down");
	assert_int_equal(e.exit, EXIT_ENGINE);
	err_set(&e, ERR_EXITED, 0, "process 1 exited");
	assert_int_equal(e.exit, EXIT_USAGE);
	/* Wrapping a full message keeps both ends readable and terminated. */
	memset(e.msg, 'x', sizeof(e.msg) - 1);
	e.msg[sizeof(e.msg) - 1] = '\0';
	err_wrap(&e, "context");
	assert_true(util_str_has_prefix(e.msg, "context: xxx"));
	assert_true(strlen(e.msg) < sizeof(e.msg));
	assert_int_equal(err_set(NULL, ERR_INPUT, 0, "no object"), -1);
}

/* DESIGN.md's exit table: a failed system call is isolab failing at its
 * own work (4), never an expectation (1). */
static void exit_table(void **state)
{
	struct err e = {0};

	(void)state;
	err_set(&e, ERR_SYSTEM, ENOENT, "cannot create %s", "/x");
	assert_int_equal(e.exit, EXIT_SYSTEM);
	err_set(&e, ERR_INPUT, 0, "bad");
	assert_int_equal(e.exit, EXIT_USAGE);
	err_set(&e, ERR_ENGINE, 0, "down");
	assert_int_equal(e.exit, EXIT_ENGINE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(exit_table),
		cmocka_unit_test(shell_quoting), cmocka_unit_test(shell_round_trip),
		cmocka_unit_test(paths),         cmocka_unit_test(buffers),
		cmocka_unit_test(errors),        cmocka_unit_test(reading),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
