/* engine.c: docker operations through runner/exec, the parsers of docker's
 * JSON (jansson), and the table that turns docker's stderr into one
 * sentence saying what to do. */
#include "engine.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ENGINE_DEFAULT_NAME "docker"
#define ENGINE_INSTALL_HINT "install Docker (Debian: apt-get install docker.io) or point --engine at it"

/* How a rule quotes the engine's own words after its sentence. */
enum quote {
	QUOTE_NONE,
	QUOTE_LINE, /* " (docker: <the line>)" */
	QUOTE_TAIL, /* the text after the pattern ends the sentence: a name */
};

struct failure_rule {
	const char *pattern; /* case-insensitive, within one stderr line */
	enum engine_fail fail;
	enum err_kind kind;
	const char *advice;  /* one sentence: what to do */
	enum quote quote;
};

/* First matching rule wins, whichever line it is on: a daemon that is down
 * explains everything after it. Texts as docker 20.10 and 28 print them
 * (tests/fixtures/engine/stderr). */
static const struct failure_rule failure_rules[] = {
	{"permission denied while trying to connect to the docker daemon socket",
	 ENGINE_FAIL_PERMISSION, ERR_ENGINE,
	 "you may not use the Docker socket: run as root or join the docker group "
	 "(sudo usermod -aG docker $USER, then log in again)",
	 QUOTE_NONE},
	{"cannot connect to the docker daemon", ENGINE_FAIL_DAEMON_DOWN, ERR_ENGINE,
	 "the Docker daemon is not running; start it (sudo systemctl start docker, or "
	 "scripts/dockerd)",
	 QUOTE_LINE},
	{"is the docker daemon running", ENGINE_FAIL_DAEMON_DOWN, ERR_ENGINE,
	 "the Docker daemon is not running; start it (sudo systemctl start docker, or "
	 "scripts/dockerd)",
	 QUOTE_LINE},
	{"unable to apply caps", ENGINE_FAIL_CAPS, ERR_CAPS,
	 "this host cannot grant every capability (its bounding set lacks some, as in a sandbox): "
	 "run the step on a workshop VM for a real --privileged (isolab approximates "
	 "--privileged here)",
	 QUOTE_NONE},
	{"no such image", ENGINE_FAIL_NO_IMAGE, ERR_ENGINE,
	 "the image is not on this machine; build it first (isolab builds its lab image) or "
	 "check its name",
	 QUOTE_LINE},
	{"unable to find image", ENGINE_FAIL_NO_IMAGE, ERR_ENGINE,
	 "the image is not on this machine; build it first (isolab builds its lab image) or "
	 "check its name",
	 QUOTE_LINE},
	{"pull access denied", ENGINE_FAIL_NO_IMAGE, ERR_ENGINE,
	 "the image is not on this machine; build it first (isolab builds its lab image) or "
	 "check its name",
	 QUOTE_LINE},
	{"no such container: ", ENGINE_FAIL_NO_CONTAINER, ERR_INPUT, "no such container: ",
	 QUOTE_TAIL},
	{"no such object: ", ENGINE_FAIL_NO_CONTAINER, ERR_INPUT, "no such container: ",
	 QUOTE_TAIL},
	{"is not running", ENGINE_FAIL_NOT_RUNNING, ERR_EXITED,
	 "the container is not running any more; run the step again", QUOTE_LINE},
	{"is already in use by container", ENGINE_FAIL_NAME_IN_USE, ERR_INPUT,
	 "a container with that name already exists; remove it (isolab cleanup) and try again",
	 QUOTE_LINE},
};

/* Lines that explain nothing: the legacy builder's notice, usage hints. */
static const char *const noise_prefixes[] = {
	"DEPRECATED: The legacy builder",
	"Install the buildx component",
	"https://docs.docker.com/go/buildx/",
	"Run 'docker",
	"See 'docker",
};

/* Wrappers around the message that matters, dropped when quoting it. */
static const char *const wrapper_prefixes[] = {
	"docker: ",
	"Error response from daemon: ",
	"Error: ",
};

