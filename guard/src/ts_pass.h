/*
 * ts_pass.h - the tree-sitter pass: every literal spelled in a checked C,
 * C++ or Python file (every #if branch, #define bodies), in both modes.
 */
#ifndef PG_TS_PASS_H
#define PG_TS_PASS_H

#include "pg.h"

/*
 * Scan `text` (len bytes, the contents of repository-relative `path`, in
 * language `lang`) for /proc string literals and append them to *out with
 * pass = "tree-sitter".
 *
 * ranges == NULL: the whole file (what procguard does in both modes).
 * Otherwise only literals that start inside one of the nranges byte ranges
 * are reported.
 *
 * C and C++ (one walker; per-language node kinds in ts_lang_*.c): string
 * literals, C++ raw strings, user-defined literals through their string,
 * and adjacent-literal concatenations ("/pr" "oc/x"),
 * literals inside #define values (tree-sitter-c keeps a macro's value as
 * opaque preproc_arg text: the literals are read out of that text), and
 * object-like macros defined in the same file whose value is a string,
 * expanded where they are concatenated with literals (ROOT "/%d/stat"); such
 * a site names the macro and its definition line.
 * Python: str, bytes and f-strings (the literal prefix up to the first
 * replacement field), implicit concatenation; Path("/proc") and
 * os.path.join("/proc", ...) are findings through their literal.
 *
 * Returns 0, or -1 with *err filled (the file cannot be parsed at all).
 * Thread-safe: each call uses its own parser.
 */
int pg_ts_scan(const char *path, const char *text, size_t len, pg_lang lang,
               const pg_range *ranges, size_t nranges, pg_sites *out,
               pg_error *err);

#endif
