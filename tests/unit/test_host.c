/* test_host.c: host facts from fixture roots (tests/fixtures/host): a
 * workshop KVM VM, this development sandbox, bare metal, a Podman container
 * on arm64; the DMI vendor table; and the real host, for consistency. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "caps.h"
#include "host.h"
#include "proc.h"

#define HOST_FIXTURES FIXTURES "/host"
#define SYS_RESOURCE (UINT64_C(1) << 24)

static void load(const char *name, struct host_facts *h)
{
	struct err e = {0};
	char root[256];

	snprintf(root, sizeof(root), HOST_FIXTURES "/%s", name);
	if (host_facts_load(h, root, &e) < 0)
		fail_msg("host_facts_load(%s): %s", root, e.msg);
}

/* Some evidence line contains every one of the needles. */
static bool evidence_has(const struct host_facts *h, const char *a, const char *b)
{
	for (size_t i = 0; i < h->evidence.n; i++)
		if (strstr(h->evidence.v[i], a) && (!b || strstr(h->evidence.v[i], b)))
			return true;
	return false;
}

static void print_evidence(const struct host_facts *h)
{
	for (size_t i = 0; i < h->evidence.n; i++)
		print_message("  evidence: %s\n", h->evidence.v[i]);
}

static void workshop_vm(void **state)
{
	(void)state;
	struct host_facts h;

	load("workshop-vm", &h);
	print_evidence(&h);
	assert_int_equal(h.last_cap, 40);
	assert_true(h.bounding == UINT64_C(0x000001ffffffffff));
	assert_true(h.all == UINT64_C(0x000001ffffffffff));
	assert_true(h.missing == 0);
	assert_true(h.can_grant_all);

	assert_int_equal(h.vm, HOST_VM_YES);
	assert_non_null(h.vm_vendor);
	assert_string_equal(h.vm_vendor, "QEMU");
	assert_true(h.dmi_available);
	assert_true(h.hypervisor_flag);
	assert_false(h.in_container);
	assert_true(evidence_has(&h, "sys_vendor 'QEMU'", "a QEMU virtual machine"));
	assert_true(evidence_has(&h, "product_name 'Standard PC (Q35 + ICH9, 2009)'", NULL));
	/* An empty board_vendor is not quoted as ''. */
	assert_false(evidence_has(&h, "board_vendor", NULL));
	assert_true(evidence_has(&h, "hypervisor CPU flag is set", NULL));
	assert_false(evidence_has(&h, "container", NULL));

	assert_int_equal(h.cgroup, HOST_CGROUP_V2);
	assert_true(h.seccomp);
	assert_non_null(h.seccomp_actions);
	assert_string_equal(h.seccomp_actions,
			    "kill_process kill_thread trap errno user_notif trace log allow");
	assert_true(h.apparmor);
	assert_int_equal(h.selinux, HOST_SELINUX_OFF);
	host_facts_free(&h);
}

static void this_machine(void **state)
{
	(void)state;
	struct host_facts h;
	struct argv names = ARGV_INIT;

	load("this-machine", &h);
	print_evidence(&h);
	assert_true(h.bounding == UINT64_C(0x000001fffeffffff));
	assert_true(h.missing == SYS_RESOURCE);
	assert_false(h.can_grant_all);
	caps_names(h.missing, &names);
	assert_int_equal(names.n, 1);
	assert_string_equal(names.v[0], "cap_sys_resource");
	argv_free(&names);

	/* The hypervisor flag alone makes it a VM; the rest is said as it is. */
	assert_int_equal(h.vm, HOST_VM_YES);
	assert_null(h.vm_vendor);
	assert_false(h.dmi_available);
	assert_true(h.hypervisor_flag);
	assert_true(h.in_container);
	assert_true(evidence_has(&h, "DMI", "not readable"));
	assert_true(evidence_has(&h, "hypervisor CPU flag is set", NULL));
	assert_true(evidence_has(&h, "/.dockerenv exists", "Docker container"));
	/* No proc/1/environ in the fixture: absent, so nothing said. */
	assert_false(evidence_has(&h, "environ", NULL));

	assert_int_equal(h.cgroup, HOST_CGROUP_HYBRID);
	assert_non_null(h.cgroup_detail);
	assert_non_null(strstr(h.cgroup_detail, "memory"));
	assert_non_null(strstr(h.cgroup_detail, "unified"));
	assert_true(h.seccomp);
	assert_false(h.apparmor);
	assert_int_equal(h.selinux, HOST_SELINUX_OFF);
	host_facts_free(&h);
}

