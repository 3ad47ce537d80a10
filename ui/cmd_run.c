/* cmd_run.c: `isolab labs` and `isolab run`: the labs without the TUI, step
 * by step, as a transcript a learner can read in a terminal or a program
 * can read as JSON. */
#include <assert.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "compare.h"
#include "gate.h"
#include "image.h"
#include "lab.h"
#include "mdtext.h"
#include "progress.h"
#include "report.h"
#include "step.h"
#include "util.h"

void cmd_labs_usage(FILE *out)
{
	fputs("Usage: isolab labs [--json]\n"
	      "\n"
	      "List the labs: id, your progress (steps done, from the TUI and isolab run),\n"
	      "the safety class (inspect-only, or vm-only: run it only on an isolated VM\n"
	      "you control) and the title.\n"
	      "Labs come from $ISOLAB_LABS, else labs/ next to the binary, else the\n"
	      "installed share/isolab/labs.\n",
	      out);
}

void cmd_run_usage(FILE *out)
{
	fputs("Usage: isolab run [--json] [--step ID] [--accept-host-reach] LAB\n"
	      "\n"
	      "Run a lab without the TUI, step by step: each step's text, the exact\n"
	      "commands (as you could paste them), what the kernel says about every\n"
	      "container it started, the differences against the reference container,\n"
	      "the results of the experiments, and each expectation as held or failed.\n"
	      "Containers are removed after every step, whatever happens.\n"
	      "\n"
	      "LAB is a lab id (see isolab labs) or the path of a lab file.\n"
	      "\n"
	      "  --step ID            run only this step\n"
	      "  --json               the whole transcript as one JSON object\n"
	      "  --accept-host-reach  run a lab file from outside the installed labs\n"
	      "                       without asking, after listing what reaches the host\n"
	      "\n"
	      "Questions are asked before a step runs when stdin is a terminal; otherwise\n"
	      "they are printed with their answer.\n"
	      "\n"
	      "Exit status: 0 every expectation held; 1 one failed; 2 bad input (lab\n"
	      "file, unknown lab or step, the safety gate not confirmed); 3 the engine is\n"
	      "unavailable. Interrupted (Ctrl-C), isolab removes what it started first.\n",
	      out);
}

int cmd_labs(struct cli *cli, int argc, char **argv)
{
	static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
	struct lab_set set = LAB_SET_INIT;
	struct lab_problems probs = LAB_PROBLEMS_INIT;
	struct err e = {0};
	bool json = false;
	int c, status = EXIT_OK;

	(void)cli;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		if (c != 'j')
			return cli_usage_error("labs", "unknown option '%s'", argv[optind - 1]);
		json = true;
	}
	if (optind < argc)
		return cli_usage_error("labs", "takes no arguments");
	cleanup_free char *dir = lab_dir();
	if (lab_list(dir, &set, &probs, &e) < 0) {
		lab_problems_print(&probs, stderr);
		if (!set.n)
			return cli_fail(&e);
		status = EXIT_USAGE;
	}
	struct progress prog;
	struct err pe = {0};
	bool have = progress_load(&prog, NULL, &pe) == 0;
	/* A corrupt file set aside: said here too, as run and the TUI do. */
	if (have && prog.notice)
		fprintf(stderr, "isolab: %s\n", prog.notice);
	if (json) {
		json_t *arr = json_array();
		for (size_t i = 0; i < set.n; i++) {
			const struct lab *l = set.v[i];
			json_array_append_new(
				arr, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I, s:b}", "id", l->id, "title",
					       l->title, "summary", l->summary, "steps", (json_int_t)l->n_steps,
					       "safety", lab_safety_name(l->safety), "file", l->file, "steps_done",
					       (json_int_t)(have ? progress_steps_done(&prog, l) : 0), "done",
					       have && progress_lab_done(&prog, l)));
		}
		report_print_json(stdout, arr);
		json_decref(arr);
	} else {
		struct report_opts ro = {.color = false, .ascii = !cli_utf8_locale()};

		report_labs_table(stdout, &set, have ? &prog : NULL, &ro);
		printf("\nRun one with: isolab run LAB   (or open the TUI: isolab)\n");
	}
	if (have)
		progress_free(&prog);
	lab_problems_free(&probs);
	lab_set_free(&set);
	return status;
}

/* ---- run ------------------------------------------------------------------- */