/* --- text ----------------------------------------------------------------- */

/* Step through s line by line: *line and *len describe the next one. */
static bool next_line(const char **s, const char **line, size_t *len)
{
	const char *p = *s;

	if (!p || !*p)
		return false;
	const char *nl = strchr(p, '\n');
	*line = p;
	*len = nl ? (size_t)(nl - p) : strlen(p);
	*s = nl ? nl + 1 : p + *len;
	return true;
}

/* A copy of the line without surrounding space. */
static char *line_trimmed(const char *line, size_t len)
{
	while (len && isspace((unsigned char)*line)) {
		line++;
		len--;
	}
	while (len && isspace((unsigned char)line[len - 1]))
		len--;
	return xstrndup(line, len);
}

static bool is_noise(const char *t)
{
	if (!*t)
		return true;
	for (size_t i = 0; i < ARRAY_SIZE(noise_prefixes); i++)
		if (util_str_has_prefix(t, noise_prefixes[i]))
			return true;
	return false;
}

static const char *unwrap(const char *t)
{
	for (bool again = true; again;) {
		again = false;
		for (size_t i = 0; i < ARRAY_SIZE(wrapper_prefixes); i++)
			if (util_str_has_prefix(t, wrapper_prefixes[i])) {
				t += strlen(wrapper_prefixes[i]);
				again = true;
			}
	}
	return t;
}

/* The last line of stderr that says something, without docker's wrappers. */
static char *last_line(const char *text)
{
	const char *p = text, *line;
	char *best = NULL;
	size_t len;

	while (next_line(&p, &line, &len)) {
		char *t = line_trimmed(line, len);
		if (is_noise(t)) {
			free(t);
			continue;
		}
		free(best);
		best = t;
	}
	if (!best)
		return NULL;
	char *r = xstrdup(unwrap(best));
	free(best);
	return r;
}

/* A NO_CONTAINER line's name: what follows the pattern. */
static char *line_tail(const char *t, const char *pattern)
{
	const char *at = strcasestr(t, pattern);
	cleanup_free char *tail = NULL;

	if (!at)
		return NULL;
	tail = line_trimmed(at + strlen(pattern), strlen(at + strlen(pattern)));
	return steal_pointer(&tail);
}

static const struct failure_rule *match_rule(const char *text, char **line_out)
{
	for (size_t r = 0; r < ARRAY_SIZE(failure_rules); r++) {
		const char *p = text, *line;
		size_t len;

		while (next_line(&p, &line, &len)) {
			char *t = line_trimmed(line, len);
			if (strcasestr(t, failure_rules[r].pattern)) {
				if (line_out)
					*line_out = t;
				else
					free(t);
				return &failure_rules[r];
			}
			free(t);
		}
	}
	return NULL;
}

/* "docker image inspect" from an argv: the words before the first option. */
static char *cmd_name(char *const *argv)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_adds(&sb, argv[0]);
	for (size_t i = 1; i < 3 && argv[i] && argv[i][0] != '-'; i++) {
		strbuf_addc(&sb, ' ');
		strbuf_adds(&sb, argv[i]);
	}
	return strbuf_detach(&sb);
}

static const char *base_name(const char *cmd, size_t *len)
{
	const char *end = strchr(cmd, ' ');
	size_t n = end ? (size_t)(end - cmd) : strlen(cmd);
	const char *slash = memrchr(cmd, '/', n);

	if (slash) {
		n -= (size_t)(slash + 1 - cmd);
		cmd = slash + 1;
	}
	*len = n;
	return cmd;
}

