/* test_privileged.c: the --privileged decision on a host that can grant
 * every capability (a workshop VM) and on one that cannot (this sandbox):
 * unchanged flags, the approximation spelled exactly, the rest of the argv
 * untouched, and what is left out said in sentences. */
#include "testutil.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "host.h"
#include "privileged.h"

#define HOST_FIXTURES FIXTURES "/host"
#define AV(a) ((char *const *)(a))
#define REQ(...) privileged_is_requested(AV(((const char *[]){__VA_ARGS__})))

static const char *const approx_sandbox[] = {
	"--cap-add",      "ALL",
	"--cap-drop",     "SYS_RESOURCE",
	"--security-opt", "seccomp=unconfined",
	"--security-opt", "apparmor=unconfined",
	"--security-opt", "systempaths=unconfined",
	"--device-cgroup-rule", "a *:* rwm",
};

static const char *const left_out_sandbox[] = {
	"cap_sys_resource: this host's bounding set does not have it, so no container here can "
	"get it",
	"/sys stays read-only (privileged mounts it read-write)",
	"host devices are not pre-created in /dev (with the device cgroup open, a process with "
	"cap_mknod can create them)",
	"the engine may grant fewer capabilities with --cap-add ALL than the kernel has (Docker "
	"20.10 with runc 1.1 grants 0-37 only): isolab's snapshot shows what was really granted",
};

static void load(const char *name, struct host_facts *h)
{
	struct err e = {0};
	char root[256];

	snprintf(root, sizeof(root), HOST_FIXTURES "/%s", name);
	if (host_facts_load(h, root, &e) < 0)
		fail_msg("host_facts_load(%s): %s", root, e.msg);
}

static void assert_argv(const struct argv *a, const char *const *want, size_t n)
{
	assert_non_null(a->v);
	if (a->n != n) {
		for (size_t i = 0; i < a->n; i++)
			print_message("  got[%zu] %s\n", i, a->v[i]);
		fail_msg("%zu words, want %zu", a->n, n);
	}
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a->v[i], want[i]);
	assert_null(a->v[n]);
}

/* flags in, the plan's flags must be the same words. */
static void assert_unchanged(const char *const *flags, const struct privileged_plan *p)
{
	size_t n = 0;

	while (flags && flags[n])
		n++;
	assert_argv(&p->flags, flags, n);
	assert_false(p->approximated);
	assert_int_equal(p->replacement.n, 0);
	assert_non_null(p->replacement.v);
	assert_int_equal(p->left_out.n, 0);
	assert_true(p->dropped == 0);
}

static void plan_ok(const char *const *flags, const struct host_facts *h, struct privileged_plan *p)
{
	struct err e = {0};

	if (privileged_plan(AV(flags), h, p, &e) < 0)
		fail_msg("privileged_plan: %s", e.msg);
}

static void not_requested(void **state)
{
	(void)state;
	static const char *const names[] = {"workshop-vm", "this-machine"};
	const char *flags[] = {"--cap-add", "NET_ADMIN", "-v", "/etc:/host/etc:ro", NULL};
	const char *off[] = {"--pid=host", "--privileged=false", NULL};

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		struct host_facts h;
		struct privileged_plan p;

		load(names[i], &h);
		plan_ok(flags, &h, &p);
		assert_false(p.requested);
		assert_unchanged(flags, &p);
		privileged_plan_free(&p);

		/* --privileged=false is passed on as it is. */
		plan_ok(off, &h, &p);
		assert_false(p.requested);
		assert_unchanged(off, &p);
		privileged_plan_free(&p);

		/* No flags at all: an empty argv, still NULL-terminated. */
		plan_ok(NULL, &h, &p);
		assert_false(p.requested);
		assert_unchanged(NULL, &p);
		privileged_plan_free(&p);
		host_facts_free(&h);
	}
}

static void workshop_vm_real_flag(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	const char *flags[] = {"--pid=host", "--privileged", "-v", "/:/host", NULL};
	const char *flags_true[] = {"--privileged=true", NULL};

	load("workshop-vm", &h);
	assert_true(h.can_grant_all);
	plan_ok(flags, &h, &p);
	assert_true(p.requested);
	assert_unchanged(flags, &p);
	privileged_plan_free(&p);

	plan_ok(flags_true, &h, &p);
	assert_true(p.requested);
	assert_unchanged(flags_true, &p);
	privileged_plan_free(&p);
	host_facts_free(&h);
}

