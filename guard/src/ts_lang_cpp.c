/*
 * ts_lang_cpp.c - C++ for the tree-sitter pass (tree-sitter-cpp): C's
 * literals plus raw strings R"d(...)d". A user-defined literal
 * ("/proc"sv) is a node holding a string_literal, which the walker reaches
 * by descending; its suffix is not part of the value.
 */
#include "ts_lang.h"

const TSLanguage *tree_sitter_cpp(void);

const pg_ts_lang pg_ts_lang_cpp = {
    .lang = PG_LANG_CPP,
    .name = "C++",
    .grammar = tree_sitter_cpp,
    .c_family = 1,
    .string = "string_literal",
    .raw = "raw_string_literal",
    .concat = "concatenated_string",
    .define = "preproc_def",
    .fdefine = "preproc_function_def",
    .comment = "comment",
    .interp = NULL,
};
