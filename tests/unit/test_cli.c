/* test_cli.c: the global options (ui/cli.c): taken out of argv wherever
 * they stand before "--", the rest kept in order for the command, what
 * the environment sets by default, and what -h, -V and a bad option ask
 * main to do. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_ARGS 16

/* argv from a NULL-terminated list of words, as main gets it. */
struct args {
	char *v[MAX_ARGS + 1];
	int n;
};

static void args_of(struct args *a, const char *const *words)
{
	a->n = 0;
	while (words[a->n] && a->n < MAX_ARGS) {
		a->v[a->n] = (char *)words[a->n];
		a->n++;
	}
	a->v[a->n] = NULL;
}

/* The words left after the global options, as one string. */
static char *left(const struct args *a)
{
	struct strbuf sb = STRBUF_INIT;

	for (int i = 0; i < a->n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", a->v[i]);
	assert_null(a->v[a->n]);
	return strbuf_detach(&sb);
}

static enum cli_globals take(struct cli *cli, struct args *a, const char *const *words)
{
	cli_defaults(cli);
	args_of(a, words);
	return cli_take_globals(cli, &a->n, a->v);
}

static void clear_env(void **state)
{
	(void)state;
	unsetenv("NO_COLOR");
	unsetenv("ISOLAB_ENGINE");
	unsetenv("ISOLAB_ISOLATED_VM");
}

static void defaults(void **state)
{
	struct cli cli;

	clear_env(state);
	cli_defaults(&cli);
	assert_string_equal(cli.prog, "isolab");
	assert_string_equal(cli.engine, "docker");
	assert_true(cli.color);
	assert_false(cli.yes_vm);
	assert_false(cli.help);

	/* NO_COLOR set and not empty; empty is as unset (no-color.org). */
	setenv("NO_COLOR", "", 1);
	cli_defaults(&cli);
	assert_true(cli.color);
	setenv("NO_COLOR", "1", 1);
	cli_defaults(&cli);
	assert_false(cli.color);

	setenv("ISOLAB_ENGINE", "", 1);
	cli_defaults(&cli);
	assert_string_equal(cli.engine, "docker");
	setenv("ISOLAB_ENGINE", "/opt/podman", 1);
	cli_defaults(&cli);
	assert_string_equal(cli.engine, "/opt/podman");

	/* Only "1" confirms the gate. */
	setenv("ISOLAB_ISOLATED_VM", "yes", 1);
	cli_defaults(&cli);
	assert_false(cli.yes_vm);
	setenv("ISOLAB_ISOLATED_VM", "1", 1);
	cli_defaults(&cli);
	assert_true(cli.yes_vm);
	clear_env(state);
}

static void globals_anywhere(void **state)
{
	static const char *const before[] = {"isolab", "--no-color", "--engine", "/bin/eng",
					     "inspect", "--json", "web", NULL};
	static const char *const after[] = {"isolab", "inspect", "--json", "--yes-isolated-vm",
					    "web", "--engine=/bin/e2", NULL};
	struct cli cli;
	struct args a;
	char *s;

	clear_env(state);
	assert_int_equal(take(&cli, &a, before), CLI_GLOBALS_RUN);
	assert_false(cli.color);
	assert_string_equal(cli.engine, "/bin/eng");
	assert_false(cli.yes_vm);
	s = left(&a);
	assert_string_equal(s, "isolab inspect --json web");
	free(s);

	assert_int_equal(take(&cli, &a, after), CLI_GLOBALS_RUN);
	assert_true(cli.color);
	assert_true(cli.yes_vm);
	assert_string_equal(cli.engine, "/bin/e2");
	s = left(&a);
	assert_string_equal(s, "isolab inspect --json web");
	free(s);
}

/* After "--" nothing is an option of isolab's. */
static void double_dash(void **state)
{
	static const char *const w[] = {"isolab", "run", "--", "--no-color", "-h", NULL};
	struct cli cli;
	struct args a;
	char *s;

	clear_env(state);
	assert_int_equal(take(&cli, &a, w), CLI_GLOBALS_RUN);
	assert_true(cli.color);
	assert_false(cli.help);
	s = left(&a);
	assert_string_equal(s, "isolab run -- --no-color -h");
	free(s);
}

static void help_and_version(void **state)
{
	static const char *const help[] = {"isolab", "--help", NULL};
	static const char *const help_cmd[] = {"isolab", "run", "-h", NULL};
	static const char *const help_tui[] = {"isolab", "--present", "-h", NULL};
	static const char *const version[] = {"isolab", "run", "-V", "--help", NULL};
	struct cli cli;
	struct args a;
	char *s;

	clear_env(state);
	assert_int_equal(take(&cli, &a, help), CLI_GLOBALS_HELP);
	/* After a command: that command's help. */
	assert_int_equal(take(&cli, &a, help_cmd), CLI_GLOBALS_RUN);
	assert_true(cli.help);
	s = left(&a);
	assert_string_equal(s, "isolab run");
	free(s);
	/* An option is not a command: isolab's own usage. */
	assert_int_equal(take(&cli, &a, help_tui), CLI_GLOBALS_HELP);
	/* --version wins over everything. */
	assert_int_equal(take(&cli, &a, version), CLI_GLOBALS_VERSION);
}

static void bad_engine(void **state)
{
	static const char *const w[] = {"isolab", "labs", "--engine", NULL};
	struct cli cli;
	struct args a;

	clear_env(state);
	assert_int_equal(take(&cli, &a, w), CLI_GLOBALS_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(defaults),         cmocka_unit_test(globals_anywhere),
		cmocka_unit_test(double_dash),      cmocka_unit_test(help_and_version),
		cmocka_unit_test(bad_engine),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
