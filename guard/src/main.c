/*
 * main.c - procguard: options, then the flow of DESIGN.md:
 * sources -> clang_pass / ts_pass -> acks + allowlist (judge) -> report ->
 * exit code (0 clean, 1 findings, 2 usage, configuration or tool errors).
 */
#define _DEFAULT_SOURCE /* realpath, sysconf's _SC_NPROCESSORS_ONLN */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acks.h"
#include "allowlist.h"
#include "baseline.h"
#include "clang_pass.h"
#include "compdb.h"
#include "config.h"
#include "fix.h"
#include "judge.h"
#include "libclang.h"
#include "pg.h"
#include "report.h"
#include "sources.h"
#include "ts_pass.h"

#ifndef PG_VERSION
#define PG_VERSION "0.1.0"
#endif
#ifndef PG_INFORMATION_URI
#define PG_INFORMATION_URI "https://github.com/procid/procid"
#endif

enum { EXIT_CLEAN = 0, EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

static const char usage_text[] =
    "Usage: procguard [OPTION]... [PATH]...\n"
    "Keep raw /proc access confined to acknowledged, allowlisted sites.\n"
    "\n"
    "procguard finds every C, C++ and Python string literal whose value is\n"
    "/proc or starts with /proc/ (format strings included) and requires each\n"
    "one to be\n"
    "  - acknowledged: a comment 'portability: <reason>' on its line, or\n"
    "    alone on the line directly above it (for a literal reached through\n"
    "    a macro, at the macro's definition also counts, for the text that\n"
    "    macro contributes), and\n"
    "  - allowlisted: its file matches an entry of the allowlist.\n"
    "\n"
    "Sites: every such literal spelled in a checked file, in every mode\n"
    "(active code, inactive #if branches, #define bodies); with -p, each\n"
    "active expansion that yields one (macro, concatenation, -D) is a site\n"
    "too, at the expansion. So -p finds every site the plain run finds.\n"
    "\n"
    "With no PATH the whole repository is checked: the files git tracks "
    "(every\n"
    "file, skipping .git and build directories, outside git). With PATHs only\n"
    "those files, directories walked: a partial run, which skips the\n"
    "whole-repository rule allowlist-stale.\n"
    "\n"
    "Options:\n"
    "  -p, --build-dir=DIR    read DIR/compile_commands.json (@response files\n"
    "                         expanded) and parse its C and C++ translation\n"
    "                         units with libclang; every repository file they\n"
    "                         read is checked. tree-sitter reads every "
    "checked\n"
    "                         file whole in both modes.\n"
    "      --allowlist=FILE   the allowlist (default: allowlist/proc.allow at\n"
    "                         the repository root; a missing default is "
    "empty)\n"
    "      --ignore=FILE      files not to check at all (default:\n"
    "                         allowlist/proc.ignore at the repository root)\n"
    "      --format=FORMAT    text (default), json or sarif, on stdout\n"
    "      --sarif=FILE       also write SARIF 2.1.0 to FILE\n"
    "  -j, --jobs=N           libclang worker threads (default: CPUs online)\n"
    "      --resource-dir=DIR clang resource directory for libclang (default:\n"
    "                         from 'clang -print-resource-dir' or beside\n"
    "                         libclang)\n"
    "      --list-rules       print the rule ids with a one-line description\n"
    "      --config=FILE      the configuration file (default: .procguard in\n"
    "                         the working directory or the nearest one above\n"
    "                         it, up to the repository root)\n"
    "      --print-config     print the effective settings and where each\n"
    "                         came from, then exit\n"
    "      --write-baseline=FILE  record every finding of this run in FILE\n"
    "                         (plain text, sorted) and report them as\n"
    "                         baselined; whole-repository runs only\n"
    "      --baseline=FILE    do not report the findings FILE records; an\n"
    "                         entry that matches nothing is baseline-stale.\n"
    "                         A finding is matched by rule, path, literal\n"
    "                         value and its line's text without blanks, so\n"
    "                         lines moving or re-indented keep matching\n"
    "      --fix              insert the missing acknowledgements (at the end\n"
    "                         of the site's line in the file's comment style,\n"
    "                         at the macro's definition for a macro) and\n"
    "                         append the missing allowlist entries, then\n"
    "                         check again; a file changed since it was read\n"
    "                         is left alone (exit 2). Needs --reason\n"
    "      --reason=TEXT      the reason --fix writes into each ack and entry\n"
    "  -h, --help             print this help\n"
    "  -V, --version          print the version\n"
    "\n"
    "Allowlist and ignore file: one '<path-or-glob> <reason>' per line, '#'\n"
    "comment lines, blank lines. Paths are relative to the repository root;\n"
    "'*' and '?' stay within a path segment, '**' spans segments, [a-z] is a\n"
    "class. A line without a reason, or with a malformed glob, is an error.\n"
    "\n"
    "Configuration file (.procguard): 'key = value' lines, '#' comments;\n"
    "paths relative to the file's directory; options on the command line win:\n"
    "  allowlist = FILE    ignore = FILE    baseline = FILE\n"
    "  ack-keyword = WORD  the ack marker is 'WORD:' (default portability)\n"
    "  build-dir = DIR     -p for whole-repository runs given no -p\n"
    "  extensions = .EXT=LANG ...   more files to check (c, c++, python)\n"
    "  disable = RULE ...  rules not reported (not parse-error or\n"
    "                      allowlist-syntax)\n"
    "A malformed line is an error naming FILE:LINE (exit 2).\n"
    "\n"
    "Exit status:\n"
    "  0  no findings\n"
    "  1  findings\n"
    "  2  usage, configuration or environment error, or a file that could not\n"
    "     be checked (libclang fatal errors, a named file that is not C, C++\n"
    "     or Python, a directory the walk cannot read)\n"
    "Warnings (parse-degraded, unsupported-language, no file checked) are\n"
    "printed and counted but do not change the exit status.\n";

typedef struct options {
    const char *build_dir, *allowlist, *ignore, *resource_dir, *sarif;
    const char *baseline, *write_baseline, *reason; /* adoption */
    int fix;
    const char *config; /* --config */
    int print_config;
    pg_format format;
    int jobs;
    char **paths;
    size_t npaths;
} options;

static int usage_error(const char *fmt, const char *arg)
{
    fputs("procguard: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'procguard --help' for more information.\n", stderr);
    return EXIT_TROUBLE;
}

static void list_rules(void)
{
    for (int r = 0; r < PG_RULE_COUNT; r++) {
        const pg_rule_info *ri = pg_rule_get((pg_rule)r);
        printf("%-22s %s\n", ri->id, ri->brief);
    }
}

/* The adoption options together: -1 when they make sense, else 2. */
static int check_adoption(const options *o)
{
    if (o->fix && o->reason == NULL)
        return usage_error("%s needs --reason \"why these /proc accesses are "
                           "needed\": it is written into every ack and entry",
                           "--fix");
    if (o->reason != NULL && !o->fix)
        return usage_error("%s is the reason --fix writes; give --fix too",
                           "--reason");
    if (o->reason != NULL) {
        const char *r = o->reason + strspn(o->reason, " \t");
        if (*r == '\0' || strpbrk(r, "\n\r") || strstr(r, "*/"))
            return usage_error("--reason '%s' must be one line of text, "
                               "without '*/'",
                               o->reason);
    }
    if (o->write_baseline != NULL && o->npaths > 0)
        return usage_error("%s records the whole repository: give no PATH",
                           "--write-baseline");
    return -1;
}

/* -1: parsed, go on; otherwise the exit code. */
static int parse_options(int argc, char **argv, options *o)
{
    enum {
        O_ALLOW = 256,
        O_IGNORE,
        O_FORMAT,
        O_RES,
        O_RULES,
        O_SARIF,
        O_BASE,
        O_WBASE,
        O_FIX,
        O_REASON,
        O_CONFIG,
        O_PRINT_CONFIG
    };
    static const struct option longs[] = {
        {"build-dir", required_argument, NULL, 'p'},
        {"allowlist", required_argument, NULL, O_ALLOW},
        {"ignore", required_argument, NULL, O_IGNORE},
        {"format", required_argument, NULL, O_FORMAT},
        {"sarif", required_argument, NULL, O_SARIF},
        {"jobs", required_argument, NULL, 'j'},
        {"resource-dir", required_argument, NULL, O_RES},
        {"list-rules", no_argument, NULL, O_RULES},
        {"baseline", required_argument, NULL, O_BASE},
        {"write-baseline", required_argument, NULL, O_WBASE},
        {"fix", no_argument, NULL, O_FIX},
        {"reason", required_argument, NULL, O_REASON},
        {"config", required_argument, NULL, O_CONFIG},
        {"print-config", no_argument, NULL, O_PRINT_CONFIG},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cpus > 0 ? (int)cpus : 1;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":p:j:hV", longs, NULL)) != -1) {
        switch (c) {
        case 'p': o->build_dir = optarg; break;
        case O_ALLOW: o->allowlist = optarg; break;
        case O_IGNORE: o->ignore = optarg; break;
        case O_RES: o->resource_dir = optarg; break;
        case O_SARIF: o->sarif = optarg; break;
        case O_BASE: o->baseline = optarg; break;
        case O_WBASE: o->write_baseline = optarg; break;
        case O_FIX: o->fix = 1; break;
        case O_REASON: o->reason = optarg; break;
        case O_CONFIG: o->config = optarg; break;
        case O_PRINT_CONFIG: o->print_config = 1; break;
        case O_FORMAT:
            if (strcmp(optarg, "text") == 0)
                o->format = PG_FMT_TEXT;
            else if (strcmp(optarg, "json") == 0)
                o->format = PG_FMT_JSON;
            else if (strcmp(optarg, "sarif") == 0)
                o->format = PG_FMT_SARIF;
            else
                return usage_error("unknown format '%s' (text, json, sarif)",
                                   optarg);
            break;
        case 'j': {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 1 || n > 1024)
                return usage_error("-j wants a number from 1 to 1024, not '%s'",
                                   optarg);
            o->jobs = (int)n;
            break;
        }
        case O_RULES: list_rules(); return EXIT_CLEAN;
        case 'h': fputs(usage_text, stdout); return EXIT_CLEAN;
        case 'V': printf("procguard %s\n", PG_VERSION); return EXIT_CLEAN;
        case ':':
            return usage_error("option '%s' needs an argument",
                               argv[optind - 1]);
        default: return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    o->paths = argv + optind;
    o->npaths = (size_t)(argc - optind);
    return check_adoption(o);
}

