/* test_lab.c: lab files: the complete example of docs/authoring-labs.md
 * field by field, one broken file per kind of problem with its exact
 * FILE:LINE:COL message, placeholders, host reach, listing. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "host.h"
#include "lab.h"

#define LABS FIXTURES "/labs"
#define EXAMPLE LABS "/good/capabilities.yaml"

static struct lab *load_ok(const char *path)
{
	struct lab *lab = NULL;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};

	if (lab_load(path, &lab, &p, &e) < 0) {
		lab_problems_print(&p, stderr);
		fail_msg("%s does not load: %s", path, e.msg);
	}
	assert_int_equal(p.n, 0);
	lab_problems_free(&p);
	return lab;
}

static void words_are(const struct lab_words *w, const char *const *want)
{
	size_t n = 0;

	while (want[n])
		n++;
	assert_int_equal(w->n, n);
	for (size_t i = 0; i < n; i++)
		assert_string_equal(w->v[i], want[i]);
	assert_null(w->v[n]);
}

#define WORDS(w, ...) words_are((w), (const char *const[]){__VA_ARGS__, NULL})

static void pos_is(const struct lab_pos *p, int line, int col)
{
	assert_string_equal(p->file, EXAMPLE);
	assert_int_equal(p->line, line);
	assert_int_equal(p->col, col);
}

static void example_lab(void **state)
{
	struct lab *lab = load_ok(EXAMPLE);
	const struct lab_step *s;
	const struct lab_container *c;
	const struct lab_action *a;
	const struct lab_expect *x;

	(void)state;
	assert_string_equal(lab->file, EXAMPLE);
	assert_int_equal(lab->version, 1);
	assert_string_equal(lab->id, "capabilities");
	pos_is(&lab->id_pos, 3, 5);
	assert_string_equal(lab->title, "Linux capabilities");
	assert_string_equal(lab->summary,
			    "Root in a container is not root on the host: Docker hands a container "
			    "fourteen capabilities. See which, drop them, add one, and what a "
			    "privileged container with the host's pid namespace can reach.");
	assert_int_equal(lab->safety, LAB_SAFETY_VM_ONLY);
	assert_int_equal(lab->n_steps, 2);

	/* Step 1 */
	s = &lab->steps[0];
	pos_is(&s->pos, 11, 5);
	assert_string_equal(s->id, "default-set");
	assert_string_equal(s->title, "The default set, decoded");
	assert_true(util_str_has_prefix(s->text, "The kernel checks a process's **effective** "
						 "capabilities, the\n`CapEff` line"));
	assert_true(tu_contains(s->text, "\n```\ndocker run --cap-drop ALL IMAGE\n```\n"));
	assert_non_null(s->question);
	assert_string_equal(s->question->prompt, "Does a default container hold cap_sys_admin?");
	WORDS(&s->question->choices, "yes", "no");
	assert_int_equal(s->question->answer, 1);
	assert_string_equal(s->question->why,
			    "Docker's default set has 14 capabilities; cap_sys_admin is not one.");
	pos_is(&s->question->pos, 25, 7);

	assert_int_equal(s->n_containers, 3);
	assert_int_equal(s->reference, 0);
	c = &s->containers[0];
	assert_string_equal(c->name, "default");
	assert_true(c->reference);
	assert_int_equal(c->flags.n, 0);
	assert_non_null(c->flags.v);
	assert_int_equal(c->command.n, 0);
	pos_is(&c->pos, 30, 9);
	c = &s->containers[1];
	assert_string_equal(c->name, "dropped");
	assert_false(c->reference);
	WORDS(&c->flags, "--cap-drop", "ALL");
	pos_is(&c->flags.pos[1], 33, 29);
	WORDS(&c->command, "sleep", "3600");
	c = &s->containers[2];
	assert_string_equal(c->name, "netadmin");
	WORDS(&c->flags, "--cap-add=NET_ADMIN");

	assert_int_equal(s->n_actions, 2);
	a = &s->actions[0];
	assert_string_equal(a->id, "chown-dropped");
	assert_int_equal(a->kind, LAB_ACTION_PROBE);
	assert_string_equal(a->in, "dropped");
	assert_int_equal(a->container, 1);
	assert_string_equal(a->probe, "chown");
	assert_int_equal(a->argv.n, 0);
	pos_is(&a->pos, 38, 9);
	a = &s->actions[1];
	assert_string_equal(a->id, "whoami");
	assert_int_equal(a->kind, LAB_ACTION_EXEC);
	assert_int_equal(a->container, 0);
	assert_null(a->probe);
	WORDS(&a->argv, "id", "-u");

	assert_int_equal(s->n_expects, 6);
	x = &s->expects[0];
	assert_int_equal(x->kind, LAB_EXPECT_CAP);
	pos_is(&x->pos, 45, 9);
	assert_string_equal(x->container, "default");
	assert_int_equal(x->container_index, 0);
	assert_int_equal(x->cap.set, LAB_CAPSET_EFFECTIVE);
	assert_string_equal(x->cap.name, "cap_chown");
	assert_int_equal(x->cap.value, 0);
	assert_true(x->cap.has);
	assert_string_equal(x->why, "cap_chown is one of the fourteen.");
	x = &s->expects[1];
	assert_int_equal(x->kind, LAB_EXPECT_CAP);
	assert_int_equal(x->container_index, 1);
	assert_int_equal(x->cap.set, LAB_CAPSET_BOUNDING);
	assert_false(x->cap.has);
	assert_null(x->why);
	x = &s->expects[2];
	assert_string_equal(x->cap.name, "cap_net_admin");
	assert_int_equal(x->cap.value, 12);
	assert_int_equal(x->container_index, 2);
	x = &s->expects[3];
	assert_int_equal(x->kind, LAB_EXPECT_ACTION);
	assert_null(x->container);
	assert_int_equal(x->container_index, -1);
	assert_string_equal(x->action.id, "chown-dropped");
	assert_int_equal(x->action.index, 0);
	assert_int_equal(x->action.result, LAB_RESULT_DENIED);
	assert_null(x->action.contains);
	assert_false(x->action.check_exit);
	x = &s->expects[4];
	assert_int_equal(x->action.index, 1);
	assert_int_equal(x->action.result, LAB_RESULT_ALLOWED);
	assert_string_equal(x->action.contains, "0");
	assert_true(x->action.check_exit);
	assert_int_equal(x->action.exit, 0);
	x = &s->expects[5];
	assert_int_equal(x->kind, LAB_EXPECT_NO_NEW_PRIVS);
	assert_int_equal(x->container_index, 0);
	assert_false(x->nnp.value);
	WORDS(&s->hints, "Look at CapEff of each container.",
	      "Solution: default holds cap_chown, dropped holds nothing, so its chown fails.");

	/* Step 2 */
	s = &lab->steps[1];
	assert_string_equal(s->id, "host-pid");
	assert_string_equal(s->title, "Privileged, in the host's pid namespace");
	assert_null(s->question);
	pos_is(&s->text_pos, 58, 7);
	assert_int_equal(s->n_containers, 3);
	assert_int_equal(s->reference, 0);
	WORDS(&s->containers[1].flags, "--privileged", "--pid", "host");
	WORDS(&s->containers[2].flags, "-v", "/:/host:ro", "--volume={scratch}:/scratch");

	assert_int_equal(s->n_actions, 4);
	a = &s->actions[0];
	assert_int_equal(a->kind, LAB_ACTION_PROBE);
	assert_string_equal(a->probe, "setns");
	assert_int_equal(a->container, 1);
	WORDS(&a->argv, "{witness}", "{scratch}/canary");
	a = &s->actions[1];
	assert_string_equal(a->id, "uts");
	assert_int_equal(a->kind, LAB_ACTION_HOST);
	assert_null(a->in);
	assert_int_equal(a->container, -1);
	WORDS(&a->argv, "nsenter", "-t", "{pid:priv}", "-u", "hostname");
	a = &s->actions[2];
	assert_int_equal(a->kind, LAB_ACTION_EXEC);
	assert_int_equal(a->container, 2);
	WORDS(&a->argv, "cat", "/host{scratch}/canary");
	a = &s->actions[3];
	assert_int_equal(a->kind, LAB_ACTION_HOST);
	WORDS(&a->argv, "ls", "-l", "{scratch}");

	assert_int_equal(s->n_expects, 8);
	x = &s->expects[0];
	assert_int_equal(x->kind, LAB_EXPECT_PRIVILEGED);
	assert_int_equal(x->container_index, 1);
	x = &s->expects[1];
	assert_int_equal(x->kind, LAB_EXPECT_NAMESPACE);
	assert_string_equal(x->ns.ns, "pid");
	assert_true(x->ns.shared);
	x = &s->expects[2];
	assert_int_equal(x->container_index, 0);
	assert_false(x->ns.shared);
	assert_string_equal(x->why, "A default container has a pid namespace of its own.");
	x = &s->expects[3];
	assert_int_equal(x->kind, LAB_EXPECT_SECCOMP);
	assert_int_equal(x->seccomp.mode, LAB_SECCOMP_DISABLED);
	x = &s->expects[4];
	assert_int_equal(x->kind, LAB_EXPECT_MOUNT);
	assert_int_equal(x->container_index, 2);
	assert_string_equal(x->mount.host_path, "/");
	assert_null(x->mount.kind);
	assert_true(x->mount.present);
	assert_true(x->mount.check_read_only);
	assert_true(x->mount.read_only);
	x = &s->expects[5];
	assert_null(x->mount.host_path);
	assert_string_equal(x->mount.kind, "docker-socket");
	assert_false(x->mount.present);
	assert_false(x->mount.check_read_only);
	x = &s->expects[6];
	assert_int_equal(x->action.index, 0);
	assert_string_equal(x->action.contains, "{nonce}");
	assert_false(x->action.check_exit);
	x = &s->expects[7];
	assert_int_equal(x->action.index, 2);
	assert_true(x->action.check_exit);
	assert_int_equal(s->hints.n, 3);
	assert_true(util_str_has_prefix(s->hints.v[2], "Solution: "));

	assert_ptr_equal(lab_find_step(lab, "host-pid"), s);
	assert_null(lab_find_step(lab, "nope"));
	assert_int_equal(lab_step_container(s, "rootbind"), 2);
	assert_int_equal(lab_step_container(s, "nope"), -1);
	lab_free(lab);
}

