/*
 * proc_raw.h - the test suites' only raw /proc access, kept in one file
 * (proc_raw.c) so that procguard's allowlist names exactly one test file.
 *
 * These helpers read and write the kernel's own files independently of
 * libprocid, so a test can compare the library's answer with the truth.
 */
#ifndef PROCID_TEST_PROC_RAW_H
#define PROCID_TEST_PROC_RAW_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The raw stat line of pid (NUL-terminated). 0 or -errno. */
int raw_stat_line(pid_t pid, char *buf, size_t cap);

/* Field 22 (start time in ticks) of pid's stat line, parsed here with a
   parser of its own (fields after the last ')'). 0 or -errno. */
int raw_start_ticks(pid_t pid, uint64_t *start);

/* Map uid and gid 0 of a fresh user namespace to the caller's ids
   (what unshare -r does). 0 or -errno. */
int raw_map_root(uid_t uid, gid_t gid);

/* In a fresh mount namespace: make mounts private and mount a new proc
   filesystem for the caller's PID namespace. 0 or -errno. */
int raw_mount_proc(void);

/* In a fresh mount namespace: mount a proc filesystem for the caller's
   PID namespace with hidepid=invisible. 0 or -errno. */
int raw_mount_proc_hidepid(void);

/* Make the next PID allocated in the caller's PID namespace last + 1.
   0 or -errno. */
int raw_set_ns_last_pid(pid_t last);

#endif
