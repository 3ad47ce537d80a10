/* session_impl.h: what session.c and sweep.c share, and nothing else
 * includes. */
#ifndef ISOLAB_SESSION_IMPL_H
#define ISOLAB_SESSION_IMPL_H

#include "err.h"
#include "session.h"

/* Keep the first error in acc, append the others' messages to it. */
void session_err_note(struct err *acc, const struct err *more);
/* Hand acc to e (when given); -1 when acc holds an error, else 0. */
int session_err_give(const struct err *acc, struct err *e);
/* The scratch and disk bases: the option, else the environment, else the default. */
const char *session_scratch_base(const struct session_opts *o);
const char *session_disk_base(const struct session_opts *o);
/* Remove base/name (a session's dir, under base_fd) whole, on its own file
 * system only; mount points and trees deeper than the limit are left, with
 * e saying so. */
int session_remove_at(int base_fd, const char *base, const char *name, struct err *e);

#endif
