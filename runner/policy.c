/* policy.c: a lab's docker run flags into canonical structs (policy.h),
 * the host reach of each, and the argv written back from them. The parser
 * is strict on purpose: Docker's own parsers (pflag, the CSV reader of
 * --mount that lowercases keys, -v's split on ':', relative sources made
 * absolute from the client's working directory) accept more than isolab
 * can vouch for, and whatever a lab may write is re-spelled before Docker
 * sees it, so only what is understood here can reach Docker at all. */
#include "policy.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>

#define SCRATCH "{scratch}"
/* The engine's own socket, known at run time only (engine_socket_path). */
#define DOCKER_SOCKET "{docker_socket}"

struct pctx {
	policy_report_fn report;
	void *user;
	size_t problems;
	struct policy_flags *out;
};

__attribute__((format(printf, 3, 4))) static void refuse(struct pctx *c, const struct lab_pos *pos,
							const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	c->report(c->user, pos, strbuf_str(&sb));
	strbuf_release(&sb);
	c->problems++;
}

/* --- the flags a lab may use ------------------------------------------------ */

enum vshape { V_SWITCH, V_VALUE };

struct pspec;
typedef void (*parse_fn)(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos);

struct pspec {
	const char *name;
	const char *alt; /* short form */
	enum vshape shape;
	parse_fn parse;
	const char *why; /* what it opens on the host */
};

/* The checks of isolab audit (DESIGN.md's contract, runner/audit.c). */
static const char *const audit_checks[] = {
	"privileged", "host-pid", "host-net", "host-ipc", "host-uts", "host-userns",
	"docker-socket", "sensitive-mount", "extra-caps", "seccomp-disabled", "lsm-unconfined",
	"no-new-privs-missing", "writable-rootfs", NULL,
};

static struct policy_flag *add(struct pctx *c, const struct pspec *s, const struct lab_pos *pos,
			       enum policy_kind kind)
{
	struct policy_flags *o = c->out;

	o->v = xreallocarray(o->v, o->n + 1, sizeof(*o->v));
	o->v[o->n] = (struct policy_flag){.pos = *pos, .kind = kind, .name = s->name, .on = true};
	return &o->v[o->n++];
}

static bool has_ctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return true;
	return false;
}

/* A path Docker cannot split or resolve differently: absolute (or under
 * {scratch}, isolab's own dir), no '.' or '..' component, no empty one,
 * and none of the characters that -v, --mount's CSV or --device split on. */
static const char *path_problem(const char *p, bool scratch_ok)
{
	const char *s = p;

	/* Whole, never a prefix: a path under a socket is no path. */
	if (scratch_ok && strcmp(p, DOCKER_SOCKET) == 0)
		return NULL;
	if (scratch_ok && util_str_has_prefix(p, SCRATCH))
		s = p + strlen(SCRATCH);
	else if (p[0] != '/')
		return "must be an absolute path (Docker would resolve a relative one from isolab's "
		       "working directory, or take a bare name for a named volume)";
	if (s[0] != '\0' && s[0] != '/')
		return "must be {scratch} or start with {scratch}/";
	if (strpbrk(s, ":,\"'={}\\ \t") || has_ctl(s))
		return "must not hold ':', ',', quotes, '=', braces, a backslash or blanks (Docker "
		       "splits on them)";
	for (const char *q = s; *q; q++) {
		if (*q != '/')
			continue;
		size_t n = strcspn(q + 1, "/");
		if ((n == 0 && q[1] == '/') || (n == 1 && q[1] == '.') ||
		    (n == 2 && q[1] == '.' && q[2] == '.'))
			return "must not hold an empty, '.' or '..' component";
	}
	if (strlen(s) > 1 && s[strlen(s) - 1] == '/')
		return "must not end with '/'";
	return NULL;
}

static bool path_ok(struct pctx *c, const struct lab_pos *pos, const char *flag, const char *what,
		    const char *p, bool scratch_ok)
{
	const char *why = path_problem(p, scratch_ok);

	if (why)
		refuse(c, pos, "%s: the %s '%s' %s", flag, what, p, why);
	return !why;
}

