/* target.c: resolving targets, confirming a container's process from its
 * cgroup, and comparing what Docker says with what the kernel says. */
#include "target.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "proc.h"
#include "util.h"

bool target_needs_engine(char *const *specs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!util_str_has_prefix(specs[i], "pid:"))
			return true;
	return false;
}

static int parse_pid(const char *spec, pid_t *pid, struct err *e)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(spec + 4, &end, 10);
	if (errno || end == spec + 4 || *end || v <= 0 || v > 0x7fffffff)
		return err_input(e, "'%s' is not pid:N with N a process id", spec);
	*pid = (pid_t)v;
	return 0;
}

bool target_cgroup_names(const char *cgroup_text, const char *id)
{
	size_t idlen = strlen(id);

	if (idlen < 12)
		return false;
	for (const char *p = strstr(cgroup_text, id); p; p = strstr(p + 1, id)) {
		char before = p == cgroup_text ? '\n' : p[-1];
		char after = p[idlen];
		/* /docker/<id>, docker-<id>.scope, libpod-<id>: a whole name. */
		if ((before == '/' || before == '-') &&
		    (after == '\0' || after == '\n' || after == '/' || after == '.'))
			return true;
	}
	return false;
}

/* --- reading a container while docker inspect runs ------------------- */

/* docker inspect of many containers is the slow half of an audit, and the
 * other half (each process from /proc) need not wait for it: a container's
 * full id names its cgroup, and the cgroup lists its processes. So while
 * inspect runs, each container given by full id is read from the process
 * its cgroup holds. That read is used only if, once Docker answers, Docker
 * names the same pid and the process, held by its pidfd all along, is
 * still alive: then it is the process Docker means, read through a handle
 * that was confirmed in the container's cgroup. Otherwise it is dropped and
 * the container is read the usual way. A cgroup layout not known here only
 * means nothing is read early. */

/* Where a cgroup hierarchy is commonly mounted (v2, or v1's pids, unified
 * and systemd), and where Docker's two cgroup drivers put a container in
 * it: cgroupfs as docker/<id>, systemd as system.slice/docker-<id>.scope. */
static const char *const cgroup_roots[] = {
	"/sys/fs/cgroup", "/sys/fs/cgroup/pids", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd",
};
static const struct {
	const char *before, *after;
} cgroup_dirs[] = {{"docker/", ""}, {"system.slice/docker-", ".scope"}};

#define EARLY_MAX_PROCS 64

static bool full_id(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!isxdigit((unsigned char)s[n]) || isupper((unsigned char)s[n]))
			return false;
	return n == 64;
}

static pid_t ppid_of(const char *proc_root, pid_t pid)
{
	struct proc_stat st;

	return proc_stat_read(proc_root, pid, &st, NULL) < 0 ? -1 : st.ppid;
}

/* The pids in the container's cgroup under one hierarchy's root: how many
 * (at most EARLY_MAX_PROCS), 0 when no known directory holds the container,
 * -1 when one does but its list cannot be used. */
static int cgroup_procs(const char *root, const char *id, pid_t *pids)
{
	for (size_t d = 0; d < ARRAY_SIZE(cgroup_dirs); d++) {
		cleanup_free char *path = xasprintf("%s/%s%s%s/cgroup.procs", root, cgroup_dirs[d].before,
						    id, cgroup_dirs[d].after);
		cleanup_free char *procs = NULL;
		int n = 0;

		if (util_read_path(path, &procs, NULL) < 0)
			continue;
		for (char *p = procs, *end; *p; p = end) {
			long v = strtol(p, &end, 10);
			if (end == p || *end != '\n' || v <= 0 || n == EARLY_MAX_PROCS)
				return -1; /* not a pid list, or too many to sort out */
			pids[n++] = (pid_t)v;
			end++;
		}
		return n ? n : -1; /* empty: the container has stopped */
	}
	return 0;
}

