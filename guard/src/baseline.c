/*
 * baseline.c - recorded findings: fingerprints, the baseline file's format
 * and the matching that marks findings baselined (see baseline.h).
 *
 *   1. fingerprints   2. escaping   3. writing   4. parsing   5. matching
 */
#define _DEFAULT_SOURCE /* open_memstream */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "baseline.h"
#include "pg.h"

/* ---- 1. fingerprints --------------------------------------------------- */

int pg_baseline_takes(pg_rule r)
{
    return r == PG_RULE_PROC_UNACKED || r == PG_RULE_PROC_NOT_ALLOWLISTED ||
           r == PG_RULE_ACK_NO_REASON || r == PG_RULE_ACK_UNUSED;
}

static int recorded(const pg_finding *f)
{
    return !f->passed && f->path != NULL && pg_baseline_takes(f->rule);
}

static uint64_t fnv(uint64_t h, const char *s, int skip_blanks)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        if (skip_blanks && (*p == ' ' || *p == '\t' || *p == '\r'))
            continue;
        h ^= *p;
        h *= 0x100000001b3u;
    }
    h ^= 0xff; /* a separator, so ("ab","c") and ("a","bc") differ */
    return h * 0x100000001b3u;
}

static uint64_t fingerprint(const pg_finding *f)
{
    uint64_t h = 0xcbf29ce484222325u;
    h = fnv(h, pg_rule_get(f->rule)->id, 0);
    h = fnv(h, f->value, 0);
    h = fnv(h, f->macro, 0);
    return fnv(h, f->srcline, 1);
}

/* A finding's place in the matching: its fingerprint and its index. */
typedef struct keyed {
    const char *path;
    pg_rule rule;
    uint64_t hash;
    size_t i; /* index into the findings (or entries) */
} keyed;

static int key_cmp(const keyed *x, const keyed *y)
{
    int c = strcmp(x->path, y->path);
    if (c != 0)
        return c;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    const keyed *x = a, *y = b;
    int c = key_cmp(x, y);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* The recorded findings keyed and sorted (findings come sorted by
   location, so equal keys stay in file order). */
static keyed *key_findings(const pg_findings *f, size_t *n)
{
    keyed *k = pg_xrealloc(NULL, (f->n + 1) * sizeof *k);
    *n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (recorded(&f->v[i]))
            k[(*n)++] =
                (keyed){f->v[i].path, f->v[i].rule, fingerprint(&f->v[i]), i};
    if (*n > 1)
        qsort(k, *n, sizeof *k, by_key);
    return k;
}

/* ---- 2. escaping ------------------------------------------------------- */

static void put_escaped(FILE *o, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p;
         p++) {
        switch (*p) {
        case '\\': fputs("\\\\", o); break;
        case '\t': fputs("\\t", o); break;
        case '\n': fputs("\\n", o); break;
        case '\r': fputs("\\r", o); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                fprintf(o, "\\x%02x", *p);
            else
                fputc(*p, o);
        }
    }
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

/* Unescape s[0..n) into a new string; NULL on a malformed escape. */
static char *unescape(const char *s, size_t n)
{
    char *out = pg_xrealloc(NULL, n + 1);
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '\\') {
            out[w++] = s[i];
            continue;
        }
        char c = '\0';
        if (++i < n)
            c = s[i];
        if (c == '\\' || c == 't' || c == 'n' || c == 'r') {
            out[w++] = (char)(c == 't'   ? '\t'
                              : c == 'n' ? '\n'
                              : c == 'r' ? '\r'
                                         : c);
        } else if (c == 'x' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                   hexval(s[i + 2]) >= 0) {
            out[w++] = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            free(out);
            return NULL;
        }
    }
    out[w] = '\0';
    return out;
}

/* ---- 3. writing -------------------------------------------------------- */

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *entry_line(const pg_finding *f, uint64_t hash, unsigned occ)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (o == NULL)
        abort();
    put_escaped(o, f->path);
    fprintf(o, "\t%s\t%016llx:%u\t%s\t", pg_rule_get(f->rule)->id,
            (unsigned long long)hash, occ, f->macro ? f->macro : "-");
    put_escaped(o, f->value);
    fputc('\n', o);
    fclose(o);
    return buf;
}

