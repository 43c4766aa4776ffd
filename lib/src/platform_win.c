/*
 * platform_win.c - the Windows backend.
 *
 * Divisions:
 *   1. Win32 errors as negative errno values
 *   2. the process hooks: one HANDLE from OpenProcess pins the process, so
 *      verification, termination and waiting all reach the same process
 *      (a PID is not reused while any handle to its process is open)
 *   3. paths: UTF-8 in, UTF-16 to the wide file APIs
 *   4. the atomic write: temp file beside the target, flush, MoveFileExW
 *   5. the safe read: no reparse points, a regular file, owner and DACL
 *      checks as close to the POSIX ones as Windows allows
 *
 * Identity: start = the creation FILETIME (100 ns since 1601) as a 64-bit
 * integer, exact and fixed for the life of the process. No boot id: Windows
 * documents none that is both stable and unique per boot, so it stays
 * unknown ("-") and the creation time alone tells processes apart.
 */
#ifndef _WIN32_WINNT
#define _WIN32_WINNT 0x0600 /* Vista: PROCESS_QUERY_LIMITED_INFORMATION */
#endif
#ifndef WIN32_LEAN_AND_MEAN
#define WIN32_LEAN_AND_MEAN
#endif
#include <windows.h>
#include <aclapi.h>

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "platform.h"

#ifdef SIGKILL
#define PROCID__SIGKILL SIGKILL
#else
#define PROCID__SIGKILL 9 /* POSIX's number; the MSVC runtime has none */
#endif

/* ---- 1. errors --------------------------------------------------------- */

static int win_err(DWORD e)
{
    switch (e) {
    case ERROR_FILE_NOT_FOUND:
    case ERROR_PATH_NOT_FOUND:
    case ERROR_INVALID_DRIVE: return -ENOENT;
    case ERROR_ACCESS_DENIED:
    case ERROR_PRIVILEGE_NOT_HELD: return -EACCES;
    case ERROR_NOT_ENOUGH_MEMORY:
    case ERROR_OUTOFMEMORY: return -ENOMEM;
    case ERROR_DISK_FULL:
    case ERROR_HANDLE_DISK_FULL: return -ENOSPC;
    case ERROR_WRITE_PROTECT: return -EROFS;
    case ERROR_FILE_EXISTS:
    case ERROR_ALREADY_EXISTS: return -EEXIST;
    case ERROR_DIRECTORY: return -ENOTDIR;
    case ERROR_FILENAME_EXCED_RANGE: return -ENAMETOOLONG;
    case ERROR_SHARING_VIOLATION:
    case ERROR_LOCK_VIOLATION: return -EBUSY;
    case ERROR_INVALID_HANDLE: return -EBADF;
    case ERROR_INVALID_NAME:
    case ERROR_BAD_PATHNAME:
    case ERROR_INVALID_PARAMETER: return -EINVAL;
    case ERROR_NOT_SUPPORTED:
    case ERROR_CALL_NOT_IMPLEMENTED: return -ENOTSUP;
    default: return -EIO;
    }
}

static int last_err(void)
{
    return win_err(GetLastError());
}

/* ---- 2. processes ------------------------------------------------------ */

/*
 * Rights wanted, most first. A process of another user or a protected one
 * may refuse TERMINATE (and rarely SYNCHRONIZE) yet still show its creation
 * time: the checks then work and only signalling is refused, later.
 */
static const DWORD open_rights[] = {
    PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE | PROCESS_TERMINATE,
    PROCESS_QUERY_LIMITED_INFORMATION | SYNCHRONIZE,
    PROCESS_QUERY_LIMITED_INFORMATION,
    SYNCHRONIZE,
};

int procid__plat_open(int pid, procid__proc *p)
{
    memset(p, 0, sizeof *p);
    p->pid = pid;
    p->fd = -1;
    if (pid <= 0)
        return -EINVAL;
    for (size_t i = 0; i < sizeof open_rights / sizeof open_rights[0]; i++) {
        HANDLE h = OpenProcess(open_rights[i], FALSE, (DWORD)pid);
        if (h != NULL) {
            p->handle = h;
            p->pinned = 1;
            return 0;
        }
        DWORD e = GetLastError();
        if (e == ERROR_INVALID_PARAMETER)
            return -ESRCH; /* what OpenProcess says for an unused PID */
        if (e != ERROR_ACCESS_DENIED)
            return win_err(e);
    }
    /* It exists (or the PID would be invalid) but shows nothing. */
    return -EACCES;
}

