/*
 * procid.h - pin a PID to the exact process it named.
 *
 * A pidfile that stores a bare PID lies once the process is gone and the
 * kernel hands the number to someone else. libprocid records an identity,
 * (pid, start, boot, ino), and every check or signal compares it against the
 * process that holds the PID now:
 *
 *   pid    the process id.
 *   start  the process start time in the platform's own unit: Linux clock
 *          ticks since boot (field 22 of /proc/<pid>/stat); macOS and FreeBSD
 *          microseconds since the epoch; Windows the creation FILETIME.
 *          Raw values, never converted, so that equality is exact.
 *   boot   an id of the boot the process lives in (Linux boot_id, macOS
 *          kern.bootsessionuuid, FreeBSD kern.boottime), "" when unknown.
 *   ino    Linux 6.9+ (pidfs): the inode number of a pidfd for the process,
 *          unique within a boot. It separates two processes that received the
 *          same PID within the same 10 ms clock tick. 0 when unknown.
 *
 * Two identities match when every field that BOTH know is equal; a field
 * unknown on one side is not a mismatch.
 *
 * Errors: every fallible function returns 0 (or a documented non-negative
 * value) on success and a negative errno value on failure; procid_strerror()
 * names it. There is no global error state.
 *
 * Thread safety: all functions are safe to call from several threads on
 * different objects. A procid_handle must not be used by two threads at once.
 *
 * Platform notes:
 *   Linux    pidfd (5.3+) pins the process: verification and signal go
 *            through it, no reuse window. Without pidfds (old kernel, a
 *            seccomp filter) every step goes by PID: see procid_signal().
 *   macOS,   a kqueue EVFILT_PROC watch ties reads and waits to the process,
 *   FreeBSD  but kill(2) goes by PID: a window of microseconds remains
 *            between the last look and the signal. Processes hidden from
 *            the caller (FreeBSD see_other_uids=0, jails) read as DEAD.
 *            FreeBSD start times move when the clock is stepped, so a
 *            running process may then read as DEAD (never as RUNNING for
 *            another process).
 *   Windows  one HANDLE pins the process; paths are UTF-8; a written
 *            pidfile takes its directory's ACL (no mode 0644); only SIGTERM,
 *            SIGINT and SIGKILL (9) act, by TerminateProcess; others return
 *            -ENOTSUP; the boot id is unknown ("-").
 */
#ifndef PROCID_H
#define PROCID_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32) && defined(PROCID_SHARED)
#ifdef PROCID_BUILDING
#define PROCID_API __declspec(dllexport)
#else
#define PROCID_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(PROCID_BUILDING)
#define PROCID_API __attribute__((visibility("default")))
#else
#define PROCID_API
#endif

#define PROCID_VERSION_MAJOR 0
#define PROCID_VERSION_MINOR 1
#define PROCID_VERSION_PATCH 0

/* Longest boot id kept, including the terminating NUL. */
#define PROCID_BOOT_MAX 64

/* Largest pidfile accepted by the reader, in bytes. */
#define PROCID_PIDFILE_MAX 256

/* Which fields of a procid_identity are known (procid_identity.have). */
#define PROCID_HAVE_START 0x1u
#define PROCID_HAVE_BOOT 0x2u
#define PROCID_HAVE_INO 0x4u

typedef struct procid_identity {
    int pid;                    /* > 0 */
    unsigned have;              /* PROCID_HAVE_* bits */
    uint64_t start;             /* valid with PROCID_HAVE_START */
    char boot[PROCID_BOOT_MAX]; /* valid with PROCID_HAVE_BOOT */
    uint64_t ino;               /* valid with PROCID_HAVE_INO */
    /* Room for fields added before 1.0 without changing the struct's size
     * (an ABI break): the library fills it with zeros and ignores it on
     * input. Callers should zero-initialise identities they build. */
    uint64_t reserved[4];
} procid_identity;

/* The answer of a check. */
typedef enum procid_state {
    PROCID_RUNNING = 0,    /* the recorded process is alive, identity matches */
    PROCID_DEAD = 1,       /* no process has the PID, or it is a zombie */
    PROCID_RECYCLED = 2,   /* the PID is alive but is another process */
    PROCID_UNVERIFIED = 3  /* legacy record (pid only): the PID is alive, and
                              nothing tells whether it is the same process */
} procid_state;

/* Name of an error returned by any procid_ function ("no such process"...). */
PROCID_API const char *procid_strerror(int err);

/* "RUNNING", "DEAD", "RECYCLED" or "UNVERIFIED". */
PROCID_API const char *procid_state_name(procid_state state);

/* Run-time library version, "MAJOR.MINOR.PATCH". */
PROCID_API const char *procid_version(void);

/* ---- identity ---------------------------------------------------------- */

/*
 * Read the identity of the live process `pid` into *out.
 * Returns 0, -ESRCH if there is no such process (or it is a zombie),
 * -EINVAL for pid <= 0, -EACCES if the platform refuses to show its
 * start time, or another negative errno.
 */
PROCID_API int procid_identity_of(int pid, procid_identity *out);

/* Identity of the calling process. */
PROCID_API int procid_self(procid_identity *out);

/*
 * 1 when a and b name the same process: same pid, and every field known on
 * both sides equal. 0 otherwise.
 */
PROCID_API int procid_identity_match(const procid_identity *a,
                                     const procid_identity *b);

