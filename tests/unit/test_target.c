/* test_target.c: a container's process confirmed from its cgroup, and
 * Docker's description set against the kernel's state (real inspect JSON
 * and real /proc fixtures captured on this machine), and how the text says
 * it. */
#include "testutil.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "target.h"

static const char id[] = "5aef1e758034ddc34295b21f99d7e53f97f5ad2c109c21ecbe0241b94e9a904c";

static void cgroup_paths(void **state)
{
	(void)state;
	char buf[1024];

	snprintf(buf, sizeof(buf), "9:name=systemd:/docker/%s\n0::/docker/%s\n", id, id);
	assert_true(target_cgroup_names(buf, id)); /* cgroup v1 and v2, cgroupfs driver */
	snprintf(buf, sizeof(buf), "0::/system.slice/docker-%s.scope\n", id);
	assert_true(target_cgroup_names(buf, id)); /* v2, systemd driver */
	snprintf(buf, sizeof(buf), "0::/system.slice/docker-%s.scope/init\n", id);
	assert_true(target_cgroup_names(buf, id));
	assert_false(target_cgroup_names("0::/user.slice/session-1.scope\n", id));
	/* Another container whose id merely starts the same way. */
	snprintf(buf, sizeof(buf), "0::/docker/%sff\n", id);
	assert_false(target_cgroup_names(buf, id));
	assert_false(target_cgroup_names("0::/docker/5aef\n", "5aef"));
}

/* A fake cgroup hierarchy and proc root, in a fresh directory. */
static char tree[] = "/tmp/isolab-test-target-XXXXXX";

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tree, rel);
	for (char *p = path + strlen(tree) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
		*p = '/';
	}
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void put_stat(int pid, const char *comm, int ppid)
{
	char rel[64], text[256];

	snprintf(rel, sizeof(rel), "proc/%d/stat", pid);
	/* A whole line, as the kernel writes it: the reader checks every field
	 * up to the start time. */
	snprintf(text, sizeof(text),
		 "%d (%s) S %d %d 0 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 12345 1000 100\n", pid,
		 comm, ppid, pid);
	put(rel, text);
}

static pid_t init_pid(const char *want_id)
{
	char cg[512], proc[512];

	snprintf(cg, sizeof(cg), "%s/cg", tree);
	snprintf(proc, sizeof(proc), "%s/proc", tree);
	return target_cgroup_init_pid(cg, proc, want_id);
}

/* The container's first process from its cgroup: the one whose parent is
 * outside, under either driver's layout; nothing when unsure. */
