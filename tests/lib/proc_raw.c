/*
 * proc_raw.c - the test suites' raw /proc access (see proc_raw.h). Every
 * literal here carries a portability acknowledgement: these are Linux-only
 * test fixtures (the ground truth libprocid is checked against, and the
 * knobs of forced PID reuse), never library code.
 */
#define _GNU_SOURCE
#include "proc_raw.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t len = strlen(text);
    ssize_t k = write(fd, text, len);
    int e = errno;
    close(fd);
    if (k < 0)
        return -e;
    return (size_t)k == len ? 0 : -EIO;
}

int raw_stat_line(pid_t pid, char *buf, size_t cap)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid); // portability: test ground truth, the kernel's own stat line, read without libprocid
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    size_t n = 0;
    for (ssize_t k; n + 1 < cap && (k = read(fd, buf + n, cap - 1 - n)) != 0;) {
        if (k < 0) {
            int e = errno;
            close(fd);
            return -e;
        }
        n += (size_t)k;
    }
    close(fd);
    buf[n] = '\0';
    return 0;
}

int raw_start_ticks(pid_t pid, uint64_t *start)
{
    char line[1024];
    int r = raw_stat_line(pid, line, sizeof line);
    if (r < 0)
        return r;
    char *p = strrchr(line, ')');
    if (p == NULL)
        return -EIO;
    /* After ")": field 3 is first; field 22 is the 20th token. */
    char *save = NULL, *tok = strtok_r(p + 1, " \n", &save);
    for (int field = 3; tok != NULL && field < 22; field++)
        tok = strtok_r(NULL, " \n", &save);
    if (tok == NULL)
        return -EIO;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(tok, &end, 10);
    if (errno != 0 || *end != '\0')
        return -EIO;
    *start = v;
    return 0;
}

int raw_map_root(uid_t uid, gid_t gid)
{
    char map[64];
    int r = write_text("/proc/self/setgroups", "deny"); // portability: user-namespace id mapping, as unshare(1) -r does
    if (r < 0 && r != -ENOENT)
        return r;
    snprintf(map, sizeof map, "0 %lu 1\n", (unsigned long)uid);
    if ((r = write_text("/proc/self/uid_map", map)) < 0) // portability: user-namespace id mapping, as unshare(1) -r does
        return r;
    snprintf(map, sizeof map, "0 %lu 1\n", (unsigned long)gid);
    return write_text("/proc/self/gid_map", map); // portability: user-namespace id mapping, as unshare(1) -r does
}

int raw_mount_proc(void)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -errno;
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) // portability: a proc mount for the new PID namespace, as unshare(1) --mount-proc does
        return -errno;
    return 0;
}

int raw_mount_proc_hidepid(void)
{
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        return -errno;
    if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, "hidepid=invisible") < 0) // portability: a proc mount that hides other users' processes, as hardened systems use
        return -errno;
    return 0;
}

int raw_set_ns_last_pid(pid_t last)
{
    char text[32];
    snprintf(text, sizeof text, "%d", (int)last);
    return write_text("/proc/sys/kernel/ns_last_pid", text); // portability: forced PID reuse, the kernel's only knob for choosing the next PID
}
