/*
 * test_cli.c - the procid command, run as a real binary against real
 * processes: output, exit codes, and files left exactly as they were.
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
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

#define CLI(...) run_cli(&rr, __VA_ARGS__, (char *)NULL)

static void expect_code(int got, int want)
{
    if (got != want)
        fail_msg("procid exited %d, expected %d\nstdout: %s\nstderr: %s", got,
                 want, rr.out, rr.err);
}

static void assert_killed_by(int status, int sig)
{
    if (!WIFSIGNALED(status) || WTERMSIG(status) != sig)
        fail_msg("wait status %#x: expected death by signal %d", status, sig);
}

static void assert_was_not_signalled(child *c)
{
    assert_killed_by(child_kill(c), SIGKILL);
}

/* Record a live child's identity in the pidfile. */
static void record(const child *c, procid_identity *out)
{
    procid_identity id;
    assert_int_equal(procid_identity_of(c->pid, &id), 0);
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    if (out != NULL)
        *out = id;
}

static void put(const char *text, size_t len)
{
    assert_int_equal(file_put(pidfile, text, len), 0);
    assert_int_equal(chmod(pidfile, 0644), 0);
}

static void take(file_snap *s, const char *p)
{
    assert_int_equal(file_snapshot(p, s), 0);
}

/* Bytes, inode, mode and mtime as in the snapshot: the file was not touched. */
static void assert_unchanged(const file_snap *s, const char *p)
{
    file_snap now;
    take(&now, p);
    const char *diff = file_snap_diff(s, &now);
    if (diff != NULL)
        fail_msg("%s: %s", p, diff);
}

/* ---- id and write ------------------------------------------------------ */

static void test_id_prints_line_2_of_a_pidfile_recording_the_process(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char arg[16], file[512];
    size_t len = 0;
    snprintf(arg, sizeof arg, "%d", (int)c.pid);
    expect_code(CLI("id", arg), 0);
    record(&c, NULL);
    assert_int_equal(file_get(pidfile, file, sizeof file - 1, &len), 0);
    file[len] = '\0';
    assert_string_equal(rr.out, strchr(file, '\n') + 1);
    assert_non_null(strstr(rr.out, "start="));
}

static void test_id_of_a_gone_process_exits_1(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    pid_t pid = c.pid;
    child_release(&c);
    assert_int_equal(child_reap(&c), 0);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", (int)pid);
    expect_code(CLI("id", arg), 1);
    assert_non_null(strstr(rr.err, arg));
}

static void test_write_records_the_calling_shell_given_as_dollar_dollar(void **state)
{
    (void)state;
    char *argv[] = {"/bin/sh", "-c", "\"$0\" write \"$1\" $$ && echo $$",
                    (char *)cli_path(), pidfile, NULL};
    assert_int_equal(run_argv(&rr, argv), 0);
    char *end;
    long shell = strtol(rr.out, &end, 10);
    assert_true(end != rr.out && *end == '\n');
    assert_true(shell > 0 && shell <= INT_MAX);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(pidfile, 0, &id, &e), 0);
    assert_int_equal(id.pid, shell);
    assert_true(id.have & PROCID_HAVE_START);
    assert_true(id.have & PROCID_HAVE_BOOT);
    /* the shell has exited and been reaped since */
    expect_code(CLI("status", pidfile), 1);
}

