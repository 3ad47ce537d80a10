/* host.h: what isolab learns about the machine it runs on before any lab:
 * whether it can grant every capability (so whether a real --privileged
 * works), whether it is a virtual machine and on what evidence, whether
 * isolab itself runs in a container, the cgroup version, seccomp and the
 * LSMs. Every file is read below a root directory, so tests point it at a
 * fixture tree (tests/fixtures/host/<name>). */
#ifndef ISOLAB_HOST_H
#define ISOLAB_HOST_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

enum host_vm {
	HOST_VM_UNKNOWN = 0,
	HOST_VM_NO,
	HOST_VM_YES,
};

enum host_cgroup {
	HOST_CGROUP_UNKNOWN = 0,
	HOST_CGROUP_V1,
	HOST_CGROUP_HYBRID, /* v1 controllers, and cgroup2 at /sys/fs/cgroup/unified */
	HOST_CGROUP_V2,
};

enum host_selinux {
	HOST_SELINUX_OFF = 0, /* no /sys/fs/selinux/enforce */
	HOST_SELINUX_PERMISSIVE,
	HOST_SELINUX_ENFORCING,
};

struct host_facts {
	/* Capabilities: isolab's own CapBnd against the kernel's cap_last_cap. A
	 * container can never hold a capability its engine's bounding set
	 * lacks, and the engine's is at most isolab's (both run on this host
	 * under the same ancestors). */
	unsigned last_cap;
	uint64_t bounding;
	uint64_t all;       /* caps_all_mask(last_cap) */
	uint64_t missing;   /* all & ~bounding */
	bool can_grant_all; /* missing == 0: a real --privileged can work */

	/* Virtualisation, with the evidence behind the verdict, one plain line
	 * each ("DMI: sys_vendor is 'QEMU' (QEMU)"). */
	enum host_vm vm;
	char *vm_vendor;       /* from DMI ("QEMU", "VMware"...), or NULL */
	bool dmi_available;    /* /sys/class/dmi/id/sys_vendor was readable */
	bool hypervisor_flag;  /* the hypervisor flag of /proc/cpuinfo */
	bool in_container;     /* isolab itself runs in a container */
	struct argv evidence;

	/* Kernel features the labs show. */
	enum host_cgroup cgroup;
	char *cgroup_detail;   /* how it was found: "cgroup2fs at /sys/fs/cgroup" */
	bool seccomp;          /* status has a Seccomp: field */
	char *seccomp_actions; /* /proc/sys/kernel/seccomp/actions_avail, or NULL */
	bool apparmor;         /* /sys/module/apparmor/parameters/enabled is Y */
	enum host_selinux selinux;
};

/* Read everything below root (NULL: "/"). Fails only when the capability
 * facts cannot be read (no status, no cap_last_cap); every other fact
 * falls back to "unknown" or "absent". Free with host_facts_free, also
 * after a failure. */
int host_facts_load(struct host_facts *h, const char *root, struct err *e);
void host_facts_free(struct host_facts *h);

/* The hypervisor or cloud a DMI triple names ("QEMU", "Microsoft Hyper-V",
 * "Amazon EC2"...), or NULL for a vendor that is not one. Any argument may
 * be NULL. Pure: the table behind it is tested directly. */
const char *host_vm_vendor(const char *sys_vendor, const char *product_name,
			   const char *board_vendor);

/* "yes", "no", "unknown"; "1", "1 (hybrid)", "2", "unknown"; "off",
 * "permissive", "enforcing". */
const char *host_vm_name(enum host_vm vm);
const char *host_cgroup_name(enum host_cgroup cg);
const char *host_selinux_name(enum host_selinux s);

#endif
