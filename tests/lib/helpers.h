/*
 * helpers.h - real processes, files and command runs for the libprocid
 * suites. No mocks: children are forked, synchronised with pipes, and
 * reaped; files live in a private temporary directory.
 */
#ifndef PROCID_TEST_HELPERS_H
#define PROCID_TEST_HELPERS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "procid.h"

/* ---- children ---------------------------------------------------------- */

#define CHILD_IGNORE_TERM 0x1u /* SIGTERM set to SIG_IGN before "ready" */

/* A forked child blocked on a pipe until released. */
typedef struct child {
    pid_t pid;
    int ctl;  /* write end: one byte tells the child to exit(0) */
} child;

/*
 * Fork a child that applies `flags`, sets its command name to `name` (NULL:
 * unchanged), reports ready and blocks until released. Returns 0 or -errno.
 * The child is remembered and killed by children_cleanup() if still there.
 */
int child_spawn(child *c, unsigned flags, const char *name);

/* Tell the child to exit(0) (it is not reaped). */
void child_release(child *c);

/* Wait for the child to exit without reaping it (it stays a zombie). */
int child_wait_exited(const child *c);

/* Reap the child and return its wait status (-1 on error). */
int child_reap(child *c);

/*
 * SIGKILL and reap: returns the wait status. WTERMSIG == SIGKILL proves no
 * earlier fatal signal (SIGTERM) was delivered: the first fatal signal sets
 * the exit code.
 */
int child_kill(child *c);

/* SIGKILL and reap every child still remembered. */
void children_cleanup(void);

/*
 * Fork a process that runs fn(arg) and _exit()s with its return value; wait
 * for it and return its exit code, or 128 + signal. For code that must not
 * run in the test process (dropped capabilities, rlimits, namespaces).
 */
int run_in_child(int (*fn)(void *), void *arg);

/* ---- commands ---------------------------------------------------------- */

typedef struct run_result {
    int code;       /* exit code, or 128 + signal */
    char out[8192]; /* stdout, NUL-terminated (truncated if longer) */
    char err[8192]; /* stderr, NUL-terminated */
} run_result;

/* Run argv (argv[0] a path), stdin /dev/null, capturing both outputs. */
int run_argv(run_result *r, char *const argv[]);

/* Run the procid CLI with the NULL-terminated arguments after it. */
int run_cli(run_result *r, ...);

/* Called in the child of run_argv() just before exec (NULL: nothing). */
extern void (*run_before_exec)(void);

/* Path of the built procid binary ($PROCID_TEST_CLI overrides it). */
const char *cli_path(void);

/* ---- files ------------------------------------------------------------- */

/* A fresh private directory; removed (recursively) by tmpdir_remove(). */
int tmpdir_make(char *out, size_t cap);
void tmpdir_remove(const char *dir);

/* Write exactly `len` bytes to path (created 0644, truncated). */
int file_put(const char *path, const void *buf, size_t len);

/* Read up to cap bytes; *len set. Returns 0 or -errno. */
int file_get(const char *path, void *buf, size_t cap, size_t *len);

/* A file's bytes and identity, to prove an operation left it alone. */
typedef struct file_snap {
    char bytes[1024];
    size_t len;
    struct stat st; /* lstat: a symlink is itself, not its target */
} file_snap;

/* Take a snapshot of path. 0 or -errno. */
int file_snapshot(const char *path, file_snap *s);

/* NULL if `now` is `before` (bytes, inode, mode, mtime); else what changed. */
const char *file_snap_diff(const file_snap *before, const file_snap *now);

/* Number of directory entries other than . and .. */
int dir_count(const char *dir);

/* Drop CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH from the effective set, so
   root obeys file modes. 0 or -errno. */
int drop_dac_caps(void);

/* Make pidfd_open(2) fail with ENOSYS in this process and its children,
   as a seccomp filter of a container runtime does. 0 or -errno. */
int deny_pidfd_open(void);

/* Identity fields as text, for failure messages. */
const char *identity_str(const procid_identity *id, char *buf, size_t cap);

#endif
