/*
 * ts_cache.h - the tree-sitter pass through the result cache: a file whose
 * content, path and language were scanned before is not parsed again.
 */
#ifndef PG_TS_CACHE_H
#define PG_TS_CACHE_H

#include "cache.h"
#include "pg.h"

/*
 * pg_ts_scan of a whole file (no ranges), its sites appended to *out, read
 * from `cache` when an entry for (version, path, language, content) exists,
 * else scanned and stored (cache NULL: always scanned). A parse failure is
 * never stored. Returns what pg_ts_scan returns.
 */
int pg_ts_scan_cached(pg_cache *cache, const char *version, const char *path,
                      const char *text, size_t len, pg_lang lang, pg_sites *out,
                      pg_error *err);

#endif
