/* error.c - names for errors and states, the library version. */
#if !defined(_WIN32)
#undef _GNU_SOURCE
#define _POSIX_C_SOURCE 200809L /* the XSI strerror_r, returning int */
#endif
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

/* The library's own meanings, where they say more than the system's text. */
static const char *own_text(int e)
{
    switch (e) {
    case 0: return "success";
    case ESRCH: return "no such process";
    case ENOTSUP: return "not supported here (a recorded field cannot be verified on this system now)";
    case EXDEV: return "/proc belongs to another PID namespace (mount a proc for this one, e.g. unshare --mount-proc)";
    case ESTALE: return "the record contradicts the process it names (its inode matches, its start time does not: another time namespace, or an edited pidfile)";
    default: return NULL;
    }
}

/* The system's text, in a per-thread buffer: strerror() is not thread-safe
   everywhere. */
static const char *system_text(int e)
{
    static _Thread_local char buf[128];
#if defined(_WIN32)
    if (strerror_s(buf, sizeof buf, e) != 0)
        buf[0] = '\0';
#else
    if (strerror_r(e, buf, sizeof buf) != 0)
        buf[0] = '\0';
#endif
    if (buf[0] == '\0')
        snprintf(buf, sizeof buf, "error %d", e);
    return buf;
}

const char *procid_strerror(int err)
{
    int e = err < 0 ? -err : err; /* either sign names the same errno */
    const char *t = own_text(e);
    return t != NULL ? t : system_text(e);
}

const char *procid_state_name(procid_state state)
{
    switch (state) {
    case PROCID_RUNNING: return "RUNNING";
    case PROCID_DEAD: return "DEAD";
    case PROCID_RECYCLED: return "RECYCLED";
    case PROCID_UNVERIFIED: return "UNVERIFIED";
    }
    return "UNKNOWN";
}

#define PROCID_STR_(x) #x
#define PROCID_STR(x) PROCID_STR_(x)

const char *procid_version(void)
{
    return PROCID_STR(PROCID_VERSION_MAJOR) "." PROCID_STR(
        PROCID_VERSION_MINOR) "." PROCID_STR(PROCID_VERSION_PATCH);
}

int procid__fail(procid_error *err, int code, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}