static void test_write_records_the_identity_of_the_given_pid(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char arg[16];
    snprintf(arg, sizeof arg, "%d", (int)c.pid);
    expect_code(CLI("write", pidfile, arg), 0);
    procid_identity want, got;
    procid_error e = {{0}};
    assert_int_equal(procid_identity_of(c.pid, &want), 0);
    assert_int_equal(procid_pidfile_read(pidfile, 0, &got, &e), 0);
    assert_int_equal(got.pid, want.pid);
    assert_int_equal(got.have, want.have);
    assert_true(got.start == want.start);
    assert_string_equal(got.boot, want.boot);
    assert_true(got.ino == want.ino);
    struct stat st;
    assert_int_equal(stat(pidfile, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    expect_code(CLI("status", pidfile), 0);
}

static void test_write_into_a_missing_directory_exits_1_naming_the_file(void **state)
{
    (void)state;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/missing/daemon.pid", dir);
    char self[16];
    snprintf(self, sizeof self, "%d", (int)getpid());
    expect_code(CLI("write", p, self), 1);
    assert_non_null(strstr(rr.err, p));
}

/* ---- status ------------------------------------------------------------ */

static void test_status_reports_a_running_process_as_0(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("status", pidfile), 0);
    assert_non_null(strstr(rr.out, "running"));
    expect_code(CLI("status", "--quiet", pidfile), 0);
    assert_string_equal(rr.out, "");
}

static void test_status_reports_a_dead_process_as_1(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    child_release(&c);
    assert_int_equal(child_reap(&c), 0);
    expect_code(CLI("status", pidfile), 1);
}

static void test_status_reports_a_zombie_as_1(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    child_release(&c);
    assert_int_equal(child_wait_exited(&c), 0);
    expect_code(CLI("status", pidfile), 1);
}

static void test_status_reports_recycled_pid_as_dead(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    record(&c, &id);
    id.ino += 1; /* same pid, start and boot: another process */
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    expect_code(CLI("status", pidfile), 1);
    assert_non_null(strstr(rr.out, "another process"));
    id.ino -= 1;
    id.have &= ~PROCID_HAVE_INO;
    id.start -= 1; /* an older process with this pid */
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    expect_code(CLI("status", pidfile), 1);
}

static void test_status_reports_a_pidfile_from_another_boot_as_dead(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    record(&c, &id);
    id.have &= ~PROCID_HAVE_INO;
    strcpy(id.boot, "00000000-1111-2222-3333-444444444444");
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    expect_code(CLI("status", pidfile), 1);
}

static void test_status_reports_a_missing_pidfile_as_3(void **state)
{
    (void)state;
    expect_code(CLI("status", pidfile), 3);
}

static const struct {
    const char *name, *bytes;
    size_t len; /* 0: strlen */
} bad_files[] = {
    {"empty", "", 0},
    {"garbage", "not a pid\n", 0},
    {"plus sign", "+1\n", 0},
    {"minus sign", "-1\n", 0},
    {"hex", "0x10\n", 0},
    {"pid 0", "0\n", 0},
    {"leading zero", "0123\n", 0},
    {"pid overflow", "2147483648\n", 0},
    {"start overflow", "1\n18446744073709551616 -\n", 0},
    {"extra fields", "1 2 3\n", 0},
    {"extra line", "1\n2 boot 3\n4\n", 0},
    {"NUL byte", "12\0\n", 4},
    {"missing boot", "1\n123\n", 0},
    {"bad ino", "1\n123 boot x\n", 0},
    {"ino 0", "1\n123 boot 0\n", 0},
    {"trailing space", "1\n123 boot \n", 0},
};

static void put_oversize(void)
{
    char big[300] = "1\n";
    memset(big + 2, '9', sizeof big - 2);
    put(big, sizeof big);
}

static void test_status_reports_every_malformed_pidfile_as_4_and_leaves_it_unchanged(void **state)
{
    (void)state;
    size_t n = sizeof bad_files / sizeof bad_files[0];
    for (size_t i = 0; i <= n; i++) {
        const char *name = i < n ? bad_files[i].name : "oversize";
        if (i < n)
            put(bad_files[i].bytes,
                bad_files[i].len ? bad_files[i].len : strlen(bad_files[i].bytes));
        else
            put_oversize();
        file_snap s;
        take(&s, pidfile);
        int code = CLI("status", pidfile);
        if (code != 4 || strstr(rr.err, pidfile) == NULL)
            fail_msg("%s: status exited %d, stderr \"%s\"", name, code, rr.err);
        assert_unchanged(&s, pidfile);
        code = CLI("stop", "--remove", pidfile);
        if (code != 4)
            fail_msg("%s: stop exited %d, stderr \"%s\"", name, code, rr.err);
        assert_unchanged(&s, pidfile);
    }
}

static void test_status_reports_a_world_writable_pidfile_as_4_and_leaves_it_unchanged(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    assert_int_equal(chmod(pidfile, 0666), 0);
    file_snap s;
    take(&s, pidfile);
    expect_code(CLI("status", pidfile), 4);
    assert_non_null(strstr(rr.err, "writable"));
    assert_unchanged(&s, pidfile);
    expect_code(CLI("stop", "--remove", pidfile), 4);
    assert_unchanged(&s, pidfile);
    expect_code(CLI("status", "--insecure", pidfile), 0);
    assert_was_not_signalled(&c);
}

static void test_status_reports_a_symlinked_pidfile_as_4_and_leaves_it_unchanged(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char target[PATH_MAX + 32];
    snprintf(target, sizeof target, "%s/real.pid", dir);
    procid_identity id;
    assert_int_equal(procid_identity_of(c.pid, &id), 0);
    assert_int_equal(procid_pidfile_write(target, &id), 0);
    assert_int_equal(symlink(target, pidfile), 0);
    file_snap link, real;
    take(&link, pidfile);
    take(&real, target);
    expect_code(CLI("status", pidfile), 4);
    assert_non_null(strstr(rr.err, "symbolic link"));
    expect_code(CLI("stop", "--remove", pidfile), 4);
    assert_unchanged(&link, pidfile);
    assert_unchanged(&real, target);
    assert_was_not_signalled(&c);
}

static void test_status_reports_a_pidfile_of_another_owner_as_4(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        printf("SKIP: giving a file to uid 65534 needs root (running as uid %lu)\n",
               (unsigned long)geteuid());
        skip();
    }
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    assert_int_equal(chown(pidfile, 65534, 65534), 0);
    file_snap s;
    take(&s, pidfile);
    expect_code(CLI("status", pidfile), 4);
    assert_non_null(strstr(rr.err, "65534"));
    expect_code(CLI("stop", pidfile), 4);
    assert_unchanged(&s, pidfile);
    assert_was_not_signalled(&c);
}

