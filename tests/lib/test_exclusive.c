/*
 * test_exclusive.c - exclusive pidfiles (procid_pidlock_*): one instance at
 * a time, with real processes racing for real files.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "procid.h"

static char dir[PATH_MAX];
static char pidfile[PATH_MAX + 32];
static char lockfile[PATH_MAX + 40];

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(pidfile, sizeof pidfile, "%s/food.pid", dir);
    snprintf(lockfile, sizeof lockfile, "%s.lock", pidfile);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

static int exists(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0;
}

/* A forked process that takes the lock, records itself, reports on `rep`
   its pidlock_open result and blocks until `ctl` closes. */
typedef struct holder_proc {
    pid_t pid;
    int ctl; /* close to let it exit */
    int res; /* its procid_pidlock_open() result */
} holder_proc;

static void holder_body(int ctl, int rep, unsigned flags, int do_write,
                        int barrier)
{
    procid_pidlock *lk = NULL;
    procid_identity h;
    char c;
    if (barrier >= 0 && read(barrier, &c, 1) < 0)
        _exit(9);
    int r = procid_pidlock_open(pidfile, flags, &lk, &h, NULL);
    if (r == 0 && do_write && procid_pidlock_write(lk, NULL) < 0)
        r = -EIO;
    int msg[2] = {r, h.pid};
    if (write(rep, msg, sizeof msg) != sizeof msg)
        _exit(9);
    if (r == 0)
        while (read(ctl, &c, 1) < 0 && errno == EINTR) {
        }
    _exit(0);
}

/* Start a holder; *report gets {result, holder pid}. barrier: a read end
   the holder waits on before it tries (-1: none). */
static void holder_start(holder_proc *hp, unsigned flags, int do_write,
                         int barrier, int report[2])
{
    int ctl[2], rep[2];
    assert_int_equal(pipe(ctl), 0);
    assert_int_equal(pipe(rep), 0);
    hp->pid = fork();
    assert_true(hp->pid >= 0);
    if (hp->pid == 0) {
        close(ctl[1]);
        close(rep[0]);
        holder_body(ctl[0], rep[1], flags, do_write, barrier);
    }
    close(ctl[0]);
    close(rep[1]);
    hp->ctl = ctl[1];
    hp->res = rep[0]; /* read later */
    (void)report;
}

static void holder_report(holder_proc *hp, int report[2])
{
    ssize_t n;
    while ((n = read(hp->res, report, 2 * sizeof(int))) < 0 && errno == EINTR) {
    }
    assert_int_equal(n, (ssize_t)(2 * sizeof(int)));
    close(hp->res);
}

static int holder_end(holder_proc *hp)
{
    int st = 0;
    close(hp->ctl);
    kill(hp->pid, SIGKILL); /* other children hold copies of ctl */
    waitpid(hp->pid, &st, 0);
    return st;
}

static void test_open_write_remove_is_a_daemons_whole_pidfile_life(void **state)
{
    (void)state;
    procid_pidlock *lk = NULL;
    procid_identity self, rec;
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    assert_int_equal(procid_pidlock_write(lk, NULL), 0);
    assert_int_equal(procid_self(&self), 0);
    assert_int_equal(procid_pidfile_read(pidfile, 0, &rec, NULL), 0);
    assert_true(procid_identity_match(&self, &rec));
    assert_int_equal(procid_pidlock_remove(lk, NULL), 0);
    assert_false(exists(pidfile));
    assert_false(exists(lockfile));
}

static void test_open_fails_with_eexist_naming_the_live_holder(void **state)
{
    (void)state;
    holder_proc hp;
    int rep[2];
    procid_pidlock *lk = NULL;
    procid_identity h;
    procid_error e = {{0}};
    holder_start(&hp, 0, 1, -1, rep);
    holder_report(&hp, rep);
    assert_int_equal(rep[0], 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, &h, &e), -EEXIST);
    assert_null(lk);
    assert_int_equal(h.pid, hp.pid);
    assert_non_null(strstr(e.msg, "already running"));
    holder_end(&hp);
}

static void test_a_holder_killed_with_sigkill_is_taken_over(void **state)
{
    (void)state;
    holder_proc hp;
    int rep[2], st = 0;
    procid_pidlock *lk = NULL;
    holder_start(&hp, 0, 1, -1, rep);
    holder_report(&hp, rep);
    assert_int_equal(rep[0], 0);
    kill(hp.pid, SIGKILL);
    waitpid(hp.pid, &st, 0);
    close(hp.ctl);
    assert_true(exists(pidfile));
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    assert_int_equal(procid_pidlock_write(lk, NULL), 0);
    assert_int_equal(procid_pidlock_remove(lk, NULL), 0);
}