pid_t target_cgroup_init_pid(const char *cgroup_root, const char *proc_root, const char *id)
{
	pid_t pids[EARLY_MAX_PROCS], init = 0;
	int n = 0;

	if (cgroup_root)
		n = cgroup_procs(cgroup_root, id, pids);
	for (size_t r = 0; !cgroup_root && !n && r < ARRAY_SIZE(cgroup_roots); r++)
		n = cgroup_procs(cgroup_roots[r], id, pids);
	/* The container's first process is the one whose parent (the shim)
	 * is outside the cgroup. */
	for (int i = 0; i < n; i++) {
		pid_t pp = ppid_of(proc_root, pids[i]);
		bool inside = false;
		if (pp < 0)
			continue; /* exited meanwhile */
		for (int k = 0; k < n; k++)
			inside |= pids[k] == pp;
		if (!inside) {
			if (init)
				return 0; /* two candidates: leave it to Docker */
			init = pids[i];
		}
	}
	return init;
}

struct early {
	struct proc alive; /* only its pidfd, held while docker inspect runs */
	struct snapshot snap;
	bool ok;
};

/* How many containers may be read early: each holds one pidfd until
 * Docker answers, and docker inspect itself needs descriptors. */
static size_t early_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > 1 << 20)
		return 1 << 19;
	return rl.rlim_cur > 128 ? (size_t)(rl.rlim_cur - 128) / 2 : 0;
}

static void early_read(struct early *x, const char *id, const struct host_ref *host)
{
	cleanup_free char *cgroup = NULL;
	struct err e = {0};
	struct proc p = PROC_INIT;
	pid_t pid = full_id(id) ? target_cgroup_init_pid(NULL, "/proc", id) : 0;

	if (pid > 0 && proc_open(&p, NULL, pid, &e) == 0 &&
	    proc_read(&p, "cgroup", &cgroup, NULL, &e) == 0 && target_cgroup_names(cgroup, id) &&
	    snapshot_take(&x->snap, &p, host, id, &e) == 0) {
		x->alive = (struct proc)PROC_INIT;
		x->alive.pid = p.pid;
		x->alive.pidfd = util_steal_fd(&p.pidfd);
		x->ok = true;
	}
	proc_close(&p);
	err_clear(&e);
}

/* Take the early read of t if Docker names its process, else drop it. */
static bool early_adopt(struct early *x, struct target *t)
{
	const struct engine_container *c = t->docker;
	struct err e = {0};
	bool same;

	if (!x || !x->ok)
		return false;
	same = c->running && c->pid == x->alive.pid && proc_check_alive(&x->alive, &e) == 0;
	err_clear(&e);
	proc_close(&x->alive);
	x->ok = false;
	if (!same) {
		snapshot_free(&x->snap);
		return false;
	}
	t->snap = x->snap;
	memset(&x->snap, 0, sizeof(x->snap));
	return true;
}

static void early_release(struct early *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		if (v[i].ok) {
			proc_close(&v[i].alive);
			snapshot_free(&v[i].snap);
		}
	}
	free(v);
}

static int snapshot_container(struct target *t, const struct host_ref *host, struct early *x)
{
	const struct engine_container *c = t->docker;
	cleanup_free char *cgroup = NULL;
	struct proc p;

	if (early_adopt(x, t))
		goto done;
	if (!c->running || c->pid <= 0)
		return err_set(&t->err, ERR_EXITED, 0,
			       "container %s is not running (%s, exit code %d): there is no process to read",
			       t->spec, c->status, c->exit_code);
	if (proc_open(&p, NULL, c->pid, &t->err) < 0) {
		/* Docker named a pid that is gone by now: the container exited. */
		if (t->err.kind == ERR_INPUT)
			return err_set(&t->err, ERR_EXITED, 0, "container %s exited while isolab read it",
				       t->spec);
		return err_wrap(&t->err, "container %s", t->spec);
	}
	/* Docker's pid could have exited and been reused between its answer
	 * and our open: the cgroup, read through the same handle as the rest,
	 * says whether this process is the container's. */
	if (proc_read(&p, "cgroup", &cgroup, NULL, &t->err) < 0) {
		proc_close(&p);
		return err_wrap(&t->err, "container %s", t->spec);
	}
	if (!target_cgroup_names(cgroup, c->id)) {
		proc_close(&p);
		return err_set(&t->err, ERR_EXITED, 0,
			       "container %s: process %d is not in the container's cgroup (it stopped or "
			       "restarted while isolab read it); try again",
			       t->spec, c->pid);
	}
	int rc = snapshot_take(&t->snap, &p, host, t->spec, &t->err);
	proc_close(&p);
	if (rc < 0)
		return err_wrap(&t->err, "container %s", t->spec);
done:
	t->snap.container_id = xstrdup(c->id);
	target_disagreements(c, &t->snap, &t->dis);
	return 0;
}

