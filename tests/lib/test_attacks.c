/*
 * test_attacks.c - the attacks of issue 9, each against the real thing:
 * a shell reading a pidfile, a seccomp filter that forbids pidfds, a PID
 * namespace without its own /proc, a second user renaming pidfiles, a
 * pidfile rewritten while `stop` waits, a leader thread that exited, device
 * nodes and FIFOs at the pidfile's path. None may lead procid to signal
 * anything but the verified process, or to remove a pidfile it did not own.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "linux_internal.h"
#include "proc_raw.h"
#include "procid.h"

static char dir[PATH_MAX];
static char pidfile[PATH_MAX + 32];
static run_result rr;

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(pidfile, sizeof pidfile, "%s/daemon.pid", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    procid__linux_set_pidfd(1);
    procid__linux_set_proc_root(NULL);
    run_before_exec = NULL;
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

#define CLI(...) run_cli(&rr, __VA_ARGS__, (char *)NULL)

static void expect_code(int got, int want)
{
    if (got != want)
        fail_msg("exited %d, expected %d\nstdout: %s\nstderr: %s", got, want,
                 rr.out, rr.err);
}

static void assert_was_not_signalled(child *c)
{
    int st = child_kill(c);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
        fail_msg("pid %d was signalled before the test's SIGKILL (wait "
                 "status %#x)", (int)c->pid, st);
}

static void record(const child *c, procid_identity *out)
{
    procid_identity id;
    assert_int_equal(procid_identity_of(c->pid, &id), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    if (out != NULL)
        *out = id;
}

static void pidstr(pid_t pid, char *buf, size_t cap)
{
    snprintf(buf, cap, "%d", (int)pid);
}

/* ---- item 1: the shell reads every number of the file ------------------- */

typedef struct shell_report {
    int skipped, failed, bystanders;
    char msg[512];
} shell_report;

#define SH_FAIL(rep, ...)                                                      \
    do {                                                                       \
        snprintf((rep)->msg, sizeof (rep)->msg, __VA_ARGS__);                  \
        (rep)->failed = 1;                                                     \
        return;                                                                \
    } while (0)

/* Put a bystander on each value (the start tick, the pidfs inode) that a
   shell would take for a PID if the file held it as a bare number. Returns
   how many were placed. */
static int place_bystanders(const uint64_t *vals, int nvals, child *by)
{
    int n = 0;
    for (int i = 0; i < nvals; i++) {
        uint64_t v = vals[i];
        if (v < 2 || v > 4194304)
            continue;
        if (raw_set_ns_last_pid((pid_t)(v - 1)) < 0)
            continue; /* above this namespace's pid_max */
        if (child_spawn(&by[n], 0, "bystander") < 0)
            continue;
        if ((uint64_t)by[n].pid != v) {
            child_kill(&by[n]);
            continue;
        }
        n++;
    }
    return n;
}

static void shell_round(shell_report *rep, const char *cmd)
{
    child daemon, by[4];
    int r;
    if ((r = raw_set_ns_last_pid(200)) < 0)
        SH_FAIL(rep, "ns_last_pid: %s", strerror(-r));
    if (child_spawn(&daemon, 0, "daemon") < 0)
        SH_FAIL(rep, "spawn daemon");
    procid_identity id;
    if ((r = procid_identity_of(daemon.pid, &id)) < 0)
        SH_FAIL(rep, "identity: %s", procid_strerror(r));
    if ((r = procid_pidfile_write(pidfile, &id)) < 0)
        SH_FAIL(rep, "write: %s", procid_strerror(r));
    char text[PROCID_PIDFILE_MAX + 1];
    size_t len = 0;
    file_get(pidfile, text, sizeof text - 1, &len);
    text[len] = '\0';
    uint64_t vals[2] = {id.start, (id.have & PROCID_HAVE_INO) ? id.ino : 0};
    int n = place_bystanders(vals, 2, by);
    rep->bystanders += n;
    char script[PATH_MAX + 128];
    snprintf(script, sizeof script, cmd, pidfile);
    char *argv[] = {"/bin/sh", "-c", script, NULL};
    run_argv(&rr, argv);
    int st = child_reap(&daemon);
    if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGTERM)
        SH_FAIL(rep, "'%.120s': the daemon (line 1) was not signalled: status %#x, "
                "stderr %.200s", script, st, rr.err);
    for (int i = 0; i < n; i++) {
        pid_t bp = by[i].pid;
        st = child_kill(&by[i]);
        if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGKILL)
            SH_FAIL(rep, "'%.120s' signalled bystander pid %d (file: %.200s)", script,
                    (int)bp, text);
    }
}

