/*
 * cache.c - the result cache's store (see cache.h): entry files, their
 * checks, atomic replacement, the size cap; and the payload encoding.
 *
 * Entry file DIR/xx/<64 hex digits of the key>:
 *   "PGC1"  magic
 *   key     32 bytes, must equal the name (a renamed file is not trusted)
 *   length  8 bytes little-endian, must equal the rest of the file
 *   sum     32 bytes, SHA-256 of the payload
 *   payload
 */
#define _DEFAULT_SOURCE /* mkdtemp, mkstemp, futimens, dirent d_type */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cache.h"
#include "sha256.h"

#define MAGIC "PGC1"
#define HEAD  (4 + 32 + 8 + 32)

char *pg_cache_default_dir(void)
{
    const char *x = getenv("XDG_CACHE_HOME"), *h = getenv("HOME");
    const char *base = x && x[0] == '/' ? x : h && h[0] ? h : NULL;
    if (base == NULL)
        return NULL;
    const char *tail = base == x ? "/procguard" : "/.cache/procguard";
    char *d = pg_xrealloc(NULL, strlen(base) + strlen(tail) + 1);
    sprintf(d, "%s%s", base, tail);
    return d;
}

static int mkdirs(char *path)
{
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        int rc = mkdir(path, 0777);
        *p = '/';
        if (rc != 0 && errno != EEXIST)
            return -1;
    }
    return mkdir(path, 0777) == 0 || errno == EEXIST ? 0 : -1;
}

int pg_cache_open(pg_cache *c, const char *dir, uint64_t cap, pg_error *err)
{
    memset(c, 0, sizeof *c);
    c->dir = pg_strdup(dir);
    c->cap = cap;
    struct stat st;
    if (mkdirs(c->dir) != 0 || stat(c->dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        snprintf(err->msg, sizeof err->msg,
                 "cannot use cache directory '%s': %s (pass --cache-dir DIR "
                 "or --no-cache)",
                 dir, strerror(errno ? errno : ENOTDIR));
        free(c->dir);
        c->dir = NULL;
        return -1;
    }
    pthread_mutex_init(&c->mu, NULL);
    clock_gettime(CLOCK_REALTIME, &c->start);
    return 0;
}

/* DIR/xx/<hex> (and DIR/xx into *sub when sub is not NULL). */
static char *entry_path(const pg_cache *c, const unsigned char key[32],
                        char **sub)
{
    char hex[65];
    pg_sha256_hex(key, hex);
    char *p = pg_xrealloc(NULL, strlen(c->dir) + 70);
    sprintf(p, "%s/%.2s/%s", c->dir, hex, hex);
    if (sub != NULL)
        *sub = pg_strndup(p, strlen(c->dir) + 3);
    return p;
}

static void bump(pg_cache *c, size_t *counter)
{
    pthread_mutex_lock(&c->mu);
    (*counter)++;
    pthread_mutex_unlock(&c->mu);
}

void pg_cache_count(pg_cache *c, int hit)
{
    bump(c, hit ? &c->st.hits : &c->st.misses);
}

static uint64_t get_le64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static int entry_ok(const unsigned char *b, size_t n,
                    const unsigned char key[32])
{
    unsigned char sum[32];
    if (n < HEAD || memcmp(b, MAGIC, 4) != 0 || memcmp(b + 4, key, 32) != 0 ||
        get_le64(b + 36) != n - HEAD)
        return 0;
    pg_sha256_of(b + HEAD, n - HEAD, sum);
    return memcmp(sum, b + 44, 32) == 0;
}

static int slurp(const char *path, unsigned char **buf, size_t *n)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return -2;
    }
    *buf = pg_xrealloc(NULL, (size_t)st.st_size + 1);
    size_t got = 0;
    while (got < (size_t)st.st_size) {
        ssize_t r = read(fd, *buf + got, (size_t)st.st_size - got);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    futimens(fd, NULL); /* a hit keeps the entry young (see eviction) */
    close(fd);
    *n = got;
    return 0;
}

