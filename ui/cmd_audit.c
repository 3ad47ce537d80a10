/* cmd_audit.c: `isolab audit`: review running containers, from the kernel's
 * state, for a deployment reviewer and for CI (exit 1 on an open finding of
 * high severity or worse). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "host.h"
#include "util.h"

void cmd_audit_usage(FILE *out)
{
	fputs("Usage: isolab audit [--json] [--container NAME]... [--min-severity LEVEL]\n"
	      "                    [--include-isolab]\n"
	      "       isolab audit --explain CHECK\n"
	      "\n"
	      "Review running containers for what puts the host at risk: privileged (in\n"
	      "effect, whatever Docker says), shared host namespaces, the Docker socket,\n"
	      "sensitive host mounts, capabilities beyond Docker's default, seccomp and the\n"
	      "LSM switched off, no_new_privs, a writable root. Each container is read from\n"
	      "the kernel (/proc, from the host); Docker's configuration is the supporting\n"
	      "evidence.\n"
	      "\n"
	      "  --json                one object per container, in an array (see isolab(1))\n"
	      "  --container NAME      audit only this container (name or id); repeatable\n"
	      "  --min-severity LEVEL  show findings of LEVEL or worse: info, low (default),\n"
	      "                        medium, high, critical\n"
	      "  --include-isolab      audit isolab's own lab containers too (label\n"
	      "                        isolab.session); left out by default\n"
	      "  --explain CHECK       what a check means, why it matters, how to fix and how\n"
	      "                        to accept it\n"
	      "\n"
	      "Severity: critical (root on the host, or its Docker API, one step away), high\n"
	      "(a known path out, or to the host's secrets), medium (wider reach), low\n"
	      "(hardening left undone), info (a fact).\n"
	      "\n"
	      "Accept a finding with a documented reason: a label set when the container is\n"
	      "created, isolab.reason.CHECK=WHY (a blank reason does not count).\n"
	      "\n"
	      "Checks: privileged, host-pid, host-net, host-ipc, host-uts, host-userns,\n"
	      "docker-socket, sensitive-mount, extra-caps, seccomp-disabled, lsm-unconfined,\n"
	      "no-new-privs-missing, writable-rootfs, host-devices, mount-propagation,\n"
	      "no-memory-limit, no-pids-limit, root-user, host-cgroupns.\n"
	      "\n"
	      "Exit status: 0 no open finding of high severity or worse (of LEVEL or worse\n"
	      "when LEVEL is critical); 1 there is one, or a container could not be read;\n"
	      "2 usage, or no such container; 3 the engine is unavailable.\n"
	      "\n"
	      "Examples:\n"
	      "  isolab audit\n"
	      "  isolab audit --json | jq '.[] | select(.findings | length > 0) | .name'\n"
	      "  isolab audit --explain docker-socket\n",
	      out);
}

struct audit_opts {
	bool json;
	bool include_isolab;
	enum audit_severity min;
	const char *explain;
	struct argv containers;
};

static int parse_opts(int argc, char **argv, struct audit_opts *o)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"container", required_argument, NULL, 'c'},
		{"min-severity", required_argument, NULL, 'm'},
		{"include-isolab", no_argument, NULL, 'i'},
		{"explain", required_argument, NULL, 'x'},
		{NULL, 0, NULL, 0},
	};
	int c, sev;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o->json = true;
			break;
		case 'c':
			if (!*optarg || util_str_has_prefix(optarg, "pid:"))
				return cli_usage_error("audit", "--container takes a container name or id, "
								"not '%s'", optarg);
			argv_push(&o->containers, optarg);
			break;
		case 'm':
			sev = audit_severity_from_name(optarg);
			if (sev < 0)
				return cli_usage_error("audit", "unknown severity '%s' (info, low, medium, "
								"high, critical)", optarg);
			o->min = (enum audit_severity)sev;
			break;
		case 'i':
			o->include_isolab = true;
			break;
		case 'x':
			o->explain = optarg;
			break;
		case '?':
			if (optopt)
				return cli_usage_error("audit", "option '%s' needs a value",
						       argv[optind - 1]);
			return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
		default:
			return cli_usage_error("audit", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_usage_error("audit", "unexpected argument '%s' (name containers with "
						"--container)", argv[optind]);
	return 0;
}

static int explain(const char *name)
{
	const struct audit_check *c = audit_check_find(name);

	if (!c) {
		cleanup_free char *known = audit_check_names("\n  ");
		fprintf(stderr, "isolab: audit: unknown check '%s'. The checks are:\n  %s\n", name,
			known);
		return EXIT_USAGE;
	}
	audit_explain(stdout, c);
	return EXIT_OK;
}

int cmd_audit(struct cli *cli, int argc, char **argv)
{
	struct audit_opts o = {.min = AUDIT_LOW, .containers = ARGV_INIT};
	struct host_facts hf = {0};
	struct host_ref host;
	struct engine eng = {0};
	struct audit_report r = {0};
	struct err e = {0};
	int status;

	if (parse_opts(argc, argv, &o)) {
		argv_free(&o.containers);
		return EXIT_USAGE;
	}
	if (o.explain) {
		argv_free(&o.containers);
		return explain(o.explain);
	}

	if (host_facts_load(&hf, NULL, &e) < 0) {
		host_facts_free(&hf);
		argv_free(&o.containers);
		return cli_fail(&e);
	}
	if (host_ref_load(&host, &e) < 0) {
		host_facts_free(&hf);
		argv_free(&o.containers);
		return cli_fail(&e);
	}
	int erc = engine_init(&eng, cli->engine, &e);
	if (erc == 0)
		engine_learn_socket(&eng);
	if (erc < 0 ||
	    audit_containers(&eng, &host, &hf, o.containers.n ? o.containers.v : NULL,
			     o.include_isolab, &r, &e) < 0) {
		status = cli_fail(&e);
		audit_report_free(&r);
		goto out;
	}

	if (o.json) {
		json_t *j = audit_report_json(&r, o.min);
		status = report_print_json(stdout, j) < 0 ? EXIT_EXPECT : EXIT_OK;
		json_decref(j);
	} else {
		struct report_opts ro = {.color = cli->color && isatty(STDOUT_FILENO)};
		audit_report_text(stdout, &r, o.min, &ro);
		status = EXIT_OK;
	}
	if (status == EXIT_OK)
		status = audit_report_status(&r, o.min);
	audit_report_free(&r);
out:
	engine_release(&eng);
	host_ref_free(&host);
	host_facts_free(&hf);
	argv_free(&o.containers);
	return status;
}
