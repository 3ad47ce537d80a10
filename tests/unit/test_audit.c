/* test_audit.c: the audit's findings on fixture snapshots (real /proc
 * captures, and edits of them under tests/fixtures/audit) paired with real
 * docker inspect JSON: privileged found from the kernel both ways, the
 * socket by its host path, sensitive mounts through a parent bind, extra
 * capabilities against Docker's default set, the user-namespace note;
 * reasons; ordering, exit status and the two renderings. */
#include "testutil.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <string.h>

#include "audit.h"

#define AUDIT_PROC FIXTURES "/audit/proc"

static struct host_ref host;
static struct host_facts sandbox; /* this machine: no cap_sys_resource, no LSM */
static struct host_facts vm;      /* a workshop VM: every capability, AppArmor */

static int setup(void **state)
{
	(void)state;
	struct err e = {0};

	if (tu_fixture_host(&host) < 0 ||
	    host_facts_load(&sandbox, FIXTURES "/host/this-machine", &e) < 0 ||
	    host_facts_load(&vm, FIXTURES "/host/workshop-vm", &e) < 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	host_ref_free(&host);
	host_facts_free(&sandbox);
	host_facts_free(&vm);
	return 0;
}

struct fx {
	struct engine_containers cs;
	struct snapshot s;
	struct audit_container a;
};

static void load(struct fx *x, const char *inspect, const char *root, int pid)
{
	memset(x, 0, sizeof(*x));
	tu_fixture_inspect(inspect, &x->cs);
	tu_fixture_snapshot(&host, root, pid, "c", &x->s);
}

static void eval(struct fx *x, const struct host_facts *hf)
{
	audit_container_free(&x->a);
	audit_evaluate(&x->cs.v[0], &x->s, &host, hf, &x->a);
}

/* Load, then evaluate against hf. */
static void run(struct fx *x, const char *inspect, const char *root, int pid,
		const struct host_facts *hf)
{
	load(x, inspect, root, pid);
	eval(x, hf);
}

static void done(struct fx *x)
{
	audit_container_free(&x->a);
	snapshot_free(&x->s);
	engine_containers_free(&x->cs);
}

static size_t count(const struct audit_container *a, const char *check)
{
	size_t n = 0;

	for (size_t i = 0; i < a->n; i++)
		n += strcmp(a->v[i].check->name, check) == 0;
	return n;
}

static const struct audit_finding *find(const struct audit_container *a, const char *check)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].check->name, check) == 0)
			return &a->v[i];
	return NULL;
}

static bool argv_has(const struct argv *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], s) == 0)
			return true;
	return false;
}

/* Replace a container's labels (keys and values as pairs, NULL-ended). */
static void set_labels(struct engine_container *c, const char *const *kv)
{
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
	c->labels = NULL;
	c->n_labels = 0;
	for (size_t i = 0; kv[i]; i += 2) {
		c->labels = xreallocarray(c->labels, c->n_labels + 1, sizeof(*c->labels));
		c->labels[c->n_labels].key = xstrdup(kv[i]);
		c->labels[c->n_labels].value = xstrdup(kv[i + 1]);
		c->n_labels++;
	}
}

/* ---- the table -------------------------------------------------------------- */

static void table_is_complete(void **state)
{
	(void)state;
	static const char *const design[] = {
		"privileged",     "host-pid",         "host-net",       "host-ipc",
		"host-uts",       "host-userns",      "docker-socket",  "sensitive-mount",
		"extra-caps",     "seccomp-disabled", "lsm-unconfined", "no-new-privs-missing",
		"writable-rootfs", "host-devices",     "mount-propagation", "no-memory-limit",
		"no-pids-limit",  "root-user",        "host-cgroupns",
	};
	size_t n;
	const struct audit_check *t = audit_checks(&n);

	assert_int_equal(n, ARRAY_SIZE(design));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(t[i].name, design[i]);
		assert_ptr_equal(audit_check_find(design[i]), &t[i]);
		assert_true(t[i].risk && *t[i].risk && t[i].fix && *t[i].fix);
		assert_true(t[i].what && *t[i].what && t[i].why && *t[i].why);
	}
	assert_null(audit_check_find("priviledged"));
	for (int s = AUDIT_INFO; s <= AUDIT_CRITICAL; s++)
		assert_int_equal(audit_severity_from_name(audit_severity_name(s)), s);
	assert_int_equal(audit_severity_from_name("HIGH"), AUDIT_HIGH);
	assert_int_equal(audit_severity_from_name("severe"), -1);
	assert_true(AUDIT_CRITICAL > AUDIT_HIGH && AUDIT_HIGH > AUDIT_MEDIUM &&
		    AUDIT_MEDIUM > AUDIT_LOW && AUDIT_LOW > AUDIT_INFO);
}

