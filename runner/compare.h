/* compare.h: the comparison model of one step. A step's transcript (the
 * JSON of step_result_json, which the TUI's child streams) is decoded
 * once, by one codec, into plain structs: each container as the kernel
 * and Docker saw it, each action and expectation, the review; and for
 * each comparison the differences that matter, weighed and worded, ready
 * to be laid out. Renderers (the TUI, presentation mode) only draw this
 * model: no JSON walking, no names turned back into bits, no counts
 * written as literals. No curses and no printing here. */
#ifndef ISOLAB_COMPARE_H
#define ISOLAB_COMPARE_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "caps.h"
#include "err.h"
#include "util.h"

/* The marks of outcomes, one vocabulary for the comparison and the
 * results; the UI gives each a glyph (with an ASCII fallback) and a
 * colour that only adds to it. */
enum cmp_mark {
	CMP_MARK_HELD,     /* an expectation held */
	CMP_MARK_FAILED,   /* an expectation failed, or the step did not run */
	CMP_MARK_RISK,     /* a known way out of a container */
	CMP_MARK_DISAGREE, /* Docker and the kernel disagree */
	CMP_MARK_ALLOWED,  /* an experiment went through */
	CMP_MARK_DENIED,   /* an experiment was refused */
	CMP_MARK_ERROR,    /* an experiment could not be tried */
	CMP_MARK_COUNT
};
/* "held", "failed", "risk", ... */
const char *cmp_mark_word(enum cmp_mark m);

/* What a row of the comparison shows, by meaning. */
enum cmp_tone {
	CMP_TONE_NORMAL,
	CMP_TONE_SAME,    /* checked, and the same on both */
	CMP_TONE_ADDED,   /* the subject has it, the reference has not */
	CMP_TONE_REMOVED, /* the reference has it, the subject has not */
	CMP_TONE_HOST,    /* shared with the host */
	CMP_TONE_WARN,    /* changed, and it matters */
};

enum cmp_section {
	CMP_SEC_CAPS,
	CMP_SEC_NS,
	CMP_SEC_MOUNTS,
	CMP_SEC_SECURITY,
	CMP_SEC_COUNT
};
const char *cmp_section_title(enum cmp_section s);

struct cmp_ns {
	char *name;
	int shared; /* 1 the host's, 0 its own, -1 unknown */
	long long inode, host_inode; /* -1: unknown */
};

struct cmp_mount {
	char *target, *host_path, *kind; /* host_path, kind: NULL when unknown */
	bool read_only, sensitive;
};

struct cmp_disagreement {
	char *check, *docker, *kernel, *why; /* why: NULL when none */
};

struct cmp_container {
	char *name; /* the lab's name, else the docker name */
	bool reference;
	char *error; /* NULL when it started */
	/* --privileged: asked for, approximated on this host, and what this
	 * kernel could grant (grantable_known false when not said) */
	bool privileged, approximated, grantable_known;
	uint64_t grantable;
	struct argv replacement, left_out;
	/* the kernel's view; inspected false when there is none */
	bool inspected;
	long long pid;
	uint64_t caps[CAPS_NSETS];
	struct cmp_ns *ns;
	size_t n_ns;
	struct cmp_mount *mounts;
	size_t n_mounts;
	char *seccomp, *lsm;
	bool no_new_privs;
	/* what Docker says */
	bool docker_known, docker_privileged;
	struct argv cap_add, cap_drop, binds;
	char *pid_mode;
	struct cmp_disagreement *dis;
	size_t n_dis;
};

/* One difference, worded for a row of the comparison and for a page. */
struct cmp_item {
	enum cmp_section sec;
	int weight; /* how much it matters; 0: the same on both */
	enum cmp_tone tone, ref_tone, subj_tone;
	char *label;
	char *host; /* a mount's host path, shown after the label; or NULL */
	char *ref, *subj;
	char *note;  /* what it means, or NULL */
	bool danger; /* a known way out of a container */
	char *said;  /* the idea in one sentence */
	/* A recursive bind's sub-mounts, folded under it: de-duplicated
	 * targets, in the order they came. */
	struct argv below;
};

struct cmp_pair {
	size_t ref, subj; /* indexes into containers */
	struct cmp_item *items;
	size_t n_items;
	struct argv info[CMP_SEC_COUNT]; /* lines that are not differences */
};

struct cmp_action {
	char *id, *kind, *in, *command, *result, *detail, *error;
	char *proof;        /* the probe's output, else the start of stdout; or NULL */
	char *expected;     /* the result an expectation asked for, or NULL */
	bool canary_read;   /* an expectation that held found the canary's nonce */
	enum cmp_mark mark; /* allowed, denied or error */
	bool as_expected;   /* its result is the one expected (or none was) */
};

struct cmp_expect {
	char *kind, *text, *seen, *why;
	bool held;
};

struct cmp_finding {
	char *check, *severity, *reason, *evidence;
	bool accepted;
};

struct cmp_review {
	char *name;
	struct cmp_finding *findings;
	size_t n_findings;
};

struct cmp_step {
	struct cmp_container *containers;
	size_t n_containers;
	struct cmp_pair *pairs;
	size_t n_pairs;
	struct cmp_action *actions;
	size_t n_actions;
	struct cmp_expect *expects;
	size_t n_expects;
	size_t held; /* expectations that held */
	struct cmp_review *review;
	size_t n_review;
	struct argv removed;
	char *error;         /* the step could not run to the end; or NULL */
	long long elapsed_ms; /* -1: unknown */
};

struct cmp_opts {
	bool bounding; /* the step is about the bounding set: always its row */
};

/* Decode a step transcript and gather its differences. A transcript that
 * lacks a part has none of it; one whose parts have the wrong shape is bad
 * input (ERR_INPUT, saying where). out is always left freeable. */
int cmp_step_decode(json_t *tr, const struct cmp_opts *o, struct cmp_step *out, struct err *e);
void cmp_step_free(struct cmp_step *s);

/* Whether every expectation held and the step ran to the end. */
bool cmp_step_ok(const struct cmp_step *s);
/* "5 of 6 expectations held (1.2 s)". The caller frees it. */
char *cmp_step_summary(const struct cmp_step *s);

/* A container's effective set against Docker's default. */
uint64_t cmp_caps_beyond_default(const struct cmp_container *c);
uint64_t cmp_caps_dropped_from_default(const struct cmp_container *c);
/* The capabilities missing from the effective set are all still in the
 * bounding set: nothing was dropped, the process is not root. */
bool cmp_caps_only_not_root(const struct cmp_container *c);
/* Docker's own plumbing under its data directory, not a mount a learner chose. */
bool cmp_mount_plumbing(const struct cmp_mount *m);
int cmp_mount_weight(const struct cmp_mount *m);
int cmp_ns_weight(const char *ns);
/* A pair's sections, the one with the biggest difference first. */
void cmp_section_order(const struct cmp_pair *p, enum cmp_section order[CMP_SEC_COUNT]);

#endif
