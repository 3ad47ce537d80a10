/* mounts.h: a process's mount table, parsed by libmount from its mountinfo,
 * each mount classified, and tied to the host directory it shows (if any)
 * using only the kernel's data: device numbers and roots. */
#ifndef ISOLAB_MOUNTS_H
#define ISOLAB_MOUNTS_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include "err.h"
#include "proc.h"

enum mount_kind {
	MOUNT_ROOTFS,
	MOUNT_HOST_BIND,
	MOUNT_DOCKER_SOCKET,
	MOUNT_PROC,
	MOUNT_SYS,
	MOUNT_DEV,
	MOUNT_TMPFS,
	MOUNT_MASKED,
	MOUNT_OTHER,
};

struct mount_entry {
	int id, parent_id; /* meaningful only within one table */
	dev_t devno;
	char *target;
	char *root;
	char *fstype;
	char *source;
	char *vfs_options;
	char *fs_options;     /* per superblock: a cgroup v1 hierarchy's controllers */
	bool read_only;       /* from the per-mount VFS options */
	const char *propagation; /* "private", "shared", "slave", "shared,slave"... */
	/* Derived by mounts_classify(). */
	char *host_path;      /* NULL where the mount is not backed by a host mount */
	enum mount_kind kind;
	bool sensitive;
	bool per_container;   /* Docker's own plumbing: its root names a container id */
	bool fresh;           /* a sysfs or procfs the runtime mounted anew at /sys or
	                       * /proc (root "/", source the fstype's name): a shared
	                       * namespace gives it the host's superblock, but it is no
	                       * bind of the host's, so not sensitive */
};

struct mount_table {
	struct mount_entry *v;
	size_t n;
};

/* Parse <pid>/mountinfo through the dirfd (never a path that could name
 * another process). */
int mounts_read(const struct proc *p, struct mount_table *t, struct err *e);
/* Parse mountinfo text from a stream; name is used in messages. */
int mounts_parse_stream(FILE *f, const char *name, struct mount_table *t, struct err *e);
/* Derive host_path, kind and sensitive of every mount of t against the
 * host's table. */
void mounts_classify(struct mount_table *t, const struct mount_table *host);
void mounts_free(struct mount_table *t);

const char *mounts_kind_name(enum mount_kind k);
/* -1 when name is not a kind. */
int mounts_kind_from_name(const char *name);
/* Is this host path one DESIGN.md calls sensitive? */
bool mounts_path_sensitive(const char *host_path);
/* /run/docker.sock, /var/run/docker.sock, or the socket registered below. */
bool mounts_path_is_docker_socket(const char *host_path);
/* The socket of the engine isolab talks to (DOCKER_HOST, a context), when
 * it is not the default one; its resolved path is kept too. Set once at
 * start, before any thread reads mounts. */
void mounts_set_engine_socket(const char *path);

const struct mount_entry *mounts_find_target(const struct mount_table *t, const char *target);
/* Whether two mounts of different tables are the same mount: host-backed
 * ones by (device, root, target); those private to the process (their
 * device numbers are per instance) and Docker's per-container plumbing by
 * (fstype, target). Mount IDs are never compared. */
bool mounts_same(const struct mount_entry *a, const struct mount_entry *b);

#endif
