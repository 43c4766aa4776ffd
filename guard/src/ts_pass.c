/*
 * ts_pass.c - the tree-sitter pass: /proc literals in C files libclang does
 * not see (outside the database, or in #if branches it skipped) and in Python.
 *
 * Divisions:
 *   buffers and positions   growable value buffer, line table, range filter
 *   C literals              escape decoding, #define text tokenizer, macros
 *   Python literals         prefixes, f-string prefixes, concatenation
 *   the walk                one parser and one cursor per call
 *
 * tree-sitter gives node boundaries only; values are decoded here from the
 * source text, so a literal is judged the same way whether it is a node or a
 * token read out of an opaque #define value.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tree_sitter/api.h>

#include "strlit.h"
#include "ts_lang.h"
#include "ts_pass.h"

/* Macro lookups are ambiguous when #if branches define a name twice; this
 * many alternatives are tried for one concatenation, which covers the usual
 * #ifdef/#else pair without blowing up on generated code. */
#define PG_MAX_VARIANTS 8
/* Macros that expand to macros: deep enough for real code, bounded for
 * cycles that slip past the in-progress mark. */
#define PG_MAX_DEPTH 16

/* ---- buffers and positions ------------------------------------------- */

typedef struct pg_macro pg_macro;

typedef struct pg_scan {
    const char *path;
    const char *text;
    size_t len;
    const pg_range *ranges;
    size_t nranges;
    pg_sites *out;
    size_t *lines; /* byte offset where each line starts */
    size_t nlines;
    pg_macro *macros; /* C: sorted by (name, offset) */
    size_t nmacros;
    const char *defining; /* the #define being scanned, or NULL */
    size_t defining_len;
    /* CRs removed from "\\<CR><LF>" splices so tree-sitter reads them as
       C does (see spliced_copy): where, in `text` coordinates, each removed
       byte was; reported offsets are mapped back to the file's own. */
    const size_t *cuts;
    size_t ncuts;
} pg_scan;

/* The file offset of a scanned-text offset. */
static size_t file_offset(const pg_scan *sc, size_t off)
{
    size_t lo = 0, hi = sc->ncuts; /* cuts at or before off */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sc->cuts[mid] <= off)
            lo = mid + 1;
        else
            hi = mid;
    }
    return off + lo;
}

static void lines_build(pg_scan *sc)
{
    size_t cap = 64;
    sc->lines = pg_xrealloc(NULL, cap * sizeof *sc->lines);
    sc->lines[0] = 0;
    sc->nlines = 1;
    for (size_t i = 0; i < sc->len; i++) {
        if (sc->text[i] != '\n')
            continue;
        if (sc->nlines == cap) {
            cap *= 2;
            sc->lines = pg_xrealloc(sc->lines, cap * sizeof *sc->lines);
        }
        sc->lines[sc->nlines++] = i + 1;
    }
}

/* 1-based line and byte column of a byte offset. */
static void position(const pg_scan *sc, size_t off, unsigned *line,
                     unsigned *col)
{
    size_t lo = 0, hi = sc->nlines;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (sc->lines[mid] <= off)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)(lo + 1);
    *col = (unsigned)(off - sc->lines[lo] + 1);
}

static int in_ranges(const pg_scan *sc, size_t off)
{
    if (sc->ranges == NULL)
        return 1;
    for (size_t i = 0; i < sc->nranges; i++)
        if (off >= sc->ranges[i].start && off < sc->ranges[i].end)
            return 1;
    return 0;
}

/* Record value as a site at off if it is /proc and inside the ranges. */
static void report(pg_scan *sc, size_t off, const pg_buf *value,
                   const pg_macro *m);

/* ---- C literals -------------------------------------------------------- */

/* Append the value of the C literal token t[0..n) (prefix, quotes). */
static void c_literal_value(const char *t, size_t n, pg_buf *b)
{
    const char *q = memchr(t, '"', n);
    if (q == NULL)
        return;
    if (q > t && q[-1] == 'R') { /* C++ raw: no escapes */
        const char *body;
        size_t blen;
        if (pg_raw_body(q + 1, (size_t)(t + n - q - 1), &body, &blen) > 0)
            pg_buf_put(b, body, blen);
        return;
    }
    const char *s = q + 1, *end = t + n;
    if (end > s && end[-1] == '"')
        end--;
    while (s < end) {
        if (*s != '\\') {
            pg_buf_putc(b, *s++);
            continue;
        }
        s++;
        s += pg_escape_decode(s, (size_t)(end - s), b, 0);
    }
}

typedef enum pg_tok { TOK_STR, TOK_IDENT, TOK_OTHER } pg_tok;

typedef struct pg_part {
    pg_tok kind;
    size_t start, end; /* byte offsets in the file */
} pg_part;

typedef struct pg_parts {
    pg_part *v;
    size_t n, cap;
} pg_parts;

static void parts_add(pg_parts *ps, pg_tok kind, size_t start, size_t end)
{
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 16;
        ps->v = pg_xrealloc(ps->v, ps->cap * sizeof *ps->v);
    }
    ps->v[ps->n++] = (pg_part){kind, start, end};
}

