/*
 * platform_linux.c - the Linux backend.
 *
 * Divisions:
 *   1. test hooks: a fake proc root and a switch for pidfd, so tests can
 *      feed real files (an earlier boot, EACCES, a truncated stat line)
 *   2. /proc/<pid>/stat: read and parse (field 22 after the LAST ')')
 *   3. boot_id, read once and cached
 *   4. pidfd: open, pidfs inode, poll, pidfd_send_signal
 *   5. the platform hooks of platform.h
 *
 * This is the only file of libprocid that touches /proc; every such literal
 * carries a portability acknowledgement, and allowlist/proc.allow lists it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "linux_internal.h"
#include "platform.h"

#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_send_signal
#define __NR_pidfd_send_signal 424
#endif
#define PROCID__PIDFS_MAGIC 0x50494446 /* "PIDF", include/uapi/linux/magic.h */

/* ---- 1. test hooks ----------------------------------------------------- */

static char proc_root[PATH_MAX] = "/proc"; /* portability: Linux exposes process start times and the boot id only under /proc */
static atomic_int pidfd_state; /* 0 untried, 1 works, -1 unavailable */
static atomic_int boot_state;  /* 0 unread, 1 cached, -errno failed */
static char boot_id[PROCID_BOOT_MAX];

#ifdef PROCID_TEST_HOOKS /* only in the test-only library (lib/CMakeLists.txt) */
void procid__linux_set_proc_root(const char *root)
{
    snprintf(proc_root, sizeof proc_root, "%s", root ? root : "/proc"); /* portability: the default proc root restored by the test hook */
    atomic_store(&boot_state, 0);
}

void procid__linux_set_pidfd(int enabled)
{
    atomic_store(&pidfd_state, enabled ? 0 : -1);
}
#endif

/* ---- 2. /proc/<pid>/stat ----------------------------------------------- */

/* Read a small file whole into buf (NUL-terminated). */
static int read_small(const char *path, char *buf, size_t cap, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    while (n + 1 < cap) {
        ssize_t k = read(fd, buf + n, cap - 1 - n);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        if (k == 0)
            break;
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    *len = n;
    return 0;
}

int procid__linux_parse_stat(const char *buf, size_t len, uint64_t *start,
                             char *state)
{
    /* The command name (field 2) is "(comm)" and may itself hold ") Z 1 1":
       fields after it are counted from the LAST ')'. */
    const char *close = NULL;
    for (size_t i = 0; i < len; i++)
        if (buf[i] == ')')
            close = buf + i;
    if (close == NULL)
        return -EINVAL;
    const char *p = close + 1, *end = buf + len;
    /* field 3 is the state, field 22 the start time */
    for (int field = 3; field <= 22; field++) {
        if (p >= end || *p != ' ')
            return -EINVAL;
        p++;
        const char *f = p;
        while (p < end && *p != ' ' && *p != '\n')
            p++;
        if (p == f)
            return -EINVAL;
        if (field == 3) {
            /* one letter: R S D Z T t W X x K P I */
            if (p - f != 1 || !((*f >= 'A' && *f <= 'Z') || (*f >= 'a' && *f <= 'z')))
                return -EINVAL;
            *state = *f;
        } else if (field == 22) {
            uint64_t v = 0;
            for (const char *q = f; q < p; q++) {
                if (*q < '0' || *q > '9')
                    return -EINVAL;
                unsigned d = (unsigned)(*q - '0');
                if (v > (UINT64_MAX - d) / 10)
                    return -EINVAL;
                v = v * 10 + d;
            }
            *start = v;
        }
    }
    return 0;
}

static int read_stat(int pid, uint64_t *start, char *state)
{
    char path[PATH_MAX + 32], buf[1024];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%d/stat", proc_root, pid);
    int r = read_small(path, buf, sizeof buf, &len);
    if (r == -ENOENT)
        return -ESRCH;
    if (r < 0)
        return r;
    if (procid__linux_parse_stat(buf, len, start, state) < 0)
        return -EIO; /* a stat line the kernel never writes */
    return 0;
}

/* ---- 3. boot_id -------------------------------------------------------- */

static int read_boot_id(void)
{
    char path[PATH_MAX + 32], buf[PROCID_BOOT_MAX + 8];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/sys/kernel/random/boot_id", proc_root);
    int r = read_small(path, buf, sizeof buf, &len);
    if (r < 0)
        return r;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = '\0';
    if (len == 0 || len >= PROCID_BOOT_MAX)
        return -EIO;
    for (size_t i = 0; i < len; i++) {
        char c = buf[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-'))
            return -EIO;
    }
    memcpy(boot_id, buf, len + 1);
    return 0;
}

/* The boot id, read once. Concurrent first calls read the same file and
   store the same bytes; the state flag publishes them. */
static int get_boot(char *out)
{
    int st = atomic_load(&boot_state);
    if (st == 0) {
        st = read_boot_id();
        st = st < 0 ? st : 1;
        atomic_store(&boot_state, st);
    }
    if (st < 0)
        return st;
    memcpy(out, boot_id, PROCID_BOOT_MAX);
    return 0;
}

/* ---- 4. pidfd ---------------------------------------------------------- */

static int pidfd_open_(int pid)
{
    if (atomic_load(&pidfd_state) < 0)
        return -ENOSYS;
    long fd = syscall(__NR_pidfd_open, pid, 0);
    if (fd >= 0) {
        atomic_store(&pidfd_state, 1);
        return (int)fd;
    }
    int e = errno;
    if (e == ENOSYS || (e == EPERM && atomic_load(&pidfd_state) == 0)) {
        /* no pidfd (pre-5.3) or a seccomp filter: fall back to PIDs */
        atomic_store(&pidfd_state, -1);
        return -ENOSYS;
    }
    if (e == EINVAL)
        e = ESRCH; /* the process is exiting, or pid is not a process */
    return -e;
}

/* 1 if pidfds live on pidfs (Linux 6.9+), where each process has its own
   inode, never reused within a boot. Before pidfs, pidfds share one anon
   inode and say nothing about identity. A property of the kernel: asked
   once. */
static int has_pidfs(int fd)
{
    static atomic_int known; /* 0 unknown, 1 pidfs, -1 not */
    int k = atomic_load(&known);
    if (k == 0) {
        struct statfs sfs;
        if (fstatfs(fd, &sfs) < 0)
            return 0;
        k = sfs.f_type == PROCID__PIDFS_MAGIC ? 1 : -1;
        atomic_store(&known, k);
    }
    return k > 0;
}

/* 1 if the pidfd says the process has exited (zombie included). */
static int pidfd_exited(int fd, int timeout_ms)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN};
    for (;;) {
        int n = poll(&pfd, 1, timeout_ms);
        if (n >= 0)
            return n > 0;
        if (errno != EINTR)
            return -errno;
    }
}

