/* audit.c: the audit's check table, the finding logic on a snapshot (the
 * kernel's state) and Docker's view of the same container, and reasons
 * from labels. Its renderings (text, JSON, --explain) are the report
 * layer's: runner/report_audit.c. */
#include "audit.h"

#include <ctype.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/param.h>
#include <unistd.h>

#include "cgroup.h"
#include "session.h"
#include "target.h"

/* The namespace checks: which namespace, which flag shares it, and where
 * Docker says so. */
static const struct ns_check {
	const char *check;
	const char *ns;
	const char *flag;
	size_t mode; /* offset of Docker's mode in struct engine_container */
} ns_checks[] = {
	{"host-pid", "pid", "--pid=host", offsetof(struct engine_container, pid_mode)},
	{"host-net", "net", "--network host", offsetof(struct engine_container, network_mode)},
	{"host-ipc", "ipc", "--ipc=host", offsetof(struct engine_container, ipc_mode)},
	{"host-uts", "uts", "--uts=host", offsetof(struct engine_container, uts_mode)},
	{"host-userns", "user", "--userns=host", offsetof(struct engine_container, userns_mode)},
	{"host-cgroupns", "cgroup", "--cgroupns=host", offsetof(struct engine_container, cgroupns_mode)},
};


/* The host paths of the Docker socket, the resolved one first. */
static const char *const socket_paths[] = {"/run/docker.sock", "/var/run/docker.sock"};

static const struct ns_check *ns_check_of(const char *check)
{
	for (size_t i = 0; i < ARRAY_SIZE(ns_checks); i++)
		if (strcmp(ns_checks[i].check, check) == 0)
			return &ns_checks[i];
	return NULL;
}

/* ---- small pieces --------------------------------------------------------- */

static enum audit_severity lower(enum audit_severity s)
{
	return s > AUDIT_INFO ? s - 1 : s;
}

static bool mask_has(uint64_t m, unsigned bit)
{
	return bit < 64 && (m & (UINT64_C(1) << bit));
}

static unsigned popcount64(uint64_t m)
{
	return (unsigned)__builtin_popcountll(m);
}

/* "cap_net_admin" -> "NET_ADMIN", as Docker's flags spell it. */
static char *docker_cap_names(uint64_t mask)
{
	struct strbuf sb = STRBUF_INIT;

	for (unsigned bit = 0; bit < 64; bit++) {
		if (!mask_has(mask, bit))
			continue;
		cleanup_free char *n = caps_name(bit);
		const char *p = util_str_has_prefix(n, "cap_") ? n + 4 : n;
		if (sb.len)
			strbuf_addc(&sb, ' ');
		for (; *p; p++)
			strbuf_addc(&sb, (char)toupper((unsigned char)*p));
	}
	return strbuf_detach(&sb);
}

/* Join a mount's path with the rest of a path below its root. */
static char *path_join(const char *dir, const char *rest)
{
	if (!*rest || strcmp(rest, "/") == 0)
		return xstrdup(dir);
	if (strcmp(dir, "/") == 0)
		return xstrdup(rest);
	return xasprintf("%s%s", dir, rest);
}

/* The part of path below dir ("" when equal); dir contains path. */
static const char *path_rest(const char *path, const char *dir)
{
	return strcmp(dir, "/") == 0 ? path : path + strlen(dir);
}

/* The mount a path resolves to: the longest target containing it; a later
 * mount on the same target covers an earlier one. */
static const struct mount_entry *covering_mount(const struct mount_table *t, const char *path)
{
	const struct mount_entry *best = NULL;
	size_t best_len = 0;

	for (size_t i = 0; i < t->n; i++) {
		size_t len = strlen(t->v[i].target);
		if (util_path_within(path, t->v[i].target) && (!best || len >= best_len)) {
			best = &t->v[i];
			best_len = len;
		}
	}
	return best;
}

/* The host's IPC mounts: with the host's ipc namespace, Docker binds them
 * as a matter of course, and host-ipc reports them. */
static bool ipc_mount(const struct mount_entry *m)
{
	return m->host_path &&
	       (util_path_within(m->host_path, "/dev/shm") || util_path_within(m->host_path, "/dev/mqueue"));
}

static bool ns_shared(const struct snapshot *s, const char *name)
{
	const struct ns_entry *n = ns_find(&s->ns, name);

	return n && !n->err && n->shared == 1;
}

static bool uid_map_identity(const char *m)
{
	return m && strcmp(m, "0 0 4294967295") == 0;
}

static bool security_opt_has(const struct engine_container *c, const char *prefix)
{
	if (!c)
		return false;
	for (size_t i = 0; i < c->security_opt.n; i++)
		if (util_str_has_prefix(c->security_opt.v[i], prefix))
			return true;
	return false;
}

static struct audit_finding *add_finding(struct audit_container *out, const char *check,
					 enum audit_severity sev)
{
	struct audit_finding *f;

	out->v = xreallocarray(out->v, out->n + 1, sizeof(*out->v));
	f = &out->v[out->n++];
	memset(f, 0, sizeof(*f));
	f->check = audit_check_find(check);
	f->severity = sev;
	f->read_only = -1;
	f->docker_privileged = -1;
	f->kernel_privileged = -1;
	return f;
}

static void userns_note(struct audit_finding *f, const struct audit_container *out,
			struct strbuf *ev)
{
	if (!out->own_userns)
		return;
	f->severity = lower(f->severity);
	f->userns_lowered = true;
	strbuf_addf(ev, "; in its own user namespace (uid_map %s): capabilities and file access "
		    "are relative to it, not the host's, so one level lower",
		    out->uid_map ? out->uid_map : "?");
}