/* ---- privileged ---------------------------------------------------------------- */

/* The approximation run here (--cap-add ALL --cap-drop SYS_RESOURCE
 * seccomp=unconfined): Docker's Privileged is false, the kernel says
 * privileged. */
static void privileged_spelled_out(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "default.json", FIXTURE_PROC, 101, &sandbox);
	const struct audit_finding *f = find(&x.a, "privileged");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_CRITICAL);
	assert_int_equal(f->docker_privileged, 0);
	assert_int_equal(f->kernel_privileged, 1);
	assert_true(tu_contains(f->evidence, "privileged in effect, though Docker's Privileged is false"));
	assert_true(tu_contains(f->evidence, "cap_perfmon")); /* not granted, said so */
	assert_true(argv_has(&f->caps, "cap_sys_admin"));
	/* It covers these: no separate findings to accept. */
	assert_int_equal(count(&x.a, "extra-caps"), 0);
	assert_int_equal(count(&x.a, "seccomp-disabled"), 0);
	assert_true(tu_contains(f->fix, "--cap-drop ALL"));

	/* The same process judged on a VM that can grant all 41: the engine
	 * gave only 0-37, and it is still privileged (no fixed mask). */
	eval(&x, &vm);
	f = find(&x.a, "privileged");
	assert_non_null(f);
	assert_int_equal(f->kernel_privileged, 1);

	/* Every capability but a seccomp filter: not privileged; the
	 * capabilities are then extra-caps, high. */
	x.s.seccomp = SECCOMP_FILTER;
	eval(&x, &sandbox);
	assert_null(find(&x.a, "privileged"));
	f = find(&x.a, "extra-caps");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(argv_has(&f->caps, "cap_sys_module"));
	assert_false(argv_has(&f->caps, "cap_chown"));
	done(&x);
}

/* A real --privileged on a 41-capability VM, and Docker says so too. */
static void privileged_docker_says(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "privileged-created.json", FIXTURE_PROC, 102, &vm);
	const struct audit_finding *f = find(&x.a, "privileged");
	assert_non_null(f);
	assert_int_equal(f->docker_privileged, 1);
	assert_int_equal(f->kernel_privileged, 1);
	assert_true(tu_contains(f->evidence, "kernel agrees"));
	assert_true(tu_contains(f->evidence, "41 of the 41"));
	done(&x);

	/* A default container is not privileged, whatever the host. */
	run(&x, "default.json", FIXTURE_PROC, 100, &vm);
	assert_null(find(&x.a, "privileged"));
	assert_null(find(&x.a, "extra-caps"));
	assert_null(find(&x.a, "seccomp-disabled"));
	done(&x);
}

/* ---- the user namespace ------------------------------------------------------------ */

static void user_namespace_note(void **state)
{
	(void)state;
	struct fx x;

	/* Privileged in effect, inside its own user namespace (uid_map
	 * 0 100000 65536): the capabilities are that namespace's. */
	run(&x, "default.json", AUDIT_PROC, 200, &sandbox);
	assert_true(x.a.own_userns);
	assert_string_equal(x.a.uid_map, "0 100000 65536");
	const struct audit_finding *f = find(&x.a, "privileged");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(f->userns_lowered);
	assert_true(tu_contains(f->evidence, "own user namespace"));
	assert_null(find(&x.a, "host-userns"));
	json_t *j = audit_report_json(&(struct audit_report){.v = &x.a, .n = 1}, AUDIT_INFO);
	json_t *c = json_array_get(j, 0);
	assert_true(json_is_true(json_object_get(json_object_get(c, "user_namespace"), "own")));
	json_t *jf = json_array_get(json_object_get(c, "findings"), 0);
	assert_true(json_is_true(json_object_get(jf, "lowered_for_user_namespace")));
	json_decref(j);
	done(&x);

	/* cap_net_admin (high) and a writable /etc (critical), each one lower. */
	run(&x, "bind-etc-ro.json", AUDIT_PROC, 207, &sandbox);
	f = find(&x.a, "extra-caps");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_MEDIUM);
	assert_true(f->userns_lowered);
	f = find(&x.a, "sensitive-mount");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_int_equal(f->read_only, 0);
	done(&x);

	/* Sharing the host's: an info note, medium when Docker opted out. */
	run(&x, "default.json", FIXTURE_PROC, 100, &sandbox);
	assert_false(x.a.own_userns);
	f = find(&x.a, "host-userns");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_INFO);
	assert_true(tu_contains(f->evidence, "0 0 4294967295"));
	free(x.cs.v[0].userns_mode);
	x.cs.v[0].userns_mode = xstrdup("host");
	eval(&x, &sandbox);
	assert_int_equal(find(&x.a, "host-userns")->severity, AUDIT_MEDIUM);
	done(&x);
}

