/* cmd_doctor.c: `isolab doctor` (can the labs run here? what is missing,
 * and the exact fix) and `isolab __image build` (build the lab image now,
 * as a lab would before its first step). The facts are gathered once into
 * a context; the checks are a table of functions reading it, each filling
 * a row that the report layer prints (report_doctor_text, as marked lines,
 * or report_doctor_json). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "cli.h"
#include "engine.h"
#include "engprobe.h"
#include "host.h"
#include "image.h"
#include "privileged.h"
#include "report.h"
#include "session.h"
#include "util.h"

#define FIX_ENGINE "install Docker (Debian: apt-get install docker.io), or point --engine " \
		   "(ISOLAB_ENGINE) at its client"
#define FIX_DAEMON "start the Docker daemon: sudo systemctl start docker (where no service " \
		   "manager runs: scripts/dockerd from isolab's source tree)"
#define FIX_PERMISSION "run isolab as root, or join the docker group: sudo usermod -aG " \
		       "docker $USER, then log in again"
#define DEFAULT_SOCKET "/var/run/docker.sock"

void cmd_doctor_usage(FILE *out)
{
	fputs("Usage: isolab doctor [--json]\n"
	      "\n"
	      "Check that the labs can run here, one line per check, with the exact fix\n"
	      "under each one that fails:\n"
	      "  engine binary, daemon, socket permission, lab image (present or buildable)\n"
	      "      the labs need all four; exit status 3 when the engine is unavailable,\n"
	      "      1 when the image can be neither found nor built\n"
	      "  --privileged, virtual machine, seccomp\n"
	      "      warnings: the labs run, and say what differs\n"
	      "  cgroup, LSM\n"
	      "      information\n"
	      "\n"
	      "Marks: ✓ ok, ✗ fails, ! warning, i information (ok, FAIL, warn, info\n"
	      "outside a UTF-8 locale). Colour only adds to the marks; --no-color or\n"
	      "NO_COLOR removes it.\n"
	      "\n"
	      "  --json      an array of {\"check\", \"status\": ok|fail|warn|info,\n"
	      "              \"detail\", \"fix\"} (fix is null when there is nothing to do)\n",
	      out);
}

void cmd_image_usage(FILE *out)
{
	fputs("Usage: isolab __image build (hidden: for tests and for building ahead of time)\n"
	      "\n"
	      "Build the lab image now, offline, if it is not there yet (the labs build it\n"
	      "before their first step anyway). The build context is a private temporary\n"
	      "directory holding image/Dockerfile, image/probe and /bin/busybox (Debian's\n"
	      "busybox-static), removed afterwards; docker build's output is shown as it\n"
	      "comes.\n"
	      "\n"
	      "Environment:\n"
	      "  ISOLAB_IMAGE_TAG   the image reference to use instead of isolab-lab:VERSION\n"
	      "                     (tests build into a tag of their own)\n"
	      "  ISOLAB_IMAGE_DIR   where Dockerfile and probe are, instead of image/ next to\n"
	      "                     the binary or the installed share/isolab/image\n",
	      out);
}

/* --- the facts, gathered once ------------------------------------------------ */

struct doctor_ctx {
	struct engine eng;
	int engine_rc;
	struct err engine_err;

	struct engine_info info;
	int info_rc;
	struct err info_err;

	char *socket; /* the unix socket the client uses, or NULL (tcp) */

	bool image_present;
	int image_rc;
	struct err image_err;
	char *image_src;
	int src_rc;
	struct err src_err;

	struct host_facts host;
	int host_rc;
	struct err host_err;

	int bases_rc; /* what run requires of /run/isolab and /var/lib/isolab */
	struct err bases_err;

	struct engine_probe probe; /* one container, read from the kernel */
	int probe_rc;
	struct err probe_err;
};

