/*
 * procid.c - the procid command: pidfiles for init scripts and shells.
 *
 * A thin user of procid.h. Exit codes follow the LSB init-script
 * conventions (status: 0 running, 1 dead with pidfile, 3 not running,
 * 4 unknown); usage errors exit 64 (EX_USAGE) for every command, so that no
 * code a script tests for can mean "you typed it wrong".
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "procid.h"

#define EXIT_USAGE 64

/* status (LSB) */
#define ST_RUNNING 0
#define ST_DEAD 1
#define ST_NOT_RUNNING 3
#define ST_UNKNOWN 4
/* stop */
#define STOP_OK 0
#define STOP_FAILED 1
#define STOP_STILL_RUNNING 2
#define STOP_BAD_PIDFILE 4

static const char *prog = "procid";

static const char usage_main[] =
    "usage: procid COMMAND [OPTIONS] ...\n"
    "\n"
    "Pidfiles that cannot point at the wrong process. procid records a\n"
    "process's identity (pid, start time, boot id, pidfs inode) and refuses\n"
    "to report or signal a process that merely reuses a recorded PID.\n"
    "\n"
    "commands:\n"
    "  id PID                 print \"<pid> <start> <boot>\" of a live process\n"
    "  write FILE PID         atomically record PID's identity in FILE\n"
    "                         (a shell records itself with $$)\n"
    "  status FILE            report whether FILE's process runs (LSB codes)\n"
    "  stop FILE [OPTIONS]    signal FILE's process if it still is that process\n"
    "  exec FILE -- CMD...    record own identity in FILE, then exec CMD\n"
    "                         under the same PID\n"
    "\n"
    "Run 'procid COMMAND --help' for a command's options and exit codes.\n"
    "Usage errors exit 64.\n";

static const char usage_id[] =
    "usage: procid id PID\n"
    "\n"
    "Print the identity of the live process PID as \"<pid> <start> <boot>\":\n"
    "start in the platform's unit (Linux: clock ticks since boot), boot the\n"
    "boot id or '-' when unknown.\n"
    "\n"
    "exit: 0 printed, 1 no such process or identity unreadable, 64 usage\n";

static const char usage_write[] =
    "usage: procid write FILE PID\n"
    "\n"
    "Record PID's identity in FILE, replacing it atomically (temporary file,\n"
    "fsync, rename): readers see the old file or the new one, never a torn\n"
    "one. PID is required: a shell records itself with $$ (procid's parent\n"
    "is not always the process meant: 'bash -c' execs its last command).\n"
    "Only a regular file is replaced; a FIFO, socket, device node, symlink\n"
    "or directory at FILE is refused.\n"
    "\n"
    "exit: 0 written (a warning on stderr if the directory could not be\n"
    "flushed after the rename: the file is replaced, but a crash may bring\n"
    "the old one back), 1 failed (FILE untouched), 64 usage\n";

static const char usage_status[] =
    "usage: procid status FILE [--quiet] [--insecure]\n"
    "\n"
    "Report whether the process recorded in FILE still runs. A PID that now\n"
    "belongs to another process counts as dead.\n"
    "\n"
    "  -q, --quiet    print nothing on stdout\n"
    "  --insecure     accept a pidfile that is a symlink, group/world-writable,\n"
    "                 owned by another user, or in a directory others may\n"
    "                 write (not sticky) (default: refused, exit 4)\n"
    "\n"
    "When FILE records a field this system cannot check now (a pidfs inode,\n"
    "and no pidfd: a seccomp filter or an old kernel), the answer rests on\n"
    "the start time and boot id, and a warning on stderr says so.\n"
    "\n"
    "exit (LSB init-script status codes):\n"
    "  0  running (for a legacy pid-only FILE: the PID exists; a warning says\n"
    "     it cannot be verified)\n"
    "  1  dead and FILE exists (the process is gone, or its PID was recycled)\n"
    "  3  not running: FILE does not exist\n"
    "  4  unknown: FILE unreadable, malformed or unsafe, or the process's\n"
    "     identity cannot be read (also: /proc of another PID namespace)\n"
    "  64 usage (also: an empty FILE)\n";