/* ---- the checks ----------------------------------------------------------- */

/* The capabilities the process can use: the effective set, and the bounding
 * set while no_new_privs is off (a setuid or file-capability program gains
 * what the bounding set allows). */
static uint64_t reachable_caps(const struct snapshot *s)
{
	uint64_t m = s->caps.set[CAPS_EFFECTIVE] | s->caps.set[CAPS_PERMITTED] |
		     s->caps.set[CAPS_AMBIENT];

	if (!s->no_new_privs)
		m |= s->caps.set[CAPS_BOUNDING];
	return m;
}

static const unsigned key_caps[] = {
	CAP_SYS_ADMIN, CAP_SYS_MODULE, CAP_SYS_PTRACE, CAP_SYS_RAWIO, CAP_DAC_READ_SEARCH,
	CAP_NET_ADMIN,
};

/* Privileged in effect: every key capability and Docker's default set (as
 * far as the host can grant them) with no seccomp filter. */
static bool kernel_privileged(const struct snapshot *s, uint64_t grantable, bool host_seccomp)
{
	uint64_t required = CAPS_DOCKER_DEFAULT;

	for (size_t i = 0; i < ARRAY_SIZE(key_caps); i++)
		required |= UINT64_C(1) << key_caps[i];
	required &= grantable;
	if ((reachable_caps(s) & required) != required)
		return false;
	return s->seccomp == SECCOMP_DISABLED || (s->seccomp == SECCOMP_UNKNOWN && !host_seccomp);
}

static bool check_privileged(const struct engine_container *c, const struct snapshot *s,
			     const struct host_facts *hf, struct audit_container *out)
{
	uint64_t grantable = hf && hf->bounding ? hf->bounding : caps_all_mask(s->last_cap);
	bool docker = c && c->privileged;
	bool kernel = kernel_privileged(s, grantable, hf ? hf->seccomp : true);
	uint64_t held = reachable_caps(s) & grantable;
	uint64_t missing = grantable & ~held;
	size_t masked = 0;
	struct strbuf ev = STRBUF_INIT;

	if (!docker && !kernel)
		return false;
	for (size_t i = 0; i < s->mounts.n; i++)
		masked += s->mounts.v[i].kind == MOUNT_MASKED;

	if (kernel && !docker)
		strbuf_adds(&ev, "privileged in effect, though Docker's Privileged is false: ");
	else if (kernel)
		strbuf_adds(&ev, "Docker's Privileged is true and the kernel agrees: ");
	else
		strbuf_adds(&ev, "Docker's Privileged is true, though the kernel shows less: ");
	strbuf_addf(&ev, "it holds %u of the %u capabilities this host can grant", popcount64(held),
		    popcount64(grantable));
	if (missing) {
		cleanup_free char *names = caps_join(missing, ", ");
		strbuf_addf(&ev, " (not: %s)", names);
	}
	strbuf_addf(&ev, ", Seccomp: %d (%s)", s->seccomp, snapshot_seccomp_name(s->seccomp));
	if (!masked)
		strbuf_adds(&ev, ", no masked paths");
	if (c && !docker && (c->cap_add.n || c->security_opt.n)) {
		cleanup_free char *add = argv_join(&c->cap_add, " ");
		cleanup_free char *sec = argv_join(&c->security_opt, " ");
		strbuf_addf(&ev, "; Docker: CapAdd [%s], SecurityOpt [%s]", add, sec);
	}

	struct audit_finding *f = add_finding(out, "privileged", AUDIT_CRITICAL);
	f->docker_privileged = docker;
	f->kernel_privileged = kernel;
	caps_names(held & ~CAPS_DOCKER_DEFAULT, &f->caps);
	userns_note(f, out, &ev);
	f->evidence = strbuf_detach(&ev);
	return true;
}