static void shell_in_namespace(shell_report *rep)
{
    int r = raw_mount_proc();
    if (r < 0) {
        rep->skipped = 1;
        snprintf(rep->msg, sizeof rep->msg, "cannot mount proc: %s", strerror(-r));
        return;
    }
    static const char *const cmds[] = {
        "kill -TERM $(cat '%s')",
        "/bin/kill -TERM $(cat '%s')",
        "xargs kill -TERM < '%s'",
    };
    for (size_t i = 0; i < 3 && !rep->failed; i++)
        shell_round(rep, cmds[i]);
    if (!rep->failed && rep->bystanders == 0) {
        rep->skipped = 1;
        snprintf(rep->msg, sizeof rep->msg,
                 "no number of the pidfile can be a PID in this namespace");
    }
}

static int shell_helper(int fd)
{
    shell_report rep;
    memset(&rep, 0, sizeof rep);
    uid_t uid = geteuid();
    gid_t gid = getegid();
    if (unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNS) < 0 ||
        raw_map_root(uid, gid) < 0) {
        int e = errno;
        rep.skipped = 1;
        snprintf(rep.msg, sizeof rep.msg, "user + PID namespaces refused: %s%s",
                 strerror(e),
                 e == EINVAL ? " (a process with several threads cannot enter "
                               "a new user namespace; ThreadSanitizer runs one "
                               "of its own)"
                             : "");
    } else {
        pid_t init = fork();
        if (init == 0) {
            shell_in_namespace(&rep);
            children_cleanup();
            _exit(write(fd, &rep, sizeof rep) == (ssize_t)sizeof rep ? 0 : 1);
        }
        int st;
        waitpid(init, &st, 0);
        return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
    }
    return write(fd, &rep, sizeof rep) == (ssize_t)sizeof rep ? 0 : 1;
}

static void test_shell_kill_of_the_pidfile_signals_line_one_and_no_bystander(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    fflush(NULL);
    pid_t h = fork();
    if (h == 0) {
        close(p[0]);
        _exit(shell_helper(p[1]));
    }
    close(p[1]);
    shell_report rep;
    memset(&rep, 0, sizeof rep);
    ssize_t k = read(p[0], &rep, sizeof rep);
    close(p[0]);
    int st;
    waitpid(h, &st, 0);
    if (k != (ssize_t)sizeof rep)
        fail_msg("namespace helper died without a report (status %#x)", st);
    if (rep.skipped) {
        printf("SKIP: %s\n", rep.msg);
        skip();
    }
    if (rep.failed)
        fail_msg("%s", rep.msg);
    printf("shell kill: %d bystanders on the pidfile's other numbers, none "
           "signalled\n", rep.bystanders);
}

/* ---- item 2: every field both sides know is compared -------------------- */

static void test_right_inode_with_wrong_start_is_never_running_or_signalled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    if (!(id.have & PROCID_HAVE_INO)) {
        printf("SKIP: no pidfs inode on this kernel\n");
        skip();
    }
    uint64_t starts[] = {id.start + 1, 0};
    for (int i = 0; i < 2; i++) {
        procid_identity bad = id;
        bad.start = starts[i];
        procid_state st = PROCID_RUNNING;
        int r = procid_check(&bad, &st);
        if (r >= 0 && st == PROCID_RUNNING)
            fail_msg("record with the right inode and start %llu (real %llu) "
                     "is RUNNING", (unsigned long long)bad.start,
                     (unsigned long long)id.start);
        r = procid_signal(&bad, SIGTERM, NULL);
        assert_true(r < 0);
    }
    assert_was_not_signalled(&c);
}

/* A fake proc root with <pid>/stat and, if boot != NULL, a boot_id. */
static void fake_root(char *root, size_t cap, pid_t pid, const char *boot)
{
    char p[PATH_MAX + 128], line[1024];
    snprintf(root, cap, "%s/fake", dir);
    snprintf(p, sizeof p, "%s/%d", root, (int)pid);
    static const char *const dirs[] = {"", "/sys", "/sys/kernel",
                                       "/sys/kernel/random"};
    for (size_t i = 0; i < 4; i++) {
        char d[PATH_MAX + 64];
        snprintf(d, sizeof d, "%s%s", root, dirs[i]);
        assert_true(mkdir(d, 0755) == 0 || errno == EEXIST);
    }
    assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
    assert_int_equal(raw_stat_line(pid, line, sizeof line), 0);
    snprintf(p, sizeof p, "%s/%d/stat", root, (int)pid);
    assert_int_equal(file_put(p, line, strlen(line)), 0);
    snprintf(p, sizeof p, "%s/sys/kernel/random/boot_id", root);
    unlink(p);
    if (boot != NULL)
        assert_int_equal(file_put(p, boot, strlen(boot)), 0);
}

