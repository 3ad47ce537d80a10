/* lab.h: lab files (YAML, format version 1) turned into structs the step
 * runner consumes directly, with every problem reported as FILE:LINE:COL.
 * Strings keep their {placeholders}; lab_expand() fills them at run time.
 * The format is documented in docs/authoring-labs.md. */
#ifndef ISOLAB_LAB_H
#define ISOLAB_LAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "err.h"
#include "util.h"

#define LAB_FORMAT_VERSION 1
#define LAB_MAX_CONTAINERS 8

/* Where something was written. line and col count from 1; file points into
 * the owning lab (or problem list) and lives as long as it. */
struct lab_pos {
	const char *file;
	int line;
	int col;
};

/* A list of words (an argv, a list of flags, hints...). v is
 * NULL-terminated and never NULL itself, even when n == 0. */
struct lab_words {
	char **v;
	size_t n;
	struct lab_pos *pos; /* pos[i]: where v[i] was written */
	struct lab_pos at;   /* the list itself; the owner's position when absent */
};

/* A condition on the host a lab runs on (`when:`), for what the host
 * changes: an LSM that confines containers, a --privileged that is real or
 * approximated. Every field ANY (pos.line 0): no condition, always. */
enum lab_lsm {
	LAB_LSM_ANY = 0,
	LAB_LSM_APPARMOR, /* the kernel runs AppArmor: Docker confines with docker-default */
	LAB_LSM_SELINUX,  /* SELinux enforcing */
	LAB_LSM_NONE,     /* neither */
};

enum lab_priv {
	LAB_PRIV_ANY = 0,
	LAB_PRIV_REAL,         /* the host can grant every capability */
	LAB_PRIV_APPROXIMATED, /* it cannot: isolab approximates --privileged */
};

enum lab_cgroup {
	LAB_CGROUP_ANY = 0,
	LAB_CGROUP_V1, /* v1 controllers (hybrid too: Docker uses v1 there) */
	LAB_CGROUP_V2, /* the unified hierarchy alone */
};

struct lab_when {
	struct lab_pos pos; /* the 'when' key; line 0 when there is none */
	enum lab_lsm lsm;
	enum lab_priv privileged;
	enum lab_cgroup cgroup;
};

/* Markdown shown after the step's text on the hosts its condition holds. */
struct lab_note {
	struct lab_pos pos;
	struct lab_when when;
	char *text;
};

struct policy_flags; /* policy.h */

struct lab_container {
	struct lab_pos pos;
	struct lab_when when;
	char *name;             /* [a-z0-9-]+, unique within the step */
	bool reference;         /* the one the others are compared with */
	struct lab_words flags; /* docker run flags as written (shown, never run) */
	struct policy_flags *run; /* the same, canonical (policy.h): what Docker gets */
	struct lab_words command; /* n == 0: the image's default (a long sleep) */
};

enum lab_action_kind {
	LAB_ACTION_PROBE, /* the probe binary in container `in`: probe + argv as its args */
	LAB_ACTION_EXEC,  /* docker exec of argv in container `in` */
	LAB_ACTION_HOST,  /* argv on the host (nsenter, or reads under {scratch}) */
};

struct lab_action {
	struct lab_pos pos;
	struct lab_when when;
	char *id;
	enum lab_action_kind kind;
	char *in;              /* container name; NULL for host actions */
	int container;         /* index into step->containers; -1 for host actions */
	char *probe;           /* LAB_ACTION_PROBE: the experiment's name */
	struct lab_words argv; /* probe: its args; exec/host: the argv */
};

enum lab_expect_kind {
	LAB_EXPECT_CAP,
	LAB_EXPECT_NAMESPACE,
	LAB_EXPECT_MOUNT,
	LAB_EXPECT_SECCOMP,
	LAB_EXPECT_NO_NEW_PRIVS,
	LAB_EXPECT_ACTION,
	LAB_EXPECT_PRIVILEGED,
	LAB_EXPECT_FINDING, /* isolab audit's review of the container */
	LAB_EXPECT_LSM,     /* the LSM label the kernel gives the process */
};

enum lab_cap_set {
	LAB_CAPSET_EFFECTIVE,
	LAB_CAPSET_PERMITTED,
	LAB_CAPSET_INHERITABLE,
	LAB_CAPSET_BOUNDING,
	LAB_CAPSET_AMBIENT,
};

enum lab_seccomp {
	LAB_SECCOMP_DISABLED,
	LAB_SECCOMP_STRICT,
	LAB_SECCOMP_FILTER,
};

enum lab_result {
	LAB_RESULT_ALLOWED,
	LAB_RESULT_DENIED,
	LAB_RESULT_ERROR,
};

/* One expectation. Only the member named after the kind is meaningful;
 * container/container_index serve every kind but LAB_EXPECT_ACTION. */
