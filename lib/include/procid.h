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
 * unknown on one side is not a mismatch. A check compares every field the
 * record and the live process both have (the inode never stands in for the
 * start time). A signal needs every field the record carries verified: a
 * field this system cannot read now (an inode without pidfds) makes
 * signalling fail closed unless the caller opts in (PROCID_OPEN_WEAKER).
 *
 * Arguments: a NULL pointer where an object is required is -EINVAL (or 0
 * from procid_identity_match, NULL from procid_handle_identity), never a
 * crash. Optional out-parameters are marked "may be NULL".
 *
 * Errors: every fallible function returns 0 (or a documented non-negative
 * value) on success and a negative errno value on failure; procid_strerror()
 * names it. There is no global error state.
 *
 * Thread safety: all functions are safe to call from several threads on
 * different objects (the boot id is cached once, race-free; a failed read is
 * never cached). A procid_handle must not be used by two threads at once.
 *
 * Linux /proc: identities are read from /proc, which must be the caller's own
 * PID namespace's (/proc/self must be the caller): otherwise every call that
 * reads a process returns -EXDEV, because /proc/<pid> would describe another
 * namespace's process. Start times are clock ticks since boot as the
 * caller's time namespace sees them: a pidfile written in a time namespace
 * with another boottime offset records other ticks. With a pidfs inode the
 * contradiction is detected (same inode, other start: -ESTALE, nothing is
 * signalled or removed); without one such a record reads as RECYCLED. Write
 * and read pidfiles in the same time namespace.
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

/* Name of an error returned by any procid_ function ("no such process"...),
   for either sign of the errno value; the system's text for errnos the
   library gives no meaning of its own. Never NULL. */
PROCID_API const char *procid_strerror(int err);

/* "RUNNING", "DEAD", "RECYCLED" or "UNVERIFIED". */
PROCID_API const char *procid_state_name(procid_state state);

/* Run-time library version, "MAJOR.MINOR.PATCH". */
PROCID_API const char *procid_version(void);

/* ---- identity ---------------------------------------------------------- */

/*
 * Read the identity of the live process `pid` into *out.
 * Returns 0, -ESRCH if there is no such process (or it has exited: a zombie
 * whose threads have all exited; a leader thread that exited while others
 * run is alive), -EINVAL for pid <= 0 or out NULL, -EACCES if the platform
 * refuses to show its start time, -EXDEV (Linux) if /proc belongs to another
 * PID namespace, or another negative errno (Linux: an unreadable boot id is
 * an error, never an identity without one).
 */
PROCID_API int procid_identity_of(int pid, procid_identity *out);

/*
 * Identity of the calling process. A daemon calls it after its LAST fork
 * (the double fork of daemonising included): a child gets a PID and start
 * time of its own, so an identity taken before a fork names the parent,
 * which exits. exec(2) keeps the identity: taken before exec, it names the
 * program exec'd.
 */
PROCID_API int procid_self(procid_identity *out);

/*
 * 1 when a and b name the same process: same pid, and every field known on
 * both sides equal. 0 otherwise.
 */
PROCID_API int procid_identity_match(const procid_identity *a,
                                     const procid_identity *b);

/* ---- pidfiles ---------------------------------------------------------- */

/*
 * Pidfile format (v2), ASCII:
 *
 *     <pid>\n
 *     start=<start> boot=<boot> ino=<ino>\n
 *
 * Line 1 alone is what systemd PIDFile=, pgrep -F and start-stop-daemon read.
 * Line 2 holds no bare number, so `kill $(cat FILE)` and `xargs kill < FILE`
 * signal line 1's PID and nothing else (the start time or the inode read as
 * a PID would name a bystander). A field the writer does not know is left
 * out, never invented; with no field known the file is line 1 alone.
 *
 * Readers also accept the v1 line 2 "<start> <boot> [<ino>]" (boot "-":
 * unknown), the legacy one-line forms "<pid>" (pid only; checks answer
 * PROCID_UNVERIFIED) and "<pid> <start>", and blanks, tabs and a CR around
 * line 1's PID. Unknown keys and keys given twice on line 2 are refused
 * (fail closed): a reader must not match on less evidence than the writer
 * recorded, and a key given twice has no single meaning. A new field
 * therefore needs a reader that knows it.
 */

