/*
 * judge.h - sites against acknowledgements and the allowlist: the verdict
 * on every site, and the findings about acks and allowlist entries.
 */
#ifndef PG_JUDGE_H
#define PG_JUDGE_H

#include "allowlist.h"
#include "pg.h"
#include "report.h"

/* A source file whose text and comments the judge may need. */
typedef struct pg_text {
    char *path; /* repository-relative */
    pg_lang lang;
    int checked; /* part of this run: its unused acks are reported */
    int whole;   /* libclang parsed it: every site it can hold was seen,
                    expansions of other files' macros included */
    char *text;  /* NULL: not loaded (or unreadable) */
    size_t len;
    size_t *lines; /* where each line starts, built on first use */
    size_t nlines;
} pg_text;

typedef struct pg_texts {
    pg_text *v;
    size_t n;
    const char *root; /* to load files the sites point at (macro homes) */
    size_t last;      /* the last lookup's answer, tried first */
} pg_texts;

/* The text of `path`, loading it (unchecked) if needed; NULL if unreadable. */
pg_text *pg_texts_get(pg_texts *t, const char *path);
void pg_texts_free(pg_texts *t);

typedef struct pg_judge_in {
    const pg_sites *sites; /* deduped */
    pg_texts *texts;
    pg_patlist *allow;      /* entries' `used` is set here */
    const char *allow_path; /* for allowlist-stale locations */
    int partial;            /* no allowlist-stale in partial runs */
    const char *keyword;    /* the ack marker with its colon; NULL: the
                               default, PG_ACK_KEYWORD */
} pg_judge_in;

/*
 * Allowlist use: every entry that matches a file with a site is used (not
 * only the first). An entry is also kept (never called stale) when it
 * matches a checked C or C++ file that libclang did not parse and that names
 * a macro whose definition holds a site: that file may hold an expansion
 * site this run could not see, and -p would need the entry.
 */

/* Append one verdict per site (a finding, or a passed site) and the ack and
   allowlist findings to *out. */
void pg_judge(const pg_judge_in *in, pg_findings *out);

/* Location details for a byte offset / line of a text: the source line
   (allocated) and the exclusive end column of the token at `col`. */
char *pg_text_line(const pg_text *t, unsigned line);
unsigned pg_token_end(const char *srcline, unsigned col);

#endif
