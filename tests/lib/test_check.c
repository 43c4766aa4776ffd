/*
 * test_check.c - identity, check, signal and held handles against real
 * processes; a fake proc root for the answers the real one will not give
 * (another boot, EACCES, a truncated stat line).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "linux_internal.h"
#include "proc_raw.h"
#include "procid.h"

static char dir[PATH_MAX];

static int setup(void **state)
{
    (void)state;
    return tmpdir_make(dir, sizeof dir) < 0 ? -1 : 0;
}

static int teardown(void **state)
{
    (void)state;
    procid__linux_set_proc_root(NULL);
    procid__linux_set_pidfd(1);
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

static int setup_fallback(void **state)
{
    procid__linux_set_pidfd(0);
    return setup(state);
}

static void assert_killed_by(int status, int sig)
{
    if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
        fail_msg("wait status %#x: expected death by signal %d, got %s %d",
                 status, sig, WIFSIGNALED(status) ? "signal" : "exit",
                 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
}

/* Killed with SIGKILL by the test, so nothing fatal reached it before. */
static void assert_was_not_signalled(child *c)
{
    assert_killed_by(child_kill(c), SIGKILL);
}

static procid_state check_state(const procid_identity *id)
{
    procid_state st = (procid_state)-1;
    int r = procid_check(id, &st);
    /* without pidfds a record's inode cannot be checked: a weaker answer */
    if (r == PROCID_CHECK_WEAKER && st == PROCID_RUNNING)
        r = 0;
    if (r != 0)
        fail_msg("procid_check(pid %d): %d (%s)", id->pid, r, procid_strerror(r));
    return st;
}

static void identity_of(pid_t pid, procid_identity *id)
{
    int r = procid_identity_of((int)pid, id);
    if (r != 0)
        fail_msg("procid_identity_of(%d): %d (%s)", (int)pid, r, procid_strerror(r));
}

/* ---- live, dead, zombie ------------------------------------------------ */

static void test_identity_of_live_child_has_start_boot_and_ino(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    assert_int_equal(id.pid, c.pid);
    assert_true(id.have & PROCID_HAVE_START);
    assert_true(id.have & PROCID_HAVE_BOOT);
    assert_true(strlen(id.boot) > 0);
    if (!(id.have & PROCID_HAVE_INO))
        printf("note: no pidfs inode on this kernel\n");
    uint64_t start;
    assert_int_equal(raw_start_ticks(c.pid, &start), 0);
    assert_true(id.start == start);
}

static void test_check_reports_live_child_as_running(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    assert_int_equal(check_state(&id), PROCID_RUNNING);
}

static void test_self_is_running(void **state)
{
    (void)state;
    procid_identity id;
    assert_int_equal(procid_self(&id), 0);
    assert_int_equal(id.pid, getpid());
    assert_int_equal(check_state(&id), PROCID_RUNNING);
}

static void test_check_reports_exited_and_reaped_child_as_dead(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    child_release(&c);
    assert_int_equal(child_reap(&c), 0);
    assert_int_equal(check_state(&id), PROCID_DEAD);
    assert_int_equal(procid_identity_of(id.pid, &id), -ESRCH);
}

static void test_check_reports_zombie_as_dead(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    child_release(&c);
    assert_int_equal(child_wait_exited(&c), 0); /* exited, not reaped */
    char line[512];
    assert_int_equal(raw_stat_line(c.pid, line, sizeof line), 0);
    assert_non_null(strstr(line, ") Z "));
    assert_int_equal(check_state(&id), PROCID_DEAD);
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_signal(&id, SIGTERM, &st), -ESRCH);
    assert_int_equal(st, PROCID_DEAD);
    procid_identity z;
    assert_int_equal(procid_identity_of(c.pid, &z), -ESRCH);
    assert_int_equal(child_reap(&c), 0);
}

static void test_check_parses_command_name_with_paren_z_1_1(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, ") Z 1 1"), 0);
    char line[512];
    assert_int_equal(raw_stat_line(c.pid, line, sizeof line), 0);
    /* the trap is really there: a naive parser sees state Z */
    assert_non_null(strstr(line, "() Z 1 1) ")); /* then the real state */
    uint64_t start;
    assert_int_equal(raw_start_ticks(c.pid, &start), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    assert_true(id.start == start);
    assert_int_equal(check_state(&id), PROCID_RUNNING);
    id.have &= ~PROCID_HAVE_INO; /* judged by the start time alone */
    assert_int_equal(check_state(&id), PROCID_RUNNING);
}

