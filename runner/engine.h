/* engine.h: docker operations, each a child from an argv through
 * runner/exec: info, image check and build, run (one or many in parallel),
 * inspect, exec, rm, ps. The failures people meet (no docker, daemon down,
 * no access to its socket, image missing, a host that cannot grant every
 * capability, a deadline) come back as one sentence that says what to do. */
#ifndef ISOLAB_ENGINE_H
#define ISOLAB_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "exec.h"
#include "util.h"

/* The deadlines tolerate a slow host: under software emulation (a lab VM
 * without KVM) a container takes 10 to 30 s to start and as long to be
 * killed and removed, more when two such VMs share the machine. */
#define ENGINE_QUICK_TIMEOUT_MS 15000  /* info, inspect, ps, image inspect */
#define ENGINE_RM_TIMEOUT_MS 90000     /* docker rm -f of a step's containers */
#define ENGINE_RUN_TIMEOUT_MS 120000   /* docker run -d */
#define ENGINE_EXEC_TIMEOUT_MS 60000   /* docker exec, unless the call says */
#define ENGINE_BUILD_TIMEOUT_MS 300000 /* docker build */

/* What went wrong. Engine operations return 0 or one of these, with the
 * error filled; callers that only care test < 0. */
enum engine_fail {
	ENGINE_OK = 0,
	ENGINE_FAIL_OTHER = -1,        /* ERR_ENGINE, or ERR_SYSTEM */
	ENGINE_FAIL_NO_BINARY = -2,    /* ERR_ENGINE */
	ENGINE_FAIL_DAEMON_DOWN = -3,  /* ERR_ENGINE */
	ENGINE_FAIL_PERMISSION = -4,   /* ERR_ENGINE: the socket */
	ENGINE_FAIL_NO_IMAGE = -5,     /* ERR_ENGINE: build the image */
	ENGINE_FAIL_CAPS = -6,         /* ERR_CAPS: approximate --privileged */
	ENGINE_FAIL_NO_CONTAINER = -7, /* ERR_INPUT: "no such container: X" */
	ENGINE_FAIL_NOT_RUNNING = -8,  /* ERR_EXITED */
	ENGINE_FAIL_NAME_IN_USE = -9,  /* ERR_INPUT */
	ENGINE_FAIL_TIMEOUT = -10,     /* ERR_TIMEOUT: the command and its deadline */
	ENGINE_FAIL_CANCEL = -11,      /* ERR_CANCEL */
};

struct engine {
	char *name;  /* as given ("docker", or --engine's PATH): argv[0] of
	              * every command, so the command shown is the one run */
	char *bin;   /* resolved executable; NULL when there is none */
	int quick_timeout_ms;
	int rm_timeout_ms;
	int run_timeout_ms;
	int exec_timeout_ms;
	int build_timeout_ms;
	int cancel_fd;           /* > 0: every call is cancelled once it polls
	                          * readable (see exec_opts.cancel_fd) */
	struct err silent;       /* set at the first time-out (ERR_TIMEOUT,
	                          * "the engine does not answer: ..."): every
	                          * later call fails at once with it */
	bool silent_confirmed;   /* and a quick docker version timed out too */
	exec_line_fn on_progress; /* lines of docker build's output */
	void *progress_data;
};

/* name: --engine PATH; NULL: $ISOLAB_ENGINE, else "docker". Resolves it
 * through PATH without forking. Always fills *eng (release it with
 * engine_release); when there is no binary, returns ENGINE_FAIL_NO_BINARY
 * and so does every operation after. */
int engine_init(struct engine *eng, const char *name, struct err *e);
/* ISOLAB_ENGINE_TIMEOUT_PERCENT, for tests only: every deadline above
 * scaled by 1 to 1000 percent (never under 1 s), so that a frozen engine
 * is met in seconds. Unset or not such a number: 100. */
int engine_timeout_percent(const char *text);
/* The deadlines above, scaled by ISOLAB_ENGINE_TIMEOUT_PERCENT. */
void engine_set_deadlines(struct engine *eng);
void engine_release(struct engine *eng);

/* The host path of the engine's unix socket: DOCKER_HOST's unix:// path,
 * else the current docker context's endpoint, else /var/run/docker.sock.
 * A DOCKER_HOST or context that is no unix socket fails (ERR_ENGINE). Also
 * registers the path with mounts_set_engine_socket(). Free *path. */
