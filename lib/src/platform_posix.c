/*
 * platform_posix.c - what every Unix backend (Linux, macOS, FreeBSD)
 * shares: pidfile I/O (the atomic write and the safe read) and waiting for
 * exit by polling, where no pidfd or kqueue watch pins the process.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE
#elif defined(__FreeBSD__)
#define __BSD_VISIBLE 1
#else
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

/* Split path into its directory ("." if none) and its last component. */
static int split_path(const char *path, char *dir, size_t dcap,
                      const char **base)
{
    const char *slash = strrchr(path, '/');
    *base = slash ? slash + 1 : path;
    if (**base == '\0')
        return -EISDIR;
    int n;
    if (slash == NULL)
        n = snprintf(dir, dcap, ".");
    else if (slash == path)
        n = snprintf(dir, dcap, "/");
    else
        n = snprintf(dir, dcap, "%.*s", (int)(slash - path), path);
    return (n < 0 || (size_t)n >= dcap) ? -ENAMETOOLONG : 0;
}

/* The temp file's pattern beside path: ".<base>.XXXXXX", the base cut so
   the name fits NAME_MAX (255) for any legal basename. */
static int temp_name(const char *path, const char *base, char *tmp, size_t tcap)
{
    int keep = (int)strlen(base);
    if (keep > 200)
        keep = 200;
    int n = snprintf(tmp, tcap, "%.*s.%.*s.XXXXXX", (int)(base - path), path,
                     keep, base);
    return (n < 0 || (size_t)n >= tcap) ? -ENAMETOOLONG : 0;
}

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t k = write(fd, buf, len);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return -errno;
        buf += k;
        len -= (size_t)k;
    }
    return 0;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (fd < 0)
        return -errno;
    int r = fsync(fd) < 0 ? -errno : 0;
    close(fd);
    /* Some file systems cannot fsync a directory; the rename stands. */
    return (r == -EINVAL || r == -ENOTSUP) ? 0 : r;
}

/* Only a regular file (or nothing) is ever replaced: never a FIFO, socket,
   device node, symlink or directory someone put at the path. */
static int replaceable(const char *path)
{
    struct stat st;
    if (lstat(path, &st) < 0)
        return errno == ENOENT ? 0 : -errno;
    if (S_ISDIR(st.st_mode))
        return -EISDIR;
    return S_ISREG(st.st_mode) ? 0 : -EPERM;
}

/* Write buf to a fresh temp file `tmp` (a mkstemp pattern), flushed. */
static int write_temp(char *tmp, const char *buf, size_t len)
{
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -errno;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    int r = 0;
    if (fchmod(fd, 0644) < 0 || (r = write_all(fd, buf, len)) < 0 ||
        fsync(fd) < 0)
        r = r < 0 ? r : -errno;
    if (close(fd) < 0 && r == 0)
        r = -errno;
    if (r < 0)
        unlink(tmp);
    return r;
}

int procid__plat_write_file(const char *path, const char *buf, size_t len)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    const char *base;
    int r = split_path(path, dir, sizeof dir, &base);
    if (r < 0 || (r = temp_name(path, base, tmp, sizeof tmp)) < 0 ||
        (r = replaceable(path)) < 0 || (r = write_temp(tmp, buf, len)) < 0)
        return r;
    if (rename(tmp, path) < 0) {
        r = -errno;
        unlink(tmp);
        return r;
    }
    /* The rename is done: the new file is what readers see. A directory
       flush that fails now is a durability warning, not a failed write. */
    return fsync_dir(dir) < 0 ? PROCID_WRITE_NOT_DURABLE : 0;
}

/*
 * The pidfile's directory must not let anyone but the file's owner or root
 * rename or replace entries (unless sticky, like /tmp): otherwise another
 * user can move any of its pidfiles over this one.
 */
static int check_dir(int dfd, const struct stat *file, long long owner,
                     procid_error *err)
{
    struct stat d;
    if (fstat(dfd, &d) < 0)
        return procid__fail(err, -errno, "directory: %s", strerror(errno));
    if (d.st_uid != 0 && d.st_uid != file->st_uid &&
        (owner < 0 || (long long)d.st_uid != owner))
        return procid__fail(err, -EPERM,
                            "its directory is owned by uid %lu, neither the "
                            "file's owner nor root: that user can replace it",
                            (unsigned long)d.st_uid);
    if ((d.st_mode & (S_IWGRP | S_IWOTH)) && !(d.st_mode & S_ISVTX))
        return procid__fail(err, -EPERM,
                            "its directory is group- or world-writable and not "
                            "sticky (mode %04o): anyone could have moved "
                            "another file here",
                            (unsigned)(d.st_mode & 07777));
    return 0;
}