struct run {
	struct cli *cli;
	bool json;
	bool interactive; /* stdin and stdout are terminals */
	struct report_opts ro;
	struct engine eng;
	struct host_ref host;
	struct host_facts facts;
	struct session session;
	bool host_loaded, session_open;
	struct progress progress; /* shared with the TUI: steps done, answers */
	bool progress_loaded;
	struct argv left; /* the stopped step's containers, when the engine went silent */
	bool said;        /* say_left printed the error */
};

static void on_event(void *data, const struct step_event *ev)
{
	struct run *r = data;

	if (r->json)
		return;
	switch (ev->kind) {
	case STEP_EV_PHASE:
		printf("-- %s\n", ev->text);
		break;
	case STEP_EV_COMMAND:
		printf("$ %s\n", ev->text);
		break;
	case STEP_EV_NOTE:
		printf("   %s\n", ev->text);
		break;
	case STEP_EV_RESULT:
		for (const char *line = ev->text; line && *line;) {
			const char *nl = strchr(line, '\n');
			int len = nl ? (int)(nl - line) : (int)strlen(line);
			printf("   %s%.*s\n", line == ev->text ? "-> " : "   ", len, line);
			line = nl ? nl + 1 : NULL;
		}
		break;
	}
	fflush(stdout);
}

static void on_build_line(void *data, int fd, const char *line, size_t len)
{
	(void)data;
	(void)fd;
	fprintf(stderr, "   build: %.*s\n", (int)len, line);
}

/* A lab named by id, or a file: from outside the installed labs directory,
 * everything that reaches the host is listed and must be accepted. */
static int load_lab(struct run *r, const char *name, bool accept, struct lab_set *set, struct lab **lab,
		    struct err *e)
{
	struct lab_problems probs = LAB_PROBLEMS_INIT;

	if (strchr(name, '/') || util_str_has_prefix(name + (strlen(name) > 5 ? strlen(name) - 5 : 0), ".yaml")) {
		if (lab_load(name, lab, &probs, e) < 0) {
			lab_problems_print(&probs, stderr);
			lab_problems_free(&probs);
			return -1;
		}
		struct lab_reach *reach = NULL;
		size_t n = lab_host_reach(*lab, &reach);
		if (n) {
			fprintf(stderr, "%s is not one of the installed labs. What in it reaches the host:\n", name);
			for (size_t i = 0; i < n; i++)
				fprintf(stderr, "  %s:%d: step %s: %s (%s)\n", reach[i].pos.file, reach[i].pos.line,
					reach[i].step, reach[i].what, reach[i].why);
		}
		lab_reach_free(reach, n);
		if (n && !accept) {
			if (!r->interactive) {
				lab_free(*lab);
				*lab = NULL;
				return err_input(e, "%s reaches the host: read the list above, then run it again "
						    "with --accept-host-reach",
						 name);
			}
			fprintf(stderr, "Run it? Type yes to go on: ");
			char line[64];
			if (!fgets(line, sizeof(line), stdin) || strncmp(line, "yes", 3) != 0) {
				lab_free(*lab);
				*lab = NULL;
				return err_input(e, "not confirmed: nothing was run");
			}
		}
		return 0;
	}
	cleanup_free char *dir = lab_dir();
	if (lab_list(dir, set, &probs, e) < 0 && !set->n) {
		lab_problems_print(&probs, stderr);
		lab_problems_free(&probs);
		return -1;
	}
	lab_problems_free(&probs);
	struct lab *found = lab_set_find(set, name);
	if (!found) {
		struct strbuf known = STRBUF_INIT;
		for (size_t i = 0; i < set->n; i++)
			strbuf_addf(&known, "%s%s", i ? ", " : "", set->v[i]->id);
		err_input(e, "no lab '%s' (known: %s)", name, strbuf_str(&known));
		strbuf_release(&known);
		return -1;
	}
	*lab = found;
	return 0;
}

static void print_text(const struct lab_step *step)
{
	struct mdtext *doc = NULL;
	struct strbuf sb = STRBUF_INIT;
	struct err e = {0};

	if (mdtext_parse(step->text, strlen(step->text), &doc, &e) < 0) {
		fputs(step->text, stdout);
		return;
	}
	mdtext_render_plain(doc, 78, &sb);
	fputs(strbuf_str(&sb), stdout);
	if (sb.len && sb.buf[sb.len - 1] != '\n')
		fputc('\n', stdout);
	strbuf_release(&sb);
	mdtext_free(doc);
}

