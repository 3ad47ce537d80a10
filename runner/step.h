/* step.h: running one step of a lab. Its containers start in parallel
 * (--privileged planned for this host first); one docker inspect gives
 * their pids; each process is read from the kernel; every other container
 * is compared with the reference; the actions run (a probe experiment or a
 * command in a container, or an allowlisted command on the host); every
 * expectation is checked; and the step's containers are removed whatever
 * happened. The result is one model with two renderings: JSON (the
 * transcript, which the TUI also reads) and text. */
#ifndef ISOLAB_STEP_H
#define ISOLAB_STEP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "audit.h"
#include "engine.h"
#include "err.h"
#include "host.h"
#include "lab.h"
#include "privileged.h"
#include "report.h"
#include "session.h"
#include "snapshot.h"
#include "target.h"

enum step_event_kind {
	STEP_EV_PHASE,   /* "starting 2 containers", "reading the kernel's view", ... */
	STEP_EV_COMMAND, /* a command about to run, shell-quoted as a learner can paste it */
	STEP_EV_NOTE,    /* something to know, e.g. --privileged approximated */
	STEP_EV_RESULT,  /* how an action ended: its result and detail (and output) */
};

struct step_event {
	enum step_event_kind kind;
	const char *text;
};

typedef void (*step_event_fn)(void *data, const struct step_event *ev);

struct step_ctx {
	struct engine *eng;
	struct session *session;
	const struct host_ref *host;
	const struct host_facts *facts;
	const char *image;
	step_event_fn on_event; /* may be NULL */
	void *event_data;
};

struct step_container {
	const struct lab_container *def;
	char *name;                  /* the docker name */
	struct privileged_plan plan; /* flags as run; approximated or not */
	struct argv run_argv;        /* the exact docker run argv */
	char *id;                    /* NULL when it did not start */
	int rc;
	struct err err;
	const struct target *target; /* the kernel's view (and Docker's); NULL if none */
};

struct step_action {
	const struct lab_action *def;
	struct argv argv; /* the exact argv run */
	int rc;           /* -1: it could not run at all (err) */
	struct err err;
	struct exec_result res;
	enum lab_result result; /* allowed, denied or error */
	json_t *probe;          /* a probe experiment's own JSON line, or NULL */
	char *detail;           /* one line on what happened */
};

struct step_expect {
	const struct lab_expect *def;
	char *text; /* what was expected, in words */
	char *seen; /* what was found */
	bool held;
};

struct step_comparison {
	int reference, subject; /* indexes into containers */
	struct snapshot_diff diff;
};

struct step_result {
	const struct lab *lab;
	const struct lab_step *step;
	size_t index; /* 1-based position of the step in the lab */
	uint64_t grantable; /* every capability the kernel knows (host_facts.all) */
	struct step_container *containers;
	size_t n_containers;
	struct target_set targets;
	struct step_comparison *comparisons;
	size_t n_comparisons;
	struct step_action *actions;
	size_t n_actions;
	struct step_expect *expects;
	size_t n_expects;
	size_t held, failed;
	struct audit_report audit; /* the review of the step's containers, when
	                            * an expectation asks for a finding */
	bool audited;
	struct argv removed; /* names of the containers removed at the end */
	int rc;              /* -1 when the step could not run to the end (err) */
	struct err err;
	long long elapsed_ms;
};

/* Run one step. Returns 0 when it ran to the end (expectations may still
 * have failed: see held/failed), -1 when it could not (engine down,
 * interrupted: err, also in out->err). Containers are removed in both
 * cases; out is always filled: free it with step_result_free. */
int step_run(struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
	     struct step_result *out, struct err *e);
void step_result_free(struct step_result *r);

/* The commands a step will run, before it runs: docker run lines as they
 * will be, actions with {pid:NAME} written as a shell substitution the
 * learner can paste: $(docker inspect -f '{{.State.Pid}}' NAME). */
int step_commands(const struct step_ctx *ctx, const struct lab *lab, const struct lab_step *step,
		  struct argv *lines, struct err *e);

/*
 * The transcript of a step, as `isolab run --json` prints it and the TUI
 * reads it:
 * { "lab", "step", "title", "notes": [what this host changes: the step's
 *   notes whose condition holds here, Markdown], "index", "of",
 *   "question": {"prompt", "choices": [...], "answer", "why"} | null,
 *   "containers": [{"name", "reference", "docker_name", "id", "command",
 *                   "privileged": null | {"approximated", "replacement": [...],
 *                                         "left_out": [...],
 *                                         "grantable": {"hex", "names"}},
 *                   "inspect": <inspect object of DESIGN.md, with "docker"
 *                              and "disagreements"> | null,
 *                   "error": null | "..."}],
 *   "comparisons": [{"reference", "subject", "diff": <isolab diff --json>}],
 *   "actions": [{"id", "kind", "in", "command", "exit_code", "stdout",
 *                "stderr", "result", "detail", "probe": {...} | null,
 *                "error": null | "..."}],
 *   "expectations": [{"kind", "text", "held", "seen", "why"}],
 *   "audit": <isolab audit --json of the step's containers> | null,
 *   "held", "passed", "failed", "removed": [...], "error", "elapsed_ms" }
 */
json_t *step_result_json(const struct step_result *r);
#endif
