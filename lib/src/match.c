/*
 * match.c - start-stop-daemon's process matching (--exec, --name, --user)
 * on top of the identity check: the conditions are read through the same
 * pinned process that a later signal goes through, and read again as alive
 * afterwards, so what was matched is what gets signalled.
 */
#include <errno.h>
#include <string.h>

#include "platform.h"

#define COMM_MAX 15 /* TASK_COMM_LEN - 1: what the kernel keeps of a name */

static int has_conditions(const procid_match *m)
{
    return m != NULL && (m->exec != NULL || m->name != NULL || m->has_uid);
}

/* 1 if the open process meets every condition, 0 if it fails one, -ESRCH
   if it exited meanwhile, or a negative errno (unknown is not "other"). */
static int meets(procid__proc *p, const procid_match *m)
{
    int ok = 1, r;
    if (m->exec != NULL) {
        if ((r = procid__plat_same_exe(p, m->exec)) < 0)
            return r;
        ok &= r;
    }
    if (m->name != NULL) {
        char comm[64];
        if ((r = procid__plat_comm(p, comm, sizeof comm)) < 0)
            return r;
        ok &= strlen(comm) <= COMM_MAX &&
              strncmp(comm, m->name, COMM_MAX) == 0 &&
              (strlen(m->name) >= COMM_MAX || strcmp(comm, m->name) == 0);
    }
    if (m->has_uid) {
        unsigned long uids[3];
        if ((r = procid__plat_uids(p->pid, uids)) < 0)
            return r;
        ok &= uids[0] == m->uid;
    }
    /* the reads went by PID: they were this process's only if it still
       runs now (pinned: its PID cannot have been handed on) */
    if ((r = procid__plat_alive(p)) <= 0)
        return r < 0 ? r : -ESRCH;
    return ok;
}

/* judge, then the conditions: *p stays open only for RUNNING. */
static int judge_match(const procid_identity *want, const procid_match *m,
                       procid__proc *p, procid_state *state)
{
    int r = procid__judge(want, p, state);
    if (r < 0 || (*state != PROCID_RUNNING && *state != PROCID_UNVERIFIED))
        return r;
    int k = meets(p, m);
    if (k <= 0)
        procid__plat_close(p);
    if (k == -ESRCH) {
        *state = PROCID_DEAD;
        return 0;
    }
    if (k < 0)
        return k;
    *state = k ? PROCID_RUNNING : PROCID_RECYCLED;
    return r;
}

int procid_check_match(const procid_identity *want, const procid_match *m,
                       procid_state *state)
{
    if (!has_conditions(m))
        return procid_check(want, state);
    if (want == NULL || state == NULL)
        return -EINVAL;
    procid__proc p;
    procid_state st;
    int r = judge_match(want, m, &p, &st);
    if (r >= 0 && st == PROCID_RUNNING)
        procid__plat_close(&p);
    if (r >= 0)
        *state = st;
    return r;
}

int procid_open_match(const procid_identity *want, const procid_match *m,
                      unsigned flags, procid_handle **out, procid_state *state)
{
    if (!has_conditions(m))
        return procid_open(want, flags, out, state);
    if (want == NULL || out == NULL)
        return -EINVAL;
    *out = NULL;
    procid__proc p;
    procid_state st;
    int legacy = !(want->have & (PROCID_HAVE_START | PROCID_HAVE_INO));
    int r = judge_match(want, m, &p, &st);
    if (r < 0)
        return r;
    if (state != NULL)
        *state = st;
    if (st != PROCID_RUNNING)
        return -ESRCH;
    if (r == PROCID_CHECK_WEAKER && !(flags & PROCID_OPEN_WEAKER)) {
        procid__plat_close(&p);
        return -ENOTSUP;
    }
    procid_identity id = *want;
    if (legacy) {
        /* the matched process's own identity, read through the pin: what
           an upgraded pidfile records */
        memset(&id, 0, sizeof id);
        id.pid = want->pid;
        r = procid__plat_read(
            &p, PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO, &id);
        if (r == 0 && procid__plat_alive(&p) == 0)
            r = -ESRCH;
        if (r < 0) {
            procid__plat_close(&p);
            if (r == -ESRCH && state != NULL)
                *state = PROCID_DEAD;
            return r;
        }
    }
    return procid__handle_new(&p, &id, 1, out);
}
