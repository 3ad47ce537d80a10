/* main.c: isolab's entry point: the subcommand table and dispatch, after
 * the global options (cli.c). Subcommands parse their own options. */
#include <errno.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static const struct cli_command commands[] = {
	{"labs", "[--json]", "list the labs", cmd_labs, cmd_labs_usage},
	{"run", "[--json] [--step ID] LAB", "run a lab without the TUI, printing a transcript", cmd_run,
	 cmd_run_usage},
	{"inspect", "[--json] TARGET...", "what the kernel says about a container or process",
	 cmd_inspect, cmd_inspect_usage},
	{"diff", "[--json] A B", "what B has that A has not, and the reverse", cmd_diff,
	 cmd_diff_usage},
	{"audit", "[--json] [--container NAME]...", "review running containers for risks to the host", cmd_audit, cmd_audit_usage},
	{"check-labs", "[FILE|DIR...]", "validate lab files, with file:line errors", cmd_check_labs,
	 cmd_check_labs_usage},
	{"doctor", "[--json]", "can the labs run here? what is missing, how to fix", cmd_doctor,
	 cmd_doctor_usage},
	{"__image", "build", "", cmd_image, cmd_image_usage},
	{"cleanup", "[--json]", "remove all that isolab left behind", cmd_cleanup, cmd_cleanup_usage},
	{"__witness", "", "", cmd_witness, cmd_witness_usage},
	{"__session-demo", "--lab L --step S [--hold]", "", cmd_session_demo, cmd_session_demo_usage},
};

static void usage(FILE *out)
{
	fputs("Usage: isolab [OPTIONS] [COMMAND [ARGS]]\n"
	      "\n"
	      "isolab teaches Docker runtime risk by doing: it starts real demo containers\n"
	      "and reads each one's isolation from the kernel (/proc), not from Docker.\n"
	      "Without a command it opens the lab runner: isolab [--present] [--demo LAB]\n"
	      "(presentation mode for a projector; a presenter's autopilot through LAB).\n"
	      "\n"
	      "Commands:\n",
	      out);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		char head[64];
		if (commands[i].name[0] == '_') /* hidden: internal and test-only */
			continue;
		snprintf(head, sizeof(head), "%s %s", commands[i].name, commands[i].args);
		fprintf(out, "  %-30s %s\n", head, commands[i].summary);
	}
	fputs("\n"
	      "Options, for every command:\n"
	      "  -h, --help            show help (after a command: that command's help)\n"
	      "  -V, --version         print the version\n"
	      "      --no-color        no colour (NO_COLOR is honoured too)\n"
	      "      --engine PATH     the docker binary to run (ISOLAB_ENGINE)\n"
	      "      --yes-isolated-vm confirm the safety gate: this is an isolated VM\n"
	      "                        (ISOLAB_ISOLATED_VM=1)\n"
	      "\n"
	      "TARGET is a container name or id, or pid:N for any process.\n"
	      "\n"
	      "Exit status: 0 fine; 1 an expectation failed or an audit finding is not\n"
	      "accepted; 2 usage or bad input; 3 the engine is unavailable.\n"
	      "\n"
	      "Run labs only on an isolated VM you control. See isolab(1).\n",
	      out);
}

/* Every write to stdout is checked here at once: stdio keeps the first
 * failure in ferror(), and the final flush and close fail on a full disk
 * (`> /dev/full`) where each printf seemed to succeed. */
static int output_done(int code)
{
	int errnum = 0;

	errno = 0;
	if (fflush(stdout) != 0 || ferror(stdout))
		errnum = errno ? errno : EIO;
	if (fclose(stdout) != 0 && !errnum)
		errnum = errno ? errno : EIO;
	if (!errnum)
		return code;
	fprintf(stderr, "isolab: cannot write the output: %s\n", strerror(errnum));
	return EXIT_SYSTEM;
}

int main(int argc, char **argv)
{
	struct cli cli;

	setlocale(LC_ALL, "");
	cli_defaults(&cli);
	switch (cli_take_globals(&cli, &argc, argv)) {
	case CLI_GLOBALS_BAD:
		return EXIT_USAGE;
	case CLI_GLOBALS_VERSION:
		printf("isolab %s\n", ISOLAB_VERSION);
		return EXIT_OK;
	case CLI_GLOBALS_HELP:
		usage(stdout);
		return EXIT_OK;
	case CLI_GLOBALS_RUN:
		break;
	}

	/* No command (perhaps --present or --demo LAB): the lab runner. */
	if (argc < 2 || argv[1][0] == '-')
		return cmd_tui(&cli, argc, argv);
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(argv[1], commands[i].name) != 0)
			continue;
		if (cli.help) {
			commands[i].usage(stdout);
			return EXIT_OK;
		}
		return output_done(commands[i].run(&cli, argc - 1, argv + 1));
	}
	return cli_usage_error(NULL, "unknown command '%s'", argv[1]);
}