static const char usage_stop[] =
    "usage: procid stop FILE [--signal SIG] [--retry SCHEDULE] [--remove]\n"
    "                        [--allow-unverified] [--allow-weaker] [--insecure]\n"
    "                        [--quiet]\n"
    "\n"
    "Signal the process recorded in FILE, only if it still is that process.\n"
    "On Linux the process is pinned with a pidfd before it is verified, and\n"
    "signalled through it: a recycled PID can never receive the signal.\n"
    "\n"
    "  -s, --signal SIG     signal to send (name or number; default TERM)\n"
    "  -R, --retry SCHEDULE wait for the process to exit, as start-stop-daemon:\n"
    "                       SIG/SECONDS/SIG/SECONDS..., e.g. TERM/30/KILL/5;\n"
    "                       a lone number T means SIG/T/KILL/T; 'forever'\n"
    "                       repeats the rest of the schedule. Seconds may\n"
    "                       have a fraction (0.5); a timeout above 2147483 s\n"
    "                       (24.8 days) is capped there, with a warning.\n"
    "  --remove             remove FILE once the process is gone (or was\n"
    "                       already gone), only if FILE still holds what was\n"
    "                       read (not rewritten or replaced meanwhile)\n"
    "  --allow-unverified   signal the PID of a legacy pid-only FILE although\n"
    "                       nothing proves it is the recorded process\n"
    "  --allow-weaker       signal although FILE records a pidfs inode this\n"
    "                       system cannot check now (no pidfd: a seccomp\n"
    "                       filter or a kernel before 5.3): the process is\n"
    "                       matched on start time and boot id alone, which a\n"
    "                       PID reused within the same 10 ms tick passes\n"
    "  --insecure           accept an unsafe FILE (see 'procid status --help')\n"
    "  -q, --quiet          print nothing on stdout\n"
    "\n"
    "exit:\n"
    "  0  stopped, or nothing to stop (no FILE, process gone, PID recycled:\n"
    "     nothing is signalled in those cases)\n"
    "  1  failed (no permission, identity unreadable, unverified legacy FILE,\n"
    "     a recorded inode that cannot be checked without --allow-weaker)\n"
    "  2  still running after the retry schedule\n"
    "  4  FILE unreadable, malformed or unsafe (FILE is left untouched)\n"
    "  64 usage (also: an empty FILE)\n";

static const char usage_exec[] =
    "usage: procid exec FILE -- CMD [ARG...]\n"
    "\n"
    "Record the identity of this process in FILE, then execute CMD in its\n"
    "place: CMD keeps the PID, start time and pidfs inode recorded. If CMD\n"
    "cannot be executed, FILE is removed again and the reason printed.\n"
    "\n"
    "exit: CMD's, or 1 if FILE cannot be written, 127 if CMD cannot be\n"
    "executed (no pidfile left), 64 usage\n";