/* Predict, then see: asked before the step runs. */
static void ask(struct run *r, const struct lab *lab, const struct lab_step *step,
		const struct lab_question *q)
{
	char line[256];

	printf("\nQuestion: %s\n", q->prompt);
	for (size_t i = 0; i < q->choices.n; i++)
		printf("  %zu) %s\n", i + 1, q->choices.v[i]);
	if (!r->interactive) {
		printf("(not a terminal: the answer follows the run)\n");
		return;
	}
	for (;;) {
		printf("Your answer (1-%zu): ", q->choices.n);
		fflush(stdout);
		if (!fgets(line, sizeof(line), stdin))
			return;
		char *end;
		long n = strtol(line, &end, 10);
		size_t pick = (size_t)-1;
		if (end != line && n >= 1 && (size_t)n <= q->choices.n)
			pick = (size_t)n - 1;
		for (size_t i = 0; i < q->choices.n && pick == (size_t)-1; i++)
			if (strncasecmp(line, q->choices.v[i], strlen(q->choices.v[i])) == 0)
				pick = i;
		if (pick == (size_t)-1)
			continue;
		if (r->progress_loaded)
			progress_mark_pick(&r->progress, lab->id, step->id, q->choices.v[pick],
					   pick == q->answer);
		printf("%s %s\n", pick == q->answer ? "Right." : "Not quite: the answer is",
		       pick == q->answer ? "" : q->choices.v[q->answer]);
		if (q->why)
			printf("%s\n", q->why);
		printf("Now see it for real.\n");
		return;
	}
}

static int close_runtime(struct run *r);

static int open_runtime(struct run *r, struct err *e)
{
	if (engine_init(&r->eng, r->cli->engine, e) < 0)
		return -1;
	engine_learn_socket(&r->eng);
	if (host_facts_load(&r->facts, NULL, e) < 0 || host_ref_load(&r->host, e) < 0)
		return -1;
	r->host_loaded = true;
	if (gate_check(r->cli, &r->facts, stdin, r->json ? stderr : stdout, e) < 0)
		return -1;
	bool built = false;
	if (!r->json)
		printf("-- checking the lab image %s\n", image_ref());
	if (image_ensure(&r->eng, on_build_line, r, &built, e) < 0)
		return -1;
	if (built && !r->json)
		printf("-- built %s\n", image_ref());
	if (session_open(&r->session, &r->eng, NULL, e) < 0) {
		int signo;
		/* Interrupted during the start-up sweep: the signal's own exit. */
		if (session_interrupted(&r->session, &signo)) {
			close_runtime(r);
			session_reraise(signo);
		}
		return -1;
	}
	r->session_open = true;
	/* What an earlier run left and this one cannot remove is no reason
	 * to stop: said once, the lab goes on. */
	for (size_t i = 0; i < r->session.swept.failures.n; i++)
		fprintf(stderr, "isolab: warning: left in place: %s\n",
			r->session.swept.failures.v[i]);
	return 0;
}

static int close_runtime(struct run *r)
{
	struct err e = {0};
	int rc = 0;

	if (r->session_open && session_close(&r->session, &e) < 0) {
		/* The engine went silent: said once, with what is left. */
		if (!engine_unanswered(&r->eng))
			fprintf(stderr, "isolab: %s\n", e.msg);
		rc = -1;
	}
	r->session_open = false;
	if (r->host_loaded) {
		host_ref_free(&r->host);
		host_facts_free(&r->facts);
	}
	r->host_loaded = false;
	engine_release(&r->eng);
	return rc;
}

/* The engine stopped answering: the run stopped at its first time-out.
 * Say so once (exit 3), with what may be left and how it goes. */
static void say_left(struct run *r, struct err *e)
{
	struct strbuf sb = STRBUF_INIT;

	if (e->kind == ERR_NONE)
		*e = r->eng.silent;
	for (size_t i = 0; i < r->left.n; i++)
		strbuf_addf(&sb, "%s%s", i ? ", " : "", r->left.v[i]);
	fprintf(stderr, "isolab: %s\n", e->msg);
	fprintf(stderr,
		"isolab: the run stopped at the engine's first time-out; what it started may be left: %s%s"
		"containers labelled isolab.session=%s. `isolab cleanup` removes them once the engine "
		"answers again.\n",
		strbuf_str(&sb), sb.len ? ", and any other " : "", r->session.id);
	strbuf_release(&sb);
	/* Said here: cli_fail must not say it again. */
	e->exit = EXIT_ENGINE;
	r->said = true;
}

