/* engjson.c: what docker prints as JSON, read into engine.h's model: docker
 * info (engine_info_parse) and docker inspect (engine_inspect_parse), each
 * part by json_unpack_ex, and the frees of that model. */
#include "engine.h"

#include <ctype.h>
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* --- JSON helpers ------------------------------------------------------- */

/* Read a part of what docker printed with json_unpack_ex. A part of the
 * wrong type is an ERR_ENGINE error naming the command and the part (who:
 * "docker inspect printed an entry (#2)", where: "HostConfig"); an absent
 * part (NULL) reads as empty, every field keeping its default. */
#define UNPACK(e, who, where, j, fmt, ...)                                                   \
	__extension__({                                                                      \
		json_error_t je_;                                                            \
		int rc_ = (j) ? json_unpack_ex((j), &je_, 0, fmt, ##__VA_ARGS__) : 0;        \
		if (rc_ < 0)                                                                 \
			err_set((e), ERR_ENGINE, 0, "%s with %s of the wrong type (%s)", (who), \
				(where), je_.text);                                          \
		rc_;                                                                         \
	})

/* Docker writes null for a list or a map with nothing in it (Go's nil slice
 * or map: HostConfig.CapAdd, Binds, SecurityOpt, docker info's
 * SecurityOptions when no daemon answers) where another version writes []
 * or {} or leaves the key out. With the null members dropped first, all of
 * these are one case: an optional key ("s?") that is absent. */
static void drop_nulls(json_t *j)
{
	const char *key;
	json_t *v;
	void *next;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			drop_nulls(v);
		return;
	}
	json_object_foreach_safe(j, next, key, v) {
		if (json_is_null(v))
			json_object_del(j, key);
		else
			drop_nulls(v);
	}
}

/* An int field of docker's: 0 when out of range, as when absent. */
static int small_int(json_int_t v)
{
	return v > INT32_MAX || v < INT32_MIN ? 0 : (int)v;
}

/* A list of strings (absent: none). */
static int strings_into(json_t *arr, struct argv *out, const char *who, const char *where,
			struct err *e)
{
	json_t *v;
	size_t i;

	if (UNPACK(e, who, where, arr, "[]") < 0)
		return -1;
	json_array_foreach(arr, i, v) {
		const char *s = NULL; /* json_unpack_ex sets it */
		if (UNPACK(e, who, where, v, "s", &s) < 0)
			return -1;
		argv_push(out, s);
	}
	return 0;
}

static json_t *load_json(const char *text, const char *what, struct err *e)
{
	json_error_t jerr;
	json_t *root = json_loads(text, 0, &jerr);

	if (!root)
		err_set(e, ERR_ENGINE, 0, "%s printed what is not JSON (line %d: %s)", what, jerr.line,
			jerr.text);
	else
		drop_nulls(root);
	return root;
}

static bool blank(const char *s)
{
	while (s && isspace((unsigned char)*s))
		s++;
	return !s || !*s;
}

/* --- info --------------------------------------------------------------- */

