/* ts_lang_c.c - C for the tree-sitter pass (tree-sitter-c). */
#include "ts_lang.h"

const TSLanguage *tree_sitter_c(void);

const pg_ts_lang pg_ts_lang_c = {
    .lang = PG_LANG_C,
    .name = "C",
    .grammar = tree_sitter_c,
    .c_family = 1,
    .string = "string_literal",
    .raw = NULL,
    .concat = "concatenated_string",
    .define = "preproc_def",
    .fdefine = "preproc_function_def",
    .comment = "comment",
    .interp = NULL,
};