/* One broken file per kind of problem: exactly one message each. */
static const struct bad {
	const char *file;
	int line, col;
	const char *msg;
} bads[] = {
	{"action-bad-container", 19, 13, "no container 'another' in step 'only'"},
	{"action-no-kind", 18, 9, "action 'look' needs one of 'probe', 'exec' or 'host'"},
	{"alias", 9, 13, "aliases (*name) are not supported: write the value out"},
	{"answer-not-choice", 15, 15, "answer 'maybe' is not one of the choices (yes, no)"},
	{"bad-id", 8, 9, "'id' must match [a-z0-9-]+ (at most 40 characters), found 'Only_Step'"},
	{"control-char", 4, 17, "control character U+001B: a lab file is printable text"},
	{"directive", 2, 1, "YAML directives (%...) are not supported in lab files"},
	{"docker-flag-cap", 16, 45,
	 "unknown capability 'NET_ADMN' for --cap-add (Docker's spelling: NET_ADMIN, "
	 "CAP_NET_ADMIN or ALL)"},
	{"docker-flag-network", 16, 34, "'--network' in a lab must be one of none, host, found 'bridge'"},
	{"docker-label-not-reason", 13, 26,
	 "a lab may set only a documented reason, --label isolab.reason.CHECK=TEXT with CHECK an "
	 "audit check (isolab labels its containers itself), found 'isolab.session=mine'"},
	{"docker-label-short", 13, 27,
	 "a lab may set only a documented reason, --label isolab.reason.CHECK=TEXT with CHECK an "
	 "audit check (isolab labels its containers itself), found 'k=v'"},
	{"docker-flag-owned", 16, 17,
	 "docker run flag '--rm' is not allowed in a lab: isolab removes its containers itself"},
	{"docker-flag-unknown", 16, 17,
	 "docker run flag '--cpus' is not allowed in a lab (allowed: --cap-add, --cap-drop, "
	 "--privileged, --volume/-v, --mount, --pid, --ipc, --uts, --userns, --security-opt, "
	 "--read-only, --device, --device-cgroup-rule, --network, --user/-u, --tmpfs, --hostname, "
	 "--workdir/-w, --env/-e, --group-add, --sysctl, --label)"},
	{"dup-action", 21, 13, "duplicate action id 'look' in step 'only' (first at line 18)"},
	{"dup-container", 15, 15,
	 "duplicate container name 'default' in step 'only' (first at line 13)"},
	{"dup-key", 7, 1, "duplicate key 'safety' (first at line 6)"},
	{"dup-step", 27, 9, "duplicate step id 'only' (first at line 8)"},
	{"empty-hints", 24, 12,
	 "step 'only' has no hints: give at least one (the first a pointer, the last the "
	 "solution)"},
	{"expect-bad-action", 23, 22, "no action 'peek' in step 'only'"},
	{"expect-bad-container", 22, 26, "no container 'nosuch' in step 'only'"},
	{"expect-bad-ns", 24, 43,
	 "'ns' must be one of cgroup, ipc, mnt, net, pid, pid_for_children, time, "
	 "time_for_children, user, uts, found 'mount'"},
	{"expect-bad-seccomp", 24, 43, "'mode' must be one of disabled, strict, filter, found 'off'"},
	{"expect-bad-set", 22, 40,
	 "'set' must be one of effective, permitted, inheritable, bounding, ambient, found "
	 "'efective'"},
	{"expect-cap-spelling", 22, 40, "capability 'CAP_CHOWN' is written 'cap_chown' (libcap's name)"},
	{"expect-exit-probe", 23, 44, "'exit' applies to exec and host actions; 'look' is a probe"},
	{"expect-has-and-lacks", 22, 51, "a cap expectation takes only one of 'has', 'lacks'"},
	{"expect-missing-field", 23, 17, "an action expectation needs 'result'"},
	{"expect-mount-no-path", 22, 16, "a mount expectation needs 'host_path' or 'kind'"},
	{"expect-two-kinds", 24, 9,
	 "an expectation has exactly one kind, found 'privileged' after 'action'"},
	{"expect-unknown-cap", 22, 40,
	 "unknown capability 'cap_sys_admn' (libcap's lowercase names, e.g. cap_sys_admin)"},
	{"expect-unknown-field", 22, 51,
	 "unknown field 'sett' in a cap expectation (allowed: container, set, has, lacks)"},
	{"host-action", 22, 16,
	 "host action 'rm' is not allowed (allowed: nsenter -t {pid:NAME} or {witness} with "
	 "namespace options and one of hostname, cat, ls, readlink, id, stat, head; cat, ls, "
	 "stat, head of paths under {scratch})"},
	{"host-nsenter-command", 22, 50,
	 "nsenter may run only hostname, cat, ls, readlink, id, stat or head, found 'sh'"},
	{"host-read-outside", 22, 21,
	 "host action 'cat' may read only under {scratch}, found '/etc/shadow'"},
	{"hint-claims-action", 28, 9,
	 "a hint names action 'look-again', but no expectation of the step checks it "
	 "(a hint claims only what an expectation of step 'only' checks)"},
	{"hint-claims-cap", 26, 10,
	 "the solution names cap_net_raw, but no cap expectation of the step checks it "
	 "(a hint claims only what an expectation of step 'only' checks)"},
	{"hint-claims-container", 26, 9,
	 "a hint names container 'third', but no expectation of the step checks it "
	 "(a hint claims only what an expectation of step 'only' checks)"},
	{"hint-claims-outcome", 26, 10,
	 "the solution says 'allowed', but no action expectation of the step has result allowed "
	 "(a hint claims only what an expectation of step 'only' checks)"},
	{"markdown-link", 13, 7,
	 "step text uses a link, which is not in isolab's Markdown subset (paragraphs, "
	 "*emphasis*, **strong**, `code`, lists, code blocks, headings)"},
	{"missing-field", 8, 5, "missing required key 'title' in step 'only'"},
	{"no-hints", 8, 5, "missing required key 'hints' in step 'only'"},
	{"not-a-mapping", 2, 1, "the lab must be a mapping (key: value), found a list"},
	{"not-utf8", 4, 17, "not valid UTF-8: a lab file is UTF-8 text"},
	{"placeholder-container", 22, 30, "'{pid:nosuch}': no container 'nosuch' in step 'only'"},
	{"placeholder-in-flags", 16, 39,
	 "'{pid:default}' cannot be used in 'flags': containers start in parallel, so pids and "
	 "names are known to actions only"},
	{"probe-args", 20, 16, "probe 'sys_ptrace' takes the arguments PID, found 0"},
	{"syntax", 9, 12, "wrongly indented double-quoted scalar"},
	{"tab-indent-complex-key", 27, 9, "cannot use tab for indentation of block entry"},
	{"two-references", 16, 20,
	 "more than one reference container in step 'only' (the first is at line 14)"},
	{"unknown-expect-kind", 23, 9,
	 "unknown expectation kind 'capability' (known: cap, namespace, mount, seccomp, "
	 "no_new_privs, action, privileged, finding, lsm)"},
	{"unknown-key", 9, 5,
	 "unknown key 'titel' in step 'only' (allowed: id, title, text, question, containers, "
	 "actions, expect, hints, notes)"},
	{"unknown-placeholder", 23, 22,
	 "unknown placeholder '{scrach}' (known: {pid:NAME}, {name:NAME}, {witness}, {nonce}, "
	 "{scratch}, {image}, {session}, {disk_canary}, {docker_socket}; '{{' and '}}' are literal braces)"},
	{"unknown-probe", 20, 16,
	 "unknown probe 'chmod' (known: chown, net_raw, icmp_dgram, bind_low_port, setuid, "
	 "net_admin, sys_admin, sys_ptrace, sys_module, sys_boot, mknod, dac_read_search, setns, "
	 "block_device, mount_disk, docker_socket, self)"},
	{"version-2", 2, 9, "'isolab' must be 1 (this isolab reads lab format 1), found 2"},
	{"version-missing", 2, 1, "missing required key 'isolab' in the lab"},
	{"when-action-ref", 19, 9,
	 "action 'look' refers to container 'other', which exists only where --privileged is "
	 "real: give it the same 'when'"},
	{"when-expect-ref", 23, 9,
	 "an expectation refers to container 'other', which exists only where AppArmor confines "
	 "containers: give it the same 'when'"},
	{"when-reference", 15, 15, "the reference container runs on every host: it takes no 'when'"},
	{"when-value", 20, 21, "'lsm' must be one of apparmor, selinux, none, found 'tomoyo'"},
	{"wrong-type-bool", 14, 20, "'reference' must be true or false, found 'yes'"},
	{"wrong-type-list", 16, 16, "'flags' must be a list of strings, found a string"},
};

