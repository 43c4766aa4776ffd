/*
 * pidfile.c - the pidfile format: format, parse, atomic write, safe read.
 *
 *     <pid>\n
 *     <start> <boot> [<ino>]\n
 *
 * The parser is strict about everything but the legacy one-line forms
 * "<pid>" and "<pid> <start>": a pidfile an attacker or a bug could have
 * bent is refused with a message that says what and where, never guessed at.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "platform.h"

typedef struct cursor {
    const char *p, *end;
    int line, col;
    procid_error *err;
} cursor;

static int at_end(const cursor *c) { return c->p == c->end; }

static void advance(cursor *c)
{
    if (*c->p == '\n') {
        c->line++;
        c->col = 1;
    } else {
        c->col++;
    }
    c->p++;
}

/* Describe the byte under the cursor for an error message. */
static const char *describe(const cursor *c, char *buf, size_t cap)
{
    if (at_end(c))
        return "end of file";
    unsigned char ch = (unsigned char)*c->p;
    if (ch == '\n')
        return "end of line";
    if (ch >= 0x21 && ch < 0x7f)
        snprintf(buf, cap, "'%c'", ch);
    else
        snprintf(buf, cap, "byte 0x%02x", ch);
    return buf;
}

static int expected(cursor *c, const char *what)
{
    char b[16];
    return procid__fail(c->err, -EINVAL, "line %d, column %d: expected %s, found %s",
                        c->line, c->col, what, describe(c, b, sizeof b));
}

/* An unsigned decimal without sign or leading zeros, at most `max`. */
static int number(cursor *c, const char *what, uint64_t max, uint64_t *out)
{
    int line = c->line, col = c->col;
    if (at_end(c) || *c->p < '0' || *c->p > '9')
        return expected(c, what);
    if (*c->p == '0' && c->p + 1 < c->end && c->p[1] >= '0' && c->p[1] <= '9')
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: %s has a leading zero", line,
                            col, what);
    uint64_t v = 0;
    while (!at_end(c) && *c->p >= '0' && *c->p <= '9') {
        unsigned d = (unsigned)(*c->p - '0');
        if (v > (max - d) / 10)
            return procid__fail(c->err, -EINVAL,
                                "line %d, column %d: %s is out of range", line,
                                col, what);
        v = v * 10 + d;
        advance(c);
    }
    /* "0x10", "12abc": name the stray character, not the digits before it */
    if (!at_end(c) && *c->p != ' ' && *c->p != '\n') {
        char b[16];
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: unexpected %s in %s "
                            "(decimal digits only)",
                            c->line, c->col, describe(c, b, sizeof b), what);
    }
    *out = v;
    return 0;
}

static int is_boot_char(char ch)
{
    return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
           (ch >= 'A' && ch <= 'Z') || ch == '-' || ch == '_' || ch == '.' ||
           ch == ':';
}

static int boot_token(cursor *c, procid_identity *out)
{
    const char *s = c->p;
    int col = c->col;
    while (!at_end(c) && is_boot_char(*c->p))
        advance(c);
    size_t n = (size_t)(c->p - s);
    if (n == 0)
        return expected(c, "a boot id or '-'");
    if (n >= PROCID_BOOT_MAX)
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: boot id is longer than %d bytes",
                            c->line, col, PROCID_BOOT_MAX - 1);
    if (n == 1 && *s == '-')
        return 0; /* unknown */
    memcpy(out->boot, s, n);
    out->boot[n] = '\0';
    out->have |= PROCID_HAVE_BOOT;
    return 0;
}

/* A single space between fields; anything else is named. */
static int space(cursor *c, const char *next)
{
    if (!at_end(c) && *c->p == ' ') {
        advance(c);
        return 0;
    }
    return expected(c, next);
}

/* End of a line: '\n', or end of input for the last line. */
static int end_of_line(cursor *c)
{
    if (at_end(c))
        return 0;
    if (*c->p == '\n') {
        advance(c);
        return 0;
    }
    char b[16];
    return procid__fail(c->err, -EINVAL,
                        "line %d, column %d: unexpected %s after the last field",
                        c->line, c->col, describe(c, b, sizeof b));
}

