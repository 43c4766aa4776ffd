/*
 * bench_libclang_floor.c - the floor of procguard's cold semantic pass: a
 * bare libclang parse loop over the same translation units with the same
 * cleaned commands and parse options procguard uses (compdb.c, -resource-dir,
 * -working-directory, KeepGoing + DetailedPreprocessingRecord), one after
 * the other, nothing walked, nothing cached. ci/bench.sh times procguard -p
 * -j1 --no-cache against it (issue 13: target <= 1.10x).
 *
 * usage: bench_libclang_floor BUILD_DIR RESOURCE_DIR [TUS_FILE]
 * TUS_FILE (guard_inputs.py commands' tus.txt): parse only the entries
 * whose file is listed, as procguard parses only the repository's.
 * Exit 0, or 2 when the database or libclang cannot be used or a unit does
 * not parse.
 */
#define _DEFAULT_SOURCE /* realpath */
#include <clang-c/Index.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compdb.h"
#include "libclang.h"
#include "sources.h"

static int parse(CXIndex idx, const pg_cc *cc, const char *rd)
{
    size_t n = cc->nargs + 4;
    const char **argv = pg_xrealloc(NULL, n * sizeof *argv);
    for (size_t i = 0; i < cc->nargs; i++)
        argv[i] = cc->args[i];
    argv[cc->nargs] = "-resource-dir";
    argv[cc->nargs + 1] = rd;
    argv[cc->nargs + 2] = "-working-directory";
    argv[cc->nargs + 3] = cc->directory;
    CXTranslationUnit tu = NULL;
    enum CXErrorCode rc = clang_parseTranslationUnit2(
        idx, cc->file, argv, (int)n, NULL, 0,
        CXTranslationUnit_KeepGoing |
            CXTranslationUnit_DetailedPreprocessingRecord,
        &tu);
    free(argv);
    if (rc != CXError_Success || tu == NULL) {
        fprintf(stderr,
                "bench_libclang_floor: %s: libclang could not parse "
                "it\n",
                cc->file);
        return -1;
    }
    clang_disposeTranslationUnit(tu);
    return 0;
}

/* 1 if `file` (resolved) is a line of the list (NULL: every file). */
static int listed(const char *list, const char *file)
{
    char real[PATH_MAX];
    if (list == NULL)
        return 1;
    if (realpath(file, real) == NULL)
        return 0;
    size_t n = strlen(real);
    for (const char *p = list; (p = strstr(p, real)) != NULL; p += n)
        if ((p == list || p[-1] == '\n') && (p[n] == '\n' || p[n] == '\0'))
            return 1;
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 && argc != 4) {
        fputs("usage: bench_libclang_floor BUILD_DIR RESOURCE_DIR "
              "[TUS_FILE]\n",
              stderr);
        return 2;
    }
    char *list = NULL;
    size_t llen;
    pg_error lerr;
    if (argc == 4 && pg_read_file(argv[3], &list, &llen, &lerr) != 0) {
        fprintf(stderr, "bench_libclang_floor: %s\n", lerr.msg);
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/compile_commands.json", argv[1]);
    pg_compdb db;
    pg_error err;
    if (pg_compdb_load(path, &db, &err) != 0 || pg_libclang_load(&err) != 0) {
        fprintf(stderr, "bench_libclang_floor: %s\n", err.msg);
        return 2;
    }
    CXIndex idx = clang_createIndex(0, 0);
    int rc = 0;
    size_t parsed = 0;
    for (size_t i = 0; i < db.n && rc == 0; i++)
        if (pg_cc_unsupported_language(&db.v[i]) == NULL &&
            listed(list, db.v[i].file)) {
            rc = parse(idx, &db.v[i], argv[2]);
            parsed++;
        }
    /* the same words as procguard --cache-stats, for guard_cache.py */
    fprintf(stderr,
            "bench_libclang_floor: libclang parsed %zu translation "
            "units\n",
            parsed);
    clang_disposeIndex(idx);
    pg_compdb_free(&db);
    free(list);
    return rc == 0 ? 0 : 2;
}