/* ---- the Docker socket ---------------------------------------------------------------- */

static void docker_socket(void **state)
{
	(void)state;
	struct fx x;

	/* :ro is no protection. */
	run(&x, "docker-sock-ro.json", FIXTURE_PROC, 111, &sandbox);
	const struct audit_finding *f = find(&x.a, "docker-socket");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_CRITICAL);
	assert_int_equal(f->read_only, 1);
	assert_string_equal(f->host_path, "/run/docker.sock");
	assert_string_equal(f->socket, "/var/run/docker.sock");
	assert_true(tu_contains(f->evidence, "fully usable"));
	assert_int_equal(count(&x.a, "docker-socket"), 1);
	assert_null(find(&x.a, "sensitive-mount")); /* the socket is reported once */
	done(&x);

	/* Under another name, found by its host path. */
	run(&x, "default.json", AUDIT_PROC, 201, &sandbox);
	f = find(&x.a, "docker-socket");
	assert_non_null(f);
	assert_string_equal(f->target, "/tmp/d.sock");
	assert_string_equal(f->host_path, "/run/docker.sock");
	assert_int_equal(f->read_only, 0);
	done(&x);

	/* Through a bind of its directory: the socket, and /run itself. */
	run(&x, "default.json", AUDIT_PROC, 202, &sandbox);
	f = find(&x.a, "docker-socket");
	assert_non_null(f);
	assert_string_equal(f->socket, "/hostrun/docker.sock");
	assert_string_equal(f->host_path, "/run");
	assert_string_equal(f->target, "/hostrun");
	assert_true(tu_contains(f->fix, "the host's /run at /hostrun"));
	f = find(&x.a, "sensitive-mount");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH); /* read-only */
	done(&x);

	/* No socket in a default container. */
	run(&x, "default.json", FIXTURE_PROC, 100, &sandbox);
	assert_null(find(&x.a, "docker-socket"));
	assert_null(find(&x.a, "sensitive-mount"));
	done(&x);
}

/* ---- sensitive mounts ------------------------------------------------------------------ */

static void sensitive_mounts(void **state)
{
	(void)state;
	struct fx x;

	/* -v /:/host: one finding for the bind, the host's /proc, /sys,
	 * /dev below it folded in; the socket is reachable through it. */
	run(&x, "default.json", FIXTURE_PROC, 110, &sandbox);
	assert_int_equal(count(&x.a, "sensitive-mount"), 1);
	const struct audit_finding *f = find(&x.a, "sensitive-mount");
	assert_int_equal(f->severity, AUDIT_CRITICAL);
	assert_string_equal(f->host_path, "/");
	assert_string_equal(f->target, "/host");
	assert_true(argv_has(&f->below, "/host/proc"));
	assert_true(argv_has(&f->below, "/host/dev"));
	assert_false(argv_has(&f->below, "/host/var/lib/docker")); /* not a sensitive path */
	f = find(&x.a, "docker-socket");
	assert_non_null(f);
	assert_string_equal(f->socket, "/host/run/docker.sock");
	done(&x);

	/* -v /:/host:ro on Docker 20.10: the mounts below stay writable. */
	run(&x, "default.json", AUDIT_PROC, 204, &sandbox);
	f = find(&x.a, "sensitive-mount");
	assert_non_null(f);
	assert_int_equal(f->read_only, 1);
	assert_int_equal(f->severity, AUDIT_CRITICAL);
	assert_true(tu_contains(f->evidence, ":ro does not reach"));
	done(&x);

	/* -v /etc:/host-etc:ro: high. */
	run(&x, "bind-etc-ro.json", FIXTURE_PROC, 112, &sandbox);
	f = find(&x.a, "sensitive-mount");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_string_equal(f->host_path, "/etc");
	assert_true(tu_contains(f->fix, "the host's /etc"));
	done(&x);

	/* '/srv/my data' is no sensitive path. */
	run(&x, "default.json", FIXTURE_PROC, 113, &sandbox);
	assert_null(find(&x.a, "sensitive-mount"));
	done(&x);
}

/* ---- capabilities ------------------------------------------------------------------------- */

