/* ts_cache.c - tree-sitter results by file content (see ts_cache.h). */
#include <stdlib.h>
#include <string.h>

#include "sha256.h"
#include "ts_cache.h"
#include "ts_pass.h"

static void ts_key(const char *version, const char *path, const char *text,
                   size_t len, pg_lang lang, unsigned char key[32])
{
    unsigned char content[32];
    pg_sha256_of(text, len, content);
    char l[2] = {(char)('0' + (int)lang), '\0'};
    pg_sha256 s;
    pg_sha256_init(&s);
    pg_sha256_str(&s, "procguard ts_pass v1");
    pg_sha256_str(&s, version);
    pg_sha256_str(&s, path);
    pg_sha256_str(&s, l);
    pg_sha256_update(&s, content, sizeof content);
    pg_sha256_final(&s, key);
}

int pg_ts_scan_cached(pg_cache *cache, const char *version, const char *path,
                      const char *text, size_t len, pg_lang lang, pg_sites *out,
                      pg_error *err)
{
    if (cache == NULL)
        return pg_ts_scan(path, text, len, lang, NULL, 0, out, err);
    unsigned char key[32];
    ts_key(version, path, text, len, lang, key);
    char *data;
    size_t dlen;
    if (pg_cache_get(cache, key, &data, &dlen)) {
        pg_rbuf r = {data, dlen, 0, 0};
        pg_sites got = {NULL, 0, 0};
        int ok = pg_r_sites(&r, &got) == 0 && r.at == r.n;
        free(data);
        if (ok) {
            for (size_t i = 0; i < got.n; i++)
                pg_sites_add(out, &got.v[i]);
            pg_sites_free(&got);
            pg_cache_count(cache, 1);
            return 0;
        }
        pg_sites_free(&got);
    }
    pg_cache_count(cache, 0);
    cache->st.scanned++;
    pg_sites mine = {NULL, 0, 0};
    int rc = pg_ts_scan(path, text, len, lang, NULL, 0, &mine, err);
    if (rc == 0) {
        pg_wbuf w = {NULL, 0, 0};
        pg_w_sites(&w, &mine);
        pg_cache_put(cache, key, w.p, w.n);
        free(w.p);
        for (size_t i = 0; i < mine.n; i++)
            pg_sites_add(out, &mine.v[i]);
    }
    pg_sites_free(&mine);
    return rc;
}
