/*
 * judge.c - the verdict on each site: acked (on its line, alone on the line
 * above, or at its macro's definition) and allowlisted (its own file, even
 * for macro sites: the expansion is where the access happens).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acks.h"
#include "glob.h"
#include "judge.h"
#include "sources.h"

pg_text *pg_texts_get(pg_texts *t, const char *path)
{
    /* sites come sorted by path: the last answer is usually the next one */
    if (t->last < t->n && t->v[t->last].path != NULL &&
        strcmp(t->v[t->last].path, path) == 0)
        return t->v[t->last].text ? &t->v[t->last] : NULL;
    for (size_t i = 0; i < t->n; i++)
        if (t->v[i].path != NULL && strcmp(t->v[i].path, path) == 0) {
            t->last = i;
            return t->v[i].text ? &t->v[i] : NULL;
        }
    size_t pl = strlen(path);
    char *abs = pg_xrealloc(NULL, strlen(t->root) + pl + 2);
    if (path[0] == '/') /* a file given outside the repository */
        memcpy(abs, path, pl + 1);
    else
        sprintf(abs, "%s/%s", t->root, path);
    t->v = pg_xrealloc(t->v, (t->n + 1) * sizeof *t->v);
    pg_text *x = &t->v[t->n++];
    memset(x, 0, sizeof *x);
    x->path = pg_strdup(path);
    x->lang = pg_lang_of(path, NULL, 0);
    pg_error err;
    if (pg_read_file(abs, &x->text, &x->len, &err) != 0)
        x->text = NULL;
    free(abs);
    t->last = t->n - 1;
    return x->text ? x : NULL;
}

void pg_texts_free(pg_texts *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].path);
        free(t->v[i].text);
        free(t->v[i].lines);
    }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

/* The line table of t, built once: line lookups stay O(log n). */
static void text_lines(pg_text *t)
{
    if (t->lines != NULL)
        return;
    size_t cap = 64;
    t->lines = pg_xrealloc(NULL, cap * sizeof *t->lines);
    t->lines[0] = 0;
    t->nlines = 1;
    for (const char *p = t->text, *e = t->text + t->len;
         (p = memchr(p, '\n', (size_t)(e - p))) != NULL; p++) {
        if (t->nlines == cap)
            t->lines = pg_xrealloc(t->lines, (cap *= 2) * sizeof *t->lines);
        t->lines[t->nlines++] = (size_t)(p - t->text) + 1;
    }
}

char *pg_text_line(const pg_text *ct, unsigned line)
{
    if (ct == NULL || ct->text == NULL || line == 0)
        return NULL;
    pg_text *t = (pg_text *)ct; /* the line table is a cache */
    text_lines(t);
    if (line > t->nlines || (line == t->nlines && t->lines[line - 1] > t->len))
        return NULL;
    size_t i = t->lines[line - 1], e = i;
    while (e < t->len && t->text[e] != '\n')
        e++;
    if (e > i && t->text[e - 1] == '\r')
        e--;
    return pg_strndup(t->text + i, e - i);
}

static int is_ident(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
}

unsigned pg_token_end(const char *s, unsigned col)
{
    if (s == NULL || col == 0)
        return 0;
    size_t n = strlen(s), i = col - 1;
    if (i >= n)
        return col + 1;
    size_t k = i;
    while (k < n && is_ident(s[k])) /* a macro name, or a literal prefix */
        k++;
    if (k < n && (s[k] == '"' || s[k] == '\'') && (k == i || k - i <= 3)) {
        char q = s[k];
        int triple = k + 2 < n && s[k + 1] == q && s[k + 2] == q;
        k += triple ? 3 : 1;
        while (k < n) {
            if (s[k] == '\\') {
                k += 2;
                continue;
            }
            if (s[k] == q &&
                (!triple || (k + 2 < n && s[k + 1] == q && s[k + 2] == q)))
                return (unsigned)(k + (triple ? 3 : 1)) + 1;
            k++;
        }
        return (unsigned)n + 1;
    }
    return k > i ? (unsigned)k + 1 : col + 1;
}

/* One acknowledgement, with its file's path (not a pointer to the text:
   the texts array reallocates as macro homes are loaded). */
