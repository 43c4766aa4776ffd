/*
 * acks.h - comments, the acknowledgements in them, and which site each
 * acknowledgement covers.
 *
 * An acknowledgement is a comment containing the marker word "portability"
 * and a colon, followed by the reason. It covers a site on one of its own
 * lines, or on the line directly below it when the comment is alone on its
 * line(s). For a literal reached through a macro, an acknowledgement at the
 * macro's definition covers the expansion too (the NOLINT convention).
 */
#ifndef PG_ACKS_H
#define PG_ACKS_H

#include <stddef.h>

#include "pg.h"

typedef struct pg_comment {
    size_t offset;      /* of the comment's first delimiter character */
    unsigned line, col; /* 1-based, col in bytes */
    unsigned end_line;  /* line of its last character */
    int alone;          /* nothing but blanks before it on its first line and
                           after it on its last line */
    const char *body;   /* the text between the delimiters (points into the
                           lexed text) */
    size_t blen;
} pg_comment;

typedef struct pg_comments {
    pg_comment *v;
    size_t n;
} pg_comments;

/*
 * Every comment of `text` in `lang`: C (// with line continuations, block
 * comments; string and character literals are not comments) or Python ('#'
 * outside strings, triple-quoted strings included). Pure; bodies point into
 * `text`, which must outlive *out.
 */
void pg_comments_lex(const char *text, size_t len, pg_lang lang,
                     pg_comments *out);
void pg_comments_free(pg_comments *c);

/*
 * If the comment body `text` (len bytes) is an acknowledgement, return 1 and
 * point *reason / *rlen at the reason, trimmed of blanks and of the
 * decoration of block comments ('*' at line starts is left in, but a
 * trailing run of '*' is removed); *rlen 0 means the reason is missing.
 * Otherwise 0. Pure and total: any bytes are valid input.
 */
int pg_ack_parse(const char *text, size_t len, const char **reason,
                 size_t *rlen);

/* The default ack keyword, with its colon. */
#define PG_ACK_KEYWORD "portability:"

/* pg_ack_parse with another marker (configuration: ack-keyword), given
   with its colon. */
int pg_ack_parse_kw(const char *text, size_t len, const char *marker,
                    const char **reason, size_t *rlen);

/* 1 if an acknowledgement spanning lines [line, end_line] (`alone` as in
   pg_comment) covers something on `target` line. */
int pg_ack_covers(unsigned line, unsigned end_line, int alone, unsigned target);

#endif
