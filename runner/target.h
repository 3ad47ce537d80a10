/* target.h: what a user names (pid:N, or a container name or id) resolved
 * to a process, read from the kernel, and for a container also what Docker
 * says and where the two disagree in a way that matters. One docker
 * inspect call serves every container target. */
#ifndef ISOLAB_TARGET_H
#define ISOLAB_TARGET_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "engine.h"
#include "err.h"
#include "report.h"
#include "snapshot.h"

struct disagreement {
	const char *check; /* "docker-socket-ro", "dropped-cap-present", ... */
	char *docker;      /* what Docker says */
	char *kernel;      /* what the kernel says */
	const char *why;   /* why it matters */
};

struct disagreements {
	struct disagreement *v;
	size_t n;
};

struct target {
	char *spec;
	const struct engine_container *docker; /* NULL for pid:N */
	struct snapshot snap;                  /* valid when rc == 0 */
	struct disagreements dis;
	int rc; /* 0, or -1 with err */
	struct err err;
};

struct target_set {
	struct target *v;
	size_t n;
	struct engine_containers containers; /* what docker inspect said */
};

/* Whether any spec names a container (and so needs the engine). */
bool target_needs_engine(char *const *specs, size_t n);
/* Whether spec is a container name or id as Docker spells them. */
bool target_name_valid(const char *spec);

/* Resolve and snapshot every spec. eng may be NULL when no spec names a
 * container. Returns -1 only when nothing can go on (the engine is down);
 * a target that fails alone has its own rc and err. */
int target_resolve(struct engine *eng, char *const *specs, size_t n, const struct host_ref *host,
		   struct target_set *out, struct err *e);
void target_set_free(struct target_set *set);

/* Whether /proc/<pid>/cgroup text places the process in the container
 * with this full id (cgroup v1 /docker/<id>, v2 docker-<id>.scope, ...). */
bool target_cgroup_names(const char *cgroup_text, const char *id);
/* The first process of the container with this full id, found from its
 * cgroup's cgroup.procs (the one whose parent is outside the cgroup), or 0
 * when no known cgroup layout holds it or it is ambiguous. cgroup_root
 * NULL tries where hierarchies are commonly mounted; tests pass a fixture
 * tree, and a fixture proc_root for the parents. */
pid_t target_cgroup_init_pid(const char *cgroup_root, const char *proc_root, const char *id);
/* Where Docker's description and the kernel's state differ in a way that
 * matters. Pure: the unit tests feed fixtures. */
void target_disagreements(const struct engine_container *c, const struct snapshot *s,
			  struct disagreements *out);
void target_disagreements_free(struct disagreements *d);

/* The inspect object of DESIGN.md plus "docker" (null for pid:N) and
 * "disagreements". */
json_t *target_json(const struct target *t);
json_t *target_docker_json(const struct engine_container *c);
void target_text(FILE *out, const struct target *t, const struct report_opts *o);

#endif
