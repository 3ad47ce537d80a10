/* test_report_doctor.c: isolab doctor's text from a fixed set of rows, as
 * the e2e test and the documents read it: a mark (✓ ✗ ! i, or ok FAIL warn
 * info outside UTF-8) then the title and the detail; the evidence ("- ")
 * and the fix of a check that fails or warns on lines of their own, under
 * the detail; colour on the marks only and only when asked for; and the
 * JSON of the same rows. Not on a terminal nothing is wrapped; on one (a
 * pty here) each line of the detail cell is wrapped at word boundaries to
 * the width left, a wrapped line under the start of its own text. */
#include <fcntl.h>
#include <locale.h>
#include <pty.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cmocka.h>

#include "report.h"

#define N_ROWS 5

static void rows_init(struct doctor_row r[N_ROWS])
{
	memset(r, 0, sizeof(struct doctor_row) * N_ROWS);
	r[0] = (struct doctor_row){.id = "engine-binary", .title = "engine binary",
				   .status = DOCTOR_OK, .detail = xstrdup("/usr/bin/docker")};
	r[1] = (struct doctor_row){.id = "daemon", .title = "daemon", .status = DOCTOR_FAIL,
				   .detail = xstrdup("the Docker daemon does not answer (docker info)"),
				   .fix = xstrdup("start the Docker daemon")};
	r[2] = (struct doctor_row){.id = "privileged", .title = "--privileged", .status = DOCTOR_WARN,
				   .detail = xstrdup("a real --privileged is unavailable here"),
				   .fix = xstrdup("run the labs on a VM")};
	argv_push(&r[2].more, "instead: --cap-add ALL --cap-drop SYS_RESOURCE");
	argv_push(&r[2].more, "left out: /sys stays read-only");
	/* A fix of a check that passes or informs is not shown. */
	r[3] = (struct doctor_row){.id = "cgroup", .title = "cgroup", .status = DOCTOR_INFO,
				   .detail = xstrdup("cgroup v2"), .fix = xstrdup("not shown")};
	r[4] = (struct doctor_row){.id = "seccomp", .title = "seccomp", .status = DOCTOR_OK,
				   .detail = xstrdup("available"), .fix = xstrdup("not shown either")};
}

static void rows_free(struct doctor_row r[N_ROWS])
{
	for (size_t i = 0; i < N_ROWS; i++) {
		free(r[i].detail);
		free(r[i].fix);
		argv_free(&r[i].more);
	}
}

/* The text of the rows, with these options. Malloc'd. */
static char *render(bool can_run, bool color, bool ascii)
{
	struct doctor_row r[N_ROWS];
	struct report_opts o = {.color = color, .ascii = ascii};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	rows_init(r);
	report_doctor_text(f, r, N_ROWS, can_run, &o);
	assert_int_equal(fclose(f), 0);
	rows_free(r);
	return buf;
}

static const char want_utf8[] =
	"✓ engine binary /usr/bin/docker\n"
	"✗ daemon        the Docker daemon does not answer (docker info)\n"
	"                fix: start the Docker daemon\n"
	"! --privileged  a real --privileged is unavailable here\n"
	"                - instead: --cap-add ALL --cap-drop SYS_RESOURCE\n"
	"                - left out: /sys stays read-only\n"
	"                fix: run the labs on a VM\n"
	"i cgroup        cgroup v2\n"
	"✓ seccomp       available\n"
	"The labs cannot run here yet: fix the checks marked ✗.\n";

static const char want_ascii[] =
	"ok   engine binary /usr/bin/docker\n"
	"FAIL daemon        the Docker daemon does not answer (docker info)\n"
	"                   fix: start the Docker daemon\n"
	"warn --privileged  a real --privileged is unavailable here\n"
	"                   - instead: --cap-add ALL --cap-drop SYS_RESOURCE\n"
	"                   - left out: /sys stays read-only\n"
	"                   fix: run the labs on a VM\n"
	"info cgroup        cgroup v2\n"
	"ok   seccomp       available\n"
	"The labs cannot run here yet: fix the checks marked FAIL.\n";

static void test_utf8(void **state)
{
	char *got = render(false, false, false);

	(void)state;
	assert_string_equal(got, want_utf8);
	free(got);
}

static void test_ascii(void **state)
{
	char *got;

	(void)state;
	assert_non_null(setlocale(LC_ALL, "C"));
	got = render(false, false, true);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	assert_string_equal(got, want_ascii);
	free(got);
}

static void test_can_run(void **state)
{
	char *got = render(true, false, false);
	const char *last = strstr(got, "i cgroup");

	(void)state;
	assert_non_null(last);
	assert_non_null(strstr(last, "\nThe labs can run here.\n"));
	assert_null(strstr(got, "cannot run"));
	free(got);
}

