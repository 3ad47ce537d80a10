/* test_snapshot.c: snapshots of fixture processes, their diff, and the JSON
 * shape DESIGN.md fixes. Namespace identity in the fixtures is a symlink to
 * a shared file per namespace: stat() follows it as it follows nsfs links. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "snapshot.h"

static struct host_ref host;

static int setup(void **state)
{
	(void)state;
	return tu_fixture_host(&host);
}

static int teardown(void **state)
{
	(void)state;
	host_ref_free(&host);
	return 0;
}

static void take(int pid, struct snapshot *s)
{
	char target[32];

	snprintf(target, sizeof(target), "pid:%d", pid);
	tu_fixture_snapshot(&host, FIXTURE_PROC, pid, target, s);
}

static int shared(const struct snapshot *s, const char *ns)
{
	const struct ns_entry *n = ns_find(&s->ns, ns);
	assert_non_null(n);
	return n->shared;
}

static void default_snapshot(void **state)
{
	(void)state;
	struct snapshot s;

	take(100, &s);
	assert_int_equal(host.last_cap, 40);
	assert_true(s.caps.set[CAPS_EFFECTIVE] == CAPS_DOCKER_DEFAULT);
	assert_int_equal(s.seccomp, SECCOMP_FILTER);
	assert_int_equal(s.seccomp_filters, 1);
	assert_false(s.no_new_privs);
	assert_null(s.lsm); /* no attr/current in the fixture: no LSM */
	assert_string_equal(s.uid_map, "0 0 4294967295");
	assert_int_equal(s.ns.n, 10);
	assert_int_equal(shared(&s, "mnt"), 0);
	assert_int_equal(shared(&s, "pid"), 0);
	assert_int_equal(shared(&s, "net"), 0);
	assert_int_equal(shared(&s, "user"), 1);
	assert_int_equal(shared(&s, "cgroup"), 1); /* cgroup v1: Docker shares it */
	assert_true(snapshot_added_vs_docker(&s) == 0);
	assert_true(snapshot_dropped_vs_docker(&s) == 0);
	snapshot_free(&s);
}

static void host_namespaces(void **state)
{
	(void)state;
	struct snapshot s;

	take(114, &s); /* --pid=host --ipc=host --security-opt no-new-privileges */
	assert_int_equal(shared(&s, "pid"), 1);
	assert_int_equal(shared(&s, "ipc"), 1);
	assert_int_equal(shared(&s, "mnt"), 0);
	assert_true(s.no_new_privs);
	snapshot_free(&s);
}

static void diff_default_privileged(void **state)
{
	(void)state;
	struct snapshot a, b;
	struct snapshot_diff d;

	take(100, &a);
	take(102, &b);
	snapshot_diff(&a, &b, &d);
	assert_false(snapshot_diff_empty(&d));
	assert_int_equal(__builtin_popcountll(d.caps_added[CAPS_EFFECTIVE]), 27);
	assert_true(d.caps_removed[CAPS_EFFECTIVE] == 0);
	assert_true(d.caps_added[CAPS_BOUNDING] == d.caps_added[CAPS_EFFECTIVE]);
	assert_true(d.caps_added[CAPS_AMBIENT] == 0);
	assert_int_equal(d.n_ns, 0); /* same sharing: both own */

	/* Masked paths are there in the default and gone when unconfined. */
	bool keys_only_in_a = false, host_mount = false;
	for (size_t i = 0; i < d.n_mounts; i++) {
		const struct snapshot_mount_change *c = &d.mounts[i];
		if (c->a && !c->b && strcmp(c->a->target, "/proc/keys") == 0)
			keys_only_in_a = true;
		if ((c->a && c->a->host_path && !c->a->per_container && c->a->kind != MOUNT_ROOTFS) ||
		    (c->b && c->b->host_path && !c->b->per_container && c->b->kind != MOUNT_ROOTFS))
			host_mount = true;
	}
	assert_true(keys_only_in_a);
	assert_false(host_mount);

	bool seccomp = false;
	for (size_t i = 0; i < d.n_fields; i++)
		if (strcmp(d.fields[i].field, "seccomp") == 0) {
			assert_string_equal(d.fields[i].a, "filter");
			assert_string_equal(d.fields[i].b, "disabled");
			seccomp = true;
		}
	assert_true(seccomp);
	snapshot_diff_free(&d);
	snapshot_free(&a);
	snapshot_free(&b);
}

static void diff_host_bind_and_pid(void **state)
{
	(void)state;
	struct snapshot a, b, c;
	struct snapshot_diff d;

	take(100, &a);
	take(110, &b);
	snapshot_diff(&a, &b, &d);
	/* /host and its recursive submounts are only in b; nothing only in a
	 * (per-container files and private instances match by target). */
	bool saw_host = false;
	for (size_t i = 0; i < d.n_mounts; i++) {
		assert_null(d.mounts[i].a);
		if (strcmp(d.mounts[i].b->target, "/host") == 0) {
			assert_string_equal(d.mounts[i].b->host_path, "/");
			saw_host = true;
		}
	}
	assert_true(saw_host);
	assert_true(d.caps_added[CAPS_EFFECTIVE] == 0);
	snapshot_diff_free(&d);

	take(114, &c);
	snapshot_diff(&a, &c, &d);
	assert_int_equal(d.n_ns, 3); /* ipc, pid, pid_for_children */
	assert_string_equal(d.ns[0].name, "ipc");
	assert_int_equal(d.ns[0].a_shared, 0);
	assert_int_equal(d.ns[0].b_shared, 1);
	snapshot_diff_free(&d);

	/* A snapshot against itself: nothing. */
	snapshot_diff(&a, &a, &d);
	assert_true(snapshot_diff_empty(&d));
	snapshot_diff_free(&d);
	snapshot_free(&a);
	snapshot_free(&b);
	snapshot_free(&c);
}