typedef struct ack {
    const char *path; /* owned by the acks' lexed list */
    unsigned line, end_line, col;
    int alone;
    char *reason; /* normalised; "" when missing */
    int used;
} ack;

typedef struct acks {
    ack *v; /* sorted by (path, line) before sites are judged */
    size_t n, cap;
    char **lexed; /* paths already lexed */
    size_t nlexed;
    const char *keyword;
} acks;

/* The reason with block-comment decoration and runs of blanks folded into
   single spaces, for messages and SARIF justifications. */
static char *normalise_reason(const char *r, size_t n)
{
    char *out = pg_xrealloc(NULL, n + 1);
    size_t w = 0;
    int space = 0;
    for (size_t i = 0; i < n; i++) {
        char c = r[i];
        if (c == '\n') {
            /* continuation lines of a block comment: " * more" */
            while (i + 1 < n && (r[i + 1] == ' ' || r[i + 1] == '\t'))
                i++;
            if (i + 1 < n && r[i + 1] == '*' && !(i + 2 < n && r[i + 2] == '/'))
                i++;
            space = 1;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\r') {
            space = 1;
            continue;
        }
        if (space && w > 0)
            out[w++] = ' ';
        space = 0;
        out[w++] = c;
    }
    out[w] = '\0';
    return out;
}

static void lex_file(acks *a, pg_text *t)
{
    for (size_t i = 0; i < a->nlexed; i++)
        if (strcmp(a->lexed[i], t->path) == 0)
            return;
    a->lexed = pg_xrealloc(a->lexed, (a->nlexed + 1) * sizeof *a->lexed);
    const char *path = a->lexed[a->nlexed++] = pg_strdup(t->path);
    /* an ack needs the marker in a comment: without it anywhere in the
       file there is nothing to lex for */
    if (!pg_contains(t->text, t->len, a->keyword))
        return;
    pg_comments cs;
    pg_comments_lex(t->text, t->len, t->lang, &cs);
    for (size_t i = 0; i < cs.n; i++) {
        const char *r;
        size_t rl;
        if (!pg_ack_parse_kw(cs.v[i].body, cs.v[i].blen, a->keyword, &r, &rl))
            continue;
        if (a->n == a->cap)
            a->v = pg_xrealloc(a->v, (a->cap = a->cap ? a->cap * 2 : 64) *
                                         sizeof *a->v);
        ack *k = &a->v[a->n++];
        k->path = path;
        k->line = cs.v[i].line;
        k->end_line = cs.v[i].end_line;
        k->col = cs.v[i].col;
        k->alone = cs.v[i].alone;
        k->reason = normalise_reason(r, rl);
        k->used = 0;
    }
    pg_comments_free(&cs);
}

static int ack_order(const void *x, const void *y)
{
    const ack *a = x, *b = y;
    int c = strcmp(a->path, b->path);
    if (c != 0)
        return c;
    return (a->line > b->line) - (a->line < b->line);
}

/*
 * The ack covering `line` of `path`. Acks are sorted by (path, line) and
 * comments do not overlap, so only the acks starting at or before the line
 * and ending no earlier than the line above can cover it: a binary search
 * and a short walk back, not a scan of every ack.
 */
static ack *find_ack(acks *a, const char *path, unsigned line)
{
    size_t lo = 0, hi = a->n;
    while (lo < hi) { /* first ack after (path, line) */
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(a->v[mid].path, path);
        if (c < 0 || (c == 0 && a->v[mid].line <= line))
            lo = mid + 1;
        else
            hi = mid;
    }
    ack *best = NULL;
    for (size_t i = lo; i > 0; i--) {
        ack *k = &a->v[i - 1];
        if (strcmp(k->path, path) != 0 || k->end_line + 1 < line)
            break;
        if (!pg_ack_covers(k->line, k->end_line, k->alone, line))
            continue;
        /* prefer an ack with a reason over an empty one */
        if (best == NULL || (best->reason[0] == '\0' && k->reason[0] != '\0'))
            best = k;
    }
    return best;
}

static char *fmt(const char *f, const char *a, const char *b, const char *c)
{
    int n = snprintf(NULL, 0, f, a, b, c);
    char *s = pg_xrealloc(NULL, (size_t)n + 1);
    snprintf(s, (size_t)n + 1, f, a, b, c);
    return s;
}