int engine_classify(const char *cmd, int exit_code, const char *stderr_text, struct err *e)
{
	cleanup_free char *line = NULL;
	const struct failure_rule *rule;
	size_t blen;
	const char *bin = base_name(cmd ? cmd : ENGINE_DEFAULT_NAME, &blen);

	if (!stderr_text)
		stderr_text = "";
	rule = match_rule(stderr_text, &line);
	if (rule) {
		struct strbuf sb = STRBUF_INIT;

		strbuf_adds(&sb, rule->advice);
		if (rule->quote == QUOTE_TAIL) {
			cleanup_free char *tail = line_tail(line, rule->pattern);
			strbuf_adds(&sb, tail && *tail ? tail : "?");
		} else if (rule->quote == QUOTE_LINE) {
			strbuf_addf(&sb, " (%.*s: %s)", (int)blen, bin, unwrap(line));
		}
		err_set(e, rule->kind, 0, "%s", strbuf_str(&sb));
		strbuf_release(&sb);
		return rule->fail;
	}

	cleanup_free char *last = last_line(stderr_text);
	if (exit_code < 0)
		err_set(e, ERR_ENGINE, 0, "%s was killed by a signal%s%s", cmd ? cmd : bin,
			last ? ": " : "", last ? last : "");
	else
		err_set(e, ERR_ENGINE, 0, "%s failed (exit %d)%s%s", cmd ? cmd : bin, exit_code,
			last ? ": " : "", last ? last : "");
	return ENGINE_FAIL_OTHER;
}

/* --- running docker ----------------------------------------------------- */

static int no_binary(const struct engine *eng, struct err *e)
{
	if (strchr(eng->name, '/'))
		err_set(e, ERR_ENGINE, 0, "%s is not an executable file; " ENGINE_INSTALL_HINT,
			eng->name);
	else
		err_set(e, ERR_ENGINE, 0, "%s was not found on PATH; " ENGINE_INSTALL_HINT,
			eng->name);
	return ENGINE_FAIL_NO_BINARY;
}

int engine_init(struct engine *eng, const char *name, struct err *e)
{
	memset(eng, 0, sizeof(*eng));
	if (!name || !*name)
		name = getenv("ISOLAB_ENGINE");
	if (!name || !*name)
		name = ENGINE_DEFAULT_NAME;
	eng->name = xstrdup(name);
	engine_set_deadlines(eng);
	eng->cancel_fd = -1;
	engine_note_socket();
	if (exec_find_program(name, &eng->bin, NULL) < 0)
		return no_binary(eng, e);
	return 0;
}

void engine_release(struct engine *eng)
{
	free(eng->name);
	free(eng->bin);
	eng->name = eng->bin = NULL;
}

static void argv_start(const struct engine *eng, struct argv *a)
{
	argv_push(a, eng->name ? eng->name : ENGINE_DEFAULT_NAME);
}

static struct exec_opts engine_opts(const struct engine *eng, int timeout_ms)
{
	struct exec_opts o = {
		.path = eng->bin,
		.timeout_ms = timeout_ms,
		.cancel_fd = eng->cancel_fd,
	};
	return o;
}

/* exec's own failures, as engine failures. */
static const char silent_word[] = "the engine does not answer";

static int exec_failure(struct engine *eng, const struct err *xe, struct err *e)
{
	switch (xe->kind) {
	case ERR_TIMEOUT:
		/* A daemon that does not answer is an engine unavailable
		 * (exit 3), as doctor says, in every command; every later
		 * call fails at once with the same sentence. */
		eng->silent = *xe;
		eng->silent_confirmed = false;
		err_wrap(&eng->silent, "%s", silent_word);
		eng->silent.exit = EXIT_ENGINE;
		if (e)
			*e = eng->silent;
		return ENGINE_FAIL_TIMEOUT;
	case ERR_CANCEL:
		if (e)
			*e = *xe;
		return ENGINE_FAIL_CANCEL;
	default:
		if (xe->errnum == ENOENT || xe->errnum == EACCES || xe->errnum == ENOEXEC)
			return no_binary(eng, e);
		if (e)
			*e = *xe;
		return ENGINE_FAIL_OTHER;
	}
}

/* As exec leaves a child that never started. */
static void empty_result(struct exec_result *res)
{
	memset(res, 0, sizeof(*res));
	res->wstatus = -1;
	res->exit_code = -1;
	res->out.data = xstrdup("");
	res->err.data = xstrdup("");
}