/*
 * 1 running, 0 exited, or -errno. A handle without SYNCHRONIZE cannot be
 * waited on; the exit code then answers, and a process that exited with
 * STILL_ACTIVE (259) as its code looks alive: a documented Win32 caveat.
 */
static int handle_running(HANDLE h)
{
    DWORD w = WaitForSingleObject(h, 0);
    if (w == WAIT_OBJECT_0)
        return 0;
    if (w == WAIT_TIMEOUT)
        return 1;
    DWORD e = GetLastError();
    if (e != ERROR_ACCESS_DENIED)
        return win_err(e);
    DWORD code;
    if (!GetExitCodeProcess(h, &code))
        return last_err();
    return code == STILL_ACTIVE;
}

int procid__plat_read(procid__proc *p, unsigned need, procid_identity *out)
{
    out->pid = p->pid;
    if (!(need & PROCID_HAVE_START))
        return 0; /* no boot id, no inode on Windows */
    FILETIME created, exited, kernel, user;
    if (!GetProcessTimes(p->handle, &created, &exited, &kernel, &user))
        return last_err(); /* ERROR_ACCESS_DENIED: -EACCES, never RECYCLED */
    /* An exited process whose object lingers (someone holds a handle) is
       what a zombie is on Unix: dead. */
    int r = handle_running(p->handle);
    if (r < 0)
        return r;
    if (r == 0)
        return -ESRCH;
    out->start = ((uint64_t)created.dwHighDateTime << 32) |
                 (uint64_t)created.dwLowDateTime;
    out->have |= PROCID_HAVE_START;
    return 0;
}

int procid__plat_alive(procid__proc *p)
{
    return handle_running(p->handle);
}

int procid__plat_signal(procid__proc *p, int sig)
{
    if (p->pid <= 0)
        return -EINVAL;
    int r = handle_running(p->handle);
    if (r < 0)
        return r;
    if (r == 0)
        return -ESRCH;
    if (sig == 0)
        return 0; /* a probe: it runs */
    /* Windows has no signals for another process. The ones that mean
       "terminate" end it, through the handle that was verified, with the
       exit code a shell would report (128 + sig). */
    if (sig != SIGTERM && sig != PROCID__SIGKILL && sig != SIGINT)
        return -ENOTSUP;
    if (TerminateProcess(p->handle, 128u + (unsigned)sig))
        return 0;
    DWORD e = GetLastError();
    if (handle_running(p->handle) == 0)
        return -ESRCH; /* it exited on its own meanwhile */
    return e == ERROR_ACCESS_DENIED ? -EPERM : win_err(e);
}

int procid__plat_wait(procid__proc *p, int timeout_ms)
{
    DWORD w = WaitForSingleObject(
        p->handle, timeout_ms < 0 ? INFINITE : (DWORD)timeout_ms);
    if (w == WAIT_OBJECT_0)
        return 0;
    if (w == WAIT_TIMEOUT)
        return -ETIMEDOUT;
    DWORD e = GetLastError();
    if (e != ERROR_ACCESS_DENIED)
        return win_err(e);
    /* No SYNCHRONIZE right: poll the exit code every 10 ms. */
    ULONGLONG deadline =
        GetTickCount64() + (ULONGLONG)(timeout_ms < 0 ? 0 : timeout_ms);
    for (;;) {
        int r = handle_running(p->handle);
        if (r <= 0)
            return r;
        if (timeout_ms >= 0 && GetTickCount64() >= deadline)
            return -ETIMEDOUT;
        Sleep(10);
    }
}

void procid__plat_close(procid__proc *p)
{
    if (p->handle != NULL)
        CloseHandle(p->handle);
    p->handle = NULL;
}

int procid__plat_getpid(void)
{
    return (int)GetCurrentProcessId();
}

int procid__plat_pid_max(void)
{
    return INT_MAX; /* a DWORD; no documented smaller bound */
}

/* Windows knows no boot id; one from elsewhere must at least be a token. */
int procid__plat_boot_valid(const char *s, size_t n)
{
    if (n == 0 || n >= PROCID_BOOT_MAX)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
              (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == ':'))
            return 0;
    }
    return 1;
}

/* ---- 3. paths ---------------------------------------------------------- */

/* Convert a UTF-8 path to a malloc'ed UTF-16 one. 0 or -errno; invalid
   UTF-8 is -EINVAL, never guessed at. */
