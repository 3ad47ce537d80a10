/* test_mdtext.c: step Markdown into blocks and spans (each construct of
 * the subset), what falls outside it, and the word-wrapped plain rendering. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "mdtext.h"

static struct mdtext *parse(const char *md)
{
	struct mdtext *doc = NULL;
	struct err e = {0};

	if (mdtext_parse(md, strlen(md), &doc, &e) < 0)
		fail_msg("mdtext_parse: %s", e.msg);
	return doc;
}

static char *render(const char *md, int width)
{
	struct mdtext *doc = parse(md);
	struct strbuf sb = STRBUF_INIT;

	mdtext_render_plain(doc, width, &sb);
	mdtext_free(doc);
	return strbuf_detach(&sb);
}

static void span_is(const struct mdtext_block *b, size_t i, unsigned style, const char *text)
{
	assert_true(i < b->n_spans);
	assert_string_equal(b->spans[i].text, text);
	assert_int_equal(b->spans[i].style, style);
}

static void paragraph_spans(void **state)
{
	struct mdtext *doc = parse("Plain *emph* **strong** `co de` ***both*** and\n"
				   "a soft break, a hard one  \nthen &amp; &#x263A; &lt;x&gt;.\n");
	const struct mdtext_block *b;

	(void)state;
	assert_int_equal(doc->n_blocks, 1);
	assert_int_equal(doc->n_issues, 0);
	b = &doc->blocks[0];
	assert_int_equal(b->type, MDTEXT_PARAGRAPH);
	assert_int_equal(b->depth, 0);
	span_is(b, 0, MDTEXT_PLAIN, "Plain ");
	span_is(b, 1, MDTEXT_EMPH, "emph");
	span_is(b, 2, MDTEXT_PLAIN, " ");
	span_is(b, 3, MDTEXT_STRONG, "strong");
	span_is(b, 4, MDTEXT_PLAIN, " ");
	span_is(b, 5, MDTEXT_CODE_SPAN, "co de");
	span_is(b, 6, MDTEXT_PLAIN, " ");
	span_is(b, 7, MDTEXT_EMPH | MDTEXT_STRONG, "both");
	span_is(b, 8, MDTEXT_PLAIN,
		" and a soft break, a hard one\nthen & \xe2\x98\xba <x>.");
	assert_int_equal(b->n_spans, 9);
	mdtext_free(doc);
}

static void headings_rules_blanks(void **state)
{
	struct mdtext *doc = parse("# One\n\nText.\n\n### Three `x`\n---\nAfter.\n");
	const struct mdtext_block *b = doc->blocks;

	(void)state;
	assert_int_equal(doc->n_blocks, 9);
	assert_int_equal(b[0].type, MDTEXT_HEADING);
	assert_int_equal(b[0].level, 1);
	span_is(&b[0], 0, MDTEXT_PLAIN, "One");
	assert_int_equal(b[1].type, MDTEXT_BLANK);
	assert_int_equal(b[2].type, MDTEXT_PARAGRAPH);
	assert_int_equal(b[3].type, MDTEXT_BLANK);
	assert_int_equal(b[4].type, MDTEXT_HEADING);
	assert_int_equal(b[4].level, 3);
	span_is(&b[4], 0, MDTEXT_PLAIN, "Three ");
	span_is(&b[4], 1, MDTEXT_CODE_SPAN, "x");
	assert_int_equal(b[5].type, MDTEXT_BLANK);
	assert_int_equal(b[6].type, MDTEXT_RULE);
	assert_int_equal(b[6].n_spans, 0);
	assert_int_equal(b[7].type, MDTEXT_BLANK);
	assert_int_equal(b[8].type, MDTEXT_PARAGRAPH);
	mdtext_free(doc);
}

static void lists(void **state)
{
	struct mdtext *doc = parse("- one `a`\n"
				   "- two\n"
				   "  1. three\n"
				   "  2. four\n"
				   "* star\n"
				   "\n"
				   "1) loose\n"
				   "\n"
				   "   more of it\n"
				   "2) next\n");
	const struct mdtext_block *b = doc->blocks;

	(void)state;
	/* 0-1 tight items, 2-3 nested ordered, blank, 5 a new '*' list,
	 * blank, 7 loose item, blank, 9 its paragraph, blank, 11 item. */
	assert_int_equal(doc->n_blocks, 12);
	assert_int_equal(b[0].type, MDTEXT_LIST_ITEM);
	assert_int_equal(b[0].depth, 1);
	assert_false(b[0].ordered);
	assert_int_equal(b[0].mark, '-');
	assert_int_equal(b[0].number, 0);
	span_is(&b[0], 0, MDTEXT_PLAIN, "one ");
	span_is(&b[0], 1, MDTEXT_CODE_SPAN, "a");
	assert_int_equal(b[1].type, MDTEXT_LIST_ITEM);
	span_is(&b[1], 0, MDTEXT_PLAIN, "two");
	assert_int_equal(b[2].type, MDTEXT_LIST_ITEM);
	assert_int_equal(b[2].depth, 2);
	assert_true(b[2].ordered);
	assert_int_equal(b[2].number, 1);
	assert_int_equal(b[2].mark, '.');
	span_is(&b[2], 0, MDTEXT_PLAIN, "three");
	assert_int_equal(b[3].number, 2);
	assert_int_equal(b[4].type, MDTEXT_BLANK);
	assert_int_equal(b[5].type, MDTEXT_LIST_ITEM);
	assert_int_equal(b[5].mark, '*');
	assert_int_equal(b[5].depth, 1);
	assert_int_equal(b[6].type, MDTEXT_BLANK);
	assert_int_equal(b[7].type, MDTEXT_LIST_ITEM);
	assert_true(b[7].ordered);
	assert_int_equal(b[7].mark, ')');
	assert_int_equal(b[7].number, 1);
	span_is(&b[7], 0, MDTEXT_PLAIN, "loose");
	assert_int_equal(b[8].type, MDTEXT_BLANK);
	assert_int_equal(b[9].type, MDTEXT_PARAGRAPH);
	assert_int_equal(b[9].depth, 1);
	span_is(&b[9], 0, MDTEXT_PLAIN, "more of it");
	assert_int_equal(b[10].type, MDTEXT_BLANK);
	assert_int_equal(b[11].number, 2);
	mdtext_free(doc);
}