static void extra_capabilities(void **state)
{
	(void)state;
	struct fx x;

	/* --cap-drop ALL --cap-add CHOWN re-adds a default: nothing extra. */
	run(&x, "cap-drop-all-add-net-bind.json", AUDIT_PROC, 203, &sandbox);
	assert_null(find(&x.a, "extra-caps"));
	done(&x);
	run(&x, "cap-drop-all-add-net-bind.json", FIXTURE_PROC, 103, &sandbox);
	assert_null(find(&x.a, "extra-caps"));
	done(&x);

	/* A bit libcap does not know: named by its number, medium. */
	run(&x, "default.json", FIXTURE_PROC, 104, &sandbox);
	const struct audit_finding *f = find(&x.a, "extra-caps");
	assert_non_null(f);
	assert_true(argv_has(&f->caps, "41"));
	assert_int_equal(f->severity, AUDIT_MEDIUM);
	done(&x);

	/* cap_net_admin beyond the default: high, and the fix in Docker's words. */
	run(&x, "default.json", FIXTURE_PROC, 100, &sandbox);
	x.s.caps.set[CAPS_EFFECTIVE] |= UINT64_C(1) << 12;
	x.s.caps.set[CAPS_BOUNDING] |= UINT64_C(1) << 12;
	eval(&x, &sandbox);
	f = find(&x.a, "extra-caps");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(tu_contains(f->fix, "--cap-add NET_ADMIN"));
	/* Only in the bounding set (a non-root user): still found while
	 * no_new_privs is off, since a setuid program regains it... */
	x.s.caps.set[CAPS_EFFECTIVE] = 0;
	x.s.caps.set[CAPS_PERMITTED] = 0;
	eval(&x, &sandbox);
	f = find(&x.a, "extra-caps");
	assert_non_null(f);
	assert_true(tu_contains(f->evidence, "bounding set"));
	/* ...and not with it on. */
	x.s.no_new_privs = true;
	eval(&x, &sandbox);
	assert_null(find(&x.a, "extra-caps"));
	done(&x);
}

/* ---- namespaces, seccomp, LSM, no_new_privs, the root -------------------------------------- */

static void namespaces(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "pid-ipc-host.json", FIXTURE_PROC, 114, &sandbox);
	const struct audit_finding *f = find(&x.a, "host-pid");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_string_equal(f->ns, "pid");
	assert_true(tu_contains(f->evidence, "Docker: --pid=host"));
	assert_true(tu_contains(f->fix, "remove --pid=host"));
	assert_int_equal(find(&x.a, "host-ipc")->severity, AUDIT_MEDIUM);
	assert_null(find(&x.a, "host-net"));
	assert_null(find(&x.a, "no-new-privs-missing")); /* NoNewPrivs: 1 */
	done(&x);

	/* The kernel decides: Docker says nothing of it here. */
	run(&x, "default.json", AUDIT_PROC, 205, &sandbox);
	f = find(&x.a, "host-net");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(tu_contains(f->evidence, "does not say so"));
	assert_int_equal(find(&x.a, "host-uts")->severity, AUDIT_LOW);
	assert_null(find(&x.a, "host-pid"));
	done(&x);
}

static void seccomp_lsm_nnp_rootfs(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "default.json", FIXTURE_PROC, 100, &sandbox);
	assert_null(find(&x.a, "seccomp-disabled"));
	assert_null(find(&x.a, "lsm-unconfined")); /* no LSM here: not checked */
	assert_int_equal(find(&x.a, "no-new-privs-missing")->severity, AUDIT_LOW);
	assert_int_equal(find(&x.a, "writable-rootfs")->severity, AUDIT_LOW);
	x.s.seccomp = SECCOMP_DISABLED;
	eval(&x, &sandbox);
	assert_int_equal(find(&x.a, "seccomp-disabled")->severity, AUDIT_HIGH);
	/* With AppArmor enabled, a process without a profile is unconfined. */
	eval(&x, &vm);
	assert_int_equal(find(&x.a, "lsm-unconfined")->severity, AUDIT_MEDIUM);
	x.s.lsm = xstrdup("docker-default (enforce)");
	eval(&x, &vm);
	assert_null(find(&x.a, "lsm-unconfined"));
	done(&x);

	/* The clean container: --read-only, no-new-privileges. */
	run(&x, "no-new-privileges.json", AUDIT_PROC, 206, &sandbox);
	for (size_t i = 0; i < x.a.n; i++)
		assert_true(x.a.v[i].severity <= AUDIT_INFO);
	assert_non_null(find(&x.a, "host-userns"));
	done(&x);
}

/* ---- devices, propagation, limits, the user, the cgroup namespace ----------------------- */

