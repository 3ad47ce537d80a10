/* test_engine.c: runner/engine without docker: the inspect and info parsers
 * against JSON captured from docker on a development machine, the run argv
 * builder, the failure table against captured stderr, and every operation
 * against stand-in engines (tests/fixtures/engine/bin: scripts that play
 * docker, hang, or fail as a missing daemon or socket permission do). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

#include "engine.h"
#include "mounts.h"

#define AV(a) ((char *const *)(a))

/* A path under tests/fixtures/engine, absolute so that an engine path is
 * never looked up on PATH. */
static const char *fixture(const char *rel)
{
	static char paths[8][PATH_MAX];
	static unsigned next;
	char *p = paths[next++ % 8];
	char rel_path[PATH_MAX];

	snprintf(rel_path, sizeof(rel_path), FIXTURES "/engine/%s", rel);
	if (!realpath(rel_path, p))
		snprintf(p, PATH_MAX, "%s", rel_path);
	return p;
}

static char *slurp(const char *rel)
{
	char *text = tu_read_file(fixture(rel));

	if (!text)
		fail_msg("cannot read fixture %s: %s", fixture(rel), strerror(errno));
	return text;
}

static void assert_no_children(void)
{
	errno = 0;
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

static void assert_argv(const struct argv *a, const char *const *want)
{
	size_t i;

	for (i = 0; want[i]; i++) {
		assert_true(i < a->n);
		assert_string_equal(a->v[i], want[i]);
	}
	assert_int_equal(a->n, i);
	assert_null(a->v[i]);
}

static bool argv_has(const struct argv *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (!strcmp(a->v[i], s))
			return true;
	return false;
}

/* --- the inspect parser --------------------------------------------------- */

/* Appends to cs what json holds: n containers. */
static void parse_n(const char *json, size_t n, struct engine_containers *cs)
{
	size_t had = cs->n;
	struct err e;

	assert_int_equal(engine_inspect_parse(json, cs, &e), 0);
	assert_int_equal(cs->n - had, n);
}

static void parse_one(const char *file, struct engine_containers *cs)
{
	cleanup_free char *json = slurp(file);

	memset(cs, 0, sizeof(*cs));
	parse_n(json, 1, cs);
}

static void test_inspect_default(void **state)
{
	(void)state;
	struct engine_containers cs;
	parse_one("inspect/default.json", &cs);
	const struct engine_container *c = &cs.v[0];

	assert_string_equal(c->id, "1028ac02df8ba1dae6475b71c5d9d4212c3a217171fa53bc7052c1ce7f770597");
	assert_string_equal(c->name, "isolab-fx-default");
	assert_string_equal(c->image, "isolab-engine-dev:fixture");
	assert_true(util_str_has_prefix(c->image_id, "sha256:"));
	assert_int_equal(c->pid, 5599);
	assert_true(c->running);
	assert_string_equal(c->status, "running");
	assert_int_equal(c->exit_code, 0);
	assert_false(c->privileged);
	assert_int_equal(c->cap_add.n, 0);
	assert_int_equal(c->cap_drop.n, 0);
	assert_int_equal(c->binds.n, 0);
	assert_string_equal(c->pid_mode, "");
	assert_string_equal(c->network_mode, "none");
	assert_string_equal(c->ipc_mode, "private");
	assert_string_equal(c->uts_mode, "");
	assert_string_equal(c->userns_mode, "");
	assert_string_equal(c->cgroupns_mode, "host");
	assert_int_equal(c->security_opt.n, 0);
	assert_false(c->readonly_rootfs);
	assert_int_equal(c->n_devices, 0);
	assert_int_equal(c->n_mounts, 0);
	assert_int_equal(c->n_labels, 1);
	assert_string_equal(c->labels[0].key, "isolab.session");
	assert_string_equal(engine_container_label(c, "isolab.session"), "engine-dev");
	assert_null(engine_container_label(c, "isolab.lab"));
	engine_containers_free(&cs);
	assert_int_equal(cs.n, 0);
}

static void test_inspect_caps(void **state)
{
	(void)state;
	struct engine_containers cs;
	parse_one("inspect/cap-drop-all-add-net-bind.json", &cs);

	assert_int_equal(cs.v[0].cap_drop.n, 1);
	assert_string_equal(cs.v[0].cap_drop.v[0], "ALL");
	assert_int_equal(cs.v[0].cap_add.n, 1);
	assert_string_equal(cs.v[0].cap_add.v[0], "CAP_NET_BIND_SERVICE");
	assert_false(cs.v[0].privileged);
	engine_containers_free(&cs);
}

static void test_inspect_binds(void **state)
{
	(void)state;
	struct engine_containers cs;

	parse_one("inspect/bind-etc-ro.json", &cs);
	assert_int_equal(cs.v[0].binds.n, 1);
	assert_string_equal(cs.v[0].binds.v[0], "/etc:/host-etc:ro");
	assert_int_equal(cs.v[0].n_mounts, 1);
	assert_string_equal(cs.v[0].mounts[0].type, "bind");
	assert_string_equal(cs.v[0].mounts[0].source, "/etc");
	assert_string_equal(cs.v[0].mounts[0].destination, "/host-etc");
	assert_string_equal(cs.v[0].mounts[0].mode, "ro");
	assert_false(cs.v[0].mounts[0].rw);
	assert_string_equal(cs.v[0].mounts[0].propagation, "rprivate");
	assert_string_equal(cs.v[0].mounts[0].name, "");
	engine_containers_free(&cs);

	parse_one("inspect/docker-sock-ro.json", &cs);
	assert_string_equal(cs.v[0].binds.v[0], "/var/run/docker.sock:/var/run/docker.sock:ro");
	assert_string_equal(cs.v[0].mounts[0].source, "/var/run/docker.sock");
	assert_string_equal(cs.v[0].mounts[0].destination, "/var/run/docker.sock");
	assert_false(cs.v[0].mounts[0].rw);
	engine_containers_free(&cs);
}

static void test_inspect_host_namespaces(void **state)
{
	(void)state;
	struct engine_containers cs;

	parse_one("inspect/pid-ipc-host.json", &cs);
	assert_string_equal(cs.v[0].pid_mode, "host");
	assert_string_equal(cs.v[0].ipc_mode, "host");
	assert_string_equal(cs.v[0].network_mode, "none");
	/* docker adds this itself with a host pid namespace */
	assert_int_equal(cs.v[0].security_opt.n, 1);
	assert_string_equal(cs.v[0].security_opt.v[0], "label=disable");
	engine_containers_free(&cs);

	parse_one("inspect/no-new-privileges.json", &cs);
	assert_int_equal(cs.v[0].security_opt.n, 1);
	assert_string_equal(cs.v[0].security_opt.v[0], "no-new-privileges");
	assert_string_equal(cs.v[0].pid_mode, "");
	engine_containers_free(&cs);
}

static void test_inspect_stopped_and_created(void **state)
{
	(void)state;
	struct engine_containers cs;

	parse_one("inspect/stopped.json", &cs);
	assert_false(cs.v[0].running);
	assert_int_equal(cs.v[0].pid, 0);
	assert_string_equal(cs.v[0].status, "exited");
	assert_int_equal(cs.v[0].exit_code, 3);
	engine_containers_free(&cs);

	/* --privileged on a host that cannot grant every capability: created,
	 * never started. */
	parse_one("inspect/privileged-created.json", &cs);
	assert_true(cs.v[0].privileged);
	assert_string_equal(cs.v[0].status, "created");
	assert_int_equal(cs.v[0].pid, 0);
	assert_int_equal(cs.v[0].exit_code, 128);
	assert_string_equal(cs.v[0].network_mode, "default");
	engine_containers_free(&cs);
}

static void test_inspect_misc(void **state)
{
	(void)state;
	struct engine_containers cs;
	parse_one("inspect/readonly-device-volume-tmpfs.json", &cs);
	const struct engine_container *c = &cs.v[0];

	assert_true(c->readonly_rootfs);
	assert_string_equal(c->uts_mode, "host");
	assert_string_equal(c->userns_mode, "host");
	assert_int_equal(c->n_devices, 1);
	assert_string_equal(c->devices[0].path_on_host, "/dev/null");
	assert_string_equal(c->devices[0].path_in_container, "/dev/xnull");
	assert_string_equal(c->devices[0].cgroup_permissions, "rwm");
	assert_int_equal(c->n_mounts, 2);
	assert_string_equal(c->mounts[0].type, "volume");
	assert_int_equal(strlen(c->mounts[0].name), 64);
	assert_string_equal(c->mounts[0].destination, "/data");
	assert_true(c->mounts[0].rw);
	assert_string_equal(c->mounts[0].propagation, "");
	assert_string_equal(c->mounts[1].type, "tmpfs");
	assert_string_equal(c->mounts[1].source, "");
	assert_int_equal(c->n_labels, 2);
	assert_string_equal(engine_container_label(c, "isolab.reason.writable-rootfs"),
			    "read only anyway");
	engine_containers_free(&cs);
}

static void test_inspect_multi_and_find(void **state)
{
	(void)state;
	cleanup_free char *json = slurp("inspect/multi.json");
	struct engine_containers cs = {0};

	parse_n(json, 3, &cs);
	assert_string_equal(cs.v[0].name, "isolab-fx-default");
	assert_string_equal(cs.v[1].name, "isolab-fx-etc");
	assert_string_equal(cs.v[2].name, "isolab-fx-stopped");
	assert_ptr_equal(engine_containers_find(&cs, "isolab-fx-etc"), &cs.v[1]);
	assert_ptr_equal(engine_containers_find(&cs, "/isolab-fx-etc"), &cs.v[1]);
	assert_ptr_equal(engine_containers_find(&cs, "e3b4c0a57126"), &cs.v[1]);
	assert_ptr_equal(engine_containers_find(&cs, cs.v[2].id), &cs.v[2]);
	assert_null(engine_containers_find(&cs, "isolab-fx-nope"));
	assert_null(engine_containers_find(&cs, "/"));

	/* Appends. */
	parse_n(json, 3, &cs);
	assert_int_equal(cs.n, 6);
	engine_containers_free(&cs);
}

static void test_inspect_bad_json(void **state)
{
	(void)state;
	static const char *const bad[] = {"[{", "{}", "[1]", "[{\"Name\": \"/x\"}]", "nope"};
	struct engine_containers cs = {0};
	struct err e;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(engine_inspect_parse(bad[i], &cs, &e), ENGINE_FAIL_OTHER);
		assert_int_equal(e.kind, ERR_ENGINE);
		assert_non_null(strstr(e.msg, "docker inspect"));
		assert_int_equal(cs.n, 0);
	}
	assert_int_equal(engine_inspect_parse("[]\n", &cs, &e), 0);
	assert_int_equal(engine_inspect_parse("", &cs, &e), 0);
	assert_int_equal(cs.n, 0);
	engine_containers_free(&cs);
}