static char *socket_path(void)
{
	const char *dh = getenv("DOCKER_HOST");

	if (!dh || !*dh)
		return xstrdup(DEFAULT_SOCKET);
	if (util_str_has_prefix(dh, "unix://"))
		return xstrdup(dh + strlen("unix://"));
	return NULL;
}

static void gather(struct doctor_ctx *c, const struct cli *cli)
{
	memset(c, 0, sizeof(*c));
	c->bases_rc = session_check_bases(NULL, &c->bases_err);
	c->engine_rc = engine_init(&c->eng, cli->engine, &c->engine_err);
	c->info_rc = c->engine_rc;
	if (c->engine_rc == 0)
		c->info_rc = engine_info(&c->eng, &c->info, &c->info_err);
	c->socket = socket_path();
	c->src_rc = image_sources_check(&c->image_src, &c->src_err);
	c->image_rc = -1;
	if (c->info_rc == 0)
		c->image_rc = engine_image_present(&c->eng, image_ref(), &c->image_present,
						   &c->image_err);
	c->host_rc = host_facts_load(&c->host, NULL, &c->host_err);
	c->probe_rc = -1;
	if (c->host_rc == 0 && c->image_rc == 0 && c->image_present)
		c->probe_rc = engine_probe_run(&c->eng, image_ref(), &c->host, &c->probe,
					       &c->probe_err);
}

static void release(struct doctor_ctx *c)
{
	engine_info_free(&c->info); /* filled in part even when the daemon is down */
	engine_release(&c->eng);
	free(c->socket);
	free(c->image_src);
	host_facts_free(&c->host);
	engine_probe_free(&c->probe);
}

/* --- the checks ----------------------------------------------------------------- */

/* Each check fills its row's status, detail, fix and evidence (more). */
static void set(struct doctor_row *r, enum doctor_status st, char *detail, const char *fix)
{
	r->status = st;
	r->detail = detail;
	r->fix = fix ? xstrdup(fix) : NULL;
}

static void check_engine(const struct doctor_ctx *c, struct doctor_row *r)
{
	if (c->engine_rc == 0)
		set(r, DOCTOR_OK, xstrdup(c->eng.bin), NULL);
	else if (strchr(c->eng.name, '/'))
		set(r, DOCTOR_FAIL, xasprintf("%s is not an executable file", c->eng.name), FIX_ENGINE);
	else
		set(r, DOCTOR_FAIL, xasprintf("%s was not found on PATH", c->eng.name), FIX_ENGINE);
}

static void check_daemon(const struct doctor_ctx *c, struct doctor_row *r)
{
	switch (c->info_rc) {
	case 0:
		if (c->info.client_version && *c->info.client_version)
			set(r, DOCTOR_OK, xasprintf("Docker %s answers (client %s)",
						c->info.server_version, c->info.client_version),
			    NULL);
		else
			set(r, DOCTOR_OK, xasprintf("Docker %s answers", c->info.server_version), NULL);
		break;
	case ENGINE_FAIL_NO_BINARY:
		set(r, DOCTOR_FAIL, xstrdup("not checked: there is no engine binary to ask"), NULL);
		break;
	case ENGINE_FAIL_DAEMON_DOWN:
		set(r, DOCTOR_FAIL, xstrdup("the Docker daemon does not answer (docker info)"),
		    FIX_DAEMON);
		break;
	case ENGINE_FAIL_PERMISSION:
		set(r, DOCTOR_FAIL, xstrdup("not reachable: permission denied on its socket"),
		    FIX_PERMISSION);
		break;
	default:
		set(r, DOCTOR_FAIL, xstrdup(c->info_err.msg),
		    "check that `docker info` works, then run isolab doctor again");
		break;
	}
}

