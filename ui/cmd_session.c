/* cmd_session.c: `isolab cleanup`, and two hidden commands: `__witness`,
 * the host witness a session starts (isolab execs itself so that the
 * witness's /proc/PID/environ is exactly the one it was given), and
 * `__session-demo`, a test driver that opens a session and starts two
 * labelled containers, until the step runner does it for real. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "cli.h"
#include "engine.h"
#include "session.h"
#include "util.h"

/* --- isolab cleanup ------------------------------------------------------ */

void cmd_cleanup_usage(FILE *out)
{
	fputs("Usage: isolab cleanup [--force] [--json]\n"
	      "\n"
	      "Remove what isolab runs left behind whose owner is gone: containers\n"
	      "labelled isolab.session whose isolab.owner process has exited (or that\n"
	      "carry no owner label and whose session is not running), session dirs\n"
	      "under " SESSION_SCRATCH_BASE "/ and " SESSION_DISK_BASE "/, and leftover witness\n"
	      "processes (isolab-witness). It says what it removed. A session that is\n"
	      "still running is left whole (its containers, dirs and witness), whatever\n"
	      "the engine says, and named; end it first, or use --force.\n"
	      "\n"
	      "  --force     remove running sessions' containers, dirs and witnesses too\n"
	      "              (the labs running now fail)\n"
	      "  --json      what was removed, as one JSON object\n"
	      "\n"
	      "Exit status: 0 when everything left behind was removed; 3 when the engine\n"
	      "does not answer (scratch dirs and witnesses are still removed); 1 when\n"
	      "something could not be removed; 4 when the output could not be written.\n",
	      out);
}

static char *short_id(const char *id)
{
	return xstrndup(id, 12);
}

static void print_list_head(size_t n, const char *one, const char *many)
{
	printf("%zu %s: ", n, n == 1 ? one : many);
}

static void cleanup_text(const struct cleanup_report *r, const struct err *e, int rc)
{
	bool any = false;

	if (r->n_containers) {
		fputs("removed ", stdout);
		print_list_head(r->n_containers, "container", "containers");
		for (size_t i = 0; i < r->n_containers; i++) {
			cleanup_free char *id = short_id(r->containers[i].id);
			printf("%s%s (%s)", i ? ", " : "",
			       *r->containers[i].name ? r->containers[i].name : "(unnamed)", id);
		}
		putchar('\n');
		any = true;
	}
	if (r->dirs.n) {
		fputs("removed ", stdout);
		print_list_head(r->dirs.n, "scratch dir", "scratch dirs");
		for (size_t i = 0; i < r->dirs.n; i++)
			printf("%s%s", i ? ", " : "", r->dirs.v[i]);
		putchar('\n');
		any = true;
	}
	if (r->n_witnesses) {
		fputs("killed ", stdout);
		print_list_head(r->n_witnesses, "witness process", "witness processes");
		for (size_t i = 0; i < r->n_witnesses; i++)
			printf("%s%d", i ? ", " : "", (int)r->witnesses[i]);
		putchar('\n');
		any = true;
	}
	for (size_t i = 0; i < r->kept.n; i++)
		printf("left %s: it is running (end it, or isolab cleanup --force)\n",
		       r->kept.v[i]);
	for (size_t i = 0; i < r->failures.n; i++)
		fprintf(stderr, "isolab: cleanup: left in place: %s\n", r->failures.v[i]);
	if (!r->engine_checked || rc < 0)
		fprintf(stderr, "isolab: cleanup: containers not checked: %s\n",
			r->engine_error ? r->engine_error : e->msg);
	if (rc == 0 && r->failures.n == 0)
		puts(any ? "nothing else left"
			 : "nothing to clean up: no isolab container, scratch dir or witness was left");
}