char *pg_baseline_format(const pg_findings *f)
{
    size_t n;
    keyed *k = key_findings(f, &n);
    char **lines = pg_xrealloc(NULL, (n + 1) * sizeof *lines);
    unsigned occ = 0;
    for (size_t i = 0; i < n; i++) {
        occ = i > 0 && key_cmp(&k[i], &k[i - 1]) == 0 ? occ + 1 : 1;
        lines[i] = entry_line(&f->v[k[i].i], k[i].hash, occ);
    }
    if (n > 1)
        qsort(lines, n, sizeof *lines, line_cmp);
    static const char head[] =
        "# procguard baseline: findings recorded by --write-baseline and not\n"
        "# reported again with --baseline. Remove a line when you fix its\n"
        "# finding (procguard reports entries that match nothing as\n"
        "# baseline-stale). Fields: path, rule, fingerprint:occurrence,\n"
        "# the macro a literal came through (or -), value.\n";
    size_t total = sizeof head;
    for (size_t i = 0; i < n; i++)
        total += strlen(lines[i]);
    char *out = pg_xrealloc(NULL, total);
    size_t w = sizeof head - 1;
    memcpy(out, head, w);
    for (size_t i = 0; i < n; i++) {
        size_t l = strlen(lines[i]);
        memcpy(out + w, lines[i], l);
        w += l;
        free(lines[i]);
    }
    out[w] = '\0';
    free(lines);
    free(k);
    return out;
}

/* ---- 4. parsing -------------------------------------------------------- */

static void syntax(pg_baseline *b, unsigned line, unsigned col, const char *m)
{
    b->errs = pg_xrealloc(b->errs, (b->nerrs + 1) * sizeof *b->errs);
    pg_syntax *s = &b->errs[b->nerrs++];
    s->line = line;
    s->col = col;
    snprintf(s->msg, sizeof s->msg, "%s", m);
}

static int rule_of(const char *s, size_t n, pg_rule *out)
{
    for (int r = 0; r < PG_RULE_COUNT; r++) {
        const char *id = pg_rule_get((pg_rule)r)->id;
        if (strlen(id) == n && memcmp(id, s, n) == 0) {
            *out = (pg_rule)r;
            return pg_baseline_takes(*out);
        }
    }
    return 0;
}

/* "<16 hex>:<occurrence>" */
static int parse_print(const char *s, size_t n, uint64_t *h, unsigned *occ)
{
    if (n < 18 || s[16] != ':')
        return -1;
    uint64_t v = 0;
    for (size_t i = 0; i < 16; i++) {
        int d = hexval(s[i]);
        if (d < 0)
            return -1;
        v = v * 16 + (uint64_t)d;
    }
    unsigned long o = 0;
    for (size_t i = 17; i < n; i++) {
        if (s[i] < '0' || s[i] > '9' || o > 100000000)
            return -1;
        o = o * 10 + (unsigned long)(s[i] - '0');
    }
    if (o == 0)
        return -1;
    *h = v;
    *occ = (unsigned)o;
    return 0;
}

