/* snapshot.h: one process's isolation state, read from the kernel, and the
 * difference between two of them. The host reference (isolab's own view)
 * is taken once and shared by every snapshot. */
#ifndef ISOLAB_SNAPSHOT_H
#define ISOLAB_SNAPSHOT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "caps.h"
#include "cgroup.h"
#include "devices.h"
#include "err.h"
#include "mounts.h"
#include "ns.h"
#include "proc.h"

enum seccomp_mode {
	SECCOMP_UNKNOWN = -1,
	SECCOMP_DISABLED = 0,
	SECCOMP_STRICT = 1,
	SECCOMP_FILTER = 2,
};

/* What isolab, running on the host, sees of itself: the reference for
 * "shared with the host" and for host paths. */
struct host_ref {
	struct ns_set ns;
	struct mount_table mounts;
	unsigned last_cap;
	struct caps caps; /* isolab's own sets: what this host can grant */
	char *root;       /* where the host's files are: "/", or a fixture tree
	                   * (the parent of its proc root) */
};

struct snapshot {
	char *target;       /* as named by the user: "pid:42", "web" */
	char *container_id; /* NULL for a plain process */
	pid_t pid;
	char *comm;
	struct caps caps;
	bool no_new_privs;
	int seccomp; /* enum seccomp_mode */
	int seccomp_filters;
	char *lsm; /* attr/current, NULL without an LSM */
	struct ns_set ns;
	char *uid_map;
	struct mount_table mounts;
	unsigned last_cap;
	long uid[4];               /* status Uid: real, effective, saved, fs, as the
	                            * host sees them; -1 unknown */
	struct cgroup_info cgroup; /* limits, v1 device rules */
	struct devices_list devices; /* nodes in its /dev */
};

int host_ref_load(struct host_ref *h, struct err *e);
/* For tests: a host reference from a fixture proc root. */
int host_ref_load_from(struct host_ref *h, const char *proc_root, pid_t pid, struct err *e);
void host_ref_free(struct host_ref *h);

/* Read everything through p; each read checks the process is still alive. */
int snapshot_take(struct snapshot *s, const struct proc *p, const struct host_ref *h,
		  const char *target, struct err *e);
void snapshot_free(struct snapshot *s);

const char *snapshot_seccomp_name(int mode);
/* Capabilities in s's effective set beyond Docker's default, and missing. */
uint64_t snapshot_added_vs_docker(const struct snapshot *s);
uint64_t snapshot_dropped_vs_docker(const struct snapshot *s);

struct snapshot_ns_change {
	char name[24];
	int a_shared, b_shared; /* 1, 0, -1 unknown */
};

struct snapshot_mount_change {
	const struct mount_entry *a; /* NULL: only in b */
	const struct mount_entry *b; /* NULL: only in a */
};

struct snapshot_field_change {
	const char *field;
	char *a, *b;
};

/* What b has that a has not, and the reverse. Points into a and b: keep
 * them alive while the diff is used. */
struct snapshot_diff {
	const struct snapshot *a, *b;
	uint64_t caps_added[CAPS_NSETS];   /* in b, not in a */
	uint64_t caps_removed[CAPS_NSETS]; /* in a, not in b */
	struct snapshot_ns_change ns[NS_MAX];
	size_t n_ns;
	struct snapshot_mount_change *mounts; /* only in one, or changed (ro, kind) */
	size_t n_mounts;
	struct snapshot_field_change fields[8];
	size_t n_fields;
};

void snapshot_diff(const struct snapshot *a, const struct snapshot *b, struct snapshot_diff *d);
void snapshot_diff_free(struct snapshot_diff *d);
bool snapshot_diff_empty(const struct snapshot_diff *d);

#endif