/* Read one target: its process, from /proc. Independent of every other
 * target, so they can be read on several threads. */
static void resolve_one(struct target *t, const struct engine_containers *cs, const struct host_ref *host,
			struct early *x)
{
	pid_t pid = 0;

	if (util_str_has_prefix(t->spec, "pid:")) {
		struct proc p;
		if (parse_pid(t->spec, &pid, &t->err) < 0 || proc_open(&p, NULL, pid, &t->err) < 0) {
			t->rc = -1;
			return;
		}
		t->rc = snapshot_take(&t->snap, &p, host, t->spec, &t->err);
		if (t->rc < 0)
			err_wrap(&t->err, "%s", t->spec);
		proc_close(&p);
		return;
	}
	t->docker = engine_containers_find(cs, t->spec);
	if (!t->docker) {
		t->rc = err_input(&t->err,
				  "unknown target '%s': no such container (name a container, or a process as pid:N)",
				  t->spec);
		return;
	}
	t->rc = snapshot_container(t, host, x);
}

/* Snapshots of many containers (an audit of a busy host) are /proc reads
 * and parsing: spread over the CPUs, they take a fraction of the time. */
#define TARGET_THREADS 8

struct pool {
	struct target_set *set;
	const struct host_ref *host;
	struct early *early; /* NULL, or one per target */
	bool reading_early;  /* the first pass, while docker inspect runs */
	size_t next, end;    /* the items still to do: [next, end) */
	pthread_mutex_t lock;
};

static void *worker(void *arg)
{
	struct pool *pool = arg;

	for (;;) {
		pthread_mutex_lock(&pool->lock);
		size_t i = pool->next++;
		pthread_mutex_unlock(&pool->lock);
		if (i >= pool->end)
			return NULL;
		if (pool->reading_early)
			early_read(&pool->early[i], pool->set->v[i].spec, pool->host);
		else
			resolve_one(&pool->set->v[i], &pool->set->containers, pool->host,
				    pool->early ? &pool->early[i] : NULL);
	}
}

/* Run the pool's work on up to one thread per CPU, this one included.
 * The first item is done here first: libraries set themselves up on first
 * use, and that is not for several threads at once. */
struct crew {
	pthread_t th[TARGET_THREADS];
	size_t started;
};

static void crew_start(struct crew *crew, struct pool *pool, bool join_in)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	size_t n = pool->end - pool->next, nt = n < TARGET_THREADS ? n : TARGET_THREADS;

	if (cpus > 0 && (size_t)cpus < nt)
		nt = (size_t)cpus;
	crew->started = 0;
	/* Joining in, this thread is one of the nt; else it has other work. */
	for (size_t i = join_in ? 1 : 0; i < nt; i++)
		if (pthread_create(&crew->th[crew->started], NULL, worker, pool) == 0)
			crew->started++;
}

static void crew_join(struct crew *crew)
{
	for (size_t i = 0; i < crew->started; i++)
		pthread_join(crew->th[i], NULL);
}

/* Docker's own syntax for a name or an id ([a-zA-Z0-9][a-zA-Z0-9_.-]*,
 * a leading '/' allowed): a target that is not one never reaches docker,
 * where "-f" would be an option and "../.." a path of its API. */
bool target_name_valid(const char *spec)
{
	const char *p = spec[0] == '/' ? spec + 1 : spec;

	if (!isalnum((unsigned char)p[0]) || (unsigned char)p[0] >= 128)
		return false;
	for (; *p; p++)
		if (!((isalnum((unsigned char)*p) && (unsigned char)*p < 128) || *p == '_' ||
		      *p == '.' || *p == '-'))
			return false;
	return strlen(spec) <= 256;
}

int target_resolve(struct engine *eng, char *const *specs, size_t n, const struct host_ref *host,
		   struct target_set *out, struct err *e)
{
	for (size_t i = 0; i < n; i++)
		if (!util_str_has_prefix(specs[i], "pid:") && !target_name_valid(specs[i])) {
			memset(out, 0, sizeof(*out));
			return err_input(e,
					 "'%s' is not a target: name a container (letters, digits, "
					 "'_', '.', '-', starting with a letter or digit) or pid:N",
					 specs[i]);
		}