static int to_wide(const char *path, wchar_t **out)
{
    int n =
        MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, NULL, 0);
    if (n <= 0)
        return -EINVAL;
    wchar_t *w = malloc((size_t)n * sizeof *w);
    if (w == NULL)
        return -ENOMEM;
    if (MultiByteToWideChar(CP_UTF8, MB_ERR_INVALID_CHARS, path, -1, w, n) !=
        n) {
        free(w);
        return -EINVAL;
    }
    *out = w;
    return 0;
}

/* Offset of the file name in a wide path: after the last separator, or
   after "X:" in a drive-relative path. */
static size_t base_offset(const wchar_t *w)
{
    size_t base = 0;
    for (size_t i = 0; w[i] != L'\0'; i++)
        if (w[i] == L'\\' || w[i] == L'/' || (i == 1 && w[i] == L':'))
            base = i + 1;
    return base;
}

/* ---- 4. atomic write --------------------------------------------------- */

static volatile LONG temp_counter;

static int write_all(HANDLE h, const char *buf, size_t len)
{
    while (len > 0) {
        DWORD chunk = len > 0x10000000u ? 0x10000000u : (DWORD)len;
        DWORD done = 0;
        if (!WriteFile(h, buf, chunk, &done, NULL))
            return last_err();
        buf += done;
        len -= done;
    }
    return 0;
}

/* Append the decimal digits of v at *w; printf's wide formats differ
   between the MSVC runtime and MinGW's C99 one, so none is used. */
static wchar_t *put_num(wchar_t *w, unsigned long v)
{
    wchar_t digits[24];
    int n = 0;
    do {
        digits[n++] = (wchar_t)(L'0' + v % 10);
        v /= 10;
    } while (v != 0);
    while (n > 0)
        *w++ = digits[--n];
    return w;
}

/*
 * Create "<dir>\.<name>.<pid>-<n>.tmp" with CREATE_NEW, so two writers (in
 * this process or others) never share a temp file. *tmp is malloc'ed.
 */
static int create_temp(const wchar_t *wpath, wchar_t **tmp, HANDLE *h)
{
    size_t len = wcslen(wpath), base = base_offset(wpath);
    if (base == len)
        return -EISDIR; /* "dir\" names no file */
    wchar_t *t = malloc((len + 64) * sizeof *t);
    if (t == NULL)
        return -ENOMEM;
    for (int attempt = 0; attempt < 100; attempt++) {
        wchar_t *w = t;
        wmemcpy(w, wpath, base);
        w += base;
        *w++ = L'.';
        wmemcpy(w, wpath + base, len - base);
        w += len - base;
        *w++ = L'.';
        w = put_num(w, (unsigned long)GetCurrentProcessId());
        *w++ = L'-';
        w = put_num(w, (unsigned long)InterlockedIncrement(&temp_counter));
        wcscpy(w, L".tmp");
        HANDLE f = CreateFileW(t, GENERIC_WRITE, 0, NULL, CREATE_NEW,
                               FILE_ATTRIBUTE_NORMAL, NULL);
        if (f != INVALID_HANDLE_VALUE) {
            *tmp = t;
            *h = f;
            return 0;
        }
        DWORD e = GetLastError();
        if (e != ERROR_FILE_EXISTS && e != ERROR_ALREADY_EXISTS) {
            free(t);
            return win_err(e);
        }
        /* a leftover of a crashed writer with our PID: take the next */
    }
    free(t);
    return -EEXIST;
}

int procid__plat_write_file(const char *path, const char *buf, size_t len)
{
    wchar_t *wpath, *tmp = NULL;
    HANDLE h = INVALID_HANDLE_VALUE;
    int r = to_wide(path, &wpath);
    if (r < 0)
        return r;
    if ((r = create_temp(wpath, &tmp, &h)) < 0) {
        free(wpath);
        return r;
    }
    r = write_all(h, buf, len);
    if (r == 0 && !FlushFileBuffers(h))
        r = last_err();
    if (!CloseHandle(h) && r == 0)
        r = last_err();
    /* WRITE_THROUGH: the rename is on disk when MoveFileExW returns, which
       is what fsync of the directory gives on POSIX. Readers open with
       FILE_SHARE_DELETE, so a reader never makes the replace fail. */
    if (r == 0 &&
        !MoveFileExW(tmp, wpath,
                     MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH))
        r = last_err();
    if (r < 0)
        DeleteFileW(tmp);
    free(tmp);
    free(wpath);
    return r;
}

/* ---- 5. safe read ------------------------------------------------------ */

/* The caller's user SID, in *buf. 0 or -errno. */
typedef union token_user_buf {
    TOKEN_USER user;
    unsigned char bytes[sizeof(TOKEN_USER) + SECURITY_MAX_SID_SIZE];
} token_user_buf;

