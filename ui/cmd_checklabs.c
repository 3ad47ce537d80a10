/* cmd_checklabs.c: `isolab check-labs [FILE...]`: validate lab files the
 * way an author needs it: every problem of every file as FILE:LINE:COL on
 * stderr, "FILE: ok" on stdout for the good ones, exit 2 when any fails. */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "lab.h"
#include "util.h"


void cmd_check_labs_usage(FILE *out)
{
	fputs("Usage: isolab check-labs [FILE|DIR...]\n"
	      "\n"
	      "Validate lab files: YAML syntax, keys and types, ids, placeholders, docker\n"
	      "run flags, probes, host actions and expectations. Every problem is printed\n"
	      "on stderr as FILE:LINE:COLUMN: message; each good file as 'FILE: ok' on\n"
	      "stdout. A DIR stands for the *.yaml files in it. Without arguments, check\n"
	      "every lab in the labs directory ($ISOLAB_LABS, labs/ next to the binary, or\n"
	      "the installed one). Lab ids must also be unique among the files checked.\n"
	      "\n"
	      "The format: docs/authoring-labs.md.\n"
	      "\n"
	      "Exit status: 0 all files pass; 2 a problem in some file, or bad usage.\n",
	      out);
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The *.yaml files of dir, sorted, pushed onto files. */
static int add_dir(struct argv *files, const char *dir, struct err *e)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct argv names = ARGV_INIT;

	if (!d)
		return err_set(e, ERR_INPUT, errno, "%s", dir);
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		if (de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".yaml") == 0)
			argv_push(&names, de->d_name);
	}
	closedir(d);
	if (names.n > 1)
		qsort(names.v, names.n, sizeof(*names.v), str_cmp);
	for (size_t i = 0; i < names.n; i++) {
		size_t dl = strlen(dir);
		argv_pushf(files, "%s%s%s", dir, dl && dir[dl - 1] == '/' ? "" : "/", names.v[i]);
	}
	argv_free(&names);
	return 0;
}

int cmd_check_labs(struct cli *cli, int argc, char **argv)
{
	struct argv files = ARGV_INIT;
	struct lab **labs;
	struct lab_problems *probs;
	struct err e = {0};
	bool opts_done = false, failed = false;
	int ret = EXIT_OK;

	(void)cli;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		struct stat st;

		if (!opts_done && strcmp(a, "--") == 0) {
			opts_done = true;
			continue;
		}
		if (!opts_done && a[0] == '-' && a[1]) {
			argv_free(&files);
			return cli_usage_error("check-labs", "unknown option '%s'", a);
		}
		if (stat(a, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (add_dir(&files, a, &e) < 0) {
				argv_free(&files);
				return cli_fail(&e);
			}
		} else {
			argv_push(&files, a);
		}
	}
	if (argc <= 1) {
		cleanup_free char *dir = lab_dir();
		if (add_dir(&files, dir, &e) < 0) {
			err_wrap(&e, "labs directory");
			return cli_fail(&e);
		}
		if (files.n == 0) {
			err_input(&e, "no lab files (*.yaml) in %s", dir);
			return cli_fail(&e);
		}
	}
	if (files.n == 0) {
		argv_free(&files);
		return cli_usage_error("check-labs", "no lab file given");
	}

	labs = xcalloc(files.n, sizeof(*labs));
	probs = xcalloc(files.n, sizeof(*probs));
	for (size_t i = 0; i < files.n; i++) {
		if (lab_load(files.v[i], &labs[i], &probs[i], &e) == 0)
			lab_id_taken(labs, i, labs[i], &probs[i]);
	}
	for (size_t i = 0; i < files.n; i++) {
		if (probs[i].n == 0) {
			printf("%s: ok\n", files.v[i]);
			fflush(stdout);
		} else {
			lab_problems_print(&probs[i], stderr);
			failed = true;
		}
		lab_problems_free(&probs[i]);
		lab_free(labs[i]);
	}
	if (failed)
		ret = EXIT_USAGE;
	free(probs);
	free(labs);
	argv_free(&files);
	return ret;
}
