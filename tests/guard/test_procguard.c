/*
 * test_procguard.c - procguard end to end: each fixture repository under
 * fixtures/ is copied to a scratch directory outside any git work tree, its
 * compile database generated there with absolute paths, and the built
 * binary run on it; the tests assert the exact (file, line, rule) set and
 * the exit code.
 */
#define _DEFAULT_SOURCE /* mkdtemp */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <dirent.h>

#include "json_mini.h"

#ifndef PROCGUARD_BIN
#error "PROCGUARD_BIN must name the procguard binary"
#endif
#ifndef FIXTURES_DIR
#error "FIXTURES_DIR must name tests/guard/fixtures"
#endif

typedef struct result {
    int code;
    char *out, *err;
    size_t olen;
    jval *doc; /* stdout parsed as JSON, when it is */
} result;

static int spawn(const char *cwd, char *const argv[], const char *out,
                 const char *err)
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (cwd != NULL && chdir(cwd) != 0)
            _exit(126);
        if (out != NULL) {
            int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, 1);
            close(fd);
        }
        if (err != NULL) {
            int fd = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);
            dup2(fd, 2);
            close(fd);
        }
        execvp(argv[0], argv);
        _exit(127);
    }
    int st;
    while (waitpid(pid, &st, 0) < 0)
        assert_int_equal(errno, EINTR);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    assert_non_null(b);
    size_t r;
    while ((r = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += r;
        if (n + 1 >= cap) {
            char *nb = realloc(b, cap * 2);
            if (nb == NULL) {
                free(b);
                fclose(f);
                fail_msg("%s: out of memory reading it", path);
            }
            b = nb;
            cap *= 2;
        }
    }
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

/* Scratch dirs: one for the repository copy, one for captured output. */
static char repo[256], outdir[256];

static int setup(void **state)
{
    (void)state;
    strcpy(repo, "/tmp/procguard-fixture.XXXXXX");
    strcpy(outdir, "/tmp/procguard-output.XXXXXX");
    assert_non_null(mkdtemp(repo));
    assert_non_null(mkdtemp(outdir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char *rm[] = {"rm", "-rf", repo, outdir, NULL};
    spawn(NULL, rm, NULL, NULL);
    return 0;
}

/* Copy fixtures/<name> into the scratch repository and, when the fixture
   has a compile_commands.in.json, write build/compile_commands.json with
   @ROOT@ replaced by the scratch path. */
static void fixture(const char *name)
{
    char src[1024];
    snprintf(src, sizeof src, "%s/%s/.", FIXTURES_DIR, name);
    char *cp[] = {"cp", "-R", src, repo, NULL};
    assert_int_equal(spawn(NULL, cp, NULL, NULL), 0);
    char in[512], out[512];
    snprintf(in, sizeof in, "%s/compile_commands.in.json", repo);
    if (access(in, R_OK) != 0)
        return;
    snprintf(out, sizeof out, "%s/build", repo);
    assert_int_equal(mkdir(out, 0700), 0);
    snprintf(out, sizeof out, "%s/build/compile_commands.json", repo);
    size_t n;
    char *t = slurp(in, &n);
    FILE *f = fopen(out, "w");
    assert_non_null(f);
    for (char *p = t; *p;) {
        if (strncmp(p, "@ROOT@", 6) == 0) {
            fputs(repo, f);
            p += 6;
        } else {
            fputc(*p++, f);
        }
    }
    fclose(f);
    free(t);
}

/* Run procguard in the scratch repository with the NULL-terminated args. */
static result run(const char *first, ...)
{
    char *argv[32];
    int n = 0;
    argv[n++] = PROCGUARD_BIN;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && n < 31;
         a = va_arg(ap, const char *))
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", outdir);
    snprintf(err, sizeof err, "%s/stderr", outdir);
    result r;
    memset(&r, 0, sizeof r);
    r.code = spawn(repo, argv, out, err);
    r.out = slurp(out, &r.olen);
    r.err = slurp(err, NULL);
    r.doc = json_parse(r.out, r.olen);
    return r;
}

static void result_free(result *r)
{
    free(r->out);
    free(r->err);
    json_free(r->doc);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The findings as sorted "path:line:rule" strings must equal `want`. */
static void expect_findings(const result *r, const char *const *want)
{
    if (r->doc == NULL)
        fail_msg("not JSON:\n%s\nstderr:\n%s", r->out, r->err);
    const jval *fs = json_get(r->doc, "findings");
    assert_non_null(fs);
    assert_int_equal(fs->t, J_ARR);
    char **got = calloc(fs->n + 1, sizeof *got);
    for (size_t i = 0; i < fs->n; i++) {
        const jval *f = fs->items[i];
        const char *path = json_str(f, "path");
        char buf[512];
        snprintf(buf, sizeof buf, "%s:%d:%s", path ? path : "-",
                 (int)json_num(f, "line"), json_str(f, "rule"));
        got[i] = strdup(buf);
    }
    qsort(got, fs->n, sizeof *got, cmp_str);
    size_t nw = 0;
    while (want[nw] != NULL)
        nw++;
    char **w = calloc(nw + 1, sizeof *w);
    memcpy(w, want, nw * sizeof *w);
    qsort(w, nw, sizeof *w, cmp_str);
    int same = nw == fs->n;
    for (size_t i = 0; same && i < nw; i++)
        same = strcmp(w[i], got[i]) == 0;
    if (!same) {
        fprintf(stderr, "findings differ; got:\n");
        for (size_t i = 0; i < fs->n; i++)
            fprintf(stderr, "  %s\n", got[i]);
        fprintf(stderr, "wanted:\n");
        for (size_t i = 0; i < nw; i++)
            fprintf(stderr, "  %s\n", w[i]);
    }
    for (size_t i = 0; i < fs->n; i++)
        free(got[i]);
    free(got);
    free(w);
    assert_true(same);
}

/* The finding at path:line with `rule`. */
static const jval *finding(const result *r, const char *path, int line,
                           const char *rule)
{
    const jval *fs = json_get(r->doc, "findings");
    for (size_t i = 0; fs && i < fs->n; i++) {
        const jval *f = fs->items[i];
        if (strcmp(json_str(f, "path") ? json_str(f, "path") : "", path) == 0 &&
            (int)json_num(f, "line") == line &&
            strcmp(json_str(f, "rule"), rule) == 0)
            return f;
    }
    fail_msg("no %s at %s:%d", rule, path, line);
    return NULL;
}

/* ---- the semantic pass and tree-sitter, merged -------------------------- */

static void
test_c_sites_direct_macro_concat_format_ifdef_header_outside(void **state)
{
    (void)state;
    fixture("csites");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {
        "include/shared.h:4:proc-unacked", /* one finding for two TUs */
        "src/concat.c:3:proc-unacked",
        "src/direct.c:5:proc-unacked",
        "src/format.c:5:proc-unacked",
        "src/ifdef.c:4:proc-unacked",   /* inactive branch */
        "src/macro.c:3:proc-unacked",   /* the #define: a site of its own */
        "src/macro.c:7:proc-unacked",   /* and the expansion */
        "src/outside.c:4:proc-unacked", /* not in the database */
        NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    const jval *m = finding(&r, "src/macro.c", 7, "proc-unacked");
    assert_string_equal(json_str(m, "macro"), "ROOT");
    assert_string_equal(json_str(m, "macro_path"), "src/macro.c");
    assert_int_equal((int)json_num(m, "macro_line"), 3);
    assert_string_equal(json_str(m, "value") + 5, "/%d/stat");
    const jval *c = finding(&r, "src/concat.c", 3, "proc-unacked");
    assert_string_equal(json_str(c, "value") + 5, "/self/status");
    assert_string_equal(json_str(c, "pass"), "clang");
    assert_string_equal(
        json_str(finding(&r, "src/ifdef.c", 4, "proc-unacked"), "pass"),
        "tree-sitter");
    assert_string_equal(
        json_str(finding(&r, "src/outside.c", 4, "proc-unacked"), "pass"),
        "tree-sitter");
    result_free(&r);
}

static void test_mentions_and_processes_are_not_findings(void **state)
{
    (void)state;
    fixture("csites");
    result r =
        run("-p", "build", "--format", "json", "src/mentions.c", (char *)NULL);
    const char *want[] = {NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 0);
    result_free(&r);
}

static void test_text_format_is_gcc_style_with_caret(void **state)
{
    (void)state;
    fixture("csites");
    result r = run("-p", "build", "src/direct.c", (char *)NULL);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "src/direct.c:5:18: error: raw /proc access "
                                  "\"/proc/self/stat\" is not acknowledged "
                                  "[proc-unacked]\n"));
    assert_non_null(
        strstr(r.out, "\n      |                  ^~~~~~~~~~~~~~~~~\n"));
    assert_non_null(strstr(r.err, "1 finding"));
    result_free(&r);
}

/* ---- acknowledgements and the allowlist --------------------------------- */

static void test_every_ack_placement_and_rule(void **state)
{
    (void)state;
    fixture("acks");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {
        "allowlist/proc.allow:4:allowlist-stale",
        "lib/linux.c:31:ack-unused", /* code before it: covers only its line */
        "lib/linux.c:32:proc-unacked",
        "lib/linux.c:37:ack-unused", /* a blank line away */
        "lib/linux.c:39:proc-unacked",
        "lib/linux.c:44:ack-no-reason",
        "lib/linux.c:44:proc-unacked",
        "lib/linux.c:54:proc-unacked", /* a comment without the marker */
        "lib/linux.c:57:ack-unused",
        "src/user.c:4:proc-not-allowlisted", /* the macro home itself */
        "src/user.c:8:proc-not-allowlisted", /* acked at the macro home */
        "src/user.c:13:proc-not-allowlisted",
        "tools/probe.py:7:ack-no-reason",
        "tools/probe.py:7:proc-unacked",
        "tools/probe.py:8:ack-unused",
        NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    /* same line, alone above, block above, macro home; python both ways */
    const jval *passed = json_get(r.doc, "passed");
    assert_non_null(passed);
    int lines[7] = {0};
    assert_int_equal(passed->n, 7);
    for (size_t i = 0; i < passed->n; i++)
        lines[i] = (int)json_num(passed->items[i], "line");
    /* the PROC_ROOT definition (3) is a site of its own */
    const int want_lines[7] = {3, 7, 13, 21, 26, 4, 5};
    assert_memory_equal(lines, want_lines, sizeof lines);
    assert_string_equal(json_str(passed->items[2], "ack_reason"),
                        "the boot id lives only here");
    assert_string_equal(json_str(passed->items[3], "ack_reason"),
                        "a multi-line block comment alone above the site");
    assert_string_equal(json_str(passed->items[4], "macro"), "PROC_ROOT");
    const jval *sum = json_get(r.doc, "summary");
    assert_int_equal((int)json_num(sum, "findings"), 15);
    assert_int_equal((int)json_num(sum, "exit_code"), 1);
    result_free(&r);
}

static void test_partial_run_skips_stale_entries_and_other_files(void **state)
{
    (void)state;
    fixture("acks");
    result r =
        run("-p", "build", "--format", "json", "lib/linux.c", (char *)NULL);
    const char *want[] = {"lib/linux.c:31:ack-unused",
                          "lib/linux.c:32:proc-unacked",
                          "lib/linux.c:37:ack-unused",
                          "lib/linux.c:39:proc-unacked",
                          "lib/linux.c:44:ack-no-reason",
                          "lib/linux.c:44:proc-unacked",
                          "lib/linux.c:54:proc-unacked",
                          "lib/linux.c:57:ack-unused",
                          NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    assert_true(json_get(r.doc, "partial")->b);
    result_free(&r);
}

static void test_without_build_dir_tree_sitter_checks_everything(void **state)
{
    (void)state;
    fixture("acks");
    result r = run("--format", "json", (char *)NULL);
    /* tree-sitter sees the #define literal itself, not the bare expansion */
    const char *want[] = {"allowlist/proc.allow:4:allowlist-stale",
                          "lib/linux.c:31:ack-unused",
                          "lib/linux.c:32:proc-unacked",
                          "lib/linux.c:37:ack-unused",
                          "lib/linux.c:39:proc-unacked",
                          "lib/linux.c:44:ack-no-reason",
                          "lib/linux.c:44:proc-unacked",
                          "lib/linux.c:54:proc-unacked",
                          "lib/linux.c:57:ack-unused",
                          "src/user.c:4:proc-not-allowlisted",
                          "src/user.c:13:proc-not-allowlisted",
                          "tools/probe.py:7:ack-no-reason",
                          "tools/probe.py:7:proc-unacked",
                          "tools/probe.py:8:ack-unused",
                          NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    result_free(&r);
}

static void test_python_str_bytes_fstring_path_join_and_shebang(void **state)
{
    (void)state;
    fixture("python");
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {
        "pkg/probe.py:4:proc-unacked", /* str */
        "pkg/probe.py:5:proc-unacked", /* bytes */
        "pkg/probe.py:6:proc-unacked", /* f-string */
        "pkg/probe.py:7:proc-unacked", /* Path("/proc") */
        "pkg/probe.py:8:proc-unacked", /* os.path.join */
        "run-probe:2:proc-unacked",    /* python shebang, no extension */
        NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    result_free(&r);
}

static void test_clean_repository_exits_zero(void **state)
{
    (void)state;
    fixture("clean");
    result r = run("-p", "build", (char *)NULL);
    assert_int_equal(r.code, 0);
    assert_string_equal(r.out, "");
    assert_non_null(strstr(r.err, "clean"));
    result_free(&r);
}

static void test_ignore_file_leaves_files_out_entirely(void **state)
{
    (void)state;
    fixture("ignored");
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {"src/main.c:1:proc-unacked", NULL};
    expect_findings(&r, want);
    assert_int_equal((int)json_num(json_get(r.doc, "summary"), "ignored"), 1);
    result_free(&r);
}

/* ---- configuration and tool errors: exit 2 ------------------------------ */

static void test_malformed_allowlist_exits_2_naming_each_line(void **state)
{
    (void)state;
    fixture("badallow");
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {"allowlist/proc.allow:4:allowlist-syntax",
                          "allowlist/proc.allow:5:allowlist-syntax",
                          "allowlist/proc.allow:6:allowlist-syntax",
                          "allowlist/proc.allow:7:allowlist-syntax",
                          "allowlist/proc.allow:8:allowlist-syntax",
                          NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 2);
    result_free(&r);
    r = run(NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.out, "allowlist/proc.allow:4:1: error: entry "
                                  "'src/noreason.c' has no reason"));
    result_free(&r);
}

static void test_malformed_ignore_file_exits_2(void **state)
{
    (void)state;
    fixture("badignore");
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {"allowlist/proc.ignore:1:allowlist-syntax", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 2);
    result_free(&r);
}

static void test_file_libclang_cannot_parse_exits_2_with_reason(void **state)
{
    (void)state;
    fixture("broken");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    assert_int_equal(r.code, 2);
    const jval *fs = json_get(r.doc, "findings");
    assert_non_null(fs);
    assert_int_equal(fs->n, 1);
    assert_string_equal(json_str(fs->items[0], "rule"), "parse-error");
    assert_non_null(
        strstr(json_str(fs->items[0], "message"), "does_not_exist.h"));
    result_free(&r);
}

static void test_missing_explicit_allowlist_exits_2(void **state)
{
    (void)state;
    fixture("clean");
    result r = run("--allowlist", "nope.allow", (char *)NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "nope.allow"));
    result_free(&r);
}

static void test_missing_default_allowlist_is_empty(void **state)
{
    (void)state;
    fixture("clean");
    char p[512];
    snprintf(p, sizeof p, "%s/allowlist/proc.allow", repo);
    assert_int_equal(unlink(p), 0);
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {"lib/os_linux.c:6:proc-not-allowlisted", NULL};
    expect_findings(&r, want);
    result_free(&r);
}

static void test_usage_errors_exit_2_and_help_lists_rules(void **state)
{
    (void)state;
    result r = run("--format", "xml", (char *)NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "xml"));
    result_free(&r);
    r = run("-j", "0", (char *)NULL);
    assert_int_equal(r.code, 2);
    result_free(&r);
    r = run("--no-such-option", (char *)NULL);
    assert_int_equal(r.code, 2);
    result_free(&r);
    r = run("--help", (char *)NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "Exit status"));
    result_free(&r);
    r = run("--list-rules", (char *)NULL);
    assert_int_equal(r.code, 0);
    const char *ids[] = {"proc-unacked",    "proc-not-allowlisted",
                         "ack-no-reason",   "ack-unused",
                         "allowlist-stale", "allowlist-syntax",
                         "parse-error"};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        assert_non_null(strstr(r.out, ids[i]));
    result_free(&r);
    r = run("--version", (char *)NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.out, "procguard "));
    result_free(&r);
}

/* ---- SARIF -------------------------------------------------------------- */

static void check_sarif_shape(const jval *doc, size_t *nresults)
{
    assert_non_null(doc);
    assert_string_equal(json_str(doc, "version"), "2.1.0");
    assert_non_null(json_str(doc, "$schema"));
    const jval *runs = json_get(doc, "runs");
    assert_true(runs && runs->t == J_ARR && runs->n == 1);
    const jval *run0 = runs->items[0];
    const jval *driver = json_get(json_get(run0, "tool"), "driver");
    assert_string_equal(json_str(driver, "name"), "procguard");
    assert_non_null(json_str(driver, "version"));
    assert_non_null(json_str(driver, "informationUri"));
    const jval *rules = json_get(driver, "rules");
    assert_true(rules && rules->n == 10);
    for (size_t i = 0; i < rules->n; i++) {
        const jval *ru = rules->items[i];
        assert_non_null(json_str(ru, "id"));
        assert_non_null(json_str(json_get(ru, "shortDescription"), "text"));
        assert_non_null(json_str(json_get(ru, "fullDescription"), "text"));
        assert_non_null(json_str(json_get(ru, "help"), "text"));
    }
    const jval *base =
        json_get(json_get(run0, "originalUriBaseIds"), "%SRCROOT%");
    const char *baseuri = json_str(base, "uri");
    assert_non_null(baseuri);
    assert_int_equal(strncmp(baseuri, "file:///", 8), 0);
    assert_int_equal(baseuri[strlen(baseuri) - 1], '/');
    const jval *results = json_get(run0, "results");
    assert_true(results && results->t == J_ARR);
    for (size_t i = 0; i < results->n; i++) {
        const jval *res = results->items[i];
        const char *rid = json_str(res, "ruleId");
        int idx = (int)json_num(res, "ruleIndex");
        assert_true(idx >= 0 && (size_t)idx < rules->n);
        assert_string_equal(json_str(rules->items[idx], "id"), rid);
        assert_non_null(json_str(res, "level"));
        assert_non_null(json_str(json_get(res, "message"), "text"));
        const jval *pl =
            json_get(json_get(res, "locations")->items[0], "physicalLocation");
        const jval *al = json_get(pl, "artifactLocation");
        const char *uri = json_str(al, "uri");
        assert_non_null(uri);
        assert_true(uri[0] != '/' && strstr(uri, "://") == NULL &&
                    strstr(uri, "procguard-fixture") == NULL);
        assert_string_equal(json_str(al, "uriBaseId"), "%SRCROOT%");
        const jval *reg = json_get(pl, "region");
        assert_true(json_num(reg, "startLine") >= 1);
        assert_true(json_num(reg, "startColumn") >= 1);
        assert_true(json_num(reg, "endLine") >= json_num(reg, "startLine"));
        assert_true(json_num(reg, "endColumn") > json_num(reg, "startColumn"));
        assert_non_null(json_str(json_get(res, "partialFingerprints"),
                                 "primaryLocationLineHash"));
    }
    *nresults = results->n;
}

static void test_sarif_has_required_fields_and_repo_relative_uris(void **state)
{
    (void)state;
    fixture("acks");
    result r = run("-p", "build", "--format", "sarif", (char *)NULL);
    assert_int_equal(r.code, 1);
    size_t n;
    check_sarif_shape(r.doc, &n);
    assert_int_equal(n, 15 + 7); /* findings + suppressed passed sites */
    result_free(&r);
}

static void
test_sarif_acked_allowlisted_site_is_suppressed_in_source(void **state)
{
    (void)state;
    fixture("clean");
    result r = run("-p", "build", "--format", "sarif", (char *)NULL);
    assert_int_equal(r.code, 0);
    size_t n;
    check_sarif_shape(r.doc, &n);
    assert_int_equal(n, 1);
    const jval *res =
        json_get(json_get(r.doc, "runs")->items[0], "results")->items[0];
    const jval *sup = json_get(res, "suppressions");
    assert_true(sup && sup->n == 1);
    assert_string_equal(json_str(sup->items[0], "kind"), "inSource");
    assert_string_equal(json_str(sup->items[0], "justification"),
                        "the boot id exists only under /proc on Linux");
    const jval *pl =
        json_get(json_get(res, "locations")->items[0], "physicalLocation");
    assert_string_equal(json_str(json_get(pl, "artifactLocation"), "uri"),
                        "lib/os_linux.c");
    assert_int_equal((int)json_num(json_get(pl, "region"), "startLine"), 6);
    result_free(&r);
}

static void test_sarif_file_option_writes_sarif_beside_text(void **state)
{
    (void)state;
    fixture("csites");
    char path[512];
    snprintf(path, sizeof path, "%s/out.sarif", outdir);
    result r = run("-p", "build", "--sarif", path, (char *)NULL);
    assert_int_equal(r.code, 1);
    assert_non_null(strstr(r.out, "[proc-unacked]"));
    size_t len;
    char *s = slurp(path, &len);
    jval *doc = json_parse(s, len);
    size_t n;
    check_sarif_shape(doc, &n);
    assert_int_equal(n, 8);
    json_free(doc);
    free(s);
    result_free(&r);
}

/* ---- one definition of a site for every mode ---------------------------- */

/* Run procguard with and without -p; both must give exactly `want` and
   exit with `code`. */
static void expect_both_modes(const char *const *want, int code)
{
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    expect_findings(&r, want);
    assert_int_equal(r.code, code);
    result_free(&r);
    r = run("--format", "json", (char *)NULL);
    expect_findings(&r, want);
    assert_int_equal(r.code, code);
    result_free(&r);
}

static void test_one_allowlist_passes_both_modes(void **state)
{
    (void)state;
    fixture("twomode");
    const char *want[] = {NULL};
    expect_both_modes(want, 0);
}

static void
test_cross_file_macro_only_inactive_or_unbuilt_is_a_site(void **state)
{
    (void)state;
    fixture("crossmacro");
    /* the definition is a site of its own in every mode */
    const char *want[] = {"include/freebsd.h:3:proc-unacked", NULL};
    expect_both_modes(want, 1);
}

static void
test_ack_at_empty_macro_does_not_cover_concatenated_literal(void **state)
{
    (void)state;
    fixture("sysroot");
    const char *want[] = {"src/sys.c:3:ack-unused", "src/sys.c:7:proc-unacked",
                          NULL};
    expect_both_modes(want, 1);
}

/* The sites of a run, sorted "path:line" strings (findings and passed). */
static size_t site_set(const result *r, char ***out)
{
    if (r->doc == NULL)
        fail_msg("not JSON:\n%s\nstderr:\n%s", r->out, r->err);
    const char *keys[] = {"findings", "passed"};
    size_t n = 0;
    char **v = NULL;
    for (int k = 0; k < 2; k++) {
        const jval *a = json_get(r->doc, keys[k]);
        for (size_t i = 0; a && i < a->n; i++) {
            const char *rule = json_str(a->items[i], "rule");
            if (k == 0 && strncmp(rule, "proc-", 5) != 0)
                continue;
            char buf[512];
            snprintf(buf, sizeof buf, "%s:%d", json_str(a->items[i], "path"),
                     (int)json_num(a->items[i], "line"));
            char **nv = realloc(v, (n + 1) * sizeof *v);
            assert_non_null(nv);
            v = nv;
            v[n++] = strdup(buf);
        }
    }
    if (n > 0)
        qsort(v, n, sizeof *v, cmp_str);
    *out = v;
    return n;
}

/* sites(-p) contains sites(tree-sitter) on the scratch repository. */
static void expect_p_contains_tree_sitter(const char *what)
{
    char db[512];
    snprintf(db, sizeof db, "%s/build/compile_commands.json", repo);
    if (access(db, R_OK) != 0) { /* no database: -p over nothing */
        snprintf(db, sizeof db, "%s/build", repo);
        mkdir(db, 0700);
        snprintf(db, sizeof db, "%s/build/compile_commands.json", repo);
        FILE *f = fopen(db, "w");
        assert_non_null(f);
        fputs("[]\n", f);
        fclose(f);
    }
    result p = run("-p", "build", "--format", "json", (char *)NULL);
    result t = run("--format", "json", (char *)NULL);
    if (p.code == 2) {
        /* a fatal libclang error or a malformed allowlist gives no verdict
           to compare ("broken", "badallow"): only those errors are
           reported */
        const jval *fs = json_get(p.doc, "findings");
        assert_true(fs != NULL && fs->n >= 1);
        for (size_t i = 0; i < fs->n; i++) {
            const char *rule = json_str(fs->items[i], "rule");
            if (strcmp(rule, "parse-error") != 0 &&
                strcmp(rule, "allowlist-syntax") != 0)
                fail_msg("%s: exit 2 with a %s finding", what, rule);
        }
        print_message("%s: -p stops at an error (exit 2)\n", what);
        result_free(&p);
        result_free(&t);
        return;
    }
    char **ps, **ts;
    size_t np = site_set(&p, &ps), nt = site_set(&t, &ts);
    int missing = 0;
    for (size_t i = 0; i < nt; i++) {
        int found = 0;
        for (size_t j = 0; j < np && !found; j++)
            found = strcmp(ts[i], ps[j]) == 0;
        if (!found) {
            fprintf(stderr, "%s: tree-sitter site %s missing under -p\n", what,
                    ts[i]);
            missing++;
        }
    }
    for (size_t i = 0; i < nt; i++)
        free(ts[i]);
    for (size_t i = 0; i < np; i++)
        free(ps[i]);
    free(ts);
    free(ps);
    result_free(&p);
    result_free(&t);
    assert_int_equal(missing, 0);
}

static void reset_repo(void)
{
    teardown(NULL);
    setup(NULL);
}

/* Every directory under fixtures/, so a new fixture is covered too. */
static void
test_p_sites_contain_tree_sitter_sites_on_every_fixture(void **state)
{
    (void)state;
    DIR *d = opendir(FIXTURES_DIR);
    assert_non_null(d);
    char *names[128];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 128)
        if (e->d_name[0] != '.')
            names[n++] = strdup(e->d_name);
    closedir(d);
    assert_true(n >= 10);
    for (size_t i = 0; i < n; i++) {
        reset_repo();
        fixture(names[i]);
        expect_p_contains_tree_sitter(names[i]);
        free(names[i]);
    }
}

