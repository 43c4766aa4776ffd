/*
 * clang_pass.c - the semantic pass: each translation unit of the compile
 * database through libclang, /proc string literals after macro expansion
 * and adjacent-literal concatenation.
 *
 * Divisions: literal decoding; file classification (repository, system);
 * the per-TU walk (literals, macro expansions and definitions, includes);
 * skipped ranges; the thread pool; the deterministic merge.
 *
 * libclang 14 facts this file relies on (checked against the library):
 * - A concatenated literal ("/pr" "oc", ROOT "/%d") is one StringLiteral
 *   cursor whose spelling is the whole value re-escaped as one literal.
 * - clang_getSpellingLocation returns the expansion location for macro-body
 *   tokens, so a macro's definition is found through the MacroExpansion
 *   cursor at the use site, not through the literal's location.
 * - With CXTranslationUnit_KeepGoing, fatal errors are downgraded to errors
 *   (FatalsAsError): a missing #include shows up as an InclusionDirective
 *   without a file, which is how it is detected here.
 */
/* realpath: POSIX/XSI, outside strict C11. */
#define _XOPEN_SOURCE 700

#include <clang-c/Index.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache.h"
#include "clang_pass.h"
#include "strlit.h"
#include "libclang.h"
#include "run.h"
#include "sha256.h"

#ifndef PG_CLANG_RESOURCE_DIR
#define PG_CLANG_RESOURCE_DIR ""
#endif

/* Macro chains deeper than this are not followed to their literal. */
#define PG_MACRO_DEPTH 16

/* ---- literal decoding ------------------------------------------------- */

/*
 * The value of a literal's spelling: an optional L/u8/u/U prefix, then one
 * or more "..." pieces (concatenated), escapes decoded as the tree-sitter
 * pass decodes them (strlit.c). 0, or -1 if `s` is not a string literal.
 */
/* Past an encoding prefix (u8, L, u, U) and, for C++, R; *raw says which. */
static const char *skip_prefix(const char *p, int *raw)
{
    if (strncmp(p, "u8", 2) == 0)
        p += 2;
    else if (*p == 'L' || *p == 'u' || *p == 'U')
        p++;
    *raw = *p == 'R';
    return *raw ? p + 1 : p;
}

static int decode_literal(const char *s, pg_buf *out)
{
    int raw;
    const char *p = skip_prefix(s, &raw);
    if (*p != '"')
        return -1;
    pg_buf_put(out, "", 0);
    out->n = 0;
    while (*p == '"') {
        if (raw) {
            const char *body;
            size_t blen, used = pg_raw_body(p + 1, strlen(p + 1), &body, &blen);
            if (used == 0)
                return -1;
            pg_buf_put(out, body, blen);
            p += 1 + used;
        } else {
            const char *end = ++p;
            while (*end && *end != '"')
                end += (*end == '\\' && end[1] != '\0') ? 2 : 1;
            if (*end != '"')
                return -1;
            while (p < end) {
                if (*p != '\\') {
                    pg_buf_putc(out, *p++);
                    continue;
                }
                p++;
                p += pg_escape_decode(p, (size_t)(end - p), out, 0);
            }
            p = end + 1;
        }
        /* a user-defined literal's suffix ("/proc"sv) is not its value */
        while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
               (*p >= '0' && *p <= '9') || *p == '_')
            p++;
        while (*p == ' ' || *p == '\t' || *p == '\n')
            p++;
        const char *q = skip_prefix(p, &raw);
        if (*q == '"')
            p = q;
    }
    return 0;
}

/* ---- per-run and per-TU state ----------------------------------------- */

typedef struct file_rec {
    char *abspath;
    pg_range *r;
    size_t n;
    size_t tu; /* index of the TU that reached it, for a stable merge */
} file_rec;

typedef struct tu_result {
    pg_sites sites;
    file_rec *files;
    size_t nfiles;
    pg_degraded *deg; /* first error per repository file */
    size_t ndeg;
    int failed;
    char msg[1024];
    char *fail_path;
    unsigned fail_line, fail_col;
} tu_result;

typedef struct run_ctx {
    const pg_compdb *db;
    size_t *todo; /* indices into db->v */
    size_t ntodo;
    tu_result *results; /* one per todo entry */
    char *root;         /* as given, no trailing '/' */
    char *root_real;    /* realpath() of it, or NULL */
    const char *resource_dir;
    pthread_mutex_t mu;
    size_t next;
    size_t first_err;       /* lowest failing todo index, ntodo if none */
    pg_cache *cache;        /* NULL: every translation unit is parsed */
    unsigned char salt[32]; /* what keys every entry: versions, root */
    int loaded;             /* libclang opened (lazily: a run that hits the
                               cache everywhere never loads it) */
    pg_error load_err;
    size_t nparsed;
} run_ctx;

typedef struct file_class {
    CXFile f;
    char *rel; /* repository-relative, or NULL: system or outside */
} file_class;

typedef struct mexp {
    CXFile f;
    unsigned off;
    CXCursor c;
} mexp;

typedef struct tu_ctx {
    run_ctx *run;
    const pg_cc *cc;
    CXTranslationUnit tu;
    tu_result *res;
    file_class *files;
    size_t nfiles, capfiles;
    mexp *exps;
    size_t nexps, capexps;
    CXCursor *defs; /* macro definitions in repository files */
    size_t ndefs, capdefs;
    CXCursor *lits;
    size_t nlits, caplits;
    CXCursor missing; /* first #include that found no file */
    int has_missing;
    CXFile last_file; /* the file of the last cursor visited, */
    int last_ours;    /* and whether it is a repository file */
} tu_ctx;

