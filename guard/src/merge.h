/*
 * merge.h - what one shard found, carried in its JSON report, and the
 * states of all shards combined into what one unsharded run finds.
 *
 * A shard's verdict on its share cannot decide the whole-repository rules
 * (allowlist-stale, ack-unused) nor which of two translation units in
 * different shards saw a header's site first, so `procguard merge` does
 * not merge verdicts: it merges what the passes found (sites, the files
 * libclang read whole, its errors) and judges that afresh against the
 * repository's acks and allowlist, exactly as the unsharded run judges.
 *
 * In the JSON report the state is one member, "shard_state": a base64
 * string of the encoded state, led by a SHA-256 of it, so a damaged or
 * edited report is refused rather than merged.
 */
#ifndef PG_MERGE_H
#define PG_MERGE_H

#include "clang_pass.h"
#include "pg.h"
#include "report.h"
#include "sources.h"

typedef struct pg_shard_state {
    unsigned k, n;
    char *version;
    int partial;            /* PATH arguments were given */
    size_t nignored;        /* the same in every shard */
    pg_files files;         /* checked files: the repository's, then those the
                               shard's translation units reached */
    unsigned char *reached; /* per file: not in the repository's list */
    int semantic;           /* -p */
    pg_clang_out clang;     /* files[].abspath repository-relative here */
    int clang_failed;       /* clang.fail_tu says which unit */
    pg_findings fail;       /* the finding that reports the failure */
    pg_sites ts;            /* tree-sitter's sites in the shard's files */
    pg_findings found;      /* errors and warnings of the passes (not
                               parse-degraded: merge decides those) */
} pg_shard_state;

/* The "shard_state" member's value: a base64 string (allocated). */
char *pg_shard_state_encode(const pg_shard_state *s);

/* Read the state out of a shard's JSON report at `path`. 0, or -1 with
 *err naming the file and what is wrong with it. */
int pg_shard_state_read(const char *path, pg_shard_state *out, pg_error *err);

/*
 * Combine the n states of shards 1..N (any order) into *out: every shard
 * exactly once, same version, same kind of run. Sites, file lists and
 * findings are united; libclang's data is combined as one run combines
 * its translation units (clang_pass.h). 0, or -1 with *err.
 */
int pg_shard_states_merge(pg_shard_state *v, size_t n, pg_shard_state *out,
                          pg_error *err);

void pg_shard_state_free(pg_shard_state *s);

/* 1 if *f already holds a finding with x's rule, place and message. */
int pg_findings_has(const pg_findings *f, const pg_finding *x);

#endif
