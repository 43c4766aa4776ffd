/*
 * test_ts_pass.c - the tree-sitter pass reports exactly the /proc literals
 * the guard contract names, at the right line and column, and nothing else.
 *
 * Each test states the full set of (line, col, value, macro) it expects, so
 * a missed site and a spurious one both fail. The suite itself holds no /proc
 * literal, so the self-check stays clean without excluding it: expected
 * values are written after their "/proc" root (proc_root, spelled in char
 * literals), and the sources that break the rule on purpose are either
 * embedded in longer strings or under fixtures/ (excluded in proc.ignore).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "ts_pass.h"

static const char proc_root[] = {'/', 'p', 'r', 'o', 'c', '\0'};

typedef struct want {
    unsigned line, col;
    const char *value; /* after proc_root */
    const char *macro; /* NULL: reached directly */
    unsigned def_line;
} want;

static char *slurp(const char *name, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", PG_TS_FIXTURES, name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n + 1 >= cap) { /* room for the terminating NUL */
            cap = cap ? cap * 2 : 4096;
            buf = pg_xrealloc(buf, cap);
        }
        size_t got = fread(buf + n, 1, cap - 1 - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    buf[n] = '\0'; /* the tests search it with strstr */
    *len = n;
    return buf;
}

static int by_position(const void *a, const void *b)
{
    const pg_site *x = a, *y = b;
    if (x->line != y->line)
        return (x->line > y->line) - (x->line < y->line);
    return (x->col > y->col) - (x->col < y->col);
}

static void dump(const pg_sites *got)
{
    for (size_t i = 0; i < got->n; i++)
        print_message("  got %u:%u \"%s\" macro=%s def_line=%u\n",
                      got->v[i].line, got->v[i].col, got->v[i].value,
                      got->v[i].macro ? got->v[i].macro : "-",
                      got->v[i].def_line);
}

/* The exact set, compared in position order. */
static void expect(pg_sites *got, const char *path, const want *w, size_t n)
{
    qsort(got->v, got->n, sizeof *got->v, by_position);
    if (got->n != n)
        dump(got);
    assert_int_equal(got->n, n);
    for (size_t i = 0; i < n; i++) {
        const pg_site *s = &got->v[i];
        char value[256];
        snprintf(value, sizeof value, "%s%s", proc_root, w[i].value);
        if (s->line != w[i].line || s->col != w[i].col ||
            strcmp(s->value, value) != 0)
            dump(got);
        assert_int_equal(s->line, w[i].line);
        assert_int_equal(s->col, w[i].col);
        assert_string_equal(s->value, value);
        assert_string_equal(s->path, path);
        assert_string_equal(s->pass, "tree-sitter");
        if (w[i].macro == NULL) {
            assert_null(s->macro);
            assert_null(s->def_path);
        } else {
            assert_non_null(s->macro);
            assert_string_equal(s->macro, w[i].macro);
            assert_string_equal(s->def_path, path);
            assert_int_equal(s->def_line, w[i].def_line);
        }
    }
}

static void scan_ranges(const char *path, const char *src, size_t len,
                        pg_lang lang, const pg_range *r, size_t nr,
                        pg_sites *out)
{
    pg_error err = {{0}};
    int rc = pg_ts_scan(path, src, len, lang, r, nr, out, &err);
    if (rc != 0)
        print_message("error: %s\n", err.msg);
    assert_int_equal(rc, 0);
}

static void scan_c(const char *src, pg_sites *out)
{
    scan_ranges("src/x.c", src, strlen(src), PG_LANG_C, NULL, 0, out);
}

#define EXPECT(got, path, ...)                                                 \
    do {                                                                       \
        static const want w_[] = {__VA_ARGS__};                                \
        expect((got), (path), w_, sizeof w_ / sizeof w_[0]);                   \
    } while (0)

/* ---- C ------------------------------------------------------------------ */

