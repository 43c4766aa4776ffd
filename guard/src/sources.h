/*
 * sources.h - which files procguard checks.
 *
 * The repository root is `git rev-parse --show-toplevel` (of the working
 * directory, or else of the first PATH argument), or the working directory
 * outside git. With no PATH: every git-tracked file (a plain walk outside
 * git, skipping .git and build directories). With PATHs: exactly those
 * files, directories walked (a partial run). Files matching the ignore list
 * are dropped; of the rest, C, C++ and Python sources are kept.
 */
#ifndef PG_SOURCES_H
#define PG_SOURCES_H

#include <stddef.h>

#include "allowlist.h"
#include "pg.h"

typedef struct pg_file {
    char *path; /* repository-relative, '/'-separated */
    pg_lang lang;
} pg_file;

typedef struct pg_files {
    pg_file *v; /* sorted by path, no repeats */
    size_t n;
    size_t nignored; /* C/Python files dropped by the ignore list */
    int partial;     /* PATHs named part of the repository (PATHs that all
                        name its root are a whole-repository run) */
} pg_files;

/*
 * Find the repository root: *root is an absolute, symlink-free path (caller
 * frees), *in_git says whether it is a git work tree. `hint` is the
 * directory to ask git from (NULL: the working directory). 0 or -1 + *err.
 */
int pg_repo_root(const char *hint, char **root, int *in_git, pg_error *err);

/*
 * The files to check. paths/npaths: the PATH arguments as given (relative
 * to the working directory), none for the whole repository. Returns 0, or
 * -1 with *err (a PATH that does not exist or lies outside the root, git
 * failing).
 */
int pg_sources_collect(const char *root, int in_git, char *const *paths,
                       size_t npaths, const pg_patlist *ignore,
                       const pg_extmap *ext, pg_files *out, pg_error *err);
void pg_files_free(pg_files *f);

/* Index of repository-relative `path` in `f`, or -1. */
long pg_files_find(const pg_files *f, const char *path);

/* The language of a file from its name; `head` (its first bytes, may be
   NULL) decides for files without an extension (a python shebang) and, as
   the whole text, for a `.h`: C++ when pg_looks_like_cpp, else C. */
pg_lang pg_lang_of(const char *path, const char *head, size_t hlen);

/* The language `ext` (may be NULL) gives path's extension, else
   PG_LANG_OTHER. */
pg_lang pg_lang_by_ext(const pg_extmap *ext, const char *path);

/* 1 if C or C++ text t[0..n) holds C++-only spellings: namespace,
   template<, nullptr, constexpr, std::, R"(, extern "C++". A
   header is parsed as C++ on that evidence, the same in every mode (with or
   without -p, whichever translation units include it). */
int pg_looks_like_cpp(const char *t, size_t n);

/* Read a whole file, NUL-terminated; a leading UTF-8 byte order mark is
   turned into three blanks. 0, or -1 with *err naming it (errno left set). */
int pg_read_file(const char *path, char **text, size_t *len, pg_error *err);

/* `abspath` relative to `root` when it lies below it, else NULL. */
const char *pg_relative_to(const char *root, const char *abspath);

#endif