static int check_file(const struct stat *st, int secure, long long owner,
                      procid_error *err)
{
    if (!S_ISREG(st->st_mode))
        return procid__fail(err, S_ISDIR(st->st_mode) ? -EISDIR : -EPERM,
                            "not a regular file");
    if (secure && owner >= 0 && st->st_uid != geteuid() && st->st_uid != 0 &&
        (long long)st->st_uid != owner)
        return procid__fail(err, -EPERM,
                            "owned by uid %lu, not by you (uid %lu), root or "
                            "the trusted owner (uid %lld)",
                            (unsigned long)st->st_uid,
                            (unsigned long)geteuid(), owner);
    if (secure && owner < 0 && st->st_uid != geteuid() && st->st_uid != 0)
        return procid__fail(err, -EPERM,
                            "owned by uid %lu, not by you (uid %lu) or root",
                            (unsigned long)st->st_uid, (unsigned long)geteuid());
    if (secure && (st->st_mode & (S_IWGRP | S_IWOTH)))
        return procid__fail(err, -EPERM,
                            "group- or world-writable (mode %04o); anyone "
                            "could have written it",
                            (unsigned)(st->st_mode & 07777));
    return 0;
}

/* Open path for reading with every check; *fd and *st describe the file. */
static int open_checked(const char *path, unsigned flags, long long owner,
                        int *fd, struct stat *st, procid_error *err)
{
    int secure = !(flags & PROCID_READ_INSECURE);
    char dir[PATH_MAX];
    const char *base;
    *fd = -1;
    int r = split_path(path, dir, sizeof dir, &base);
    if (r < 0)
        return procid__fail(err, r, "%s", strerror(-r));
    int dfd = open(dir, O_RDONLY | O_CLOEXEC | O_DIRECTORY);
    if (dfd < 0)
        return procid__fail(err, -errno, "%s", strerror(errno));
    int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    if (secure)
        oflags |= O_NOFOLLOW;
    *fd = openat(dfd, base, oflags);
    if (*fd < 0) {
        int e = errno;
        close(dfd);
        if (secure && (e == ELOOP || e == EMLINK)) /* FreeBSD says EMLINK */
            return procid__fail(err, -EPERM,
                                "refusing a symbolic link as pidfile");
        return procid__fail(err, -e, "%s", strerror(e));
    }
    if (fstat(*fd, st) < 0)
        r = procid__fail(err, -errno, "%s", strerror(errno));
    else if ((r = check_file(st, secure, owner, err)) == 0 && secure)
        r = check_dir(dfd, st, owner, err);
    close(dfd);
    if (r < 0)
        close(*fd);
    return r;
}

static int read_fd(int fd, char *buf, size_t cap, size_t *len, procid_error *err)
{
    size_t n = 0;
    for (;;) {
        char extra = 0; /* read(2) target for the byte past cap */
        char *dst = n < cap ? buf + n : &extra;
        size_t want = n < cap ? cap - n : 1;
        ssize_t k = read(fd, dst, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0)
            return procid__fail(err, -errno, "%s", strerror(errno));
        if (k == 0)
            break;
        n += (size_t)k;
        if (n > cap)
            break;
    }
    *len = n;
    return 0;
}

int procid__plat_read_file(const char *path, unsigned flags, long long owner,
                           char *buf, size_t cap, size_t *len,
                           procid_error *err)
{
    int fd = -1;
    struct stat st;
    memset(&st, 0, sizeof st);
    int r = open_checked(path, flags, owner, &fd, &st, err);
    if (r < 0 || fd < 0)
        return r < 0 ? r : -EIO;
    r = read_fd(fd, buf, cap, len, err);
    close(fd);
    return r;
}