/* Everything one run owns, freed in one place. */
typedef struct run {
    options opt;
    char *root;
    int in_git;
    char *allow_rel, *ignore_rel; /* as reported */
    char *allow_text;             /* the allowlist as read (fix-its) */
    size_t allow_len;
    char *base_rel; /* the baseline as reported, or NULL */
    char *cfg_path; /* the configuration file read, or NULL */
    pg_config cfg;
    char *cfg_owned[PG_CFG_COUNT]; /* its paths, resolved */
    char keyword[80];              /* the ack marker with its colon */
    int fixed;                     /* --fix changed files: check again */
    int fix_refused;               /* --fix left a changed file alone: exit 2 */
    pg_patlist allow, ignore;
    pg_files files;
    pg_texts texts;
    pg_sites sites;
    pg_findings findings;
    size_t nclang, nts; /* what each pass read */
    int trouble;        /* exit 2 */
} run;

static void add_error(run *r, const char *path, unsigned line, unsigned col,
                      pg_rule rule, const char *msg)
{
    pg_finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.path = (char *)path;
    f.line = line;
    f.col = col;
    f.message = (char *)msg;
    if (path != NULL && line > 0) {
        f.srcline = pg_text_line(pg_texts_get(&r->texts, path), line);
        f.end_col = f.srcline ? (unsigned)strlen(f.srcline) + 1 : 0;
    }
    pg_findings_add(&r->findings, &f);
    free(f.srcline);
    r->trouble = 1;
}