/* The first allowlist entry matching path, marking every match used;
   remembered for the next site, which is usually in the same file. */
static long allow_match(const pg_judge_in *in, const char *path,
                        const char **memo, long *memo_e)
{
    if (*memo != NULL && strcmp(*memo, path) == 0)
        return *memo_e;
    long first = -1;
    for (size_t i = 0; i < in->allow->n; i++)
        if (pg_glob_match(in->allow->v[i].glob, path)) {
            in->allow->v[i].used = 1;
            if (first < 0)
                first = (long)i;
        }
    *memo = path;
    *memo_e = first;
    return first;
}

static void site_verdict(const pg_judge_in *in, acks *a, const pg_site *s,
                         const char **memo, long *memo_e, pg_findings *out)
{
    ack *k = find_ack(a, s->path, s->line);
    if ((k == NULL || k->reason[0] == '\0') && s->def_path != NULL) {
        ack *d = find_ack(a, s->def_path, s->def_line);
        if (d != NULL && (k == NULL || d->reason[0] != '\0'))
            k = d;
    }
    if (k != NULL)
        k->used = 1;
    long e = allow_match(in, s->path, memo, memo_e);

    pg_finding f;
    memset(&f, 0, sizeof f);
    f.is_site = 1;
    f.path = s->path;
    f.line = s->line;
    f.col = s->col;
    f.value = s->value;
    f.macro = s->macro;
    f.def_path = s->def_path;
    f.def_line = s->def_line;
    f.pass = s->pass;
    f.acked = k != NULL && k->reason[0] != '\0';
    f.ack_reason = f.acked ? k->reason : NULL;
    f.allowlisted = e >= 0;
    f.allow_entry = e >= 0 ? in->allow->v[e].glob : NULL;
    const char *via = s->macro ? " through macro " : "";
    const char *mac = s->macro ? s->macro : "";
    if (!f.acked) {
        f.rule = PG_RULE_PROC_UNACKED;
        f.message = fmt("raw /proc access \"%s\"%s%s is not acknowledged",
                        s->value, via, mac);
    } else if (!f.allowlisted) {
        f.rule = PG_RULE_PROC_NOT_ALLOWLISTED;
        f.message = fmt("raw /proc access \"%s\"%s%s is acknowledged, but "
                        "its file is not in the allowlist",
                        s->value, via, mac);
    } else {
        f.rule = PG_RULE_PROC_UNACKED;
        f.passed = 1;
        f.message = fmt("raw /proc access \"%s\"%s%s is acknowledged and "
                        "allowlisted",
                        s->value, via, mac);
    }
    pg_text *t = pg_texts_get(in->texts, s->path);
    f.srcline = pg_text_line(t, s->line);
    f.end_col = pg_token_end(f.srcline, s->col);
    pg_findings_add(out, &f);
    free(f.message);
    free(f.srcline);
}

static void ack_findings(const pg_judge_in *in, acks *a, pg_findings *out)
{
    for (size_t i = 0; i < a->n; i++) {
        ack *k = &a->v[i];
        pg_text *t = pg_texts_get(in->texts, k->path);
        if (t == NULL || !t->checked)
            continue;
        pg_finding f;
        memset(&f, 0, sizeof f);
        if (k->reason[0] == '\0') {
            f.rule = PG_RULE_ACK_NO_REASON;
            f.message = "portability acknowledgement without a reason: say "
                        "why this /proc access is needed after the colon";
        } else if (!k->used) {
            f.rule = PG_RULE_ACK_UNUSED;
            f.message = "portability acknowledgement covers no raw /proc "
                        "access (on its line, or below it when alone on "
                        "its line); remove it";
        } else {
            continue;
        }
        f.path = (char *)k->path;
        f.line = k->line;
        f.col = k->col;
        f.srcline = pg_text_line(t, k->line);
        f.end_col = f.srcline ? (unsigned)strlen(f.srcline) + 1 : 0;
        if (f.end_col <= f.col)
            f.end_col = f.col + 1;
        pg_findings_add(out, &f);
        free(f.srcline);
    }
}