static void test_c_direct_literal_is_a_site(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("int f(void)\n"
           "{\n"
           "    return open(\"/proc/self/stat\", 0);\n"
           "}\n",
           &got);
    EXPECT(&got, "src/x.c", {3, 17, "/self/stat", NULL, 0});
    assert_int_equal(got.v[0].offset,
                     strlen("int f(void)\n{\n    return open("));
    pg_sites_free(&got);
}

static void test_c_define_value_is_a_site_at_the_define(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#include <stdio.h>\n"
           "#define STAT_PATH \"/proc/self/stat\" /* why */\n"
           "#define EXACT (\"/proc\")\n",
           &got);
    EXPECT(&got, "src/x.c", {2, 19, "/self/stat", NULL, 0},
           {3, 16, "", NULL, 0});
    pg_sites_free(&got);
}

static void test_c_macro_concatenation_names_the_macro(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#define ROOT \"/proc\"\n"
           "\n"
           "const char *fmt = ROOT \"/%d/stat\";\n",
           &got);
    EXPECT(&got, "src/x.c", {1, 14, "", NULL, 0},
           {3, 19, "/%d/stat", "ROOT", 1});
    assert_int_equal(got.v[1].offset,
                     strlen("#define ROOT \"/proc\"\n\nconst char *fmt = "));
    pg_sites_free(&got);
}

static void test_c_macro_through_macro_and_define_concatenation(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#define ROOT \"/proc\"\n"
           "#define STAT ROOT \"/%d/stat\"\n"
           "const char *a = STAT \"\";\n"
           "const char *b = ROOT;\n",
           &got);
    /* b: a bare macro use is covered by the site at its definition */
    EXPECT(&got, "src/x.c", {1, 14, "", NULL, 0},
           {2, 14, "/%d/stat", "ROOT", 1}, {3, 17, "/%d/stat", "STAT", 2});
    pg_sites_free(&got);
}

static void test_c_split_literal_is_joined(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("const char *p = \"/pr\" \"oc/self\";\n"
           "const char *q = \"/pr\"\n"
           "                \"oc\";\n",
           &got);
    EXPECT(&got, "src/x.c", {1, 17, "/self", NULL, 0}, {2, 17, "", NULL, 0});
    pg_sites_free(&got);
}

static void test_c_format_string_is_a_site(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#include <stdio.h>\n"
           "void f(char *b, int pid)\n"
           "{\n"
           "    snprintf(b, 64, \"/proc/%d/stat\", pid);\n"
           "}\n",
           &got);
    EXPECT(&got, "src/x.c", {4, 21, "/%d/stat", NULL, 0});
    pg_sites_free(&got);
}

static void test_c_escapes_are_decoded(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("const char *p = \"\\x2fproc/\\163elf\";\n"
           "const char *q = u8\"/proc\";\n"
           "const char *r = \"/pro\\\nc\";\n",
           &got);
    EXPECT(&got, "src/x.c", {1, 17, "/self", NULL, 0}, {2, 17, "", NULL, 0},
           {3, 17, "", NULL, 0});
    pg_sites_free(&got);
}

static void test_c_both_ifdef_branches_are_sites(void **state)
{
    (void)state;
    size_t len;
    char *src = slurp("ifdef.c", &len);
    pg_sites got = {0};
    scan_ranges("tests/ts/fixtures/ifdef.c", src, len, PG_LANG_C, NULL, 0,
                &got);
    EXPECT(&got, "tests/ts/fixtures/ifdef.c", {7, 12, "/curproc/file", NULL, 0},
           {9, 12, "/self/exe", NULL, 0});
    pg_sites_free(&got);
    free(src);
}

