/*
 * merge.c - shard states: encoded into and read out of a shard's JSON
 * report, and combined (see merge.h).
 *
 * Divisions: encoding; base64 and the checksum; reading a report;
 * combining.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache.h" /* pg_wbuf / pg_rbuf */
#include "merge.h"
#include "sha256.h"

#define STATE_MAGIC "procguard-shard-1"
#define MEMBER      "\"shard_state\": \""

/* ---- encoding ------------------------------------------------------------ */

static void w_findings(pg_wbuf *w, const pg_findings *f)
{
    pg_w_u64(w, f->n);
    for (size_t i = 0; i < f->n; i++) {
        const pg_finding *x = &f->v[i];
        pg_w_u64(w, (uint64_t)x->rule);
        pg_w_str(w, x->path);
        pg_w_u64(w, x->line);
        pg_w_u64(w, x->col);
        pg_w_u64(w, x->end_col);
        pg_w_str(w, x->message);
        pg_w_str(w, x->srcline);
    }
}

static void r_findings(pg_rbuf *r, pg_findings *f)
{
    uint64_t n = pg_r_u64(r);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        pg_finding x;
        memset(&x, 0, sizeof x);
        uint64_t rule = pg_r_u64(r);
        x.path = pg_r_str(r);
        x.line = (unsigned)pg_r_u64(r);
        x.col = (unsigned)pg_r_u64(r);
        x.end_col = (unsigned)pg_r_u64(r);
        x.message = pg_r_str(r);
        x.srcline = pg_r_str(r);
        if (rule >= PG_RULE_COUNT || x.message == NULL)
            r->bad = 1;
        x.rule = (pg_rule)rule;
        if (!r->bad)
            pg_findings_add(f, &x);
        free(x.path);
        free(x.message);
        free(x.srcline);
    }
}

static void w_clang(pg_wbuf *w, const pg_clang_out *c)
{
    pg_w_sites(w, &c->sites);
    pg_w_u64(w, c->nfiles);
    for (size_t i = 0; i < c->nfiles; i++) {
        pg_w_str(w, c->files[i].abspath);
        pg_w_u64(w, c->files[i].nskipped);
        for (size_t j = 0; j < c->files[i].nskipped; j++) {
            pg_w_u64(w, c->files[i].skipped[j].start);
            pg_w_u64(w, c->files[i].skipped[j].end);
        }
    }
    pg_w_u64(w, c->ndegraded);
    for (size_t i = 0; i < c->ndegraded; i++) {
        pg_w_str(w, c->degraded[i].path);
        pg_w_u64(w, c->degraded[i].line);
        pg_w_u64(w, c->degraded[i].col);
        pg_w_str(w, c->degraded[i].msg);
        pg_w_u64(w, c->degraded[i].tu);
    }
    pg_w_u64(w, c->ntus);
    pg_w_u64(w, c->fail_tu);
}

static void r_clang(pg_rbuf *r, pg_clang_out *c)
{
    if (pg_r_sites(r, &c->sites) != 0)
        return;
    uint64_t n = pg_r_u64(r);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        pg_seen_file f = {pg_r_str(r), NULL, 0};
        uint64_t nr = pg_r_u64(r);
        if (f.abspath == NULL || nr > (r->n - r->at) / 16) {
            free(f.abspath);
            r->bad = 1;
            break;
        }
        f.skipped = pg_xrealloc(NULL, (nr ? nr : 1) * sizeof *f.skipped);
        for (; f.nskipped < nr; f.nskipped++) {
            f.skipped[f.nskipped].start = (size_t)pg_r_u64(r);
            f.skipped[f.nskipped].end = (size_t)pg_r_u64(r);
        }
        c->files = pg_xrealloc(c->files, (c->nfiles + 1) * sizeof f);
        c->files[c->nfiles++] = f;
    }
    n = pg_r_u64(r);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        pg_degraded d;
        d.path = pg_r_str(r);
        d.line = (unsigned)pg_r_u64(r);
        d.col = (unsigned)pg_r_u64(r);
        d.msg = pg_r_str(r);
        d.tu = (size_t)pg_r_u64(r);
        c->degraded = pg_xrealloc(c->degraded, (c->ndegraded + 1) * sizeof d);
        c->degraded[c->ndegraded++] = d;
        if (d.path == NULL || d.msg == NULL)
            r->bad = 1;
    }
    c->ntus = (size_t)pg_r_u64(r);
    c->fail_tu = (size_t)pg_r_u64(r);
}

