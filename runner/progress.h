/* progress.h: what a learner has done, kept across runs: per lab, the steps
 * done, the questions answered and whether right at the first try, and the
 * step they were last on (to resume there). One small JSON file, written
 * atomically; a file that cannot be read back is set aside, never fatal.
 * The TUI and `isolab run` both record through this API. */
#ifndef ISOLAB_PROGRESS_H
#define ISOLAB_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

#include "err.h"
#include "lab.h"
#include "util.h"

#define PROGRESS_VERSION 1

struct progress_answer {
	char *step;
	bool right; /* right at the first try */
	unsigned tries;
	bool solved; /* answered right at some try */
	char *first; /* the choice first picked, as the lab spelt it; NULL: the
		      * answer was shown before any pick (or an older file) */
};

struct progress_lab {
	char *id;
	struct argv done; /* ids of the steps done, in the order done */
	struct progress_answer *answers;
	size_t n_answers;
	char *last; /* the step the learner was last on; NULL: none yet */
};

struct progress {
	char *path; /* where it is loaded from and saved to */
	struct progress_lab *labs;
	size_t n_labs;
	/* Set by progress_load when the file was unreadable as progress and was
	 * renamed: the new name, and a sentence for the learner. Else NULL. */
	char *set_aside;
	char *notice;
};

/* $XDG_STATE_HOME/isolab/progress.json, else ~/.local/state/isolab/
 * progress.json ($HOME, else the password database). Malloc'd; NULL with e
 * set when there is no home to put it in. */
char *progress_default_path(struct err *e);

/* Load path (NULL: progress_default_path()). A missing file is empty
 * progress. A file that is not progress (bad JSON, wrong shape, a newer
 * version) is renamed to PATH.corrupt-YYYYMMDD-HHMMSS, p->set_aside and
 * p->notice say so, and the progress starts empty: 0 is returned. -1 only
 * when the file exists and cannot be read or set aside (e set; *p is then
 * empty but usable). Free with progress_free. */
int progress_load(struct progress *p, const char *path, struct err *e);
void progress_free(struct progress *p);

/* Write p->path atomically: a temporary file in the same directory, fsync,
 * rename over, fsync of the directory. Makes the directory (0700) when
 * missing. */
int progress_save(const struct progress *p, struct err *e);

/* The lab's record, or NULL; with create, a new empty one. */
struct progress_lab *progress_find_lab(struct progress *p, const char *lab, bool create);
const struct progress_lab *progress_lab_get(const struct progress *p, const char *lab);

/* A step done (idempotent); it also becomes the last step. */
void progress_mark_step(struct progress *p, const char *lab, const char *step);
/* The step the learner is on now. */
void progress_set_last(struct progress *p, const char *lab, const char *step);
/* One answer to a step's question: the first one decides "right". */
void progress_mark_answer(struct progress *p, const char *lab, const char *step, bool right);
/* The same, naming the choice picked (NULL: none, the answer was shown): the
 * first answer's choice is kept, to show it when the step is open again. */
void progress_mark_pick(struct progress *p, const char *lab, const char *step, const char *choice,
			bool right);
/* Forget everything about one lab. */
void progress_reset_lab(struct progress *p, const char *lab);

bool progress_step_done(const struct progress *p, const char *lab, const char *step);
/* The answer recorded for a step's question, or NULL. */
const struct progress_answer *progress_answer(const struct progress *p, const char *lab,
					      const char *step);

/* Counted against the lab as it is now (steps since removed do not count). */
size_t progress_steps_done(const struct progress *p, const struct lab *lab);
size_t progress_questions(const struct lab *lab);
size_t progress_questions_right(const struct progress *p, const struct lab *lab);
/* Every step of the lab is done. */
bool progress_lab_done(const struct progress *p, const struct lab *lab);
/* Where to resume, as an index into lab->steps: the last step if it still
 * exists, else the first step not done, else 0. */
size_t progress_resume_index(const struct progress *p, const struct lab *lab);

#endif
