/*
 * main.c - procguard: options, then the flow of DESIGN.md:
 * sources -> clang_pass / ts_pass -> acks + allowlist (judge) -> report ->
 * exit code (0 clean, 1 findings, 2 usage, configuration or tool errors).
 */
#define _DEFAULT_SOURCE /* realpath, sysconf's _SC_NPROCESSORS_ONLN */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acks.h"
#include "allowlist.h"
#include "baseline.h"
#include "cache.h"
#include "clang_pass.h"
#include "compdb.h"
#include "config.h"
#include "fix.h"
#include "judge.h"
#include "libclang.h"
#include "merge.h"
#include "pg.h"
#include "report.h"
#include "shard.h"
#include "sources.h"
#include "ts_cache.h"
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
    "      --cache-dir=DIR    keep results in DIR (default:\n"
    "                         $XDG_CACHE_HOME/procguard, else\n"
    "                         ~/.cache/procguard): a translation unit whose\n"
    "                         command and every file it read are unchanged,\n"
    "                         and a file whose content is unchanged, are not\n"
    "                         parsed again; acks and the allowlist are always\n"
    "                         judged afresh\n"
    "      --no-cache         neither read nor write the cache\n"
    "      --cache-size=SIZE  cap the cache at SIZE bytes (K, M, G suffixes;\n"
    "                         default 1G): least recently used entries go\n"
    "      --cache-stats      after the report, print on stderr the cache's\n"
    "                         hits, misses, corrupt entries rebuilt, entries\n"
    "                         and size, and how many translation units\n"
    "                         libclang and files tree-sitter parsed\n"
    "      --shard=K/N        check share K of N (by a hash of each "
    "translation\n"
    "                         unit's and file's path: every one in exactly "
    "one\n"
    "                         shard, stable as the tree grows); with\n"
    "                         --format json the report carries what\n"
    "                         'procguard merge' needs. A shard's own verdict\n"
    "                         covers its share and skips the whole-repository\n"
    "                         rules (ack-unused, allowlist-stale)\n"
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
    "procguard merge [--format=FORMAT] [--sarif=FILE] [--allowlist=FILE]\n"
    "                [--ignore=FILE] SHARD.json...\n"
    "  run at the root of the same checkout, combines the --format json\n"
    "  reports of shards 1/N..N/N (each exactly once) and prints exactly what\n"
    "  the unsharded run prints, whole-repository rules included.\n"
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
    const char *cache_dir; /* NULL: the default */
    int no_cache, cache_stats;
    uint64_t cache_size;
    pg_shard shard; /* n == 0: the whole run */
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
    if (o->write_baseline != NULL && (o->npaths > 0 || o->shard.n > 0))
        return usage_error("%s records the whole repository: give no PATH "
                           "and no --shard",
                           "--write-baseline");
    return -1;
}

/* --cache-size: a byte count with an optional K, M or G (binary). 0, or -1
   when it is not one. */
static int parse_size(const char *s, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(s, &end, 10);
    if (errno || end == s || s[0] == '-')
        return -1;
    int shift = *end == 'K' ? 10 : *end == 'M' ? 20 : *end == 'G' ? 30 : 0;
    if (shift)
        end++;
    if (*end != '\0' || n > (UINT64_MAX >> shift))
        return -1;
    *out = (uint64_t)n << shift;
    return 0;
}

/* The cache options (cache.h). -1: taken; otherwise the exit code. */
static int cache_option(int c, const char *arg, options *o)
{
    enum { O_CACHE_DIR = 300, O_NO_CACHE, O_CACHE_SIZE, O_CACHE_STATS };
    switch (c) {
    case O_CACHE_DIR: o->cache_dir = arg; break;
    case O_NO_CACHE: o->no_cache = 1; break;
    case O_CACHE_STATS: o->cache_stats = 1; break;
    case O_CACHE_SIZE:
        if (parse_size(arg, &o->cache_size) != 0)
            return usage_error("--cache-size wants a byte count such as "
                               "500M or 2G, not '%s'",
                               arg);
        break;
    default: return EXIT_TROUBLE;
    }
    return -1;
}