static void host_devices(void **state)
{
	(void)state;
	struct fx x;

	/* The clean container: only Docker's defaults would be there. */
	run(&x, "no-new-privileges.json", AUDIT_PROC, 206, &sandbox);
	assert_null(find(&x.a, "host-devices"));
	/* --device of a host disk that devices.list allows: high. */
	devices_add(&x.s.devices, "/dev/null", 'c', 1, 3, "null");
	devices_add(&x.s.devices, "/dev/xvdb", 'b', 7, 5, "loop5");
	free(x.s.cgroup.devices_list);
	x.s.cgroup.devices_list = xstrdup("c 1:3 rwm\nb 7:5 rwm\n");
	eval(&x, &sandbox);
	const struct audit_finding *f = find(&x.a, "host-devices");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(tu_contains(f->evidence, "/dev/xvdb (block 7:5, the host's loop5, disk)"));
	assert_false(tu_contains(f->evidence, "/dev/null"));
	assert_true(tu_contains(f->fix, "--device /dev/xvdb"));
	/* A node the device cgroup does not let it open is no finding. */
	free(x.s.cgroup.devices_list);
	x.s.cgroup.devices_list = xstrdup("c 1:3 rwm\nb *:* m\n");
	eval(&x, &sandbox);
	assert_null(find(&x.a, "host-devices"));
	/* kmsg alone: medium. Rules unreadable (cgroup v2): the node decides. */
	free(x.s.cgroup.devices_list);
	x.s.cgroup.devices_list = NULL;
	devices_list_free(&x.s.devices);
	devices_add(&x.s.devices, "/dev/kmsg", 'c', 1, 11, "kmsg");
	eval(&x, &sandbox);
	f = find(&x.a, "host-devices");
	assert_int_equal(f->severity, AUDIT_MEDIUM);
	assert_true(tu_contains(f->evidence, "not readable here"));
	devices_list_free(&x.s.devices);
	/* /dev unreadable: a note, never a silent pass. */
	x.s.devices.err = EACCES;
	eval(&x, &sandbox);
	assert_null(find(&x.a, "host-devices"));
	assert_true(x.a.notes.n >= 1 && tu_contains(x.a.notes.v[0], "host-devices not checked"));
	done(&x);

	/* devices.list 'a *:* rwm' and cap_mknod: any disk, even with no node. */
	run(&x, "no-new-privileges.json", AUDIT_PROC, 206, &sandbox);
	free(x.s.cgroup.devices_list);
	x.s.cgroup.devices_list = xstrdup("a *:* rwm\n");
	eval(&x, &sandbox);
	f = find(&x.a, "host-devices");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_HIGH);
	assert_true(tu_contains(f->evidence, "cap_mknod"));
	x.s.caps.set[CAPS_EFFECTIVE] &= ~(UINT64_C(1) << CAP_MKNOD);
	x.s.caps.set[CAPS_BOUNDING] &= ~(UINT64_C(1) << CAP_MKNOD);
	x.s.caps.set[CAPS_PERMITTED] &= ~(UINT64_C(1) << CAP_MKNOD);
	eval(&x, &sandbox);
	assert_null(find(&x.a, "host-devices"));
	done(&x);

	/* Privileged (101: devices.list 'a *:* rwm') covers it: one reason. */
	run(&x, "default.json", FIXTURE_PROC, 101, &sandbox);
	assert_non_null(find(&x.a, "privileged"));
	assert_null(find(&x.a, "host-devices"));
	done(&x);
}

static void mount_propagation(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "bind-etc-ro.json", FIXTURE_PROC, 112, &sandbox);
	assert_null(find(&x.a, "mount-propagation")); /* rprivate, Docker's default */
	struct mount_entry *m = (struct mount_entry *)mounts_find_target(&x.s.mounts, "/host-etc");
	assert_non_null(m);
	m->propagation = "shared";
	eval(&x, &sandbox);
	const struct audit_finding *f = find(&x.a, "mount-propagation");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_MEDIUM);
	assert_string_equal(f->target, "/host-etc");
	assert_true(tu_contains(f->evidence, "the host's /etc"));
	m->propagation = "slave";
	eval(&x, &sandbox);
	assert_null(find(&x.a, "mount-propagation"));
	m->propagation = "shared";
	x.s.caps.set[CAPS_EFFECTIVE] |= UINT64_C(1) << CAP_SYS_ADMIN;
	eval(&x, &sandbox);
	assert_int_equal(find(&x.a, "mount-propagation")->severity, AUDIT_HIGH);
	done(&x);
}

