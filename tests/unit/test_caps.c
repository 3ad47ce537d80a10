/* test_caps.c: capability sets from fixture status files, names, notes. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

#include "caps.h"
#include "proc.h"

static struct caps load(const char *pid)
{
	char path[256];
	struct caps c;
	struct err e = {0};

	snprintf(path, sizeof(path), FIXTURE_PROC "/%s/status", pid);
	char *status = tu_read_file(path);
	assert_non_null(status);
	assert_int_equal(caps_parse_status(status, &c, &e), 0);
	free(status);
	return c;
}

static void assert_names(uint64_t mask, const char *const *want, size_t n)
{
	struct argv a = ARGV_INIT;

	caps_names(mask, &a);
	assert_int_equal(a.n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(a.v[i], want[i]);
	argv_free(&a);
}

static void docker_default(void **state)
{
	(void)state;
	static const char *const want[] = {
		"cap_chown",      "cap_dac_override",     "cap_fowner",  "cap_fsetid",
		"cap_kill",       "cap_setgid",           "cap_setuid",  "cap_setpcap",
		"cap_net_bind_service", "cap_net_raw",    "cap_sys_chroot", "cap_mknod",
		"cap_audit_write", "cap_setfcap",
	};
	struct caps c = load("100");

	assert_true(c.set[CAPS_EFFECTIVE] == CAPS_DOCKER_DEFAULT);
	assert_true(c.set[CAPS_BOUNDING] == CAPS_DOCKER_DEFAULT);
	assert_true(c.set[CAPS_INHERITABLE] == 0);
	assert_true(c.set[CAPS_AMBIENT] == 0);
	assert_names(c.set[CAPS_EFFECTIVE], want, ARRAY_SIZE(want));
}

static void privileged_41(void **state)
{
	(void)state;
	struct caps c = load("102");
	struct argv a = ARGV_INIT;

	assert_true(c.set[CAPS_EFFECTIVE] == UINT64_C(0x000001ffffffffff));
	caps_names(c.set[CAPS_EFFECTIVE], &a);
	assert_int_equal(a.n, 41);
	assert_string_equal(a.v[21], "cap_sys_admin");
	assert_string_equal(a.v[40], "cap_checkpoint_restore");
	argv_free(&a);
	/* Everything beyond Docker's default, 27 of them. */
	uint64_t added = c.set[CAPS_EFFECTIVE] & ~CAPS_DOCKER_DEFAULT;
	assert_int_equal(__builtin_popcountll(added), 27);
}

static void unknown_bit(void **state)
{
	(void)state;
	struct caps c = load("104");
	char *n = caps_name(41);

	/* libcap 2.66 knows 0..40: bit 41 is named by its number. */
	assert_string_equal(n, "41");
	free(n);
	assert_true(c.set[CAPS_EFFECTIVE] & (UINT64_C(1) << 41));
	char *joined = caps_join(c.set[CAPS_EFFECTIVE] & ~CAPS_DOCKER_DEFAULT, ",");
	assert_string_equal(joined, "41");
	free(joined);
	assert_null(caps_note(41));
}

static void cap_drop_all(void **state)
{
	(void)state;
	struct caps c = load("103");

	for (int s = 0; s < CAPS_NSETS; s++)
		assert_true(c.set[s] == 0);
	assert_int_equal(__builtin_popcountll(CAPS_DOCKER_DEFAULT & ~c.set[CAPS_EFFECTIVE]), 14);
}

static void bad_status(void **state)
{
	(void)state;
	struct caps c;
	struct err e = {0};

	assert_int_equal(caps_parse_status("Name:\tx\nCapInh:\t0\n", &c, &e), -1);
	assert_true(tu_contains(e.msg, "no CapEff line"));
	assert_int_equal(e.exit, EXIT_USAGE);
	assert_int_equal(caps_parse_status("CapInh:\tzz\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
					   &c, &e), -1);
	assert_int_equal(caps_parse_status("CapInh:\t00000000000000000\nCapPrm:\t0\nCapEff:\t0\nCapBnd:\t0\nCapAmb:\t0\n",
					   &c, &e), -1);
}

static void last_cap_from_fixture(void **state)
{
	(void)state;
	struct proc p;
	struct err e = {0};
	unsigned last = 0;

	assert_int_equal(proc_open(&p, FIXTURE_PROC, 100, &e), 0);
	assert_int_equal(caps_last_cap(p.rootfd, &last, &e), 0);
	assert_int_equal(last, 40);
	assert_true(caps_all_mask(last) == UINT64_C(0x000001ffffffffff));
	proc_close(&p);
}

/* Every capability the running kernel and libcap know has a note, every
 * note names a capability libcap knows, and the dangerous ones are marked. */
static void notes_cover_every_capability(void **state)
{
	(void)state;
	static const char *const dangerous[] = {
		"cap_sys_admin", "cap_sys_ptrace", "cap_sys_module", "cap_dac_read_search",
		"cap_dac_override", "cap_net_admin", "cap_net_raw", "cap_sys_rawio", "cap_bpf",
		"cap_perfmon", "cap_sys_boot", "cap_syslog", "cap_mac_admin", "cap_mac_override",
		"cap_setfcap", "cap_sys_chroot",
	};
	unsigned max = (unsigned)cap_max_bits();

	for (unsigned bit = 0; bit < max; bit++) {
		const struct caps_note *n = caps_note(bit);
		assert_non_null(n);
		assert_true(strlen(n->note) > 10);
		assert_int_equal(caps_from_name(n->name), (int)bit);
	}
	uint64_t mask = caps_dangerous_mask();
	for (size_t i = 0; i < ARRAY_SIZE(dangerous); i++) {
		int bit = caps_from_name(dangerous[i]);
		assert_true(bit >= 0);
		assert_true(mask & (UINT64_C(1) << bit));
	}
	assert_false(mask & (UINT64_C(1) << caps_from_name("cap_chown")));
}

static void name_spellings(void **state)
{
	(void)state;
	assert_int_equal(caps_from_name("cap_net_admin"), 12);
	assert_int_equal(caps_from_name("NET_ADMIN"), 12);
	assert_int_equal(caps_from_name("CAP_NET_ADMIN"), 12);
	assert_int_equal(caps_from_name("net_admn"), -1);
	assert_int_equal(caps_from_name("12"), -1);
	assert_int_equal(caps_set_from_name("bounding"), CAPS_BOUNDING);
	assert_int_equal(caps_set_from_name("efective"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(docker_default),
		cmocka_unit_test(privileged_41),
		cmocka_unit_test(unknown_bit),
		cmocka_unit_test(cap_drop_all),
		cmocka_unit_test(bad_status),
		cmocka_unit_test(last_cap_from_fixture),
		cmocka_unit_test(notes_cover_every_capability),
		cmocka_unit_test(name_spellings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