static void bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bads); i++) {
		cleanup_free char *path = xasprintf(LABS "/bad/%s.yaml", bads[i].file);
		cleanup_free char *want =
			xasprintf("%s:%d:%d: %s", path, bads[i].line, bads[i].col, bads[i].msg);
		struct lab *lab = (struct lab *)1;
		struct lab_problems p = LAB_PROBLEMS_INIT;
		struct err e = {0};

		assert_int_equal(lab_load(path, &lab, &p, &e), -1);
		assert_null(lab);
		if (p.n != 1) {
			lab_problems_print(&p, stderr);
			fail_msg("%s: %zu problems, want 1", path, p.n);
		}
		assert_string_equal(p.v[0].file, path);
		assert_int_equal(p.v[0].line, bads[i].line);
		assert_int_equal(p.v[0].col, bads[i].col);
		cleanup_free char *got = lab_problem_format(&p.v[0]);
		assert_string_equal(got, want);
		assert_string_equal(e.msg, want);
		assert_int_equal(e.kind, ERR_INPUT);
		assert_int_equal(e.exit, EXIT_USAGE);
		lab_problems_free(&p);
	}
}

/* Every file under bad/ has its expected message above. */
static void bad_files_all_listed(void **state)
{
	DIR *d = opendir(LABS "/bad");
	struct dirent *de;
	size_t n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name), i;
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		n++;
		for (i = 0; i < ARRAY_SIZE(bads); i++)
			if (strlen(bads[i].file) == len - 5 &&
			    strncmp(bads[i].file, de->d_name, len - 5) == 0)
				break;
		if (i == ARRAY_SIZE(bads))
			fail_msg("bad/%s has no expected message in test_lab.c", de->d_name);
	}
	closedir(d);
	assert_int_equal(n, ARRAY_SIZE(bads));
	assert_true(n >= 20);
}