static void limits_user_cgroupns(void **state)
{
	(void)state;
	struct fx x;

	/* --memory 512m --pids-limit 200 --user 1000 --cgroupns private: none. */
	run(&x, "no-new-privileges.json", AUDIT_PROC, 206, &sandbox);
	assert_null(find(&x.a, "no-memory-limit"));
	assert_null(find(&x.a, "no-pids-limit"));
	assert_null(find(&x.a, "root-user"));
	assert_null(find(&x.a, "host-cgroupns"));
	assert_int_equal(x.a.notes.n, 0);
	done(&x);

	/* No limits (v1 files), root, the host's cgroup namespace on v1: info. */
	run(&x, "default.json", FIXTURE_PROC, 101, &sandbox);
	const struct audit_finding *f = find(&x.a, "no-memory-limit");
	assert_non_null(f);
	assert_int_equal(f->severity, AUDIT_LOW);
	assert_true(tu_contains(f->evidence, "/sys/fs/cgroup/memory/docker/667a8737"));
	assert_int_equal(find(&x.a, "no-pids-limit")->severity, AUDIT_LOW);
	f = find(&x.a, "root-user");
	assert_int_equal(f->severity, AUDIT_LOW);
	assert_true(tu_contains(f->evidence, "Uid: 0 0 0 0"));
	assert_int_equal(find(&x.a, "host-cgroupns")->severity, AUDIT_INFO);
	/* On a cgroup v2 host sharing it is an opt-out: low. */
	struct mount_entry *cg = (struct mount_entry *)mounts_find_target(&host.mounts, "/sys/fs/cgroup");
	char *was = cg->fstype;
	cg->fstype = xstrdup("cgroup2");
	eval(&x, &sandbox);
	free(cg->fstype);
	cg->fstype = was;
	assert_int_equal(find(&x.a, "host-cgroupns")->severity, AUDIT_LOW);
	/* An accepted reason works as for every check. */
	static const char *const kv[] = {"isolab.reason.no-pids-limit", "a batch job", NULL};
	set_labels(&x.cs.v[0], kv);
	eval(&x, &sandbox);
	assert_true(find(&x.a, "no-pids-limit")->accepted);
	done(&x);

	/* Root with a host bind: medium. Unreadable limits: notes, no pass. */
	run(&x, "bind-etc-ro.json", FIXTURE_PROC, 112, &sandbox);
	f = find(&x.a, "root-user");
	assert_int_equal(f->severity, AUDIT_MEDIUM);
	assert_true(tu_contains(f->evidence, "/host-etc is the host's /etc"));
	assert_null(find(&x.a, "no-memory-limit"));
	bool mem = false, pids = false;
	for (size_t i = 0; i < x.a.notes.n; i++) {
		mem |= tu_contains(x.a.notes.v[i], "no-memory-limit not checked");
		pids |= tu_contains(x.a.notes.v[i], "no-pids-limit not checked");
	}
	assert_true(mem && pids);
	done(&x);
}

/* --network host: the runtime's fresh /sys shares the host's sysfs
 * superblock; it is no bind of the host's /sys. */
static void host_net_fresh_sysfs(void **state)
{
	(void)state;
	struct fx x;

	run(&x, "default.json", AUDIT_PROC, 208, &sandbox);
	const struct mount_entry *m = mounts_find_target(&x.s.mounts, "/sys");
	assert_non_null(m);
	assert_non_null(m->host_path); /* the same device as the host's /sys... */
	assert_true(m->fresh);         /* ...but mounted anew */
	assert_false(m->sensitive);
	assert_non_null(find(&x.a, "host-net"));
	assert_null(find(&x.a, "sensitive-mount"));
	/* Docker says it is a bind (-v /sys:/sys replaced the runtime's own). */
	struct engine_container *c = &x.cs.v[0];
	c->mounts = xreallocarray(c->mounts, c->n_mounts + 1, sizeof(*c->mounts));
	c->mounts[c->n_mounts++] = (struct engine_mount){
		.type = xstrdup("bind"), .name = xstrdup(""), .source = xstrdup("/sys"),
		.destination = xstrdup("/sys"), .mode = xstrdup(""), .rw = false,
		.propagation = xstrdup("rprivate")};
	eval(&x, &sandbox);
	assert_non_null(find(&x.a, "sensitive-mount"));
	done(&x);

	/* A bind of the host's /sys elsewhere stays a sensitive mount. */
	run(&x, "default.json", AUDIT_PROC, 209, &sandbox);
	const struct audit_finding *f = find(&x.a, "sensitive-mount");
	assert_non_null(f);
	assert_string_equal(f->target, "/host-sys");
	assert_int_equal(count(&x.a, "sensitive-mount"), 1);
	done(&x);
}

/* ---- reasons -------------------------------------------------------------------------------- */

