/*
 * compdb.c - compile_commands.json, read and cleaned for libclang.
 *
 * Divisions: a strict JSON reader (RFC 8259, no extensions) into a small
 * tree; POSIX-shell splitting of the "command" form; path resolution; the
 * argument cleaner; the loader that ties them together.
 */
/* getcwd: POSIX, outside strict C11. */
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compdb.h"

/* ---- JSON ------------------------------------------------------------- */

enum { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ };

typedef struct jval {
    int type;
    unsigned line, col;
    char *s; /* J_STR: decoded, NUL-terminated */
    size_t len;
    struct jval *items; /* J_ARR elements, J_OBJ values */
    char **keys;        /* J_OBJ keys */
    size_t n;
} jval;

typedef struct jparser {
    const char *p, *end;
    const char *line_start;
    unsigned line;
    const char *path;
    pg_error *err;
    int depth;
} jparser;

/* Nesting beyond this is not a compile database, and bounds the recursion. */
#define PG_JSON_MAX_DEPTH 64

static int jfail(jparser *jp, const char *fmt, ...)
{
    va_list ap;
    int n = snprintf(jp->err->msg, sizeof jp->err->msg, "%s:%u:%u: ", jp->path,
                     jp->line, (unsigned)(jp->p - jp->line_start) + 1);
    if (n < 0 || (size_t)n >= sizeof jp->err->msg)
        return -1;
    va_start(ap, fmt);
    vsnprintf(jp->err->msg + n, sizeof jp->err->msg - (size_t)n, fmt, ap);
    va_end(ap);
    return -1;
}

static void jskip_ws(jparser *jp)
{
    while (jp->p < jp->end) {
        char c = *jp->p;
        if (c == '\n') {
            jp->line++;
            jp->line_start = jp->p + 1;
        } else if (c != ' ' && c != '\t' && c != '\r') {
            return;
        }
        jp->p++;
    }
}

static void jfree(jval *v)
{
    free(v->s);
    for (size_t i = 0; i < v->n; i++) {
        jfree(&v->items[i]);
        if (v->keys)
            free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    memset(v, 0, sizeof *v);
}

static void put_utf8(char *buf, size_t *len, unsigned long cp)
{
    if (cp < 0x80) {
        buf[(*len)++] = (char)cp;
    } else if (cp < 0x800) {
        buf[(*len)++] = (char)(0xC0 | (cp >> 6));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        buf[(*len)++] = (char)(0xE0 | (cp >> 12));
        buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    } else {
        buf[(*len)++] = (char)(0xF0 | (cp >> 18));
        buf[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
        buf[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[(*len)++] = (char)(0x80 | (cp & 0x3F));
    }
}

static int jhex4(jparser *jp, unsigned long *out)
{
    unsigned long v = 0;
    if (jp->end - jp->p < 4)
        return jfail(jp, "truncated \\u escape");
    for (int i = 0; i < 4; i++) {
        char c = *jp->p;
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned long)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned long)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned long)(c - 'A' + 10);
        else
            return jfail(jp, "bad hex digit in \\u escape");
        jp->p++;
    }
    *out = v;
    return 0;
}

static int jescape(jparser *jp, char *buf, size_t *len)
{
    char c = *jp->p++;
    unsigned long cp = 0; /* jfail's -1 is opaque to the analyzer */
    switch (c) {
    case '"': buf[(*len)++] = '"'; return 0;
    case '\\': buf[(*len)++] = '\\'; return 0;
    case '/': buf[(*len)++] = '/'; return 0;
    case 'b': buf[(*len)++] = '\b'; return 0;
    case 'f': buf[(*len)++] = '\f'; return 0;
    case 'n': buf[(*len)++] = '\n'; return 0;
    case 'r': buf[(*len)++] = '\r'; return 0;
    case 't': buf[(*len)++] = '\t'; return 0;
    case 'u': break;
    default: jp->p--; return jfail(jp, "invalid escape '\\%c' in string", c);
    }
    if (jhex4(jp, &cp) < 0)
        return -1;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        unsigned long lo = 0;
        if (jp->end - jp->p < 2 || jp->p[0] != '\\' || jp->p[1] != 'u')
            return jfail(jp, "unpaired UTF-16 surrogate in \\u escape");
        jp->p += 2;
        if (jhex4(jp, &lo) < 0)
            return -1;
        if (lo < 0xDC00 || lo > 0xDFFF)
            return jfail(jp, "unpaired UTF-16 surrogate in \\u escape");
        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
    } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
        return jfail(jp, "unpaired UTF-16 surrogate in \\u escape");
    }
    put_utf8(buf, len, cp);
    return 0;
}