#define PUSH(arr, n, cap, val)                                                 \
    do {                                                                       \
        if ((n) == (cap)) {                                                    \
            (cap) = (cap) ? (cap)*2 : 32;                                      \
            (arr) = pg_xrealloc((arr), (cap) * sizeof *(arr));                 \
        }                                                                      \
        (arr)[(n)++] = (val);                                                  \
    } while (0)

static char *str_take(CXString s)
{
    const char *c = clang_getCString(s);
    char *d = pg_strdup(c ? c : "");
    clang_disposeString(s);
    return d;
}

/* ---- file classification ---------------------------------------------- */

/* Length of root and its '/' at the start of abs, or 0 if abs is not under
   root. An offset, not a pointer into abs: the analyzer loses track of abs
   being non-null once a pointer derived from it has been compared to NULL. */
static size_t root_prefix(const char *abs, const char *root)
{
    size_t n = strlen(root);
    if (root[0] == '/' && root[1] == '\0')
        return 1;
    if (strncmp(abs, root, n) == 0 && abs[n] == '/')
        return n + 1;
    return 0;
}

static const char *under_root(const char *abs, const char *root)
{
    size_t k = root_prefix(abs, root);
    return k ? abs + k : NULL;
}

static char *file_abspath(const tu_ctx *t, CXFile f)
{
    char *real = str_take(clang_File_tryGetRealPathName(f));
    if (real[0] == '/')
        return real;
    free(real);
    char *name = str_take(clang_getFileName(f));
    if (name[0] != '/') {
        size_t dl = strlen(t->cc->directory), nl = strlen(name);
        char *j = pg_xrealloc(NULL, dl + nl + 2);
        memcpy(j, t->cc->directory, dl);
        j[dl] = '/';
        memcpy(j + dl + 1, name, nl + 1);
        free(name);
        name = j;
    }
    char buf[PATH_MAX];
    if (realpath(name, buf) != NULL) {
        free(name);
        return pg_strdup(buf);
    }
    return name;
}

/* Repository-relative path of f, or NULL (system header, builtin buffer,
   or outside the repository). Cached per TU: CXFile is stable in a TU. */
static const char *file_rel(tu_ctx *t, CXFile f)
{
    if (f == NULL)
        return NULL;
    for (size_t i = 0; i < t->nfiles; i++)
        if (t->files[i].f == f)
            return t->files[i].rel;
    file_class fc = {f, NULL};
    CXSourceLocation at = clang_getLocationForOffset(t->tu, f, 0);
    if (!clang_Location_isInSystemHeader(at)) {
        char *abs = file_abspath(t, f);
        size_t k = root_prefix(abs, t->run->root);
        if (k == 0 && t->run->root_real)
            k = root_prefix(abs, t->run->root_real);
        if (k != 0 && abs[k] != '\0')
            fc.rel = pg_strdup(abs + k);
        free(abs);
    }
    PUSH(t->files, t->nfiles, t->capfiles, fc);
    return fc.rel;
}

static void file_loc(CXSourceLocation loc, CXFile *f, unsigned *line,
                     unsigned *col, unsigned *off)
{
    clang_getFileLocation(loc, f, line, col, off);
}

/* ---- the walk --------------------------------------------------------- */

static enum CXChildVisitResult visit(CXCursor c, CXCursor parent,
                                     CXClientData data)
{
    tu_ctx *t = data;
    (void)parent;
    /* Before the system-header check: a missing header inside a system
       header (no -resource-dir, a broken sysroot) loses code too. */
    if (c.kind == CXCursor_InclusionDirective) {
        if (!t->has_missing && clang_getIncludedFile(c) == NULL) {
            t->missing = c;
            t->has_missing = 1;
        }
        return CXChildVisit_Continue;
    }
    /* A repository file stays ours whatever a GNU line marker (# 3 "x.c" 3)
       says: system-ness is judged per file (file_rel), not per location. */
    CXSourceLocation loc = clang_getCursorLocation(c);
    CXFile lf;
    unsigned ll, lc, lo;
    file_loc(loc, &lf, &ll, &lc, &lo);
    if (lf != t->last_file) {
        t->last_file = lf;
        t->last_ours = file_rel(t, lf) != NULL;
    }
    if (!t->last_ours && c.kind != CXCursor_StringLiteral)
        return CXChildVisit_Continue;
    switch (c.kind) {
    case CXCursor_StringLiteral:
        PUSH(t->lits, t->nlits, t->caplits, c);
        return CXChildVisit_Continue;
    case CXCursor_MacroExpansion: {
        mexp e = {NULL, 0, c};
        unsigned line, col;
        file_loc(loc, &e.f, &line, &col, &e.off);
        if (file_rel(t, e.f) != NULL)
            PUSH(t->exps, t->nexps, t->capexps, e);
        return CXChildVisit_Continue;
    }
    case CXCursor_MacroDefinition: {
        CXFile f;
        unsigned line, col, off;
        file_loc(loc, &f, &line, &col, &off);
        if (file_rel(t, f) != NULL)
            PUSH(t->defs, t->ndefs, t->capdefs, c);
        return CXChildVisit_Continue;
    }
    default: return CXChildVisit_Recurse;
    }
}

static const CXCursor *find_def(const tu_ctx *t, const char *name)
{
    for (size_t i = 0; i < t->ndefs; i++) {
        CXString s = clang_getCursorSpelling(t->defs[i]);
        int eq = strcmp(clang_getCString(s), name) == 0;
        clang_disposeString(s);
        if (eq)
            return &t->defs[i];
    }
    return NULL;
}

static int is_string_token(const char *sp)
{
    int raw;
    return *skip_prefix(sp, &raw) == '"';
}

/*
 * Where the literal a macro expands to is spelled: the first string
 * literal token in the definition, following identifiers that name other
 * repository macros (#define ROOT BASE, #define BASE "/proc"). Returns 1
 * and fills *name (the macro whose definition holds the literal), *rel and
 * *line; 0 if the literal is not spelled in a repository macro; -1 if it is
 * an empty literal ("" in #define SYSROOT ""): the macro contributes no text
 * to the value, so its acknowledgement covers nothing of it.
 */