static void
test_a_recorded_live_process_without_the_lock_is_not_taken_over(void **state)
{
    (void)state;
    child c;
    procid_identity id, h;
    procid_pidlock *lk = NULL;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, &h, NULL), -EEXIST);
    assert_int_equal(h.pid, c.pid);
    assert_int_equal(procid_pidfile_read(pidfile, 0, &h, NULL), 0);
    assert_true(procid_identity_match(&h, &id));
}

static void test_a_recycled_or_other_boot_record_is_taken_over(void **state)
{
    (void)state;
    child c;
    procid_identity id;
    procid_pidlock *lk = NULL;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    id.start += 1;
    if (id.have & PROCID_HAVE_INO) {
        /* same inode, other start: a record that contradicts itself
           cannot be verified, so it is not taken over */
        assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
        assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL),
                         -ESTALE);
        id.have &= ~PROCID_HAVE_INO;
    }
    /* the PID lives, as another process: RECYCLED */
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    procid_pidlock_close(lk);
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    id.boot[0] = id.boot[0] == 'a' ? 'b' : 'a'; /* another boot: DEAD */
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    procid_pidlock_close(lk);
}

static void test_a_malformed_or_unsafe_pidfile_is_not_taken_over(void **state)
{
    (void)state;
    procid_pidlock *lk = NULL;
    procid_error e = {{0}};
    file_snap before, after;
    assert_int_equal(file_put(pidfile, "12x\n", 4), 0);
    assert_int_equal(file_snapshot(pidfile, &before), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, &e), -EINVAL);
    assert_int_equal(file_snapshot(pidfile, &after), 0);
    assert_null(file_snap_diff(&before, &after));
    assert_int_equal(chmod(pidfile, 0666), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, &e), -EPERM);
    assert_null(lk);
}

static void test_a_symlink_as_lock_file_is_refused(void **state)
{
    (void)state;
    char target[PATH_MAX + 40];
    procid_pidlock *lk = NULL;
    snprintf(target, sizeof target, "%s/elsewhere", dir);
    assert_int_equal(symlink(target, lockfile), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), -EPERM);
    assert_false(exists(target));
}

/* With PROCID_PIDLOCK_INHERIT the lock survives exec; without, exec drops it.
 */
static void exec_holding(unsigned flags, pid_t *pid)
{
    int go[2];
    assert_int_equal(pipe2(go, O_CLOEXEC), 0);
    *pid = fork();
    assert_true(*pid >= 0);
    if (*pid == 0) {
        procid_pidlock *lk = NULL;
        if (procid_pidlock_open(pidfile, flags, &lk, NULL, NULL) < 0)
            _exit(9);
        execl("/bin/sleep", "sleep", "60", (char *)NULL);
        _exit(8);
    }
    close(go[1]);
    char c;
    assert_int_equal(read(go[0], &c, 1), 0); /* EOF: exec done */
    close(go[0]);
}

static void test_inherit_keeps_the_lock_across_exec(void **state)
{
    (void)state;
    pid_t pid;
    int st;
    procid_pidlock *lk = NULL;
    procid_identity h;
    exec_holding(PROCID_PIDLOCK_INHERIT, &pid);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, &h, NULL), -EEXIST);
    assert_int_equal(h.pid, 0); /* locked, nothing recorded */
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    exec_holding(0, &pid);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, &h, NULL), 0);
    procid_pidlock_close(lk);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
}

/* A holder dies while a child it forked still holds the inherited lock for
   a moment (a daemon's `sleep`): the next open waits for the lock, not
   for a record that will never come. */
static void
test_a_lock_left_to_a_dying_holders_child_is_taken_once_free(void **state)
{
    (void)state;
    procid_pidlock *lk = NULL;
    pid_t holder = fork();
    assert_true(holder >= 0);
    if (holder == 0) {
        if (procid_pidlock_open(pidfile, PROCID_PIDLOCK_INHERIT, &lk, NULL,
                                NULL) < 0 ||
            procid_pidlock_write(lk, NULL) < 0)
            _exit(1);
        pid_t kid = fork();
        if (kid == 0) {
            execl("/bin/sleep", "sleep", "0.3", (char *)NULL);
            _exit(127);
        }
        _exit(kid > 0 ? 0 : 1); /* dies; the sleep keeps the lock */
    }
    int st = 0;
    assert_int_equal(waitpid(holder, &st, 0), holder);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    assert_int_equal(procid_pidlock_write(lk, NULL), 0);
    assert_int_equal(procid_pidlock_remove(lk, NULL), 0);
}

static void
test_remove_keeps_a_pidfile_that_records_another_process(void **state)
{
    (void)state;
    procid_pidlock *lk = NULL;
    procid_identity other;
    child c;
    procid_error e = {{0}};
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    assert_int_equal(procid_pidlock_open(pidfile, 0, &lk, NULL, NULL), 0);
    assert_int_equal(procid_pidlock_write(lk, NULL), 0);
    assert_int_equal(procid_identity_of(c.pid, &other), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &other), 0);
    assert_int_equal(procid_pidlock_remove(lk, &e), -ESTALE);
    assert_true(exists(pidfile));
    assert_false(exists(lockfile));
}

