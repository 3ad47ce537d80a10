/* test_inspect.c: real kernel objects, no docker. A child in its own
 * mount, uts, ipc and net namespaces, with a read-only bind mount, a known
 * capability set and no_new_privs, inspected from the outside: every field
 * is asserted against what the test itself set. Then the races: a process
 * that exits while inspected, and a reaped pid reused by a new process. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "snapshot.h"

static const cap_value_t keep[] = {CAP_CHOWN, CAP_KILL, CAP_NET_BIND_SERVICE};
static const cap_value_t keep_eff[] = {CAP_CHOWN, CAP_NET_BIND_SERVICE};

static uint64_t mask_of(const cap_value_t *v, size_t n)
{
	uint64_t m = 0;
	for (size_t i = 0; i < n; i++)
		m |= UINT64_C(1) << v[i];
	return m;
}

/* Every child a test starts, so that a failed assertion (cmocka jumps out
 * of the test) still leaves none behind: the group teardown kills them. */
static pid_t children[64];
static size_t n_children;

static void track(pid_t pid)
{
	if (n_children < ARRAY_SIZE(children))
		children[n_children++] = pid;
}

static int kill_children(void **state)
{
	(void)state;
	for (size_t i = 0; i < n_children; i++)
		if (kill(children[i], SIGKILL) == 0)
			waitpid(children[i], NULL, 0);
	n_children = 0;
	return 0;
}

struct child {
	pid_t pid;
	char src[64], dst[64];
};

static void die(const char *what)
{
	perror(what);
	_exit(100);
}