static void say(int quiet, const char *fmt, ...)
{
    if (quiet)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

static void err(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage_error(const char *usage, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\n%s", usage);
    return EXIT_USAGE;
}

static int is_help(const char *a)
{
    return strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0;
}

static int parse_pid(const char *s, int *pid)
{
    if (*s < '1' || *s > '9')
        return -1;
    long v = 0;
    for (; *s; s++) {
        if (*s < '0' || *s > '9')
            return -1;
        v = v * 10 + (*s - '0');
        if (v > INT_MAX)
            return -1;
    }
    *pid = (int)v;
    return 0;
}

/* ---- signals and schedules --------------------------------------------- */

static const struct {
    const char *name;
    int sig;
} signals[] = {
    {"HUP", SIGHUP},   {"INT", SIGINT},   {"QUIT", SIGQUIT}, {"KILL", SIGKILL},
    {"USR1", SIGUSR1}, {"USR2", SIGUSR2}, {"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"CONT", SIGCONT}, {"STOP", SIGSTOP}, {"ABRT", SIGABRT}, {"PIPE", SIGPIPE},
};

static int parse_signal(const char *s, int *sig)
{
    if (*s >= '0' && *s <= '9') {
        char *end;
        long v = strtol(s, &end, 10);
        if (*end != '\0' || v < 1 || v > 64)
            return -1;
        *sig = (int)v;
        return 0;
    }
    if (strncmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++)
        if (strcmp(s, signals[i].name) == 0) {
            *sig = signals[i].sig;
            return 0;
        }
    return -1;
}

#define SCHED_MAX 32
enum { STEP_SIGNAL, STEP_WAIT, STEP_FOREVER };
typedef struct step {
    int kind;
    int value; /* signal number or milliseconds */
} step;

/* The longest wait one step can take: INT_MAX ms, about 24.8 days. */
#define WAIT_MAX_MS INT_MAX
static int capped; /* a timeout was above WAIT_MAX_MS (warned once) */

/* Seconds with up to three decimals, as milliseconds, capped at
   WAIT_MAX_MS. Digits accumulate in 64 bits and saturate: no overflow. */
static int parse_seconds(const char *s, int *ms)
{
    uint64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0;
    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (whole <= WAIT_MAX_MS)
            whole = whole * 10 + (uint64_t)(*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9' && fdigits < 3; s++, fdigits++)
            frac = frac * 10 + (*s - '0');
        if (fdigits == 0)
            return -1;
        for (int i = fdigits; i < 3; i++)
            frac *= 10;
    }
    if (digits == 0 || *s != '\0')
        return -1;
    uint64_t total = whole > WAIT_MAX_MS ? (uint64_t)WAIT_MAX_MS + 1 : whole * 1000 + frac;
    if (total > WAIT_MAX_MS) {
        total = WAIT_MAX_MS;
        capped = 1;
    }
    *ms = (int)total;
    return 0;
}

static int parse_schedule(const char *spec, int sig, step *out, int *n)
{
    char buf[512];
    int ms;
    size_t len = strlen(spec);
    if (len >= sizeof buf)
        return -1;
    if (parse_seconds(spec, &ms) == 0) { /* T means SIG/T/KILL/T */
        out[0] = (step){STEP_SIGNAL, sig};
        out[1] = (step){STEP_WAIT, ms};
        out[2] = (step){STEP_SIGNAL, SIGKILL};
        out[3] = (step){STEP_WAIT, ms};
        *n = 4;
        return 0;
    }
    memcpy(buf, spec, len + 1);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, "/", &save); tok;
         tok = strtok_r(NULL, "/", &save)) {
        if (*n == SCHED_MAX)
            return -1;
        step *st = &out[(*n)++];
        if (strcmp(tok, "forever") == 0)
            *st = (step){STEP_FOREVER, 0};
        else if (parse_seconds(tok, &ms) == 0)
            *st = (step){STEP_WAIT, ms};
        else if (parse_signal(tok[0] == '-' ? tok + 1 : tok, &st->value) == 0)
            st->kind = STEP_SIGNAL;
        else
            return -1;
    }
    return *n > 0 ? 0 : -1;
}

/* ---- pidfile helpers --------------------------------------------------- */

/* Read FILE; on failure print why. Returns 0, -ENOENT, or another error. */
static int load(const char *file, unsigned flags, procid_identity *id)
{
    procid_error e = {{0}};
    int r = procid_pidfile_read(file, flags, id, &e);
    if (r == -ENOENT)
        return r;
    if (r < 0) {
        err("%s: %s", file, e.msg[0] ? e.msg : procid_strerror(r));
        return r;
    }
    if (!(id->have & (PROCID_HAVE_START | PROCID_HAVE_INO)))
        err("warning: %s: legacy pidfile (pid only); pid %d cannot be "
            "told apart from a process that reused it",
            file, id->pid);
    return 0;
}

static int cmd_id(int argc, char **argv)
{
    if (argc == 2 && is_help(argv[1])) {
        fputs(usage_id, stdout);
        return 0;
    }
    int pid;
    if (argc != 2)
        return usage_error(usage_id, "id: expected one PID");
    if (parse_pid(argv[1], &pid) < 0)
        return usage_error(usage_id, "id: '%s' is not a PID", argv[1]);
    procid_identity id;
    int r = procid_identity_of(pid, &id);
    if (r < 0) {
        err("pid %d: %s", pid, procid_strerror(r));
        return 1;
    }
    printf("%d %llu %s\n", id.pid, (unsigned long long)id.start,
           (id.have & PROCID_HAVE_BOOT) ? id.boot : "-");
    return 0;
}

/* Write id to file; print why not (or the durability warning). */
static int write_pidfile(const char *file, const procid_identity *id)
{
    int r = procid_pidfile_write(file, id);
    if (r == PROCID_WRITE_NOT_DURABLE)
        err("warning: %s: written, but its directory could not be flushed to "
            "disk: a crash may bring back the previous file", file);
    else if (r == -EPERM)
        err("%s: cannot write: not a regular file (a FIFO, socket, device "
            "node or symlink); refusing to replace it", file);
    else if (r < 0)
        err("%s: cannot write: %s", file, procid_strerror(r));
    return r < 0 ? r : 0;
}

static int cmd_write(int argc, char **argv)
{
    if (argc >= 2 && is_help(argv[1])) {
        fputs(usage_write, stdout);
        return 0;
    }
    if (argc != 3)
        return usage_error(usage_write, "write: expected FILE PID (a shell "
                                        "records itself with $$)");
    if (argv[1][0] == '\0')
        return usage_error(usage_write, "write: FILE is empty");
    int pid;
    if (parse_pid(argv[2], &pid) < 0)
        return usage_error(usage_write, "write: '%s' is not a PID", argv[2]);
    procid_identity id;
    int r = procid_identity_of(pid, &id);
    if (r < 0) {
        err("pid %d: %s; %s not written", pid, procid_strerror(r), argv[1]);
        return 1;
    }
    return write_pidfile(argv[1], &id) < 0 ? 1 : 0;
}

typedef struct opts {
    const char *file;
    unsigned read_flags, open_flags;
    int quiet, remove;
    int sig;
    const char *retry;
} opts;

static int cmd_status(int argc, char **argv)
{
    opts o = {0};
    for (int i = 1; i < argc; i++) {
        if (is_help(argv[i])) {
            fputs(usage_status, stdout);
            return 0;
        } else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            o.quiet = 1;
        else if (!strcmp(argv[i], "--insecure"))
            o.read_flags |= PROCID_READ_INSECURE;
        else if (argv[i][0] == '-' && argv[i][1] != '\0')
            return usage_error(usage_status, "status: unknown option '%s'", argv[i]);
        else if (o.file == NULL)
            o.file = argv[i];
        else
            return usage_error(usage_status, "status: unexpected argument '%s'", argv[i]);
    }
    if (o.file == NULL)
        return usage_error(usage_status, "status: expected FILE");
    if (o.file[0] == '\0')
        return usage_error(usage_status, "status: FILE is empty");

    procid_identity id;
    int r = load(o.file, o.read_flags, &id);
    if (r == -ENOENT) {
        say(o.quiet, "%s: not running (no pidfile)\n", o.file);
        return ST_NOT_RUNNING;
    }
    if (r < 0)
        return ST_UNKNOWN;
    procid_state st;
    r = procid_check(&id, &st);
    if (r < 0) {
        err("%s: pid %d: cannot verify the process: %s", o.file, id.pid,
            procid_strerror(r));
        return ST_UNKNOWN;
    }
    if (r == PROCID_CHECK_WEAKER)
        err("warning: %s: pid %d: the recorded pidfs inode cannot be checked "
            "here (no pidfd); the answer rests on start time and boot id",
            o.file, id.pid);
    switch (st) {
    case PROCID_RUNNING:
        say(o.quiet, "%s: running (pid %d)\n", o.file, id.pid);
        return ST_RUNNING;
    case PROCID_UNVERIFIED:
        say(o.quiet, "%s: pid %d exists (unverified)\n", o.file, id.pid);
        return ST_RUNNING;
    case PROCID_RECYCLED:
        say(o.quiet, "%s: dead (pid %d now belongs to another process)\n",
            o.file, id.pid);
        return ST_DEAD;
    case PROCID_DEAD:
        break;
    }
    say(o.quiet, "%s: dead (pid %d is gone), pidfile remains\n", o.file, id.pid);
    return ST_DEAD;
}

/* Remove FILE only if it still records what was read. */
static void remove_pidfile(const opts *o, const procid_identity *id)
{
    procid_error e = {{0}};
    int r = procid_pidfile_remove(o->file, o->read_flags, id, &e);
    if (r == -ESTALE)
        err("%s: %s", o->file, e.msg);
    else if (r < 0 && r != -ENOENT)
        err("%s: not removed: %s", o->file, e.msg[0] ? e.msg : procid_strerror(r));
}

static int run_schedule(procid_handle *h, const step *s, int n, int quiet,
                        const char *file)
{
    int forever = -1;
    for (int i = 0; i < n; i++) {
        if (s[i].kind == STEP_FOREVER) {
            forever = i + 1;
        } else if (s[i].kind == STEP_SIGNAL) {
            int r = procid_handle_signal(h, s[i].value);
            if (r == -ESRCH)
                return STOP_OK;
            if (r < 0) {
                err("%s: cannot signal pid %d: %s", file,
                    procid_handle_identity(h)->pid, procid_strerror(r));
                return STOP_FAILED;
            }
        } else if (procid_handle_wait(h, s[i].value) == 0) {
            say(quiet, "%s: stopped (pid %d)\n", file, procid_handle_identity(h)->pid);
            return STOP_OK;
        }
        if (i == n - 1 && forever >= 0 && forever < n)
            i = forever - 1;
    }
    err("%s: pid %d still running after the retry schedule", file,
        procid_handle_identity(h)->pid);
    return STOP_STILL_RUNNING;
}

static int cmd_stop(int argc, char **argv)
{
    opts o = {0};
    o.sig = SIGTERM;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (is_help(a)) {
            fputs(usage_stop, stdout);
            return 0;
        } else if (!strcmp(a, "-q") || !strcmp(a, "--quiet"))
            o.quiet = 1;
        else if (!strcmp(a, "--insecure"))
            o.read_flags |= PROCID_READ_INSECURE;
        else if (!strcmp(a, "--remove"))
            o.remove = 1;
        else if (!strcmp(a, "--allow-unverified"))
            o.open_flags |= PROCID_OPEN_UNVERIFIED;
        else if (!strcmp(a, "--allow-weaker"))
            o.open_flags |= PROCID_OPEN_WEAKER;
        else if (!strcmp(a, "-s") || !strcmp(a, "--signal")) {
            if (++i == argc || parse_signal(argv[i], &o.sig) < 0)
                return usage_error(usage_stop, "stop: %s needs a signal name or number", a);
        } else if (!strcmp(a, "-R") || !strcmp(a, "--retry")) {
            if (++i == argc)
                return usage_error(usage_stop, "stop: %s needs a schedule", a);
            o.retry = argv[i];
        } else if (a[0] == '-' && a[1] != '\0')
            return usage_error(usage_stop, "stop: unknown option '%s'", a);
        else if (o.file == NULL)
            o.file = a;
        else
            return usage_error(usage_stop, "stop: unexpected argument '%s'", a);
    }
    if (o.file == NULL)
        return usage_error(usage_stop, "stop: expected FILE");
    if (o.file[0] == '\0')
        return usage_error(usage_stop, "stop: FILE is empty");
    step sched[SCHED_MAX];
    int nsched = 1;
    sched[0] = (step){STEP_SIGNAL, o.sig};
    if (o.retry && parse_schedule(o.retry, o.sig, sched, &nsched) < 0)
        return usage_error(usage_stop, "stop: bad retry schedule '%s'", o.retry);
    if (capped)
        err("warning: --retry '%s': a timeout above %d s is capped at %d s",
            o.retry, WAIT_MAX_MS / 1000, WAIT_MAX_MS / 1000);

    procid_identity id;
    int r = load(o.file, o.read_flags, &id);
    if (r == -ENOENT) {
        say(o.quiet, "%s: not running (no pidfile)\n", o.file);
        return STOP_OK;
    }
    if (r < 0)
        return STOP_BAD_PIDFILE;

    procid_handle *h;
    procid_state st;
    r = procid_open(&id, o.open_flags, &h, &st);
    if (r == -ESRCH) {
        say(o.quiet, "%s: not running (pid %d %s); nothing signalled\n", o.file,
            id.pid, st == PROCID_RECYCLED ? "now belongs to another process" : "is gone");
        if (o.remove)
            remove_pidfile(&o, &id);
        return STOP_OK;
    }
    if (r == -ENOTSUP) {
        err("%s: refusing to signal pid %d: the pidfile records a pidfs inode, "
            "which cannot be checked without a pidfd (pidfd_open is refused "
            "here: a seccomp filter or a kernel before 5.3); start time and "
            "boot id alone miss a PID reused within one clock tick (use "
            "--allow-weaker to accept)", o.file, id.pid);
        return STOP_FAILED;
    }
    if (r == -EPERM && st == PROCID_UNVERIFIED) {
        err("%s: refusing to signal pid %d: a legacy pidfile cannot prove "
            "it is the recorded process (use --allow-unverified to accept)",
            o.file, id.pid);
        return STOP_FAILED;
    }
    if (r < 0) {
        err("%s: pid %d: cannot verify the process, nothing signalled: %s",
            o.file, id.pid, procid_strerror(r));
        return STOP_FAILED;
    }
    int code;
    if (o.retry) {
        code = run_schedule(h, sched, nsched, o.quiet, o.file);
    } else {
        r = procid_handle_signal(h, o.sig);
        code = (r == 0 || r == -ESRCH) ? STOP_OK : STOP_FAILED;
        if (r < 0 && r != -ESRCH)
            err("%s: cannot signal pid %d: %s", o.file, id.pid, procid_strerror(r));
        else
            say(o.quiet, "%s: signalled pid %d\n", o.file, id.pid);
    }
    if (code == STOP_OK && o.remove && procid_handle_alive(h) == 0)
        remove_pidfile(&o, &id);
    else if (code == STOP_OK && o.remove)
        err("%s: pid %d has not exited yet; pidfile kept (use --retry to wait)",
            o.file, id.pid);
    procid_close(h);
    return code;
}

