/*
 * verify.c - check, signal and wait, built on the platform hooks.
 *
 * Every operation first opens the process (pinning it where the platform
 * can), then compares the recorded identity against the process behind that
 * handle, and only then acts through the same handle. Anything not proven
 * to be the recorded process is never signalled.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

struct procid_handle {
    procid__proc p;
    procid_identity id;
    int verified; /* 0 for an UNVERIFIED (pid-only) hold */
};

#define ID_FIELDS (PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO)

int procid_identity_match(const procid_identity *a, const procid_identity *b)
{
    if (a == NULL || b == NULL || a->pid != b->pid)
        return 0;
    unsigned both = a->have & b->have;
    if ((both & PROCID_HAVE_BOOT) && strcmp(a->boot, b->boot) != 0)
        return 0;
    if ((both & PROCID_HAVE_INO) && a->ino != b->ino)
        return 0;
    if ((both & PROCID_HAVE_START) && a->start != b->start)
        return 0;
    return 1;
}

/*
 * Read every field `want` has that the platform can give: the inode (one
 * fstat of the pidfd), the start time and the boot id. The inode never
 * stands in for the start time: both are compared.
 */
static int read_current(procid__proc *p, const procid_identity *want,
                        procid_identity *cur)
{
    memset(cur, 0, sizeof *cur);
    cur->pid = p->pid;
    return procid__plat_read(p, want->have & ID_FIELDS, cur);
}

/* The same process (inode unique within a boot) with another start time:
   the record or the reader's clock view (time namespace) is off. */
static int contradicts(const procid_identity *want, const procid_identity *cur)
{
    unsigned both = want->have & cur->have;
    return (both & PROCID_HAVE_INO) && want->ino == cur->ino &&
           (both & PROCID_HAVE_BOOT) && strcmp(want->boot, cur->boot) == 0 &&
           (both & PROCID_HAVE_START) && want->start != cur->start;
}

/*
 * Open want->pid into *p and judge it. Returns 0 (or PROCID_CHECK_WEAKER:
 * RUNNING on fewer fields than the record has) with *state set; *p stays
 * open only when *state is RUNNING or UNVERIFIED.
 */
int procid__judge(const procid_identity *want, procid__proc *p,
                  procid_state *state)
{
    if (want->pid <= 0)
        return -EINVAL;
    int r = procid__plat_open(want->pid, p);
    if (r == -ESRCH) {
        *state = PROCID_DEAD;
        return 0;
    }
    if (r < 0)
        return r;

    r = procid__plat_alive(p);
    if (r <= 0) {
        procid__plat_close(p);
        if (r < 0)
            return r;
        *state = PROCID_DEAD;
        return 0;
    }
    if (!(want->have & (PROCID_HAVE_START | PROCID_HAVE_INO))) {
        *state = PROCID_UNVERIFIED;
        return 0;
    }

    procid_identity cur;
    r = read_current(p, want, &cur);
    if (r == -ESRCH) {
        procid__plat_close(p);
        *state = PROCID_DEAD;
        return 0;
    }
    if (r == 0 && contradicts(want, &cur))
        r = -ESTALE;
    if (r < 0) { /* -EACCES and friends: unknown is never "recycled" */
        procid__plat_close(p);
        return r;
    }
    if (!procid_identity_match(want, &cur)) {
        procid__plat_close(p);
        *state = PROCID_RECYCLED;
        return 0;
    }
    *state = PROCID_RUNNING;
    /* a field the record has and the process could not show: weaker */
    return (want->have & ID_FIELDS & ~cur.have) ? PROCID_CHECK_WEAKER : 0;
}

int procid_check(const procid_identity *want, procid_state *state)
{
    procid__proc p;
    procid_state st;
    if (want == NULL || state == NULL)
        return -EINVAL;
    int r = procid__judge(want, &p, &st);
    if (r < 0)
        return r;
    if (st == PROCID_RUNNING || st == PROCID_UNVERIFIED)
        procid__plat_close(&p);
    *state = st;
    return r;
}

