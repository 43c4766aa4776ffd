/*
 * test_pidfile.c - the pidfile format, the safe read and the atomic write.
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
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "helpers.h"
#include "procid.h"

static char dir[PATH_MAX];
static char path[PATH_MAX + 32];

static int setup(void **state)
{
    (void)state;
    if (tmpdir_make(dir, sizeof dir) < 0)
        return -1;
    snprintf(path, sizeof path, "%s/app.pid", dir);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    children_cleanup();
    tmpdir_remove(dir);
    return 0;
}

static procid_identity full_identity(void)
{
    procid_identity id;
    memset(&id, 0, sizeof id);
    id.pid = 4242;
    id.have = PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO;
    id.start = 123456789;
    strcpy(id.boot, "0b9c8f5e-3f4e-4b7a-9d2c-1a2b3c4d5e6f");
    id.ino = 987654321;
    return id;
}

static void assert_same_identity(const procid_identity *a,
                                 const procid_identity *b)
{
    assert_int_equal(a->pid, b->pid);
    assert_int_equal(a->have, b->have);
    if (a->have & PROCID_HAVE_START)
        assert_true(a->start == b->start);
    if (a->have & PROCID_HAVE_BOOT)
        assert_string_equal(a->boot, b->boot);
    if (a->have & PROCID_HAVE_INO)
        assert_true(a->ino == b->ino);
}

static int parse_str(const char *s, procid_identity *out, procid_error *err)
{
    return procid_pidfile_parse(s, strlen(s), out, err);
}

/* ---- format and parse -------------------------------------------------- */

static void test_format_parse_round_trip_keeps_every_field(void **state)
{
    (void)state;
    procid_identity id = full_identity(), back;
    char buf[PROCID_PIDFILE_MAX];
    int n = procid_pidfile_format(&id, buf, sizeof buf);
    assert_true(n > 0);
    assert_int_equal((size_t)n, strlen(buf));
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_parse(buf, (size_t)n, &back, &e), 0);
    assert_same_identity(&id, &back);

    id.have &= ~PROCID_HAVE_INO; /* no pidfs */
    n = procid_pidfile_format(&id, buf, sizeof buf);
    assert_true(n > 0);
    assert_int_equal(procid_pidfile_parse(buf, (size_t)n, &back, &e), 0);
    assert_same_identity(&id, &back);

    id.have &= ~PROCID_HAVE_BOOT; /* unknown boot: left out, not invented */
    n = procid_pidfile_format(&id, buf, sizeof buf);
    assert_string_equal(buf, "4242\nstart=123456789\n");
    assert_int_equal(procid_pidfile_parse(buf, (size_t)n, &back, &e), 0);
    assert_same_identity(&id, &back);
}

static void test_format_writes_pid_alone_on_line_one(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    char buf[PROCID_PIDFILE_MAX];
    assert_true(procid_pidfile_format(&id, buf, sizeof buf) > 0);
    assert_string_equal(buf, "4242\nstart=123456789 boot=0b9c8f5e-3f4e-4b7a-"
                             "9d2c-1a2b3c4d5e6f ino=987654321\n");
    /* What pgrep -F and start-stop-daemon read: the first line, a number. */
    char *nl = strchr(buf, '\n');
    assert_non_null(nl);
    assert_int_equal(nl - buf, 4);
    char *end;
    assert_int_equal(strtol(buf, &end, 10), 4242);
    assert_ptr_equal(end, nl);
}

static void test_format_refuses_unwritable_identity(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    char buf[PROCID_PIDFILE_MAX];
    id.pid = 0;
    assert_int_equal(procid_pidfile_format(&id, buf, sizeof buf), -EINVAL);
    id.pid = -5;
    assert_int_equal(procid_pidfile_format(&id, buf, sizeof buf), -EINVAL);
    id = full_identity();
    strcpy(id.boot, "two words");
    assert_int_equal(procid_pidfile_format(&id, buf, sizeof buf), -EINVAL);
    id = full_identity();
    assert_int_equal(procid_pidfile_format(&id, buf, 8), -ENOSPC);
}

static void test_parse_legacy_pid_only_has_no_start(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(parse_str("4242\n", &id, &e), 0);
    assert_int_equal(id.pid, 4242);
    assert_int_equal(id.have, 0);
    assert_int_equal(parse_str("4242", &id, &e), 0); /* no final newline */
    assert_int_equal(id.pid, 4242);
    assert_int_equal(id.have, 0);
}

