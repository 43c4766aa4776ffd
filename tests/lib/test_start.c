/*
 * test_start.c - procid for real daemons, through the real command: start
 * (one instance at a time), signal, --owner for a daemon's own pidfile, the
 * option forms of every command, and the README's init script as printed.
 *
 * The suite makes itself a child subreaper (PR_SET_CHILD_SUBREAPER), so
 * the daemons `procid start --background` leaves behind become its children
 * and are reaped and counted here.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "procid.h"

static char dir[PATH_MAX];
static char pidfile[PATH_MAX + 32];
static run_result rr;
static pid_t dropped; /* the --owner test's daemon, killed by teardown */

#define CLI(...) run_cli(&rr, __VA_ARGS__, (char *)NULL)

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(pidfile, sizeof pidfile, "%s/food.pid", dir);
    return 0;
}

/* Kill and reap every process left to us (daemons reparented here). */
static void reap_all(void)
{
    procid_identity id;
    if (procid_pidfile_read(pidfile, PROCID_READ_INSECURE, &id, NULL) == 0 &&
        id.pid != getpid() && procid_signal(&id, SIGKILL, NULL) == 0)
        waitpid(id.pid, NULL, 0);
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
}

static int teardown(void **state)
{
    (void)state;
    if (dropped > 0 && kill(dropped, SIGKILL) == 0)
        waitpid(dropped, NULL, 0);
    dropped = 0;
    reap_all();
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

static void expect_code(int got, int want)
{
    if (got != want)
        fail_msg("procid exited %d, expected %d\nstdout: %s\nstderr: %s", got,
                 want, rr.out, rr.err);
}

static void expect_in(const char *hay, const char *needle)
{
    if (strstr(hay, needle) == NULL)
        fail_msg("expected \"%s\" in:\n%s", needle, hay);
}

/* The live process FILE records, verified. */
static pid_t recorded(void)
{
    procid_identity id;
    procid_state st;
    assert_int_equal(procid_pidfile_read(pidfile, 0, &id, NULL), 0);
    assert_int_equal(procid_check(&id, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
    return id.pid;
}

/* SIGKILL a daemon reparented to us and reap it: its wait status. */
static int kill_daemon(pid_t pid)
{
    int st = 0;
    kill(pid, SIGKILL);
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return st;
}

/* ---- start: one instance at a time -------------------------------------- */

typedef struct racer {
    pid_t pid;
    int out; /* stdout+stderr */
} racer;

/* A `procid start` that waits on `gate` before it execs. */
static void racer_spawn(racer *r, int gate)
{
    int p[2];
    assert_int_equal(pipe2(p, O_CLOEXEC), 0);
    r->pid = fork();
    assert_true(r->pid >= 0);
    if (r->pid == 0) {
        char c;
        if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0 || read(gate, &c, 1) != 1)
            _exit(126);
        execl(cli_path(), cli_path(), "start", "--background", pidfile, "--",
              "/bin/sleep", "600", (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    r->out = p[0];
}

/* The racer's output and exit code. */
static int racer_end(racer *r, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t k;
    while (n + 1 < cap && (k = read(r->out, buf + n, cap - 1 - n)) != 0)
        if (k > 0)
            n += (size_t)k;
        else if (errno != EINTR)
            break;
    buf[n] = '\0';
    close(r->out);
    int st = 0;
    assert_int_equal(waitpid(r->pid, &st, 0), r->pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* No process is left to us: a second daemon, running or exited, would
   have been reparented here. */
static void assert_no_children(const char *when)
{
    pid_t p = waitpid(-1, NULL, WNOHANG);
    if (p != -1 || errno != ECHILD)
        fail_msg("%s: another process is left (waitpid: %d)", when, (int)p);
}

static void test_two_concurrent_starts_run_exactly_one_200_rounds(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        int gate[2], ca, cb;
        racer a, b;
        char oa[1024], ob[1024], want[64];
        assert_int_equal(pipe(gate), 0);
        racer_spawn(&a, gate[0]);
        racer_spawn(&b, gate[0]);
        close(gate[0]);
        assert_int_equal(write(gate[1], "go", 2), 2);
        close(gate[1]);
        ca = racer_end(&a, oa, sizeof oa);
        cb = racer_end(&b, ob, sizeof ob);
        if (ca != 0 || cb != 0)
            fail_msg("round %d: exits %d, %d\n%s\n%s", round, ca, cb, oa, ob);
        int started = (strstr(oa, ": started ") != NULL) +
                      (strstr(ob, ": started ") != NULL);
        if (started != 1)
            fail_msg("round %d: %d started\n%s\n%s", round, started, oa, ob);
        pid_t pid = recorded();
        snprintf(want, sizeof want, "already running (pid %d)", (int)pid);
        expect_in(strstr(oa, ": started ") ? ob : oa, want);
        /* a second sleep would have been reparented to us: none may be
           there, running or dead */
        kill_daemon(pid);
        char when[32];
        snprintf(when, sizeof when, "round %d", round);
        assert_no_children(when);
    }
}

static void
test_start_takes_over_from_a_holder_killed_with_sigkill(void **state)
{
    (void)state;
    expect_code(
        CLI("start", "--background", pidfile, "--", "/bin/sleep", "600"), 0);
    pid_t first = recorded();
    assert_true(WIFSIGNALED(kill_daemon(first)));
    expect_code(
        CLI("start", "--background", pidfile, "--", "/bin/sleep", "600"), 0);
    expect_in(rr.out, "started");
    pid_t second = recorded();
    assert_true(second != first);
}

static void test_start_twice_runs_one_process(void **state)
{
    (void)state;
    expect_code(CLI("start", "-b", pidfile, "--", "/bin/sleep", "600"), 0);
    pid_t pid = recorded();
    expect_code(CLI("start", "-b", pidfile, "--", "/bin/sleep", "600"), 0);
    char want[64];
    snprintf(want, sizeof want, "already running (pid %d); nothing started",
             (int)pid);
    expect_in(rr.out, want);
    assert_int_equal(recorded(), pid);
    kill_daemon(pid);
    assert_no_children("after two starts");
}

static void
test_start_of_a_missing_command_exits_1_with_errno_and_no_pidfile(void **state)
{
    (void)state;
    char lock[PATH_MAX + 40];
    snprintf(lock, sizeof lock, "%s.lock", pidfile);
    expect_code(
        CLI("start", "--background", pidfile, "--", "/nonexistent/food"), 1);
    expect_in(rr.err, "/nonexistent/food");
    expect_in(rr.err, strerror(ENOENT));
    expect_in(rr.err, "errno 2");
    assert_int_equal(access(pidfile, F_OK), -1);
    assert_int_equal(access(lock, F_OK), -1);
    expect_code(CLI("start", pidfile, "--", "/nonexistent/food"),
                1); /* foreground too */
    assert_int_equal(access(pidfile, F_OK), -1);
    expect_code(
        CLI("start", "--chdir", "/nonexistent", pidfile, "--", "/bin/true"), 1);
    expect_in(rr.err, "cannot change directory to /nonexistent");
    assert_int_equal(access(pidfile, F_OK), -1);
}

static void test_start_does_not_take_over_an_unsafe_pidfile(void **state)
{
    (void)state;
    assert_int_equal(file_put(pidfile, "1\n", 2), 0);
    assert_int_equal(chmod(pidfile, 0666), 0);
    expect_code(CLI("start", "-b", pidfile, "--", "/bin/sleep", "600"), 1);
    expect_in(rr.err, "world-writable");
}

/* The exec'd process is the recorded one: sh reports its own PID. */
static void
test_start_records_the_execd_process_with_chuid_chdir_umask_output(void **state)
{
    (void)state;
    char out[PATH_MAX + 32], buf[512];
    size_t len = 0;
    struct passwd *pw = getpwnam("nobody");
    if (geteuid() != 0 || pw == NULL) {
        print_message("skipped: needs root and a user 'nobody'\n");
        skip();
        return;
    }
    snprintf(out, sizeof out, "%s/food.log", dir);
    assert_int_equal(chmod(dir, 0711), 0);
    expect_code(
        CLI("start", "--background", "--chuid=nobody", "--chdir=/",
            "--umask=027", "--output", out, pidfile, "--", "/bin/sh", "-c",
            "echo $$ $(id -u) $(id -g) $(pwd) $(umask); exec sleep 600"),
        0);
    pid_t pid = recorded();
    for (int i = 0; i < 500 && len == 0; i++) {
        usleep(10000);
        if (file_get(out, buf, sizeof buf - 1, &len) < 0)
            len = 0;
    }
    buf[len] = '\0';
    char want[128];
    snprintf(want, sizeof want, "%d %u %u / 0027\n", (int)pid,
             (unsigned)pw->pw_uid, (unsigned)pw->pw_gid);
    assert_string_equal(buf, want);
}

/* ---- exec --exclusive, write --exclusive -------------------------------- */

static void test_exec_exclusive_hands_the_lock_to_the_command(void **state)
{
    (void)state;
    char lock[PATH_MAX + 40], want[64];
    snprintf(lock, sizeof lock, "%s.lock", pidfile);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0)
            _exit(126);
        execl(cli_path(), cli_path(), "exec", "--exclusive", pidfile, "--",
              "/bin/sleep", "600", (char *)NULL);
        _exit(127);
    }
    procid_identity id;
    procid_state st;
    for (int i = 0; i < 500; i++) {
        if (procid_pidfile_read(pidfile, 0, &id, NULL) == 0 &&
            procid_check(&id, &st) == 0 && st == PROCID_RUNNING &&
            id.pid == pid)
            break;
        usleep(10000);
    }
    assert_int_equal(recorded(), pid);
    /* the lock went with the exec: a second exec and a start back off */
    expect_code(CLI("exec", "-x", pidfile, "--", "/bin/true"), 1);
    snprintf(want, sizeof want, "already running (pid %d)", (int)pid);
    expect_in(rr.out, want);
    expect_code(CLI("start", "-b", pidfile, "--", "/bin/sleep", "600"), 0);
    expect_in(rr.out, want);
    expect_code(CLI("write", "--exclusive", pidfile, "1"), 1);
    expect_in(rr.out, want);
    kill_daemon(pid);
    /* a missing command: 127, neither pidfile nor lock left */
    assert_int_equal(unlink(pidfile), 0);
    expect_code(CLI("exec", "--exclusive", pidfile, "--", "/nonexistent/food"), 127);
    assert_int_equal(access(pidfile, F_OK), -1);
    assert_int_equal(access(lock, F_OK), -1);
}

/* ---- signal ------------------------------------------------------------- */

static void test_signal_sends_one_verified_signal_by_any_name(void **state)
{
    (void)state;
    const char *names[] = {"HUP", "hup", "SIGHUP", "sighup", "1"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        child c;
        procid_identity id;
        assert_int_equal(child_spawn(&c, 0, NULL), 0);
        assert_int_equal(procid_identity_of(c.pid, &id), 0);
        assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
        expect_code(CLI("signal", pidfile, names[i]), 0);
        int st = child_reap(&c);
        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGHUP)
            fail_msg("signal %s: wait status %#x", names[i], st);
    }
    expect_code(CLI("signal", pidfile, "HUP"), 0); /* gone: nothing to do */
    expect_in(rr.out, "not running");
    expect_code(CLI("signal", pidfile, "NOPE"), 64);
    expect_in(rr.err, "Try 'procid signal --help'");
}

/* Every signal the system knows by name and the real-time ones parse. */
static void test_every_signal_name_parses(void **state)
{
    (void)state;
    const char *names[] = {"WINCH", "tstp",  "SIGTTIN", "usr1",    "Usr2",
                           "CHLD",  "RTMIN", "RTMIN+1", "rtmax-2", "SIGRTMAX",
                           "PWR",   "64",    NULL};
    for (const char **n = names; *n; n++) {
        expect_code(CLI("stop", "--signal", *n, pidfile), 0); /* no file */
    }
    expect_code(CLI("stop", "--signal", "RTMIN+99", pidfile), 64);
    expect_code(CLI("stop", "--signal", "65", pidfile), 64);
    expect_code(CLI("stop", "--signal", "0", pidfile), 64);
}

/* ---- option forms ------------------------------------------------------- */

static void test_every_option_form_parses(void **state)
{
    (void)state;
    child c;
    procid_identity id;
    const char *forms[][6] = {
        {"stop", "--signal=KILL", pidfile, NULL},
        {"stop", "-sKILL", pidfile, NULL},
        {"stop", "-s", "KILL", pidfile, NULL},
        {"stop", "-qs", "KILL", pidfile, NULL},
        {"stop", "--retry=KILL/5", pidfile, NULL},
        {"stop", pidfile, "-R", "KILL/5", NULL},
        {"stop", "-qsKILL", "--", pidfile, NULL},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        assert_int_equal(child_spawn(&c, 0, NULL), 0);
        assert_int_equal(procid_identity_of(c.pid, &id), 0);
        assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
        char *argv[8] = {(char *)cli_path()};
        for (int k = 0; forms[i][k]; k++)
            argv[k + 1] = (char *)forms[i][k];
        run_argv(&rr, argv);
        expect_code(rr.code, 0);
        int st = child_reap(&c);
        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
            fail_msg("form %zu (%s): wait status %#x", i, forms[i][1], st);
    }
    char pid[16];
    snprintf(pid, sizeof pid, "%d", (int)getpid());
    expect_code(CLI("write", "-q", "--", pidfile, pid), 0);
    assert_int_equal(access("-q", F_OK), -1);
    expect_code(CLI("status", "--quiet", "--", pidfile), 0);
    assert_string_equal(rr.out, "");
    expect_code(CLI("status", "-q", pidfile), 0);
    expect_code(CLI("write", "--exclusive", pidfile, pid), 1); /* we run */
    expect_in(rr.out, "already running");
    expect_code(CLI("--version"), 0);
    expect_in(rr.out, procid_version());
}

static void test_usage_errors_are_one_line_and_point_at_help(void **state)
{
    (void)state;
    expect_code(CLI("stop", "--bogus", pidfile), 64);
    assert_string_equal(rr.err,
                        "procid: stop: unknown option '--bogus'\n"
                        "Try 'procid stop --help' for more information.\n");
    expect_code(CLI("status", "--quiet=yes", pidfile), 64);
    expect_in(rr.err, "'--quiet' takes no argument");
    expect_code(CLI("stop", pidfile, "--signal"), 64);
    expect_in(rr.err, "'--signal' needs an argument");
    expect_code(CLI("stop", "-R", "TERM//5", pidfile), 64);
    expect_in(rr.err, "item 2 is empty");
    expect_code(CLI("stop", "-R", "5/forever/10", pidfile), 64);
    expect_in(rr.err, "'forever'");
    expect_code(CLI("stop", "-R", "10/20", pidfile), 64);
    expect_in(rr.err, "never sends a signal");
    expect_code(CLI("stop", "-R", "TERM/forever/KILL", pidfile), 64);
    expect_code(CLI("stop", "-R", "TERM/5/", pidfile), 64);
    expect_code(CLI("start", pidfile, "/bin/true"), 64);
    expect_code(CLI("start", "--umask", "99", pidfile, "--", "/bin/true"), 64);
    expect_code(CLI("write", "-z", pidfile, "1"), 64);
    expect_in(rr.err, "unknown option '-z'");
}

/* ---- --owner: a daemon's own pidfile ------------------------------------ */

/* A daemon that drops to uid and records itself through the library. */
static pid_t drop_and_record(const char *file, uid_t uid, gid_t gid)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        procid_pidlock *lk = NULL;
        close(p[0]);
        if (setgroups(0, NULL) < 0 || setgid(gid) < 0 || setuid(uid) < 0 ||
            procid_pidlock_open(file, 0, &lk, NULL, NULL) < 0 ||
            procid_pidlock_write(lk, NULL) < 0)
            _exit(1);
        if (write(p[1], "r", 1) != 1)
            _exit(1);
        pause();
        _exit(0);
    }
    close(p[1]);
    char c;
    assert_int_equal(read(p[0], &c, 1), 1);
    close(p[0]);
    return pid;
}

static void
test_owner_trusts_a_daemons_own_pidfile_only_for_its_process(void **state)
{
    (void)state;
    char rundir[PATH_MAX + 16], file[PATH_MAX + 32], uid[16];
    if (geteuid() != 0) {
        print_message("skipped: needs root to switch to nobody\n");
        skip();
    }
    struct passwd *pw = getpwnam("nobody");
    if (pw == NULL) {
        print_message("skipped: no user 'nobody'\n");
        skip();
        return;
    }
    snprintf(rundir, sizeof rundir, "%s/food", dir);
    snprintf(file, sizeof file, "%s/food.pid", rundir);
    snprintf(uid, sizeof uid, "%u", (unsigned)pw->pw_uid);
    assert_int_equal(chmod(dir, 0711), 0);
    assert_int_equal(mkdir(rundir, 0755), 0);
    assert_int_equal(chown(rundir, pw->pw_uid, pw->pw_gid), 0);
    pid_t d = dropped = drop_and_record(file, pw->pw_uid, pw->pw_gid);

    expect_code(CLI("status", file), 4);
    expect_in(rr.err, "--owner");
    expect_code(CLI("status", "--owner", "nobody", file), 0);
    expect_code(CLI("status", "-u", uid, file), 0);
    expect_code(
        CLI("stop", "--owner=nobody", "--retry", "TERM/5", "--remove", file),
        0);
    int st = 0;
    assert_int_equal(waitpid(d, &st, 0), d);
    dropped = 0;
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM);
    assert_int_equal(access(file, F_OK), -1);

    /* a nobody-owned pidfile naming a root process is refused */
    child c;
    procid_identity id;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    assert_int_equal(procid_pidfile_write(file, &id), 0);
    assert_int_equal(chown(file, pw->pw_uid, pw->pw_gid), 0);
    expect_code(CLI("stop", "--owner", "nobody", file), 4);
    expect_in(rr.err, "--owner");
    expect_code(CLI("signal", "--owner", "nobody", file, "KILL"), 4);
    expect_code(CLI("status", "--owner", "nobody", file), 4);
    int cst = child_kill(&c);
    assert_true(WIFSIGNALED(cst) && WTERMSIG(cst) == SIGKILL); /* not TERM */
    expect_code(CLI("status", "--owner", "no-such-user-here", file), 64);
}

