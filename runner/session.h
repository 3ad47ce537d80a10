/* session.h: one run of isolab: its id, its scratch dir and canary, the
 * host witness, the labels and names of its containers, signal handling
 * that cancels a docker call in flight, and the guaranteed cleanup: at the
 * end of a step, of the session, on SIGINT/SIGTERM/SIGHUP, by a later run
 * (the sweep of sessions whose owner is gone) and by `isolab cleanup`. */
#ifndef ISOLAB_SESSION_H
#define ISOLAB_SESSION_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "engine.h"
#include "err.h"
#include "util.h"

#define SESSION_ID_LEN 12    /* lowercase hex */
#define SESSION_NONCE_LEN 32 /* lowercase hex */
#define SESSION_SCRATCH_BASE "/run/isolab"
/* The second canary's base: on the root file system, where Docker keeps
 * its data, for the proofs that read the host's disk itself. */
#define SESSION_DISK_BASE "/var/lib/isolab"

#define SESSION_LABEL_SESSION "isolab.session"
#define SESSION_LABEL_LAB "isolab.lab"
#define SESSION_LABEL_STEP "isolab.step"
#define SESSION_LABEL_OWNER "isolab.owner" /* "<pid>:<starttime>" */

/* The witness: `isolab __witness` renames itself to SESSION_WITNESS_COMM;
 * its environment is exactly these two variables and PATH. */
#define SESSION_WITNESS_CMD "__witness"
#define SESSION_WITNESS_COMM "isolab-witness"
#define SESSION_ENV_NONCE "ISOLAB_NONCE"
#define SESSION_ENV_SESSION "ISOLAB_SESSION"
/* Where the session dirs live, for tests (an absolute path, else ignored). */
#define SESSION_ENV_SCRATCH_BASE "ISOLAB_SCRATCH_BASE"
#define SESSION_ENV_DISK_BASE "ISOLAB_DISK_BASE"

/* Zero-initialised: the defaults. */
struct session_opts {
	const char *scratch_base; /* NULL: $ISOLAB_SCRATCH_BASE, else SESSION_SCRATCH_BASE */
	const char *disk_base;    /* NULL: $ISOLAB_DISK_BASE, else SESSION_DISK_BASE */
	const char *self_exe;     /* the witness binary; NULL: "/proc/self/exe" */
};

/* One container found and removed. */
struct session_container {
	char *id;
	char *name;    /* without the leading '/'; "" when docker did not say */
	char *session; /* its isolab.session label */
};

/* What a sweep or `isolab cleanup` removed, and what it could not. */
struct cleanup_report {
	struct session_container *containers;
	size_t n_containers;
	struct argv dirs;      /* scratch dirs removed, full paths */
	pid_t *witnesses;      /* witness processes killed */
	size_t n_witnesses;
	struct argv failures;  /* one sentence per thing left in place, and why */
	struct argv kept;      /* live sessions left alone: "session <id> (<owner>)" */
	bool engine_checked;   /* the engine answered: containers were looked at */
	char *engine_error;    /* why not, when it did not; else NULL */
};
void session_report_free(struct cleanup_report *r);
/* Nothing removed and nothing failed. */
bool session_report_empty(const struct cleanup_report *r);

struct session {
	char id[SESSION_ID_LEN + 1];
	char nonce[SESSION_NONCE_LEN + 1];
	char owner[48];        /* the isolab.owner label's value */
	char *scratch_base;
	char *scratch;         /* <base>/<id>; NULL until made and once removed */
	char *disk_base;
	char *disk_scratch;    /* <disk_base>/<id>, with its owner and canary */
	char *disk_canary;     /* that canary's path inside its file system */
	int disk_base_fd;
	pid_t witness;         /* 0 when there is none */
	struct engine *eng;
	struct cleanup_report swept; /* what session_open's sweep removed; freed by close */

	/* Private to session.c. */
	int base_fd;
	int witness_pidfd;
	int sig_rd, sig_wr;
	int saved_cancel_fd;
	bool cancel_set;
	bool containers;       /* containers may exist: close must look */
	bool handlers;
	int signo;
	struct sigaction old_act[4];
};

/*
 * Start a session: install the signal handlers (SIGINT, SIGTERM, SIGHUP; a
 * signal ignored when isolab started stays ignored, as nohup and shells
 * expect; SIGPIPE ignored) and set eng->cancel_fd to the self-pipe, sweep
 * what runs whose owner is gone left behind (into s->swept), make the
 * scratch dir <base>/<id> (0700) with its canary (the nonce and a newline,
 * 0644), and start the witness. One session per process at a time.
 * On failure nothing made is left and *s is closed; session_close() may
 * still be called. Interrupted by a signal: ERR_CANCEL.
 */
