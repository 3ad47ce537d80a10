/* cli.c: what every command shares before it runs: the defaults the
 * environment sets, the global options taken out of argv, and how a
 * failure or a usage error is said. No table of commands here (main.c),
 * so that a unit test links this file alone. */
#include <langinfo.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "util.h"

void cli_defaults(struct cli *cli)
{
	/* no-color.org: a NO_COLOR that is set and not empty turns colour off. */
	const char *no_color = getenv("NO_COLOR");
	const char *vm = getenv("ISOLAB_ISOLATED_VM");
	const char *engine = getenv("ISOLAB_ENGINE");

	memset(cli, 0, sizeof(*cli));
	cli->prog = "isolab";
	cli->engine = engine && *engine ? engine : "docker";
	cli->color = no_color == NULL || no_color[0] == '\0';
	cli->yes_vm = vm && strcmp(vm, "1") == 0;
}

bool cli_utf8_locale(void)
{
	const char *cs = nl_langinfo(CODESET);
	return cs && (strcasecmp(cs, "UTF-8") == 0 || strcasecmp(cs, "utf8") == 0);
}

int cli_fail(const struct err *e)
{
	fprintf(stderr, "isolab: %s\n", e->msg);
	return e->exit ? e->exit : EXIT_EXPECT;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("isolab: ", stderr);
	if (cmd)
		fprintf(stderr, "%s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'isolab %s%s--help'.\n", cmd ? cmd : "", cmd ? " " : "");
	return EXIT_USAGE;
}

enum cli_globals cli_take_globals(struct cli *cli, int *argc, char **argv)
{
	int out = 1;
	bool version = false;
	bool seen_cmd = false;

	for (int i = 1; i < *argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0) {
			while (i < *argc)
				argv[out++] = argv[i++];
			break;
		}
		if (strcmp(a, "--no-color") == 0) {
			cli->color = false;
		} else if (strcmp(a, "--yes-isolated-vm") == 0) {
			cli->yes_vm = true;
		} else if (strcmp(a, "--engine") == 0) {
			if (i + 1 >= *argc) {
				cli_usage_error(NULL, "--engine needs a path");
				return CLI_GLOBALS_BAD;
			}
			cli->engine = argv[++i];
		} else if (util_str_has_prefix(a, "--engine=")) {
			cli->engine = a + strlen("--engine=");
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			cli->help = true;
		} else if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
			version = true;
		} else {
			if (a[0] != '-')
				seen_cmd = true;
			argv[out++] = argv[i];
		}
	}
	argv[out] = NULL;
	*argc = out;
	if (version)
		return CLI_GLOBALS_VERSION;
	if (cli->help && !seen_cmd)
		return CLI_GLOBALS_HELP;
	return CLI_GLOBALS_RUN;
}
