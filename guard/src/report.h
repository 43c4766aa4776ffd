/*
 * report.h - findings, and the three ways to print them: GCC-style text,
 * JSON and SARIF 2.1.0. The only module besides main.c that writes output.
 */
#ifndef PG_REPORT_H
#define PG_REPORT_H

#include <stddef.h>
#include <stdio.h>

typedef enum pg_rule {
    PG_RULE_PROC_UNACKED = 0,
    PG_RULE_PROC_NOT_ALLOWLISTED,
    PG_RULE_ACK_NO_REASON,
    PG_RULE_ACK_UNUSED,
    PG_RULE_ALLOWLIST_STALE,
    PG_RULE_ALLOWLIST_SYNTAX,
    PG_RULE_PARSE_ERROR,
    PG_RULE_BASELINE_STALE,
    PG_RULE_PARSE_DEGRADED, /* warnings from here on */
    PG_RULE_UNSUPPORTED_LANGUAGE,
    PG_RULE_COUNT
} pg_rule;

typedef struct pg_rule_info {
    const char *id;
    const char *brief; /* one line, for --list-rules and shortDescription */
    const char *full;  /* fullDescription */
    const char *help;  /* what to do about it */
    int warning;       /* reported, counted, but never changes the exit */
} pg_rule_info;

const pg_rule_info *pg_rule_get(pg_rule r);

typedef struct pg_finding {
    pg_rule rule;
    int passed;       /* an acknowledged, allowlisted site: not a finding;
                         SARIF lists it as a suppressed result */
    char *path;       /* repository-relative, or NULL (no file) */
    unsigned line;    /* 1-based, 0 when unknown */
    unsigned col;     /* 1-based bytes, 0 when unknown */
    unsigned end_col; /* exclusive, bytes; 0 when unknown */
    char *message;
    char *srcline; /* the source line without its newline, or NULL */
    /* sites (proc-unacked, proc-not-allowlisted, passed) */
    int is_site;
    char *value;    /* the literal's value */
    char *macro;    /* the macro it came through, or NULL */
    char *def_path; /* where the macro is defined, or NULL */
    unsigned def_line;
    const char *pass; /* "clang" or "tree-sitter" */
    int acked, allowlisted;
    char *ack_reason;  /* the acknowledgement's reason, or NULL */
    char *allow_entry; /* the allowlist pattern that matched, or NULL */
    int baselined;     /* recorded in the baseline: not reported */
    /* the fix (fix.c), or NULL: insert fix_text at fix_path:fix_line,
       byte column fix_col (fix_cpcol in code points); and, for a file the
       allowlist does not list, insert allow_text as line allow_line of the
       allowlist allow_path */
    char *fix_path, *fix_text;
    unsigned fix_line, fix_col, fix_cpcol;
    char *allow_path, *allow_text;
    unsigned allow_line;
} pg_finding;

typedef struct pg_findings {
    pg_finding *v;
    size_t n, cap;
} pg_findings;

/* Append a finding; takes ownership of nothing, copies every string. */
pg_finding *pg_findings_add(pg_findings *f, const pg_finding *src);
/* Sort by path, line, column, rule (findings without a path first). */
void pg_findings_sort(pg_findings *f);
void pg_findings_free(pg_findings *f);
/* Free one finding's strings (a finding dropped from a list). */
void pg_finding_clear(pg_finding *f);
/* Findings that are neither passed sites, baselined nor warnings: what
   makes exit 1. */
size_t pg_findings_count(const pg_findings *f);
/* Warnings (parse-degraded, unsupported-language). */
size_t pg_warnings_count(const pg_findings *f);

typedef enum pg_format { PG_FMT_TEXT, PG_FMT_JSON, PG_FMT_SARIF } pg_format;

typedef struct pg_run_info {
    const char *version;
    const char *root;            /* absolute repository root */
    int partial;                 /* PATH arguments were given */
    int exit_code;               /* what procguard will exit with */
    size_t nfiles;               /* files checked */
    size_t nclang;               /* translation units libclang parsed */
    size_t nts;                  /* files tree-sitter read */
    size_t nignored;             /* files left out by the ignore list */
    const char *allowlist;       /* its repository-relative or given path */
    const char *information_uri; /* the tool's home page, for SARIF */
    const char *baseline;        /* the baseline in use, or NULL */
    const char *shard_state;     /* --shard: the "shard_state" member of
                                    the JSON report (merge.h), or NULL */
} pg_run_info;

/* Print the findings to `out` in `fmt`; the text format adds a summary line
   on `err`. */
void pg_report(FILE *out, FILE *err, pg_format fmt, const pg_findings *f,
               const pg_run_info *info);

#endif