static void add_warning(run *r, const char *path, unsigned line, unsigned col,
                        pg_rule rule, const char *msg)
{
    pg_finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.path = (char *)path;
    f.line = line;
    f.col = col;
    f.message = (char *)msg;
    f.srcline = pg_text_line(pg_texts_get(&r->texts, path), line);
    f.end_col = f.srcline ? (unsigned)strlen(f.srcline) + 1 : 0;
    if (f.end_col <= f.col)
        f.end_col = f.col + 1;
    pg_findings_add(&r->findings, &f);
    free(f.srcline);
}

/* The path of a given file as findings name it: repository-relative when it
   lies in the repository, else as given. */
static char *report_path(const char *root, const char *given)
{
    char *abs = realpath(given, NULL);
    const char *rel = abs ? pg_relative_to(root, abs) : NULL;
    char *r = pg_strdup(rel ? rel : given);
    free(abs);
    return r;
}

/* Load an allowlist-format file: explicit (must exist) or the default
   (missing means empty). Syntax errors become findings. 0, or -1 when an
   explicit file is missing. */
static int load_patlist(run *r, const char *given, const char *deflt,
                        pg_patlist *out, char **shown, char **keep,
                        size_t *keep_len)
{
    char *path;
    if (given) {
        path = pg_strdup(given);
    } else if (deflt[0] == '/') { /* configured outside the repository */
        path = pg_strdup(deflt);
    } else {
        path = pg_xrealloc(NULL, strlen(r->root) + strlen(deflt) + 2);
        sprintf(path, "%s/%s", r->root, deflt);
    }
    *shown = given ? report_path(r->root, given) : pg_strdup(deflt);
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    pg_error err;
    if (pg_read_file(path, &text, &len, &err) != 0) {
        int missing = errno == ENOENT && given == NULL;
        free(path);
        if (missing)
            return 0;
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    free(path);
    pg_patlist_parse(text, len, out);
    if (keep != NULL) {
        *keep = text;
        *keep_len = len;
    } else {
        free(text);
    }
    for (size_t i = 0; i < out->nerrs; i++)
        add_error(r, *shown, out->errs[i].line, out->errs[i].col,
                  PG_RULE_ALLOWLIST_SYNTAX, out->errs[i].msg);
    return 0;
}

typedef struct want_ctx {
    const char *root;
    const pg_files *files;
} want_ctx;

static long find_abs(const char *root, const pg_files *files, const char *abs)
{
    const char *rel = pg_relative_to(root, abs);
    long i = rel ? pg_files_find(files, rel) : -1;
    if (i < 0) { /* the database may name the file through a symlink */
        char *real = realpath(abs, NULL);
        rel = real ? pg_relative_to(root, real) : NULL;
        i = rel ? pg_files_find(files, rel) : -1;
        free(real);
    }
    return i;
}

static int want_entry(const char *abspath, void *ctx)
{
    const want_ctx *w = ctx;
    long i = find_abs(w->root, w->files, abspath);
    return i >= 0 && (w->files->v[i].lang == PG_LANG_C ||
                      w->files->v[i].lang == PG_LANG_CPP);
}

static void load_texts(run *r)
{
    /* texts[i] is files[i]: the judge appends macro homes after them */
    r->texts.root = r->root;
    r->texts.v = pg_xrealloc(r->texts.v, (r->files.n + 1) * sizeof *r->texts.v);
    r->texts.n = r->files.n;
    for (size_t i = 0; i < r->files.n; i++) {
        pg_text *t = &r->texts.v[i];
        memset(t, 0, sizeof *t);
        t->path = pg_strdup(r->files.v[i].path);
        t->lang = r->files.v[i].lang;
        t->checked = 1;
        char *abs = pg_xrealloc(NULL, strlen(r->root) + strlen(t->path) + 2);
        sprintf(abs, "%s/%s", r->root, t->path);
        pg_error err;
        if (pg_read_file(abs, &t->text, &t->len, &err) != 0) {
            t->text = NULL;
            /* a tracked file deleted in the work tree has nothing to check */
            if (errno != ENOENT)
                add_error(r, t->path, 0, 0, PG_RULE_PARSE_ERROR, err.msg);
        }
        free(abs);
    }
}

static void ts_scan(run *r, size_t i, const pg_range *ranges, size_t n)
{
    pg_text *t = &r->texts.v[i];
    if (t->text == NULL)
        return;
    r->nts++;
    pg_error err;
    err.msg[0] = '\0';
    if (pg_ts_scan(t->path, t->text, t->len, t->lang, ranges, n, &r->sites,
                   &err) != 0)
        add_error(r, t->path, 0, 0, PG_RULE_PARSE_ERROR,
                  err.msg[0] ? err.msg
                             : "tree-sitter could not parse the file");
}

/* Database entries in languages procguard does not check: one warning
   each, at the file (so nothing is skipped without a message). */
static void warn_unsupported(run *r, const pg_compdb *db)
{
    for (size_t i = 0; i < db->n; i++) {
        const char *lang = pg_cc_unsupported_language(&db->v[i]);
        if (lang == NULL)
            continue;
        const char *rel = pg_relative_to(r->root, db->v[i].file);
        char msg[512];
        snprintf(msg, sizeof msg,
                 "compile database entry in %s: procguard checks C, C++ and "
                 "Python only, so this file was not checked",
                 lang);
        add_warning(r, rel ? rel : db->v[i].file, 1, 1,
                    PG_RULE_UNSUPPORTED_LANGUAGE, msg);
    }
}

static int cmp_file(const void *a, const void *b)
{
    return strcmp(((const pg_file *)a)->path, ((const pg_file *)b)->path);
}

/* A whole-repository run checks every repository file a translation unit
   read, whatever its extension (.inc, .def, generated headers), unless the
   ignore file leaves it out. */
static void add_reached(run *r, const pg_clang_out *out)
{
    if (r->files.partial)
        return;
    size_t before = r->files.n;
    for (size_t k = 0; k < out->nfiles; k++) {
        const char *rel = pg_relative_to(r->root, out->files[k].abspath);
        if (rel == NULL ||
            find_abs(r->root, &r->files, out->files[k].abspath) >= 0)
            continue;
        if (pg_patlist_match(&r->ignore, rel) >= 0)
            continue;
        pg_lang l = pg_lang_by_ext(&r->cfg.ext, rel);
        if (l == PG_LANG_OTHER)
            l = pg_lang_of(rel, NULL, 0);
        r->files.v =
            pg_xrealloc(r->files.v, (r->files.n + 1) * sizeof *r->files.v);
        r->files.v[r->files.n].path = pg_strdup(rel);
        /* not C, C++ or Python by name: read as C, like its includer */
        r->files.v[r->files.n].lang = l == PG_LANG_OTHER ? PG_LANG_C : l;
        r->files.n++;
    }
    if (r->files.n > before)
        qsort(r->files.v, r->files.n, sizeof *r->files.v, cmp_file);
}

static void warn_degraded(run *r, const pg_clang_out *out)
{
    for (size_t i = 0; i < out->ndegraded; i++) {
        const pg_degraded *d = &out->degraded[i];
        if (pg_files_find(&r->files, d->path) < 0)
            continue;
        char msg[1024];
        snprintf(msg, sizeof msg,
                 "libclang reported an error here (%s): code around it may "
                 "have been dropped, so tree-sitter read the whole file; fix "
                 "the error or the compile database entry",
                 d->msg);
        add_warning(r, d->path, d->line, d->col, PG_RULE_PARSE_DEGRADED, msg);
    }
}

/* -p: libclang over the database's translation units that are checked;
   tree-sitter over every checked file, whole. 0, or -1 when the run cannot
   go on. */
/* The compile database and libclang, opened only with -p (a run without it
   never pays for either). 0, or -1 after saying why on stderr. */
static int open_database(run *r, pg_compdb *db, char **dbpath)
{
    *dbpath = pg_xrealloc(NULL, strlen(r->opt.build_dir) + 32);
    sprintf(*dbpath, "%s/compile_commands.json", r->opt.build_dir);
    pg_error err;
    err.msg[0] = '\0';
    if (pg_compdb_load(*dbpath, db, &err) != 0) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    if (pg_libclang_load(&err) != 0) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        pg_compdb_free(db);
        return -1;
    }
    return 0;
}