/* All the problems of a file, in file order, not only the first. */
static void all_problems_in_order(void **state)
{
	static const char *const want[] = {
		"2:9: 'isolab' must be 1 (this isolab reads lab format 1), found 2",
		"3:5: 'id' must match [a-z0-9-]+ (at most 40 characters), found 'Multi'",
		"6:9: 'safety' must be one of inspect-only, vm-only, found 'sometimes'",
		"13:17: docker run flag '--rm' is not allowed in a lab: isolab removes its "
		"containers itself",
		"15:36: unknown capability 'cap_nope' (libcap's lowercase names, e.g. cap_sys_admin)",
		"16:12: step 'a' has no hints: give at least one (the first a pointer, the last the "
		"solution)",
		"17:5: missing required key 'text' in step 'a'",
		"17:9: duplicate step id 'a' (first at line 8)",
		"19:5: unknown key 'txt' in step 'a' (allowed: id, title, text, question, containers, "
		"actions, expect, hints, notes)",
	};
	struct lab *lab;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};

	(void)state;
	assert_int_equal(lab_load(LABS "/multi.yaml", &lab, &p, &e), -1);
	assert_int_equal(p.n, ARRAY_SIZE(want));
	for (size_t i = 0; i < p.n; i++) {
		cleanup_free char *s = lab_problem_format(&p.v[i]);
		cleanup_free char *w = xasprintf(LABS "/multi.yaml:%s", want[i]);
		assert_string_equal(s, w);
	}
	assert_true(tu_contains(e.msg, "(and 8 more problems)"));
	lab_problems_free(&p);
}