/* The marks, in the tone of their meaning, each reset after it; nothing
 * else is coloured: the text is the same once the sequences are gone. */
static void test_color(void **state)
{
	char *got = render(false, true, false);
	struct strbuf plain = STRBUF_INIT;
	cleanup_free char *ok = xasprintf("%s✓\033[0m engine binary ", report_tone_color(TONE_GOOD));
	cleanup_free char *fail = xasprintf("%s✗\033[0m daemon ", report_tone_color(TONE_ALARM));
	cleanup_free char *warn = xasprintf("%s!\033[0m --privileged ", report_tone_color(TONE_WARN));

	(void)state;
	assert_non_null(strstr(got, ok));
	assert_non_null(strstr(got, fail));
	assert_non_null(strstr(got, warn));
	assert_non_null(strstr(got, "\ni cgroup "));
	for (const char *p = got; *p;) {
		if (*p == '\033') {
			p += strcspn(p, "m");
			p += *p ? 1 : 0;
			continue;
		}
		strbuf_addc(&plain, *p++);
	}
	assert_string_equal(strbuf_str(&plain), want_utf8);
	strbuf_release(&plain);
	free(got);
}

static void test_ascii_color(void **state)
{
	char *got;
	cleanup_free char *fail = xasprintf("%sFAIL\033[0m daemon ", report_tone_color(TONE_ALARM));

	(void)state;
	assert_non_null(setlocale(LC_ALL, "C"));
	got = render(false, true, true);
	assert_non_null(setlocale(LC_ALL, "C.UTF-8"));
	assert_non_null(strstr(got, fail));
	assert_non_null(strstr(got, "\ninfo cgroup "));
	free(got);
}

/* On a terminal of 50 columns: the detail column starts at 16 and may
 * take 50 - 16 - 1 = 33. */
static void test_wrap(void **state)
{
	struct winsize ws = {.ws_row = 24, .ws_col = 50};
	struct report_opts o = {.color = false, .ascii = false};
	struct doctor_row r[N_ROWS];
	struct termios tio;
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int master, slave;
	FILE *f;

	(void)state;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, &ws), 0);
	assert_int_equal(tcgetattr(slave, &tio), 0);
	cfmakeraw(&tio);
	assert_int_equal(tcsetattr(slave, TCSANOW, &tio), 0);
	f = fdopen(slave, "w");
	assert_non_null(f);
	rows_init(r);
	report_doctor_text(f, r, 3, true, &o);
	assert_int_equal(fclose(f), 0);
	rows_free(r);
	assert_int_equal(fcntl(master, F_SETFL, O_NONBLOCK), 0);
	while (len < sizeof(buf) - 1 && (n = read(master, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)n;
	close(master);
	buf[len] = '\0';
	assert_string_equal(buf, "✓ engine binary /usr/bin/docker\n"
				 "✗ daemon        the Docker daemon does not answer\n"
				 "                (docker info)\n"
				 "                fix: start the Docker daemon\n"
				 "! --privileged  a real --privileged is\n"
				 "                unavailable here\n"
				 "                - instead: --cap-add ALL\n"
				 "                  --cap-drop SYS_RESOURCE\n"
				 "                - left out: /sys stays read-only\n"
				 "                fix: run the labs on a VM\n"
				 "The labs can run here.\n");
}

static void test_json(void **state)
{
	struct doctor_row r[N_ROWS];
	json_t *j;

	(void)state;
	rows_init(r);
	j = report_doctor_json(r, N_ROWS);
	assert_int_equal(json_array_size(j), N_ROWS);
	json_t *priv = json_array_get(j, 2);
	assert_string_equal(json_string_value(json_object_get(priv, "check")), "privileged");
	assert_string_equal(json_string_value(json_object_get(priv, "status")), "warn");
	assert_string_equal(json_string_value(json_object_get(priv, "detail")),
			    "a real --privileged is unavailable here; instead: --cap-add ALL "
			    "--cap-drop SYS_RESOURCE; left out: /sys stays read-only");
	assert_string_equal(json_string_value(json_object_get(priv, "fix")), "run the labs on a VM");
	json_t *eng = json_array_get(j, 0);
	assert_string_equal(json_string_value(json_object_get(eng, "status")), "ok");
	assert_true(json_is_null(json_object_get(eng, "fix")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 1), "status")), "fail");
	assert_string_equal(json_string_value(json_object_get(json_array_get(j, 3), "status")), "info");
	json_decref(j);
	rows_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),       cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_can_run),    cmocka_unit_test(test_color),
		cmocka_unit_test(test_ascii_color), cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_json),
	};

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		print_error("no C.UTF-8 locale: the marks cannot be tested\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