static bool is_docker_socket(const char *p)
{
	return strcmp(p, "/var/run/docker.sock") == 0 || strcmp(p, "/run/docker.sock") == 0 ||
	       strcmp(p, DOCKER_SOCKET) == 0;
}

static void set_bind_reach(struct policy_flag *f, const char *why)
{
	f->reach = true;
	f->why = is_docker_socket(f->src) ? "the Docker API: full control of the host" : why;
}

/* --- capabilities ------------------------------------------------------------ */

/* Docker's spelling (NET_ADMIN, CAP_NET_ADMIN, ALL, any case), checked with
 * libcap; canonical: upper case without CAP_, or ALL. */
static char *cap_canonical(const char *v)
{
	struct strbuf sb = STRBUF_INIT;
	cap_value_t cv;

	if (strcasecmp(v, "ALL") == 0)
		return xstrdup("ALL");
	if (strncasecmp(v, "CAP_", 4) == 0)
		v += 4;
	strbuf_adds(&sb, "cap_");
	for (const char *p = v; *p; p++) {
		char ch = *p;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_')) {
			strbuf_release(&sb);
			return NULL;
		}
		strbuf_addc(&sb, (char)(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch));
	}
	if (!*v || cap_from_name(strbuf_str(&sb), &cv) != 0) {
		strbuf_release(&sb);
		return NULL;
	}
	char *up = strbuf_detach(&sb);
	for (char *p = up; *p; p++)
		if (*p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
	char *out = xstrdup(up + 4);
	free(up);
	return out;
}

static void parse_cap(struct pctx *c, const struct pspec *s, const char *v, const struct lab_pos *pos)
{
	char *name = cap_canonical(v);

	if (!name) {
		refuse(c, pos,
		       "unknown capability '%s' for %s (Docker's spelling: NET_ADMIN, CAP_NET_ADMIN or "
		       "ALL)",
		       v, s->name);
		return;
	}
	bool drop = strcmp(s->name, "--cap-drop") == 0;
	struct policy_flag *f = add(c, s, pos, drop ? POLICY_CAP_DROP : POLICY_CAP_ADD);
	f->value = name;
	f->reach = !drop;
	f->why = s->why;
}

/* --- switches ------------------------------------------------------------------ */

static void parse_switch(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos)
{
	bool on = true;

	if (v && strcmp(v, "false") == 0)
		on = false;
	else if (v && strcmp(v, "true") != 0) {
		refuse(c, pos, "'%s' takes no value (or =true, =false), found '%s'", s->name, v);
		return;
	}
	bool priv = strcmp(s->name, "--privileged") == 0;
	struct policy_flag *f = add(c, s, pos, priv ? POLICY_PRIVILEGED : POLICY_READ_ONLY);
	f->on = on;
	f->reach = priv && on;
	f->why = s->why;
}

/* --- -v / --volume --------------------------------------------------------------- */

static bool volume_opts(struct pctx *c, const struct lab_pos *pos, const char *opts, bool *ro)
{
	bool seen = false;

	if (strcmp(opts, "ro") == 0 || strcmp(opts, "rw") == 0) {
		*ro = opts[1] == 'o';
		seen = true;
	}
	if (!seen)
		refuse(c, pos,
		       "--volume: the options '%s' are not allowed in a lab (only one of ro, rw: "
		       "propagation, SELinux relabelling and nocopy change the host)",
		       opts);
	return seen;
}