static void check_permission(const struct doctor_ctx *c, struct doctor_row *r)
{
	unsigned uid = (unsigned)geteuid();

	if (c->info_rc == ENGINE_FAIL_PERMISSION) {
		set(r, DOCTOR_FAIL, xasprintf("you (uid %u) may not use %s", uid,
					  c->socket ? c->socket : "the Docker socket"),
		    FIX_PERMISSION);
	} else if (c->info_rc == 0) {
		set(r, DOCTOR_OK, c->socket ? xasprintf("you (uid %u) may use %s", uid, c->socket)
					: xasprintf("the daemon answers at %s", getenv("DOCKER_HOST")),
		    NULL);
	} else if (!c->socket) {
		set(r, DOCTOR_FAIL, xasprintf("not checked: the daemon is at %s, not a socket",
					  getenv("DOCKER_HOST")),
		    NULL);
	} else if (access(c->socket, F_OK) < 0) {
		set(r, DOCTOR_FAIL, xasprintf("not checked: there is no %s (the daemon is not running)",
					  c->socket),
		    NULL);
	} else if (faccessat(AT_FDCWD, c->socket, R_OK | W_OK, AT_EACCESS) < 0) {
		set(r, DOCTOR_FAIL, xasprintf("you (uid %u) may not use %s", uid, c->socket),
		    FIX_PERMISSION);
	} else {
		set(r, DOCTOR_OK, xasprintf("you (uid %u) may use %s", uid, c->socket), NULL);
	}
}

static void check_image(const struct doctor_ctx *c, struct doctor_row *r)
{
	const char *ref = image_ref();

	if (c->image_rc == 0 && c->image_present) {
		set(r, DOCTOR_OK, xasprintf("%s is present", ref), NULL);
	} else if (c->image_rc == 0 && c->src_rc == 0) {
		set(r, DOCTOR_OK,
		    xasprintf("%s is not built yet; it is buildable offline from %s (the first "
			      "lab builds it)",
			      ref, c->image_src),
		    NULL);
	} else if (c->image_rc == 0) {
		set(r, DOCTOR_FAIL, xasprintf("%s is not built, and cannot be built here", ref),
		    c->src_err.msg);
	} else if (c->info_rc != 0 && c->src_rc == 0) {
		set(r, DOCTOR_WARN,
		    xasprintf("not checked: the engine does not answer; %s is buildable from %s",
			      ref, c->image_src),
		    NULL);
	} else if (c->info_rc != 0) {
		set(r, DOCTOR_FAIL,
		    xasprintf("not checked: the engine does not answer; and %s cannot be built "
			      "here",
			      ref),
		    c->src_err.msg);
	} else {
		set(r, DOCTOR_FAIL, xstrdup(c->image_err.msg), "check that `docker images` works");
	}
}

static void check_privileged(const struct doctor_ctx *c, struct doctor_row *r)
{
	const struct host_facts *h = &c->host;
	struct privileged_plan p;
	char *const flags[] = {(char *)"--privileged", NULL};

	if (c->host_rc < 0) {
		set(r, DOCTOR_WARN, xasprintf("not checked: %s", c->host_err.msg), NULL);
		return;
	}
	if (h->can_grant_all) {
		set(r, DOCTOR_OK,
		    xasprintf("a real --privileged works here: isolab's bounding set holds every "
			      "capability of this kernel (0-%u)",
			      h->last_cap),
		    NULL);
		return;
	}
	cleanup_free char *missing = caps_join(h->missing, ", ");
	if (privileged_plan(flags, h, &p, NULL) == 0 && p.approximated) {
		cleanup_free char *shown = util_argv_to_shell(p.replacement.v);
		set(r, DOCTOR_WARN,
		    xasprintf("a real --privileged is unavailable here: this host's bounding set "
			      "lacks %s (Docker says \"unable to apply caps\"); isolab "
			      "approximates it and says what differs",
			      missing),
		    "for a real --privileged, run the labs on a VM whose bounding set is complete "
		    "(a workshop VM)");
		argv_pushf(&r->more, "instead: %s", shown);
		for (size_t i = 0; i < p.left_out.n; i++)
			argv_pushf(&r->more, "left out: %s", p.left_out.v[i]);
	} else {
		set(r, DOCTOR_WARN,
		    xasprintf("a real --privileged is unavailable here: this host's bounding set "
			      "lacks %s",
			      missing),
		    NULL);
	}
	privileged_plan_free(&p);
}