/* libfyaml must not print on its own: its errors come back as problems. */
static void yaml_errors_are_captured(void **state)
{
	static const char text[] = "isolab: 1\nid: [x\n";
	char buf[256] = "";
	struct lab *lab;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};
	FILE *tmp = tmpfile();
	int saved = dup(STDERR_FILENO);

	(void)state;
	assert_non_null(tmp);
	fflush(stderr);
	dup2(fileno(tmp), STDERR_FILENO);
	int r = lab_load_string("mem.yaml", text, sizeof(text) - 1, &lab, &p, &e);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	rewind(tmp);
	size_t n = fread(buf, 1, sizeof(buf) - 1, tmp);
	fclose(tmp);
	assert_int_equal(n, 0);
	assert_int_equal(r, -1);
	assert_int_equal(p.n, 1);
	assert_string_equal(p.v[0].file, "mem.yaml");
	assert_true(p.v[0].line >= 2);
	lab_problems_free(&p);
}

static void load_from_memory(void **state)
{
	cleanup_free char *text = tu_read_file(EXAMPLE);
	struct lab *lab;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};

	(void)state;
	assert_non_null(text);
	assert_int_equal(lab_load_string("example", text, strlen(text), &lab, &p, &e), 0);
	assert_string_equal(lab->file, "example");
	assert_string_equal(lab->steps[1].pos.file, "example");
	assert_int_equal(lab->n_steps, 2);
	lab_free(lab);

	/* Not NUL-terminated: only len bytes are read. */
	static const char cut[] = {'i', 's', 'o', 'l', 'a', 'b', ':', ' ', '1', '\n', '!'};
	assert_int_equal(lab_load_string("cut", cut, 10, &lab, &p, &e), -1);
	assert_true(p.n >= 1);
	assert_string_equal(p.v[0].msg, "missing required key 'id' in the lab");
	lab_problems_free(&p);

	assert_int_equal(lab_load_string("empty", "", 0, &lab, &p, &e), -1);
	assert_string_equal(e.msg, "empty:1:1: empty file: a lab starts with 'isolab: 1'");
	lab_problems_free(&p);

	/* probs may be NULL: the error still says what is wrong. */
	assert_int_equal(lab_load_string("x", "isolab: 1\n---\n", 14, &lab, NULL, &e), -1);
	assert_true(tu_contains(e.msg, "x:2:1: a lab file holds one YAML document"));
}

static void unreadable_file(void **state)
{
	struct lab *lab;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};

	(void)state;
	assert_int_equal(lab_load(LABS "/no-such-file.yaml", &lab, &p, &e), -1);
	assert_int_equal(p.n, 1);
	assert_int_equal(p.v[0].line, 0);
	cleanup_free char *s = lab_problem_format(&p.v[0]);
	assert_string_equal(s, LABS "/no-such-file.yaml: cannot read: No such file or directory");
	assert_int_equal(e.exit, EXIT_USAGE);
	lab_problems_free(&p);
}

/* --- placeholders --- */

static int lookup(void *user, enum lab_var var, const char *arg, struct strbuf *out,
		  struct err *e)
{
	(void)user;
	switch (var) {
	case LAB_VAR_PID:
		if (strcmp(arg, "gone") == 0)
			return err_input(e, "container %s is not running", arg);
		strbuf_addf(out, "%d", strcmp(arg, "priv") == 0 ? 4321 : 99);
		return 0;
	case LAB_VAR_NAME:
		strbuf_addf(out, "isolab-s1-%s", arg);
		return 0;
	case LAB_VAR_WITNESS:
		strbuf_adds(out, "777");
		return 0;
	case LAB_VAR_NONCE:
		strbuf_adds(out, "n0nce");
		return 0;
	case LAB_VAR_SCRATCH:
		strbuf_adds(out, "/run/isolab/s1");
		return 0;
	case LAB_VAR_IMAGE:
		strbuf_adds(out, "isolab/lab:1");
		return 0;
	case LAB_VAR_SESSION:
		strbuf_adds(out, "s1");
		return 0;
	case LAB_VAR_DISK_CANARY:
		strbuf_adds(out, "/var/lib/isolab/s1/canary");
		return 0;
	case LAB_VAR_DOCKER_SOCKET:
		strbuf_adds(out, "/run/docker.sock");
		return 0;
	}
	return -1;
}

static void expand_is(const char *tmpl, const char *want)
{
	static const struct lab_vars vars = {lookup, NULL};
	char *out = NULL;
	struct err e = {0};

	if (lab_expand(tmpl, &vars, &out, &e) < 0)
		fail_msg("%s: %s", tmpl, e.msg);
	assert_string_equal(out, want);
	free(out);
}

static void expand_fails(const char *tmpl, const char *want)
{
	static const struct lab_vars vars = {lookup, NULL};
	char *out = (char *)1;
	struct err e = {0};

	assert_int_equal(lab_expand(tmpl, &vars, &out, &e), -1);
	assert_null(out);
	assert_string_equal(e.msg, want);
}

