/* test_policy.c: the docker run flags a lab may use, parsed once into the
 * canonical form that both the host-reach gate and the argv Docker gets
 * come from; the hostile corpus (tests/fixtures/labs/hostile) refused with
 * FILE:LINE:COL. */
#include "testutil.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "policy.h"

#define HOSTILE FIXTURES "/labs/hostile"

struct got {
	char msg[1200];
	int n;
};

static void keep(void *user, const struct lab_pos *pos, const char *msg)
{
	struct got *g = user;

	(void)pos;
	if (g->n++ == 0)
		snprintf(g->msg, sizeof(g->msg), "%s", msg);
}

static struct lab_words words(char **v, size_t n)
{
	static struct lab_pos pos[16];

	for (size_t i = 0; i < n && i < 16; i++)
		pos[i] = (struct lab_pos){"t.yaml", 1, (int)i + 1};
	return (struct lab_words){v, n, pos, {"t.yaml", 1, 1}};
}

static int vars_lookup(void *user, enum lab_var var, const char *arg, struct strbuf *out,
		       struct err *e)
{
	(void)arg;
	if (var == LAB_VAR_DOCKER_SOCKET) {
		strbuf_adds(out, "/tmp/eng/docker.sock");
		return 0;
	}
	if (var != LAB_VAR_SCRATCH)
		return err_input(e, "only {scratch} and {docker_socket} here");
	strbuf_adds(out, user);
	return 0;
}

/* Parse v, emit with {scratch} = scratch; the words joined by spaces. */
static char *roundtrip(char **v, size_t n, const char *scratch, struct got *g)
{
	struct lab_words w = words(v, n);
	struct policy_flags f;
	struct argv out = ARGV_INIT;
	struct lab_vars vars = {vars_lookup, (void *)scratch};
	struct err e = {0};
	struct strbuf sb = STRBUF_INIT;

	memset(g, 0, sizeof(*g));
	if (policy_parse(&w, &f, keep, g) > 0) {
		policy_flags_free(&f);
		return NULL;
	}
	if (policy_emit(&f, &vars, &out, &e) < 0) {
		snprintf(g->msg, sizeof(g->msg), "%s", e.msg);
		g->n = -1;
	}
	for (size_t i = 0; i < out.n; i++)
		strbuf_addf(&sb, "%s%s", i ? " " : "", out.v[i]);
	argv_free(&out);
	policy_flags_free(&f);
	return strbuf_detach(&sb);
}

/* Docker gets one spelling, whatever the lab wrote. */
static void canonical_argv(void **state)
{
	static const struct {
		const char *in[4];
		const char *out;
	} cases[] = {
		{{"-v", "/:/host"}, "--volume=/:/host"},
		{{"-v/etc:/e:ro"}, "--volume=/etc:/e:ro"},
		{{"--volume={scratch}/s:/s:rw"}, "--volume=/run/isolab/x/s:/s"},
		{{"--mount", "src=/etc,dst=/e,type=bind,ro"},
		 "--mount=type=bind,source=/etc,target=/e,readonly"},
		{{"--mount=type=tmpfs,destination=/t"}, "--mount=type=tmpfs,target=/t"},
		{{"--cap-add", "cap_sys_admin"}, "--cap-add=SYS_ADMIN"},
		{{"--privileged=false", "--read-only"}, "--read-only"},
		{{"--security-opt", "seccomp:unconfined"}, "--security-opt=seccomp=unconfined"},
		{{"--pid", "host", "-e", "A=b c"}, "--pid=host --env=A=b c"},
		{{"--device", "/dev/null"}, "--device=/dev/null:/dev/null"},
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = 0;
		while (n < 4 && cases[i].in[n])
			n++;
		struct got g;
		cleanup_free char *got = roundtrip((char **)cases[i].in, n, "/run/isolab/x", &g);
		if (!got)
			fail_msg("case %zu refused: %s", i, g.msg);
		assert_int_equal(g.n, 0);
		assert_string_equal(got, cases[i].out);
	}
}

/* A placeholder whose value would change how Docker splits the flag is
 * caught when the argv is written, not only when the lab is read. */
static void expansion_rechecked(void **state)
{
	char *v[] = {(char[]){"-v"}, (char[]){"{scratch}:/s"}};
	struct got g;

	(void)state;
	free(roundtrip(v, 2, "/run/a:/b", &g));
	assert_int_equal(g.n, -1);
	assert_true(tu_contains(g.msg, "must not hold ':'"));
	free(roundtrip(v, 2, "/run/../x", &g));
	assert_int_equal(g.n, -1);
}

/* What the gate lists is what Docker gets. */
static void reach_on_canonical(void **state)
{
	char *v[] = {(char[]){"--mount"}, (char[]){"type=bind,source=/var/run/docker.sock,target=/s"},
		     (char[]){"--cap-drop"}, (char[]){"ALL"}};
	struct lab_words w = words(v, 4);
	struct policy_flags f;
	struct got g = {0};

	(void)state;
	assert_int_equal(policy_parse(&w, &f, keep, &g), 0);
	assert_int_equal(f.n, 2);
	assert_true(f.v[0].reach);
	assert_string_equal(f.v[0].why, "the Docker API: full control of the host");
	cleanup_free char *t = policy_flag_text(&f.v[0]);
	assert_string_equal(t, "--mount type=bind,source=/var/run/docker.sock,target=/s");
	assert_false(f.v[1].reach);
	policy_flags_free(&f);
}

/* {docker_socket} is the engine's own socket: whole or not at all, and
 * the gate lists it as the Docker API. */
static void engine_socket(void **state)
{
	char *v[] = {(char[]){"-v"}, (char[]){"{docker_socket}:/var/run/docker.sock:ro"}};
	char *bad[] = {(char[]){"-v"}, (char[]){"{docker_socket}/x:/s"}};
	struct lab_words w = words(v, 2);
	struct policy_flags f;
	struct got g = {0};

	(void)state;
	assert_int_equal(policy_parse(&w, &f, keep, &g), 0);
	assert_true(f.v[0].reach);
	assert_string_equal(f.v[0].why, "the Docker API: full control of the host");
	policy_flags_free(&f);
	cleanup_free char *got = roundtrip(v, 2, "/run/isolab/x", &g);
	assert_string_equal(got, "--volume=/tmp/eng/docker.sock:/var/run/docker.sock:ro");
	free(roundtrip(bad, 2, "/run/isolab/x", &g));
	assert_int_not_equal(g.n, 0);
}

/* Every file of the hostile corpus is refused, each problem with a
 * line and a column. */
static void hostile_corpus(void **state)
{
	DIR *d = opendir(HOSTILE);
	struct dirent *de;
	size_t n = 0;

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		if (len < 6 || strcmp(de->d_name + len - 5, ".yaml") != 0)
			continue;
		cleanup_free char *path = xasprintf(HOSTILE "/%s", de->d_name);
		struct lab *lab = NULL;
		struct lab_problems p = LAB_PROBLEMS_INIT;
		struct err e = {0};
		if (lab_load(path, &lab, &p, &e) == 0)
			fail_msg("%s loads: the policy let it through", path);
		assert_int_equal(e.kind, ERR_INPUT);
		assert_true(p.n >= 1);
		assert_true(p.v[0].line > 1 && p.v[0].col > 0);
		lab_problems_free(&p);
		n++;
	}
	closedir(d);
	assert_true(n >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(canonical_argv),
		cmocka_unit_test(expansion_rechecked),
		cmocka_unit_test(reach_on_canonical),
		cmocka_unit_test(engine_socket),
		cmocka_unit_test(hostile_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