/* Docker writes null for an empty list or map (CapAdd, Binds, SecurityOpt,
 * Devices; Labels and Mounts too in other versions) and leaves out keys
 * another version has: both read as empty. */
static void test_inspect_nulls(void **state)
{
	(void)state;
	static const char json[] =
		"[{\"Id\": \"0123456789ab\", \"Name\": \"/n\", \"Image\": null,"
		" \"State\": {\"Pid\": null, \"Running\": null, \"Status\": \"created\"},"
		" \"HostConfig\": {\"CapAdd\": null, \"CapDrop\": null, \"Binds\": null,"
		" \"SecurityOpt\": null, \"Devices\": null, \"RestartPolicy\": null},"
		" \"Config\": {\"Labels\": null}, \"Mounts\": null},"
		" {\"Id\": \"abcdef012345\", \"HostConfig\": null,"
		" \"Config\": {\"Labels\": {\"a\": \"1\", \"b\": null}}},"
		" {\"Id\": \"fedcba987654\", \"Config\": null, \"State\": null}]";
	struct engine_containers cs = {0};

	parse_n(json, 3, &cs);
	assert_string_equal(cs.v[0].name, "n");
	assert_string_equal(cs.v[0].image_id, "");
	assert_int_equal(cs.v[0].pid, 0);
	assert_false(cs.v[0].running);
	assert_string_equal(cs.v[0].status, "created");
	assert_int_equal(cs.v[0].cap_add.n + cs.v[0].cap_drop.n + cs.v[0].binds.n, 0);
	assert_int_equal(cs.v[0].security_opt.n, 0);
	assert_int_equal(cs.v[0].n_devices + cs.v[0].n_mounts + cs.v[0].n_labels, 0);
	assert_string_equal(cs.v[0].restart_policy, "");
	assert_string_equal(cs.v[1].name, "");
	assert_string_equal(cs.v[1].pid_mode, "");
	assert_string_equal(cs.v[1].status, "");
	assert_int_equal(cs.v[1].n_labels, 1);
	assert_string_equal(engine_container_label(&cs.v[1], "a"), "1");
	assert_string_equal(cs.v[2].image, "");
	assert_int_equal(cs.v[2].n_labels, 0);
	assert_int_equal(cs.v[2].exit_code, 0);
	engine_containers_free(&cs);
}

/* A part of the wrong type is an error that names the entry and the part;
 * none of that call's containers is added. */