static void test_status_accepts_a_legacy_pid_only_file_with_a_warning(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char text[32];
    snprintf(text, sizeof text, "%d\n", (int)c.pid);
    put(text, strlen(text));
    expect_code(CLI("status", pidfile), 0);
    assert_non_null(strstr(rr.err, "warning"));
    assert_non_null(strstr(rr.err, "legacy"));
    assert_non_null(strstr(rr.out, "unverified"));
}

/* ---- stop -------------------------------------------------------------- */

static void test_stop_sends_term_to_the_recorded_process(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", pidfile), 0);
    assert_killed_by(child_reap(&c), SIGTERM);
    assert_int_equal(access(pidfile, F_OK), 0); /* kept without --remove */
}

static void test_stop_sends_the_signal_given(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, CHILD_IGNORE_TERM, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", "--signal", "KILL", pidfile), 0);
    assert_killed_by(child_reap(&c), SIGKILL);

    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", "-s", "USR1", pidfile), 0);
    assert_killed_by(child_reap(&c), SIGUSR1);
}

static void test_stop_retry_escalates_to_kill_when_term_is_ignored(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, CHILD_IGNORE_TERM, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", "--retry", "TERM/5/KILL/5", pidfile), 0);
    assert_killed_by(child_reap(&c), SIGKILL);
}

static void test_stop_retry_exits_2_while_the_process_outlives_the_schedule(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, CHILD_IGNORE_TERM, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", "--retry", "TERM/0.3", pidfile), 2);
    assert_int_equal(waitpid(c.pid, NULL, WNOHANG), 0); /* still alive */
    assert_int_equal(access(pidfile, F_OK), 0);
}

static void test_stop_remove_deletes_the_pidfile_once_the_process_is_gone(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    expect_code(CLI("stop", "--retry", "TERM/5", "--remove", pidfile), 0);
    assert_int_equal(access(pidfile, F_OK), -1);
    assert_int_equal(errno, ENOENT);
    assert_killed_by(child_reap(&c), SIGTERM);
}

