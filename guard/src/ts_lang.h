/*
 * ts_lang.h - what the tree-sitter pass needs to know about one language:
 * its grammar and the names of the nodes the one literal walker (ts_pass.c)
 * looks at. One small file per language (ts_lang_c.c, ts_lang_cpp.c,
 * ts_lang_python.c); adding a language adds a file, not branches.
 */
#ifndef PG_TS_LANG_H
#define PG_TS_LANG_H

#include <tree_sitter/api.h>

#include "pg.h"

typedef struct pg_ts_lang {
    pg_lang lang;
    const char *name; /* for messages: "C", "C++", "Python" */
    const TSLanguage *(*grammar)(void);
    /* The C family: a preprocessor (#define values are opaque text the
       walker tokenizes), C escapes, L/u/U/u8 prefixes, adjacent literals. */
    int c_family;
    /* Node kinds; NULL where the grammar has none. */
    const char *string;  /* one literal (with its prefix) */
    const char *raw;     /* a raw literal, R"d(...)d" */
    const char *concat;  /* adjacent literals */
    const char *define;  /* #define NAME value */
    const char *fdefine; /* #define NAME(args) value */
    const char *comment;
    const char *interp; /* code inside a literal (Python f-string fields) */
} pg_ts_lang;

extern const pg_ts_lang pg_ts_lang_c, pg_ts_lang_cpp, pg_ts_lang_python;

#endif