/* What isolab run was asked: LAB, --json, --step, --accept-host-reach. */
struct run_args {
	const char *lab, *only;
	bool accept;
};

/* Returns 0, or the usage error's exit status. */
static int run_args_parse(struct run *r, int argc, char **argv, struct run_args *a)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"step", required_argument, NULL, 's'},
		{"accept-host-reach", no_argument, NULL, 'a'},
		{NULL, 0, NULL, 0},
	};
	int c;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			r->json = true;
			break;
		case 's':
			a->only = optarg;
			break;
		case 'a':
			a->accept = true;
			break;
		case ':':
			return cli_usage_error("run", "'%s' needs a value", argv[optind - 1]);
		default:
			return cli_usage_error("run", "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return cli_usage_error("run", "name one LAB (see isolab labs)");
	a->lab = argv[optind];
	return 0;
}

/* Progress is a convenience: a file that cannot be read or written never
 * stops a lab. */
static void run_progress_load(struct run *r)
{
	struct err pe = {0};

	r->progress_loaded = progress_load(&r->progress, NULL, &pe) == 0;
	if (!r->progress_loaded)
		fprintf(stderr, "isolab: progress is not kept this time: %s\n", pe.msg);
	else if (r->progress.notice)
		fprintf(stderr, "isolab: %s\n", r->progress.notice);
}

static void run_progress_save(struct run *r, const struct lab *lab, const struct lab_step *step, bool done)
{
	struct err pe = {0};

	if (!r->progress_loaded)
		return;
	if (done)
		progress_mark_step(&r->progress, lab->id, step->id);
	progress_set_last(&r->progress, lab->id, step->id);
	if (progress_save(&r->progress, &pe) < 0)
		fprintf(stderr, "isolab: progress not saved: %s\n", pe.msg);
}

/* Before a step runs (text only): its heading, then, predict before you
 * see, the question before the text that could give its answer away. */
static void run_step_intro(struct run *r, const struct lab *lab, size_t i)
{
	const struct lab_step *step = &lab->steps[i];

	if (r->json)
		return;
	printf("\n== Step %zu/%zu: %s  [%s/%s]\n\n", i + 1, lab->n_steps, step->title, lab->id, step->id);
	if (step->question) {
		ask(r, lab, step, step->question);
		putchar('\n');
	}
	print_text(step);
	putchar('\n');
}

/* A step's result as text: its transcript, decoded into the comparison
 * model the TUI draws too, then rendered by the report layer. The
 * transcript is isolab's own: one it cannot decode is isolab failing at
 * its own work (ERR_SYSTEM, exit 4), never a result. */
static int print_result(const struct run *r, const struct lab_step *step,
			const struct step_result *res, struct err *e)
{
	const struct cmp_opts co = {.bounding = lab_step_about_bounding(step)};
	json_t *tr = step_result_json(res);
	struct cmp_step model;
	int rc = cmp_step_decode(tr, &co, &model, e);

	if (rc < 0) {
		err_wrap(e, "the step's result cannot be shown");
		e->kind = ERR_SYSTEM;
		e->exit = EXIT_SYSTEM;
	} else
		report_step_text(stdout, &model, &r->ro);
	cmp_step_free(&model);
	json_decref(tr);
	return rc;
}

/* Run step i and show or keep its result. Returns step_run's status. */
static int run_step(struct run *r, struct step_ctx *ctx, const struct lab *lab, size_t i,
		    json_t *steps, size_t *held, size_t *failed, struct err *e)
{
	const struct lab_step *step = &lab->steps[i];
	struct step_result res;
	struct err pe = {0};
	int rc, signo;

	run_step_intro(r, lab, i);
	rc = step_run(ctx, lab, step, &res, e);
	if (r->json)
		json_array_append_new(steps, step_result_json(&res));
	else if (print_result(r, step, &res, &pe) < 0 && rc == 0) {
		*e = pe;
		rc = -1;
	}
	if (!r->json && step->question && !r->interactive)
		printf("\nAnswer to the question: %s. %s\n", step->question->choices.v[step->question->answer],
		       step->question->why ? step->question->why : "");
	*held += res.held;
	*failed += res.failed;
	if (rc < 0 && engine_unanswered(&r->eng))
		for (size_t k = 0; k < res.n_containers; k++)
			if (res.containers[k].name)
				argv_push(&r->left, res.containers[k].name);
	run_progress_save(r, lab, step, rc == 0 && res.failed == 0);
	step_result_free(&res);
	if (session_interrupted(&r->session, &signo)) {
		json_decref(steps);
		fprintf(stderr, "isolab: interrupted: removing what this run started\n");
		close_runtime(r);
		session_reraise(signo);
	}
	return rc;
}

