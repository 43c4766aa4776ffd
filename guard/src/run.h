/*
 * run.h - run a helper program (git, clang) and capture what it prints.
 *
 * No shell: argv[0] is looked up on PATH and the arguments are passed as
 * they are, so a repository path with spaces or quotes needs no escaping.
 */
#ifndef PG_RUN_H
#define PG_RUN_H

#include <stddef.h>

/*
 * Run argv (NULL-terminated), stdin inherited, stderr discarded. *out is
 * its stdout, NUL-terminated (caller frees; NULL when it could not be
 * run), *olen its length. Returns the exit status, or -1 when it could
 * not be started or did not exit normally.
 */
int pg_run_capture(char *const argv[], char **out, size_t *olen);

#endif
