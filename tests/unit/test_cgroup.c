/* test_cgroup.c: limits read from fixture cgroup trees, v1 (this machine:
 * one hierarchy per controller, /docker/<id>) and v2 (a workshop VM:
 * systemd's docker-<id>.scope, a limit set by a parent slice); v1 device
 * rules; what the device table calls each node; and the /dev walk, which
 * must stay inside the process's root and never follow a link. */
#include "testutil.h"

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup.h"
#include "devices.h"

#define V2 FIXTURES "/cgroup2"

static void host_table(const char *path, struct mount_table *t)
{
	struct err e = {0};
	FILE *f = fopen(path, "re");

	assert_non_null(f);
	assert_int_equal(mounts_parse_stream(f, path, t, &e), 0);
	fclose(f);
}

static void read_cg(const char *proc_root, int pid, const struct mount_table *host,
		    const char *host_root, struct cgroup_info *cg)
{
	struct err e = {0};
	struct proc p;

	assert_int_equal(proc_open(&p, proc_root, pid, &e), 0);
	assert_int_equal(cgroup_read(&p, host, host_root, cg, &e), 0);
	proc_close(&p);
}

static void v2_systemd_scope(void **state)
{
	(void)state;
	struct mount_table host;
	struct cgroup_info cg;

	host_table(V2 "/proc/1/mountinfo", &host);
	assert_int_equal(cgroup_host_version(&host), 2);

	read_cg(V2 "/proc", 300, &host, V2, &cg);
	assert_int_equal(cg.version, 2);
	assert_true(tu_contains(cg.path, "/system.slice/docker-"));
	assert_int_equal(cg.memory.state, 0);
	assert_true(tu_contains(cg.memory.file, ".scope/memory.max"));
	assert_true(util_str_has_prefix(cg.memory.file, "/sys/fs/cgroup/system.slice/"));
	assert_int_equal(cg.pids.state, 0);
	assert_null(cg.devices_list); /* v2: a BPF program, not a file */
	cgroup_info_free(&cg);

	/* Its own memory.max is max, its slice's is 1 GiB: limited. */
	read_cg(V2 "/proc", 301, &host, V2, &cg);
	assert_int_equal(cg.memory.state, 1);
	assert_int_equal(cg.memory.max, 1073741824ULL);
	assert_string_equal(cg.memory.file, "/sys/fs/cgroup/limited.slice/memory.max");
	assert_int_equal(cg.pids.state, 1);
	assert_int_equal(cg.pids.max, 100);
	cgroup_info_free(&cg);
	mounts_free(&host);
}

static void v1_docker(void **state)
{
	(void)state;
	struct mount_table host;
	struct cgroup_info cg;

	host_table(FIXTURE_PROC "/1/mountinfo", &host);
	assert_int_equal(cgroup_host_version(&host), 1);

	read_cg(FIXTURE_PROC, 101, &host, FIXTURES, &cg);
	assert_int_equal(cg.version, 1);
	assert_int_equal(cg.memory.state, 0); /* 9223372036854771712: none */
	assert_true(tu_contains(cg.memory.file, "/sys/fs/cgroup/memory/docker/667a8737"));
	assert_int_equal(cg.pids.state, 0);
	assert_string_equal(cg.devices_list, "a *:* rwm\n");
	cgroup_info_free(&cg);

	read_cg(FIXTURES "/audit/proc", 206, &host, FIXTURES, &cg);
	assert_int_equal(cg.memory.state, 1);
	assert_int_equal(cg.memory.max, 536870912ULL);
	assert_int_equal(cg.pids.state, 1);
	assert_int_equal(cg.pids.max, 200);
	cgroup_info_free(&cg);

	/* No cgroup file: unknown, with the reason, never "no limit". */
	read_cg(FIXTURE_PROC, 100, &host, FIXTURES, &cg);
	assert_int_equal(cg.memory.state, -1);
	assert_non_null(cg.memory.why);
	assert_int_equal(cg.pids.state, -1);
	cgroup_info_free(&cg);
	mounts_free(&host);
}