static int jstring(jparser *jp, char **out, size_t *outlen)
{
    const char *start = ++jp->p; /* past the opening quote */
    const char *q = start;
    while (q < jp->end && *q != '"') {
        if (*q == '\\' && q + 1 < jp->end)
            q++;
        q++;
    }
    /* Decoded text is never longer than its escaped source. */
    char *buf = pg_xrealloc(NULL, (size_t)(q - start) + 1);
    size_t len = 0;
    for (;;) {
        if (jp->p >= jp->end) {
            free(buf);
            return jfail(jp, "unterminated string");
        }
        unsigned char c = (unsigned char)*jp->p;
        if (c == '"') {
            jp->p++;
            break;
        }
        if (c < 0x20) {
            free(buf);
            return jfail(jp, "control character in string");
        }
        if (c == '\\') {
            jp->p++;
            if (jp->p >= jp->end || jescape(jp, buf, &len) < 0) {
                free(buf);
                return jp->p >= jp->end ? jfail(jp, "unterminated string") : -1;
            }
            continue;
        }
        buf[len++] = (char)c;
        jp->p++;
    }
    buf[len] = '\0';
    *out = buf;
    *outlen = len;
    return 0;
}

static int jnumber(jparser *jp)
{
    const char *p = jp->p;
#define DIG(x) ((x) >= '0' && (x) <= '9')
    if (p < jp->end && *p == '-')
        p++;
    if (p < jp->end && *p == '0') {
        p++;
    } else if (p < jp->end && DIG(*p)) {
        while (p < jp->end && DIG(*p))
            p++;
    } else {
        return jfail(jp, "invalid number");
    }
    if (p < jp->end && *p == '.') {
        p++;
        if (p >= jp->end || !DIG(*p))
            return jfail(jp, "invalid number");
        while (p < jp->end && DIG(*p))
            p++;
    }
    if (p < jp->end && (*p == 'e' || *p == 'E')) {
        p++;
        if (p < jp->end && (*p == '+' || *p == '-'))
            p++;
        if (p >= jp->end || !DIG(*p))
            return jfail(jp, "invalid number");
        while (p < jp->end && DIG(*p))
            p++;
    }
#undef DIG
    jp->p = p;
    return 0;
}

static int jvalue(jparser *jp, jval *v);

static int jliteral(jparser *jp, const char *word, int type, jval *v)
{
    size_t n = strlen(word);
    if ((size_t)(jp->end - jp->p) < n || memcmp(jp->p, word, n) != 0)
        return jfail(jp, "unexpected character '%c'", *jp->p);
    jp->p += n;
    v->type = type;
    return 0;
}