static void encode(pg_wbuf *w, const pg_shard_state *s)
{
    pg_w_str(w, STATE_MAGIC);
    pg_w_u64(w, s->k);
    pg_w_u64(w, s->n);
    pg_w_str(w, s->version);
    pg_w_u64(w, (uint64_t)s->partial);
    pg_w_u64(w, s->nignored);
    pg_w_u64(w, s->files.n);
    for (size_t i = 0; i < s->files.n; i++) {
        pg_w_str(w, s->files.v[i].path);
        pg_w_u64(w, (uint64_t)s->files.v[i].lang);
        pg_w_u64(w, s->reached[i]);
    }
    pg_w_u64(w, (uint64_t)s->semantic);
    pg_w_u64(w, (uint64_t)s->clang_failed);
    w_clang(w, &s->clang);
    w_findings(w, &s->fail);
    pg_w_sites(w, &s->ts);
    w_findings(w, &s->found);
}

static int decode(pg_rbuf *r, pg_shard_state *s)
{
    char *magic = pg_r_str(r);
    int ok = magic != NULL && strcmp(magic, STATE_MAGIC) == 0;
    free(magic);
    if (!ok)
        return -1;
    s->k = (unsigned)pg_r_u64(r);
    s->n = (unsigned)pg_r_u64(r);
    s->version = pg_r_str(r);
    s->partial = (int)pg_r_u64(r);
    s->nignored = (size_t)pg_r_u64(r);
    uint64_t n = pg_r_u64(r);
    if (r->bad || n > r->n)
        return -1;
    s->files.v = pg_xrealloc(NULL, (n ? n : 1) * sizeof *s->files.v);
    s->reached = pg_xrealloc(NULL, n ? n : 1);
    for (; s->files.n < n && !r->bad; s->files.n++) {
        pg_file *f = &s->files.v[s->files.n];
        f->path = pg_r_str(r);
        f->lang = (pg_lang)pg_r_u64(r);
        s->reached[s->files.n] = (unsigned char)pg_r_u64(r);
        if (f->path == NULL)
            r->bad = 1;
    }
    s->semantic = (int)pg_r_u64(r);
    s->clang_failed = (int)pg_r_u64(r);
    r_clang(r, &s->clang);
    r_findings(r, &s->fail);
    if (!r->bad && pg_r_sites(r, &s->ts) != 0)
        return -1;
    r_findings(r, &s->found);
    return r->bad || r->at != r->n || s->version == NULL ? -1 : 0;
}

/* ---- base64 and the checksum ----------------------------------------- */

/* 64 digits, then the pad character */
static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=";

static char *base64(const unsigned char *p, size_t n)
{
    char *o = pg_xrealloc(NULL, (n + 2) / 3 * 4 + 1), *q = o;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        *q++ = b64[v >> 18];
        *q++ = b64[(v >> 12) & 63];
        *q++ = b64[i + 1 < n ? (v >> 6) & 63 : 64];
        *q++ = b64[i + 2 < n ? v & 63 : 64];
    }
    *q = '\0';
    return o;
}

/* Decoded bytes (allocated) of the n characters at s, or NULL. */
static unsigned char *unbase64(const char *s, size_t n, size_t *len)
{
    if (n % 4 != 0)
        return NULL;
    unsigned char *o = pg_xrealloc(NULL, n / 4 * 3 + 1);
    size_t m = 0;
    for (size_t i = 0; i < n; i += 4) {
        uint32_t v = 0;
        int pad = 0;
        for (int j = 0; j < 4; j++) {
            const char *c = s[i + j] == '=' ? NULL : strchr(b64, s[i + j]);
            if (s[i + j] == '=' && i + 4 == n && j >= 2)
                pad++;
            else if (c == NULL || s[i + j] == '\0' || pad) {
                free(o);
                return NULL;
            }
            v = v << 6 | (c ? (uint32_t)(c - b64) : 0);
        }
        o[m++] = (unsigned char)(v >> 16);
        if (pad < 2)
            o[m++] = (unsigned char)(v >> 8);
        if (pad < 1)
            o[m++] = (unsigned char)v;
    }
    *len = m;
    return o;
}

char *pg_shard_state_encode(const pg_shard_state *s)
{
    pg_wbuf w = {NULL, 0, 0};
    unsigned char sum[32] = {0};
    pg_wbuf_append(&w, sum, sizeof sum);
    encode(&w, s);
    pg_sha256_of(w.p + 32, w.n - 32, sum);
    memcpy(w.p, sum, sizeof sum);
    char *t = base64((const unsigned char *)w.p, w.n);
    free(w.p);
    return t;
}

/* ---- reading a report ---------------------------------------------------- */