static void test_inspect_wrong_type(void **state)
{
	(void)state;
	static const struct {
		const char *entry, *where, *says;
	} bad[] = {
		{"\"HostConfig\": {\"Privileged\": \"yes\"}", "HostConfig", "true or false"},
		{"\"HostConfig\": {\"CapAdd\": \"ALL\"}", "HostConfig.CapAdd", "array"},
		{"\"HostConfig\": {\"Binds\": [\"/:/h\", 7]}", "HostConfig.Binds", "string"},
		{"\"HostConfig\": {\"RestartPolicy\": \"always\"}", "HostConfig", "object"},
		{"\"HostConfig\": {\"Devices\": {}}", "HostConfig.Devices", "array"},
		{"\"HostConfig\": []", "HostConfig", "object"},
		{"\"State\": {\"Pid\": \"12\"}", "State", "integer"},
		{"\"Mounts\": [{\"RW\": 1}]", "Mounts", "true or false"},
		{"\"Config\": {\"Labels\": [\"a=b\"]}", "Config.Labels", "object"},
		{"\"Config\": {\"Labels\": {\"a\": 1}}", "Config.Labels", "string"},
		{"\"Name\": 3", "a top-level field", "string"},
	};
	cleanup_free char *kept = slurp("inspect/default.json");
	struct engine_containers cs = {0};
	struct err e;

	parse_n(kept, 1, &cs);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free char *json =
			xasprintf("[{\"Id\": \"0123456789ab\"}, {\"Id\": \"abcdef012345\", %s}]",
				  bad[i].entry);
		cleanup_free char *where = xasprintf(" with %s of the wrong type (", bad[i].where);

		assert_int_equal(engine_inspect_parse(json, &cs, &e), ENGINE_FAIL_OTHER);
		assert_int_equal(e.kind, ERR_ENGINE);
		assert_true(tu_contains(e.msg, "docker inspect printed an entry (#1)"));
		if (!tu_contains(e.msg, where) || !tu_contains(e.msg, bad[i].says))
			fail_msg("%s: %s", bad[i].entry, e.msg);
		assert_int_equal(cs.n, 1); /* what was there stays, nothing is added */
		assert_string_equal(cs.v[0].name, "isolab-fx-default");
	}
	engine_containers_free(&cs);
}

/* --- the info parser ------------------------------------------------------ */

static void test_info_parse(void **state)
{
	(void)state;
	cleanup_free char *j28 = slurp("info/info-client28.json");
	cleanup_free char *j20 = slurp("info/info-client20.json");
	struct engine_info info;
	struct err e;

	assert_int_equal(engine_info_parse(j28, &info, &e), 0);
	assert_string_equal(info.server_version, "20.10.24+dfsg1");
	assert_string_equal(info.client_version, "28.2.2");
	assert_string_equal(info.cgroup_version, "1");
	assert_string_equal(info.cgroup_driver, "cgroupfs");
	assert_string_equal(info.storage_driver, "overlay2");
	assert_string_equal(info.default_runtime, "runc");
	assert_true(info.seccomp);
	assert_string_equal(info.seccomp_profile, "default");
	assert_false(info.apparmor);
	assert_false(info.selinux);
	assert_false(info.userns);
	assert_false(info.rootless);
	assert_int_equal(info.security_options.n, 1);
	engine_info_free(&info);

	assert_int_equal(engine_info_parse(j20, &info, &e), 0);
	assert_string_equal(info.server_version, "20.10.24+dfsg1");
	assert_string_equal(info.client_version, ""); /* 20.10 does not say */
	engine_info_free(&info);

	/* Other hosts (written by hand: this machine has none of these). */
	assert_int_equal(engine_info_parse("{\"ServerVersion\":\"27.1.1\",\"CgroupVersion\":\"2\","
					   "\"SecurityOptions\":[\"name=apparmor\","
					   "\"name=seccomp,profile=builtin\",\"name=rootless\","
					   "\"name=cgroupns\",\"name=userns\",\"name=selinux\"]}",
					   &info, &e),
			 0);
	assert_string_equal(info.cgroup_version, "2");
	assert_true(info.apparmor && info.seccomp && info.rootless && info.cgroupns &&
		    info.userns && info.selinux);
	assert_string_equal(info.seccomp_profile, "builtin");
	assert_string_equal(info.client_version, "");
	engine_info_free(&info);
}

static void test_info_parse_no_daemon(void **state)
{
	(void)state;
	cleanup_free char *down20 = slurp("info/info-client20-daemon-down.json");
	cleanup_free char *perm20 = slurp("info/info-client20-permission.json");
	cleanup_free char *down28 = slurp("info/info-client28-daemon-down.json");
	struct engine_info info;
	struct err e;

	/* docker 20.10 exits 0 here: the errors are in the JSON. */
	assert_int_equal(engine_info_parse(down20, &info, &e), ENGINE_FAIL_DAEMON_DOWN);
	assert_int_equal(e.exit, EXIT_ENGINE);
	engine_info_free(&info);
	assert_int_equal(engine_info_parse(perm20, &info, &e), ENGINE_FAIL_PERMISSION);
	assert_int_equal(e.kind, ERR_ENGINE);
	engine_info_free(&info);
	/* docker 28 fails (stderr says why) but still prints JSON without a
	 * ServerVersion. */
	assert_int_equal(engine_info_parse(down28, &info, &e), ENGINE_FAIL_DAEMON_DOWN);
	assert_string_equal(info.client_version, "28.2.2");
	engine_info_free(&info);
	assert_int_equal(engine_info_parse("[]", &info, &e), ENGINE_FAIL_OTHER);
	engine_info_free(&info);
	assert_int_equal(engine_info_parse("{", &info, &e), ENGINE_FAIL_OTHER);
	engine_info_free(&info);
}