static void test_c_ranges_keep_only_sites_inside_them(void **state)
{
    (void)state;
    size_t len;
    char *src = slurp("ifdef.c", &len);
    /* what libclang on Linux reports as skipped: the __FreeBSD__ branch */
    const char *from = strstr(src, "#ifdef __FreeBSD__");
    const char *to = strstr(src, "#else");
    assert_non_null(from);
    assert_non_null(to);
    pg_range r[] = {{0, 1}, {(size_t)(from - src), (size_t)(to - src)}};
    pg_sites got = {0};
    scan_ranges("f.c", src, len, PG_LANG_C, r, 2, &got);
    EXPECT(&got, "f.c", {7, 12, "/curproc/file", NULL, 0});
    pg_sites_free(&got);

    /* a range that starts one byte after a literal's start excludes it */
    size_t lit = (size_t)(strstr(src, "\"/proc/self/exe\"") - src);
    pg_range late = {lit + 1, len};
    scan_ranges("f.c", src, len, PG_LANG_C, &late, 1, &got);
    assert_int_equal(got.n, 0);
    pg_range empty_set = {0, 0};
    scan_ranges("f.c", src, len, PG_LANG_C, &empty_set, 0, &got);
    assert_int_equal(got.n, 0);
    free(src);
}

static void test_c_macro_defined_in_either_branch(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#ifdef _WIN32\n"
           "#define ROOT \"C:\"\n"
           "#else\n"
           "#define ROOT \"/proc\"\n"
           "#endif\n"
           "const char *p = ROOT \"/1/stat\";\n",
           &got);
    EXPECT(&got, "src/x.c", {4, 14, "", NULL, 0},
           {6, 17, "/1/stat", "ROOT", 4});
    pg_sites_free(&got);
}

static void test_c_macro_nearest_definition_before_the_use(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("const char *early = ROOT \"/x\";\n"
           "#define ROOT \"/sys\"\n"
           "#undef ROOT\n"
           "#define ROOT \"/proc\"\n"
           "const char *late = ROOT \"/x\";\n",
           &got);
    /* early: not yet defined, so not expanded; late: the redefinition */
    EXPECT(&got, "src/x.c", {4, 14, "", NULL, 0}, {5, 20, "/x", "ROOT", 4});
    pg_sites_free(&got);
}

static void test_c_function_like_macro_body_is_scanned(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("#define PROC_PATH(buf, pid) \\\n"
           "    snprintf(buf, sizeof buf, \"/proc/%d/\" \"stat\", pid)\n",
           &got);
    EXPECT(&got, "src/x.c", {2, 31, "/%d/stat", NULL, 0});
    pg_sites_free(&got);
}

static void test_c_mentions_are_not_sites(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("/* reads \"/proc/self/stat\" on Linux */\n"
           "// \"/proc\" too\n"
           "#define MSG \"see /proc/self\" // \"/proc/x\"\n"
           "#define SEP '/'\n"
           "#define DOC /* \"/proc\" */ 42\n"
           "void f(void)\n"
           "{\n"
           "    log_error(\"cannot read /proc/self/stat: %s\", e);\n"
           "    char c = '/';\n"
           "    const char *p = \"/processes\";\n"
           "    const char *q = \"/procfs\";\n"
           "    const char *r = \"proc/self\";\n"
           "    const char *s = \"\";\n"
           "    const char *t = UNKNOWN;\n"
           "}\n",
           &got);
    if (got.n != 0)
        dump(&got);
    assert_int_equal(got.n, 0);
    pg_sites_free(&got);
}

static void test_c_syntax_errors_still_yield_sites(void **state)
{
    (void)state;
    pg_sites got = {0};
    scan_c("int f( {\n"
           "    return \"/proc/a\" +;\n"
           "}}}\n"
           "const char *b = \"/proc/b\";\n",
           &got);
    EXPECT(&got, "src/x.c", {2, 12, "/a", NULL, 0}, {4, 17, "/b", NULL, 0});
    pg_sites_free(&got);
}

/* ---- Python --------------------------------------------------------- */

