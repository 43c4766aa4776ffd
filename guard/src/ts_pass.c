/* ts_pass.c - the tree-sitter pass (skeleton: the scan lands next). */
#include <stdio.h>

#include <tree_sitter/api.h>

#include "ts_pass.h"

const TSLanguage *tree_sitter_c(void);
const TSLanguage *tree_sitter_python(void);

int pg_ts_scan(const char *path, const char *text, size_t len, pg_lang lang,
               const pg_range *ranges, size_t nranges, pg_sites *out,
               pg_error *err)
{
    (void)text, (void)len, (void)ranges, (void)nranges, (void)out;
    const TSLanguage *language = lang == PG_LANG_C        ? tree_sitter_c()
                                 : lang == PG_LANG_PYTHON ? tree_sitter_python()
                                                          : NULL;
    TSParser *parser = ts_parser_new();
    if (language == NULL || parser == NULL ||
        !ts_parser_set_language(parser, language)) {
        snprintf(err->msg, sizeof err->msg,
                 "%s: cannot set up the tree-sitter parser", path);
        if (parser)
            ts_parser_delete(parser);
        return -1;
    }
    ts_parser_delete(parser);
    return 0;
}