static void security_option(struct engine_info *info, const char *opt)
{
	cleanup_free char *copy = xstrdup(opt);
	char *save = NULL, *name = NULL, *profile = NULL;

	for (char *kv = strtok_r(copy, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		if (util_str_has_prefix(kv, "name="))
			name = kv + 5;
		else if (util_str_has_prefix(kv, "profile="))
			profile = kv + 8;
	}
	if (!name)
		return;
	if (!strcmp(name, "seccomp")) {
		info->seccomp = true;
		free(info->seccomp_profile);
		info->seccomp_profile = xstrdup(profile ? profile : "");
	} else if (!strcmp(name, "apparmor")) {
		info->apparmor = true;
	} else if (!strcmp(name, "selinux")) {
		info->selinux = true;
	} else if (!strcmp(name, "userns")) {
		info->userns = true;
	} else if (!strcmp(name, "rootless")) {
		info->rootless = true;
	} else if (!strcmp(name, "cgroupns")) {
		info->cgroupns = true;
	}
}

/* The fields isolab shows of docker info, and its ServerErrors (20.10
 * exits 0 without a daemon and says so there). */
static int info_fields(json_t *root, struct engine_info *info, struct argv *errors,
		       struct err *e)
{
	static const char who[] = "docker info printed JSON";
	const char *server = "", *client = "", *cg_version = "", *cg_driver = "", *kernel = "";
	const char *os = "", *storage = "", *runtime = "";
	json_t *errs = NULL, *client_info = NULL, *opts = NULL;

	if (UNPACK(e, who, "a top-level field", root,
		   "{s?o, s?s, s?o, s?s, s?s, s?s, s?s, s?s, s?s, s?o}", "ServerErrors", &errs,
		   "ServerVersion", &server, "ClientInfo", &client_info, "CgroupVersion",
		   &cg_version, "CgroupDriver", &cg_driver, "KernelVersion", &kernel,
		   "OperatingSystem", &os, "Driver", &storage, "DefaultRuntime", &runtime,
		   "SecurityOptions", &opts) < 0 ||
	    UNPACK(e, who, "ClientInfo", client_info, "{s?s}", "Version", &client) < 0 ||
	    strings_into(errs, errors, who, "ServerErrors", e) < 0 ||
	    strings_into(opts, &info->security_options, who, "SecurityOptions", e) < 0)
		return ENGINE_FAIL_OTHER;
	info->server_version = xstrdup(server);
	info->client_version = xstrdup(client);
	info->cgroup_version = xstrdup(cg_version);
	info->cgroup_driver = xstrdup(cg_driver);
	info->kernel_version = xstrdup(kernel);
	info->operating_system = xstrdup(os);
	info->storage_driver = xstrdup(storage);
	info->default_runtime = xstrdup(runtime);
	return 0;
}

int engine_info_parse(const char *json, struct engine_info *info, struct err *e)
{
	struct argv errors = ARGV_INIT;
	json_t *root;
	int rc;

	memset(info, 0, sizeof(*info));
	root = load_json(json, "docker info", e);
	if (!root)
		return ENGINE_FAIL_OTHER;
	if (!json_is_object(root)) {
		json_decref(root);
		err_set(e, ERR_ENGINE, 0, "docker info printed JSON that is not an object");
		return ENGINE_FAIL_OTHER;
	}
	rc = info_fields(root, info, &errors, e);
	json_decref(root);
	if (rc < 0) {
		argv_free(&errors);
		engine_info_free(info);
		return rc;
	}
	if (errors.n > 0) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < errors.n; i++) {
			strbuf_adds(&sb, errors.v[i]);
			strbuf_addc(&sb, '\n');
		}
		rc = engine_classify("docker info", 1, strbuf_str(&sb), e);
		strbuf_release(&sb);
	} else if (blank(info->server_version)) {
		rc = engine_classify("docker info", 1, "Cannot connect to the Docker daemon", e);
	}
	argv_free(&errors);
	for (size_t i = 0; i < info->security_options.n; i++)
		security_option(info, info->security_options.v[i]);
	if (!info->seccomp_profile)
		info->seccomp_profile = xstrdup("");
	return rc;
}

void engine_info_free(struct engine_info *info)
{
	free(info->server_version);
	free(info->client_version);
	free(info->cgroup_version);
	free(info->cgroup_driver);
	free(info->kernel_version);
	free(info->operating_system);
	free(info->storage_driver);
	free(info->default_runtime);
	free(info->seccomp_profile);
	argv_free(&info->security_options);
	memset(info, 0, sizeof(*info));
}

/* --- inspect ------------------------------------------------------------ */

static int parse_mounts(json_t *arr, struct engine_container *c, const char *who, struct err *e)
{
	json_t *m;
	size_t i;

	c->mounts = xcalloc(json_array_size(arr) + 1, sizeof(*c->mounts));
	if (UNPACK(e, who, "Mounts", arr, "[]") < 0)
		return -1;
	json_array_foreach(arr, i, m) {
		const char *type = "", *name = "", *source = "", *dest = "", *mode = "", *prop = "";
		int rw = 0;

		if (UNPACK(e, who, "Mounts", m, "{s?s, s?s, s?s, s?s, s?s, s?b, s?s}", "Type", &type,
			   "Name", &name, "Source", &source, "Destination", &dest, "Mode", &mode,
			   "RW", &rw, "Propagation", &prop) < 0)
			return -1;
		c->mounts[c->n_mounts++] = (struct engine_mount){
			.type = xstrdup(type),
			.name = xstrdup(name),
			.source = xstrdup(source),
			.destination = xstrdup(dest),
			.mode = xstrdup(mode),
			.rw = rw,
			.propagation = xstrdup(prop),
		};
	}
	return 0;
}

