/* ns.h: a process's namespaces, one per entry of /proc/<pid>/ns, each
 * identified by (st_dev, st_ino) of the nsfs inode and compared with
 * isolab's own, which stand for the host's. */
#ifndef ISOLAB_NS_H
#define ISOLAB_NS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"
#include "proc.h"

#define NS_MAX 16

struct ns_entry {
	char name[24]; /* "mnt", "pid_for_children", ... */
	dev_t dev;
	uint64_t ino;
	uint64_t host_ino; /* the host's namespace of this kind (ns_compare); 0 unknown */
	int err;    /* 0, or the errno that kept it unreadable (EACCES without root) */
	int shared; /* 1 shared with the host, 0 not, -1 unknown */
};

struct ns_set {
	struct ns_entry v[NS_MAX];
	size_t n;
};

/* Every entry of <pid>/ns. Unreadable links are kept, with err set. */
int ns_read(const struct proc *p, struct ns_set *out, struct err *e);
/* Fill .shared of each entry of target against the host reference. */
void ns_compare(struct ns_set *target, const struct ns_set *host);
const struct ns_entry *ns_find(const struct ns_set *s, const char *name);
/* Known namespace kinds, for validation: NULL-terminated. */
extern const char *const ns_kinds[];
bool ns_kind_known(const char *name);

#endif