static int literal_def(tu_ctx *t, CXCursor def, int depth, char **name,
                       const char **rel, unsigned *line)
{
    CXFile f;
    unsigned l, col, off;
    file_loc(clang_getCursorLocation(def), &f, &l, &col, &off);
    const char *drel = file_rel(t, f);
    if (drel == NULL || depth > PG_MACRO_DEPTH)
        return 0;
    CXToken *toks = NULL;
    unsigned ntoks = 0;
    int found = 0;
    clang_tokenize(t->tu, clang_getCursorExtent(def), &toks, &ntoks);
    for (unsigned i = 1; i < ntoks && !found; i++) { /* 0: the name */
        CXTokenKind k = clang_getTokenKind(toks[i]);
        char *sp = str_take(clang_getTokenSpelling(t->tu, toks[i]));
        pg_buf v = {0};
        if (k == CXToken_Literal && is_string_token(sp) &&
            decode_literal(sp, &v) == 0 && v.n == 0) {
            found = -1;
        } else if (k == CXToken_Literal && is_string_token(sp)) {
            CXFile tf;
            file_loc(clang_getTokenLocation(t->tu, toks[i]), &tf, line, &col,
                     &off);
            *rel = drel;
            *name = str_take(clang_getCursorSpelling(def));
            found = 1;
        } else if (k == CXToken_Identifier) {
            const CXCursor *inner = find_def(t, sp);
            if (inner != NULL && !clang_equalCursors(*inner, def))
                found = literal_def(t, *inner, depth + 1, name, rel, line);
        }
        free(v.p);
        free(sp);
    }
    clang_disposeTokens(t->tu, toks, ntoks);
    return found;
}

static const mexp *find_exp(const tu_ctx *t, CXFile f, unsigned off)
{
    for (size_t i = 0; i < t->nexps; i++)
        if (t->exps[i].f == f && t->exps[i].off == off)
            return &t->exps[i];
    return NULL;
}

static void take_literal(tu_ctx *t, CXCursor c)
{
    pg_buf val = {0};
    char *sp = str_take(clang_getCursorSpelling(c));
    int ok = decode_literal(sp, &val) == 0 && pg_is_proc_literal(val.p, val.n);
    free(sp);
    if (!ok) {
        free(val.p);
        return;
    }
    CXFile f;
    unsigned line, col, off;
    /* The file location: the expansion site for a macro body, the literal
       itself for a macro argument. */
    file_loc(clang_getCursorLocation(c), &f, &line, &col, &off);
    const char *rel = file_rel(t, f);
    if (rel == NULL) {
        free(val.p);
        return;
    }
    /* Embedded NULs end the reported value; the rule already judged. */
    pg_site s = {(char *)rel, line, col, off,  val.p,
                 NULL,        NULL, 0,   NULL, "clang"};
    char *macro = NULL;
    const mexp *e = find_exp(t, f, off);
    if (e != NULL) {
        CXCursor def = clang_getCursorReferenced(e->c);
        const char *drel = NULL;
        unsigned dline = 0;
        int traced = clang_Cursor_isNull(def)
                         ? 0
                         : literal_def(t, def, 0, &macro, &drel, &dline);
        if (traced == 0) {
            /* The literal comes from outside the repository (a system
               macro) or could not be traced: name the macro used here. */
            macro = str_take(clang_getCursorSpelling(e->c));
            if (!clang_Cursor_isNull(def)) {
                CXFile df;
                unsigned dc, doff;
                file_loc(clang_getCursorLocation(def), &df, &dline, &dc, &doff);
                drel = file_rel(t, df);
            }
        }
        s.macro = macro;
        if (drel != NULL) {
            s.def_path = (char *)drel;
            s.def_line = dline;
        }
    }
    pg_sites_add(&t->res->sites, &s);
    free(macro);
    free(val.p);
}

/* ---- skipped ranges and reached files --------------------------------- */

static int by_start(const void *a, const void *b)
{
    const pg_range *x = a, *y = b;
    if (x->start != y->start)
        return (x->start > y->start) - (x->start < y->start);
    return (x->end > y->end) - (x->end < y->end);
}

/* Sort and merge overlapping or touching ranges, in place. */
static size_t ranges_normalise(pg_range *r, size_t n)
{
    if (n == 0)
        return 0;
    qsort(r, n, sizeof *r, by_start);
    size_t w = 0;
    for (size_t i = 1; i < n; i++) {
        if (r[i].start <= r[w].end) {
            if (r[i].end > r[w].end)
                r[w].end = r[i].end;
        } else {
            r[++w] = r[i];
        }
    }
    return w + 1;
}

static void inclusion(CXFile f, CXSourceLocation *stack, unsigned depth,
                      CXClientData data)
{
    tu_ctx *t = data;
    (void)stack;
    (void)depth;
    const char *rel = file_rel(t, f);
    if (rel == NULL)
        return;
    tu_result *res = t->res;
    for (size_t i = 0; i < res->nfiles; i++) {
        const char *a = under_root(res->files[i].abspath, t->run->root);
        if (a && strcmp(a, rel) == 0)
            return; /* included twice */
    }
    size_t rl = strlen(t->run->root), pl = strlen(rel);
    file_rec fr = {pg_xrealloc(NULL, rl + pl + 2), NULL, 0, 0};
    memcpy(fr.abspath, t->run->root, rl);
    fr.abspath[rl] = '/';
    memcpy(fr.abspath + rl + 1, rel, pl + 1);

    CXSourceRangeList *sk = clang_getSkippedRanges(t->tu, f);
    if (sk != NULL && sk->count > 0) {
        fr.r = pg_xrealloc(NULL, sk->count * sizeof *fr.r);
        for (unsigned i = 0; i < sk->count; i++) {
            CXFile f1, f2;
            unsigned l, c, o1, o2;
            file_loc(clang_getRangeStart(sk->ranges[i]), &f1, &l, &c, &o1);
            file_loc(clang_getRangeEnd(sk->ranges[i]), &f2, &l, &c, &o2);
            if (f1 == f && f2 == f && o2 > o1)
                fr.r[fr.n++] = (pg_range){o1, o2};
        }
        fr.n = ranges_normalise(fr.r, fr.n);
    }
    clang_disposeSourceRangeList(sk);
    size_t cap = res->nfiles; /* grow by one: few files per TU */
    res->files = pg_xrealloc(res->files, (cap + 1) * sizeof *res->files);
    res->files[res->nfiles++] = fr;
}