static void json_shape(void **state)
{
	(void)state;
	static const char *const keys[] = {"target", "container_id", "pid", "caps", "no_new_privs",
					   "seccomp", "seccomp_filters", "lsm", "namespaces",
					   "uid_map", "mounts"};
	static const char *const sets[] = {"effective", "permitted", "inheritable", "bounding", "ambient"};
	static const char *const mkeys[] = {"target", "fstype", "source", "root", "host_path",
					    "read_only", "propagation", "kind", "sensitive"};
	struct snapshot s;
	json_t *j;

	take(111, &s);
	j = report_snapshot_json(&s);
	assert_int_equal(json_object_size(j), ARRAY_SIZE(keys));
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		assert_non_null(json_object_get(j, keys[i]));
	assert_string_equal(json_string_value(json_object_get(j, "target")), "pid:111");
	assert_true(json_is_null(json_object_get(j, "container_id")));
	assert_int_equal(json_integer_value(json_object_get(j, "pid")), 111);
	assert_string_equal(json_string_value(json_object_get(j, "seccomp")), "filter");
	assert_true(json_is_null(json_object_get(j, "lsm")));
	assert_string_equal(json_string_value(json_object_get(j, "uid_map")), "0 0 4294967295");

	json_t *caps = json_object_get(j, "caps");
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++) {
		json_t *set = json_object_get(caps, sets[i]);
		assert_int_equal(strlen(json_string_value(json_object_get(set, "hex"))), 16);
		assert_true(json_is_array(json_object_get(set, "names")));
	}
	assert_string_equal(json_string_value(json_object_get(json_object_get(caps, "effective"), "hex")),
			    "00000000a80425fb");
	assert_int_equal(json_array_size(json_object_get(json_object_get(caps, "effective"), "names")), 14);
	assert_int_equal(json_array_size(json_object_get(caps, "added_vs_docker_default")), 0);
	assert_int_equal(json_array_size(json_object_get(caps, "dropped_vs_docker_default")), 0);

	json_t *mnt = json_object_get(json_object_get(j, "namespaces"), "mnt");
	assert_true(json_is_integer(json_object_get(mnt, "inode")));
	assert_true(json_is_false(json_object_get(mnt, "shared_with_host")));

	json_t *mounts = json_object_get(j, "mounts");
	bool sock = false;
	for (size_t i = 0; i < json_array_size(mounts); i++) {
		json_t *m = json_array_get(mounts, i);
		assert_int_equal(json_object_size(m), ARRAY_SIZE(mkeys));
		for (size_t k = 0; k < ARRAY_SIZE(mkeys); k++)
			assert_non_null(json_object_get(m, mkeys[k]));
		if (strcmp(json_string_value(json_object_get(m, "target")), "/var/run/docker.sock") == 0) {
			assert_string_equal(json_string_value(json_object_get(m, "kind")), "docker-socket");
			assert_string_equal(json_string_value(json_object_get(m, "host_path")), "/run/docker.sock");
			assert_true(json_is_true(json_object_get(m, "read_only")));
			assert_true(json_is_true(json_object_get(m, "sensitive")));
			sock = true;
		}
	}
	assert_true(sock);
	json_decref(j);
	snapshot_free(&s);
}

static void json_unreadable_namespace(void **state)
{
	(void)state;
	struct snapshot s;
	json_t *j, *n;

	take(100, &s);
	s.ns.v[0].err = 13; /* EACCES, as without root */
	s.ns.v[0].shared = -1;
	j = report_snapshot_json(&s);
	n = json_object_get(json_object_get(j, "namespaces"), s.ns.v[0].name);
	assert_true(json_is_null(json_object_get(n, "inode")));
	assert_true(json_is_null(json_object_get(n, "shared_with_host")));
	assert_true(tu_contains(json_string_value(json_object_get(n, "error")), "needs root"));
	json_decref(j);
	snapshot_free(&s);
}

static void json_diff(void **state)
{
	(void)state;
	struct snapshot a, b;
	struct snapshot_diff d;
	json_t *j;

	take(100, &a);
	take(102, &b);
	snapshot_diff(&a, &b, &d);
	j = report_diff_json(&d);
	json_t *eff = json_object_get(json_object_get(j, "caps"), "effective");
	assert_int_equal(json_array_size(json_object_get(eff, "added")), 27);
	assert_int_equal(json_array_size(json_object_get(eff, "removed")), 0);
	assert_true(json_is_false(json_object_get(j, "identical")));
	assert_true(json_array_size(json_object_get(json_object_get(j, "mounts"), "only_in_a")) > 0);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "a"), "target")), "pid:100");
	json_decref(j);
	snapshot_diff_free(&d);
	snapshot_free(&a);
	snapshot_free(&b);
}

static void text_renders(void **state)
{
	(void)state;
	struct snapshot s;
	struct report_opts o = {0};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	take(102, &s);
	report_snapshot_text(f, &s, &o);
	fclose(f);
	assert_true(tu_contains(buf, "cap_sys_admin"));
	assert_true(tu_contains(buf, "added"));
	assert_true(tu_contains(buf, "seccomp       disabled"));
	assert_true(tu_contains(buf, "NAMESPACE"));
	free(buf);
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(default_snapshot),
		cmocka_unit_test(host_namespaces),
		cmocka_unit_test(diff_default_privileged),
		cmocka_unit_test(diff_host_bind_and_pid),
		cmocka_unit_test(json_shape),
		cmocka_unit_test(json_unreadable_namespace),
		cmocka_unit_test(json_diff),
		cmocka_unit_test(text_renders),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