static void test_unreadable_boot_id_is_an_error_and_is_not_cached(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity real, id;
    assert_int_equal(procid_identity_of(c.pid, &real), 0);
    char root[PATH_MAX + 16];
    fake_root(root, sizeof root, c.pid, NULL);
    procid__linux_set_proc_root(root);
    int r = procid_identity_of(c.pid, &id);
    if (r == 0)
        fail_msg("identity without a readable boot id: 0 (have %#x): a pidfile "
                 "without boot id would be written", id.have);
    /* the failure is not remembered: once readable, the boot id is there */
    fake_root(root, sizeof root, c.pid, real.boot);
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    assert_true(id.have & PROCID_HAVE_BOOT);
    assert_string_equal(id.boot, real.boot);
}

/* ---- item 3: an inode the platform cannot verify now -------------------- */

static void test_without_pidfd_a_record_with_an_inode_is_not_signalled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    if (!(id.have & PROCID_HAVE_INO)) {
        printf("SKIP: no pidfs inode on this kernel\n");
        skip();
    }
    /* a same-tick impostor: pid, start and boot equal, another inode */
    id.ino += 1000;
    procid__linux_set_pidfd(0);
    procid_state st = PROCID_DEAD;
    int r = procid_signal(&id, SIGTERM, &st);
    if (r == 0)
        fail_msg("signal delivered on start time alone to a record whose "
                 "inode cannot be checked without a pidfd");
    assert_int_equal(r, -ENOTSUP);
    assert_was_not_signalled(&c);
}

static void no_pidfd_before_exec(void)
{
    if (deny_pidfd_open() < 0)
        _exit(125);
}

static void test_cli_stop_under_a_seccomp_filter_fails_closed_with_a_reason(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    record(&c, &id);
    if (!(id.have & PROCID_HAVE_INO)) {
        printf("SKIP: no pidfs inode on this kernel\n");
        skip();
    }
    run_before_exec = no_pidfd_before_exec;
    int r = CLI("stop", pidfile);
    if (r == 125) {
        printf("SKIP: seccomp filter refused\n");
        skip();
    }
    expect_code(r, 1);
    assert_non_null(strstr(rr.err, "pidfd"));
    expect_code(CLI("status", pidfile), 0);
    assert_non_null(strstr(rr.err, "inode"));
    run_before_exec = NULL;
    assert_was_not_signalled(&c);
}

/* ---- item 4: a /proc of another PID namespace --------------------------- */

static void test_proc_of_another_pid_namespace_is_refused(void **state)
{
    (void)state;
    char *argv[] = {"/usr/bin/unshare", "-Urpf", "--", (char *)cli_path(),
                    "id", "1", NULL};
    if (access(argv[0], X_OK) < 0) {
        printf("SKIP: no unshare(1)\n");
        skip();
    }
    int r = run_argv(&rr, argv);
    if (r != 0 && strstr(rr.err, "unshare failed") != NULL) {
        printf("SKIP: %s", rr.err);
        skip();
    }
    if (r == 0)
        fail_msg("'procid id 1' in a PID namespace without its own /proc "
                 "printed the host's PID 1: %s", rr.out);
    expect_code(r, 1);
    assert_non_null(strstr(rr.err, "namespace"));
}

/* A reader in a time namespace with another boottime offset sees other
   start ticks for the same process. With the pidfs inode the contradiction
   is caught: an error, nothing signalled, the pidfile kept. */