/* ---- the result cache -------------------------------------------------
 *
 * One entry per database entry, keyed by the salt (procguard's version,
 * libclang's identity, the resource directory, the repository root) and
 * the cleaned command (file, directory, arguments). The entry holds every
 * file the translation unit read (clang_getInclusions: the main file,
 * repository and system headers) with the SHA-256 of its content, then the
 * tu_result. It is used only when every one of those files still has that
 * content, so the effective key is the command plus the content of
 * everything read; a failed translation unit is never stored.
 */

static void cmd_key(const run_ctx *run, const pg_cc *cc, unsigned char key[32])
{
    pg_sha256 s;
    pg_sha256_init(&s);
    pg_sha256_update(&s, run->salt, sizeof run->salt);
    pg_sha256_str(&s, cc->file);
    pg_sha256_str(&s, cc->directory);
    for (size_t i = 0; i < cc->nargs; i++)
        pg_sha256_str(&s, cc->args[i]);
    pg_sha256_str(&s, NULL); /* end of the arguments */
    pg_sha256_final(&s, key);
}

typedef struct deps_ctx {
    run_ctx *run;
    const pg_cc *cc;
    pg_wbuf w;
    size_t n;
    int bad; /* a file that cannot be read back: nothing is stored */
} deps_ctx;

/* The absolute path libclang read `f` from. */
static char *read_path(const pg_cc *cc, CXFile f)
{
    char *p = str_take(clang_File_tryGetRealPathName(f));
    if (p[0] == '\0') {
        free(p);
        p = str_take(clang_getFileName(f));
    }
    if (p[0] != '/') {
        char *j = pg_xrealloc(NULL, strlen(cc->directory) + strlen(p) + 2);
        sprintf(j, "%s/%s", cc->directory, p);
        free(p);
        p = j;
    }
    return p;
}

static void dep_visit(CXFile f, CXSourceLocation *stack, unsigned depth,
                      CXClientData data)
{
    deps_ctx *d = data;
    (void)stack;
    (void)depth;
    char *path = read_path(d->cc, f);
    unsigned char sum[32];
    char hex[65];
    int young = 0;
    /* unreadable, or changed while this run parsed it: not stored */
    if (pg_cache_file_sum(d->run->cache, path, sum, &young) != 0 || young)
        d->bad = 1;
    pg_sha256_hex(sum, hex);
    pg_w_str(&d->w, path);
    pg_w_str(&d->w, hex);
    d->n++;
    free(path);
}

static void encode_result(pg_wbuf *w, const tu_result *res)
{
    pg_w_sites(w, &res->sites);
    pg_w_u64(w, res->nfiles);
    for (size_t i = 0; i < res->nfiles; i++) {
        pg_w_str(w, res->files[i].abspath);
        pg_w_u64(w, res->files[i].n);
        for (size_t j = 0; j < res->files[i].n; j++) {
            pg_w_u64(w, res->files[i].r[j].start);
            pg_w_u64(w, res->files[i].r[j].end);
        }
    }
    pg_w_u64(w, res->ndeg);
    for (size_t i = 0; i < res->ndeg; i++) {
        pg_w_str(w, res->deg[i].path);
        pg_w_u64(w, res->deg[i].line);
        pg_w_u64(w, res->deg[i].col);
        pg_w_str(w, res->deg[i].msg);
    }
}

static void cache_store(run_ctx *run, const pg_cc *cc, CXTranslationUnit tu,
                        const tu_result *res)
{
    deps_ctx d = {run, cc, {NULL, 0, 0}, 0, 0};
    clang_getInclusions(tu, dep_visit, &d);
    if (!d.bad) {
        pg_wbuf w = {NULL, 0, 0};
        pg_w_u64(&w, d.n);
        pg_wbuf_append(&w, d.w.p, d.w.n);
        encode_result(&w, res);
        unsigned char key[32];
        cmd_key(run, cc, key);
        pg_cache_put(run->cache, key, w.p, w.n);
        free(w.p);
    }
    free(d.w.p);
}

/* 1 if every file the entry lists still has the content it had. */
static int deps_fresh(run_ctx *run, pg_rbuf *r)
{
    uint64_t n = pg_r_u64(r);
    int fresh = !r->bad;
    for (uint64_t i = 0; i < n && !r->bad && fresh; i++) {
        char *path = pg_r_str(r), *hex = pg_r_str(r);
        unsigned char sum[32];
        char now[65];
        fresh = path != NULL && hex != NULL &&
                pg_cache_file_sum(run->cache, path, sum, NULL) == 0;
        if (fresh) {
            pg_sha256_hex(sum, now);
            fresh = strcmp(now, hex) == 0;
        }
        free(path);
        free(hex);
    }
    return fresh && !r->bad;
}