static void reasons(void **state)
{
	(void)state;
	struct fx x;
	struct audit_report r = {0};

	load(&x, "default.json", FIXTURE_PROC, 101);
	static const char *const kv[] = {
		"isolab.reason.privileged", "  runs the hardware probe (needs /dev/kvm)  ",
		"isolab.reason.writable-rootfs", " \t ",
		"isolab.reason.priviledged", "typo",
		"isolab.reason.host-net", "was on the host network once",
		"isolab.reason.lsm-unconfined", "no LSM here",
		"other.label", "x",
		NULL,
	};
	set_labels(&x.cs.v[0], kv);
	eval(&x, &sandbox);
	const struct audit_finding *f = find(&x.a, "privileged");
	assert_true(f->accepted);
	assert_string_equal(f->reason, "runs the hardware probe (needs /dev/kvm)");
	f = find(&x.a, "writable-rootfs");
	assert_false(f->accepted);
	assert_true(f->reason_blank);
	assert_null(f->reason);
	assert_false(find(&x.a, "no-new-privs-missing")->accepted);
	assert_int_equal(x.a.notes.n, 3);
	bool typo = false, stale = false, lsm = false;
	for (size_t i = 0; i < x.a.notes.n; i++) {
		typo |= tu_contains(x.a.notes.v[i], "priviledged names no check");
		stale |= tu_contains(x.a.notes.v[i], "no host-net finding");
		lsm |= tu_contains(x.a.notes.v[i], "not checked on this host");
	}
	assert_true(typo && stale && lsm);

	/* Accepted: the audit passes; without the reason it fails. */
	r.v = &x.a;
	r.n = 1;
	assert_int_equal(audit_report_status(&r, AUDIT_LOW), EXIT_OK);
	json_t *j = audit_report_json(&r, AUDIT_LOW);
	json_t *jf = json_array_get(json_object_get(json_array_get(j, 0), "findings"), 0);
	assert_string_equal(json_string_value(json_object_get(jf, "check")), "privileged");
	assert_true(json_is_true(json_object_get(jf, "accepted")));
	assert_string_equal(json_string_value(json_object_get(jf, "reason")),
			    "runs the hardware probe (needs /dev/kvm)");
	json_decref(j);

	static const char *const blank[] = {"isolab.reason.privileged", "   ", NULL};
	set_labels(&x.cs.v[0], blank);
	eval(&x, &sandbox);
	r.v = &x.a;
	assert_false(find(&x.a, "privileged")->accepted);
	assert_int_equal(audit_report_status(&r, AUDIT_LOW), EXIT_EXPECT);
	j = audit_report_json(&r, AUDIT_LOW);
	jf = json_array_get(json_object_get(json_array_get(j, 0), "findings"), 0);
	assert_true(json_is_null(json_object_get(jf, "reason")));
	assert_non_null(json_object_get(jf, "reason_rejected"));
	json_decref(j);
	done(&x);
}

/* ---- order, status, renderings ------------------------------------------------------------------ */

static void add(struct audit_report *r, const char *name, const char *check,
		enum audit_severity sev, bool accepted)
{
	struct audit_container *c = NULL;

	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->v[i].name, name) == 0)
			c = &r->v[i];
	if (!c) {
		r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
		c = &r->v[r->n++];
		memset(c, 0, sizeof(*c));
		c->name = xstrdup(name);
		c->id = xasprintf("%s-id", name);
		c->image = xstrdup("img");
	}
	if (!check)
		return;
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	struct audit_finding *f = &c->v[c->n++];
	memset(f, 0, sizeof(*f));
	f->check = audit_check_find(check);
	f->severity = sev;
	f->accepted = accepted;
	f->reason = accepted ? xstrdup("documented") : NULL;
	f->evidence = xstrdup("e");
	f->fix = xstrdup("f");
	f->read_only = -1;
	f->docker_privileged = f->kernel_privileged = -1;
}