struct lab_expect {
	struct lab_pos pos; /* the kind's key */
	struct lab_when when;
	enum lab_expect_kind kind;
	char *why;           /* shown with the result; NULL when absent */
	char *container;     /* NULL for LAB_EXPECT_ACTION */
	int container_index; /* into step->containers; -1 for LAB_EXPECT_ACTION */
	struct {
		enum lab_cap_set set; /* default: effective */
		char *name;           /* libcap's name, e.g. "cap_sys_admin" */
		int value;            /* its number (cap_value_t) */
		bool has;             /* has: NAME (true) or lacks: NAME (false) */
	} cap;
	struct {
		char *ns;    /* cgroup ipc mnt net pid pid_for_children time ... */
		bool shared; /* shared with the host (isolab's own namespaces) */
	} ns;
	struct {
		char *host_path;      /* may hold {scratch}; NULL when only kind is given */
		char *kind;           /* mount kind (rootfs, host-bind, docker-socket...) or NULL */
		bool present;         /* default true; false: expect no such mount */
		bool check_read_only; /* read_only was given */
		bool read_only;
	} mount;
	struct {
		enum lab_seccomp mode;
	} seccomp;
	struct {
		bool value;
	} nnp;
	struct {
		char *profile; /* "docker-default", "unconfined": attr/current up to " (" */
	} lsm;
	struct {
		char *check;  /* an audit check (isolab audit --explain CHECK) */
		bool present; /* default true: the review raises it */
	} finding;
	struct {
		char *id;       /* the action's id */
		int index;      /* into step->actions */
		enum lab_result result;
		char *contains; /* its output must contain this (placeholders allowed) or NULL */
		bool check_exit; /* exit was given (exec and host actions only) */
		int exit;
	} action;
};

struct lab_question {
	struct lab_pos pos;
	char *prompt;
	struct lab_words choices; /* at least two, all different */
	size_t answer;            /* index into choices */
	char *why;                /* NULL when absent */
};

struct lab_step {
	struct lab_pos pos;
	char *id;
	char *title;
	char *text;              /* Markdown (see mdtext.h), exactly as written */
	struct lab_pos text_pos;
	struct lab_question *question; /* NULL when absent */
	struct lab_container *containers;
	size_t n_containers;
	int reference; /* index of the reference container, or -1 */
	struct lab_action *actions;
	size_t n_actions;
	struct lab_expect *expects;
	size_t n_expects;
	struct lab_words hints; /* at least one; the last is the solution */
	struct lab_note *notes;  /* what the host changes, each with its condition */
	size_t n_notes;
};

enum lab_safety {
	LAB_SAFETY_INSPECT_ONLY,
	LAB_SAFETY_VM_ONLY,
};

struct lab {
	char *file; /* as given to lab_load(); every pos.file points here */
	struct lab_pos pos;
	int version;
	struct lab_pos id_pos;
	char *id;
	char *title;
	char *summary; /* trailing newlines removed */
	enum lab_safety safety;
	struct lab_step *steps;
	size_t n_steps;
};

/* --- problems -------------------------------------------------------------- */

struct lab_problem {
	char *file;
	int line; /* 0 when the problem is about the whole file (unreadable...) */
	int col;
	char *msg;
};

struct lab_problems {
	struct lab_problem *v;
	size_t n;
	size_t cap;
};
#define LAB_PROBLEMS_INIT {NULL, 0, 0}

/* "FILE:LINE:COL: msg", or "FILE: msg" when line is 0. */
char *lab_problem_format(const struct lab_problem *p);
void lab_problems_print(const struct lab_problems *p, FILE *out);
void lab_problems_free(struct lab_problems *p);

/* --- loading --------------------------------------------------------------- */

/* Load and validate one lab file. Returns 0 with *out set when the file has
 * no problem. Otherwise returns -1, *out NULL, every problem appended to
 * probs (in file order; probs may be NULL) and e (ERR_INPUT) holding the
 * first one. */
int lab_load(const char *path, struct lab **out, struct lab_problems *probs, struct err *e);
/* The same from memory; name stands for the file in messages. */
int lab_load_string(const char *name, const char *buf, size_t len, struct lab **out,
		    struct lab_problems *probs, struct err *e);
void lab_free(struct lab *lab);

/* Is lab's id already used by one of labs[0..n) (NULL entries skipped)?
 * If so, report it at lab's id and return true. */
bool lab_id_taken(struct lab *const *labs, size_t n, const struct lab *lab,
		  struct lab_problems *probs);

struct lab_set {
	struct lab **v;
	size_t n;
};

struct progress;
struct report_opts;
/* isolab labs' table: each lab, its progress (prog may be NULL: none kept),
 * its safety and its title; libsmartcols, so it fits the terminal. */
void report_labs_table(FILE *out, const struct lab_set *set, const struct progress *prog,
		       const struct report_opts *o);
#define LAB_SET_INIT {NULL, 0}

/* Load every *.yaml in dir, sorted by file name. Labs with problems (and
 * later labs reusing an id) are left out and their problems appended to
 * probs. Returns 0 when every file loaded; -1 with e set when dir cannot be
 * read or some file has problems (out still holds the good labs). */
int lab_list(const char *dir, struct lab_set *out, struct lab_problems *probs, struct err *e);
void lab_set_free(struct lab_set *s);
struct lab *lab_set_find(const struct lab_set *s, const char *id);