static void result_clear(tu_result *res)
{
    pg_sites_free(&res->sites);
    for (size_t i = 0; i < res->nfiles; i++) {
        free(res->files[i].abspath);
        free(res->files[i].r);
    }
    free(res->files);
    for (size_t i = 0; i < res->ndeg; i++) {
        free(res->deg[i].path);
        free(res->deg[i].msg);
    }
    free(res->deg);
    memset(res, 0, sizeof *res);
}

static int decode_result(pg_rbuf *r, tu_result *res, size_t k)
{
    if (pg_r_sites(r, &res->sites) != 0)
        return -1;
    uint64_t nf = pg_r_u64(r);
    for (uint64_t i = 0; i < nf && !r->bad; i++) {
        file_rec fr = {pg_r_str(r), NULL, 0, k};
        uint64_t nr = pg_r_u64(r);
        if (fr.abspath == NULL || nr > (r->n - r->at) / 16) {
            free(fr.abspath);
            r->bad = 1;
            break;
        }
        fr.r = pg_xrealloc(NULL, (nr ? nr : 1) * sizeof *fr.r);
        for (; fr.n < nr; fr.n++) {
            fr.r[fr.n].start = (size_t)pg_r_u64(r);
            fr.r[fr.n].end = (size_t)pg_r_u64(r);
        }
        res->files = pg_xrealloc(res->files, (res->nfiles + 1) * sizeof fr);
        res->files[res->nfiles++] = fr;
    }
    uint64_t nd = pg_r_u64(r);
    for (uint64_t i = 0; i < nd && !r->bad; i++) {
        pg_degraded dg;
        dg.tu = 0;
        dg.path = pg_r_str(r);
        dg.line = (unsigned)pg_r_u64(r);
        dg.col = (unsigned)pg_r_u64(r);
        dg.msg = pg_r_str(r);
        res->deg = pg_xrealloc(res->deg, (res->ndeg + 1) * sizeof dg);
        res->deg[res->ndeg++] = dg;
        if (dg.path == NULL || dg.msg == NULL)
            r->bad = 1;
    }
    return r->bad || r->at != r->n ? -1 : 0;
}

/* 1: the entry's result is in run->results[k], no parse needed. */
static int cache_load(run_ctx *run, size_t k)
{
    const pg_cc *cc = &run->db->v[run->todo[k]];
    unsigned char key[32];
    cmd_key(run, cc, key);
    char *data;
    size_t len;
    if (!pg_cache_get(run->cache, key, &data, &len))
        return 0;
    pg_rbuf r = {data, len, 0, 0};
    int ok = deps_fresh(run, &r) && decode_result(&r, &run->results[k], k) == 0;
    if (!ok)
        result_clear(&run->results[k]);
    free(data);
    return ok;
}

/* ---- one translation unit --------------------------------------------- */

/* "name: what: detail" */
static void tu_fail(tu_result *res, const char *name, const char *what,
                    const char *detail)
{
    res->failed = 1;
    snprintf(res->msg, sizeof res->msg, "%s: %s: %s", name, what, detail);
}

/* "path:line:col: fatal error: text" for a diagnostic, path relative to the
   repository when it is inside it. */
static void diag_fail(tu_ctx *t, CXDiagnostic d)
{
    CXFile f;
    unsigned line, col, off;
    file_loc(clang_getDiagnosticLocation(d), &f, &line, &col, &off);
    char *text = str_take(clang_getDiagnosticSpelling(d));
    const char *rel = file_rel(t, f);
    char *name =
        rel ? pg_strdup(rel) : (f ? str_take(clang_getFileName(f)) : NULL);
    t->res->failed = 1;
    if (rel != NULL) {
        t->res->fail_path = pg_strdup(rel);
        t->res->fail_line = line;
        t->res->fail_col = col;
    }
    if (name)
        snprintf(t->res->msg, sizeof t->res->msg, "%s:%u:%u: fatal error: %s",
                 name, line, col, text);
    else
        snprintf(t->res->msg, sizeof t->res->msg, "%s: fatal error: %s",
                 t->cc->file, text);
    free(name);
    free(text);
}

/* An error in a repository file: remember the first one per file. */
static void note_degraded(tu_ctx *t, CXDiagnostic d)
{
    CXFile f;
    unsigned line, col, off;
    file_loc(clang_getDiagnosticLocation(d), &f, &line, &col, &off);
    const char *rel = file_rel(t, f);
    if (rel == NULL)
        return;
    tu_result *res = t->res;
    for (size_t i = 0; i < res->ndeg; i++)
        if (strcmp(res->deg[i].path, rel) == 0)
            return;
    res->deg = pg_xrealloc(res->deg, (res->ndeg + 1) * sizeof *res->deg);
    res->deg[res->ndeg++] = (pg_degraded){
        pg_strdup(rel), line, col, str_take(clang_getDiagnosticSpelling(d)), 0};
}

static void check_errors(tu_ctx *t)
{
    unsigned nd = clang_getNumDiagnostics(t->tu);
    CXFile mf = NULL;
    unsigned mline = 0, col, off;
    if (t->has_missing)
        file_loc(clang_getCursorLocation(t->missing), &mf, &mline, &col, &off);
    for (unsigned i = 0; i < nd && !t->res->failed; i++) {
        CXDiagnostic d = clang_getDiagnostic(t->tu, i);
        enum CXDiagnosticSeverity sev = clang_getDiagnosticSeverity(d);
        if (sev == CXDiagnostic_Error)
            note_degraded(t, d);
        if (sev == CXDiagnostic_Fatal) {
            diag_fail(t, d);
        } else if (t->has_missing && sev == CXDiagnostic_Error) {
            CXFile f;
            unsigned line;
            file_loc(clang_getDiagnosticLocation(d), &f, &line, &col, &off);
            if (f == mf && line == mline)
                diag_fail(t, d); /* the "file not found" of that include */
        }
        clang_disposeDiagnostic(d);
    }
    if (t->has_missing && !t->res->failed) {
        char *inc = str_take(clang_getCursorSpelling(t->missing));
        char *where = str_take(clang_getFileName(mf));
        const char *rel = file_rel(t, mf);
        char buf[64];
        snprintf(buf, sizeof buf, ":%u", mline);
        t->res->failed = 1;
        snprintf(t->res->msg, sizeof t->res->msg,
                 "%s%s: fatal error: '%s' file not found", rel ? rel : where,
                 buf, inc);
        if (rel != NULL) {
            t->res->fail_path = pg_strdup(rel);
            t->res->fail_line = mline;
            t->res->fail_col = 1;
        }
        free(inc);
        free(where);
    }
}

