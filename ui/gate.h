/* gate.h: the safety gate of DESIGN.md, before any lab. isolab says what it
 * found (a VM or not, on what evidence) and asks the learner to confirm an
 * isolated VM they control, unless --yes-isolated-vm / ISOLAB_ISOLATED_VM=1
 * already did. The decision (what to say, whether to ask) is apart from the
 * terminal, so the TUI shows the same words in its own way. */
#ifndef ISOLAB_GATE_H
#define ISOLAB_GATE_H

#include <stdbool.h>
#include <stdio.h>

#include "cli.h"
#include "err.h"
#include "host.h"
#include "util.h"

enum gate_action {
	GATE_GO,     /* confirmed (flag or memory): say lines[0] and go on */
	GATE_ASK,    /* say the lines, ask the question, go on only on "yes" */
	GATE_REFUSE, /* no flag and no one to ask: say the lines, fail with refusal */
};

struct gate_decision {
	enum gate_action action;
	struct argv lines;    /* what isolab found, one line each, ready to print */
	const char *question; /* GATE_ASK: the prompt, without a newline */
	const char *refusal;  /* GATE_REFUSE: the error message */
};

/* Who confirmed the gate, if anyone. */
enum gate_confirmed {
	GATE_NOT_YET,
	GATE_BY_FLAG,   /* --yes-isolated-vm or ISOLAB_ISOLATED_VM=1 */
	GATE_BY_MEMORY, /* a "yes" earlier in this boot, on file (gate_remembered) */
};

/* The file, in the scratch base (ISOLAB_SCRATCH_BASE, else /run/isolab: per
 * boot), that remembers a "yes" for this boot: it holds this boot's id
 * (/proc/sys/kernel/random/boot_id) and counts only when it and its
 * directory are root's and nobody else may write them. */
#define GATE_MEMORY_FILE "gate-confirmed"

/* Whether a "yes" was given earlier in this boot of this machine (and isolab
 * runs as root, who alone could have written it). */
bool gate_remembered(void);
/* After a "yes": remember it for this boot. 0, or -1 (not root, no boot id,
 * the base not root's alone, a write error): then the gate asks next time. */
int gate_remember(void);
/* The memory file's path (free it). */
char *gate_memory_path(void);

/* Pure: from the host facts, whether the flag confirmed it, and whether
 * there is a terminal to ask on. Free with gate_decision_free. */
void gate_decide(const struct host_facts *h, bool confirmed_by_flag, bool interactive,
		 struct gate_decision *d);
/* The same, saying who confirmed it (by the flag, or a "yes" remembered). */
void gate_decide_as(const struct host_facts *h, enum gate_confirmed by, bool interactive,
		    struct gate_decision *d);
void gate_decision_free(struct gate_decision *d);

/* The learner's answer: 0 for "yes" (any case, surrounding space ignored);
 * anything else, or NULL (end of input), is ERR_INPUT: not confirmed. */
int gate_answer(const char *answer, struct err *e);

/* The gate on a terminal: returns 0 to go on. The flag comes from
 * cli->yes_vm; asks only when in is a terminal, and fails (ERR_INPUT, exit
 * 2) naming --yes-isolated-vm / ISOLAB_ISOLATED_VM=1 when it is not. */
int gate_check(const struct cli *cli, const struct host_facts *h, FILE *in, FILE *out,
	       struct err *e);

#endif