static int is_ident_start(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_ident(char c)
{
    return is_ident_start(c) || (c >= '0' && c <= '9');
}

/* End of a quoted token starting at the quote text[i]; stops at an
 * unescaped newline so a stray apostrophe cannot swallow the rest. */
static size_t skip_quoted(const char *text, size_t i, size_t end)
{
    char q = text[i++];
    while (i < end && text[i] != q && text[i] != '\n')
        i += text[i] == '\\' && i + 1 < end ? 2 : 1;
    return i < end && text[i] == q ? i + 1 : i;
}

/*
 * Tokenize the opaque text of a #define value: string literals (with their
 * encoding prefixes), identifiers, and everything else one byte at a time.
 * Whitespace, comments and line continuations separate tokens without
 * breaking adjacency, as in translation phase 6.
 */
static void tokenize_arg(const char *text, size_t start, size_t end,
                         pg_parts *ps)
{
    size_t i = start;
    while (i < end) {
        char c = text[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
            c == '\v') {
            i++;
        } else if (c == '\\' && i + 1 < end &&
                   (text[i + 1] == '\n' || text[i + 1] == '\r')) {
            i += 2;
        } else if (c == '/' && i + 1 < end && text[i + 1] == '*') {
            const char *close = NULL;
            for (size_t j = i + 2; j + 1 < end; j++)
                if (text[j] == '*' && text[j + 1] == '/') {
                    close = text + j;
                    break;
                }
            i = close ? (size_t)(close - text) + 2 : end;
        } else if (c == '/' && i + 1 < end && text[i + 1] == '/') {
            while (i < end && text[i] != '\n')
                i++;
        } else if (c == '"') {
            size_t e = skip_quoted(text, i, end);
            parts_add(ps, TOK_STR, i, e);
            i = e;
        } else if (c == '\'') {
            size_t e = skip_quoted(text, i, end);
            parts_add(ps, TOK_OTHER, i, e);
            i = e;
        } else if (is_ident_start(c)) {
            size_t e = i;
            while (e < end && is_ident(text[e]))
                e++;
            size_t plen = e - i;
            int raw = plen >= 1 && text[e - 1] == 'R';
            size_t enc = plen - (size_t)raw; /* the encoding prefix */
            int prefix = enc == 0 || (enc == 1 && strchr("LuU", c) != NULL) ||
                         (enc == 2 && text[i] == 'u' && text[i + 1] == '8');
            if (raw && prefix && e < end && text[e] == '"') {
                const char *body;
                size_t blen,
                    used = pg_raw_body(text + e + 1, end - e - 1, &body, &blen);
                size_t qe = used ? e + 1 + used : skip_quoted(text, e, end);
                parts_add(ps, TOK_STR, i, qe);
                i = qe;
            } else if (!raw && enc > 0 && prefix && e < end &&
                       (text[e] == '"' || text[e] == '\'')) {
                size_t qe = skip_quoted(text, e, end);
                parts_add(ps, text[e] == '"' ? TOK_STR : TOK_OTHER, i, qe);
                i = qe;
            } else {
                parts_add(ps, TOK_IDENT, i, e);
                i = e;
            }
        } else if (c >= '0' && c <= '9') {
            /* pp-numbers such as 0x1p-3 or 1e+5 are one token */
            size_t e = i + 1;
            while (e < end && (is_ident(text[e]) || text[e] == '.' ||
                               ((text[e] == '+' || text[e] == '-') &&
                                strchr("eEpP", text[e - 1]) != NULL)))
                e++;
            parts_add(ps, TOK_OTHER, i, e);
            i = e;
        } else {
            parts_add(ps, TOK_OTHER, i, i + 1);
            i++;
        }
    }
}

struct pg_macro {
    const char *name; /* into the file's text */
    size_t name_len;
    size_t arg, arg_end; /* the value text, empty when none */
    size_t offset;       /* start of the #define */
    unsigned line;
    int state; /* 0 not evaluated, 1 in progress, 2 a string, 3 not */
    char *value;
    size_t value_len;
};

static int macro_cmp(const pg_macro *m, const char *name, size_t n)
{
    size_t k = m->name_len < n ? m->name_len : n;
    int c = memcmp(m->name, name, k);
    if (c != 0)
        return c;
    return (m->name_len > n) - (m->name_len < n);
}

/* Index just past the definitions of name[0..n) that start before use. */
static size_t macro_bound(const pg_scan *sc, const char *name, size_t n,
                          size_t use)
{
    size_t lo = 0, hi = sc->nmacros;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const pg_macro *m = &sc->macros[mid];
        int c = macro_cmp(m, name, n);
        if (c < 0 || (c == 0 && m->offset < use))
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int macro_eval(pg_scan *sc, pg_macro *m, int depth);

/*
 * The definition of the identifier text[start..end) visible at `use`, or
 * NULL. Variant 0 is the nearest string definition before the use (the one
 * in effect in straight-line code); variant k the k-th before that, or the
 * oldest if there are fewer, for names defined in several #if branches.
 * *ndefs counts the alternatives, up to PG_MAX_VARIANTS.
 */
static pg_macro *macro_lookup(pg_scan *sc, size_t start, size_t end, size_t use,
                              size_t variant, size_t *ndefs, int depth)
{
    const char *name = sc->text + start;
    size_t n = end - start, i = macro_bound(sc, name, n, use), count = 0;
    pg_macro *pick = NULL;
    while (i > 0 && count < PG_MAX_VARIANTS &&
           macro_cmp(&sc->macros[i - 1], name, n) == 0) {
        pg_macro *m = &sc->macros[--i];
        if (macro_eval(sc, m, depth) != 2)
            continue;
        if (count <= variant)
            pick = m;
        count++;
    }
    if (ndefs != NULL)
        *ndefs = count;
    return pick;
}

/*
 * Evaluate a run of adjacent parts (literals and identifiers) as the
 * preprocessor would concatenate them. Returns 1 with the value in *b when
 * at least one literal or string macro contributed; *named is the macro
 * that supplied the start of the value. Leading identifiers that are not
 * string macros (SYSROOT "/proc/x") are skipped rather than giving up, and
 * an unknown identifier later on ends the value there: a guard prefers a
 * finding to ack over a miss.
 */
static int eval_run(pg_scan *sc, const pg_part *p, size_t n, size_t use,
                    size_t variant, size_t *maxdefs, pg_buf *b,
                    pg_macro **named, int depth)
{
    int any = 0;
    *named = NULL;
    for (size_t i = 0; i < n; i++) {
        if (p[i].kind == TOK_STR) {
            c_literal_value(sc->text + p[i].start, p[i].end - p[i].start, b);
            any = 1;
            continue;
        }
        size_t ndefs = 0;
        pg_macro *m = macro_lookup(sc, p[i].start, p[i].end, use, variant,
                                   &ndefs, depth + 1);
        if (maxdefs != NULL && ndefs > *maxdefs)
            *maxdefs = ndefs;
        if (m == NULL) {
            if (any)
                break;
            continue;
        }
        if (*named == NULL && b->n < 5 && m->value_len > 0)
            *named = m;
        pg_buf_put(b, m->value, m->value_len);
        any = 1;
    }
    return any;
}

/*
 * A macro is a string when its value, less one pair of outer parentheses,
 * is nothing but literals and string macros. Evaluated once, on demand.
 */
static int macro_eval(pg_scan *sc, pg_macro *m, int depth)
{
    if (m->state != 0)
        return m->state == 1 ? 3 : m->state;
    if (depth > PG_MAX_DEPTH)
        return 3;
    m->state = 1;
    pg_parts ps = {0};
    tokenize_arg(sc->text, m->arg, m->arg_end, &ps);
    size_t from = 0, to = ps.n;
    if (to >= 2 && ps.v[0].kind == TOK_OTHER &&
        sc->text[ps.v[0].start] == '(' && ps.v[to - 1].kind == TOK_OTHER &&
        sc->text[ps.v[to - 1].start] == ')') {
        from++;
        to--;
    }
    int ok = to > from;
    for (size_t i = from; i < to; i++)
        if (ps.v[i].kind == TOK_OTHER)
            ok = 0;
    pg_buf b = {0};
    pg_macro *named;
    if (ok) {
        /* Evaluate as at the definition's end: names defined later (or the
         * macro itself) are not visible. */
        size_t use = m->arg_end;
        ok = eval_run(sc, ps.v + from, to - from, use, 0, NULL, &b, &named,
                      depth) &&
             b.p != NULL;
        for (size_t i = from; ok && i < to; i++)
            if (ps.v[i].kind == TOK_IDENT &&
                macro_lookup(sc, ps.v[i].start, ps.v[i].end, use, 0, NULL,
                             depth + 1) == NULL)
                ok = 0;
    }
    free(ps.v);
    if (ok) {
        m->value = b.p;
        m->value_len = b.n;
        m->state = 2;
    } else {
        free(b.p);
        m->state = 3;
    }
    return m->state;
}

/* Judge a run, trying each #if alternative of its macros until one is /proc
 * (or none is): a site counts if any configuration makes it one. */
static void judge_run(pg_scan *sc, const pg_part *p, size_t n, size_t site)
{
    size_t maxdefs = 1;
    for (size_t v = 0; v < maxdefs && v < PG_MAX_VARIANTS; v++) {
        pg_buf b = {0};
        pg_macro *named = NULL;
        int any = eval_run(sc, p, n, site, v, &maxdefs, &b, &named, 0);
        int hit = any && pg_is_proc_literal(b.p ? b.p : "", b.n);
        if (hit)
            report(sc, site, &b, named);
        free(b.p);
        if (hit)
            return;
    }
}

/* Literals in #define text: every maximal run of adjacent literals and
 * identifiers that holds a literal, reported where its first literal sits
 * (the #define line, so an ack there covers it). */
static void scan_arg(pg_scan *sc, size_t start, size_t end)
{
    pg_parts ps = {0};
    tokenize_arg(sc->text, start, end, &ps);
    size_t i = 0;
    while (i < ps.n) {
        if (ps.v[i].kind == TOK_OTHER) {
            i++;
            continue;
        }
        size_t j = i, first_str = SIZE_MAX;
        for (; j < ps.n && ps.v[j].kind != TOK_OTHER; j++)
            if (ps.v[j].kind == TOK_STR && first_str == SIZE_MAX)
                first_str = j;
        if (first_str != SIZE_MAX) {
            /* Report at the first literal, not at a leading identifier
             * such as `return` that merely precedes it. */
            size_t k = i;
            while (k < first_str &&
                   macro_lookup(sc, ps.v[k].start, ps.v[k].end, ps.v[k].start,
                                0, NULL, 0) == NULL)
                k++;
            judge_run(sc, ps.v + k, j - k, ps.v[k].start);
        }
        i = j;
    }
    free(ps.v);
}

/* ---- Python literals ------------------------------------------------- */

/*
 * Append the value of the Python string token t[0..n). Returns 1 if an
 * f-string replacement field ended the literal text: the value is then the
 * prefix before it, which is all that can be judged.
 */
static int py_literal_value(const char *t, size_t n, pg_buf *b)
{
    size_t i = 0;
    int raw = 0, fmt = 0;
    for (; i < n && t[i] != '"' && t[i] != '\''; i++) {
        char c = (char)(t[i] | 0x20);
        raw |= c == 'r';
        fmt |= c == 'f' || c == 't';
    }
    if (i == n)
        return 0;
    char q = t[i];
    size_t ql = i + 2 < n && t[i + 1] == q && t[i + 2] == q ? 3 : 1;
    const char *s = t + i + ql, *end = t + n;
    /* A string cut short by a syntax error has no closing quotes. */
    if ((size_t)(end - s) >= ql && end[-1] == q)
        end -= ql;
    while (s < end) {
        if (fmt && (*s == '{' || *s == '}')) {
            if (s + 1 < end && s[1] == *s) {
                pg_buf_putc(b, *s);
                s += 2;
                continue;
            }
            if (*s == '{')
                return 1;
            pg_buf_putc(b, *s++);
            continue;
        }
        if (*s != '\\') {
            pg_buf_putc(b, *s++);
            continue;
        }
        if (raw) {
            /* raw keeps the backslash, and it still protects one byte */
            pg_buf_putc(b, *s++);
            if (s < end)
                pg_buf_putc(b, *s++);
            continue;
        }
        s++;
        s += pg_escape_decode(s, (size_t)(end - s), b, 1);
    }
    return 0;
}

/* ---- the walk ------------------------------------------------------------ */

static void report(pg_scan *sc, size_t off, const pg_buf *value,
                   const pg_macro *m)
{
    off = file_offset(sc, off);
    if (!in_ranges(sc, off))
        return;
    pg_site s = {0};
    s.path = (char *)sc->path;
    position(sc, off, &s.line, &s.col);
    s.offset = off;
    s.value = value->p;
    s.pass = "tree-sitter";
    char *macro = NULL, *defines = NULL;
    if (sc->defining != NULL) {
        defines = pg_strndup(sc->defining, sc->defining_len);
        s.defines = defines;
    }
    if (m != NULL) {
        macro = pg_strndup(m->name, m->name_len);
        s.macro = macro;
        s.def_path = (char *)sc->path;
        s.def_line = m->line;
    }
    pg_sites_add(sc->out, &s);
    free(macro);
    free(defines);
}

typedef struct pg_syms {
    TSSymbol str, raw, concat, def, fdef, comment, interp;
} pg_syms;

/* The symbol of a named node kind; 0 (never a node's) when there is none. */
static TSSymbol sym(const TSLanguage *l, const char *name)
{
    if (name == NULL)
        return 0;
    return ts_language_symbol_for_name(l, name, (uint32_t)strlen(name), true);
}

static void c_string(pg_scan *sc, TSNode node, const pg_syms *y)
{
    pg_parts ps = {0};
    if (ts_node_symbol(node) == y->concat) {
        uint32_t n = ts_node_named_child_count(node);
        for (uint32_t i = 0; i < n; i++) {
            TSNode c = ts_node_named_child(node, i);
            TSSymbol s = ts_node_symbol(c);
            if (s == y->comment)
                continue;
            parts_add(&ps, s == y->str || s == y->raw ? TOK_STR : TOK_IDENT,
                      ts_node_start_byte(c), ts_node_end_byte(c));
        }
    } else {
        parts_add(&ps, TOK_STR, ts_node_start_byte(node),
                  ts_node_end_byte(node));
    }
    judge_run(sc, ps.v, ps.n, ts_node_start_byte(node));
    free(ps.v);
}

static void py_string(pg_scan *sc, TSNode node, const pg_syms *y)
{
    pg_buf b = {0};
    if (ts_node_symbol(node) == y->concat) {
        uint32_t n = ts_node_named_child_count(node);
        for (uint32_t i = 0; i < n; i++) {
            TSNode c = ts_node_named_child(node, i);
            if (ts_node_symbol(c) != y->str)
                continue;
            if (py_literal_value(sc->text + ts_node_start_byte(c),
                                 ts_node_end_byte(c) - ts_node_start_byte(c),
                                 &b))
                break;
        }
    } else {
        py_literal_value(sc->text + ts_node_start_byte(node),
                         ts_node_end_byte(node) - ts_node_start_byte(node), &b);
    }
    if (pg_is_proc_literal(b.p ? b.p : "", b.n))
        report(sc, ts_node_start_byte(node), &b, NULL);
    free(b.p);
}

/* Collect the file's #defines (object-like only: those are the ones a
 * concatenation can expand; function-like values are scanned, not used). */
static void collect_macros(pg_scan *sc, TSTreeCursor *cur, TSNode root,
                           const pg_syms *y)
{
    size_t cap = 0;
    ts_tree_cursor_reset(cur, root);
    for (;;) {
        TSNode node = ts_tree_cursor_current_node(cur);
        TSSymbol s = ts_node_symbol(node);
        int descend =
            s != y->str && s != y->concat && s != y->comment && s != y->fdef;
        if (s == y->def) {
            TSNode name = ts_node_child_by_field_name(node, "name", 4);
            TSNode value = ts_node_child_by_field_name(node, "value", 5);
            descend = 0;
            if (!ts_node_is_null(name)) {
                if (sc->nmacros == cap) {
                    cap = cap ? cap * 2 : 16;
                    sc->macros =
                        pg_xrealloc(sc->macros, cap * sizeof *sc->macros);
                }
                pg_macro *m = &sc->macros[sc->nmacros++];
                memset(m, 0, sizeof *m);
                m->name = sc->text + ts_node_start_byte(name);
                m->name_len = ts_node_end_byte(name) - ts_node_start_byte(name);
                m->offset = ts_node_start_byte(node);
                m->arg = m->arg_end = ts_node_end_byte(name);
                if (!ts_node_is_null(value)) {
                    m->arg = ts_node_start_byte(value);
                    m->arg_end = ts_node_end_byte(value);
                }
                m->line = ts_node_start_point(node).row + 1;
            }
        }
        if (descend && ts_tree_cursor_goto_first_child(cur))
            continue;
        while (!ts_tree_cursor_goto_next_sibling(cur))
            if (!ts_tree_cursor_goto_parent(cur))
                return;
    }
}

/* By name, then by position, so the definitions of one name are
 * contiguous and in file order. */
static int macro_order(const void *a, const void *b)
{
    const pg_macro *x = a, *y = b;
    size_t k = x->name_len < y->name_len ? x->name_len : y->name_len;
    int c = memcmp(x->name, y->name, k);
    if (c == 0)
        c = (x->name_len > y->name_len) - (x->name_len < y->name_len);
    if (c == 0)
        c = (x->offset > y->offset) - (x->offset < y->offset);
    return c;
}

static void walk(pg_scan *sc, TSTreeCursor *cur, TSNode root,
                 const pg_ts_lang *L, const pg_syms *y);

/* An f-string's replacement fields are code, and may hold literals. */
static void walk_fields(pg_scan *sc, TSNode str, const pg_syms *y)
{
    uint32_t n = ts_node_named_child_count(str);
    for (uint32_t i = 0; i < n; i++) {
        TSNode c = ts_node_named_child(str, i);
        if (ts_node_symbol(c) != y->interp)
            continue;
        TSTreeCursor cur = ts_tree_cursor_new(c);
        walk(sc, &cur, c, &pg_ts_lang_python, y);
        ts_tree_cursor_delete(&cur);
    }
}

static void walk(pg_scan *sc, TSTreeCursor *cur, TSNode root,
                 const pg_ts_lang *L, const pg_syms *y)
{
    const int cfam = L->c_family;
    ts_tree_cursor_reset(cur, root);
    for (;;) {
        TSNode node = ts_tree_cursor_current_node(cur);
        TSSymbol s = ts_node_symbol(node);
        int descend = 0;
        if (s == y->comment) {
            /* mentions in comments are not accesses */
        } else if (cfam && (s == y->str || s == y->raw || s == y->concat)) {
            c_string(sc, node, y);
        } else if (cfam && (s == y->def || s == y->fdef)) {
            TSNode value = ts_node_child_by_field_name(node, "value", 5);
            TSNode name = ts_node_child_by_field_name(node, "name", 4);
            if (!ts_node_is_null(name)) {
                sc->defining = sc->text + ts_node_start_byte(name);
                sc->defining_len =
                    ts_node_end_byte(name) - ts_node_start_byte(name);
            }
            if (!ts_node_is_null(value))
                scan_arg(sc, ts_node_start_byte(value),
                         ts_node_end_byte(value));
            sc->defining = NULL;
        } else if (!cfam && s == y->concat) {
            py_string(sc, node, y);
            uint32_t n = ts_node_named_child_count(node);
            for (uint32_t i = 0; i < n; i++)
                walk_fields(sc, ts_node_named_child(node, i), y);
        } else if (!cfam && s == y->str) {
            py_string(sc, node, y);
            walk_fields(sc, node, y);
        } else {
            descend = 1;
        }
        if (descend && ts_tree_cursor_goto_first_child(cur))
            continue;
        while (!ts_tree_cursor_goto_next_sibling(cur))
            if (!ts_tree_cursor_goto_parent(cur))
                return;
    }
}

/* ---- the prefilter ------------------------------------------------------ */

/*
 * Most files of a tree hold no /proc literal, and parsing them is most of
 * the pass's cost (several MB of generated or amalgamated C), so the text
 * is read first and the parse skipped when no site is possible. The test
 * over-approximates: when in doubt, parse.
 *
 * Every value judged above is a concatenation of literal bodies, read from
 * the text right after an opening quote; so a /proc value needs a first
 * non-empty body that either starts with "/proc" itself or is a shorter
 * prefix of it ("/pr") continued by another literal or a string macro.
 */

/* Offsets of the words "define" in a file: where its macro names are. */
typedef struct pg_defines {
    size_t *at;
    size_t n;
    int built;
} pg_defines;

static size_t find_word(const char *t, size_t len, size_t from, const char *w,
                        size_t wn)
{
    while (from + wn <= len) {
        const char *hit = memchr(t + from, w[0], len - from - wn + 1);
        if (hit == NULL)
            return len;
        size_t i = (size_t)(hit - t);
        if (memcmp(hit, w, wn) == 0)
            return i;
        from = i + 1;
    }
    return len;
}

/* Past blanks, line continuations and comments from i: the next token. */
static size_t skip_extras(const char *t, size_t len, size_t i, int newlines)
{
    while (i < len) {
        char c = t[i];
        if (c == ' ' || c == '\t' || c == '\f' || c == '\v' ||
            (newlines && (c == '\n' || c == '\r'))) {
            i++;
        } else if (c == '\\' && i + 1 < len && t[i + 1] == '\n') {
            i += 2;
        } else if (c == '\\' && i + 2 < len && t[i + 1] == '\r' &&
                   t[i + 2] == '\n') {
            i += 3;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            size_t e = find_word(t, len, i + 2, "*/", 2);
            i = e < len ? e + 2 : len;
        } else {
            return i;
        }
    }
    return len;
}

/* A byte tree-sitter-c may read as part of an identifier. */
static int may_be_ident(char c)
{
    return is_ident(c) || c == '$' || (unsigned char)c >= 0x80;
}

/* 1 if `name` may be the name of a #define somewhere in the file: after a
 * word "define", blanks, newlines and comments, then the name, then a byte
 * that cannot continue it. */
static int may_be_defined(const char *t, size_t len, pg_defines *d,
                          const char *name, size_t n)
{
    if (!d->built) {
        size_t cap = 0;
        for (size_t i = find_word(t, len, 0, "define", 6); i < len;
             i = find_word(t, len, i + 6, "define", 6)) {
            if (d->n == cap) {
                cap = cap ? cap * 2 : 64;
                d->at = pg_xrealloc(d->at, cap * sizeof *d->at);
            }
            d->at[d->n++] = i + 6;
        }
        d->built = 1;
    }
    for (size_t k = 0; k < d->n; k++) {
        size_t i = d->at[k];
        /* a // comment may hide a continued line: skip it as a block */
        for (;;) {
            i = skip_extras(t, len, i, 1);
            if (i + 1 < len && t[i] == '/' && t[i + 1] == '/') {
                while (i < len && t[i] != '\n')
                    i += t[i] == '\\' && i + 1 < len ? 2 : 1;
                continue;
            }
            break;
        }
        if (len - i >= n && memcmp(t + i, name, n) == 0 &&
            (i + n == len || !may_be_ident(t[i + n])))
            return 1;
    }
    return 0;
}

/* After a C literal body that is a proper prefix of "/proc", closed by the
 * quote before i: 1 if a concatenation may continue it, that is, if what
 * follows may be another literal or a string macro (a #define's value ends
 * at the line end and continues wherever the macro is used). */
static int c_may_continue(const char *t, size_t len, size_t i, pg_defines *d)
{
    i = skip_extras(t, len, i, 0);
    if (i >= len)
        return 1;
    unsigned char c = (unsigned char)t[i];
    if (c == '\n' || c == '\r' || c == '"' || c == '#' || c == '$' ||
        c == '\\' || c >= 0x80 || (c == '/' && i + 1 < len && t[i + 1] == '/'))
        return 1;
    if (!is_ident_start((char)c))
        return 0; /* punctuation or a number: the run ends here */
    size_t e = i;
    while (e < len && is_ident(t[e]))
        e++;
    if (e < len && (t[e] == '"' || t[e] == '\'' || t[e] == '$' ||
                    t[e] == '\\' || (unsigned char)t[e] >= 0x80))
        return 1; /* an encoding prefix, or a name this scan cannot spell */
    return may_be_defined(t, len, d, t + i, e - i);
}

/* 1 if the C literal body starting at i (after a quote) may begin a /proc
 * value. Escapes decode as c_literal_value decodes them. */
static int c_may_start(const char *t, size_t len, size_t i, pg_defines *d)
{
    const char *want = pg_proc_root();
    const size_t wn = strlen(want);
    size_t k = 0;
    while (k < wn) {
        if (i >= len || t[i] == '\n')
            return k > 0; /* unterminated: the body ends here */
        char c = t[i];
        if (c == '"')
            return k > 0 && c_may_continue(t, len, i + 1, d);
        if (c != '\\') {
            if (c != want[k])
                return 0;
            k++;
            i++;
            continue;
        }
        /* An escape tree-sitter would not lex (\x, \u, \U short of
         * digits, a backslash before CR) may cut the literal short: parse.
         * Any other decodes as c_literal_value decodes it. */
        size_t rest = len - i - 1;
        const char *e = t + i + 1;
        size_t need = rest == 0     ? 0
                      : e[0] == 'x' ? 1
                      : e[0] == 'u' ? 4
                      : e[0] == 'U' ? 8
                                    : 0;
        if (rest == 0 || e[0] == '\r')
            return 1;
        for (size_t j = 1; j <= need; j++)
            if (j >= rest || pg_hexval(e[j]) < 0)
                return 1;
        pg_buf b = {0};
        size_t used = pg_escape_decode(e, rest, &b, 0);
        for (size_t j = 0; j < b.n && k < wn; j++, k++)
            if (b.p[j] != want[k]) {
                free(b.p);
                return 0;
            }
        free(b.p);
        i += 1 + used;
    }
    return 1;
}

/* 1 if the file may hold a /proc literal, and so has to be parsed. */
static int may_hold_proc(const char *t, size_t len, const pg_ts_lang *L)
{
    if (!L->c_family) {
        /* the body right after any quote: a '/', or an escape or a
         * continuation line that may produce one */
        for (size_t i = 0; i + 1 < len; i++)
            if ((t[i] == '"' || t[i] == '\'') &&
                (t[i + 1] == '/' || t[i + 1] == '\\'))
                return 1;
        return 0;
    }
    pg_defines d = {NULL, 0, 0};
    int may = 0;
    for (const char *q = memchr(t, '"', len); q != NULL && !may;
         q = memchr(q + 1, '"', len - (size_t)(q + 1 - t)))
        /* a raw string's body starts after its delimiter: just parse */
        may = (q > t && q[-1] == 'R') ||
              c_may_start(t, len, (size_t)(q - t) + 1, &d);
    free(d.at);
    return may;
}

/* ---- what to parse for skipped ranges ----------------------------------- */

/* The line of off: [start, end) with end past its '\n' (or at len). */
static size_t line_start(const char *t, size_t off)
{
    while (off > 0 && t[off - 1] != '\n')
        off--;
    return off;
}

static size_t line_end(const char *t, size_t len, size_t off)
{
    while (off < len && t[off] != '\n')
        off++;
    return off < len ? off + 1 : len;
}

/* Push [a, b) onto r, merging with the last range when they touch (the
 * input comes in file order). */
static void range_push(pg_range **r, size_t *n, size_t *cap, size_t a, size_t b)
{
    if (*n > 0 && a <= (*r)[*n - 1].end) {
        if (b > (*r)[*n - 1].end)
            (*r)[*n - 1].end = b;
        return;
    }
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 64;
        *r = pg_xrealloc(*r, *cap * sizeof **r);
    }
    (*r)[(*n)++] = (pg_range){a, b};
}

/*
 * With skipped ranges, tree-sitter needs to see only them and the file's
 * #define lines (a skipped use may name a macro defined in active code):
 * parsing the whole file again after libclang costs more than libclang on
 * large files. A small lexer finds directive lines outside comments and
 * strings; ranges are widened to whole lines so no token is cut. Returns
 * the ranges in file order, merged.
 */
static size_t parse_ranges(const pg_scan *sc, pg_range **out)
{
    const char *t = sc->text;
    size_t len = sc->len, n = 0, cap = 0, k = 0, i = 0;
    pg_range *r = NULL;
    int bol = 1; /* only blanks so far on this line */
    while (i < len) {
        while (k < sc->nranges && sc->ranges[k].end <= i)
            k++;
        if (k < sc->nranges && sc->ranges[k].start <= i) {
            size_t a = line_start(t, sc->ranges[k].start);
            size_t b = line_end(t, len, sc->ranges[k].end);
            range_push(&r, &n, &cap, a, b);
            i = b;
            bol = 1;
            continue;
        }
        /* a mis-lexed comment or string must not swallow a range */
        size_t lim = k < sc->nranges ? sc->ranges[k].start : len;
        size_t from = i;
        char c = t[i];
        if (c == '\n') {
            bol = 1;
            i++;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' ||
                   c == '\v') {
            i++;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '*') {
            const char *e = NULL;
            for (size_t j = i + 2; j + 1 < len && e == NULL; j++)
                if (t[j] == '*' && t[j + 1] == '/')
                    e = t + j + 2;
            i = e ? (size_t)(e - t) : len;
        } else if (c == '/' && i + 1 < len && t[i + 1] == '/') {
            while (i < len && t[i] != '\n')
                i += t[i] == '\\' && i + 1 < len ? 2 : 1;
        } else if (c == '#' && bol) {
            /* a directive: to the end of its logical line */
            size_t a = line_start(t, i), j = i;
            while (j < len && t[j] != '\n')
                j += t[j] == '\\' && j + 1 < len ? 2 : 1;
            size_t b = j < len ? j + 1 : len;
            size_t d = i + 1;
            while (d < b && (t[d] == ' ' || t[d] == '\t'))
                d++;
            if (b - d > 6 && strncmp(t + d, "define", 6) == 0)
                range_push(&r, &n, &cap, a, b);
            i = b;
            bol = 1;
        } else if (c == '"' || c == '\'') {
            i = skip_quoted(t, i, len);
            bol = 0;
        } else {
            i++;
            bol = 0;
        }
        if (i > lim && lim > from)
            i = lim;
    }
    *out = r;
    return n;
}

static int set_parse_ranges(TSParser *parser, const pg_scan *sc)
{
    pg_range *r;
    size_t n = parse_ranges(sc, &r);
    TSRange *tr = pg_xrealloc(NULL, (n ? n : 1) * sizeof *tr);
    for (size_t i = 0; i < n; i++) {
        unsigned l1, c1, l2, c2;
        position(sc, r[i].start, &l1, &c1);
        position(sc, r[i].end, &l2, &c2);
        tr[i] = (TSRange){{l1 - 1, c1 - 1},
                          {l2 - 1, c2 - 1},
                          (uint32_t)r[i].start,
                          (uint32_t)r[i].end};
    }
    /* no ranges at all: an empty range, so nothing is parsed */
    if (n == 0)
        tr[n++] = (TSRange){{0, 0}, {0, 0}, 0, 0};
    int ok = ts_parser_set_included_ranges(parser, tr, (uint32_t)n);
    free(tr);
    free(r);
    return ok;
}

/*
 * A backslash-CR-LF splice ("/pr\\<CR><LF>oc" in a CRLF file) is a line
 * splice to a C compiler, but tree-sitter-c lexes backslash-CR as an escape
 * and ends the literal at the LF. The scan therefore reads a copy without
 * those CRs (*cuts: where each was, in copy coordinates), or NULL when the
 * file has none.
 */
static char *spliced_copy(const char *t, size_t len, size_t **cuts,
                          size_t *ncuts, size_t *olen)
{
    *cuts = NULL;
    *ncuts = 0;
    if (!pg_contains(t, len, "\\\r\n"))
        return NULL;
    char *c = pg_xrealloc(NULL, len + 1);
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < len; i++) {
        if (t[i] == '\r' && i > 0 && t[i - 1] == '\\' && i + 1 < len &&
            t[i + 1] == '\n') {
            if (*ncuts == cap)
                *cuts = pg_xrealloc(*cuts,
                                    (cap = cap ? cap * 2 : 16) * sizeof **cuts);
            (*cuts)[(*ncuts)++] = n;
            continue;
        }
        c[n++] = t[i];
    }
    c[n] = '\0';
    *olen = n;
    return c;
}