static void test_reader_in_another_time_namespace_neither_signals_nor_removes(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    record(&c, &id);
    if (!(id.have & PROCID_HAVE_INO)) {
        printf("SKIP: no pidfs inode: a reader in another time namespace "
               "reads RECYCLED (documented)\n");
        skip();
    }
    file_snap before;
    assert_int_equal(file_snapshot(pidfile, &before), 0);
    char *status[] = {"/usr/bin/unshare", "-T", "--boottime", "100000", "--",
                      (char *)cli_path(), "status", pidfile, NULL};
    int r = run_argv(&rr, status);
    if (r != 0 && r != 4 && strstr(rr.err, "unshare") != NULL) {
        printf("SKIP: no time namespace here: %s", rr.err);
        skip();
    }
    expect_code(r, 4);
    char *stop[] = {"/usr/bin/unshare", "-T", "--boottime", "100000", "--",
                    (char *)cli_path(), "stop", "--remove", pidfile, NULL};
    expect_code(run_argv(&rr, stop), 1);
    file_snap now;
    assert_int_equal(file_snapshot(pidfile, &now), 0);
    assert_null(file_snap_diff(&before, &now));
    assert_was_not_signalled(&c);
}

/* ---- item 5: the pidfile's directory ------------------------------------ */

static void test_pidfile_in_a_directory_others_can_write_is_refused(void **state)
{
    (void)state;
    child a, b;
    assert_int_equal(child_spawn(&a, 0, "service-a"), 0);
    assert_int_equal(child_spawn(&b, 0, "service-b"), 0);
    char apath[PATH_MAX + 32];
    snprintf(apath, sizeof apath, "%s/a.pid", dir);
    procid_identity ia;
    assert_int_equal(procid_identity_of(a.pid, &ia), 0);
    assert_int_equal(procid_pidfile_write(apath, &ia), 0);
    record(&b, NULL); /* daemon.pid: service B */
    assert_int_equal(chmod(dir, 0777), 0);
    /* another user moves A's (root-owned, 0644) pidfile over B's */
    char *mv[] = {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                  "--clear-groups", "/bin/mv", "-f", apath, pidfile, NULL};
    if (run_argv(&rr, mv) != 0) {
        printf("SKIP: cannot act as uid 65534: %s", rr.err);
        skip();
    }
    int r = CLI("stop", pidfile);
    expect_code(r, 4);
    assert_non_null(strstr(rr.err, "directory"));
    expect_code(CLI("status", pidfile), 4);
    assert_was_not_signalled(&a);
    /* sticky (like /tmp): others cannot rename our files; accepted */
    assert_int_equal(chmod(dir, 01777), 0);
    expect_code(CLI("status", pidfile), 1);
    /* the opt-out covers the directory check too */
    assert_int_equal(chmod(dir, 0777), 0);
    expect_code(CLI("status", "--insecure", pidfile), 1);
    assert_int_equal(chmod(dir, 0755), 0);
    assert_was_not_signalled(&b);
}

/* ---- item 6: stop --remove and a pidfile rewritten meanwhile ------------ */

static char newer[64];

static void rewrite_and_exit(int sig)
{
    (void)sig;
    int fd = open(pidfile, O_WRONLY | O_TRUNC); /* same inode */
    if (fd >= 0) {
        if (write(fd, newer, strlen(newer)) < 0)
            _exit(3);
        close(fd);
    }
    _exit(0);
}

static void test_stop_remove_keeps_a_pidfile_rewritten_in_place(void **state)
{
    (void)state;
    int ready[2];
    assert_int_equal(pipe(ready), 0);
    snprintf(newer, sizeof newer, "%d\n", (int)getpid()); /* a newer instance */
    pid_t pid = fork();
    if (pid == 0) {
        signal(SIGTERM, rewrite_and_exit);
        close(ready[0]);
        if (write(ready[1], "r", 1) != 1)
            _exit(4);
        for (;;)
            pause();
    }
    close(ready[1]);
    char b;
    assert_int_equal(read(ready[0], &b, 1), 1);
    close(ready[0]);
    child c = {pid, -1};
    record(&c, NULL);
    file_snap before;
    assert_int_equal(file_snapshot(pidfile, &before), 0);
    CLI("stop", "--retry", "TERM/5", "--remove", pidfile);
    int st;
    waitpid(pid, &st, 0);
    if (access(pidfile, F_OK) < 0)
        fail_msg("stop --remove deleted a pidfile rewritten in place by a "
                 "newer instance (exit %d, stderr %s)", rr.code, rr.err);
    char buf[64];
    size_t len = 0;
    assert_int_equal(file_get(pidfile, buf, sizeof buf - 1, &len), 0);
    buf[len] = '\0';
    assert_string_equal(buf, newer);
    assert_non_null(strstr(rr.err, "not removed"));
}

