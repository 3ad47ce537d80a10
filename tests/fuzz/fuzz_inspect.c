/* fuzz_inspect.c: libFuzzer target for what isolab makes of an engine's
 * JSON. isolab runs whatever `docker` it is given (--engine, a Docker of
 * another version, a compatible CLI), so any bytes go through
 * engine_inspect_parse() and engine_info_parse(); each container parsed is
 * then rendered as inspect's "docker" object, set against a real snapshot
 * (target_disagreements) and audited (audit_evaluate, both the host that
 * cannot grant every capability and the workshop VM that can). Runs from
 * the top of the tree, where tests/run starts it. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "engine.h"
#include "host.h"
#include "proc.h"
#include "snapshot.h"
#include "target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct host_ref host;
static struct host_facts sandbox, vm;
static struct snapshot snap;

static void die(const char *what, const struct err *e)
{
	fprintf(stderr, "fuzz_inspect: %s: %s (run from the top of the tree)\n", what, e->msg);
	exit(1);
}

static void setup(void)
{
	static const char proc_root[] = "tests/fixtures/proc";
	struct err e = {0};
	struct proc p;

	if (host_ref_load_from(&host, proc_root, 1, &e) < 0)
		die("the fixture host", &e);
	if (host_facts_load(&sandbox, "tests/fixtures/host/this-machine", &e) < 0 ||
	    host_facts_load(&vm, "tests/fixtures/host/workshop-vm", &e) < 0)
		die("the fixture host facts", &e);
	/* A container's process: Docker's default set, its masks, a seccomp filter. */
	if (proc_open(&p, proc_root, 100, &e) < 0 || snapshot_take(&snap, &p, &host, "fuzz", &e) < 0)
		die("the fixture snapshot", &e);
	proc_close(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct engine_containers cs = {0};
	struct engine_info info;
	struct err e = {0};
	char *json;

	if (!ready) {
		setup();
		ready = 1;
	}
	/* The engine's output reaches isolab as a NUL-terminated buffer. */
	json = malloc(size + 1);
	if (!json)
		return 0;
	memcpy(json, data, size);
	json[size] = '\0';

	if (engine_inspect_parse(json, &cs, &e) == 0) {
		for (size_t i = 0; i < cs.n; i++) {
			const struct engine_container *c = &cs.v[i];
			struct disagreements d = {0};
			struct audit_container a;
			json_t *j = target_docker_json(c);

			free(json_dumps(j, JSON_COMPACT));
			json_decref(j);
			target_disagreements(c, &snap, &d);
			target_disagreements_free(&d);
			audit_evaluate(c, &snap, &host, &sandbox, &a);
			audit_container_free(&a);
			audit_evaluate(c, &snap, &host, &vm, &a);
			audit_container_free(&a);
			engine_containers_find(&cs, c->id);
		}
		engine_containers_free(&cs);
	}
	engine_info_parse(json, &info, &e);
	engine_info_free(&info); /* filled in part whatever the result */
	free(json);
	return 0;
}