/* libclang's sites in checked files (an ignored header stays ignored, a
   partial run reports only what it was given), which files it saw whole,
   and where it stumbled. */
static void take_clang(run *r, const pg_clang_out *out)
{
    for (size_t i = 0; i < out->sites.n; i++)
        if (pg_files_find(&r->files, out->sites.v[i].path) >= 0)
            pg_sites_add(&r->sites, &out->sites.v[i]);
    /* a file parsed with nothing skipped and no error has no site this run
       missed: its allowlist entry may be called stale */
    for (size_t k = 0; k < out->nfiles; k++) {
        long i = find_abs(r->root, &r->files, out->files[k].abspath);
        if (i >= 0 && out->files[k].nskipped == 0)
            r->texts.v[i].whole = 1;
    }
    for (size_t i = 0; i < out->ndegraded; i++) {
        long k = pg_files_find(&r->files, out->degraded[i].path);
        if (k >= 0)
            r->texts.v[k].whole = 0;
    }
    warn_degraded(r, out);
}

/* -p: libclang over the database's C and C++ translation units that are
   checked, adding the expansion sites; tree-sitter over every checked file,
   whole, as without -p (so every spelled literal is a site in both modes).
   0, or -1 when the run cannot go on. */
static int semantic_pass(run *r)
{
    pg_compdb db;
    char *dbpath;
    if (open_database(r, &db, &dbpath) != 0) {
        free(dbpath);
        return -1;
    }
    want_ctx w = {r->root, &r->files};
    pg_clang_out out;
    memset(&out, 0, sizeof out);
    pg_error err;
    err.msg[0] = '\0';
    int rc = pg_clang_run(&db, r->root, r->opt.resource_dir, want_entry, &w,
                          r->opt.jobs, &out, &err);
    if (rc != 0) { /* located at the failing file, else at the database */
        char *db_rel = report_path(r->root, dbpath);
        add_error(r, out.fail_path ? out.fail_path : db_rel,
                  out.fail_path ? out.fail_line : 1,
                  out.fail_path ? out.fail_col : 1, PG_RULE_PARSE_ERROR,
                  err.msg[0] ? err.msg : "libclang failed");
        free(db_rel);
    } else {
        r->nclang = out.ntus;
        add_reached(r, &out);
        load_texts(r);
        warn_unsupported(r, &db);
        take_clang(r, &out);
        for (size_t i = 0; i < r->files.n; i++)
            ts_scan(r, i, NULL, 0);
    }
    pg_clang_out_free(&out);
    pg_compdb_free(&db);
    free(dbpath);
    return 0;
}

