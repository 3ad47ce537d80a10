/* test_mounts.c: mountinfo fixtures from real containers on this machine,
 * classified against the host's table captured at the same time. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mounts.h"
#include "proc.h"

static struct mount_table host;

static void load(const char *pid, struct mount_table *t)
{
	struct proc p;
	struct err e = {0};

	assert_int_equal(proc_open(&p, FIXTURE_PROC, atoi(pid), &e), 0);
	assert_int_equal(mounts_read(&p, t, &e), 0);
	proc_close(&p);
	mounts_classify(t, &host);
}

static const struct mount_entry *at(const struct mount_table *t, const char *target)
{
	const struct mount_entry *m = mounts_find_target(t, target);
	if (!m)
		fail_msg("no mount at %s", target);
	return m;
}

static int setup(void **state)
{
	(void)state;
	struct proc p;
	struct err e = {0};

	if (proc_open(&p, FIXTURE_PROC, 1, &e) < 0 || mounts_read(&p, &host, &e) < 0)
		return -1;
	proc_close(&p);
	mounts_classify(&host, &host);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	mounts_free(&host);
	return 0;
}

static void default_container(void **state)
{
	(void)state;
	struct mount_table t;
	const struct mount_entry *m;

	load("100", &t);
	m = at(&t, "/");
	assert_int_equal(m->kind, MOUNT_ROOTFS);
	assert_string_equal(m->fstype, "overlay");
	assert_string_equal(m->propagation, "slave"); /* master:N */
	assert_false(m->sensitive);
	assert_non_null(m->host_path);
	assert_true(util_str_has_prefix(m->host_path, "/var/lib/docker/overlay2/"));

	m = at(&t, "/proc");
	assert_int_equal(m->kind, MOUNT_PROC);
	assert_null(m->host_path); /* the container's own proc instance */
	assert_false(m->sensitive);

	/* Docker's masked paths: /dev/null binds, empty ro tmpfs, ro rebinds. */
	assert_int_equal(at(&t, "/proc/keys")->kind, MOUNT_MASKED);
	assert_int_equal(at(&t, "/proc/timer_list")->kind, MOUNT_MASKED);
	assert_int_equal(at(&t, "/proc/acpi")->kind, MOUNT_MASKED);
	assert_int_equal(at(&t, "/sys/firmware")->kind, MOUNT_MASKED);
	assert_int_equal(at(&t, "/proc/sys")->kind, MOUNT_MASKED);
	assert_true(at(&t, "/proc/sys")->read_only);

	m = at(&t, "/sys");
	assert_int_equal(m->kind, MOUNT_SYS);
	assert_true(m->read_only);

	/* cgroup v1: a read-only bind of the container's own cgroup. */
	m = at(&t, "/sys/fs/cgroup/cpu");
	assert_int_equal(m->kind, MOUNT_SYS);
	assert_true(m->per_container);
	assert_false(m->sensitive);
	assert_true(m->read_only);

	/* Docker's own files, bound from its data root. */
	m = at(&t, "/etc/hosts");
	assert_int_equal(m->kind, MOUNT_HOST_BIND);
	assert_true(util_str_has_prefix(m->host_path, "/var/lib/docker/containers/"));
	assert_true(tu_contains(m->host_path, "/hosts"));
	assert_true(m->per_container);
	assert_false(m->sensitive);

	assert_int_equal(at(&t, "/dev")->kind, MOUNT_DEV);
	assert_int_equal(at(&t, "/dev/shm")->kind, MOUNT_DEV);
	for (size_t i = 0; i < t.n; i++)
		assert_false(t.v[i].sensitive);
	mounts_free(&t);
}

static void host_root_bind(void **state)
{
	(void)state;
	struct mount_table t;
	const struct mount_entry *m;

	load("110", &t);
	m = at(&t, "/host");
	assert_int_equal(m->kind, MOUNT_HOST_BIND);
	assert_string_equal(m->host_path, "/");
	assert_string_equal(m->root, "/");
	assert_string_equal(m->source, "/dev/vda");
	assert_false(m->read_only);
	assert_true(m->sensitive);
	/* -v binds recursively: the host's own proc comes along. */
	m = at(&t, "/host/proc");
	assert_int_equal(m->kind, MOUNT_PROC);
	assert_string_equal(m->host_path, "/proc");
	assert_true(m->sensitive);
	mounts_free(&t);
}

static void docker_socket(void **state)
{
	(void)state;
	struct mount_table t;
	const struct mount_entry *m;

	load("111", &t);
	m = at(&t, "/var/run/docker.sock");
	assert_int_equal(m->kind, MOUNT_DOCKER_SOCKET);
	/* The /var/run symlink was resolved by the kernel. */
	assert_string_equal(m->root, "/run/docker.sock");
	assert_string_equal(m->host_path, "/run/docker.sock");
	assert_true(m->read_only); /* :ro, and still a full API */
	assert_true(m->sensitive);
	mounts_free(&t);
}

/* The socket of the engine isolab talks to (DOCKER_HOST) counts too. */
static void engine_socket(void **state)
{
	(void)state;
	assert_false(mounts_path_is_docker_socket("/tmp/eng/docker.sock"));
	mounts_set_engine_socket("/tmp/eng/docker.sock");
	assert_true(mounts_path_is_docker_socket("/tmp/eng/docker.sock"));
	assert_true(mounts_path_is_docker_socket("/run/docker.sock"));
	mounts_set_engine_socket(NULL);
	assert_false(mounts_path_is_docker_socket("/tmp/eng/docker.sock"));
}