static void parse_line(pg_baseline *b, const char *s, size_t n, unsigned ln)
{
    const char *f[5];
    size_t fl[5], k = 0;
    f[0] = s;
    for (size_t i = 0; i < n && k < 4; i++)
        if (s[i] == '\t') {
            fl[k] = (size_t)(s + i - f[k]);
            f[++k] = s + i + 1;
        }
    if (k < 4) {
        syntax(b, ln, 1,
               "expected five tab-separated fields: path, rule, "
               "fingerprint:occurrence, macro or -, value");
        return;
    }
    fl[4] = (size_t)(s + n - f[4]);
    pg_bl_entry e;
    memset(&e, 0, sizeof e);
    e.line = ln;
    if (!rule_of(f[1], fl[1], &e.rule)) {
        syntax(b, ln, (unsigned)(f[1] - s) + 1,
               "not a rule a baseline records (proc-unacked, "
               "proc-not-allowlisted, ack-no-reason, ack-unused)");
        return;
    }
    if (parse_print(f[2], fl[2], &e.hash, &e.occ) != 0) {
        syntax(b, ln, (unsigned)(f[2] - s) + 1,
               "malformed fingerprint: expected 16 hex digits, ':' and an "
               "occurrence number from 1");
        return;
    }
    e.path = unescape(f[0], fl[0]);
    e.value = unescape(f[4], fl[4]);
    e.via_macro = !(fl[3] == 1 && f[3][0] == '-');
    if (e.path == NULL || e.path[0] == '\0' || e.value == NULL) {
        free(e.path);
        free(e.value);
        syntax(b, ln, 1, "malformed escape or empty path");
        return;
    }
    b->v = pg_xrealloc(b->v, (b->n + 1) * sizeof *b->v);
    b->v[b->n++] = e;
}

size_t pg_baseline_parse(const char *text, size_t len, pg_baseline *out)
{
    memset(out, 0, sizeof *out);
    unsigned ln = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        size_t l = e - i;
        ln++;
        if (l > 0 && text[i + l - 1] == '\r')
            l--;
        int blank = 1;
        for (size_t k = 0; k < l && blank; k++)
            blank = text[i + k] == ' ' || text[i + k] == '\t';
        if (!blank && text[i] != '#')
            parse_line(out, text + i, l, ln);
        i = e + 1;
    }
    return out->nerrs;
}

void pg_baseline_free(pg_baseline *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].path);
        free(b->v[i].value);
    }
    free(b->v);
    free(b->errs);
    memset(b, 0, sizeof *b);
}

/* ---- 5. matching ------------------------------------------------------- */

static void stale(pg_findings *f, const pg_bl_entry *e, const char *shown)
{
    char msg[1024];
    snprintf(msg, sizeof msg,
             "baseline entry for %s in %s (\"%.200s\") matches no finding: "
             "it was fixed or removed; delete the line so the baseline only "
             "shrinks",
             pg_rule_get(e->rule)->id, e->path, e->value);
    pg_finding s;
    memset(&s, 0, sizeof s);
    s.rule = PG_RULE_BASELINE_STALE;
    s.path = (char *)shown;
    s.line = e->line;
    s.col = 1;
    s.end_col = 2;
    s.message = msg;
    pg_findings_add(f, &s);
}

void pg_baseline_apply(const pg_baseline *b, pg_findings *f, const char *shown,
                       int partial,
                       int (*sees_expansions)(const char *, void *), void *ctx)
{
    size_t nf;
    keyed *kf = key_findings(f, &nf);
    keyed *kb = pg_xrealloc(NULL, (b->n + 1) * sizeof *kb);
    for (size_t i = 0; i < b->n; i++)
        kb[i] = (keyed){b->v[i].path, b->v[i].rule, b->v[i].hash, i};
    if (b->n > 1)
        qsort(kb, b->n, sizeof *kb, by_key);
    /* walk both sorted lists: per key, the first min(count) findings are
       baselined, the entries left over are stale */
    size_t i = 0, j = 0;
    size_t nstale = 0;
    const pg_bl_entry **st =
        pg_xrealloc(NULL, (b->n + 1) * sizeof(const pg_bl_entry *));
    while (i < nf || j < b->n) {
        int c = i == nf ? 1 : j == b->n ? -1 : key_cmp(&kf[i], &kb[j]);
        if (c == 0) {
            f->v[kf[i].i].baselined = 1;
            i++;
            j++;
        } else if (c < 0) {
            i++;
        } else {
            st[nstale++] = &b->v[kb[j].i];
            j++;
        }
    }
    for (size_t k = 0; k < nstale && !partial; k++)
        if (!st[k]->via_macro || sees_expansions(st[k]->path, ctx))
            stale(f, st[k], shown);
    free(st);
    free(kf);
    free(kb);
}