static void bare_metal(void **state)
{
	(void)state;
	struct host_facts h;

	load("bare-metal", &h);
	print_evidence(&h);
	assert_true(h.can_grant_all);
	assert_int_equal(h.vm, HOST_VM_NO);
	assert_null(h.vm_vendor);
	assert_true(h.dmi_available);
	assert_false(h.hypervisor_flag);
	assert_false(h.in_container);
	assert_true(evidence_has(&h, "sys_vendor 'Dell Inc.'", "not a hypervisor or cloud"));
	assert_true(evidence_has(&h, "no hypervisor CPU flag", NULL));

	assert_int_equal(h.cgroup, HOST_CGROUP_V2);
	assert_false(h.apparmor); /* the module is there, switched off (N) */
	assert_int_equal(h.selinux, HOST_SELINUX_ENFORCING);
	host_facts_free(&h);
}

static void podman_arm64(void **state)
{
	(void)state;
	struct host_facts h;

	load("podman-arm64", &h);
	print_evidence(&h);
	/* Docker's default bounding set: far from every capability. */
	assert_true(h.bounding == CAPS_DOCKER_DEFAULT);
	assert_true(h.missing == (caps_all_mask(40) & ~CAPS_DOCKER_DEFAULT));
	assert_false(h.can_grant_all);
	/* Neither DMI nor an x86 flags line: no verdict. */
	assert_int_equal(h.vm, HOST_VM_UNKNOWN);
	assert_false(h.hypervisor_flag);
	assert_true(h.in_container);
	assert_true(evidence_has(&h, "no CPU flags line", NULL));
	assert_true(evidence_has(&h, "/run/.containerenv", "Podman"));
	assert_true(evidence_has(&h, "container=podman", NULL));
	assert_int_equal(h.cgroup, HOST_CGROUP_V2);
	assert_true(h.seccomp);
	assert_null(h.seccomp_actions);
	host_facts_free(&h);
}

static void dmi_table(void **state)
{
	(void)state;
	static const struct {
		const char *sys_vendor, *product, *board, *want;
	} cases[] = {
		{"QEMU", "Standard PC (i440FX + PIIX, 1996)", NULL, "QEMU"},
		{"Red Hat", "KVM", "Red Hat", "KVM"},
		{"VMware, Inc.", "VMware Virtual Platform", "Intel Corporation", "VMware"},
		{"innotek GmbH", "VirtualBox", "Oracle Corporation", "VirtualBox"},
		{"Xen", "HVM domU", NULL, "Xen"},
		{"Microsoft Corporation", "Virtual Machine", "Microsoft Corporation",
		 "Microsoft Hyper-V"},
		{"Amazon EC2", "t3.micro", "Amazon EC2", "Amazon EC2"},
		{"Google", "Google Compute Engine", "Google", "Google Compute Engine"},
		{"DigitalOcean", "Droplet", "DigitalOcean", "DigitalOcean"},
		{"Parallels Software International Inc.", "Parallels Virtual Platform", NULL,
		 "Parallels"},
		{"Bochs", "Bochs", "Bochs", "Bochs"},
		{"OpenStack Foundation", "OpenStack Nova", NULL, "OpenStack"},
		{"Hetzner", "vServer", NULL, "Hetzner Cloud"},
		{"Apple Inc.", "Apple Virtualization Generic Platform", NULL, "Apple Virtualization"},
		/* Not VMs: hardware vendors, a Surface laptop, an EC2 metal instance. */
		{"Dell Inc.", "PowerEdge R640", "Dell Inc.", NULL},
		{"LENOVO", "20XW0055GE", "LENOVO", NULL},
		{"Microsoft Corporation", "Surface Laptop 4", "Microsoft Corporation", NULL},
		{"Amazon EC2", "i3.metal", "Amazon EC2", NULL},
		{NULL, NULL, NULL, NULL},
		{"", "", "", NULL},
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *got = host_vm_vendor(cases[i].sys_vendor, cases[i].product,
						 cases[i].board);
		if (!cases[i].want) {
			if (got)
				fail_msg("%s / %s: got %s, want none", cases[i].sys_vendor,
					 cases[i].product, got);
			continue;
		}
		if (!got || strcmp(got, cases[i].want) != 0)
			fail_msg("%s / %s: got %s, want %s", cases[i].sys_vendor, cases[i].product,
				 got ? got : "none", cases[i].want);
	}
}