static int parse_devices(json_t *arr, struct engine_container *c, const char *who,
			 struct err *e)
{
	json_t *d;
	size_t i;

	c->devices = xcalloc(json_array_size(arr) + 1, sizeof(*c->devices));
	if (UNPACK(e, who, "HostConfig.Devices", arr, "[]") < 0)
		return -1;
	json_array_foreach(arr, i, d) {
		const char *host = "", *inside = "", *perms = "";

		if (UNPACK(e, who, "HostConfig.Devices", d, "{s?s, s?s, s?s}", "PathOnHost", &host,
			   "PathInContainer", &inside, "CgroupPermissions", &perms) < 0)
			return -1;
		c->devices[c->n_devices++] = (struct engine_device){
			.path_on_host = xstrdup(host),
			.path_in_container = xstrdup(inside),
			.cgroup_permissions = xstrdup(perms),
		};
	}
	return 0;
}

/* Config.Labels: a map of docker's keys, each to a string. */
static int parse_labels(json_t *obj, struct engine_container *c, const char *who, struct err *e)
{
	const char *key;
	json_t *v;

	c->labels = xcalloc(json_object_size(obj) + 1, sizeof(*c->labels));
	if (UNPACK(e, who, "Config.Labels", obj, "{}") < 0)
		return -1;
	json_object_foreach(obj, key, v) {
		const char *s = NULL; /* json_unpack_ex sets it */

		if (UNPACK(e, who, "Config.Labels", v, "s", &s) < 0)
			return -1;
		c->labels[c->n_labels++] = (struct engine_label){
			.key = xstrdup(key),
			.value = xstrdup(s),
		};
	}
	return 0;
}

static int parse_state(json_t *state, struct engine_container *c, const char *who,
		       struct err *e)
{
	json_int_t pid = 0, exit_code = 0;
	int running = 0, restarting = 0;
	const char *status = "";

	if (UNPACK(e, who, "State", state, "{s?I, s?b, s?s, s?I, s?b}", "Pid", &pid, "Running",
		   &running, "Status", &status, "ExitCode", &exit_code, "Restarting",
		   &restarting) < 0)
		return -1;
	c->pid = small_int(pid);
	c->running = running;
	c->status = xstrdup(status);
	c->exit_code = small_int(exit_code);
	c->restarting = restarting;
	return 0;
}

static int parse_host(json_t *host, struct engine_container *c, const char *who, struct err *e)
{
	const char *restart = "", *pid = "", *net = "", *ipc = "", *uts = "", *userns = "";
	const char *cgroupns = "";
	json_t *add = NULL, *drop = NULL, *binds = NULL, *sec = NULL, *devices = NULL;
	int privileged = 0, readonly = 0;

	if (UNPACK(e, who, "HostConfig", host,
		   "{s?{s?s}, s?b, s?o, s?o, s?o, s?s, s?s, s?s, s?s, s?s, s?s, s?o, s?b, s?o}",
		   "RestartPolicy", "Name", &restart, "Privileged", &privileged, "CapAdd", &add,
		   "CapDrop", &drop, "Binds", &binds, "PidMode", &pid, "NetworkMode", &net,
		   "IpcMode", &ipc, "UTSMode", &uts, "UsernsMode", &userns, "CgroupnsMode",
		   &cgroupns, "SecurityOpt", &sec, "ReadonlyRootfs", &readonly, "Devices",
		   &devices) < 0)
		return -1;
	c->restart_policy = xstrdup(restart);
	c->privileged = privileged;
	c->pid_mode = xstrdup(pid);
	c->network_mode = xstrdup(net);
	c->ipc_mode = xstrdup(ipc);
	c->uts_mode = xstrdup(uts);
	c->userns_mode = xstrdup(userns);
	c->cgroupns_mode = xstrdup(cgroupns);
	c->readonly_rootfs = readonly;
	if (strings_into(add, &c->cap_add, who, "HostConfig.CapAdd", e) < 0 ||
	    strings_into(drop, &c->cap_drop, who, "HostConfig.CapDrop", e) < 0 ||
	    strings_into(binds, &c->binds, who, "HostConfig.Binds", e) < 0 ||
	    strings_into(sec, &c->security_opt, who, "HostConfig.SecurityOpt", e) < 0)
		return -1;
	return parse_devices(devices, c, who, e);
}

/* One entry of docker inspect's array; a part of the wrong type is an
 * error, c then holds what was read before it (container_free frees it). */
