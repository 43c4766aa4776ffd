/*
 * fix.c - fix-its (see fix.h).
 *
 *   1. where an ack goes and what it says   2. the plan
 *   3. rewriting a file safely              4. the allowlist block
 *   5. apply
 */
#define _GNU_SOURCE /* mkstemp, fchmod, memmem, open_memstream */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "acks.h"
#include "fix.h"
#include "sources.h"

/* ---- 1. where an ack goes ---------------------------------------------- */

static char *xprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = pg_xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

static size_t count(const char *t, size_t n, const char *needle)
{
    size_t c = 0, m = strlen(needle);
    for (const char *p = t; (p = memmem(p, n - (size_t)(p - t), needle, m));
         p += m)
        c++;
    return c;
}

/* 1 if `line` of t ends inside a block comment (or a // comment continued
   by a backslash): text appended there would not be code, but the end of
   the comment would move. */
static int ends_in_comment(const pg_text *t, unsigned line)
{
    pg_comments cs;
    pg_comments_lex(t->text, t->len, t->lang, &cs);
    int in = 0;
    for (size_t i = 0; i < cs.n && !in; i++)
        in = cs.v[i].line <= line && cs.v[i].end_line > line;
    pg_comments_free(&cs);
    return in;
}

static size_t trimmed_len(const char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return n;
}

static char *indent_of(const char *s)
{
    size_t n = strspn(s, " \t");
    return pg_strndup(s, n);
}