int pg_cache_get(pg_cache *c, const unsigned char key[32], char **data,
                 size_t *len)
{
    char *path = entry_path(c, key, NULL);
    unsigned char *b = NULL;
    size_t n = 0;
    int rc = slurp(path, &b, &n);
    if (rc == -1) {
        free(path);
        return 0;
    }
    if (rc != 0 || !entry_ok(b, n, key)) {
        unlink(path);
        bump(c, &c->st.corrupt);
        free(b);
        free(path);
        return 0;
    }
    free(path);
    *len = n - HEAD;
    memmove(b, b + HEAD, *len);
    b[*len] = '\0';
    *data = (char *)b;
    return 1;
}

static int write_all(int fd, const void *p, size_t n)
{
    const char *q = p;
    while (n > 0) {
        ssize_t w = write(fd, q, n);
        if (w <= 0)
            return -1;
        q += w;
        n -= (size_t)w;
    }
    return 0;
}

void pg_cache_put(pg_cache *c, const unsigned char key[32], const char *data,
                  size_t len)
{
    unsigned char head[HEAD];
    memcpy(head, MAGIC, 4);
    memcpy(head + 4, key, 32);
    for (int i = 0; i < 8; i++)
        head[36 + i] = (unsigned char)((uint64_t)len >> (8 * i));
    pg_sha256_of(data, len, head + 44);
    char *sub, *path = entry_path(c, key, &sub);
    char *tmp = pg_xrealloc(NULL, strlen(sub) + 16);
    sprintf(tmp, "%s/.tmp.XXXXXX", sub);
    mkdir(sub, 0777);
    int fd = mkstemp(tmp);
    if (fd >= 0) {
        /* no fsync: a torn entry after a crash fails its checksum */
        int ok =
            write_all(fd, head, HEAD) == 0 && write_all(fd, data, len) == 0;
        ok = close(fd) == 0 && ok;
        if (ok && rename(tmp, path) == 0)
            bump(c, &c->st.stored);
        else
            unlink(tmp);
    }
    free(tmp);
    free(sub);
    free(path);
}

/* ---- file content, hashed once a run ----------------------------------- */

static size_t memo_slot(const pg_cache *c, const char *path)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a: a bucket, not a key */
    for (const char *p = path; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    size_t i = (size_t)h & (c->capmemo - 1);
    while (c->memo[i].path != NULL && strcmp(c->memo[i].path, path) != 0)
        i = (i + 1) & (c->capmemo - 1);
    return i;
}

static void memo_grow(pg_cache *c)
{
    pg_cache_memo *old = c->memo;
    size_t oldcap = c->capmemo;
    c->capmemo = oldcap ? oldcap * 2 : 256;
    c->memo = pg_xrealloc(NULL, c->capmemo * sizeof *c->memo);
    memset(c->memo, 0, c->capmemo * sizeof *c->memo);
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].path != NULL)
            c->memo[memo_slot(c, old[i].path)] = old[i];
    free(old);
}

/* 1 if `m` is not safely before `start`: file timestamps come from a
   coarse kernel clock, so "just before" (50 ms) counts as during. */
static int too_new(struct timespec m, struct timespec start)
{
    long long mn = (long long)m.tv_sec * 1000000000LL + m.tv_nsec;
    long long sn = (long long)start.tv_sec * 1000000000LL + start.tv_nsec;
    return mn >= sn - 50000000LL;
}

static int sum_file(const char *path, struct timespec start,
                    unsigned char out[32], int *young)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    *young = fstat(fd, &st) != 0 || too_new(st.st_mtim, start);
    pg_sha256 s;
    pg_sha256_init(&s);
    char buf[65536];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        pg_sha256_update(&s, buf, (size_t)r);
    close(fd);
    if (r < 0)
        return -1;
    pg_sha256_final(&s, out);
    return 0;
}