static void check_namespaces(const struct engine_container *c, const struct snapshot *s,
			     const struct host_ref *host, struct audit_container *out)
{
	bool cgroup_v1 = !host || cgroup_host_version(&host->mounts) == 1;

	for (size_t i = 0; i < ARRAY_SIZE(ns_checks); i++) {
		const struct ns_check *k = &ns_checks[i];
		const struct ns_entry *n = ns_find(&s->ns, k->ns);
		const char *mode = c ? *(char *const *)((const char *)c + k->mode) : "";
		bool user = strcmp(k->ns, "user") == 0;
		bool docker_host = mode && strcmp(mode, "host") == 0;
		struct strbuf ev = STRBUF_INIT;
		int shared = n && !n->err ? n->shared : -1;

		if (user && shared < 0 && s->uid_map && *s->uid_map)
			shared = uid_map_identity(s->uid_map) && !out->own_userns;
		if (shared == 0 || (shared < 0 && !docker_host))
			continue;

		if (shared == 1 && n && !n->err)
			strbuf_addf(&ev, "the %s namespace is the host's (inode %llu)", k->ns,
				    (unsigned long long)n->ino);
		else if (shared == 1)
			strbuf_addf(&ev, "the %s namespace is the host's", k->ns);
		else
			strbuf_addf(&ev, "Docker says %s; the kernel's namespace link could not be read "
				    "(%s), so that is not confirmed",
				    k->flag, n && n->err ? strerror(n->err) : "absent");
		if (user)
			strbuf_addf(&ev, "; uid_map %s: uid 0 inside is uid 0 on the host",
				    s->uid_map && *s->uid_map ? s->uid_map : "unreadable");
		if (strcmp(k->ns, "ipc") == 0 && shared == 1)
			for (size_t j = 0; j < s->mounts.n; j++)
				if (ipc_mount(&s->mounts.v[j]) && !s->mounts.v[j].per_container)
					strbuf_addf(&ev, "; %s is the host's %s (%s)", s->mounts.v[j].target,
						    s->mounts.v[j].host_path,
						    s->mounts.v[j].read_only ? "read-only" : "read-write");
		if (shared == 1 && c) {
			if (docker_host)
				strbuf_addf(&ev, "; Docker: %s", k->flag);
			else if (util_str_has_prefix(mode, "container:"))
				strbuf_addf(&ev, "; Docker: joined %s, whose namespace is the host's", mode);
			else if (!user)
				strbuf_adds(&ev, "; Docker's configuration does not say so");
		}

		enum audit_severity sev = audit_check_find(k->check)->severity;
		if (user)
			sev = docker_host ? AUDIT_MEDIUM : AUDIT_INFO;
		if (strcmp(k->ns, "cgroup") == 0 && cgroup_v1) {
			sev = AUDIT_INFO;
			strbuf_adds(&ev, " (cgroup v1: Docker's default there)");
		}
		struct audit_finding *f = add_finding(out, k->check, sev);
		f->ns = k->ns;
		f->ns_inode = n && !n->err ? (unsigned long long)n->ino : 0;
		f->evidence = strbuf_detach(&ev);
	}
}

/* Where the host's socket lives: its device and its path within that file
 * system. False when the host's table does not cover it. */
static bool socket_location(const struct host_ref *host, const char *sock, dev_t *dev,
			    char **fsroot)
{
	const struct mount_entry *hm;

	if (!host || !host->mounts.n || !(hm = covering_mount(&host->mounts, sock)))
		return false;
	*dev = hm->devno;
	*fsroot = path_join(hm->root, path_rest(sock, hm->target));
	return true;
}

static void check_docker_socket(const struct snapshot *s, const struct host_ref *host,
				struct audit_container *out)
{
	dev_t dev[ARRAY_SIZE(socket_paths)];
	char *fsroot[ARRAY_SIZE(socket_paths)] = {NULL};
	bool known[ARRAY_SIZE(socket_paths)];

	for (size_t k = 0; k < ARRAY_SIZE(socket_paths); k++)
		known[k] = socket_location(host, socket_paths[k], &dev[k], &fsroot[k]);

	for (size_t i = 0; i < s->mounts.n; i++) {
		const struct mount_entry *m = &s->mounts.v[i];
		char *where = NULL;
		const char *sock = NULL;

		if (m->per_container || m->kind == MOUNT_MASKED)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(socket_paths) && !where; k++) {
			if (!known[k] || m->devno != dev[k] || !util_path_within(fsroot[k], m->root))
				continue;
			char *p = path_join(m->target, path_rest(fsroot[k], m->root));
			/* Something mounted over the socket's path inside hides it. */
			if (covering_mount(&s->mounts, p) == m) {
				where = p;
				sock = socket_paths[k];
			} else {
				free(p);
			}
		}
		if (!where && m->kind == MOUNT_DOCKER_SOCKET) {
			where = xstrdup(m->target);
			sock = m->host_path;
		}
		if (!where)
			continue;

		struct strbuf ev = STRBUF_INIT;
		bool direct = strcmp(where, m->target) == 0;
		if (direct)
			strbuf_addf(&ev, "%s is the host's %s", m->target,
				    m->host_path ? m->host_path : sock);
		else
			strbuf_addf(&ev, "%s is the host's %s, reached through the bind of the host's %s "
				    "at %s",
				    where, sock, m->host_path ? m->host_path : m->root, m->target);
		if (m->read_only)
			strbuf_adds(&ev, " (mounted read-only: that stops changes to the socket file, "
					 "not connections; the API is fully usable)");
		struct audit_finding *f = add_finding(out, "docker-socket", AUDIT_CRITICAL);
		f->target = xstrdup(m->target);
		f->socket = where;
		f->host_path = xstrdup(m->host_path ? m->host_path : sock);
		f->read_only = m->read_only;
		f->evidence = strbuf_detach(&ev);
	}
	for (size_t k = 0; k < ARRAY_SIZE(socket_paths); k++)
		free(fsroot[k]);
}

static size_t depth(const char *path)
{
	size_t n = 0;

	for (; *path; path++)
		n += *path == '/';
	return n;
}

/* Up to max paths of a, the shallowest first (/proc before
 * /sys/fs/cgroup/cpu: the ones a reader knows), ", ..." when there are more. */
static char *shortest(const struct argv *a, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	bool *taken = xcalloc(a->n ? a->n : 1, sizeof(*taken));

	for (size_t k = 0; k < max && k < a->n; k++) {
		size_t best = a->n;
		for (size_t i = 0; i < a->n; i++)
			if (!taken[i] && (best == a->n || depth(a->v[i]) < depth(a->v[best])))
				best = i;
		taken[best] = true;
		strbuf_addf(&sb, "%s%s", k ? ", " : "", a->v[best]);
	}
	if (a->n > max)
		strbuf_adds(&sb, ", ...");
	free(taken);
	return strbuf_detach(&sb);
}

/* A mount the kernel alone takes for the runtime's fresh /sys or /proc is a
 * bind of the host's after all when Docker says so (-v /sys:/sys replaces
 * the runtime's own). */