/* ---- recycled ---------------------------------------------------------- */

static void test_check_reports_other_boot_as_recycled_and_signal_refuses(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    strcpy(id.boot, "00000000-1111-2222-3333-444444444444");
    assert_int_equal(check_state(&id), PROCID_RECYCLED);
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_signal(&id, SIGTERM, &st), -ESRCH);
    assert_int_equal(st, PROCID_RECYCLED);
    assert_was_not_signalled(&c);
}

static void test_check_reports_wrong_start_as_recycled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    id.have &= ~PROCID_HAVE_INO;
    id.start += 1;
    assert_int_equal(check_state(&id), PROCID_RECYCLED);
    assert_int_equal(procid_signal(&id, SIGTERM, NULL), -ESRCH);
    assert_was_not_signalled(&c);
}

static void test_check_reports_wrong_ino_as_recycled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    if (!(id.have & PROCID_HAVE_INO)) {
        printf("SKIP: this kernel has no pidfs inode\n");
        skip();
    }
    id.ino += 1; /* start and boot still right */
    assert_int_equal(check_state(&id), PROCID_RECYCLED);
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_signal(&id, SIGTERM, &st), -ESRCH);
    assert_int_equal(st, PROCID_RECYCLED);
    assert_was_not_signalled(&c);
}

static void test_signal_delivers_to_the_verified_process(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    procid_state st = PROCID_DEAD;
    assert_int_equal(procid_signal(&id, SIGTERM, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
    assert_killed_by(child_reap(&c), SIGTERM);
}

/* ---- fake proc root: another boot, EACCES, truncated lines ------------- */

/* Build <dir>/fake/<pid>/stat and <dir>/fake/sys/kernel/random/boot_id. */
static void fake_root(char *root, size_t cap, pid_t pid, const char *stat_text,
                      const char *boot)
{
    char p[PATH_MAX + 128];
    snprintf(root, cap, "%s/fake", dir);
    assert_int_equal(mkdir(root, 0755), 0);
    snprintf(p, sizeof p, "%s/%d", root, (int)pid);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/%d/stat", root, (int)pid);
    assert_int_equal(file_put(p, stat_text, strlen(stat_text)), 0);
    snprintf(p, sizeof p, "%s/sys", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sys/kernel", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sys/kernel/random", root);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/sys/kernel/random/boot_id", root);
    char line[PROCID_BOOT_MAX + 2];
    snprintf(line, sizeof line, "%s\n", boot);
    assert_int_equal(file_put(p, line, strlen(line)), 0);
}

/* A stat line as the kernel writes it, with start in field 22. */
static void stat_text(char *buf, size_t cap, pid_t pid, const char *comm,
                      char st, uint64_t start)
{
    snprintf(buf, cap,
             "%d (%s) %c 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 %llu "
             "23 24 25\n",
             (int)pid, comm, st, (unsigned long long)start);
}

static void test_check_with_fake_root_reports_changed_start_as_recycled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    char text[256], root[PATH_MAX + 16];
    stat_text(text, sizeof text, c.pid, "impostor", 'S', id.start + 100);
    fake_root(root, sizeof root, c.pid, text, id.boot);
    procid__linux_set_proc_root(root);
    id.have &= ~PROCID_HAVE_INO;
    assert_int_equal(check_state(&id), PROCID_RECYCLED);
    /* and with the start the record has, the same fake root says RUNNING */
    stat_text(text, sizeof text, c.pid, "same", 'S', id.start);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%d/stat", root, (int)c.pid);
    assert_int_equal(file_put(p, text, strlen(text)), 0);
    assert_int_equal(check_state(&id), PROCID_RUNNING);
    assert_int_equal(procid_signal(&id, 0, NULL), 0);
}

static void test_check_with_fake_root_reports_other_boot_id_as_recycled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    char text[256], root[PATH_MAX + 16];
    stat_text(text, sizeof text, c.pid, "sleeper", 'S', id.start);
    /* the machine rebooted since the record was written */
    fake_root(root, sizeof root, c.pid, text, "abcdef01-2345-6789-abcd-ef0123456789");
    procid__linux_set_proc_root(root);
    assert_int_equal(check_state(&id), PROCID_RECYCLED);
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_signal(&id, SIGTERM, &st), -ESRCH);
    assert_int_equal(st, PROCID_RECYCLED);
    assert_was_not_signalled(&c);
}