static const pg_ts_lang *lang_desc(pg_lang lang)
{
    switch (lang) {
    case PG_LANG_C: return &pg_ts_lang_c;
    case PG_LANG_CPP: return &pg_ts_lang_cpp;
    case PG_LANG_PYTHON: return &pg_ts_lang_python;
    default: return NULL;
    }
}

int pg_ts_scan(const char *path, const char *text, size_t len, pg_lang lang,
               const pg_range *ranges, size_t nranges, pg_sites *out,
               pg_error *err)
{
    const pg_ts_lang *L = lang_desc(lang);
    if (L == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: no tree-sitter grammar for this kind of file (only C, "
                 "C++ and Python are scanned)",
                 path);
        return -1;
    }
    const TSLanguage *language = L->grammar();
    if (len > UINT32_MAX) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: %zu bytes is more than tree-sitter can parse", path, len);
        return -1;
    }
    TSParser *parser = ts_parser_new();
    if (parser == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: cannot create a tree-sitter parser", path);
        return -1;
    }
    if (!ts_parser_set_language(parser, language)) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: the %s grammar has ABI %u, but this libtree-sitter "
                 "accepts %d to %d; rebuild procguard against a matching "
                 "grammar",
                 path, L->name, ts_language_version(language),
                 TREE_SITTER_MIN_COMPATIBLE_LANGUAGE_VERSION,
                 TREE_SITTER_LANGUAGE_VERSION);
        ts_parser_delete(parser);
        return -1;
    }
    if (!may_hold_proc(text, len, L)) {
        ts_parser_delete(parser);
        return 0;
    }
    pg_scan sc = {
        .path = path,
        .text = text,
        .len = len,
        .ranges = ranges,
        .nranges = nranges,
        .out = out,
    };
    lines_build(&sc); /* of the file itself: positions are the file's */
    size_t *cuts = NULL, clen = 0;
    char *copy = L->c_family && ranges == NULL
                     ? spliced_copy(text, len, &cuts, &sc.ncuts, &clen)
                     : NULL;
    if (copy != NULL) {
        sc.text = text = copy;
        sc.len = len = clen;
        sc.cuts = cuts;
    }
    if (ranges != NULL && L->c_family && !set_parse_ranges(parser, &sc)) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: tree-sitter refused the skipped ranges", path);
        free(sc.lines);
        ts_parser_delete(parser);
        return -1;
    }
    TSTree *tree = ts_parser_parse_string(parser, NULL, text, (uint32_t)len);
    if (tree == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: tree-sitter returned no syntax tree", path);
        free(copy);
        free(cuts);
        free(sc.lines);
        ts_parser_delete(parser);
        return -1;
    }

    pg_syms y = {
        .str = sym(language, L->string),
        .raw = sym(language, L->raw),
        .concat = sym(language, L->concat),
        .def = sym(language, L->define),
        .fdef = sym(language, L->fdefine),
        .comment = sym(language, L->comment),
        .interp = sym(language, L->interp),
    };
    TSNode root = ts_tree_root_node(tree);
    TSTreeCursor cur = ts_tree_cursor_new(root);
    if (L->c_family) {
        collect_macros(&sc, &cur, root, &y);
        if (sc.nmacros > 0) /* qsort(NULL, 0, ...) is undefined */
            qsort(sc.macros, sc.nmacros, sizeof *sc.macros, macro_order);
    }
    walk(&sc, &cur, root, L, &y);

    ts_tree_cursor_delete(&cur);
    for (size_t i = 0; i < sc.nmacros; i++)
        free(sc.macros[i].value);
    free(sc.macros);
    free(sc.lines);
    free(copy);
    free(cuts);
    ts_tree_delete(tree);
    ts_parser_delete(parser);
    return 0;
}
