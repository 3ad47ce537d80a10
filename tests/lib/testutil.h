/* testutil.h: what the test programs share: cmocka, fixture paths, and a
 * few helpers to run a program and read what it printed. */
#ifndef ISOLAB_TESTUTIL_H
#define ISOLAB_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdbool.h>

#include "util.h"

#define FIXTURES "tests/fixtures"
#define FIXTURE_PROC FIXTURES "/proc"

/* Read a whole file; NULL if it cannot. */
char *tu_read_file(const char *path);
/* Run argv (no shell), capture stdout and stderr; returns the exit status
 * (or 128+signal). */
int tu_run(char *const argv[], char **out, char **err);
bool tu_contains(const char *haystack, const char *needle);

struct host_ref;
struct snapshot;
struct engine_containers;
/* The host of the /proc fixtures (pid 1 under FIXTURE_PROC); 0 or -1. */
int tu_fixture_host(struct host_ref *host);
/* A snapshot of pid under root (FIXTURE_PROC, or another fixture tree),
 * against host; fails the test when it cannot be taken. */
void tu_fixture_snapshot(const struct host_ref *host, const char *root, int pid, const char *target,
			 struct snapshot *s);
/* tests/fixtures/NAME, loaded as JSON; fails the test when it cannot be. */
json_t *tu_fixture_json(const char *name);
/* tests/fixtures/engine/inspect/NAME, parsed into *cs (zeroed first). */
void tu_fixture_inspect(const char *name, struct engine_containers *cs);

#endif