static void code_blocks(void **state)
{
	struct mdtext *doc = parse("Run:\n\n"
				   "```sh\n"
				   "docker run --cap-drop ALL img\n"
				   "  indented *not emphasis*\n"
				   "```\n"
				   "\n"
				   "    indented code\n"
				   "\n"
				   "```\n```\n");
	const struct mdtext_block *b = doc->blocks;

	(void)state;
	assert_int_equal(doc->n_blocks, 7);
	assert_int_equal(b[2].type, MDTEXT_CODE);
	assert_string_equal(b[2].lang, "sh");
	assert_int_equal(b[2].n_spans, 1);
	span_is(&b[2], 0, MDTEXT_CODE_SPAN,
		"docker run --cap-drop ALL img\n  indented *not emphasis*");
	assert_int_equal(b[4].type, MDTEXT_CODE);
	assert_null(b[4].lang);
	span_is(&b[4], 0, MDTEXT_CODE_SPAN, "indented code");
	assert_int_equal(b[6].type, MDTEXT_CODE);
	span_is(&b[6], 0, MDTEXT_CODE_SPAN, "");
	mdtext_free(doc);
}

static void outside_the_subset(void **state)
{
	struct mdtext *doc = parse("Para with [a link](http://x.invalid/).\n"
				   "\n"
				   "> quoted\n"
				   "\n"
				   "![img](x.png) and <b>html</b>\n");

	(void)state;
	assert_int_equal(doc->n_issues, 3);
	assert_string_equal(doc->issues[0].what, "a link");
	assert_int_equal(doc->issues[0].line, 0);
	assert_string_equal(doc->issues[1].what, "a block quote");
	assert_int_equal(doc->issues[1].line, 2);
	assert_string_equal(doc->issues[2].what, "an image");
	assert_int_equal(doc->issues[2].line, 4);
	/* Raw HTML is plain text here (md4c's NOHTML): not an issue. */
	const struct mdtext_block *last = &doc->blocks[doc->n_blocks - 1];
	assert_true(tu_contains(last->spans[last->n_spans - 1].text, "<b>html</b>"));
	mdtext_free(doc);
}

