/* The README's library example, built against an installed libprocid. */
#include <procid.h>
#include <stdio.h>

int main(int argc, char **argv) {
    const char *path = argc > 1 ? argv[1] : "/run/food.pid";
    procid_identity self, rec;
    procid_error err;
    procid_state st;
    if (procid_self(&self) < 0 || procid_pidfile_write(path, &self) < 0)
        return 1;                                          /* atomic write */
    if (procid_pidfile_read(path, 0, &rec, &err) < 0)      /* safe read */
        return fprintf(stderr, "%s: %s\n", path, err.msg), 1;
    if (procid_check(&rec, &st) < 0 || st != PROCID_RUNNING)
        return 1;
    return procid_signal(&rec, 0, &st) == 0 ? 0 : 1;       /* verified signal */
}
