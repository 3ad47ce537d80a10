/* tui_doctor.c: the home screen's status line and the doctor panel. The
 * checks are `isolab doctor`'s own: the TUI runs `isolab doctor --json` as
 * a child through the exec job API (docker info can take a while; the
 * screen never waits for it) and shows what it said, with the fix of a
 * failing check, without leaving the TUI. The child is an event source
 * (tui.h): tui.c polls it and knows nothing else of it. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image.h"
#include "tui.h"

#define DOCTOR_TIMEOUT_MS 60000

static const struct tui_source_ops doctor_source;

static void checks_free(struct tui_doctor *d)
{
	for (size_t i = 0; i < d->n; i++) {
		free(d->v[i].id);
		free(d->v[i].detail);
		free(d->v[i].fix);
	}
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static void doctor_free(struct tui_doctor *d)
{
	if (d->job) {
		struct exec_result res;
		exec_job_finish(d->job, &res, NULL);
		exec_result_free(&res);
		d->job = NULL;
	}
	checks_free(d);
	free(d->error);
	d->error = NULL;
}

void tui_doctor_start(struct tui *t)
{
	struct tui_doctor *d = &t->doctor;
	struct argv a = ARGV_INIT;
	struct exec_opts o = {.path = "/proc/self/exe", .timeout_ms = DOCTOR_TIMEOUT_MS};
	struct err e = {0};

	tui_source_add(t, &doctor_source, d);
	doctor_free(d);
	d->done = false;
	d->started_ms = util_now_ms();
	argv_push(&a, "isolab");
	argv_push(&a, "--engine");
	argv_push(&a, t->cli->engine);
	argv_push(&a, "doctor");
	argv_push(&a, "--json");
	if (exec_job_start(a.v, &o, &d->job, &e) < 0) {
		d->error = xasprintf("the checks could not run: %s", e.msg);
		d->done = true;
	}
	argv_free(&a);
	t->dirty = true;
}

static enum tui_check_status status_of(const char *s)
{
	if (!s)
		return TUI_CHECK_INFO;
	if (strcmp(s, "ok") == 0)
		return TUI_CHECK_OK;
	if (strcmp(s, "fail") == 0)
		return TUI_CHECK_FAIL;
	if (strcmp(s, "warn") == 0)
		return TUI_CHECK_WARN;
	return TUI_CHECK_INFO;
}

/* One check of `isolab doctor --json`: {"check": s, "status": s, "detail":
 * s, "fix": s or null}. */
static int parse_check(json_t *v, struct tui_check *c, json_error_t *jerr)
{
	const char *id = NULL, *status = NULL, *detail = NULL;
	json_t *fix = NULL;

	if (json_unpack_ex(v, jerr, 0, "{s:s, s:s, s:s, s:o}", "check", &id, "status", &status,
			   "detail", &detail, "fix", &fix) < 0)
		return -1;
	if (!json_is_string(fix) && !json_is_null(fix)) {
		snprintf(jerr->text, sizeof(jerr->text), "fix: neither a string nor null");
		return -1;
	}
	c->id = xstrdup(id);
	c->status = status_of(status);
	c->detail = xstrdup(detail);
	c->fix = json_is_string(fix) ? xstrdup(json_string_value(fix)) : NULL;
	return 0;
}

static void parse(struct tui_doctor *d, const char *out)
{
	json_error_t jerr;
	json_t *arr = json_loads(out ? out : "", 0, &jerr);
	size_t i;
	json_t *v;

	if (!json_is_array(arr)) {
		d->error = xasprintf("isolab doctor --json printed no result (%s)",
				     arr ? "not an array" : jerr.text);
		json_decref(arr);
		return;
	}
	d->v = xcalloc(json_array_size(arr) + 1, sizeof(*d->v));
	json_array_foreach(arr, i, v) {
		if (parse_check(v, &d->v[d->n], &jerr) < 0) {
			d->error = xasprintf("isolab doctor --json: check %zu: %s", i + 1, jerr.text);
			checks_free(d);
			break;
		}
		d->n++;
	}
	json_decref(arr);
}

/* --- the event source ------------------------------------------------------------ */

static size_t doctor_pollfds(struct tui *t, void *self, struct pollfd *fds, size_t max)
{
	struct tui_doctor *d = self;

	(void)t;
	return d->job ? exec_job_pollfds(d->job, fds, max) : 0;
}