static void test_stop_of_a_dead_process_exits_0_and_signals_nothing(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    record(&c, NULL);
    child_release(&c);
    assert_int_equal(child_reap(&c), 0);
    file_snap s;
    take(&s, pidfile);
    expect_code(CLI("stop", pidfile), 0);
    assert_non_null(strstr(rr.out, "nothing signalled"));
    assert_unchanged(&s, pidfile);
    expect_code(CLI("stop", "--remove", pidfile), 0);
    assert_int_equal(access(pidfile, F_OK), -1);
}

static void test_stop_of_a_recycled_pid_exits_0_and_spares_the_process(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    procid_identity id;
    record(&c, &id);
    id.ino += 1;
    assert_int_equal(procid_pidfile_write(pidfile, &id), 0);
    expect_code(CLI("stop", pidfile), 0);
    assert_non_null(strstr(rr.out, "nothing signalled"));
    expect_code(CLI("stop", "--signal", "KILL", "--retry", "TERM/1/KILL/1", pidfile), 0);
    assert_int_equal(waitpid(c.pid, NULL, WNOHANG), 0);
    assert_was_not_signalled(&c);
}

static void test_stop_refuses_a_legacy_pidfile_unless_allowed(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char text[32];
    snprintf(text, sizeof text, "%d\n", (int)c.pid);
    put(text, strlen(text));
    expect_code(CLI("stop", pidfile), 1);
    assert_non_null(strstr(rr.err, "--allow-unverified"));
    assert_int_equal(waitpid(c.pid, NULL, WNOHANG), 0);
    expect_code(CLI("stop", "--allow-unverified", pidfile), 0);
    assert_killed_by(child_reap(&c), SIGTERM);
}

static void test_stop_without_a_pidfile_exits_0(void **state)
{
    (void)state;
    expect_code(CLI("stop", pidfile), 0);
    expect_code(CLI("stop", "--remove", pidfile), 0);
}

/* ---- exec -------------------------------------------------------------- */

