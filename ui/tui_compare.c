/* tui_compare.c: the comparison, laid out from a step's JSON transcript
 * (step.h): each subject container beside the reference, biggest
 * differences first (capabilities with their risk notes, namespaces shared
 * with the host, host mounts and the Docker socket, seccomp, no_new_privs,
 * the LSM label); what Docker says against what the kernel says; every
 * probe and command with its proof; every expectation with its mark. The
 * differences are gathered into items first, then rendered: as columns
 * for a terminal, or one idea a page for a projector. */
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "report.h"
#include "tui.h"

/* --- JSON access: a transcript from another version may lack anything --- */

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static bool jtrue(json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

static long long jint(json_t *o, const char *key, long long dflt)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? json_integer_value(v) : dflt;
}

static json_t *jpath(json_t *o, const char *a, const char *b, const char *c)
{
	o = json_object_get(o, a);
	if (o && b)
		o = json_object_get(o, b);
	if (o && c)
		o = json_object_get(o, c);
	return o;
}

static bool names_has(json_t *arr, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(arr, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	return false;
}

/* --- the differences ----------------------------------------------------------- */

enum section {
	SEC_CAPS,
	SEC_NS,
	SEC_MOUNTS,
	SEC_SECURITY,
	SEC_COUNT
};

static const char *const section_titles[SEC_COUNT] = {
	[SEC_CAPS] = "Capabilities (effective set)",
	[SEC_NS] = "Namespaces",
	[SEC_MOUNTS] = "Mounts",
	[SEC_SECURITY] = "Seccomp, no_new_privs, LSM",
};

struct item {
	enum section sec;
	int weight;          /* how much it matters; 0: the same on both */
	enum tui_glyph mark; /* TG_ADDED, TG_REMOVED, TG_HOST, TG_WARN, TG_DOT */
	enum tui_color color;
	char *label;
	char *ref, *subj;
	enum tui_color ref_color, subj_color;
	char *note;  /* a second line: what it means */
	bool danger; /* a known way out of a container */
	char *said;  /* presentation: the idea in one sentence */
};

struct items {
	struct item *v;
	size_t n;
	struct argv info[SEC_COUNT]; /* lines that are not differences */
};

static struct item *item_new(struct items *it, enum section sec, int weight)
{
	struct item *i;

	it->v = xreallocarray(it->v, it->n + 1, sizeof(*it->v));
	i = &it->v[it->n++];
	memset(i, 0, sizeof(*i));
	i->sec = sec;
	i->weight = weight;
	i->mark = TG_DOT;
	i->color = TC_NORMAL;
	i->ref_color = i->subj_color = TC_NORMAL;
	return i;
}

static void items_free(struct items *it)
{
	for (size_t i = 0; i < it->n; i++) {
		free(it->v[i].label);
		free(it->v[i].ref);
		free(it->v[i].subj);
		free(it->v[i].note);
		free(it->v[i].said);
	}
	free(it->v);
	for (int s = 0; s < SEC_COUNT; s++)
		argv_free(&it->info[s]);
	memset(it, 0, sizeof(*it));
}

/* More than this many plain capabilities go on one line. */
#define GROUP_OVER 4

static int cap_bit(const char *name)
{
	int b = caps_from_name(name);

	if (b < 0 && name[0] >= '0' && name[0] <= '9')
		b = atoi(name);
	return b;
}

/* n capabilities, said right for one. */
static char *caps_count(size_t n)
{
	return xasprintf("%zu capabilit%s", n, n == 1 ? "y" : "ies");
}

/* The bounding row: where the step is about the bounding set (lesson:
 * true) always, each side's size with what differs; elsewhere only when
 * it differs otherwise than the effective set does. */
static void gather_bounding(struct items *it, json_t *ref, json_t *subj, json_t *diff, bool lesson)
{
	json_t *added = jpath(diff, "caps", "effective", "added");
	json_t *removed = jpath(diff, "caps", "effective", "removed");
	json_t *b_added = jpath(diff, "caps", "bounding", "added");
	json_t *b_removed = jpath(diff, "caps", "bounding", "removed");
	json_t *rb = jpath(ref, "caps", "bounding", "names");
	json_t *sb = jpath(subj, "caps", "bounding", "names");
	bool same = !json_array_size(b_added) && !json_array_size(b_removed);

	if (!lesson && json_equal(b_added, added) && json_equal(b_removed, removed))
		return;
	struct item *x = item_new(it, SEC_CAPS, lesson ? 30 : 5);
	x->label = xstrdup("bounding set");
	x->ref = json_is_array(rb) ? caps_count(json_array_size(rb)) : xstrdup("");
	x->subj = json_is_array(sb) ? caps_count(json_array_size(sb))
				    : xasprintf("%zu more, %zu fewer", json_array_size(b_added),
						json_array_size(b_removed));
	x->mark = same ? TG_OK : json_array_size(b_added) ? TG_ADDED : TG_REMOVED;
	x->color = same ? TC_DIM : json_array_size(b_added) ? TC_ADDED : TC_REMOVED;
	x->note = same ? xstrdup("the ceiling: the most a program run here could ever gain; "
				 "the same on both")
		       : xasprintf("the ceiling: the most a program run here could ever gain; "
				   "%zu more, %zu fewer than the reference's",
				   json_array_size(b_added), json_array_size(b_removed));
	x->said = xasprintf("bounding set: %s", x->subj);
}

static void gather_caps(struct items *it, json_t *ref, json_t *subj, json_t *diff, bool bounding)
{
	json_t *added = jpath(diff, "caps", "effective", "added");
	json_t *removed = jpath(diff, "caps", "effective", "removed");
	json_t *ref_names = jpath(ref, "caps", "effective", "names");
	json_t *subj_names = jpath(subj, "caps", "effective", "names");
	size_t i, both = 0;
	json_t *v;

	struct strbuf rest = STRBUF_INIT;
	size_t n_rest = 0, n_plain = 0;

	/* Each dangerous one on its own line, with its note; the others
	 * alone only while they are few. */
	json_array_foreach(added, i, v) {
		const char *name = json_string_value(v);
		int bit = name ? cap_bit(name) : -1;
		const struct caps_note *note = bit >= 0 ? caps_note((unsigned)bit) : NULL;
		n_plain += name && !(note && note->dangerous);
	}
	json_array_foreach(added, i, v) {
		const char *name = json_string_value(v);
		int bit;
		const struct caps_note *note;
		struct item *x;

		if (!name)
			continue;
		bit = cap_bit(name);
		note = bit >= 0 ? caps_note((unsigned)bit) : NULL;
		if (!(note && note->dangerous) && n_plain > GROUP_OVER) {
			strbuf_addf(&rest, "%s%s", rest.len ? " " : "", name);
			n_rest++;
			continue;
		}
		x = item_new(it, SEC_CAPS, note && note->dangerous ? 80 : 30);
		x->mark = TG_ADDED;
		x->color = TC_ADDED;
		x->label = xstrdup(name);
		x->ref = xstrdup("lacks it");
		x->subj = xstrdup("HAS IT");
		x->subj_color = TC_ADDED;
		x->danger = note && note->dangerous;
		if (note)
			x->note = xstrdup(note->note);
		x->said = note ? xasprintf("%s: %s", name, note->note) : xstrdup(name);
	}
	if (n_rest) {
		struct item *x = item_new(it, SEC_CAPS, 30);
		x->mark = TG_ADDED;
		x->color = TC_ADDED;
		x->label = xasprintf("%zu more", n_rest);
		x->ref = xstrdup("lacks them");
		x->subj = xstrdup("HAS THEM");
		x->subj_color = TC_ADDED;
		x->note = strbuf_detach(&rest);
		x->said = xasprintf("%zu more capabilities", n_rest);
	}
	strbuf_release(&rest);
	if (json_array_size(removed) > GROUP_OVER) {
		struct item *x = item_new(it, SEC_CAPS, 10);
		json_array_foreach(removed, i, v)
			if (json_is_string(v))
				strbuf_addf(&rest, "%s%s", rest.len ? " " : "", json_string_value(v));
		x->mark = TG_REMOVED;
		x->color = TC_REMOVED;
		x->label = xasprintf("%zu dropped", json_array_size(removed));
		x->ref = xstrdup("has them");
		x->subj = xstrdup("lacks them");
		x->subj_color = TC_REMOVED;
		x->note = strbuf_detach(&rest);
		x->said = xasprintf("%zu capabilities dropped", json_array_size(removed));
	} else {
		json_array_foreach(removed, i, v) {
			const char *name = json_string_value(v);
			struct item *x;

			if (!name)
				continue;
			x = item_new(it, SEC_CAPS, 10);
			x->mark = TG_REMOVED;
			x->color = TC_REMOVED;
			x->label = xstrdup(name);
			x->ref = xstrdup("has it");
			x->subj = xstrdup("lacks it");
			x->subj_color = TC_REMOVED;
			x->said = xasprintf("%s dropped", name);
		}
	}
	json_array_foreach(ref_names, i, v)
		if (json_is_string(v) && names_has(subj_names, json_string_value(v)))
			both++;
	if (json_is_array(ref_names) && json_is_array(subj_names))
		argv_pushf(&it->info[SEC_CAPS], "%zu held by both; the reference holds %zu, the "
			   "subject %zu",
			   both, json_array_size(ref_names), json_array_size(subj_names));
	gather_bounding(it, ref, subj, diff, bounding);
}

static int ns_weight(const char *ns)
{
	static const struct {
		const char *ns;
		int w;
	} t[] = {
		{"user", 90}, {"mnt", 85}, {"pid", 75}, {"net", 70},
		{"ipc", 55},  {"uts", 40}, {"cgroup", 35}, {"time", 20},
	};
	for (size_t i = 0; i < ARRAY_SIZE(t); i++)
		if (strcmp(t[i].ns, ns) == 0)
			return t[i].w;
	return 20;
}

/* 1 shared with the host, 0 its own, -1 unknown. */
static int ns_shared(json_t *snap, const char *ns)
{
	json_t *v = jpath(snap, "namespaces", ns, "shared_with_host");
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

static const char *ns_word(int shared)
{
	return shared > 0 ? "HOST'S" : shared == 0 ? "its own" : "unreadable";
}

static void gather_ns(struct items *it, json_t *ref, json_t *subj)
{
	json_t *nss = json_object_get(subj, "namespaces");
	struct strbuf own = STRBUF_INIT, host = STRBUF_INIT;
	const char *ns;
	json_t *v;

	json_object_foreach(nss, ns, v) {
		int a = ns_shared(ref, ns), b = ns_shared(subj, ns);
		const char *base = NULL;
		struct item *x;

		/* pid_for_children and time_for_children follow their base. */
		if (strcmp(ns, "pid_for_children") == 0)
			base = "pid";
		else if (strcmp(ns, "time_for_children") == 0)
			base = "time";
		if (base && ns_shared(ref, base) == a && ns_shared(subj, base) == b)
			continue;
		if (a == b) {
			if (!base)
				strbuf_addf(a > 0 ? &host : &own, "%s%s", (a > 0 ? host : own).len ? " " : "",
					    ns);
			continue;
		}
		x = item_new(it, SEC_NS, a == b ? 5 : b > 0 ? ns_weight(base ? base : ns) : 10);
		x->mark = b > 0 ? TG_HOST : TG_DOT;
		x->color = b > 0 ? TC_SHARED : TC_NORMAL;
		x->label = xstrdup(ns);
		x->ref = xstrdup(ns_word(a));
		x->ref_color = a > 0 ? TC_SHARED : TC_NORMAL;
		x->subj = xstrdup(ns_word(b));
		x->subj_color = b > 0 ? TC_SHARED : TC_NORMAL;
		x->note = xstrdup(report_ns_meaning(ns));
		x->danger = b > 0 && a <= 0 && ns_weight(ns) >= 70;
		x->said = b > 0 ? xasprintf("shares the host's %s namespace: %s", ns,
					    report_ns_meaning(ns))
				: xasprintf("has its own %s namespace", ns);
	}
	if (own.len)
		argv_pushf(&it->info[SEC_NS], "their own on both: %s", strbuf_str(&own));
	if (host.len)
		argv_pushf(&it->info[SEC_NS], "the host's on both: %s", strbuf_str(&host));
	strbuf_release(&own);
	strbuf_release(&host);
}

static char *mount_desc(json_t *m)
{
	const char *kind = jstr(m, "kind");
	bool ro = jtrue(m, "read_only");

	if (!kind)
		return xstrdup("?");
	if (strcmp(kind, "host-bind") == 0)
		return xstrdup(ro ? "host bind, read-only" : "host bind, WRITABLE");
	if (strcmp(kind, "docker-socket") == 0)
		return xstrdup(ro ? "Docker socket (:ro)" : "Docker socket");
	return xasprintf("%s%s", kind, ro ? ", read-only" : ", writable");
}

static int mount_weight(json_t *m)
{
	const char *kind = jstr(m, "kind");
	bool ro = jtrue(m, "read_only"), sensitive = jtrue(m, "sensitive");

	if (!kind)
		return 5;
	if (strcmp(kind, "docker-socket") == 0)
		return 100;
	if (strcmp(kind, "host-bind") == 0)
		return sensitive ? (ro ? 75 : 90) : (ro ? 40 : 50);
	if (strcmp(kind, "masked") == 0)
		return 35;
	if (strcmp(kind, "sys") == 0 || strcmp(kind, "proc") == 0)
		return 40;
	if (strcmp(kind, "dev") == 0)
		return 45;
	return 5;
}

static char *mount_label(json_t *m)
{
	const char *target = jstr(m, "target"), *host = jstr(m, "host_path");

	if (host)
		return xasprintf("%s %s host %s", target ? target : "?", tui_glyph(TG_ARROW), host);
	return xstrdup(target ? target : "?");
}

static char *mount_note(json_t *m)
{
	const char *kind = jstr(m, "kind");

	if (kind && strcmp(kind, "docker-socket") == 0)
		return xstrdup(jtrue(m, "read_only")
				       ? "read-only stops writes to the socket file, not API calls: "
					 "the container can start a privileged sibling"
				       : "the Docker API: the container can start a privileged "
					 "sibling with the host's / mounted");
	if (kind && strcmp(kind, "host-bind") == 0 && jtrue(m, "sensitive"))
		return xstrdup(jtrue(m, "read_only") ? "a sensitive host path, readable"
						     : "a sensitive host path, writable: a way "
						       "to change the host");
	if (kind && strcmp(kind, "masked") == 0)
		return xstrdup("Docker hides this path by default");
	return NULL;
}

static void gather_one_mount(struct items *it, json_t *a, json_t *b)
{
	json_t *m = b ? b : a;
	struct item *x = item_new(it, SEC_MOUNTS, mount_weight(m));
	const char *kind = jstr(m, "kind");
	const char *host = jstr(m, "host_path");

	x->label = mount_label(m);
	x->ref = a ? mount_desc(a) : xstrdup("not mounted");
	x->subj = b ? mount_desc(b) : xstrdup("not mounted");
	x->mark = !a ? TG_ADDED : !b ? TG_REMOVED : TG_WARN;
	x->color = !a ? TC_ADDED : !b ? TC_REMOVED : TC_WARN;
	x->subj_color = b && x->weight >= 40 ? TC_ADDED : TC_NORMAL;
	x->note = b ? mount_note(b) : NULL;
	x->danger = b && kind &&
		    (strcmp(kind, "docker-socket") == 0 ||
		     (strcmp(kind, "host-bind") == 0 && jtrue(b, "sensitive")));
	if (!a && kind && strcmp(kind, "docker-socket") == 0)
		x->said = xasprintf("the Docker socket is mounted at %s%s", jstr(m, "target"),
				    jtrue(m, "read_only") ? " (:ro, still the full API)" : "");
	else if (!a && host)
		x->said = xasprintf("the host's %s is mounted at %s, %s", host, jstr(m, "target"),
				    jtrue(m, "read_only") ? "read-only" : "writable");
	else if (!b && kind && strcmp(kind, "masked") == 0)
		x->said = xasprintf("%s is no longer masked", jstr(m, "target"));
	else
		x->said = xasprintf("%s: %s", x->label, x->subj);
}

/* Docker's own plumbing (/etc/hosts and the like) is no host mount a
 * learner chose. */
static bool docker_plumbing(json_t *m)
{
	const char *hp = jstr(m, "host_path");
	return hp && (strstr(hp, "/var/lib/docker/containers/") ||
		      strstr(hp, "/var/lib/docker/overlay2/") ||
		      util_str_has_prefix(hp, "/sys/fs/cgroup/"));
}

static void gather_mounts(struct items *it, json_t *diff)
{
	json_t *only_a = jpath(diff, "mounts", "only_in_a", NULL);
	json_t *only_b = jpath(diff, "mounts", "only_in_b", NULL);
	json_t *changed = jpath(diff, "mounts", "changed", NULL);
	size_t i;
	json_t *v;

	struct strbuf unmasked = STRBUF_INIT;
	size_t n_unmasked = 0;

	/* A container's own files under Docker's data differ by nature. */
	json_array_foreach(only_b, i, v)
		if (!docker_plumbing(v))
			gather_one_mount(it, NULL, v);
	/* Masked in the reference only: the subject sees what Docker hides. */
	json_array_foreach(only_a, i, v) {
		const char *kind = jstr(v, "kind");
		if (kind && strcmp(kind, "masked") == 0) {
			strbuf_addf(&unmasked, "%s%s", unmasked.len ? " " : "", jstr(v, "target"));
			n_unmasked++;
		} else if (!docker_plumbing(v)) {
			gather_one_mount(it, v, NULL);
		}
	}
	if (n_unmasked) {
		struct item *x = item_new(it, SEC_MOUNTS, 35);
		x->mark = TG_WARN;
		x->color = TC_WARN;
		x->label = n_unmasked == 1 ? xstrdup(strbuf_str(&unmasked))
					   : xasprintf("%zu paths Docker masks", n_unmasked);
		x->ref = xstrdup("masked");
		x->subj = xstrdup("VISIBLE");
		x->subj_color = TC_WARN;
		x->note = n_unmasked == 1 ? xstrdup("a kernel file Docker hides by default")
					  : xasprintf("kernel files Docker hides by default: %s",
						      strbuf_str(&unmasked));
		x->said = xasprintf("%zu kernel path%s Docker masks %s visible", n_unmasked,
				    n_unmasked == 1 ? "" : "s", n_unmasked == 1 ? "is" : "are");
	}
	strbuf_release(&unmasked);
	json_array_foreach(changed, i, v)
		gather_one_mount(it, json_object_get(v, "a"), json_object_get(v, "b"));
	if (!json_array_size(only_a) && !json_array_size(only_b) && !json_array_size(changed))
		argv_push(&it->info[SEC_MOUNTS], "the same mounts on both");
}

static void gather_security(struct items *it, json_t *ref, json_t *subj)
{
	const char *sa = jstr(ref, "seccomp"), *sb = jstr(subj, "seccomp");
	const char *la = jstr(ref, "lsm"), *lb = jstr(subj, "lsm");
	bool na = jtrue(ref, "no_new_privs"), nb = jtrue(subj, "no_new_privs");
	struct item *x;
	bool same;

	same = sa && sb && strcmp(sa, sb) == 0;
	x = item_new(it, SEC_SECURITY, same ? 0 : (sb && strcmp(sb, "disabled") == 0) ? 60 : 20);
	x->label = xstrdup("seccomp");
	x->ref = xasprintf("%s", sa ? sa : "?");
	x->subj = xasprintf("%s", sb ? sb : "?");
	if (!same) {
		x->mark = TG_WARN;
		x->color = TC_WARN;
		x->subj_color = TC_WARN;
		if (sb && strcmp(sb, "disabled") == 0) {
			x->note = xstrdup("no system call filter: every call the capabilities allow "
					  "reaches the kernel");
			x->said = xstrdup("seccomp is off: no system call filter");
		} else {
			x->said = xasprintf("seccomp: %s, not %s", sb ? sb : "?", sa ? sa : "?");
		}
	}

	x = item_new(it, SEC_SECURITY, na == nb ? 0 : 15);
	x->label = xstrdup("no_new_privs");
	x->ref = xstrdup(na ? "set" : "not set");
	x->subj = xstrdup(nb ? "set" : "not set");
	if (na != nb) {
		x->mark = TG_WARN;
		x->color = TC_WARN;
		x->note = xstrdup(nb ? "set-user-ID programs cannot gain privileges"
				     : "set-user-ID programs can gain privileges");
		x->said = xasprintf("no_new_privs is %s", nb ? "set" : "not set");
	}

	same = (!la && !lb) || (la && lb && strcmp(la, lb) == 0);
	x = item_new(it, SEC_SECURITY, same ? 0 : (lb && strstr(lb, "unconfined")) ? 40 : 30);
	x->label = xstrdup("LSM label");
	x->ref = xstrdup(la ? la : "none");
	x->subj = xstrdup(lb ? lb : "none");
	if (!same) {
		x->mark = TG_WARN;
		x->color = TC_WARN;
		x->said = xasprintf("LSM label: %s, not %s", lb ? lb : "none", la ? la : "none");
	}
}

static int cmp_items(const void *pa, const void *pb)
{
	const struct item *a = pa, *b = pb;

	if (a->sec != b->sec)
		return (int)a->sec - (int)b->sec;
	return b->weight - a->weight;
}

/* Sections ordered by their biggest difference. */
static void section_order(const struct items *it, enum section order[SEC_COUNT])
{
	int best[SEC_COUNT] = {0};

	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].weight > best[it->v[i].sec])
			best[it->v[i].sec] = it->v[i].weight;
	for (int s = 0; s < SEC_COUNT; s++)
		order[s] = (enum section)s;
	for (int i = 1; i < SEC_COUNT; i++)
		for (int j = i; j > 0 && best[order[j]] > best[order[j - 1]]; j--) {
			enum section t = order[j];
			order[j] = order[j - 1];
			order[j - 1] = t;
		}
}

