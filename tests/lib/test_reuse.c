/*
 * test_reuse.c - forced PID reuse, the threat libprocid exists for.
 *
 * In a new user + PID + mount namespace (what `unshare -Urpf --mount-proc`
 * sets up), a victim is recorded in a pidfile, killed and reaped; then
 * ns_last_pid is set so that the next fork, the impostor, receives the
 * victim's PID. The library and the CLI must call the pidfile dead
 * (RECYCLED, status 1) and `stop` must spare the impostor.
 *
 * Rapid reuse (no delay) puts the impostor in the victim's 10 ms clock tick
 * most of the time: (pid, start, boot) are then equal, and only the pidfs
 * inode tells the two processes apart.
 *
 * Where namespaces are not permitted the tests skip with the reason, and
 * the suite exits 77 (ctest: skipped) if nothing ran.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "proc_raw.h"
#include "procid.h"

typedef struct reuse_report {
    int skipped;
    char reason[256];
    int failed;
    char failure[768];
    int rounds;         /* completed */
    int same_tick;      /* impostor started in the victim's tick */
    int start_fooled;   /* same-tick rounds a record without ino calls RUNNING */
    int have_ino;
} reuse_report;

static char dir[PATH_MAX];
static char pidfile[PATH_MAX + 32];
static int tests_run, tests_skipped;

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(pidfile, sizeof pidfile, "%s/victim.pid", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

#define NS_CHECK(rep, cond, ...)                                               \
    do {                                                                       \
        if (!(cond)) {                                                         \
            int n_ = snprintf((rep)->failure, sizeof (rep)->failure,           \
                              "round %d: ", (rep)->rounds);                    \
            snprintf((rep)->failure + n_, sizeof (rep)->failure - (size_t)n_,  \
                     __VA_ARGS__);                                             \
            (rep)->failed = 1;                                                 \
            return;                                                            \
        }                                                                      \
    } while (0)

static void one_round(reuse_report *rep, int delay_ms)
{
    child victim, imp;
    procid_identity vid, iid;
    procid_state st;
    run_result rr;
    int r;

    NS_CHECK(rep, (r = child_spawn(&victim, 0, NULL)) == 0, "spawn victim: %d", r);
    pid_t vpid = victim.pid;
    NS_CHECK(rep, (r = procid_identity_of(vpid, &vid)) == 0, "victim identity: %s",
             procid_strerror(r));
    rep->have_ino = (vid.have & PROCID_HAVE_INO) != 0;
    NS_CHECK(rep, (r = procid_pidfile_write(pidfile, &vid)) == 0,
             "write pidfile: %s", procid_strerror(r));
    r = child_kill(&victim);
    NS_CHECK(rep, WIFSIGNALED(r) && WTERMSIG(r) == SIGKILL, "victim status %#x", r);

    if (delay_ms > 0) {
        /* a later clock tick: the start time alone tells them apart */
        struct timespec ts = {0, delay_ms * 1000L * 1000L};
        nanosleep(&ts, NULL);
    }
    NS_CHECK(rep, (r = raw_set_ns_last_pid(vpid - 1)) == 0, "ns_last_pid: %s",
             strerror(-r));
    NS_CHECK(rep, (r = child_spawn(&imp, 0, NULL)) == 0, "spawn impostor: %d", r);
    NS_CHECK(rep, imp.pid == vpid, "impostor got pid %d, victim had %d",
             (int)imp.pid, (int)vpid);
    NS_CHECK(rep, (r = procid_identity_of(imp.pid, &iid)) == 0,
             "impostor identity: %s", procid_strerror(r));
    int same = iid.start == vid.start;
    rep->same_tick += same;
    if (delay_ms > 0)
        NS_CHECK(rep, !same, "start ticks equal (%llu) despite a %d ms delay",
                 (unsigned long long)vid.start, delay_ms);

    r = procid_check(&vid, &st);
    NS_CHECK(rep, r == 0 && st == PROCID_RECYCLED,
             "procid_check: %d, state %s (same tick: %d)", r,
             r == 0 ? procid_state_name(st) : "-", same);

    /* What the record would say without the pidfs inode. */
    procid_identity no_ino = vid;
    no_ino.have &= ~PROCID_HAVE_INO;
    r = procid_check(&no_ino, &st);
    NS_CHECK(rep, r == 0, "procid_check without ino: %d", r);
    if (same) {
        NS_CHECK(rep, st == PROCID_RUNNING,
                 "same tick but start-only check says %s", procid_state_name(st));
        rep->start_fooled++;
    } else {
        NS_CHECK(rep, st == PROCID_RECYCLED,
                 "different tick but start-only check says %s",
                 procid_state_name(st));
    }

    r = run_cli(&rr, "status", pidfile, (char *)NULL);
    NS_CHECK(rep, r == 1, "procid status exited %d, stdout \"%.200s\", stderr \"%.200s\"",
             r, rr.out, rr.err);
    r = run_cli(&rr, "stop", pidfile, (char *)NULL);
    NS_CHECK(rep, r == 0, "procid stop exited %d, stderr \"%.300s\"", r, rr.err);
    r = run_cli(&rr, "stop", "--signal", "KILL", pidfile, (char *)NULL);
    NS_CHECK(rep, r == 0, "procid stop --signal KILL exited %d, stderr \"%.300s\"", r,
             rr.err);

    procid_state sst = PROCID_RUNNING;
    r = procid_signal(&vid, SIGTERM, &sst);
    NS_CHECK(rep, r == -ESRCH && sst == PROCID_RECYCLED,
             "procid_signal: %d, state %s", r, procid_state_name(sst));

    r = procid_check(&iid, &st);
    NS_CHECK(rep, r == 0 && st == PROCID_RUNNING, "impostor not running: %d", r);
    r = child_kill(&imp);
    NS_CHECK(rep, WIFSIGNALED(r) && WTERMSIG(r) == SIGKILL,
             "impostor was signalled: wait status %#x", r);
    rep->rounds++;
}

/* PID 1 of the new namespace: mount its proc, then run the rounds. */
static void in_namespace(reuse_report *rep, int rounds, int delay_ms)
{
    int r = raw_mount_proc();
    if (r < 0) {
        rep->skipped = 1;
        snprintf(rep->reason, sizeof rep->reason,
                 "cannot mount proc in the new namespaces: %s", strerror(-r));
        return;
    }
    if ((r = raw_set_ns_last_pid(100)) < 0) {
        rep->skipped = 1;
        snprintf(rep->reason, sizeof rep->reason,
                 "cannot write ns_last_pid in the new PID namespace: %s",
                 strerror(-r));
        return;
    }
    procid_identity self;
    if (delay_ms == 0 && (procid_self(&self) < 0 || !(self.have & PROCID_HAVE_INO))) {
        rep->skipped = 1;
        snprintf(rep->reason, sizeof rep->reason,
                 "no pidfs inode (Linux < 6.9): same-tick reuse cannot be told "
                 "apart on this kernel");
        return;
    }
    for (int i = 0; i < rounds && !rep->failed; i++)
        one_round(rep, delay_ms);
}

static int send_report(int fd, const reuse_report *rep)
{
    return write(fd, rep, sizeof *rep) == (ssize_t)sizeof *rep ? 0 : 1;
}

/* Runs in a forked helper, so the test process keeps its namespaces. */
static int enter_namespaces(int fd, int rounds, int delay_ms)
{
    reuse_report rep;
    memset(&rep, 0, sizeof rep);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0) {
        int e = errno;
        rep.skipped = 1;
        snprintf(rep.reason, sizeof rep.reason,
                 "unshare(CLONE_NEWUSER|CLONE_NEWPID|CLONE_NEWNS) refused: %s%s",
                 strerror(e),
                 (e == EPERM || e == EINVAL || e == ENOSPC || e == EUSERS)
                     ? " (namespaces not permitted here)"
                     : "");
        return send_report(fd, &rep);
    }
    int r = raw_map_root(uid, gid);
    if (r < 0) {
        rep.skipped = 1;
        snprintf(rep.reason, sizeof rep.reason,
                 "cannot map root in the new user namespace: %s", strerror(-r));
        return send_report(fd, &rep);
    }
    fflush(NULL);
    pid_t init = fork();
    if (init < 0) {
        rep.skipped = 1;
        snprintf(rep.reason, sizeof rep.reason,
                 "fork into the new PID namespace: %s", strerror(errno));
        return send_report(fd, &rep);
    }
    if (init == 0) {
        if (getpid() != 1)
            _exit(70);
        in_namespace(&rep, rounds, delay_ms);
        children_cleanup();
        _exit(send_report(fd, &rep));
    }
    int status;
    while (waitpid(init, &status, 0) < 0)
        if (errno != EINTR)
            return 71;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void run_reuse(reuse_report *rep, int rounds, int delay_ms)
{
    int p[2];
    memset(rep, 0, sizeof *rep);
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t helper = fork();
    assert_true(helper >= 0);
    if (helper == 0) {
        close(p[0]);
        _exit(enter_namespaces(p[1], rounds, delay_ms));
    }
    close(p[1]);
    ssize_t k;
    size_t got = 0;
    while (got < sizeof *rep &&
           ((k = read(p[0], (char *)rep + got, sizeof *rep - got)) > 0 ||
            (k < 0 && errno == EINTR)))
        if (k > 0)
            got += (size_t)k;
    close(p[0]);
    int status;
    assert_int_equal(waitpid(helper, &status, 0), helper);
    if (got != sizeof *rep)
        fail_msg("the namespace helper died without a report (wait status %#x)",
                 status);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tests_run++;
    if (rep->skipped) {
        tests_skipped++;
        printf("SKIP: %s\n", rep->reason);
        fflush(stdout);
        skip();
    }
    if (rep->failed)
        fail_msg("%s", rep->failure);
    assert_int_equal(rep->rounds, rounds);
}

static void test_reuse_after_a_delay_is_recycled_and_the_impostor_spared(void **state)
{
    (void)state;
    reuse_report rep;
    run_reuse(&rep, 5, 30);
    assert_int_equal(rep.same_tick, 0);
    printf("delayed reuse: %d rounds, impostor always got the victim's PID, "
           "always RECYCLED, status 1, stop spared it\n",
           rep.rounds);
}

static void test_rapid_reuse_in_the_same_tick_is_caught_by_the_pidfs_inode(void **state)
{
    (void)state;
    reuse_report rep;
    enum { ROUNDS = 50 };
    run_reuse(&rep, ROUNDS, 0);
    printf("rapid reuse: %d of %d rounds put the impostor in the victim's "
           "start tick (%.0f%%); a record without the pidfs inode called "
           "%d of them RUNNING; with the inode all %d were RECYCLED\n",
           rep.same_tick, ROUNDS, 100.0 * rep.same_tick / ROUNDS,
           rep.start_fooled, ROUNDS);
    if (!rep.have_ino)
        printf("note: no pidfs inode on this kernel; same-tick reuse cannot "
               "be caught here\n");
    if (rep.same_tick == 0)
        printf("note: no same-tick round this time; the inode path was not "
               "exercised\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_reuse_after_a_delay_is_recycled_and_the_impostor_spared, setup,
            teardown),
        cmocka_unit_test_setup_teardown(
            test_rapid_reuse_in_the_same_tick_is_caught_by_the_pidfs_inode,
            setup, teardown),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    if (failed == 0 && tests_run > 0 && tests_skipped == tests_run)
        return 77; /* nothing could run: ctest reports "skipped" */
    return failed;
}