static void test_check_answers_unverified_for_legacy_pid_of_live_process(void **state)
{
    (void)state;
    child c;
    assert_int_equal(child_spawn(&c, 0, NULL), 0);
    char text[32];
    snprintf(text, sizeof text, "%d\n", (int)c.pid);
    assert_int_equal(file_put(path, text, strlen(text)), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), 0);
    procid_state st = PROCID_RUNNING;
    assert_int_equal(procid_check(&id, &st), 0);
    assert_int_equal(st, PROCID_UNVERIFIED);
    /* and an unverified record is never signalled */
    assert_int_equal(procid_signal(&id, SIGTERM, NULL), -EPERM);
    int status = child_kill(&c);
    assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
}

static void test_parse_legacy_one_line_pid_and_start(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(parse_str("4242 123456789\n", &id, &e), 0);
    assert_int_equal(id.pid, 4242);
    assert_int_equal(id.have, PROCID_HAVE_START);
    assert_true(id.start == 123456789);
    assert_int_equal(parse_str("7 0", &id, &e), 0);
    assert_int_equal(id.have, PROCID_HAVE_START);
    assert_true(id.start == 0);
}

static void test_parse_accepts_the_largest_values(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(parse_str("4194304\n18446744073709551615 - "
                               "18446744073709551615\n",
                               &id, &e),
                     0);
    assert_int_equal(id.pid, 4194304); /* Linux PID_MAX_LIMIT */
    assert_true(id.start == UINT64_MAX);
    assert_true(id.ino == UINT64_MAX);
}

/* Every malformed form, with a word the message must contain. */
typedef struct bad_form {
    const char *name;
    const char *bytes;
    size_t len; /* 0: strlen(bytes) */
    const char *msg;
} bad_form;

static const bad_form bad_forms[] = {
    {"empty", "", 0, "empty"},
    {"garbage", "hello\n", 0, "line 1, column 1: expected a decimal pid"},
    {"white space only", " \n", 0, "line 1, column 2: expected a decimal pid"},
    {"plus sign", "+1\n", 0, "found '+'"},
    {"minus sign", "-1\n", 0, "found '-'"},
    {"hex", "0x10\n", 0, "line 1, column 2: unexpected 'x' in a decimal pid"},
    {"letters after start", "1\n12ab -\n", 0, "line 2, column 3: unexpected 'a' in a start time"},
    {"hex upper digits", "1A\n", 0, "line 1, column 2"},
    {"leading zero", "0123\n", 0, "leading zero"},
    {"pid 0", "0\n", 0, "pid 0"},
    {"pid overflow", "2147483648\n", 0, "out of range"},
    {"pid above pid_max", "4194305\n", 0, "above this system's maximum"},
    {"huge pid", "99999999999999999999999\n", 0, "out of range"},
    {"start overflow", "1\n18446744073709551616 -\n", 0, "line 2, column 1: a start time is out of range"},
    {"legacy start overflow", "1 18446744073709551616\n", 0, "out of range"},
    {"legacy extra field", "1 2 3\n", 0, "line 1, column 5"},
    {"extra field on line 2", "1\n2 - 3 4\n", 0, "line 2"},
    {"extra line", "1\n2 - 3\n4\n", 0, "line 3: unexpected extra line"},
    {"empty line 2", "1\n\n", 0, "line 2, column 1: expected a field"},
    {"NUL byte", "12\0\n", 4, "NUL byte at offset 2"},
    {"carriage return mid-line", "12\r3\n", 0, "line 1, column 3"},
    {"carriage return on line 2", "1\nstart=2\r\n", 0, "line 2, column 8"},
    {"padding on line 2", "1\n start=2\n", 0, "line 2, column 1"},
    {"v2 unknown key", "1\nstart=2 color=red\n", 0, "unknown field 'color'"},
    {"v2 duplicate key", "1\nstart=2 start=3\n", 0, "field 'start' appears twice"},
    {"v2 boot not a uuid", "1\nstart=2 boot=not-a-uuid\n", 0, "not a boot id"},
    {"v2 boot dash", "1\nstart=2 boot=-\n", 0, "not a boot id"},
    {"v2 ino 0", "1\nstart=2 ino=0\n", 0, "inode number 0"},
    {"v2 missing value", "1\nstart=\n", 0, "expected a start time"},
    {"v2 missing =", "1\nstart 2\n", 0, "expected '=' after the field name"},
    {"v2 upper-case key", "1\nSTART=2\n", 0, "expected a field"},
    {"v2 double space", "1\nstart=2  ino=3\n", 0, "line 2, column 9"},
    {"v2 trailing space", "1\nstart=2 \n", 0, "line 2, column 9"},
    {"v1 boot not a uuid", "1\n2 not-a-uuid\n", 0, "not a boot id"},
    {"missing boot", "1\n123\n", 0, "line 2, column 4: expected ' ' and a boot id"},
    {"bad boot", "1\n123 b/oot\n", 0, "line 2"},
    {"bad ino", "1\n123 - x\n", 0, "expected an inode number"},
    {"ino 0", "1\n123 - 0\n", 0, "inode number 0"},
    {"trailing space", "1\n123 - \n", 0, "line 2, column 7"},
    {"trailing space after ino", "1\n123 - 5 \n", 0, "line 2"},
    {"double space", "1\n123  -\n", 0, "line 2"},
    {"negative start", "1\n-5 -\n", 0, "line 2, column 1"},
    {"boot too long", "1\n5 0123456789012345678901234567890123456789012345678901234567890123456789\n", 0, "boot id is longer"},
};