/* Run the argv; 0 once docker ran and exited, whatever its status. */
static int run_docker(struct engine *eng, char *const *argv, const struct exec_opts *o,
		      struct exec_result *res, struct err *e)
{
	struct err xe;

	if (!eng->bin) {
		empty_result(res);
		return no_binary(eng, e);
	}
	if (eng->silent.kind != ERR_NONE) {
		empty_result(res);
		if (e)
			*e = eng->silent;
		return ENGINE_FAIL_TIMEOUT;
	}
	if (exec_run(argv, o, res, &xe) < 0)
		return exec_failure(eng, &xe, e);
	return 0;
}

static int classify_result(char *const *argv, const struct exec_result *res, struct err *e)
{
	cleanup_free char *cmd = cmd_name(argv);
	return engine_classify(cmd, res->exit_code, res->err.data, e);
}

/* Run; docker's non-zero exit becomes the classified failure. */
static int call(struct engine *eng, char *const *argv, const struct exec_opts *o,
		struct exec_result *res, struct err *e)
{
	int rc = run_docker(eng, argv, o, res, e);

	if (rc < 0)
		return rc;
	if (!exec_result_ok(res))
		return classify_result(argv, res, e);
	return 0;
}

int engine_call(struct engine *eng, char *const *args, int timeout_ms, struct exec_result *res,
		struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, timeout_ms > 0 ? timeout_ms : eng->quick_timeout_ms);

	argv_start(eng, &a);
	argv_push_all(&a, args);
	int rc = call(eng, a.v, &o, res, e);
	argv_free(&a);
	return rc;
}

/* --- info --------------------------------------------------------------- */

int engine_info(struct engine *eng, struct engine_info *info, struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->quick_timeout_ms);
	struct exec_result res;
	int rc;

	memset(info, 0, sizeof(*info));
	argv_start(eng, &a);
	argv_push(&a, "info");
	argv_push(&a, "--format");
	argv_push(&a, "{{json .}}");
	/* Client 28 prints JSON and fails when no daemon answers; 20.10
	 * exits 0 with ServerErrors: stderr first, then the JSON. */
	rc = call(eng, a.v, &o, &res, e);
	if (rc == 0)
		rc = engine_info_parse(res.out.data, info, e);
	exec_result_free(&res);
	argv_free(&a);
	return rc;
}

/* --- images ------------------------------------------------------------- */

int engine_image_present(struct engine *eng, const char *image, bool *present, struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->quick_timeout_ms);
	struct exec_result res;
	struct err le;
	int rc;

	*present = false;
	argv_start(eng, &a);
	argv_push(&a, "image");
	argv_push(&a, "inspect");
	argv_push(&a, "--format");
	argv_push(&a, "{{.Id}}");
	argv_push(&a, image);
	rc = call(eng, a.v, &o, &res, &le);
	if (rc == 0)
		*present = true;
	else if (rc == ENGINE_FAIL_NO_IMAGE)
		rc = 0;
	else if (e)
		*e = le;
	exec_result_free(&res);
	argv_free(&a);
	return rc;
}

void engine_build_argv(const struct engine *eng, const char *tag, const char *dir,
		       struct argv *out)
{
	argv_start(eng, out);
	argv_push(out, "build");
	argv_push(out, "--pull=false");
	argv_push(out, "-t");
	argv_push(out, tag);
	argv_push(out, dir);
}

int engine_build(struct engine *eng, const char *tag, const char *dir, struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->build_timeout_ms);
	struct exec_result res;
	int rc;

	o.on_line = eng->on_progress;
	o.line_data = eng->progress_data;
	engine_build_argv(eng, tag, dir, &a);
	rc = call(eng, a.v, &o, &res, e);
	exec_result_free(&res);
	argv_free(&a);
	return rc;
}

/* --- run ---------------------------------------------------------------- */

static bool flags_set_network(char *const *flags)
{
	for (size_t i = 0; flags && flags[i]; i++) {
		const char *f = flags[i];
		if (!strcmp(f, "--network") || !strcmp(f, "--net") ||
		    util_str_has_prefix(f, "--network=") || util_str_has_prefix(f, "--net="))
			return true;
	}
	return false;
}