/* The memo's answer for path, when it has one. */
static int memo_get(pg_cache *c, const char *path, unsigned char out[32],
                    int *young)
{
    if (c->capmemo == 0)
        return 0;
    const pg_cache_memo *m = &c->memo[memo_slot(c, path)];
    if (m->path == NULL)
        return 0;
    memcpy(out, m->sum, 32);
    if (young != NULL)
        *young = m->young;
    return m->ok ? 1 : -1;
}

int pg_cache_file_sum(pg_cache *c, const char *path, unsigned char out[32],
                      int *young)
{
    pthread_mutex_lock(&c->mu);
    int got = memo_get(c, path, out, young);
    pthread_mutex_unlock(&c->mu);
    if (got != 0)
        return got > 0 ? 0 : -1;
    unsigned char sum[32] = {0};
    int y = 1, ok = sum_file(path, c->start, sum, &y) == 0;
    pthread_mutex_lock(&c->mu);
    if (2 * (c->nmemo + 1) > c->capmemo)
        memo_grow(c);
    size_t i = memo_slot(c, path);
    if (c->memo[i].path == NULL) {
        c->memo[i].path = pg_strdup(path);
        memcpy(c->memo[i].sum, sum, 32);
        c->memo[i].ok = ok;
        c->memo[i].young = y;
        c->nmemo++;
    }
    got = memo_get(c, path, out, young);
    pthread_mutex_unlock(&c->mu);
    return got > 0 ? 0 : -1;
}

/* ---- the cap ------------------------------------------------------------ */

typedef struct centry {
    char *path;
    uint64_t size;
    struct timespec mtime;
} centry;

static int older(const void *a, const void *b)
{
    const centry *x = a, *y = b;
    if (x->mtime.tv_sec != y->mtime.tv_sec)
        return x->mtime.tv_sec < y->mtime.tv_sec ? -1 : 1;
    if (x->mtime.tv_nsec != y->mtime.tv_nsec)
        return x->mtime.tv_nsec < y->mtime.tv_nsec ? -1 : 1;
    return strcmp(x->path, y->path);
}

/* Every entry file under DIR/xx/ (temporary files older than an hour are
   leftovers of a killed run: removed). */
static void list_entries(const char *dir, centry **v, size_t *n)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d != NULL && (e = readdir(d)) != NULL) {
        if (strlen(e->d_name) != 2 || e->d_name[0] == '.')
            continue;
        char *sub = pg_xrealloc(NULL, strlen(dir) + 4);
        sprintf(sub, "%s/%s", dir, e->d_name);
        DIR *s = opendir(sub);
        struct dirent *f;
        while (s != NULL && (f = readdir(s)) != NULL) {
            if (f->d_name[0] == '.' && strncmp(f->d_name, ".tmp.", 5) != 0)
                continue;
            char *p = pg_xrealloc(NULL, strlen(sub) + strlen(f->d_name) + 2);
            sprintf(p, "%s/%s", sub, f->d_name);
            struct stat st;
            if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode)) {
                free(p);
                continue;
            }
            if (f->d_name[0] == '.') {
                if (st.st_mtime + 3600 < time(NULL))
                    unlink(p);
                free(p);
                continue;
            }
            *v = pg_xrealloc(*v, (*n + 1) * sizeof **v);
            (*v)[(*n)++] = (centry){p, (uint64_t)st.st_size, st.st_mtim};
        }
        if (s != NULL)
            closedir(s);
        free(sub);
    }
    if (d != NULL)
        closedir(d);
}