/* --shard K/N (shard.h). -1: taken; otherwise the exit code. */
static int shard_option(const char *arg, options *o)
{
    if (pg_shard_parse(arg, &o->shard) != 0)
        return usage_error("--shard wants K/N with 1 <= K <= N <= 4096, not "
                           "'%s'",
                           arg);
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
        {"cache-dir", required_argument, NULL, 300},
        {"no-cache", no_argument, NULL, 301},
        {"cache-size", required_argument, NULL, 302},
        {"cache-stats", no_argument, NULL, 303},
        {"shard", required_argument, NULL, 310},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};
    memset(o, 0, sizeof *o);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    o->jobs = cpus > 0 ? (int)cpus : 1;
    o->cache_size = (uint64_t)1 << 30;
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
        case 300:
        case 301:
        case 302:
        case 303: {
            int rc = cache_option(c, optarg, o);
            if (rc >= 0)
                return rc;
            break;
        }
        case 310: {
            int rc = shard_option(optarg, o);
            if (rc >= 0)
                return rc;
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
    pg_cache cache;     /* cache.dir NULL: no cache */
    char *cache_why;    /* why the default cache is not used, or NULL */
    /* --shard: the repository's files (sorted; reached files are not among
       them), where tree-sitter's sites start in `sites`, and the state the
       JSON report carries for merge */
    char **base;
    size_t nbase, ts_from;
    pg_shard_state state;
    char *state_text;
} run;

/* A finding of the run itself (an error, or a warning that does not change
   the verdict), with its source line when the file was read. */
static void add_run_finding(run *r, const char *path, unsigned line,
                            unsigned col, pg_rule rule, const char *msg,
                            int warning)
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
    if (warning && f.end_col <= f.col)
        f.end_col = f.col + 1;
    pg_findings_add(&r->findings, &f);
    free(f.srcline);
    if (!warning)
        r->trouble = 1;
}

static void add_error(run *r, const char *path, unsigned line, unsigned col,
                      pg_rule rule, const char *msg)
{
    add_run_finding(r, path, line, col, rule, msg, 0);
}