static void parse_volume(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos)
{
	const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	bool ro = false;

	if (!c1) {
		refuse(c, pos,
		       "--volume '%s': an anonymous volume outlives the lab; bind a host path, "
		       "SRC:DST[:ro]",
		       v);
		return;
	}
	if (c2 && strchr(c2 + 1, ':')) {
		refuse(c, pos, "--volume '%s': more than SRC:DST:OPTS", v);
		return;
	}
	cleanup_free char *src = xstrndup(v, (size_t)(c1 - v));
	cleanup_free char *dst = c2 ? xstrndup(c1 + 1, (size_t)(c2 - c1 - 1)) : xstrdup(c1 + 1);
	if (src[0] != '/' && !util_str_has_prefix(src, SCRATCH) && strcmp(src, DOCKER_SOCKET) != 0 &&
	    !strpbrk(src, "/.")) {
		refuse(c, pos,
		       "--volume '%s': named volumes are not allowed in a lab (a volume outlives "
		       "the lab and its driver may bind any host path)",
		       v);
		return;
	}
	if (!path_ok(c, pos, s->name, "source", src, true) ||
	    !path_ok(c, pos, s->name, "target", dst, true) ||
	    (c2 && !volume_opts(c, pos, c2 + 1, &ro)))
		return;
	struct policy_flag *f = add(c, s, pos, POLICY_VOLUME);
	f->src = steal_pointer(&src);
	f->dst = steal_pointer(&dst);
	f->read_only = ro;
	set_bind_reach(f, s->why);
}

/* --- --mount ----------------------------------------------------------------------- */

struct mount_fields {
	char *type, *src, *dst;
	bool ro, seen_ro;
};

static void mount_fields_free(struct mount_fields *m)
{
	free(m->type);
	free(m->src);
	free(m->dst);
}

static const char *const mount_src_keys[] = {"source", "src", NULL};
static const char *const mount_dst_keys[] = {"target", "destination", "dst", NULL};

static bool in_list(const char *k, const char *const *l)
{
	for (size_t i = 0; l[i]; i++)
		if (strcmp(k, l[i]) == 0)
			return true;
	return false;
}

static bool set_once(struct pctx *c, const struct lab_pos *pos, char **slot, const char *key,
		     const char *val)
{
	if (*slot) {
		refuse(c, pos, "--mount: '%s' given twice", key);
		return false;
	}
	*slot = xstrdup(val);
	return true;
}

/* One key[=value] field of --mount. Docker lowercases keys and accepts
 * CSV quoting; a lab must write them plainly, in lower case. */
static bool mount_field(struct pctx *c, const struct lab_pos *pos, const char *field,
			struct mount_fields *m)
{
	const char *eq = strchr(field, '=');
	cleanup_free char *key = eq ? xstrndup(field, (size_t)(eq - field)) : xstrdup(field);
	const char *val = eq ? eq + 1 : NULL;

	for (const char *k = key; *k; k++)
		if (*k >= 'A' && *k <= 'Z') {
			refuse(c, pos, "--mount: write the key '%s' in lower case", key);
			return false;
		}
	if (strcmp(key, "readonly") == 0 || strcmp(key, "ro") == 0) {
		if (m->seen_ro || (val && strcmp(val, "true") && strcmp(val, "false"))) {
			refuse(c, pos, "--mount: '%s' once, bare or =true/=false", key);
			return false;
		}
		m->seen_ro = true;
		m->ro = !val || strcmp(val, "true") == 0;
		return true;
	}
	if (!val) {
		refuse(c, pos, "--mount: '%s' needs a value", key);
		return false;
	}
	if (strcmp(key, "type") == 0)
		return set_once(c, pos, &m->type, key, val);
	if (in_list(key, mount_src_keys))
		return set_once(c, pos, &m->src, key, val);
	if (in_list(key, mount_dst_keys))
		return set_once(c, pos, &m->dst, key, val);
	refuse(c, pos,
	       "--mount: the key '%s' is not allowed in a lab (allowed: type, source/src, "
	       "target/destination/dst, readonly/ro; volume options can bind any host path)",
	       key);
	return false;
}

static bool mount_split(struct pctx *c, const struct lab_pos *pos, const char *v,
			struct mount_fields *m)
{
	if (strpbrk(v, "\"'") || has_ctl(v)) {
		refuse(c, pos, "--mount '%s': quotes and control characters are not allowed in a lab", v);
		return false;
	}
	for (const char *p = v;;) {
		size_t n = strcspn(p, ",");
		cleanup_free char *field = xstrndup(p, n);
		if (n == 0) {
			refuse(c, pos, "--mount '%s': an empty field", v);
			return false;
		}
		if (!mount_field(c, pos, field, m))
			return false;
		if (p[n] == '\0')
			return true;
		p += n + 1;
	}
}

