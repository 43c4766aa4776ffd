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
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "platform.h"

/* Split path into its directory ("." if none) and the temp file pattern. */
static int temp_name(const char *path, char *dir, size_t dcap, char *tmp,
                     size_t tcap)
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    if (*base == '\0')
        return -EISDIR;
    int n;
    if (slash == NULL)
        n = snprintf(dir, dcap, ".");
    else if (slash == path)
        n = snprintf(dir, dcap, "/");
    else
        n = snprintf(dir, dcap, "%.*s", (int)(slash - path), path);
    if (n < 0 || (size_t)n >= dcap)
        return -ENAMETOOLONG;
    n = snprintf(tmp, tcap, "%.*s.%s.XXXXXX", (int)(base - path), path, base);
    if (n < 0 || (size_t)n >= tcap)
        return -ENAMETOOLONG;
    return 0;
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

int procid__plat_write_file(const char *path, const char *buf, size_t len)
{
    char dir[PATH_MAX], tmp[PATH_MAX];
    int r = temp_name(path, dir, sizeof dir, tmp, sizeof tmp);
    if (r < 0)
        return r;
    int fd = mkstemp(tmp);
    if (fd < 0)
        return -errno;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    if (fchmod(fd, 0644) < 0 || (r = write_all(fd, buf, len)) < 0 ||
        fsync(fd) < 0) {
        r = r < 0 ? r : -errno;
        close(fd);
        unlink(tmp);
        return r;
    }
    if (close(fd) < 0 || rename(tmp, path) < 0) {
        r = -errno;
        unlink(tmp);
        return r;
    }
    return fsync_dir(dir);
}

int procid__plat_read_file(const char *path, unsigned flags, char *buf,
                           size_t cap, size_t *len, procid_error *err)
{
    int secure = !(flags & PROCID_READ_INSECURE);
    int oflags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
    if (secure)
        oflags |= O_NOFOLLOW;
    int fd = open(path, oflags);
    if (fd < 0) {
        int e = errno;
        if (secure && (e == ELOOP || e == EMLINK)) /* FreeBSD says EMLINK */
            return procid__fail(err, -EPERM,
                                "refusing a symbolic link as pidfile");
        return procid__fail(err, -e, "%s", strerror(e));
    }
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return procid__fail(err, -e, "%s", strerror(e));
    }
    int r = 0;
    if (!S_ISREG(st.st_mode))
        r = procid__fail(err, S_ISDIR(st.st_mode) ? -EISDIR : -EPERM,
                         "not a regular file");
    else if (secure && st.st_uid != geteuid() && st.st_uid != 0)
        r = procid__fail(err, -EPERM,
                         "owned by uid %lu, not by you (uid %lu) or root",
                         (unsigned long)st.st_uid,
                         (unsigned long)geteuid());
    else if (secure && (st.st_mode & (S_IWGRP | S_IWOTH)))
        r = procid__fail(err, -EPERM,
                         "group- or world-writable (mode %04o); anyone "
                         "could have written it",
                         (unsigned)(st.st_mode & 07777));
    if (r < 0) {
        close(fd);
        return r;
    }
    size_t n = 0;
    for (;;) {
        char extra = 0; /* read(2) target for the byte past cap */
        char *dst = n < cap ? buf + n : &extra;
        size_t want = n < cap ? cap - n : 1;
        ssize_t k = read(fd, dst, want);
        if (k < 0 && errno == EINTR)
            continue;
        if (k < 0) {
            int e = errno;
            close(fd);
            return procid__fail(err, -e, "%s", strerror(e));
        }
        if (k == 0)
            break;
        n += (size_t)k;
        if (n > cap)
            break;
    }
    close(fd);
    *len = n;
    return 0;
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
