/* policy.h: what a lab may ask of `docker run`. A lab's flags are parsed
 * once, at load, into one canonical struct per flag; the host-reach list is
 * decided on that struct, and the argv Docker receives is written from the
 * same struct in one canonical spelling (--mount=type=bind,source=/x,...),
 * never from the lab's own words. So Docker cannot read a flag differently
 * from the check: a spelling the parser does not fully understand (a key's
 * case, CSV quotes, a relative or named source, a volume driver option) is
 * refused at FILE:LINE:COL instead. */
#ifndef ISOLAB_POLICY_H
#define ISOLAB_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "lab.h"
#include "util.h"

enum policy_kind {
	POLICY_CAP_ADD,
	POLICY_CAP_DROP,
	POLICY_PRIVILEGED,
	POLICY_READ_ONLY,
	POLICY_VOLUME,       /* -v SRC:DST[:ro]: a bind of a host path */
	POLICY_MOUNT_BIND,   /* --mount type=bind */
	POLICY_MOUNT_TMPFS,  /* --mount type=tmpfs */
	POLICY_NAMESPACE,    /* --pid --ipc --uts --userns --network */
	POLICY_SECURITY_OPT, /* a short list of --security-opt values */
	POLICY_DEVICE,
	POLICY_DEVICE_RULE,
	POLICY_TEXT,         /* --user --hostname --workdir --env ...: no host reach */
};

/* One flag, canonical. Templates may hold placeholders ({scratch} only in
 * paths); policy_emit() expands and checks them again. */
struct policy_flag {
	struct lab_pos pos; /* where the flag was written */
	enum policy_kind kind;
	const char *name;   /* Docker's long name: "--volume" */
	char *value;        /* canonical value template; NULL for a switch */
	char *src, *dst;    /* binds and devices: the two paths (templates) */
	bool read_only;     /* binds */
	bool on;            /* switches: false for --privileged=false */
	bool reach;         /* reaches the host */
	const char *why;    /* what it opens on the host, when reach */
};

struct policy_flags {
	struct policy_flag *v;
	size_t n;
};

/* Called once per problem, with the word's position. */
typedef void (*policy_report_fn)(void *user, const struct lab_pos *pos, const char *msg);

/* Parse w (a container's flags as written) into out. Returns the number of
 * problems reported (0: out is complete). out is always freeable. */
size_t policy_parse(const struct lab_words *w, struct policy_flags *out, policy_report_fn report,
		    void *user);
void policy_flags_free(struct policy_flags *f);

/* The flag as Docker will receive it, for the host-reach list. Malloc'd. */
char *policy_flag_text(const struct policy_flag *f);

/* Expand every flag and push its canonical words onto out. A value whose
 * expansion would change how Docker splits it (a ':' or ',' in a path, a
 * relative path, a control character) fails with ERR_INPUT. */
int policy_emit(const struct policy_flags *f, const struct lab_vars *vars, struct argv *out,
		struct err *e);

#endif