/* ---- pidfiles ---------------------------------------------------------- */

/*
 * Pidfile format, ASCII:
 *
 *     <pid>\n
 *     <start> <boot> [<ino>]\n
 *
 * Line 1 alone is what systemd PIDFile=, pgrep -F and start-stop-daemon read.
 * An unknown boot is written "-". Readers also accept the legacy one-line
 * forms "<pid>" (pid only; checks answer PROCID_UNVERIFIED) and
 * "<pid> <start>".
 */

/* Flags for procid_pidfile_read(). */
#define PROCID_READ_INSECURE 0x1u /* skip the owner / mode / symlink checks */

/* A message describing why a pidfile was refused, filled on error. */
typedef struct procid_error {
    char msg[200];
} procid_error;

/*
 * Format `id` as a pidfile into buf (NUL-terminated). Returns the length
 * written (without the NUL), -EINVAL for an identity that cannot be written
 * (pid <= 0, a boot id with white space), -ENOSPC if cap is too small.
 * PROCID_PIDFILE_MAX bytes always suffice.
 */
PROCID_API int procid_pidfile_format(const procid_identity *id, char *buf,
                                     size_t cap);

/*
 * Parse pidfile contents. Returns 0 and fills *out, or -EINVAL with a
 * message in *err (may be NULL) saying what was wrong and where:
 * empty input, a sign, hex, leading zeros, pid 0, overflow, extra fields,
 * NUL bytes, more than PROCID_PIDFILE_MAX bytes, a malformed line 2.
 */
PROCID_API int procid_pidfile_parse(const char *buf, size_t len,
                                    procid_identity *out, procid_error *err);

/*
 * Write `id` to `path` atomically: a temporary file in the same directory,
 * flushed to disk, renamed over `path`, then the directory flushed. A crash
 * leaves either the old file or the new one, never a torn one. The file gets
 * mode 0644. Returns 0 or a negative errno; on failure `path` is untouched
 * and no temporary file is left behind.
 */
PROCID_API int procid_pidfile_write(const char *path,
                                    const procid_identity *id);

/*
 * Read and parse the pidfile at `path`. Unless PROCID_READ_INSECURE is set,
 * refuses (-EPERM, with a message) a symlink, anything but a regular file,
 * a file not owned by the caller's effective uid or root, and a file that
 * is group- or world-writable. Returns 0, -ENOENT if there is no such file,
 * -EINVAL for malformed contents, or another negative errno. *err (may be
 * NULL) says what was wrong.
 */
PROCID_API int procid_pidfile_read(const char *path, unsigned flags,
                                   procid_identity *out, procid_error *err);

/* ---- checks and signals ------------------------------------------------- */

/*
 * Compare `want` against the process that holds want->pid now.
 * Returns 0 and sets *state, or a negative errno when the answer is not
 * known: -EACCES when the platform refuses to show the identity (never
 * reported as RECYCLED), -EINVAL for pid <= 0.
 */
PROCID_API int procid_check(const procid_identity *want, procid_state *state);

/*
 * Send `sig` to the process `want` names, only if it still is that process.
 * Returns 0 when the signal was delivered; -ESRCH when nothing was sent
 * because the process is gone or the PID was recycled (*state, if not NULL,
 * says which); -EPERM for an UNVERIFIED (pid-only) identity; -EACCES if the
 * identity cannot be read (fails closed); -EINVAL for pid <= 0.
 *
 * Linux 5.3+: the process is pinned with a pidfd before it is verified and
 * signalled through that pidfd, so no PID reuse can slip in between.
 * Elsewhere (and on older Linux) the check and kill(2) are two steps: a PID
 * recycled in the microseconds between them would receive the signal.
 * Windows: verification and termination go through one process HANDLE.
 */
PROCID_API int procid_signal(const procid_identity *want, int sig,
                             procid_state *state);

/* ---- held handles, for watchdog loops ---------------------------------- */

typedef struct procid_handle procid_handle;

/*
 * Verify `want` and hold the process. On success returns 0, sets *out and
 * *state to PROCID_RUNNING. When the process is not the one recorded, returns
 * -ESRCH with *state DEAD or RECYCLED and *out NULL. An UNVERIFIED identity
 * is refused with -EPERM unless `allow_unverified` is non-zero, in which case
 * the handle holds whatever process has the PID now.
 */
PROCID_API int procid_open(const procid_identity *want, int allow_unverified,
                           procid_handle **out, procid_state *state);

/*
 * 1 while the held process runs, 0 once it has exited (zombie included),
 * or a negative errno. Linux with pidfd: one poll(2), no /proc read.
 */
PROCID_API int procid_handle_alive(procid_handle *h);

/* Signal the held process. -ESRCH once it has exited. */
PROCID_API int procid_handle_signal(procid_handle *h, int sig);

/*
 * Wait up to timeout_ms (-1: forever) for the held process to exit.
 * 0 when it has exited, -ETIMEDOUT when it still runs. The process need not
 * be a child of the caller.
 */
PROCID_API int procid_handle_wait(procid_handle *h, int timeout_ms);

/* The identity the handle was verified against. */
PROCID_API const procid_identity *procid_handle_identity(const procid_handle *h);

PROCID_API void procid_close(procid_handle *h);

#ifdef __cplusplus
}
#endif

#endif /* PROCID_H */