static void test_python_string_kinds_are_sites(void **state)
{
    (void)state;
    size_t len;
    char *src = slurp("sample.py", &len);
    pg_sites got = {0};
    scan_ranges("sample.py", src, len, PG_LANG_PYTHON, NULL, 0, &got);
    EXPECT(&got, "sample.py", {6, 8, "/self/stat", NULL, 0}, /* str */
           {7, 7, "/self/status", NULL, 0},                  /* bytes */
           {8, 7, "/", NULL, 0},           /* f-string prefix */
           {9, 6, "/\\d+/stat", NULL, 0},  /* raw */
           {10, 7, "/meminfo", NULL, 0},   /* triple */
           {11, 11, "/cpuinfo", NULL, 0},  /* implicit concat */
           {13, 13, "", NULL, 0},          /* Path */
           {14, 23, "", NULL, 0},          /* os.path.join */
           {17, 18, "/version", NULL, 0}); /* inside a replacement */
    pg_sites_free(&got);
    free(src);
}

static void test_python_escapes_and_braces(void **state)
{
    (void)state;
    const char *src = "a = '\\x2fproc'\n"
                      "b = f'{{/proc}}'\n"
                      "c = f'/proc/{{x}}{y}'\n"
                      "d = f'{root}/proc/x'\n"
                      "e = Rb'/proc/\\n'\n";
    pg_sites got = {0};
    scan_ranges("m.py", src, strlen(src), PG_LANG_PYTHON, NULL, 0, &got);
    /* d: what precedes /proc is not known, so nothing can be judged */
    EXPECT(&got, "m.py", {1, 5, "", NULL, 0}, {3, 5, "/{x}", NULL, 0},
           {5, 5, "/\\n", NULL, 0});
    pg_sites_free(&got);
}

static void test_python_syntax_error_keeps_valid_sites(void **state)
{
    (void)state;
    size_t len;
    char *src = slurp("broken.py", &len);
    pg_sites got = {0};
    scan_ranges("broken.py", src, len, PG_LANG_PYTHON, NULL, 0, &got);
    EXPECT(&got, "broken.py", {1, 8, "/sys/kernel/random/boot_id", NULL, 0},
           {6, 15, "/uptime", NULL, 0});
    pg_sites_free(&got);
    free(src);
}

/* ---- scale and errors ---------------------------------------------------- */

static void test_one_megabyte_file_completes(void **state)
{
    (void)state;
    const char *line = "static const char *p%06u = \"/proc/%u/stat\";\n";
    const size_t want_len = 1u << 20;
    char *src = pg_xrealloc(NULL, want_len + 128);
    size_t n = 0;
    unsigned count = 0;
    while (n < want_len) {
        n += (size_t)snprintf(src + n, 128, line, count, count);
        count++;
    }
    pg_sites got = {0};
    scan_ranges("big.c", src, n, PG_LANG_C, NULL, 0, &got);
    assert_int_equal(got.n, count);
    assert_int_equal(got.v[count - 1].line, count);
    pg_sites_free(&got);

    n = 0;
    count = 0;
    while (n < want_len) {
        n += (size_t)snprintf(src + n, 128, "p%06u = f\"/proc/{pid}/%u\"\n",
                              count, count);
        count++;
    }
    scan_ranges("big.py", src, n, PG_LANG_PYTHON, NULL, 0, &got);
    assert_int_equal(got.n, count);
    pg_sites_free(&got);
    free(src);
}

typedef struct scan_job {
    const char *name;
    pg_lang lang;
    size_t n;
} scan_job;

static void *scan_thread(void *arg)
{
    scan_job *job = arg;
    size_t len;
    char *src = slurp(job->name, &len);
    for (int i = 0; i < 50; i++) {
        pg_sites got = {0};
        pg_error err = {{0}};
        if (pg_ts_scan(job->name, src, len, job->lang, NULL, 0, &got, &err) ==
                0 &&
            (i == 0 || got.n == job->n))
            job->n = got.n;
        else
            job->n = SIZE_MAX;
        pg_sites_free(&got);
    }
    free(src);
    return NULL;
}