	struct argv names = ARGV_INIT;
	struct pool pool = {out, host, NULL, false, 0, 0, PTHREAD_MUTEX_INITIALIZER};
	struct crew crew;
	size_t early_ids = 0;

	memset(out, 0, sizeof(*out));
	out->v = xcalloc(n, sizeof(*out->v));
	out->n = n;
	for (size_t i = 0; i < n; i++) {
		out->v[i].spec = xstrdup(specs[i]);
		if (!util_str_has_prefix(specs[i], "pid:"))
			argv_push(&names, specs[i]);
		early_ids += full_id(specs[i]);
	}
	if (!n)
		return 0;

	if (names.n) {
		/* Containers named by full id are read while docker inspect
		 * runs, on other threads (see early_read). */
		size_t limit = early_limit();
		if (early_ids > 1 && limit > 1) {
			pool.early = xcalloc(n, sizeof(*pool.early));
			pool.reading_early = true;
			early_read(&pool.early[0], out->v[0].spec, host); /* first use: see crew_start */
			pool.next = 1;
			pool.end = n < limit ? n : limit;
			crew_start(&crew, &pool, false);
		}
		int rc = engine_inspect(eng, names.v, &out->containers, e);
		argv_free(&names);
		if (pool.early) {
			crew_join(&crew);
			pool.reading_early = false;
		}
		if (rc < 0 && rc != ENGINE_FAIL_NO_CONTAINER) {
			early_release(pool.early, n);
			return -1; /* the engine itself failed: nothing to do per target */
		}
	}

	resolve_one(&out->v[0], &out->containers, host, pool.early ? &pool.early[0] : NULL);
	pool.next = 1;
	pool.end = n;
	crew_start(&crew, &pool, true);
	worker(&pool);
	crew_join(&crew);
	early_release(pool.early, n);
	return 0;
}

void target_set_free(struct target_set *set)
{
	for (size_t i = 0; i < set->n; i++) {
		free(set->v[i].spec);
		if (set->v[i].rc == 0)
			snapshot_free(&set->v[i].snap);
		target_disagreements_free(&set->v[i].dis);
	}
	free(set->v);
	engine_containers_free(&set->containers);
	memset(set, 0, sizeof(*set));
}

/* ---- Docker against the kernel ------------------------------------------ */

static void add(struct disagreements *d, const char *check, char *docker, char *kernel, const char *why)
{
	d->v = xreallocarray(d->v, d->n + 1, sizeof(*d->v));
	d->v[d->n++] = (struct disagreement){check, docker, kernel, why};
}

/* A Docker capability list (CapAdd / CapDrop: "ALL", "NET_RAW",
 * "CAP_NET_RAW") as a mask. */
static uint64_t docker_caps_mask(const struct argv *list, unsigned last_cap)
{
	uint64_t m = 0;

	for (size_t i = 0; i < list->n; i++) {
		if (strcasecmp(list->v[i], "ALL") == 0) {
			m |= caps_all_mask(last_cap);
			continue;
		}
		int bit = caps_from_name(list->v[i]);
		if (bit >= 0 && bit < 64)
			m |= UINT64_C(1) << bit;
	}
	return m;
}

static bool security_opt_has(const struct engine_container *c, const char *key, const char *value)
{
	for (size_t i = 0; i < c->security_opt.n; i++) {
		const char *o = c->security_opt.v[i];
		size_t kl = strlen(key);
		if (strncmp(o, key, kl) != 0)
			continue;
		if (o[kl] == '\0')
			return value == NULL || strcmp(value, "true") == 0;
		if ((o[kl] == '=' || o[kl] == ':') && value && strcmp(o + kl + 1, value) == 0)
			return true;
	}
	return false;
}

static bool docker_reports_target(const struct engine_container *c, const char *target)
{
	for (size_t i = 0; i < c->n_mounts; i++)
		if (util_path_within(target, c->mounts[i].destination))
			return true;
	return false;
}

