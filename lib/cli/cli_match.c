/*
 * cli_match.c - --exec, --name and --user, start-stop-daemon's process
 * matching, parsed into a procid_match the library checks.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int match_option(const char *cmd, int c, const char *arg, procid_match *m)
{
    if (c == OPT_EXEC) {
        if (arg[0] != '/')
            return usage_error(cmd, "--exec '%s': expected an absolute path",
                               arg),
                   -1;
        m->exec = arg;
    } else if (c == OPT_NAME) {
        if (arg[0] == '\0')
            return usage_error(cmd, "--name: empty name"), -1;
        if (strlen(arg) > 15)
            err("warning: --name '%s': a process name has at most 15 "
                "characters; only the first 15 are compared",
                arg);
        m->name = arg;
    } else if (c == OPT_USER) {
        if (parse_owner(cmd, arg, &m->uid) < 0)
            return -1;
        m->has_uid = 1;
    }
    return 0;
}

int match_set(const procid_match *m)
{
    return m->exec != NULL || m->name != NULL || m->has_uid;
}