static void add_warning(run *r, const char *path, unsigned line, unsigned col,
                        pg_rule rule, const char *msg)
{
    add_run_finding(r, path, line, col, rule, msg, 1);
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
    const pg_shard *shard;
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
    return i >= 0 &&
           (w->files->v[i].lang == PG_LANG_C ||
            w->files->v[i].lang == PG_LANG_CPP) &&
           pg_shard_owns(w->shard, w->files->v[i].path);
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

static void ts_scan(run *r, size_t i)
{
    pg_text *t = &r->texts.v[i];
    if (t->text == NULL)
        return;
    r->nts++;
    pg_error err;
    err.msg[0] = '\0';
    if (pg_ts_scan_cached(r->cache.dir ? &r->cache : NULL, PG_VERSION, t->path,
                          t->text, t->len, t->lang, &r->sites, &err) != 0)
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

/* ---- --shard: this shard's share, and what merge needs ------------------ */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The repository's files, before the semantic pass adds reached ones. */
static void remember_base(run *r)
{
    if (r->opt.shard.n == 0)
        return;
    r->base = pg_xrealloc(NULL, (r->files.n + 1) * sizeof *r->base);
    for (size_t i = 0; i < r->files.n; i++)
        r->base[i] = pg_strdup(r->files.v[i].path);
    r->nbase = r->files.n;
}

static int is_base(const run *r, const char *path)
{
    return bsearch(&path, r->base, r->nbase, sizeof *r->base, cmp_str) != NULL;
}

/* A repository file is one shard's, by its path; a file only translation
   units reached is read by every shard that reached it (another shard
   might not). */
static int owns_file(const run *r, size_t i)
{
    const char *path = r->files.v[i].path;
    return r->opt.shard.n == 0 || !is_base(r, path) ||
           pg_shard_owns(&r->opt.shard, path);
}

/* tree-sitter over every checked file this run owns; a shard's own
   verdict judges the acks of those files only. */
static void scan_files(run *r)
{
    for (size_t i = 0; i < r->files.n; i++) {
        int mine = owns_file(r, i);
        if (mine)
            ts_scan(r, i);
        r->texts.v[i].checked = mine;
    }
}

/* libclang's findings, repository-relative so shards checked out at
   different places merge (moved out of *out). */
static void keep_clang(run *r, pg_clang_out *out)
{
    if (r->opt.shard.n == 0)
        return;
    for (size_t i = 0; i < out->nfiles; i++) {
        const char *rel = pg_relative_to(r->root, out->files[i].abspath);
        char *p = pg_strdup(rel ? rel : out->files[i].abspath);
        free(out->files[i].abspath);
        out->files[i].abspath = p;
    }
    r->state.clang = *out;
    memset(out, 0, sizeof *out);
}

/* What merge needs, captured before judging: the files, tree-sitter's
   sites and the passes' findings (parse-degraded is merge's to decide). */
static void shard_capture(run *r)
{
    pg_shard_state *st = &r->state;
    if (r->opt.shard.n == 0)
        return;
    st->k = r->opt.shard.k;
    st->n = r->opt.shard.n;
    st->version = pg_strdup(PG_VERSION);
    st->partial = r->files.partial;
    st->nignored = r->files.nignored;
    st->semantic = r->opt.build_dir != NULL;
    st->files.v = pg_xrealloc(NULL, (r->files.n + 1) * sizeof *st->files.v);
    st->reached = pg_xrealloc(NULL, r->files.n + 1);
    for (size_t i = 0; i < r->files.n; i++) {
        st->files.v[i].path = pg_strdup(r->files.v[i].path);
        st->files.v[i].lang = r->files.v[i].lang;
        st->reached[i] = !is_base(r, r->files.v[i].path);
    }
    st->files.n = r->files.n;
    for (size_t i = r->ts_from; i < r->sites.n; i++)
        pg_sites_add(&st->ts, &r->sites.v[i]);
    for (size_t i = 0; i < r->findings.n; i++) {
        const pg_finding *f = &r->findings.v[i];
        if (f->rule != PG_RULE_PARSE_DEGRADED && !pg_findings_has(&st->fail, f))
            pg_findings_add(&st->found, f);
    }
    r->state_text = pg_shard_state_encode(st);
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
    /* with a cache, libclang is opened only if something must be parsed */
    if (r->cache.dir == NULL && pg_libclang_load(&err) != 0) {
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
    want_ctx w = {r->root, &r->files, &r->opt.shard};
    pg_clang_out out;
    memset(&out, 0, sizeof out);
    pg_error err;
    err.msg[0] = '\0';
    int rc = pg_clang_run_cached(
        &db, r->root, r->opt.resource_dir, want_entry, &w, r->opt.jobs,
        r->cache.dir ? &r->cache : NULL, PG_VERSION, &out, &err);
    if (rc != 0) { /* located at the failing file, else at the database */
        char *db_rel = report_path(r->root, dbpath);
        size_t at = r->findings.n;
        add_error(r, out.fail_path ? out.fail_path : db_rel,
                  out.fail_path ? out.fail_line : 1,
                  out.fail_path ? out.fail_col : 1, PG_RULE_PARSE_ERROR,
                  err.msg[0] ? err.msg : "libclang failed");
        free(db_rel);
        r->state.clang_failed = 1;
        r->state.clang.fail_tu = out.fail_tu;
        pg_findings_add(&r->state.fail, &r->findings.v[at]);
    } else {
        r->nclang = out.ntus;
        r->cache.st.parsed = out.nparsed;
        add_reached(r, &out);
        load_texts(r);
        warn_unsupported(r, &db);
        take_clang(r, &out);
        r->ts_from = r->sites.n;
        scan_files(r);
        keep_clang(r, &out);
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
                        r->base_rel,      r->state_text};
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
        pg_baseline_apply(&b, &r->findings, r->base_rel,
                          r->files.partial || r->opt.shard.n > 0, parsed_whole,
                          &r->texts);
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

/* The cache stage: an explicit --cache-dir must be usable (exit 2 if
   not); the default one is used when it can be, else the run goes on
   uncached and --cache-stats says why. 0, or -1 after saying why. */
static int open_cache(run *r)
{
    if (r->opt.no_cache)
        return 0;
    char *dir =
        r->opt.cache_dir ? pg_strdup(r->opt.cache_dir) : pg_cache_default_dir();
    pg_error err;
    err.msg[0] = '\0';
    if (dir == NULL)
        snprintf(err.msg, sizeof err.msg,
                 "no cache directory: neither XDG_CACHE_HOME nor HOME is set");
    int rc = dir ? pg_cache_open(&r->cache, dir, r->opt.cache_size, &err) : -1;
    free(dir);
    if (rc == 0)
        return 0;
    if (r->opt.cache_dir != NULL) {
        fprintf(stderr, "procguard: %s\n", err.msg);
        return -1;
    }
    r->cache_why = pg_strdup(err.msg);
    return 0;
}

/* --cache-stats, on stderr after the report; closing the cache trims it. */
static void close_cache(run *r)
{
    if (r->cache.dir == NULL) {
        if (r->opt.cache_stats)
            fprintf(stderr,
                    "procguard: cache: off (%s); libclang parsed %zu "
                    "translation units, tree-sitter %zu files\n",
                    r->opt.no_cache ? "--no-cache"
                    : r->cache_why  ? r->cache_why
                                    : "the run stopped before it",
                    r->cache.st.parsed, r->nts);
        return;
    }
    char *dir = pg_strdup(r->cache.dir);
    pg_cache_close(&r->cache);
    const pg_cache_stats *st = &r->cache.st;
    if (r->opt.cache_stats)
        fprintf(stderr,
                "procguard: cache: %zu hits, %zu misses, %zu corrupt entries "
                "rebuilt, %zu stored, %zu evicted; %zu entries, %llu bytes in "
                "%s; libclang parsed %zu translation units, tree-sitter %zu "
                "files\n",
                st->hits, st->misses, st->corrupt, st->stored, st->evicted,
                st->entries, (unsigned long long)st->size, dir, st->parsed,
                st->scanned);
    free(dir);
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
    free(r->cache_why);
    for (size_t i = 0; i < r->nbase; i++)
        free(r->base[i]);
    free(r->base);
    pg_shard_state_free(&r->state);
    free(r->state_text);
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
                                       PG_CFG_BASELINE, PG_CFG_BUILD_DIR,
                                       PG_CFG_CACHE_DIR};
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        r->cfg_owned[paths[i]] = resolve_path(r, paths[i]);
    if (r->opt.baseline == NULL && r->opt.write_baseline == NULL)
        r->opt.baseline = r->cfg_owned[PG_CFG_BASELINE];
    if (r->opt.build_dir == NULL && r->opt.npaths == 0)
        r->opt.build_dir = r->cfg_owned[PG_CFG_BUILD_DIR];
    char *cache = r->cfg_owned[PG_CFG_CACHE_DIR]; /* repository-relative */
    if (cache != NULL && cache[0] != '/') {
        char *abs = pg_xrealloc(NULL, strlen(r->root) + strlen(cache) + 2);
        sprintf(abs, "%s/%s", r->root, cache);
        free(cache);
        r->cfg_owned[PG_CFG_CACHE_DIR] = abs;
    }
    if (r->opt.cache_dir == NULL)
        r->opt.cache_dir = r->cfg_owned[PG_CFG_CACHE_DIR];
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
                                       NULL,
                                       r->opt.cache_dir};
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

/* Judge, then drop the rules the configuration disables, apply the
   baseline and plan (or apply) the fix-its; fix_stage reports. */
static int judge_stage(run *r, const pg_judge_in *in)
{
    pg_judge(in, &r->findings);
    drop_disabled(r);
    pg_findings_sort(&r->findings);
    if (baseline_stage(r) != 0)
        return EXIT_TROUBLE;
    return fix_stage(r);
}

static int check(run *r)
{
    pg_error err;
    if (find_root(r) != 0 || config_stage(r) != 0)
        return EXIT_TROUBLE;
    if (r->opt.print_config)
        return print_config(r);
    if (open_cache(r) != 0)
        return EXIT_TROUBLE;
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
    remember_base(r);
    if (r->opt.build_dir != NULL) {
        if (semantic_pass(r) != 0)
            return EXIT_TROUBLE;
    } else {
        load_texts(r);
        scan_files(r);
    }
    shard_capture(r);
    if (r->trouble) /* an incomplete check must not look like a verdict */
        return finish(r);
    pg_sites_dedupe(&r->sites);
    /* a shard cannot decide the whole-repository rules: merge does */
    pg_judge_in in = {&r->sites,
                      &r->texts,
                      &r->allow,
                      r->allow_rel,
                      r->files.partial || r->opt.shard.n > 0,
                      r->keyword};
    return judge_stage(r, &in);
}

/* ---- procguard merge -------------------------------------------------- */

/* The merged state as this run's files, sites and pass findings, then
   judged as the unsharded run judges (see merge.h). */
static void take_state(run *r, pg_shard_state *m)
{
    r->files.partial = m->partial;
    r->files.nignored = m->nignored;
    if (m->clang_failed) { /* the unsharded run stops at the first unit */
        r->files.v = pg_xrealloc(NULL, (m->files.n + 1) * sizeof *r->files.v);
        for (size_t i = 0; i < m->files.n; i++)
            if (!m->reached[i])
                r->files.v[r->files.n++] = (pg_file){
                    pg_strdup(m->files.v[i].path), m->files.v[i].lang};
        for (size_t i = 0; i < m->fail.n; i++)
            pg_findings_add(&r->findings, &m->fail.v[i]);
        r->trouble = 1;
        return;
    }
    r->files.v = m->files.v;
    r->files.n = m->files.n;
    m->files.v = NULL;
    m->files.n = 0;
    load_texts(r);
    for (size_t i = 0; i < m->found.n; i++) {
        if (pg_findings_has(&r->findings, &m->found.v[i]))
            continue;
        pg_findings_add(&r->findings, &m->found.v[i]);
        if (!pg_rule_get(m->found.v[i].rule)->warning)
            r->trouble = 1;
    }
    if (m->semantic) {
        for (size_t i = 0; i < m->clang.nfiles; i++) {
            char *rel = m->clang.files[i].abspath;
            char *abs = pg_xrealloc(NULL, strlen(r->root) + strlen(rel) + 2);
            sprintf(abs, "%s/%s", r->root, rel);
            m->clang.files[i].abspath = abs;
            free(rel);
        }
        r->nclang = m->clang.ntus;
        take_clang(r, &m->clang);
    }
    for (size_t i = 0; i < r->texts.n && i < r->files.n; i++)
        r->nts += r->texts.v[i].text != NULL;
    for (size_t i = 0; i < m->ts.n; i++)
        pg_sites_add(&r->sites, &m->ts.v[i]);
}

/* Read every report and combine them. 0, or -1 after saying why. */
static int read_shards(run *r, pg_shard_state *merged)
{
    size_t n = r->opt.npaths;
    pg_shard_state *v = pg_xrealloc(NULL, n * sizeof *v);
    memset(v, 0, n * sizeof *v);
    pg_error err;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++)
        rc = pg_shard_state_read(r->opt.paths[i], &v[i], &err);
    if (rc == 0)
        rc = pg_shard_states_merge(v, n, merged, &err);
    if (rc != 0)
        fprintf(stderr, "procguard: merge: %s\n", err.msg);
    for (size_t i = 0; i < n; i++)
        pg_shard_state_free(&v[i]);
    free(v);
    return rc;
}

static int merge_check(run *r)
{
    if (find_root(r) != 0 || config_stage(r) != 0)
        return EXIT_TROUBLE;
    if (load_patlist(r, r->opt.allowlist, setting(r, PG_CFG_ALLOWLIST),
                     &r->allow, &r->allow_rel, &r->allow_text,
                     &r->allow_len) != 0 ||
        load_patlist(r, r->opt.ignore, setting(r, PG_CFG_IGNORE), &r->ignore,
                     &r->ignore_rel, NULL, NULL) != 0)
        return EXIT_TROUBLE;
    if (r->trouble)
        return finish(r);
    pg_shard_state merged;
    if (read_shards(r, &merged) != 0)
        return EXIT_TROUBLE;
    take_state(r, &merged);
    pg_shard_state_free(&merged);
    if (r->trouble)
        return finish(r);
    pg_sites_dedupe(&r->sites);
    pg_judge_in in = {&r->sites,    &r->texts,        &r->allow,
                      r->allow_rel, r->files.partial, r->keyword};
    return judge_stage(r, &in);
}

/* procguard merge [OPTION]... SHARD.json... */
static int merge_main(int argc, char **argv)
{
    run r;
    memset(&r, 0, sizeof r);
    int code = parse_options(argc - 1, argv + 1, &r.opt);
    if (code >= 0)
        return code;
    if (r.opt.build_dir != NULL || r.opt.shard.n > 0 || r.opt.cache_dir ||
        r.opt.fix || r.opt.write_baseline != NULL)
        return usage_error("%s", "merge takes --format, --sarif, --allowlist, "
                                 "--ignore, --config and --baseline, then the "
                                 "shards' reports");
    if (r.opt.npaths == 0)
        return usage_error("%s", "merge needs the --format json reports of "
                                 "every shard");
    code = merge_check(&r);
    run_free(&r);
    return code;
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "merge") == 0)
        return merge_main(argc, argv);
    run r;
    memset(&r, 0, sizeof r);
    int code = parse_options(argc, argv, &r.opt);
    if (code >= 0)
        return code;
    code = check(&r);
    close_cache(&r);
    if (r.fixed) { /* check again, and report the files as fixed */
        options o = r.opt;
        int refused = r.fix_refused;
        run_free(&r);
        memset(&r, 0, sizeof r);
        r.opt = o;
        r.opt.fix = 0;
        code = check(&r);
        close_cache(&r);
        if (refused)
            code = EXIT_TROUBLE;
    }
    run_free(&r);
    return code;
}