static void check_namespace(const struct engine_container *c, const struct snapshot *s,
			    struct disagreements *d, const char *mode, const char *ns, const char *flag)
{
	const struct ns_entry *n = ns_find(&s->ns, ns);
	bool docker_host = strcmp(mode, "host") == 0;

	(void)c;
	if (!n || n->shared < 0 || util_str_has_prefix(mode, "container:"))
		return;
	/* Without userns-remap every container shares the host's user
	 * namespace and Docker says "": that is no disagreement. */
	if (strcmp(ns, "user") == 0 && !docker_host)
		return;
	if (docker_host == (n->shared == 1))
		return;
	add(d, "namespace-mode", xasprintf("%s=%s", flag, *mode ? mode : "(default)"),
	    xasprintf("%s namespace %s the host's", ns, n->shared ? "is" : "is not"),
	    "the kernel's namespaces decide what the container can see, whatever the configuration says");
}

void target_disagreements(const struct engine_container *c, const struct snapshot *s,
			  struct disagreements *d)
{
	unsigned last = s->last_cap ? s->last_cap : 40;

	memset(d, 0, sizeof(*d));

	for (size_t i = 0; i < s->mounts.n; i++) {
		const struct mount_entry *m = &s->mounts.v[i];
		if (m->kind == MOUNT_DOCKER_SOCKET && m->read_only)
			add(d, "docker-socket-ro", xasprintf("%s is mounted read-only (:ro)", m->target),
			    xasprintf("%s is the host's %s, a socket", m->target, m->host_path),
			    "read-only stops changes to the socket file, not connections to it: the Docker API "
			    "behind it is fully usable, so the container can start a privileged sibling");
		if ((m->kind == MOUNT_HOST_BIND || m->kind == MOUNT_DOCKER_SOCKET) && !m->per_container &&
		    !docker_reports_target(c, m->target))
			add(d, "unreported-bind", xstrdup("no mount at this path"),
			    xasprintf("%s shows the host's %s%s", m->target, m->host_path,
				      m->read_only ? " (read-only)" : ""),
			    "a bind Docker does not list was made after the container started, or by "
			    "something other than Docker: the container sees it anyway");
	}

	uint64_t dropped = docker_caps_mask(&c->cap_drop, last) & ~docker_caps_mask(&c->cap_add, last);
	uint64_t present = dropped & (s->caps.set[CAPS_EFFECTIVE] | s->caps.set[CAPS_BOUNDING]);
	if (present && !c->privileged) {
		char *names = caps_join(present, " ");
		add(d, "dropped-cap-present", xasprintf("dropped: %s", names),
		    xasprintf("present in the process's sets: %s", names),
		    "a capability Docker reports as dropped is still held by the process");
		free(names);
	}

	check_namespace(c, s, d, c->pid_mode, "pid", "--pid");
	check_namespace(c, s, d, c->ipc_mode, "ipc", "--ipc");
	check_namespace(c, s, d, c->uts_mode, "uts", "--uts");
	check_namespace(c, s, d, c->network_mode, "net", "--network");
	check_namespace(c, s, d, c->userns_mode, "user", "--userns");

	bool nnp = security_opt_has(c, "no-new-privileges", "true");
	if (nnp != s->no_new_privs)
		add(d, "no-new-privileges",
		    xstrdup(nnp ? "no-new-privileges is set" : "no-new-privileges is not set"),
		    xasprintf("NoNewPrivs: %d", s->no_new_privs ? 1 : 0),
		    nnp ? "the process can still gain privileges through setuid binaries"
			: "the daemon sets no-new-privileges for every container (dockerd --no-new-privileges): "
			  "a review reading only the container's configuration misses it");

	bool unconfined = c->privileged || security_opt_has(c, "seccomp", "unconfined");
	bool kernel_off = s->seccomp == SECCOMP_DISABLED;
	if (unconfined != kernel_off && s->seccomp != SECCOMP_UNKNOWN)
		add(d, "seccomp",
		    xstrdup(unconfined ? "seccomp is unconfined" : "the default seccomp profile applies"),
		    xasprintf("Seccomp: %s", snapshot_seccomp_name(s->seccomp)),
		    "the kernel's seccomp mode decides which system calls reach the kernel");
}

void target_disagreements_free(struct disagreements *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].docker);
		free(d->v[i].kernel);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}