static json_t *container_at(json_t *tr, json_t *which)
{
	json_t *cs = json_object_get(tr, "containers");
	size_t i;
	json_t *c;

	if (json_is_integer(which))
		return json_array_get(cs, (size_t)json_integer_value(which));
	if (!json_is_string(which))
		return NULL;
	json_array_foreach(cs, i, c) {
		const char *n = jstr(c, "name"), *dn = jstr(c, "docker_name");
		if ((n && strcmp(n, json_string_value(which)) == 0) ||
		    (dn && strcmp(dn, json_string_value(which)) == 0))
			return c;
	}
	return NULL;
}

static const char *cname(json_t *c)
{
	const char *n = jstr(c, "name");
	return n ? n : jstr(c, "docker_name") ? jstr(c, "docker_name") : "?";
}

/* --- layout helpers --------------------------------------------------------------- */

/* Add text to l clipped or padded to exactly w columns. */
static void cell(struct tui_line *l, const char *text, int w, enum tui_color c)
{
	int tw = tui_width(text);

	if (w <= 0)
		return;
	if (tw <= w) {
		tui_line_add(l, text, c);
		if (w - tw > 0) {
			char *pad = xmalloc((size_t)(w - tw) + 1);
			memset(pad, ' ', (size_t)(w - tw));
			pad[w - tw] = '\0';
			tui_line_add(l, pad, TC_NORMAL);
			free(pad);
		}
		return;
	}
	/* Clip: keep w - 1 columns and an ellipsis. */
	{
		const char *ell = tui_glyph(TG_ELLIPSIS);
		int ew = tui_width(ell);
		size_t len = strlen(text), cut = 0;
		while (cut < len) {
			size_t n = 1;
			while (cut + n < len && ((unsigned char)text[cut + n] & 0xc0) == 0x80)
				n++;
			if (tui_nwidth(text, cut + n) > w - ew)
				break;
			cut += n;
		}
		tui_line_addn(l, text, cut, c);
		tui_line_add(l, ell, TC_DIM);
		for (int pad = tui_nwidth(text, cut) + ew; pad < w; pad++)
			tui_line_add(l, " ", TC_NORMAL);
	}
}