void engine_run_argv(const struct engine *eng, const struct engine_run_spec *spec,
		     struct argv *out)
{
	argv_start(eng, out);
	argv_push(out, "run");
	argv_push(out, "-d");
	argv_push(out, "--pull=never");
	if (spec->name) {
		argv_push(out, "--name");
		argv_push(out, spec->name);
	}
	for (size_t i = 0; spec->labels && spec->labels[i]; i++) {
		argv_push(out, "--label");
		argv_push(out, spec->labels[i]);
	}
	if (!flags_set_network(spec->flags)) {
		argv_push(out, "--network");
		argv_push(out, "none");
	}
	argv_push_all(out, spec->flags);
	argv_push(out, spec->image);
	argv_push_all(out, spec->command);
}

/* The id docker run -d prints last on stdout, also when it then fails to
 * start the container. */
static char *container_id(const char *out)
{
	cleanup_free char *last = NULL;
	const char *p = out, *line;
	size_t len;

	while (next_line(&p, &line, &len)) {
		char *t = line_trimmed(line, len);
		if (*t) {
			free(last);
			last = t;
		} else {
			free(t);
		}
	}
	if (!last || strlen(last) < 12)
		return NULL;
	for (const char *c = last; *c; c++)
		if (!isxdigit((unsigned char)*c))
			return NULL;
	return steal_pointer(&last);
}

static int run_finish(char *const *argv, const struct exec_result *res, char **id, struct err *e)
{
	*id = container_id(res->out.data);
	if (!exec_result_ok(res))
		return classify_result(argv, res, e);
	if (!*id) {
		cleanup_free char *cmd = cmd_name(argv);
		err_set(e, ERR_ENGINE, 0, "%s printed no container id", cmd);
		return ENGINE_FAIL_OTHER;
	}
	return 0;
}

int engine_run(struct engine *eng, const struct engine_run_spec *spec, char **id,
	       struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->run_timeout_ms);
	struct exec_result res;
	int rc;

	*id = NULL;
	engine_run_argv(eng, spec, &a);
	rc = run_docker(eng, a.v, &o, &res, e);
	if (rc == 0)
		rc = run_finish(a.v, &res, id, e);
	exec_result_free(&res);
	argv_free(&a);
	return rc;
}

int engine_run_many(struct engine *eng, struct engine_run_job *jobs, size_t n, struct err *e)
{
	cleanup_free struct exec_many *items = xcalloc(n, sizeof(*items));
	cleanup_free struct argv *argvs = xcalloc(n, sizeof(*argvs));
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		jobs[i].rc = 0;
		jobs[i].id = NULL;
		err_clear(&jobs[i].err);
		engine_run_argv(eng, jobs[i].spec, &argvs[i]);
		items[i].argv = argvs[i].v;
		items[i].opts = engine_opts(eng, eng->run_timeout_ms);
	}
	if (!eng->bin) {
		for (size_t i = 0; i < n; i++)
			jobs[i].rc = no_binary(eng, &jobs[i].err);
	} else if (eng->silent.kind != ERR_NONE) {
		for (size_t i = 0; i < n; i++) {
			jobs[i].rc = ENGINE_FAIL_TIMEOUT;
			jobs[i].err = eng->silent;
		}
	} else {
		exec_run_many(items, n, NULL);
		for (size_t i = 0; i < n; i++) {
			if (items[i].rc < 0)
				jobs[i].rc = exec_failure(eng, &items[i].err, &jobs[i].err);
			else
				jobs[i].rc = run_finish(argvs[i].v, &items[i].result, &jobs[i].id,
							&jobs[i].err);
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (jobs[i].rc < 0 && rc == 0) {
			rc = jobs[i].rc;
			if (e)
				*e = jobs[i].err;
		}
		exec_result_free(&items[i].result);
		argv_free(&argvs[i]);
	}
	return rc;
}