static void parse_mount(struct pctx *c, const struct pspec *s, const char *v,
			const struct lab_pos *pos)
{
	struct mount_fields m = {0};

	if (!mount_split(c, pos, v, &m))
		goto out;
	if (!m.type || (strcmp(m.type, "bind") && strcmp(m.type, "tmpfs"))) {
		refuse(c, pos,
		       "--mount '%s': type must be bind or tmpfs (a volume outlives the lab and its "
		       "driver may bind any host path)",
		       v);
		goto out;
	}
	bool bind = strcmp(m.type, "bind") == 0;
	if (!m.dst || (bind && !m.src) || (!bind && (m.src || m.seen_ro))) {
		refuse(c, pos, "--mount '%s': %s", v,
		       bind ? "a bind needs source and target" : "a tmpfs takes only a target");
		goto out;
	}
	if ((bind && !path_ok(c, pos, s->name, "source", m.src, true)) ||
	    !path_ok(c, pos, s->name, "target", m.dst, true))
		goto out;
	struct policy_flag *f = add(c, s, pos, bind ? POLICY_MOUNT_BIND : POLICY_MOUNT_TMPFS);
	f->src = steal_pointer(&m.src);
	f->dst = steal_pointer(&m.dst);
	f->read_only = m.ro;
	if (bind)
		set_bind_reach(f, s->why);
out:
	mount_fields_free(&m);
}

/* --- namespaces and confinement ------------------------------------------------------ */

static const char *const ns_pid[] = {"--pid", "host", NULL};
static const char *const ns_uts[] = {"--uts", "host", NULL};
static const char *const ns_userns[] = {"--userns", "host", NULL};
static const char *const ns_ipc[] = {"--ipc", "none", "private", "shareable", "host", NULL};
static const char *const ns_net[] = {"--network", "none", "host", NULL};
static const char *const *const ns_values[] = {ns_pid, ns_uts, ns_userns, ns_ipc, ns_net};

static void parse_ns(struct pctx *c, const struct pspec *s, const char *v, const struct lab_pos *pos)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_values); i++) {
		const char *const *l = ns_values[i];
		if (strcmp(l[0], s->name) != 0)
			continue;
		if (!in_list(v, l + 1)) {
			struct strbuf sb = STRBUF_INIT;
			for (size_t k = 1; l[k]; k++)
				strbuf_addf(&sb, "%s%s", k > 1 ? ", " : "", l[k]);
			refuse(c, pos, "'%s' in a lab must be one of %s, found '%s'", s->name,
			       strbuf_str(&sb), v);
			strbuf_release(&sb);
			return;
		}
	}
	struct policy_flag *f = add(c, s, pos, POLICY_NAMESPACE);
	f->value = xstrdup(v);
	f->reach = strcmp(v, "host") == 0;
	f->why = s->why;
}

/* --security-opt: the values a lab needs, each in its canonical form, and
 * whether it loosens the host's confinement of the container. */
static const struct {
	const char *spelling, *canonical;
	const char *why; /* NULL: no host reach */
} secopts[] = {
	{"no-new-privileges", "no-new-privileges", NULL},
	{"no-new-privileges=true", "no-new-privileges", NULL},
	{"no-new-privileges:true", "no-new-privileges", NULL},
	{"no-new-privileges=false", "no-new-privileges=false", NULL},
	{"no-new-privileges:false", "no-new-privileges=false", NULL},
	{"seccomp=unconfined", "seccomp=unconfined", "turns seccomp off"},
	{"seccomp:unconfined", "seccomp=unconfined", "turns seccomp off"},
	{"apparmor=unconfined", "apparmor=unconfined", "turns AppArmor off"},
	{"apparmor:unconfined", "apparmor=unconfined", "turns AppArmor off"},
	{"label=disable", "label=disable", "turns SELinux labelling off"},
	{"label:disable", "label=disable", "turns SELinux labelling off"},
	{"systempaths=unconfined", "systempaths=unconfined",
	 "unmasks the host's /proc and /sys paths"},
};

