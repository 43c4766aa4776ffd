/*
 * strlit.h - string literal values: a growing byte buffer and the escape
 * decoder both passes use, so that libclang's spelling and tree-sitter's
 * token text decode to the same value.
 */
#ifndef PG_STRLIT_H
#define PG_STRLIT_H

#include <stddef.h>

/* Bytes, always NUL-terminated once anything was put. */
typedef struct pg_buf {
    char *p;
    size_t n, cap;
} pg_buf;

void pg_buf_put(pg_buf *b, const char *s, size_t n);
void pg_buf_putc(pg_buf *b, char c);
/* Code point cp as UTF-8 (what the /proc rule compares against). */
void pg_buf_utf8(pg_buf *b, unsigned long cp);

/* Value of a hexadecimal digit, or -1. */
int pg_hexval(char c);

/*
 * Decode one escape sequence whose first character (after the backslash)
 * is s[0], reading at most n bytes; append its value to *b and return the
 * bytes consumed. C and Python differ only in \x width, \N{...}, \e and
 * what an unknown escape means (`python` picks).
 */
size_t pg_escape_decode(const char *s, size_t n, pg_buf *b, int python);

/*
 * A C++ raw string body: s[0..n) starts right after the opening quote of
 * R"delim( ... )delim". On success *body / *blen are the characters between
 * the parentheses (taken as they are: no escapes) and the return value is
 * the bytes used up to and including the closing quote; 0 when s is not a
 * well-formed raw string (an unterminated one runs to the end).
 */
size_t pg_raw_body(const char *s, size_t n, const char **body, size_t *blen);

#endif
