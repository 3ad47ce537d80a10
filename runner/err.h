/* err.h: the error object. Functions that can fail return 0 or a negative
 * value and fill one of these; callers add context with err_wrap(); only
 * main and the UI print it. The exit class travels with the message. */
#ifndef ISOLAB_ERR_H
#define ISOLAB_ERR_H

#include <stdarg.h>

/* Exit codes, as DESIGN.md fixes them. */
enum {
	EXIT_OK = 0,
	EXIT_EXPECT = 1, /* an expectation failed, or an audit finding is not accepted */
	EXIT_USAGE = 2,  /* usage or bad input: lab file, unknown target */
	EXIT_ENGINE = 3, /* the engine is unavailable */
	EXIT_SYSTEM = 4, /* isolab could not do its own work: a system call failed, out of
			 * memory, output could not be written (ERR_SYSTEM) */
};

/* What kind of failure, so callers can decide without parsing text. */
enum err_kind {
	ERR_NONE = 0,
	ERR_SYSTEM,  /* a syscall failed; errnum says which way */
	ERR_EXITED,  /* the inspected process is gone */
	ERR_INPUT,   /* bad input from the user or a file */
	ERR_ENGINE,  /* docker missing, daemon down, socket permission */
	ERR_TIMEOUT, /* a child ran past its deadline */
	ERR_CAPS,    /* the host cannot grant the capabilities asked for */
	ERR_CANCEL,  /* the user interrupted */
};

struct err {
	enum err_kind kind;
	int errnum; /* errno, or 0 */
	int exit;   /* the exit code this error leads to */
	char msg[1024];
};

int err_setv(struct err *e, enum err_kind kind, int errnum, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
int err_wrapv(struct err *e, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void err_clear(struct err *e);

/* Set *e (if not NULL) and return -1. A non-zero errnum is appended as
 * ": strerror(errnum)". */
int err_set(struct err *e, enum err_kind kind, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Prefix the message with context ("reading pid 42: ..."); returns -1. */
int err_wrap(struct err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Both always return -1, and the macros say so where they are called: the
 * analysers (scan-build, clang-tidy, cppcheck) do not follow a call into
 * another file, nor into any variadic function, and would otherwise walk a
 * path where `return err_set(...)` returned 0 and the caller went on with
 * what the callee never filled. The parentheses call the function. */
#define err_set(...) ({ (err_set)(__VA_ARGS__); -1; })
#define err_wrap(...) ({ (err_wrap)(__VA_ARGS__); -1; })

#define err_sys(e, fmt, ...) err_set((e), ERR_SYSTEM, errno, fmt, ##__VA_ARGS__)
#define err_input(e, fmt, ...) err_set((e), ERR_INPUT, 0, fmt, ##__VA_ARGS__)

#endif