static void cleanup_json(const struct cleanup_report *r, const struct err *e, int rc)
{
	json_t *o = json_object(), *cs = json_array(), *ds = json_array(), *ws = json_array(),
	       *fs = json_array();

	for (size_t i = 0; i < r->n_containers; i++)
		json_array_append_new(cs, json_pack("{s:s,s:s,s:s}", "id", r->containers[i].id,
						    "name", r->containers[i].name, "session",
						    r->containers[i].session));
	for (size_t i = 0; i < r->dirs.n; i++)
		json_array_append_new(ds, json_string(r->dirs.v[i]));
	for (size_t i = 0; i < r->n_witnesses; i++)
		json_array_append_new(ws, json_integer(r->witnesses[i]));
	for (size_t i = 0; i < r->failures.n; i++)
		json_array_append_new(fs, json_string(r->failures.v[i]));
	json_object_set_new(o, "containers", cs);
	json_object_set_new(o, "scratch_dirs", ds);
	json_object_set_new(o, "witnesses", ws);
	json_object_set_new(o, "failures", fs);
	{
		json_t *ks = json_array();
		for (size_t i = 0; i < r->kept.n; i++)
			json_array_append_new(ks, json_string(r->kept.v[i]));
		json_object_set_new(o, "kept", ks);
	}
	json_object_set_new(o, "engine_checked", json_boolean(r->engine_checked));
	json_object_set_new(o, "engine_error",
			    r->engine_error ? json_string(r->engine_error) : json_null());
	json_object_set_new(o, "error", rc < 0 ? json_string(e->msg) : json_null());
	json_dumpf(o, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(o);
}

int cmd_cleanup(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"force", no_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	struct cleanup_report r;
	bool force = false;
	struct engine eng;
	struct err e = {0};
	bool json = false;
	int c, rc, code;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == 'j')
			json = true;
		else if (c == 'f')
			force = true;
		else
			return cli_usage_error("cleanup", "unknown option '%s'", argv[optind - 1]);
	}
	if (optind < argc)
		return cli_usage_error("cleanup", "unexpected argument '%s'", argv[optind]);

	/* No engine binary is no reason to leave dirs and witnesses: the
	 * operations report it, after the rest is done. */
	engine_init(&eng, cli->engine, NULL);
	rc = session_cleanup(&eng, NULL, force, &r, &e);
	if (json)
		cleanup_json(&r, &e, rc);
	else
		cleanup_text(&r, &e, rc);
	code = rc < 0 ? (e.exit ? e.exit : EXIT_ENGINE) : r.failures.n ? EXIT_EXPECT : EXIT_OK;
	session_report_free(&r);
	engine_release(&eng);
	return code;
}

/* --- isolab __witness ----------------------------------------------------- */

void cmd_witness_usage(FILE *out)
{
	fputs("Usage: isolab " SESSION_WITNESS_CMD "\n"
	      "\n"
	      "Internal: the host witness of a session, started by isolab itself. It\n"
	      "waits until killed.\n",
	      out);
}

int cmd_witness(struct cli *cli, int argc, char **argv)
{
	int fd;

	(void)cli;
	(void)argv;
	if (argc != 1 || !getenv(SESSION_ENV_SESSION) || !getenv(SESSION_ENV_NONCE)) {
		fputs("isolab: " SESSION_WITNESS_CMD " is started by isolab itself\n", stderr);
		return EXIT_USAGE;
	}
	/* Nothing of ours held open: no terminal, no directory pinned. */
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, STDIN_FILENO);
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	close_range(STDERR_FILENO + 1, ~0U, 0);
	if (chdir("/") < 0) {
		/* "/" always exists; nothing to do if not. */
	}
	/* The name last: the session waits for it, so it means "ready". */
	prctl(PR_SET_NAME, SESSION_WITNESS_COMM, 0, 0, 0);
	for (;;)
		pause();
}

/* --- isolab __session-demo ------------------------------------------------- */

void cmd_session_demo_usage(FILE *out)
{
	fputs("Usage: isolab __session-demo --lab LAB --step STEP [--hold]\n"
	      "\n"
	      "Test driver: open a session, start two labelled containers of the lab\n"
	      "image ($ISOLAB_TEST_IMAGE, else isolab-lab:" ISOLAB_VERSION ") in parallel,\n"
	      "print the session as one JSON line, then remove the step's containers and\n"
	      "close; with --hold, wait for SIGINT, SIGTERM or SIGHUP first.\n",
	      out);
}

