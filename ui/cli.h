/* cli.h: what the command-line faces share: the global options and the
 * subcommand entry points. Each subcommand lives in its own ui/cmd_*.c. */
#ifndef ISOLAB_CLI_H
#define ISOLAB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "err.h"

struct cli {
	const char *prog;
	const char *engine; /* --engine, ISOLAB_ENGINE, else "docker" on PATH */
	bool color;         /* false with --no-color or NO_COLOR */
	bool yes_vm;        /* --yes-isolated-vm or ISOLAB_ISOLATED_VM=1 */
	bool help;          /* -h/--help given after the subcommand */
};

struct cli_command {
	const char *name;
	const char *args;    /* synopsis after the name */
	const char *summary; /* one line for `isolab --help` */
	int (*run)(struct cli *cli, int argc, char **argv);
	void (*usage)(FILE *out);
};

/* Whether the locale's character set is UTF-8 (setlocale has run): the
 * one test every face makes before it writes ✓ ✗ or a box line. */
bool cli_utf8_locale(void);

/* cli.c. The defaults the environment sets: ISOLAB_ENGINE (else
 * "docker"), NO_COLOR (set and not empty: no colour), ISOLAB_ISOLATED_VM=1. */
void cli_defaults(struct cli *cli);

enum cli_globals {
	CLI_GLOBALS_RUN,     /* argv[1], if any, is the command */
	CLI_GLOBALS_VERSION, /* -V/--version: print the version and exit 0 */
	CLI_GLOBALS_HELP,    /* -h/--help with no command: isolab's usage, exit 0 */
	CLI_GLOBALS_BAD,     /* a usage error, said on stderr: exit EXIT_USAGE */
};
/* Take the global options (--no-color, --yes-isolated-vm, --engine PATH or
 * --engine=PATH, -h/--help, -V/--version) out of argv wherever they stand
 * before "--", so that `isolab --no-color inspect` and `isolab inspect
 * --no-color` both work; what is left, "--" and after included, stays in
 * order for the command, and argv[*argc] is NULL. -h after a command sets
 * cli->help: that command's help. */
enum cli_globals cli_take_globals(struct cli *cli, int *argc, char **argv);

/* Print "isolab: <msg>" to stderr and return the error's exit code. */
int cli_fail(const struct err *e);
/* Print a usage error with a pointer to --help; returns EXIT_USAGE. */
int cli_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int cmd_labs(struct cli *cli, int argc, char **argv);
void cmd_labs_usage(FILE *out);
int cmd_run(struct cli *cli, int argc, char **argv);
void cmd_run_usage(FILE *out);
int cmd_inspect(struct cli *cli, int argc, char **argv);
void cmd_inspect_usage(FILE *out);
int cmd_diff(struct cli *cli, int argc, char **argv);
void cmd_diff_usage(FILE *out);
int cmd_audit(struct cli *cli, int argc, char **argv);
void cmd_audit_usage(FILE *out);
int cmd_check_labs(struct cli *cli, int argc, char **argv);
void cmd_check_labs_usage(FILE *out);
int cmd_doctor(struct cli *cli, int argc, char **argv);
void cmd_doctor_usage(FILE *out);
int cmd_image(struct cli *cli, int argc, char **argv);
void cmd_image_usage(FILE *out);
int cmd_cleanup(struct cli *cli, int argc, char **argv);
void cmd_cleanup_usage(FILE *out);
int cmd_witness(struct cli *cli, int argc, char **argv);
void cmd_witness_usage(FILE *out);
int cmd_session_demo(struct cli *cli, int argc, char **argv);
void cmd_session_demo_usage(FILE *out);
/* `isolab` without a command (and with --present, --demo LAB): the TUI. */
int cmd_tui(struct cli *cli, int argc, char **argv);
void cmd_tui_usage(FILE *out);

#endif