static int doctor_timeout(struct tui *t, void *self)
{
	struct tui_doctor *d = self;

	(void)t;
	return d->job ? exec_job_timeout_ms(d->job) : -1;
}

static void doctor_dispatch(struct tui *t, void *self, const struct pollfd *fds, size_t n)
{
	struct tui_doctor *d = self;
	struct exec_result res;
	struct err e = {0};

	if (!d->job)
		return;
	exec_job_on_ready(d->job, fds, n);
	if (!exec_job_done(d->job))
		return;
	if (exec_job_finish(d->job, &res, &e) < 0)
		d->error = xasprintf("the checks did not finish: %s", e.msg);
	else
		parse(d, res.out.data);
	exec_result_free(&res);
	d->job = NULL;
	d->done = true;
	t->dirty = true;
}

static void doctor_destroy_source(struct tui *t, void *self)
{
	(void)t;
	doctor_free(self);
}

static const struct tui_source_ops doctor_source = {
	.name = "doctor",
	.pollfds = doctor_pollfds,
	.timeout_ms = doctor_timeout,
	.dispatch = doctor_dispatch,
	.destroy = doctor_destroy_source,
};

static const struct tui_check *find(const struct tui *t, const char *id)
{
	for (size_t i = 0; i < t->doctor.n; i++)
		if (strcmp(t->doctor.v[i].id, id) == 0)
			return &t->doctor.v[i];
	return NULL;
}

/* "Docker 20.10.24+dfsg1 answers (client 28.2.2)" -> "Docker 20.10.24": a
 * status line has room for the version, not the packaging. */
static char *short_engine(const char *detail)
{
	const char *end = strstr(detail, " answers");
	size_t len = end ? (size_t)(end - detail) : strlen(detail);
	const char *plus = memchr(detail, '+', len);

	return xstrndup(detail, plus ? (size_t)(plus - detail) : len);
}

struct piece {
	enum tui_check_status st;
	char *text;
	const struct tui_check *why; /* the check whose fix applies */
};

static enum tui_glyph glyph_of(enum tui_check_status st)
{
	switch (st) {
	case TUI_CHECK_OK:
		return TG_OK;
	case TUI_CHECK_FAIL:
		return TG_FAIL;
	case TUI_CHECK_WARN:
		return TG_WARN;
	default:
		return TG_DOT;
	}
}

static enum tui_color color_of(enum tui_check_status st)
{
	switch (st) {
	case TUI_CHECK_OK:
		return TC_OK;
	case TUI_CHECK_FAIL:
		return TC_FAIL;
	case TUI_CHECK_WARN:
		return TC_WARN;
	default:
		return TC_INFO;
	}
}

/* The short status pieces: engine, image, --privileged, VM and the gate. */
static size_t pieces(struct tui *t, struct piece *p)
{
	const struct tui_check *bin = find(t, "engine-binary"), *daemon = find(t, "daemon");
	const struct tui_check *sock = find(t, "socket-permission"), *img = find(t, "image");
	const struct tui_check *priv = find(t, "privileged"), *vm = find(t, "vm");
	size_t n = 0;

	if (bin && bin->status == TUI_CHECK_FAIL)
		p[n++] = (struct piece){TUI_CHECK_FAIL, xstrdup("no engine"), bin};
	else if (daemon && daemon->status == TUI_CHECK_FAIL)
		p[n++] = (struct piece){TUI_CHECK_FAIL, xstrdup("the Docker daemon does not answer"),
					daemon};
	else if (sock && sock->status == TUI_CHECK_FAIL)
		p[n++] = (struct piece){TUI_CHECK_FAIL, xstrdup("no access to the Docker socket"),
					sock};
	else if (daemon)
		p[n++] = (struct piece){TUI_CHECK_OK, short_engine(daemon->detail), NULL};
	if (img)
		p[n++] = (struct piece){img->status,
					img->status == TUI_CHECK_FAIL ? xstrdup("lab image: cannot build")
					: strstr(img->detail, "not built yet")
						? xstrdup("image (built at the first step)")
						: xstrdup("image"),
					img};
	if (vm)
		p[n++] = (struct piece){vm->status == TUI_CHECK_OK && !t->gate_passed && !t->cli->yes_vm
						? TUI_CHECK_INFO
						: vm->status,
					xasprintf("%s, %s", vm->status == TUI_CHECK_OK ? "VM" : "VM not sure",
						  t->gate_remembered ? "gate confirmed this boot"
						  : t->gate_passed   ? "gate confirmed"
						  : t->cli->yes_vm ? "gate confirmed by flag"
								   : "gate asks first"),
					vm};
	if (priv)
		p[n++] = (struct piece){priv->status,
					xstrdup(priv->status == TUI_CHECK_OK ? "real --privileged"
									    : "--privileged approximated"),
					priv};
	/* Failures first: they must fit. */
	for (size_t i = 1; i < n; i++)
		for (size_t j = i; j > 0 && p[j].st == TUI_CHECK_FAIL && p[j - 1].st != TUI_CHECK_FAIL; j--) {
			struct piece tmp = p[j];
			p[j] = p[j - 1];
			p[j - 1] = tmp;
		}
	return n;
}