int pg_shard_state_read(const char *path, pg_shard_state *out, pg_error *err)
{
    memset(out, 0, sizeof *out);
    char *text;
    size_t len;
    if (pg_read_file(path, &text, &len, err) != 0)
        return -1;
    const char *at = strstr(text, "\n  " MEMBER);
    const char *end = at ? strchr(at + 3 + strlen(MEMBER), '"') : NULL;
    if (end == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: no \"shard_state\": not the --format json report of a "
                 "procguard --shard run",
                 path);
        free(text);
        return -1;
    }
    const char *b = at + 3 + strlen(MEMBER);
    size_t n;
    unsigned char sum[32] = {0};
    unsigned char *raw = unbase64(b, (size_t)(end - b), &n);
    free(text);
    if (raw != NULL && n >= 32)
        pg_sha256_of(raw + 32, n - 32, sum);
    if (raw == NULL || n < 32 || memcmp(sum, raw, 32) != 0) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: \"shard_state\" is damaged (its checksum does not "
                 "match): rerun that shard",
                 path);
        free(raw);
        return -1;
    }
    pg_rbuf r = {(const char *)raw + 32, n - 32, 0, 0};
    int rc = decode(&r, out);
    free(raw);
    if (rc != 0) {
        pg_shard_state_free(out);
        snprintf(err->msg, sizeof err->msg,
                 "%s: \"shard_state\" is from another procguard version or "
                 "malformed: rerun the shards with this procguard",
                 path);
    }
    return rc;
}

/* ---- combining ------------------------------------------------------------
 */

static int check_set(pg_shard_state *v, size_t n, pg_error *err)
{
    unsigned char *seen = calloc(n + 1, 1);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const pg_shard_state *s = &v[i];
        const char *why = NULL;
        if (s->n != n)
            why = "shards of a different split (or not all of them)";
        else if (seen[s->k]++)
            why = "the same shard twice";
        else if (strcmp(s->version, v[0].version) != 0)
            why = "shards of different procguard versions";
        else if (s->partial != v[0].partial || s->semantic != v[0].semantic ||
                 s->nignored != v[0].nignored)
            why = "shards of different runs (options or files differ)";
        if (why != NULL) {
            snprintf(err->msg, sizeof err->msg,
                     "cannot merge: %s; shard %u/%u is one of the %zu reports "
                     "given, and merge needs each of 1/N..N/N exactly once",
                     why, s->k, s->n, n);
            rc = -1;
        }
    }
    free(seen);
    return rc;
}

static int by_file_path(const void *a, const void *b)
{
    return strcmp(((const pg_file *)a)->path, ((const pg_file *)b)->path);
}

static void merge_files(pg_shard_state *v, size_t n, pg_shard_state *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].files.n;
    pg_file *all = pg_xrealloc(NULL, (total ? total : 1) * sizeof *all);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < v[i].files.n; j++) {
            all[m] = v[i].files.v[j];
            /* the repository's files are in every shard: reached ones are
               marked by a lang bit only here, to survive the sort */
            all[m++].lang |= v[i].reached[j] ? 16 : 0;
        }
    qsort(all, m, sizeof *all, by_file_path);
    out->files.v = pg_xrealloc(NULL, (m ? m : 1) * sizeof *all);
    out->reached = pg_xrealloc(NULL, m ? m : 1);
    for (size_t i = 0; i < m; i++) {
        if (out->files.n > 0 &&
            strcmp(out->files.v[out->files.n - 1].path, all[i].path) == 0)
            continue;
        out->reached[out->files.n] = (all[i].lang & 16) != 0;
        out->files.v[out->files.n].path = pg_strdup(all[i].path);
        out->files.v[out->files.n++].lang = (pg_lang)(all[i].lang & 15);
    }
    free(all);
}

static int by_seen_path(const void *a, const void *b)
{
    return strcmp(((const pg_seen_file *)a)->abspath,
                  ((const pg_seen_file *)b)->abspath);
}

/* Files libclang read: a file several shards reached keeps only what every
   one of them skipped. */