static bool docker_binds_at(const struct engine_container *c, const char *target)
{
	for (size_t i = 0; c && i < c->n_mounts; i++)
		if (strcmp(c->mounts[i].type, "bind") == 0 &&
		    strcmp(c->mounts[i].destination, target) == 0)
			return true;
	return false;
}

static bool candidate(const struct engine_container *c, const struct mount_entry *m, bool ipc_host)
{
	bool sensitive = m->sensitive ||
			 (m->fresh && docker_binds_at(c, m->target) && mounts_path_sensitive(m->host_path));

	return sensitive && m->host_path && !m->per_container && m->kind != MOUNT_DOCKER_SOCKET &&
	       m->kind != MOUNT_MASKED && m->kind != MOUNT_ROOTFS && !(ipc_host && ipc_mount(m));
}

static void check_sensitive_mounts(const struct engine_container *c, const struct snapshot *s,
				   struct audit_container *out)
{
	const struct mount_table *t = &s->mounts;
	bool ipc_host = ns_shared(s, "ipc");

	for (size_t i = 0; i < t->n; i++) {
		const struct mount_entry *top = &t->v[i];
		bool folded = false;

		if (!candidate(c, top, ipc_host))
			continue;
		/* Folded into a candidate above it, or one earlier on the same target. */
		for (size_t j = 0; j < t->n && !folded; j++) {
			const struct mount_entry *o = &t->v[j];
			if (j == i || !candidate(c, o, ipc_host) || !util_path_within(top->target, o->target))
				continue;
			folded = strcmp(top->target, o->target) != 0 || j < i;
		}
		if (folded)
			continue;

		struct audit_finding *f;
		struct argv below = ARGV_INIT, below_host = ARGV_INIT, writable = ARGV_INIT;
		for (size_t j = 0; j < t->n; j++) {
			const struct mount_entry *o = &t->v[j];
			if (j == i || !candidate(c, o, ipc_host) || !util_path_within(o->target, top->target))
				continue;
			argv_push(&below, o->target);
			argv_push(&below_host, o->host_path);
			if (!o->read_only)
				argv_push(&writable, o->target);
		}

		struct strbuf ev = STRBUF_INIT;
		strbuf_addf(&ev, "%s is the host's %s (%s)", top->target, top->host_path,
			    top->read_only ? "read-only" : "read-write");
		if (top->read_only && writable.n) {
			cleanup_free char *w = shortest(&writable, 4);
			strbuf_addf(&ev, ", but %zu of the host's mounts below it %s writable (%s): :ro "
				    "does not reach the mounts below a bind",
				    writable.n, writable.n > 1 ? "are" : "is", w);
		} else if (below.n) {
			cleanup_free char *b = shortest(&below_host, 4);
			strbuf_addf(&ev, ", with %zu of the host's mounts below it (%s)", below.n, b);
		}
		bool any_writable = !top->read_only || writable.n;
		f = add_finding(out, "sensitive-mount", any_writable ? AUDIT_CRITICAL : AUDIT_HIGH);
		f->target = xstrdup(top->target);
		f->host_path = xstrdup(top->host_path);
		f->read_only = top->read_only;
		f->below = below;
		userns_note(f, out, &ev);
		f->evidence = strbuf_detach(&ev);
		argv_free(&below_host);
		argv_free(&writable);
	}
}

static void check_extra_caps(const struct engine_container *c, const struct snapshot *s,
			     struct audit_container *out)
{
	uint64_t eff = s->caps.set[CAPS_EFFECTIVE];
	uint64_t extra = reachable_caps(s) & ~CAPS_DOCKER_DEFAULT;
	uint64_t bnd_only = extra & ~eff;
	struct strbuf ev = STRBUF_INIT;

	if (!extra)
		return;
	if (extra & eff) {
		cleanup_free char *names = caps_join(extra & eff, ", ");
		strbuf_addf(&ev, "%s beyond Docker's default set (effective)", names);
	}
	if (bnd_only) {
		cleanup_free char *names = caps_join(bnd_only, ", ");
		strbuf_addf(&ev, "%s%s in the bounding set, not in effect now: a setuid or "
			    "file-capability program regains %s, as no_new_privs is off",
			    ev.len ? "; " : "", names, popcount64(bnd_only) > 1 ? "them" : "it");
	}
	if (c && c->cap_add.n) {
		cleanup_free char *add = argv_join(&c->cap_add, " ");
		strbuf_addf(&ev, "; Docker: CapAdd [%s]", add);
	}
	struct audit_finding *f = add_finding(
		out, "extra-caps", (extra & caps_dangerous_mask()) ? AUDIT_HIGH : AUDIT_MEDIUM);
	caps_names(extra, &f->caps);
	userns_note(f, out, &ev);
	f->evidence = strbuf_detach(&ev);
}

static void check_seccomp(const struct engine_container *c, const struct snapshot *s,
			  struct audit_container *out)
{
	if (s->seccomp != SECCOMP_DISABLED)
		return;
	struct audit_finding *f = add_finding(out, "seccomp-disabled", AUDIT_HIGH);
	f->evidence = xasprintf("Seccomp: 0 (no filter)%s",
				security_opt_has(c, "seccomp=unconfined") ||
						security_opt_has(c, "seccomp:unconfined")
					? "; Docker: --security-opt seccomp=unconfined"
				: c ? "; Docker's configuration does not say so (the daemon's default "
				      "profile, or a runtime without seccomp)"
				    : "");
}