/* 200 rounds: two processes released at once, exactly one wins, and the
   other names the winner's PID. */
static void
test_two_concurrent_opens_let_exactly_one_run_200_rounds(void **state)
{
    (void)state;
    for (int round = 0; round < 200; round++) {
        int bar[2], ra[2], rb[2];
        holder_proc a, b;
        assert_int_equal(pipe(bar), 0);
        holder_start(&a, 0, 1, bar[0], ra);
        holder_start(&b, 0, 1, bar[0], rb);
        close(bar[0]);
        assert_int_equal(write(bar[1], "go", 2), 2); /* releases both */
        close(bar[1]);
        holder_report(&a, ra);
        holder_report(&b, rb);
        int wins = (ra[0] == 0) + (rb[0] == 0);
        if (wins != 1)
            fail_msg("round %d: %d winners (results %d, %d)", round, wins,
                     ra[0], rb[0]);
        holder_proc *win = ra[0] == 0 ? &a : &b;
        int *lose = ra[0] == 0 ? rb : ra;
        assert_int_equal(lose[0], -EEXIST);
        if (lose[1] != win->pid)
            fail_msg("round %d: loser named pid %d, winner is %d", round,
                     lose[1], (int)win->pid);
        holder_end(&a);
        holder_end(&b);
    }
}

/* A process takes the lock, records itself and dies holding it. */
static void takeover(int i)
{
    pid_t p = fork();
    assert_true(p >= 0);
    if (p == 0) {
        procid_pidlock *l = NULL;
        if (procid_pidlock_open(pidfile, 0, &l, NULL, NULL) < 0 ||
            procid_pidlock_write(l, NULL) < 0)
            _exit(1);
        _exit(0);
    }
    int st = 0;
    waitpid(p, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
        fail_msg("takeover %d failed (status %#x)", i, st);
}

/* A reader polling while 1000 holders take over one after another never
   gets anything but a complete pidfile. */
static void
test_readers_never_see_an_unusable_file_during_1000_takeovers(void **state)
{
    (void)state;
    int rep[2];
    takeover(0);
    assert_int_equal(pipe(rep), 0);
    pid_t reader = fork();
    assert_true(reader >= 0);
    if (reader == 0) {
        close(rep[0]);
        long reads = 0;
        procid_identity id;
        procid_error e = {{0}};
        for (;;) {
            int r = procid_pidfile_read(pidfile, 0, &id, &e);
            if (r < 0) {
                dprintf(rep[1], "read %ld: %s\n", reads, e.msg);
                _exit(1);
            }
            if (++reads % 64 == 0 && getppid() == 1)
                _exit(0);
        }
    }
    close(rep[1]);
    for (int i = 1; i <= 1000; i++)
        takeover(i);
    int st = 0;
    assert_int_equal(waitpid(reader, &st, WNOHANG), 0); /* still reading */
    kill(reader, SIGKILL);
    waitpid(reader, &st, 0);
    char msg[256] = "";
    ssize_t n = read(rep[0], msg, sizeof msg - 1);
    if (n > 0)
        fail_msg("reader saw an unusable pidfile: %s", msg);
    close(rep[0]);
}

static void test_null_arguments_are_einval(void **state)
{
    (void)state;
    procid_pidlock *lk = NULL;
    assert_int_equal(procid_pidlock_open(NULL, 0, &lk, NULL, NULL), -EINVAL);
    assert_int_equal(procid_pidlock_open(pidfile, 0, NULL, NULL, NULL),
                     -EINVAL);
    assert_int_equal(procid_pidlock_open("", 0, &lk, NULL, NULL), -EINVAL);
    assert_int_equal(procid_pidlock_write(NULL, NULL), -EINVAL);
    assert_int_equal(procid_pidlock_remove(NULL, NULL), -EINVAL);
    assert_int_equal(procid_pidlock_fd(NULL), -EINVAL);
    procid_pidlock_close(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_open_write_remove_is_a_daemons_whole_pidfile_life),
        T(test_open_fails_with_eexist_naming_the_live_holder),
        T(test_a_holder_killed_with_sigkill_is_taken_over),
        T(test_a_recorded_live_process_without_the_lock_is_not_taken_over),
        T(test_a_recycled_or_other_boot_record_is_taken_over),
        T(test_a_malformed_or_unsafe_pidfile_is_not_taken_over),
        T(test_a_symlink_as_lock_file_is_refused),
        T(test_inherit_keeps_the_lock_across_exec),
        T(test_a_lock_left_to_a_dying_holders_child_is_taken_once_free),
        T(test_remove_keeps_a_pidfile_that_records_another_process),
        T(test_two_concurrent_opens_let_exactly_one_run_200_rounds),
        T(test_readers_never_see_an_unusable_file_during_1000_takeovers),
        T(test_null_arguments_are_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