static void merge_seen(pg_shard_state *v, size_t n, pg_clang_out *out)
{
    size_t total = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].clang.nfiles;
    pg_seen_file *all = pg_xrealloc(NULL, (total ? total : 1) * sizeof *all);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < v[i].clang.nfiles; j++)
            all[m++] = v[i].clang.files[j];
    qsort(all, m, sizeof *all, by_seen_path);
    out->files = pg_xrealloc(NULL, (m ? m : 1) * sizeof *all);
    for (size_t i = 0; i < m;) {
        pg_seen_file acc = {pg_strdup(all[i].abspath), NULL, all[i].nskipped};
        acc.skipped = pg_xrealloc(NULL, (acc.nskipped + 1) * sizeof(pg_range));
        memcpy(acc.skipped, all[i].skipped, acc.nskipped * sizeof(pg_range));
        for (i++; i < m && strcmp(all[i].abspath, acc.abspath) == 0; i++) {
            pg_range *r;
            acc.nskipped = pg_ranges_intersect(
                acc.skipped, acc.nskipped, all[i].skipped, all[i].nskipped, &r);
            free(acc.skipped);
            acc.skipped = r;
        }
        if (acc.nskipped == 0) {
            free(acc.skipped);
            acc.skipped = NULL;
        }
        out->files[out->nfiles++] = acc;
    }
    free(all);
}

static int by_tu(const void *a, const void *b)
{
    const pg_degraded *x = a, *y = b;
    if (x->tu != y->tu)
        return x->tu < y->tu ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* The first error of each file in database order, as one run keeps it. */
static void merge_degraded(pg_shard_state *v, size_t n, pg_clang_out *out)
{
    size_t total = 0, m = 0;
    for (size_t i = 0; i < n; i++)
        total += v[i].clang.ndegraded;
    pg_degraded *all = pg_xrealloc(NULL, (total ? total : 1) * sizeof *all);
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < v[i].clang.ndegraded; j++)
            all[m++] = v[i].clang.degraded[j];
    qsort(all, m, sizeof *all, by_tu);
    out->degraded = pg_xrealloc(NULL, (m ? m : 1) * sizeof *all);
    for (size_t i = 0; i < m; i++) {
        int seen = 0;
        for (size_t j = 0; j < out->ndegraded && !seen; j++)
            seen = strcmp(out->degraded[j].path, all[i].path) == 0;
        if (seen)
            continue;
        pg_degraded d = all[i];
        d.path = pg_strdup(d.path);
        d.msg = pg_strdup(d.msg);
        out->degraded[out->ndegraded++] = d;
    }
    free(all);
}

static int same_finding(const pg_finding *a, const pg_finding *b)
{
    return a->rule == b->rule && a->line == b->line && a->col == b->col &&
           (a->path == NULL) == (b->path == NULL) &&
           (a->path == NULL || strcmp(a->path, b->path) == 0) &&
           strcmp(a->message, b->message) == 0;
}

int pg_findings_has(const pg_findings *f, const pg_finding *x)
{
    for (size_t k = 0; k < f->n; k++)
        if (same_finding(&f->v[k], x))
            return 1;
    return 0;
}

static void merge_found(pg_shard_state *v, size_t n, pg_findings *out)
{
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < v[i].found.n; j++)
            if (!pg_findings_has(out, &v[i].found.v[j]))
                pg_findings_add(out, &v[i].found.v[j]);
}

int pg_shard_states_merge(pg_shard_state *v, size_t n, pg_shard_state *out,
                          pg_error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || check_set(v, n, err) != 0)
        return -1;
    out->k = 1;
    out->n = 1;
    out->version = pg_strdup(v[0].version);
    out->partial = v[0].partial;
    out->nignored = v[0].nignored;
    out->semantic = v[0].semantic;
    merge_files(v, n, out);
    const pg_shard_state *failed = NULL;
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < v[i].clang.sites.n; j++)
            pg_sites_add(&out->clang.sites, &v[i].clang.sites.v[j]);
        for (size_t j = 0; j < v[i].ts.n; j++)
            pg_sites_add(&out->ts, &v[i].ts.v[j]);
        out->clang.ntus += v[i].clang.ntus;
        if (v[i].clang_failed &&
            (failed == NULL || v[i].clang.fail_tu < failed->clang.fail_tu))
            failed = &v[i];
    }
    pg_clang_sites_dedupe(&out->clang.sites);
    merge_seen(v, n, &out->clang);
    merge_degraded(v, n, &out->clang);
    merge_found(v, n, &out->found);
    if (failed != NULL) {
        out->clang_failed = 1;
        out->clang.fail_tu = failed->clang.fail_tu;
        for (size_t j = 0; j < failed->fail.n; j++)
            pg_findings_add(&out->fail, &failed->fail.v[j]);
    }
    return 0;
}

void pg_shard_state_free(pg_shard_state *s)
{
    free(s->version);
    pg_files_free(&s->files);
    free(s->reached);
    pg_clang_out_free(&s->clang);
    pg_findings_free(&s->fail);
    pg_sites_free(&s->ts);
    pg_findings_free(&s->found);
    memset(s, 0, sizeof *s);
}