static void parse_secopt(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos)
{
	for (size_t i = 0; i < ARRAY_SIZE(secopts); i++) {
		if (strcmp(v, secopts[i].spelling) != 0)
			continue;
		struct policy_flag *f = add(c, s, pos, POLICY_SECURITY_OPT);
		f->value = xstrdup(secopts[i].canonical);
		f->reach = secopts[i].why != NULL;
		f->why = secopts[i].why;
		return;
	}
	refuse(c, pos,
	       "--security-opt '%s' is not allowed in a lab (allowed: no-new-privileges[=BOOL], "
	       "seccomp=unconfined, apparmor=unconfined, label=disable, systempaths=unconfined; a "
	       "profile file would be read from the host)",
	       v);
}

/* --- devices ---------------------------------------------------------------------------- */

static void parse_device(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos)
{
	const char *c1 = strchr(v, ':');
	cleanup_free char *src = c1 ? xstrndup(v, (size_t)(c1 - v)) : xstrdup(v);
	cleanup_free char *dst = c1 ? xstrdup(c1 + 1) : xstrdup(src);

	if (!util_str_has_prefix(src, "/dev/") || !path_ok(c, pos, s->name, "device", src, false) ||
	    !path_ok(c, pos, s->name, "target", dst, false)) {
		if (!util_str_has_prefix(src, "/dev/"))
			refuse(c, pos, "--device '%s': HOST_DEVICE[:TARGET] with a device under /dev",
			       v);
		return;
	}
	struct policy_flag *f = add(c, s, pos, POLICY_DEVICE);
	f->src = steal_pointer(&src);
	f->dst = steal_pointer(&dst);
	f->reach = true;
	f->why = s->why;
}

/* "c 1:3 rwm", "b *:* r": the type, major:minor, access. */
static bool devrule_ok(const char *v)
{
	size_t i = 0;

	if (!strchr("abc", v[i++]) || v[i++] != ' ')
		return false;
	for (int part = 0; part < 2; part++) {
		size_t n = v[i] == '*' ? 1 : strspn(v + i, "0123456789");
		if (n == 0 || n > 10)
			return false;
		i += n;
		if (v[i++] != (part ? ' ' : ':'))
			return false;
	}
	size_t n = strspn(v + i, "rwm");
	return n > 0 && n <= 3 && v[i + n] == '\0';
}

static void parse_devrule(struct pctx *c, const struct pspec *s, const char *v,
			  const struct lab_pos *pos)
{
	if (!devrule_ok(v)) {
		refuse(c, pos, "--device-cgroup-rule '%s': TYPE MAJOR:MINOR ACCESS, e.g. 'c 1:3 rwm'", v);
		return;
	}
	struct policy_flag *f = add(c, s, pos, POLICY_DEVICE_RULE);
	f->value = xstrdup(v);
	f->reach = true;
	f->why = s->why;
}

/* --- text flags ------------------------------------------------------------------------------ */

static bool word_chars(const char *v, const char *extra)
{
	for (const char *p = v; *p; p++) {
		char ch = *p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || strchr(extra, ch);
		if (!ok)
			return false;
	}
	return *v != '\0';
}

static void add_text(struct pctx *c, const struct pspec *s, const struct lab_pos *pos,
		     const char *v)
{
	struct policy_flag *f = add(c, s, pos, POLICY_TEXT);
	f->value = xstrdup(v);
}

static void parse_word(struct pctx *c, const struct pspec *s, const char *v,
		       const struct lab_pos *pos)
{
	if (!word_chars(v, "._:-")) {
		refuse(c, pos, "'%s' takes a plain word (letters, digits, '._:-'), found '%s'",
		       s->name, v);
		return;
	}
	add_text(c, s, pos, v);
}