/* How much of text starts the next line of a w-column cell: up to a space
 * or a '/' that fits (a word or a path component is not split), else as
 * many characters as fit. */
static size_t fit_piece(const char *text, int w)
{
	size_t len = strlen(text), cut = 0, brk = 0;

	while (cut < len) {
		size_t n = 1;
		while (cut + n < len && ((unsigned char)text[cut + n] & 0xc0) == 0x80)
			n++;
		if (tui_nwidth(text, cut + n) > w)
			break;
		cut += n;
		if (text[cut - 1] == ' ' || text[cut - 1] == '/')
			brk = cut;
	}
	if (cut == len || text[cut] == ' ')
		return cut;
	if (brk)
		return brk;
	return cut ? cut : len;
}

/* One cell of a row that wraps: its text, its width, the gap after it. */
struct rcell {
	const char *text;
	int w, gap;
	enum tui_color c;
};

#define ROW_MAX_CELLS 4

/* A table row whose cells wrap inside their columns instead of ending in
 * an ellipsis: a cell's text carries the lesson ("host bind, read-only"). */
static void wrapped_row(struct tui_doc *d, int indent, const struct rcell *cells, size_t n)
{
	const char *rest[ROW_MAX_CELLS];
	bool more = true;

	if (n > ROW_MAX_CELLS)
		n = ROW_MAX_CELLS;
	for (size_t i = 0; i < n; i++)
		rest[i] = cells[i].text ? cells[i].text : "";
	while (more) {
		struct tui_line *l = tui_doc_line(d, indent);
		more = false;
		for (size_t i = 0; i < n; i++) {
			size_t k = fit_piece(rest[i], cells[i].w);
			cleanup_free char *piece = xstrndup(rest[i], k);
			cell(l, piece, cells[i].w, cells[i].c);
			for (int g = 0; g < cells[i].gap; g++)
				tui_line_add(l, " ", TC_NORMAL);
			rest[i] += k;
			while (*rest[i] == ' ')
				rest[i]++;
			more |= *rest[i] != '\0';
		}
	}
}

