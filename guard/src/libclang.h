/*
 * libclang.h - libclang loaded on demand.
 *
 * procguard does not link libclang: loading libclang and LLVM (over 100 MB
 * of shared objects, relocated at exec) costs more than a whole tree-sitter
 * run of a pre-commit check. libclang.c defines the clang_* functions
 * clang_pass.c calls as forwarders into the library, opened with dlopen the
 * first time a semantic pass needs it.
 */
#ifndef PG_LIBCLANG_H
#define PG_LIBCLANG_H

#include "pg.h"

/*
 * Open libclang and resolve the functions procguard uses; later calls
 * return at once. Call it before any clang_* function, from one thread.
 * Returns 0, or -1 with *err naming the library and what failed.
 */
int pg_libclang_load(pg_error *err);

/*
 * Which libclang a run would load, without loading it (the result cache
 * keys on it, and a run whose every translation unit is cached never pays
 * for loading libclang): its path, inode, size and modification time, so
 * an upgraded library misses. Written into buf (NUL-terminated).
 */
void pg_libclang_identity(char *buf, size_t n);

#endif