static void parse_path_text(struct pctx *c, const struct pspec *s, const char *v,
			    const struct lab_pos *pos)
{
	if (path_ok(c, pos, s->name, "path", v, false))
		add_text(c, s, pos, v);
}

static void parse_tmpfs(struct pctx *c, const struct pspec *s, const char *v,
			const struct lab_pos *pos)
{
	const char *colon = strchr(v, ':');
	cleanup_free char *dst = colon ? xstrndup(v, (size_t)(colon - v)) : xstrdup(v);

	if (!path_ok(c, pos, s->name, "target", dst, false))
		return;
	if (colon && !word_chars(colon + 1, "=,")) {
		refuse(c, pos, "--tmpfs '%s': options are letters, digits, '=' and ','", v);
		return;
	}
	add_text(c, s, pos, v);
}

/* NAME=VALUE only: a bare NAME would copy isolab's own environment in. */
static void parse_env(struct pctx *c, const struct pspec *s, const char *v, const struct lab_pos *pos)
{
	const char *eq = strchr(v, '=');
	cleanup_free char *name = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;

	if (!name || !word_chars(name, "_") || (name[0] >= '0' && name[0] <= '9') || has_ctl(v)) {
		refuse(c, pos,
		       "--env '%s': write NAME=VALUE (a bare NAME copies isolab's own environment "
		       "into the container)",
		       v);
		return;
	}
	add_text(c, s, pos, v);
}

static void parse_sysctl(struct pctx *c, const struct pspec *s, const char *v,
			 const struct lab_pos *pos)
{
	const char *eq = strchr(v, '=');
	cleanup_free char *key = eq ? xstrndup(v, (size_t)(eq - v)) : NULL;

	if (!key || !word_chars(key, "._-") || !word_chars(eq + 1, "._-")) {
		refuse(c, pos, "--sysctl '%s': write KEY=VALUE, plain words", v);
		return;
	}
	add_text(c, s, pos, v);
}

/* Only a documented reason for an audit finding: isolab.reason.CHECK=TEXT. */
static void parse_label(struct pctx *c, const struct pspec *s, const char *v,
			const struct lab_pos *pos)
{
	static const char prefix[] = "isolab.reason.";
	bool known = false;

	if (util_str_has_prefix(v, prefix) && !has_ctl(v)) {
		const char *key = v + strlen(prefix);
		size_t klen = strcspn(key, "=");
		for (size_t i = 0; audit_checks[i]; i++)
			known |= strlen(audit_checks[i]) == klen &&
				 strncmp(key, audit_checks[i], klen) == 0;
		known &= key[klen] == '=';
	}
	if (!known) {
		refuse(c, pos,
		       "a lab may set only a documented reason, --label isolab.reason.CHECK=TEXT with "
		       "CHECK an audit check (isolab labels its containers itself), found '%s'",
		       v);
		return;
	}
	add_text(c, s, pos, v);
}

static const struct pspec specs[] = {
	{"--cap-add", NULL, V_VALUE, parse_cap, "adds a capability"},
	{"--cap-drop", NULL, V_VALUE, parse_cap, NULL},
	{"--privileged", NULL, V_SWITCH, parse_switch,
	 "every capability and host device, no seccomp or AppArmor"},
	{"--volume", "-v", V_VALUE, parse_volume, "a host path inside the container"},
	{"--mount", NULL, V_VALUE, parse_mount, "a host path inside the container"},
	{"--pid", NULL, V_VALUE, parse_ns, "the host's pid namespace"},
	{"--ipc", NULL, V_VALUE, parse_ns, "the host's IPC namespace"},
	{"--uts", NULL, V_VALUE, parse_ns, "the host's UTS namespace"},
	{"--userns", NULL, V_VALUE, parse_ns, "the host's user namespace"},
	{"--security-opt", NULL, V_VALUE, parse_secopt, NULL},
	{"--read-only", NULL, V_SWITCH, parse_switch, NULL},
	{"--device", NULL, V_VALUE, parse_device, "a host device inside the container"},
	{"--device-cgroup-rule", NULL, V_VALUE, parse_devrule, "lets the container use host devices"},
	{"--network", NULL, V_VALUE, parse_ns, "the host's network namespace"},
	{"--user", "-u", V_VALUE, parse_word, NULL},
	{"--tmpfs", NULL, V_VALUE, parse_tmpfs, NULL},
	{"--hostname", NULL, V_VALUE, parse_word, NULL},
	{"--workdir", "-w", V_VALUE, parse_path_text, NULL},
	{"--env", "-e", V_VALUE, parse_env, NULL},
	{"--group-add", NULL, V_VALUE, parse_word, NULL},
	{"--sysctl", NULL, V_VALUE, parse_sysctl, NULL},
	{"--label", NULL, V_VALUE, parse_label, NULL},
};