/* What decided a VM: the firmware's name or the CPU's hypervisor flag. */
static const char *vm_reason(const struct host_facts *h)
{
	if (h->vm_vendor && h->hypervisor_flag)
		return "the firmware (DMI) names the hypervisor and the CPU's hypervisor flag is set";
	if (h->vm_vendor)
		return "the firmware (DMI) names the hypervisor";
	return "the CPU's hypervisor flag is set";
}

/* The VM verdict holds over the container one: a container shares the
 * kernel and the CPU, so what they say is the machine's; being in a
 * container only changes where isolab runs on it. */
static char *vm_verdict(const struct host_facts *h)
{
	cleanup_free char *what = h->vm_vendor ? xasprintf("a virtual machine (%s)", h->vm_vendor)
					       : xstrdup("a virtual machine");

	if (!h->in_container)
		return xasprintf("%s: %s", what, vm_reason(h));
	return xasprintf("%s holds: %s, and a container shares its machine's kernel and CPU; "
			 "isolab itself runs in a container on that VM, which changes where it "
			 "runs, not what the machine is",
			 what, vm_reason(h));
}

static void check_vm(const struct doctor_ctx *c, struct doctor_row *r)
{
	const struct host_facts *h = &c->host;
	const char *in_ct = h->in_container ? " (isolab runs in a container on it, which "
					      "does not make it a VM)"
					    : "";

	if (c->host_rc < 0) {
		set(r, DOCTOR_WARN, xasprintf("not checked: %s", c->host_err.msg), NULL);
		return;
	}
	switch (h->vm) {
	case HOST_VM_YES:
		set(r, DOCTOR_OK, vm_verdict(h), NULL);
		break;
	case HOST_VM_NO:
		set(r, DOCTOR_WARN,
		    xasprintf("this looks like a physical machine%s: the labs give containers "
			      "host-level access",
			      in_ct),
		    "run the labs only on an isolated VM you control");
		break;
	default:
		set(r, DOCTOR_WARN,
		    xasprintf("isolab cannot tell whether this is a virtual machine%s",
			      h->in_container ? " (isolab runs in a container, which says nothing "
						"about the machine under it)"
					      : ""),
		    "run the labs only on an isolated VM you control");
		break;
	}
	argv_push_all(&r->more, h->evidence.v);
}

static void check_cgroup(const struct doctor_ctx *c, struct doctor_row *r)
{
	if (c->host_rc < 0) {
		set(r, DOCTOR_INFO, xasprintf("not checked: %s", c->host_err.msg), NULL);
		return;
	}
	set(r, DOCTOR_INFO,
	    xasprintf("cgroup v%s: %s", host_cgroup_name(c->host.cgroup), c->host.cgroup_detail),
	    NULL);
}

static void check_seccomp(const struct doctor_ctx *c, struct doctor_row *r)
{
	if (c->host_rc < 0) {
		set(r, DOCTOR_WARN, xasprintf("not checked: %s", c->host_err.msg), NULL);
	} else if (c->host.seccomp) {
		if (c->host.seccomp_actions)
			set(r, DOCTOR_OK, xasprintf("available (actions: %s)", c->host.seccomp_actions),
			    NULL);
		else
			set(r, DOCTOR_OK, xstrdup("available"), NULL);
	} else {
		set(r, DOCTOR_WARN,
		    xstrdup("this kernel has no seccomp: containers run without Docker's "
			    "system call filter, and the labs cannot show it"),
		    "use a kernel built with CONFIG_SECCOMP (every distribution kernel is)");
	}
}

/* What this engine does here, measured on one container: the count a real
 * --privileged gets, and whether ':ro' reaches the submounts of a bind. */
