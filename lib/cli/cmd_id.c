/*
 * cmd_id.c - procid id PID: a live process's identity, printed exactly as
 * line 2 of a pidfile that records it.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char usage[] =
    "usage: procid id PID\n"
    "\n"
    "Print the identity of the live process PID exactly as line 2 of a\n"
    "pidfile recording it: \"start=<start> boot=<boot> ino=<ino>\", start in\n"
    "the platform's unit (Linux: clock ticks since boot), boot the boot id,\n"
    "ino the pidfs inode (Linux 6.9+); a field this system does not know is\n"
    "left out.\n"
    "\n"
    "exit: 0 printed, 1 no such process or identity unreadable, 64 usage\n";

int cmd_id(int argc, char **argv)
{
    static const struct option longopts[] = {{"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c, pid;
    while ((c = next_opt("id", argc, argv, ":h", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        fputs(usage, stdout);
        return 0;
    }
    if (argc - optind != 1)
        return usage_error("id", "expected one PID");
    if (parse_pid(argv[optind], &pid) < 0)
        return usage_error("id", "'%s' is not a PID", argv[optind]);
    procid_identity id;
    char buf[PROCID_PIDFILE_MAX + 1];
    int r = procid_identity_of(pid, &id);
    if (r >= 0)
        r = procid_pidfile_format(&id, buf, sizeof buf);
    if (r < 0) {
        err("pid %d: %s", pid, procid_strerror(r));
        return 1;
    }
    const char *line2 = strchr(buf, '\n') + 1; /* line 1 is the pid */
    fputs(*line2 ? line2 : "\n", stdout);
    return 0;
}
