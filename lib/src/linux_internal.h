/*
 * linux_internal.h - internal entry points of the Linux backend, for tests
 * and fuzzers. The two test hooks exist only in procid_testlib, compiled
 * with PROCID_TEST_HOOKS and never installed; the parser is hidden in the
 * shared library.
 */
#ifndef PROCID_LINUX_INTERNAL_H
#define PROCID_LINUX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

/*
 * Point the backend at another proc root (NULL: the real one), so that
 * <root>/<pid>/stat and <root>/sys/kernel/random/boot_id are read instead.
 * Resets the cached boot id. Test use only; not thread-safe.
 */
void procid__linux_set_proc_root(const char *root);

/* Disable (0) or re-enable (1) pidfds, to test the PID-only fallback. */
void procid__linux_set_pidfd(int enabled);

/*
 * Parse a /proc/<pid>/stat line: *state gets field 3, *start field 22.
 * Fields are counted after the last ')' of the command name.
 * 0, or -EINVAL for a line the kernel never writes.
 */
int procid__linux_parse_stat(const char *buf, size_t len, uint64_t *start,
                             char *state);

#endif
