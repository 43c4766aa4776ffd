/*
 * cmd_signal.c - procid signal FILE SIG: one verified signal (reload).
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: procid signal [--owner USER] [--allow-unverified] "
    "[--allow-weaker]\n"
    "                     [--insecure] [--quiet] FILE SIG\n"
    "\n"
    "Send SIG to the process recorded in FILE, only if it still is that\n"
    "process, and do not wait: 'procid signal /run/food.pid HUP' asks food\n"
    "to reload. SIG is a name in any case, with or without SIG (HUP, usr1,\n"
    "SIGWINCH, RTMIN+1) or a number.\n"
    "\n"
    "  -u, --owner USER     trust a FILE owned by USER when its process runs\n"
    "                       as USER (see 'procid status --help')\n"
    "  --allow-unverified   signal the PID of a legacy pid-only FILE\n"
    "  --allow-weaker       accept a recorded pidfs inode this system cannot\n"
    "                       check now (see 'procid stop --help')\n"
    "  --exec PATH          match: the process runs the program PATH (same\n"
    "                       device and inode, so /bin/sleep is /usr/bin/sleep)\n"
    "  --name NAME          match: the process's command name is NAME (first 15\n"
    "                       characters, as the kernel keeps it)\n"
    "  --user USER          match: the process's real uid is USER's\n"
    "  --insecure           accept an unsafe FILE (see 'procid status "
    "--help')\n"
    "  -q, --quiet          print nothing on stdout\n"
    "\n"
    "With --exec, --name or --user, the process must meet each (checked\n"
    "through the same pidfd the signal goes through): a legacy pid-only\n"
    "FILE whose process meets them is signalled without --allow-unverified,\n"
    "one whose process fails one counts as recycled (nothing signalled).\n"
    "\n"
    "exit:\n"
    "  0  signalled, or nothing to signal (no FILE, process gone, PID\n"
    "     recycled: nothing is signalled in those cases)\n"
    "  1  failed (no permission, identity unreadable, unverified legacy FILE)\n"
    "  4  FILE unreadable, malformed or unsafe (FILE is left untouched)\n"
    "  64 usage (also: an empty FILE, an unknown signal)\n";

enum { OPT_INSECURE = 256, OPT_UNVERIFIED, OPT_WEAKER };

static int options(int argc, char **argv, target *t)
{
    static const struct option longopts[] = {
        {"owner", required_argument, NULL, 'u'},
        {"allow-unverified", no_argument, NULL, OPT_UNVERIFIED},
        {"allow-weaker", no_argument, NULL, OPT_WEAKER},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        MATCH_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = next_opt("signal", argc, argv, ":u:qh", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h')
            return fputs(usage, stdout), 1;
        if (c == 'u' && parse_owner("signal", optarg, &t->src.owner) < 0)
            return EXIT_USAGE;
        if (match_option("signal", c, optarg, &t->src.match) < 0)
            return EXIT_USAGE;
        t->src.has_owner |= c == 'u';
        t->quiet |= c == 'q';
        t->src.read_flags |= c == OPT_INSECURE ? PROCID_READ_INSECURE : 0;
        t->open_flags |= c == OPT_UNVERIFIED ? PROCID_OPEN_UNVERIFIED : 0;
        t->open_flags |= c == OPT_WEAKER ? PROCID_OPEN_WEAKER : 0;
    }
    return 0;
}

int cmd_signal(int argc, char **argv)
{
    target t = {0};
    int sig, code;
    char name[32];
    int r = options(argc, argv, &t);
    if (r != 0)
        return r == 1 ? 0 : r;
    if (argc - optind != 2)
        return usage_error("signal", "expected FILE SIG");
    t.src.file = argv[optind];
    if (t.src.file[0] == '\0')
        return usage_error("signal", "FILE is empty");
    if (parse_signal(argv[optind + 1], &sig) < 0)
        return usage_error("signal", "'%s': not a signal this system knows",
                           argv[optind + 1]);
    procid_identity id;
    procid_handle *h = NULL;
    if (!target_open(&t, &id, &h, &code))
        return code;
    r = procid_handle_signal(h, sig);
    procid_close(h);
    if (r == -ESRCH) {
        say(t.quiet, "%s: not running (pid %d exited); nothing signalled\n",
            t.src.file, id.pid);
        return STOP_OK;
    }
    if (r < 0) {
        err("%s: cannot signal pid %d: %s", t.src.file, id.pid,
            procid_strerror(r));
        return STOP_FAILED;
    }
    say(t.quiet, "%s: sent %s to pid %d\n", t.src.file,
        signal_name(sig, name, sizeof name), id.pid);
    return STOP_OK;
}