/* --- inspect ------------------------------------------------------------ */

const struct engine_container *engine_containers_find(const struct engine_containers *cs,
						      const char *target)
{
	const char *name = target[0] == '/' ? target + 1 : target;

	if (!*name)
		return NULL;
	/* As docker resolves: a full id, then a name, then an id prefix. */
	for (size_t i = 0; i < cs->n; i++)
		if (!strcmp(cs->v[i].id, target) || !strcmp(cs->v[i].name, name))
			return &cs->v[i];
	for (size_t i = 0; i < cs->n; i++)
		if (util_str_has_prefix(cs->v[i].id, target))
			return &cs->v[i];
	return NULL;
}

const char *engine_container_label(const struct engine_container *c, const char *key)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i].key, key))
			return c->labels[i].value;
	return NULL;
}

/* Every line of stderr names a missing container (so the rest of the
 * output is good); their names go to *missing. */
static bool only_missing(const char *text, struct argv *missing)
{
	const char *p = text, *line;
	size_t len;
	bool any = false;

	while (next_line(&p, &line, &len)) {
		cleanup_free char *t = line_trimmed(line, len);
		char *tail;

		if (is_noise(t))
			continue;
		tail = line_tail(t, "no such container: ");
		if (!tail)
			tail = line_tail(t, "no such object: ");
		if (!tail)
			return false;
		argv_push(missing, tail);
		free(tail);
		any = true;
	}
	return any;
}

static bool named_in(const struct argv *names, const char *target)
{
	size_t n = strlen(target);

	for (size_t i = 0; i < names->n; i++) {
		const char *s = names->v[i];
		/* Docker 20.10's run ends some messages with a full stop. */
		if (!strcmp(s, target) || (!strncmp(s, target, n) && !strcmp(s + n, ".")))
			return true;
	}
	return false;
}

int engine_inspect(struct engine *eng, char *const *targets, struct engine_containers *out,
		   struct err *e)
{
	struct argv a = ARGV_INIT, said = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->quick_timeout_ms);
	struct exec_result res;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!targets || !targets[0])
		return 0;
	argv_start(eng, &a);
	argv_push(&a, "inspect");
	argv_push(&a, "--type");
	argv_push(&a, "container");
	argv_push_all(&a, targets);
	rc = run_docker(eng, a.v, &o, &res, e);
	if (rc < 0)
		goto out;
	if (!exec_result_ok(&res) && !only_missing(res.err.data, &said)) {
		rc = classify_result(a.v, &res, e);
		goto out;
	}
	/* Found ones are on stdout even when others are missing. */
	rc = engine_inspect_parse(res.out.data, out, e);
	if (rc < 0)
		goto out;
	for (size_t i = 0; targets[i]; i++)
		if (named_in(&said, targets[i]) || !engine_containers_find(out, targets[i]))
			argv_push(&out->missing, targets[i]);
	if (out->missing.n > 0) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < out->missing.n; i++)
			strbuf_addf(&sb, "%s%s", i ? ", " : "", out->missing.v[i]);
		err_set(e, ERR_INPUT, 0, "no such container%s: %s", out->missing.n > 1 ? "s" : "",
			strbuf_str(&sb));
		strbuf_release(&sb);
		rc = ENGINE_FAIL_NO_CONTAINER;
	}
out:
	exec_result_free(&res);
	argv_free(&said);
	argv_free(&a);
	return rc;
}

/* --- exec, rm, ps --------------------------------------------------------- */

bool engine_unanswered(const struct engine *eng)
{
	return eng->silent.kind != ERR_NONE;
}

bool engine_answers_again(struct engine *eng)
{
	if (eng->silent.kind == ERR_NONE)
		return true;
	if (eng->silent_confirmed)
		return false;
	struct err first = eng->silent;
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->quick_timeout_ms);
	struct exec_result res;
	int rc;

	err_clear(&eng->silent);
	argv_start(eng, &a);
	argv_push(&a, "version");
	argv_push(&a, "--format");
	argv_push(&a, "{{.Server.Version}}");
	rc = call(eng, a.v, &o, &res, NULL);
	exec_result_free(&res);
	argv_free(&a);
	if (rc == 0) {
		err_clear(&eng->silent);
		return true;
	}
	eng->silent = first;
	eng->silent_confirmed = true;
	return false;
}

