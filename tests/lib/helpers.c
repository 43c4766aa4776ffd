/*
 * helpers.c - see helpers.h.
 */
#define _GNU_SOURCE
#include "helpers.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <dirent.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PROCID_CLI_PATH
#error "PROCID_CLI_PATH must name the built procid binary"
#endif

/* ---- children ---------------------------------------------------------- */

#define MAX_CHILDREN 64
static pid_t live[MAX_CHILDREN];

static void remember(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (live[i] == 0) {
            live[i] = pid;
            return;
        }
}

static void forget(pid_t pid)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (live[i] == pid)
            live[i] = 0;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
    size_t n = 0;
    while (n < len) {
        ssize_t k = read(fd, (char *)buf + n, len - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return k < 0 ? -1 : (ssize_t)n;
        n += (size_t)k;
    }
    return (ssize_t)n;
}

int child_spawn(child *c, unsigned flags, const char *name)
{
    int ready[2], ctl[2];
    if (pipe2(ready, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(ctl, O_CLOEXEC) < 0) {
        int e = errno;
        close(ready[0]);
        close(ready[1]);
        return -e;
    }
    pid_t pid = fork();
    if (pid < 0) {
        int e = errno;
        close(ready[0]);
        close(ready[1]);
        close(ctl[0]);
        close(ctl[1]);
        return -e;
    }
    if (pid == 0) {
        close(ready[0]);
        close(ctl[1]);
        if (flags & CHILD_IGNORE_TERM)
            signal(SIGTERM, SIG_IGN);
        if (name != NULL && prctl(PR_SET_NAME, name, 0, 0, 0) < 0)
            _exit(120);
        char b = 'r';
        if (write(ready[1], &b, 1) != 1)
            _exit(121);
        /* One byte, or EOF, means exit. */
        while (read(ctl[0], &b, 1) < 0 && errno == EINTR)
            ;
        _exit(0);
    }
    close(ready[1]);
    close(ctl[0]);
    char b;
    ssize_t k = read_full(ready[0], &b, 1);
    close(ready[0]);
    c->pid = pid;
    c->ctl = ctl[1];
    remember(pid);
    if (k != 1) {
        child_kill(c);
        return -ECHILD;
    }
    return 0;
}

void child_release(child *c)
{
    if (c->ctl >= 0) {
        char b = 'x';
        if (write(c->ctl, &b, 1) < 0) {
            /* the child is gone already: nothing to release */
        }
        close(c->ctl);
        c->ctl = -1;
    }
}

int child_wait_exited(const child *c)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    while (waitid(P_PID, (id_t)c->pid, &si, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            return -errno;
    return 0;
}

int child_reap(child *c)
{
    int status;
    if (c->pid <= 0)
        return -1;
    while (waitpid(c->pid, &status, 0) < 0)
        if (errno != EINTR) {
            status = -1;
            break;
        }
    forget(c->pid);
    if (c->ctl >= 0)
        close(c->ctl);
    c->ctl = -1;
    c->pid = 0;
    return status;
}

int child_kill(child *c)
{
    if (c->pid <= 0)
        return -1;
    kill(c->pid, SIGKILL);
    return child_reap(c);
}

void children_cleanup(void)
{
    for (int i = 0; i < MAX_CHILDREN; i++)
        if (live[i] > 0) {
            kill(live[i], SIGKILL);
            while (waitpid(live[i], NULL, 0) < 0 && errno == EINTR)
                ;
            live[i] = 0;
        }
}

int run_in_child(int (*fn)(void *), void *arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0)
        _exit(fn(arg));
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

/* ---- commands ---------------------------------------------------------- */

/* PROCID_TEST_CLI runs the suites against another build of the command
   (an older one, to see a new test fail before the fix). */
const char *cli_path(void)
{
    const char *other = getenv("PROCID_TEST_CLI");
    return other != NULL && *other != '\0' ? other : PROCID_CLI_PATH;
}

void (*run_before_exec)(void);

int run_argv(run_result *r, char *const argv[])
{
    int out[2], err[2];
    memset(r, 0, sizeof *r);
    r->code = -1;
    if (pipe2(out, O_CLOEXEC) < 0)
        return -errno;
    if (pipe2(err, O_CLOEXEC) < 0) {
        close(out[0]);
        close(out[1]);
        return -errno;
    }
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull < 0 || dup2(devnull, 0) < 0 || dup2(out[1], 1) < 0 ||
            dup2(err[1], 2) < 0)
            _exit(126);
        if (run_before_exec != NULL)
            run_before_exec();
        execv(argv[0], argv);
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    struct pollfd pfd[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    char *dst[2] = {r->out, r->err};
    size_t used[2] = {0, 0}, cap = sizeof r->out - 1;
    int open_fds = 2;
    while (open_fds > 0) {
        if (poll(pfd, 2, -1) < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        for (int i = 0; i < 2; i++) {
            if (pfd[i].fd < 0 || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
            char tmp[1024];
            ssize_t k = read(pfd[i].fd, tmp, sizeof tmp);
            if (k < 0 && errno == EINTR)
                continue;
            if (k <= 0) {
                close(pfd[i].fd);
                pfd[i].fd = -1;
                open_fds--;
                continue;
            }
            size_t take = (size_t)k < cap - used[i] ? (size_t)k : cap - used[i];
            memcpy(dst[i] + used[i], tmp, take);
            used[i] += take;
        }
    }
    for (int i = 0; i < 2; i++)
        if (pfd[i].fd >= 0)
            close(pfd[i].fd);
    r->out[used[0]] = '\0';
    r->err[used[1]] = '\0';
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -errno;
    r->code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return r->code;
}

int run_cli(run_result *r, ...)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)cli_path();
    va_list ap;
    va_start(ap, r);
    for (const char *a; n < 31 && (a = va_arg(ap, const char *)) != NULL;)
        argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return run_argv(r, argv);
}

/* ---- files ------------------------------------------------------------- */

int tmpdir_make(char *out, size_t cap)
{
    const char *base = getenv("TMPDIR");
    if (base == NULL || *base == '\0')
        base = "/tmp";
    int n = snprintf(out, cap, "%s/procid-test.XXXXXX", base);
    if (n < 0 || (size_t)n >= cap)
        return -ENAMETOOLONG;
    if (mkdtemp(out) == NULL)
        return -errno;
    /* World-readable so that a reader with fewer privileges can enter. */
    chmod(out, 0755);
    return 0;
}

static int rm_entry(const char *path, const struct stat *st, int type,
                    struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP)
        chmod(path, 0700);
    remove(path);
    return 0;
}

void tmpdir_remove(const char *dir)
{
    if (dir == NULL || dir[0] == '\0')
        return;
    chmod(dir, 0700);
    nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

int file_put(const char *path, const void *buf, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -errno;
    const char *p = buf;
    while (len > 0) {
        ssize_t k = write(fd, p, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        p += k;
        len -= (size_t)k;
    }
    return close(fd) < 0 ? -errno : 0;
}

int file_get(const char *path, void *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    ssize_t k = read_full(fd, buf, cap);
    int e = errno;
    close(fd);
    if (k < 0)
        return -e;
    *len = (size_t)k;
    return 0;
}

int file_snapshot(const char *path, file_snap *s)
{
    int r = file_get(path, s->bytes, sizeof s->bytes, &s->len);
    if (r < 0)
        return r;
    return lstat(path, &s->st) < 0 ? -errno : 0;
}

const char *file_snap_diff(const file_snap *before, const file_snap *now)
{
    if (now->len != before->len ||
        memcmp(now->bytes, before->bytes, before->len) != 0)
        return "contents changed";
    if (now->st.st_ino != before->st.st_ino)
        return "inode changed (file replaced)";
    if (now->st.st_mode != before->st.st_mode)
        return "mode changed";
    if (now->st.st_mtim.tv_sec != before->st.st_mtim.tv_sec ||
        now->st.st_mtim.tv_nsec != before->st.st_mtim.tv_nsec)
        return "mtime changed";
    return NULL;
}

int dir_count(const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return -errno;
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

int drop_dac_caps(void)
{
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    if (syscall(SYS_capget, &hdr, data) < 0)
        return -errno;
    unsigned drop = (1u << CAP_DAC_OVERRIDE) | (1u << CAP_DAC_READ_SEARCH);
    data[0].effective &= ~drop;
    if (syscall(SYS_capset, &hdr, data) < 0)
        return -errno;
    return 0;
}

const char *identity_str(const procid_identity *id, char *buf, size_t cap)
{
    snprintf(buf, cap, "pid %d have %#x start %llu boot '%s' ino %llu", id->pid,
             id->have, (unsigned long long)id->start,
             (id->have & PROCID_HAVE_BOOT) ? id->boot : "",
             (unsigned long long)id->ino);
    return buf;
}

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif

int deny_pidfd_open(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_pidfd_open, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = {(unsigned short)(sizeof code / sizeof code[0]), code};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        return -errno;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        return -errno;
    return 0;
}