static void empty_text(void **state)
{
	struct mdtext *doc = parse("");
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	assert_int_equal(doc->n_blocks, 0);
	mdtext_render_plain(doc, 40, &sb);
	assert_string_equal(strbuf_str(&sb), "");
	strbuf_release(&sb);
	mdtext_free(doc);
}

static void plain_paragraphs(void **state)
{
	char *s;

	(void)state;
	s = render("A container starts with *fourteen* capabilities, a **small** set; see "
		   "`CapEff` in `/proc/self/status` for them.\n",
		   30);
	assert_string_equal(s, "A container starts with\n"
			       "fourteen capabilities, a small\n"
			       "set; see `CapEff` in\n"
			       "`/proc/self/status` for them.\n");
	free(s);

	/* A code span is one word, never split even past the width. */
	s = render("Try `docker run --cap-drop ALL img` now.\n", 20);
	assert_string_equal(s, "Try\n`docker run --cap-drop ALL img`\nnow.\n");
	free(s);

	/* Hard breaks hold; a word longer than the width stands alone. */
	s = render("one  \ntwo abcdefghijklmnop x\n", 8);
	assert_string_equal(s, "one\ntwo\nabcdefghijklmnop\nx\n");
	free(s);

	/* UTF-8 counts one column per character. */
	s = render("\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\n", 6);
	assert_string_equal(s, "\xc3\xa9\xc3\xa9\xc3\xa9 \xc3\xa9\xc3\xa9\n");
	free(s);
}

static void plain_blocks(void **state)
{
	char *s;

	(void)state;
	s = render("# Title\n\n## Sub\n\nText after the headings.\n\n---\n", 12);
	assert_string_equal(s, "Title\n"
			       "=====\n"
			       "\n"
			       "Sub\n"
			       "---\n"
			       "\n"
			       "Text after\n"
			       "the\n"
			       "headings.\n"
			       "\n"
			       "------------\n");
	free(s);

	s = render("Code:\n\n"
		   "```\n"
		   "docker run --rm --cap-drop ALL --security-opt no-new-privileges img\n"
		   "\n"
		   "  two\n"
		   "```\n",
		   20);
	assert_string_equal(s, "Code:\n"
			       "\n"
			       "    docker run --rm --cap-drop ALL --security-opt no-new-privileges img\n"
			       "\n"
			       "      two\n");
	free(s);
}

static void plain_lists(void **state)
{
	char *s;

	(void)state;
	s = render("- first item that wraps around\n"
		   "- second\n"
		   "  1. nested and wrapping too\n"
		   "  2. two\n"
		   "- last\n"
		   "\n"
		   "10. ten, loose\n"
		   "\n"
		   "    its second paragraph\n"
		   "\n"
		   "    ```\n"
		   "    code in item\n"
		   "    ```\n"
		   "11. eleven\n",
		   20);
	assert_string_equal(s, "- first item that\n"
			       "  wraps around\n"
			       "- second\n"
			       "  1. nested and\n"
			       "     wrapping too\n"
			       "  2. two\n"
			       "- last\n"
			       "\n"
			       "10. ten, loose\n"
			       "\n"
			       "    its second\n"
			       "    paragraph\n"
			       "\n"
			       "        code in item\n"
			       "\n"
			       "11. eleven\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(paragraph_spans),
		cmocka_unit_test(headings_rules_blanks),
		cmocka_unit_test(lists),
		cmocka_unit_test(code_blocks),
		cmocka_unit_test(outside_the_subset),
		cmocka_unit_test(empty_text),
		cmocka_unit_test(plain_paragraphs),
		cmocka_unit_test(plain_blocks),
		cmocka_unit_test(plain_lists),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
