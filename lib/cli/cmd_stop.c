/*
 * cmd_stop.c - procid stop FILE: signal FILE's verified process and wait
 * for it along a start-stop-daemon schedule.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>

#include "cli.h"

static const char usage[] =
    "usage: procid stop [--owner USER] [--signal SIG] [--retry SCHEDULE]\n"
    "                   [--remove] [--allow-unverified] [--allow-weaker]\n"
    "                   [--insecure] [--quiet] FILE\n"
    "\n"
    "Signal the process recorded in FILE, only if it still is that process.\n"
    "On Linux the process is pinned with a pidfd before it is verified, and\n"
    "signalled through it: a recycled PID can never receive the signal.\n"
    "\n"
    "  -s, --signal SIG     signal to send: a name in any case, with or\n"
    "                       without SIG (TERM, hup, SIGUSR1, RTMIN+2), or a\n"
    "                       number (default TERM)\n"
    "  -R, --retry SCHEDULE wait for the process to exit, as "
    "start-stop-daemon:\n"
    "                       SIG/SECONDS/SIG/SECONDS..., e.g. TERM/30/KILL/5;\n"
    "                       a lone number T means SIG/T/KILL/T; 'forever'\n"
    "                       (after a signal) repeats the rest of the\n"
    "                       schedule, which must then hold a timeout. No\n"
    "                       empty items; a schedule must send a signal.\n"
    "                       Seconds may have a fraction (0.5); a timeout\n"
    "                       above 2147483 s (24.8 days) is capped there,\n"
    "                       with a warning.\n"
    "  --remove             remove FILE once the process is gone (or was\n"
    "                       already gone), only if FILE still holds what was\n"
    "                       read (not rewritten or replaced meanwhile)\n"
    "  -u, --owner USER     trust a FILE owned by USER when its process runs\n"
    "                       as USER (see 'procid status --help')\n"
    "  --allow-unverified   signal the PID of a legacy pid-only FILE although\n"
    "                       nothing proves it is the recorded process\n"
    "  --allow-weaker       signal although FILE records a pidfs inode this\n"
    "                       system cannot check now (no pidfd: a seccomp\n"
    "                       filter or a kernel before 5.3): the process is\n"
    "                       matched on start time and boot id alone, which a\n"
    "                       PID reused within the same 10 ms tick passes\n"
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
    "  0  stopped, or nothing to stop (no FILE, process gone, PID recycled:\n"
    "     nothing is signalled in those cases)\n"
    "  1  failed (no permission, identity unreadable, unverified legacy FILE,\n"
    "     a recorded inode that cannot be checked without --allow-weaker)\n"
    "  2  still running after the retry schedule\n"
    "  4  FILE unreadable, malformed or unsafe (FILE is left untouched)\n"
    "  64 usage (also: an empty FILE, a bad signal or schedule)\n";

enum { OPT_INSECURE = 256, OPT_REMOVE, OPT_UNVERIFIED, OPT_WEAKER };

static int run_schedule(procid_handle *h, const step *s, int n, int quiet,
                        const char *file)
{
    int forever = -1, pid = procid_handle_identity(h)->pid;
    for (int i = 0; i < n; i++) {
        if (s[i].kind == STEP_FOREVER) {
            forever = i + 1;
        } else if (s[i].kind == STEP_SIGNAL) {
            int r = procid_handle_signal(h, s[i].value);
            if (r == -ESRCH)
                return STOP_OK;
            if (r < 0) {
                err("%s: cannot signal pid %d: %s", file, pid,
                    procid_strerror(r));
                return STOP_FAILED;
            }
        } else if (procid_handle_wait(h, s[i].value) == 0) {
            say(quiet, "%s: stopped (pid %d)\n", file, pid);
            return STOP_OK;
        }
        if (i == n - 1 && forever >= 0 && forever < n)
            i = forever - 1;
    }
    err("%s: pid %d still running after the retry schedule", file, pid);
    return STOP_STILL_RUNNING;
}

static int signal_once(procid_handle *h, int sig, const target *t)
{
    int pid = procid_handle_identity(h)->pid;
    int r = procid_handle_signal(h, sig);
    if (r < 0 && r != -ESRCH) {
        err("%s: cannot signal pid %d: %s", t->src.file, pid,
            procid_strerror(r));
        return STOP_FAILED;
    }
    say(t->quiet, "%s: signalled pid %d\n", t->src.file, pid);
    return STOP_OK;
}

static int stop(const target *t, int sig, const step *sched, int nsched)
{
    procid_identity id;
    procid_handle *h = NULL;
    int code;
    if (!target_open(t, &id, &h, &code))
        return code;
    code = nsched > 0 ? run_schedule(h, sched, nsched, t->quiet, t->src.file)
                      : signal_once(h, sig, t);
    if (code == STOP_OK && t->remove && procid_handle_alive(h) == 0)
        remove_recorded(&t->src, &id);
    else if (code == STOP_OK && t->remove)
        err("%s: pid %d has not exited yet; pidfile kept (use --retry to "
            "wait)",
            t->src.file, id.pid);
    procid_close(h);
    return code;
}

/* Options of stop; 0, 1 (help printed) or EXIT_USAGE. */
static int options(int argc, char **argv, target *t, int *sig,
                   const char **retry)
{
    static const struct option longopts[] = {
        {"signal", required_argument, NULL, 's'},
        {"retry", required_argument, NULL, 'R'},
        {"owner", required_argument, NULL, 'u'},
        {"remove", no_argument, NULL, OPT_REMOVE},
        {"allow-unverified", no_argument, NULL, OPT_UNVERIFIED},
        {"allow-weaker", no_argument, NULL, OPT_WEAKER},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        MATCH_LONGOPTS,
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = next_opt("stop", argc, argv, ":s:R:u:qh", longopts)) != -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h')
            return fputs(usage, stdout), 1;
        if (c == 's' && parse_signal(optarg, sig) < 0)
            return usage_error("stop",
                               "--signal '%s': not a signal this "
                               "system knows",
                               optarg);
        if (c == 'u' && parse_owner("stop", optarg, &t->src.owner) < 0)
            return EXIT_USAGE;
        if (match_option("stop", c, optarg, &t->src.match) < 0)
            return EXIT_USAGE;
        t->src.has_owner |= c == 'u';
        *retry = c == 'R' ? optarg : *retry;
        t->quiet |= c == 'q';
        t->remove |= c == OPT_REMOVE;
        t->src.read_flags |= c == OPT_INSECURE ? PROCID_READ_INSECURE : 0;
        t->open_flags |= c == OPT_UNVERIFIED ? PROCID_OPEN_UNVERIFIED : 0;
        t->open_flags |= c == OPT_WEAKER ? PROCID_OPEN_WEAKER : 0;
    }
    return 0;
}

int cmd_stop(int argc, char **argv)
{
    target t = {0};
    int sig = SIGTERM, nsched = 0, capped = 0;
    const char *retry = NULL;
    step sched[SCHED_MAX];
    char why[128];
    int r = options(argc, argv, &t, &sig, &retry);
    if (r != 0)
        return r == 1 ? 0 : r;
    if (argc - optind != 1)
        return usage_error("stop", argc == optind ? "expected FILE"
                                                  : "expected one FILE");
    t.src.file = argv[optind];
    if (t.src.file[0] == '\0')
        return usage_error("stop", "FILE is empty");
    if (retry && parse_schedule(retry, sig, sched, &nsched, &capped, why,
                                sizeof why) < 0)
        return usage_error("stop", "--retry '%s': %s", retry, why);
    if (capped)
        err("warning: --retry '%s': a timeout above %d s is capped at %d s",
            retry, INT_MAX / 1000, INT_MAX / 1000);
    return stop(&t, sig, sched, nsched);
}