int session_open(struct session *s, struct engine *eng, const struct session_opts *o,
		 struct err *e);
/*
 * Remove every container of the session, kill (SIGKILL to its process
 * group) and reap the witness, remove the scratch dir, give eng back its
 * cancel fd and restore the signal handlers. Safe twice and after a failed
 * open; a second call retries what the first could not remove. Every
 * failure is in *e (the first, with the others appended). It runs to the
 * end whatever signal arrives; check session_interrupted() afterwards.
 */
int session_close(struct session *s, struct err *e);

/* The self-pipe's read end: readable once a signal arrived (never read by
 * the session, so it stays readable). Already eng->cancel_fd while open;
 * add it to any other poll loop. -1 when closed. */
int session_cancel_fd(const struct session *s);
/* Whether SIGINT, SIGTERM or SIGHUP arrived (the first one in *signo). */
bool session_interrupted(const struct session *s, int *signo);
/* After session_close(): flush stdio, restore the default disposition and
 * raise signo, so that the exit status is the signal's. */
__attribute__((noreturn)) void session_reraise(int signo);

/* The labels of a container of this session: "isolab.session=<id>",
 * "isolab.lab=<lab>", "isolab.step=<step>", "isolab.owner=<pid>:<start>",
 * appended to *out. */
void session_labels(const struct session *s, const char *lab, const char *step,
		    struct argv *out);
/* "isolab-<id>-<step>-<name>", with what Docker does not accept in a name
 * replaced by '-', and step and name cut to 40 characters. Free it. */
char *session_container_name(const struct session *s, const char *step, const char *name);

/* Remove the containers of one step (lab may be NULL: any lab). */
int session_remove_step(struct session *s, const char *lab, const char *step, struct err *e);

/*
 * `isolab cleanup` and the start-up sweep: remove what belongs to sessions
 * whose owner is gone, whatever the engine says: containers whose owner
 * label names a dead process, or that carry isolab.session but no owner
 * label and whose session has no live dir; session dirs (only names that
 * are session ids) under both bases whose owner file names a dead process
 * (or that have none and are older than a minute); witnesses (comm
 * "isolab-witness", ISOLAB_SESSION in the environment, owned by root or
 * the caller) of those sessions or whose parent is no isolab. Live
 * sessions are left whole and named in r->kept. force: everything,
 * live sessions too. *r is always filled (free it). What cannot be removed
 * is a sentence in r->failures, not an error: the rest goes on. Returns -1
 * only when the engine did not answer (r->engine_error; the dirs and
 * witnesses are still swept).
 */
int session_cleanup(struct engine *eng, const struct session_opts *o, bool force,
		    struct cleanup_report *r, struct err *e);
/* session_cleanup(eng, o, false, r, e): session_open runs it. */
int session_sweep_orphans(struct engine *eng, const struct session_opts *o,
			  struct cleanup_report *r, struct err *e);

/* --- pieces, exposed for the tests ------------------------------------- */

/* SESSION_ID_LEN / SESSION_NONCE_LEN lowercase hex digits from getrandom. */
int session_new_id(char out[SESSION_ID_LEN + 1], struct err *e);
int session_new_nonce(char out[SESSION_NONCE_LEN + 1], struct err *e);
bool session_id_valid(const char *id);

/* Field 22 of <proc_root>/<pid>/stat (start time, clock ticks after boot)
 * and field 3 (state) when state is not NULL. proc_root NULL: /proc.
 * A process that does not exist: ERR_EXITED. */
int session_proc_starttime(const char *proc_root, pid_t pid, unsigned long long *start,
			   char *state, struct err *e);
enum session_owner {
	SESSION_OWNER_ALIVE,   /* the pid runs and started at that time */
	SESSION_OWNER_GONE,    /* no such pid, another start time, or a zombie */
	SESSION_OWNER_UNKNOWN, /* no owner, a malformed one, or /proc unreadable */
};
/* The state of an isolab.owner value ("<pid>:<starttime>"). */
enum session_owner session_owner_state(const char *proc_root, const char *owner);

/* What session_open() requires of the scratch and disk bases (owner,
 * mode, a directory), checked without creating anything: doctor's check. */
int session_check_bases(const struct session_opts *o, struct err *e);
/* Remove <base>/<name> and everything below it. name must be one path
 * component (no '/', not "." nor ".."). Symlinks are removed, never
 * followed; a directory on another mount is left in place and reported. */
int session_remove_scratch(const char *base, const char *name, struct err *e);

#endif