static void test_concurrent_scans_agree(void **state)
{
    (void)state;
    scan_job jobs[4] = {{"sample.py", PG_LANG_PYTHON, 0},
                        {"ifdef.c", PG_LANG_C, 0},
                        {"broken.py", PG_LANG_PYTHON, 0},
                        {"sample.py", PG_LANG_PYTHON, 0}};
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, scan_thread, &jobs[i]), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(jobs[0].n, 9);
    assert_int_equal(jobs[1].n, 2);
    assert_int_equal(jobs[2].n, 2);
    assert_int_equal(jobs[3].n, 9);
}

static void test_unknown_language_is_an_error_naming_the_file(void **state)
{
    (void)state;
    pg_sites got = {0};
    pg_error err = {{0}};
    assert_int_equal(pg_ts_scan("doc/x.txt", proc_root, strlen(proc_root),
                                PG_LANG_OTHER, NULL, 0, &got, &err),
                     -1);
    assert_non_null(strstr(err.msg, "doc/x.txt"));
    assert_int_equal(got.n, 0);
}

/* ---- C++ ---------------------------------------------------------------- */

static void
test_cpp_raw_prefixed_udl_define_and_concatenated_literals(void **state)
{
    (void)state;
    pg_sites got = {0};
    const char *src =
        "auto a = R\"x(/proc/a)\" )x\";\n" /* a ')"' inside the body */
        "auto b = u8R\"(/proc/b)\";\n"     /* prefix and raw */
        "auto c = \"/proc/c\"_p;\n"        /* user-defined literal */
        "#define RAW R\"(/proc/d)\"\n"     /* raw in a #define */
        "auto e = R\"(/pr)\" \"oc/e\";\n"  /* raw, concatenated */
        "auto f = R\"(/processes)\";\n"    /* not a site */
        "namespace n { auto g = L\"/proc/g\"; }\n";
    scan_ranges("src/x.cpp", src, strlen(src), PG_LANG_CPP, NULL, 0, &got);
    EXPECT(&got, "src/x.cpp", {1, 10, "/a)\" ", NULL, 0},
           {2, 10, "/b", NULL, 0}, {3, 10, "/c", NULL, 0},
           {4, 13, "/d", NULL, 0}, {5, 10, "/e", NULL, 0},
           {7, 24, "/g", NULL, 0});
    pg_sites_free(&got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_c_direct_literal_is_a_site),
        cmocka_unit_test(
            test_cpp_raw_prefixed_udl_define_and_concatenated_literals),
        cmocka_unit_test(test_c_define_value_is_a_site_at_the_define),
        cmocka_unit_test(test_c_macro_concatenation_names_the_macro),
        cmocka_unit_test(test_c_macro_through_macro_and_define_concatenation),
        cmocka_unit_test(test_c_split_literal_is_joined),
        cmocka_unit_test(test_c_format_string_is_a_site),
        cmocka_unit_test(test_c_escapes_are_decoded),
        cmocka_unit_test(test_c_both_ifdef_branches_are_sites),
        cmocka_unit_test(test_c_ranges_keep_only_sites_inside_them),
        cmocka_unit_test(test_c_macro_defined_in_either_branch),
        cmocka_unit_test(test_c_macro_nearest_definition_before_the_use),
        cmocka_unit_test(test_c_function_like_macro_body_is_scanned),
        cmocka_unit_test(test_c_mentions_are_not_sites),
        cmocka_unit_test(test_c_syntax_errors_still_yield_sites),
        cmocka_unit_test(test_python_string_kinds_are_sites),
        cmocka_unit_test(test_python_escapes_and_braces),
        cmocka_unit_test(test_python_syntax_error_keeps_valid_sites),
        cmocka_unit_test(test_one_megabyte_file_completes),
        cmocka_unit_test(test_concurrent_scans_agree),
        cmocka_unit_test(test_unknown_language_is_an_error_naming_the_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