/* Byte column to code-point column (SARIF counts code points). */
static unsigned cp_col(const char *s, unsigned col)
{
    unsigned cp = 1;
    for (unsigned i = 0; i + 1 < col && s[i]; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            cp++;
    return cp;
}

typedef struct place {
    unsigned col; /* byte column where text is inserted */
    char *text;
} place;

/* The ack for `line` of t (its text `s`), or text NULL when no place is
   safe. */
static place place_ack(const pg_fix_in *in, const pg_text *t, unsigned line,
                       const char *s)
{
    const char *why = in->reason ? in->reason : "<reason>";
    const char *kw = in->keyword;
    char *above = line > 1 ? pg_text_line(t, line - 1) : NULL;
    int prev_cont = above && trimmed_len(above) > 0 &&
                    above[trimmed_len(above) - 1] == '\\';
    free(above);
    size_t end = trimmed_len(s);
    place p = {(unsigned)end + 1, NULL};
    char *ind = indent_of(s);
    int slashes = t->lang != PG_LANG_PYTHON &&
                  count(t->text, t->len, "//") > count(t->text, t->len, "/*");
    if (t->lang == PG_LANG_PYTHON) {
        if ((strstr(s, "\"\"\"") || strstr(s, "'''")) && !prev_cont) {
            p.col = 1;
            p.text = xprintf("%s# %s %s\n", ind, kw, why);
        } else {
            p.text = xprintf("  # %s %s", kw, why);
        }
    } else if (end > 0 && s[end - 1] == '\\') {
        p.col = (unsigned)end;
        p.text = xprintf("/* %s %s */ ", kw, why);
    } else if (ends_in_comment(t, line) || strstr(s, "R\"")) {
        if (!prev_cont) {
            p.col = 1;
            p.text = slashes ? xprintf("%s// %s %s\n", ind, kw, why)
                             : xprintf("%s/* %s %s */\n", ind, kw, why);
        }
    } else if (slashes) {
        p.text = xprintf(" // %s %s", kw, why);
    } else {
        p.text = xprintf(" /* %s %s */", kw, why);
    }
    free(ind);
    return p;
}

/* ---- 2. the plan ------------------------------------------------------- */

static unsigned allow_next_line(const pg_fix_in *in)
{
    if (in->allow_text == NULL)
        return 1;
    unsigned n = (unsigned)count(in->allow_text, in->allow_len, "\n");
    int open = in->allow_len > 0 && in->allow_text[in->allow_len - 1] != '\n';
    return n + 1 + (unsigned)open;
}

/* A path the allowlist can name as itself: no blanks, no glob syntax. */
static int listable(const char *path)
{
    return path[0] != '/' && strpbrk(path, " \t*?[]\\#") == NULL;
}

static void plan_one(const pg_fix_in *in, pg_finding *f, unsigned allow_line)
{
    if (f->rule == PG_RULE_PROC_UNACKED) {
        const char *path = f->def_path ? f->def_path : f->path;
        unsigned line = f->def_path ? f->def_line : f->line;
        pg_text *t = path[0] == '/' ? NULL : pg_texts_get(in->texts, path);
        char *s = pg_text_line(t, line);
        if (t != NULL && s != NULL) {
            place p = place_ack(in, t, line, s);
            if (p.text != NULL) {
                f->fix_path = pg_strdup(path);
                f->fix_line = line;
                f->fix_col = p.col;
                f->fix_cpcol = cp_col(s, p.col);
                f->fix_text = p.text;
            }
            free(s);
        }
    }
    if (!f->allowlisted && listable(f->path)) {
        f->allow_path = pg_strdup(in->allow_path);
        f->allow_line = allow_line;
        f->allow_text =
            xprintf("%s %s", f->path, in->reason ? in->reason : "<reason>");
    }
}

void pg_fix_plan(const pg_fix_in *in, pg_findings *f)
{
    unsigned allow_line = allow_next_line(in);
    for (size_t i = 0; i < f->n; i++) {
        pg_finding *x = &f->v[i];
        if (x->passed || x->baselined || !x->is_site ||
            (x->rule != PG_RULE_PROC_UNACKED &&
             x->rule != PG_RULE_PROC_NOT_ALLOWLISTED))
            continue;
        plan_one(in, x, allow_line);
    }
}

/* ---- 3. rewriting a file safely ---------------------------------------- */

static void note(pg_fix_log *log, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = pg_xrealloc(NULL, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    log->lines = pg_xrealloc(log->lines, (log->n + 1) * sizeof *log->lines);
    log->lines[log->n++] = s;
}

static int read_raw(const char *abs, char **buf, size_t *len)
{
    FILE *fp = fopen(abs, "rb");
    if (fp == NULL)
        return -1;
    size_t cap = 4096, n = 0, r;
    char *b = pg_xrealloc(NULL, cap);
    while ((r = fread(b + n, 1, cap - n, fp)) > 0)
        if ((n += r) == cap)
            b = pg_xrealloc(b, cap *= 2);
    int bad = ferror(fp);
    fclose(fp);
    if (bad) {
        free(b);
        return -1;
    }
    *buf = b;
    *len = n;
    return 0;
}

static int unchanged(const char *abs, const char *judged, size_t jlen);

/* Replace abs with len bytes of data: a temporary file beside it, the old
   mode, fsync, then -- only if abs still holds `judged` (the text procguard
   judged; NULL: no file), checked again as late as possible -- rename.
   0; -2 when abs changed meanwhile (left as it is); -1 (errno set). */
static int replace_file(const char *abs, const char *data, size_t len,
                        mode_t mode, const char *judged, size_t jlen)
{
    char *tmp = xprintf("%s.procguard-fix.XXXXXX", abs);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    int rc = fchmod(fd, mode & 07777);
    for (size_t w = 0; rc == 0 && w < len;) {
        ssize_t k = write(fd, data + w, len - w);
        if (k < 0 && errno != EINTR)
            rc = -1;
        else if (k > 0)
            w += (size_t)k;
    }
    if (rc == 0)
        rc = fsync(fd);
    int e = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        e = errno;
    }
    if (rc == 0 && !unchanged(abs, judged, jlen))
        rc = -2;
    else if (rc == 0 && rename(tmp, abs) != 0) {
        rc = -1;
        e = errno;
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    errno = e;
    return rc;
}

/* 1 if the file at abs still holds what procguard judged (`judged`, as
   pg_read_file returned it). */
static int unchanged(const char *abs, const char *judged, size_t jlen)
{
    char *now;
    size_t n;
    pg_error err;
    if (pg_read_file(abs, &now, &n, &err) != 0)
        return judged == NULL;
    int same = judged != NULL && n == jlen && memcmp(now, judged, n) == 0;
    free(now);
    return same;
}

/* ---- 4. the allowlist block -------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The missing entries' paths, sorted, each once. */
static char **missing_entries(const pg_findings *f, size_t *n)
{
    char **v = pg_xrealloc(NULL, (f->n + 1) * sizeof *v);
    *n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].allow_text != NULL)
            v[(*n)++] = f->v[i].path;
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_str);
    size_t w = 0;
    for (size_t i = 0; i < *n; i++)
        if (w == 0 || strcmp(v[i], v[w - 1]) != 0)
            v[w++] = v[i];
    *n = w;
    return v;
}

static void mkdirs(const char *abs)
{
    char *d = pg_strdup(abs);
    for (char *p = d + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        mkdir(d, 0777);
        *p = '/';
    }
    free(d);
}