static int parse_container(json_t *item, size_t i, struct engine_container *c, struct err *e)
{
	const char *id = NULL, *name = "", *image = "", *image_id = "", *apparmor = "";
	json_t *state = NULL, *host = NULL, *config = NULL, *mounts = NULL, *labels = NULL;
	char who[64];

	memset(c, 0, sizeof(*c));
	if (json_unpack_ex(item, NULL, 0, "{s:s}", "Id", &id) < 0)
		return err_set(e, ERR_ENGINE, 0,
			       "docker inspect printed an entry that is not a container (#%zu)", i);
	snprintf(who, sizeof(who), "docker inspect printed an entry (#%zu)", i);
	if (UNPACK(e, who, "a top-level field", item, "{s?s, s?s, s?s, s?o, s?o, s?o, s?o}",
		   "Name", &name, "Image", &image_id, "AppArmorProfile", &apparmor, "State", &state,
		   "HostConfig", &host, "Config", &config, "Mounts", &mounts) < 0 ||
	    UNPACK(e, who, "Config", config, "{s?s, s?o}", "Image", &image, "Labels", &labels) < 0)
		return -1;
	c->id = xstrdup(id);
	c->name = xstrdup(name[0] == '/' ? name + 1 : name);
	c->image = xstrdup(image);
	c->image_id = xstrdup(image_id);
	c->apparmor_profile = xstrdup(apparmor);
	if (parse_state(state, c, who, e) < 0 || parse_host(host, c, who, e) < 0 ||
	    parse_mounts(mounts, c, who, e) < 0 || parse_labels(labels, c, who, e) < 0)
		return -1;
	return 0;
}

int engine_inspect_parse(const char *json, struct engine_containers *out, struct err *e)
{
	struct engine_containers add = {0};
	json_t *root, *item;
	size_t i;
	int rc = 0;

	/* docker prints nothing at all when the daemon is gone. */
	if (blank(json))
		return 0;
	root = load_json(json, "docker inspect", e);
	if (!root)
		return ENGINE_FAIL_OTHER;
	if (!json_is_array(root)) {
		json_decref(root);
		err_set(e, ERR_ENGINE, 0, "docker inspect printed JSON that is not an array");
		return ENGINE_FAIL_OTHER;
	}
	add.v = xcalloc(json_array_size(root) + 1, sizeof(*add.v));
	json_array_foreach(root, i, item) {
		rc = parse_container(item, i, &add.v[add.n++], e);
		if (rc < 0)
			break;
	}
	json_decref(root);
	if (rc < 0) {
		/* All of the array's containers or none: *out is as it was. */
		engine_containers_free(&add);
		return ENGINE_FAIL_OTHER;
	}
	out->v = xreallocarray(out->v, out->n + add.n + 1, sizeof(*out->v));
	memcpy(&out->v[out->n], add.v, add.n * sizeof(*add.v));
	out->n += add.n;
	free(add.v);
	return 0;
}

static void container_free(struct engine_container *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->image_id);
	free(c->status);
	free(c->restart_policy);
	argv_free(&c->cap_add);
	argv_free(&c->cap_drop);
	argv_free(&c->binds);
	free(c->pid_mode);
	free(c->network_mode);
	free(c->ipc_mode);
	free(c->uts_mode);
	free(c->userns_mode);
	free(c->cgroupns_mode);
	argv_free(&c->security_opt);
	free(c->apparmor_profile);
	for (size_t i = 0; i < c->n_devices; i++) {
		free(c->devices[i].path_on_host);
		free(c->devices[i].path_in_container);
		free(c->devices[i].cgroup_permissions);
	}
	free(c->devices);
	for (size_t i = 0; i < c->n_mounts; i++) {
		free(c->mounts[i].type);
		free(c->mounts[i].name);
		free(c->mounts[i].source);
		free(c->mounts[i].destination);
		free(c->mounts[i].mode);
		free(c->mounts[i].propagation);
	}
	free(c->mounts);
	for (size_t i = 0; i < c->n_labels; i++) {
		free(c->labels[i].key);
		free(c->labels[i].value);
	}
	free(c->labels);
}

void engine_containers_free(struct engine_containers *cs)
{
	for (size_t i = 0; i < cs->n; i++)
		container_free(&cs->v[i]);
	free(cs->v);
	argv_free(&cs->missing);
	memset(cs, 0, sizeof(*cs));
}
