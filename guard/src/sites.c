/* sites.c - the list of sites the passes return, and small helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"

void *pg_xrealloc(void *p, size_t n)
{
    void *q = realloc(p, n ? n : 1);
    if (q == NULL) {
        fputs("procguard: out of memory\n", stderr);
        abort();
    }
    return q;
}

char *pg_strndup(const char *s, size_t n)
{
    char *d = pg_xrealloc(NULL, n + 1);
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *pg_strdup(const char *s)
{
    return s ? pg_strndup(s, strlen(s)) : NULL;
}

int pg_contains(const char *hay, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m > 0 && i + m <= n;) {
        const char *hit = memchr(hay + i, needle[0], n - m - i + 1);
        if (hit == NULL)
            return 0;
        if (memcmp(hit, needle, m) == 0)
            return 1;
        i = (size_t)(hit - hay) + 1;
    }
    return m == 0;
}

int pg_sites_add(pg_sites *list, const pg_site *s)
{
    if (list->n == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 16;
        list->v = pg_xrealloc(list->v, list->cap * sizeof *list->v);
    }
    pg_site *d = &list->v[list->n++];
    *d = *s;
    d->path = pg_strdup(s->path);
    d->value = pg_strdup(s->value);
    d->macro = pg_strdup(s->macro);
    d->def_path = pg_strdup(s->def_path);
    d->defines = pg_strdup(s->defines);
    return 0;
}

static void site_free(pg_site *s)
{
    free(s->path);
    free(s->value);
    free(s->macro);
    free(s->def_path);
    free(s->defines);
}

void pg_sites_free(pg_sites *list)
{
    for (size_t i = 0; i < list->n; i++)
        site_free(&list->v[i]);
    free(list->v);
    list->v = NULL;
    list->n = list->cap = 0;
}

static int same_place(const pg_site *x, const pg_site *y)
{
    int c = strcmp(x->path, y->path);
    if (c != 0)
        return c;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

/* Same place: the strictest first (see pg_sites_dedupe). */
static int by_path_offset(const void *a, const void *b)
{
    const pg_site *x = a, *y = b;
    int c = same_place(x, y);
    if (c != 0)
        return c;
    c = (x->macro != NULL) - (y->macro != NULL);
    if (c != 0)
        return c;
    c = strcmp(x->pass, y->pass); /* "clang" < "tree-sitter" */
    if (c != 0)
        return c;
    return (x->defines == NULL) - (y->defines == NULL);
}

void pg_sites_dedupe(pg_sites *list)
{
    if (list->n == 0)
        return;
    qsort(list->v, list->n, sizeof *list->v, by_path_offset);
    size_t w = 1;
    for (size_t r = 1; r < list->n; r++) {
        pg_site *prev = &list->v[w - 1];
        if (same_place(prev, &list->v[r]) == 0) {
            if (prev->defines == NULL && list->v[r].defines != NULL) {
                prev->defines = list->v[r].defines;
                list->v[r].defines = NULL;
            }
            site_free(&list->v[r]);
            continue;
        }
        list->v[w++] = list->v[r];
    }
    list->n = w;
}