/* Flags for procid_pidfile_read(). */
#define PROCID_READ_INSECURE 0x1u /* skip the owner / mode / symlink /
                                     directory checks */

/* A message describing why a pidfile was refused, filled on error. */
typedef struct procid_error {
    char msg[200];
} procid_error;

/*
 * Format `id` as a pidfile into buf (NUL-terminated). Returns the length
 * written (without the NUL), -EINVAL for an identity that cannot be written
 * (pid <= 0 or above the system's maximum, a boot id that is not this
 * system's form, ino 0, NULL arguments), -ENOSPC if cap is too small.
 * PROCID_PIDFILE_MAX bytes always suffice.
 */
PROCID_API int procid_pidfile_format(const procid_identity *id, char *buf,
                                     size_t cap);

/*
 * Parse pidfile contents. Returns 0 and fills *out, or -EINVAL with a
 * message in *err (may be NULL) saying what was wrong and where:
 * empty input, a sign, hex, leading zeros, pid 0, a pid above the system's
 * maximum (Linux: 4194304, PID_MAX_LIMIT), overflow, extra fields, NUL bytes,
 * more than PROCID_PIDFILE_MAX bytes, a malformed line 2, an unknown or
 * repeated key, a boot id not of this system's form (Linux: a lowercase
 * UUID). -EINVAL too for buf or out NULL.
 */
PROCID_API int procid_pidfile_parse(const char *buf, size_t len,
                                    procid_identity *out, procid_error *err);

/*
 * Write `id` to `path` atomically: a temporary file in the same directory,
 * flushed to disk, renamed over `path`, then the directory flushed. A crash
 * leaves either the old file or the new one, never a torn one. The file gets
 * mode 0644. Only a regular file (or nothing) is replaced: a FIFO, socket,
 * device node or symlink at `path` is -EPERM, a directory -EISDIR.
 * Returns 0, PROCID_WRITE_NOT_DURABLE when the file was replaced but the
 * directory could not be flushed afterwards (the write happened; a crash
 * may still bring back the old file), or a negative errno, in which case
 * `path` is untouched and no temporary file is left behind.
 */
#define PROCID_WRITE_NOT_DURABLE 1
PROCID_API int procid_pidfile_write(const char *path,
                                    const procid_identity *id);

/*
 * Read and parse the pidfile at `path`. Unless PROCID_READ_INSECURE is set,
 * refuses (-EPERM, with a message) a symlink, anything but a regular file,
 * a file not owned by the caller's effective uid or root, a file that is
 * group- or world-writable, and a file whose directory lets others replace
 * it: a directory owned by someone other than root or the file's owner, or
 * group- or world-writable without the sticky bit. Returns 0, -ENOENT if
 * there is no such file, -EINVAL for malformed contents (or NULL path/out),
 * or another negative errno. *err (may be NULL) says what was wrong.
 */
PROCID_API int procid_pidfile_read(const char *path, unsigned flags,
                                   procid_identity *out, procid_error *err);

/*
 * Remove the pidfile at `path` only if it still records exactly `id` (every
 * field, and no more or fewer): read with the checks of procid_pidfile_read
 * (flags), its content compared through the descriptor read, and its name
 * checked to lead to that same file just before it is unlinked. Returns 0
 * removed, -ESTALE (with a message) when the file changed or was replaced
 * meanwhile (it is kept), -ENOENT, or another negative errno.
 * POSIX removes by name: a writer that replaces the file in the instant
 * between the last check and unlink(2) loses its file.
 */
PROCID_API int procid_pidfile_remove(const char *path, unsigned flags,
                                     const procid_identity *id,
                                     procid_error *err);

