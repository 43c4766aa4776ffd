/* test_acks.c - the comment lexer, the acknowledgement parser and which
   line an acknowledgement covers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "acks.h"

static pg_comments lex(const char *src, pg_lang lang)
{
    pg_comments c;
    pg_comments_lex(src, strlen(src), lang, &c);
    return c;
}

static void assert_body(const pg_comment *c, const char *want)
{
    assert_int_equal(c->blen, strlen(want));
    assert_memory_equal(c->body, want, c->blen);
}

static void test_c_line_and_block_comments_with_positions(void **state)
{
    (void)state;
    pg_comments c = lex("int a; // one\n"
                        "/* two */ int b;\n"
                        "  /* three\n"
                        "     four */\n",
                        PG_LANG_C);
    assert_int_equal(c.n, 3);
    assert_body(&c.v[0], " one");
    assert_int_equal(c.v[0].line, 1);
    assert_int_equal(c.v[0].col, 8);
    assert_false(c.v[0].alone);
    assert_body(&c.v[1], " two ");
    assert_int_equal(c.v[1].line, 2);
    assert_false(c.v[1].alone); /* code after it */
    assert_int_equal(c.v[2].line, 3);
    assert_int_equal(c.v[2].end_line, 4);
    assert_int_equal(c.v[2].col, 3);
    assert_true(c.v[2].alone);
    pg_comments_free(&c);
}

static void
test_c_comment_markers_inside_literals_are_not_comments(void **state)
{
    (void)state;
    pg_comments c = lex("const char *s = \"// no /* no */\";\n"
                        "char q = '\"'; // yes\n"
                        "const char *t = \"esc \\\" // still string\";\n",
                        PG_LANG_C);
    assert_int_equal(c.n, 1);
    assert_body(&c.v[0], " yes");
    assert_int_equal(c.v[0].line, 2);
    pg_comments_free(&c);
}

static void test_c_line_comment_continues_after_backslash_newline(void **state)
{
    (void)state;
    pg_comments c = lex("// first \\\n"
                        "   second\n"
                        "int x; // third\n",
                        PG_LANG_C);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.v[0].line, 1);
    assert_int_equal(c.v[0].end_line, 2);
    assert_int_equal(c.v[1].line, 3);
    pg_comments_free(&c);
}

static void test_c_unterminated_block_comment_runs_to_the_end(void **state)
{
    (void)state;
    pg_comments c = lex("int x; /* never closed\nstill\n", PG_LANG_C);
    assert_int_equal(c.n, 1);
    assert_body(&c.v[0], " never closed\nstill\n");
    pg_comments_free(&c);
}

static void test_python_hash_comments_outside_strings(void **state)
{
    (void)state;
    pg_comments c = lex("x = '# not'  # yes\n"
                        "y = \"\"\"\n# not either\n\"\"\"\n"
                        "    # alone\n"
                        "z = r'\\'#' # after raw\n",
                        PG_LANG_PYTHON);
    assert_int_equal(c.n, 3);
    assert_body(&c.v[0], " yes");
    assert_int_equal(c.v[0].line, 1);
    assert_false(c.v[0].alone);
    assert_body(&c.v[1], " alone");
    assert_int_equal(c.v[1].line, 5);
    assert_true(c.v[1].alone);
    assert_body(&c.v[2], " after raw");
    assert_int_equal(c.v[2].line, 6);
    pg_comments_free(&c);
}

static void test_other_languages_have_no_comments(void **state)
{
    (void)state;
    pg_comments c = lex("# not lexed\n// nor this\n", PG_LANG_OTHER);
    assert_int_equal(c.n, 0);
    pg_comments_free(&c);
}

static int parse(const char *body, char *reason, size_t cap)
{
    const char *r = NULL;
    size_t rl = 0;
    int ok = pg_ack_parse(body, strlen(body), &r, &rl);
    if (ok) {
        assert_true(rl < cap);
        memcpy(reason, r, rl);
        reason[rl] = '\0';
    }
    return ok;
}