static void test_check_with_truncated_stat_line_is_an_error_not_recycled(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    char text[256], root[PATH_MAX + 16];
    snprintf(text, sizeof text, "%d (sleeper) S 1 2 3 4 5 6 7", (int)c.pid);
    fake_root(root, sizeof root, c.pid, text, id.boot);
    procid__linux_set_proc_root(root);
    id.have &= ~PROCID_HAVE_INO;
    procid_state st = (procid_state)-1;
    int r = procid_check(&id, &st);
    assert_true(r < 0);
    assert_int_equal((int)st, -1);
    assert_true(procid_signal(&id, SIGTERM, NULL) < 0);
    assert_was_not_signalled(&c);
}

typedef struct eacces_case {
    procid_identity id;
    char root[PATH_MAX + 16];
} eacces_case;

/* In a child without DAC override: the stat file is mode 000. */
static int check_and_signal_without_permission(void *arg)
{
    eacces_case *ec = arg;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%d/stat", ec->root, ec->id.pid);
    if (drop_dac_caps() < 0)
        return 90;
    int fd = open(p, O_RDONLY);
    if (fd >= 0 || errno != EACCES)
        return 91; /* the setup did not produce EACCES */
    procid__linux_set_proc_root(ec->root);
    procid_state st = (procid_state)-1;
    if (procid_check(&ec->id, &st) != -EACCES)
        return 1;
    if ((int)st != -1)
        return 2; /* never RECYCLED, nor anything else */
    procid_state sst = PROCID_RUNNING;
    if (procid_signal(&ec->id, SIGTERM, &sst) != -EACCES)
        return 3; /* fails closed */
    procid_handle *h = NULL;
    if (procid_open(&ec->id, 0, &h, &sst) != -EACCES || h != NULL)
        return 4;
    return 0;
}

static void test_check_and_signal_fail_closed_on_eacces(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    eacces_case ec;
    identity_of(c.pid, &ec.id);
    ec.id.have &= ~PROCID_HAVE_INO; /* force a stat read */
    char text[256];
    stat_text(text, sizeof text, c.pid, "sleeper", 'S', ec.id.start);
    fake_root(ec.root, sizeof ec.root, c.pid, text, ec.id.boot);
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/%d/stat", ec.root, (int)c.pid);
    assert_int_equal(chmod(p, 0), 0);
    int code = run_in_child(check_and_signal_without_permission, &ec);
    if (code == 90 || code == 91) {
        printf("SKIP: cannot make the stat file unreadable here (code %d)\n", code);
        skip();
    }
    if (code != 0)
        fail_msg("EACCES case failed at step %d", code);
    /* The reader kept uid 0, so a signal would have been delivered. */
    assert_was_not_signalled(&c);
}

static void test_check_of_live_process_without_stat_is_eacces_not_dead(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    char text[256], root[PATH_MAX + 16], p[PATH_MAX + 64];
    stat_text(text, sizeof text, c.pid, "sleeper", 'S', id.start);
    fake_root(root, sizeof root, c.pid, text, id.boot);
    snprintf(p, sizeof p, "%s/%d/stat", root, (int)c.pid);
    assert_int_equal(unlink(p), 0); /* what hidepid= shows: nothing */
    procid__linux_set_proc_root(root);
    id.have &= ~PROCID_HAVE_INO;
    procid_state st = (procid_state)-1;
    assert_int_equal(procid_check(&id, &st), -EACCES);
    assert_int_equal((int)st, -1);
    assert_int_equal(procid_signal(&id, SIGTERM, NULL), -EACCES);
    assert_was_not_signalled(&c);
}

typedef struct hidden_case {
    procid_identity id;
    int pidfd;
} hidden_case;

