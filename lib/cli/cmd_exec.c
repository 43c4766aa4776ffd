/*
 * cmd_exec.c - procid exec [--exclusive] FILE -- CMD: record this process,
 * then become CMD under the same PID.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: procid exec [--exclusive] [--quiet] FILE -- CMD [ARG...]\n"
    "\n"
    "Record the identity of this process in FILE, then execute CMD in its\n"
    "place: CMD keeps the PID, start time and pidfs inode recorded. If CMD\n"
    "cannot be executed, FILE is removed again and the reason printed.\n"
    "\n"
    "  -x, --exclusive  one instance at a time: refuse (exit 1) when FILE's\n"
    "                   lock (FILE.lock) is held or FILE records a live\n"
    "                   process; CMD inherits the lock descriptor and holds\n"
    "                   it as long as it runs\n"
    "  -q, --quiet      print nothing on stdout\n"
    "\n"
    "exit: CMD's, or 1 if FILE cannot be written (or, --exclusive, already\n"
    "runs), 127 if CMD cannot be executed (no pidfile left), 64 usage\n";

static int run(const char *file, char **cmd, int exclusive, int quiet)
{
    procid_pidlock *lk = NULL;
    procid_identity id, holder;
    procid_error e = {{0}};
    int r = procid_self(&id);
    if (r < 0) {
        err("%s: not written: %s", file, procid_strerror(r));
        return 1;
    }
    if (exclusive) {
        r = procid_pidlock_open(file, PROCID_PIDLOCK_INHERIT, &lk, &holder, &e);
        if (r == -EEXIST)
            say_held(quiet, file, &holder, "not started");
        else if (r < 0)
            err("%s: %s", file, e.msg[0] ? e.msg : procid_strerror(r));
        if (r < 0)
            return 1;
        r = procid_pidlock_write(lk, &id);
        if (r < 0)
            err("%s: cannot write: %s", file, procid_strerror(r));
    } else {
        r = write_pidfile(file, &id);
    }
    if (r < 0)
        return 1;
    fflush(NULL);
    execvp(cmd[0], cmd);
    int saved = errno;
    /* CMD never ran: no pidfile may say it crashed */
    r = lk ? procid_pidlock_remove(lk, &e)
           : procid_pidfile_remove(file, 0, &id, &e);
    if (r < 0 && r != -ENOENT)
        err("%s: pidfile not removed: %s", file, e.msg);
    err("%s: cannot execute: %s", cmd[0], strerror(saved));
    return 127;
}

int cmd_exec(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"exclusive", no_argument, NULL, 'x'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int dd = find_dashdash(argc, argv), c, exclusive = 0, quiet = 0;
    while ((c = next_opt("exec", dd, argv, ":xqh", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        exclusive |= c == 'x';
        quiet |= c == 'q';
    }
    if (dd - optind != 1 || dd + 1 >= argc)
        return usage_error("exec", "expected FILE -- CMD [ARG...]");
    if (argv[optind][0] == '\0')
        return usage_error("exec", "FILE is empty");
    return run(argv[optind], argv + dd + 1, exclusive, quiet);
}
