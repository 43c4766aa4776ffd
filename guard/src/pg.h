/*
 * pg.h - the plain structs passed between procguard's stages.
 *
 * options -> sources -> clang_pass / ts_pass (sites) -> acks -> allowlist
 * -> report. Each stage takes and returns these structs; no globals, and
 * nothing but report.c and main.c prints.
 */
#ifndef PG_H
#define PG_H

#include <stddef.h>

typedef enum pg_lang {
    PG_LANG_OTHER = 0,
    PG_LANG_C,
    PG_LANG_PYTHON,
    PG_LANG_CPP
} pg_lang;

/* Extra file extensions and the language each is read as (configuration:
   `extensions = .inc=c`). */
typedef struct pg_ext {
    char *ext; /* with its dot */
    pg_lang lang;
} pg_ext;

typedef struct pg_extmap {
    pg_ext *v;
    size_t n;
} pg_extmap;

/* A tool error (exit 2): what failed, naming the file and the cause. */
typedef struct pg_error {
    char msg[1024];
} pg_error;

/* A half-open byte range [start, end) of a file. */
typedef struct pg_range {
    size_t start, end;
} pg_range;

/* One raw /proc access: a string literal whose value is /proc or /proc/... */
typedef struct pg_site {
    char *path;     /* repository-relative, '/'-separated */
    unsigned line;  /* 1-based */
    unsigned col;   /* 1-based, in bytes */
    size_t offset;  /* byte offset of the site in the file */
    char *value;    /* the literal's value, after concatenation */
    char *macro;    /* the macro the literal came through, or NULL */
    char *def_path; /* where that macro's literal is defined (an ack there
                       covers every expansion), or NULL */
    unsigned def_line;
    char *defines;    /* the literal is spelled in the #define of this
                         macro, or NULL: a file that names it may hold an
                         expansion site only libclang can see */
    const char *pass; /* "clang" or "tree-sitter" (static string) */
} pg_site;

typedef struct pg_sites {
    pg_site *v;
    size_t n, cap;
} pg_sites;

/* Append a copy of *s (strings duplicated). 0, or -1 out of memory. */
int pg_sites_add(pg_sites *list, const pg_site *s);
void pg_sites_free(pg_sites *list);

/*
 * Sort by (path, offset) and drop repeats of the same (path, offset): a
 * header site reached from several translation units, a file checked under
 * several database entries, or a literal both passes saw, counts once. Of
 * repeats the strictest is kept: one that names no macro (its own line must
 * be acked) over one reached through a macro (acked at the definition);
 * then the libclang one, which knows the expanded value.
 */
void pg_sites_dedupe(pg_sites *list);

/*
 * The rule (rules.c): 1 if a literal's value is "/proc" or starts with
 * "/proc/". "/processes" and messages that mention /proc mid-string are not.
 */
int pg_is_proc_literal(const char *value, size_t len);

/* The prefix itself, NUL-terminated, for scanners that look for it. */
const char *pg_proc_root(void);

/* 1 if the NUL-terminated `needle` occurs in hay[0..n). */
int pg_contains(const char *hay, size_t n, const char *needle);

/* Duplicate helpers that abort() on out-of-memory (tool code, not library). */
char *pg_strdup(const char *s);
char *pg_strndup(const char *s, size_t n);
void *pg_xrealloc(void *p, size_t n);

#endif