static void test_ack_parse_takes_the_trimmed_reason(void **state)
{
    (void)state;
    char r[128];
    assert_true(parse(" portability:   Linux only  ", r, sizeof r));
    assert_string_equal(r, "Linux only");
    assert_true(parse("see below. portability: boot id\n ", r, sizeof r));
    assert_string_equal(r, "boot id");
    assert_true(parse("\n * portability: spans\n * lines\n ", r, sizeof r));
    assert_string_equal(r, "spans\n * lines");
}

static void test_ack_parse_empty_reason_is_an_ack_without_reason(void **state)
{
    (void)state;
    char r[16];
    assert_true(parse(" portability: ", r, sizeof r));
    assert_string_equal(r, "");
    assert_true(parse("portability:", r, sizeof r));
    assert_string_equal(r, "");
    assert_true(parse(" portability: **", r, sizeof r));
    assert_string_equal(r, "");
}

static void test_ack_parse_rejects_other_words(void **state)
{
    (void)state;
    char r[16];
    assert_false(parse(" portability without a colon", r, sizeof r));
    assert_false(parse(" nonportability: x", r, sizeof r));
    assert_false(parse(" Portability: x", r, sizeof r));
    assert_false(parse("", r, sizeof r));
    const char *rp;
    size_t rl;
    assert_false(pg_ack_parse("portability", 11, &rp, &rl));
    /* only the first len bytes count */
    assert_false(pg_ack_parse("portability: x", 11, &rp, &rl));
}

static void test_ack_covers_its_own_line(void **state)
{
    (void)state;
    assert_true(pg_ack_covers(7, 7, 0, 7));
    assert_true(pg_ack_covers(7, 7, 1, 7));
    assert_false(pg_ack_covers(7, 7, 0, 8));
}

static void test_ack_alone_covers_the_line_directly_below(void **state)
{
    (void)state;
    assert_true(pg_ack_covers(5, 5, 1, 6));
    assert_false(pg_ack_covers(5, 5, 1, 7)); /* not two lines below */
    assert_false(pg_ack_covers(5, 5, 1, 4)); /* not above */
    assert_true(pg_ack_covers(3, 5, 1, 6));  /* a block ending above */
    assert_true(pg_ack_covers(3, 5, 0, 4));  /* inside the block */
}

static void test_ack_with_code_before_it_does_not_cover_below(void **state)
{
    (void)state;
    assert_false(pg_ack_covers(5, 5, 0, 6));
}

static void test_digit_separators_are_not_character_literals(void **state)
{
    (void)state;
    /* 1'000 (C23, C++14): an apostrophe inside a number opens nothing */
    pg_comments c = lex("int n = 1'000; // portability: one\n"
                        "int m = 0x1'f; /* two */\n",
                        PG_LANG_C);
    assert_int_equal(c.n, 2);
    assert_body(&c.v[0], " portability: one");
    assert_int_equal(c.v[0].line, 1);
    assert_body(&c.v[1], " two ");
    pg_comments_free(&c);
}

static void test_cpp_raw_string_hides_comment_markers(void **state)
{
    (void)state;
    pg_comments c = lex("auto s = R\"x(// not /* a comment )\" )x\"; // yes\n",
                        PG_LANG_CPP);
    assert_int_equal(c.n, 1);
    assert_body(&c.v[0], " yes");
    pg_comments_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_digit_separators_are_not_character_literals),
        cmocka_unit_test(test_cpp_raw_string_hides_comment_markers),
        cmocka_unit_test(test_c_line_and_block_comments_with_positions),
        cmocka_unit_test(
            test_c_comment_markers_inside_literals_are_not_comments),
        cmocka_unit_test(test_c_line_comment_continues_after_backslash_newline),
        cmocka_unit_test(test_c_unterminated_block_comment_runs_to_the_end),
        cmocka_unit_test(test_python_hash_comments_outside_strings),
        cmocka_unit_test(test_other_languages_have_no_comments),
        cmocka_unit_test(test_ack_parse_takes_the_trimmed_reason),
        cmocka_unit_test(test_ack_parse_empty_reason_is_an_ack_without_reason),
        cmocka_unit_test(test_ack_parse_rejects_other_words),
        cmocka_unit_test(test_ack_covers_its_own_line),
        cmocka_unit_test(test_ack_alone_covers_the_line_directly_below),
        cmocka_unit_test(test_ack_with_code_before_it_does_not_cover_below),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