int engine_socket_path(struct engine *eng, char **path, struct err *e);
/* Register DOCKER_HOST's socket with the mounts classification, without a
 * child; engine_init does it. */
void engine_note_socket(void);
/* Without DOCKER_HOST, register the current docker context's socket with
 * the mounts classification too (a `docker context inspect`, which asks
 * the client's configuration, not the daemon), so that audit and inspect
 * call a bind of that socket docker-socket. Failures leave the defaults. */
void engine_learn_socket(struct engine *eng);

/* Turn a failed call into one sentence: the rules are a table of stderr
 * patterns. cmd names the call ("docker run"). Returns the failure (never
 * ENGINE_OK). Pure: unit tests feed it captured stderr. */
int engine_classify(const char *cmd, int exit_code, const char *stderr_text, struct err *e);

/* docker ARGS...: 0 when it exits 0, else the classified failure. *res is
 * always filled: release it with exec_result_free. For calls this header
 * has no function for. */
int engine_call(struct engine *eng, char *const *args, int timeout_ms, struct exec_result *res,
		struct err *e);

/* docker info. Returns 0 only when the daemon answers. */
struct engine_info {
	char *server_version;   /* "20.10.24+dfsg1" */
	char *client_version;   /* "" when the client does not say (20.10) */
	char *cgroup_version;   /* "1", "2" */
	char *cgroup_driver;    /* "cgroupfs", "systemd" */
	char *kernel_version;
	char *operating_system;
	char *storage_driver;
	char *default_runtime;
	struct argv security_options; /* as docker prints them */
	bool seccomp;
	char *seccomp_profile;  /* "default", "builtin", or "" */
	bool apparmor;
	bool selinux;
	bool userns;
	bool rootless;
	bool cgroupns;
};
/* info is filled as far as the client answered (its version, even with no
 * daemon): engine_info_free() it whatever the result. */
int engine_info(struct engine *eng, struct engine_info *info, struct err *e);
/* The parser, on docker info --format '{{json .}}' output (engjson.c). A
 * client that reaches no daemon fills ServerErrors (20.10) or leaves
 * ServerVersion out (28): classified like stderr. A field absent or null is
 * empty; one of the wrong type is ENGINE_FAIL_OTHER (ERR_ENGINE, naming
 * it). Free info whatever the result. */
int engine_info_parse(const char *json, struct engine_info *info, struct err *e);
void engine_info_free(struct engine_info *info);

/* Images. A missing image is *present = false and 0, not a failure. */
int engine_image_present(struct engine *eng, const char *image, bool *present, struct err *e);
/* docker build --pull=false -t TAG DIR; output lines go to on_progress. The
 * legacy builder's DEPRECATED warning is not an error. */
void engine_build_argv(const struct engine *eng, const char *tag, const char *dir,
		       struct argv *out);
int engine_build(struct engine *eng, const char *tag, const char *dir, struct err *e);

/* One container to start. */
struct engine_run_spec {
	const char *name;
	const char *image;
	char *const *labels;  /* "key=value" each, NULL-terminated; may be NULL */
	char *const *flags;   /* the step's own docker run flags; may be NULL */
	char *const *command; /* after the image; NULL: the image's CMD */
};
/* docker run -d --pull=never --name NAME --label K=V... --network none
 * FLAGS... IMAGE COMMAND...; --network none only when FLAGS hold no
 * --network/--net. Exactly the argv engine_run runs, for showing it. */
void engine_run_argv(const struct engine *eng, const struct engine_run_spec *spec,
		     struct argv *out);
/* Start it detached; *id gets the full container id. On failure *id is
 * still set when docker created the container before failing to start it
 * (ENGINE_FAIL_CAPS does): the caller removes it. Free *id. */
int engine_run(struct engine *eng, const struct engine_run_spec *spec, char **id,
	       struct err *e);

struct engine_run_job {
	const struct engine_run_spec *spec; /* in */
	int rc;                             /* out: as engine_run */
	char *id;                           /* out: as engine_run; free it */
	struct err err;                     /* out: when rc < 0 */
};
/* Start n containers concurrently. Returns 0 when all started, else the
 * first failure (its error copied to *e); each job has its own. */
int engine_run_many(struct engine *eng, struct engine_run_job *jobs, size_t n, struct err *e);

/* docker inspect, parsed. Strings are never NULL ("" when docker gives
 * null); lists are struct argv (n may be 0). */