static void heading(struct tui_doc *d, const char *text, int indent, bool anchor)
{
	struct tui_line *l = tui_doc_line(d, indent);
	tui_line_add(l, text, TC_HEADING);
	l->anchor = anchor;
}

static const char *mark_of(const struct item *x)
{
	return tui_glyph(x->mark);
}

/* --- the normal view ----------------------------------------------------------------- */

static void render_items(struct tui_doc *d, struct items *it, const char *ref_name,
			 const char *subj_name, int width)
{
	enum section order[SEC_COUNT];
	int lw, cw;

	qsort(it->v, it->n, sizeof(*it->v), cmp_items);
	section_order(it, order);
	/* Columns: mark, label, the reference, the subject. */
	lw = width * 2 / 5;
	if (lw < 26)
		lw = 26;
	cw = (width - 4 - lw - 4) / 2;
	if (cw < 12)
		cw = 12;
	for (int si = 0; si < SEC_COUNT; si++) {
		enum section s = order[si];
		bool any = false;
		struct tui_line *l;

		for (size_t i = 0; i < it->n; i++)
			any |= it->v[i].sec == s;
		if (!any && !it->info[s].n)
			continue;
		l = tui_doc_line(d, 2);
		cell(l, section_titles[s], lw + 3, TC_STRONG);
		cell(l, ref_name, cw, TC_DIM);
		tui_line_add(l, "  ", TC_NORMAL);
		cell(l, subj_name, cw, TC_DIM);
		for (size_t i = 0; i < it->n; i++) {
			const struct item *x = &it->v[i];
			if (x->sec != s)
				continue;
			const struct rcell row[] = {
				{x->weight ? mark_of(x) : " ", 2, 0, x->color},
				{x->label, lw - 2, 2, x->weight >= 30 ? TC_STRONG : TC_NORMAL},
				{x->ref, cw, 2, x->ref_color},
				{x->subj, cw, 0, x->subj_color},
			};
			wrapped_row(d, 3, row, sizeof(row) / sizeof(row[0]));
			if (x->note || x->danger) {
				struct tui_para p = {NULL, 0};
				if (x->danger)
					tui_para_word(&p, x->sec == SEC_CAPS  ? "! way out:"
							  : x->sec == SEC_NS ? "! the host's:"
									     : "! risk:",
						      TC_DANGER);
				if (x->note)
					tui_para_add(&p, x->note, TC_DIM);
				tui_para_flush(&p, d, width, 7, 7);
			}
		}
		for (size_t i = 0; i < it->info[s].n; i++) {
			l = tui_doc_line(d, 5);
			tui_line_add(l, it->info[s].v[i], TC_DIM);
		}
		tui_doc_blank(d);
	}
}

static void render_privileged(struct tui_doc *d, json_t *tr, int width, bool present)
{
	json_t *cs = json_object_get(tr, "containers");
	size_t i, j;
	json_t *c, *v;

	json_array_foreach(cs, i, c) {
		json_t *pv = json_object_get(c, "privileged");
		struct tui_line *l;
		cleanup_free char *repl = NULL;
		struct argv words = ARGV_INIT;

		if (!json_is_object(pv) || !jtrue(pv, "approximated"))
			continue;
		if (present)
			tui_doc_page(d);
		{
			struct tui_para p = {NULL, 0};
			cleanup_free char *say = xasprintf(
				"--privileged was approximated for %s: this host cannot grant every "
				"capability.",
				cname(c));
			tui_para_word(&p, tui_glyph(TG_WARN), TC_WARN);
			tui_para_add(&p, say, TC_WARN);
			tui_para_flush(&p, d, width, 1, 3);
		}
		if (present)
			tui_doc_blank(d);
		json_array_foreach(json_object_get(pv, "replacement"), j, v)
			if (json_is_string(v))
				argv_push(&words, json_string_value(v));
		if (words.n && !present) {
			repl = util_argv_to_shell(words.v);
			l = tui_doc_line(d, 4);
			tui_line_add(l, "ran instead: ", TC_STRONG);
			tui_doc_command(d, repl, width, 6);
		}
		argv_free(&words);
		l = tui_doc_line(d, 4);
		tui_line_add(l, "left out:", TC_STRONG);
		json_array_foreach(json_object_get(pv, "left_out"), j, v) {
			struct tui_para p = {NULL, 0};
			if (!json_is_string(v))
				continue;
			tui_para_word(&p, tui_glyph(TG_REMOVED), TC_WARN);
			tui_para_add(&p, json_string_value(v), TC_NORMAL);
			tui_para_flush(&p, d, width, 6, 8);
			if (present)
				tui_doc_blank(d);
		}
		tui_doc_blank(d);
	}
}

