/*
 * platform_linux.c - the Linux backend.
 *
 * Divisions:
 *   1. test hooks: a fake proc root and a switch for pidfd, so tests can
 *      feed real files (an earlier boot, EACCES, a truncated stat line)
 *   2. /proc/<pid>/stat: read and parse (field 22 after the LAST ')')
 *   3. boot_id, read once and cached (race-free; a failure is not cached)
 *   4. pidfd: open, pidfs inode, poll, pidfd_send_signal
 *   5. the platform hooks of platform.h
 *
 * /proc must be the caller's own PID namespace's (/proc/self is getpid()):
 * a /proc mounted for another namespace (unshare -p without --mount-proc)
 * names other processes under the same numbers, so every read is refused
 * with -EXDEV. A leader thread that exited leaves a zombie stat line while
 * the other threads run: the thread group (<pid>/task) decides.
 *
 * This is the only file of libprocid that touches /proc; every such literal
 * carries a portability acknowledgement, and allowlist/proc.allow lists it.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
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
static atomic_int fake_root;   /* 1 while a test points proc_root elsewhere */
static atomic_int pidfd_state; /* 0 untried, 1 works, -1 unavailable */
static atomic_int boot_state;  /* 0 unread, 1 being stored, 2 cached */
static char boot_id[PROCID_BOOT_MAX];
static atomic_int ours_for;    /* getpid() for which /proc was found ours */