/* 1 if word w (n bytes) occurs in t as a whole identifier. */
static int has_word(const char *t, size_t len, const char *w, size_t n)
{
    for (size_t i = 0; n > 0 && i + n <= len;) {
        const char *hit = memchr(t + i, w[0], len - n - i + 1);
        if (hit == NULL)
            return 0;
        size_t at = (size_t)(hit - t);
        if (memcmp(hit, w, n) == 0 && (at == 0 || !is_ident(t[at - 1])) &&
            (at + n == len || !is_ident(t[at + n])))
            return 1;
        i = at + 1;
    }
    return 0;
}

static int cmp_cstr(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Mark the entries that match a C or C++ file libclang did not parse which
   names a macro defined with a site (see judge.h). */
static void unseen_uses(const pg_judge_in *in)
{
    const char **names = NULL;
    size_t n = 0;
    for (size_t i = 0; i < in->sites->n; i++)
        if (in->sites->v[i].defines != NULL) {
            names = pg_xrealloc(names, (n + 1) * sizeof *names);
            names[n++] = in->sites->v[i].defines;
        }
    if (n > 1) {
        qsort(names, n, sizeof *names, cmp_cstr);
        size_t w = 1;
        for (size_t i = 1; i < n; i++)
            if (strcmp(names[i], names[w - 1]) != 0)
                names[w++] = names[i];
        n = w;
    }
    for (size_t f = 0; f < in->texts->n && n > 0; f++) {
        pg_text *t = &in->texts->v[f];
        if (!t->checked || t->whole || t->text == NULL ||
            (t->lang != PG_LANG_C && t->lang != PG_LANG_CPP))
            continue;
        int names_one = 0;
        for (size_t k = 0; k < n && !names_one; k++)
            names_one = has_word(t->text, t->len, names[k], strlen(names[k]));
        if (!names_one)
            continue;
        for (size_t e = 0; e < in->allow->n; e++)
            if (pg_glob_match(in->allow->v[e].glob, t->path))
                in->allow->v[e].used = 1;
    }
    free(names);
}

static void stale_findings(const pg_judge_in *in, pg_findings *out)
{
    unseen_uses(in);
    for (size_t i = 0; i < in->allow->n; i++) {
        pg_entry *e = &in->allow->v[i];
        if (e->used)
            continue;
        pg_finding f;
        memset(&f, 0, sizeof f);
        f.rule = PG_RULE_ALLOWLIST_STALE;
        f.path = (char *)in->allow_path;
        f.line = e->line;
        f.col = 1;
        f.end_col = (unsigned)strlen(e->glob) + 1;
        f.message = fmt("allowlist entry '%s' matches no file with a raw "
                        "/proc access; remove it%s%s",
                        e->glob, "", "");
        pg_text *t =
            in->allow_path ? pg_texts_get(in->texts, in->allow_path) : NULL;
        f.srcline = pg_text_line(t, e->line);
        pg_findings_add(out, &f);
        free(f.message);
        free(f.srcline);
    }
}

void pg_judge(const pg_judge_in *in, pg_findings *out)
{
    acks a = {NULL, 0, 0, NULL, 0, in->keyword ? in->keyword : PG_ACK_KEYWORD};
    /* every checked file, and every file a macro site points into */
    size_t nchecked = in->texts->n;
    for (size_t i = 0; i < nchecked + in->sites->n; i++) {
        const char *p = i < nchecked ? in->texts->v[i].path
                                     : in->sites->v[i - nchecked].def_path;
        if (p == NULL || (i < nchecked && !in->texts->v[i].checked))
            continue;
        pg_text *t = pg_texts_get(in->texts, p);
        if (t != NULL)
            lex_file(&a, t);
    }
    if (a.n > 1)
        qsort(a.v, a.n, sizeof *a.v, ack_order);
    const char *memo = NULL;
    long memo_e = -1;
    for (size_t i = 0; i < in->sites->n; i++)
        site_verdict(in, &a, &in->sites->v[i], &memo, &memo_e, out);
    ack_findings(in, &a, out);
    if (!in->partial)
        stale_findings(in, out);

    for (size_t i = 0; i < a.n; i++)
        free(a.v[i].reason);
    for (size_t i = 0; i < a.nlexed; i++)
        free(a.lexed[i]);
    free(a.v);
    free(a.lexed);
}