static int finish(run *r)
{
    int code = r->trouble                        ? EXIT_TROUBLE
               : pg_findings_count(&r->findings) ? EXIT_FINDINGS
                                                 : EXIT_CLEAN;
    pg_findings_sort(&r->findings);
    pg_run_info info = {PG_VERSION,       r->root,
                        r->files.partial, code,
                        r->files.n,       r->nclang,
                        r->nts,           r->files.nignored,
                        r->allow_rel,     PG_INFORMATION_URI,
                        r->base_rel};
    if (r->files.n == 0 && code != EXIT_TROUBLE)
        fprintf(stderr,
                "procguard: warning: no files were checked: none of the "
                "files %s is C, C++ or Python (or all are ignored)\n",
                r->files.partial ? "given" : "in the repository");
    pg_report(stdout, stderr, r->opt.format, &r->findings, &info);
    if (r->opt.sarif != NULL) {
        FILE *f = fopen(r->opt.sarif, "w");
        if (f == NULL) {
            fprintf(stderr, "procguard: cannot write '%s': %s\n", r->opt.sarif,
                    strerror(errno));
            return EXIT_TROUBLE;
        }
        pg_report(f, NULL, PG_FMT_SARIF, &r->findings, &info);
        if (fclose(f) != 0) {
            fprintf(stderr, "procguard: cannot write '%s': %s\n", r->opt.sarif,
                    strerror(errno));
            return EXIT_TROUBLE;
        }
    }
    return code;
}