/*
 * A pidfile the daemon's own user wrote: as procid_pidfile_read(), but a
 * file owned by the uid `owner`, and a directory it owns, are trusted like
 * root's; and then the recorded process, if it is alive (RUNNING or
 * UNVERIFIED), must run as `owner`: real, effective and saved uid, or the
 * read is refused (-EPERM, with a message): a file that user owns can never
 * name another user's process. A process that is gone (DEAD, RECYCLED) is
 * not checked: nothing of it can be signalled. Between this read and a
 * later signal the process keeps its identity, and a process running as
 * `owner` can only change uid by exec of a set-user-ID program, which
 * leaves its real uid, so the kernel lets `owner` signal it anyway.
 * Windows: -ENOTSUP.
 */
PROCID_API int procid_pidfile_read_owner(const char *path, unsigned flags,
                                         unsigned long owner,
                                         procid_identity *out,
                                         procid_error *err);

/* procid_pidfile_remove() with the trust of procid_pidfile_read_owner(). */
PROCID_API int procid_pidfile_remove_owner(const char *path, unsigned flags,
                                           unsigned long owner,
                                           const procid_identity *id,
                                           procid_error *err);

/* ---- exclusive pidfiles: one instance at a time ------------------------ */

/*
 * A daemon's whole pidfile life is three calls, as with libbsd's
 * pidfile_open() / pidfile_write() / pidfile_remove():
 *
 *     procid_pidlock *lk;
 *     procid_identity holder;
 *     procid_error e;
 *     int r = procid_pidlock_open("/run/food.pid", 0, &lk, &holder, &e);
 *     if (r == -EEXIST) ... already running as holder.pid (0: not known yet)
 *     ... fork(), setsid(), fork() as the daemon needs ...
 *     procid_pidlock_write(lk, NULL);      (after the LAST fork)
 *     ... serve ...
 *     procid_pidlock_remove(lk, NULL);     (on the way out)
 *
 * The lock: an flock(2) on a sidecar file "<path>.lock" (mode 0600), held
 * through a descriptor the daemon keeps: it lives exactly as long as that
 * descriptor (and its copies across fork, and across exec with
 * PROCID_PIDLOCK_INHERIT). The pidfile itself is still replaced by the
 * atomic rename of procid_pidfile_write(), so readers never see an empty or
 * partial file and need no lock. The sidecar is what is locked because a
 * lock on the pidfile would stay with the inode the rename replaces. A
 * sidecar unlinked by a releasing holder is detected (the name no longer
 * leads to the locked inode) and the lock taken again on the new file.
 *
 * The lock is not the only evidence: with the lock taken, an existing
 * pidfile is still checked, and a process it names that is RUNNING (or
 * UNVERIFIED: a live PID from a pid-only file) is a live holder (-EEXIST):
 * a daemon started without the lock, a lock lost on NFS or with a deleted
 * sidecar. A stale file (DEAD, RECYCLED, another boot) is taken over. A
 * file that cannot be verified is not taken over: unsafe or malformed
 * (-EPERM / -EINVAL, with a message), or a process whose identity cannot be
 * read (-EACCES...).
 */
typedef struct procid_pidlock procid_pidlock;

/* Flags for procid_pidlock_open(); PROCID_READ_INSECURE applies to the
   reads of the existing pidfile. */
#define PROCID_PIDLOCK_INHERIT 0x100u /* the lock descriptor survives exec
                                         (no FD_CLOEXEC): a command exec'd
                                         after the write keeps the lock */

/*
 * Take the lock of `path` for this process. Returns 0 and *out; -EEXIST
 * when a live holder runs: *holder (may be NULL) is its verified identity,
 * or has pid 0 when the lock stays held for a second while no live
 * process is recorded (a holder that has not written yet, or a child of a
 * dead holder still holding the inherited descriptor: open waits that
 * second for the lock to come free); an unusable pidfile beside a held
 * lock is its error, not -EEXIST; -EPERM (unsafe file or lock file), -EINVAL
 * (malformed pidfile), -EACCES (holder's identity unreadable), or another
 * negative errno. *err (may be NULL) says why. Nothing is written.
 */