struct engine_mount {
	char *type;        /* bind, volume, tmpfs */
	char *name;        /* a volume's name, else "" */
	char *source;
	char *destination;
	char *mode;        /* "ro", "z", ... or "" */
	bool rw;
	char *propagation; /* "rprivate", or "" */
};

struct engine_device {
	char *path_on_host;
	char *path_in_container;
	char *cgroup_permissions;
};

struct engine_label {
	char *key;
	char *value;
};

struct engine_container {
	char *id;
	char *name;        /* without the leading '/' */
	char *image;       /* Config.Image, as the run named it */
	char *image_id;    /* Image: "sha256:..." */
	int pid;           /* State.Pid: 0 when not running */
	bool running;
	char *status;      /* created, running, paused, restarting, exited, dead */
	int exit_code;
	bool restarting;      /* State.Restarting: between two runs of a restart policy */
	char *restart_policy; /* HostConfig.RestartPolicy.Name: "", "no", "always", ... */
	bool privileged;
	struct argv cap_add;
	struct argv cap_drop;
	struct argv binds;
	char *pid_mode;    /* "" (private), "host", "container:ID" */
	char *network_mode;
	char *ipc_mode;
	char *uts_mode;
	char *userns_mode;
	char *cgroupns_mode;
	struct argv security_opt;
	bool readonly_rootfs;
	char *apparmor_profile;
	struct engine_device *devices;
	size_t n_devices;
	struct engine_mount *mounts;
	size_t n_mounts;
	struct engine_label *labels; /* in docker's (sorted) order */
	size_t n_labels;
};

struct engine_containers {
	struct engine_container *v; /* in docker's order */
	size_t n;
	struct argv missing;        /* targets docker did not find */
};

/* docker inspect --type container TARGET...: one call for all. When some
 * targets do not exist, the others are still in *out, the missing ones in
 * out->missing, and the return is ENGINE_FAIL_NO_CONTAINER (ERR_INPUT,
 * "no such container: X"). *out is always filled: free it. */
int engine_inspect(struct engine *eng, char *const *targets, struct engine_containers *out,
		   struct err *e);
/* The parser, on docker inspect's JSON array (engjson.c); appends to *out
 * all of the array's containers or, on an error, none (*out is as it was).
 * A field absent or null is empty; one of the wrong type is
 * ENGINE_FAIL_OTHER (ERR_ENGINE, naming the entry and the part). */
int engine_inspect_parse(const char *json, struct engine_containers *out, struct err *e);
void engine_containers_free(struct engine_containers *cs);
/* The container a target (name, "/name", id or id prefix) names, or NULL. */
const struct engine_container *engine_containers_find(const struct engine_containers *cs,
						      const char *target);
/* A label's value, or NULL. */
const char *engine_container_label(const struct engine_container *c, const char *key);

/* Whether a call timed out: the daemon does not answer, and every call
 * fails at once (ENGINE_FAIL_TIMEOUT, eng->silent) instead of waiting out
 * its own deadline. A docker exec past its deadline counts only when a
 * quick `docker version` times out too (the command may just be slow). */
bool engine_unanswered(const struct engine *eng);
/* After a time-out: does the daemon answer a quick `docker version` now
 * (a slow host, not a frozen daemon)? Yes clears the silence; no keeps the
 * first time-out's sentence, and is remembered (asked once). True when
 * nothing timed out. */
bool engine_answers_again(struct engine *eng);

/* docker exec CONTAINER ARGV...: 0 when the command ran, whatever its exit
 * status (in *res; 126/127 when the container could not run it). A failure
 * of docker itself (daemon down, no such container, not running) is
 * returned as such. *res is always filled: release it with exec_result_free.
 * timeout_ms 0: eng->exec_timeout_ms. On a deadline only
 * the docker client is killed; the process in the container may go on. */
int engine_exec(struct engine *eng, const char *container, char *const *argv, int timeout_ms,
		struct exec_result *res, struct err *e);

/* docker rm -f -v ID...: one call. A container already gone is no failure. */
int engine_rm(struct engine *eng, char *const *ids, struct err *e);

/* docker ps -a -q --no-trunc --filter label=LABEL (LABEL: "key" or
 * "key=value"); and docker ps -q --no-trunc. Full ids appended to *ids. */
int engine_list_label(struct engine *eng, const char *label, struct argv *ids, struct err *e);
int engine_list_running(struct engine *eng, struct argv *ids, struct err *e);

#endif