static void test_parse_rejects_every_malformed_form_and_says_where(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bad_forms / sizeof bad_forms[0]; i++) {
        const bad_form *f = &bad_forms[i];
        size_t len = f->len ? f->len : strlen(f->bytes);
        procid_identity id;
        memset(&id, 0x5a, sizeof id);
        procid_identity before = id;
        procid_error e;
        memset(&e, 0, sizeof e);
        int r = procid_pidfile_parse(f->bytes, len, &id, &e);
        if (r != -EINVAL || strstr(e.msg, f->msg) == NULL)
            fail_msg("form '%s': returned %d, message \"%s\", expected -EINVAL "
                     "and a message containing \"%s\"",
                     f->name, r, e.msg, f->msg);
        if (memcmp(&id, &before, sizeof id) != 0)
            fail_msg("form '%s': *out was modified on error", f->name);
    }
}

static void test_parse_reads_v1_line_two_and_v2_in_any_field_order(void **state)
{
    (void)state;
    procid_identity v1, v2, any;
    procid_error e = {{0}};
    assert_int_equal(parse_str("4121\n2978 0b9c8f5e-3f4e-4b7a-9d2c-1a2b3c4d5e6f 1092\n", &v1, &e), 0);
    assert_int_equal(parse_str("4121\nstart=2978 boot=0b9c8f5e-3f4e-4b7a-9d2c-1a2b3c4d5e6f ino=1092\n", &v2, &e), 0);
    assert_int_equal(parse_str("4121\nino=1092 boot=0b9c8f5e-3f4e-4b7a-9d2c-1a2b3c4d5e6f start=2978", &any, &e), 0);
    assert_same_identity(&v1, &v2);
    assert_same_identity(&v1, &any);
    assert_int_equal(v1.have, PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO);
    /* fields left out are unknown, not zero */
    assert_int_equal(parse_str("4121\nstart=2978\n", &v2, &e), 0);
    assert_int_equal(v2.have, PROCID_HAVE_START);
    assert_int_equal(parse_str("4121\nino=7\n", &v2, &e), 0);
    assert_int_equal(v2.have, PROCID_HAVE_INO);
}

static void test_parse_accepts_blanks_tabs_and_crlf_around_the_pid(void **state)
{
    (void)state;
    const char *forms[] = {"  4121\n", "4121  \n", "\t4121\t\n", "4121\r\n",
                           "   4121 \r\n", "      4121", "4121\r",
                           " 4121\t\r\nstart=5\n"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        procid_identity id;
        procid_error e = {{0}};
        if (parse_str(forms[i], &id, &e) != 0)
            fail_msg("form %zu refused: %s", i, e.msg);
        assert_int_equal(id.pid, 4121);
    }
}

