/*
 * cli_pidfile.c - reading, writing and removing pidfiles for the commands,
 * with the messages a user acts on.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

int load(const source *src, procid_identity *id)
{
    procid_error e = {{0}};
    int r = src->has_owner
                ? procid_pidfile_read_owner(src->file, src->read_flags,
                                            src->owner, id, &e)
                : procid_pidfile_read(src->file, src->read_flags, id, &e);
    if (r == -ENOENT)
        return r;
    if (r < 0) {
        const char *msg = e.msg[0] ? e.msg : procid_strerror(r);
        /* a daemon's own file: say how to trust its user, not only
           --insecure, which drops every check */
        if (r == -EPERM && strstr(msg, "owned by uid") != NULL)
            err("%s: %s (a daemon's own pidfile: trust its user with "
                "--owner USER)",
                src->file, msg);
        else if (r == -EPERM && src->has_owner && strstr(msg, "runs as uid"))
            err("%s: refused by --owner: %s", src->file, msg);
        else
            err("%s: %s", src->file, msg);
        return r;
    }
    if (!(id->have & (PROCID_HAVE_START | PROCID_HAVE_INO)) &&
        !match_set(&src->match))
        err("warning: %s: legacy pidfile (pid only); pid %d cannot be "
            "told apart from a process that reused it",
            src->file, id->pid);
    return 0;
}

void remove_recorded(const source *src, const procid_identity *id)
{
    procid_error e = {{0}};
    int r = src->has_owner
                ? procid_pidfile_remove_owner(src->file, src->read_flags,
                                              src->owner, id, &e)
                : procid_pidfile_remove(src->file, src->read_flags, id, &e);
    if (r == -ESTALE)
        err("%s: %s", src->file, e.msg);
    else if (r < 0 && r != -ENOENT)
        err("%s: not removed: %s", src->file,
            e.msg[0] ? e.msg : procid_strerror(r));
}

int write_pidfile(const char *file, const procid_identity *id)
{
    int r = procid_pidfile_write(file, id);
    if (r == PROCID_WRITE_NOT_DURABLE)
        err("warning: %s: written, but its directory could not be flushed to "
            "disk: a crash may bring back the previous file",
            file);
    else if (r == -EPERM)
        err("%s: cannot write: not a regular file (a FIFO, socket, device "
            "node or symlink); refusing to replace it",
            file);
    else if (r < 0)
        err("%s: cannot write: %s", file, procid_strerror(r));
    return r < 0 ? r : 0;
}

void say_held(int quiet, const char *file, const procid_identity *holder,
              const char *what)
{
    if (holder->pid > 0)
        say(quiet, "%s: already running (pid %d); %s\n", file, holder->pid,
            what);
    else
        say(quiet,
            "%s: locked by another process, and no live process is "
            "recorded (a child of a previous instance may still hold the "
            "lock); %s\n",
            file, what);
}