/* ---- the README's init script, exactly as printed ------------------------ */

/* The sh block after "### In an init script" in README.md, into path. */
static void extract_init_script(const char *path)
{
    static char readme[200000];
    size_t len = 0;
    assert_int_equal(file_get(PROCID_SOURCE_DIR "/README.md", readme,
                              sizeof readme - 1, &len),
                     0);
    readme[len] = '\0';
    char *sec = strstr(readme, "### In an init script");
    assert_non_null(sec);
    char *start = strstr(sec, "```sh\n");
    assert_non_null(start);
    start += 6;
    char *end = strstr(start, "```");
    assert_non_null(end);
    assert_int_equal(file_put(path, start, (size_t)(end - start)), 0);
    assert_int_equal(chmod(path, 0755), 0);
}

static int run_script(const char *script, const char *action)
{
    char *argv[] = {(char *)"/bin/sh", (char *)script, (char *)action, NULL};
    return run_argv(&rr, argv);
}

static void test_readme_init_script_runs_as_printed(void **state)
{
    (void)state;
    char script[PATH_MAX + 32], food[PATH_MAX + 32], log[PATH_MAX + 32],
        clidir[PATH_MAX], path[PATH_MAX * 2], text[PATH_MAX + 256], buf[256];
    size_t len = 0;
    snprintf(script, sizeof script, "%s/food.init", dir);
    snprintf(food, sizeof food, "%s/food", dir);
    snprintf(log, sizeof log, "%s/hups", dir);
    extract_init_script(script);
    /* a daemon that stays in the foreground and counts HUPs */
    snprintf(text, sizeof text,
             "#!/bin/sh\ntrap 'echo hup >> %s' HUP\n"
             "while :; do sleep 0.05; done\n",
             log);
    assert_int_equal(file_put(food, text, strlen(text)), 0);
    assert_int_equal(chmod(food, 0755), 0);
    snprintf(clidir, sizeof clidir, "%s", cli_path());
    *strrchr(clidir, '/') = '\0';
    snprintf(path, sizeof path, "%s:%s", clidir, getenv("PATH"));
    setenv("PATH", path, 1);
    setenv("PIDFILE", pidfile, 1);
    setenv("DAEMON", food, 1);

    expect_code(run_script(script, "status"), 3);
    expect_code(run_script(script, "start"), 0);
    pid_t pid = recorded();
    expect_code(run_script(script, "start"), 0); /* already running */
    assert_int_equal(recorded(), pid);
    expect_code(run_script(script, "status"), 0);
    expect_code(run_script(script, "reload"), 0);
    for (int i = 0; i < 300 && len == 0; i++) {
        usleep(10000);
        if (file_get(log, buf, sizeof buf, &len) < 0)
            len = 0;
    }
    assert_true(len > 0);
    expect_code(run_script(script, "restart"), 0);
    pid_t again = recorded();
    assert_true(again != pid);
    expect_code(run_script(script, "stop"), 0);
    assert_int_equal(access(pidfile, F_OK), -1);
    expect_code(run_script(script, "status"), 3);
    /* an unsafe pidfile: status 4 is reported as an error */
    expect_code(run_script(script, "start"), 0);
    assert_int_equal(chmod(pidfile, 0666), 0);
    expect_code(run_script(script, "status"), 4);
    expect_in(rr.err, "cannot be trusted");
    expect_code(run_script(script, "start"), 1); /* never a second copy */
    unsetenv("PIDFILE");
    unsetenv("DAEMON");
}

