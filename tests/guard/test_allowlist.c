/* test_allowlist.c - the strict allowlist / ignore-file parser and globs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "allowlist.h"
#include "glob.h"

static pg_patlist parse(const char *text)
{
    pg_patlist l;
    pg_patlist_parse(text, strlen(text), &l);
    return l;
}

static void test_entries_comments_and_blank_lines(void **state)
{
    (void)state;
    pg_patlist l = parse("# header\n"
                         "\n"
                         "lib/src/platform_linux.c   Linux backend: stat\n"
                         "  tools/*.py\tscripts run on Linux only  \r\n");
    assert_int_equal(l.nerrs, 0);
    assert_int_equal(l.n, 2);
    assert_string_equal(l.v[0].glob, "lib/src/platform_linux.c");
    assert_string_equal(l.v[0].reason, "Linux backend: stat");
    assert_int_equal(l.v[0].line, 3);
    assert_string_equal(l.v[1].glob, "tools/*.py");
    assert_string_equal(l.v[1].reason, "scripts run on Linux only");
    assert_int_equal(l.v[1].line, 4);
    pg_patlist_free(&l);
}

static void test_every_malformed_line_is_reported_with_its_line(void **state)
{
    (void)state;
    pg_patlist l = parse("ok.c fine\n"        /* 1 */
                         "noreason.c\n"       /* 2 */
                         "src/[ab.c reason\n" /* 3 */
                         "/abs.c reason\n"    /* 4 */
                         "ok.c again\n"       /* 5 */
                         "x.c # comment\n"    /* 6 */
                         "a**b reason\n"      /* 7 */
                         "dir/ reason\n"      /* 8 */
                         "../up.c reason\n"   /* 9 */
                         "a//b.c reason\n"    /* 10 */
                         "trail\\ reason\n"   /* 11 */
                         "last.c");           /* 12, no newline */
    assert_int_equal(l.n, 1);
    assert_int_equal(l.nerrs, 11);
    for (unsigned i = 0; i < l.nerrs; i++)
        assert_int_equal(l.errs[i].line, i + 2);
    assert_non_null(strstr(l.errs[0].msg, "no reason"));
    assert_non_null(strstr(l.errs[1].msg, "unterminated"));
    assert_non_null(strstr(l.errs[2].msg, "leading '/'"));
    assert_non_null(strstr(l.errs[3].msg, "line 1"));
    assert_non_null(strstr(l.errs[4].msg, "'#' comment is not a reason"));
    assert_int_equal(l.errs[4].col, 5);
    assert_non_null(strstr(l.errs[5].msg, "whole path segment"));
    assert_non_null(strstr(l.errs[10].msg, "no reason"));
    pg_patlist_free(&l);
}

static void test_nul_byte_is_an_error(void **state)
{
    (void)state;
    pg_patlist l;
    pg_patlist_parse("a.c why\nb\0.c why\n", 16, &l);
    assert_int_equal(l.n, 1);
    assert_int_equal(l.nerrs, 1);
    assert_int_equal(l.errs[0].line, 2);
    pg_patlist_free(&l);
}

static void test_empty_file_is_an_empty_list(void **state)
{
    (void)state;
    pg_patlist l = parse("");
    assert_int_equal(l.n, 0);
    assert_int_equal(l.nerrs, 0);
    pg_patlist_free(&l);
}

static void test_glob_star_stays_in_a_segment(void **state)
{
    (void)state;
    assert_true(pg_glob_match("*.c", "a.c"));
    assert_false(pg_glob_match("*.c", "src/a.c"));
    assert_true(pg_glob_match("src/*.c", "src/a.c"));
    assert_false(pg_glob_match("src/*.c", "src/x/a.c"));
    assert_true(pg_glob_match("src/a?.c", "src/ab.c"));
    assert_false(pg_glob_match("src/a?.c", "src/a/.c"));
}

static void test_glob_double_star_spans_segments(void **state)
{
    (void)state;
    assert_true(pg_glob_match("tests/**", "tests/a.c"));
    assert_true(pg_glob_match("tests/**", "tests/x/y/a.c"));
    assert_false(pg_glob_match("tests/**", "tests"));
    assert_true(pg_glob_match("**/fixtures/**", "fixtures/a.c"));
    assert_true(pg_glob_match("tests/guard/**/fixtures/**",
                              "tests/guard/fixtures/acks/lib/linux.c"));
    assert_true(pg_glob_match("tests/guard/**/fixtures/**",
                              "tests/guard/x/y/fixtures/a.c"));
    assert_false(
        pg_glob_match("tests/guard/**/fixtures/**", "tests/guard/test_acks.c"));
    assert_true(pg_glob_match("**", "anything/at/all"));
}

static void test_glob_classes_and_escapes(void **state)
{
    (void)state;
    assert_true(pg_glob_match("src/[ab].c", "src/a.c"));
    assert_false(pg_glob_match("src/[ab].c", "src/c.c"));
    assert_true(pg_glob_match("src/[!ab].c", "src/c.c"));
    assert_true(pg_glob_match("src/[a-c]x.c", "src/bx.c"));
    assert_true(pg_glob_match("src/\\*.c", "src/*.c"));
    assert_false(pg_glob_match("src/\\*.c", "src/a.c"));
}

static void test_glob_many_stars_do_not_blow_up(void **state)
{
    (void)state;
    char path[4096], pat[256];
    memset(path, 'a', sizeof path - 2);
    path[sizeof path - 2] = 'b';
    path[sizeof path - 1] = '\0';
    strcpy(pat, "*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*c");
    assert_false(pg_glob_match(pat, path));
    assert_false(
        pg_glob_match("**/**/**/**/**/**/**/x", "a/b/c/d/e/f/g/h/i/j/k"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_entries_comments_and_blank_lines),
        cmocka_unit_test(test_every_malformed_line_is_reported_with_its_line),
        cmocka_unit_test(test_nul_byte_is_an_error),
        cmocka_unit_test(test_empty_file_is_an_empty_list),
        cmocka_unit_test(test_glob_star_stays_in_a_segment),
        cmocka_unit_test(test_glob_double_star_spans_segments),
        cmocka_unit_test(test_glob_classes_and_escapes),
        cmocka_unit_test(test_glob_many_stars_do_not_blow_up),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
