/* privileged.h: how a step that asks for --privileged runs on this host. On
 * a host that can grant every capability (a workshop VM) the flag goes to
 * Docker unchanged. Where the bounding set lacks some (a sandbox like the
 * development machines), a real --privileged fails ("unable to apply
 * caps"), so isolab runs the closest honest approximation instead and
 * lists, in plain sentences, what it leaves out. Pure: no I/O. */
#ifndef ISOLAB_PRIVILEGED_H
#define ISOLAB_PRIVILEGED_H

#include <stdbool.h>
#include <stdint.h>

#include "err.h"
#include "host.h"
#include "util.h"

struct privileged_plan {
	bool requested;          /* the flags ask for --privileged */
	bool approximated;       /* ...and this host gets the approximation */
	struct argv flags;       /* the docker run flags to use: the input, with
	                          * --privileged replaced when approximated */
	struct argv replacement; /* what stands in for --privileged; empty when
	                          * not approximated */
	uint64_t dropped;        /* capabilities dropped because the host lacks them */
	struct argv left_out;    /* what the approximation does not do, and why:
	                          * one sentence each; empty when not approximated */
};
/* Each argv's v is NULL-terminated and never NULL once planned, even when
 * empty. */

/* True when flags (a NULL-terminated docker run argv fragment; may be NULL)
 * ask for --privileged: "--privileged", or "--privileged=V" with V a true
 * value as Docker parses it (1, t, true...). The last occurrence wins, as
 * in Docker. */
bool privileged_is_requested(char *const *flags);

/* Decide for host h. out is always filled (free it with
 * privileged_plan_free). Fails only on a "--privileged=V" whose V Docker
 * would reject (ERR_INPUT). */
int privileged_plan(char *const *flags, const struct host_facts *h, struct privileged_plan *out,
		    struct err *e);
void privileged_plan_free(struct privileged_plan *p);

#endif