static void test_info_parse_nulls_and_types(void **state)
{
	(void)state;
	struct engine_info info;
	struct err e;

	assert_int_equal(engine_info_parse("{\"ServerVersion\": \"29.0.1\", \"ServerErrors\": null,"
					   " \"SecurityOptions\": null, \"ClientInfo\": null,"
					   " \"CgroupVersion\": null}",
					   &info, &e),
			 0);
	assert_string_equal(info.server_version, "29.0.1");
	assert_string_equal(info.client_version, "");
	assert_string_equal(info.cgroup_version, "");
	assert_int_equal(info.security_options.n, 0);
	assert_false(info.seccomp);
	engine_info_free(&info);

	static const struct {
		const char *json, *where;
	} bad[] = {
		{"{\"ServerVersion\": 29}", "a top-level field"},
		{"{\"ServerVersion\": \"29.0.1\", \"ClientInfo\": \"29.0.1\"}", "ClientInfo"},
		{"{\"ServerVersion\": \"29.0.1\", \"ClientInfo\": {\"Version\": 29}}", "ClientInfo"},
		{"{\"ServerVersion\": \"29.0.1\", \"SecurityOptions\": \"name=seccomp\"}",
		 "SecurityOptions"},
		{"{\"ServerErrors\": [404]}", "ServerErrors"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		cleanup_free char *want = xasprintf("docker info printed JSON with %s of the wrong type",
						    bad[i].where);
		assert_int_equal(engine_info_parse(bad[i].json, &info, &e), ENGINE_FAIL_OTHER);
		assert_int_equal(e.kind, ERR_ENGINE);
		if (!tu_contains(e.msg, want))
			fail_msg("%s: %s", bad[i].json, e.msg);
		assert_null(info.server_version);
		engine_info_free(&info);
	}
}

/* --- the run argv --------------------------------------------------------- */

static void test_run_argv(void **state)
{
	(void)state;
	const char *labels[] = {"isolab.session=s1", "isolab.lab=caps", NULL};
	const char *flags[] = {"--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE", NULL};
	const char *cmd[] = {"/probe", "--json", NULL};
	struct engine_run_spec spec = {
		.name = "isolab-s1-caps",
		.image = "isolab-lab:1",
		.labels = AV(labels),
		.flags = AV(flags),
		.command = AV(cmd),
	};
	struct engine eng = {.name = (char *)"docker"};
	struct argv a = ARGV_INIT;

	engine_run_argv(&eng, &spec, &a);
	assert_argv(&a, (const char *const[]){"docker", "run", "-d", "--pull=never", "--name",
					      "isolab-s1-caps", "--label", "isolab.session=s1",
					      "--label", "isolab.lab=caps", "--network", "none",
					      "--cap-drop", "ALL", "--cap-add", "NET_BIND_SERVICE",
					      "isolab-lab:1", "/probe", "--json", NULL});
	argv_free(&a);

	/* A step that studies the network keeps its own. */
	static const char *const net_flags[][3] = {
		{"--network", "host", NULL},
		{"--network=host", NULL, NULL},
		{"--net", "host", NULL},
		{"--net=container:x", NULL, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(net_flags); i++) {
		spec.flags = AV(net_flags[i]);
		engine_run_argv(&eng, &spec, &a);
		assert_false(argv_has(&a, "none"));
		/* ... FLAGS IMAGE /probe --json */
		assert_string_equal(a.v[a.n - 4], net_flags[i][net_flags[i][1] ? 1 : 0]);
		argv_free(&a);
	}

	/* Nothing optional. */
	struct engine_run_spec bare = {.image = "isolab-lab:1"};
	engine_run_argv(&eng, &bare, &a);
	assert_argv(&a, (const char *const[]){"docker", "run", "-d", "--pull=never", "--network",
					      "none", "isolab-lab:1", NULL});
	argv_free(&a);

	/* "--network-alias" is not "--network". */
	const char *alias[] = {"--network-alias", "x", NULL};
	bare.flags = AV(alias);
	engine_run_argv(&eng, &bare, &a);
	assert_true(argv_has(&a, "none"));
	argv_free(&a);

	engine_build_argv(&eng, "isolab-lab:1", "/usr/share/isolab/image", &a);
	assert_argv(&a, (const char *const[]){"docker", "build", "--pull=false", "-t", "isolab-lab:1",
					      "/usr/share/isolab/image", NULL});
	argv_free(&a);
}

/* --- the failure table ---------------------------------------------------- */

static const char DAEMON_SENTENCE[] =
	"the Docker daemon is not running; start it (sudo systemctl start docker, or scripts/dockerd)";
static const char SOCKET_SENTENCE[] =
	"you may not use the Docker socket: run as root or join the docker group (sudo usermod -aG "
	"docker $USER, then log in again)";

struct classify_case {
	const char *file; /* under stderr/, or NULL: text */
	const char *text;
	const char *cmd;
	int exit_code;
	int fail;
	enum err_kind kind;
	int exit;         /* -1: err.c decides */
	const char *want; /* a substring of the message */
};

static const struct classify_case classify_cases[] = {
	{"stderr/daemon-down-client28.txt", NULL, "docker ps", 1, ENGINE_FAIL_DAEMON_DOWN, ERR_ENGINE,
	 EXIT_ENGINE, "(docker: Cannot connect to the Docker daemon at unix:///nonexistent.sock."},
	{"stderr/daemon-down-client20.txt", NULL, "docker ps", 1, ENGINE_FAIL_DAEMON_DOWN, ERR_ENGINE,
	 EXIT_ENGINE, DAEMON_SENTENCE},
	{"stderr/socket-permission-client28.txt", NULL, "docker ps", 1, ENGINE_FAIL_PERMISSION,
	 ERR_ENGINE, EXIT_ENGINE, SOCKET_SENTENCE},
	{"stderr/socket-permission-client20.txt", NULL, "docker ps", 1, ENGINE_FAIL_PERMISSION,
	 ERR_ENGINE, EXIT_ENGINE, SOCKET_SENTENCE},
	{"stderr/run-no-image-client28.txt", NULL, "docker run", 125, ENGINE_FAIL_NO_IMAGE, ERR_ENGINE,
	 EXIT_ENGINE, "(docker: No such image: isolab-engine-dev:nope)"},
	{"stderr/run-no-image-client20.txt", NULL, "docker run", 125, ENGINE_FAIL_NO_IMAGE, ERR_ENGINE,
	 EXIT_ENGINE, "build it first"},
	{"stderr/image-inspect-missing-client28.txt", NULL, "docker image inspect", 1,
	 ENGINE_FAIL_NO_IMAGE, ERR_ENGINE, EXIT_ENGINE, "isolab-engine-dev:nope"},
	{"stderr/image-inspect-missing-client20.txt", NULL, "docker image inspect", 1,
	 ENGINE_FAIL_NO_IMAGE, ERR_ENGINE, EXIT_ENGINE, "isolab-engine-dev:nope"},
	{NULL, "Unable to find image 'isolab-lab:9' locally\n", "docker run", 125, ENGINE_FAIL_NO_IMAGE,
	 ERR_ENGINE, EXIT_ENGINE, "isolab-lab:9"},
	{NULL,
	 "docker: Error response from daemon: pull access denied for isolab-x, repository does not "
	 "exist or may require 'docker login': denied: requested access to the resource is denied.\n",
	 "docker run", 125, ENGINE_FAIL_NO_IMAGE, ERR_ENGINE, EXIT_ENGINE, "build it first"},
	{"stderr/run-privileged-caps-client28.txt", NULL, "docker run", 125, ENGINE_FAIL_CAPS, ERR_CAPS,
	 EXIT_ENGINE, "this host cannot grant every capability"},
	{"stderr/run-privileged-caps-client20.txt", NULL, "docker run", 125, ENGINE_FAIL_CAPS, ERR_CAPS,
	 EXIT_ENGINE, "(isolab approximates --privileged here)"},
	{"stderr/inspect-missing-client28.txt", NULL, "docker inspect", 1, ENGINE_FAIL_NO_CONTAINER,
	 ERR_INPUT, EXIT_USAGE, "no such container: isolab-fx-nope"},
	{"stderr/inspect-missing-client20.txt", NULL, "docker inspect", 1, ENGINE_FAIL_NO_CONTAINER,
	 ERR_INPUT, EXIT_USAGE, "no such container: isolab-fx-nope"},
	{"stderr/exec-not-running-client28.txt", NULL, "docker exec", 1, ENGINE_FAIL_NOT_RUNNING,
	 ERR_EXITED, -1, "not running any more"},
	{"stderr/run-name-in-use-client28.txt", NULL, "docker run", 125, ENGINE_FAIL_NAME_IN_USE,
	 ERR_INPUT, EXIT_USAGE, "isolab cleanup"},
	{"stderr/run-name-in-use-client20.txt", NULL, "docker run", 125, ENGINE_FAIL_NAME_IN_USE,
	 ERR_INPUT, EXIT_USAGE, "/isolab-fx-default"},
	/* Unknown failures: the command, its status and docker's last words,
	 * without its usage hint. */
	{"stderr/run-invalid-cap-client28.txt", NULL, "docker run", 125, ENGINE_FAIL_OTHER, ERR_ENGINE,
	 EXIT_ENGINE, "docker run failed (exit 125): invalid CapAdd: unknown capability: \"CAP_NOPE\""},
	{"stderr/run-invalid-cap-client20.txt", NULL, "docker run", 125, ENGINE_FAIL_OTHER, ERR_ENGINE,
	 EXIT_ENGINE, "docker run failed (exit 125): invalid CapAdd"},
	{NULL,
	 "DEPRECATED: The legacy builder is deprecated and will be removed in a future release.\n"
	 "            Install the buildx component to build images with BuildKit:\n"
	 "            https://docs.docker.com/go/buildx/\n\n"
	 "unable to prepare context: path \"/nonexistent-dir\" not found\n",
	 "docker build", 1, ENGINE_FAIL_OTHER, ERR_ENGINE, EXIT_ENGINE,
	 "docker build failed (exit 1): unable to prepare context: path \"/nonexistent-dir\" not found"},
	{NULL, "", "/usr/bin/docker ps", 1, ENGINE_FAIL_OTHER, ERR_ENGINE, EXIT_ENGINE,
	 "/usr/bin/docker ps failed (exit 1)"},
	{NULL, "", "docker ps", -1, ENGINE_FAIL_OTHER, ERR_ENGINE, EXIT_ENGINE, "killed by a signal"},
};

static void test_classify(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(classify_cases); i++) {
		const struct classify_case *c = &classify_cases[i];
		cleanup_free char *text = c->file ? slurp(c->file) : xstrdup(c->text);
		const char *what = c->file ? c->file : c->text;
		struct err e;
		int fail = engine_classify(c->cmd, c->exit_code, text, &e);

		if (fail != c->fail || e.kind != c->kind || (c->exit >= 0 && e.exit != c->exit))
			fail_msg("case %zu (%.40s): fail %d kind %d exit %d, want %d %d %d", i, what,
				 fail, e.kind, e.exit, c->fail, c->kind, c->exit);
		if (!strstr(e.msg, c->want))
			fail_msg("case %zu: message \"%s\" lacks \"%s\"", i, e.msg, c->want);
		/* One line. */
		assert_null(strchr(e.msg, '\n'));
	}
}

static void test_classify_sentences(void **state)
{
	(void)state;
	cleanup_free char *down = slurp("stderr/daemon-down-client28.txt");
	cleanup_free char *perm = slurp("stderr/socket-permission-client28.txt");
	cleanup_free char *deprecated = slurp("stderr/build-deprecated-client28.txt");
	struct err e;

	engine_classify("docker info", 1, down, &e);
	assert_true(util_str_has_prefix(e.msg, DAEMON_SENTENCE));
	engine_classify("docker info", 1, perm, &e);
	assert_string_equal(e.msg, SOCKET_SENTENCE);
	/* The legacy builder's notice alone says nothing. */
	engine_classify("docker build", 1, deprecated, &e);
	assert_string_equal(e.msg, "docker build failed (exit 1)");
}

/* --- stand-in engines ----------------------------------------------------- */

static void test_no_binary(void **state)
{
	(void)state;
	struct engine eng;
	struct engine_info info;
	struct argv ids = ARGV_INIT;
	char *old_path = xstrdup(getenv("PATH"));
	char *old_engine = getenv("ISOLAB_ENGINE") ? xstrdup(getenv("ISOLAB_ENGINE")) : NULL;
	struct err e;

	/* --engine PATH that is not there. */
	assert_int_equal(engine_init(&eng, "/nonexistent/isolab/docker", &e), ENGINE_FAIL_NO_BINARY);
	assert_int_equal(e.kind, ERR_ENGINE);
	assert_int_equal(e.exit, EXIT_ENGINE);
	assert_string_equal(e.msg, "/nonexistent/isolab/docker is not an executable file; install "
				   "Docker (Debian: apt-get install docker.io) or point --engine at it");
	assert_null(eng.bin);
	/* Every operation says the same, and nothing is forked. */
	assert_int_equal(engine_info(&eng, &info, &e), ENGINE_FAIL_NO_BINARY);
	engine_info_free(&info);
	assert_int_equal(engine_list_running(&eng, &ids, &e), ENGINE_FAIL_NO_BINARY);
	assert_int_equal(ids.n, 0);
	engine_release(&eng);

	/* A directory, or a file that is not executable, is no engine either. */
	assert_int_equal(engine_init(&eng, fixture("inspect"), &e), ENGINE_FAIL_NO_BINARY);
	engine_release(&eng);
	assert_int_equal(engine_init(&eng, fixture("inspect/default.json"), &e),
			 ENGINE_FAIL_NO_BINARY);
	engine_release(&eng);

	/* No docker on PATH, and no ISOLAB_ENGINE. */
	unsetenv("ISOLAB_ENGINE");
	setenv("PATH", fixture("inspect"), 1);
	assert_int_equal(engine_init(&eng, NULL, &e), ENGINE_FAIL_NO_BINARY);
	assert_string_equal(e.msg, "docker was not found on PATH; install Docker (Debian: apt-get "
				   "install docker.io) or point --engine at it");
	assert_string_equal(eng.name, "docker");
	engine_release(&eng);

	/* ISOLAB_ENGINE names it when --engine does not. */
	setenv("PATH", fixture("bin"), 1);
	setenv("ISOLAB_ENGINE", "fake-docker", 1);
	assert_int_equal(engine_init(&eng, NULL, &e), 0);
	assert_string_equal(eng.name, "fake-docker");
	assert_string_equal(eng.bin, fixture("bin/fake-docker"));
	engine_release(&eng);

	setenv("PATH", old_path, 1);
	if (old_engine)
		setenv("ISOLAB_ENGINE", old_engine, 1);
	else
		unsetenv("ISOLAB_ENGINE");
	free(old_path);
	free(old_engine);
	assert_no_children();
}

static void test_hang_deadline(void **state)
{
	(void)state;
	char pidfile[] = "/tmp/isolab-test-engine-XXXXXX";
	int fd = mkstemp(pidfile);
	struct engine eng;
	struct argv ids = ARGV_INIT;
	struct err e;
	char buf[32] = "";

	assert_true(fd >= 0);
	setenv("ISOLAB_TEST_PIDFILE", pidfile, 1);
	assert_int_equal(engine_init(&eng, fixture("bin/hang"), &e), 0);
	eng.quick_timeout_ms = 400;
	long long t0 = util_now_ms();
	assert_int_equal(engine_list_running(&eng, &ids, &e), ENGINE_FAIL_TIMEOUT);
	assert_true(util_now_ms() - t0 < 3000);
	assert_int_equal(e.kind, ERR_TIMEOUT);
	assert_non_null(strstr(e.msg, "ps -q --no-trunc"));
	assert_non_null(strstr(e.msg, "400 ms"));
	assert_int_equal(ids.n, 0);
	assert_no_children();

	/* The script and its sleep were one group; all of it is gone. */
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	pid_t pgid = (pid_t)atoi(buf);
	assert_true(pgid > 1);
	int tries = 0;
	while (kill(-pgid, 0) == 0 && tries++ < 200)
		usleep(10000);
	assert_int_equal(kill(-pgid, 0), -1);
	assert_int_equal(errno, ESRCH);

	/* Once a call timed out, the engine does not answer: every later
	 * call fails at once with the same sentence, without a child. */
	assert_true(engine_unanswered(&eng));
	eng.quick_timeout_ms = 10000;
	t0 = util_now_ms();
	struct err again;
	assert_int_equal(engine_list_label(&eng, "isolab.session", &ids, &again), ENGINE_FAIL_TIMEOUT);
	assert_true(util_now_ms() - t0 < 100);
	assert_int_equal(again.kind, ERR_TIMEOUT);
	assert_int_equal(again.exit, EXIT_ENGINE);
	assert_string_equal(again.msg, e.msg);
	assert_non_null(strstr(again.msg, "the engine does not answer"));
	assert_no_children();
	/* Asked again (a quick docker version): still silent, asked once. */
	eng.quick_timeout_ms = 400;
	t0 = util_now_ms();
	assert_false(engine_answers_again(&eng));
	assert_true(util_now_ms() - t0 < 3000);
	assert_string_equal(eng.silent.msg, e.msg);
	t0 = util_now_ms();
	assert_false(engine_answers_again(&eng));
	assert_true(util_now_ms() - t0 < 100);
	assert_no_children();
	err_clear(&eng.silent);
	eng.silent_confirmed = false;
	assert_true(engine_answers_again(&eng));

	/* A cancel fd stops it sooner than the deadline. */
	int p[2];
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	eng.cancel_fd = p[0];
	eng.quick_timeout_ms = 10000;
	t0 = util_now_ms();
	assert_int_equal(engine_list_running(&eng, &ids, &e), ENGINE_FAIL_CANCEL);
	assert_int_equal(e.kind, ERR_CANCEL);
	assert_true(util_now_ms() - t0 < 3000);
	assert_no_children();
	close(p[0]);
	close(p[1]);

	engine_release(&eng);
	unsetenv("ISOLAB_TEST_PIDFILE");
	close(fd);
	unlink(pidfile);
}

static void test_timeout_percent(void **state)
{
	(void)state;
	struct engine eng;
	struct err e;

	assert_int_equal(engine_timeout_percent(NULL), 100);
	assert_int_equal(engine_timeout_percent(""), 100);
	assert_int_equal(engine_timeout_percent("10"), 10);
	assert_int_equal(engine_timeout_percent("1000"), 1000);
	assert_int_equal(engine_timeout_percent("0"), 100);
	assert_int_equal(engine_timeout_percent("1001"), 100);
	assert_int_equal(engine_timeout_percent("10x"), 100);
	assert_int_equal(engine_timeout_percent("-5"), 100);
	setenv("ISOLAB_ENGINE_TIMEOUT_PERCENT", "10", 1);
	engine_init(&eng, fixture("bin/hang"), &e);
	assert_int_equal(eng.quick_timeout_ms, ENGINE_QUICK_TIMEOUT_MS / 10);
	assert_int_equal(eng.run_timeout_ms, ENGINE_RUN_TIMEOUT_MS / 10);
	assert_int_equal(eng.exec_timeout_ms, ENGINE_EXEC_TIMEOUT_MS / 10);
	assert_int_equal(eng.rm_timeout_ms, ENGINE_RM_TIMEOUT_MS / 10);
	engine_release(&eng);
	setenv("ISOLAB_ENGINE_TIMEOUT_PERCENT", "1", 1);
	engine_init(&eng, fixture("bin/hang"), &e);
	assert_int_equal(eng.quick_timeout_ms, 1000); /* never under a second */
	engine_release(&eng);
	unsetenv("ISOLAB_ENGINE_TIMEOUT_PERCENT");
	engine_init(&eng, fixture("bin/hang"), &e);
	assert_int_equal(eng.quick_timeout_ms, ENGINE_QUICK_TIMEOUT_MS);
	assert_false(engine_unanswered(&eng));
	engine_release(&eng);
}

static void test_daemon_down(void **state)
{
	(void)state;
	struct engine eng;
	struct engine_info info;
	struct engine_run_spec spec = {.name = "isolab-x", .image = "isolab-lab:1"};
	char *id = NULL;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/daemon-down"), &e), 0);
	assert_int_equal(engine_info(&eng, &info, &e), ENGINE_FAIL_DAEMON_DOWN);
	assert_int_equal(e.kind, ERR_ENGINE);
	assert_int_equal(e.exit, EXIT_ENGINE);
	assert_true(util_str_has_prefix(e.msg, DAEMON_SENTENCE));
	engine_info_free(&info);

	assert_int_equal(engine_run(&eng, &spec, &id, &e), ENGINE_FAIL_DAEMON_DOWN);
	assert_null(id);
	assert_true(util_str_has_prefix(e.msg, DAEMON_SENTENCE));

	bool present = true;
	assert_int_equal(engine_image_present(&eng, "isolab-lab:1", &present, &e),
			 ENGINE_FAIL_DAEMON_DOWN);
	assert_false(present);

	const char *t[] = {"isolab-x", NULL};
	struct engine_containers cs;
	assert_int_equal(engine_inspect(&eng, AV(t), &cs, &e), ENGINE_FAIL_DAEMON_DOWN);
	assert_int_equal(cs.n, 0);
	engine_containers_free(&cs);
	assert_int_equal(engine_rm(&eng, AV(t), &e), ENGINE_FAIL_DAEMON_DOWN);

	struct exec_result res;
	const char *cmd[] = {"/bin/true", NULL};
	assert_int_equal(engine_exec(&eng, "isolab-x", AV(cmd), 0, &res, &e),
			 ENGINE_FAIL_DAEMON_DOWN);
	exec_result_free(&res);
	engine_release(&eng);
	assert_no_children();
}

static void test_caps(void **state)
{
	(void)state;
	struct engine eng;
	const char *flags[] = {"--privileged", NULL};
	struct engine_run_spec spec = {.name = "isolab-x", .image = "isolab-lab:1", .flags = AV(flags)};
	char *id = NULL;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/caps"), &e), 0);
	assert_int_equal(engine_run(&eng, &spec, &id, &e), ENGINE_FAIL_CAPS);
	assert_int_equal(e.kind, ERR_CAPS);
	assert_int_equal(e.exit, EXIT_ENGINE);
	assert_non_null(strstr(e.msg, "this host cannot grant every capability"));
	assert_non_null(strstr(e.msg, "(isolab approximates --privileged here)"));
	/* Created, not started: the caller must remove it. */
	assert_string_equal(id, "4a283885d0f6db8102d229eb88fcaaff677a686224e774ad2fb7123f3730683e");
	free(id);
	engine_release(&eng);
	assert_no_children();
}

static void test_socket_permission(void **state)
{
	(void)state;
	struct engine eng;
	struct argv ids = ARGV_INIT;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/socket-permission"), &e), 0);
	assert_int_equal(engine_list_label(&eng, "isolab.session", &ids, &e), ENGINE_FAIL_PERMISSION);
	assert_int_equal(e.kind, ERR_ENGINE);
	assert_int_equal(e.exit, EXIT_ENGINE);
	assert_string_equal(e.msg, SOCKET_SENTENCE);
	assert_int_equal(ids.n, 0);
	engine_release(&eng);
	assert_no_children();
}

/* The socket the docker-socket step hands out is the engine's own:
 * DOCKER_HOST first, then the current context, and nothing that is not a
 * unix socket. */
static void test_socket_path(void **state)
{
	(void)state;
	struct engine eng;
	struct err e;
	char *p;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	unsetenv("DOCKER_HOST");
	setenv("FAKE_DOCKER_CONTEXT_HOST", "unix:///tmp/ctx/docker.sock", 1);
	assert_int_equal(engine_socket_path(&eng, &p, &e), 0);
	assert_string_equal(p, "/tmp/ctx/docker.sock");
	free(p);
	assert_true(mounts_path_is_docker_socket("/tmp/ctx/docker.sock"));
	setenv("DOCKER_HOST", "unix:///tmp/dh/docker.sock", 1);
	assert_int_equal(engine_socket_path(&eng, &p, &e), 0);
	assert_string_equal(p, "/tmp/dh/docker.sock");
	free(p);
	setenv("DOCKER_HOST", "tcp://127.0.0.1:2375", 1);
	assert_true(engine_socket_path(&eng, &p, &e) < 0);
	assert_null(p);
	assert_int_equal(e.kind, ERR_ENGINE);
	unsetenv("DOCKER_HOST");
	unsetenv("FAKE_DOCKER_CONTEXT_HOST");
	mounts_set_engine_socket(NULL);
	engine_release(&eng);
	assert_no_children();
}

static void test_fake_info_images_build(void **state)
{
	(void)state;
	struct engine eng;
	struct engine_info info;
	bool present;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	assert_int_equal(engine_info(&eng, &info, &e), 0);
	assert_string_equal(info.server_version, "20.10.24+dfsg1");
	engine_info_free(&info);

	assert_int_equal(engine_image_present(&eng, "isolab-fake:present", &present, &e), 0);
	assert_true(present);
	assert_int_equal(engine_image_present(&eng, "isolab-fake:absent", &present, &e), 0);
	assert_false(present);
	engine_release(&eng);
	assert_no_children();
}

struct progress {
	struct argv out;
	struct argv err;
};

static void on_progress(void *data, int fd, const char *line, size_t len)
{
	struct progress *p = data;
	(void)len;
	argv_push(fd == STDOUT_FILENO ? &p->out : &p->err, line);
}

static void test_fake_build(void **state)
{
	(void)state;
	struct engine eng;
	struct progress p = {ARGV_INIT, ARGV_INIT};
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	eng.on_progress = on_progress;
	eng.progress_data = &p;
	/* The DEPRECATED notice on stderr is not a failure. */
	assert_int_equal(engine_build(&eng, "isolab-lab:1", "/nonexistent-ctx", &e), 0);
	assert_int_equal(p.out.n, 5);
	assert_string_equal(p.out.v[1], "Step 1/2 : FROM scratch");
	assert_string_equal(p.out.v[4], "Successfully tagged isolab-lab:1");
	assert_int_equal(p.err.n, 3);
	assert_true(util_str_has_prefix(p.err.v[0], "DEPRECATED"));
	argv_free(&p.out);
	argv_free(&p.err);
	engine_release(&eng);
	assert_no_children();
}

static bool is_hex64(const char *s)
{
	if (!s || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789abcdef", *s))
			return false;
	return true;
}

static void test_fake_run_many(void **state)
{
	(void)state;
	const char *labels[] = {"isolab.session=engine-test", NULL};
	struct engine_run_spec specs[4] = {
		{.name = "isolab-a", .image = "isolab-lab:1", .labels = AV(labels)},
		{.name = "isolab-b", .image = "isolab-lab:1", .labels = AV(labels)},
		{.name = "isolab-c", .image = "isolab-lab:1", .labels = AV(labels)},
		{.name = "isolab-caps", .image = "isolab-lab:1", .labels = AV(labels)},
	};
	struct engine_run_job jobs[4];
	struct engine eng;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	setenv("FAKE_DOCKER_RUN_DELAY", "1", 1);
	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < 3; i++)
		jobs[i].spec = &specs[i];
	long long t0 = util_now_ms();
	assert_int_equal(engine_run_many(&eng, jobs, 3, &e), 0);
	/* Each run takes 1 s: together, not one after the other. */
	assert_true(util_now_ms() - t0 < 2500);
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_true(is_hex64(jobs[i].id));
	}
	assert_string_not_equal(jobs[0].id, jobs[1].id);
	for (size_t i = 0; i < 3; i++)
		free(jobs[i].id);

	/* One fails: it has its own error; the others started. */
	unsetenv("FAKE_DOCKER_RUN_DELAY");
	memset(jobs, 0, sizeof(jobs));
	for (size_t i = 0; i < 4; i++)
		jobs[i].spec = &specs[3 - i];
	assert_int_equal(engine_run_many(&eng, jobs, 4, &e), ENGINE_FAIL_CAPS);
	assert_int_equal(e.kind, ERR_CAPS);
	assert_int_equal(jobs[0].rc, ENGINE_FAIL_CAPS);
	assert_int_equal(jobs[0].err.kind, ERR_CAPS);
	assert_non_null(jobs[0].id);
	for (size_t i = 1; i < 4; i++) {
		assert_int_equal(jobs[i].rc, 0);
		assert_true(is_hex64(jobs[i].id));
	}
	for (size_t i = 0; i < 4; i++)
		free(jobs[i].id);

	/* One at a time. */
	char *id = NULL;
	assert_int_equal(engine_run(&eng, &specs[0], &id, &e), 0);
	assert_true(is_hex64(id));
	free(id);
	engine_release(&eng);
	assert_no_children();
}