static int current_user(token_user_buf *buf)
{
    HANDLE tok;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &tok))
        return last_err();
    DWORD n = 0;
    BOOL ok = GetTokenInformation(tok, TokenUser, buf, sizeof *buf, &n);
    int r = ok ? 0 : last_err();
    CloseHandle(tok);
    return r;
}

/* The owners the POSIX reader accepts are "you or root"; on Windows root is
   LocalSystem or the Administrators group (which owns what elevated
   administrators create). */
static int trusted_sid(PSID sid, PSID me)
{
    return EqualSid(sid, me) || IsWellKnownSid(sid, WinLocalSystemSid) ||
           IsWellKnownSid(sid, WinBuiltinAdministratorsSid);
}

/*
 * The POSIX reader refuses group- or world-writable files. Here: a DACL
 * that lets a broad group (Everyone, Authenticated Users, Users, ...) or
 * any SID not trusted_sid() write the file's data or change its security.
 * Deny entries are not weighed against allows: stricter, never looser.
 */
static int dacl_lets_others_write(PACL dacl, PSID me)
{
    const ACCESS_MASK writes = FILE_WRITE_DATA | FILE_APPEND_DATA | WRITE_DAC |
                               WRITE_OWNER | GENERIC_WRITE | GENERIC_ALL;
    if (dacl == NULL)
        return 1; /* a NULL DACL grants everyone everything */
    for (DWORD i = 0; i < dacl->AceCount; i++) {
        void *ace;
        if (!GetAce(dacl, i, &ace))
            return 1;
        ACE_HEADER *hdr = ace;
        if (hdr->AceFlags & INHERIT_ONLY_ACE)
            continue; /* applies to children, not to this file */
        int plain = hdr->AceType == ACCESS_ALLOWED_ACE_TYPE ||
                    hdr->AceType == ACCESS_ALLOWED_CALLBACK_ACE_TYPE;
        int other = hdr->AceType == ACCESS_ALLOWED_COMPOUND_ACE_TYPE ||
                    hdr->AceType == ACCESS_ALLOWED_OBJECT_ACE_TYPE ||
                    hdr->AceType == ACCESS_ALLOWED_CALLBACK_OBJECT_ACE_TYPE;
        if (!plain && !other)
            continue; /* deny and audit entries */
        /* Every ACE type keeps its mask right after the header. */
        ACCESS_ALLOWED_ACE *allow = ace;
        if (!(allow->Mask & writes))
            continue;
        if (other)
            return 1; /* a layout not parsed here: assume the worst */
        PSID sid = (PSID)&allow->SidStart;
        if (!trusted_sid(sid, me) && !IsWellKnownSid(sid, WinCreatorOwnerSid))
            return 1;
    }
    return 0;
}

static int check_security(HANDLE h, procid_error *err)
{
    token_user_buf me;
    int r = current_user(&me);
    if (r < 0)
        return procid__fail(err, r, "cannot read the caller's user: %s",
                            procid_strerror(r));
    PSID owner = NULL;
    PACL dacl = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    DWORD e =
        GetSecurityInfo(h, SE_FILE_OBJECT,
                        OWNER_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION,
                        &owner, NULL, &dacl, NULL, &sd);
    if (e != ERROR_SUCCESS) {
        r = win_err(e);
        return procid__fail(err, r, "cannot read the file's security: %s",
                            procid_strerror(r));
    }
    if (owner == NULL || !trusted_sid(owner, me.user.User.Sid))
        r = procid__fail(err, -EPERM,
                         "owned by another user, not by you, SYSTEM or "
                         "Administrators");
    else if (dacl_lets_others_write(dacl, me.user.User.Sid))
        r = procid__fail(err, -EPERM,
                         "other users may write it (its DACL grants write "
                         "access); anyone could have written it");
    LocalFree(sd);
    return r;
}

static int read_all(HANDLE h, char *buf, size_t cap, size_t *len,
                    procid_error *err)
{
    size_t n = 0;
    for (;;) {
        char extra;
        char *dst = n < cap ? buf + n : &extra;
        DWORD want = n < cap ? (DWORD)(cap - n) : 1;
        DWORD got = 0;
        if (!ReadFile(h, dst, want, &got, NULL)) {
            int r = last_err();
            return procid__fail(err, r, "%s", procid_strerror(r));
        }
        if (got == 0)
            break;
        n += got;
        if (n > cap)
            break; /* the caller reports a file larger than cap */
    }
    *len = n;
    return 0;
}

