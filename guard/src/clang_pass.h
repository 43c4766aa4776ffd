/*
 * clang_pass.h - the semantic pass: every translation unit of the compile
 * database through libclang, string literals after macro expansion and
 * adjacent-literal concatenation.
 */
#ifndef PG_CLANG_PASS_H
#define PG_CLANG_PASS_H

#include "cache.h"
#include "compdb.h"
#include "pg.h"

/* A file libclang parsed: a translation unit or a non-system header. */
typedef struct pg_seen_file {
    char *abspath;
    /* Byte ranges libclang skipped as inactive (#if 0, #ifdef __FreeBSD__
       on Linux) in EVERY translation unit that reached the file: the
       tree-sitter pass covers these. Sorted, non-overlapping. */
    pg_range *skipped;
    size_t nskipped;
} pg_seen_file;

/* A repository file in which libclang reported an error (not fatal): its
   error recovery may have dropped code, so the file is read by tree-sitter
   whole and the run warns (parse-degraded). The first error only. */
typedef struct pg_degraded {
    char *path; /* repository-relative */
    unsigned line, col;
    char *msg; /* libclang's diagnostic text */
    size_t tu; /* database index of the translation unit that reported it */
} pg_degraded;

typedef struct pg_clang_out {
    pg_sites sites; /* pass = "clang"; reported at the expansion site, with
                       macro / def_path / def_line set for literals reached
                       through a macro */
    pg_seen_file *files;
    size_t nfiles;
    pg_degraded *degraded; /* by path, no repeats */
    size_t ndegraded;
    size_t ntus;    /* translation units checked */
    size_t nparsed; /* of them, parsed by libclang (the rest: cache hits) */
    /* on failure: where (repository-relative when inside it; NULL if no
       file is known), for a parse-error with a location */
    char *fail_path;
    unsigned fail_line, fail_col;
    size_t fail_tu; /* database index of the failing translation unit */
} pg_clang_out;

/*
 * Parse the entries of `db` for which want(entry->file, ctx) is non-zero
 * (want NULL: all), on `jobs` threads (one CXIndex per thread).
 * repo_root is absolute: site paths are made relative to it; sites in system
 * headers or outside repo_root are dropped, and files outside it are not
 * listed. resource_dir is passed as -resource-dir (NULL: found from
 * `clang -print-resource-dir` or beside libclang).
 * A file compiled by several entries is parsed under each; pg_sites_dedupe
 * later merges what they share.
 * Returns 0, or -1 with *err (libclang could not parse a translation unit,
 * crashed, or reported a fatal error: names the file and the diagnostic).
 * Either way *out is the caller's, to release with pg_clang_out_free (on
 * failure it holds fail_path).
 */
int pg_clang_run(const pg_compdb *db, const char *repo_root,
                 const char *resource_dir,
                 int (*want)(const char *abspath, void *ctx), void *ctx,
                 int jobs, pg_clang_out *out, pg_error *err);

/*
 * pg_clang_run with a result cache (cache.h; NULL: none): a translation
 * unit whose command and every file it read are unchanged since a cached
 * run is not parsed, its result is read back. `version` (procguard's) is
 * part of every key. libclang is loaded only when something must be parsed.
 */
int pg_clang_run_cached(const pg_compdb *db, const char *repo_root,
                        const char *resource_dir,
                        int (*want)(const char *abspath, void *ctx), void *ctx,
                        int jobs, pg_cache *cache, const char *version,
                        pg_clang_out *out, pg_error *err);
void pg_clang_out_free(pg_clang_out *out);

/* What merging shards needs to combine pg_clang_out lists exactly as one
   run does: sites deduplicated under the same total order (the survivor
   of repeats does not depend on which shard saw it), and the skipped
   ranges of a file reached by several translation units intersected.
   The intersection is a fresh array (*out, caller frees). */
void pg_clang_sites_dedupe(pg_sites *sites);
size_t pg_ranges_intersect(const pg_range *a, size_t na, const pg_range *b,
                           size_t nb, pg_range **out);

#endif
