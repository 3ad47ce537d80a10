/* cmd_inspect.c: `isolab inspect` and `isolab diff`: what the kernel says
 * about processes and containers, read from /proc on the host. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report.h"
#include "snapshot.h"
#include "target.h"
#include "util.h"

void cmd_inspect_usage(FILE *out)
{
	fputs("Usage: isolab inspect [--json] TARGET...\n"
	      "\n"
	      "Read each target's isolation from the kernel, from the host, independently\n"
	      "of Docker: the five capability sets of /proc/PID/status (named by libcap),\n"
	      "its namespaces compared with isolab's own (the host's), every mount of\n"
	      "/proc/PID/mountinfo with the host directory behind it, seccomp,\n"
	      "no_new_privs and the LSM label.\n"
	      "\n"
	      "TARGET is pid:N for any process, or a container name or id.\n"
	      "\n"
	      "  --json      one JSON object per target, in an array (see isolab(1))\n"
	      "\n"
	      "Reading another user's namespace links needs root; without it they are\n"
	      "shown as unreadable and the rest is still reported.\n"
	      "\n"
	      "Examples:\n"
	      "  isolab inspect pid:$$\n"
	      "  isolab inspect --json pid:1234 | jq '.[0].caps.added_vs_docker_default'\n",
	      out);
}

void cmd_diff_usage(FILE *out)
{
	fputs("Usage: isolab diff [--json] A B\n"
	      "\n"
	      "Compare two targets, as inspect reads them: the capabilities B has that A\n"
	      "has not (+) and the reverse (-), per set; the namespaces whose sharing with\n"
	      "the host differs; the mounts found in only one of them (matched by device,\n"
	      "root and target, never by mount ID, which differs between namespaces) or\n"
	      "whose read-only flag differs; and security settings that differ.\n"
	      "\n"
	      "Put the reference (a default container) first: A is the baseline.\n"
	      "\n"
	      "  --json      the diff as one JSON object (see isolab(1))\n"
	      "\n"
	      "Example:\n"
	      "  isolab diff pid:$$ pid:$(pgrep -n sleep)\n",
	      out);
}

struct inspect_opts {
	bool json;
};

static int parse_opts(const char *cmd, int argc, char **argv, struct inspect_opts *o)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		default:
			return cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		}
	}
	return 0;
}

static struct report_opts text_opts(const struct cli *cli)
{
	return (struct report_opts){.color = cli->color && isatty(STDOUT_FILENO)};
}

/* Resolve the targets: the engine only when a container is named. */
static int resolve(const struct cli *cli, char *const *specs, size_t n, struct host_ref *host,
		   struct engine *eng, struct target_set *set, struct err *e)
{
	if (host_ref_load(host, e) < 0)
		return -1;
	if (target_needs_engine(specs, n)) {
		if (engine_init(eng, cli->engine, e) < 0) {
			host_ref_free(host);
			return -1;
		}
		engine_learn_socket(eng);
	}
	if (target_resolve(eng->bin || eng->name ? eng : NULL, specs, n, host, set, e) < 0) {
		target_set_free(set);
		engine_release(eng);
		host_ref_free(host);
		return -1;
	}
	return 0;
}

static void release(struct host_ref *host, struct engine *eng, struct target_set *set)
{
	target_set_free(set);
	engine_release(eng);
	host_ref_free(host);
}

int cmd_inspect(struct cli *cli, int argc, char **argv)
{
	struct inspect_opts o = {0};
	struct host_ref host;
	struct engine eng = {0};
	struct target_set set;
	struct err e = {0};
	json_t *all;
	int status = EXIT_OK;

	if (parse_opts("inspect", argc, argv, &o))
		return EXIT_USAGE;
	if (optind >= argc)
		return cli_usage_error("inspect", "name at least one TARGET (pid:N or a container)");
	if (resolve(cli, argv + optind, (size_t)(argc - optind), &host, &eng, &set, &e) < 0)
		return cli_fail(&e);

	all = json_array();
	struct report_opts ro = text_opts(cli);
	bool first = true;
	for (size_t i = 0; i < set.n; i++) {
		const struct target *t = &set.v[i];

		if (t->rc < 0) {
			int code = cli_fail(&t->err);
			if (code > status)
				status = code;
			continue;
		}
		if (o.json) {
			json_array_append_new(all, target_json(t));
		} else {
			if (!first)
				fputc('\n', stdout);
			target_text(stdout, t, &ro);
		}
		first = false;
	}
	if (o.json && report_print_json(stdout, all) < 0 && status == EXIT_OK)
		status = EXIT_EXPECT;
	json_decref(all);
	release(&host, &eng, &set);
	return status;
}

int cmd_diff(struct cli *cli, int argc, char **argv)
{
	struct inspect_opts o = {0};
	struct host_ref host;
	struct engine eng = {0};
	struct target_set set;
	struct snapshot_diff d;
	struct err e = {0};
	int status = EXIT_OK;

	if (parse_opts("diff", argc, argv, &o))
		return EXIT_USAGE;
	if (argc - optind != 2)
		return cli_usage_error("diff", "name exactly two targets, A (the reference) and B");
	if (resolve(cli, argv + optind, 2, &host, &eng, &set, &e) < 0)
		return cli_fail(&e);
	for (size_t i = 0; i < 2; i++)
		if (set.v[i].rc < 0) {
			status = cli_fail(&set.v[i].err);
			release(&host, &eng, &set);
			return status;
		}
	snapshot_diff(&set.v[0].snap, &set.v[1].snap, &d);
	if (o.json) {
		json_t *j = report_diff_json(&d);
		if (report_print_json(stdout, j) < 0)
			status = EXIT_EXPECT;
		json_decref(j);
	} else {
		struct report_opts ro = text_opts(cli);
		report_diff_text(stdout, &d, &ro);
	}
	snapshot_diff_free(&d);
	release(&host, &eng, &set);
	return status;
}
