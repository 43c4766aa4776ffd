/*
 * platform_darwin.c - the macOS part of the kqueue backend: start times
 * from proc_pidinfo(PROC_PIDTBSDINFO) and the boot session id.
 * UNTESTED: written against the documented APIs (libproc.h, sysctl(3));
 * this project's CI cannot compile it. The hooks and the exit watch are
 * platform_kqueue.c; file I/O is platform_posix.c.
 *
 * Identity: start = pbi_start_tvsec * 1000000 + pbi_start_tvusec, the wall
 * clock time of the fork, stored once by the kernel (a later clock change
 * does not move it); boot = kern.bootsessionuuid, a UUID made at each boot;
 * no inode.
 */
#define _DARWIN_C_SOURCE
#include <sys/types.h>
#include <sys/proc.h>
#include <sys/sysctl.h>

#include <errno.h>
#include <libproc.h>
#include <string.h>

#include "kqueue_internal.h"
#include "platform.h"

#ifndef SZOMB
#define SZOMB 5 /* <sys/proc.h>: awaiting collection by parent */
#endif

/* ---- 1. proc_pidinfo --------------------------------------------------- */

/*
 * The BSD info of `pid`. 0, -ESRCH when there is no such process or it is a
 * zombie, -EACCES when the system will not show it, or another -errno.
 */
static int bsdinfo(int pid, struct proc_bsdinfo *info)
{
    errno = 0;
    int n = proc_pidinfo(pid, PROC_PIDTBSDINFO, 0, info, (int)sizeof *info);
    if (n == (int)sizeof *info) {
        if (info->pbi_pid != (uint32_t)pid)
            return -EIO; /* an answer about another process: never trust */
        return info->pbi_status == SZOMB ? -ESRCH : 0;
    }
    int e = errno;
    if (e == ESRCH)
        return -ESRCH;
    if (e == EPERM || e == EACCES)
        return -EACCES;        /* another user's process, or a sandbox */
    return e != 0 ? -e : -EIO; /* a short answer with no reason given */
}

int procid__kq_start(int pid, uint64_t *start)
{
    struct proc_bsdinfo info;
    int r = bsdinfo(pid, &info);
    if (r == 0)
        *start = (uint64_t)info.pbi_start_tvsec * 1000000u +
                 (uint64_t)info.pbi_start_tvusec;
    return r;
}

int procid__plat_uids(int pid, unsigned long uids[3])
{
    struct proc_bsdinfo info;
    int r = bsdinfo(pid, &info);
    if (r == 0) {
        uids[0] = info.pbi_ruid;
        uids[1] = info.pbi_uid;
        uids[2] = info.pbi_svuid;
    }
    return r;
}

/* ---- 2. boot session ---------------------------------------------------- */

static int valid_boot(const char *s, size_t n)
{
    if (n == 0 || n >= PROCID_BOOT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
              (c >= 'a' && c <= 'z') || c == '-'))
            return 0;
    }
    return 1;
}

int procid__plat_boot_valid(const char *s, size_t n)
{
    return valid_boot(s, n);
}

int procid__plat_pid_max(void)
{
    return 99999; /* PID_MAX in <sys/proc_internal.h> */
}

int procid__kq_boot(char *out, size_t cap)
{
    char buf[PROCID_BOOT_MAX];
    size_t len = sizeof buf;
    if (sysctlbyname("kern.bootsessionuuid", buf, &len, NULL, 0) < 0)
        return -errno;
    size_t n = strnlen(buf, len < sizeof buf ? len : sizeof buf);
    if (!valid_boot(buf, n) || n >= cap)
        return -EIO;
    memcpy(out, buf, n);
    out[n] = '\0';
    return 0;
}
