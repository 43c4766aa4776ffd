/*
 * kqueue_internal.h - what a kqueue-based backend (macOS, FreeBSD) supplies
 * to platform_kqueue.c, which implements the platform hooks around an
 * EVFILT_PROC NOTE_EXIT watch.
 */
#ifndef PROCID_KQUEUE_INTERNAL_H
#define PROCID_KQUEUE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * The start time of the process holding `pid`, in microseconds since the
 * epoch. 0; -ESRCH when there is no such process, it is a zombie, or the
 * system hides it; -EACCES when the system refuses to show it; -EIO for an
 * answer about another process or of an unexpected shape; another -errno.
 */
int procid__kq_start(int pid, uint64_t *start);

/*
 * Read the boot id into buf (cap bytes, NUL-terminated, only characters a
 * pidfile accepts). 0 or -errno. Called once; platform_kqueue.c caches it.
 */
int procid__kq_boot(char *buf, size_t cap);

#endif