/* The child sets up its isolation, says so through the pipe, and waits. */
static void child_main(const struct child *c, int ready)
{
	if (unshare(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET) < 0)
		die("unshare");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		die("make / private");
	if (mount(c->src, c->dst, NULL, MS_BIND, NULL) < 0)
		die("bind");
	if (mount(NULL, c->dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
		die("remount ro");
	if (sethostname("isolab-integ", strlen("isolab-integ")) < 0)
		die("sethostname");
	for (cap_value_t v = 0; v <= (cap_value_t)cap_max_bits() - 1; v++) {
		bool k = false;
		for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
			k |= keep[i] == v;
		if (!k && prctl(PR_CAPBSET_DROP, v, 0, 0, 0) < 0)
			die("PR_CAPBSET_DROP");
	}
	cap_t caps = cap_init();
	cap_set_flag(caps, CAP_PERMITTED, ARRAY_SIZE(keep), keep, CAP_SET);
	cap_set_flag(caps, CAP_EFFECTIVE, ARRAY_SIZE(keep_eff), keep_eff, CAP_SET);
	if (cap_set_proc(caps) < 0)
		die("cap_set_proc");
	cap_free(caps);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
	if (write(ready, "r", 1) != 1)
		die("write");
	close(ready);
	for (;;)
		pause();
}

static void start_child(struct child *c)
{
	int p[2];
	char b;

	snprintf(c->src, sizeof(c->src), "/tmp/isolab-integ-src-XXXXXX");
	snprintf(c->dst, sizeof(c->dst), "/tmp/isolab-integ-dst-XXXXXX");
	assert_non_null(mkdtemp(c->src));
	assert_non_null(mkdtemp(c->dst));
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	c->pid = fork();
	assert_true(c->pid >= 0);
	if (c->pid == 0) {
		close(p[0]);
		child_main(c, p[1]);
	}
	track(c->pid);
	close(p[1]);
	assert_int_equal(read(p[0], &b, 1), 1);
	close(p[0]);
}

static void stop_child(struct child *c)
{
	kill(c->pid, SIGKILL);
	waitpid(c->pid, NULL, 0);
	rmdir(c->src);
	rmdir(c->dst);
}

/* A child named isolab-sleeper, returned once it has its name. */
static pid_t start_sleeper(void)
{
	int p[2];
	char b;
	pid_t pid;

	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		prctl(PR_SET_NAME, "isolab-sleeper", 0, 0, 0);
		if (write(p[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	track(pid);
	close(p[1]);
	assert_int_equal(read(p[0], &b, 1), 1);
	close(p[0]);
	return pid;
}

static void inspect_unshared_child(void **state)
{
	(void)state;
	struct child c;
	struct host_ref host;
	struct snapshot s;
	struct proc p;
	struct err e = {0};

	start_child(&c);
	assert_int_equal(host_ref_load(&host, &e), 0);
	assert_int_equal(proc_open(&p, NULL, c.pid, &e), 0);
	if (snapshot_take(&s, &p, &host, "child", &e) < 0)
		fail_msg("%s", e.msg);
	proc_close(&p);

	assert_true(s.caps.set[CAPS_EFFECTIVE] == mask_of(keep_eff, ARRAY_SIZE(keep_eff)));
	assert_true(s.caps.set[CAPS_PERMITTED] == mask_of(keep, ARRAY_SIZE(keep)));
	assert_true(s.caps.set[CAPS_BOUNDING] == mask_of(keep, ARRAY_SIZE(keep)));
	assert_true(s.caps.set[CAPS_INHERITABLE] == 0);
	assert_true(s.caps.set[CAPS_AMBIENT] == 0);
	assert_true(s.no_new_privs);
	assert_int_equal(s.seccomp, SECCOMP_DISABLED);
	assert_string_equal(s.comm, "test_inspect");
	assert_string_equal(s.uid_map, "0 0 4294967295");

	static const char *const own[] = {"mnt", "uts", "ipc", "net"};
	static const char *const host_ns[] = {"pid", "user", "cgroup", "time"};
	for (size_t i = 0; i < ARRAY_SIZE(own); i++)
		assert_int_equal(ns_find(&s.ns, own[i])->shared, 0);
	for (size_t i = 0; i < ARRAY_SIZE(host_ns); i++)
		assert_int_equal(ns_find(&s.ns, host_ns[i])->shared, 1);

	const struct mount_entry *m = mounts_find_target(&s.mounts, c.dst);
	assert_non_null(m);
	assert_true(m->read_only);
	assert_string_equal(m->host_path, c.src);
	assert_int_equal(m->kind, MOUNT_HOST_BIND);
	assert_string_equal(m->propagation, "private");
	assert_false(m->sensitive);
	/* In a copy of the host's mount namespace, / is the host's /. */
	m = mounts_find_target(&s.mounts, "/");
	assert_string_equal(m->host_path, "/");
	assert_true(m->sensitive);

	/* And the diff against isolab itself says the same. */
	struct snapshot self;
	struct snapshot_diff d;
	assert_int_equal(proc_open_self(&p, &e), 0);
	assert_int_equal(snapshot_take(&self, &p, &host, "self", &e), 0);
	proc_close(&p);
	snapshot_diff(&self, &s, &d);
	assert_int_equal(d.n_ns, 4);
	assert_true(d.caps_added[CAPS_EFFECTIVE] == 0);
	assert_true(d.caps_removed[CAPS_BOUNDING] ==
		    (self.caps.set[CAPS_BOUNDING] & ~mask_of(keep, ARRAY_SIZE(keep))));
	bool bind_only_in_b = false;
	for (size_t i = 0; i < d.n_mounts; i++)
		if (!d.mounts[i].a && strcmp(d.mounts[i].b->target, c.dst) == 0)
			bind_only_in_b = true;
	assert_true(bind_only_in_b);
	snapshot_diff_free(&d);
	snapshot_free(&self);

	snapshot_free(&s);
	host_ref_free(&host);
	stop_child(&c);
}

/* Killed between two reads: the next read says so, and no data is made up. */
static void exits_mid_read(void **state)
{
	(void)state;
	struct host_ref host;
	struct snapshot s;
	struct proc p;
	struct err e = {0};
	char *status = NULL;
	char want[64];
	pid_t pid = start_sleeper();

	assert_int_equal(host_ref_load(&host, &e), 0);
	assert_int_equal(proc_open(&p, NULL, pid, &e), 0);
	assert_int_equal(proc_read(&p, "status", &status, NULL, &e), 0);
	free(status);
	kill(pid, SIGKILL);
	/* A zombie: not reaped yet, the pid still taken. */
	siginfo_t si;
	assert_int_equal(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
	snprintf(want, sizeof(want), "process %d exited", (int)pid);
	assert_int_equal(snapshot_take(&s, &p, &host, "sleeper", &e), -1);
	assert_int_equal(e.kind, ERR_EXITED);
	assert_string_equal(e.msg, want);
	assert_int_equal(e.exit, EXIT_USAGE);
	/* Reaped. */
	waitpid(pid, NULL, 0);
	assert_int_equal(proc_read(&p, "status", &status, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_EXITED);
	assert_int_equal(mounts_read(&p, &(struct mount_table){0}, &e), -1);
	assert_int_equal(e.kind, ERR_EXITED);
	proc_close(&p);
	/* Opening a pid that is gone is an unknown target. */
	assert_int_equal(proc_open(&p, NULL, pid, &e), -1);
	assert_int_equal(e.exit, EXIT_USAGE);
	host_ref_free(&host);
}

static int set_last_pid(pid_t v)
{
	char buf[32];
	int fd = open("/proc/sys/kernel/ns_last_pid", O_WRONLY | O_CLOEXEC);
	int n = snprintf(buf, sizeof(buf), "%d", (int)v);
	int rc = fd >= 0 && write(fd, buf, (size_t)n) == n ? 0 : -1;
	if (fd >= 0)
		close(fd);
	return rc;
}

/* A reaped pid handed to a new process is never read through the handle
 * opened on the old one. ns_last_pid makes the kernel reuse it now. */
static void pid_reuse(void **state)
{
	(void)state;
	struct proc old, fresh;
	struct err e = {0};
	char *status = NULL;
	pid_t a, b = -1;

	for (int attempt = 0; attempt < 50 && b < 0; attempt++) {
		a = start_sleeper();
		assert_int_equal(proc_open(&old, NULL, a, &e), 0);
		kill(a, SIGKILL);
		waitpid(a, NULL, 0);
		assert_int_equal(set_last_pid(a - 1), 0);
		b = start_sleeper();
		if (b != a) { /* someone else took it: try again */
			kill(b, SIGKILL);
			waitpid(b, NULL, 0);
			proc_close(&old);
			b = -1;
		}
	}
	assert_true(b > 0);
	assert_int_equal(proc_read(&old, "status", &status, NULL, &e), -1);
	assert_int_equal(e.kind, ERR_EXITED);
	assert_int_equal(proc_check_alive(&old, &e), -1);
	proc_close(&old);
	/* A new handle names the new process. */
	assert_int_equal(proc_open(&fresh, NULL, b, &e), 0);
	assert_int_equal(proc_read(&fresh, "status", &status, NULL, &e), 0);
	assert_true(tu_contains(status, "isolab-sleeper"));
	free(status);
	proc_close(&fresh);
	kill(b, SIGKILL);
	waitpid(b, NULL, 0);
}

/* PID 1 may belong to another user namespace (as here): what can be read
 * is read; unreadable namespace links are marked, not fatal. */
static void pid1_readable_or_marked(void **state)
{
	(void)state;
	struct host_ref host;
	struct snapshot s;
	struct proc p;
	struct err e = {0};

	assert_int_equal(host_ref_load(&host, &e), 0);
	assert_int_equal(proc_open(&p, NULL, 1, &e), 0);
	if (snapshot_take(&s, &p, &host, "pid:1", &e) < 0)
		fail_msg("%s", e.msg);
	for (size_t i = 0; i < s.ns.n; i++)
		if (s.ns.v[i].err)
			assert_int_equal(s.ns.v[i].shared, -1);
		else
			assert_int_not_equal(s.ns.v[i].shared, -1);
	snapshot_free(&s);
	proc_close(&p);
	host_ref_free(&host);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(inspect_unshared_child, kill_children),
		cmocka_unit_test_teardown(exits_mid_read, kill_children),
		cmocka_unit_test_teardown(pid_reuse, kill_children),
		cmocka_unit_test(pid1_readable_or_marked),
	};
	if (geteuid() != 0) {
		fprintf(stderr, "test_inspect needs root\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, kill_children);
}