int tui_doctor_draw_status(struct tui *t, int y, int rows)
{
	struct tui_doctor *d = &t->doctor;
	struct piece p[8];
	size_t n;
	int x = 1, used = 1;
	const struct tui_check *fix = NULL;

	if (!d->done) {
		x += tui_put(stdscr, y, x, t->cols - x - 1, tui_spinner(t->tick), TC_SPINNER);
		tui_put(stdscr, y, x + 1, t->cols - x - 2, "checking the engine, the image and this host",
			TC_DIM);
		tui_wake_in(t, 120);
		return 1;
	}
	if (d->error) {
		tui_put(stdscr, y, x, t->cols - x - 1, d->error, TC_FAIL);
		return 1;
	}
	n = pieces(t, p);
	for (size_t i = 0; i < n; i++) {
		int w = tui_width(tui_glyph(glyph_of(p[i].st))) + 1 + tui_width(p[i].text);

		/* What does not fit is in the panel (d); failures come first. */
		if (x + w < t->cols - 1) {
			x += tui_put(stdscr, y, x, t->cols - x - 1, tui_glyph(glyph_of(p[i].st)),
				     color_of(p[i].st));
			x += 1;
			x += tui_put(stdscr, y, x, t->cols - x - 1, p[i].text, TC_NORMAL);
			x += 2;
		}
		if (!fix && p[i].why && p[i].why->fix &&
		    (p[i].st == TUI_CHECK_FAIL || (p[i].st == TUI_CHECK_WARN && !t->present)))
			fix = p[i].why;
		free(p[i].text);
	}
	/* A failing check says how to fix it; a warning only when there is room. */
	for (size_t i = 0; i < d->n && !fix; i++)
		if (d->v[i].status == TUI_CHECK_FAIL && d->v[i].fix)
			fix = &d->v[i];
	if (fix && rows > 1) {
		struct tui_doc doc = {0};
		struct tui_para para = {NULL, 0};
		int lines;

		tui_para_word(&para, fix->status == TUI_CHECK_FAIL ? "to fix:" : "note:",
				     fix->status == TUI_CHECK_FAIL ? TC_FAIL : TC_WARN);
		tui_para_add(&para, fix->fix, TC_NORMAL);
		tui_para_add(&para, " (d: every check)", TC_DIM);
		tui_para_flush(&para, &doc, t->cols - 2, 1, 3);
		lines = (int)doc.n < rows - 1 ? (int)doc.n : rows - 1;
		tui_doc_draw(stdscr, &doc, 0, y + 1, 0, lines, t->cols - 1);
		used += lines;
		tui_doc_free(&doc);
	}
	return used;
}

/* --- the doctor panel: every check, with its fix --------------------------------- */

struct doctor_screen {
	struct tui_doc doc;
	int width;
	unsigned seen_done;
	size_t top;
};

static const char *const titles[][2] = {
	{"engine-binary", "engine binary"},
	{"daemon", "daemon"},
	{"socket-permission", "socket permission"},
	{"image", "lab image"},
	{"privileged", "--privileged"},
	{"vm", "virtual machine"},
	{"cgroup", "cgroup"},
	{"seccomp", "seccomp"},
	{"lsm", "AppArmor/SELinux"},
};

static const char *title_of(const char *id)
{
	for (size_t i = 0; i < ARRAY_SIZE(titles); i++)
		if (strcmp(titles[i][0], id) == 0)
			return titles[i][1];
	return id;
}

