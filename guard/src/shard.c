/* shard.c - the share of the work one shard checks (see shard.h). */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "shard.h"

static int number(const char *s, const char *end, unsigned long *out)
{
    if (s == end || s[0] < '0' || s[0] > '9')
        return -1;
    char *stop;
    errno = 0;
    *out = strtoul(s, &stop, 10);
    return errno || stop != end ? -1 : 0;
}

int pg_shard_parse(const char *spec, pg_shard *out)
{
    const char *slash = strchr(spec, '/');
    unsigned long k, n;
    if (slash == NULL || number(spec, slash, &k) != 0 ||
        number(slash + 1, slash + 1 + strlen(slash + 1), &n) != 0 || k < 1 ||
        n < 1 || k > n || n > 4096)
        return -1;
    out->k = (unsigned)k;
    out->n = (unsigned)n;
    return 0;
}

int pg_shard_owns(const pg_shard *s, const char *key)
{
    if (s->n == 0)
        return 1;
    unsigned char d[32];
    pg_sha256_of(key, strlen(key), d);
    uint64_t h = 0;
    for (int i = 0; i < 8; i++)
        h = h << 8 | d[i];
    return h % s->n == s->k - 1;
}
