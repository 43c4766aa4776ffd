/*
 * platform.h - the few hooks each platform implements.
 *
 * The shared code (pidfile.c, verify.c) knows nothing about /proc, pidfds,
 * sysctl or HANDLEs: it opens a procid__proc, asks it for identity fields,
 * and signals or waits through it. Each platform_*.c defines every function
 * below; the build compiles exactly one of them (plus platform_posix.c on
 * Unix systems, for the file I/O).
 */
#ifndef PROCID_PLATFORM_H
#define PROCID_PLATFORM_H

#include "procid.h"

#include <errno.h>

/* MinGW's errno.h has no ESTALE (a record that changed or contradicts
   itself): a value of our own, above every errno it defines. */
#ifndef ESTALE
#define ESTALE 160
#endif

#if defined(__MINGW32__)
#include <stdio.h> /* defines __MINGW_PRINTF_FORMAT for the stdio in use */
#endif

/* A process as a platform sees it. */
typedef struct procid__proc {
    int pid;
    int pinned;   /* 1 when fd/handle refers to this very process, so a
                     recycled PID cannot slip in (Linux pidfd, Windows
                     HANDLE); 0 when every step goes by PID */
    int fd;       /* Linux: pidfd, -1 if none */
    void *handle; /* Windows: process HANDLE */
} procid__proc;

/* Open the process holding `pid`. 0, -ESRCH, or another negative errno. */
int procid__plat_open(int pid, procid__proc *p);

/*
 * Read the fields named in `need` (PROCID_HAVE_* bits) of the process behind
 * p into *out, setting out->pid and adding to out->have what was obtained.
 * A field the platform cannot supply is left unset, not an error (Linux
 * without pidfs has no ino). Returns 0, -ESRCH if the process has exited or
 * is a zombie (for an unpinned process: if the PID now holds another one the
 * fields read are that process's; the caller compares them), -EACCES if the
 * system refuses to show them, or another negative errno.
 */
int procid__plat_read(procid__proc *p, unsigned need, procid_identity *out);

/* 1 if the process runs, 0 if it has exited (zombie included), or -errno. */
int procid__plat_alive(procid__proc *p);

/* Deliver sig (0 probes). 0, -ESRCH, -EPERM, -ENOTSUP, ... */
int procid__plat_signal(procid__proc *p, int sig);

/* Wait for exit: 0 exited, -ETIMEDOUT, or -errno. timeout_ms -1: forever. */
int procid__plat_wait(procid__proc *p, int timeout_ms);

void procid__plat_close(procid__proc *p);

/*
 * Process matching (match.c). 1 if the executable of the process behind p
 * is the file `path` names (same device and inode), 0 if it is another one
 * (or the process runs none: a kernel thread), -ESRCH if it exited,
 * -EACCES if the system hides it, -ENOTSUP, or -errno (`path` unreadable).
 */
int procid__plat_same_exe(procid__proc *p, const char *path);

/* The command name of the process behind p (Linux comm, without the
   newline) into buf. 0, -ESRCH, -EACCES, -ENOTSUP, or -errno. */
int procid__plat_comm(procid__proc *p, char *buf, size_t cap);

/* The calling process's PID. */
int procid__plat_getpid(void);

/* The largest PID this platform can hand out: the pidfile parser refuses
   larger ones (Linux: PID_MAX_LIMIT, 4194304, the bound pid_max itself has,
   so no /proc read is needed to parse). */
int procid__plat_pid_max(void);

/* 1 if the n bytes at s have the form of this platform's boot id (Linux: a
   lowercase UUID as boot_id prints it), 0 otherwise. */
int procid__plat_boot_valid(const char *s, size_t n);

/* ---- files ------------------------------------------------------------- */

/* Atomically replace `path` with `len` bytes of `buf` (see procid.h):
   0, PROCID_WRITE_NOT_DURABLE, or a negative errno. */
int procid__plat_write_file(const char *path, const char *buf, size_t len);

/*
 * Remove `path` only if it still holds exactly the `len` bytes of `buf`:
 * opened with the read's safety checks (unless PROCID_READ_INSECURE), its
 * content compared through that descriptor, and the name checked to still
 * lead to that descriptor's file just before unlink. 0 removed, -ESTALE
 * (changed or replaced: kept), -ENOENT, or another negative errno.
 */
int procid__plat_remove_file(const char *path, unsigned flags, long long owner,
                             const char *buf, size_t len, procid_error *err);

/*
 * Read at most `cap` bytes of `path` into buf, *len set to the number read.
 * A file larger than cap fills buf and sets *len = cap + 1 (the caller
 * reports the size). Applies the safety checks of procid_pidfile_read()
 * unless PROCID_READ_INSECURE is in flags; on refusal returns -EPERM with a
 * message in *err. `owner` (-1: none) is a uid trusted like root: a file
 * and a directory it owns are accepted (procid_pidfile_read_owner()).
 */
int procid__plat_read_file(const char *path, unsigned flags, long long owner,
                           char *buf, size_t cap, size_t *len,
                           procid_error *err);

/* The real, effective and saved uid of the live process `pid` in uids[0..2].
   0, -ESRCH, -EACCES, -ENOTSUP (Windows), or another -errno. */
int procid__plat_uids(int pid, unsigned long uids[3]);

/*
 * Open (creating it, mode 0600) the lock file `path` and take an exclusive,
 * non-blocking lock on it; the name must still lead to the locked file
 * afterwards (a holder that unlinked it on release: retried on the new
 * file). Refuses (-EPERM) a symlink, a non-regular file, or one owned by
 * neither the caller nor root. `inherit`: the descriptor survives exec.
 * 0 and *fd, -EAGAIN when another process holds the lock, or -errno.
 */
int procid__plat_lock_open(const char *path, int inherit, int *fd,
                           procid_error *err);

/* Sleep about ms milliseconds. */
void procid__plat_sleep_ms(int ms);

/* Unlink `path` if `unlink_it` and it still names fd's file, then close fd. */
void procid__plat_lock_release(int fd, const char *path, int unlink_it);

/*
 * Unix backends, without a pidfd or kqueue watch: wait for exit by asking
 * procid__plat_alive() every 10 ms. 0 exited, -ETIMEDOUT, or -errno.
 * (platform_posix.c)
 */
int procid__posix_wait_polling(procid__proc *p, int timeout_ms);

/* ---- shared helpers ---------------------------------------------------- */

/* verify.c, for match.c: open want->pid into *p and judge it (0 or
   PROCID_CHECK_WEAKER with *state; *p open only for RUNNING and
   UNVERIFIED), and wrap an open *p into a handle held as `id`. */
int procid__judge(const procid_identity *want, procid__proc *p,
                  procid_state *state);
int procid__handle_new(procid__proc *p, const procid_identity *id,
                       int verified, procid_handle **out);


/* Fill err->msg printf-style; err may be NULL. Returns `code`. */
int procid__fail(procid_error *err, int code, const char *fmt, ...)
#if defined(__MINGW32__)
    /* mingw's own printf format type: checks against the C99 vsnprintf
       mingw uses, not MSVCRT's (which lacks %zu) */
    __attribute__((format(__MINGW_PRINTF_FORMAT, 3, 4)))
#elif defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

#endif /* PROCID_PLATFORM_H */