static int line2(cursor *c, procid_identity *out)
{
    uint64_t v = 0;
    int r = number(c, "a start time", UINT64_MAX, &v);
    if (r < 0)
        return r;
    out->start = v;
    out->have |= PROCID_HAVE_START;
    if ((r = space(c, "' ' and a boot id")) < 0 || (r = boot_token(c, out)) < 0)
        return r;
    if (!at_end(c) && *c->p == ' ') {
        advance(c);
        if ((r = number(c, "an inode number", UINT64_MAX, &v)) < 0)
            return r;
        if (v == 0)
            return procid__fail(c->err, -EINVAL,
                                "line 2: inode number 0 is not valid");
        out->ino = v;
        out->have |= PROCID_HAVE_INO;
    }
    return end_of_line(c);
}

int procid_pidfile_parse(const char *buf, size_t len, procid_identity *out,
                         procid_error *err)
{
    procid_identity id;
    memset(&id, 0, sizeof id);
    if (len == 0)
        return procid__fail(err, -EINVAL, "empty pidfile");
    if (len > PROCID_PIDFILE_MAX)
        return procid__fail(err, -EINVAL,
                            "pidfile is larger than %d bytes", PROCID_PIDFILE_MAX);
    const char *nul = memchr(buf, '\0', len);
    if (nul != NULL)
        return procid__fail(err, -EINVAL, "NUL byte at offset %zu",
                            (size_t)(nul - buf));

    cursor c = {buf, buf + len, 1, 1, err};
    uint64_t v = 0;
    int r = number(&c, "a decimal pid", INT_MAX, &v);
    if (r < 0)
        return r;
    if (v == 0)
        return procid__fail(err, -EINVAL, "line 1, column 1: pid 0 is not a process");
    id.pid = (int)v;

    if (!at_end(&c) && *c.p == ' ') { /* legacy one-line "<pid> <start>" */
        advance(&c);
        if ((r = number(&c, "a start time", UINT64_MAX, &v)) < 0)
            return r;
        id.start = v;
        id.have |= PROCID_HAVE_START;
        if ((r = end_of_line(&c)) < 0)
            return r;
    } else {
        if ((r = end_of_line(&c)) < 0)
            return r;
        if (!at_end(&c) && (r = line2(&c, &id)) < 0)
            return r;
    }
    if (!at_end(&c))
        return procid__fail(err, -EINVAL, "line %d: unexpected extra line", c.line);
    *out = id;
    return 0;
}

int procid_pidfile_format(const procid_identity *id, char *buf, size_t cap)
{
    if (id->pid <= 0)
        return -EINVAL;
    const char *boot = "-";
    if (id->have & PROCID_HAVE_BOOT) {
        const char *nul = memchr(id->boot, '\0', PROCID_BOOT_MAX);
        size_t n = nul ? (size_t)(nul - id->boot) : PROCID_BOOT_MAX;
        if (n == 0 || n == PROCID_BOOT_MAX || (n == 1 && id->boot[0] == '-'))
            return -EINVAL;
        for (size_t i = 0; i < n; i++)
            if (!is_boot_char(id->boot[i]))
                return -EINVAL;
        boot = id->boot;
    }
    int n;
    if (!(id->have & PROCID_HAVE_START))
        n = snprintf(buf, cap, "%d\n", id->pid); /* nothing better known */
    else if (id->have & PROCID_HAVE_INO)
        n = snprintf(buf, cap, "%d\n%llu %s %llu\n", id->pid,
                     (unsigned long long)id->start, boot,
                     (unsigned long long)id->ino);
    else
        n = snprintf(buf, cap, "%d\n%llu %s\n", id->pid,
                     (unsigned long long)id->start, boot);
    if (n < 0)
        return -EINVAL;
    if ((size_t)n >= cap)
        return -ENOSPC;
    return n;
}

int procid_pidfile_write(const char *path, const procid_identity *id)
{
    char buf[PROCID_PIDFILE_MAX + 1];
    int n = procid_pidfile_format(id, buf, sizeof buf);
    if (n < 0)
        return n;
    return procid__plat_write_file(path, buf, (size_t)n);
}

int procid_pidfile_read(const char *path, unsigned flags, procid_identity *out,
                        procid_error *err)
{
    char buf[PROCID_PIDFILE_MAX + 1];
    size_t len = 0;
    int r = procid__plat_read_file(path, flags, buf, PROCID_PIDFILE_MAX, &len, err);
    if (r < 0)
        return r;
    return procid_pidfile_parse(buf, len, out, err);
}