static bool lsm_enabled(const struct host_facts *hf)
{
	return hf && (hf->apparmor || hf->selinux != HOST_SELINUX_OFF);
}

static void check_lsm(const struct snapshot *s, const struct host_facts *hf,
		      struct audit_container *out)
{
	const char *l = s->lsm;
	bool unconfined;

	if (!lsm_enabled(hf))
		return;
	unconfined = !l || util_str_has_prefix(l, "unconfined") || strstr(l, ":spc_t:") ||
		     strstr(l, ":unconfined_t:");
	if (!unconfined)
		return;
	struct audit_finding *f = add_finding(out, "lsm-unconfined", AUDIT_MEDIUM);
	f->evidence = l ? xasprintf("attr/current: %s (the host has %s enabled)", l,
				    hf->apparmor ? "AppArmor" : "SELinux")
			: xasprintf("no LSM label, though the host has %s enabled",
				    hf->apparmor ? "AppArmor" : "SELinux");
}

static void check_nnp(const struct snapshot *s, struct audit_container *out)
{
	if (s->no_new_privs)
		return;
	struct audit_finding *f = add_finding(out, "no-new-privs-missing", AUDIT_LOW);
	f->evidence = xstrdup("NoNewPrivs: 0: setuid and file-capability programs can raise "
			      "privileges");
}

static void check_rootfs(const struct snapshot *s, struct audit_container *out)
{
	const struct mount_entry *root = NULL;

	for (size_t i = 0; i < s->mounts.n; i++)
		if (s->mounts.v[i].kind == MOUNT_ROOTFS)
			root = &s->mounts.v[i];
	if (!root || root->read_only)
		return;
	struct audit_finding *f = add_finding(out, "writable-rootfs", AUDIT_LOW);
	f->target = xstrdup("/");
	f->read_only = 0;
	f->evidence = xasprintf("/ is mounted read-write (%s)", root->fstype);
}

/* ---- devices, propagation, limits, the user -------------------------------- */

static bool docker_lists_device(const struct engine_container *c, const char *path)
{
	for (size_t i = 0; c && i < c->n_devices; i++)
		if (strcmp(c->devices[i].path_in_container, path) == 0)
			return true;
	return false;
}

static void device_evidence(struct strbuf *ev, const struct devices_node *d,
			    const struct engine_container *c)
{
	strbuf_addf(ev, "%s%s (%s %u:%u", ev->len ? "; " : "", d->path,
		    d->type == 'b' ? "block" : "char", d->major, d->minor);
	if (d->host_name)
		strbuf_addf(ev, ", the host's %s", d->host_name);
	strbuf_addf(ev, ", %s)", devices_class_name(d->cls));
	if (docker_lists_device(c, d->path))
		strbuf_adds(ev, ", Docker: --device");
}

/* The cgroup's rules decide where readable (v1); on v2 a BPF program holds
 * them, and a node the runtime made is taken as one it lets open. */
static bool device_open_allowed(const struct snapshot *s, const struct devices_node *d)
{
	return !s->cgroup.devices_list || cgroup_devices_allow(s->cgroup.devices_list, d->type, d->major,
								  d->minor);
}

static void check_devices(const struct engine_container *c, const struct snapshot *s,
			  struct audit_container *out)
{
	const char *list = s->cgroup.devices_list;
	bool mknod_any = list && cgroup_devices_allow_all(list, 'b') &&
			 mask_has(reachable_caps(s), CAP_MKNOD);
	enum audit_severity sev = AUDIT_MEDIUM;
	struct strbuf ev = STRBUF_INIT;
	const char *first = NULL;
	size_t denied = 0;

	if (s->devices.err)
		argv_pushf(&out->notes, "host-devices not checked: its /dev could not be read "
			   "through /proc/PID/root (%s)", strerror(s->devices.err));
	for (size_t i = 0; i < s->devices.n; i++) {
		const struct devices_node *d = &s->devices.v[i];
		if (d->cls == DEVICES_DEFAULT || d->cls == DEVICES_OTHER)
			continue;
		if (!device_open_allowed(s, d)) {
			denied++;
			continue;
		}
		device_evidence(&ev, d, c);
		if (d->cls == DEVICES_DISK || d->cls == DEVICES_MEMORY)
			sev = AUDIT_HIGH;
		if (!first)
			first = d->path;
	}
	if (mknod_any) {
		strbuf_addf(&ev, "%sdevices.list allows every block device and the process holds "
			    "cap_mknod: it can make a node for any host disk",
			    ev.len ? "; " : "");
		sev = AUDIT_HIGH;
	}
	if (!ev.len)
		return;
	if (list && denied)
		strbuf_addf(&ev, "; %zu more node%s present but denied by devices.list", denied,
			    denied > 1 ? "s" : "");
	else if (!list && s->devices.n)
		strbuf_adds(&ev, "; the device cgroup's rules are not readable here (cgroup v2: a "
				 "BPF program)");
	struct audit_finding *f = add_finding(out, "host-devices", sev);
	f->target = xstrdup(first ? first : "/dev");
	f->evidence = strbuf_detach(&ev);
}

static bool host_backed(const struct mount_entry *m)
{
	return m->host_path && !m->per_container && !m->fresh && m->kind != MOUNT_MASKED &&
	       m->kind != MOUNT_ROOTFS;
}

static bool shared_propagation(const struct mount_entry *m)
{
	return m->propagation && util_str_has_prefix(m->propagation, "shared");
}

