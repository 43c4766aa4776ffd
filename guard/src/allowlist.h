/*
 * allowlist.h - the allowlist (allowlist/proc.allow) and the ignore file
 * (allowlist/proc.ignore): one "<path-or-glob> <reason>" per line, '#'
 * comment lines, blank lines. Parsed strictly: an entry without a reason, a
 * malformed glob or a duplicate is an error naming its line, never skipped.
 */
#ifndef PG_ALLOWLIST_H
#define PG_ALLOWLIST_H

#include <stddef.h>

typedef struct pg_entry {
    char *glob;
    char *reason;
    unsigned line;
    int used; /* set by the caller: the entry matched a file with a site */
} pg_entry;

/* A malformed line: where, and what is wrong with it. */
typedef struct pg_syntax {
    unsigned line, col;
    char msg[256];
} pg_syntax;

typedef struct pg_patlist {
    pg_entry *v;
    size_t n;
    pg_syntax *errs;
    size_t nerrs;
} pg_patlist;

/*
 * Parse `len` bytes of `text` (need not be NUL-terminated) into *out.
 * Well-formed lines become entries, malformed ones errors; both are kept so
 * every bad line is reported at once. A pure function: no I/O.
 * Returns the number of errors.
 */
size_t pg_patlist_parse(const char *text, size_t len, pg_patlist *out);

/* Index of the first entry matching repository-relative `path`, or -1. */
long pg_patlist_match(const pg_patlist *list, const char *path);

void pg_patlist_free(pg_patlist *list);

#endif
