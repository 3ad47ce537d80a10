/* engprobe.c: one container, read from the kernel, for what the engine grants
 * --privileged and what it makes of a ':ro' bind. */
#include "engprobe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caps.h"
#include "mounts.h"
#include "proc.h"
#include "session.h"
#include "util.h"

#define PROBE_RO_TARGET "/isolab-ro"

static void read_container(const struct proc *p, struct engine_probe *out)
{
	struct mount_table t = {0};
	struct caps c;
	cleanup_free char *status = NULL, *label = NULL;
	size_t prefix = strlen(PROBE_RO_TARGET);

	if (proc_read(p, "status", &status, NULL, NULL) == 0 &&
	    caps_parse_status(status, &c, NULL) == 0)
		out->eff = c.set[CAPS_EFFECTIVE];
	if (proc_read(p, "attr/current", &label, NULL, NULL) == 0 && *label) {
		label[strcspn(label, "\n")] = '\0';
		out->lsm = xstrdup(label);
	}
	out->ro_recursive = -1;
	if (mounts_read(p, &t, NULL) < 0)
		return;
	for (size_t i = 0; i < t.n; i++) {
		const struct mount_entry *m = &t.v[i];
		if (strncmp(m->target, PROBE_RO_TARGET "/", prefix + 1) != 0)
			continue;
		if (out->ro_recursive < 0 || (out->ro_recursive == 1 && !m->read_only)) {
			free(out->ro_example);
			out->ro_example = xstrdup(m->target + prefix);
			out->ro_recursive = m->read_only;
		}
	}
	mounts_free(&t);
}

static int inspect_pid(struct engine *eng, const char *id, pid_t *pid, struct err *e)
{
	char *const ids[] = {(char *)id, NULL};
	struct engine_containers cs = {0};
	int rc = engine_inspect(eng, ids, &cs, e);

	if (rc == 0 && (cs.n != 1 || cs.v[0].pid <= 0))
		rc = err_set(e, ERR_ENGINE, 0, "the probe container has no process");
	if (rc == 0)
		*pid = cs.v[0].pid;
	engine_containers_free(&cs);
	return rc;
}

int engine_probe_run(struct engine *eng, const char *image, const struct host_facts *h,
		     struct engine_probe *out, struct err *e)
{
	unsigned long long start = 0;
	struct argv labels = ARGV_INIT, flags = ARGV_INIT;
	cleanup_free char *name = xasprintf("isolab-doctor-%d", (int)getpid());
	char *id = NULL;
	struct proc p = PROC_INIT;
	pid_t pid = 0;
	int rc;

	memset(out, 0, sizeof(*out));
	out->ro_recursive = -1;
	if (session_proc_starttime(NULL, getpid(), &start, NULL, e) < 0)
		return -1;
	argv_pushf(&labels, SESSION_LABEL_SESSION "=doctor-%d", (int)getpid());
	argv_pushf(&labels, SESSION_LABEL_OWNER "=%d:%llu", (int)getpid(), start);
	out->privileged = h->can_grant_all;
	if (out->privileged)
		argv_push(&flags, "--privileged");
	argv_push(&flags, "--volume=/sys:" PROBE_RO_TARGET ":ro");
	struct engine_run_spec spec = {name, image, labels.v, flags.v, NULL};
	rc = engine_run(eng, &spec, &id, e);
	if (rc == 0)
		rc = inspect_pid(eng, id, &pid, e);
	if (rc == 0)
		rc = proc_open(&p, NULL, pid, e);
	if (rc == 0) {
		read_container(&p, out);
		proc_close(&p);
	}
	if (id) {
		char *const ids[] = {id, NULL};
		struct err re = {0};
		if (engine_rm(eng, ids, &re) < 0 && rc == 0) {
			if (e)
				*e = re;
			rc = -1;
		}
	}
	free(id);
	argv_free(&labels);
	argv_free(&flags);
	return rc;
}

void engine_probe_free(struct engine_probe *p)
{
	free(p->ro_example);
	free(p->lsm);
	memset(p, 0, sizeof(*p));
}
