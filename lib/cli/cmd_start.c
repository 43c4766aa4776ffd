/*
 * cmd_start.c - procid start FILE -- CMD: the start-stop-daemon --start of
 * procid, on an exclusive pidfile.
 *
 * procid takes FILE's lock, forks, and the child (the process CMD will
 * be) records itself, detaches if asked, switches user and execs CMD,
 * keeping the lock descriptor. The parent stays with the lock too until it
 * knows the outcome: a close-on-exec pipe reads EOF when the exec
 * succeeded, or the stage and errno that failed; then the parent, still
 * privileged, removes the child's pidfile, so none is left.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: procid start [--background] [--chuid USER[:GROUP]] [--chdir DIR]\n"
    "                    [--umask MODE] [--output FILE] [--insecure] "
    "[--quiet]\n"
    "                    PIDFILE -- CMD [ARG...]\n"
    "\n"
    "Start CMD unless the process recorded in PIDFILE runs, one instance at a\n"
    "time: PIDFILE's lock (PIDFILE.lock) is taken first, so of two starts at\n"
    "the same moment exactly one runs CMD. A live, verified holder means\n"
    "nothing is started (exit 0, as LSB asks of 'start'); a stale PIDFILE\n"
    "(process gone, PID recycled, another boot) is taken over. CMD is\n"
    "recorded in PIDFILE under its own PID and keeps the lock descriptor as\n"
    "long as it runs. procid returns once CMD has been executed; CMD must\n"
    "not fork away from the recorded PID (a daemon that detaches itself\n"
    "needs its foreground option).\n"
    "\n"
    "  -b, --background        detach CMD: a new session (setsid), stdin,\n"
    "                          stdout and stderr to /dev/null (or --output)\n"
    "  -c, --chuid USER[:GROUP] run CMD as USER (name or uid), with USER's\n"
    "                          group or GROUP and USER's supplementary\n"
    "                          groups; PIDFILE is still written by the caller\n"
    "  -d, --chdir DIR         run CMD in DIR (default: procid's directory)\n"
    "  -k, --umask MODE        run CMD with umask MODE (octal, e.g. 027)\n"
    "  -o, --output FILE       append CMD's stdout and stderr to FILE\n"
    "  -x, --exclusive         accepted for symmetry: start is always "
    "exclusive\n"
    "  --insecure              accept an unsafe existing PIDFILE (see\n"
    "                          'procid status --help')\n"
    "  -q, --quiet             print nothing on stdout\n"
    "\n"
    "exit:\n"
    "  0  started, or already running (nothing started; the message names\n"
    "     the running PID)\n"
    "  1  failed: CMD could not be executed (the reason and errno are\n"
    "     printed; no pidfile is left), PIDFILE unsafe, malformed or not\n"
    "     verifiable, no such user or group\n"
    "  64 usage\n";

typedef struct start_opts {
    const char *file, *dir, *output, *chuid;
    char **cmd;
    int background, quiet, has_umask, has_user;
    unsigned read_flags;
    mode_t mask;
    uid_t uid;
    gid_t gid;
    char user[256];
} start_opts;

enum {
    STAGE_SETSID,
    STAGE_WRITE,
    STAGE_CHDIR,
    STAGE_OUTPUT,
    STAGE_GROUPS,
    STAGE_GID,
    STAGE_UID,
    STAGE_EXEC
};
static const char *const stages[] = {"cannot start a new session",
                                     "cannot record itself in the pidfile",
                                     "cannot change directory",
                                     "cannot open the output file",
                                     "cannot set supplementary groups",
                                     "cannot set the group",
                                     "cannot set the user",
                                     "cannot execute"};

typedef struct report {
    int stage, err;
} report;

/* ---- the child: becomes CMD -------------------------------------------- */

static void fail(int rep, int stage, int e)
{
    report r = {stage, e};
    if (write(rep, &r, sizeof r) < 0)
        _exit(126);
    _exit(127);
}