static void init_pid_from_cgroup(void **state)
{
	char rel[256];
	(void)state;

	assert_non_null(mkdtemp(tree));
	snprintf(rel, sizeof(rel), "cg/docker/%s/cgroup.procs", id);
	put(rel, "101\n100\n102\n");
	put_stat(100, "sh", 7);              /* the shim, outside */
	put_stat(101, "sleep", 100);
	put_stat(102, "a) S 7 (b", 100);     /* a comm that mimics a field */
	assert_int_equal(init_pid(id), 100);

	/* Another container, systemd driver: one process. */
	static const char other[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
	snprintf(rel, sizeof(rel), "cg/system.slice/docker-%s.scope/cgroup.procs", other);
	put(rel, "200\n");
	put_stat(200, "nginx", 9);
	assert_int_equal(init_pid(other), 200);

	/* No such container in this tree. */
	assert_int_equal(init_pid("fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"), 0);

	/* Two processes whose parents are outside (one joined by docker exec):
	 * which came first is Docker's to say. */
	snprintf(rel, sizeof(rel), "cg/docker/%s/cgroup.procs", id);
	put(rel, "100\n101\n103\n");
	put_stat(103, "exec", 8);
	assert_int_equal(init_pid(id), 0);

	/* Stopped (empty) and unreadable lists. */
	put(rel, "");
	assert_int_equal(init_pid(id), 0);
	put(rel, "100\nnot a pid\n");
	assert_int_equal(init_pid(id), 0);

	/* The only candidate exited before its parent could be read. */
	put(rel, "104\n");
	assert_int_equal(init_pid(id), 0);

	char *const rm[] = {(char *)"rm", (char *)"-rf", tree, NULL};
	assert_int_equal(tu_run(rm, NULL, NULL), 0);
}

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

/* Docker's view of one kind of container beside a process's /proc. */
static void pair(const char *inspect, int pid, struct engine_containers *cs, struct snapshot *s)
{
	tu_fixture_inspect(inspect, cs);
	tu_fixture_snapshot(&host, FIXTURE_PROC, pid, "c", s);
}

static const struct disagreement *find(const struct disagreements *d, const char *check)
{
	for (size_t i = 0; i < d->n; i++)
		if (strcmp(d->v[i].check, check) == 0)
			return &d->v[i];
	return NULL;
}

/* docker.sock bound :ro (inspect and /proc of the same kind of container). */
static void socket_read_only_is_no_protection(void **state)
{
	(void)state;
	struct engine_containers cs;
	struct snapshot s;
	struct disagreements d;

	pair("docker-sock-ro.json", 111, &cs, &s);
	target_disagreements(&cs.v[0], &s, &d);
	const struct disagreement *x = find(&d, "docker-socket-ro");
	assert_non_null(x);
	assert_true(tu_contains(x->why, "fully usable"));
	/* Docker reports that bind: not "unreported". */
	assert_null(find(&d, "unreported-bind"));
	assert_null(find(&d, "dropped-cap-present"));
	target_disagreements_free(&d);
	snapshot_free(&s);
	engine_containers_free(&cs);
}

/* Docker says everything but NET_BIND_SERVICE was dropped; a process that
 * still holds the default set contradicts it. */
static void dropped_cap_present(void **state)
{
	(void)state;
	struct engine_containers cs;
	struct snapshot s;
	struct disagreements d;

	pair("cap-drop-all-add-net-bind.json", 100, &cs, &s);
	target_disagreements(&cs.v[0], &s, &d);
	const struct disagreement *x = find(&d, "dropped-cap-present");
	assert_non_null(x);
	assert_true(tu_contains(x->kernel, "cap_chown"));
	assert_false(tu_contains(x->kernel, "cap_net_bind_service"));
	target_disagreements_free(&d);
	snapshot_free(&s);

	/* The matching process (cap-drop ALL fixture has nothing): agreement
	 * about capabilities. */
	tu_fixture_snapshot(&host, FIXTURE_PROC, 103, "c", &s);
	target_disagreements(&cs.v[0], &s, &d);
	assert_null(find(&d, "dropped-cap-present"));
	target_disagreements_free(&d);
	snapshot_free(&s);
	engine_containers_free(&cs);
}

/* A host bind the kernel shows and Docker does not list; a namespace
 * Docker calls private that the kernel shares; no-new-privileges. */
static void unreported_bind_and_modes(void **state)
{
	(void)state;
	struct engine_containers cs;
	struct snapshot s;
	struct disagreements d;

	pair("default.json", 110, &cs, &s); /* Docker: defaults; kernel: -v /:/host */
	target_disagreements(&cs.v[0], &s, &d);
	const struct disagreement *x = find(&d, "unreported-bind");
	assert_non_null(x);
	assert_true(tu_contains(x->kernel, "/host shows the host's /"));
	target_disagreements_free(&d);
	snapshot_free(&s);
	engine_containers_free(&cs);

	pair("default.json", 114, &cs, &s); /* kernel: --pid=host --ipc=host, nnp */
	target_disagreements(&cs.v[0], &s, &d);
	size_t modes = 0;
	for (size_t i = 0; i < d.n; i++)
		modes += strcmp(d.v[i].check, "namespace-mode") == 0;
	assert_int_equal(modes, 2);
	assert_non_null(find(&d, "no-new-privileges"));
	target_disagreements_free(&d);
	snapshot_free(&s);
	engine_containers_free(&cs);

	pair("pid-ipc-host.json", 114, &cs, &s); /* both say host */
	target_disagreements(&cs.v[0], &s, &d);
	assert_null(find(&d, "namespace-mode"));
	target_disagreements_free(&d);
	snapshot_free(&s);
	engine_containers_free(&cs);
}

static void json_has_docker(void **state)
{
	(void)state;
	struct target t = {0};
	struct engine_containers cs;

	pair("docker-sock-ro.json", 111, &cs, &t.snap);
	t.docker = &cs.v[0];
	target_disagreements(t.docker, &t.snap, &t.dis);
	json_t *j = target_json(&t);
	json_t *docker = json_object_get(j, "docker");
	assert_true(json_is_object(docker));
	assert_true(json_is_array(json_object_get(docker, "binds")));
	assert_true(json_is_boolean(json_object_get(docker, "privileged")));
	assert_true(json_array_size(json_object_get(j, "disagreements")) >= 1);
	json_decref(j);

	struct target plain = {0};
	plain.snap = t.snap;
	j = target_json(&plain);
	assert_true(json_is_null(json_object_get(j, "docker")));
	assert_int_equal(json_array_size(json_object_get(j, "disagreements")), 0);
	json_decref(j);
	target_disagreements_free(&t.dis);
	snapshot_free(&t.snap);
	engine_containers_free(&cs);
}

/* The text: what Docker says as FIELD, VALUE lines, one bind a line, and
 * each disagreement as three lines, Docker's word, the kernel's and why,
 * the check named on the first. Not on a terminal: nothing is wrapped. */
static void text_has_docker(void **state)
{
	(void)state;
	struct target t = {0};
	struct engine_containers cs;
	struct report_opts o = {.color = false, .ascii = true};
	char *buf = NULL, *line;
	size_t len = 0;
	FILE *f;

	pair("docker-sock-ro.json", 111, &cs, &t.snap);
	t.docker = &cs.v[0];
	target_disagreements(t.docker, &t.snap, &t.dis);
	assert_non_null(f = open_memstream(&buf, &len));
	target_text(f, &t, &o);
	assert_int_equal(fclose(f), 0);
	assert_true(tu_contains(buf, "\nWhat Docker says about "));
	assert_true(tu_contains(buf, "\nFIELD          VALUE\n"));
	assert_true(tu_contains(buf, "\nprivileged     no\n"));
	assert_true(tu_contains(buf, "\nbinds          /var/run/docker.sock:/var/run/docker.sock:ro\n"));
	assert_true(tu_contains(buf, "\nnamespaces     pid=default "));
	assert_true(tu_contains(buf, "\nread-only root no\n"));
	assert_true(tu_contains(buf, "\nWhere Docker and the kernel disagree ("));
	assert_non_null(line = strstr(buf, "\ndocker-socket-ro "));
	line++;
	/* The check's line says what Docker says; the next two, under it, what
	 * the kernel says and why it matters. */
	size_t at = strcspn(line, "\n");
	assert_true(tu_contains(line, " Docker: "));
	assert_true((size_t)(strstr(line, " Docker: ") - line) < at);
	char *next = line + at + 1;
	assert_int_equal(next[0], ' ');
	assert_true(strncmp(next + strspn(next, " "), "kernel: ", 8) == 0);
	next += strcspn(next, "\n") + 1;
	assert_true(strncmp(next + strspn(next, " "), "why:    ", 8) == 0);
	assert_true(tu_contains(next, "fully usable"));
	assert_null(strchr(buf, '\033'));
	free(buf);
	target_disagreements_free(&t.dis);
	snapshot_free(&t.snap);
	engine_containers_free(&cs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cgroup_paths),
		cmocka_unit_test(init_pid_from_cgroup),
		cmocka_unit_test(socket_read_only_is_no_protection),
		cmocka_unit_test(dropped_cap_present),
		cmocka_unit_test(unreported_bind_and_modes),
		cmocka_unit_test(json_has_docker),
		cmocka_unit_test(text_has_docker),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