static json_t *report_json(const struct cleanup_report *r)
{
	json_t *cs = json_array(), *ds = json_array(), *ws = json_array();

	for (size_t i = 0; i < r->n_containers; i++)
		json_array_append_new(cs, json_string(r->containers[i].id));
	for (size_t i = 0; i < r->dirs.n; i++)
		json_array_append_new(ds, json_string(r->dirs.v[i]));
	for (size_t i = 0; i < r->n_witnesses; i++)
		json_array_append_new(ws, json_integer(r->witnesses[i]));
	return json_pack("{s:o,s:o,s:o}", "containers", cs, "dirs", ds, "witnesses", ws);
}

static void wait_for_signal(const struct session *s)
{
	struct pollfd pfd = {.fd = session_cancel_fd(s), .events = POLLIN};

	while (!session_interrupted(s, NULL)) {
		pfd.revents = 0;
		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			break;
	}
}

int cmd_session_demo(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {
		{"lab", required_argument, NULL, 'l'},
		{"step", required_argument, NULL, 's'},
		{"hold", no_argument, NULL, 'H'},
		{NULL, 0, NULL, 0},
	};
	static char *const command[] = {(char *)"/bin/sleep", (char *)"3600", NULL};
	const char *lab = NULL, *step = NULL, *image = getenv("ISOLAB_TEST_IMAGE");
	struct argv labels = ARGV_INIT;
	struct engine_run_spec specs[2];
	struct engine_run_job jobs[2];
	char *names[2] = {NULL, NULL};
	struct session s;
	struct engine eng;
	struct err e = {0}, ce;
	bool hold = false;
	int c, rc, code = EXIT_OK, signo = 0;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			lab = optarg;
			break;
		case 's':
			step = optarg;
			break;
		case 'H':
			hold = true;
			break;
		default:
			return cli_usage_error("__session-demo", "unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (!lab || !step || optind < argc)
		return cli_usage_error("__session-demo", "needs --lab LAB --step STEP");
	if (!image || !*image)
		image = "isolab-lab:" ISOLAB_VERSION;

	if (engine_init(&eng, cli->engine, &e) < 0) {
		engine_release(&eng);
		return cli_fail(&e);
	}
	if (session_open(&s, &eng, NULL, &e) < 0) {
		engine_release(&eng);
		if (session_interrupted(&s, &signo))
			session_reraise(signo);
		return cli_fail(&e);
	}

	session_labels(&s, lab, step, &labels);
	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < 2; i++) {
		names[i] = session_container_name(&s, step, i == 0 ? "a" : "b");
		specs[i] = (struct engine_run_spec){
			.name = names[i],
			.image = image,
			.labels = labels.v,
			.command = command,
		};
		jobs[i].spec = &specs[i];
	}
	rc = engine_run_many(&eng, jobs, 2, &e);
	if (rc == 0) {
		json_t *ids = json_array(), *jn = json_array();
		for (size_t i = 0; i < 2; i++) {
			json_array_append_new(ids, json_string(jobs[i].id));
			json_array_append_new(jn, json_string(names[i]));
		}
		json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:o,s:o,s:o}", "session", s.id, "scratch",
				      s.scratch, "nonce", s.nonce, "witness", (json_int_t)s.witness,
				      "containers", ids, "names", jn, "swept",
				      report_json(&s.swept));
		json_dumpf(o, stdout, JSON_COMPACT);
		putchar('\n');
		fflush(stdout);
		json_decref(o);
		if (hold)
			wait_for_signal(&s);
		else if (!session_interrupted(&s, NULL))
			rc = session_remove_step(&s, lab, step, &e);
	}
	if (rc < 0 && !session_interrupted(&s, NULL))
		code = cli_fail(&e);
	if (session_close(&s, &ce) < 0)
		code = cli_fail(&ce);
	for (size_t i = 0; i < 2; i++) {
		free(jobs[i].id);
		free(names[i]);
	}
	argv_free(&labels);
	engine_release(&eng);
	if (session_interrupted(&s, &signo))
		session_reraise(signo);
	return code;
}
