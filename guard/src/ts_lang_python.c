/*
 * ts_lang_python.c - Python for the tree-sitter pass (tree-sitter-python):
 * str, bytes and f-strings, whose replacement fields are code.
 */
#include "ts_lang.h"

const TSLanguage *tree_sitter_python(void);

const pg_ts_lang pg_ts_lang_python = {
    .lang = PG_LANG_PYTHON,
    .name = "Python",
    .grammar = tree_sitter_python,
    .c_family = 0,
    .string = "string",
    .raw = NULL,
    .concat = "concatenated_string",
    .define = NULL,
    .fdefine = NULL,
    .comment = "comment",
    .interp = "interpolation",
};
