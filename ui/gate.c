/* gate.c: the safety gate: what isolab found, in plain words, and the
 * learner's confirmation that this is an isolated VM they control. */
#include "gate.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "session.h"

#define GATE_FLAGS "--yes-isolated-vm (or ISOLAB_ISOLATED_VM=1)"

static const char *const question =
	"Type yes to confirm that this is an isolated VM you control: ";

static const char *const refusal =
	"the safety gate needs a confirmation and standard input is not a terminal to ask on: "
	"if this is an isolated VM you control, say so with " GATE_FLAGS;

/* --- the confirmation, remembered for this boot ------------------------------------ */

/* This boot's id (random per boot, so per machine too), trimmed; NULL if
 * the kernel does not say. */
static char *boot_id(void)
{
	char *id = NULL;
	size_t n;

	if (util_read_path("/proc/sys/kernel/random/boot_id", &id, NULL) < 0)
		return NULL;
	n = strcspn(id, " \t\n");
	id[n] = '\0';
	if (n == 0) {
		free(id);
		return NULL;
	}
	return id;
}

static const char *gate_base(void)
{
	const char *b = getenv(SESSION_ENV_SCRATCH_BASE);
	return b && *b ? b : SESSION_SCRATCH_BASE;
}

/* Only root's, and nobody else may write it. */
static bool root_only(const struct stat *st)
{
	return st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

/* The base directory, opened, if it is root's alone; -1 otherwise. */
static int open_gate_dir(void)
{
	struct stat st;
	int fd = open(gate_base(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd >= 0 && (fstat(fd, &st) < 0 || !root_only(&st))) {
		close(fd);
		fd = -1;
	}
	return fd;
}

char *gate_memory_path(void)
{
	return xasprintf("%s/%s", gate_base(), GATE_MEMORY_FILE);
}

bool gate_remembered(void)
{
	cleanup_free char *id = boot_id();
	cleanup_free char *text = NULL;
	cleanup_close int dir = -1, fd = -1;
	struct stat st;

	if (!id || geteuid() != 0 || (dir = open_gate_dir()) < 0)
		return false;
	fd = openat(dir, GATE_MEMORY_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || !root_only(&st))
		return false;
	if (util_read_fd(fd, &text, NULL) < 0)
		return false;
	text[strcspn(text, "\n")] = '\0';
	return strcmp(text, id) == 0;
}

int gate_remember(void)
{
	cleanup_free char *id = boot_id();
	cleanup_free char *tmp = NULL;
	cleanup_close int dir = -1;
	int fd, rc = 0;
	size_t n;

	if (!id || geteuid() != 0)
		return -1;
	if (mkdir(gate_base(), 0755) < 0 && errno != EEXIST)
		return -1;
	if ((dir = open_gate_dir()) < 0)
		return -1;
	tmp = xasprintf(".%s.%ld", GATE_MEMORY_FILE, (long)getpid());
	(void)unlinkat(dir, tmp, 0);
	fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	n = strlen(id);
	id[n] = '\n';
	if (write(fd, id, n + 1) != (ssize_t)(n + 1) || fchmod(fd, 0644) < 0)
		rc = -1;
	if (close(fd) < 0)
		rc = -1;
	if (rc == 0 && renameat(dir, tmp, dir, GATE_MEMORY_FILE) < 0)
		rc = -1;
	if (rc < 0)
		(void)unlinkat(dir, tmp, 0);
	return rc;
}

/* What isolab found, in a few words. */
static char *summary(const struct host_facts *h)
{
	switch (h->vm) {
	case HOST_VM_YES:
		if (h->vm_vendor)
			return xasprintf("a virtual machine (%s)", h->vm_vendor);
		return xstrdup("a virtual machine");
	case HOST_VM_NO:
		return xstrdup("a physical machine");
	default:
		return xstrdup("no sign either way of a virtual machine");
	}
}

void gate_decide(const struct host_facts *h, bool confirmed_by_flag, bool interactive,
		 struct gate_decision *d)
{
	gate_decide_as(h, confirmed_by_flag ? GATE_BY_FLAG : GATE_NOT_YET, interactive, d);
}

void gate_decide_as(const struct host_facts *h, enum gate_confirmed by, bool interactive,
		    struct gate_decision *d)
{
	cleanup_free char *found = summary(h);

	memset(d, 0, sizeof(*d));
	if (by != GATE_NOT_YET) {
		cleanup_free char *path = gate_memory_path();
		d->action = GATE_GO;
		if (by == GATE_BY_FLAG)
			argv_pushf(&d->lines, "Safety gate: confirmed by " GATE_FLAGS
					      "; isolab found %s.",
				   found);
		else
			argv_pushf(&d->lines, "Safety gate: confirmed earlier in this boot of this "
					      "machine (%s); isolab found %s.",
				   path, found);
		return;
	}
	d->action = interactive ? GATE_ASK : GATE_REFUSE;
	/* The screen's title says "Safety gate"; the text goes straight on. */
	argv_push(&d->lines, "The labs give containers host-level access: "
			     "--privileged, the host's / mounted in, the Docker socket.");
	switch (h->vm) {
	case HOST_VM_YES:
		argv_pushf(&d->lines, "isolab found %s:", found);
		break;
	case HOST_VM_NO:
		argv_push(&d->lines, "This looks like a physical machine: the labs give containers "
				     "host-level access; run them only on an isolated VM you control.");
		argv_push(&d->lines, "isolab found:");
		break;
	default:
		argv_push(&d->lines, "isolab cannot tell whether this is a virtual machine:");
		break;
	}
	for (size_t i = 0; i < h->evidence.n; i++)
		argv_pushf(&d->lines, "  - %s", h->evidence.v[i]);
	if (h->in_container)
		argv_push(&d->lines, "isolab itself runs in a container: the labs reach the host "
				     "of the Docker engine it uses.");
	if (h->vm != HOST_VM_NO)
		argv_push(&d->lines, "Run the labs only on an isolated VM you control, with nothing "
				     "on it you would mind losing.");
	if (d->action == GATE_ASK)
		d->question = question;
	else
		d->refusal = refusal;
}

void gate_decision_free(struct gate_decision *d)
{
	argv_free(&d->lines);
	memset(d, 0, sizeof(*d));
}

int gate_answer(const char *answer, struct err *e)
{
	size_t start = 0, end;

	if (!answer)
		return err_input(e, "not confirmed (no answer): isolab runs labs only on an "
				    "isolated VM you control");
	end = strlen(answer);
	while (start < end && isspace((unsigned char)answer[start]))
		start++;
	while (end > start && isspace((unsigned char)answer[end - 1]))
		end--;
	if (end - start == 3 && strncasecmp(answer + start, "yes", 3) == 0)
		return 0;
	return err_input(e, "not confirmed (the answer was not yes): isolab runs labs only on "
			    "an isolated VM you control");
}

int gate_check(const struct cli *cli, const struct host_facts *h, FILE *in, FILE *out,
	       struct err *e)
{
	struct gate_decision d;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int rc = 0;

	gate_decide_as(h, cli->yes_vm ? GATE_BY_FLAG : gate_remembered() ? GATE_BY_MEMORY : GATE_NOT_YET,
		       in && isatty(fileno(in)), &d);
	if (d.action != GATE_GO)
		fputs("Safety gate.\n", out);
	for (size_t i = 0; i < d.lines.n; i++)
		fprintf(out, "%s\n", d.lines.v[i]);
	switch (d.action) {
	case GATE_GO:
		break;
	case GATE_REFUSE:
		rc = err_input(e, "%s", d.refusal);
		break;
	case GATE_ASK:
		fputs(d.question, out);
		fflush(out);
		if (getline(&line, &cap, in) < 0) {
			fputc('\n', out);
			rc = gate_answer(NULL, e);
		} else {
			rc = gate_answer(line, e);
		}
		if (rc == 0)
			(void)gate_remember();
		break;
	}
	fflush(out);
	gate_decision_free(&d);
	return rc;
}