static void sandbox_approximation(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	const char *flags[] = {"--pid=host", "--privileged", "-v", "/:/host", "--label", "x=y", NULL};
	char *copy[ARRAY_SIZE(flags)];
	struct argv want = ARGV_INIT;

	memcpy(copy, flags, sizeof(flags));
	load("this-machine", &h);
	plan_ok(flags, &h, &p);
	assert_true(p.requested);
	assert_true(p.approximated);
	assert_argv(&p.replacement, approx_sandbox, ARRAY_SIZE(approx_sandbox));
	assert_argv(&p.left_out, left_out_sandbox, ARRAY_SIZE(left_out_sandbox));
	assert_true(p.dropped == (UINT64_C(1) << 24));

	/* The replacement stands where --privileged stood; nothing else moves. */
	argv_push(&want, "--pid=host");
	for (size_t i = 0; i < ARRAY_SIZE(approx_sandbox); i++)
		argv_push(&want, approx_sandbox[i]);
	argv_push_all(&want, AV(((const char *[]){"-v", "/:/host", "--label", "x=y", NULL})));
	assert_argv(&p.flags, (const char *const *)want.v, want.n);
	argv_free(&want);
	/* The caller's argv is not touched. */
	assert_memory_equal(copy, flags, sizeof(flags));
	privileged_plan_free(&p);

	/* The shell form a learner sees quotes the device rule as one word. */
	{
		struct argv a = ARGV_INIT;
		for (size_t i = 0; i < ARRAY_SIZE(approx_sandbox); i++)
			argv_push(&a, approx_sandbox[i]);
		cleanup_free char *shown = util_argv_to_shell(a.v);
		assert_non_null(strstr(shown, "--device-cgroup-rule 'a *:* rwm'"));
		argv_free(&a);
	}
	host_facts_free(&h);
}

static void privileged_true_spelling(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	const char *flags[] = {"--privileged=true", "--rm", NULL};

	load("this-machine", &h);
	plan_ok(flags, &h, &p);
	assert_true(p.approximated);
	assert_int_equal(p.flags.n, ARRAY_SIZE(approx_sandbox) + 1);
	for (size_t i = 0; i < ARRAY_SIZE(approx_sandbox); i++)
		assert_string_equal(p.flags.v[i], approx_sandbox[i]);
	assert_string_equal(p.flags.v[ARRAY_SIZE(approx_sandbox)], "--rm");
	privileged_plan_free(&p);
	host_facts_free(&h);
}

/* Docker takes the last occurrence; every one of them goes when the
 * approximation stands in, at the place of the first. */
static void last_one_wins(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	const char *off_last[] = {"--privileged", "-it", "--privileged=false", NULL};
	const char *on_last[] = {"-it", "--privileged=0", "--rm", "--privileged=1", NULL};

	load("this-machine", &h);
	plan_ok(off_last, &h, &p);
	assert_false(p.requested);
	assert_unchanged(off_last, &p);
	privileged_plan_free(&p);

	plan_ok(on_last, &h, &p);
	assert_true(p.requested);
	assert_true(p.approximated);
	assert_int_equal(p.flags.n, ARRAY_SIZE(approx_sandbox) + 2);
	assert_string_equal(p.flags.v[0], "-it");
	for (size_t i = 0; i < ARRAY_SIZE(approx_sandbox); i++)
		assert_string_equal(p.flags.v[1 + i], approx_sandbox[i]);
	assert_string_equal(p.flags.v[1 + ARRAY_SIZE(approx_sandbox)], "--rm");
	privileged_plan_free(&p);
	host_facts_free(&h);
}