static void render_docker_kernel(struct tui_doc *d, json_t *tr, int width)
{
	json_t *cs = json_object_get(tr, "containers");
	size_t i, j, n_dis = 0;
	json_t *c, *v;

	heading(d, "What Docker says, and what the kernel says", 1, true);
	json_array_foreach(cs, i, c) {
		json_t *insp = json_object_get(c, "inspect");
		json_t *dk = json_object_get(insp, "docker");
		struct strbuf said = STRBUF_INIT, seen = STRBUF_INIT;
		json_t *add = json_object_get(dk, "cap_add"), *drop = json_object_get(dk, "cap_drop");
		json_t *binds = json_object_get(dk, "binds");
		struct tui_para p = {NULL, 0};
		struct tui_line *l;

		if (!json_is_object(insp))
			continue;
		l = tui_doc_line(d, 3);
		tui_line_add(l, cname(c), TC_STRONG);
		if (json_is_object(dk)) {
			strbuf_addf(&said, "privileged=%s", jtrue(dk, "privileged") ? "true" : "false");
			if (json_array_size(add)) {
				strbuf_adds(&said, "; cap_add");
				json_array_foreach(add, j, v)
					strbuf_addf(&said, " %s", json_string_value(v));
			}
			if (json_array_size(drop)) {
				strbuf_adds(&said, "; cap_drop");
				json_array_foreach(drop, j, v)
					strbuf_addf(&said, " %s", json_string_value(v));
			}
			if (jstr(dk, "pid_mode") && *jstr(dk, "pid_mode"))
				strbuf_addf(&said, "; pid=%s", jstr(dk, "pid_mode"));
			json_array_foreach(binds, j, v)
				strbuf_addf(&said, "; -v %s", json_string_value(v));
			tui_para_word(&p, "Docker:", TC_DIM);
			tui_para_add(&p, strbuf_str(&said), TC_NORMAL);
			tui_para_flush(&p, d, width, 5, 13);
		}
		{
			json_t *eff = jpath(insp, "caps", "effective", "names");
			json_t *beyond = jpath(insp, "caps", "added_vs_docker_default", NULL);
			const char *ns;
			json_t *nv;
			struct strbuf host = STRBUF_INIT;

			strbuf_addf(&seen, "%zu capabilit%s (%zu beyond Docker's default)",
				    json_array_size(eff), json_array_size(eff) == 1 ? "y" : "ies",
				    json_array_size(beyond));
			json_object_foreach(json_object_get(insp, "namespaces"), ns, nv)
				if (json_is_true(json_object_get(nv, "shared_with_host")) &&
				    !strstr(ns, "_for_children"))
					strbuf_addf(&host, "%s%s", host.len ? " " : "", ns);
			strbuf_addf(&seen, "; host namespaces: %s", host.len ? strbuf_str(&host) : "none");
			strbuf_addf(&seen, "; seccomp %s", jstr(insp, "seccomp") ? jstr(insp, "seccomp") : "?");
			strbuf_release(&host);
			tui_para_word(&p, "kernel:", TC_DIM);
			tui_para_add(&p, strbuf_str(&seen), TC_NORMAL);
			tui_para_flush(&p, d, width, 5, 13);
		}
		json_array_foreach(json_object_get(insp, "disagreements"), j, v) {
			n_dis++;
			l = tui_doc_line(d, 5);
			tui_line_add(l, tui_glyph(TG_FAIL), TC_FAIL);
			tui_line_add(l, " they disagree", TC_FAIL);
			if (jstr(v, "check"))
				tui_line_addf(l, TC_DIM, " (%s)", jstr(v, "check"));
			tui_para_word(&p, "Docker says:", TC_STRONG);
			tui_para_add(&p, jstr(v, "docker"), TC_NORMAL);
			tui_para_flush(&p, d, width, 7, 9);
			tui_para_word(&p, "the kernel says:", TC_STRONG);
			tui_para_add(&p, jstr(v, "kernel"), TC_NORMAL);
			tui_para_flush(&p, d, width, 7, 9);
			if (jstr(v, "why")) {
				tui_para_word(&p, "why it matters:", TC_STRONG);
				tui_para_add(&p, jstr(v, "why"), TC_WARN);
				tui_para_flush(&p, d, width, 7, 9);
			}
		}
		strbuf_release(&said);
		strbuf_release(&seen);
	}
	if (!n_dis) {
		struct tui_line *l = tui_doc_line(d, 3);
		tui_line_add(l, tui_glyph(TG_OK), TC_OK);
		tui_line_add(l, " Docker and the kernel agree on every container of this step.",
			     TC_NORMAL);
	}
	tui_doc_blank(d);
}

static enum tui_color result_color(const char *r)
{
	if (!r)
		return TC_DIM;
	if (strcmp(r, "allowed") == 0)
		return TC_ADDED;
	if (strcmp(r, "denied") == 0)
		return TC_REMOVED;
	return TC_WARN;
}

static enum tui_glyph result_mark(const char *r)
{
	if (!r)
		return TG_DOT;
	if (strcmp(r, "allowed") == 0)
		return TG_ADDED;
	if (strcmp(r, "denied") == 0)
		return TG_REMOVED;
	return TG_WARN;
}

/* The proof an action carries: the probe's "output", else the first lines
 * of its stdout. */
static char *action_proof(json_t *a)
{
	json_t *probe = json_object_get(a, "probe");
	const char *out = jstr(probe, "output");
	const char *so = jstr(a, "stdout");

	if (out && *out)
		return xstrdup(out);
	if (!json_is_object(probe) && so && *so) {
		size_t len = strlen(so);
		while (len && (so[len - 1] == '\n' || so[len - 1] == ' '))
			len--;
		if (len > 400)
			len = 400;
		return xstrndup(so, len);
	}
	return NULL;
}

/* Whether an expectation that held says this action's output holds the
 * canary's nonce: then its output is the canary, read through the escape. */
static bool canary_read(json_t *tr, const char *id)
{
	size_t i, n;
	json_t *x;

	if (!id)
		return false;
	n = strlen(id);
	json_array_foreach(json_object_get(tr, "expectations"), i, x) {
		const char *text = jstr(x, "text");
		if (jtrue(x, "held") && text && strncmp(text, id, n) == 0 && text[n] == ':' &&
		    strstr(text, "canary"))
			return true;
	}
	return false;
}

static void render_actions(struct tui_doc *d, json_t *tr, int width)
{
	json_t *acts = json_object_get(tr, "actions");
	size_t i;
	json_t *a;

	if (!json_array_size(acts))
		return;
	heading(d, "What the probes and commands found", 1, true);
	json_array_foreach(acts, i, a) {
		const char *res = jstr(a, "result");
		cleanup_free char *proof = action_proof(a);
		struct tui_para p = {NULL, 0};
		struct tui_line *l = tui_doc_line(d, 3);

		tui_line_add(l, tui_glyph(result_mark(res)), result_color(res));
		tui_line_addf(l, result_color(res), " %-8s ", res ? res : "?");
		tui_line_add(l, jstr(a, "id"), TC_STRONG);
		if (jstr(a, "kind"))
			tui_line_addf(l, TC_DIM, "  (%s%s%s)", jstr(a, "kind"),
				      jstr(a, "in") ? " in " : "", jstr(a, "in") ? jstr(a, "in") : "");
		if (jstr(a, "command"))
			tui_doc_command(d, jstr(a, "command"), width, 7);
		if (jstr(a, "detail")) {
			tui_para_add(&p, jstr(a, "detail"), TC_NORMAL);
			tui_para_flush(&p, d, width, 7, 7);
		}
		if (proof) {
			tui_para_word(&p, canary_read(tr, jstr(a, "id")) ? "the canary, read from the host:"
									 : "proof:",
				      TC_PROOF);
			tui_para_add(&p, proof, TC_PROOF);
			tui_para_flush(&p, d, width, 7, 9);
		}
		if (jstr(a, "error")) {
			tui_para_word(&p, "error:", TC_FAIL);
			tui_para_add(&p, jstr(a, "error"), TC_NORMAL);
			tui_para_flush(&p, d, width, 7, 9);
		}
	}
	tui_doc_blank(d);
}

static void render_expectations(struct tui_doc *d, json_t *tr, int width, bool failed_only)
{
	json_t *ex = json_object_get(tr, "expectations");
	size_t i;
	json_t *x;

	json_array_foreach(ex, i, x) {
		bool held = jtrue(x, "held");
		struct tui_para p = {NULL, 0};

		if (failed_only && held)
			continue;
		tui_para_word(&p, tui_glyph(held ? TG_OK : TG_FAIL), held ? TC_OK : TC_FAIL);
		tui_para_add(&p, jstr(x, "text"), TC_NORMAL);
		if (!held && jstr(x, "seen")) {
			tui_para_word(&p, "seen:", TC_FAIL);
			tui_para_add(&p, jstr(x, "seen"), TC_NORMAL);
		}
		tui_para_flush(&p, d, width, 3, 5);
		if (jstr(x, "why")) {
			tui_para_add(&p, jstr(x, "why"), TC_DIM);
			tui_para_flush(&p, d, width, 5, 5);
		}
	}
}

char *tui_compare_summary(json_t *tr, bool *all_held)
{
	json_t *ex = json_object_get(tr, "expectations");
	size_t total = json_array_size(ex), held = 0, i;
	json_t *x;
	const char *err = jstr(tr, "error");
	long long ms = jint(tr, "elapsed_ms", -1);
	struct strbuf sb = STRBUF_INIT;

	json_array_foreach(ex, i, x)
		held += jtrue(x, "held");
	*all_held = !err && held == total;
	if (err)
		strbuf_addf(&sb, "The step could not run to the end: %s", err);
	else if (total)
		strbuf_addf(&sb, "%zu of %zu expectations held", held, total);
	else
		strbuf_adds(&sb, "The step ran to the end");
	if (ms >= 0)
		strbuf_addf(&sb, " (%lld.%lld s)", ms / 1000, (ms % 1000) / 100);
	return strbuf_detach(&sb);
}

