/*
 * cmd_status.c - procid status FILE: LSB status codes for FILE's process.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: procid status [--owner USER] [--exec PATH] [--name NAME] [--user USER]\n"
    "                     [--insecure] [--quiet] FILE\n"
    "\n"
    "Report whether the process recorded in FILE still runs. A PID that now\n"
    "belongs to another process counts as dead.\n"
    "\n"
    "  -u, --owner USER  also trust a FILE (and its directory) owned by USER,\n"
    "                    a daemon's own pidfile, but only when the recorded\n"
    "                    process runs as USER (real, effective and saved\n"
    "                    uid): a file USER owns never names another user's\n"
    "                    process (default: FILE must be yours or root's)\n"
    "  --insecure        accept a pidfile that is a symlink, group/world-\n"
    "                    writable, owned by another user, or in a directory\n"
    "                    others may write (not sticky) (default: refused,\n"
    "                    exit 4)\n"
    "  --exec PATH       match: the process runs the program PATH (same device\n"
    "                    and inode, so /bin/sleep is /usr/bin/sleep)\n"
    "  --name NAME       match: its command name is NAME (first 15 characters)\n"
    "  --user USER       match: its real uid is USER's\n"
    "  -q, --quiet       print nothing on stdout\n"
    "\n"
    "When FILE records a field this system cannot check now (a pidfs inode,\n"
    "and no pidfd: a seccomp filter or an old kernel), the answer rests on\n"
    "the start time and boot id, and a warning on stderr says so.\n"
    "\n"
    "With --exec, --name or --user, a legacy pid-only FILE whose process\n"
    "meets them reads as running, one whose process fails one as dead (1).\n"
    "\n"
    "exit (LSB init-script status codes):\n"
    "  0  running (for a legacy pid-only FILE: the PID exists; a warning says\n"
    "     it cannot be verified)\n"
    "  1  dead and FILE exists (the process is gone, or its PID was recycled)\n"
    "  3  not running: FILE does not exist\n"
    "  4  unknown: FILE unreadable, malformed or unsafe (or, with --owner,\n"
    "     naming a process of another user), or the process's identity\n"
    "     cannot be read (also: /proc of another PID namespace)\n"
    "  64 usage (also: an empty FILE)\n";

enum { OPT_INSECURE = 256 };

static int report(const source *src, const procid_identity *id, procid_state st,
                  int quiet)
{
    switch (st) {
    case PROCID_RUNNING:
        say(quiet, "%s: running (pid %d)\n", src->file, id->pid);
        return ST_RUNNING;
    case PROCID_UNVERIFIED:
        say(quiet, "%s: pid %d exists (unverified)\n", src->file, id->pid);
        return ST_RUNNING;
    case PROCID_RECYCLED:
        say(quiet, "%s: dead (pid %d now belongs to another process)\n",
            src->file, id->pid);
        return ST_DEAD;
    case PROCID_DEAD: break;
    }
    say(quiet, "%s: dead (pid %d is gone), pidfile remains\n", src->file,
        id->pid);
    return ST_DEAD;
}

int cmd_status(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"owner", required_argument, NULL, 'u'},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        MATCH_LONGOPTS,
        {NULL, 0, NULL, 0}};
    source src = {0};
    int c, quiet = 0;
    while ((c = next_opt("status", argc, argv, ":u:qh", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h') {
            fputs(usage, stdout);
            return 0;
        }
        if (c == 'u' && parse_owner("status", optarg, &src.owner) < 0)
            return EXIT_USAGE;
        if (match_option("status", c, optarg, &src.match) < 0)
            return EXIT_USAGE;
        src.has_owner |= c == 'u';
        quiet |= c == 'q';
        if (c == OPT_INSECURE)
            src.read_flags |= PROCID_READ_INSECURE;
    }
    if (argc - optind != 1)
        return usage_error("status", argc == optind ? "expected FILE"
                                                    : "expected one FILE");
    src.file = argv[optind];
    if (src.file[0] == '\0')
        return usage_error("status", "FILE is empty");

    procid_identity id;
    int r = load(&src, &id);
    if (r == -ENOENT) {
        say(quiet, "%s: not running (no pidfile)\n", src.file);
        return ST_NOT_RUNNING;
    }
    if (r < 0)
        return ST_UNKNOWN;
    procid_state st;
    r = procid_check_match(&id, &src.match, &st);
    if (r < 0) {
        err("%s: pid %d: cannot verify the process: %s", src.file, id.pid,
            procid_strerror(r));
        return ST_UNKNOWN;
    }
    if (r == PROCID_CHECK_WEAKER)
        err("warning: %s: pid %d: the recorded pidfs inode cannot be checked "
            "here (no pidfd); the answer rests on start time and boot id",
            src.file, id.pid);
    return report(&src, &id, st, quiet);
}