#ifdef PROCID_TEST_HOOKS /* only in the test-only library (lib/CMakeLists.txt) */
void procid__linux_set_proc_root(const char *root)
{
    snprintf(proc_root, sizeof proc_root, "%s", root ? root : "/proc"); /* portability: the default proc root restored by the test hook */
    atomic_store(&fake_root, root != NULL);
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

/*
 * 0 if /proc is this PID namespace's: /proc/self must be the caller. A proc
 * mounted for an ancestor namespace shows our host PID there, one for another
 * namespace no "self" at all. Checked once per process (getpid() changes
 * across fork, which is how a process enters a new PID namespace).
 */
static int proc_is_ours(void)
{
    if (atomic_load(&fake_root))
        return 0; /* test hook: a directory of fixtures, no "self" */
    int me = (int)getpid();
    if (atomic_load(&ours_for) == me)
        return 0;
    char path[PATH_MAX + 16], link[32];
    snprintf(path, sizeof path, "%s/self", proc_root);
    ssize_t n = readlink(path, link, sizeof link - 1);
    if (n < 0 && errno != ENOENT)
        return -errno;
    if (n < 0)
        return -EXDEV;
    link[n] = '\0';
    char *end;
    long v = strtol(link, &end, 10);
    if (*end != '\0' || v != me)
        return -EXDEV;
    atomic_store(&ours_for, me);
    return 0;
}

static int read_stat_at(const char *path, uint64_t *start, char *state)
{
    char buf[1024];
    size_t len = 0;
    int r = read_small(path, buf, sizeof buf, &len);
    if (r == -ENOENT)
        return -ESRCH;
    if (r < 0)
        return r;
    if (procid__linux_parse_stat(buf, len, start, state) < 0)
        return -EIO; /* a stat line the kernel never writes */
    return 0;
}

/*
 * The leader's stat line says Z: the whole process has exited, or only its
 * main thread (pthread_exit) while others run. 1 if any other thread of the
 * group still runs, 0 if none, or -errno.
 */
static int group_alive(int pid)
{
    char path[PATH_MAX + 64];
    snprintf(path, sizeof path, "%s/%d/task", proc_root, pid);
    DIR *d = opendir(path);
    if (d == NULL)
        return errno == ENOENT ? 0 : -errno;
    int alive = 0;
    for (struct dirent *e; !alive && (e = readdir(d)) != NULL;) {
        char *end;
        long tid = strtol(e->d_name, &end, 10);
        if (e->d_name[0] < '1' || e->d_name[0] > '9' || *end != '\0' || tid == pid)
            continue;
        uint64_t start;
        char state;
        snprintf(path, sizeof path, "%s/%d/task/%ld/stat", proc_root, pid, tid);
        if (read_stat_at(path, &start, &state) == 0)
            alive = state != 'Z' && state != 'X';
    }
    closedir(d);
    return alive;
}

/* Start time of pid; -ESRCH when the process (every thread) has exited. */
static int read_stat(int pid, uint64_t *start, char *state)
{
    char path[PATH_MAX + 32];
    int r = proc_is_ours();
    if (r < 0)
        return r;
    snprintf(path, sizeof path, "%s/%d/stat", proc_root, pid);
    if ((r = read_stat_at(path, start, state)) < 0)
        return r;
    if (*state == 'Z' && (r = group_alive(pid)) != 0) {
        if (r < 0)
            return r;
        *state = 'R'; /* the leader exited, the process runs */
    }
    return 0;
}

static int stat_missing(procid__proc *p);

/* The Uid: line of /proc/<pid>/status: real, effective, saved, fs. */
int procid__plat_uids(int pid, unsigned long uids[3])
{
    char path[PATH_MAX + 32], buf[4096];
    size_t len = 0;
    int r = proc_is_ours();
    if (r < 0)
        return r;
    snprintf(path, sizeof path, "%s/%d/status", proc_root, pid);
    if ((r = read_small(path, buf, sizeof buf, &len)) < 0)
        return r == -ENOENT ? -ESRCH : r;
    const char *u = strstr(buf, "\nUid:");
    if (u == NULL)
        return -EIO; /* a status file the kernel never writes */
    char *p = (char *)u + 5;
    for (int i = 0; i < 3; i++) {
        char *end;
        while (*p == '\t' || *p == ' ')
            p++;
        if (*p < '0' || *p > '9')
            return -EIO;
        errno = 0;
        uids[i] = strtoul(p, &end, 10);
        if (errno != 0)
            return -EIO;
        p = end;
    }
    return 0;
}

/* Process matching: the executable (<pid>/exe, followed to the file it
   runs) and the command name (<pid>/comm). p's liveness is checked again
   by the caller after these reads (match.c). */
int procid__plat_same_exe(procid__proc *p, const char *path)
{
    char exe[PATH_MAX + 32];
    struct stat want, have;
    int r = proc_is_ours();
    if (r < 0)
        return r;
    if (stat(path, &want) < 0)
        return -errno;
    snprintf(exe, sizeof exe, "%s/%d/exe", proc_root, p->pid);
    if (stat(exe, &have) == 0)
        return want.st_dev == have.st_dev && want.st_ino == have.st_ino;
    r = -errno;
    if (r != -ENOENT)
        return r;
    /* no exe: gone, hidden (hidepid=), or a kernel thread, which runs no
       program (and so not `path`) */
    uint64_t start;
    char state;
    if ((r = read_stat(p->pid, &start, &state)) == -ESRCH)
        return stat_missing(p);
    return r < 0 ? r : 0;
}

int procid__plat_comm(procid__proc *p, char *buf, size_t cap)
{
    char path[PATH_MAX + 32];
    size_t len = 0;
    int r = proc_is_ours();
    if (r < 0)
        return r;
    snprintf(path, sizeof path, "%s/%d/comm", proc_root, p->pid);
    if ((r = read_small(path, buf, cap, &len)) < 0)
        return r == -ENOENT ? stat_missing(p) : r;
    if (len > 0 && buf[len - 1] == '\n')
        buf[--len] = '\0';
    return 0;
}

/* ---- 3. boot_id -------------------------------------------------------- */

static int read_boot_id(char *out)
{
    char path[PATH_MAX + 32], buf[PROCID_BOOT_MAX + 8];
    size_t len = 0;
    snprintf(path, sizeof path, "%s/sys/kernel/random/boot_id", proc_root);
    int r = read_small(path, buf, sizeof buf, &len);
    if (r < 0)
        return r;
    while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
        buf[--len] = '\0';
    if (!procid__plat_boot_valid(buf, len))
        return -EIO;
    memcpy(out, buf, len + 1);
    return 0;
}

/*
 * The boot id, read once. Only the thread that wins the 0 -> 1 exchange
 * stores it, and publishes it with 2 (release): readers that see 2 read a
 * complete copy, the others use what they read themselves. A failed read is
 * returned, never remembered (the next call tries again).
 */
static int get_boot(char *out)
{
    if (atomic_load_explicit(&boot_state, memory_order_acquire) == 2) {
        memcpy(out, boot_id, PROCID_BOOT_MAX);
        return 0;
    }
    char buf[PROCID_BOOT_MAX];
    memset(buf, 0, sizeof buf);
    int r = read_boot_id(buf);
    if (r < 0)
        return r;
    memcpy(out, buf, PROCID_BOOT_MAX);
    int expect = 0;
    if (atomic_compare_exchange_strong(&boot_state, &expect, 1)) {
        memcpy(boot_id, buf, PROCID_BOOT_MAX);
        atomic_store_explicit(&boot_state, 2, memory_order_release);
    }
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
        int r = get_boot(out->boot);
        if (r < 0)
            return r; /* Linux always has one: unreadable is an error */
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

int procid__plat_pid_max(void)
{
    return 4194304; /* PID_MAX_LIMIT on 64-bit: pid_max cannot exceed it */
}

int procid__plat_boot_valid(const char *s, size_t n)
{
    /* boot_id: 8-4-4-4-12 lowercase hex digits */
    if (n != 36)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return 0;
        }
    }
    return 1;
}