static void render_summary(struct tui_doc *d, json_t *tr, int width, bool present)
{
	bool ok;
	cleanup_free char *sum = tui_compare_summary(tr, &ok);
	struct tui_para p = {NULL, 0};

	tui_para_word(&p, tui_glyph(ok ? TG_OK : TG_FAIL), ok ? TC_OK : TC_FAIL);
	tui_para_add(&p, sum, ok ? TC_OK : TC_FAIL);
	tui_para_flush(&p, d, width, 1, 3);
	{
		size_t i;
		json_t *c;
		json_array_foreach(json_object_get(tr, "containers"), i, c)
			if (jstr(c, "error")) {
				tui_para_word(&p, tui_glyph(TG_FAIL), TC_FAIL);
				tui_para_word(&p, cname(c), TC_STRONG);
				tui_para_add(&p, jstr(c, "error"), TC_NORMAL);
				tui_para_flush(&p, d, width, 3, 5);
			}
	}
	if (!present)
		tui_doc_blank(d);
}

/* --- the presentation view: one idea a page --------------------------------------------- */

#define PRESENT_ITEMS 4

static void present_items(struct tui_doc *d, struct items *it, const char *ref_name,
			  const char *subj_name, int width)
{
	size_t shown = 0, rest = 0;
	struct tui_line *l;
	struct item **v = xcalloc(it->n + 1, sizeof(*v));
	size_t n = 0;
	bool big = false;
	int least;

	/* No big difference: the small ones are then the lesson (no_new_privs
	 * set), never "no difference" where the normal view shows one. */
	for (size_t i = 0; i < it->n; i++)
		big = big || it->v[i].weight >= 30;
	least = big ? 30 : 1;
	for (size_t i = 0; i < it->n; i++)
		if (it->v[i].weight >= least)
			v[n++] = &it->v[i];
	/* Biggest first, whatever the section. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && v[j]->weight > v[j - 1]->weight; j--) {
			struct item *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	tui_doc_page(d);
	l = tui_doc_line(d, 2);
	tui_line_addf(l, TC_HEADING, "%s, compared with %s", subj_name, ref_name);
	l->anchor = true;
	tui_doc_blank(d);
	if (!n) {
		l = tui_doc_line(d, 4);
		tui_line_add(l, "No difference that matters.", TC_NORMAL);
	}
	for (size_t i = 0; i < n; i++) {
		struct tui_para p = {NULL, 0};

		if (shown == PRESENT_ITEMS) {
			rest = n - i;
			break;
		}
		if (shown && shown % 2 == 0 && i + 1 < n) {
			/* Two ideas a page, so they can be read from the back. */
			tui_doc_page(d);
			l = tui_doc_line(d, 2);
			tui_line_addf(l, TC_HEADING, "%s, compared with %s (continued)", subj_name,
				      ref_name);
			tui_doc_blank(d);
		}
		tui_para_word(&p, tui_glyph(v[i]->mark), v[i]->color);
		tui_para_add(&p, v[i]->said ? v[i]->said : v[i]->label, TC_NORMAL);
		tui_para_flush(&p, d, width, 4, 6);
		if (v[i]->danger) {
			l = tui_doc_line(d, 6);
			tui_line_add(l, "! a known way out of a container", TC_DANGER);
		}
		tui_doc_blank(d);
		shown++;
	}
	if (rest) {
		l = tui_doc_line(d, 4);
		tui_line_addf(l, TC_DIM, "%s %zu more: P leaves presentation mode for every detail",
			      tui_glyph(TG_ELLIPSIS), rest);
	}
	free(v);
}

static void present_proof(struct tui_doc *d, json_t *tr, int width)
{
	json_t *acts = json_object_get(tr, "actions");
	size_t i;
	json_t *a;
	int n = 0;

	if (!json_array_size(acts))
		return;
	json_array_foreach(acts, i, a) {
		const char *res = jstr(a, "result");
		cleanup_free char *proof = action_proof(a);
		struct tui_para p = {NULL, 0};

		if (n % 2 == 0) {
			struct tui_line *l;
			tui_doc_page(d);
			l = tui_doc_line(d, 2);
			tui_line_add(l, "The proof", TC_HEADING);
			l->anchor = true;
			tui_doc_blank(d);
		}
		n++;
		tui_para_word(&p, tui_glyph(result_mark(res)), result_color(res));
		tui_para_word(&p, jstr(a, "id") ? jstr(a, "id") : "?", TC_STRONG);
		tui_para_add(&p, res ? res : "?", result_color(res));
		tui_para_flush(&p, d, width, 4, 6);
		if (proof) {
			tui_doc_blank(d);
			if (canary_read(tr, jstr(a, "id")))
				tui_para_word(&p, "the canary, read from the host:", TC_PROOF);
			tui_para_add(&p, proof, TC_PROOF);
			tui_para_flush(&p, d, width, 6, 6);
		} else if (jstr(a, "detail")) {
			tui_doc_blank(d);
			tui_para_add(&p, jstr(a, "detail"), TC_NORMAL);
			tui_para_flush(&p, d, width, 6, 6);
		}
		tui_doc_blank(d);
	}
}


/* --- each container alone: what the kernel says, against Docker's default --- */

static void names_para(struct tui_para *p, json_t *names, enum tui_glyph mark, enum tui_color c,
		       bool notes)
{
	size_t i;
	json_t *v;

	json_array_foreach(names, i, v) {
		const char *name = json_string_value(v);
		int bit;
		const struct caps_note *note;
		cleanup_free char *word = NULL;

		if (!name)
			continue;
		bit = cap_bit(name);
		note = bit >= 0 ? caps_note((unsigned)bit) : NULL;
		word = xasprintf("%s%s", tui_glyph(mark), name);
		tui_para_word(p, word, c);
		if (notes && note && note->dangerous)
			tui_para_word(p, "(! way out)", TC_DANGER);
	}
}

/* A row's label, padded so that the rows' text starts in one column. */
static void label(struct tui_para *p, const char *text, bool present)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%-*s", present ? 0 : 13, text);
	tui_para_add_code(p, buf, TC_DIM);
	if (present)
		tui_para_add(p, ": ", TC_DIM);
}

/* Move every line of src to the end of d. */
static void doc_move(struct tui_doc *d, struct tui_doc *src)
{
	for (size_t i = 0; i < src->n; i++) {
		struct tui_line *l = tui_doc_line(d, 0);
		bool page = l->page_break;
		*l = src->v[i];
		l->page_break |= page;
	}
	free(src->v);
	memset(src, 0, sizeof(*src));
}

/* How much each row of a container's own view matters, to put the
 * biggest first. */
static int caps_row_weight(json_t *added)
{
	size_t i;
	json_t *v;
	int w = json_array_size(added) ? 30 : 0;

	json_array_foreach(added, i, v) {
		int bit = json_string_value(v) ? cap_bit(json_string_value(v)) : -1;
		const struct caps_note *n = bit >= 0 ? caps_note((unsigned)bit) : NULL;
		if (n && n->dangerous)
			w = 80;
	}
	return w;
}

static int ns_row_weight(json_t *insp)
{
	const char *ns;
	json_t *v;
	int w = 0;

	/* cgroup, time and user are the host's in a default container too
	 * (no cgroup or user namespace): only the others tell. */
	json_object_foreach(json_object_get(insp, "namespaces"), ns, v)
		if (json_is_true(json_object_get(v, "shared_with_host")) && strcmp(ns, "cgroup") &&
		    strcmp(ns, "time") && strcmp(ns, "user") && !strstr(ns, "_for_children") &&
		    ns_weight(ns) > w)
			w = ns_weight(ns);
	return w;
}

static int mounts_row_weight(json_t *insp, size_t masked)
{
	size_t i;
	json_t *v;
	int w = masked ? 0 : 35;

	json_array_foreach(json_object_get(insp, "mounts"), i, v) {
		const char *kind = jstr(v, "kind");
		if (!kind || docker_plumbing(v))
			continue;
		if ((strcmp(kind, "docker-socket") == 0 || strcmp(kind, "host-bind") == 0) &&
		    mount_weight(v) > w)
			w = mount_weight(v);
	}
	return w;
}

/* Whether every capability missing from the effective set is still in the
 * bounding set: then nothing was dropped, the process is simply not root
 * (a --user container), and a setuid-root program would regain them. */
