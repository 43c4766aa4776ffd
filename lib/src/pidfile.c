/*
 * pidfile.c - the pidfile format: format, parse, atomic write, safe read.
 *
 *     <pid>\n
 *     start=<start> boot=<boot> ino=<ino>\n      (v2; fields unknown left out)
 *
 * Line 2 holds no bare number, so `kill $(cat FILE)` signals line 1's PID
 * and nothing else. The parser also takes the v1 line 2 "<start> <boot>
 * [<ino>]", the legacy one-line forms "<pid>" and "<pid> <start>", and
 * blanks, tabs and a CR around line 1's PID (Postfix pads it); everything
 * else is refused with a message that says what and where, never guessed at.
 *
 * Unknown and duplicate keys on line 2 are refused (fail closed): a field
 * this reader does not know is evidence it cannot verify, and a key given
 * twice leaves it unclear which value the writer meant.
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
    if (!at_end(c) && *c->p != ' ' && *c->p != '\n' && *c->p != '\t' &&
        *c->p != '\r') {
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

static int boot_token(cursor *c, procid_identity *out, int v1)
{
    const char *s = c->p;
    int col = c->col;
    while (!at_end(c) && is_boot_char(*c->p))
        advance(c);
    size_t n = (size_t)(c->p - s);
    if (n == 0)
        return expected(c, v1 ? "a boot id or '-'" : "a boot id");
    if (n >= PROCID_BOOT_MAX)
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: boot id is longer than %d bytes",
                            c->line, col, PROCID_BOOT_MAX - 1);
    if (n == 1 && *s == '-' && v1)
        return 0; /* v1: unknown */
    if (!procid__plat_boot_valid(s, n))
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: '%.*s' is not a boot id of "
                            "this system (Linux: a lowercase UUID)",
                            c->line, col, (int)n, s);
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

/* Blanks and tabs, then an optional CR (line 1 only: padding around the
   PID, as systemd and pgrep -F accept). */
static void skip_padding(cursor *c)
{
    while (!at_end(c) && (*c->p == ' ' || *c->p == '\t'))
        advance(c);
    if (!at_end(c) && *c->p == '\r' &&
        (c->p + 1 == c->end || c->p[1] == '\n'))
        advance(c);
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

static int inode(cursor *c, procid_identity *out, int line, int col)
{
    uint64_t v = 0;
    int r = number(c, "an inode number", UINT64_MAX, &v);
    if (r < 0)
        return r;
    if (v == 0)
        return procid__fail(c->err, -EINVAL,
                            "line %d, column %d: inode number 0 is not valid",
                            line, col);
    out->ino = v;
    out->have |= PROCID_HAVE_INO;
    return 0;
}

/* v1 line 2: "<start> <boot> [<ino>]" */
static int line2_v1(cursor *c, procid_identity *out)
{
    uint64_t v = 0;
    int r = number(c, "a start time", UINT64_MAX, &v);
    if (r < 0)
        return r;
    out->start = v;
    out->have |= PROCID_HAVE_START;
    if ((r = space(c, "' ' and a boot id")) < 0 ||
        (r = boot_token(c, out, 1)) < 0)
        return r;
    if (!at_end(c) && *c->p == ' ') {
        advance(c);
        if ((r = inode(c, out, c->line, c->col)) < 0)
            return r;
    }
    return end_of_line(c);
}

static const struct {
    const char *key;
    unsigned bit;
} keys[] = {{"start", PROCID_HAVE_START},
            {"boot", PROCID_HAVE_BOOT},
            {"ino", PROCID_HAVE_INO}};

/* One "key=value" of a v2 line 2. */
static int field(cursor *c, procid_identity *out)
{
    int line = c->line, col = c->col;
    const char *k = c->p;
    while (!at_end(c) && *c->p >= 'a' && *c->p <= 'z')
        advance(c);
    size_t n = (size_t)(c->p - k);
    if (n == 0)
        return expected(c, "a field (start=, boot= or ino=)");
    if (at_end(c) || *c->p != '=')
        return expected(c, "'=' after the field name");
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        if (strlen(keys[i].key) != n || memcmp(keys[i].key, k, n) != 0)
            continue;
        if (out->have & keys[i].bit)
            return procid__fail(c->err, -EINVAL,
                                "line %d, column %d: field '%s' appears twice",
                                line, col, keys[i].key);
        advance(c);
        if (keys[i].bit == PROCID_HAVE_BOOT)
            return boot_token(c, out, 0);
        if (keys[i].bit == PROCID_HAVE_INO)
            return inode(c, out, line, col);
        uint64_t v = 0;
        int r = number(c, "a start time", UINT64_MAX, &v);
        if (r == 0) {
            out->start = v;
            out->have |= PROCID_HAVE_START;
        }
        return r;
    }
    return procid__fail(c->err, -EINVAL,
                        "line %d, column %d: unknown field '%.*s' (this "
                        "procid knows start, boot and ino, and cannot verify "
                        "another)", line, col, (int)n, k);
}

/* v2 line 2: "key=value" fields separated by single spaces. */
static int line2_v2(cursor *c, procid_identity *out)
{
    int r = field(c, out);
    while (r == 0 && !at_end(c) && *c->p == ' ') {
        advance(c);
        r = field(c, out);
    }
    return r < 0 ? r : end_of_line(c);
}

