/*
 * platform_kqueue.c - the platform hooks for kqueue systems (macOS,
 * FreeBSD), around an exit watch. UNTESTED: this project's CI cannot
 * compile it; platform_darwin.c / platform_freebsd.c supply the start time
 * and the boot id (kqueue_internal.h). File I/O is platform_posix.c.
 *
 * Divisions:
 *   1. the boot id, read once (pthread_once: no thread reads the buffer
 *      while another fills it)
 *   2. the exit watch: a kqueue with an EVFILT_PROC NOTE_EXIT event
 *   3. the platform hooks of platform.h
 *
 * Race windows. open() attaches the exit watch to whatever process holds
 * the PID, then the identity is read by PID and accepted only if the watch
 * has not fired: so the identity read is the watched process's, and alive
 * and wait follow that very process. These systems signal an existing
 * non-child only by PID, so signal is kill(2) after a last look at the
 * watch: a process that exits, is reaped, and whose PID is handed out again
 * between that look and kill(2) (microseconds) would receive the signal.
 * Without a watch (kqueue refused), every step goes by PID and waiting
 * polls every 10 ms.
 */
#if defined(__APPLE__)
#define _DARWIN_C_SOURCE
#endif
#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "kqueue_internal.h"
#include "platform.h"

/* p->fd: the exit watch (a kqueue), or one of these. */
#define WATCH_NONE  (-1) /* no watch: go by PID */
#define WATCH_FIRED (-2) /* the watched process has exited */

/* ---- 1. boot id -------------------------------------------------------- */

static pthread_once_t boot_once = PTHREAD_ONCE_INIT;
static int boot_state; /* 1 cached, -errno failed; written once, under once */
static char boot_id[PROCID_BOOT_MAX];

static void read_boot(void)
{
    int r = procid__kq_boot(boot_id, sizeof boot_id);
    boot_state = r < 0 ? r : 1;
}

static int get_boot(char *out)
{
    pthread_once(&boot_once, read_boot);
    if (boot_state < 0)
        return boot_state;
    memcpy(out, boot_id, PROCID_BOOT_MAX);
    return 0;
}

/* ---- 2. exit watch ----------------------------------------------------- */

/*
 * Attach an exit watch to the process holding `pid`: *kq gets the kqueue,
 * or WATCH_NONE when the system refuses one (the caller goes by PID).
 * -ESRCH when there is no such process (a zombie included).
 */
static int watch_open(int pid, int *kq)
{
    *kq = WATCH_NONE;
    int fd = kqueue();
    if (fd < 0)
        return 0;
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    struct kevent ev;
    EV_SET(&ev, (uintptr_t)pid, EVFILT_PROC, EV_ADD, NOTE_EXIT, 0, NULL);
    if (kevent(fd, &ev, 1, NULL, 0, NULL) < 0) {
        int e = errno;
        close(fd);
        return e == ESRCH ? -ESRCH : 0;
    }
    *kq = fd;
    return 0;
}

static int remaining_ms(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    long long ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
                   (deadline->tv_nsec - now.tv_nsec) / 1000000;
    return ms < 0 ? 0 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
}

/*
 * 1 once the watched process has exited, 0 if it still runs after
 * timeout_ms (-1: wait forever), or -errno. The kernel delivers NOTE_EXIT
 * once, so the answer is latched in p->fd.
 */
static int watch_exited(procid__proc *p, int timeout_ms)
{
    if (p->fd == WATCH_FIRED)
        return 1;
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ms > 0) { /* EINTR restarts with what is left */
        deadline.tv_sec += timeout_ms / 1000;
        deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
        if (deadline.tv_nsec >= 1000000000L) {
            deadline.tv_sec++;
            deadline.tv_nsec -= 1000000000L;
        }
    }
    for (;;) {
        struct timespec ts, *tsp = NULL;
        if (timeout_ms >= 0) {
            int ms = remaining_ms(&deadline);
            ts.tv_sec = ms / 1000;
            ts.tv_nsec = (long)(ms % 1000) * 1000000L;
            tsp = &ts;
        }
        struct kevent out;
        int n = kevent(p->fd, NULL, 0, &out, 1, tsp);
        if (n > 0 && (out.flags & EV_ERROR))
            return -(int)out.data;
        if (n > 0) {
            close(p->fd);
            p->fd = WATCH_FIRED;
            return 1;
        }
        if (n == 0)
            return 0;
        if (errno != EINTR)
            return -errno;
    }
}