static int jcontainer(jparser *jp, jval *v, int obj)
{
    char close = obj ? '}' : ']';
    size_t cap = 0;
    if (++jp->depth > PG_JSON_MAX_DEPTH)
        return jfail(jp, "nesting deeper than %d", PG_JSON_MAX_DEPTH);
    v->type = obj ? J_OBJ : J_ARR;
    jp->p++;
    jskip_ws(jp);
    if (jp->p < jp->end && *jp->p == close) {
        jp->p++;
        jp->depth--;
        return 0;
    }
    for (;;) {
        if (v->n == cap) {
            cap = cap ? cap * 2 : 8;
            v->items = pg_xrealloc(v->items, cap * sizeof *v->items);
            if (obj)
                v->keys = pg_xrealloc(v->keys, cap * sizeof *v->keys);
        }
        jval *item = &v->items[v->n];
        memset(item, 0, sizeof *item);
        jskip_ws(jp);
        if (obj) {
            size_t klen;
            if (jp->p >= jp->end || *jp->p != '"')
                return jfail(jp, "expected a string key");
            if (jstring(jp, &v->keys[v->n], &klen) < 0)
                return -1;
            v->n++; /* owned from here on, even if the value fails */
            jskip_ws(jp);
            if (jp->p >= jp->end || *jp->p != ':')
                return jfail(jp, "expected ':' after key");
            jp->p++;
            if (jvalue(jp, item) < 0)
                return -1;
        } else {
            v->n++;
            if (jvalue(jp, item) < 0)
                return -1;
        }
        jskip_ws(jp);
        if (jp->p < jp->end && *jp->p == ',') {
            jp->p++;
            continue;
        }
        if (jp->p < jp->end && *jp->p == close) {
            jp->p++;
            jp->depth--;
            return 0;
        }
        return jfail(jp, obj ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

static int jvalue(jparser *jp, jval *v)
{
    jskip_ws(jp);
    v->line = jp->line;
    v->col = (unsigned)(jp->p - jp->line_start) + 1;
    if (jp->p >= jp->end)
        return jfail(jp, "unexpected end of file");
    switch (*jp->p) {
    case '{': return jcontainer(jp, v, 1);
    case '[': return jcontainer(jp, v, 0);
    case '"': v->type = J_STR; return jstring(jp, &v->s, &v->len);
    case 't': return jliteral(jp, "true", J_BOOL, v);
    case 'f': return jliteral(jp, "false", J_BOOL, v);
    case 'n': return jliteral(jp, "null", J_NULL, v);
    default: v->type = J_NUM; return jnumber(jp);
    }
}

static const jval *jget(const jval *obj, const char *key)
{
    for (size_t i = 0; i < obj->n; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return &obj->items[i];
    return NULL;
}

/* ---- argv building and shell splitting -------------------------------- */

typedef struct argv_buf {
    char **v;
    size_t n, cap;
} argv_buf;

static void argv_push(argv_buf *a, char *s)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 16;
        a->v = pg_xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = s;
}

static void argv_free(argv_buf *a)
{
    for (size_t i = 0; i < a->n; i++)
        free(a->v[i]);
    free(a->v);
    memset(a, 0, sizeof *a);
}

/*
 * Split as a POSIX shell would, without expansions: blanks separate words,
 * '...' is literal, "..." keeps \ only before $ ` " \ and newline, and an
 * unquoted backslash escapes the next character (backslash-newline joins).
 * Returns 0, or -1 with a static reason in *why.
 */
static int shell_split(const char *s, argv_buf *out, const char **why)
{
    size_t n = strlen(s);
    char *word = pg_xrealloc(NULL, n + 1);
    size_t len = 0;
    int in_word = 0;
    for (const char *p = s; *p;) {
        char c = *p;
        if (c == ' ' || c == '\t' || c == '\n') {
            if (in_word) {
                argv_push(out, pg_strndup(word, len));
                len = 0;
                in_word = 0;
            }
            p++;
        } else if (c == '\'') {
            const char *q = strchr(p + 1, '\'');
            if (q == NULL) {
                free(word);
                *why = "unterminated single quote in \"command\"";
                return -1;
            }
            memcpy(word + len, p + 1, (size_t)(q - p - 1));
            len += (size_t)(q - p - 1);
            in_word = 1;
            p = q + 1;
        } else if (c == '"') {
            p++;
            for (;;) {
                if (*p == '\0') {
                    free(word);
                    *why = "unterminated double quote in \"command\"";
                    return -1;
                }
                if (*p == '"')
                    break;
                if (*p == '\\' && p[1] == '\n') {
                    p += 2;
                    continue;
                }
                if (*p == '\\' && p[1] != '\0' && strchr("$`\"\\", p[1]))
                    p++;
                word[len++] = *p++;
            }
            p++;
            in_word = 1;
        } else if (c == '\\') {
            if (p[1] == '\0') {
                p++; /* a trailing backslash escapes nothing */
            } else if (p[1] == '\n') {
                p += 2;
            } else {
                word[len++] = p[1];
                in_word = 1;
                p += 2;
            }
        } else {
            word[len++] = c;
            in_word = 1;
            p++;
        }
    }
    if (in_word)
        argv_push(out, pg_strndup(word, len));
    free(word);
    return 0;
}

/* ---- paths ------------------------------------------------------------ */

/*
 * `path` made absolute against `dir` (itself absolute) and normalised
 * lexically: no ".", "..", or repeated '/'. Lexical, not realpath(): the
 * database names files that need not exist yet, and symlinked include
 * directories must keep the name the build used.
 */
static char *path_resolve(const char *dir, const char *path)
{
    size_t dl = strlen(dir), pl = strlen(path);
    char *joined = pg_xrealloc(NULL, dl + pl + 2);
    if (path[0] == '/')
        memcpy(joined, path, pl + 1);
    else
        snprintf(joined, dl + pl + 2, "%s/%s", dir, path);
    char *out = pg_xrealloc(NULL, strlen(joined) + 2);
    size_t o = 0;
    const char *p = joined;
    while (*p) {
        while (*p == '/')
            p++;
        const char *e = p;
        while (*e && *e != '/')
            e++;
        size_t sl = (size_t)(e - p);
        if (sl == 0 || (sl == 1 && p[0] == '.')) {
            /* nothing */
        } else if (sl == 2 && p[0] == '.' && p[1] == '.') {
            while (o > 0 && out[o - 1] != '/')
                o--;
            if (o > 0)
                o--; /* the '/' before the dropped component */
        } else {
            out[o++] = '/';
            memcpy(out + o, p, sl);
            o += sl;
        }
        p = e;
    }
    if (o == 0)
        out[o++] = '/';
    out[o] = '\0';
    free(joined);
    return out;
}

/* ---- the cleaner ------------------------------------------------------ */

/* Options whose value is a path resolved against the entry's directory. */
static const char *const path_opts[] = {
    "-I",       "-isystem", "-iquote",   "-idirafter",
    "-include", "-imacros", "-isysroot", "--sysroot",
};

/* Dependency-file and output options: gone, with their separate value. */
static const char *const drop_with_value[] = {"-o", "-MF", "-MT", "-MQ"};
static const char *const drop_alone[] = {"-c", "-MD", "-MMD", "-MP",
                                         "-M", "-MM", "-MG",  "-pipe"};

/*
 * GCC-only flags clang rejects or warns about. Prefixes end in '*'. Only
 * what real databases carry: libclang must not turn them into diagnostics
 * that drown the ones that matter.
 */
static const char *const gcc_only[] = {
    "-fno-tree-*",
    "-ftree-*",
    "-fipa-*",
    "-fno-ipa-*",
    "-fconserve-stack",
    "-fno-var-tracking-assignments",
    "-fmerge-constants",
    "-fno-allow-store-data-races",
    "-fanalyzer",
    "-fcond-mismatch",
    "-Wformat-truncation*",
    "-Wno-format-truncation",
    "-Wformat-overflow*",
    "-Wno-format-overflow",
    "-Wstringop-*",
    "-Wno-stringop-*",
    "-Wlogical-op",
    "-Wduplicated-cond",
    "-Wduplicated-branches",
    "-Wjump-misses-init",
    "-Wmaybe-uninitialized",
    "-Wno-maybe-uninitialized",
    "-Wno-unused-but-set-*",
    "-Wpacked-not-aligned",
    "-Wno-packed-not-aligned",
    "-Wimplicit-fallthrough=*",
    "-Wunused-const-variable=*",
    "-Wno-restrict",
    "-Wrestrict",
    "-Wno-alloc-size-larger-than",
    "-Walloc-zero",
    "-Wno-psabi",
};

static int in_list(const char *a, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(a, list[i]) == 0)
            return 1;
    return 0;
}

static int gcc_only_flag(const char *a)
{
    for (size_t i = 0; i < sizeof gcc_only / sizeof *gcc_only; i++) {
        const char *g = gcc_only[i];
        size_t gl = strlen(g);
        if (g[gl - 1] == '*' ? strncmp(a, g, gl - 1) == 0 : strcmp(a, g) == 0)
            return 1;
    }
    return 0;
}

/* "-o" glued to its value ("-ofoo.o"), but not another option. */
static int glued_output(const char *a)
{
    return strncmp(a, "-o", 2) == 0 && a[2] != '\0' &&
           strcmp(a, "-objc") != 0 && strncmp(a, "-object", 7) != 0;
}

static int glued_dep(const char *a)
{
    return (strncmp(a, "-MF", 3) == 0 || strncmp(a, "-MT", 3) == 0 ||
            strncmp(a, "-MQ", 3) == 0) &&
           a[3] != '\0';
}

/* Resolve a path option, separate ("-I dir") or glued ("-Idir",
   "--sysroot=dir"). Returns the number of argv slots consumed, 0 if `a` is
   not a path option. */
static size_t clean_path_opt(char **argv, size_t i, size_t argc,
                             const char *dir, argv_buf *out)
{
    const char *a = argv[i];
    for (size_t k = 0; k < sizeof path_opts / sizeof *path_opts; k++) {
        const char *o = path_opts[k];
        size_t ol = strlen(o);
        if (strncmp(a, o, ol) != 0)
            continue;
        if (a[ol] == '\0') {
            if (i + 1 >= argc)
                return 0; /* dangling: let clang complain */
            argv_push(out, pg_strdup(o));
            argv_push(out, path_resolve(dir, argv[i + 1]));
            return 2;
        }
        /* Glued: "-Ifoo", "-isystemfoo"; the long option only as
           "--sysroot=foo". No entry is a prefix of another. */
        const char *v = a + ol;
        if (o[1] == '-') {
            if (*v != '=')
                continue;
            v++;
        }
        char *r = path_resolve(dir, v);
        size_t pl = (size_t)(v - a), rl = strlen(r);
        char *g = pg_xrealloc(NULL, pl + rl + 1);
        memcpy(g, a, pl);
        memcpy(g + pl, r, rl + 1);
        free(r);
        argv_push(out, g);
        return 1;
    }
    return 0;
}

/*
 * argv as the build ran it -> arguments for libclang. The source file is
 * recognised by resolving each non-option word against `dir`.
 */
static void clean_args(char **argv, size_t argc, const char *dir,
                       const char *file_abs, argv_buf *out)
{
    for (size_t i = 1; i < argc; i++) {
        const char *a = argv[i];
        size_t used;
        if (in_list(a, drop_with_value,
                    sizeof drop_with_value / sizeof *drop_with_value)) {
            i++;
            continue;
        }
        if (in_list(a, drop_alone, sizeof drop_alone / sizeof *drop_alone) ||
            glued_output(a) || glued_dep(a) || gcc_only_flag(a))
            continue;
        used = clean_path_opt(argv, i, argc, dir, out);
        if (used > 0) {
            i += used - 1;
            continue;
        }
        if (a[0] != '-') {
            char *r = path_resolve(dir, a);
            int is_src = strcmp(r, file_abs) == 0;
            free(r);
            if (is_src)
                continue;
        }
        argv_push(out, pg_strdup(a));
    }
}

/* ---- the loader ------------------------------------------------------- */

static int read_all(const char *path, char **text, size_t *len, pg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err->msg, sizeof err->msg, "%s: cannot open: %s", path,
                 strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = pg_xrealloc(NULL, cap);
    for (;;) {
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0)
            break;
        if (n == cap) {
            cap *= 2;
            buf = pg_xrealloc(buf, cap);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err->msg, sizeof err->msg, "%s: read error", path);
        return -1;
    }
    *text = buf;
    *len = n;
    return 0;
}

/* ---- response files ---------------------------------------------------- */

/* Split a response file as GCC does (libiberty's buildargv): blanks
   separate words, single and double quotes group, a backslash escapes the
   next character anywhere, quotes included. */
static void gcc_split(const char *s, size_t n, argv_buf *out)
{
    char *w = pg_xrealloc(NULL, n + 1);
    size_t wl = 0;
    int have = 0, sq = 0, dq = 0, bs = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = ' '; /* a blank past the end flushes the last word */
        if (i < n)
            c = s[i];
        int blank = c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
                    c == '\f' || c == '\v';
        if (i == n || (blank && !sq && !dq && !bs)) {
            if (have)
                argv_push(out, pg_strndup(w, wl));
            wl = 0;
            have = 0;
            if (i == n)
                break;
            continue;
        }
        have = 1;
        if (bs) {
            bs = 0;
            w[wl++] = c;
        } else if (c == '\\') {
            bs = 1;
        } else if (sq) {
            if (c == '\'')
                sq = 0;
            else
                w[wl++] = c;
        } else if (dq) {
            if (c == '"')
                dq = 0;
            else
                w[wl++] = c;
        } else if (c == '\'') {
            sq = 1;
        } else if (c == '"') {
            dq = 1;
        } else {
            w[wl++] = c;
        }
    }
    free(w);
}

