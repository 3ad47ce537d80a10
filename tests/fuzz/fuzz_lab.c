/* fuzz_lab.c: libFuzzer target for the lab parser: any bytes go through
 * lab_load_string() (YAML, validation, step Markdown), then, when a lab
 * loads, through host reach, placeholder expansion and plain rendering. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lab.h"
#include "mdtext.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
const char *__lsan_default_suppressions(void);

/* libfyaml 0.7.12 leaks its atom iterator's grown chunk array when it
 * formats a single-quoted scalar with six or more '' escapes in a row
 * (upstream issue #233, fixed after that release). The library has no
 * frame pointers, so the allocation stack ends inside it: match the module.
 * This hides only memory libfyaml allocates itself (labyaml.c's one callback
 * into it, the quiet diag output, allocates nothing). */
const char *__lsan_default_suppressions(void)
{
	return "leak:libfyaml.so\n";
}

static int lookup(void *user, enum lab_var var, const char *arg, struct strbuf *out,
		  struct err *e)
{
	(void)user;
	(void)e;
	strbuf_addf(out, "<%s:%s>", lab_var_name(var), arg ? arg : "");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct lab_vars vars = {lookup, NULL};
	struct lab *lab = NULL;
	struct lab_problems probs = LAB_PROBLEMS_INIT;
	struct err e;

	if (lab_load_string("fuzz.yaml", (const char *)data, size, &lab, &probs, &e) == 0) {
		struct lab_reach *r;
		size_t n = lab_host_reach(lab, &r);
		lab_reach_free(r, n);
		for (size_t i = 0; i < lab->n_steps; i++) {
			const struct lab_step *st = &lab->steps[i];
			struct mdtext *doc;
			struct argv av = ARGV_INIT;

			if (mdtext_parse(st->text, strlen(st->text), &doc, &e) == 0) {
				struct strbuf sb = STRBUF_INIT;
				mdtext_render_plain(doc, 1 + (int)(i % 80), &sb);
				strbuf_release(&sb);
				mdtext_free(doc);
			}
			for (size_t k = 0; k < st->n_actions; k++)
				lab_expand_words(&st->actions[k].argv, &vars, &av, &e);
			for (size_t k = 0; k < st->n_containers; k++)
				lab_expand_words(&st->containers[k].flags, &vars, &av, &e);
			argv_free(&av);
		}
		lab_free(lab);
	}
	for (size_t i = 0; i < probs.n; i++)
		free(lab_problem_format(&probs.v[i]));
	lab_problems_free(&probs);
	return 0;
}
