/* strlit.c - string literal values shared by the two passes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "pg.h"
#include "strlit.h"

void pg_buf_put(pg_buf *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = pg_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

void pg_buf_putc(pg_buf *b, char c)
{
    pg_buf_put(b, &c, 1);
}

void pg_buf_utf8(pg_buf *b, unsigned long cp)
{
    char u[4];
    if (cp < 0x80) {
        pg_buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        pg_buf_put(b, u, 2);
    } else if (cp < 0x10000) {
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        pg_buf_put(b, u, 3);
    } else {
        u[0] = (char)(0xF0 | ((cp >> 18) & 0x07));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        pg_buf_put(b, u, 4);
    }
}

int pg_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* 1 if name[0..n) equals w, ignoring ASCII case (as Python's \N does). */
static int name_is(const char *name, size_t n, const char *w)
{
    if (strlen(w) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != w[i])
            return 0;
    }
    return 1;
}

/*
 * The ASCII character a Python \N{NAME} names, for the names that can spell
 * a path: SOLIDUS, LATIN SMALL/CAPITAL LETTER X, DIGIT ZERO..NINE and a few
 * punctuation marks. Any other name is not ASCII path text: '?' (which no
 * /proc value holds).
 */
static char named_char(const char *name, size_t n)
{
    static const char *const digits[] = {"ZERO",  "ONE",  "TWO", "THREE",
                                         "FOUR",  "FIVE", "SIX", "SEVEN",
                                         "EIGHT", "NINE"};
    static const struct {
        const char *name;
        char c;
    } punct[] = {{"SOLIDUS", '/'},      {"FULL STOP", '.'},
                 {"HYPHEN-MINUS", '-'}, {"LOW LINE", '_'},
                 {"PERCENT SIGN", '%'}, {"SPACE", ' '}};
    for (size_t i = 0; i < sizeof punct / sizeof *punct; i++)
        if (name_is(name, n, punct[i].name))
            return punct[i].c;
    static const char small[] = "LATIN SMALL LETTER ", cap[] = "LATIN CAPITAL "
                                                               "LETTER ";
    char buf[40];
    for (int k = 0; k < 26; k++) {
        snprintf(buf, sizeof buf, "%s%c", small, 'A' + k);
        if (name_is(name, n, buf))
            return (char)('a' + k);
        snprintf(buf, sizeof buf, "%s%c", cap, 'A' + k);
        if (name_is(name, n, buf))
            return (char)('A' + k);
    }
    for (int k = 0; k < 10; k++) {
        snprintf(buf, sizeof buf, "DIGIT %s", digits[k]);
        if (name_is(name, n, buf))
            return (char)('0' + k);
    }
    return '?';
}

/* Decode one escape after a backslash at s[0] (s[-1] == '\\'); returns the
 * bytes consumed. Python and C share all but the unknown-escape rule. */
size_t pg_escape_decode(const char *s, size_t n, pg_buf *b, int python)
{
    static const char from[] = "abfnrtv\\'\"?";
    static const char to[] = "\a\b\f\n\r\t\v\\'\"?";
    if (n == 0)
        return 0;
    const char *hit = strchr(from, s[0]);
    if (hit != NULL && s[0] != '\0' && !(python && s[0] == '?')) {
        pg_buf_putc(b, to[hit - from]);
        return 1;
    }
    if (!python && s[0] == 'e') { /* GNU extension */
        pg_buf_putc(b, '\033');
        return 1;
    }
    if (s[0] == '\n')
        return 1;
    if (s[0] == '\r')
        return n > 1 && s[1] == '\n' ? 2 : 1;
    if (s[0] >= '0' && s[0] <= '7') {
        unsigned v = 0;
        size_t i = 0;
        while (i < n && i < 3 && s[i] >= '0' && s[i] <= '7')
            v = v * 8 + (unsigned)(s[i++] - '0');
        pg_buf_putc(b, (char)v);
        return i;
    }
    size_t digits = s[0] == 'x'   ? (python ? 2 : SIZE_MAX)
                    : s[0] == 'u' ? 4
                    : s[0] == 'U' ? 8
                                  : 0;
    if (digits != 0) {
        unsigned long v = 0;
        size_t i = 1;
        while (i < n && i - 1 < digits && pg_hexval(s[i]) >= 0)
            v = v * 16 + (unsigned long)pg_hexval(s[i++]);
        if (s[0] == 'x')
            pg_buf_putc(b, (char)v);
        else
            pg_buf_utf8(b, v);
        return i;
    }
    if (python && s[0] == 'N' && n > 1 && s[1] == '{') {
        size_t i = 2;
        while (i < n && s[i] != '}')
            i++;
        pg_buf_putc(b, named_char(s + 2, i - 2));
        return i < n ? i + 1 : i;
    }
    if (python)
        pg_buf_putc(b, '\\');
    pg_buf_putc(b, s[0]);
    return 1;
}

size_t pg_raw_body(const char *s, size_t n, const char **body, size_t *blen)
{
    size_t d = 0; /* the delimiter: at most 16 characters before '(' */
    while (d < n && d <= 16 && s[d] != '(' && s[d] != '"' && s[d] != ' ' &&
           s[d] != ')' && s[d] != '\\' && s[d] != '\n')
        d++;
    if (d >= n || d > 16 || s[d] != '(')
        return 0;
    *body = s + d + 1;
    for (size_t i = d + 1; i < n; i++) {
        if (s[i] != ')' || i + 1 + d >= n || s[i + 1 + d] != '"' ||
            memcmp(s + i + 1, s, d) != 0)
            continue;
        *blen = i - (d + 1);
        return i + d + 2;
    }
    *blen = n - (d + 1);
    return n;
}
