/* engprobe.h: what this engine does on this host, measured on one short-lived
 * container rather than assumed from its version: how many capabilities a
 * real --privileged grants (Docker 20.10 grants those its own list knows,
 * 0-37; newer engines every one the kernel has), its LSM label, and whether
 * a ':ro' bind is read-only all the way down (Docker 25 and later make it
 * recursive where the kernel has mount_setattr). For `isolab doctor`. */
#ifndef ISOLAB_ENGPROBE_H
#define ISOLAB_ENGPROBE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "err.h"
#include "host.h"

struct engine_probe {
	bool privileged;   /* the container ran with a real --privileged */
	uint64_t eff;      /* its effective set */
	int ro_recursive;  /* 1: the submounts of a ':ro' bind are read-only too;
	                    * 0: some is writable; -1: the bind had no submount */
	char *ro_example;  /* the submount that decided it, or NULL */
	char *lsm;         /* the probe container's attr/current, or NULL */
};

/* Start IMAGE once (--privileged where h can grant every capability, with
 * the host's /sys bound ':ro'), read its process from /proc, remove it.
 * The container carries isolab.session and isolab.owner labels, so a
 * sweep removes it if isolab dies meanwhile. Free out whatever happened. */
int engine_probe_run(struct engine *eng, const char *image, const struct host_facts *h,
		     struct engine_probe *out, struct err *e);
void engine_probe_free(struct engine_probe *p);

#endif