static void placeholders(void **state)
{
	(void)state;
	expand_is("", "");
	expand_is("plain", "plain");
	expand_is("{pid:priv}", "4321");
	expand_is("/proc/{pid:priv}/ns/pid", "/proc/4321/ns/pid");
	expand_is("{name:default}", "isolab-s1-default");
	expand_is("{witness} {nonce} {scratch} {image} {session}",
		  "777 n0nce /run/isolab/s1 isolab/lab:1 s1");
	expand_is("/host{scratch}/canary", "/host/run/isolab/s1/canary");
	expand_is("{{print $1}}", "{print $1}");
	expand_is("{{{nonce}}}", "{n0nce}");
	expand_is("a}}b{{c", "a}b{c");
	expand_fails("{nope}", "'{nope}': unknown placeholder '{nope}' (known: {pid:NAME}, "
			       "{name:NAME}, {witness}, {nonce}, {scratch}, {image}, {session}, {disk_canary}, {docker_socket}; "
			       "'{{' and '}}' are literal braces)");
	expand_fails("x{pid}", "'x{pid}': '{pid}' needs a container name: {pid:NAME}");
	expand_fails("{nonce:x}", "'{nonce:x}': '{nonce:x}' takes no argument: write {nonce}");
	expand_fails("{nonce", "'{nonce': unclosed '{' (write '{{' for a literal brace)");
	expand_fails("a}b", "'a}b': stray '}' (write '}}' for a literal brace)");
	expand_fails("{pid:gone}", "{pid:gone}: container gone is not running");

	struct lab *lab = load_ok(EXAMPLE);
	static const struct lab_vars vars = {lookup, NULL};
	struct argv av = ARGV_INIT;
	struct err e = {0};
	assert_int_equal(lab_expand_words(&lab->steps[1].actions[1].argv, &vars, &av, &e), 0);
	assert_int_equal(av.n, 5);
	assert_string_equal(av.v[2], "4321");
	assert_null(av.v[5]);
	argv_free(&av);
	lab_free(lab);
}

static void host_reach(void **state)
{
	static const struct {
		const char *step;
		int line, col;
		const char *what;
		const char *why;
	} want[] = {
		{"flags", 16, 17,
		 "--mount type=bind,source=/run/docker.sock,target=/var/run/docker.sock",
		 "the Docker API: full control of the host"},
		{"flags", 16, 124, "--volume /var/run/docker.sock:/var/run/docker.sock:ro",
		 "the Docker API: full control of the host"},
		{"flags", 18, 17, "--network host", "the host's network namespace"},
		{"flags", 18, 33, "--userns host", "the host's user namespace"},
		{"flags", 18, 48, "--ipc host", "the host's IPC namespace"},
		{"flags", 18, 61, "--uts host", "the host's UTS namespace"},
		{"flags", 18, 73, "--device /dev/null:/dev/null", "a host device inside the container"},
		{"flags", 18, 94, "--security-opt seccomp=unconfined", "turns seccomp off"},
		{"flags", 18, 130, "--security-opt apparmor=unconfined",
		 "turns AppArmor off"},
		{"flags", 18, 186, "--cap-add ALL", "adds a capability"},
		{"actions", 25, 17, "--volume /run/docker.sock:/run/docker.sock",
		 "the Docker API: full control of the host"},
		{"actions", 27, 9, "probe: docker_socket", "uses the Docker API through a mounted socket"},
		{"actions", 34, 9,
		 "host: nsenter '--target={witness}' --uts --preserve-credentials -- hostname",
		 "executes the host's nsenter, then the host's own command (never a container's "
		 "file), as root with every capability, in the namespaces named"},
	};
	struct lab *lab = load_ok(LABS "/good/host-reach.yaml");
	struct lab_reach *r;
	size_t n = lab_host_reach(lab, &r);

	(void)state;
	assert_int_equal(n, ARRAY_SIZE(want));
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(r[i].step, want[i].step);
		assert_string_equal(r[i].pos.file, LABS "/good/host-reach.yaml");
		assert_int_equal(r[i].pos.line, want[i].line);
		assert_int_equal(r[i].pos.col, want[i].col);
		assert_string_equal(r[i].what, want[i].what);
		assert_string_equal(r[i].why, want[i].why);
	}
	lab_reach_free(r, n);
	lab_free(lab);

	/* The example: --cap-add, --privileged, --pid host, two binds, two host actions. */
	lab = load_ok(EXAMPLE);
	n = lab_host_reach(lab, &r);
	assert_int_equal(n, 7);
	assert_string_equal(r[0].what, "--cap-add NET_ADMIN");
	assert_string_equal(r[0].step, "default-set");
	assert_string_equal(r[1].what, "--privileged");
	assert_string_equal(r[2].what, "--pid host");
	assert_string_equal(r[3].what, "--volume /:/host:ro");
	assert_string_equal(r[4].what, "--volume {scratch}:/scratch");
	assert_string_equal(r[5].what, "host: nsenter -t '{pid:priv}' -u hostname");
	assert_string_equal(r[6].what, "host: ls -l '{scratch}'");
	lab_reach_free(r, n);
	lab_free(lab);
}

