/* engtime.c: the deadlines of docker calls. They tolerate a slow host (a
 * lab VM under software emulation); a test that freezes its engine cuts
 * them with ISOLAB_ENGINE_TIMEOUT_PERCENT, so that it meets the frozen
 * daemon in seconds instead of minutes. */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>

int engine_timeout_percent(const char *text)
{
	char *end;
	long v;

	if (!text || !*text)
		return 100;
	errno = 0;
	v = strtol(text, &end, 10);
	if (errno || *end || v < 1 || v > 1000)
		return 100;
	return (int)v;
}

/* A deadline scaled by percent, never under a second. */
static int scaled(int ms, int pct)
{
	long long v = (long long)ms * pct / 100;
	return v < 1000 ? 1000 : (int)v;
}

void engine_set_deadlines(struct engine *eng)
{
	int pct = engine_timeout_percent(getenv("ISOLAB_ENGINE_TIMEOUT_PERCENT"));

	eng->quick_timeout_ms = scaled(ENGINE_QUICK_TIMEOUT_MS, pct);
	eng->rm_timeout_ms = scaled(ENGINE_RM_TIMEOUT_MS, pct);
	eng->run_timeout_ms = scaled(ENGINE_RUN_TIMEOUT_MS, pct);
	eng->exec_timeout_ms = scaled(ENGINE_EXEC_TIMEOUT_MS, pct);
	eng->build_timeout_ms = scaled(ENGINE_BUILD_TIMEOUT_MS, pct);
}
