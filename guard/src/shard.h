/*
 * shard.h - which share of the work `--shard K/N` checks.
 *
 * A translation unit belongs to one shard, and so does a file: the one
 * numbered 1 + (the first 8 bytes of SHA-256 of its repository-relative
 * path) mod N. By path, not by position, so a unit keeps its shard when
 * the database or the repository grows; every unit is in exactly one.
 */
#ifndef PG_SHARD_H
#define PG_SHARD_H

typedef struct pg_shard {
    unsigned k, n; /* 1 <= k <= n; n == 0: not sharded */
} pg_shard;

/* "K/N" with 1 <= K <= N <= 4096. 0, or -1 when it is not one. */
int pg_shard_parse(const char *spec, pg_shard *out);

/* 1 if the unit or file named `key` (repository-relative path) is this
   shard's (always, when not sharded). */
int pg_shard_owns(const pg_shard *s, const char *key);

#endif
