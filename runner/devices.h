/* devices.h: the device nodes in a process's /dev, read through its root
 * (/proc/PID/root) without ever following a link out of it, and what each
 * device is: one of Docker's defaults, a disk, memory, or another device a
 * reviewer should know about. */
#ifndef ISOLAB_DEVICES_H
#define ISOLAB_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "proc.h"

enum devices_class {
	DEVICES_DEFAULT, /* null, zero, full, random, urandom, tty, console, ptmx, pts */
	DEVICES_OTHER,   /* not one a reviewer needs to hear about */
	DEVICES_RISKY,   /* kmsg, kvm, fuse, tun, loop-control...: medium */
	DEVICES_DISK,    /* any block device, scsi generic, nvme: high */
	DEVICES_MEMORY,  /* mem, kmem, port, msr, snapshot: high */
};

struct devices_node {
	char *path;      /* in the container: "/dev/loop5" */
	char type;       /* 'b' or 'c' */
	unsigned major, minor;
	char *host_name; /* the host's name for it (sysfs): "loop5"; NULL unknown */
	enum devices_class cls;
};

struct devices_list {
	struct devices_node *v;
	size_t n;
	int err; /* errno when /dev could not be read (0: read) */
};

/* The device nodes under p's /dev, at most a few levels deep, not crossing
 * into other mounts (pts, shm, mqueue) and never through a symbolic link.
 * host_root: where the host's /sys is ("/", or a fixture tree). Only a
 * process that exited fails it (ERR_EXITED); else out->err says why /dev
 * could not be read. */
int devices_read(const struct proc *p, const char *host_root, struct devices_list *out,
		 struct err *e);
void devices_list_free(struct devices_list *l);

enum devices_class devices_classify(char type, unsigned major, unsigned minor,
				    const char *host_name);
const char *devices_class_name(enum devices_class c);
/* For tests: add a node as devices_read would. */
void devices_add(struct devices_list *l, const char *path, char type, unsigned major,
		 unsigned minor, const char *host_name);

#endif
