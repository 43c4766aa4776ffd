/*
 * baseline.h - the baseline: findings recorded once (--write-baseline) and
 * not reported again (--baseline), so a codebase with existing sites can
 * adopt procguard and from then on see only new ones.
 *
 * A finding's fingerprint is (rule, path, hash), the hash an FNV-1a over
 * the rule, the literal's value and the text of the finding's line with
 * every blank removed, and the macro the literal came through (an
 * expansion and a literal on one line differ): it survives lines inserted
 * or removed elsewhere, and
 * re-indentation or re-spacing of any line, the finding's own included.
 * Findings with the same fingerprint are told apart by an occurrence index
 * in the file; matching counts them, so one more identical line is exactly
 * one new finding and one fewer is exactly one stale entry.
 *
 * The file is plain text, one entry a line, sorted (diff-friendly):
 *   <path> TAB <rule> TAB <hash>:<occurrence> TAB <macro or -> TAB <value>
 * '#' lines are comments; path and value escape \, TAB, CR, LF and other
 * control bytes as \\, \t, \r, \n and \xHH.
 */
#ifndef PG_BASELINE_H
#define PG_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "allowlist.h"
#include "report.h"

typedef struct pg_bl_entry {
    char *path, *value;
    pg_rule rule;
    uint64_t hash;
    unsigned occ;
    unsigned line; /* in the baseline file */
    int via_macro; /* an expansion site: only libclang sees it */
} pg_bl_entry;

typedef struct pg_baseline {
    pg_bl_entry *v;
    size_t n;
    pg_syntax *errs; /* malformed lines */
    size_t nerrs;
} pg_baseline;

/* 1 if findings of this rule are recorded in a baseline. */
int pg_baseline_takes(pg_rule r);

/* Parse a baseline file's text (pure). Returns the number of errors. */
size_t pg_baseline_parse(const char *text, size_t len, pg_baseline *out);
void pg_baseline_free(pg_baseline *b);

/* The baseline text for today's findings (allocated, sorted). */
char *pg_baseline_format(const pg_findings *f);

/*
 * Mark every finding the baseline records as baselined, and append one
 * baseline-stale finding for each entry left over, located at its line of
 * `shown` (the baseline's path as reported). `partial` runs see part of the
 * repository and report nothing stale; an entry recorded through a macro is
 * stale only in a file where sees_expansions(path, ctx) says libclang read
 * it whole (a run without -p cannot see expansions, and never calls their
 * entries stale).
 */
void pg_baseline_apply(const pg_baseline *b, pg_findings *f, const char *shown,
                       int partial,
                       int (*sees_expansions)(const char *, void *), void *ctx);

#endif