static void listing(void **state)
{
	struct lab_set set = LAB_SET_INIT;
	struct lab_problems p = LAB_PROBLEMS_INIT;
	struct err e = {0};

	(void)state;
	assert_int_equal(lab_list(LABS "/good", &set, &p, &e), 0);
	assert_int_equal(set.n, 2);
	assert_string_equal(set.v[0]->id, "capabilities");
	assert_string_equal(set.v[1]->id, "host-reach");
	assert_ptr_equal(lab_set_find(&set, "host-reach"), set.v[1]);
	assert_null(lab_set_find(&set, "nope"));
	assert_int_equal(p.n, 0);
	lab_set_free(&set);

	/* Two files, one id: the second is left out and reported. */
	assert_int_equal(lab_list(LABS "/dup", &set, &p, &e), -1);
	assert_int_equal(set.n, 1);
	assert_string_equal(set.v[0]->file, LABS "/dup/a.yaml");
	assert_int_equal(p.n, 1);
	cleanup_free char *s = lab_problem_format(&p.v[0]);
	assert_string_equal(s, LABS "/dup/b.yaml:3:5: duplicate lab id 'host-reach' (also in " LABS
				    "/dup/a.yaml)");
	lab_set_free(&set);
	lab_problems_free(&p);

	assert_int_equal(lab_list(LABS "/no-such-dir", &set, &p, &e), -1);
	assert_int_equal(set.n, 0);
	assert_true(tu_contains(e.msg, "No such file or directory"));
	lab_set_free(&set);
}

static void labs_dir(void **state)
{
	char *d;

	(void)state;
	setenv("ISOLAB_LABS", "/somewhere/labs", 1);
	d = lab_dir();
	assert_string_equal(d, "/somewhere/labs");
	free(d);
	unsetenv("ISOLAB_LABS");
	d = lab_dir();
	assert_true(strlen(d) > 5 && strcmp(d + strlen(d) - 5, "/labs") == 0);
	free(d);
}

/* The example in docs/authoring-labs.md is this file, byte for byte. */
static void docs_example_is_the_fixture(void **state)
{
	cleanup_free char *doc = tu_read_file("docs/authoring-labs.md");
	cleanup_free char *fixture = tu_read_file(EXAMPLE);
	const char *start, *end;

	(void)state;
	assert_non_null(doc);
	assert_non_null(fixture);
	start = strstr(doc, "```yaml\n# capabilities.yaml");
	assert_non_null(start);
	start += strlen("```yaml\n");
	end = strstr(start, "\n```\n");
	assert_non_null(end);
	assert_int_equal((size_t)(end + 1 - start), strlen(fixture));
	assert_memory_equal(start, fixture, strlen(fixture));
}

/* --- the lab of one host --- */

static struct lab *load_for(const struct lab_host *h)
{
	struct lab *lab = NULL;
	struct err e = {0};

	assert_int_equal(lab_load("tests/fixtures/labs/host/host-conditions.yaml", &lab, NULL, &e), 0);
	if (h)
		lab_for_host(lab, h);
	return lab;
}

static void host_conditions(void **state)
{
	(void)state;
	const struct lab_host vm = {LAB_LSM_APPARMOR, LAB_PRIV_REAL, LAB_CGROUP_V1};
	const struct lab_host sandbox = {LAB_LSM_NONE, LAB_PRIV_APPROXIMATED, LAB_CGROUP_V1};
	struct lab *all = load_for(NULL), *lab;
	const struct lab_step *st;

	st = &all->steps[0];
	assert_int_equal(st->n_containers, 3);
	assert_int_equal(st->n_actions, 3);
	assert_int_equal(st->n_expects, 4);
	assert_int_equal(st->n_notes, 2);
	assert_int_equal(st->containers[1].when.lsm, LAB_LSM_APPARMOR);
	assert_int_equal(st->actions[1].when.privileged, LAB_PRIV_REAL);
	lab_free(all);

	/* A workshop VM: everything but the sandbox's note. */
	lab = load_for(&vm);
	st = &lab->steps[0];
	assert_int_equal(st->n_containers, 3);
	assert_int_equal(st->n_actions, 3);
	assert_int_equal(st->n_expects, 4);
	assert_int_equal(st->n_notes, 1);
	assert_string_equal(st->notes[0].text, "AppArmor confines the containers here.");
	assert_non_null(strstr(st->text, "**On this host:** AppArmor confines the containers here."));
	assert_null(strstr(st->text, "approximated"));
	lab_free(lab);

	/* The sandbox: the unconfined container and the disk action are gone,
	 * and what refers to them is remapped to what is left. */
	lab = load_for(&sandbox);
	st = &lab->steps[0];
	assert_int_equal(st->n_containers, 2);
	assert_string_equal(st->containers[0].name, "default");
	assert_string_equal(st->containers[1].name, "priv");
	assert_int_equal(st->reference, 0);
	assert_int_equal(st->n_actions, 1);
	assert_string_equal(st->actions[0].id, "look-default");
	assert_int_equal(st->actions[0].container, 0);
	assert_int_equal(st->n_expects, 1);
	assert_int_equal(st->expects[0].kind, LAB_EXPECT_ACTION);
	assert_int_equal(st->expects[0].action.index, 0);
	assert_int_equal(st->n_notes, 1);
	assert_non_null(strstr(st->text, "--privileged is approximated"));
	lab_free(lab);
}

static void host_conditions_logic(void **state)
{
	(void)state;
	const struct lab_when any = {{NULL, 0, 0}, LAB_LSM_ANY, LAB_PRIV_ANY, LAB_CGROUP_ANY};
	const struct lab_when aa = {{NULL, 1, 1}, LAB_LSM_APPARMOR, LAB_PRIV_ANY, LAB_CGROUP_ANY};
	const struct lab_when aa_real = {{NULL, 1, 1}, LAB_LSM_APPARMOR, LAB_PRIV_REAL, LAB_CGROUP_ANY};
	const struct lab_host vm = {LAB_LSM_APPARMOR, LAB_PRIV_APPROXIMATED, LAB_CGROUP_V1};
	cleanup_free char *t = lab_when_text(&aa_real);

	assert_true(lab_when_holds(&any, &vm));
	assert_true(lab_when_holds(&aa, &vm));
	assert_false(lab_when_holds(&aa_real, &vm));
	assert_true(lab_when_implies(&aa_real, &aa));
	assert_true(lab_when_implies(&aa, &any));
	assert_false(lab_when_implies(&aa, &aa_real));
	assert_false(lab_when_implies(&any, &aa));
	assert_string_equal(t, "where AppArmor confines containers and --privileged is real");
}