static const char *cx_error_name(enum CXErrorCode e)
{
    switch (e) {
    case CXError_Crashed: return "libclang crashed";
    case CXError_InvalidArguments: return "invalid arguments";
    case CXError_ASTReadError: return "AST read error";
    default: return "failure";
    }
}

static void parse_one(run_ctx *run, CXIndex idx, size_t k)
{
    const pg_cc *cc = &run->db->v[run->todo[k]];
    tu_result *res = &run->results[k];
    pthread_mutex_lock(&run->mu);
    run->nparsed++;
    pthread_mutex_unlock(&run->mu);
    size_t n = cc->nargs + 4;
    const char **argv = pg_xrealloc(NULL, n * sizeof *argv);
    for (size_t i = 0; i < cc->nargs; i++)
        argv[i] = cc->args[i];
    argv[cc->nargs] = "-resource-dir";
    argv[cc->nargs + 1] = run->resource_dir;
    /* What the cleaner could not resolve (a relative -include inside a
       response file, say) is taken from the entry's directory too. */
    argv[cc->nargs + 2] = "-working-directory";
    argv[cc->nargs + 3] = cc->directory;

    CXTranslationUnit tu = NULL;
    enum CXErrorCode rc = clang_parseTranslationUnit2(
        idx, cc->file, argv, (int)n, NULL, 0,
        CXTranslationUnit_KeepGoing |
            CXTranslationUnit_DetailedPreprocessingRecord,
        &tu);
    free(argv);
    if (rc != CXError_Success || tu == NULL) {
        struct stat st;
        const char *name = under_root(cc->file, run->root);
        if (name != NULL) {
            res->fail_path = pg_strdup(name);
            res->fail_line = 1;
            res->fail_col = 1;
        }
        /* libclang says only "failure" for a file it cannot read. (compdb.c
           refuses an entry without a file, so cc->file is never NULL.) */
        // NOLINTNEXTLINE(clang-analyzer-core.NonNullParamChecker)
        if (stat(cc->file, &st) != 0)
            tu_fail(res, name ? name : cc->file,
                    "cannot read the translation unit", strerror(errno));
        else
            tu_fail(res, name ? name : cc->file, "libclang could not parse it",
                    cx_error_name(rc));
        return;
    }

    tu_ctx t = {0};
    t.run = run;
    t.cc = cc;
    t.tu = tu;
    t.res = res;
    clang_visitChildren(clang_getTranslationUnitCursor(tu), visit, &t);
    check_errors(&t);
    if (!res->failed) {
        for (size_t i = 0; i < t.nlits; i++)
            take_literal(&t, t.lits[i]);
        clang_getInclusions(tu, inclusion, &t);
        for (size_t i = 0; i < res->nfiles; i++)
            res->files[i].tu = k;
        if (run->cache != NULL)
            cache_store(run, cc, tu, res);
    }
    for (size_t i = 0; i < t.nfiles; i++)
        free(t.files[i].rel);
    free(t.files);
    free(t.exps);
    free(t.defs);
    free(t.lits);
    clang_disposeTranslationUnit(tu);
}

/* ---- threads ---------------------------------------------------------- */

/* libclang, opened by the first thread that needs it. 0, or -1 (the
   reason in run->load_err). */
static int need_libclang(run_ctx *run)
{
    pthread_mutex_lock(&run->mu);
    if (run->loaded == 0) {
        run->loaded = pg_libclang_load(&run->load_err) == 0 ? 1 : -1;
        if (run->loaded == 1)
            clang_toggleCrashRecovery(1);
    }
    int ok = run->loaded == 1;
    pthread_mutex_unlock(&run->mu);
    return ok ? 0 : -1;
}

/* Translation unit k from the cache, else parsed (opening libclang and
   this thread's index on first use). */
static void one_tu(run_ctx *run, CXIndex *idx, size_t k)
{
    if (run->cache != NULL) {
        int hit = cache_load(run, k);
        pg_cache_count(run->cache, hit);
        if (hit)
            return;
    }
    if (*idx == NULL) {
        if (need_libclang(run) != 0) {
            run->results[k].failed = 1;
            snprintf(run->results[k].msg, sizeof run->results[k].msg, "%s",
                     run->load_err.msg);
            return;
        }
        /* One index per thread: a CXIndex is not safe to share. */
        *idx = clang_createIndex(0, 0);
    }
    parse_one(run, *idx, k);
}

static void *worker(void *arg)
{
    run_ctx *run = arg;
    CXIndex idx = NULL;
    for (;;) {
        pthread_mutex_lock(&run->mu);
        /* Past a failure only earlier entries matter: the error reported
           is the first in database order, whatever the thread timing. */
        size_t k = run->next;
        int stop = k >= run->ntodo || k > run->first_err;
        if (!stop)
            run->next++;
        pthread_mutex_unlock(&run->mu);
        if (stop)
            break;
        one_tu(run, &idx, k);
        if (run->results[k].failed) {
            pthread_mutex_lock(&run->mu);
            if (k < run->first_err)
                run->first_err = k;
            pthread_mutex_unlock(&run->mu);
        }
    }
    if (idx != NULL)
        clang_disposeIndex(idx);
    return NULL;
}

