/*
 * fault_shim.c - an LD_PRELOAD library that makes one system call fail the
 * way a real system can, for tests of the procid binary as shipped.
 *
 *   PROCID_FAULT=fsync-dir   fsync(2) of a directory fails with EIO (a
 *                            file system that loses the directory flush
 *                            after the rename has happened)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fsync(int fd)
{
    static int (*real)(int);
    if (real == NULL)
        real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char *f = getenv("PROCID_FAULT");
    struct stat st;
    if (f != NULL && strcmp(f, "fsync-dir") == 0 && fstat(fd, &st) == 0 &&
        S_ISDIR(st.st_mode)) {
        errno = EIO;
        return -1;
    }
    return real(fd);
}