/* The run's end: the transcript (--json) or the count of what held. */
static void run_summary(struct run *r, const struct lab *lab, const struct lab_host *here, json_t *steps,
			size_t held, size_t failed, const struct err *e)
{
	json_t *t;

	if (!r->json) {
		json_decref(steps);
		printf("\n%s: %zu expectation%s held, %zu failed.\n", lab->id, held, held == 1 ? "" : "s", failed);
		return;
	}
	t = json_pack("{s:s, s:s, s:s, s:o, s:b, s:o, s:I, s:I, s:o}", "lab", lab->id, "title", lab->title,
		      "session", r->session.id, "host",
		      json_pack("{s:b, s:s, s:s, s:s, s:s}", "can_grant_all", r->facts.can_grant_all, "vm",
				host_vm_name(r->facts.vm), "lsm", lab_lsm_name(here->lsm), "privileged",
				lab_priv_name(here->privileged), "cgroup", lab_cgroup_name(here->cgroup)),
		      "held", e->kind == ERR_NONE && failed == 0, "steps", steps, "passed", (json_int_t)held,
		      "failed", (json_int_t)failed, "error", e->kind != ERR_NONE ? json_string(e->msg) : json_null());
	report_print_json(stdout, t);
	json_decref(t);
}

/* Every step of the lab (or the one asked for), in order, until one could
 * not be run. */
static void run_steps(struct run *r, const struct lab *lab, const struct lab_step *one,
		      const struct lab_host *here, size_t *failed, struct err *e)
{
	struct step_ctx ctx = {
		.eng = &r->eng,
		.session = &r->session,
		.host = &r->host,
		.facts = &r->facts,
		.image = image_ref(),
		.on_event = on_event,
		.event_data = r,
	};
	json_t *steps = json_array();
	size_t held = 0;

	if (!r->json)
		printf("\n%s\n%s\n\n", lab->title, lab->summary);
	for (size_t i = 0; i < lab->n_steps; i++) {
		if (one && &lab->steps[i] != one)
			continue;
		if (run_step(r, &ctx, lab, i, steps, &held, failed, e) < 0)
			break;
	}
	run_summary(r, lab, here, steps, held, *failed, e);
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	struct run r = {.cli = cli};
	struct run_args a = {NULL, NULL, false};
	struct lab_set set = LAB_SET_INIT;
	struct lab *lab = NULL;
	struct lab_host here = {LAB_LSM_NONE, LAB_PRIV_APPROXIMATED, LAB_CGROUP_ANY};
	const struct lab_step *one = NULL;
	bool owned = false;
	struct err e = {0};
	size_t failed = 0;
	int status = EXIT_OK;

	status = run_args_parse(&r, argc, argv, &a);
	if (status)
		return status;
	/* run_args_parse names the lab or fails with cli_usage_error, which the
	 * analyser cannot see is never 0. */
	assert(a.lab);
	r.interactive = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO) && !r.json;
	r.ro = (struct report_opts){.color = cli->color && isatty(STDOUT_FILENO), .ascii = !cli_utf8_locale()};

	if (load_lab(&r, a.lab, a.accept, &set, &lab, &e) < 0)
		return cli_fail(&e);
	owned = set.n == 0;
	if (a.only && !(one = lab_find_step(lab, a.only))) {
		err_input(&e, "lab %s has no step '%s'", lab->id, a.only);
		goto out;
	}
	if (open_runtime(&r, &e) < 0)
		goto out;
	lab_host_of(&r.facts, &here);
	lab_for_host(lab, &here);
	run_progress_load(&r);
	run_steps(&r, lab, one, &here, &failed, &e);
	if (e.kind == ERR_NONE && failed)
		status = EXIT_EXPECT;
out:
	if (close_runtime(&r) < 0 && status == EXIT_OK && e.kind == ERR_NONE)
		status = EXIT_EXPECT;
	if (r.session.id[0] && engine_unanswered(&r.eng))
		say_left(&r, &e);
	argv_free(&r.left);
	if (e.kind != ERR_NONE)
		status = r.said ? e.exit : cli_fail(&e);
	if (r.progress_loaded)
		progress_free(&r.progress);
	if (owned)
		lab_free(lab);
	lab_set_free(&set);
	return status;
}
