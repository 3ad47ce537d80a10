/* err.c: filling and wrapping the error object. */
#include "err.h"

#include <stdio.h>
#include <string.h>

static int exit_for(enum err_kind kind)
{
	switch (kind) {
	case ERR_INPUT:
	case ERR_EXITED: /* the target is gone: as good as unknown */
		return EXIT_USAGE;
	case ERR_ENGINE:
	case ERR_CAPS:
		return EXIT_ENGINE;
	case ERR_SYSTEM: /* DESIGN.md: isolab could not do its own work */
		return EXIT_SYSTEM;
	default:
		return EXIT_EXPECT;
	}
}

int err_setv(struct err *e, enum err_kind kind, int errnum, const char *fmt, va_list ap)
{
	if (!e)
		return -1;
	e->kind = kind;
	e->errnum = errnum;
	e->exit = exit_for(kind);
	vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
	if (errnum) {
		size_t len = strlen(e->msg);
		snprintf(e->msg + len, sizeof(e->msg) - len, ": %s", strerror(errnum));
	}
	return -1;
}

int (err_set)(struct err *e, enum err_kind kind, int errnum, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(e, kind, errnum, fmt, ap);
	va_end(ap);
	return -1;
}

int (err_wrap)(struct err *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_wrapv(e, fmt, ap);
	va_end(ap);
	return -1;
}

int err_wrapv(struct err *e, const char *fmt, va_list ap)
{
	char prefix[512];
	size_t plen, olen;

	if (!e)
		return -1;
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	plen = strlen(prefix);
	if (plen + 2 >= sizeof(e->msg))
		return -1;
	/* Shift the message right and put the context in front, keeping the
	 * start of both when the whole does not fit. */
	olen = strnlen(e->msg, sizeof(e->msg) - 1);
	if (plen + 2 + olen >= sizeof(e->msg))
		olen = sizeof(e->msg) - plen - 3;
	memmove(e->msg + plen + 2, e->msg, olen);
	e->msg[plen + 2 + olen] = '\0';
	memcpy(e->msg, prefix, plen);
	e->msg[plen] = ':';
	e->msg[plen + 1] = ' ';
	return -1;
}

void err_clear(struct err *e)
{
	if (!e)
		return;
	e->kind = ERR_NONE;
	e->errnum = 0;
	e->exit = 0;
	e->msg[0] = '\0';
}
