/*
 * cache.h - procguard's result cache: a directory of entries, one file
 * each, named by a 256-bit key (sha256.h).
 *
 * What a key means is the caller's business (clang_pass.c: one translation
 * unit's command and the content of every file it read; main.c: one file's
 * content for tree-sitter). The store only promises: a get returns exactly
 * the bytes a put stored under that key, or nothing. An entry is written to
 * a temporary file in the cache directory and renamed into place, so a
 * concurrent run sees the old entry, the new one or none, never half of
 * one; each entry carries its key, its length and a SHA-256 of its
 * payload, so a corrupt or truncated entry is detected, deleted, counted
 * and never returned. The cache is bounded: pg_cache_close removes the
 * least recently used entries (by modification time; a hit refreshes it)
 * until the total size is under the cap.
 */
#ifndef PG_CACHE_H
#define PG_CACHE_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "pg.h"

typedef struct pg_cache_stats {
    size_t hits, misses; /* lookups a pass could use / had to compute */
    size_t corrupt;      /* entries that failed their checks: rebuilt */
    size_t stored;       /* entries written this run */
    size_t evicted;      /* entries removed to stay under the cap */
    size_t entries;      /* entries in the cache after the run */
    uint64_t size;       /* their bytes */
    size_t parsed;       /* translation units libclang parsed this run */
    size_t scanned;      /* files tree-sitter parsed this run */
} pg_cache_stats;

typedef struct pg_cache_memo {
    char *path; /* NULL: free slot */
    unsigned char sum[32];
    int ok;    /* the file could be read */
    int young; /* modified too recently to trust (pg_cache_file_sum) */
} pg_cache_memo;

typedef struct pg_cache {
    char *dir;
    uint64_t cap; /* bytes */
    pthread_mutex_t mu;
    pg_cache_stats st;
    pg_cache_memo *memo; /* open addressing, a power of two slots */
    size_t nmemo, capmemo;
    struct timespec start; /* when the run opened the cache */
} pg_cache;

/* The default directory: $XDG_CACHE_HOME/procguard, else
   $HOME/.cache/procguard (allocated), or NULL when neither is set. */
char *pg_cache_default_dir(void);

/* Create `dir` (and its parents) if needed. 0, or -1 with *err. */
int pg_cache_open(pg_cache *c, const char *dir, uint64_t cap, pg_error *err);

/* The payload stored under `key` (*data allocated, caller frees): 1, or 0
   when there is none usable (absent, or corrupt: then deleted and
   counted). Thread-safe. Does not count hits or misses: the caller knows
   whether the payload still fits (pg_cache_count). */
int pg_cache_get(pg_cache *c, const unsigned char key[32], char **data,
                 size_t *len);

/* Store a payload under `key`, atomically; failures are silent (a cache
   that cannot be written only costs time). Thread-safe. */
void pg_cache_put(pg_cache *c, const unsigned char key[32], const char *data,
                  size_t len);

/* SHA-256 of the content of the file at absolute `path`, read once per
   run however many translation units include it. 0, or -1 when it cannot
   be read (then no entry that depends on it can be used). *young (when not
   NULL) says the file was modified after (or just before) this run
   started: what libclang parsed may not be what was hashed, so a result
   that depends on it must not be stored. Thread-safe. */
int pg_cache_file_sum(pg_cache *c, const char *path, unsigned char out[32],
                      int *young);

/* Count a hit (hit != 0) or a miss. Thread-safe. */
void pg_cache_count(pg_cache *c, int hit);

/* Trim to the cap, fill st.entries and st.size, free. */
void pg_cache_close(pg_cache *c);

/* ---- payload encoding: little-endian integers, length-prefixed strings -- */

typedef struct pg_wbuf {
    char *p;
    size_t n, cap;
} pg_wbuf;

void pg_wbuf_append(pg_wbuf *w, const void *p, size_t n);
void pg_w_u64(pg_wbuf *w, uint64_t v);
void pg_w_str(pg_wbuf *w, const char *s); /* NULL kept apart from "" */

typedef struct pg_rbuf {
    const char *p;
    size_t n, at;
    int bad; /* set by any read past the end or malformed field */
} pg_rbuf;

uint64_t pg_r_u64(pg_rbuf *r);
char *pg_r_str(pg_rbuf *r); /* allocated, or NULL */

/* A list of sites (pass names are restored as the static strings). */
void pg_w_sites(pg_wbuf *w, const pg_sites *s);
/* 0, or -1 when the payload is malformed (*s then freed). */
int pg_r_sites(pg_rbuf *r, pg_sites *s);

#endif