static void is_requested(void **state)
{
	(void)state;
	assert_false(privileged_is_requested(NULL));
	assert_false(REQ(NULL));
	assert_true(REQ("--privileged", NULL));
	assert_true(REQ("--privileged=true", NULL));
	assert_true(REQ("--privileged=True", NULL));
	assert_true(REQ("--privileged=1", NULL));
	assert_true(REQ("--privileged=t", NULL));
	assert_false(REQ("--privileged=false", NULL));
	assert_false(REQ("--privileged=0", NULL));
	assert_false(REQ("--privileged=F", NULL));
	assert_false(REQ("--privileged-foo", NULL));
	assert_false(REQ("--privilegedx", NULL));
	assert_false(REQ("--cap-add", "ALL", NULL));
}

static void bad_value(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	struct err e = {0};
	const char *flags[] = {"--rm", "--privileged=yes", NULL};

	load("this-machine", &h);
	assert_int_equal(privileged_plan(AV(flags), &h, &p, &e), -1);
	assert_int_equal(e.kind, ERR_INPUT);
	assert_int_equal(e.exit, EXIT_USAGE);
	assert_non_null(strstr(e.msg, "--privileged=yes"));
	assert_argv(&p.flags, (const char *const *)flags, 2);
	privileged_plan_free(&p);
	host_facts_free(&h);
}

/* A host with Docker's default bounding set (isolab inside a container):
 * one --cap-drop per missing capability, named from the mask by libcap. */
static void many_missing(void **state)
{
	(void)state;
	struct host_facts h;
	struct privileged_plan p;
	struct argv names = ARGV_INIT;
	const char *flags[] = {"--privileged", NULL};
	size_t k = 0;

	load("podman-arm64", &h);
	plan_ok(flags, &h, &p);
	assert_true(p.approximated);
	assert_true(p.dropped == h.missing);
	caps_names(h.missing, &names);
	assert_int_equal(names.n, 27);
	assert_string_equal(p.replacement.v[0], "--cap-add");
	assert_string_equal(p.replacement.v[1], "ALL");
	for (size_t i = 0; i < names.n; i++) {
		char want[64];
		size_t j;

		/* cap_sys_admin -> SYS_ADMIN */
		for (j = 0; names.v[i][4 + j] && j < sizeof(want) - 1; j++)
			want[j] = (char)toupper((unsigned char)names.v[i][4 + j]);
		want[j] = '\0';
		assert_string_equal(p.replacement.v[2 + 2 * i], "--cap-drop");
		assert_string_equal(p.replacement.v[3 + 2 * i], want);
		assert_true(util_str_has_prefix(p.left_out.v[i], names.v[i]));
		k++;
	}
	assert_int_equal(k, 27);
	assert_string_equal(p.replacement.v[2 + 2 * k], "--security-opt");
	assert_int_equal(p.left_out.n, names.n + 3);
	argv_free(&names);
	privileged_plan_free(&p);
	host_facts_free(&h);
}

/* A capability libcap has no name for: Docker cannot name it either, so no
 * --cap-drop; it is still said to be missing. SELinux: label=disable. */
static void unnamed_cap_and_selinux(void **state)
{
	(void)state;
	struct host_facts h = {0};
	struct privileged_plan p;
	const char *flags[] = {"--privileged", NULL};
	bool label = false;

	h.last_cap = 45;
	h.all = caps_all_mask(45);
	h.bounding = h.all & ~(UINT64_C(1) << 45);
	h.missing = h.all & ~h.bounding;
	h.can_grant_all = false;
	h.selinux = HOST_SELINUX_ENFORCING;
	plan_ok(flags, &h, &p);
	assert_true(p.approximated);
	assert_true(p.dropped == 0);
	for (size_t i = 0; i < p.replacement.n; i++) {
		assert_string_not_equal(p.replacement.v[i], "--cap-drop");
		if (strcmp(p.replacement.v[i], "label=disable") == 0)
			label = true;
	}
	assert_true(label);
	assert_non_null(strstr(p.left_out.v[0], "capability 45"));
	privileged_plan_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(not_requested),
		cmocka_unit_test(workshop_vm_real_flag),
		cmocka_unit_test(sandbox_approximation),
		cmocka_unit_test(privileged_true_spelling),
		cmocka_unit_test(last_one_wins),
		cmocka_unit_test(is_requested),
		cmocka_unit_test(bad_value),
		cmocka_unit_test(many_missing),
		cmocka_unit_test(unnamed_cap_and_selinux),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