static void check_propagation(const struct snapshot *s, struct audit_container *out)
{
	const struct mount_table *t = &s->mounts;
	bool sys_admin = mask_has(reachable_caps(s), CAP_SYS_ADMIN);

	for (size_t i = 0; i < t->n; i++) {
		const struct mount_entry *m = &t->v[i];
		bool folded = false;
		size_t below = 0;

		if (!host_backed(m) || !shared_propagation(m))
			continue;
		for (size_t j = 0; j < t->n && !folded; j++)
			folded = j != i && host_backed(&t->v[j]) && shared_propagation(&t->v[j]) &&
				 util_path_within(m->target, t->v[j].target) &&
				 (strcmp(m->target, t->v[j].target) != 0 || j < i);
		if (folded)
			continue;
		for (size_t j = 0; j < t->n; j++)
			below += j != i && host_backed(&t->v[j]) && shared_propagation(&t->v[j]) &&
				 util_path_within(t->v[j].target, m->target);
		struct strbuf ev = STRBUF_INIT;
		strbuf_addf(&ev, "%s (the host's %s) has propagation %s: a peer of the host's mount",
			    m->target, m->host_path, m->propagation);
		if (below)
			strbuf_addf(&ev, ", with %zu shared mount%s below it", below, below > 1 ? "s" : "");
		if (sys_admin)
			strbuf_adds(&ev, "; the process holds cap_sys_admin: what it mounts there "
					 "appears on the host");
		struct audit_finding *f =
			add_finding(out, "mount-propagation", sys_admin ? AUDIT_HIGH : AUDIT_MEDIUM);
		f->target = xstrdup(m->target);
		f->host_path = xstrdup(m->host_path);
		f->evidence = strbuf_detach(&ev);
	}
}

static void check_limit(const struct cgroup_limit *l, const char *check, const char *what,
			struct audit_container *out)
{
	if (l->state < 0) {
		argv_pushf(&out->notes, "%s not checked: %s", check, l->why ? l->why : "unknown");
		return;
	}
	if (l->state > 0)
		return;
	struct audit_finding *f = add_finding(out, check, AUDIT_LOW);
	f->evidence = xasprintf("%s: no %s limit, there or in a parent cgroup", l->file, what);
}

static const struct mount_entry *first_host_bind(const struct snapshot *s)
{
	for (size_t i = 0; i < s->mounts.n; i++) {
		const struct mount_entry *m = &s->mounts.v[i];
		if (host_backed(m) && (m->kind == MOUNT_HOST_BIND || m->kind == MOUNT_DOCKER_SOCKET))
			return m;
	}
	return NULL;
}

static void check_root_user(const struct snapshot *s, struct audit_container *out)
{
	const long *u = s->uid;
	const struct mount_entry *bind;

	if (u[0] < 0 && u[1] < 0)
		return;
	if (u[0] != 0 && u[1] != 0 && u[2] != 0)
		return;
	bind = first_host_bind(s);
	struct strbuf ev = STRBUF_INIT;
	strbuf_addf(&ev, "Uid: %ld %ld %ld %ld as the host sees it: root on the host (uid_map %s)",
		    u[0], u[1], u[2], u[3], s->uid_map && *s->uid_map ? s->uid_map : "unreadable");
	if (bind)
		strbuf_addf(&ev, "; %s is the host's %s: root writes there as the host's root",
			    bind->target, bind->host_path);
	struct audit_finding *f = add_finding(out, "root-user", bind ? AUDIT_MEDIUM : AUDIT_LOW);
	f->evidence = strbuf_detach(&ev);
}

/* ---- fixes and reasons ----------------------------------------------------- */

struct var {
	const char *key;
	const char *val;
};

static char *fill(const char *tpl, const struct var *vars, size_t n)
{
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = tpl; *p;) {
		const char *close = *p == '{' ? strchr(p, '}') : NULL;
		bool done = false;

		for (size_t i = 0; close && i < n && !done; i++) {
			size_t kl = strlen(vars[i].key);
			if ((size_t)(close - p - 1) == kl && strncmp(p + 1, vars[i].key, kl) == 0) {
				strbuf_adds(&sb, vars[i].val ? vars[i].val : "");
				p = close + 1;
				done = true;
			}
		}
		if (!done)
			strbuf_addc(&sb, *p++);
	}
	return strbuf_detach(&sb);
}

static void fill_fix(struct audit_finding *f)
{
	const struct ns_check *k = ns_check_of(f->check->name);
	cleanup_free char *caps = argv_join(&f->caps, ", ");
	uint64_t mask = 0;

	for (size_t i = 0; i < f->caps.n; i++) {
		int bit = caps_from_name(f->caps.v[i]);
		if (bit >= 0 && bit < 64)
			mask |= UINT64_C(1) << bit;
		else if (bit < 0 && isdigit((unsigned char)f->caps.v[i][0]))
			mask |= UINT64_C(1) << (strtoul(f->caps.v[i], NULL, 10) & 63);
	}
	cleanup_free char *dcaps = docker_cap_names(mask);
	const struct var vars[] = {
		{"target", f->target},
		{"host_path", f->host_path},
		{"caps", caps},
		{"docker_caps", dcaps},
		{"flag", k ? k->flag : ""},
	};
	f->fix = fill(f->check->fix, vars, ARRAY_SIZE(vars));
}

/* The fix as --explain gives it: there is no container, so each
 * placeholder is said in the words of what a finding will name. */
