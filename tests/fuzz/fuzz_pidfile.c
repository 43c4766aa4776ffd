/*
 * fuzz_pidfile.c - the pidfile parser against arbitrary bytes.
 * Invariants: never crashes; whatever parses formats back and parses to the
 * same identity; a failure always comes with a message.
 */
#include <stdlib.h>
#include <string.h>

#include "procid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    procid_identity id, again;
    procid_error err = {{0}};
    if (procid_pidfile_parse((const char *)data, size, &id, &err) < 0) {
        if (err.msg[0] == '\0')
            abort(); /* a refusal must say why */
        return 0;
    }
    if (id.pid <= 0)
        abort();
    char buf[PROCID_PIDFILE_MAX + 1];
    int n = procid_pidfile_format(&id, buf, sizeof buf);
    if (n < 0 || procid_pidfile_parse(buf, (size_t)n, &again, NULL) < 0)
        abort();
    if (again.pid != id.pid || again.have != id.have ||
        again.start != id.start || again.ino != id.ino ||
        ((id.have & PROCID_HAVE_BOOT) && strcmp(again.boot, id.boot) != 0))
        abort();
    return 0;
}