int procid_open(const procid_identity *want, unsigned flags,
                procid_handle **out, procid_state *state)
{
    procid__proc p;
    procid_state st;
    if (want == NULL || out == NULL)
        return -EINVAL;
    *out = NULL;
    int r = procid__judge(want, &p, &st);
    if (r < 0)
        return r;
    if (state != NULL)
        *state = st;
    if (st == PROCID_DEAD || st == PROCID_RECYCLED)
        return -ESRCH;
    if ((st == PROCID_UNVERIFIED && !(flags & PROCID_OPEN_UNVERIFIED)) ||
        (r == PROCID_CHECK_WEAKER && !(flags & PROCID_OPEN_WEAKER))) {
        procid__plat_close(&p);
        return st == PROCID_UNVERIFIED ? -EPERM : -ENOTSUP;
    }
    return procid__handle_new(&p, want, st == PROCID_RUNNING, out);
}

int procid__handle_new(procid__proc *p, const procid_identity *id,
                       int verified, procid_handle **out)
{
    procid_handle *h = calloc(1, sizeof *h);
    if (h == NULL) {
        procid__plat_close(p);
        return -ENOMEM;
    }
    h->p = *p;
    h->id = *id;
    h->verified = verified;
    *out = h;
    return 0;
}

/*
 * A handle that does not pin its process (no pidfd) re-verifies before
 * each use: the PID may have been recycled since the last look.
 */
static int still_ours(procid_handle *h)
{
    if (h->p.pinned || !h->verified)
        return 1;
    procid_identity cur;
    int r = read_current(&h->p, &h->id, &cur);
    if (r == -ESRCH)
        return 0;
    if (r < 0)
        return r;
    return procid_identity_match(&h->id, &cur);
}

int procid_handle_alive(procid_handle *h)
{
    if (h == NULL)
        return -EINVAL;
    int r = procid__plat_alive(&h->p);
    if (r <= 0)
        return r;
    return still_ours(h);
}

int procid_handle_signal(procid_handle *h, int sig)
{
    if (h == NULL)
        return -EINVAL;
    int r = procid_handle_alive(h);
    if (r < 0)
        return r;
    if (r == 0)
        return -ESRCH;
    return procid__plat_signal(&h->p, sig);
}

int procid_handle_wait(procid_handle *h, int timeout_ms)
{
    if (h == NULL || timeout_ms < -1)
        return -EINVAL;
    int r = procid__plat_wait(&h->p, timeout_ms);
    if (r == -ETIMEDOUT && !h->p.pinned && still_ours(h) == 0)
        return 0; /* the PID now belongs to another process: ours is gone */
    return r;
}

const procid_identity *procid_handle_identity(const procid_handle *h)
{
    return h == NULL ? NULL : &h->id;
}

void procid_close(procid_handle *h)
{
    if (h == NULL)
        return;
    procid__plat_close(&h->p);
    free(h);
}

int procid_signal(const procid_identity *want, int sig, procid_state *state)
{
    procid_handle *h;
    if (want == NULL)
        return -EINVAL;
    procid_state st = PROCID_DEAD;
    int r = procid_open(want, 0, &h, &st);
    if (state != NULL)
        *state = st;
    if (r < 0)
        return r;
    r = procid_handle_signal(h, sig);
    procid_close(h);
    return r;
}

int procid_identity_of(int pid, procid_identity *out)
{
    if (pid <= 0 || out == NULL)
        return -EINVAL;
    procid__proc p;
    int r = procid__plat_open(pid, &p);
    if (r < 0)
        return r;
    procid_identity id;
    memset(&id, 0, sizeof id);
    id.pid = pid;
    r = procid__plat_read(&p, PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO,
                          &id);
    if (r == 0 && procid__plat_alive(&p) == 0)
        r = -ESRCH; /* exited (or a zombie) while we looked */
    procid__plat_close(&p);
    if (r < 0)
        return r;
    *out = id;
    return 0;
}

int procid_self(procid_identity *out)
{
    if (out == NULL)
        return -EINVAL;
    return procid_identity_of(procid__plat_getpid(), out);
}
