/* caps.h: a process's five capability sets as 64-bit masks, as the kernel
 * prints them in status; names come from libcap, risk notes from a table. */
#ifndef ISOLAB_CAPS_H
#define ISOLAB_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "util.h"

enum caps_set {
	CAPS_EFFECTIVE,
	CAPS_PERMITTED,
	CAPS_INHERITABLE,
	CAPS_BOUNDING,
	CAPS_AMBIENT,
	CAPS_NSETS,
};

/* Docker's default set: chown dac_override fowner fsetid kill setgid setuid
 * setpcap net_bind_service net_raw sys_chroot mknod audit_write setfcap. */
#define CAPS_DOCKER_DEFAULT UINT64_C(0x00000000a80425fb)

struct caps {
	uint64_t set[CAPS_NSETS];
};

/* "effective", "permitted", ... (the JSON keys), and the status keys. */
const char *caps_set_name(enum caps_set s);
const char *caps_set_status_key(enum caps_set s);
/* -1 when name is not a set. */
int caps_set_from_name(const char *name);

/* Parse the Cap*: lines of a status file. */
int caps_parse_status(const char *status, struct caps *c, struct err *e);

/* libcap's name for a bit ("cap_sys_admin"), or the number for a bit the
 * library does not know. The caller frees it with free(). */
char *caps_name(unsigned bit);
/* -1 when libcap does not know the name. Accepts "cap_net_admin",
 * "CAP_NET_ADMIN" and Docker's "NET_ADMIN". */
int caps_from_name(const char *name);
/* Append the names of the bits of mask, lowest first, to a. */
void caps_names(uint64_t mask, struct argv *a);
/* "cap_chown, cap_kill" for display. */
char *caps_join(uint64_t mask, const char *sep);

/* The kernel's last capability (cap_last_cap), read below a proc root fd. */
int caps_last_cap(int proc_rootfd, unsigned *last, struct err *e);
static inline uint64_t caps_all_mask(unsigned last_cap)
{
	return last_cap >= 63 ? UINT64_MAX : (UINT64_C(1) << (last_cap + 1)) - 1;
}

/* A plain-English risk note per capability: what holding it lets a process
 * do, and whether that is a known path out of a container. */
struct caps_note {
	const char *name; /* libcap's name */
	bool dangerous;
	const char *note;
};
/* NULL for a bit the table does not cover. */
const struct caps_note *caps_note(unsigned bit);
uint64_t caps_dangerous_mask(void);

#endif