/* 1 if libclang read `path` whole this run: every expansion site it can
   hold was seen. */
static int parsed_whole(const char *path, void *ctx)
{
    pg_texts *t = ctx;
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].path, path) == 0)
            return t->v[i].whole;
    return 0;
}

/* The baseline: --write-baseline records today's findings (and reports
   them as baselined), --baseline hides the ones recorded. 0, or -1 after
   saying why on stderr. */
static int baseline_stage(run *r)
{
    const char *given =
        r->opt.write_baseline ? r->opt.write_baseline : r->opt.baseline;
    if (given == NULL)
        return 0;
    char *text;
    size_t len;
    pg_error err;
    if (r->opt.write_baseline != NULL) {
        text = pg_baseline_format(&r->findings);
        len = strlen(text);
        FILE *f = fopen(given, "w");
        int bad = f == NULL || fwrite(text, 1, len, f) != len;
        if (f != NULL && fclose(f) != 0)
            bad = 1;
        if (bad) {
            fprintf(stderr, "procguard: cannot write '%s': %s\n", given,
                    strerror(errno));
            free(text);
            return -1;
        }
    } else if (pg_read_file(given, &text, &len, &err) != 0) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    pg_baseline b;
    pg_baseline_parse(text, len, &b);
    free(text);
    r->base_rel = report_path(r->root, given);
    for (size_t i = 0; i < b.nerrs; i++)
        fprintf(stderr, "%s:%u:%u: error: %s [baseline-syntax]\n", r->base_rel,
                b.errs[i].line, b.errs[i].col, b.errs[i].msg);
    int rc = b.nerrs ? -1 : 0;
    size_t w = 0; /* entries of disabled rules are neither used nor stale */
    for (size_t i = 0; i < b.n; i++) {
        if (!r->cfg.disabled[b.v[i].rule]) {
            b.v[w++] = b.v[i];
            continue;
        }
        free(b.v[i].path);
        free(b.v[i].value);
    }
    b.n = w;
    if (rc == 0)
        pg_baseline_apply(&b, &r->findings, r->base_rel, r->files.partial,
                          parsed_whole, &r->texts);
    pg_baseline_free(&b);
    return rc;
}

/* Fix-its: every unacknowledged or unlisted site carries its fix; --fix
   applies them, says what changed, and has the run checked again. */
static int fix_stage(run *r)
{
    char *allow = pg_strdup(r->allow_rel);
    pg_fix_in in = {&r->texts, r->opt.reason, r->keyword,
                    allow,     r->allow_text, r->allow_len};
    pg_fix_plan(&in, &r->findings);
    if (!r->opt.fix) {
        free(allow);
        return finish(r);
    }
    pg_fix_log log;
    pg_fix_apply(&in, &r->findings, r->root, &log);
    free(allow);
    for (size_t i = 0; i < log.n; i++)
        fprintf(stderr, "procguard: fix: %s\n", log.lines[i]);
    if (log.changed == 0 && !log.refused)
        fputs("procguard: fix: nothing to fix\n", stderr);
    r->fixed = log.changed > 0;
    r->fix_refused = log.refused;
    pg_fix_log_free(&log);
    if (r->fixed) /* main checks again and reports that */
        return EXIT_CLEAN;
    int code = finish(r);
    return r->fix_refused ? EXIT_TROUBLE : code;
}