static void fix_allowlist(const pg_fix_in *in, const pg_findings *f,
                          const char *root, pg_fix_log *log)
{
    size_t n;
    char **paths = missing_entries(f, &n);
    char *abs = xprintf("%s/%s", root, in->allow_path);
    if (n == 0)
        goto out;
    if (!unchanged(abs, in->allow_text, in->allow_len)) {
        note(log, "%s: changed since procguard read it: not modified",
             in->allow_path);
        log->refused = 1;
        goto out;
    }
    size_t width = 0;
    for (size_t i = 0; i < n; i++)
        if (strlen(paths[i]) > width)
            width = strlen(paths[i]);
    char *buf = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&buf, &len);
    if (o == NULL)
        abort();
    if (in->allow_text != NULL) {
        fwrite(in->allow_text, 1, in->allow_len, o);
        if (in->allow_len > 0 && in->allow_text[in->allow_len - 1] != '\n')
            fputc('\n', o);
        fputc('\n', o);
    }
    fputs("# added by procguard --fix\n", o);
    for (size_t i = 0; i < n; i++)
        fprintf(o, "%-*s  %s\n", (int)width, paths[i], in->reason);
    fclose(o);
    struct stat st;
    mode_t mode = stat(abs, &st) == 0 ? st.st_mode : 0644;
    mkdirs(abs);
    int rc = replace_file(abs, buf, len, mode, in->allow_text, in->allow_len);
    if (rc != 0) {
        if (rc == -2)
            note(log, "%s: changed since procguard read it: not modified",
                 in->allow_path);
        else
            note(log, "%s: cannot write: %s", in->allow_path, strerror(errno));
        log->refused = 1;
    } else {
        for (size_t i = 0; i < n; i++)
            note(log, "%s: listed %s", in->allow_path, paths[i]);
        log->changed++;
    }
    free(buf);
out:
    free(abs);
    free(paths);
}

/* ---- 5. apply ---------------------------------------------------------- */

typedef struct edit {
    const pg_finding *f;
} edit;

static int edit_order(const void *a, const void *b)
{
    const pg_finding *x = ((const edit *)a)->f, *y = ((const edit *)b)->f;
    int c = strcmp(x->fix_path, y->fix_path);
    if (c != 0)
        return c;
    return (x->fix_line < y->fix_line) - (x->fix_line > y->fix_line);
}

/* Offset of (line, col) in buf, or -1 past the end. */
static long offset_of(const char *buf, size_t len, unsigned line, unsigned col)
{
    size_t i = 0;
    for (unsigned l = 1; l < line; l++) {
        const char *nl = memchr(buf + i, '\n', len - i);
        if (nl == NULL)
            return -1;
        i = (size_t)(nl - buf) + 1;
    }
    return i + col - 1 <= len ? (long)(i + col - 1) : -1;
}

/* One file's edits e[0..n), sorted by line descending, each line once. */
static void fix_file(const pg_fix_in *in, const char *root, const edit *e,
                     size_t n, pg_fix_log *log)
{
    const char *path = e[0].f->fix_path;
    char *abs = xprintf("%s/%s", root, path);
    pg_text *t = pg_texts_get(in->texts, path);
    char *raw = NULL;
    size_t len = 0;
    struct stat st;
    if (t == NULL || !unchanged(abs, t->text, t->len) ||
        read_raw(abs, &raw, &len) != 0 || stat(abs, &st) != 0) {
        note(log, "%s: changed since procguard read it: not modified", path);
        log->refused = 1;
        free(abs);
        free(raw);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        const pg_finding *f = e[i].f;
        if (i > 0 && e[i - 1].f->fix_line == f->fix_line)
            continue;
        long at = offset_of(raw, len, f->fix_line, f->fix_col);
        if (at < 0)
            continue;
        size_t tl = strlen(f->fix_text);
        raw = pg_xrealloc(raw, len + tl + 1);
        memmove(raw + at + tl, raw + at, len - (size_t)at);
        memcpy(raw + at, f->fix_text, tl);
        len += tl;
    }
    int rc = replace_file(abs, raw, len, st.st_mode, t->text, t->len);
    if (rc != 0) {
        if (rc == -2)
            note(log, "%s: changed since procguard read it: not modified",
                 path);
        else
            note(log, "%s: cannot write: %s", path, strerror(errno));
        log->refused = 1;
    } else {
        for (size_t i = n; i-- > 0;)
            if (i == 0 || e[i - 1].f->fix_line != e[i].f->fix_line)
                note(log, "%s:%u: acknowledged \"%s\"", path, e[i].f->fix_line,
                     e[i].f->value ? e[i].f->value : "");
        log->changed++;
    }
    free(raw);
    free(abs);
}

void pg_fix_apply(const pg_fix_in *in, const pg_findings *f, const char *root,
                  pg_fix_log *log)
{
    memset(log, 0, sizeof *log);
    edit *e = pg_xrealloc(NULL, (f->n + 1) * sizeof *e);
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        if (f->v[i].fix_text != NULL)
            e[n++].f = &f->v[i];
    if (n > 1)
        qsort(e, n, sizeof *e, edit_order);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1;
             j < n && strcmp(e[j].f->fix_path, e[i].f->fix_path) == 0;)
            j++;
        fix_file(in, root, e + i, j - i, log);
    }
    free(e);
    fix_allowlist(in, f, root, log);
}

void pg_fix_log_free(pg_fix_log *log)
{
    for (size_t i = 0; i < log->n; i++)
        free(log->lines[i]);
    free(log->lines);
    memset(log, 0, sizeof *log);
}