/* A new proc mount with hidepid=invisible, seen by an unprivileged uid. */
static int check_process_hidden_by_hidepid(void *arg)
{
    hidden_case *hc = arg;
    if (unshare(CLONE_NEWNS) < 0 || raw_mount_proc_hidepid() < 0)
        return 90;
    if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
        return 91;
    char line[512];
    if (raw_stat_line(hc->id.pid, line, sizeof line) != -ENOENT)
        return 92; /* not hidden: the setup did not work */
    procid__linux_set_pidfd(hc->pidfd);
    procid_identity no_ino = hc->id;
    no_ino.have &= ~PROCID_HAVE_INO;
    procid_state st = (procid_state)-1;
    if (procid_check(&no_ino, &st) != -EACCES || (int)st != -1)
        return 1; /* a hidden process is not a dead one */
    if (procid_signal(&no_ino, SIGTERM, &st) != -EACCES)
        return 2;
    if (hc->pidfd && (hc->id.have & PROCID_HAVE_INO)) {
        /* the inode never stands in for the start time, which /proc hides */
        if (procid_check(&hc->id, &st) != -EACCES)
            return 3;
    }
    return 0;
}

static void test_check_of_process_hidden_by_hidepid_is_eacces_not_dead(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        printf("SKIP: mounting proc with hidepid= and switching uid need root "
               "(running as uid %lu)\n",
               (unsigned long)geteuid());
        skip();
    }
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    hidden_case hc;
    identity_of(c.pid, &hc.id);
    for (hc.pidfd = 1; hc.pidfd >= 0; hc.pidfd--) {
        int code = run_in_child(check_process_hidden_by_hidepid, &hc);
        if (code >= 90 && code <= 92) {
            printf("SKIP: cannot set up a hidepid proc mount here (step %d)\n", code);
            skip();
        }
        if (code != 0)
            fail_msg("hidepid case (pidfd %d) failed at step %d", hc.pidfd, code);
    }
    assert_was_not_signalled(&c);
}

static void test_fallback_live_process_without_stat_is_eacces_not_dead(void **state)
{
    test_check_of_live_process_without_stat_is_eacces_not_dead(state);
}

/* ---- the fallback without pidfds -------------------------------------- */

static void test_fallback_without_pidfd_gives_the_same_answers(void **state)
{
    (void)state;
    child c, z;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    assert_int_equal(child_spawn(&z, 0, NULL), 0);
    procid__linux_set_pidfd(1);
    procid_identity with_ino, zid;
    identity_of(c.pid, &with_ino);
    identity_of(z.pid, &zid);
    procid__linux_set_pidfd(0);

    procid_identity id;
    identity_of(c.pid, &id);
    assert_false(id.have & PROCID_HAVE_INO);
    assert_true(id.start == with_ino.start);
    assert_int_equal(check_state(&id), PROCID_RUNNING);
    assert_int_equal(check_state(&with_ino), PROCID_RUNNING);

    procid_identity wrong = with_ino;
    wrong.start += 1;
    assert_int_equal(check_state(&wrong), PROCID_RECYCLED);
    wrong = with_ino;
    strcpy(wrong.boot, "00000000-1111-2222-3333-444444444444");
    assert_int_equal(check_state(&wrong), PROCID_RECYCLED);
    assert_int_equal(procid_signal(&wrong, SIGTERM, NULL), -ESRCH);

    child_release(&z);
    assert_int_equal(child_wait_exited(&z), 0);
    assert_int_equal(check_state(&zid), PROCID_DEAD); /* zombie */
    assert_int_equal(child_reap(&z), 0);
    assert_int_equal(check_state(&zid), PROCID_DEAD); /* gone */

    /* the record's inode cannot be checked now: signalling fails closed,
       unless the caller accepts the weaker match explicitly */
    procid_state st;
    assert_int_equal(procid_check(&with_ino, &st), PROCID_CHECK_WEAKER);
    assert_int_equal(st, PROCID_RUNNING);
    assert_int_equal(procid_signal(&with_ino, SIGTERM, NULL), -ENOTSUP);
    procid_handle *h;
    assert_int_equal(procid_open(&with_ino, 0, &h, &st), -ENOTSUP);
    assert_null(h);
    assert_int_equal(procid_open(&with_ino, PROCID_OPEN_WEAKER, &h, &st), 0);
    assert_int_equal(procid_handle_signal(h, SIGTERM), 0);
    procid_close(h);
    assert_killed_by(child_reap(&c), SIGTERM);
}