static void device_rules(void **state)
{
	(void)state;
	const char *dflt = "c *:* m\nb *:* m\nc 1:3 rwm\nc 136:* rwm\nc 10:200 rwm\n";

	assert_true(cgroup_devices_allow(dflt, 'c', 1, 3));
	assert_true(cgroup_devices_allow(dflt, 'c', 136, 7));
	assert_false(cgroup_devices_allow(dflt, 'b', 7, 5)); /* mknod only */
	assert_false(cgroup_devices_allow(dflt, 'c', 1, 1));
	assert_false(cgroup_devices_allow_all(dflt, 'b'));
	assert_true(cgroup_devices_allow("b 7:5 rwm\n", 'b', 7, 5));
	assert_false(cgroup_devices_allow("b 7:5 rwm\n", 'b', 7, 6));
	assert_true(cgroup_devices_allow_all("a *:* rwm\n", 'b'));
	assert_true(cgroup_devices_allow_all("b *:* rw\n", 'b'));
	assert_false(cgroup_devices_allow_all("b *:* m\n", 'b'));
}

static void device_classes(void **state)
{
	(void)state;
	assert_int_equal(devices_classify('c', 1, 3, "null"), DEVICES_DEFAULT);
	assert_int_equal(devices_classify('c', 136, 2, NULL), DEVICES_DEFAULT);
	assert_int_equal(devices_classify('b', 7, 5, "loop5"), DEVICES_DISK);
	assert_int_equal(devices_classify('b', 254, 0, "vda"), DEVICES_DISK);
	assert_int_equal(devices_classify('c', 1, 1, "mem"), DEVICES_MEMORY);
	assert_int_equal(devices_classify('c', 1, 4, "port"), DEVICES_MEMORY);
	assert_int_equal(devices_classify('c', 1, 11, "kmsg"), DEVICES_RISKY);
	assert_int_equal(devices_classify('c', 242, 0, "nvme0"), DEVICES_DISK);
	assert_int_equal(devices_classify('c', 10, 229, "fuse"), DEVICES_RISKY);
	assert_int_equal(devices_classify('c', 116, 0, NULL), DEVICES_OTHER);
}

static char tmpdir[64];

/* A fake process whose root's /dev is a link to the host's /dev, and
 * another whose /dev holds links to host device nodes: neither may show
 * the host's devices. */
static void dev_walk_stays_inside(void **state)
{
	(void)state;
	char path[256];
	struct err e = {0};
	struct proc p;
	struct devices_list l;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/isolab-devtest-XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	snprintf(path, sizeof(path), "%s/400", tmpdir);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/400/root", tmpdir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/400/root/dev", tmpdir);
	assert_int_equal(symlink("/dev", path), 0); /* absolute: the host's, if followed */

	assert_int_equal(proc_open(&p, tmpdir, 400, &e), 0);
	assert_int_equal(devices_read(&p, "/", &l, &e), 0);
	assert_int_equal(l.n, 0); /* resolved in the root: a loop, not the host's /dev */
	assert_int_not_equal(l.err, 0);
	devices_list_free(&l);
	proc_close(&p);

	assert_int_equal(unlink(path), 0);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/400/root/dev/null", tmpdir);
	assert_int_equal(symlink("/dev/null", path), 0);
	snprintf(path, sizeof(path), "%s/400/root/dev/disk", tmpdir);
	assert_int_equal(symlink("/dev", path), 0);
	assert_int_equal(proc_open(&p, tmpdir, 400, &e), 0);
	assert_int_equal(devices_read(&p, "/", &l, &e), 0);
	assert_int_equal(l.err, 0);
	assert_int_equal(l.n, 0); /* links are never followed */
	devices_list_free(&l);
	proc_close(&p);

	static const char *const made[] = {"400/root/dev/null", "400/root/dev/disk"};
	static const char *const dirs[] = {"400/root/dev", "400/root", "400", ""};
	for (size_t i = 0; i < ARRAY_SIZE(made); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, made[i]);
		assert_int_equal(unlink(path), 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", tmpdir, dirs[i]);
		assert_int_equal(rmdir(path), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(v2_systemd_scope),
		cmocka_unit_test(v1_docker),
		cmocka_unit_test(device_rules),
		cmocka_unit_test(device_classes),
		cmocka_unit_test(dev_walk_stays_inside),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
