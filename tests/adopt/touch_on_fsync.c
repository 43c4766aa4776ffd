/*
 * touch_on_fsync.c - an LD_PRELOAD shim for the adopt test: every fsync()
 * first appends a line to the file $PG_TEST_TOUCH, as an editor saving it
 * at that moment would. procguard --fix fsyncs its temporary file after it
 * first checked the target and before its last check: the shim makes "the
 * file changed while procguard was fixing it" happen deterministically.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

int fsync(int fd)
{
    int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
    const char *path = getenv("PG_TEST_TOUCH");
    FILE *f = path != NULL ? fopen(path, "a") : NULL;
    if (f != NULL) {
        fputs("/* edited while procguard --fix ran */\n", f);
        fclose(f);
    }
    return real(fd);
}
