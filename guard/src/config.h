/*
 * config.h - the configuration file: `.procguard` at the repository root
 * (found by walking up from the working directory, up to the repository
 * root), or the file --config names. One `key = value` a line, '#' comment
 * lines, blank lines; every malformed line is an error naming its line.
 *
 *   allowlist   = FILE          the allowlist (default allowlist/proc.allow)
 *   ignore      = FILE          the ignore file (default allowlist/proc.ignore)
 *   baseline    = FILE          the baseline, as --baseline
 *   ack-keyword = WORD          the ack marker is WORD: (default portability)
 *   build-dir   = DIR           -p for whole-repository runs without -p
 *   extensions  = .EXT=LANG ... more files to check (LANG: c, c++, python)
 *   disable     = RULE ...      rules not reported
 *
 * Paths are relative to the file's directory. Command-line options win.
 */
#ifndef PG_CONFIG_H
#define PG_CONFIG_H

#include <stddef.h>

#include "allowlist.h"
#include "pg.h"
#include "report.h"

typedef enum pg_cfg_key {
    PG_CFG_ALLOWLIST = 0,
    PG_CFG_IGNORE,
    PG_CFG_BASELINE,
    PG_CFG_KEYWORD,
    PG_CFG_BUILD_DIR,
    PG_CFG_EXTENSIONS,
    PG_CFG_DISABLE,
    PG_CFG_CACHE_DIR,
    PG_CFG_COUNT
} pg_cfg_key;

typedef struct pg_config {
    char *value[PG_CFG_COUNT]; /* as written, trimmed; NULL: not set */
    unsigned line[PG_CFG_COUNT];
    int disabled[PG_RULE_COUNT];
    pg_extmap ext;
    pg_syntax *errs;
    size_t nerrs;
} pg_config;

const char *pg_config_key(pg_cfg_key k);

/* Parse a configuration file's text (pure). Returns the number of errors. */
size_t pg_config_parse(const char *text, size_t len, pg_config *out);
void pg_config_free(pg_config *c);

/*
 * The configuration file for a run: `.procguard` in `start` or the nearest
 * directory above it, not above `stop` (the repository root; a start
 * outside it is searched up to '/'). *path is allocated, or NULL when there
 * is none.
 */
void pg_config_find(const char *start, const char *stop, char **path);

#endif