int procid__plat_remove_file(const char *path, unsigned flags, long long owner,
                             const char *buf, size_t len, procid_error *err)
{
    int fd = -1;
    struct stat st, now;
    char cur[PROCID_PIDFILE_MAX + 1];
    size_t n = 0;
    memset(&st, 0, sizeof st);
    memset(&now, 0, sizeof now);
    int r = open_checked(path, flags, owner, &fd, &st, err);
    if (r < 0 || fd < 0)
        return r < 0 ? r : -EIO;
    r = read_fd(fd, cur, PROCID_PIDFILE_MAX, &n, err);
    close(fd);
    if (r < 0)
        return r;
    if (n != len || memcmp(cur, buf, len) != 0)
        return procid__fail(err, -ESTALE, "changed since it was read; not removed");
    /* the name must still lead to the file whose content was compared */
    if (lstat(path, &now) < 0)
        return procid__fail(err, -errno, "%s", strerror(errno));
    if (now.st_dev != st.st_dev || now.st_ino != st.st_ino)
        return procid__fail(err, -ESTALE, "replaced since it was read; not removed");
    if (unlink(path) < 0)
        return procid__fail(err, -errno, "cannot remove: %s", strerror(errno));
    return 0;
}

/* ---- lock files (exclusive pidfiles) ----------------------------------- */

static int lock_file_ok(int fd, struct stat *st, procid_error *err)
{
    if (fstat(fd, st) < 0)
        return procid__fail(err, -errno, "lock file: %s", strerror(errno));
    if (!S_ISREG(st->st_mode))
        return procid__fail(err, -EPERM, "lock file is not a regular file");
    if (st->st_uid != geteuid() && st->st_uid != 0)
        return procid__fail(err, -EPERM,
                            "lock file is owned by uid %lu, not by you (uid "
                            "%lu) or root",
                            (unsigned long)st->st_uid, (unsigned long)geteuid());
    return 0;
}

/* One attempt: 1 locked and still named by path, 0 retry, or -errno. */
static int lock_once(const char *path, int *out, procid_error *err)
{
    struct stat st, now;
    int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY |
                            O_NONBLOCK, 0600);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP || e == EMLINK)
            return procid__fail(err, -EPERM,
                                "refusing a symbolic link as lock file");
        return procid__fail(err, -e, "lock file: %s", strerror(e));
    }
    int r = lock_file_ok(fd, &st, err);
    if (r == 0 && flock(fd, LOCK_EX | LOCK_NB) < 0)
        r = errno == EWOULDBLOCK ? -EAGAIN
                                 : procid__fail(err, -errno, "lock: %s",
                                                strerror(errno));
    /* a releasing holder unlinks the name: the lock on that inode is then
       worth nothing, and the name's new file must be locked instead */
    if (r == 0 && (lstat(path, &now) < 0 || now.st_dev != st.st_dev ||
                   now.st_ino != st.st_ino))
        r = 1;
    if (r != 0) {
        close(fd);
        return r == 1 ? 0 : r;
    }
    *out = fd;
    return 1;
}

int procid__plat_lock_open(const char *path, int inherit, int *fd,
                           procid_error *err)
{
    for (int i = 0; i < 1000; i++) {
        int r = lock_once(path, fd, err);
        if (r < 0)
            return r;
        if (r == 0)
            continue;
        if (inherit && fcntl(*fd, F_SETFD, 0) < 0) {
            r = procid__fail(err, -errno, "lock file: %s", strerror(errno));
            close(*fd);
            return r;
        }
        return 0;
    }
    return procid__fail(err, -EAGAIN, "lock file keeps being replaced");
}

void procid__plat_sleep_ms(int ms)
{
    struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
}

void procid__plat_lock_release(int fd, const char *path, int unlink_it)
{
    struct stat st, now;
    if (unlink_it && fstat(fd, &st) == 0 && lstat(path, &now) == 0 &&
        st.st_dev == now.st_dev && st.st_ino == now.st_ino)
        unlink(path); /* while locked: a waiter then retries on a new file */
    close(fd);
}

int procid__posix_wait_polling(procid__proc *p, int timeout_ms)
{
    struct timespec tick = {0, 10000000L}; /* 10 ms */
    for (long waited = 0;; waited += 10) {
        int r = procid__plat_alive(p);
        if (r <= 0)
            return r;
        if (timeout_ms >= 0 && waited >= timeout_ms)
            return -ETIMEDOUT;
        nanosleep(&tick, NULL);
    }
}