static void test_parse_rejects_more_than_256_bytes(void **state)
{
    (void)state;
    char buf[PROCID_PIDFILE_MAX + 1];
    memset(buf, '1', 4);
    buf[4] = '\n';
    memset(buf + 5, ' ', sizeof buf - 5);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_parse(buf, sizeof buf, &id, &e), -EINVAL);
    assert_non_null(strstr(e.msg, "larger than 256 bytes"));

    /* The same through the file reader, which must not truncate silently. */
    char big[4096] = "1234\n";
    memset(big + 5, '7', sizeof big - 5);
    assert_int_equal(file_put(path, big, sizeof big), 0);
    memset(&e, 0, sizeof e);
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -EINVAL);
    assert_non_null(strstr(e.msg, "larger than 256 bytes"));
}

static void test_parse_accepts_null_error_pointer(void **state)
{
    (void)state;
    procid_identity id;
    assert_int_equal(procid_pidfile_parse("x", 1, &id, NULL), -EINVAL);
}

/* ---- safe read --------------------------------------------------------- */

#define SOME_BOOT "0b9c8f5e-3f4e-4b7a-9d2c-1a2b3c4d5e6f"

static void write_valid(const char *p)
{
    const char *text = "4242\nstart=123456789 boot=" SOME_BOOT " ino=77\n";
    assert_int_equal(file_put(p, text, strlen(text)), 0);
    assert_int_equal(chmod(p, 0644), 0);
}

static void test_read_returns_enoent_for_missing_file(void **state)
{
    (void)state;
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -ENOENT);
}

static void test_read_accepts_a_safe_file(void **state)
{
    (void)state;
    write_valid(path);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), 0);
    assert_int_equal(id.pid, 4242);
    assert_int_equal(id.have, PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO);
    assert_string_equal(id.boot, SOME_BOOT);
}

static void test_read_refuses_symlink_unless_insecure(void **state)
{
    (void)state;
    char target[PATH_MAX + 32];
    snprintf(target, sizeof target, "%s/real.pid", dir);
    write_valid(target);
    assert_int_equal(symlink(target, path), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -EPERM);
    assert_non_null(strstr(e.msg, "symbolic link"));
    assert_int_equal(procid_pidfile_read(path, PROCID_READ_INSECURE, &id, &e), 0);
    assert_int_equal(id.pid, 4242);
}

static void test_read_refuses_fifo_without_blocking(void **state)
{
    (void)state;
    assert_int_equal(mkfifo(path, 0644), 0);
    procid_identity id;
    procid_error e = {{0}};
    int r = procid_pidfile_read(path, 0, &id, &e);
    assert_true(r < 0);
    assert_non_null(strstr(e.msg, "not a regular file"));
    r = procid_pidfile_read(path, PROCID_READ_INSECURE, &id, &e);
    assert_true(r < 0);
}

static void test_read_refuses_directory(void **state)
{
    (void)state;
    assert_int_equal(mkdir(path, 0755), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_true(procid_pidfile_read(path, 0, &id, &e) < 0);
    assert_non_null(strstr(e.msg, "not a regular file"));
}

static void test_read_refuses_file_of_another_owner(void **state)
{
    (void)state;
    if (geteuid() != 0) {
        fprintf(stderr, "SKIP: giving a file to uid 65534 needs root "
                        "(running as uid %lu)\n",
                (unsigned long)geteuid());
        skip();
    }
    write_valid(path);
    assert_int_equal(chown(path, 65534, 65534), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -EPERM);
    assert_non_null(strstr(e.msg, "owned by uid 65534"));
    assert_int_equal(procid_pidfile_read(path, PROCID_READ_INSECURE, &id, &e), 0);
}

static void test_read_refuses_group_writable_file(void **state)
{
    (void)state;
    write_valid(path);
    assert_int_equal(chmod(path, 0664), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -EPERM);
    assert_non_null(strstr(e.msg, "writable"));
}

static void test_read_refuses_world_writable_file(void **state)
{
    (void)state;
    write_valid(path);
    assert_int_equal(chmod(path, 0646), 0);
    procid_identity id;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &id, &e), -EPERM);
    assert_non_null(strstr(e.msg, "0646"));
    assert_int_equal(procid_pidfile_read(path, PROCID_READ_INSECURE, &id, &e), 0);
}

/* ---- atomic write ------------------------------------------------------ */

