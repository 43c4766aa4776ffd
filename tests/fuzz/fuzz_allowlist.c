/*
 * fuzz_allowlist.c - the allowlist / ignore-file parser and the glob
 * matcher against arbitrary bytes.
 * Invariants: never crashes or hangs; every entry has a well-formed glob
 * and a non-empty reason on a real line; every error names a real line;
 * matching never crashes, whatever the pattern and path.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "allowlist.h"
#include "glob.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *copy(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d != NULL) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    unsigned lines = 1;
    for (size_t i = 0; i < size; i++)
        lines += data[i] == '\n';

    pg_patlist list;
    memset(&list, 0, sizeof list);
    size_t nerrs = pg_patlist_parse(text, size, &list);
    if (nerrs != list.nerrs)
        abort();
    for (size_t i = 0; i < list.n; i++) {
        const pg_entry *e = &list.v[i];
        if (e->glob == NULL || e->glob[0] == '\0' || e->reason == NULL ||
            e->reason[0] == '\0' || e->line == 0 || e->line > lines ||
            pg_glob_check(e->glob) != NULL)
            abort();
        /* an entry's glob, taken literally, is a path it may be matched
           against; the match must terminate either way */
        (void)pg_glob_match(e->glob, e->glob);
        (void)pg_patlist_match(&list, "lib/src/platform_linux.c");
    }
    for (size_t i = 0; i < list.nerrs; i++)
        if (list.errs[i].line == 0 || list.errs[i].line > lines ||
            list.errs[i].msg[0] == '\0')
            abort();
    pg_patlist_free(&list);

    /* The first line as a pattern, the rest as a path: hostile globs. */
    const char *nl = memchr(text, '\n', size);
    if (nl != NULL && memchr(text, '\0', size) == NULL) {
        char *pat = copy(text, (size_t)(nl - text));
        char *path = copy(nl + 1, size - (size_t)(nl - text) - 1);
        if (pat && path && pg_glob_check(pat) == NULL)
            (void)pg_glob_match(pat, path);
        free(pat);
        free(path);
    }
    return 0;
}