/* ---- merge ------------------------------------------------------------ */

static int cmp_opt(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return (a != NULL) - (b != NULL);
    return strcmp(a, b);
}

static int site_order(const void *a, const void *b)
{
    const pg_site *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c == 0)
        c = (x->offset > y->offset) - (x->offset < y->offset);
    if (c == 0)
        c = strcmp(x->value, y->value);
    if (c == 0)
        c = cmp_opt(x->macro, y->macro);
    if (c == 0)
        c = cmp_opt(x->def_path, y->def_path);
    if (c == 0)
        c = (x->def_line > y->def_line) - (x->def_line < y->def_line);
    return c;
}

/* pg_sites_dedupe's contract (one site per (path, offset)), but with a
   total order first so the survivor does not depend on thread timing. */
void pg_clang_sites_dedupe(pg_sites *l)
{
    if (l->n == 0)
        return;
    qsort(l->v, l->n, sizeof *l->v, site_order);
    size_t w = 1;
    for (size_t r = 1; r < l->n; r++) {
        pg_site *p = &l->v[w - 1], *s = &l->v[r];
        if (strcmp(p->path, s->path) == 0 && p->offset == s->offset) {
            free(s->path);
            free(s->value);
            free(s->macro);
            free(s->def_path);
            continue;
        }
        l->v[w++] = *s;
    }
    l->n = w;
}

static int file_order(const void *a, const void *b)
{
    const file_rec *x = a, *y = b;
    int c = strcmp(x->abspath, y->abspath);
    if (c == 0)
        c = (x->tu > y->tu) - (x->tu < y->tu);
    return c;
}

/* a ∩ b into a fresh array; both sorted and non-overlapping. */
size_t pg_ranges_intersect(const pg_range *a, size_t na, const pg_range *b,
                           size_t nb, pg_range **out)
{
    pg_range *r = pg_xrealloc(NULL, (na + nb) * sizeof *r);
    size_t n = 0, i = 0, j = 0;
    while (i < na && j < nb) {
        size_t s = a[i].start > b[j].start ? a[i].start : b[j].start;
        size_t e = a[i].end < b[j].end ? a[i].end : b[j].end;
        if (s < e)
            r[n++] = (pg_range){s, e};
        if (a[i].end < b[j].end)
            i++;
        else
            j++;
    }
    *out = r;
    return n;
}

static void merge_files(run_ctx *run, pg_clang_out *out)
{
    size_t total = 0, n = 0;
    for (size_t k = 0; k < run->ntodo; k++)
        total += run->results[k].nfiles;
    file_rec *all = pg_xrealloc(NULL, total * sizeof *all);
    for (size_t k = 0; k < run->ntodo; k++) {
        tu_result *res = &run->results[k];
        for (size_t i = 0; i < res->nfiles; i++)
            all[n++] = res->files[i];
        free(res->files);
        res->files = NULL;
        res->nfiles = 0;
    }
    if (n > 0)
        qsort(all, n, sizeof *all, file_order);
    out->files = pg_xrealloc(NULL, n * sizeof *out->files);
    out->nfiles = 0;
    for (size_t i = 0; i < n;) {
        file_rec acc = all[i++];
        while (i < n && strcmp(all[i].abspath, acc.abspath) == 0) {
            pg_range *r;
            size_t rn =
                pg_ranges_intersect(acc.r, acc.n, all[i].r, all[i].n, &r);
            free(acc.r);
            acc.r = r;
            acc.n = rn;
            free(all[i].abspath);
            free(all[i].r);
            i++;
        }
        if (acc.n == 0) {
            free(acc.r);
            acc.r = NULL;
        }
        out->files[out->nfiles++] = (pg_seen_file){acc.abspath, acc.r, acc.n};
    }
    free(all);
}

/* The first error of each file, in translation-unit order. */
static void merge_degraded(run_ctx *run, pg_clang_out *out)
{
    for (size_t k = 0; k < run->ntodo; k++) {
        tu_result *res = &run->results[k];
        for (size_t i = 0; i < res->ndeg; i++) {
            pg_degraded *d = &res->deg[i];
            int seen = 0;
            for (size_t j = 0; j < out->ndegraded && !seen; j++)
                seen = strcmp(out->degraded[j].path, d->path) == 0;
            if (seen)
                continue;
            out->degraded = pg_xrealloc(
                out->degraded, (out->ndegraded + 1) * sizeof *out->degraded);
            d->tu = run->todo[k];
            out->degraded[out->ndegraded++] = *d;
            d->path = d->msg = NULL; /* moved */
        }
    }
}

/* ---- entry point ------------------------------------------------------ */

static int has_builtin_headers(const char *dir)
{
    static const char tail[] = "/include/stddef.h";
    struct stat st;
    if (dir == NULL || dir[0] == '\0')
        return 0;
    size_t n = strlen(dir);
    char *p = pg_xrealloc(NULL, n + sizeof tail);
    memcpy(p, dir, n);
    memcpy(p + n, tail, sizeof tail);
    int ok = stat(p, &st) == 0;
    free(p);
    return ok;
}

/* The build's choice, else what the clang on PATH says. */
static char *default_resource_dir(void)
{
    if (has_builtin_headers(PG_CLANG_RESOURCE_DIR))
        return pg_strdup(PG_CLANG_RESOURCE_DIR);
    char *argv[] = {"clang", "-print-resource-dir", NULL};
    char *out = NULL;
    size_t n = 0;
    if (pg_run_capture(argv, &out, &n) != 0) {
        free(out);
        return NULL;
    }
    out[strcspn(out, "\r\n")] = '\0';
    if (has_builtin_headers(out))
        return out;
    free(out);
    return NULL;
}