/* Flags authors reach for that isolab sets itself, with why. */
static const struct {
	const char *name;
	const char *why;
} owned[] = {
	{"--rm", "isolab removes its containers itself"},
	{"--name", "isolab names its containers itself"},
	{"-d", "isolab starts containers detached itself"},
	{"--detach", "isolab starts containers detached itself"},
	{"--pull", "isolab sets --pull=never itself"},
	{"--entrypoint", "use 'command' for the container's argv"},
	{"-l", "isolab labels its containers itself"},
	{"--net", "write --network"},
	{"--interactive", "lab containers run detached"},
	{"-i", "lab containers run detached"},
	{"--tty", "lab containers run detached"},
	{"-t", "lab containers run detached"},
};

/* The flag a word names, and its value when written in the same word
 * (--opt=value, -vVALUE, -v=VALUE as pflag reads them). */
static const struct pspec *spec_find(const char *word, const char **inl)
{
	*inl = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(specs); i++) {
		const struct pspec *s = &specs[i];
		size_t n = strlen(s->name);
		if (strncmp(word, s->name, n) == 0 && (word[n] == '\0' || word[n] == '=')) {
			*inl = word[n] == '=' ? word + n + 1 : NULL;
			return s;
		}
		if (s->alt && strncmp(word, s->alt, 2) == 0) {
			if (word[2] == '\0')
				return s;
			if (s->shape == V_SWITCH)
				continue;
			*inl = word[2] == '=' ? word + 3 : word + 2;
			return s;
		}
	}
	return NULL;
}

static void unknown_flag(struct pctx *c, const char *word, const struct lab_pos *pos)
{
	cleanup_free char *name = xstrndup(word, strcspn(word, "="));

	if (word[0] != '-') {
		refuse(c, pos,
		       "'%s' is not a docker run flag ('flags' holds docker run options; the "
		       "container's argv goes in 'command')",
		       word);
		return;
	}
	for (size_t j = 0; j < ARRAY_SIZE(owned); j++)
		if (strcmp(name, owned[j].name) == 0) {
			refuse(c, pos, "docker run flag '%s' is not allowed in a lab: %s", name,
			       owned[j].why);
			return;
		}
	struct strbuf sb = STRBUF_INIT;
	for (size_t j = 0; j < ARRAY_SIZE(specs); j++) {
		strbuf_adds(&sb, j ? ", " : "");
		strbuf_adds(&sb, specs[j].name);
		if (specs[j].alt)
			strbuf_addf(&sb, "/%s", specs[j].alt);
	}
	refuse(c, pos, "docker run flag '%s' is not allowed in a lab (allowed: %s)", name,
	       strbuf_str(&sb));
	strbuf_release(&sb);
}

