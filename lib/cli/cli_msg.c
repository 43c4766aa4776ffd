/*
 * cli_msg.c - how the procid command speaks: results on stdout (unless
 * --quiet), errors on stderr prefixed "procid:", usage errors in one line
 * plus where to read more, exit 64.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void say(int quiet, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

void err(const char *fmt, ...)
{
    va_list ap;
    fputs("procid: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "procid: %s%s", cmd ? cmd : "", cmd ? ": " : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nTry 'procid %s%s--help' for more information.\n",
            cmd ? cmd : "", cmd ? " " : "");
    return EXIT_USAGE;
}