int engine_exec(struct engine *eng, const char *container, char *const *argv, int timeout_ms,
		struct exec_result *res, struct err *e)
{
	struct argv a = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, timeout_ms > 0 ? timeout_ms : eng->exec_timeout_ms);
	int rc;

	argv_start(eng, &a);
	argv_push(&a, "exec");
	argv_push(&a, container);
	argv_push_all(&a, argv);
	bool was_silent = engine_unanswered(eng);
	rc = run_docker(eng, a.v, &o, res, e);
	/* docker exec past its deadline: the command may be slow, or the
	 * daemon frozen. Only a daemon that does not answer a quick call
	 * either is the engine's fault. */
	if (rc == ENGINE_FAIL_TIMEOUT && !was_silent && engine_answers_again(eng) && e) {
		size_t k = strlen(silent_word) + 2;
		char raw[sizeof(e->msg)];
		snprintf(raw, sizeof(raw), "%s", strncmp(e->msg, silent_word, k - 2) == 0 ? e->msg + k : e->msg);
		err_set(e, ERR_TIMEOUT, 0, "%s (the engine answers: the command itself is still running)", raw);
	}
	/* The command's own failures are its exit status; docker's (daemon,
	 * container gone) are recognised by their words. */
	if (rc == 0 && !exec_result_ok(res) && match_rule(res->err.data, NULL))
		rc = classify_result(a.v, res, e);
	argv_free(&a);
	return rc;
}

int engine_rm(struct engine *eng, char *const *ids, struct err *e)
{
	struct argv a = ARGV_INIT, gone = ARGV_INIT;
	struct exec_opts o = engine_opts(eng, eng->rm_timeout_ms);
	struct exec_result res;
	int rc;

	if (!ids || !ids[0])
		return 0;
	argv_start(eng, &a);
	argv_push(&a, "rm");
	argv_push(&a, "-f");
	argv_push(&a, "-v");
	argv_push_all(&a, ids);
	rc = run_docker(eng, a.v, &o, &res, e);
	if (rc == 0 && !exec_result_ok(&res) && !only_missing(res.err.data, &gone))
		rc = classify_result(a.v, &res, e);
	exec_result_free(&res);
	argv_free(&gone);
	argv_free(&a);
	return rc;
}

static int list_ids(struct engine *eng, struct argv *a, struct argv *ids, struct err *e)
{
	struct exec_opts o = engine_opts(eng, eng->quick_timeout_ms);
	struct exec_result res;
	int rc = call(eng, a->v, &o, &res, e);

	if (rc == 0) {
		const char *p = res.out.data, *line;
		size_t len;
		while (next_line(&p, &line, &len)) {
			cleanup_free char *t = line_trimmed(line, len);
			if (*t)
				argv_push(ids, t);
		}
	}
	exec_result_free(&res);
	return rc;
}

int engine_list_label(struct engine *eng, const char *label, struct argv *ids, struct err *e)
{
	struct argv a = ARGV_INIT;
	int rc;

	argv_start(eng, &a);
	argv_push(&a, "ps");
	argv_push(&a, "-a");
	argv_push(&a, "-q");
	argv_push(&a, "--no-trunc");
	argv_push(&a, "--filter");
	argv_pushf(&a, "label=%s", label);
	rc = list_ids(eng, &a, ids, e);
	argv_free(&a);
	return rc;
}

int engine_list_running(struct engine *eng, struct argv *ids, struct err *e)
{
	struct argv a = ARGV_INIT;
	int rc;

	argv_start(eng, &a);
	argv_push(&a, "ps");
	argv_push(&a, "-q");
	argv_push(&a, "--no-trunc");
	rc = list_ids(eng, &a, ids, e);
	argv_free(&a);
	return rc;
}