PROCID_API int procid_pidlock_open(const char *path, unsigned flags,
                                   procid_pidlock **out,
                                   procid_identity *holder, procid_error *err);

/*
 * Record `id` (NULL: procid_self(), which must then be called in the
 * process that will run: after the last fork) in the locked pidfile, with
 * the atomic write of procid_pidfile_write() (same return values).
 */
PROCID_API int procid_pidlock_write(procid_pidlock *lk,
                                    const procid_identity *id);

/*
 * The daemon's exit path: remove the pidfile if it still records what
 * procid_pidlock_write() wrote (procid_pidfile_remove()), remove the
 * sidecar, release the lock and free lk. Returns the pidfile removal's
 * result (0, -ESTALE when it records another process now and was kept,
 * -ENOENT); the lock is released and lk freed in every case.
 */
PROCID_API int procid_pidlock_remove(procid_pidlock *lk, procid_error *err);

/* Close this process's descriptor of the lock and free lk; no file is
   touched. A parent that forked the daemon calls this: the lock stays with
   the child's copy. */
PROCID_API void procid_pidlock_close(procid_pidlock *lk);

/* The lock descriptor (to keep it out of children that must not hold the
   lock), or -EINVAL for lk NULL. */
PROCID_API int procid_pidlock_fd(const procid_pidlock *lk);

/* ---- checks and signals ------------------------------------------------- */

/*
 * Compare `want` against the process that holds want->pid now, on every
 * field both know. Returns 0 and sets *state, PROCID_CHECK_WEAKER when
 * *state is RUNNING but rests on fewer fields than the record carries (it
 * has an inode this system cannot read now: no pidfd), or a negative errno
 * when the answer is not known: -EACCES when the platform refuses to show
 * the identity (never reported as RECYCLED), -EXDEV for a /proc of another
 * PID namespace, -ESTALE when the record contradicts itself (its inode names
 * the running process but its start time differs: another time namespace,
 * or an edited file), -EINVAL for pid <= 0 or NULL arguments.
 */
#define PROCID_CHECK_WEAKER 1
PROCID_API int procid_check(const procid_identity *want, procid_state *state);

/*
 * Send `sig` to the process `want` names, only if it still is that process.
 * Returns 0 when the signal was delivered; -ESRCH when nothing was sent
 * because the process is gone or the PID was recycled (*state, if not NULL,
 * says which); -EPERM for an UNVERIFIED (pid-only) identity; -ENOTSUP when
 * the record carries a field this system cannot verify now (an inode, and
 * no pidfd: a seccomp filter or a kernel before 5.3) -- use procid_open()
 * with PROCID_OPEN_WEAKER to accept that; -EACCES if the identity cannot be
 * read (fails closed); -EINVAL for pid <= 0 or want NULL.
 *
 * Linux 5.3+: the process is pinned with a pidfd before it is verified and
 * signalled through that pidfd, so no PID reuse can slip in between.
 * Elsewhere (and on older Linux) the check and kill(2) are two steps: a PID
 * recycled in the microseconds between them would receive the signal.
 * Windows: verification and termination go through one process HANDLE.
 */
PROCID_API int procid_signal(const procid_identity *want, int sig,
                             procid_state *state);

/* ---- process matching, as start-stop-daemon does it --------------------- */

/*
 * Conditions on the process itself, checked through the same pinned handle
 * (Linux: pidfd) that is then signalled, so no PID reuse slips in between:
 *
 *   exec  the process's executable is the same file as this path: device
 *         and inode of the program it runs against stat(2) of `exec`, so
 *         /bin/sleep and /usr/bin/sleep agree where /bin links to /usr/bin.
 *         A program replaced on disk after the process started (a package
 *         upgrade) no longer matches its path. NULL: not checked.
 *   name  the process's command name (Linux comm), compared on at most its
 *         first 15 characters as the kernel keeps them. NULL: not checked.
 *   uid   with has_uid: the process's real uid.
 *
 * On a pid-only (UNVERIFIED) record, a process that meets every condition
 * counts as RUNNING: that is the evidence a legacy pidfile lacks. A process
 * that fails one is RECYCLED (nothing signalled). On a full record the
 * conditions are checked in addition to the identity. A match with no
 * condition set is the plain check.
 */
