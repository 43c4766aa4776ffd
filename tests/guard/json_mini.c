/* json_mini.c - recursive descent over RFC 8259, strict on purpose. */
#include <stdlib.h>
#include <string.h>

#include "json_mini.h"

typedef struct jp {
    const char *s;
    size_t n, i;
    int depth;
} jp;

static void ws(jp *p)
{
    while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
                           p->s[p->i] == '\n' || p->s[p->i] == '\r'))
        p->i++;
}

static jval *mk(jtype t)
{
    jval *v = calloc(1, sizeof *v);
    if (v == NULL)
        abort();
    v->t = t;
    return v;
}

/* Room for n elements of size bytes; like mk(), out of memory aborts. */
static void *grow(void *p, size_t n, size_t size)
{
    void *q = realloc(p, n * size);
    if (q == NULL)
        abort();
    return q;
}

static int lit(jp *p, const char *w)
{
    size_t l = strlen(w);
    if (p->n - p->i < l || memcmp(p->s + p->i, w, l) != 0)
        return 0;
    p->i += l;
    return 1;
}

static int hex4(jp *p, unsigned *out)
{
    if (p->n - p->i < 4)
        return 0;
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = p->s[p->i++];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return 0;
    }
    *out = v;
    return 1;
}

static void put_utf8(char *o, size_t *w, unsigned cp)
{
    if (cp < 0x80) {
        o[(*w)++] = (char)cp;
    } else if (cp < 0x800) {
        o[(*w)++] = (char)(0xc0 | (cp >> 6));
        o[(*w)++] = (char)(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        o[(*w)++] = (char)(0xe0 | (cp >> 12));
        o[(*w)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[(*w)++] = (char)(0x80 | (cp & 0x3f));
    } else {
        o[(*w)++] = (char)(0xf0 | (cp >> 18));
        o[(*w)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
        o[(*w)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
        o[(*w)++] = (char)(0x80 | (cp & 0x3f));
    }
}

static char *string(jp *p)
{
    if (p->i >= p->n || p->s[p->i] != '"')
        return NULL;
    p->i++;
    char *o = malloc(p->n - p->i + 4);
    size_t w = 0;
    while (p->i < p->n) {
        unsigned char c = (unsigned char)p->s[p->i++];
        if (c == '"') {
            o[w] = '\0';
            return o;
        }
        if (c < 0x20)
            break;
        if (c != '\\') {
            o[w++] = (char)c;
            continue;
        }
        if (p->i >= p->n)
            break;
        char e = p->s[p->i++];
        const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
        const char *k = e ? strchr(from, e) : NULL;
        if (k != NULL) {
            o[w++] = to[k - from];
        } else if (e == 'u') {
            unsigned cp;
            if (!hex4(p, &cp))
                break;
            if (cp >= 0xd800 && cp < 0xdc00) {
                unsigned lo;
                if (!lit(p, "\\u") || !hex4(p, &lo) || lo < 0xdc00 ||
                    lo > 0xdfff)
                    break;
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                break;
            }
            put_utf8(o, &w, cp);
        } else {
            break;
        }
    }
    free(o);
    return NULL;
}

static jval *value(jp *p);

static jval *container(jp *p, int obj)
{
    jval *v = mk(obj ? J_OBJ : J_ARR);
    p->i++;
    ws(p);
    if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) {
        p->i++;
        return v;
    }
    for (;;) {
        char *key = NULL;
        ws(p);
        if (obj) {
            key = string(p);
            ws(p);
            if (key == NULL || p->i >= p->n || p->s[p->i] != ':') {
                free(key);
                json_free(v);
                return NULL;
            }
            p->i++;
        }
        jval *item = value(p);
        if (item == NULL) {
            free(key);
            json_free(v);
            return NULL;
        }
        v->items = grow(v->items, v->n + 1, sizeof(jval *));
        v->keys = grow(v->keys, v->n + 1, sizeof(char *));
        v->items[v->n] = item;
        v->keys[v->n] = key;
        v->n++;
        ws(p);
        if (p->i < p->n && p->s[p->i] == ',') {
            p->i++;
            continue;
        }
        if (p->i < p->n && p->s[p->i] == (obj ? '}' : ']')) {
            p->i++;
            return v;
        }
        json_free(v);
        return NULL;
    }
}

static jval *number(jp *p)
{
    size_t st = p->i;
    if (p->i < p->n && p->s[p->i] == '-')
        p->i++;
    if (p->i < p->n && p->s[p->i] == '0')
        p->i++;
    else if (p->i < p->n && p->s[p->i] >= '1' && p->s[p->i] <= '9')
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
    else
        return NULL;
    if (p->i < p->n && p->s[p->i] == '.') {
        p->i++;
        size_t d = p->i;
        while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
            p->i++;
        if (d == p->i)
            return NULL;
    }
    char buf[64];
    size_t l = p->i - st < 63 ? p->i - st : 63;
    memcpy(buf, p->s + st, l);
    buf[l] = '\0';
    jval *v = mk(J_NUM);
    v->num = strtod(buf, NULL);
    return v;
}

static jval *value(jp *p)
{
    ws(p);
    if (p->i >= p->n || ++p->depth > 64)
        return NULL;
    jval *v = NULL;
    char c = p->s[p->i];
    if (c == '{' || c == '[') {
        v = container(p, c == '{');
    } else if (c == '"') {
        char *s = string(p);
        if (s != NULL) {
            v = mk(J_STR);
            v->str = s;
        }
    } else if (lit(p, "true") || lit(p, "false")) {
        v = mk(J_BOOL);
        v->b = p->s[p->i - 1] == 'e' && p->s[p->i - 2] == 'u';
    } else if (lit(p, "null")) {
        v = mk(J_NULL);
    } else {
        v = number(p);
    }
    p->depth--;
    return v;
}

jval *json_parse(const char *text, size_t len)
{
    jp p = {text, len, 0, 0};
    jval *v = value(&p);
    ws(&p);
    if (v != NULL && p.i != p.n) {
        json_free(v);
        return NULL;
    }
    return v;
}

void json_free(jval *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++) {
        json_free(v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

const jval *json_get(const jval *v, const char *key)
{
    if (v == NULL || v->t != J_OBJ)
        return NULL;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->keys[i], key) == 0)
            return v->items[i];
    return NULL;
}

const char *json_str(const jval *v, const char *key)
{
    const jval *m = json_get(v, key);
    return m && m->t == J_STR ? m->str : NULL;
}

double json_num(const jval *v, const char *key)
{
    const jval *m = json_get(v, key);
    return m && m->t == J_NUM ? m->num : -1;
}