static int cmd_exec(int argc, char **argv)
{
    if (argc >= 2 && is_help(argv[1])) {
        fputs(usage_exec, stdout);
        return 0;
    }
    if (argc < 4 || strcmp(argv[2], "--") != 0)
        return usage_error(usage_exec, "exec: expected FILE -- CMD [ARG...]");
    if (argv[1][0] == '\0')
        return usage_error(usage_exec, "exec: FILE is empty");
    procid_identity id;
    int r = procid_self(&id);
    if (r < 0) {
        err("%s: not written: %s", argv[1], procid_strerror(r));
        return 1;
    }
    if (write_pidfile(argv[1], &id) < 0)
        return 1;
    fflush(NULL);
    execvp(argv[3], argv + 3);
    int e = errno;
    /* CMD never ran: no pidfile may say it crashed */
    procid_error pe = {{0}};
    if (procid_pidfile_remove(argv[1], 0, &id, &pe) < 0)
        err("%s: pidfile not removed: %s", argv[1], pe.msg);
    err("%s: cannot execute: %s", argv[3], strerror(e));
    return 127;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage_error(usage_main, "expected a command");
    const char *cmd = argv[1];
    if (is_help(cmd)) {
        fputs(usage_main, stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
        printf("procid %s\n", procid_version());
        return 0;
    }
    if (!strcmp(cmd, "id"))
        return cmd_id(argc - 1, argv + 1);
    if (!strcmp(cmd, "write"))
        return cmd_write(argc - 1, argv + 1);
    if (!strcmp(cmd, "status"))
        return cmd_status(argc - 1, argv + 1);
    if (!strcmp(cmd, "stop"))
        return cmd_stop(argc - 1, argv + 1);
    if (!strcmp(cmd, "exec"))
        return cmd_exec(argc - 1, argv + 1);
    return usage_error(usage_main, "unknown command '%s'", cmd);
}
