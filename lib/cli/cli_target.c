/*
 * cli_target.c - the process stop and signal act on: read FILE, verify and
 * hold its process, and say why nothing is signalled when it is not.
 */
#include <errno.h>
#include <stdio.h>

#include "cli.h"

static int refused(const target *t, const procid_identity *id, int r,
                   procid_state st)
{
    const char *file = t->src.file;
    if (r == -ENOTSUP)
        err("%s: refusing to signal pid %d: the pidfile records a pidfs "
            "inode, which cannot be checked without a pidfd (pidfd_open is "
            "refused here: a seccomp filter or a kernel before 5.3); start "
            "time and boot id alone miss a PID reused within one clock tick "
            "(use --allow-weaker to accept)",
            file, id->pid);
    else if (r == -EPERM && st == PROCID_UNVERIFIED)
        err("%s: refusing to signal pid %d: a legacy pidfile cannot prove "
            "it is the recorded process (use --allow-unverified to accept)",
            file, id->pid);
    else
        err("%s: pid %d: cannot verify the process, nothing signalled: %s",
            file, id->pid, procid_strerror(r));
    return STOP_FAILED;
}

int target_open(const target *t, procid_identity *id, procid_handle **h,
                int *code)
{
    procid_state st = PROCID_DEAD;
    int r = load(&t->src, id);
    if (r == -ENOENT) {
        say(t->quiet, "%s: not running (no pidfile)\n", t->src.file);
        *code = STOP_OK;
        return 0;
    }
    if (r < 0) {
        *code = STOP_BAD_PIDFILE;
        return 0;
    }
    r = procid_open_match(id, &t->src.match, t->open_flags, h, &st);
    if (r == -ESRCH) {
        say(t->quiet, "%s: not running (pid %d %s); nothing signalled\n",
            t->src.file, id->pid,
            st != PROCID_RECYCLED        ? "is gone"
            : match_set(&t->src.match) ? "is not the --exec/--name/--user process"
                                       : "now belongs to another process");
        if (t->remove)
            remove_recorded(&t->src, id);
        *code = STOP_OK;
        return 0;
    }
    if (r < 0) {
        *code = refused(t, id, r, st);
        return 0;
    }
    return 1;
}
