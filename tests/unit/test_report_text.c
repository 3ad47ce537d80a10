/* test_report_text.c: the report layer's word wrapper counts terminal
 * columns (wcwidth), not bytes: ASCII wraps as before, a UTF-8 sequence is
 * never split, a wide character takes two columns; and the one colour
 * vocabulary maps each tone to its sequence. */
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

static void wraps(const char *text, size_t width, const char *want)
{
	char *got = report_word_wrap(text, width);

	assert_string_equal(got, want);
	free(got);
}

static void test_ascii(void **state)
{
	(void)state;
	wraps("aaa bbb ccc", 7, "aaa bbb\nccc");
	wraps("aaa bbb ccc", 8, "aaa bbb\nccc");
	wraps("aaa bbb", 7, "aaa bbb");
	wraps("aaaaaaaaaa bb", 4, "aaaa\naaaa\naa\nbb");
	/* As before: a run of spaces may leave one at the end of a line. */
	wraps("aa   bb", 3, "aa \nbb");
	wraps("", 5, "");
}

static void test_utf8_counts_columns(void **state)
{
	(void)state;
	/* Seven columns in fourteen bytes: one line, where bytes would cut. */
	wraps("\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9", 7, "\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9");
	wraps("\u00e9\u00e9\u00e9 \u00e9\u00e9\u00e9", 6, "\u00e9\u00e9\u00e9\n\u00e9\u00e9\u00e9");
	/* A word longer than the line is cut between characters. */
	wraps("\u00e9\u00e9\u00e9\u00e9\u00e9", 2, "\u00e9\u00e9\n\u00e9\u00e9\n\u00e9");
}

static void test_wide_characters(void **state)
{
	(void)state;
	/* Each takes two columns. */
	wraps("\u65e5\u672c \u65e5\u672c", 4, "\u65e5\u672c\n\u65e5\u672c");
	wraps("\u65e5\u672c\u8a9e", 4, "\u65e5\u672c\n\u8a9e");
	/* Narrower than one wide character: it still moves on, one a line. */
	wraps("\u65e5\u672c", 1, "\u65e5\n\u672c");
}

static void test_tones(void **state)
{
	(void)state;
	assert_null(report_tone_color(TONE_PLAIN));
	assert_string_equal(report_tone_color(TONE_ALARM), "\033[1;31m");
	assert_string_equal(report_tone_color(TONE_BAD), "\033[31m");
	assert_string_equal(report_tone_color(TONE_WARN), "\033[33m");
	assert_string_equal(report_tone_color(TONE_GOOD), "\033[32m");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ascii),
		cmocka_unit_test(test_utf8_counts_columns),
		cmocka_unit_test(test_wide_characters),
		cmocka_unit_test(test_tones),
	};

	if (!setlocale(LC_ALL, "C.UTF-8")) {
		print_error("no C.UTF-8 locale: the wrapper cannot be tested\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