static void check_engine_behaviour(const struct doctor_ctx *c, struct doctor_row *r)
{
	const struct engine_probe *p = &c->probe;

	if (c->probe_rc < 0) {
		set(r, DOCTOR_INFO,
		    c->image_rc == 0 && c->image_present
			    ? xasprintf("not measured: %s", c->probe_err.msg)
			    : xstrdup("not measured: it takes the lab image (isolab builds it at the "
				      "first lab)"),
		    NULL);
		return;
	}
	if (p->privileged) {
		cleanup_free char *missing = caps_join(c->host.all & ~p->eff, ", ");
		set(r, DOCTOR_INFO,
		    xasprintf("a real --privileged holds %d of this kernel's %d capabilities%s%s%s",
			      __builtin_popcountll(p->eff), __builtin_popcountll(c->host.all),
			      *missing ? " (the engine does not grant " : "", missing,
			      *missing ? ")" : ""),
		    NULL);
	} else {
		set(r, DOCTOR_INFO, xstrdup("--privileged is approximated here (see above)"), NULL);
	}
	if (p->ro_recursive == 1)
		argv_pushf(&r->more, "a ':ro' bind is read-only all the way down: its submount %s is "
				     "read-only too",
			   p->ro_example);
	else if (p->ro_recursive == 0)
		argv_pushf(&r->more, "a ':ro' bind is read-only only at its top: its submount %s "
				     "stays writable",
			   p->ro_example);
	if (p->lsm)
		argv_pushf(&r->more, "the probe container's LSM label: %s", p->lsm);
}

static void check_lsm(const struct doctor_ctx *c, struct doctor_row *r)
{
	const struct host_facts *h = &c->host;

	if (c->host_rc < 0) {
		set(r, DOCTOR_INFO, xasprintf("not checked: %s", c->host_err.msg), NULL);
	} else if (h->apparmor && h->selinux != HOST_SELINUX_OFF) {
		set(r, DOCTOR_INFO, xasprintf("AppArmor enabled; SELinux %s",
					  host_selinux_name(h->selinux)),
		    NULL);
	} else if (h->apparmor) {
		set(r, DOCTOR_INFO,
		    xstrdup(c->info_rc == 0 && !c->info.apparmor
				    ? "AppArmor enabled in the kernel, but the engine does not say it "
				      "applies it"
				    : "AppArmor enabled: Docker confines every container with "
				      "docker-default, the last wall in the ptrace and nsenter steps"),
		    NULL);
	} else if (h->selinux != HOST_SELINUX_OFF) {
		set(r, DOCTOR_INFO, xasprintf("SELinux %s", host_selinux_name(h->selinux)), NULL);
	} else {
		set(r, DOCTOR_INFO,
		    xstrdup("neither AppArmor nor SELinux is enabled: containers get no LSM "
			    "profile, so the labs show none"),
		    NULL);
	}
}

/* The same test session_open() makes, so doctor never says the labs can
 * run where run then refuses its own dirs. */
static void check_bases(const struct doctor_ctx *c, struct doctor_row *r)
{
	if (c->bases_rc == 0)
		set(r, DOCTOR_OK, xstrdup("the scratch and disk dirs are isolab's own"), NULL);
	else
		set(r, DOCTOR_FAIL, xstrdup(c->bases_err.msg),
		    "make it root's and not writable by others (chown root: DIR; chmod 0755 DIR), "
		    "or remove it if nothing of a live session is in it");
}