/* ---- 5. hooks ---------------------------------------------------------- */

int procid__plat_open(int pid, procid__proc *p)
{
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->fd = -1;
    int fd = pidfd_open_(pid);
    if (fd >= 0) {
        p->fd = fd;
        p->pinned = 1;
        return 0;
    }
    if (fd != -ENOSYS)
        return fd;
    if (kill(pid, 0) < 0 && errno == ESRCH)
        return -ESRCH;
    return 0; /* exists (EPERM: someone else's) */
}

/*
 * No <pid>/stat: the process is gone, or /proc hides it from us (a proc
 * mount with hidepid=) while it runs. Unknown is not dead: say -EACCES.
 */
static int stat_missing(procid__proc *p)
{
    if (p->fd >= 0)
        return pidfd_exited(p->fd, 0) == 0 ? -EACCES : -ESRCH;
    if (kill(p->pid, 0) == 0 || errno == EPERM)
        return -EACCES;
    return -ESRCH;
}

int procid__plat_read(procid__proc *p, unsigned need, procid_identity *out)
{
    out->pid = p->pid;
    if ((need & PROCID_HAVE_INO) && p->fd >= 0 && has_pidfs(p->fd)) {
        struct stat st;
        if (fstat(p->fd, &st) == 0) {
            out->ino = (uint64_t)st.st_ino;
            out->have |= PROCID_HAVE_INO;
        }
    }
    if (need & PROCID_HAVE_START) {
        uint64_t start;
        char state;
        int r = read_stat(p->pid, &start, &state);
        if (r == -ESRCH)
            return stat_missing(p);
        if (r < 0)
            return r;
        if (state == 'Z' || state == 'X')
            return -ESRCH;
        /* Read after pinning: if the pidfd is still live, the stat line
           was the pinned process's own. */
        if (p->fd >= 0 && pidfd_exited(p->fd, 0) != 0)
            return -ESRCH;
        out->start = start;
        out->have |= PROCID_HAVE_START;
    }
    if (need & PROCID_HAVE_BOOT) {
        if (get_boot(out->boot) == 0)
            out->have |= PROCID_HAVE_BOOT;
    }
    return 0;
}

int procid__plat_alive(procid__proc *p)
{
    if (p->fd >= 0) {
        int r = pidfd_exited(p->fd, 0);
        return r < 0 ? r : !r;
    }
    uint64_t start;
    char state;
    int r = read_stat(p->pid, &start, &state);
    if (r == -ESRCH)
        return (r = stat_missing(p)) == -ESRCH ? 0 : r;
    if (r < 0)
        return r;
    return state != 'Z' && state != 'X';
}

int procid__plat_signal(procid__proc *p, int sig)
{
    if (p->pid <= 0)
        return -EINVAL; /* never kill(0) or kill(-1) */
    long r;
    if (p->fd >= 0)
        r = syscall(__NR_pidfd_send_signal, p->fd, sig, NULL, 0);
    else
        r = kill(p->pid, sig);
    return r < 0 ? -errno : 0;
}

int procid__plat_wait(procid__proc *p, int timeout_ms)
{
    if (p->fd >= 0) {
        int r = pidfd_exited(p->fd, timeout_ms);
        if (r < 0)
            return r;
        return r ? 0 : -ETIMEDOUT;
    }
    return procid__posix_wait_polling(p, timeout_ms); /* no pidfd */
}

void procid__plat_close(procid__proc *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = -1;
}

int procid__plat_getpid(void)
{
    return (int)getpid();
}