/* when: {cgroup: v1|v2}: the host's cgroup version (hybrid counts as v1,
 * where Docker uses the v1 controllers); an unknown one holds neither. */
static void host_conditions_cgroup(void **state)
{
	(void)state;
	const struct lab_when v1 = {{NULL, 1, 1}, LAB_LSM_ANY, LAB_PRIV_ANY, LAB_CGROUP_V1};
	const struct lab_when v2_aa = {{NULL, 1, 1}, LAB_LSM_APPARMOR, LAB_PRIV_ANY, LAB_CGROUP_V2};
	const struct lab_host h1 = {LAB_LSM_NONE, LAB_PRIV_REAL, LAB_CGROUP_V1};
	const struct lab_host h2 = {LAB_LSM_APPARMOR, LAB_PRIV_REAL, LAB_CGROUP_V2};
	const struct lab_host unknown = {LAB_LSM_APPARMOR, LAB_PRIV_REAL, LAB_CGROUP_ANY};
	struct host_facts f = {0};
	struct lab_host h;
	struct lab *lab = NULL;
	struct err e = {0};
	cleanup_free char *t = lab_when_text(&v2_aa);
	static const char yaml[] = "isolab: 1\nid: cg\ntitle: t\nsummary: s\nsafety: vm-only\n"
				   "steps:\n  - id: a\n    title: t\n    text: x\n"
				   "    containers:\n      - {name: d, reference: true, flags: []}\n"
				   "    expect:\n"
				   "      - namespace: {container: d, ns: cgroup, shared: true}\n"
				   "        when: {cgroup: v1}\n"
				   "      - namespace: {container: d, ns: cgroup, shared: false}\n"
				   "        when: {cgroup: v2}\n"
				   "    hints: [h]\n";

	assert_true(lab_when_holds(&v1, &h1));
	assert_false(lab_when_holds(&v1, &h2));
	assert_true(lab_when_holds(&v2_aa, &h2));
	assert_false(lab_when_holds(&v1, &unknown));
	assert_false(lab_when_holds(&v2_aa, &unknown));
	assert_true(lab_when_implies(&v2_aa, &(struct lab_when){{NULL, 1, 1}, 0, 0, LAB_CGROUP_V2}));
	assert_false(lab_when_implies(&v1, &v2_aa));
	assert_string_equal(t, "where AppArmor confines containers and the host runs cgroup v2");
	assert_string_equal(lab_cgroup_name(LAB_CGROUP_V1), "v1");
	assert_string_equal(lab_cgroup_name(LAB_CGROUP_ANY), "unknown");

	f.cgroup = HOST_CGROUP_HYBRID;
	lab_host_of(&f, &h);
	assert_int_equal(h.cgroup, LAB_CGROUP_V1);
	f.cgroup = HOST_CGROUP_V2;
	lab_host_of(&f, &h);
	assert_int_equal(h.cgroup, LAB_CGROUP_V2);
	f.cgroup = HOST_CGROUP_UNKNOWN;
	lab_host_of(&f, &h);
	assert_int_equal(h.cgroup, LAB_CGROUP_ANY);

	assert_int_equal(lab_load_string("cg.yaml", yaml, sizeof(yaml) - 1, &lab, NULL, &e), 0);
	lab_for_host(lab, &h1);
	assert_int_equal(lab->steps[0].n_expects, 1);
	assert_true(lab->steps[0].expects[0].ns.shared);
	lab_free(lab);
}

static void names(void **state)
{
	(void)state;
	assert_string_equal(lab_safety_name(LAB_SAFETY_INSPECT_ONLY), "inspect-only");
	assert_string_equal(lab_action_kind_name(LAB_ACTION_HOST), "host");
	assert_string_equal(lab_expect_kind_name(LAB_EXPECT_NO_NEW_PRIVS), "no_new_privs");
	assert_string_equal(lab_cap_set_name(LAB_CAPSET_AMBIENT), "ambient");
	assert_string_equal(lab_seccomp_name(LAB_SECCOMP_FILTER), "filter");
	assert_string_equal(lab_result_name(LAB_RESULT_ERROR), "error");
	assert_string_equal(lab_var_name(LAB_VAR_SCRATCH), "scratch");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(example_lab),
		cmocka_unit_test(host_conditions_cgroup),
		cmocka_unit_test(bad_files),
		cmocka_unit_test(bad_files_all_listed),
		cmocka_unit_test(all_problems_in_order),
		cmocka_unit_test(yaml_errors_are_captured),
		cmocka_unit_test(load_from_memory),
		cmocka_unit_test(unreadable_file),
		cmocka_unit_test(placeholders),
		cmocka_unit_test(host_reach),
		cmocka_unit_test(listing),
		cmocka_unit_test(labs_dir),
		cmocka_unit_test(docs_example_is_the_fixture),
		cmocka_unit_test(names),
		cmocka_unit_test(host_conditions),
		cmocka_unit_test(host_conditions_logic),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