static void ordering_and_status(void **state)
{
	(void)state;
	struct audit_report r = {0};

	add(&r, "zeta", "writable-rootfs", AUDIT_LOW, false);
	add(&r, "zeta", "host-pid", AUDIT_HIGH, false);
	add(&r, "alpha", "privileged", AUDIT_CRITICAL, true); /* accepted */
	add(&r, "alpha", "writable-rootfs", AUDIT_LOW, false);
	add(&r, "beta", "docker-socket", AUDIT_CRITICAL, false);
	add(&r, "beta", "host-net", AUDIT_HIGH, false);
	add(&r, "clean", NULL, AUDIT_INFO, false);
	add(&r, "aaa-gone", NULL, AUDIT_INFO, false);
	r.v[r.n - 1].gone = true;
	r.v[r.n - 1].gone_why = xstrdup("process 4 exited");
	audit_report_sort(&r);

	/* Worst open finding first: beta (critical), zeta (high), alpha
	 * (its critical is accepted: low), clean; gone last. */
	assert_string_equal(r.v[0].name, "beta");
	assert_string_equal(r.v[1].name, "zeta");
	assert_string_equal(r.v[2].name, "alpha");
	assert_string_equal(r.v[3].name, "clean");
	assert_string_equal(r.v[4].name, "aaa-gone");
	assert_string_equal(r.v[1].v[0].check->name, "host-pid");
	assert_string_equal(r.v[1].v[1].check->name, "writable-rootfs");
	assert_string_equal(r.v[2].v[0].check->name, "privileged");

	assert_int_equal(audit_report_status(&r, AUDIT_LOW), EXIT_EXPECT);
	/* --min-severity critical gates on critical only: beta's is open. */
	assert_int_equal(audit_report_status(&r, AUDIT_CRITICAL), EXIT_EXPECT);
	r.v[0].v[0].accepted = true;
	assert_int_equal(audit_report_status(&r, AUDIT_CRITICAL), EXIT_OK);
	assert_int_equal(audit_report_status(&r, AUDIT_INFO), EXIT_EXPECT); /* high ones */

	/* JSON: the contract's keys, findings below min left out, gone marked. */
	json_t *j = audit_report_json(&r, AUDIT_MEDIUM);
	assert_int_equal(json_array_size(j), 5);
	json_t *z = json_array_get(j, 1);
	static const char *const ckeys[] = {"container_id", "name", "image", "findings"};
	for (size_t i = 0; i < ARRAY_SIZE(ckeys); i++)
		assert_non_null(json_object_get(z, ckeys[i]));
	assert_int_equal(json_array_size(json_object_get(z, "findings")), 1);
	json_t *f = json_array_get(json_object_get(z, "findings"), 0);
	static const char *const fkeys[] = {"check", "severity", "evidence", "accepted", "reason",
					    "risk", "fix"};
	for (size_t i = 0; i < ARRAY_SIZE(fkeys); i++)
		assert_non_null(json_object_get(f, fkeys[i]));
	assert_string_equal(json_string_value(json_object_get(f, "severity")), "high");
	assert_true(json_is_null(json_object_get(f, "reason")));
	json_t *g = json_array_get(j, 4);
	assert_true(json_is_true(json_object_get(g, "gone")));
	assert_int_equal(json_array_size(json_object_get(g, "findings")), 0);
	json_decref(j);

	/* Text: grouped, worst first, a legend; gone said plainly. */
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	audit_report_text(out, &r, AUDIT_LOW, &(struct report_opts){0});
	fclose(out);
	assert_true(tu_contains(buf, "Legend"));
	assert_true(tu_contains(buf, "Gone, not reviewed: aaa-gone: process 4 exited"));
	assert_true(strstr(buf, "beta") < strstr(buf, "zeta"));
	assert_true(tu_contains(buf, "reason") && tu_contains(buf, "documented"));
	assert_true(tu_contains(buf, "No findings of low severity or worse: clean"));
	free(buf);
	audit_report_free(&r);

	/* A clean host says so in one line. */
	add(&r, "clean", "host-userns", AUDIT_INFO, false);
	buf = NULL;
	out = open_memstream(&buf, &len);
	audit_report_text(out, &r, AUDIT_LOW, &(struct report_opts){0});
	fclose(out);
	assert_true(tu_contains(buf, "No findings: 1 container reviewed"));
	assert_int_equal(audit_report_status(&r, AUDIT_LOW), EXIT_OK);
	free(buf);
	audit_report_free(&r);
}

static void explain(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	audit_explain(out, audit_check_find("host-pid"));
	fclose(out);
	assert_true(tu_contains(buf, "What it checks"));
	assert_true(tu_contains(buf, "Why it matters"));
	assert_true(tu_contains(buf, "remove --pid=host"));
	assert_true(tu_contains(buf, "isolab.reason.host-pid="));
	free(buf);
	char *names = audit_check_names(", ");
	assert_true(tu_contains(names, "privileged, host-pid"));
	free(names);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(table_is_complete),
		cmocka_unit_test(privileged_spelled_out),
		cmocka_unit_test(privileged_docker_says),
		cmocka_unit_test(user_namespace_note),
		cmocka_unit_test(docker_socket),
		cmocka_unit_test(sensitive_mounts),
		cmocka_unit_test(extra_capabilities),
		cmocka_unit_test(namespaces),
		cmocka_unit_test(seccomp_lsm_nnp_rootfs),
		cmocka_unit_test(host_devices),
		cmocka_unit_test(mount_propagation),
		cmocka_unit_test(limits_user_cgroupns),
		cmocka_unit_test(host_net_fresh_sysfs),
		cmocka_unit_test(reasons),
		cmocka_unit_test(ordering_and_status),
		cmocka_unit_test(explain),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
