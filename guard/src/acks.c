/*
 * acks.c - a comment lexer for C, C++ and Python, and the acknowledgement
 * parser.
 *
 * Lexing has to know about literals: a "//" or "#" inside a string is not a
 * comment, and an acknowledgement written inside a string must not count.
 */
#include <stdlib.h>
#include <string.h>

#include "acks.h"
#include "strlit.h"

typedef struct lexer {
    const char *t;
    size_t n, i;
    size_t line_start; /* offset of the current line's first byte */
    unsigned line;
    pg_comments *out;
} lexer;

static void advance(lexer *lx)
{
    if (lx->t[lx->i] == '\n') {
        lx->line++;
        lx->line_start = lx->i + 1;
    }
    lx->i++;
}

/* The byte k past the current one, or NUL past the end. */
static char peek(const lexer *lx, size_t k)
{
    if (lx->i + k >= lx->n)
        return '\0';
    return lx->t[lx->i + k];
}

static int blank_between(const char *t, size_t a, size_t b)
{
    for (size_t k = a; k < b; k++)
        if (t[k] != ' ' && t[k] != '\t' && t[k] != '\f' && t[k] != '\v' &&
            t[k] != '\r')
            return 0;
    return 1;
}

static size_t line_end(const lexer *lx, size_t from)
{
    while (from < lx->n && lx->t[from] != '\n')
        from++;
    return from;
}

static void emit(lexer *lx, size_t start, unsigned line, size_t line_start,
                 size_t b0, size_t b1)
{
    pg_comments *o = lx->out;
    o->v = pg_xrealloc(o->v, (o->n + 1) * sizeof *o->v);
    pg_comment *c = &o->v[o->n++];
    c->offset = start;
    c->line = line;
    c->col = (unsigned)(start - line_start) + 1;
    c->end_line = lx->line;
    c->alone = blank_between(lx->t, line_start, start) &&
               blank_between(lx->t, lx->i, line_end(lx, lx->i));
    c->body = lx->t + b0;
    c->blen = b1 - b0;
}

/* C: skip a quoted literal starting at the opening quote q. */
static void c_skip_literal(lexer *lx, char q)
{
    advance(lx);
    while (lx->i < lx->n) {
        char c = lx->t[lx->i];
        if (c == '\\' && lx->i + 1 < lx->n) {
            advance(lx);
            advance(lx);
            continue;
        }
        if (c == q || c == '\n') { /* an unterminated literal ends at EOL */
            advance(lx);
            return;
        }
        advance(lx);
    }
}

static void c_line_comment(lexer *lx)
{
    size_t start = lx->i, ls = lx->line_start;
    unsigned line = lx->line;
    lx->i += 2;
    size_t b0 = lx->i;
    while (lx->i < lx->n && lx->t[lx->i] != '\n') {
        /* a backslash-newline continues the comment on the next line */
        if (lx->t[lx->i] == '\\') {
            size_t k = lx->i + 1;
            if (k < lx->n && lx->t[k] == '\r')
                k++;
            if (k < lx->n && lx->t[k] == '\n') {
                while (lx->i < k)
                    advance(lx);
                advance(lx);
                continue;
            }
        }
        advance(lx);
    }
    emit(lx, start, line, ls, b0, lx->i);
}

static void c_block_comment(lexer *lx)
{
    size_t start = lx->i, ls = lx->line_start;
    unsigned line = lx->line;
    lx->i += 2;
    size_t b0 = lx->i, b1 = lx->n;
    while (lx->i < lx->n) {
        if (lx->t[lx->i] == '*' && lx->i + 1 < lx->n &&
            lx->t[lx->i + 1] == '/') {
            b1 = lx->i;
            lx->i += 2;
            break;
        }
        advance(lx);
    }
    emit(lx, start, line, ls, b0, b1);
}

static int ident_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* A pp-number from a digit: digits, letters, '.', exponent signs, and the
   C23 / C++14 digit separator 1'000 (not a character literal). */
static void c_skip_number(lexer *lx)
{
    advance(lx);
    while (lx->i < lx->n) {
        char c = lx->t[lx->i], p = lx->t[lx->i - 1];
        if (ident_char(c) || c == '.' ||
            ((c == '+' || c == '-') && strchr("eEpP", p) != NULL) ||
            (c == '\'' && ident_char(p) && ident_char(peek(lx, 1))))
            advance(lx);
        else
            return;
    }
}