static int line2(cursor *c, procid_identity *out)
{
    if (*c->p >= '0' && *c->p <= '9')
        return line2_v1(c, out);
    return line2_v2(c, out);
}

/* Line 1: [blanks] <pid> [ <start>] [blanks] [CR] */
static int line1(cursor *c, procid_identity *id)
{
    uint64_t v = 0;
    int max = procid__plat_pid_max();
    skip_padding(c);
    int col = c->col;
    int r = number(c, "a decimal pid", INT_MAX, &v);
    if (r < 0)
        return r;
    if (v == 0)
        return procid__fail(c->err, -EINVAL,
                            "line 1, column %d: pid 0 is not a process", col);
    if (v > (uint64_t)max)
        return procid__fail(c->err, -EINVAL,
                            "line 1, column %d: pid %llu is above this "
                            "system's maximum (%d)",
                            col, (unsigned long long)v, max);
    id->pid = (int)v;
    if (c->p + 1 < c->end && c->p[0] == ' ' && c->p[1] >= '0' &&
        c->p[1] <= '9') { /* legacy one-line "<pid> <start>" */
        advance(c);
        if ((r = number(c, "a start time", UINT64_MAX, &v)) < 0)
            return r;
        id->start = v;
        id->have |= PROCID_HAVE_START;
    }
    skip_padding(c);
    return end_of_line(c);
}

int procid_pidfile_parse(const char *buf, size_t len, procid_identity *out,
                         procid_error *err)
{
    procid_identity id;
    memset(&id, 0, sizeof id);
    if (buf == NULL || out == NULL)
        return procid__fail(err, -EINVAL, "no buffer or no identity given");
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
    int r = line1(&c, &id);
    if (r < 0)
        return r;
    if (!at_end(&c) && !(id.have & PROCID_HAVE_START) && (r = line2(&c, &id)) < 0)
        return r;
    if (!at_end(&c))
        return procid__fail(err, -EINVAL, "line %d: unexpected extra line", c.line);
    *out = id;
    return 0;
}

int procid_pidfile_format(const procid_identity *id, char *buf, size_t cap)
{
    if (id == NULL || buf == NULL || id->pid <= 0 ||
        id->pid > procid__plat_pid_max())
        return -EINVAL;
    if (id->have & PROCID_HAVE_BOOT) {
        const char *nul = memchr(id->boot, '\0', PROCID_BOOT_MAX);
        if (nul == NULL || !procid__plat_boot_valid(id->boot, (size_t)(nul - id->boot)))
            return -EINVAL;
    }
    if ((id->have & PROCID_HAVE_INO) && id->ino == 0)
        return -EINVAL;
    char start[32] = "", boot[PROCID_BOOT_MAX + 8] = "", ino[32] = "";
    unsigned have = id->have & (PROCID_HAVE_START | PROCID_HAVE_BOOT | PROCID_HAVE_INO);
    /* fields the writer does not know are left out, never invented */
    if (have & PROCID_HAVE_START)
        snprintf(start, sizeof start, "start=%llu", (unsigned long long)id->start);
    if (have & PROCID_HAVE_BOOT)
        snprintf(boot, sizeof boot, "%sboot=%s", start[0] ? " " : "", id->boot);
    if (have & PROCID_HAVE_INO)
        snprintf(ino, sizeof ino, "%sino=%llu", have & ~PROCID_HAVE_INO ? " " : "",
                 (unsigned long long)id->ino);
    int n = have ? snprintf(buf, cap, "%d\n%s%s%s\n", id->pid, start, boot, ino)
                 : snprintf(buf, cap, "%d\n", id->pid);
    if (n < 0)
        return -EINVAL;
    if ((size_t)n >= cap)
        return -ENOSPC;
    return n;
}

int procid_pidfile_write(const char *path, const procid_identity *id)
{
    char buf[PROCID_PIDFILE_MAX + 1];
    if (path == NULL || id == NULL)
        return -EINVAL;
    if (*path == '\0')
        return -ENOENT;
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
    if (path == NULL || out == NULL)
        return procid__fail(err, -EINVAL, "no path or no identity given");
    int r = procid__plat_read_file(path, flags, -1, buf, PROCID_PIDFILE_MAX, &len, err);
    if (r < 0)
        return r;
    return procid_pidfile_parse(buf, len, out, err);
}

int procid_pidfile_remove(const char *path, unsigned flags,
                          const procid_identity *id, procid_error *err)
{
    if (path == NULL || id == NULL)
        return procid__fail(err, -EINVAL, "no path or no identity given");
    char raw[PROCID_PIDFILE_MAX + 1];
    size_t len = 0;
    procid_identity now;
    memset(&now, 0, sizeof now);
    int r = procid__plat_read_file(path, flags, -1, raw, PROCID_PIDFILE_MAX, &len, err);
    if (r < 0)
        return r;
    if ((r = procid_pidfile_parse(raw, len, &now, err)) < 0)
        return r;
    if (now.pid != id->pid || now.have != id->have ||
        !procid_identity_match(&now, id))
        return procid__fail(err, -ESTALE,
                            "records another process now (pid %d); not removed",
                            now.pid);
    /* the bytes just compared must still be there when the name goes */
    return procid__plat_remove_file(path, flags, -1, raw, len, err);
}