static void test_fallback_handle_waits_for_exit(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    procid_handle *h;
    assert_int_equal(procid_open(&id, 0, &h, NULL), 0);
    assert_int_equal(procid_handle_alive(h), 1);
    assert_int_equal(procid_handle_wait(h, 30), -ETIMEDOUT);
    child_release(&c);
    assert_int_equal(procid_handle_wait(h, 10000), 0);
    assert_int_equal(procid_handle_alive(h), 0);
    procid_close(h);
    assert_int_equal(child_reap(&c), 0);
}

/* ---- pid <= 0 ---------------------------------------------------------- */

static void test_nonpositive_pid_is_einval_everywhere(void **state)
{
    (void)state;
    procid_identity id;
    assert_int_equal(procid_identity_of(0, &id), -EINVAL);
    assert_int_equal(procid_identity_of(-1, &id), -EINVAL);
    assert_int_equal(procid_identity_of(INT_MIN, &id), -EINVAL);
    int pids[] = {0, -1, -2, INT_MIN};
    for (size_t i = 0; i < sizeof pids / sizeof pids[0]; i++) {
        memset(&id, 0, sizeof id);
        id.pid = pids[i];
        procid_state st;
        assert_int_equal(procid_check(&id, &st), -EINVAL);
        id.have = PROCID_HAVE_START;
        assert_int_equal(procid_check(&id, &st), -EINVAL);
        /* signal 0 only: a broken library must not kill(-1, SIGTERM) here */
        assert_int_equal(procid_signal(&id, 0, NULL), -EINVAL);
        procid_handle *h = NULL;
        assert_int_equal(procid_open(&id, 1, &h, &st), -EINVAL);
        assert_null(h);
    }
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig) { (void)sig; got_usr1 = 1; }

/* In its own process group: kill(0, SIGUSR1) would hit this very process. */
static int signal_pid_zero_in_own_group(void *arg)
{
    (void)arg;
    if (setpgid(0, 0) < 0)
        return 90;
    signal(SIGUSR1, on_usr1);
    procid_identity id;
    memset(&id, 0, sizeof id);
    id.pid = 0;
    if (procid_signal(&id, SIGUSR1, NULL) != -EINVAL)
        return 1;
    id.have = PROCID_HAVE_START;
    if (procid_signal(&id, SIGUSR1, NULL) != -EINVAL)
        return 2;
    return got_usr1 ? 3 : 0;
}

static void test_signal_never_reaches_pid_zero(void **state)
{
    (void)state;
    assert_int_equal(run_in_child(signal_pid_zero_in_own_group, NULL), 0);
}

/* ---- held handles ------------------------------------------------------ */

static void test_handle_alive_until_child_exits(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    procid_handle *h = NULL;
    procid_state st = PROCID_DEAD;
    assert_int_equal(procid_open(&id, 0, &h, &st), 0);
    assert_non_null(h);
    assert_int_equal(st, PROCID_RUNNING);
    assert_int_equal(procid_handle_identity(h)->pid, c.pid);
    assert_int_equal(procid_handle_alive(h), 1);
    child_release(&c);
    assert_int_equal(child_wait_exited(&c), 0);
    assert_int_equal(procid_handle_alive(h), 0); /* zombie */
    assert_int_equal(procid_handle_signal(h, SIGTERM), -ESRCH);
    assert_int_equal(child_reap(&c), 0);
    assert_int_equal(procid_handle_alive(h), 0); /* reaped */
    procid_close(h);
}

static void test_handle_wait_returns_when_child_exits(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    procid_handle *h;
    assert_int_equal(procid_open(&id, 0, &h, NULL), 0);
    child_release(&c);
    assert_int_equal(procid_handle_wait(h, 10000), 0);
    assert_int_equal(procid_handle_alive(h), 0);
    procid_close(h);
    assert_int_equal(child_reap(&c), 0);
}

