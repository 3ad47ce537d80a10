/* gate.c: the safety gate: what isolab found, in plain words, and the
 * learner's confirmation that this is an isolated VM they control. */
#include "gate.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define GATE_FLAGS "--yes-isolated-vm (or ISOLAB_ISOLATED_VM=1)"

static const char *const question =
	"Type yes to confirm that this is an isolated VM you control: ";

static const char *const refusal =
	"the safety gate needs a confirmation and standard input is not a terminal to ask on: "
	"if this is an isolated VM you control, say so with " GATE_FLAGS;

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
	cleanup_free char *found = summary(h);

	memset(d, 0, sizeof(*d));
	if (confirmed_by_flag) {
		d->action = GATE_GO;
		argv_pushf(&d->lines, "Safety gate: confirmed by " GATE_FLAGS "; isolab found %s.",
			   found);
		return;
	}
	d->action = interactive ? GATE_ASK : GATE_REFUSE;
	argv_push(&d->lines, "Safety gate. The labs give containers host-level access: "
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

	gate_decide(h, cli->yes_vm, in && isatty(fileno(in)), &d);
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
		break;
	}
	fflush(out);
	gate_decision_free(&d);
	return rc;
}