static bool dropped_but_bounded(json_t *insp, json_t *dropped)
{
	json_t *bnd = jpath(insp, "caps", "bounding", "names");
	size_t i, j;
	json_t *v, *b;

	json_array_foreach(dropped, i, v) {
		bool found = false;

		json_array_foreach(bnd, j, b)
			if (json_equal(v, b))
				found = true;
		if (!found)
			return false;
	}
	return true;
}

static const char *dropped_label(json_t *insp, json_t *dropped, bool after_added)
{
	if (dropped_but_bounded(insp, dropped))
		return after_added ? "; not effective, still in the bounding set:"
				   : " not effective (not root), still in the bounding set:";
	return after_added ? "; dropped from it:" : " dropped from Docker's default:";
}

static void render_kernel_view(struct tui_doc *d, json_t *c, int width, bool present)
{
	json_t *insp = json_object_get(c, "inspect");
	json_t *eff = jpath(insp, "caps", "effective", "names");
	json_t *added = jpath(insp, "caps", "added_vs_docker_default", NULL);
	json_t *dropped = jpath(insp, "caps", "dropped_vs_docker_default", NULL);
	struct strbuf own = STRBUF_INIT, host = STRBUF_INIT, binds = STRBUF_INIT;
	struct tui_para p = {NULL, 0};
	struct tui_line *l;
	size_t i, masked = 0;
	const char *ns;
	json_t *v;
	int lab = present ? 4 : 5, body = present ? 6 : 18;
	struct tui_doc rows[4] = {{0}};
	int w[4] = {0}, order[4];

	l = tui_doc_line(d, present ? 2 : 3);
	tui_line_add(l, cname(c), present ? TC_HEADING : TC_STRONG);
	if (jtrue(c, "reference"))
		tui_line_add(l, " (the reference)", TC_DIM);
	if (!present && json_is_integer(json_object_get(insp, "pid")))
		tui_line_addf(l, TC_DIM, "  host pid %lld", jint(insp, "pid", 0));
	if (present)
		tui_doc_blank(d);

	/* Capabilities: the full effective set, then what differs from Docker's. */
	label(&p, "capabilities", present);
	if (!json_array_size(added) && !json_array_size(dropped)) {
		tui_para_add(&p, "Docker's default set:", TC_NORMAL);
		if (!present) {
			json_array_foreach(eff, i, v)
				tui_para_word(&p, json_string_value(v), TC_NORMAL);
		} else {
			tui_para_add(&p, " 14 capabilities, no more", TC_NORMAL);
		}
	} else {
		struct strbuf head = STRBUF_INIT;
		strbuf_addf(&head, "%zu effective;", json_array_size(eff));
		tui_para_add(&p, strbuf_str(&head), TC_NORMAL);
		strbuf_release(&head);
		if (json_array_size(added)) {
			tui_para_add(&p, " beyond Docker's default:", TC_NORMAL);
			names_para(&p, added, TG_ADDED, TC_ADDED, true);
		}
		if (json_array_size(dropped)) {
			tui_para_add(&p, dropped_label(insp, dropped, json_array_size(added) != 0), TC_NORMAL);
			names_para(&p, dropped, TG_REMOVED, TC_REMOVED, false);
		}
	}
	tui_para_flush(&p, &rows[0], width, lab, body);
	w[0] = caps_row_weight(added);


	json_object_foreach(json_object_get(insp, "namespaces"), ns, v) {
		json_t *sh = json_object_get(v, "shared_with_host");
		if (strstr(ns, "_for_children"))
			continue;
		if (json_is_true(sh))
			strbuf_addf(&host, "%s%s%s", host.len ? " " : "", tui_glyph(TG_HOST), ns);
		else if (json_is_false(sh))
			strbuf_addf(&own, "%s%s", own.len ? " " : "", ns);
	}
	label(&p, "namespaces", present);
	if (own.len) {
		tui_para_add(&p, "its own: ", TC_NORMAL);
		tui_para_add(&p, strbuf_str(&own), TC_NORMAL);
	}
	if (host.len) {
		tui_para_add(&p, own.len ? "; the host's: " : "the host's: ", TC_NORMAL);
		tui_para_add(&p, strbuf_str(&host), TC_SHARED);
	}
	tui_para_flush(&p, &rows[1], width, lab, body);
	w[1] = ns_row_weight(insp);


	json_array_foreach(json_object_get(insp, "mounts"), i, v) {
		const char *kind = jstr(v, "kind");
		if (!kind)
			continue;
		if (strcmp(kind, "masked") == 0)
			masked++;
		if (docker_plumbing(v))
			continue;
		if (strcmp(kind, "docker-socket") == 0)
			strbuf_addf(&binds, "%sthe Docker socket at %s%s", binds.len ? "; " : "",
				    jstr(v, "target"), jtrue(v, "read_only") ? " (:ro, still the API)" : "");
		else if (strcmp(kind, "host-bind") == 0)
			strbuf_addf(&binds, "%s%s %s host %s, %s%s", binds.len ? "; " : "",
				    jstr(v, "target"), tui_glyph(TG_ARROW), jstr(v, "host_path"),
				    jtrue(v, "read_only") ? "read-only" : "writable",
				    jtrue(v, "sensitive") ? " (sensitive)" : "");
	}
	label(&p, "mounts", present);
	if (binds.len)
		tui_para_add(&p, strbuf_str(&binds), TC_ADDED);
	else
		tui_para_add(&p, "no host directory", TC_NORMAL);
	if (masked && !present) {
		cleanup_free char *m = xasprintf("; %zu paths masked by Docker", masked);
		tui_para_add(&p, m, TC_NORMAL);
	} else if (!masked) {
		tui_para_add(&p, "; nothing masked", TC_WARN);
	}
	tui_para_flush(&p, &rows[2], width, lab, body);
	w[2] = mounts_row_weight(insp, masked);


	{
		cleanup_free char *sec = xasprintf("seccomp %s%s, no_new_privs %s, LSM %s",
						   jstr(insp, "seccomp") ? jstr(insp, "seccomp") : "?",
						   jstr(insp, "seccomp") &&
								   strcmp(jstr(insp, "seccomp"), "disabled") == 0
							   ? " (no system call filter)"
							   : "",
						   jtrue(insp, "no_new_privs") ? "set" : "not set",
						   jstr(insp, "lsm") ? jstr(insp, "lsm") : "none");
		label(&p, "security", present);
		tui_para_add(&p, sec, TC_NORMAL);
		tui_para_flush(&p, &rows[3], width, lab, body);
		w[3] = jstr(insp, "seccomp") && strcmp(jstr(insp, "seccomp"), "disabled") == 0 ? 60 : 0;
	}
	/* Biggest first; the order above where they weigh the same. */
	for (int k = 0; k < 4; k++)
		order[k] = k;
	for (int a = 1; a < 4; a++)
		for (int b = a; b > 0 && w[order[b]] > w[order[b - 1]]; b--) {
			int tmp = order[b];
			order[b] = order[b - 1];
			order[b - 1] = tmp;
		}
	for (int k = 0; k < 4; k++) {
		doc_move(d, &rows[order[k]]);
		if (present)
			tui_doc_blank(d);
	}
	strbuf_release(&own);
	strbuf_release(&host);
	strbuf_release(&binds);
}

/* The namespace inodes of each container beside the host's, as
 * `ls -l /proc/PID/ns` prints them: the same number is the same namespace. */