static void test_handle_wait_times_out_while_process_runs(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    procid_handle *h;
    assert_int_equal(procid_open(&id, 0, &h, NULL), 0);
    assert_int_equal(procid_handle_wait(h, 50), -ETIMEDOUT);
    assert_int_equal(procid_handle_wait(h, 0), -ETIMEDOUT);
    assert_int_equal(procid_handle_alive(h), 1);
    procid_close(h);
}

/* A grandchild: not ours to waitpid(), reparented once its parent exits. */
static void spawn_grandchild(pid_t *pid, int *ctl)
{
    int info[2], go[2];
    assert_int_equal(pipe(info), 0);
    assert_int_equal(pipe(go), 0);
    pid_t mid = fork();
    assert_true(mid >= 0);
    if (mid == 0) {
        pid_t g = fork();
        if (g == 0) {
            close(info[0]);
            close(info[1]);
            close(go[1]);
            char b;
            while (read(go[0], &b, 1) < 0 && errno == EINTR)
                ;
            _exit(0);
        }
        _exit(write(info[1], &g, sizeof g) == (ssize_t)sizeof g ? 0 : 1);
    }
    close(info[1]);
    close(go[0]);
    int status;
    assert_int_equal(waitpid(mid, &status, 0), mid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    assert_int_equal(read(info[0], pid, sizeof *pid), (ssize_t)sizeof *pid);
    close(info[0]);
    *ctl = go[1];
}

static void test_handle_wait_works_for_a_non_child(void **state)
{
    (void)state;
    pid_t g;
    int ctl;
    spawn_grandchild(&g, &ctl);
    assert_int_equal(waitpid(g, NULL, WNOHANG), -1); /* not our child */
    assert_int_equal(errno, ECHILD);
    procid_identity id;
    identity_of(g, &id);
    procid_handle *h;
    assert_int_equal(procid_open(&id, 0, &h, NULL), 0);
    assert_int_equal(procid_handle_wait(h, 20), -ETIMEDOUT);
    close(ctl); /* EOF: the grandchild exits */
    assert_int_equal(procid_handle_wait(h, 10000), 0);
    assert_int_equal(procid_handle_alive(h), 0);
    procid_close(h);
}

static void test_open_refuses_unverified_unless_allowed(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    memset(&id, 0, sizeof id);
    id.pid = c.pid; /* legacy: pid only */
    procid_handle *h = NULL;
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_open(&id, 0, &h, &st), -EPERM);
    assert_null(h);
    assert_int_equal(st, PROCID_UNVERIFIED);
    assert_int_equal(procid_open(&id, 1, &h, &st), 0);
    assert_int_equal(procid_handle_alive(h), 1);
    procid_close(h);
    assert_was_not_signalled(&c);
}

static void test_open_of_recycled_identity_returns_esrch_and_no_handle(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    identity_of(c.pid, &id);
    id.start += 7;
    id.have &= ~PROCID_HAVE_INO;
    procid_handle *h = (procid_handle *)&id;
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_open(&id, 1, &h, &st), -ESRCH);
    assert_null(h);
    assert_int_equal(st, PROCID_RECYCLED);
}

/* ---- the stat-line parser ---------------------------------------------- */

static int parse(const char *line, uint64_t *start, char *st)
{
    return procid__linux_parse_stat(line, strlen(line), start, st);
}

static void test_parse_stat_reads_field_22_and_state(void **state)
{
    (void)state;
    char line[256];
    uint64_t start = 0;
    char st = 0;
    stat_text(line, sizeof line, 1234, "cat", 'S', 987654321);
    assert_int_equal(parse(line, &start, &st), 0);
    assert_true(start == 987654321);
    assert_int_equal(st, 'S');
    stat_text(line, sizeof line, 1234, "a b", 'R', 18446744073709551615ULL);
    assert_int_equal(parse(line, &start, &st), 0);
    assert_true(start == UINT64_MAX);
    assert_int_equal(st, 'R');
    /* without the trailing newline, and ending right after field 22 */
    assert_int_equal(parse("1 (x) Z 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 5",
                           &start, &st),
                     0);
    assert_true(start == 5);
    assert_int_equal(st, 'Z');
}

