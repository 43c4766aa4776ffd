/*
 * fix.h - fix-its: for each unacknowledged or unlisted site, the exact
 * change that makes it pass (an ack comment, an allowlist line), carried by
 * the findings into JSON and SARIF; and, with --fix, those changes applied
 * to the files.
 *
 * Where the ack goes: for a literal reached through a macro, at the
 * macro's definition (it covers every expansion); otherwise on the site's
 * line. C and C++: at the end of the line in the file's comment style
 * (// or block comments, whichever the file uses more); before the
 * backslash of a continued line, as a block comment; on its own line above,
 * with the line's indentation, when the line ends inside a comment or holds
 * a raw string. Python: '  # ...' at the end of the line, or alone on the
 * line above when the line holds a triple quote.
 */
#ifndef PG_FIX_H
#define PG_FIX_H

#include "allowlist.h"
#include "judge.h"
#include "pg.h"
#include "report.h"

typedef struct pg_fix_in {
    pg_texts *texts;
    const char *reason;     /* the ack's and the entry's reason; NULL: a
                               placeholder ("<reason>") */
    const char *keyword;    /* the ack keyword, with its colon */
    const char *allow_path; /* the allowlist, repository-relative */
    const char *allow_text; /* its text as read, or NULL (no file yet) */
    size_t allow_len;
} pg_fix_in;

/* Fill the fix fields of every reported, unbaselined site finding. */
void pg_fix_plan(const pg_fix_in *in, pg_findings *f);

/* What --fix did or refused, one line each, for main.c to print. */
typedef struct pg_fix_log {
    char **lines;
    size_t n;
    size_t changed; /* files written */
    int refused;    /* a file changed since it was read: not touched */
} pg_fix_log;

/*
 * Apply the planned fixes under `root`: each file re-read and compared
 * with the text judged (a file changed since is refused, untouched), then
 * replaced atomically (temporary file, rename; mode kept). Each site line
 * is changed once. The allowlist gets the missing entries, sorted, as one
 * block at its end (created, with its directory, if missing).
 */
void pg_fix_apply(const pg_fix_in *in, const pg_findings *f, const char *root,
                  pg_fix_log *log);
void pg_fix_log_free(pg_fix_log *log);

#endif
