/*
 * owner.c - pidfiles a daemon's own user writes.
 *
 * A daemon that drops privileges writes its pidfile as that user. Root may
 * trust such a file when told the user, but only for a process of that
 * user: a file the user owns must never make root signal anyone else. So
 * the recorded process, when it runs, must have that uid as its real,
 * effective and saved uid (a process that could regain another uid is not
 * "running as" the owner).
 */
#include <errno.h>
#include <string.h>

#include "platform.h"

/* 0 when the process id names is gone, or runs as `owner` throughout. */
static int runs_as(const procid_identity *id, unsigned long owner,
                   procid_error *err)
{
    procid_state st;
    unsigned long u[3] = {0, 0, 0};
    int r = procid_check(id, &st);
    if (r < 0)
        return procid__fail(err, r, "pid %d: cannot verify the process: %s",
                            id->pid, procid_strerror(r));
    if (st == PROCID_DEAD || st == PROCID_RECYCLED)
        return 0; /* nothing of it can be signalled */
    r = procid__plat_uids(id->pid, u);
    if (r == -ESRCH)
        return 0;
    if (r < 0)
        return procid__fail(err, r, "pid %d: cannot read its user: %s", id->pid,
                            procid_strerror(r));
    /* still the recorded process after the read: the uids were its own */
    if ((r = procid_check(id, &st)) < 0 ||
        (st != PROCID_RUNNING && st != PROCID_UNVERIFIED))
        return r < 0 ? procid__fail(err, r, "pid %d: %s", id->pid,
                                    procid_strerror(r))
                     : 0;
    if (u[0] != owner || u[1] != owner || u[2] != owner)
        return procid__fail(err, -EPERM,
                            "pid %d runs as uid %lu (effective %lu, saved "
                            "%lu), not as the trusted owner uid %lu: a file "
                            "that user owns cannot name another user's process",
                            id->pid, u[0], u[1], u[2], owner);
    return 0;
}

int procid_pidfile_read_owner(const char *path, unsigned flags,
                              unsigned long owner, procid_identity *out,
                              procid_error *err)
{
    char buf[PROCID_PIDFILE_MAX + 1];
    size_t len = 0;
    procid_identity id;
    memset(&id, 0, sizeof id);
    if (path == NULL || out == NULL)
        return procid__fail(err, -EINVAL, "no path or no identity given");
    int r = procid__plat_read_file(path, flags, (long long)owner, buf,
                                   PROCID_PIDFILE_MAX, &len, err);
    if (r < 0 || (r = procid_pidfile_parse(buf, len, &id, err)) < 0 ||
        (r = runs_as(&id, owner, err)) < 0)
        return r;
    *out = id;
    return 0;
}

int procid_pidfile_remove_owner(const char *path, unsigned flags,
                                unsigned long owner, const procid_identity *id,
                                procid_error *err)
{
    char raw[PROCID_PIDFILE_MAX + 1];
    size_t len = 0;
    procid_identity now;
    memset(&now, 0, sizeof now);
    if (path == NULL || id == NULL)
        return procid__fail(err, -EINVAL, "no path or no identity given");
    int r = procid__plat_read_file(path, flags, (long long)owner, raw,
                                   PROCID_PIDFILE_MAX, &len, err);
    if (r < 0 || (r = procid_pidfile_parse(raw, len, &now, err)) < 0)
        return r;
    if (now.pid != id->pid || now.have != id->have ||
        !procid_identity_match(&now, id))
        return procid__fail(err, -ESTALE,
                            "records another process now (pid %d); not removed",
                            now.pid);
    return procid__plat_remove_file(path, flags, (long long)owner, raw, len,
                                    err);
}