static void test_parse_stat_counts_fields_after_the_last_paren(void **state)
{
    (void)state;
    char line[256];
    uint64_t start = 0;
    char st = 0;
    stat_text(line, sizeof line, 77, ") Z 1 1", 'S', 4242);
    assert_int_equal(parse(line, &start, &st), 0);
    assert_int_equal(st, 'S');
    assert_true(start == 4242);
    stat_text(line, sizeof line, 77, "x) R 1 2 3 4 5 6", 'D', 99);
    assert_int_equal(parse(line, &start, &st), 0);
    assert_int_equal(st, 'D');
    assert_true(start == 99);
    stat_text(line, sizeof line, 77, "((()))", 'S', 1);
    assert_int_equal(parse(line, &start, &st), 0);
    assert_true(start == 1);
}

static void test_parse_stat_rejects_lines_the_kernel_never_writes(void **state)
{
    (void)state;
    uint64_t start = 42;
    char st = '?';
    const char *bad[] = {
        "",
        "1 (no close paren S 1 2 3",
        "1 (x) S 1 2 3 4 5 6 7",                                      /* truncated */
        "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18",       /* no field 22 */
        "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 ",      /* empty field 22 */
        "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 12a 1", /* not a number */
        "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -1 1",  /* sign */
        "1 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 18446744073709551616 1",
        "1 (x) SS 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 5 1", /* state */
        "1 (x)  S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 5 1", /* double space */
        "1 (x)S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 5 1",   /* no space */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (parse(bad[i], &start, &st) != -EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
}

/* The same behaviours with pidfds switched off (setup_fallback). */
static void test_fallback_check_and_signal_fail_closed_on_eacces(void **state)
{
    test_check_and_signal_fail_closed_on_eacces(state);
}

static void test_fallback_truncated_stat_line_is_an_error_not_recycled(void **state)
{
    test_check_with_truncated_stat_line_is_an_error_not_recycled(state);
}

static void test_fallback_handle_wait_works_for_a_non_child(void **state)
{
    test_handle_wait_works_for_a_non_child(state);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
#define TF(f) cmocka_unit_test_setup_teardown(f, setup_fallback, teardown)
    const struct CMUnitTest tests[] = {
        T(test_identity_of_live_child_has_start_boot_and_ino),
        T(test_check_reports_live_child_as_running),
        T(test_self_is_running),
        T(test_check_reports_exited_and_reaped_child_as_dead),
        T(test_check_reports_zombie_as_dead),
        T(test_check_parses_command_name_with_paren_z_1_1),
        T(test_check_reports_other_boot_as_recycled_and_signal_refuses),
        T(test_check_reports_wrong_start_as_recycled),
        T(test_check_reports_wrong_ino_as_recycled),
        T(test_signal_delivers_to_the_verified_process),
        T(test_check_with_fake_root_reports_changed_start_as_recycled),
        T(test_check_with_fake_root_reports_other_boot_id_as_recycled),
        T(test_check_with_truncated_stat_line_is_an_error_not_recycled),
        T(test_check_and_signal_fail_closed_on_eacces),
        T(test_check_of_live_process_without_stat_is_eacces_not_dead),
        TF(test_fallback_live_process_without_stat_is_eacces_not_dead),
        T(test_check_of_process_hidden_by_hidepid_is_eacces_not_dead),
        TF(test_fallback_without_pidfd_gives_the_same_answers),
        TF(test_fallback_handle_waits_for_exit),
        TF(test_fallback_check_and_signal_fail_closed_on_eacces),
        TF(test_fallback_truncated_stat_line_is_an_error_not_recycled),
        T(test_nonpositive_pid_is_einval_everywhere),
        T(test_signal_never_reaches_pid_zero),
        T(test_handle_alive_until_child_exits),
        T(test_handle_wait_returns_when_child_exits),
        T(test_handle_wait_times_out_while_process_runs),
        T(test_handle_wait_works_for_a_non_child),
        TF(test_fallback_handle_wait_works_for_a_non_child),
        T(test_open_refuses_unverified_unless_allowed),
        T(test_open_of_recycled_identity_returns_esrch_and_no_handle),
        T(test_parse_stat_reads_field_22_and_state),
        T(test_parse_stat_counts_fields_after_the_last_paren),
        T(test_parse_stat_rejects_lines_the_kernel_never_writes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
