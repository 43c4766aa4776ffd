/* error.c - names for errors and states, the library version. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

const char *procid_strerror(int err)
{
    switch (-err) {
    case 0: return "success";
    case ESRCH: return "no such process";
    case EPERM: return "operation not permitted";
    case EACCES: return "permission denied";
    case ENOENT: return "no such file or directory";
    case EINVAL: return "invalid argument";
    case ENOSPC: return "no space left";
    case ENOMEM: return "out of memory";
    case ETIMEDOUT: return "timed out";
    case ENOTSUP: return "not supported on this platform";
    case ENOSYS: return "function not implemented";
    case EIO: return "input/output error";
    case EISDIR: return "is a directory";
    case ENOTDIR: return "not a directory";
    case EROFS: return "read-only file system";
    case EEXIST: return "file exists";
    default: break;
    }
    /* strerror() is not thread-safe everywhere; keep a static fallback. */
    return err < 0 ? "system error" : "unknown error";
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
