/* audit.h: `isolab audit`: a review of running containers for the risks a
 * deployment reviewer asks about (privileged, the Docker socket, sensitive
 * host mounts, extra capabilities, shared host namespaces, seccomp, LSM,
 * no_new_privs, a writable root), decided from the kernel's state (a
 * snapshot from /proc) with Docker's configuration as supporting evidence.
 * The checks are a data table. A finding is accepted when the container
 * carries the label isolab.reason.<check> with a reason that is not blank. */
#ifndef ISOLAB_AUDIT_H
#define ISOLAB_AUDIT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "err.h"
#include "host.h"
#include "report.h"
#include "snapshot.h"
#include "util.h"

#define AUDIT_REASON_PREFIX "isolab.reason."

/* Ordered: a higher value is worse. */
enum audit_severity {
	AUDIT_INFO,     /* a fact worth knowing; never fails the audit */
	AUDIT_LOW,      /* hardening left undone */
	AUDIT_MEDIUM,   /* widens what an attacker in the container can reach */
	AUDIT_HIGH,     /* a known path to the host, or to its secrets */
	AUDIT_CRITICAL, /* the host is one step away: root on it, or its whole API */
};
/* An unaccepted finding at or above this severity fails the audit (exit 1). */
#define AUDIT_GATE AUDIT_HIGH

/* One check: a row of the table. */
struct audit_check {
	const char *name;              /* "privileged", as in DESIGN.md */
	enum audit_severity severity;  /* the usual severity */
	const char *severity_rule;     /* when and how it differs, or NULL */
	const char *risk;              /* one line */
	const char *fix;               /* template: {target} {host_path} {caps}
	                                * {docker_caps} {flag} filled per finding */
	const char *what;              /* --explain: what it looks at, from where */
	const char *why;               /* --explain: why it matters */
};

/* The table, in DESIGN.md's order. */
const struct audit_check *audit_checks(size_t *n);
/* NULL when name is no check. */
const struct audit_check *audit_check_find(const char *name);
/* "privileged, host-pid, ..." for messages. Free it. */
char *audit_check_names(const char *sep);

const char *audit_severity_name(enum audit_severity s);
/* -1 when name is not a severity. */
int audit_severity_from_name(const char *name);

struct audit_finding {
	const struct audit_check *check;
	enum audit_severity severity;
	char *evidence;      /* what the kernel shows (and Docker, as support) */
	char *fix;           /* the check's template, filled */
	bool accepted;
	char *reason;        /* the label's text, trimmed, when accepted; else NULL */
	bool reason_blank;   /* the label is there but says nothing: not accepted */
	bool userns_lowered; /* one level lower: capabilities are relative to the
	                      * container's own user namespace */
	/* Structured evidence, where it applies (empty / NULL / -1 otherwise). */
	struct argv caps;    /* capability names */
	struct argv below;   /* mounts folded into a sensitive bind: their targets */
	char *target;        /* a mount's target in the container */
	char *socket;        /* docker-socket: where the socket shows inside */
	char *host_path;
	int read_only;       /* the mount's own flag */
	const char *ns;      /* "pid", "net", ... */
	unsigned long long ns_inode;
	int docker_privileged, kernel_privileged; /* privileged only */
};

struct audit_container {
	char *id;
	char *name;
	char *image;
	bool gone;           /* exited or removed while isolab read it: not reviewed */
	char *gone_why;
	char *error;         /* could not be read for another reason (fails the audit) */
	bool own_userns;     /* uid_map is not the identity */
	char *uid_map;
	struct audit_finding *v;
	size_t n;
	struct argv notes;   /* a stale or misspelt reason label, ... */
};

struct audit_report {
	struct audit_container *v;
	size_t n;
	size_t n_isolab;     /* isolab's own lab containers left out */
	bool lsm;            /* an LSM is enabled here: lsm-unconfined was checked */
	struct argv notes;   /* about the host, once */
};

/*
 * Audit containers. names_or_ids (NULL-terminated; NULL or empty: every
 * running container, from one `docker ps`) are resolved with one `docker
 * inspect` and a snapshot each. When listing, containers labelled
 * isolab.session are left out unless include_isolab; a named container is
 * always audited. A container that exits or is removed meanwhile is marked
 * gone. Returns -1 when the engine fails (ERR_ENGINE, exit 3) or a named
 * container does not exist (ERR_INPUT). *r is always filled: free it. The
 * result is sorted (audit_report_sort).
 */
int audit_containers(struct engine *eng, const struct host_ref *host, const struct host_facts *hf,
		     char *const *names_or_ids, bool include_isolab, struct audit_report *r,
		     struct err *e);
void audit_report_free(struct audit_report *r);

/* The findings of one container from Docker's view and the kernel's. Pure:
 * the unit tests feed fixtures. host gives the host's mounts (where the
 * socket lives); hf what this host can grant and its LSMs. */
void audit_evaluate(const struct engine_container *c, const struct snapshot *s,
		    const struct host_ref *host, const struct host_facts *hf,
		    struct audit_container *out);
void audit_container_free(struct audit_container *c);

/* Findings worst first (severity, open before accepted, then the table's
 * order); containers worst first (their worst open finding, their worst
 * finding, then name); gone ones last. */
void audit_report_sort(struct audit_report *r);

/* EXIT_EXPECT when a finding at or above max(AUDIT_GATE, min) is not
 * accepted, or a container could not be read; else EXIT_OK. */
int audit_report_status(const struct audit_report *r, enum audit_severity min);
/* The severity at and above which an open finding fails: max(AUDIT_GATE, min). */
enum audit_severity audit_gate(enum audit_severity min);
/* A check's fix for --explain, its placeholders said in words. Malloc'd. */
char *audit_explain_fix(const struct audit_check *c);

/* The renderings, in the report layer (runner/report_audit.c). */

/* The array DESIGN.md fixes, with findings below min left out; each
 * finding also has "risk" and "fix" (and its structured evidence), each
 * container "gone", "user_namespace" and "notes". */
json_t *audit_report_json(const struct audit_report *r, enum audit_severity min);
/* A libsmartcols tree, one branch per container, worst first, then a legend;
 * "No findings ..." when there is nothing at or above min. */
void audit_report_text(FILE *out, const struct audit_report *r, enum audit_severity min,
		       const struct report_opts *o);
/* What a check means, why it matters, how to fix it, how to accept it. */
void audit_explain(FILE *out, const struct audit_check *c);

#endif