static void put(const char *rel, const char *text)
{
    char p[1024];
    snprintf(p, sizeof p, "%s/%s", repo, rel);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    char *mk[] = {"mkdir", "-p", p, NULL};
    assert_int_equal(spawn(NULL, mk, NULL, NULL), 0);
    *slash = '/';
    FILE *f = fopen(p, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A generated corpus: macros spelled in headers and used (or not) from
   built and unbuilt files, in active and inactive branches, concatenated
   with literals and with other macros. Fixed seed: reproducible. */
static void
test_p_sites_contain_tree_sitter_sites_on_generated_corpus(void **state)
{
    (void)state;
    static const char *const uses[] = {
        "fopen(M%d, \"r\")",
        "fopen(M%d \"/stat\", \"r\")",
        "fopen(EMPTY \"/proc/%d/x\", \"r\")",
        "fopen(\"/pr\" \"oc/%d\", \"r\")",
        "fopen(\"/proc/%d\" SUFFIX, \"r\")",
        "fopen(P%d, \"r\")",
        "fopen(\"/processes/%d\", \"r\")",
    };
    const size_t nuses = sizeof uses / sizeof *uses;
    unsigned seed = 12345;
#define NEXT() (seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff)
    char buf[8192], line[256];
    int hl = snprintf(buf, sizeof buf,
                      "#define EMPTY \"\"\n#define SUFFIX \"/s\"\n");
    for (int m = 0; m < 12; m++)
        hl += snprintf(buf + hl, sizeof buf - (size_t)hl,
                       "#define M%d \"/proc/m%d\"\n#define P%d M%d\n", m, m, m,
                       m);
    put("include/gen.h", buf);
    char db[16384];
    int dl = snprintf(db, sizeof db, "[\n");
    int first = 1;
    for (int f = 0; f < 16; f++) {
        int n = snprintf(buf, sizeof buf,
                         "#include <stdio.h>\n#include \"gen.h\"\n"
                         "#define LOCAL%d \"/proc/local%d\"\n",
                         f, f);
        for (int k = 0; k < 6; k++) {
            unsigned u = NEXT() % nuses, m = NEXT() % 12, br = NEXT() % 3;
            snprintf(line, sizeof line, uses[u], (int)m);
            n += snprintf(buf + n, sizeof buf - (size_t)n,
                          "%sFILE *f%d_%d(void) { return %s; }\n%s",
                          br == 1   ? "#ifdef __FreeBSD__\n"
                          : br == 2 ? "#if 0\n"
                                    : "",
                          f, k, line, br ? "#endif\n" : "");
        }
        char rel[64];
        snprintf(rel, sizeof rel, "src/g%d.c", f);
        put(rel, buf);
        if (NEXT() % 4 != 0) {
            dl += snprintf(db + dl, sizeof db - (size_t)dl,
                           "%s  {\"directory\": \"%s\", \"file\": \"%s\", "
                           "\"arguments\": [\"cc\", \"-Iinclude\", \"-c\", "
                           "\"%s\"]}\n",
                           first ? "" : ",", repo, rel, rel);
            first = 0;
        }
    }
#undef NEXT
    snprintf(db + dl, sizeof db - (size_t)dl, "]\n");
    put("build/compile_commands.json", db);
    expect_p_contains_tree_sitter("generated corpus");
}

/* ---- C++ ---------------------------------------------------------------- */

static void
test_cpp_database_tu_header_outside_and_inactive_branch(void **state)
{
    (void)state;
    fixture("cpp");
    const char *spelled[] = {
        "include/paths.hpp:2:proc-unacked", /* the #define itself */
        "include/util.h:3:proc-unacked",    /* a .h holding C++ */
        "src/a.cpp:7:proc-unacked",         /* raw string */
        "src/a.cpp:8:proc-unacked",         /* u8 */
        "src/a.cpp:9:proc-unacked",         /* L */
        "src/a.cpp:10:proc-unacked",        /* user-defined literal */
        "src/a.cpp:13:proc-unacked",        /* inactive branch */
        "src/b.cc:3:proc-unacked",          /* outside the database */
        NULL};
    result r = run("--format", "json", (char *)NULL);
    expect_findings(&r, spelled);
    assert_int_equal(r.code, 1);
    result_free(&r);
    /* -p adds the expansion of CPP_ROOT in the database TU */
    const char *with_p[] = {
        "include/paths.hpp:2:proc-unacked", "include/util.h:3:proc-unacked",
        "src/a.cpp:7:proc-unacked",         "src/a.cpp:8:proc-unacked",
        "src/a.cpp:9:proc-unacked",         "src/a.cpp:10:proc-unacked",
        "src/a.cpp:11:proc-unacked",        "src/a.cpp:13:proc-unacked",
        "src/b.cc:3:proc-unacked",          NULL};
    r = run("-p", "build", "--format", "json", (char *)NULL);
    expect_findings(&r, with_p);
    assert_int_equal(r.code, 1);
    assert_string_equal(
        json_str(finding(&r, "src/a.cpp", 11, "proc-unacked"), "pass"),
        "clang");
    result_free(&r);
}

static void test_named_cpp_file_is_checked(void **state)
{
    (void)state;
    fixture("cpp");
    result r = run("--format", "json", "src/b.cc", (char *)NULL);
    const char *want[] = {"src/b.cc:3:proc-unacked", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    result_free(&r);
}

/* ---- never silent ------------------------------------------------------- */

static void test_every_file_a_tu_reads_is_checked_at_its_own_path(void **state)
{
    (void)state;
    fixture("reads");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {"src/paths.inc:1:proc-unacked",
                          "src/table.def:1:proc-unacked", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    result_free(&r);
}

static void
test_clang_errors_degrade_to_tree_sitter_with_a_warning(void **state)
{
    (void)state;
    fixture("degraded");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {"src/deep.c:3:parse-degraded",
                          "src/deep.c:5:proc-unacked",
                          "src/nested.c:4:parse-degraded",
                          "src/nested.c:4:proc-unacked",
                          "src/undecl.c:4:parse-degraded",
                          "src/undecl.c:4:proc-unacked",
                          NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1); /* warnings alone do not change the exit */
    const jval *w = finding(&r, "src/undecl.c", 4, "parse-degraded");
    assert_string_equal(json_str(w, "level"), "warning");
    assert_non_null(strstr(json_str(w, "message"), "mode_not_declared"));
    result_free(&r);
}

static void test_response_files_are_expanded_nested_and_quoted(void **state)
{
    (void)state;
    fixture("rsp");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    /* line 7: a -D from the nested response file, expanded at its use */
    const char *want[] = {"include/paths.h:1:proc-unacked",
                          "src/main.c:4:proc-unacked",
                          "src/main.c:7:proc-unacked", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    assert_string_equal(
        json_str(finding(&r, "src/main.c", 4, "proc-unacked"), "macro"),
        "ROOT");
    assert_string_equal(
        json_str(finding(&r, "src/main.c", 7, "proc-unacked"), "macro"),
        "CMDLINE_ROOT");
    result_free(&r);
}

static void
test_line_marker_cannot_make_a_repo_file_a_system_header(void **state)
{
    (void)state;
    fixture("linemarker");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {"include/root.h:1:proc-unacked",
                          "src/marked.c:4:proc-unacked", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 1);
    result_free(&r);
}

static void test_unsupported_database_languages_are_named(void **state)
{
    (void)state;
    fixture("otherlang");
    result r = run("-p", "build", "--format", "json", (char *)NULL);
    const char *want[] = {"src/a.m:1:unsupported-language",
                          "src/k.cu:1:unsupported-language",
                          "src/s.S:1:unsupported-language", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 0); /* warnings: named, counted, exit 0 */
    assert_int_equal((int)json_num(json_get(r.doc, "summary"), "warnings"), 3);
    result_free(&r);
}

static void test_named_file_procguard_cannot_check_exits_2(void **state)
{
    (void)state;
    fixture("reads");
    result r = run("src/paths.inc", (char *)NULL);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(r.err, "src/paths.inc"));
    result_free(&r);
}

static void test_run_that_checked_nothing_says_so(void **state)
{
    (void)state;
    fixture("clean");
    put("docs/notes.txt", "nothing to check\n");
    result r = run("docs", (char *)NULL);
    assert_int_equal(r.code, 0);
    assert_non_null(strstr(r.err, "warning: no files were checked"));
    result_free(&r);
}

static void test_path_equal_to_root_is_a_whole_repository_run(void **state)
{
    (void)state;
    fixture("acks");
    result r = run("-p", "build", "--format", "json", ".", (char *)NULL);
    assert_false(json_get(r.doc, "partial")->b);
    finding(&r, "allowlist/proc.allow", 4, "allowlist-stale");
    result_free(&r);
    char root[300];
    snprintf(root, sizeof root, "%s/", repo);
    r = run("--format", "json", root, (char *)NULL);
    assert_false(json_get(r.doc, "partial")->b);
    finding(&r, "allowlist/proc.allow", 4, "allowlist-stale");
    result_free(&r);
}

/* Root reads every directory: run procguard as nobody for this one. */
static void test_unreadable_directory_in_walk_exits_2(void **state)
{
    (void)state;
    fixture("clean");
    put("secret/x.c", "int x;\n");
    char p[512];
    snprintf(p, sizeof p, "%s/secret", repo);
    assert_int_equal(chmod(p, 0), 0);
    char *argv[] = {"setpriv",
                    "--reuid=65534",
                    "--regid=65534",
                    "--clear-groups",
                    PROCGUARD_BIN,
                    NULL,
                    NULL};
    char *const *cmd = argv;
    if (geteuid() != 0)
        cmd = argv + 4;
    else if (access("/usr/bin/setpriv", X_OK) != 0)
        skip(); /* root reads everything, and cannot drop privileges */
    char *chm[] = {"chmod", "-R", "a+rX", repo, NULL};
    assert_int_equal(spawn(NULL, chm, NULL, NULL), 0);
    assert_int_equal(chmod(p, 0), 0);
    assert_int_equal(chmod(repo, 0755), 0);
    char out[512], err[512];
    snprintf(out, sizeof out, "%s/stdout", outdir);
    snprintf(err, sizeof err, "%s/stderr", outdir);
    int code = spawn(repo, (char **)cmd, out, err);
    char *e = slurp(err, NULL);
    assert_int_equal(chmod(p, 0700), 0);
    if (code != 2)
        fail_msg("exit %d, stderr: %s", code, e);
    assert_non_null(strstr(e, "secret"));
    free(e);
}

/* ---- small correctness items -------------------------------------------- */

static void test_bom_crlf_splice_and_python_named_escapes(void **state)
{
    (void)state;
    fixture("small");
    /* a BOM breaks neither src/bom.c's first-line ack, the first allowlist
       entry nor compile_commands.json; "/pr\<CR><LF>oc" is spliced;
       \N{SOLIDUS} is '/' */
    const char *want[] = {"src/crlf.c:1:proc-unacked",
                          "src/n.py:1:proc-unacked", "src/n.py:2:proc-unacked",
                          NULL};
    expect_both_modes(want, 1);
}

static void test_backslash_path_in_allowlist_is_a_syntax_error(void **state)
{
    (void)state;
    fixture("backslash");
    result r = run("--format", "json", (char *)NULL);
    const char *want[] = {"allowlist/proc.allow:1:allowlist-syntax", NULL};
    expect_findings(&r, want);
    assert_int_equal(r.code, 2);
    assert_non_null(strstr(
        json_str(finding(&r, "allowlist/proc.allow", 1, "allowlist-syntax"),
                 "message"),
        "src/x.c"));
    result_free(&r);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_c_sites_direct_macro_concat_format_ifdef_header_outside),
        T(test_mentions_and_processes_are_not_findings),
        T(test_text_format_is_gcc_style_with_caret),
        T(test_every_ack_placement_and_rule),
        T(test_partial_run_skips_stale_entries_and_other_files),
        T(test_without_build_dir_tree_sitter_checks_everything),
        T(test_python_str_bytes_fstring_path_join_and_shebang),
        T(test_clean_repository_exits_zero),
        T(test_ignore_file_leaves_files_out_entirely),
        T(test_malformed_allowlist_exits_2_naming_each_line),
        T(test_malformed_ignore_file_exits_2),
        T(test_file_libclang_cannot_parse_exits_2_with_reason),
        T(test_missing_explicit_allowlist_exits_2),
        T(test_missing_default_allowlist_is_empty),
        T(test_usage_errors_exit_2_and_help_lists_rules),
        T(test_sarif_has_required_fields_and_repo_relative_uris),
        T(test_sarif_acked_allowlisted_site_is_suppressed_in_source),
        T(test_sarif_file_option_writes_sarif_beside_text),
        T(test_one_allowlist_passes_both_modes),
        T(test_cross_file_macro_only_inactive_or_unbuilt_is_a_site),
        T(test_ack_at_empty_macro_does_not_cover_concatenated_literal),
        T(test_p_sites_contain_tree_sitter_sites_on_every_fixture),
        T(test_p_sites_contain_tree_sitter_sites_on_generated_corpus),
        T(test_cpp_database_tu_header_outside_and_inactive_branch),
        T(test_named_cpp_file_is_checked),
        T(test_every_file_a_tu_reads_is_checked_at_its_own_path),
        T(test_clang_errors_degrade_to_tree_sitter_with_a_warning),
        T(test_response_files_are_expanded_nested_and_quoted),
        T(test_line_marker_cannot_make_a_repo_file_a_system_header),
        T(test_unsupported_database_languages_are_named),
        T(test_named_file_procguard_cannot_check_exits_2),
        T(test_run_that_checked_nothing_says_so),
        T(test_path_equal_to_root_is_a_whole_repository_run),
        T(test_unreadable_directory_in_walk_exits_2),
        T(test_bom_crlf_splice_and_python_named_escapes),
        T(test_backslash_path_in_allowlist_is_a_syntax_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