static void run_free(run_ctx *run)
{
    for (size_t k = 0; k < run->ntodo; k++) {
        tu_result *res = &run->results[k];
        pg_sites_free(&res->sites);
        for (size_t i = 0; i < res->nfiles; i++) {
            free(res->files[i].abspath);
            free(res->files[i].r);
        }
        free(res->files);
        for (size_t i = 0; i < res->ndeg; i++) {
            free(res->deg[i].path);
            free(res->deg[i].msg);
        }
        free(res->deg);
        free(res->fail_path);
    }
    free(run->results);
    free(run->todo);
    free(run->root);
    free(run->root_real);
}

static int run_threads(run_ctx *run, int jobs, pg_error *err)
{
    size_t nt = jobs < 1 ? 1 : (size_t)jobs;
    if (nt > run->ntodo)
        nt = run->ntodo;
    if (nt <= 1) {
        worker(run);
        return 0;
    }
    pthread_t *th = pg_xrealloc(NULL, nt * sizeof *th);
    size_t started = 0;
    for (; started < nt; started++) {
        int rc = pthread_create(&th[started], NULL, worker, run);
        if (rc != 0) {
            if (started == 0) {
                free(th);
                snprintf(err->msg, sizeof err->msg,
                         "cannot start a worker thread: %s", strerror(rc));
                return -1;
            }
            break; /* fewer threads still finish the queue */
        }
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    return 0;
}

int pg_clang_run(const pg_compdb *db, const char *repo_root,
                 const char *resource_dir,
                 int (*want)(const char *abspath, void *ctx), void *ctx,
                 int jobs, pg_clang_out *out, pg_error *err)
{
    if (pg_libclang_load(err) != 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return pg_clang_run_cached(db, repo_root, resource_dir, want, ctx, jobs,
                               NULL, NULL, out, err);
}

static void make_salt(run_ctx *run, const char *version)
{
    char lib[PATH_MAX + 128];
    pg_libclang_identity(lib, sizeof lib);
    pg_sha256 s;
    pg_sha256_init(&s);
    pg_sha256_str(&s, "procguard clang_pass v1");
    pg_sha256_str(&s, version);
    pg_sha256_str(&s, lib);
    pg_sha256_str(&s, run->resource_dir);
    pg_sha256_str(&s, run->root);
    pg_sha256_final(&s, run->salt);
}

int pg_clang_run_cached(const pg_compdb *db, const char *repo_root,
                        const char *resource_dir,
                        int (*want)(const char *abspath, void *ctx), void *ctx,
                        int jobs, pg_cache *cache, const char *version,
                        pg_clang_out *out, pg_error *err)
{
    memset(out, 0, sizeof *out);
    run_ctx run = {0};
    char *rd = resource_dir ? pg_strdup(resource_dir) : default_resource_dir();
    if (rd == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "cannot find clang's builtin headers (resource directory): "
                 "install clang, or pass its `clang -print-resource-dir`");
        return -1;
    }
    run.db = db;
    run.resource_dir = rd;
    run.root = pg_strdup(repo_root);
    size_t rl = strlen(run.root);
    while (rl > 1 && run.root[rl - 1] == '/')
        run.root[--rl] = '\0';
    char buf[PATH_MAX];
    if (realpath(run.root, buf) != NULL && strcmp(buf, run.root) != 0)
        run.root_real = pg_strdup(buf);
    run.todo = pg_xrealloc(NULL, (db->n ? db->n : 1) * sizeof *run.todo);
    for (size_t i = 0; i < db->n; i++)
        if (want == NULL || want(db->v[i].file, ctx))
            run.todo[run.ntodo++] = i;
    run.results =
        pg_xrealloc(NULL, (run.ntodo ? run.ntodo : 1) * sizeof *run.results);
    memset(run.results, 0, (run.ntodo ? run.ntodo : 1) * sizeof *run.results);
    run.first_err = run.ntodo;
    run.cache = cache;
    make_salt(&run, version);
    pthread_mutex_init(&run.mu, NULL);

    int rc = run_threads(&run, jobs, err);
    if (rc == 0 && run.first_err < run.ntodo) {
        snprintf(err->msg, sizeof err->msg, "%s",
                 run.results[run.first_err].msg);
        rc = -1;
    }
    if (rc == 0) {
        for (size_t k = 0; k < run.ntodo; k++) {
            pg_sites *s = &run.results[k].sites;
            for (size_t i = 0; i < s->n; i++)
                pg_sites_add(&out->sites, &s->v[i]);
        }
        pg_clang_sites_dedupe(&out->sites);
        merge_files(&run, out);
        merge_degraded(&run, out);
        out->ntus = run.ntodo;
        out->nparsed = run.nparsed;
    } else if (run.first_err < run.ntodo) {
        tu_result *res = &run.results[run.first_err];
        out->fail_path = res->fail_path;
        out->fail_line = res->fail_line;
        out->fail_col = res->fail_col;
        out->fail_tu = run.todo[run.first_err];
        res->fail_path = NULL;
    }
    pthread_mutex_destroy(&run.mu);
    run_free(&run);
    free(rd);
    return rc;
}

void pg_clang_out_free(pg_clang_out *out)
{
    pg_sites_free(&out->sites);
    for (size_t i = 0; i < out->nfiles; i++) {
        free(out->files[i].abspath);
        free(out->files[i].skipped);
    }
    free(out->files);
    out->files = NULL;
    out->nfiles = 0;
    for (size_t i = 0; i < out->ndegraded; i++) {
        free(out->degraded[i].path);
        free(out->degraded[i].msg);
    }
    free(out->degraded);
    out->degraded = NULL;
    out->ndegraded = 0;
    free(out->fail_path);
    out->fail_path = NULL;
}