static void read_only_bind(void **state)
{
	(void)state;
	struct mount_table t;
	const struct mount_entry *m;

	load("112", &t);
	m = at(&t, "/host-etc");
	assert_int_equal(m->kind, MOUNT_HOST_BIND);
	assert_string_equal(m->host_path, "/etc");
	assert_true(m->read_only);
	assert_true(m->sensitive);
	assert_string_equal(m->propagation, "private");
	mounts_free(&t);
}

static void escaped_spaces(void **state)
{
	(void)state;
	struct mount_table t;
	const struct mount_entry *m;

	load("113", &t);
	m = at(&t, "/my data");
	assert_string_equal(m->root, "/srv/my data");
	assert_string_equal(m->host_path, "/srv/my data");
	assert_int_equal(m->kind, MOUNT_HOST_BIND);
	assert_false(m->sensitive);
	mounts_free(&t);
}

static void unconfined_paths(void **state)
{
	(void)state;
	struct mount_table t;

	load("101", &t);
	/* An empty table would pass the loop below: it must hold the mounts. */
	assert_true(t.n > 5);
	for (size_t i = 0; i < t.n; i++)
		assert_int_not_equal(t.v[i].kind, MOUNT_MASKED);
	mounts_free(&t);
}

/* A malformed line is skipped, the rest parsed; the host path of a bind
 * comes from the longest host root on the same device. */
static void parse_and_derive(void **state)
{
	(void)state;
	static const char host_text[] =
		"1 0 8:1 / / rw - ext4 /dev/sda1 rw\n"
		"2 1 8:1 /var/lib/docker /var/lib/docker rw shared:1 - ext4 /dev/sda1 rw\n"
		"3 1 0:30 / /run rw,nosuid shared:5 - tmpfs tmpfs rw\n";
	static const char cont_text[] =
		"10 9 0:50 / / rw master:1 - overlay overlay rw\n"
		"this line is not mountinfo\n"
		"11 10 8:1 /var/lib/docker/volumes/v/_data /data rw - ext4 /dev/sda1 rw\n"
		"12 10 0:30 /docker.sock /run/docker.sock ro shared:5 master:3 - tmpfs tmpfs rw\n"
		"13 10 8:1 /usr/share /share ro - ext4 /dev/sda1 rw\n"
		"14 10 0:30 /isolab/s1 /scratch rw - tmpfs tmpfs rw\n";
	struct mount_table h, t;
	struct err e = {0};
	FILE *f;

	f = fmemopen((void *)host_text, sizeof(host_text) - 1, "r");
	assert_int_equal(mounts_parse_stream(f, "host", &h, &e), 0);
	fclose(f);
	f = fmemopen((void *)cont_text, sizeof(cont_text) - 1, "r");
	assert_int_equal(mounts_parse_stream(f, "container", &t, &e), 0);
	fclose(f);
	assert_int_equal(t.n, 5);
	mounts_classify(&t, &h);
	assert_string_equal(at(&t, "/data")->host_path, "/var/lib/docker/volumes/v/_data");
	assert_int_equal(at(&t, "/run/docker.sock")->kind, MOUNT_DOCKER_SOCKET);
	assert_string_equal(at(&t, "/run/docker.sock")->host_path, "/run/docker.sock");
	assert_string_equal(at(&t, "/run/docker.sock")->propagation, "shared,slave");
	assert_string_equal(at(&t, "/share")->host_path, "/usr/share");
	assert_true(at(&t, "/share")->sensitive);
	/* A host directory on a tmpfs is still a host bind. */
	assert_int_equal(at(&t, "/scratch")->kind, MOUNT_HOST_BIND);
	assert_string_equal(at(&t, "/scratch")->host_path, "/run/isolab/s1");
	assert_true(mounts_path_sensitive("/run"));
	assert_false(mounts_path_sensitive("/var/lib"));
	assert_false(mounts_path_sensitive("/etcetera"));
	mounts_free(&t);
	mounts_free(&h);
}

static void same_mount(void **state)
{
	(void)state;
	struct mount_table a, b;

	load("100", &a);
	load("110", &b);
	/* Different containers: their /proc are different instances (devices)
	 * yet the same mount; their /etc/hosts are Docker's per-container files. */
	assert_true(mounts_same(at(&a, "/proc"), at(&b, "/proc")));
	assert_true(mounts_same(at(&a, "/etc/hosts"), at(&b, "/etc/hosts")));
	assert_true(mounts_same(at(&a, "/"), at(&b, "/")));
	assert_false(mounts_same(at(&a, "/proc"), at(&b, "/host/proc")));
	for (int k = MOUNT_ROOTFS; k <= MOUNT_OTHER; k++)
		assert_int_equal(mounts_kind_from_name(mounts_kind_name(k)), k);
	assert_int_equal(mounts_kind_from_name("socket"), -1);
	mounts_free(&a);
	mounts_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_container), cmocka_unit_test(host_root_bind),
		cmocka_unit_test(docker_socket),     cmocka_unit_test(read_only_bind),
		cmocka_unit_test(engine_socket),
		cmocka_unit_test(escaped_spaces),    cmocka_unit_test(unconfined_paths),
		cmocka_unit_test(parse_and_derive),  cmocka_unit_test(same_mount),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