static void run_free(run *r)
{
    free(r->root);
    free(r->allow_rel);
    free(r->ignore_rel);
    free(r->allow_text);
    free(r->base_rel);
    free(r->cfg_path);
    pg_config_free(&r->cfg);
    for (int k = 0; k < PG_CFG_COUNT; k++)
        free(r->cfg_owned[k]);
    pg_patlist_free(&r->allow);
    pg_patlist_free(&r->ignore);
    pg_files_free(&r->files);
    pg_texts_free(&r->texts);
    pg_sites_free(&r->sites);
    pg_findings_free(&r->findings);
}

/* The configured value of key k, resolved: a path relative to the
   configuration file's directory becomes repository-relative (absolute
   outside the repository). NULL when not configured. */
static char *resolve_path(run *r, pg_cfg_key k)
{
    const char *v = r->cfg.value[k];
    if (v == NULL)
        return NULL;
    char *abs;
    if (v[0] == '/') {
        abs = pg_strdup(v);
    } else {
        const char *slash = strrchr(r->cfg_path, '/');
        size_t dl = slash ? (size_t)(slash - r->cfg_path) : 1;
        abs = pg_xrealloc(NULL, dl + strlen(v) + 2);
        sprintf(abs, "%.*s/%s", (int)dl, slash ? r->cfg_path : ".", v);
    }
    const char *rel = pg_relative_to(r->root, abs);
    char *out = pg_strdup(rel ? rel : abs);
    free(abs);
    return out;
}

static const char *const defaults[PG_CFG_COUNT] = {"allowlist/proc.allow",
                                                   "allowlist/proc.ignore",
                                                   NULL,
                                                   "portability",
                                                   NULL,
                                                   NULL,
                                                   NULL};

/* The value of key k in force: configured, else the default. */
static const char *setting(const run *r, pg_cfg_key k)
{
    if (r->cfg_owned[k] != NULL)
        return r->cfg_owned[k];
    return r->cfg.value[k] ? r->cfg.value[k] : defaults[k];
}

/* Read the configuration file (--config, else .procguard found upwards)
   and fold it into the options the command line left unset. 0, or -1
   after naming every malformed line. */
static int config_stage(run *r)
{
    snprintf(r->keyword, sizeof r->keyword, "%s", PG_ACK_KEYWORD);
    if (r->opt.config != NULL) {
        r->cfg_path = realpath(r->opt.config, NULL);
        if (r->cfg_path == NULL) {
            fprintf(stderr, "procguard: cannot read '%s': %s\n", r->opt.config,
                    strerror(errno));
            return -1;
        }
    } else {
        char *cwd = getcwd(NULL, 0);
        if (cwd != NULL)
            pg_config_find(cwd, r->root, &r->cfg_path);
        free(cwd);
    }
    if (r->cfg_path == NULL)
        return 0;
    char *text;
    size_t len;
    pg_error err;
    if (pg_read_file(r->cfg_path, &text, &len, &err) != 0) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    pg_config_parse(text, len, &r->cfg);
    free(text);
    char *shown = report_path(r->root, r->cfg_path);
    for (size_t i = 0; i < r->cfg.nerrs; i++)
        fprintf(stderr, "%s:%u:%u: error: %s [config-syntax]\n", shown,
                r->cfg.errs[i].line, r->cfg.errs[i].col, r->cfg.errs[i].msg);
    free(shown);
    if (r->cfg.nerrs > 0)
        return -1;
    static const pg_cfg_key paths[] = {PG_CFG_ALLOWLIST, PG_CFG_IGNORE,
                                       PG_CFG_BASELINE, PG_CFG_BUILD_DIR};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        r->cfg_owned[paths[i]] = resolve_path(r, paths[i]);
    if (r->opt.baseline == NULL && r->opt.write_baseline == NULL)
        r->opt.baseline = r->cfg_owned[PG_CFG_BASELINE];
    if (r->opt.build_dir == NULL && r->opt.npaths == 0)
        r->opt.build_dir = r->cfg_owned[PG_CFG_BUILD_DIR];
    snprintf(r->keyword, sizeof r->keyword, "%s:", setting(r, PG_CFG_KEYWORD));
    return 0;
}

/* --print-config: each setting, its value in force and where it came from
   ("command line", FILE:LINE or "default"). */