/* The labs directory: $ISOLAB_LABS if set; else labs/ next to the running
 * binary when it is a directory; else ISOLAB_DATADIR "/labs". Malloc'd. */
char *lab_dir(void);

const struct lab_step *lab_find_step(const struct lab *lab, const char *id);
int lab_step_container(const struct lab_step *step, const char *name);
/* Whether a step is about the bounding set (an expectation on it, or its
 * text or a hint naming it): its comparison then always shows that row. */
bool lab_step_about_bounding(const struct lab_step *step);

/* --- placeholders ---------------------------------------------------------- */

enum lab_var {
	LAB_VAR_PID,     /* {pid:NAME}: host pid of container NAME of this step */
	LAB_VAR_NAME,    /* {name:NAME}: its docker name */
	LAB_VAR_WITNESS, /* {witness}: pid of isolab's host witness process */
	LAB_VAR_NONCE,   /* {nonce}: the canary nonce */
	LAB_VAR_SCRATCH, /* {scratch}: the scratch dir on the host */
	LAB_VAR_IMAGE,   /* {image}: the lab image reference */
	LAB_VAR_SESSION, /* {session}: the session id */
	LAB_VAR_DISK_CANARY, /* {disk_canary}: the second canary's path inside the
	                      * file system that holds it (the root one) */
	LAB_VAR_DOCKER_SOCKET, /* {docker_socket}: the host path of the socket of
	                        * the engine isolab talks to (DOCKER_HOST, the
	                        * docker context, else /var/run/docker.sock) */
};

/* The step runner's values. lookup appends the value of var to out (arg is
 * the container name for LAB_VAR_PID and LAB_VAR_NAME, NULL otherwise) and
 * returns 0, or returns -1 with e set. */
struct lab_vars {
	int (*lookup)(void *user, enum lab_var var, const char *arg, struct strbuf *out,
		      struct err *e);
	void *user;
};

/* Expand tmpl ("{{" and "}}" are literal braces) into a malloc'd *out. */
int lab_expand(const char *tmpl, const struct lab_vars *vars, char **out, struct err *e);
/* Expand every word of w and push it onto out. */
int lab_expand_words(const struct lab_words *w, const struct lab_vars *vars, struct argv *out,
		     struct err *e);

/* --- host reach ------------------------------------------------------------ */

/* A flag or action that reaches the host, for the runner to show and ask
 * about before it runs a lab from outside the installed labs directory. */
struct lab_reach {
	const char *step; /* the step's id (borrowed from the lab) */
	struct lab_pos pos;
	char *what;       /* as written: "--cap-add SYS_ADMIN", "host: nsenter -t ..." */
	const char *why;  /* what it opens, one short phrase */
};

/* Every reaching flag and action in lab, in file order; *out malloc'd. */
size_t lab_host_reach(const struct lab *lab, struct lab_reach **out);
void lab_reach_free(struct lab_reach *r, size_t n);

/* --- the host a lab runs on ---------------------------------------------- */

struct lab_host {
	enum lab_lsm lsm;         /* never LAB_LSM_ANY */
	enum lab_priv privileged; /* never LAB_PRIV_ANY */
	enum lab_cgroup cgroup;   /* ANY when the host's is unknown: no 'cgroup' condition holds */
};

/* The host of these facts (host.h): AppArmor when the kernel runs it (Docker
 * then confines every container with docker-default unless told otherwise),
 * else SELinux when enforcing, else none; --privileged real when the host
 * can grant every capability. */
struct host_facts;
void lab_host_of(const struct host_facts *f, struct lab_host *h);

/* Does w hold on host h? Does every host where a holds satisfy b too? */
bool lab_when_holds(const struct lab_when *w, const struct lab_host *h);
bool lab_when_implies(const struct lab_when *a, const struct lab_when *b);
/* "when AppArmor confines containers and --privileged is real"; "" for none. */
char *lab_when_text(const struct lab_when *w);
/* Make lab the lab of host h: drop the containers, actions and expectations
 * whose condition does not hold there, and append to each step's text the
 * notes whose condition holds ("On this host: ..."), keeping only those in
 * step->notes. Indexes are remapped; what is dropped is freed. */
void lab_for_host(struct lab *lab, const struct lab_host *h);
void lab_container_free(struct lab_container *c);
void lab_action_free(struct lab_action *a);
void lab_expect_free(struct lab_expect *x);

const char *lab_lsm_name(enum lab_lsm l);
const char *lab_priv_name(enum lab_priv p);
/* "v1", "v2", or "unknown" (LAB_CGROUP_ANY: the host's is not known). */
const char *lab_cgroup_name(enum lab_cgroup g);

/* --- names ----------------------------------------------------------------- */

const char *lab_safety_name(enum lab_safety s);
const char *lab_action_kind_name(enum lab_action_kind k);
const char *lab_expect_kind_name(enum lab_expect_kind k);
const char *lab_cap_set_name(enum lab_cap_set s);
const char *lab_seccomp_name(enum lab_seccomp m);
const char *lab_result_name(enum lab_result r);
const char *lab_var_name(enum lab_var v);

#endif