static void test_fake_inspect(void **state)
{
	(void)state;
	const char *all[] = {"isolab-fx-default", "isolab-fx-etc", "isolab-fx-stopped", NULL};
	const char *some[] = {"isolab-fx-default", "isolab-fx-nope", NULL};
	const char *none[] = {NULL};
	struct engine_containers cs;
	struct engine eng;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	assert_int_equal(engine_inspect(&eng, AV(all), &cs, &e), 0);
	assert_int_equal(cs.n, 3);
	assert_int_equal(cs.missing.n, 0);
	assert_non_null(engine_containers_find(&cs, "isolab-fx-stopped"));
	engine_containers_free(&cs);

	/* Found ones on stdout, an error for each missing one. */
	assert_int_equal(engine_inspect(&eng, AV(some), &cs, &e), ENGINE_FAIL_NO_CONTAINER);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_int_equal(e.exit, EXIT_USAGE);
	assert_string_equal(e.msg, "no such container: isolab-fx-nope");
	assert_int_equal(cs.n, 1);
	assert_string_equal(cs.v[0].name, "isolab-fx-default");
	assert_int_equal(cs.missing.n, 1);
	assert_string_equal(cs.missing.v[0], "isolab-fx-nope");
	engine_containers_free(&cs);

	assert_int_equal(engine_inspect(&eng, AV(none), &cs, &e), 0);
	assert_int_equal(cs.n, 0);
	engine_containers_free(&cs);
	engine_release(&eng);
	assert_no_children();
}