static void test_exec_records_the_execd_command_under_the_same_pid(void **state)
{
    (void)state;
    int in[2], out[2];
    assert_int_equal(pipe2(in, O_CLOEXEC), 0);
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(in[0], 0) < 0 || dup2(out[1], 1) < 0)
            _exit(126);
        execl(cli_path(), cli_path(), "exec", pidfile, "--", "/bin/sh", "-c",
              "echo ready; read line", (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    char buf[16] = {0};
    assert_true(read(out[0], buf, sizeof buf - 1) > 0); /* sh runs now */
    assert_string_equal(buf, "ready\n");

    procid_identity rec, now;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(pidfile, 0, &rec, &e), 0);
    assert_int_equal(rec.pid, pid);
    assert_int_equal(procid_identity_of(pid, &now), 0);
    assert_true(procid_identity_match(&rec, &now));
    assert_true(rec.start == now.start);
    expect_code(CLI("status", pidfile), 0);

    assert_int_equal(write(in[1], "\n", 1), 1);
    close(in[1]);
    close(out[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    expect_code(CLI("status", pidfile), 1);
}

static void test_exec_of_a_missing_command_exits_127(void **state)
{
    (void)state;
    expect_code(CLI("exec", pidfile, "--", "/nonexistent/command"), 127);
}

/* ---- help and usage ---------------------------------------------------- */

static void expect_in_help(const char *cmd, const char *const *words)
{
    int code = cmd ? CLI(cmd, "--help") : CLI("--help");
    if (code != 0)
        fail_msg("procid %s --help exited %d", cmd ? cmd : "", code);
    for (; *words; words++)
        if (strstr(rr.out, *words) == NULL)
            fail_msg("procid %s --help does not mention \"%s\":\n%s",
                     cmd ? cmd : "", *words, rr.out);
}

static void test_help_of_every_command_exits_0_and_names_the_exit_codes(void **state)
{
    (void)state;
    const char *main_w[] = {"id", "write", "status", "stop", "exec", "64", NULL};
    const char *id_w[] = {"exit: 0", "1 no such process", "64", NULL};
    const char *write_w[] = {"exit: 0", "1 failed", "64", NULL};
    const char *status_w[] = {"0  running", "1  dead", "3  not running",
                              "4  unknown", "64", NULL};
    const char *stop_w[] = {"0  stopped", "1  failed", "2  still running",
                            "4  FILE", "64", "--retry", "--remove", NULL};
    const char *exec_w[] = {"exit:", "127", "64", NULL};
    expect_in_help(NULL, main_w);
    expect_in_help("id", id_w);
    expect_in_help("write", write_w);
    expect_in_help("status", status_w);
    expect_in_help("stop", stop_w);
    expect_in_help("exec", exec_w);
}

static void test_usage_errors_exit_64(void **state)
{
    (void)state;
    expect_code(run_cli(&rr, (char *)NULL), 64);
    expect_code(CLI("frobnicate"), 64);
    assert_non_null(strstr(rr.err, "frobnicate"));
    expect_code(CLI("id"), 64);
    expect_code(CLI("id", "abc"), 64);
    expect_code(CLI("id", "-5"), 64);
    expect_code(CLI("id", "0"), 64);
    expect_code(CLI("write"), 64);
    expect_code(CLI("write", pidfile, "12x"), 64);
    expect_code(CLI("status"), 64);
    expect_code(CLI("status", "--bogus", pidfile), 64);
    assert_non_null(strstr(rr.err, "--bogus"));
    expect_code(CLI("status", pidfile, "extra"), 64);
    expect_code(CLI("stop"), 64);
    expect_code(CLI("stop", pidfile, "--bogus"), 64);
    expect_code(CLI("stop", pidfile, "--signal", "NOPE"), 64);
    expect_code(CLI("stop", pidfile, "--signal"), 64);
    expect_code(CLI("stop", pidfile, "--retry", "TERM/x"), 64);
    expect_code(CLI("stop", pidfile, "--retry"), 64);
    expect_code(CLI("exec", pidfile), 64);
    expect_code(CLI("exec", pidfile, "sh"), 64);
    assert_int_equal(access(pidfile, F_OK), -1); /* nothing written */
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_id_prints_line_2_of_a_pidfile_recording_the_process),
        T(test_id_of_a_gone_process_exits_1),
        T(test_write_records_the_calling_shell_given_as_dollar_dollar),
        T(test_write_records_the_identity_of_the_given_pid),
        T(test_write_into_a_missing_directory_exits_1_naming_the_file),
        T(test_status_reports_a_running_process_as_0),
        T(test_status_reports_a_dead_process_as_1),
        T(test_status_reports_a_zombie_as_1),
        T(test_status_reports_recycled_pid_as_dead),
        T(test_status_reports_a_pidfile_from_another_boot_as_dead),
        T(test_status_reports_a_missing_pidfile_as_3),
        T(test_status_reports_every_malformed_pidfile_as_4_and_leaves_it_unchanged),
        T(test_status_reports_a_world_writable_pidfile_as_4_and_leaves_it_unchanged),
        T(test_status_reports_a_symlinked_pidfile_as_4_and_leaves_it_unchanged),
        T(test_status_reports_a_pidfile_of_another_owner_as_4),
        T(test_status_accepts_a_legacy_pid_only_file_with_a_warning),
        T(test_stop_sends_term_to_the_recorded_process),
        T(test_stop_sends_the_signal_given),
        T(test_stop_retry_escalates_to_kill_when_term_is_ignored),
        T(test_stop_retry_exits_2_while_the_process_outlives_the_schedule),
        T(test_stop_remove_deletes_the_pidfile_once_the_process_is_gone),
        T(test_stop_of_a_dead_process_exits_0_and_signals_nothing),
        T(test_stop_of_a_recycled_pid_exits_0_and_spares_the_process),
        T(test_stop_refuses_a_legacy_pidfile_unless_allowed),
        T(test_stop_without_a_pidfile_exits_0),
        T(test_exec_records_the_execd_command_under_the_same_pid),
        T(test_exec_of_a_missing_command_exits_127),
        T(test_help_of_every_command_exits_0_and_names_the_exit_codes),
        T(test_usage_errors_exit_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
