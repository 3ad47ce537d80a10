/* progress.c: the learner's progress file (progress.h): JSON by jansson,
 * written through a temporary file and rename(2) so that a crash or a full
 * disk leaves either the old file or the new one, never half of one.
 *
 *   {"version": 1,
 *    "labs": {"capabilities": {"done": ["default-set"],
 *                              "questions": {"default-set": {"right": true,
 *                                            "tries": 1, "solved": true,
 *                                            "first": "14"}},
 *                              "last": "host-pid"}}}
 */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

char *progress_default_path(struct err *e)
{
	const char *state = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");

	/* The XDG spec: a relative path is invalid and must be ignored. */
	if (state && state[0] == '/')
		return xasprintf("%s/isolab/progress.json", state);
	if (!home || home[0] != '/') {
		/* One caller, on the main thread, before any worker starts:
		 * getpwuid's static result is not shared. */
		/* cppcheck-suppress getpwuidCalled */
		struct passwd *pw = getpwuid(getuid());
		home = pw ? pw->pw_dir : NULL;
	}
	if (!home || home[0] != '/') {
		err_input(e, "no place for the progress file: neither XDG_STATE_HOME nor HOME is "
			     "set to an absolute path");
		return NULL;
	}
	return xasprintf("%s/.local/state/isolab/progress.json", home);
}

/* --- the model ------------------------------------------------------------ */

static void lab_release(struct progress_lab *l)
{
	free(l->id);
	argv_free(&l->done);
	for (size_t i = 0; i < l->n_answers; i++) {
		free(l->answers[i].step);
		free(l->answers[i].first);
	}
	free(l->answers);
	free(l->last);
	memset(l, 0, sizeof(*l));
}

static void labs_release(struct progress *p)
{
	for (size_t i = 0; i < p->n_labs; i++)
		lab_release(&p->labs[i]);
	free(p->labs);
	p->labs = NULL;
	p->n_labs = 0;
}

void progress_free(struct progress *p)
{
	labs_release(p);
	free(p->path);
	free(p->set_aside);
	free(p->notice);
	memset(p, 0, sizeof(*p));
}

const struct progress_lab *progress_lab_get(const struct progress *p, const char *lab)
{
	for (size_t i = 0; i < p->n_labs; i++)
		if (strcmp(p->labs[i].id, lab) == 0)
			return &p->labs[i];
	return NULL;
}

struct progress_lab *progress_find_lab(struct progress *p, const char *lab, bool create)
{
	struct progress_lab *l = (struct progress_lab *)progress_lab_get(p, lab);

	if (l || !create)
		return l;
	p->labs = xreallocarray(p->labs, p->n_labs + 1, sizeof(*p->labs));
	l = &p->labs[p->n_labs++];
	memset(l, 0, sizeof(*l));
	l->id = xstrdup(lab);
	return l;
}

static bool words_has(const struct argv *a, const char *s)
{
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], s) == 0)
			return true;
	return false;
}

static void set_str(char **dst, const char *s)
{
	char *v = s ? xstrdup(s) : NULL;
	free(*dst);
	*dst = v;
}

void progress_set_last(struct progress *p, const char *lab, const char *step)
{
	set_str(&progress_find_lab(p, lab, true)->last, step);
}

void progress_mark_step(struct progress *p, const char *lab, const char *step)
{
	struct progress_lab *l = progress_find_lab(p, lab, true);

	if (!words_has(&l->done, step))
		argv_push(&l->done, step);
	set_str(&l->last, step);
}

static struct progress_answer *answer_find(const struct progress_lab *l, const char *step)
{
	for (size_t i = 0; l && i < l->n_answers; i++)
		if (strcmp(l->answers[i].step, step) == 0)
			return &l->answers[i];
	return NULL;
}

void progress_mark_answer(struct progress *p, const char *lab, const char *step, bool right)
{
	progress_mark_pick(p, lab, step, NULL, right);
}