char *audit_explain_fix(const struct audit_check *c)
{
	static const struct {
		const char *check, *target, *host_path;
	} words[] = {
		{"docker-socket", "its path in the container",
		 "Docker socket (or of the directory that holds it)"},
		{"sensitive-mount", "its path in the container",
		 "directory that the finding names (/, /etc, /root, ...)"},
		{"host-devices", "for each device the finding names", NULL},
		{"mount-propagation", "the mount point the finding names", NULL},
	};
	const struct ns_check *k = ns_check_of(c->name);
	struct var vars[] = {
		{"target", "the path the finding names"},
		{"host_path", "path that the finding names"},
		{"caps", "the added capabilities"},
		{"docker_caps", "for each capability the finding names"},
		{"flag", k ? k->flag : ""},
	};

	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		if (strcmp(c->name, words[i].check) != 0)
			continue;
		vars[0].val = words[i].target;
		if (words[i].host_path)
			vars[1].val = words[i].host_path;
	}
	return fill(c->fix, vars, ARRAY_SIZE(vars));
}


static char *trimmed(const char *s)
{
	const char *end;

	while (*s && isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		end--;
	return xstrndup(s, (size_t)(end - s));
}

static void apply_reasons(const struct engine_container *c, struct audit_container *out,
			  bool lsm)
{
	if (!c)
		return;
	for (size_t i = 0; i < out->n; i++) {
		struct audit_finding *f = &out->v[i];
		cleanup_free char *key = xasprintf(AUDIT_REASON_PREFIX "%s", f->check->name);
		const char *v = engine_container_label(c, key);
		if (!v)
			continue;
		char *r = trimmed(v);
		if (!*r) {
			f->reason_blank = true;
			free(r);
			continue;
		}
		f->accepted = true;
		f->reason = r;
	}
	/* A reason that names no check, or a check with no finding, accepts
	 * nothing: say so, since a typo would otherwise pass unnoticed. */
	for (size_t i = 0; i < c->n_labels; i++) {
		const char *key = c->labels[i].key;
		const char *name;
		bool found = false;

		if (!util_str_has_prefix(key, AUDIT_REASON_PREFIX))
			continue;
		name = key + strlen(AUDIT_REASON_PREFIX);
		if (!audit_check_find(name)) {
			cleanup_free char *known = audit_check_names(", ");
			argv_pushf(&out->notes, "label %s names no check, so it accepts nothing (checks: %s)",
				   key, known);
			continue;
		}
		for (size_t j = 0; j < out->n && !found; j++)
			found = strcmp(out->v[j].check->name, name) == 0;
		if (found)
			continue;
		if (strcmp(name, "lsm-unconfined") == 0 && !lsm)
			argv_pushf(&out->notes, "label %s: lsm-unconfined is not checked on this host "
				   "(no LSM is enabled)", key);
		else
			argv_pushf(&out->notes, "label %s is set, but there is no %s finding: the reason "
				   "may be stale", key, name);
	}
}

/* ---- one container ---------------------------------------------------------- */

static void container_init(struct audit_container *out, const struct engine_container *c,
			   const char *fallback_id)
{
	memset(out, 0, sizeof(*out));
	out->id = xstrdup(c ? c->id : fallback_id ? fallback_id : "");
	out->name = xstrdup(c ? c->name : "");
	out->image = xstrdup(c ? c->image : "");
}

/* A restart policy brings the container back: between two runs it has no
 * process to read, yet it is deployed and its configuration is live, so it
 * is never "gone". */
static bool comes_back(const struct engine_container *c)
{
	const char *p = c->restart_policy ? c->restart_policy : "";

	return c->restarting || (*p && strcmp(p, "no") != 0);
}

static void docker_finding(struct audit_container *out, const char *check,
			   enum audit_severity sev, const char *what)
{
	struct audit_finding *f = add_finding(out, check, sev);

	f->evidence = xasprintf("from Docker's view; the process could not be read: %s", what);
}

/* What HostConfig alone shows, for a container whose process could not be
 * read: the kernel cannot confirm it, but a reviewer still sees the risk. */
static void docker_view(const struct engine_container *c, const struct host_ref *host,
			struct audit_container *out)
{
	if (c->privileged)
		docker_finding(out, "privileged", AUDIT_CRITICAL, "Docker's Privileged is true");
	for (size_t i = 0; i < ARRAY_SIZE(ns_checks); i++) {
		const struct ns_check *k = &ns_checks[i];
		const char *mode = *(char *const *)((const char *)c + k->mode);
		if (!mode || strcmp(mode, "host") != 0)
			continue;
		/* The host's cgroup namespace is Docker's default on cgroup v1. */
		bool v1 = strcmp(k->ns, "cgroup") == 0 && (!host || cgroup_host_version(&host->mounts) == 1);
		cleanup_free char *what = xasprintf("Docker says %s%s", k->flag,
						    v1 ? " (cgroup v1: Docker's default there)" : "");
		docker_finding(out, k->check, v1 ? AUDIT_INFO : audit_check_find(k->check)->severity,
			       what);
		out->v[out->n - 1].ns = k->ns;
	}
	if (c->cap_add.n && !c->privileged) {
		cleanup_free char *add = argv_join(&c->cap_add, " ");
		cleanup_free char *what = xasprintf("Docker: CapAdd [%s]", add);
		docker_finding(out, "extra-caps", AUDIT_HIGH, what);
	}
	for (size_t i = 0; i < c->n_mounts; i++) {
		const char *src = c->mounts[i].source ? c->mounts[i].source : "";
		const char *base = strrchr(src, '/');
		if (!base || strcmp(base, "/docker.sock") != 0)
			continue;
		cleanup_free char *what = xasprintf("Docker mounts %s at %s", src,
						    c->mounts[i].destination);
		docker_finding(out, "docker-socket", AUDIT_CRITICAL, what);
	}
	for (size_t i = 0; i < out->n; i++)
		fill_fix(&out->v[i]);
	apply_reasons(c, out, false);
}

/* The container exists but its process could not be read (t's error). */
static void unreadable(const struct engine_container *c, const struct err *te,
		       const struct host_ref *host, struct audit_container *out)
{
	container_init(out, c, NULL);
	/* Exited, or its process went away before it could be opened ("no
	 * process N"): gone, not an error, unless a restart policy brings it
	 * back. */
	if ((te->kind == ERR_EXITED || te->kind == ERR_INPUT) && !comes_back(c)) {
		out->gone = true;
		out->gone_why = xstrdup(te->msg);
		return;
	}
	if (te->kind == ERR_EXITED || te->kind == ERR_INPUT)
		out->error = xasprintf("%s; it is %s with restart policy \"%s\", so it runs again: "
				       "not a pass (audit again to read its process)",
				       te->msg, c->restarting ? "restarting" : c->status,
				       *c->restart_policy ? c->restart_policy : "no");
	else
		out->error = xstrdup(te->msg);
	docker_view(c, host, out);
}

void audit_evaluate(const struct engine_container *c, const struct snapshot *s,
		    const struct host_ref *host, const struct host_facts *hf,
		    struct audit_container *out)
{
	const struct ns_entry *user = ns_find(&s->ns, "user");

	container_init(out, c, s->container_id);
	out->uid_map = s->uid_map ? xstrdup(s->uid_map) : NULL;
	/* The kernel's namespace decides when it can be read; uid_map (readable
	 * without root) otherwise. */
	if (user && !user->err && user->shared >= 0)
		out->own_userns = user->shared == 0;
	else
		out->own_userns = s->uid_map && *s->uid_map && !uid_map_identity(s->uid_map);

	bool privileged = check_privileged(c, s, hf, out);
	check_namespaces(c, s, host, out);
	check_docker_socket(s, host, out);
	check_sensitive_mounts(c, s, out);
	/* Privileged covers these: one finding, one reason. */
	if (!privileged) {
		check_extra_caps(c, s, out);
		check_seccomp(c, s, out);
	}
	check_lsm(s, hf, out);
	check_nnp(s, out);
	check_rootfs(s, out);
	if (!privileged)
		check_devices(c, s, out);
	check_propagation(s, out);
	check_limit(&s->cgroup.memory, "no-memory-limit", "memory", out);
	check_limit(&s->cgroup.pids, "no-pids-limit", "pids", out);
	check_root_user(s, out);

	for (size_t i = 0; i < out->n; i++)
		fill_fix(&out->v[i]);
	apply_reasons(c, out, lsm_enabled(hf));
}

static struct audit_container *report_add(struct audit_report *r)
{
	r->v = xreallocarray(r->v, r->n + 1, sizeof(*r->v));
	memset(&r->v[r->n], 0, sizeof(r->v[0]));
	return &r->v[r->n++];
}

int audit_containers(struct engine *eng, const struct host_ref *host, const struct host_facts *hf,
		     char *const *names_or_ids, bool include_isolab, struct audit_report *r,
		     struct err *e)
{
	bool named = names_or_ids && names_or_ids[0];
	struct argv ids = ARGV_INIT, unknown = ARGV_INIT;
	struct target_set set;

	memset(r, 0, sizeof(*r));
	r->lsm = lsm_enabled(hf);
	if (!r->lsm)
		argv_push(&r->notes, "lsm-unconfined not checked: no LSM (AppArmor, SELinux) is enabled "
				     "on this host, so no container is confined by one");

	if (named)
		argv_push_all(&ids, names_or_ids);
	else if (engine_list_running(eng, &ids, e) < 0) {
		argv_free(&ids);
		return err_wrap(e, "listing the running containers");
	}
	if (!ids.n) {
		argv_free(&ids);
		return 0;
	}
	if (target_resolve(eng, ids.v, ids.n, host, &set, e) < 0) {
		target_set_free(&set);
		argv_free(&ids);
		return -1;
	}
	argv_free(&ids);

	for (size_t i = 0; i < set.n; i++) {
		const struct target *t = &set.v[i];
		const struct engine_container *c = t->docker;
		struct audit_container *out;

		if (!c && named) {
			argv_push(&unknown, t->spec);
			continue;
		}
		if (c && !named && !include_isolab && engine_container_label(c, SESSION_LABEL_SESSION)) {
			r->n_isolab++;
			continue;
		}
		out = report_add(r);
		if (!c) {
			/* Listed by docker ps, then removed before docker inspect. */
			container_init(out, NULL, t->spec);
			out->gone = true;
			out->gone_why = xstrdup("removed before isolab could inspect it");
			continue;
		}
		if (t->rc < 0) {
			unreadable(c, &t->err, host, out);
			continue;
		}
		audit_evaluate(c, &t->snap, host, hf, out);
	}
	target_set_free(&set);
	if (unknown.n) {
		cleanup_free char *list = argv_join(&unknown, ", ");
		argv_free(&unknown);
		return err_input(e, "no such container: %s", list);
	}
	audit_report_sort(r);
	return 0;
}

/* ---- order and status ---------------------------------------------------------- */