static int print_config(const run *r)
{
    const char *given[PG_CFG_COUNT] = {r->opt.allowlist,
                                       r->opt.ignore,
                                       r->opt.baseline,
                                       NULL,
                                       r->opt.build_dir,
                                       NULL,
                                       NULL};
    char *shown = r->cfg_path ? report_path(r->root, r->cfg_path) : NULL;
    printf("# configuration file: %s\n", r->cfg_path ? r->cfg_path : "none");
    printf("# repository root: %s\n", r->root);
    for (int k = 0; k < PG_CFG_COUNT; k++) {
        const char *v = setting(r, (pg_cfg_key)k);
        int cmdline = given[k] != NULL && given[k] != r->cfg_owned[k];
        char from[PATH_MAX + 32];
        if (cmdline)
            snprintf(from, sizeof from, "command line");
        else if (r->cfg.value[k] != NULL)
            snprintf(from, sizeof from, "%s:%u", shown, r->cfg.line[k]);
        else
            snprintf(from, sizeof from, "default");
        printf("%-11s = %-30s # %s\n", pg_config_key((pg_cfg_key)k),
               cmdline ? given[k]
               : v     ? v
                       : "",
               from);
    }
    free(shown);
    return EXIT_CLEAN;
}

/* The repository root: git's, of the working directory or else of the
   first PATH. 0, or -1 after saying why. */
static int find_root(run *r)
{
    pg_error err;
    char hintbuf[PATH_MAX];
    hintbuf[0] = '\0';
    if (r->opt.npaths > 0) {
        /* outside git, a PATH inside a repository still names its root */
        char *real = realpath(r->opt.paths[0], NULL);
        if (real != NULL) {
            char *slash = strrchr(real, '/');
            if (slash != NULL && slash != real)
                *slash = '\0';
            snprintf(hintbuf, sizeof hintbuf, "%s", real);
            free(real);
        }
    }
    if (pg_repo_root(NULL, &r->root, &r->in_git, &err) == 0 && !r->in_git &&
        hintbuf[0] != '\0') {
        char *alt = NULL;
        int alt_git = 0;
        if (pg_repo_root(hintbuf, &alt, &alt_git, &err) == 0) {
            if (alt_git) {
                free(r->root);
                r->root = alt;
                r->in_git = 1;
            } else {
                free(alt);
            }
        }
    }
    if (r->root == NULL) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    r->texts.root = r->root;
    return 0;
}

/* Disabled rules (configuration) are not reported. */
static void drop_disabled(run *r)
{
    size_t w = 0;
    for (size_t i = 0; i < r->findings.n; i++) {
        pg_finding *f = &r->findings.v[i];
        if (f->passed || !r->cfg.disabled[f->rule]) {
            r->findings.v[w++] = *f;
            continue;
        }
        pg_finding_clear(f);
    }
    r->findings.n = w;
}

static int check(run *r)
{
    pg_error err;
    if (find_root(r) != 0 || config_stage(r) != 0)
        return EXIT_TROUBLE;
    if (r->opt.print_config)
        return print_config(r);
    if (load_patlist(r, r->opt.allowlist, setting(r, PG_CFG_ALLOWLIST),
                     &r->allow, &r->allow_rel, &r->allow_text,
                     &r->allow_len) != 0 ||
        load_patlist(r, r->opt.ignore, setting(r, PG_CFG_IGNORE), &r->ignore,
                     &r->ignore_rel, NULL, NULL) != 0)
        return EXIT_TROUBLE;
    if (r->trouble) /* a malformed allowlist: judging with it would mislead */
        return finish(r);
    if (pg_sources_collect(r->root, r->in_git, r->opt.paths, r->opt.npaths,
                           &r->ignore, &r->cfg.ext, &r->files, &err) != 0) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return EXIT_TROUBLE;
    }
    if (r->opt.build_dir != NULL) {
        if (semantic_pass(r) != 0)
            return EXIT_TROUBLE;
    } else {
        load_texts(r);
        for (size_t i = 0; i < r->files.n; i++)
            ts_scan(r, i, NULL, 0);
    }
    if (r->trouble) /* an incomplete check must not look like a verdict */
        return finish(r);
    pg_sites_dedupe(&r->sites);
    pg_judge_in in = {&r->sites,    &r->texts,        &r->allow,
                      r->allow_rel, r->files.partial, r->keyword};
    pg_judge(&in, &r->findings);
    drop_disabled(r);
    pg_findings_sort(&r->findings);
    if (baseline_stage(r) != 0)
        return EXIT_TROUBLE;
    return fix_stage(r);
}

int main(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    int code = parse_options(argc, argv, &r.opt);
    if (code >= 0)
        return code;
    code = check(&r);
    if (r.fixed) { /* report the files as fixed */
        options o = r.opt;
        int refused = r.fix_refused;
        run_free(&r);
        memset(&r, 0, sizeof r);
        r.opt = o;
        r.opt.fix = 0;
        code = check(&r);
        if (refused)
            code = EXIT_TROUBLE;
    }
    run_free(&r);
    return code;
}