void progress_mark_pick(struct progress *p, const char *lab, const char *step, const char *choice,
			bool right)
{
	struct progress_lab *l = progress_find_lab(p, lab, true);
	struct progress_answer *a = answer_find(l, step);

	if (!a) {
		l->answers = xreallocarray(l->answers, l->n_answers + 1, sizeof(*l->answers));
		a = &l->answers[l->n_answers++];
		memset(a, 0, sizeof(*a));
		a->step = xstrdup(step);
		a->right = right;
		a->first = choice ? xstrdup(choice) : NULL;
	}
	a->tries++;
	if (right)
		a->solved = true;
}

void progress_reset_lab(struct progress *p, const char *lab)
{
	for (size_t i = 0; i < p->n_labs; i++) {
		if (strcmp(p->labs[i].id, lab) != 0)
			continue;
		lab_release(&p->labs[i]);
		memmove(&p->labs[i], &p->labs[i + 1], (p->n_labs - i - 1) * sizeof(*p->labs));
		p->n_labs--;
		return;
	}
}

bool progress_step_done(const struct progress *p, const char *lab, const char *step)
{
	const struct progress_lab *l = progress_lab_get(p, lab);
	return l && words_has(&l->done, step);
}

const struct progress_answer *progress_answer(const struct progress *p, const char *lab,
					      const char *step)
{
	return answer_find(progress_lab_get(p, lab), step);
}

size_t progress_steps_done(const struct progress *p, const struct lab *lab)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->n_steps; i++)
		n += progress_step_done(p, lab->id, lab->steps[i].id);
	return n;
}

size_t progress_questions(const struct lab *lab)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->n_steps; i++)
		n += lab->steps[i].question != NULL;
	return n;
}

size_t progress_questions_right(const struct progress *p, const struct lab *lab)
{
	size_t n = 0;

	for (size_t i = 0; i < lab->n_steps; i++) {
		const struct progress_answer *a;
		if (!lab->steps[i].question)
			continue;
		a = progress_answer(p, lab->id, lab->steps[i].id);
		n += a && a->right;
	}
	return n;
}

bool progress_lab_done(const struct progress *p, const struct lab *lab)
{
	return lab->n_steps > 0 && progress_steps_done(p, lab) == lab->n_steps;
}

size_t progress_resume_index(const struct progress *p, const struct lab *lab)
{
	const struct progress_lab *l = progress_lab_get(p, lab->id);

	if (l && l->last)
		for (size_t i = 0; i < lab->n_steps; i++)
			if (strcmp(lab->steps[i].id, l->last) == 0)
				return i;
	for (size_t i = 0; i < lab->n_steps; i++)
		if (!progress_step_done(p, lab->id, lab->steps[i].id))
			return i;
	return 0;
}

/* --- JSON ------------------------------------------------------------------ */

/* Why a file is not progress: a phrase, then where and what jansson found
 * ("a step id is not a string: labs.x.done: Expected string, got integer"). */
#define WHY_MAX 256

/* json_unpack_ex; on failure why says so. An absent part (NULL) reads as
 * empty. */