static void test_write_replaces_the_inode_each_time(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    struct stat prev, cur;
    assert_int_equal(procid_pidfile_write(path, &id), 0);
    assert_int_equal(stat(path, &prev), 0);
    for (int i = 0; i < 5; i++) {
        id.start++;
        assert_int_equal(procid_pidfile_write(path, &id), 0);
        assert_int_equal(stat(path, &cur), 0);
        assert_true(cur.st_ino != prev.st_ino);
        prev = cur;
    }
    procid_identity back;
    procid_error e = {{0}};
    assert_int_equal(procid_pidfile_read(path, 0, &back, &e), 0);
    assert_same_identity(&id, &back);
}

static void test_write_leaves_no_temporary_files(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    for (int i = 0; i < 20; i++) {
        id.start = (uint64_t)i;
        assert_int_equal(procid_pidfile_write(path, &id), 0);
    }
    assert_int_equal(dir_count(dir), 1);
}

static void test_write_creates_mode_0644_whatever_the_umask(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    mode_t old = umask(0077);
    int r = procid_pidfile_write(path, &id);
    umask(old);
    assert_int_equal(r, 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0644);
    assert_true(S_ISREG(st.st_mode));
}

static void test_write_into_missing_directory_fails_cleanly(void **state)
{
    (void)state;
    char p[PATH_MAX + 64];
    snprintf(p, sizeof p, "%s/no/such/dir/app.pid", dir);
    procid_identity id = full_identity();
    assert_int_equal(procid_pidfile_write(p, &id), -ENOENT);
    assert_int_equal(dir_count(dir), 0);
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

static int write_in_readonly_dir(void *arg)
{
    (void)arg;
    if (drop_dac_caps() < 0)
        return 90;
    procid_identity id = full_identity();
    id.start = 1;
    int r = procid_pidfile_write(path, &id);
    return r == -EACCES ? 0 : 91;
}

static void test_write_failure_in_readonly_directory_leaves_old_file(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    assert_int_equal(procid_pidfile_write(path, &id), 0);
    file_snap s;
    take(&s, path);
    assert_int_equal(chmod(dir, 0555), 0);
    int code = run_in_child(write_in_readonly_dir, NULL);
    chmod(dir, 0755);
    assert_int_equal(code, 0);
    assert_unchanged(&s, path);
    assert_int_equal(dir_count(dir), 1);
}

static int write_past_file_size_limit(void *arg)
{
    (void)arg;
    struct rlimit rl = {0, 0};
    signal(SIGXFSZ, SIG_IGN);
    if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
        return 90;
    procid_identity id = full_identity();
    id.start = 2;
    int r = procid_pidfile_write(path, &id);
    return r == -EFBIG ? 0 : 91;
}

static void test_write_failure_after_temp_file_created_leaves_old_file_and_no_temp(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    assert_int_equal(procid_pidfile_write(path, &id), 0);
    file_snap s;
    take(&s, path);
    /* mkstemp succeeds, then write() fails: the temp file must go. */
    assert_int_equal(run_in_child(write_past_file_size_limit, NULL), 0);
    assert_unchanged(&s, path);
    assert_int_equal(dir_count(dir), 1);
}

static void test_write_of_invalid_identity_leaves_old_file(void **state)
{
    (void)state;
    procid_identity id = full_identity();
    assert_int_equal(procid_pidfile_write(path, &id), 0);
    file_snap s;
    take(&s, path);
    id.pid = 0;
    assert_int_equal(procid_pidfile_write(path, &id), -EINVAL);
    assert_unchanged(&s, path);
    assert_int_equal(dir_count(dir), 1);
}

static void test_write_over_a_directory_fails_and_leaves_no_temp(void **state)
{
    (void)state;
    assert_int_equal(mkdir(path, 0755), 0);
    procid_identity id = full_identity();
    assert_true(procid_pidfile_write(path, &id) < 0);
    assert_int_equal(dir_count(dir), 1);
}

/* xorshift64: the test's own seeded generator; never 0 from a seed != 0. */
static uint64_t xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

/*
 * A writer rewrites the pidfile in a loop and is SIGKILLed at a random
 * moment; meanwhile the parent reads it. Every read and the final file
 * must parse into a complete identity: never empty, never torn.
 */
static void test_write_killed_mid_loop_never_leaves_torn_file(void **state)
{
    (void)state;
    enum { ROUNDS = 12 };
    procid_identity id = full_identity();
    assert_int_equal(procid_pidfile_write(path, &id), 0);
    uint64_t rng = (((uint64_t)time(NULL) << 32) ^ (uint64_t)getpid()) | 1;
    long reads = 0, writes_seen = 0;
    uint64_t writes_total = 0;
    for (int round = 0; round < ROUNDS; round++) {
        int ready[2];
        assert_int_equal(pipe(ready), 0);
        pid_t w = fork();
        assert_true(w >= 0);
        if (w == 0) {
            close(ready[0]);
            procid_identity mine = full_identity();
            for (uint64_t i = 1;; i++) {
                mine.start = i;
                if (procid_pidfile_write(path, &mine) < 0)
                    _exit(3);
                if (i == 1) {
                    char b = 'r';
                    if (write(ready[1], &b, 1) != 1)
                        _exit(4);
                    close(ready[1]);
                }
            }
        }
        close(ready[1]);
        char b;
        assert_int_equal(read(ready[0], &b, 1), 1);
        close(ready[0]);
        /* Read until the writer has done a random number (hundreds) of
           writes, then kill it wherever it is. */
        uint64_t target = 100 + xorshift64(&rng) % 400, last = 0;
        for (long i = 0; last < target; i++) {
            procid_identity got;
            procid_error e = {{0}};
            int r = procid_pidfile_read(path, 0, &got, &e);
            if (r != 0)
                fail_msg("round %d read %ld: %d (%s)", round, i, r, e.msg);
            assert_int_equal(got.pid, id.pid);
            assert_int_equal(got.have, id.have);
            if (got.start != last)
                writes_seen++;
            last = got.start;
            reads++;
            if (i % 1000 == 999 && waitpid(w, NULL, WNOHANG) != 0)
                fail_msg("round %d: the writer died on its own", round);
        }
        writes_total += last;
        kill(w, SIGKILL);
        int status;
        assert_int_equal(waitpid(w, &status, 0), w);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        procid_identity fin;
        procid_error e = {{0}};
        int r = procid_pidfile_read(path, 0, &fin, &e);
        if (r != 0)
            fail_msg("round %d final read: %d (%s)", round, r, e.msg);
        assert_int_equal(fin.have, id.have);
    }
    printf("torn-write check: %d writers killed after %llu writes in all, "
           "%ld reads, %ld distinct contents seen\n",
           ROUNDS, (unsigned long long)writes_total, reads, writes_seen);
    assert_true(writes_seen > ROUNDS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_format_parse_round_trip_keeps_every_field),
        cmocka_unit_test(test_format_writes_pid_alone_on_line_one),
        cmocka_unit_test(test_format_refuses_unwritable_identity),
        cmocka_unit_test(test_parse_legacy_pid_only_has_no_start),
        cmocka_unit_test_setup_teardown(test_check_answers_unverified_for_legacy_pid_of_live_process, setup, teardown),
        cmocka_unit_test(test_parse_legacy_one_line_pid_and_start),
        cmocka_unit_test(test_parse_accepts_the_largest_values),
        cmocka_unit_test(test_parse_rejects_every_malformed_form_and_says_where),
        cmocka_unit_test(test_parse_reads_v1_line_two_and_v2_in_any_field_order),
        cmocka_unit_test(test_parse_accepts_blanks_tabs_and_crlf_around_the_pid),
        cmocka_unit_test_setup_teardown(test_parse_rejects_more_than_256_bytes, setup, teardown),
        cmocka_unit_test(test_parse_accepts_null_error_pointer),
        cmocka_unit_test_setup_teardown(test_read_returns_enoent_for_missing_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_accepts_a_safe_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_symlink_unless_insecure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_fifo_without_blocking, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_directory, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_file_of_another_owner, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_group_writable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_refuses_world_writable_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_replaces_the_inode_each_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_leaves_no_temporary_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_creates_mode_0644_whatever_the_umask, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_into_missing_directory_fails_cleanly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_in_readonly_directory_leaves_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failure_after_temp_file_created_leaves_old_file_and_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_of_invalid_identity_leaves_old_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_over_a_directory_fails_and_leaves_no_temp, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_killed_mid_loop_never_leaves_torn_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