size_t policy_parse(const struct lab_words *w, struct policy_flags *out, policy_report_fn report,
		    void *user)
{
	struct pctx c = {report, user, 0, out};

	*out = (struct policy_flags){0};
	for (size_t i = 0; i < w->n; i++) {
		const char *inl;
		const struct pspec *s = spec_find(w->v[i], &inl);
		const struct lab_pos *pos = &w->pos[i];
		size_t at = i;

		if (!s) {
			unknown_flag(&c, w->v[i], pos);
			return c.problems;
		}
		if (s->shape == V_VALUE && !inl) {
			if (i + 1 >= w->n) {
				refuse(&c, pos, "docker run flag '%s' needs a value", w->v[i]);
				return c.problems;
			}
			inl = w->v[++i];
			pos = &w->pos[i];
		}
		if (s->shape == V_VALUE && inl[0] == '-') {
			/* Never a flag taken for a value, nor a value for a flag. */
			refuse(&c, pos, "the value of '%s' must not start with '-', found '%s'",
			       s->name, inl);
			continue;
		}
		size_t before = out->n;
		s->parse(&c, s, inl, pos);
		/* Problems point at the value; the flag itself at its name. */
		if (out->n > before)
			out->v[out->n - 1].pos = w->pos[at];
	}
	return c.problems;
}

void policy_flags_free(struct policy_flags *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].value);
		free(f->v[i].src);
		free(f->v[i].dst);
	}
	free(f->v);
	*f = (struct policy_flags){0};
}

/* --- writing it back ---------------------------------------------------------------------- */

/* The canonical value of f from its (expanded) parts. */
static void canonical(struct strbuf *sb, const struct policy_flag *f, const char *src,
		      const char *dst, const char *val)
{
	switch (f->kind) {
	case POLICY_VOLUME:
		strbuf_addf(sb, "%s:%s%s", src, dst, f->read_only ? ":ro" : "");
		break;
	case POLICY_MOUNT_BIND:
		strbuf_addf(sb, "type=bind,source=%s,target=%s%s", src, dst,
			    f->read_only ? ",readonly" : "");
		break;
	case POLICY_MOUNT_TMPFS:
		strbuf_addf(sb, "type=tmpfs,target=%s", dst);
		break;
	case POLICY_DEVICE:
		strbuf_addf(sb, "%s:%s", src, dst);
		break;
	default:
		strbuf_adds(sb, val ? val : "");
	}
}

char *policy_flag_text(const struct policy_flag *f)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, f->name);
	if (f->kind == POLICY_PRIVILEGED || f->kind == POLICY_READ_ONLY) {
		if (!f->on)
			strbuf_adds(&sb, "=false");
		return strbuf_detach(&sb);
	}
	strbuf_addc(&sb, ' ');
	canonical(&sb, f, f->src, f->dst, f->value);
	return strbuf_detach(&sb);
}

static int expand_path(const struct policy_flag *f, const char *tmpl, const char *what,
		       const struct lab_vars *vars, char **out, struct err *e)
{
	if (!tmpl) {
		*out = NULL;
		return 0;
	}
	if (lab_expand(tmpl, vars, out, e) < 0)
		return -1;
	const char *why = path_problem(*out, false);
	if (why) {
		err_input(e, "%s: the %s '%s' %s", f->name, what, *out, why);
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int emit_one(const struct policy_flag *f, const struct lab_vars *vars, struct argv *out,
		    struct err *e)
{
	cleanup_free char *src = NULL, *dst = NULL, *val = NULL;
	struct strbuf sb = STRBUF_INIT;

	if (f->kind == POLICY_PRIVILEGED || f->kind == POLICY_READ_ONLY) {
		if (f->on)
			argv_push(out, f->name);
		return 0;
	}
	if (expand_path(f, f->src, "source", vars, &src, e) < 0 ||
	    expand_path(f, f->dst, "target", vars, &dst, e) < 0)
		return -1;
	if (f->value && lab_expand(f->value, vars, &val, e) < 0)
		return -1;
	if (val && has_ctl(val))
		return err_input(e, "%s: a control character in '%s'", f->name, val);
	strbuf_addf(&sb, "%s=", f->name);
	canonical(&sb, f, src, dst, val);
	argv_push(out, strbuf_str(&sb));
	strbuf_release(&sb);
	return 0;
}

int policy_emit(const struct policy_flags *f, const struct lab_vars *vars, struct argv *out,
		struct err *e)
{
	for (size_t i = 0; i < f->n; i++)
		if (emit_one(&f->v[i], vars, out, e) < 0)
			return -1;
	return 0;
}