#define UNPACK(why, phrase, where, j, fmt, ...)                                              \
	__extension__({                                                                      \
		json_error_t je_;                                                            \
		const char *where_ = (where);                                                \
		int rc_ = (j) ? json_unpack_ex((j), &je_, 0, fmt, ##__VA_ARGS__) : 0;        \
		if (rc_ < 0)                                                                 \
			snprintf((why), WHY_MAX, "%s: %s%s%s", (phrase), where_ ? where_ : "", \
				 where_ ? ": " : "", je_.text);                               \
		rc_;                                                                         \
	})

static int because(char *why, const char *phrase)
{
	snprintf(why, WHY_MAX, "%s", phrase);
	return -1;
}

/* One of a lab's answers: right and tries required, solved and first
 * optional: a boolean, an integer, a boolean and a string, or the answer is
 * refused. */
static int answer_from_json(struct progress_lab *l, const char *step, json_t *qv, char *why)
{
	cleanup_free char *where = xasprintf("labs.%s.questions.%s", l->id, step);
	struct progress_answer *a;
	int right = 0, solved = -1;
	json_int_t tries = 0;
	const char *first = NULL;

	if (UNPACK(why, "an answer has the wrong shape", where, qv, "{s:b, s:I, s?b, s?s}",
		   "right", &right, "tries", &tries, "solved", &solved, "first", &first) < 0)
		return -1;
	if (answer_find(l, step))
		return 0;
	l->answers = xreallocarray(l->answers, l->n_answers + 1, sizeof(*l->answers));
	a = &l->answers[l->n_answers++];
	a->step = xstrdup(step);
	a->right = right != 0;
	a->tries = tries > 0 && tries <= UINT_MAX ? (unsigned)tries : 1;
	a->solved = solved >= 0 ? solved != 0 : a->right;
	a->first = first ? xstrdup(first) : NULL;
	return 0;
}

/* One lab's record: done (step ids), questions (answers by step id) and
 * last (a step id or null), each optional. */
static int lab_from_json(struct progress *p, const char *id, json_t *lv, char *why)
{
	static const char shape[] = "a lab's record has the wrong shape";
	cleanup_free char *where = xasprintf("labs.%s", id);
	json_t *done = NULL, *qs = NULL, *last = NULL, *v;
	const char *step, *last_id = NULL;
	struct progress_lab *l;
	size_t i;

	if (UNPACK(why, shape, where, lv, "{s?o, s?o, s?o}", "done", &done, "questions", &qs,
		   "last", &last) < 0 ||
	    UNPACK(why, shape, where, done, "[]") < 0 || UNPACK(why, shape, where, qs, "{}") < 0 ||
	    (!json_is_null(last) && UNPACK(why, shape, where, last, "s", &last_id) < 0))
		return -1;
	l = progress_find_lab(p, id, true);
	json_array_foreach(done, i, v) {
		const char *s = NULL; /* json_unpack_ex sets it */
		if (UNPACK(why, "a step id is not a string", where, v, "s", &s) < 0)
			return -1;
		if (!words_has(&l->done, s))
			argv_push(&l->done, s);
	}
	json_object_foreach(qs, step, v)
		if (answer_from_json(l, step, v, why) < 0)
			return -1;
	if (last_id)
		set_str(&l->last, last_id);
	return 0;
}

/* Fill p's labs from the document; -1 with why when it is not progress.
 * The version is read first: a newer isolab may write another shape. */
static int from_json(struct progress *p, json_t *root, char *why)
{
	json_int_t version = 0;
	json_t *labs = NULL, *lv;
	const char *id;

	if (UNPACK(why, "it is not a JSON object", NULL, root, "{}") < 0 ||
	    UNPACK(why, "it has no version", NULL, root, "{s:I}", "version", &version) < 0)
		return -1;
	if (version != PROGRESS_VERSION)
		return because(why, version > PROGRESS_VERSION ? "a newer isolab wrote it"
							       : "its version is not one isolab knows");
	if (UNPACK(why, "it has no \"labs\" object", NULL, root, "{s:o}", "labs", &labs) < 0 ||
	    UNPACK(why, "it has no \"labs\" object", NULL, labs, "{}") < 0)
		return -1;
	json_object_foreach(labs, id, lv)
		if (lab_from_json(p, id, lv, why) < 0)
			return -1;
	return 0;
}

static json_t *to_json(const struct progress *p)
{
	json_t *labs = json_object();

	for (size_t i = 0; i < p->n_labs; i++) {
		const struct progress_lab *l = &p->labs[i];
		json_t *done = json_array(), *qs = json_object();

		for (size_t j = 0; j < l->done.n; j++)
			json_array_append_new(done, json_string(l->done.v[j]));
		for (size_t j = 0; j < l->n_answers; j++) {
			json_t *q = json_pack("{s:b, s:I, s:b}", "right", l->answers[j].right, "tries",
					      (json_int_t)l->answers[j].tries, "solved",
					      l->answers[j].solved);
			if (q && l->answers[j].first)
				json_object_set_new(q, "first", json_string(l->answers[j].first));
			json_object_set_new(qs, l->answers[j].step, q);
		}
		json_object_set_new(labs, l->id,
				    json_pack("{s:o, s:o, s:o}", "done", done, "questions", qs,
					      "last", l->last ? json_string(l->last) : json_null()));
	}
	return json_pack("{s:i, s:o}", "version", PROGRESS_VERSION, "labs", labs);
}

/* --- files ----------------------------------------------------------------- */

/* Rename a bad file out of the way: PATH.corrupt-YYYYMMDD-HHMMSS, with -N
 * added should that exist already (two in the same second). */
static int set_aside(struct progress *p, const char *why, struct err *e)
{
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	char *to = NULL;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%S", &tm);
	for (int n = 0; n < 100; n++) {
		free(to);
		to = n ? xasprintf("%s.corrupt-%s-%d", p->path, stamp, n)
		       : xasprintf("%s.corrupt-%s", p->path, stamp);
		if (renameat2(AT_FDCWD, p->path, AT_FDCWD, to, RENAME_NOREPLACE) == 0) {
			p->set_aside = to;
			p->notice = xasprintf("The progress file %s could not be read back (%s): it "
					      "was set aside as %s and progress starts afresh.",
					      p->path, why, to);
			return 0;
		}
		if (errno != EEXIST)
			break;
	}
	err_sys(e, "setting aside the unreadable progress file %s as %s", p->path, to);
	free(to);
	return -1;
}

int progress_load(struct progress *p, const char *path, struct err *e)
{
	cleanup_free char *data = NULL;
	cleanup_close int fd = -1;
	json_error_t jerr;
	char why[WHY_MAX] = "";
	json_t *root;
	size_t len = 0;

	memset(p, 0, sizeof(*p));
	p->path = path ? xstrdup(path) : progress_default_path(e);
	if (!p->path)
		return -1;
	fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		return err_sys(e, "opening the progress file %s", p->path);
	}
	if (util_read_fd(fd, &data, &len) < 0)
		return err_sys(e, "reading the progress file %s", p->path);
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		because(why, len == 0 ? "it is empty" : "it is not JSON");
	} else {
		if (from_json(p, root, why) < 0)
			labs_release(p);
		json_decref(root);
	}
	if (*why)
		return set_aside(p, why, e);
	return 0;
}

