/* cgroup.h: a process's cgroup limits (memory, pids) and, on cgroup v1, its
 * device rules, read from the host's cgroup file systems: v1 (one
 * hierarchy per controller, /docker/<id>) and v2 (one unified hierarchy,
 * /system.slice/docker-<id>.scope under systemd). The process's cgroup
 * comes from /proc/PID/cgroup, read as the host sees it; every file is
 * opened beneath its hierarchy's mount, never through a link or "..". */
#ifndef ISOLAB_CGROUP_H
#define ISOLAB_CGROUP_H

#include <stdbool.h>

#include "err.h"
#include "mounts.h"
#include "proc.h"

/* One limit: set somewhere from the process's cgroup up to the root, or not. */
struct cgroup_limit {
	int state;              /* 1 limited, 0 no limit, -1 unknown */
	unsigned long long max; /* when limited */
	char *file;             /* the host file that says so (the cgroup's own
	                         * when there is no limit) */
	char *why;              /* when unknown: why it could not be read */
};

struct cgroup_info {
	int version;         /* of the hierarchy the limits came from: 1, 2; 0 unknown */
	char *path;          /* the process's cgroup (memory's on v1) */
	struct cgroup_limit memory, pids;
	char *devices_list;  /* v1 devices.list of the process's cgroup; NULL on v2
	                      * (a BPF program there) or when unreadable */
};

/* Read p's cgroup file and the limits. host is the host's mount table,
 * host_root the directory its paths are under ("/", or a fixture tree).
 * Only a process that exited fails it (ERR_EXITED); what cannot be read is
 * left unknown, with the reason. */
int cgroup_read(const struct proc *p, const struct mount_table *host, const char *host_root,
		struct cgroup_info *out, struct err *e);
void cgroup_info_free(struct cgroup_info *c);

/* 2 when the host's /sys/fs/cgroup is the unified hierarchy, else 1. */
int cgroup_host_version(const struct mount_table *host);

/* Whether a v1 devices.list lets the cgroup read or write device type
 * ('b', 'c') major:minor. */
bool cgroup_devices_allow(const char *list, char type, unsigned major, unsigned minor);
/* Whether it allows every device of that type ("a *:* rwm", "b *:* rw"). */
bool cgroup_devices_allow_all(const char *list, char type);

#endif
