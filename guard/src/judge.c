/*
 * judge.c - the verdict on each site: acked (on its line, alone on the line
 * above, or at its macro's definition) and allowlisted (its own file, even
 * for macro sites: the expansion is where the access happens).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acks.h"
#include "judge.h"
#include "sources.h"

pg_text *pg_texts_get(pg_texts *t, const char *path)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->v[i].path, path) == 0)
            return t->v[i].text ? &t->v[i] : NULL;
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
    return x->text ? x : NULL;
}

void pg_texts_free(pg_texts *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].path);
        free(t->v[i].text);
    }
    free(t->v);
    t->v = NULL;
    t->n = 0;
}

char *pg_text_line(const pg_text *t, unsigned line)
{
    if (t == NULL || t->text == NULL || line == 0)
        return NULL;
    size_t i = 0;
    for (unsigned l = 1; l < line; l++) {
        const char *nl = memchr(t->text + i, '\n', t->len - i);
        if (nl == NULL)
            return NULL;
        i = (size_t)(nl - t->text) + 1;
    }
    size_t e = i;
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

/* One acknowledgement. Its file is kept by path in a parallel array, not
   by pointer: the texts array reallocates as macro homes are loaded. */
typedef struct ack {
    unsigned line, end_line, col;
    int alone;
    char *reason; /* normalised; "" when missing */
    int used;
} ack;

typedef struct acks {
    ack *v;
    size_t n;
    char **lexed; /* paths already lexed */
    size_t nlexed;
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
    a->lexed[a->nlexed++] = pg_strdup(t->path);
    /* an ack needs the marker in a comment: without it anywhere in the
       file there is nothing to lex for */
    if (!pg_contains(t->text, t->len, "portability:"))
        return;
    pg_comments cs;
    pg_comments_lex(t->text, t->len, t->lang, &cs);
    for (size_t i = 0; i < cs.n; i++) {
        const char *r;
        size_t rl;
        if (!pg_ack_parse(cs.v[i].body, cs.v[i].blen, &r, &rl))
            continue;
        a->v = pg_xrealloc(a->v, (a->n + 1) * sizeof *a->v);
        ack *k = &a->v[a->n++];
        k->line = cs.v[i].line;
        k->end_line = cs.v[i].end_line;
        k->col = cs.v[i].col;
        k->alone = cs.v[i].alone;
        k->reason = normalise_reason(r, rl);
        k->used = 0;
    }
    pg_comments_free(&cs);
}

static ack *find_ack(acks *a, char **paths, const char *path, unsigned line)
{
    ack *best = NULL;
    for (size_t i = 0; i < a->n; i++) {
        if (strcmp(paths[i], path) != 0)
            continue;
        ack *k = &a->v[i];
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

static void site_verdict(const pg_judge_in *in, acks *a, char **apaths,
                         const pg_site *s, pg_findings *out)
{
    ack *k = find_ack(a, apaths, s->path, s->line);
    if ((k == NULL || k->reason[0] == '\0') && s->def_path != NULL) {
        ack *d = find_ack(a, apaths, s->def_path, s->def_line);
        if (d != NULL && (k == NULL || d->reason[0] != '\0'))
            k = d;
    }
    if (k != NULL)
        k->used = 1;
    long e = pg_patlist_match(in->allow, s->path);
    if (e >= 0)
        in->allow->v[e].used = 1;

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

static void ack_findings(const pg_judge_in *in, acks *a, char **apaths,
                         pg_findings *out)
{
    for (size_t i = 0; i < a->n; i++) {
        ack *k = &a->v[i];
        pg_text *t = pg_texts_get(in->texts, apaths[i]);
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
        f.path = apaths[i];
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

static void stale_findings(const pg_judge_in *in, pg_findings *out)
{
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
    acks a = {NULL, 0, NULL, 0};
    char **apaths = NULL; /* apaths[i]: file of a.v[i] */
    size_t nap = 0;

    /* every checked file, and every file a macro site points into */
    size_t nchecked = in->texts->n;
    for (size_t i = 0; i < nchecked + in->sites->n; i++) {
        const char *p = i < nchecked ? in->texts->v[i].path
                                     : in->sites->v[i - nchecked].def_path;
        if (p == NULL || (i < nchecked && !in->texts->v[i].checked))
            continue;
        pg_text *t = pg_texts_get(in->texts, p);
        if (t == NULL)
            continue;
        size_t before = a.n;
        lex_file(&a, t);
        apaths = pg_xrealloc(apaths, (a.n + 1) * sizeof *apaths);
        for (size_t k = before; k < a.n; k++)
            apaths[nap++] = pg_strdup(t->path);
    }
    for (size_t i = 0; i < in->sites->n; i++)
        site_verdict(in, &a, apaths, &in->sites->v[i], out);
    ack_findings(in, &a, apaths, out);
    if (!in->partial)
        stale_findings(in, out);

    for (size_t i = 0; i < a.n; i++)
        free(a.v[i].reason);
    for (size_t i = 0; i < nap; i++)
        free(apaths[i]);
    for (size_t i = 0; i < a.nlexed; i++)
        free(a.lexed[i]);
    free(apaths);
    free(a.v);
    free(a.lexed);
}
