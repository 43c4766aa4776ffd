/*
 * exclusive.c - exclusive pidfiles: one instance at a time.
 *
 * A lock on the sidecar "<path>.lock", held for the life of the daemon's
 * descriptor, says who may write the pidfile; the pidfile is still written
 * by atomic rename, so readers never wait and never see a torn file. The
 * sidecar, not the pidfile, is locked because rename replaces the pidfile's
 * inode and a lock on the old inode would protect nothing.
 *
 * The lock is not the only evidence: under the lock the existing pidfile is
 * checked, and a live process it names is a live holder (a daemon started
 * without the lock, a lock lost on NFS). What cannot be verified is never
 * taken over.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "platform.h"

struct procid_pidlock {
    char *path;     /* the pidfile */
    char *lockpath; /* "<path>.lock" */
    int fd;
    unsigned flags;
    int written;
    procid_identity id; /* what procid_pidlock_write() wrote */
};

#define READ_FLAGS     PROCID_READ_INSECURE
#define HOLDER_WAIT_MS 1000

/* The process the pidfile names, if it is alive: 1 (a live holder, *id
   filled), 0 (no file or a stale one), or -errno with a message. */
static int live_holder(const char *path, unsigned flags, procid_identity *id,
                       procid_error *err)
{
    procid_state st;
    int r = procid_pidfile_read(path, flags & READ_FLAGS, id, err);
    if (r == -ENOENT)
        return 0;
    if (r < 0)
        return r;
    r = procid_check(id, &st);
    if (r < 0)
        return procid__fail(err, r,
                            "pid %d: cannot verify the recorded process (%s); "
                            "not taken over",
                            id->pid, procid_strerror(r));
    return st == PROCID_RUNNING || st == PROCID_UNVERIFIED;
}

/* With the lock taken: may the existing pidfile be replaced? */
static int judge_existing(const char *path, unsigned flags,
                          procid_identity *holder, procid_error *err)
{
    procid_identity id, self;
    memset(&id, 0, sizeof id);
    int r = live_holder(path, flags, &id, err);
    if (r <= 0)
        return r;
    if (procid_self(&self) == 0 && procid_identity_match(&self, &id) &&
        (id.have & PROCID_HAVE_START))
        return 0; /* this very process, recorded before: nothing to fear */
    *holder = id;
    return procid__fail(err, -EEXIST,
                        "already running as pid %d (recorded in the pidfile, "
                        "although it holds no lock)",
                        id.pid);
}

/* A copy of path with `suffix` appended, or NULL. */
static char *path_dup(const char *path, const char *suffix)
{
    size_t n = strlen(path), k = strlen(suffix);
    char *s = malloc(n + k + 1);
    if (s != NULL)
        snprintf(s, n + k + 1, "%s%s", path, suffix);
    return s;
}

static procid_pidlock *lock_new(const char *path, char *lockpath, int fd,
                                unsigned flags)
{
    procid_pidlock *lk = calloc(1, sizeof *lk);
    if (lk != NULL && (lk->path = path_dup(path, "")) == NULL) {
        free(lk);
        lk = NULL;
    }
    if (lk == NULL)
        return NULL;
    lk->lockpath = lockpath;
    lk->fd = fd;
    lk->flags = flags;
    return lk;
}

/*
 * Take the lock and judge the existing pidfile: 0 with *fd held, or a
 * negative errno with nothing held. While another process holds the lock,
 * wait up to HOLDER_WAIT_MS: for it to record itself (so the caller can
 * name it), or for the lock to come free (children of a daemon that just
 * died still hold the inherited descriptor until they exit). A pidfile
 * that is unusable beside a held lock is that error, not -EEXIST: atomic
 * writes never show a partial file, so it is no holder mid-write.
 */
static int take(const char *path, const char *lockpath, unsigned flags,
                procid_identity *holder, int *fd, procid_error *err)
{
    int inherit = !!(flags & PROCID_PIDLOCK_INHERIT);
    procid_identity id;
    for (int waited = 0;; waited += 10) {
        int r = procid__plat_lock_open(lockpath, inherit, fd, err);
        if (r == 0 && (r = judge_existing(path, flags, holder, err)) < 0)
            procid__plat_lock_release(*fd, lockpath, 0);
        if (r != -EAGAIN)
            return r < 0 ? r : 0;
        memset(&id, 0, sizeof id);
        if ((r = live_holder(path, flags, &id, err)) < 0)
            return r;
        if (r == 1) {
            *holder = id;
            return procid__fail(err, -EEXIST, "already running as pid %d",
                                id.pid);
        }
        if (waited >= HOLDER_WAIT_MS)
            return procid__fail(err, -EEXIST,
                                "locked by another process (%s), and the "
                                "pidfile names no live process: a child of a "
                                "previous instance may still hold the lock",
                                lockpath);
        procid__plat_sleep_ms(10);
    }
}

int procid_pidlock_open(const char *path, unsigned flags, procid_pidlock **out,
                        procid_identity *holder, procid_error *err)
{
    procid_identity none;
    int fd = -1;
    if (holder == NULL)
        holder = &none;
    memset(holder, 0, sizeof *holder);
    if (out == NULL || path == NULL || *path == '\0')
        return procid__fail(err, -EINVAL, "no path or no handle given");
    *out = NULL;
    char *lockpath = path_dup(path, ".lock");
    if (lockpath == NULL)
        return procid__fail(err, -ENOMEM, "%s", procid_strerror(-ENOMEM));
    int r = take(path, lockpath, flags, holder, &fd, err);
    if (r < 0) {
        free(lockpath);
        return r;
    }
    *out = lock_new(path, lockpath, fd, flags);
    if (*out == NULL) {
        procid__plat_lock_release(fd, lockpath, 1);
        free(lockpath);
        return procid__fail(err, -ENOMEM, "%s", procid_strerror(-ENOMEM));
    }
    return 0;
}

int procid_pidlock_write(procid_pidlock *lk, const procid_identity *id)
{
    procid_identity self;
    if (lk == NULL)
        return -EINVAL;
    if (id == NULL) {
        int r = procid_self(&self);
        if (r < 0)
            return r;
        id = &self;
    }
    int r = procid_pidfile_write(lk->path, id);
    if (r >= 0) {
        lk->id = *id;
        lk->written = 1;
    }
    return r;
}

static void lock_free(procid_pidlock *lk, int unlink_lock)
{
    procid__plat_lock_release(lk->fd, lk->lockpath, unlink_lock);
    free(lk->path);
    free(lk->lockpath);
    free(lk);
}

int procid_pidlock_remove(procid_pidlock *lk, procid_error *err)
{
    if (lk == NULL)
        return procid__fail(err, -EINVAL, "no handle given");
    int r = lk->written ? procid_pidfile_remove(
                              lk->path, lk->flags & READ_FLAGS, &lk->id, err)
                        : 0;
    lock_free(lk, 1);
    return r;
}

void procid_pidlock_close(procid_pidlock *lk)
{
    if (lk != NULL)
        lock_free(lk, 0);
}

int procid_pidlock_fd(const procid_pidlock *lk)
{
    return lk == NULL ? -EINVAL : lk->fd;
}