void pg_cache_close(pg_cache *c)
{
    if (c->dir == NULL)
        return;
    centry *v = NULL;
    size_t n = 0;
    uint64_t total = 0;
    list_entries(c->dir, &v, &n);
    for (size_t i = 0; i < n; i++)
        total += v[i].size;
    if (n > 0)
        qsort(v, n, sizeof *v, older);
    size_t i = 0;
    for (; i < n && total > c->cap; i++) {
        if (unlink(v[i].path) == 0)
            c->st.evicted++;
        total -= v[i].size;
    }
    c->st.entries = n - i;
    c->st.size = total;
    for (i = 0; i < n; i++)
        free(v[i].path);
    free(v);
    for (i = 0; i < c->capmemo; i++)
        free(c->memo[i].path);
    free(c->memo);
    c->memo = NULL;
    pthread_mutex_destroy(&c->mu);
    free(c->dir);
    c->dir = NULL;
}

/* ---- payload encoding ---------------------------------------------------- */

void pg_wbuf_append(pg_wbuf *w, const void *p, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->p = pg_xrealloc(w->p, w->cap);
    }
    memcpy(w->p + w->n, p, n);
    w->n += n;
}

void pg_w_u64(pg_wbuf *w, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (8 * i));
    pg_wbuf_append(w, b, 8);
}

void pg_w_str(pg_wbuf *w, const char *s)
{
    if (s == NULL) {
        pg_w_u64(w, UINT64_MAX);
        return;
    }
    size_t n = strlen(s);
    pg_w_u64(w, n);
    pg_wbuf_append(w, s, n);
}

uint64_t pg_r_u64(pg_rbuf *r)
{
    if (r->bad || r->n - r->at < 8) {
        r->bad = 1;
        return 0;
    }
    uint64_t v = get_le64((const unsigned char *)r->p + r->at);
    r->at += 8;
    return v;
}

char *pg_r_str(pg_rbuf *r)
{
    uint64_t n = pg_r_u64(r);
    if (r->bad || n == UINT64_MAX)
        return NULL;
    if (n > r->n - r->at || memchr(r->p + r->at, '\0', n) != NULL) {
        r->bad = 1;
        return NULL;
    }
    char *s = pg_strndup(r->p + r->at, n);
    r->at += n;
    return s;
}

void pg_w_sites(pg_wbuf *w, const pg_sites *s)
{
    pg_w_u64(w, s->n);
    for (size_t i = 0; i < s->n; i++) {
        const pg_site *x = &s->v[i];
        pg_w_str(w, x->path);
        pg_w_u64(w, x->line);
        pg_w_u64(w, x->col);
        pg_w_u64(w, x->offset);
        pg_w_str(w, x->value);
        pg_w_str(w, x->macro);
        pg_w_str(w, x->def_path);
        pg_w_u64(w, x->def_line);
        pg_w_str(w, x->defines);
        pg_w_u64(w, x->pass && strcmp(x->pass, "clang") == 0);
    }
}

int pg_r_sites(pg_rbuf *r, pg_sites *s)
{
    uint64_t n = pg_r_u64(r);
    for (uint64_t i = 0; i < n && !r->bad; i++) {
        pg_site x;
        memset(&x, 0, sizeof x);
        x.path = pg_r_str(r);
        x.line = (unsigned)pg_r_u64(r);
        x.col = (unsigned)pg_r_u64(r);
        x.offset = (size_t)pg_r_u64(r);
        x.value = pg_r_str(r);
        x.macro = pg_r_str(r);
        x.def_path = pg_r_str(r);
        x.def_line = (unsigned)pg_r_u64(r);
        x.defines = pg_r_str(r);
        x.pass = pg_r_u64(r) ? "clang" : "tree-sitter";
        if (x.path == NULL || x.value == NULL)
            r->bad = 1;
        if (!r->bad)
            pg_sites_add(s, &x);
        free(x.path);
        free(x.value);
        free(x.macro);
        free(x.def_path);
        free(x.defines);
    }
    if (r->bad) {
        pg_sites_free(s);
        memset(s, 0, sizeof *s);
        return -1;
    }
    return 0;
}