static void build(struct tui *t, struct doctor_screen *s)
{
	struct tui_doctor *d = &t->doctor;
	int w = t->cols - 2;

	tui_doc_free(&s->doc);
	s->width = t->cols;
	if (!d->done) {
		struct tui_line *l = tui_doc_line(&s->doc, 1);
		tui_line_add(l, "checking...", TC_DIM);
		return;
	}
	if (d->error) {
		tui_doc_text(&s->doc, d->error, TC_FAIL, w, 1, 1);
		return;
	}
	for (size_t i = 0; i < d->n; i++) {
		const struct tui_check *c = &d->v[i];
		struct tui_para p = {NULL, 0};
		struct tui_line *l = tui_doc_line(&s->doc, 1);
		char *parts = xstrdup(c->detail), *save = NULL;
		bool first = true;

		tui_line_add(l, tui_glyph(glyph_of(c->status)), color_of(c->status));
		tui_line_add(l, " ", TC_NORMAL);
		tui_line_add(l, title_of(c->id), TC_STRONG);
		/* The JSON joins the evidence lines with "; ". */
		for (char *part = strtok_r(parts, ";", &save); part; part = strtok_r(NULL, ";", &save)) {
			while (*part == ' ')
				part++;
			if (first)
				tui_para_add(&p, part, TC_NORMAL);
			else {
				tui_para_word(&p, tui_glyph(TG_BULLET), TC_DIM);
				tui_para_add(&p, part, TC_DIM);
			}
			tui_para_flush(&p, &s->doc, w, first ? 4 : 6, first ? 4 : 8);
			first = false;
		}
		free(parts);
		if (c->fix && (c->status == TUI_CHECK_FAIL || c->status == TUI_CHECK_WARN)) {
			tui_para_word(&p, "fix:", c->status == TUI_CHECK_FAIL ? TC_FAIL : TC_WARN);
			tui_para_add(&p, c->fix, TC_NORMAL);
			tui_para_flush(&p, &s->doc, w, 4, 9);
		}
		tui_doc_blank(&s->doc);
	}
}

static void doctor_draw(struct tui *t, void *self, int top, int rows)
{
	struct doctor_screen *s = self;

	if (s->width != t->cols || s->seen_done != (t->doctor.done ? 1u + (unsigned)t->doctor.n : 0u)) {
		build(t, s);
		s->seen_done = t->doctor.done ? 1u + (unsigned)t->doctor.n : 0u;
	}
	if (s->top + (size_t)rows > s->doc.n)
		s->top = s->doc.n > (size_t)rows ? s->doc.n - (size_t)rows : 0;
	tui_doc_draw(stdscr, &s->doc, s->top, top + 1, 1, rows - 1, t->cols - 2);
	if (!t->doctor.done)
		tui_wake_in(t, 200);
}

static bool doctor_key(struct tui *t, void *self, int key)
{
	struct doctor_screen *s = self;

	switch (key) {
	case 'q':
	case TUI_KEY_ESC:
	case 'd':
		tui_pop(t);
		return true;
	case 'r':
		tui_doctor_start(t);
		s->seen_done = ~0u;
		tui_message(t, TC_MESSAGE, "Checking again...");
		return true;
	case TUI_FN(KEY_DOWN):
	case 'j':
		s->top++;
		return true;
	case TUI_FN(KEY_UP):
	case 'k':
		if (s->top)
			s->top--;
		return true;
	}
	return false;
}

static void doctor_destroy(void *self)
{
	struct doctor_screen *s = self;
	tui_doc_free(&s->doc);
	free(s);
}

static const struct tui_keyhelp doctor_bar[] = {
	{"r", "Check again"}, {"Up/Dn", "Scroll"}, {"?", "Help"}, {"q", "Back"}, {NULL, NULL},
};

static const struct tui_keyhelp doctor_help[] = {
	{"r", "run every check again (after fixing something in another terminal)"},
	{"Up, Down, j, k", "scroll"},
	{"q, Esc, d", "back to the labs"},
	{NULL, NULL},
};

static const struct tui_screen_ops doctor_ops = {
	.name = "doctor",
	.draw = doctor_draw,
	.on_key = doctor_key,
	.bar = doctor_bar,
	.help = doctor_help,
	.destroy = doctor_destroy,
};

void tui_doctor_open(struct tui *t)
{
	tui_push(t, &doctor_ops, xcalloc(1, sizeof(struct doctor_screen)), "The checks (isolab doctor)");
}