typedef struct procid_match {
    const char *exec;
    const char *name;
    int has_uid;
    unsigned long uid;
    uint64_t reserved[2]; /* zero */
} procid_match;

/*
 * procid_check() with the conditions of `m` (may be NULL: none). Returns
 * as procid_check(), and -ENOTSUP on a platform that cannot read the
 * executable, name or uid of a process; -EACCES when the system refuses to
 * show them (another user's executable without ptrace rights): never
 * reported as RECYCLED.
 */
PROCID_API int procid_check_match(const procid_identity *want,
                                  const procid_match *m, procid_state *state);

/* ---- held handles, for watchdog loops ---------------------------------- */

typedef struct procid_handle procid_handle;

/* Flags for procid_open(). */
#define PROCID_OPEN_UNVERIFIED 0x1u /* accept a pid-only record */
#define PROCID_OPEN_WEAKER 0x2u     /* accept a record with a field this
                                       system cannot verify now (an inode
                                       without pidfds): the process is then
                                       matched on start time and boot id,
                                       which a PID reused within the same
                                       clock tick passes */

/*
 * Verify `want` and hold the process. On success returns 0, sets *out and
 * *state (may be NULL) to PROCID_RUNNING. When the process is not the one
 * recorded, returns -ESRCH with *state DEAD or RECYCLED and *out NULL. An
 * UNVERIFIED identity is refused with -EPERM unless `flags` has
 * PROCID_OPEN_UNVERIFIED (1, what older callers passed as "allow"), in
 * which case the handle holds whatever process has the PID now. A record
 * with a field that cannot be verified now is refused with -ENOTSUP (*state
 * RUNNING: what the other fields say) unless PROCID_OPEN_WEAKER is set.
 * -EINVAL for want or out NULL.
 */
PROCID_API int procid_open(const procid_identity *want, unsigned flags,
                           procid_handle **out, procid_state *state);

/*
 * procid_open() with the conditions of `m` (may be NULL: none), checked
 * through the handle returned. A pid-only record whose process meets them
 * is held as verified (no PROCID_OPEN_UNVERIFIED needed), and the handle's
 * identity (procid_handle_identity()) is then the live process's full
 * identity, read through the pinned handle: what a caller writes to
 * upgrade the legacy pidfile. A process that fails a condition: -ESRCH,
 * *state RECYCLED. Other returns as procid_open() and procid_check_match().
 */
PROCID_API int procid_open_match(const procid_identity *want,
                                 const procid_match *m, unsigned flags,
                                 procid_handle **out, procid_state *state);

/*
 * 1 while the held process runs, 0 once it has exited (zombie included),
 * or a negative errno. Linux with pidfd: one poll(2), no /proc read.
 */
PROCID_API int procid_handle_alive(procid_handle *h);

/* Signal the held process. -ESRCH once it has exited. (For all handle
   functions: -EINVAL for h NULL.) */
PROCID_API int procid_handle_signal(procid_handle *h, int sig);

/*
 * Wait up to timeout_ms (-1: forever) for the held process to exit.
 * 0 when it has exited, -ETIMEDOUT when it still runs, -EINVAL for another
 * negative timeout. The process need not be a child of the caller.
 */
PROCID_API int procid_handle_wait(procid_handle *h, int timeout_ms);

/* The identity the handle was verified against (NULL for h NULL). The
   pointer is valid until procid_close(h), and the identity does not
   change while the handle is open; copy it to keep it longer. */
PROCID_API const procid_identity *procid_handle_identity(const procid_handle *h);

PROCID_API void procid_close(procid_handle *h);

#ifdef __cplusplus
}
#endif

#endif /* PROCID_H */
