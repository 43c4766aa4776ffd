/*
 * fuzz_acks.c - the comment lexer (C and Python) and the acknowledgement
 * parser against arbitrary bytes. The first byte picks the language.
 * Invariants: never crashes; every comment lies inside the text, with sane
 * lines; a reason found lies inside its comment body.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "acks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ack(const char *body, size_t blen)
{
    const char *reason = NULL;
    size_t rlen = 0;
    if (pg_ack_parse(body, blen, &reason, &rlen)) {
        if (rlen > 0 && (reason < body || reason + rlen > body + blen))
            abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    pg_lang lang = (data[0] & 1) ? PG_LANG_PYTHON : PG_LANG_C;
    /* An exact-size copy, so ASan catches any read past the end. */
    size_t len = size - 1;
    char *text = malloc(len ? len : 1);
    if (text == NULL)
        return 0;
    memcpy(text, data + 1, len);

    unsigned lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';

    pg_comments cs;
    memset(&cs, 0, sizeof cs);
    pg_comments_lex(text, len, lang, &cs);
    size_t prev = 0;
    for (size_t i = 0; i < cs.n; i++) {
        const pg_comment *c = &cs.v[i];
        if (c->offset >= len || c->offset < prev || c->line == 0 ||
            c->end_line < c->line || c->end_line > lines || c->col == 0 ||
            c->body < text || c->body + c->blen > text + len)
            abort();
        prev = c->offset;
        check_ack(c->body, c->blen);
        (void)pg_ack_covers(c->line, c->end_line, c->alone, c->line + 1);
    }
    pg_comments_free(&cs);
    check_ack(text, len);
    free(text);
    return 0;
}