/* Nested response files deeper than this are a loop. */
#define PG_RSP_DEPTH 16

/*
 * Replace every @file word of in[0..n) by the words of that file (relative
 * to `dir`, the entry's directory, as the compiler would read it), nested.
 * libclang 14 does not expand them, and would lose the -D and -I inside.
 * Returns 0, or -1 with *why set (unreadable file, nesting too deep).
 */
static int expand_rsp(char **in, size_t n, const char *dir, int depth,
                      argv_buf *out, char *why, size_t whylen)
{
    for (size_t i = 0; i < n; i++) {
        if (in[i][0] != '@' || in[i][1] == '\0' || i == 0) {
            argv_push(out, pg_strdup(in[i]));
            continue;
        }
        if (depth >= PG_RSP_DEPTH) {
            snprintf(why, whylen, "response file '%s' nested more than %d deep",
                     in[i] + 1, PG_RSP_DEPTH);
            return -1;
        }
        char *path = path_resolve(dir, in[i] + 1);
        char *text;
        size_t len;
        pg_error e;
        if (read_all(path, &text, &len, &e) != 0) {
            snprintf(why, whylen, "response file %.700s", e.msg);
            free(path);
            return -1;
        }
        free(path);
        argv_buf words = {0};
        /* a leading word stands for argv[0]: keep the compiler in front */
        argv_push(&words, pg_strdup(""));
        gcc_split(text, len, &words);
        free(text);
        argv_buf sub = {0};
        int rc =
            expand_rsp(words.v, words.n, dir, depth + 1, &sub, why, whylen);
        for (size_t k = 1; rc == 0 && k < sub.n; k++)
            argv_push(out, pg_strdup(sub.v[k]));
        argv_free(&sub);
        argv_free(&words);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int entry_fail(pg_error *err, const char *path, const jval *at,
                      size_t idx, const char *what)
{
    snprintf(err->msg, sizeof err->msg, "%s:%u:%u: entry %zu: %s", path,
             at->line, at->col, idx + 1, what);
    return -1;
}

static int load_entry(const char *path, const char *db_dir, const jval *e,
                      size_t idx, pg_cc *cc, pg_error *err)
{
    if (e->type != J_OBJ)
        return entry_fail(err, path, e, idx, "not an object");
    const jval *dir = jget(e, "directory");
    const jval *file = jget(e, "file");
    const jval *args = jget(e, "arguments");
    const jval *cmd = jget(e, "command");
    if (dir == NULL || dir->type != J_STR)
        return entry_fail(err, path, dir ? dir : e, idx,
                          "\"directory\" missing or not a string");
    if (file == NULL || file->type != J_STR || file->len == 0)
        return entry_fail(err, path, file ? file : e, idx,
                          "\"file\" missing or not a string");
    if (args && args->type != J_ARR)
        return entry_fail(err, path, args, idx, "\"arguments\" not an array");
    if (!args && (cmd == NULL || cmd->type != J_STR))
        return entry_fail(err, path, cmd ? cmd : e, idx,
                          "needs \"arguments\" (array) or \"command\" "
                          "(string)");
    if (memchr(dir->s, '\0', dir->len) || memchr(file->s, '\0', file->len))
        return entry_fail(err, path, e, idx, "NUL byte in a path");

    argv_buf raw = {0}, clean = {0};
    if (args) {
        for (size_t i = 0; i < args->n; i++) {
            if (args->items[i].type != J_STR) {
                argv_free(&raw);
                return entry_fail(err, path, &args->items[i], idx,
                                  "\"arguments\" holds a non-string");
            }
            argv_push(&raw, pg_strdup(args->items[i].s));
        }
    } else {
        const char *why;
        if (shell_split(cmd->s, &raw, &why) < 0) {
            argv_free(&raw);
            return entry_fail(err, path, cmd, idx, why);
        }
    }
    if (raw.n == 0) {
        argv_free(&raw);
        return entry_fail(err, path, args ? args : cmd, idx,
                          "empty command line");
    }
    cc->directory = path_resolve(db_dir, dir->s);
    cc->file = path_resolve(cc->directory, file->s);
    argv_buf expanded = {0};
    char why[768];
    if (expand_rsp(raw.v, raw.n, cc->directory, 0, &expanded, why,
                   sizeof why) != 0) {
        argv_free(&raw);
        argv_free(&expanded);
        free(cc->directory);
        free(cc->file);
        cc->directory = cc->file = NULL;
        return entry_fail(err, path, args ? args : cmd, idx, why);
    }
    argv_free(&raw);
    clean_args(expanded.v, expanded.n, cc->directory, cc->file, &clean);
    argv_free(&expanded);
    cc->args = clean.v;
    cc->nargs = clean.n;
    return 0;
}

/* A relative "directory" is taken relative to the database itself. */
static char *db_directory(const char *path)
{
    char cwd[4096];
    const char *slash = strrchr(path, '/');
    char *dir =
        slash ? pg_strndup(path, (size_t)(slash - path)) : pg_strdup(".");
    if (dir[0] == '\0') {
        free(dir);
        dir = pg_strdup("/");
    }
    if (dir[0] != '/' && getcwd(cwd, sizeof cwd) != NULL) {
        char *abs = path_resolve(cwd, dir);
        free(dir);
        dir = abs;
    }
    return dir;
}

int pg_compdb_load(const char *path, pg_compdb *out, pg_error *err)
{
    char *text;
    size_t len;
    memset(out, 0, sizeof *out);
    if (read_all(path, &text, &len, err) < 0)
        return -1;

    /* a UTF-8 byte order mark (some Windows generators write one) */
    size_t bom = len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    jparser jp = {text + bom, text + len, text + bom, 1, path, err, 0};
    jval root = {0};
    int rc = jvalue(&jp, &root);
    if (rc == 0) {
        jskip_ws(&jp);
        if (jp.p != jp.end)
            rc = jfail(&jp, "trailing data after the top-level value");
    }
    if (rc == 0 && root.type != J_ARR) {
        snprintf(err->msg, sizeof err->msg,
                 "%s:%u:%u: expected an array of compile commands", path,
                 root.line, root.col);
        rc = -1;
    }
    if (rc == 0) {
        char *db_dir = db_directory(path);
        out->v = pg_xrealloc(NULL, root.n * sizeof *out->v);
        memset(out->v, 0, root.n * sizeof *out->v);
        for (size_t i = 0; i < root.n && rc == 0; i++) {
            rc = load_entry(path, db_dir, &root.items[i], i, &out->v[i], err);
            if (rc == 0)
                out->n++;
        }
        free(db_dir);
        if (rc < 0)
            pg_compdb_free(out);
    }
    jfree(&root);
    free(text);
    return rc;
}

void pg_compdb_free(pg_compdb *db)
{
    for (size_t i = 0; i < db->n; i++) {
        pg_cc *cc = &db->v[i];
        free(cc->file);
        free(cc->directory);
        for (size_t k = 0; k < cc->nargs; k++)
            free(cc->args[k]);
        free(cc->args);
    }
    free(db->v);
    db->v = NULL;
    db->n = 0;
}

const char *pg_cc_unsupported_language(const pg_cc *cc)
{
    static const char *const by_x[][2] = {{"objective-c", "Objective-C"},
                                          {"cuda", "CUDA"},
                                          {"assembler", "assembler"}};
    for (size_t i = 0; i + 1 < cc->nargs; i++)
        for (size_t k = 0; strcmp(cc->args[i], "-x") == 0 && k < 3; k++)
            if (strncmp(cc->args[i + 1], by_x[k][0], strlen(by_x[k][0])) == 0)
                return by_x[k][1];
    static const char *const by_ext[][2] = {
        {".m", "Objective-C"}, {".mm", "Objective-C"}, {".M", "Objective-C"},
        {".cu", "CUDA"},       {".s", "assembler"},    {".S", "assembler"},
        {".sx", "assembler"},  {".asm", "assembler"}};
    const char *dot = strrchr(cc->file, '.');
    for (size_t i = 0; dot && i < sizeof by_ext / sizeof *by_ext; i++)
        if (strcmp(dot, by_ext[i][0]) == 0)
            return by_ext[i][1];
    return NULL;
}