/* ---- the README's three-call daemon, as printed ------------------------- */

/* The C block after `heading` in README.md, into path. */
static void extract_block(const char *heading, const char *fence,
                          const char *path)
{
    static char readme[200000];
    size_t len = 0;
    assert_int_equal(file_get(PROCID_SOURCE_DIR "/README.md", readme,
                              sizeof readme - 1, &len),
                     0);
    readme[len] = '\0';
    char *sec = strstr(readme, heading);
    assert_non_null(sec);
    char *start = strstr(sec, fence);
    assert_non_null(start);
    start += strlen(fence);
    char *end = strstr(start, "```");
    assert_non_null(end);
    assert_int_equal(file_put(path, start, (size_t)(end - start)), 0);
}

static void test_readme_daemon_needs_three_calls_and_runs_once(void **state)
{
    (void)state;
    char src[PATH_MAX + 32], exe[PATH_MAX + 32], lock[PATH_MAX + 40],
        want[64];
    snprintf(src, sizeof src, "%s/food.c", dir);
    snprintf(exe, sizeof exe, "%s/food", dir);
    snprintf(lock, sizeof lock, "%s.lock", pidfile);
    extract_block("### A daemon's own pidfile", "```c\n", src);
    char *cc[] = {(char *)"/usr/bin/cc", (char *)"-Wall",
                  (char *)"-Werror", (char *)"-I" PROCID_INCLUDE_DIR, src,
                  (char *)PROCID_LIBRARY, (char *)"-Wl,-rpath," PROCID_LIBDIR,
                  (char *)"-o", exe, (char *)PROCID_EXAMPLE_SANITIZE, NULL};
    if (cc[9][0] == '\0') /* not a sanitizer build */
        cc[9] = NULL;
    if (access(cc[0], X_OK) < 0) {
        print_message("skipped: no /usr/bin/cc to build the README's example\n");
        skip();
        return;
    }
    if (run_argv(&rr, cc) != 0)
        fail_msg("the README's daemon does not build:\n%s", rr.err);
    pid_t first = fork();
    assert_true(first >= 0);
    if (first == 0) {
        execl(exe, exe, pidfile, (char *)NULL);
        _exit(127);
    }
    procid_identity id;
    for (int i = 0; i < 500 && procid_pidfile_read(pidfile, 0, &id, NULL) < 0; i++)
        usleep(10000);
    assert_int_equal(recorded(), first);
    char *second[] = {exe, pidfile, NULL};
    expect_code(run_argv(&rr, second), 0);
    snprintf(want, sizeof want, "already running as pid %d", (int)first);
    expect_in(rr.err, want);
    expect_code(CLI("stop", "--retry", "TERM/5", pidfile), 0);
    int st = 0;
    assert_int_equal(waitpid(first, &st, 0), first);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(access(pidfile, F_OK), -1);
    assert_int_equal(access(lock, F_OK), -1);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
        perror("test_start: PR_SET_CHILD_SUBREAPER");
        return 1;
    }
    const struct CMUnitTest tests[] = {
        T(test_two_concurrent_starts_run_exactly_one_200_rounds),
        T(test_start_takes_over_from_a_holder_killed_with_sigkill),
        T(test_start_twice_runs_one_process),
        T(test_start_of_a_missing_command_exits_1_with_errno_and_no_pidfile),
        T(test_start_does_not_take_over_an_unsafe_pidfile),
        T(test_start_records_the_execd_process_with_chuid_chdir_umask_output),
        T(test_exec_exclusive_hands_the_lock_to_the_command),
        T(test_signal_sends_one_verified_signal_by_any_name),
        T(test_every_signal_name_parses),
        T(test_every_option_form_parses),
        T(test_usage_errors_are_one_line_and_point_at_help),
        T(test_owner_trusts_a_daemons_own_pidfile_only_for_its_process),
        T(test_readme_init_script_runs_as_printed),
        T(test_readme_daemon_needs_three_calls_and_runs_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