static void test_fake_exec_rm_ps(void **state)
{
	(void)state;
	const char *hello[] = {"echo", "hi", NULL};
	const char *fail[] = {"fail", NULL};
	const char *gone[] = {"gone", NULL};
	const char *rm_ok[] = {"aaa", "missing-1", "bbb", NULL};
	const char *rm_bad[] = {"aaa", "broken", NULL};
	struct exec_result res;
	struct argv ids = ARGV_INIT;
	struct engine eng;
	struct err e;

	assert_int_equal(engine_init(&eng, fixture("bin/fake-docker"), &e), 0);
	assert_int_equal(engine_exec(&eng, "isolab-a", AV(hello), 0, &res, &e), 0);
	assert_string_equal(res.out.data, "echo hi\n");
	exec_result_free(&res);
	/* The command's own failure is its status, not an engine failure. */
	assert_int_equal(engine_exec(&eng, "isolab-a", AV(fail), 2000, &res, &e), 0);
	assert_int_equal(res.exit_code, 3);
	assert_string_equal(res.err.data, "something failed\n");
	exec_result_free(&res);
	assert_int_equal(engine_exec(&eng, "isolab-a", AV(gone), 0, &res, &e),
			 ENGINE_FAIL_NOT_RUNNING);
	assert_int_equal(e.kind, ERR_EXITED);
	exec_result_free(&res);

	assert_int_equal(engine_rm(&eng, AV(rm_ok), &e), 0);
	assert_int_equal(engine_rm(&eng, AV(rm_bad), &e), ENGINE_FAIL_OTHER);
	assert_non_null(strstr(e.msg, "removal of container broken is already in progress"));
	assert_int_equal(engine_rm(&eng, NULL, &e), 0);

	assert_int_equal(engine_list_label(&eng, "isolab.session=engine-dev", &ids, &e), 0);
	assert_int_equal(ids.n, 2);
	assert_true(is_hex64(ids.v[0]) && is_hex64(ids.v[1]));
	argv_free(&ids);
	assert_int_equal(engine_list_running(&eng, &ids, &e), 0);
	assert_int_equal(ids.n, 1);
	argv_free(&ids);

	/* Anything else, through engine_call. */
	const char *args[] = {"frobnicate", NULL};
	assert_int_equal(engine_call(&eng, AV(args), 0, &res, &e), ENGINE_FAIL_OTHER);
	assert_non_null(strstr(e.msg, "fake-docker frobnicate failed (exit 2)"));
	exec_result_free(&res);
	engine_release(&eng);
	assert_no_children();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect_default),
		cmocka_unit_test(test_socket_path),
		cmocka_unit_test(test_inspect_caps),
		cmocka_unit_test(test_inspect_binds),
		cmocka_unit_test(test_inspect_host_namespaces),
		cmocka_unit_test(test_inspect_stopped_and_created),
		cmocka_unit_test(test_inspect_misc),
		cmocka_unit_test(test_inspect_multi_and_find),
		cmocka_unit_test(test_inspect_bad_json),
		cmocka_unit_test(test_inspect_nulls),
		cmocka_unit_test(test_inspect_wrong_type),
		cmocka_unit_test(test_info_parse),
		cmocka_unit_test(test_info_parse_no_daemon),
		cmocka_unit_test(test_info_parse_nulls_and_types),
		cmocka_unit_test(test_run_argv),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_classify_sentences),
		cmocka_unit_test(test_no_binary),
		cmocka_unit_test(test_hang_deadline),
		cmocka_unit_test(test_timeout_percent),
		cmocka_unit_test(test_daemon_down),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_socket_permission),
		cmocka_unit_test(test_fake_info_images_build),
		cmocka_unit_test(test_fake_build),
		cmocka_unit_test(test_fake_run_many),
		cmocka_unit_test(test_fake_inspect),
		cmocka_unit_test(test_fake_exec_rm_ps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
