/*
 * allowlist.c - strict parser for "<glob> <reason>" files.
 *
 * Strict because a lenient one hides mistakes: Chromium's ban lists
 * silently merged entries that lacked a separator. So a line is an entry
 * with a reason, a comment, or blank; everything else is an error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "allowlist.h"
#include "glob.h"
#include "pg.h"

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void add_err(pg_patlist *out, unsigned line, unsigned col,
                    const char *fmt, const char *a, const char *b)
{
    out->errs = pg_xrealloc(out->errs, (out->nerrs + 1) * sizeof *out->errs);
    pg_syntax *e = &out->errs[out->nerrs++];
    e->line = line;
    e->col = col;
    snprintf(e->msg, sizeof e->msg, fmt, a, b ? b : "");
}

/* A Windows-style path (src\\x.c): the glob with '/' for each backslash
   that does not escape a glob metacharacter, or NULL when there is none. */
static char *backslash_path(const char *glob)
{
    int any = 0;
    char *out = pg_strdup(glob);
    for (size_t i = 0; out[i] != '\0'; i++) {
        if (out[i] != '\\')
            continue;
        if (out[i + 1] != '\0' && strchr("*?[]\\", out[i + 1]) != NULL) {
            i++; /* an escape the glob syntax gives meaning to */
            continue;
        }
        out[i] = '/';
        any = 1;
    }
    if (!any) {
        free(out);
        return NULL;
    }
    return out;
}

static void parse_line(const char *s, size_t n, unsigned line, pg_patlist *out)
{
    while (n > 0 && (is_blank(s[n - 1]) || s[n - 1] == '\r'))
        n--;
    size_t i = 0;
    while (i < n && is_blank(s[i]))
        i++;
    if (i == n || s[i] == '#')
        return;
    if (memchr(s, '\0', n) != NULL || memchr(s, '\r', n) != NULL) {
        add_err(out, line, 1, "stray NUL or carriage return in the line%s%s",
                "", NULL);
        return;
    }
    size_t g0 = i;
    while (i < n && !is_blank(s[i]))
        i++;
    char *glob = pg_strndup(s + g0, i - g0);
    while (i < n && is_blank(s[i]))
        i++;
    unsigned col = (unsigned)g0 + 1;
    const char *why = pg_glob_check(glob);
    char *slashed = backslash_path(glob);
    if (slashed != NULL) {
        add_err(out, line, col,
                "pattern '%s' separates directories with a backslash; paths "
                "are '/'-separated, relative to the repository root: write "
                "'%s'",
                glob, slashed);
        free(slashed);
    } else if (why != NULL) {
        add_err(out, line, col, "malformed pattern '%s': %s", glob, why);
    } else if (i == n) {
        add_err(out, line, col,
                "entry '%s' has no reason; write why after the pattern, "
                "on the same line%s",
                glob, NULL);
    } else if (s[i] == '#') {
        add_err(out, line, (unsigned)i + 1,
                "entry '%s' has no reason (a '#' comment is not a reason)%s",
                glob, NULL);
    } else {
        for (size_t k = 0; k < out->n; k++) {
            if (strcmp(out->v[k].glob, glob) == 0) {
                char prev[32];
                snprintf(prev, sizeof prev, "%u", out->v[k].line);
                add_err(out, line, col,
                        "duplicate entry '%s' (first on line %s)", glob, prev);
                free(glob);
                return;
            }
        }
        out->v = pg_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        pg_entry *e = &out->v[out->n++];
        e->glob = glob;
        e->reason = pg_strndup(s + i, n - i);
        e->line = line;
        e->used = 0;
        return;
    }
    free(glob);
}

size_t pg_patlist_parse(const char *text, size_t len, pg_patlist *out)
{
    memset(out, 0, sizeof *out);
    unsigned line = 1;
    size_t start = 0;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        start = 3; /* a UTF-8 byte order mark is not part of the first glob */
    for (size_t i = 0; i <= len; i++) {
        if (i == len || text[i] == '\n') {
            if (i > start || i < len)
                parse_line(text + start, i - start, line, out);
            line++;
            start = i + 1;
        }
    }
    return out->nerrs;
}

long pg_patlist_match(const pg_patlist *list, const char *path)
{
    for (size_t k = 0; k < list->n; k++)
        if (pg_glob_match(list->v[k].glob, path))
            return (long)k;
    return -1;
}

void pg_patlist_free(pg_patlist *list)
{
    for (size_t k = 0; k < list->n; k++) {
        free(list->v[k].glob);
        free(list->v[k].reason);
    }
    free(list->v);
    free(list->errs);
    memset(list, 0, sizeof *list);
}
