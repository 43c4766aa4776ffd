/*
 * test_match.c - --exec, --name and --user (procid_check_match,
 * procid_open_match, and the CLI's status, stop and signal) against real
 * children: a legacy pid-only pidfile whose process matches is acted on, one
 * whose process does not is RECYCLED and nothing is signalled.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "procid.h"

static char dir[PATH_MAX], pidfile[PATH_MAX + 16], self_exe[PATH_MAX];
static run_result rr;

#define CLI(...) run_cli(&rr, __VA_ARGS__, (char *)NULL)

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(pidfile, sizeof pidfile, "%s/legacy.pid", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
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

/* A child named "matchme" and its bare-PID pidfile. */
static void legacy_child(child *c, procid_identity *id)
{
    char buf[32];
    assert_int_equal(child_spawn(c, 0, "matchme"), 0);
    int n = snprintf(buf, sizeof buf, "%d\n", (int)c->pid);
    assert_int_equal(file_put(pidfile, buf, (size_t)n), 0);
    memset(id, 0, sizeof *id);
    id->pid = (int)c->pid;
}

static void assert_was_not_signalled(child *c)
{
    int st = child_kill(c);
    assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void test_legacy_record_matched_by_exec_name_user_is_running(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    legacy_child(&c, &id);
    procid_match m = {.exec = self_exe,
                      .name = "matchme",
                      .has_uid = 1,
                      .uid = (unsigned long)getuid()};
    procid_state st = (procid_state)-1;
    assert_int_equal(procid_check_match(&id, &m, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
}

static void test_legacy_record_failing_one_condition_is_recycled(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    legacy_child(&c, &id);
    procid_match by_exec = {.exec = "/bin/sh"};
    procid_match by_name = {.name = "other"};
    procid_match by_user = {.has_uid = 1, .uid = (unsigned long)getuid() + 1};
    const procid_match *ms[] = {&by_exec, &by_name, &by_user};
    for (size_t i = 0; i < 3; i++) {
        procid_state st = (procid_state)-1;
        procid_handle *h = (procid_handle *)&st;
        assert_int_equal(procid_check_match(&id, ms[i], &st), 0);
        assert_int_equal(st, PROCID_RECYCLED);
        assert_int_equal(procid_open_match(&id, ms[i], 0, &h, &st), -ESRCH);
        assert_null(h);
        assert_int_equal(st, PROCID_RECYCLED);
    }
    assert_was_not_signalled(&c);
}

static void test_open_match_holds_the_live_identity_of_a_legacy_record(void **s)
{
    (void)s;
    child c;
    procid_identity id, live;
    legacy_child(&c, &id);
    assert_int_equal(procid_identity_of(id.pid, &live), 0);
    procid_match m = {.name = "matchme"};
    procid_handle *h = NULL;
    procid_state st;
    assert_int_equal(procid_open_match(&id, &m, 0, &h, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
    const procid_identity *held = procid_handle_identity(h);
    assert_true(held->have & PROCID_HAVE_START);
    assert_true(procid_identity_match(held, &live));
    assert_int_equal(procid_handle_signal(h, SIGTERM), 0);
    procid_close(h);
    int wst = child_reap(&c);
    assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGTERM);
}

static void test_full_record_with_a_failed_condition_is_recycled(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    assert_int_equal(child_spawn(&c, 0, "matchme"), 0);
    assert_int_equal(procid_identity_of((int)c.pid, &id), 0);
    procid_match m = {.name = "other"};
    procid_state st;
    assert_int_equal(procid_check_match(&id, &m, &st), 0);
    assert_int_equal(st, PROCID_RECYCLED);
    m.name = "matchme";
    assert_int_equal(procid_check_match(&id, &m, &st), 0);
    assert_int_equal(st, PROCID_RUNNING);
}

static void test_cli_status_on_legacy_file_follows_the_match(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    legacy_child(&c, &id);
    expect_code(CLI("status", "--exec", self_exe, "--name", "matchme", pidfile),
                0);
    assert_non_null(strstr(rr.out, "running"));
    assert_null(strstr(rr.out, "unverified"));
    expect_code(CLI("status", "--exec", "/bin/sh", pidfile), 1);
}

static void test_cli_stop_signals_a_matched_legacy_process(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    legacy_child(&c, &id);
    expect_code(
        CLI("stop", "--name", "matchme", "--retry", "5", "--remove", pidfile),
        0);
    int wst = child_reap(&c);
    assert_true(WIFSIGNALED(wst) && WTERMSIG(wst) == SIGTERM);
    assert_int_equal(access(pidfile, F_OK), -1);
}

static void test_cli_stop_and_signal_spare_a_mismatched_legacy_process(void **s)
{
    (void)s;
    child c;
    procid_identity id;
    legacy_child(&c, &id);
    expect_code(CLI("stop", "--exec", "/bin/sh", pidfile), 0);
    assert_non_null(strstr(rr.out, "nothing signalled"));
    expect_code(CLI("signal", "--name", "other", pidfile, "TERM"), 0);
    assert_non_null(strstr(rr.out, "nothing signalled"));
    assert_was_not_signalled(&c);
}

int main(int argc, char **argv)
{
    (void)argc;
    if (realpath(argv[0], self_exe) == NULL) {
        perror(argv[0]);
        return 1;
    }
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_legacy_record_matched_by_exec_name_user_is_running),
        T(test_legacy_record_failing_one_condition_is_recycled),
        T(test_open_match_holds_the_live_identity_of_a_legacy_record),
        T(test_full_record_with_a_failed_condition_is_recycled),
        T(test_cli_status_on_legacy_file_follows_the_match),
        T(test_cli_stop_signals_a_matched_legacy_process),
        T(test_cli_stop_and_signal_spare_a_mismatched_legacy_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