/* C++ R"d( ... )d": comment markers inside are text. At the quote. */
static void c_skip_raw(lexer *lx)
{
    const char *body;
    size_t blen,
        used = pg_raw_body(lx->t + lx->i + 1, lx->n - lx->i - 1, &body, &blen);
    if (used == 0) {
        c_skip_literal(lx, '"');
        return;
    }
    size_t end = lx->i + 1 + used;
    while (lx->i < end)
        advance(lx);
}

static void lex_c(lexer *lx)
{
    while (lx->i < lx->n) {
        char c = lx->t[lx->i];
        char d = peek(lx, 1);
        char prev = ' ';
        if (lx->i > 0)
            prev = lx->t[lx->i - 1];
        if (c == '/' && d == '/')
            c_line_comment(lx);
        else if (c == '/' && d == '*')
            c_block_comment(lx);
        else if (c == '"' && prev == 'R')
            c_skip_raw(lx);
        else if (c == '"' || c == '\'')
            c_skip_literal(lx, c);
        else if (c >= '0' && c <= '9' && !ident_char(prev))
            c_skip_number(lx);
        else if (ident_char(c)) { /* an identifier: 'R' ends one */
            while (lx->i < lx->n && ident_char(lx->t[lx->i]))
                advance(lx);
        } else
            advance(lx);
    }
}

/* Python: skip a string whose opening quote(s) start at lx->i. */
static void py_skip_string(lexer *lx)
{
    char q = lx->t[lx->i];
    int triple =
        lx->i + 2 < lx->n && lx->t[lx->i + 1] == q && lx->t[lx->i + 2] == q;
    lx->i += triple ? 3 : 1;
    while (lx->i < lx->n) {
        char c = lx->t[lx->i];
        if (c == '\\' && lx->i + 1 < lx->n) {
            advance(lx);
            advance(lx);
            continue;
        }
        if (c == q) {
            if (!triple) {
                advance(lx);
                return;
            }
            if (lx->i + 2 < lx->n && lx->t[lx->i + 1] == q &&
                lx->t[lx->i + 2] == q) {
                lx->i += 3;
                return;
            }
        } else if (c == '\n' && !triple) {
            return; /* unterminated: the tokenizer would stop here too */
        }
        advance(lx);
    }
}

static void lex_python(lexer *lx)
{
    while (lx->i < lx->n) {
        char c = lx->t[lx->i];
        if (c == '#') {
            size_t start = lx->i;
            lx->i++;
            size_t b0 = lx->i;
            while (lx->i < lx->n && lx->t[lx->i] != '\n')
                lx->i++;
            size_t b1 = lx->i;
            if (b1 > b0 && lx->t[b1 - 1] == '\r')
                b1--;
            emit(lx, start, lx->line, lx->line_start, b0, b1);
        } else if (c == '"' || c == '\'') {
            py_skip_string(lx);
        } else {
            advance(lx);
        }
    }
}

void pg_comments_lex(const char *text, size_t len, pg_lang lang,
                     pg_comments *out)
{
    lexer lx = {text, len, 0, 0, 1, out};
    out->v = NULL;
    out->n = 0;
    if (lang == PG_LANG_C || lang == PG_LANG_CPP)
        lex_c(&lx);
    else if (lang == PG_LANG_PYTHON)
        lex_python(&lx);
}

void pg_comments_free(pg_comments *c)
{
    free(c->v);
    c->v = NULL;
    c->n = 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
           c == '\v';
}

static int is_word(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_' || c == '-';
}

int pg_ack_parse(const char *text, size_t len, const char **reason,
                 size_t *rlen)
{
    return pg_ack_parse_kw(text, len, PG_ACK_KEYWORD, reason, rlen);
}

int pg_ack_parse_kw(const char *text, size_t len, const char *marker,
                    const char **reason, size_t *rlen)
{
    const size_t m = strlen(marker);
    for (size_t i = 0; i + m <= len; i++) {
        if (memcmp(text + i, marker, m) != 0)
            continue;
        /* "nonportability:" or "x-portability:" is another word */
        if (i > 0 && is_word(text[i - 1]))
            continue;
        size_t a = i + m, b = len;
        while (a < b && is_space(text[a]))
            a++;
        while (b > a && (is_space(text[b - 1]) || text[b - 1] == '*'))
            b--;
        *reason = text + a;
        *rlen = b - a;
        return 1;
    }
    return 0;
}

int pg_ack_covers(unsigned line, unsigned end_line, int alone, unsigned target)
{
    if (target >= line && target <= end_line)
        return 1;
    return alone && target == end_line + 1;
}