/* mkdir -p, the new levels 0700: the state dir is private. */
static int make_dirs(const char *file, struct err *e)
{
	cleanup_free char *dir = xstrdup(file);
	char *slash = strrchr(dir, '/');

	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0700) < 0 && errno != EEXIST)
			return err_sys(e, "making %s", dir);
		*p = '/';
	}
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return err_sys(e, "making %s", dir);
	return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += n;
		len -= (size_t)n;
	}
	return 0;
}

int progress_save(const struct progress *p, struct err *e)
{
	cleanup_free char *tmp = NULL, *dir = NULL, *text = NULL;
	json_t *root;
	int fd, dfd;
	char *slash;

	if (!p->path)
		return err_input(e, "the progress has no file to be saved to");
	if (make_dirs(p->path, e) < 0)
		return err_wrap(e, "saving progress");
	root = to_json(p);
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!text)
		return err_set(e, ERR_SYSTEM, ENOMEM, "saving progress");

	tmp = xasprintf("%s.tmp-XXXXXX", p->path);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return err_sys(e, "saving progress: creating a file beside %s", p->path);
	if (write_all(fd, text, strlen(text)) < 0 || write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		err_sys(e, "saving progress to %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0) {
		err_sys(e, "saving progress to %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, p->path) < 0) {
		err_sys(e, "saving progress: renaming %s to %s", tmp, p->path);
		unlink(tmp);
		return -1;
	}
	/* The rename itself is durable only once the directory is synced. */
	dir = xstrdup(p->path);
	slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		dfd = open(*dir ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return 0;
}