static int redirect(const start_opts *o)
{
    int in = -1, out = -1;
    if (o->background &&
        ((in = open("/dev/null", O_RDONLY)) < 0 || dup2(in, 0) < 0))
        return -1;
    if (o->output)
        out = open(o->output, O_WRONLY | O_CREAT | O_APPEND | O_NOCTTY, 0640);
    else if (o->background)
        out = open("/dev/null", O_WRONLY);
    else
        return 0;
    if (out < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0)
        return -1;
    if (out > 2)
        close(out);
    if (in > 2)
        close(in);
    return 0;
}

static void become_cmd(const start_opts *o, procid_pidlock *lk, int rep)
{
    if (o->background && setsid() < 0)
        fail(rep, STAGE_SETSID, errno);
    int r = procid_pidlock_write(lk, NULL); /* after the last fork */
    if (r < 0)
        fail(rep, STAGE_WRITE, -r);
    if (o->has_umask)
        umask(o->mask);
    if (o->dir && chdir(o->dir) < 0)
        fail(rep, STAGE_CHDIR, errno);
    if (redirect(o) < 0)
        fail(rep, STAGE_OUTPUT, errno);
    if (o->has_user && initgroups(o->user, o->gid) < 0)
        fail(rep, STAGE_GROUPS, errno);
    if (o->has_user && setgid(o->gid) < 0)
        fail(rep, STAGE_GID, errno);
    if (o->has_user && setuid(o->uid) < 0)
        fail(rep, STAGE_UID, errno);
    execvp(o->cmd[0], o->cmd);
    fail(rep, STAGE_EXEC, errno);
}

/* ---- the parent: waits for the exec ------------------------------------ */

static int read_report(int fd, report *r)
{
    size_t n = 0;
    while (n < sizeof *r) {
        ssize_t k = read(fd, (char *)r + n, sizeof *r - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            break;
        n += (size_t)k;
    }
    return n == sizeof *r;
}

/* CMD never ran: remove what the child recorded, then the lock. */
static void clean_up(const start_opts *o, procid_pidlock *lk, pid_t pid)
{
    procid_identity id;
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
    }
    if (procid_pidfile_read(o->file, o->read_flags, &id, NULL) == 0 &&
        id.pid == pid)
        procid_pidfile_remove(o->file, o->read_flags, &id, NULL);
    procid_pidlock_remove(lk, NULL);
}

static int launch(const start_opts *o, procid_pidlock *lk)
{
    int rep[2];
    report r;
    if (pipe2(rep, O_CLOEXEC) < 0) {
        err("%s: %s", o->file, strerror(errno));
        procid_pidlock_remove(lk, NULL);
        return 1;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        close(rep[0]);
        become_cmd(o, lk, rep[1]);
    }
    close(rep[1]);
    if (pid < 0 || read_report(rep[0], &r)) {
        int e = pid < 0 ? errno : r.err;
        close(rep[0]);
        if (pid > 0)
            clean_up(o, lk, pid);
        else
            procid_pidlock_remove(lk, NULL);
        err("%s: %s%s%s: %s (errno %d); nothing started", o->cmd[0],
            pid < 0 ? "cannot fork" : stages[r.stage],
            pid > 0 && r.stage == STAGE_CHDIR ? " to " : "",
            pid > 0 && r.stage == STAGE_CHDIR ? o->dir : "", strerror(e), e);
        return 1;
    }
    close(rep[0]);
    procid_pidlock_close(lk); /* CMD holds the lock now */
    say(o->quiet, "%s: started %s (pid %d)\n", o->file, o->cmd[0], (int)pid);
    return 0;
}

/* ---- options ----------------------------------------------------------- */

static int resolve_group(const char *g, gid_t *gid)
{
    char *end;
    struct group *gr = getgrnam(g);
    if (gr != NULL) {
        *gid = gr->gr_gid;
        return 0;
    }
    unsigned long v = strtoul(g, &end, 10);
    if (*g < '0' || *g > '9' || *end != '\0' || (gid_t)v != v)
        return -1;
    *gid = (gid_t)v;
    return 0;
}