static void bad_roots(void **state)
{
	(void)state;
	struct host_facts h;
	struct err e = {0};

	assert_int_equal(host_facts_load(&h, HOST_FIXTURES "/does-not-exist", &e), -1);
	assert_int_equal(e.kind, ERR_SYSTEM);
	host_facts_free(&h);
	/* A root without proc/self/status: the capability facts are required. */
	assert_int_equal(host_facts_load(&h, HOST_FIXTURES, &e), -1);
	assert_non_null(strstr(e.msg, "/proc/self/status"));
	host_facts_free(&h);
}

/* The real host: whatever it is, the facts agree with each other and with
 * isolab's own status read through runner/proc. */
static void real_host(void **state)
{
	(void)state;
	struct host_facts h;
	struct err e = {0};
	struct proc p;
	struct caps c;
	char *status = NULL;

	if (host_facts_load(&h, NULL, &e) < 0)
		fail_msg("host_facts_load(/): %s", e.msg);
	print_evidence(&h);
	assert_int_equal(proc_open_self(&p, &e), 0);
	assert_int_equal(proc_read(&p, "status", &status, NULL, &e), 0);
	assert_int_equal(caps_parse_status(status, &c, &e), 0);
	free(status);
	proc_close(&p);
	assert_true(h.bounding == c.set[CAPS_BOUNDING]);
	assert_true(h.all == caps_all_mask(h.last_cap));
	assert_true(h.missing == (h.all & ~h.bounding));
	assert_int_equal(h.can_grant_all, h.missing == 0);
	assert_true(h.evidence.n >= 2); /* DMI and cpuinfo say something, always */
	/* The verdict follows from the evidence read: a DMI vendor or the
	 * cpuinfo flag says yes; DMI read with neither says no. */
	if (h.vm_vendor || h.hypervisor_flag)
		assert_int_equal(h.vm, HOST_VM_YES);
	else if (h.dmi_available)
		assert_int_equal(h.vm, HOST_VM_NO);
	else
		assert_int_not_equal(h.vm, HOST_VM_YES);
	assert_non_null(h.cgroup_detail);
	host_facts_free(&h);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(host_vm_name(HOST_VM_YES), "yes");
	assert_string_equal(host_vm_name(HOST_VM_NO), "no");
	assert_string_equal(host_vm_name(HOST_VM_UNKNOWN), "unknown");
	assert_string_equal(host_cgroup_name(HOST_CGROUP_V2), "2");
	assert_string_equal(host_cgroup_name(HOST_CGROUP_HYBRID), "1 (hybrid)");
	assert_string_equal(host_cgroup_name(HOST_CGROUP_V1), "1");
	assert_string_equal(host_selinux_name(HOST_SELINUX_ENFORCING), "enforcing");
	assert_string_equal(host_selinux_name(HOST_SELINUX_OFF), "off");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(workshop_vm),  cmocka_unit_test(this_machine),
		cmocka_unit_test(bare_metal),   cmocka_unit_test(podman_arm64),
		cmocka_unit_test(dmi_table),    cmocka_unit_test(bad_roots),
		cmocka_unit_test(real_host),    cmocka_unit_test(names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
