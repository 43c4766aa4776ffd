/*
 * platform_freebsd.c - the FreeBSD part of the kqueue backend: start times
 * from sysctl {CTL_KERN, KERN_PROC, KERN_PROC_PID, pid} and the boot time.
 * UNTESTED: written against the documented APIs (sysctl(3), user.h); this
 * project's CI cannot compile it. The hooks and the exit watch are
 * platform_kqueue.c (its comment has the race windows); file I/O is
 * platform_posix.c.
 *
 * Identity: start = ki_start in microseconds since the epoch; boot =
 * kern.boottime as "<sec>.<usec>"; no inode. Caveat: the kernel derives
 * both from its boot time, which it moves when the clock is stepped
 * (settimeofday, ntpd -g, a leap second), so after a step a running
 * process no longer matches its pidfile and reads as DEAD. That errs on
 * the safe side (nothing is signalled), but the status is wrong.
 * Processes the system hides from us (security.bsd.see_other_uids=0,
 * jails) are ESRCH to sysctl, kqueue and kill(2) alike: they read as DEAD,
 * and could not be signalled anyway.
 */
#include <sys/param.h>
#include <sys/types.h>
#include <sys/proc.h>
#include <sys/sysctl.h>
#include <sys/time.h>
#include <sys/user.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "kqueue_internal.h"
#include "platform.h"

#ifndef SZOMB
#define SZOMB 5 /* <sys/proc.h>: awaiting collection by parent */
#endif

/* ---- 1. kinfo_proc ----------------------------------------------------- */

/*
 * The kinfo_proc of `pid`. 0, -ESRCH when there is no such process (or it
 * is hidden from us, or a zombie), -EACCES when the system refuses, or
 * another -errno.
 */
static int kinfo(int pid, struct kinfo_proc *kp)
{
    int mib[4] = {CTL_KERN, KERN_PROC, KERN_PROC_PID, pid};
    size_t len = sizeof *kp;
    if (sysctl(mib, 4, kp, &len, NULL, 0) < 0) {
        int e = errno;
        if (e == EPERM || e == EACCES)
            return -EACCES;
        return -e; /* ESRCH included */
    }
    if (len == 0)
        return -ESRCH; /* an empty answer: nothing has the PID */
    if (len != sizeof *kp || kp->ki_structsize != (int)sizeof *kp ||
        kp->ki_pid != pid)
        return -EIO; /* not the structure this file was built for */
    return kp->ki_stat == SZOMB ? -ESRCH : 0;
}

int procid__kq_start(int pid, uint64_t *start)
{
    struct kinfo_proc kp;
    int r = kinfo(pid, &kp);
    if (r == 0)
        *start = (uint64_t)kp.ki_start.tv_sec * 1000000u +
                 (uint64_t)kp.ki_start.tv_usec;
    return r;
}

int procid__plat_uids(int pid, unsigned long uids[3])
{
    struct kinfo_proc kp;
    int r = kinfo(pid, &kp);
    if (r == 0) {
        uids[0] = kp.ki_ruid;
        uids[1] = kp.ki_uid;
        uids[2] = kp.ki_svuid;
    }
    return r;
}

/* ---- 2. boot time ------------------------------------------------------ */

/* "<sec>.<usec>", six digits of microseconds, as procid__kq_boot writes */
int procid__plat_boot_valid(const char *s, size_t n)
{
    const char *dot = memchr(s, '.', n);
    if (dot == NULL || dot == s || (size_t)(s + n - dot) != 7)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s + i != dot && (s[i] < '0' || s[i] > '9'))
            return 0;
    return 1;
}

int procid__plat_pid_max(void)
{
    return 99999; /* PID_MAX in <sys/proc.h> */
}

int procid__kq_boot(char *out, size_t cap)
{
    struct timeval tv;
    size_t len = sizeof tv;
    if (sysctlbyname("kern.boottime", &tv, &len, NULL, 0) < 0)
        return -errno;
    if (len != sizeof tv || tv.tv_sec <= 0 || tv.tv_usec < 0 ||
        tv.tv_usec >= 1000000)
        return -EIO;
    int n = snprintf(out, cap, "%lld.%06ld", (long long)tv.tv_sec,
                     (long)tv.tv_usec);
    return (n > 0 && (size_t)n < cap) ? 0 : -EIO;
}
