/*
 * fuzz_statline.c - the /proc/<pid>/stat line parser against arbitrary
 * bytes (a command name may hold anything, including ") Z 1 1").
 * Invariants: never reads past the buffer; on success the state is an
 * ASCII letter, as the kernel writes it.
 */
#include <stdlib.h>
#include <string.h>

#include "linux_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, so ASan catches any read past the end. */
    char *buf = malloc(size ? size : 1);
    if (buf == NULL)
        return 0;
    memcpy(buf, data, size);
    uint64_t start = 0;
    char state = 0;
    if (procid__linux_parse_stat(buf, size, &start, &state) == 0 &&
        !((state >= 'A' && state <= 'Z') || (state >= 'a' && state <= 'z')))
        abort();
    free(buf);
    return 0;
}
