/* report_target.c: the renderings of an inspected target (target.c
 * resolves and compares): its JSON, the snapshot's text, then what Docker
 * says of the container and where Docker and the kernel disagree. */
#include "report.h"
#include "target.h"

json_t *target_docker_json(const struct engine_container *c)
{
	json_t *mounts = json_array();
	json_t *labels = json_object();
	json_t *devices = json_array();

	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct engine_mount *m = &c->mounts[i];
		json_array_append_new(mounts, json_pack("{s:s, s:s, s:s, s:b, s:s}", "type", m->type,
							"source", m->source, "destination",
							m->destination, "rw", m->rw, "propagation",
							m->propagation));
	}
	for (size_t i = 0; i < c->n_labels; i++)
		json_object_set_new(labels, c->labels[i].key, json_string(c->labels[i].value));
	for (size_t i = 0; i < c->n_devices; i++)
		json_array_append_new(devices, json_pack("{s:s, s:s, s:s}", "path_on_host",
							 c->devices[i].path_on_host, "path_in_container",
							 c->devices[i].path_in_container, "cgroup_permissions",
							 c->devices[i].cgroup_permissions));
	json_t *j = json_pack("{s:s, s:s, s:s, s:b, s:s, s:b, s:o, s:o, s:o, s:s, s:s, s:s, s:s, s:s, s:o, "
			 "s:b, s:o, s:o}",
			 "id", c->id, "name", c->name, "image", c->image, "running", c->running,
			 "status", c->status, "privileged", c->privileged, "cap_add",
			 report_json_argv(&c->cap_add), "cap_drop", report_json_argv(&c->cap_drop), "binds",
			 report_json_argv(&c->binds), "pid_mode", c->pid_mode, "network_mode", c->network_mode,
			 "ipc_mode", c->ipc_mode, "uts_mode", c->uts_mode, "userns_mode", c->userns_mode,
			 "security_opt", report_json_argv(&c->security_opt), "readonly_rootfs",
			 c->readonly_rootfs, "mounts", mounts, "labels", labels);
	json_object_set_new(j, "devices", devices);
	return j;
}

json_t *target_json(const struct target *t)
{
	json_t *j = report_snapshot_json(&t->snap);
	json_t *dis = json_array();

	/* DESIGN.md: the target as the user named it. */
	json_object_set_new(j, "docker", t->docker ? target_docker_json(t->docker) : json_null());
	for (size_t i = 0; i < t->dis.n; i++)
		json_array_append_new(dis, json_pack("{s:s, s:s, s:s, s:s}", "check", t->dis.v[i].check,
						     "docker", t->dis.v[i].docker, "kernel",
						     t->dis.v[i].kernel, "why", t->dis.v[i].why));
	json_object_set_new(j, "disagreements", dis);
	return j;
}

static void print_list(FILE *out, const char *label, const struct argv *a)
{
	fprintf(out, "  %-15s", label);
	if (!a->n)
		fputs("-", out);
	for (size_t i = 0; i < a->n; i++)
		fprintf(out, "%s%s", i ? " " : "", a->v[i]);
	fputc('\n', out);
}

static const char *mode_or_default(const char *m)
{
	return *m ? m : "default";
}

void target_text(FILE *out, const struct target *t, const struct report_opts *o)
{
	const struct engine_container *c = t->docker;

	report_snapshot_text(out, &t->snap, o);
	if (!c)
		return;
	fprintf(out, "\nWhat Docker says about %s (%s)\n", c->name, c->image);
	fprintf(out, "  %-15s%s\n", "privileged", c->privileged ? "yes" : "no");
	print_list(out, "cap_add", &c->cap_add);
	print_list(out, "cap_drop", &c->cap_drop);
	print_list(out, "binds", &c->binds);
	fprintf(out, "  %-15spid=%s ipc=%s uts=%s network=%s userns=%s\n", "namespaces",
		mode_or_default(c->pid_mode), mode_or_default(c->ipc_mode), mode_or_default(c->uts_mode),
		mode_or_default(c->network_mode), mode_or_default(c->userns_mode));
	print_list(out, "security_opt", &c->security_opt);
	fprintf(out, "  %-15s%s\n", "read-only root", c->readonly_rootfs ? "yes" : "no");
	if (!t->dis.n) {
		fputs("\nDocker's description and the kernel's state agree.\n", out);
		return;
	}
	fprintf(out, "\nWhere Docker and the kernel disagree (%zu)\n", t->dis.n);
	for (size_t i = 0; i < t->dis.n; i++) {
		const struct disagreement *d = &t->dis.v[i];
		fprintf(out, "  ! %s\n      Docker: %s\n      kernel: %s\n      why:    %s\n", d->check,
			d->docker, d->kernel, d->why);
	}
}