static void render_inodes(struct tui_doc *d, json_t *tr, int width)
{
	size_t i;
	json_t *c;
	int cw = (width - 6 - 20) / 3;

	if (cw < 12)
		cw = 12;
	json_array_foreach(json_object_get(tr, "containers"), i, c) {
		json_t *nss = jpath(c, "inspect", "namespaces", NULL);
		const char *ns;
		json_t *v;

		if (!json_object_size(nss))
			continue;
		cleanup_free char *title = xasprintf("%s: its namespace inodes beside the host's",
						     cname(c));
		heading(d, title, 1, false);
		const struct rcell head[] = {{"namespace", 18, 2, TC_STRONG},
					     {"the host's", cw, 2, TC_DIM},
					     {cname(c), cw, 2, TC_DIM},
					     {"", cw, 0, TC_DIM}};
		wrapped_row(d, 3, head, ARRAY_SIZE(head));
		json_object_foreach(nss, ns, v) {
			json_t *hi = json_object_get(v, "host_inode");
			bool shared = json_is_true(json_object_get(v, "shared_with_host"));
			if (strstr(ns, "_for_children"))
				continue;
			cleanup_free char *hs = json_is_integer(hi)
							? xasprintf("%s:[%lld]", ns, json_integer_value(hi))
							: xstrdup("?");
			cleanup_free char *cs = xasprintf("%s:[%lld]", ns, jint(v, "inode", 0));
			const struct rcell row[] = {
				{ns, 18, 2, TC_NORMAL},
				{hs, cw, 2, TC_NORMAL},
				{cs, cw, 2, shared ? TC_SHARED : TC_NORMAL},
				{shared ? "the same: the host's" : "its own", cw, 0,
				 shared ? TC_SHARED : TC_DIM},
			};
			wrapped_row(d, 3, row, ARRAY_SIZE(row));
		}
		tui_doc_blank(d);
	}
}

/* The step's review as `isolab audit` prints it: per container, each
 * finding's check, severity, status (OPEN or accepted) and the reason an
 * accepted one gives (an open one: its evidence). */
static void render_audit(struct tui_doc *d, json_t *tr, int width)
{
	json_t *audit = json_object_get(tr, "audit");
	int sw = 9, stw = 9, cw = 24, rw = width - 3 - cw - 2 - sw - 2 - stw - 2;
	size_t i, j;
	json_t *c, *f;

	if (!json_array_size(audit))
		return;
	if (rw < 16)
		rw = 16;
	heading(d, "The review, as isolab audit prints it", 1, true);
	const struct rcell head[] = {{"CHECK", cw, 2, TC_DIM},
				     {"SEVERITY", sw, 2, TC_DIM},
				     {"STATUS", stw, 2, TC_DIM},
				     {"REASON (accepted) / EVIDENCE (open)", rw, 0, TC_DIM}};
	wrapped_row(d, 3, head, ARRAY_SIZE(head));
	json_array_foreach(audit, i, c) {
		struct tui_line *l = tui_doc_line(d, 2);
		tui_line_add(l, jstr(c, "name") ? jstr(c, "name") : "?", TC_STRONG);
		if (!json_array_size(json_object_get(c, "findings"))) {
			l = tui_doc_line(d, 3);
			tui_line_add(l, "no finding", TC_DIM);
		}
		json_array_foreach(json_object_get(c, "findings"), j, f) {
			bool ok = jtrue(f, "accepted");
			const char *why = ok ? jstr(f, "reason") : jstr(f, "evidence");
			const struct rcell row[] = {
				{jstr(f, "check") ? jstr(f, "check") : "?", cw, 2, TC_NORMAL},
				{jstr(f, "severity") ? jstr(f, "severity") : "?", sw, 2,
				 ok ? TC_DIM : TC_DANGER},
				{ok ? "accepted" : "OPEN", stw, 2, ok ? TC_ADDED : TC_DANGER},
				{why ? why : "", rw, 0, TC_DIM},
			};
			wrapped_row(d, 3, row, ARRAY_SIZE(row));
		}
	}
	tui_doc_blank(d);
}

static void render_kernel_views(struct tui_doc *d, json_t *tr, int width, bool present)
{
	json_t *cs = json_object_get(tr, "containers");
	size_t i;
	json_t *c;
	bool any = false;

	json_array_foreach(cs, i, c) {
		if (!json_is_object(json_object_get(c, "inspect")))
			continue;
		if (present) {
			tui_doc_page(d);
			struct tui_line *l = tui_doc_line(d, 2);
			tui_line_add(l, "What the kernel says", TC_HEADING);
			l->anchor = true;
			tui_doc_blank(d);
		} else if (!any) {
			heading(d, "What the kernel says, container by container", 1, true);
		}
		any = true;
		render_kernel_view(d, c, width, present);
		if (!present)
			tui_doc_blank(d);
	}
}

/* Presentation: each disagreement on a page of its own. */
static void present_disagreements(struct tui_doc *d, json_t *tr, int width)
{
	size_t i, j;
	json_t *c, *v;

	json_array_foreach(json_object_get(tr, "containers"), i, c)
		json_array_foreach(jpath(c, "inspect", "disagreements", NULL), j, v) {
			struct tui_para p = {NULL, 0};
			struct tui_line *l;

			tui_doc_page(d);
			l = tui_doc_line(d, 2);
			tui_line_addf(l, TC_HEADING, "%s: Docker and the kernel disagree", cname(c));
			l->anchor = true;
			tui_doc_blank(d);
			tui_para_word(&p, "Docker says:", TC_STRONG);
			tui_para_add(&p, jstr(v, "docker"), TC_NORMAL);
			tui_para_flush(&p, d, width, 4, 6);
			tui_doc_blank(d);
			tui_para_word(&p, "The kernel says:", TC_STRONG);
			tui_para_add(&p, jstr(v, "kernel"), TC_NORMAL);
			tui_para_flush(&p, d, width, 4, 6);
			tui_doc_blank(d);
			if (jstr(v, "why")) {
				tui_para_word(&p, tui_glyph(TG_WARN), TC_WARN);
				tui_para_add(&p, jstr(v, "why"), TC_WARN);
				tui_para_flush(&p, d, width, 4, 6);
			}
		}
}

/* --- entry ------------------------------------------------------------------------------- */

void tui_compare_doc(struct tui_doc *d, json_t *tr, const struct tui_compare_opts *o)
{
	json_t *cmps = json_object_get(tr, "comparisons");
	int width = o->width;
	size_t i;
	json_t *cmp;

	if (o->present) {
		struct tui_line *l = tui_doc_line(d, 2);
		tui_line_add(l, "Result", TC_HEADING);
		tui_doc_blank(d);
	}
	render_summary(d, tr, width, o->present);
	if (o->present) {
		bool ok;
		free(tui_compare_summary(tr, &ok));
		if (!ok) {
			tui_doc_blank(d);
			render_expectations(d, tr, width, true);
		}
	}
	render_privileged(d, tr, width, o->present);

	json_array_foreach(cmps, i, cmp) {
		json_t *rc = container_at(tr, json_object_get(cmp, "reference"));
		json_t *sc = container_at(tr, json_object_get(cmp, "subject"));
		json_t *ri = json_object_get(rc, "inspect"), *si = json_object_get(sc, "inspect");
		json_t *diff = json_object_get(cmp, "diff");
		struct items it;
		char *title;

		if (!rc || !sc)
			continue;
		memset(&it, 0, sizeof(it));
		gather_caps(&it, ri, si, diff, o->bounding);
		gather_ns(&it, ri, si);
		gather_mounts(&it, diff);
		gather_security(&it, ri, si);
		if (o->present) {
			present_items(d, &it, cname(rc), cname(sc), width);
		} else {
			title = xasprintf("%s compared with %s, the reference", cname(sc), cname(rc));
			heading(d, title, 1, true);
			free(title);
			render_items(d, &it, cname(rc), cname(sc), width);
		}
		items_free(&it);
	}
	if (o->present) {
		if (!json_array_size(cmps))
			render_kernel_views(d, tr, width, true);
		if (o->inodes)
			render_inodes(d, tr, width);
		render_audit(d, tr, width);
		present_disagreements(d, tr, width);
		present_proof(d, tr, width);
		return;
	}
	render_kernel_views(d, tr, width, false);
	if (o->inodes)
		render_inodes(d, tr, width);
	render_audit(d, tr, width);
	render_docker_kernel(d, tr, width);
	render_actions(d, tr, width);
	if (json_array_size(json_object_get(tr, "expectations"))) {
		heading(d, "Expectations", 1, true);
		render_expectations(d, tr, width, false);
		tui_doc_blank(d);
	}
	if (json_array_size(json_object_get(tr, "removed"))) {
		struct tui_para p = {NULL, 0};
		size_t j;
		json_t *v;
		tui_para_add(&p, "Removed at the end of the step:", TC_DIM);
		json_array_foreach(json_object_get(tr, "removed"), j, v)
			tui_para_word(&p, json_string_value(v), TC_DIM);
		tui_para_flush(&p, d, width, 1, 3);
	}
}