/* ---- 3. hooks ---------------------------------------------------------- */

int procid__plat_open(int pid, procid__proc *p)
{
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->fd = WATCH_NONE;
    if (pid <= 0)
        return -EINVAL;
    int r = watch_open(pid, &p->fd);
    if (r < 0)
        return r;
    if (p->fd == WATCH_NONE && kill(pid, 0) < 0 && errno == ESRCH)
        return -ESRCH;
    return 0; /* exists (EPERM from kill: someone else's) */
}

int procid__plat_read(procid__proc *p, unsigned need, procid_identity *out)
{
    out->pid = p->pid;
    if (need & PROCID_HAVE_START) {
        uint64_t start;
        int r = procid__kq_start(p->pid, &start);
        if (r < 0)
            return r;
        /* Read after the watch was attached: if it has not fired, the
           process read is the watched one, not a successor on its PID. */
        if (p->fd != WATCH_NONE && (r = watch_exited(p, 0)) != 0)
            return r < 0 ? r : -ESRCH;
        out->start = start;
        out->have |= PROCID_HAVE_START;
    }
    if ((need & PROCID_HAVE_BOOT) && get_boot(out->boot) == 0)
        out->have |= PROCID_HAVE_BOOT;
    return 0; /* no inode on these systems */
}

int procid__plat_alive(procid__proc *p)
{
    if (p->fd != WATCH_NONE) {
        int r = watch_exited(p, 0);
        return r < 0 ? r : !r;
    }
    uint64_t start;
    int r = procid__kq_start(p->pid, &start);
    if (r == 0)
        return 1;
    if (r == -ESRCH)
        return 0;
    if (r != -EACCES)
        return r;
    /* Refused by the system: kill(0) still tells whether it exists
       (a zombie then counts as alive; its identity stays unreadable). */
    if (kill(p->pid, 0) == 0 || errno == EPERM)
        return 1;
    return errno == ESRCH ? 0 : -errno;
}

int procid__plat_signal(procid__proc *p, int sig)
{
    if (p->pid <= 0)
        return -EINVAL; /* never kill(0) or kill(-1) */
    if (p->fd != WATCH_NONE) {
        int r = watch_exited(p, 0);
        if (r != 0)
            return r < 0 ? r : -ESRCH; /* its PID may be someone else's */
    }
    return kill(p->pid, sig) < 0 ? -errno : 0;
}

int procid__plat_wait(procid__proc *p, int timeout_ms)
{
    if (p->fd != WATCH_NONE) {
        int r = watch_exited(p, timeout_ms);
        if (r < 0)
            return r;
        return r ? 0 : -ETIMEDOUT;
    }
    return procid__posix_wait_polling(p, timeout_ms); /* no watch */
}

void procid__plat_close(procid__proc *p)
{
    if (p->fd >= 0)
        close(p->fd);
    p->fd = WATCH_NONE;
}

int procid__plat_getpid(void)
{
    return (int)getpid();
}

/* Process matching needs the executable and command name of another
   process: not read on this platform yet. */
int procid__plat_same_exe(procid__proc *p, const char *path)
{
    (void)p;
    (void)path;
    return -ENOTSUP;
}

int procid__plat_comm(procid__proc *p, char *buf, size_t cap)
{
    (void)p;
    (void)buf;
    (void)cap;
    return -ENOTSUP;
}
