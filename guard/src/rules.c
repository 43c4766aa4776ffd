/* rules.c - what counts as raw /proc access. */
#include <string.h>

#include "pg.h"

static const char root[] = "/proc"; // portability: the prefix this rule looks for, compared as text, never opened

const char *pg_proc_root(void)
{
    return root;
}

int pg_is_proc_literal(const char *value, size_t len)
{
    const size_t n = sizeof root - 1;
    if (len < n || memcmp(value, root, n) != 0)
        return 0;
    return len == n || value[n] == '/';
}