/* ---- item 7: --retry timeouts do not overflow --------------------------- */

static void test_stop_retry_timeout_beyond_int_ms_is_capped_not_wrapped(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, CHILD_IGNORE_TERM, NULL), 0);
    record(&c, NULL);
    char errpath[PATH_MAX + 32];
    snprintf(errpath, sizeof errpath, "%s/stop.err", dir);
    fflush(NULL);
    pid_t stop = fork();
    if (stop == 0) {
        int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, 2);
        execl(cli_path(), cli_path(), "stop", "--retry",
              "TERM/4294967.296/KILL/5", pidfile, (char *)NULL);
        _exit(127);
    }
    /* TERM is ignored: the child must outlive a moment of the wait */
    struct timespec ts = {0, 500000000L};
    nanosleep(&ts, NULL);
    int st;
    pid_t done = waitpid(stop, &st, WNOHANG);
    if (done == 0) {
        kill(stop, SIGKILL);
        waitpid(stop, &st, 0);
    }
    char err[1024];
    size_t len = 0;
    file_get(errpath, err, sizeof err - 1, &len);
    err[len] = '\0';
    assert_was_not_signalled(&c); /* KILL never came */
    assert_int_equal(done, 0);
    assert_non_null(strstr(err, "capped"));
}

/* ---- item 8: a thread group whose leader exited ------------------------- */

