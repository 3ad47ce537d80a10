/* hostact.h: how a host action runs. Only host binaries run, found by
 * absolute path in root-owned system dirs (never on PATH, never in a
 * container's mount namespace: lab.c refuses nsenter -m into a
 * container); a read under {scratch} is opened by isolab itself beneath
 * the scratch dir, refusing every link, and the command gets the file on
 * stdin or the opened dir as its working directory, never the path. */
#ifndef ISOLAB_HOSTACT_H
#define ISOLAB_HOSTACT_H

#include <stddef.h>

#include "err.h"
#include "util.h"

struct hostact {
	char *path;       /* the binary executed */
	struct argv argv; /* what it gets */
	char *input;      /* stdin contents (cat, head), NUL-terminated; NULL: /dev/null */
	size_t input_len;
	int cwd_fd;       /* > 0: the working directory (stat, ls) */
};

/* Plan the host action words (expanded, already checked by lab.c) with
 * scratch the session's scratch dir. ERR_INPUT for a path that leaves it,
 * goes through a link or is not a regular file or a directory. */
int hostact_prepare(char *const *words, const char *scratch, struct hostact *out, struct err *e);
void hostact_free(struct hostact *h);

/* name in /usr/bin, /bin, /usr/sbin or /sbin: a root-owned regular file no
 * one else may write. */
int hostact_find_binary(const char *name, char **path, struct err *e);

#endif