/* Why CreateFileW refused `w`, for the message. A directory is refused by
   CreateFileW itself (no FILE_FLAG_BACKUP_SEMANTICS) as ERROR_ACCESS_DENIED. */
static int open_failed(const wchar_t *w, DWORD e, procid_error *err)
{
    DWORD attr = GetFileAttributesW(w);
    if (e == ERROR_ACCESS_DENIED && attr != INVALID_FILE_ATTRIBUTES &&
        (attr & FILE_ATTRIBUTE_DIRECTORY))
        return procid__fail(err, -EISDIR, "not a regular file");
    int r = win_err(e);
    return procid__fail(err, r, "%s", procid_strerror(r));
}

int procid__plat_read_file(const char *path, unsigned flags, long long owner,
                           char *buf, size_t cap, size_t *len,
                           procid_error *err)
{
    int secure = !(flags & PROCID_READ_INSECURE);
    if (owner >= 0)
        return procid__fail(err, -ENOTSUP,
                            "a trusted owner uid has no meaning on Windows");
    wchar_t *w;
    int r = to_wide(path, &w);
    if (r < 0)
        return procid__fail(err, r, "path is not valid UTF-8");
    /* Share everything: a reader must never make a writer's replace fail.
       OPEN_REPARSE_POINT opens a symlink (or junction) itself, so it can be
       recognised and refused instead of followed. */
    HANDLE h = CreateFileW(
        w, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
        NULL, OPEN_EXISTING,
        FILE_ATTRIBUTE_NORMAL | (secure ? FILE_FLAG_OPEN_REPARSE_POINT : 0),
        NULL);
    if (h == INVALID_HANDLE_VALUE) {
        r = open_failed(w, GetLastError(), err);
        free(w);
        return r;
    }
    free(w);
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandle(h, &info)) {
        r = last_err();
        CloseHandle(h);
        return procid__fail(err, r, "%s", procid_strerror(r));
    }
    if (secure && (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT))
        r = procid__fail(err, -EPERM,
                         "refusing a symbolic link or other reparse point "
                         "as pidfile");
    else if (GetFileType(h) != FILE_TYPE_DISK ||
             (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY))
        r = procid__fail(err,
                         (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)
                             ? -EISDIR
                             : -EPERM,
                         "not a regular file");
    else if (secure)
        r = check_security(h, err);
    if (r == 0)
        r = read_all(h, buf, cap, len, err);
    CloseHandle(h);
    return r;
}

/* Windows: the content is compared, then the name deleted; a writer that
   replaces the file between the two loses it (DeleteFileW goes by name). */
int procid__plat_remove_file(const char *path, unsigned flags, long long owner,
                             const char *buf, size_t len, procid_error *err)
{
    char now[PROCID_PIDFILE_MAX + 1];
    size_t n = 0;
    int r = procid__plat_read_file(path, flags, owner, now, PROCID_PIDFILE_MAX,
                                   &n, err);
    if (r < 0)
        return r;
    if (n != len || memcmp(now, buf, len) != 0)
        return procid__fail(err, -ESTALE,
                            "changed since it was read; not removed");
    wchar_t *w;
    if ((r = to_wide(path, &w)) < 0)
        return procid__fail(err, r, "path is not valid UTF-8");
    if (!DeleteFileW(w))
        r = last_err();
    free(w);
    return r < 0 ? procid__fail(err, r, "%s", procid_strerror(r)) : 0;
}

/* ---- lock files -------------------------------------------------------- */

/* Exclusive pidfiles are not implemented on Windows yet. */
int procid__plat_lock_open(const char *path, int inherit, int *fd,
                           procid_error *err)
{
    (void)path;
    (void)inherit;
    *fd = -1;
    return procid__fail(err, -ENOTSUP,
                        "exclusive pidfiles are not supported on Windows");
}

void procid__plat_sleep_ms(int ms) { Sleep((DWORD)ms); }

void procid__plat_lock_release(int fd, const char *path, int unlink_it)
{
    (void)fd;
    (void)path;
    (void)unlink_it;
}

int procid__plat_uids(int pid, unsigned long uids[3])
{
    (void)pid;
    (void)uids;
    return -ENOTSUP; /* no uids: --owner is a POSIX notion */
}

/* Process matching needs the executable and command name of another
   process: not read on this platform yet. */
int procid__plat_same_exe(procid__proc *p, const char *path)
{
    (void)p;
    (void)path;
    return -ENOTSUP;
}

int procid__plat_comm(procid__proc *p, char *buf, size_t cap)
{
    (void)p;
    (void)buf;
    (void)cap;
    return -ENOTSUP;
}
