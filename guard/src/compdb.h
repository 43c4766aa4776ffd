/*
 * compdb.h - compile_commands.json, read and cleaned for libclang.
 */
#ifndef PG_COMPDB_H
#define PG_COMPDB_H

#include "pg.h"

/* One entry of the database, cleaned. */
typedef struct pg_cc {
    char *file;      /* absolute, normalised path of the translation unit */
    char *directory; /* absolute working directory of the entry */
    char **args;     /* arguments for libclang: no compiler, no source file,
                        no -c / -o X / -MF X and friends, no GCC-only warning
                        flags; relative -I, -isystem, -iquote, -include and
                        --sysroot paths resolved against `directory` */
    size_t nargs;
} pg_cc;

typedef struct pg_compdb {
    pg_cc *v;
    size_t n;
} pg_compdb;

/*
 * Load `path` (a compile_commands.json). Accepts both the "arguments" array
 * form and the "command" string form (split as a POSIX shell would:
 * quotes and backslashes). Returns 0, or -1 with *err naming the file and,
 * for malformed JSON, the line and column.
 */
int pg_compdb_load(const char *path, pg_compdb *out, pg_error *err);
void pg_compdb_free(pg_compdb *db);

/* The language of an entry procguard does not check ("Objective-C", "CUDA",
   "assembler"; from -x, else the file's extension), or NULL. */
const char *pg_cc_unsupported_language(const pg_cc *cc);

#endif