static void *block_forever(void *arg)
{
    int fd = *(int *)arg;
    char b;
    while (read(fd, &b, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
    return NULL;
}

static void test_process_whose_leader_thread_exited_is_running(void **state)
{
    (void)state;
    int ctl[2];
    assert_int_equal(pipe(ctl), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(ctl[1]);
        pthread_t t;
        static int fd;
        fd = ctl[0];
        if (pthread_create(&t, NULL, block_forever, &fd) != 0)
            _exit(5);
        pthread_exit(NULL); /* the leader goes; the other thread runs */
    }
    close(ctl[0]);
    child c = {pid, ctl[1]};
    /* wait until the leader is a zombie */
    char line[1024];
    for (int i = 0; i < 500; i++) {
        assert_int_equal(raw_stat_line(pid, line, sizeof line), 0);
        if (strstr(strrchr(line, ')'), ") Z ") != NULL)
            break;
        struct timespec ts = {0, 2000000L};
        nanosleep(&ts, NULL);
    }
    assert_non_null(strstr(strrchr(line, ')'), ") Z "));

    procid_identity id;
    int r = procid_identity_of(pid, &id);
    if (r != 0)
        fail_msg("identity of a live process with an exited leader: %s",
                 procid_strerror(r));
    procid_identity no_ino = id;
    no_ino.have &= ~PROCID_HAVE_INO;
    procid_state st = PROCID_DEAD;
    assert_int_equal(procid_check(&no_ino, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
    procid__linux_set_pidfd(0);
    assert_int_equal(procid_check(&no_ino, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
    procid__linux_set_pidfd(1);

    char arg[16];
    pidstr(pid, arg, sizeof arg);
    expect_code(CLI("write", pidfile, arg), 0);
    expect_code(CLI("status", pidfile), 0);
    /* released: the whole group exits and is DEAD */
    child_release(&c);
    child_wait_exited(&c);
    expect_code(CLI("status", pidfile), 1);
    child_reap(&c);
}

/* ---- item 9: write replaces only a regular file ------------------------- */

static void assert_write_refused(mode_t type, dev_t dev)
{
    unlink(pidfile);
    assert_int_equal(mknod(pidfile, type | 0644, dev), 0);
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char arg[16];
    pidstr(c.pid, arg, sizeof arg);
    int r = CLI("write", pidfile, arg);
    struct stat st;
    assert_int_equal(lstat(pidfile, &st), 0);
    if ((st.st_mode & S_IFMT) != type)
        fail_msg("write replaced a %s with a regular file (exit %d)",
                 type == S_IFIFO ? "FIFO" : "device node", r);
    expect_code(r, 1);
    assert_non_null(strstr(rr.err, "not a regular file"));
    assert_int_equal(dir_count(dir), 1); /* no temporary file left */
    procid_identity id;
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &id), -EPERM);
    unlink(pidfile);
}

static void test_write_refuses_to_replace_a_fifo_or_a_device_node(void **state)
{
    (void)state;
    assert_write_refused(S_IFIFO, 0);
    assert_write_refused(S_IFCHR, makedev(1, 3)); /* what /dev/null is */
}

/* The rest of the class: a socket, and a symlink (whose target must not be
   replaced either). */
static void test_write_refuses_to_replace_a_socket_or_a_symlink(void **state)
{
    (void)state;
    procid_identity self;
    assert_int_equal(procid_self(&self), 0);
    int s = socket(AF_UNIX, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_un a;
    memset(&a, 0, sizeof a);
    a.sun_family = AF_UNIX;
    char sock[PATH_MAX + 32];
    snprintf(sock, sizeof sock, "%s/s", dir);
    assert_true(strlen(sock) < sizeof a.sun_path);
    memcpy(a.sun_path, sock, strlen(sock) + 1);
    assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(procid_pidfile_write(sock, &self), -EPERM);
    struct stat st;
    assert_int_equal(lstat(sock, &st), 0);
    assert_true(S_ISSOCK(st.st_mode));
    close(s);

    char target[PATH_MAX + 32];
    snprintf(target, sizeof target, "%s/target", dir);
    assert_int_equal(file_put(target, "x\n", 2), 0);
    assert_int_equal(symlink(target, pidfile), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &self), -EPERM);
    assert_int_equal(lstat(pidfile, &st), 0);
    assert_true(S_ISLNK(st.st_mode));
    char buf[8];
    size_t len = 0;
    assert_int_equal(file_get(target, buf, sizeof buf, &len), 0);
    assert_int_equal(len, 2);
    assert_int_equal(dir_count(dir), 3); /* no temporary file left */
}

/* procid_pidfile_remove removes only a file that still records the process
   it is given, and leaves a rewritten one alone. */
static void test_pidfile_remove_removes_only_the_record_it_was_given(void **state)
{
    (void)state;
    procid_identity self, other;
    procid_error e = {{0}};
    assert_int_equal(procid_self(&self), 0);
    other = self;
    other.start += 1;
    assert_int_equal(procid_pidfile_write(pidfile, &self), 0);
    assert_int_equal(procid_pidfile_remove(pidfile, 0, &other, &e), -ESTALE);
    assert_non_null(strstr(e.msg, "not removed"));
    assert_int_equal(access(pidfile, F_OK), 0);
    procid_identity fewer = self; /* a record with fewer fields is another */
    fewer.have &= ~PROCID_HAVE_INO;
    if (self.have & PROCID_HAVE_INO)
        assert_int_equal(procid_pidfile_remove(pidfile, 0, &fewer, &e), -ESTALE);
    assert_int_equal(procid_pidfile_remove(pidfile, 0, &self, &e), 0);
    assert_int_equal(access(pidfile, F_OK), -1);
    assert_int_equal(procid_pidfile_remove(pidfile, 0, &self, &e), -ENOENT);
    assert_int_equal(procid_pidfile_remove(NULL, 0, &self, &e), -EINVAL);
    assert_int_equal(procid_pidfile_remove(pidfile, 0, NULL, &e), -EINVAL);
}

/* ---- item 10: failure after success ------------------------------------- */

static void test_write_whose_directory_fsync_fails_after_rename_succeeds_with_a_warning(void **state)
{
    (void)state;
    const char *shim = getenv("PROCID_FAULT_SHIM");
    if (shim == NULL || access(shim, R_OK) < 0) {
        printf("SKIP: PROCID_FAULT_SHIM not set\n");
        skip();
    }
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char arg[16], pre[PATH_MAX + 32];
    pidstr(c.pid, arg, sizeof arg);
    snprintf(pre, sizeof pre, "LD_PRELOAD=%s", shim);
    char *argv[] = {"/usr/bin/env", pre, "PROCID_FAULT=fsync-dir",
                    "ASAN_OPTIONS=verify_asan_link_order=0", (char *)cli_path(),
                    "write", pidfile, arg, NULL};
    int r = run_argv(&rr, argv);
    procid_identity id;
    assert_int_equal(procid_pidfile_read(pidfile, 0, &id, NULL), 0);
    assert_int_equal(id.pid, (int)c.pid);
    if (r != 0)
        fail_msg("the file was replaced, yet write exited %d: %s", r, rr.err);
    assert_non_null(strstr(rr.err, "warning"));
}

/* ---- item 11: surprising defaults --------------------------------------- */

static void test_write_without_a_pid_is_a_usage_error(void **state)
{
    (void)state;
    expect_code(CLI("write", pidfile), 64);
    assert_int_equal(access(pidfile, F_OK), -1);
}

static void test_an_empty_file_argument_is_a_usage_error_everywhere(void **state)
{
    (void)state;
    char arg[16];
    pidstr(getpid(), arg, sizeof arg);
    expect_code(CLI("status", ""), 64);
    expect_code(CLI("stop", ""), 64);
    expect_code(CLI("write", "", arg), 64);
    expect_code(CLI("exec", "", "--", "/bin/true"), 64);
}

static void test_exec_that_cannot_run_the_command_leaves_no_pidfile(void **state)
{
    (void)state;
    expect_code(CLI("exec", pidfile, "--", "/nonexistent/cmd"), 127);
    assert_non_null(strstr(rr.err, "No such file or directory"));
    if (access(pidfile, F_OK) == 0)
        fail_msg("a pidfile remains for a command that never ran");
}

/* ---- item 12 ------------------------------------------------------------- */

static void test_parse_refuses_a_boot_id_that_is_not_a_uuid(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    const char *bad[] = {"5\n1 not-a-uuid\n", "5\nstart=1 boot=not-a-uuid\n",
                         "5\n1 0B9C8F5E-3F4E-4B7A-9D2C-1A2B3C4D5E6F\n"};
    for (size_t i = 0; i < 3; i++) {
        if (procid_pidfile_parse(bad[i], strlen(bad[i]), &id, &e) == 0)
            fail_msg("accepted %s", bad[i]);
    }
    assert_non_null(strstr(e.msg, "boot id"));
}

static void test_parse_refuses_a_pid_above_the_platform_maximum(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_parse("4194304\n", 8, &id, &e), 0);
    assert_int_equal(procid_pidfile_parse("4194305\n", 8, &id, &e), -EINVAL);
    assert_non_null(strstr(e.msg, "4194304"));
}

static void test_write_accepts_a_250_byte_basename(void **state)
{
    (void)state;
    char p[PATH_MAX + 300];
    char base[251];
    memset(base, 'x', 250);
    base[250] = '\0';
    snprintf(p, sizeof p, "%s/%s", dir, base);
    procid_identity self;
    assert_int_equal(procid_self(&self), 0);
    int r = procid_pidfile_write(p, &self);
    if (r != 0)
        fail_msg("250-byte basename: %s", procid_strerror(r));
    assert_int_equal(dir_count(dir), 1);
}

static void test_strerror_names_any_errno_either_sign(void **state)
{
    (void)state;
    int errs[] = {ENAMETOOLONG, EMFILE, ENXIO, ESRCH};
    for (size_t i = 0; i < 4; i++) {
        const char *want = strerror(errs[i]);
        const char *neg = procid_strerror(-errs[i]);
        const char *pos = procid_strerror(errs[i]);
        if (strcasecmp(neg, want) != 0 && errs[i] != ESRCH)
            fail_msg("procid_strerror(-%d) = '%s', system says '%s'", errs[i],
                     neg, want);
        assert_string_equal(neg, pos);
    }
}

static void test_null_arguments_are_einval_not_a_crash(void **state)
{
    (void)state;
    procid_identity id;
    procid_state st;
    procid_handle *h = NULL;
    memset(&id, 0, sizeof id);
    id.pid = (int)getpid();
    assert_int_equal(procid_identity_of(1, NULL), -EINVAL);
    assert_int_equal(procid_self(NULL), -EINVAL);
    assert_int_equal(procid_identity_match(NULL, &id), 0);
    assert_int_equal(procid_pidfile_format(NULL, (char[8]){0}, 8), -EINVAL);
    assert_int_equal(procid_pidfile_format(&id, NULL, 8), -EINVAL);
    assert_int_equal(procid_pidfile_parse(NULL, 3, &id, NULL), -EINVAL);
    assert_int_equal(procid_pidfile_parse("1\n", 2, NULL, NULL), -EINVAL);
    assert_int_equal(procid_pidfile_write(NULL, &id), -EINVAL);
    assert_int_equal(procid_pidfile_write(pidfile, NULL), -EINVAL);
    assert_int_equal(procid_pidfile_read(NULL, 0, &id, NULL), -EINVAL);
    assert_int_equal(procid_pidfile_read(pidfile, 0, NULL, NULL), -EINVAL);
    assert_int_equal(procid_check(NULL, &st), -EINVAL);
    assert_int_equal(procid_check(&id, NULL), -EINVAL);
    assert_int_equal(procid_signal(NULL, 0, NULL), -EINVAL);
    assert_int_equal(procid_open(NULL, 0, &h, NULL), -EINVAL);
    assert_int_equal(procid_open(&id, 0, NULL, NULL), -EINVAL);
    assert_int_equal(procid_handle_alive(NULL), -EINVAL);
    assert_int_equal(procid_handle_signal(NULL, 0), -EINVAL);
    assert_int_equal(procid_handle_wait(NULL, 0), -EINVAL);
    assert_null(procid_handle_identity(NULL));
    assert_int_equal(access(pidfile, F_OK), -1);
}

static void test_negative_wait_timeout_other_than_minus_one_is_einval(void **state)
{
    (void)state;
    procid_identity self;
    procid_handle *h;
    procid_state st;
    assert_int_equal(procid_self(&self), 0);
    assert_int_equal(procid_open(&self, 0, &h, &st), 0);
    assert_int_equal(procid_handle_wait(h, -5), -EINVAL);
    assert_int_equal(procid_handle_wait(h, 0), -ETIMEDOUT);
    procid_close(h);
}

/* Eight threads asking for identities while the boot id is first read:
   run under ThreadSanitizer (the PROCID_SANITIZE=thread build) any race on
   the cache is a report, and every answer must carry the same boot id. */
static procid_identity thread_ids[8];
static int thread_rc[8];
static pthread_barrier_t start_line;

static void *identity_thread(void *arg)
{
    int i = (int)(intptr_t)arg;
    pthread_barrier_wait(&start_line); /* all eight at the empty cache */
    thread_rc[i] = procid_self(&thread_ids[i]);
    return NULL;
}

static void test_boot_id_cache_is_race_free_across_eight_threads(void **state)
{
    (void)state;
    assert_int_equal(pthread_barrier_init(&start_line, NULL, 8), 0);
    for (int round = 0; round < 100; round++) {
        procid__linux_set_proc_root(NULL); /* forget the cached boot id */
        pthread_t t[8];
        for (int i = 0; i < 8; i++)
            assert_int_equal(pthread_create(&t[i], NULL, identity_thread,
                                            (void *)(intptr_t)i), 0);
        for (int i = 0; i < 8; i++)
            pthread_join(t[i], NULL);
        for (int i = 0; i < 8; i++) {
            assert_int_equal(thread_rc[i], 0);
            assert_true(thread_ids[i].have & PROCID_HAVE_BOOT);
            assert_string_equal(thread_ids[i].boot, thread_ids[0].boot);
        }
    }
    pthread_barrier_destroy(&start_line);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_shell_kill_of_the_pidfile_signals_line_one_and_no_bystander),
        T(test_right_inode_with_wrong_start_is_never_running_or_signalled),
        T(test_unreadable_boot_id_is_an_error_and_is_not_cached),
        T(test_without_pidfd_a_record_with_an_inode_is_not_signalled),
        T(test_cli_stop_under_a_seccomp_filter_fails_closed_with_a_reason),
        T(test_proc_of_another_pid_namespace_is_refused),
        T(test_reader_in_another_time_namespace_neither_signals_nor_removes),
        T(test_pidfile_in_a_directory_others_can_write_is_refused),
        T(test_stop_remove_keeps_a_pidfile_rewritten_in_place),
        T(test_stop_retry_timeout_beyond_int_ms_is_capped_not_wrapped),
        T(test_process_whose_leader_thread_exited_is_running),
        T(test_write_refuses_to_replace_a_fifo_or_a_device_node),
        T(test_write_refuses_to_replace_a_socket_or_a_symlink),
        T(test_pidfile_remove_removes_only_the_record_it_was_given),
        T(test_write_whose_directory_fsync_fails_after_rename_succeeds_with_a_warning),
        T(test_write_without_a_pid_is_a_usage_error),
        T(test_an_empty_file_argument_is_a_usage_error_everywhere),
        T(test_exec_that_cannot_run_the_command_leaves_no_pidfile),
        T(test_parse_refuses_a_boot_id_that_is_not_a_uuid),
        T(test_parse_refuses_a_pid_above_the_platform_maximum),
        T(test_write_accepts_a_250_byte_basename),
        T(test_strerror_names_any_errno_either_sign),
        T(test_null_arguments_are_einval_not_a_crash),
        T(test_boot_id_cache_is_race_free_across_eight_threads),
        T(test_negative_wait_timeout_other_than_minus_one_is_einval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
