/*
 * test_clang_pass.c - the compile database reader and the libclang pass
 * report exactly the /proc literals the contract names, where it names
 * them.
 *
 * The fixtures (clang_fixtures/) violate the rule on purpose. This file
 * itself holds no /proc literal: expected values are written without their
 * "/proc" root, which is checked separately, so the self-check stays clean
 * without an exclusion for it.
 */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "clang_pass.h"
#include "compdb.h"

#ifndef PG_CLANG_FIXTURES
#error "PG_CLANG_FIXTURES must name tests/guard/clang_fixtures"
#endif

static const char fx[] = PG_CLANG_FIXTURES;
static const char proc_root[] = {'/', 'p', 'r', 'o', 'c', '\0'};

/* ---- helpers ---------------------------------------------------------- */

typedef struct tmpdb {
    char dir[64];
    char path[128];
} tmpdb;

/* Write `json` (a printf format; every %s is the fixture directory) as a
   compile_commands.json in a fresh temporary directory. */
static void db_write(tmpdb *t, const char *json, ...)
{
    strcpy(t->dir, "/tmp/pg-clang-test-XXXXXX");
    assert_non_null(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/compile_commands.json", t->dir);
    FILE *f = fopen(t->path, "w");
    assert_non_null(f);
    va_list ap;
    va_start(ap, json);
    vfprintf(f, json, ap);
    va_end(ap);
    assert_int_equal(fclose(f), 0);
}

static void db_remove(tmpdb *t)
{
    unlink(t->path);
    rmdir(t->dir);
}

typedef struct want_site {
    const char *path;
    unsigned line;
    unsigned def_line;  /* of the macro's literal, 0 without def_path */
    const char *suffix; /* the value after its "/proc" root */
    const char *macro;
    const char *def_path;
} want_site;

static int same_opt(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

static void print_sites(const pg_sites *s)
{
    for (size_t i = 0; i < s->n; i++)
        fprintf(stderr, "  got %s:%u:%u \"%s\" macro=%s def=%s:%u\n",
                s->v[i].path, s->v[i].line, s->v[i].col, s->v[i].value,
                s->v[i].macro ? s->v[i].macro : "-",
                s->v[i].def_path ? s->v[i].def_path : "-", s->v[i].def_line);
}

/* The exact set: every wanted site present once, nothing else. */
static void expect_sites(const pg_sites *got, const want_site *w, size_t n)
{
    size_t rl = strlen(proc_root);
    if (got->n != n)
        print_sites(got);
    assert_int_equal(got->n, n);
    for (size_t i = 0; i < n; i++) {
        int found = 0;
        for (size_t k = 0; k < got->n && !found; k++) {
            const pg_site *s = &got->v[k];
            found = strcmp(s->path, w[i].path) == 0 && s->line == w[i].line &&
                    strncmp(s->value, proc_root, rl) == 0 &&
                    strcmp(s->value + rl, w[i].suffix) == 0 &&
                    same_opt(s->macro, w[i].macro) &&
                    same_opt(s->def_path, w[i].def_path) &&
                    s->def_line == w[i].def_line &&
                    strcmp(s->pass, "clang") == 0;
        }
        if (!found) {
            fprintf(stderr, "missing %s:%u (root)%s macro=%s\n", w[i].path,
                    w[i].line, w[i].suffix, w[i].macro ? w[i].macro : "-");
            print_sites(got);
        }
        assert_true(found);
    }
}

static const pg_seen_file *seen(const pg_clang_out *o, const char *rel)
{
    char abs[4096];
    snprintf(abs, sizeof abs, "%s/%s", fx, rel);
    for (size_t i = 0; i < o->nfiles; i++)
        if (strcmp(o->files[i].abspath, abs) == 0)
            return &o->files[i];
    return NULL;
}

/* Byte offset of the first occurrence of `needle` in fixture file `rel`. */
static size_t offset_of(const char *rel, const char *needle)
{
    char path[4096], buf[8192];
    snprintf(path, sizeof path, "%s/%s", fx, rel);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strstr(buf, needle);
    assert_non_null(p);
    return (size_t)(p - buf);
}

/*
 * The main fixture database: the "arguments" form with flags the cleaner
 * must drop, the "command" form with shell quoting, and one file under two
 * entries (-DTEST and without).
 */
static const char main_db[] =
    "[\n"
    " {\"directory\": \"%s\", \"file\": \"src/direct.c\",\n"
    "  \"arguments\": [\"gcc\", \"-c\", \"-Iinclude\", \"-MD\", \"-MF\","
    " \"direct.d\", \"-fno-tree-vrp\", \"-Wno-format-truncation\", \"-o\","
    " \"direct.o\", \"src/direct.c\"]},\n"
    " {\"directory\": \"%s\", \"file\": \"%s/src/second.c\",\n"
    "  \"command\": \"cc -c '-DSPACED_PATH=\\\"/proc/spaced\\\"'"
    " -I\\\"inc\\\"'lude' -o 'out dir/second.o' src/second.c\"},\n"
    " {\"directory\": \"%s/src\", \"file\": \"testonly.c\",\n"
    "  \"arguments\": [\"cc\", \"-DTEST\", \"-c\", \"testonly.c\"]},\n"
    " {\"directory\": \"%s\", \"file\": \"src/testonly.c\",\n"
    "  \"arguments\": [\"cc\", \"-c\", \"src/testonly.c\"]}\n"
    "]\n";

static void run_main(int jobs, pg_clang_out *out)
{
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    db_write(&t, main_db, fx, fx, fx, fx, fx);
    if (pg_compdb_load(t.path, &db, &err) != 0)
        fail_msg("compdb: %s", err.msg);
    db_remove(&t);
    assert_int_equal(db.n, 4);
    int rc = pg_clang_run(&db, fx, NULL, NULL, NULL, jobs, out, &err);
    if (rc != 0)
        fail_msg("clang pass: %s", err.msg);
    pg_compdb_free(&db);
}

/* ---- the semantic pass ------------------------------------------------ */

static const want_site main_sites[] = {
    /* a header reached by two translation units: once */
    {"include/paths.h", 5, 0, "/meminfo", NULL, NULL},
    /* direct literal */
    {"src/direct.c", 4, 0, "/self/status", NULL, NULL},
    /* through a macro: at the use line, the macro and its definition */
    {"src/direct.c", 5, 3, "/%d/stat", "ROOT", "include/paths.h"},
    /* adjacent-literal concatenation */
    {"src/direct.c", 6, 0, "/self/maps", NULL, NULL},
    /* format string */
    {"src/direct.c", 7, 0, "/%d/cmdline", NULL, NULL},
    /* a literal passed as a macro argument is spelled where it stands */
    {"src/direct.c", 15, 0, "/loadavg", NULL, NULL},
    /* a macro built on a macro: the one that spells the literal */
    {"src/direct.c", 16, 3, "/self/fd", "ROOT", "include/paths.h"},
    /* a wide literal */
    {"src/direct.c", 17, 0, "/uptime", NULL, NULL},
    /* the "command" form, quotes and all: a macro from the command line
       has no definition in the repository */
    {"src/second.c", 3, 0, "/spaced", "SPACED_PATH", NULL},
    /* only under -DTEST, counted once */
    {"src/testonly.c", 2, 0, "/self/fd", NULL, NULL},
};

static void test_clang_pass_reports_exact_sites(void **state)
{
    (void)state;
    pg_clang_out out;
    run_main(1, &out);
    /* Not sites: the comment, "reading /proc failed", "/processes",
       "/proc-not", and the inactive __FreeBSD__ branch. */
    expect_sites(&out.sites, main_sites,
                 sizeof main_sites / sizeof *main_sites);
    pg_clang_out_free(&out);
}

static void test_clang_pass_reports_column_and_offset(void **state)
{
    (void)state;
    pg_clang_out out;
    run_main(1, &out);
    for (size_t i = 0; i < out.sites.n; i++) {
        const pg_site *s = &out.sites.v[i];
        if (strcmp(s->path, "src/direct.c") == 0 && s->line == 5) {
            /* the expansion site: the ROOT token */
            assert_int_equal(s->col, 25);
            assert_int_equal(s->offset, offset_of("src/direct.c", "ROOT \""));
        }
        if (strcmp(s->path, "src/direct.c") == 0 && s->line == 15)
            assert_int_equal(s->col, 28); /* the literal, not WRAP */
    }
    pg_clang_out_free(&out);
}

static void test_clang_pass_lists_reached_files_and_skipped_ranges(void **s)
{
    (void)s;
    pg_clang_out out;
    run_main(1, &out);
    assert_int_equal(out.nfiles, 4); /* broken.c is in no entry */
    assert_non_null(seen(&out, "include/paths.h"));
    assert_non_null(seen(&out, "src/second.c"));

    /* The __FreeBSD__ branch: skipped, so tree-sitter covers it. */
    const pg_seen_file *d = seen(&out, "src/direct.c");
    assert_non_null(d);
    size_t bsd = offset_of("src/direct.c", "\"/proc/curproc");
    int covered = 0;
    for (size_t i = 0; i < d->nskipped; i++)
        covered |= d->skipped[i].start <= bsd && bsd < d->skipped[i].end;
    assert_true(covered);

    /* #ifdef TEST is skipped by one entry and not the other: the
       intersection is empty. */
    const pg_seen_file *t = seen(&out, "src/testonly.c");
    assert_non_null(t);
    assert_int_equal(t->nskipped, 0);
    pg_clang_out_free(&out);
}

static void test_clang_pass_jobs_do_not_change_the_result(void **state)
{
    (void)state;
    pg_clang_out a, b;
    run_main(1, &a);
    run_main(2, &b);
    assert_int_equal(a.sites.n, b.sites.n);
    for (size_t i = 0; i < a.sites.n; i++) {
        assert_string_equal(a.sites.v[i].path, b.sites.v[i].path);
        assert_int_equal(a.sites.v[i].offset, b.sites.v[i].offset);
        assert_int_equal(a.sites.v[i].line, b.sites.v[i].line);
        assert_string_equal(a.sites.v[i].value, b.sites.v[i].value);
        assert_true(same_opt(a.sites.v[i].macro, b.sites.v[i].macro));
    }
    assert_int_equal(a.nfiles, b.nfiles);
    for (size_t i = 0; i < a.nfiles; i++) {
        assert_string_equal(a.files[i].abspath, b.files[i].abspath);
        assert_int_equal(a.files[i].nskipped, b.files[i].nskipped);
        for (size_t k = 0; k < a.files[i].nskipped; k++) {
            assert_int_equal(a.files[i].skipped[k].start,
                             b.files[i].skipped[k].start);
            assert_int_equal(a.files[i].skipped[k].end,
                             b.files[i].skipped[k].end);
        }
    }
    pg_clang_out_free(&a);
    pg_clang_out_free(&b);
}

static int only_direct(const char *abspath, void *ctx)
{
    (void)ctx;
    size_t n = strlen(abspath);
    return n >= 9 && strcmp(abspath + n - 9, "/direct.c") == 0;
}

static void test_clang_pass_honours_want(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_clang_out out;
    pg_error err = {{0}};
    db_write(&t, main_db, fx, fx, fx, fx, fx);
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    assert_int_equal(
        pg_clang_run(&db, fx, NULL, only_direct, NULL, 2, &out, &err), 0);
    assert_int_equal(out.nfiles, 2); /* direct.c and paths.h */
    for (size_t i = 0; i < out.sites.n; i++)
        assert_true(strcmp(out.sites.v[i].path, "src/second.c") != 0 &&
                    strcmp(out.sites.v[i].path, "src/testonly.c") != 0);
    pg_clang_out_free(&out);
    pg_compdb_free(&db);
}

static void test_clang_pass_missing_include_is_a_tool_error(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_clang_out out;
    pg_error err = {{0}};
    db_write(&t,
             "[{\"directory\": \"%s\", \"file\": \"src/broken.c\","
             " \"arguments\": [\"cc\", \"-Iinclude\", \"-c\","
             " \"src/broken.c\"]}]",
             fx);
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    assert_int_equal(pg_clang_run(&db, fx, NULL, NULL, NULL, 1, &out, &err),
                     -1);
    assert_string_equal(err.msg,
                        "src/broken.c:2:10: fatal error: 'nope.h' file not "
                        "found");
    assert_string_equal(out.fail_path, "src/broken.c");
    pg_clang_out_free(&out);
    pg_compdb_free(&db);
}

static void test_clang_pass_unreadable_unit_is_a_tool_error(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_clang_out out;
    pg_error err = {{0}};
    db_write(&t,
             "[{\"directory\": \"%s\", \"file\": \"src/absent.c\","
             " \"arguments\": [\"cc\", \"-c\", \"src/absent.c\"]}]",
             fx);
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    assert_int_equal(pg_clang_run(&db, fx, NULL, NULL, NULL, 1, &out, &err),
                     -1);
    assert_string_equal(err.msg, "src/absent.c: cannot read the translation "
                                 "unit: No such file or directory");
    pg_clang_out_free(&out);
    pg_compdb_free(&db);
}

static void test_clang_pass_files_outside_the_root_are_dropped(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_clang_out out;
    pg_error err = {{0}};
    char root[4096];
    /* Only include/ is the "repository": direct.c's own sites vanish,
       the header's stay. */
    snprintf(root, sizeof root, "%s/include", fx);
    db_write(&t,
             "[{\"directory\": \"%s\", \"file\": \"src/direct.c\","
             " \"arguments\": [\"cc\", \"-Iinclude\", \"-c\","
             " \"src/direct.c\"]}]",
             fx);
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    assert_int_equal(pg_clang_run(&db, root, NULL, NULL, NULL, 1, &out, &err),
                     0);
    static const want_site w[] = {{"paths.h", 5, 0, "/meminfo", NULL, NULL}};
    expect_sites(&out.sites, w, 1);
    assert_int_equal(out.nfiles, 1);
    pg_clang_out_free(&out);
    pg_compdb_free(&db);
}

/* ---- the compile database --------------------------------------------- */

static void expect_args(const pg_cc *cc, const char *const *want, size_t n)
{
    if (cc->nargs != n)
        for (size_t i = 0; i < cc->nargs; i++)
            fprintf(stderr, "  arg %zu: %s\n", i, cc->args[i]);
    assert_int_equal(cc->nargs, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(cc->args[i], want[i]);
}

static void test_compdb_cleans_arguments(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    db_write(&t,
             "[{\"directory\": \"/w/build/./sub/..\", \"file\": "
             "\"../src//a.c\", \"arguments\": [\"gcc\", \"-c\", \"-I\","
             " \"../inc\", \"-Igen\", \"-isystem\", \"/abs\", \"-iquote\","
             " \"q\", \"-include\", \"cfg.h\", \"--sysroot=sr\", \"-DX=1\","
             " \"-MD\", \"-MMD\", \"-MP\", \"-MF\", \"a.d\", \"-MT\", \"a.o\","
             " \"-MQ\", \"a.o\", \"-MFa2.d\", \"-o\", \"a.o\", \"-oa2.o\","
             " \"-fno-tree-loop-distribute-patterns\","
             " \"-Wno-format-truncation\", \"-Wlogical-op\", \"-Wall\","
             " \"-std=c11\", \"../src/a.c\"]}]");
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    assert_int_equal(db.n, 1);
    assert_string_equal(db.v[0].file, "/w/src/a.c");
    assert_string_equal(db.v[0].directory, "/w/build");
    static const char *const want[] = {
        "-I",
        "/w/inc",
        "-I/w/build/gen",
        "-isystem",
        "/abs",
        "-iquote",
        "/w/build/q",
        "-include",
        "/w/build/cfg.h",
        "--sysroot=/w/build/sr",
        "-DX=1",
        "-Wall",
        "-std=c11",
    };
    expect_args(&db.v[0], want, sizeof want / sizeof *want);
    pg_compdb_free(&db);
}

static void test_compdb_splits_command_like_a_shell(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    db_write(&t, "[{\"directory\": \"/w\", \"file\": \"a b.c\", \"command\":"
                 " \"cc -DA='x y' -DB=\\\"q\\\\\\\"r\\\" -DC=s\\\\ t"
                 " -DD=\\\"\\\\$\\\" -c 'a b.c'\"}]");
    assert_int_equal(pg_compdb_load(t.path, &db, &err), 0);
    db_remove(&t);
    static const char *const want[] = {"-DA=x y", "-DB=q\"r", "-DC=s t",
                                       "-DD=$"};
    expect_args(&db.v[0], want, sizeof want / sizeof *want);
    assert_string_equal(db.v[0].file, "/w/a b.c");
    pg_compdb_free(&db);
}

static void test_compdb_malformed_json_names_line_and_column(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    char want[256];
    db_write(&t, "[\n  {\"directory\": \"/w\",\n   \"file\": \"a.c\" "
                 "\"arguments\": []}\n]\n");
    assert_int_equal(pg_compdb_load(t.path, &db, &err), -1);
    snprintf(want, sizeof want, "%s:3:18: expected ',' or '}'", t.path);
    assert_string_equal(err.msg, want);
    db_remove(&t);
}

static void test_compdb_rejects_entry_without_command(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    char want[256];
    db_write(&t, "[{\"directory\": \"/w\", \"file\": \"a.c\"},\n"
                 " {\"directory\": \"/w\", \"file\": \"b.c\","
                 " \"command\": \"cc 'b.c\"}]");
    assert_int_equal(pg_compdb_load(t.path, &db, &err), -1);
    snprintf(want, sizeof want,
             "%s:1:2: entry 1: needs \"arguments\" (array) or \"command\" "
             "(string)",
             t.path);
    assert_string_equal(err.msg, want);
    db_remove(&t);
}

static void test_compdb_rejects_unterminated_quote(void **state)
{
    (void)state;
    tmpdb t;
    pg_compdb db;
    pg_error err = {{0}};
    char want[256];
    db_write(&t, "[{\"directory\": \"/w\", \"file\": \"b.c\","
                 " \"command\": \"cc 'b.c\"}]");
    assert_int_equal(pg_compdb_load(t.path, &db, &err), -1);
    snprintf(want, sizeof want,
             "%s:1:48: entry 1: unterminated single quote in \"command\"",
             t.path);
    assert_string_equal(err.msg, want);
    db_remove(&t);
}

static void test_compdb_missing_file_is_an_error(void **state)
{
    (void)state;
    pg_compdb db;
    pg_error err = {{0}};
    assert_int_equal(pg_compdb_load("/nonexistent/cc.json", &db, &err), -1);
    assert_non_null(strstr(err.msg, "/nonexistent/cc.json: cannot open"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clang_pass_reports_exact_sites),
        cmocka_unit_test(test_clang_pass_reports_column_and_offset),
        cmocka_unit_test(
            test_clang_pass_lists_reached_files_and_skipped_ranges),
        cmocka_unit_test(test_clang_pass_jobs_do_not_change_the_result),
        cmocka_unit_test(test_clang_pass_honours_want),
        cmocka_unit_test(test_clang_pass_missing_include_is_a_tool_error),
        cmocka_unit_test(test_clang_pass_unreadable_unit_is_a_tool_error),
        cmocka_unit_test(test_clang_pass_files_outside_the_root_are_dropped),
        cmocka_unit_test(test_compdb_cleans_arguments),
        cmocka_unit_test(test_compdb_splits_command_like_a_shell),
        cmocka_unit_test(test_compdb_malformed_json_names_line_and_column),
        cmocka_unit_test(test_compdb_rejects_entry_without_command),
        cmocka_unit_test(test_compdb_rejects_unterminated_quote),
        cmocka_unit_test(test_compdb_missing_file_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