static const struct doctor_check {
	const char *id;    /* JSON "check" */
	const char *title; /* the text line */
	bool blocking;     /* the labs cannot run while it fails */
	int fail_exit;     /* the exit status when it fails */
	void (*run)(const struct doctor_ctx *c, struct doctor_row *r);
} checks[] = {
	{"engine-binary", "engine binary", true, EXIT_ENGINE, check_engine},
	{"daemon", "daemon", true, EXIT_ENGINE, check_daemon},
	{"socket-permission", "socket permission", true, EXIT_ENGINE, check_permission},
	{"image", "lab image", true, EXIT_EXPECT, check_image},
	{"scratch-dirs", "scratch dirs", true, EXIT_SYSTEM, check_bases},
	{"privileged", "--privileged", false, 0, check_privileged},
	{"vm", "virtual machine", false, 0, check_vm},
	{"cgroup", "cgroup", false, 0, check_cgroup},
	{"seccomp", "seccomp", false, 0, check_seccomp},
	{"lsm", "AppArmor/SELinux", false, 0, check_lsm},
	{"engine-behaviour", "engine at work", false, 0, check_engine_behaviour},
};

int cmd_doctor(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{NULL, 0, NULL, 0},
	};
	struct doctor_row rs[ARRAY_SIZE(checks)];
	struct doctor_ctx ctx;
	bool json = false, can_run = true;
	int status = EXIT_OK;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else
			return cli_usage_error("doctor", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("doctor", "unexpected argument '%s'", argv[optind]);

	gather(&ctx, cli);
	memset(rs, 0, sizeof(rs));
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		rs[i].id = checks[i].id;
		rs[i].title = checks[i].title;
		checks[i].run(&ctx, &rs[i]);
		if (checks[i].blocking && rs[i].status == DOCTOR_FAIL) {
			can_run = false;
			/* The engine's exit status (3) wins over the image's (1). */
			if (status == EXIT_OK || checks[i].fail_exit == EXIT_ENGINE)
				status = checks[i].fail_exit;
		}
	}
	if (json) {
		json_t *arr = report_doctor_json(rs, ARRAY_SIZE(rs));
		if (report_print_json(stdout, arr) < 0)
			status = status ? status : EXIT_EXPECT;
		json_decref(arr);
	} else {
		struct report_opts ro = {
			.color = cli->color && isatty(STDOUT_FILENO),
			.ascii = !cli_utf8_locale(),
		};
		report_doctor_text(stdout, rs, ARRAY_SIZE(rs), can_run, &ro);
	}
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++) {
		free(rs[i].detail);
		free(rs[i].fix);
		argv_free(&rs[i].more);
	}
	release(&ctx);
	return status;
}

/* --- isolab __image build ---------------------------------------------------- */

/* The legacy builder's notice (docker 23 and later, without buildx) says
 * nothing about this build. */
static const char *const build_noise[] = {
	"DEPRECATED: The legacy builder",
	"Install the buildx component",
	"https://docs.docker.com/go/buildx/",
};

static void show_progress(void *data, int fd, const char *line, size_t len)
{
	FILE *out = data;
	size_t skip = 0;

	(void)fd;
	while (skip < len && (line[skip] == ' ' || line[skip] == '\t'))
		skip++;
	if (skip == len)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(build_noise); i++)
		if (util_str_has_prefix(line + skip, build_noise[i]))
			return;
	fprintf(out, "  %.*s\n", (int)len, line);
	fflush(out);
}

int cmd_image(struct cli *cli, int argc, char **argv)
{
	struct engine eng;
	struct err e = {0};
	bool built = false;
	int rc;

	if (argc != 2 || strcmp(argv[1], "build") != 0)
		return cli_usage_error("__image", "the only subcommand is: isolab __image build");
	if (engine_init(&eng, cli->engine, &e) < 0) {
		engine_release(&eng);
		return cli_fail(&e);
	}
	printf("Lab image %s: checking\n", image_ref());
	fflush(stdout);
	rc = image_ensure(&eng, show_progress, stdout, &built, &e);
	engine_release(&eng);
	if (rc < 0)
		return cli_fail(&e);
	if (built)
		printf("Lab image %s: built\n", image_ref());
	else
		printf("Lab image %s: already present, nothing to do\n", image_ref());
	return EXIT_OK;
}