/* USER[:GROUP] -> uid, gid, name (for the supplementary groups). */
static int resolve_chuid(start_opts *o)
{
    char user[256];
    const char *colon = strchr(o->chuid, ':');
    size_t n = colon ? (size_t)(colon - o->chuid) : strlen(o->chuid);
    char *end;
    if (n == 0 || n >= sizeof user)
        return err("--chuid '%s': expected USER[:GROUP]", o->chuid), -1;
    memcpy(user, o->chuid, n);
    user[n] = '\0';
    struct passwd *pw = getpwnam(user);
    unsigned long v = strtoul(user, &end, 10);
    if (pw == NULL && user[0] >= '0' && user[0] <= '9' && *end == '\0')
        pw = getpwuid((uid_t)v);
    if (pw == NULL)
        return err("--chuid '%s': no such user '%s'", o->chuid, user), -1;
    o->uid = pw->pw_uid;
    o->gid = pw->pw_gid;
    snprintf(o->user, sizeof o->user, "%s", pw->pw_name);
    if (colon && resolve_group(colon + 1, &o->gid) < 0)
        return err("--chuid '%s': no such group '%s'", o->chuid, colon + 1), -1;
    o->has_user = 1;
    return 0;
}

static int parse_umask(const char *s, mode_t *m)
{
    unsigned long v = 0;
    if (*s == '\0' || strlen(s) > 4)
        return -1;
    for (; *s; s++) {
        if (*s < '0' || *s > '7')
            return -1;
        v = v * 8 + (unsigned long)(*s - '0');
    }
    if (v > 0777)
        return -1;
    *m = (mode_t)v;
    return 0;
}

enum { OPT_INSECURE = 256 };

/* 0, 1 (help printed) or EXIT_USAGE. */
static int options(int argc, char **argv, start_opts *o)
{
    static const struct option longopts[] = {
        {"background", no_argument, NULL, 'b'},
        {"chuid", required_argument, NULL, 'c'},
        {"chdir", required_argument, NULL, 'd'},
        {"umask", required_argument, NULL, 'k'},
        {"output", required_argument, NULL, 'o'},
        {"exclusive", no_argument, NULL, 'x'},
        {"insecure", no_argument, NULL, OPT_INSECURE},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int c;
    while ((c = next_opt("start", argc, argv, ":bc:d:k:o:xqh", longopts)) !=
           -1) {
        if (c == -2)
            return EXIT_USAGE;
        if (c == 'h')
            return fputs(usage, stdout), 1;
        if (c == 'k' && parse_umask(optarg, &o->mask) < 0)
            return usage_error("start",
                               "--umask '%s': expected an octal "
                               "mode (e.g. 027)",
                               optarg);
        o->has_umask |= c == 'k';
        o->background |= c == 'b';
        o->quiet |= c == 'q';
        o->chuid = c == 'c' ? optarg : o->chuid;
        o->dir = c == 'd' ? optarg : o->dir;
        o->output = c == 'o' ? optarg : o->output;
        o->read_flags |= c == OPT_INSECURE ? PROCID_READ_INSECURE : 0;
    }
    return 0;
}

int cmd_start(int argc, char **argv)
{
    start_opts o;
    memset(&o, 0, sizeof o);
    int dd = find_dashdash(argc, argv);
    int r = options(dd, argv, &o);
    if (r != 0)
        return r == 1 ? 0 : r;
    if (dd - optind != 1 || dd + 1 >= argc)
        return usage_error("start", "expected PIDFILE -- CMD [ARG...]");
    o.file = argv[optind];
    o.cmd = argv + dd + 1;
    if (o.file[0] == '\0')
        return usage_error("start", "PIDFILE is empty");
    if (o.chuid && resolve_chuid(&o) < 0)
        return 1;

    procid_pidlock *lk = NULL;
    procid_identity holder;
    procid_error e = {{0}};
    r = procid_pidlock_open(o.file, PROCID_PIDLOCK_INHERIT | o.read_flags, &lk,
                            &holder, &e);
    if (r == -EEXIST) {
        say_held(o.quiet, o.file, &holder, "nothing started");
        return 0;
    }
    if (r < 0) {
        err("%s: %s; nothing started", o.file,
            e.msg[0] ? e.msg : procid_strerror(r));
        return 1;
    }
    return launch(&o, lk);
}
