/*
 * sha256.h - SHA-256 (FIPS 180-4), self-contained, for the result cache.
 *
 * The cache trusts a key match as "same inputs", so a key collision would
 * silently give one translation unit another's result. 256 bits make that
 * impossible in practice even for adversarial inputs (a 64-bit FNV-1a can
 * be collided on purpose in seconds); a few hundred lines of C spare the
 * guard a crypto library dependency.
 */
#ifndef PG_SHA256_H
#define PG_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct pg_sha256 {
    uint32_t h[8];
    uint64_t nbytes;
    unsigned char block[64];
    size_t nblock;
} pg_sha256;

void pg_sha256_init(pg_sha256 *s);
void pg_sha256_update(pg_sha256 *s, const void *data, size_t n);
void pg_sha256_final(pg_sha256 *s, unsigned char out[32]);

/* One call: out = SHA-256(data[0..n)). */
void pg_sha256_of(const void *data, size_t n, unsigned char out[32]);

/* Feed a NUL-terminated string with its length first, so that the fields
   ("ab","c") and ("a","bc") never hash alike. NULL counts as its own value. */
void pg_sha256_str(pg_sha256 *s, const char *str);

/* 64 lowercase hex digits and a NUL into out[65]. */
void pg_sha256_hex(const unsigned char d[32], char out[65]);

#endif
