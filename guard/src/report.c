/*
 * report.c - findings out: GCC-style text (editors jump to path:line:col),
 * JSON with stable field names, and SARIF 2.1.0 for code scanning.
 *
 *   1. the rules
 *   2. the findings list
 *   3. JSON string and URI writers (output must stay valid whatever bytes
 *      a source line holds)
 *   4. text, 5. json, 6. sarif
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pg.h"
#include "report.h"

/* ---- 1. the rules ------------------------------------------------------ */

static const pg_rule_info rules[PG_RULE_COUNT] = {
    {"proc-unacked", "raw /proc access without a portability acknowledgement",
     "A string literal whose value is /proc or starts with /proc/ (after macro "
     "expansion and concatenation, format strings included) has no comment "
     "'portability: <reason>' on its line, alone on the line above, or at the "
     "definition of the macro it came through.",
     "Move the access into a platform file, or acknowledge it with a comment "
     "'portability: <why>' on the same line or alone on the line above, and "
     "list the file in the allowlist.",
     0},
    {"proc-not-allowlisted",
     "acknowledged raw /proc access in a file that is "
     "not on the allowlist",
     "The /proc access is acknowledged, but its file (for a literal reached "
     "through a macro: the file where the macro is expanded) matches no entry "
     "of the allowlist.",
     "Add '<path> <reason>' to the allowlist (allowlist/proc.allow), or move "
     "the access into a file that is already listed.",
     0},
    {"ack-no-reason", "portability acknowledgement without a reason",
     "A comment says 'portability:' but gives no reason after the colon; an "
     "acknowledgement without a reason acknowledges nothing.",
     "Write why this /proc access is needed after 'portability:'.", 0},
    {"ack-unused", "portability acknowledgement that covers no /proc access",
     "A 'portability:' comment is neither on the line of a raw /proc access, "
     "nor alone on the line above one, nor at the definition of a macro that "
     "reaches one. Stale acknowledgements hide future accesses.",
     "Remove the comment, or move it next to the access it is meant for.", 0},
    {"allowlist-stale",
     "allowlist entry that matches no file with a /proc "
     "access",
     "An allowlist entry matches no file that contains a raw /proc access, so "
     "the list no longer shrinks with the code. Checked on whole-repository "
     "runs only.",
     "Remove the entry from the allowlist.", 0},
    {"allowlist-syntax", "malformed allowlist or ignore-file line",
     "A line of the allowlist or the ignore file is not '<path-or-glob> "
     "<reason>', a comment or blank: the reason is missing, the glob is "
     "malformed, or the entry is a duplicate.",
     "Fix the line: every entry is a repository-relative path or glob, "
     "whitespace, and the reason.",
     0},
    {"parse-error", "a file could not be checked",
     "libclang or tree-sitter could not parse a file procguard was asked to "
     "check (a fatal error, a crash, or an unreadable file), so the result "
     "would be incomplete.",
     "Fix the error reported, or the compile database entry for the file, and "
     "run procguard again.",
     0},
    {"baseline-stale", "baseline entry that matches no finding",
     "An entry of the baseline (--baseline) matches no finding of this run: "
     "the finding it recorded was fixed or its code removed. Checked on "
     "whole-repository runs only, so the baseline only shrinks.",
     "Delete the line from the baseline file, or write it again with "
     "--write-baseline.",
     0},
    {"parse-degraded",
     "libclang reported errors in a file: tree-sitter read it whole instead",
     "libclang's error recovery may drop the code around an error (a GNU "
     "nested function, an undeclared identifier, too deeply nested brackets), "
     "so every literal spelled in the file was also read by tree-sitter; "
     "expansions of other files' macros in the dropped code may be missed.",
     "Fix the error (or the compile database entry: flags, include paths) so "
     "libclang parses the file cleanly.",
     1},
    {"unsupported-language",
     "a compile database entry in a language procguard does not check",
     "Objective-C, CUDA and assembler translation units are not parsed; "
     "they are named so that nothing is skipped silently.",
     "Keep raw /proc access out of such files, or check them by other means.",
     1},
};

const pg_rule_info *pg_rule_get(pg_rule r)
{
    return r < PG_RULE_COUNT ? &rules[r] : NULL;
}

/* ---- 2. the findings list ---------------------------------------------- */

pg_finding *pg_findings_add(pg_findings *f, const pg_finding *src)
{
    if (f->n == f->cap) /* doubling: 20,000 findings are not 20,000 copies */
        f->v = pg_xrealloc(f->v,
                           (f->cap = f->cap ? f->cap * 2 : 64) * sizeof *f->v);
    pg_finding *d = &f->v[f->n++];
    *d = *src;
    d->path = pg_strdup(src->path);
    d->message = pg_strdup(src->message);
    d->srcline = pg_strdup(src->srcline);
    d->value = pg_strdup(src->value);
    d->macro = pg_strdup(src->macro);
    d->def_path = pg_strdup(src->def_path);
    d->ack_reason = pg_strdup(src->ack_reason);
    d->allow_entry = pg_strdup(src->allow_entry);
    d->fix_path = pg_strdup(src->fix_path);
    d->fix_text = pg_strdup(src->fix_text);
    d->allow_path = pg_strdup(src->allow_path);
    d->allow_text = pg_strdup(src->allow_text);
    return d;
}

static int by_location(const void *a, const void *b)
{
    const pg_finding *x = a, *y = b;
    if ((x->path == NULL) != (y->path == NULL))
        return x->path == NULL ? -1 : 1;
    int c = x->path ? strcmp(x->path, y->path) : 0;
    if (c != 0)
        return c;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->col != y->col)
        return x->col < y->col ? -1 : 1;
    return (int)x->rule - (int)y->rule;
}

void pg_findings_sort(pg_findings *f)
{
    if (f->n > 1)
        qsort(f->v, f->n, sizeof *f->v, by_location);
}

void pg_finding_clear(pg_finding *d)
{
    free(d->path);
    free(d->message);
    free(d->srcline);
    free(d->value);
    free(d->macro);
    free(d->def_path);
    free(d->ack_reason);
    free(d->allow_entry);
    free(d->fix_path);
    free(d->fix_text);
    free(d->allow_path);
    free(d->allow_text);
}

void pg_findings_free(pg_findings *f)
{
    for (size_t i = 0; i < f->n; i++)
        pg_finding_clear(&f->v[i]);
    free(f->v);
    f->v = NULL;
    f->n = f->cap = 0;
}

size_t pg_findings_count(const pg_findings *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += !f->v[i].passed && !f->v[i].baselined &&
             !rules[f->v[i].rule].warning;
    return n;
}

size_t pg_warnings_count(const pg_findings *f)
{
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++)
        n += !f->v[i].passed && !f->v[i].baselined &&
             rules[f->v[i].rule].warning;
    return n;
}

/* ---- 3. JSON strings and URIs ------------------------------------------ */

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    size_t l;
    uint32_t cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xe0) == 0xc0) {
        l = 2;
        cp = s[0] & 0x1f;
    } else if ((s[0] & 0xf0) == 0xe0) {
        l = 3;
        cp = s[0] & 0x0f;
    } else if ((s[0] & 0xf8) == 0xf0) {
        l = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    if (l > n)
        return 0;
    for (size_t i = 1; i < l; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min[l] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return l;
}

/* A JSON string; invalid UTF-8 becomes U+FFFD so the document stays valid. */
static void jstr(FILE *o, const char *s)
{
    if (s == NULL) {
        fputs("null", o);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    size_t n = strlen(s);
    fputc('"', o);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', o);
            fputc(c, o);
        } else if (c == '\n') {
            fputs("\\n", o);
        } else if (c == '\t') {
            fputs("\\t", o);
        } else if (c == '\r') {
            fputs("\\r", o);
        } else if (c < 0x20 || c == 0x7f) {
            fprintf(o, "\\u%04x", c);
        } else if (c >= 0x80) {
            size_t l = utf8_len(p + i, n - i);
            if (l == 0) {
                fputs("\\ufffd", o);
                i++;
                continue;
            }
            fwrite(p + i, 1, l, o);
            i += l;
            continue;
        } else {
            fputc(c, o);
        }
        i++;
    }
    fputc('"', o);
}

/* A relative URI reference for a path: unreserved characters and '/' kept,
   the rest percent-encoded (a space or '#' in a file name must not break
   the uri). */
static void juri(FILE *o, const char *prefix, const char *path, int dir)
{
    fputc('"', o);
    fputs(prefix, o);
    for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
        unsigned char c = *p;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
            (c >= '0' && c <= '9') || c == '/' || c == '-' || c == '.' ||
            c == '_' || c == '~')
            fputc(c, o);
        else
            fprintf(o, "%%%02X", c);
    }
    if (dir && (path[0] == '\0' || path[strlen(path) - 1] != '/'))
        fputc('/', o);
    fputc('"', o);
}

/* Byte column to code-point column within `line` (SARIF counts code points
   with columnKind unicodeCodePoints). */
static unsigned cp_col(const char *line, unsigned col)
{
    if (line == NULL || col == 0)
        return col;
    size_t n = strlen(line);
    unsigned cp = 1;
    for (size_t i = 0; i + 1 < col; i++) {
        if (i >= n) {
            cp += col - 1 - (unsigned)i;
            break;
        }
        if (((unsigned char)line[i] & 0xc0) != 0x80)
            cp++;
    }
    return cp;
}

static const char *level_of(const pg_finding *f)
{
    return rules[f->rule].warning ? "warning" : "error";
}

/* ---- 4. text ----------------------------------------------------------- */

static void caret(FILE *o, const pg_finding *f)
{
    if (f->srcline == NULL || f->col == 0)
        return;
    fprintf(o, "%5u | %s\n      | ", f->line, f->srcline);
    size_t n = strlen(f->srcline);
    for (unsigned i = 0; i + 1 < f->col && i < n; i++)
        fputc(f->srcline[i] == '\t' ? '\t' : ' ', o);
    fputc('^', o);
    for (unsigned c = f->col + 1; c < f->end_col && c <= n; c++)
        fputc('~', o);
    fputc('\n', o);
}

static void text_one(FILE *o, const pg_finding *f, const pg_run_info *info)
{
    const char *rid = rules[f->rule].id, *lv = level_of(f);
    if (f->path == NULL)
        fprintf(o, "procguard: %s: %s [%s]\n", lv, f->message, rid);
    else if (f->line == 0)
        fprintf(o, "%s: %s: %s [%s]\n", f->path, lv, f->message, rid);
    else
        fprintf(o, "%s:%u:%u: %s: %s [%s]\n", f->path, f->line, f->col, lv,
                f->message, rid);
    caret(o, f);
    if (f->def_path != NULL)
        fprintf(o, "%s:%u: note: macro %s defined here\n", f->def_path,
                f->def_line, f->macro ? f->macro : "");
    if (f->fix_text != NULL)
        fprintf(o,
                "%s:%u:%u: note: acknowledge it: insert '%s' (--fix --reason "
                "does it)\n",
                f->fix_path, f->fix_line, f->fix_col,
                f->fix_text + (f->fix_text[0] == ' ' ? 1 : 0));
    if (f->allow_text != NULL && f->rule == PG_RULE_PROC_UNACKED)
        fprintf(o,
                "%s:%u: note: and list the file in the allowlist: add '%s'\n",
                f->allow_path, f->allow_line, f->allow_text);
    else if (f->rule == PG_RULE_PROC_NOT_ALLOWLISTED)
        fprintf(o,
                "%s: note: add '%s <reason>' to %s, or move the access into "
                "a listed file\n",
                f->path, f->path,
                info->allowlist ? info->allowlist : "the allowlist");
}

/* "70 files checked (tree-sitter 70, libclang 25 translation units)" */
static void text_checked(FILE *e, const pg_run_info *info)
{
    fprintf(e,
            "%zu file%s checked (tree-sitter %zu, libclang %zu translation "
            "unit%s)%s",
            info->nfiles, info->nfiles == 1 ? "" : "s", info->nts, info->nclang,
            info->nclang == 1 ? "" : "s",
            info->partial ? " (partial run)" : "");
}

static void text_report(FILE *o, FILE *e, const pg_findings *f,
                        const pg_run_info *info)
{
    size_t by[PG_RULE_COUNT] = {0}, passed = 0, total = 0, warned = 0;
    size_t based = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->v[i].passed) {
            passed++;
            continue;
        }
        if (f->v[i].baselined) {
            based++;
            continue;
        }
        by[f->v[i].rule]++;
        if (rules[f->v[i].rule].warning)
            warned++;
        else
            total++;
        text_one(o, &f->v[i], info);
    }
    fflush(o);
    if (e == NULL)
        return;
    if (total == 0) {
        fputs("procguard: clean: ", e);
        text_checked(e, info);
        fprintf(e, ", %zu /proc access%s acknowledged and allowlisted", passed,
                passed == 1 ? "" : "es");
    } else {
        fprintf(e, "procguard: %zu finding%s (", total, total == 1 ? "" : "s");
        const char *sep = "";
        for (int r = 0; r < PG_RULE_COUNT; r++) {
            if (by[r] && !rules[r].warning) {
                fprintf(e, "%s%zu %s", sep, by[r], rules[r].id);
                sep = ", ";
            }
        }
        fputs(") in ", e);
        text_checked(e, info);
        fprintf(e, "; %zu acknowledged and allowlisted", passed);
    }
    if (info->baseline != NULL)
        fprintf(e, "; %zu baselined (%s)", based, info->baseline);
    if (warned > 0)
        fprintf(e, "; %zu warning%s", warned, warned == 1 ? "" : "s");
    fputc('\n', e);
}

/* ---- 5. json ----------------------------------------------------------- */

static void json_uint(FILE *o, const char *key, unsigned v, const char *sep)
{
    fprintf(o, "\"%s\": ", key);
    if (v)
        fprintf(o, "%u", v);
    else
        fputs("null", o);
    fputs(sep, o);
}

/* The fix as insertions: the ack, then the allowlist line. */
static void json_fixes(FILE *o, const pg_finding *f)
{
    if (f->fix_text == NULL && f->allow_text == NULL)
        return;
    fputs(",\n     \"fixes\": [", o);
    const char *sep = "";
    if (f->fix_text != NULL) {
        fputs("{\"path\": ", o);
        jstr(o, f->fix_path);
        fprintf(o, ", \"line\": %u, \"column\": %u, \"insert\": ", f->fix_line,
                f->fix_col);
        jstr(o, f->fix_text);
        fputs("}", o);
        sep = ", ";
    }
    if (f->allow_text != NULL) {
        fprintf(o, "%s{\"path\": ", sep);
        jstr(o, f->allow_path);
        fprintf(o,
                ", \"line\": %u, \"column\": 1, \"insert\": ", f->allow_line);
        char *line = pg_xrealloc(NULL, strlen(f->allow_text) + 2);
        sprintf(line, "%s\n", f->allow_text);
        jstr(o, line);
        free(line);
        fputs("}", o);
    }
    fputs("]", o);
}

static void json_one(FILE *o, const pg_finding *f)
{
    fputs("    {\"rule\": ", o);
    if (f->passed)
        fputs("null, \"level\": \"none\"", o);
    else {
        jstr(o, rules[f->rule].id);
        fprintf(o, ", \"level\": \"%s\"", level_of(f));
    }
    fputs(", \"path\": ", o);
    jstr(o, f->path);
    fputs(", ", o);
    json_uint(o, "line", f->line, ", ");
    json_uint(o, "column", f->col, ", ");
    json_uint(o, "end_column", f->end_col, ", ");
    fputs("\"message\": ", o);
    jstr(o, f->message);
    fputs(",\n     \"value\": ", o);
    jstr(o, f->value);
    fputs(", \"macro\": ", o);
    jstr(o, f->macro);
    fputs(", \"macro_path\": ", o);
    jstr(o, f->def_path);
    fputs(", ", o);
    json_uint(o, "macro_line", f->def_line, ", ");
    if (f->is_site)
        fprintf(o, "\"acked\": %s, \"allowlisted\": %s, ",
                f->acked ? "true" : "false", f->allowlisted ? "true" : "false");
    else
        fputs("\"acked\": null, \"allowlisted\": null, ", o);
    fputs("\"ack_reason\": ", o);
    jstr(o, f->ack_reason);
    fputs(", \"allowlist_entry\": ", o);
    jstr(o, f->allow_entry);
    fputs(", \"pass\": ", o);
    jstr(o, f->pass);
    fprintf(o, ", \"baselined\": %s", f->baselined ? "true" : "false");
    json_fixes(o, f);
    fputs("}", o);
}

/* The findings that are (not) passed and (not) baselined, as a JSON array
   whose '[' is already written. */
static void json_list(FILE *o, const pg_findings *f, int passed, int based)
{
    const char *sep = "\n";
    for (size_t i = 0; i < f->n; i++) {
        if (f->v[i].passed != passed || (!passed && f->v[i].baselined != based))
            continue;
        fputs(sep, o);
        json_one(o, &f->v[i]);
        sep = ",\n";
    }
    fputs(sep[0] == ',' ? "\n  ]" : "]", o);
}

static void json_report(FILE *o, const pg_findings *f, const pg_run_info *info)
{
    size_t by[PG_RULE_COUNT] = {0}, passed = 0;
    fputs("{\n  \"tool\": {\"name\": \"procguard\", \"version\": ", o);
    jstr(o, info->version);
    fputs("},\n  \"root\": ", o);
    jstr(o, info->root);
    fprintf(o, ",\n  \"partial\": %s,\n  \"baseline\": ",
            info->partial ? "true" : "false");
    jstr(o, info->baseline);
    fputs(",\n  \"findings\": [", o);
    size_t based = 0;
    for (size_t i = 0; i < f->n; i++) {
        if (f->v[i].passed)
            passed++;
        else if (f->v[i].baselined)
            based++;
        else
            by[f->v[i].rule]++;
    }
    json_list(o, f, 0, 0);
    fputs(",\n  \"passed\": [", o);
    json_list(o, f, 1, 0);
    fputs(",\n  \"baselined\": [", o);
    json_list(o, f, 0, 1);
    fputs(",\n", o);
    fprintf(o,
            "  \"summary\": {\"findings\": %zu, \"warnings\": %zu, "
            "\"passed\": %zu, \"files\": %zu, \"tree_sitter_files\": %zu, "
            "\"clang_translation_units\": %zu, \"ignored\": %zu, "
            "\"baselined\": %zu, \"exit_code\": %d, \"by_rule\": {",
            pg_findings_count(f), pg_warnings_count(f), passed, info->nfiles,
            info->nts, info->nclang, info->nignored, based, info->exit_code);
    for (int r = 0; r < PG_RULE_COUNT; r++)
        fprintf(o, "%s\"%s\": %zu", r ? ", " : "", rules[r].id, by[r]);
    fputs("}}", o);
    if (info->shard_state != NULL)
        fprintf(o, ",\n  \"shard_state\": \"%s\"", info->shard_state);
    fputs("\n}\n", o);
}

/* ---- 6. sarif ---------------------------------------------------------- */

/* FNV-1a over the rule and the source line without blanks: a fingerprint
   that survives the line moving and being re-indented. */
static uint64_t line_hash(const pg_finding *f)
{
    uint64_t h = 0xcbf29ce484222325u;
    const char *parts[3] = {rules[f->rule].id, f->srcline ? f->srcline : "",
                            f->value ? f->value
                                     : (f->message ? f->message : "")};
    for (int k = 0; k < 3; k++) {
        for (const unsigned char *p = (const unsigned char *)parts[k]; *p;
             p++) {
            if (*p == ' ' || *p == '\t')
                continue;
            h ^= *p;
            h *= 0x100000001b3u;
        }
        h ^= 0xff;
        h *= 0x100000001b3u;
    }
    return h;
}

static void sarif_rules(FILE *o)
{
    for (int r = 0; r < PG_RULE_COUNT; r++) {
        const pg_rule_info *ri = &rules[r];
        fputs(r ? ",\n" : "\n", o);
        fputs("            {\"id\": ", o);
        jstr(o, ri->id);
        fputs(", \"name\": ", o);
        jstr(o, ri->id);
        fputs(",\n             \"shortDescription\": {\"text\": ", o);
        jstr(o, ri->brief);
        fputs("},\n             \"fullDescription\": {\"text\": ", o);
        jstr(o, ri->full);
        fputs("},\n             \"help\": {\"text\": ", o);
        jstr(o, ri->help);
        const char *lv = ri->warning ? "warning" : "error";
        fprintf(o,
                "},\n             \"defaultConfiguration\": {\"level\": "
                "\"%s\"},\n             \"properties\": {\"tags\": "
                "[\"portability\"], \"precision\": \"very-high\", "
                "\"problem.severity\": \"%s\"}}",
                lv, lv);
    }
}

/* One insertion at (line, column in code points) of path. */
static void sarif_insert(FILE *o, const char *path, unsigned line, unsigned col,
                         const char *text, const char *tail)
{
    fputs("{\"artifactLocation\": {\"uri\": ", o);
    juri(o, "", path, 0);
    fprintf(o,
            ", \"uriBaseId\": \"%%SRCROOT%%\"},\n            \"replacements\": "
            "[{\"deletedRegion\": {\"startLine\": %u, \"startColumn\": %u, "
            "\"endLine\": %u, \"endColumn\": %u}, \"insertedContent\": "
            "{\"text\": ",
            line, col, line, col);
    char *t = pg_xrealloc(NULL, strlen(text) + strlen(tail) + 1);
    sprintf(t, "%s%s", text, tail);
    jstr(o, t);
    free(t);
    fputs("}}]}", o);
}

static void sarif_fixes(FILE *o, const pg_finding *f)
{
    if (f->fix_text == NULL && f->allow_text == NULL)
        return;
    fputs(",\n         \"fixes\": [{\"description\": {\"text\": ", o);
    jstr(o, f->fix_text && f->allow_text
                ? "acknowledge the access and list its file in the allowlist"
            : f->fix_text ? "acknowledge the access"
                          : "list the file in the allowlist");
    fputs("},\n          \"artifactChanges\": [", o);
    if (f->fix_text != NULL)
        sarif_insert(o, f->fix_path, f->fix_line, f->fix_cpcol, f->fix_text,
                     "");
    if (f->allow_text != NULL) {
        if (f->fix_text != NULL)
            fputs(",\n            ", o);
        sarif_insert(o, f->allow_path, f->allow_line, 1, f->allow_text, "\n");
    }
    fputs("]}]", o);
}

static void sarif_result(FILE *o, const pg_finding *f, unsigned occurrence,
                         const char *baseline)
{
    fprintf(o,
            "        {\"ruleId\": \"%s\", \"ruleIndex\": %d, \"level\": "
            "\"%s\",\n         \"message\": {\"text\": ",
            rules[f->rule].id, (int)f->rule, level_of(f));
    jstr(o, f->message);
    fputs("}", o);
    if (f->path != NULL) {
        fputs(",\n         \"locations\": [{\"physicalLocation\": "
              "{\"artifactLocation\": {\"uri\": ",
              o);
        juri(o, "", f->path, 0);
        fputs(", \"uriBaseId\": \"%SRCROOT%\"}", o);
        if (f->line) {
            unsigned sc = f->col ? cp_col(f->srcline, f->col) : 1;
            unsigned ec =
                f->end_col > f->col ? cp_col(f->srcline, f->end_col) : sc + 1;
            fprintf(o,
                    ",\n           \"region\": {\"startLine\": %u, "
                    "\"startColumn\": %u, \"endLine\": %u, \"endColumn\": %u",
                    f->line, sc, f->line, ec);
            if (f->srcline) {
                fputs(", \"snippet\": {\"text\": ", o);
                jstr(o, f->srcline);
                fputs("}", o);
            }
            fputs("}", o);
        }
        fputs("}}]", o);
        fprintf(o,
                ",\n         \"partialFingerprints\": "
                "{\"primaryLocationLineHash\": \"%016llx:%u\"}",
                (unsigned long long)line_hash(f), occurrence);
    }
    if (f->def_path != NULL) {
        fputs(",\n         \"relatedLocations\": [{\"id\": 1, "
              "\"message\": {\"text\": ",
              o);
        char buf[300];
        snprintf(buf, sizeof buf, "macro %s defined here",
                 f->macro ? f->macro : "");
        jstr(o, buf);
        fputs("}, \"physicalLocation\": {\"artifactLocation\": {\"uri\": ", o);
        juri(o, "", f->def_path, 0);
        fprintf(o,
                ", \"uriBaseId\": \"%%SRCROOT%%\"}, \"region\": "
                "{\"startLine\": %u}}}]",
                f->def_line ? f->def_line : 1);
    }
    if (f->passed) {
        fputs(",\n         \"suppressions\": [{\"kind\": \"inSource\", "
              "\"status\": \"accepted\", \"justification\": ",
              o);
        jstr(o, f->ack_reason ? f->ack_reason : "");
        fputs("}]", o);
    } else if (baseline != NULL) {
        fprintf(o, ",\n         \"baselineState\": \"%s\"",
                f->baselined ? "unchanged" : "new");
        if (f->baselined) {
            fputs(",\n         \"suppressions\": [{\"kind\": \"external\", "
                  "\"status\": \"accepted\", \"justification\": ",
                  o);
            char buf[600];
            snprintf(buf, sizeof buf, "recorded in the baseline %s", baseline);
            jstr(o, buf);
            fputs("}]", o);
        }
    }
    sarif_fixes(o, f);
    if (f->is_site) {
        fputs(",\n         \"properties\": {\"value\": ", o);
        jstr(o, f->value);
        fprintf(o, ", \"acked\": %s, \"allowlisted\": %s, \"pass\": ",
                f->acked ? "true" : "false", f->allowlisted ? "true" : "false");
        jstr(o, f->pass);
        fputs("}", o);
    }
    fputs("}", o);
}

typedef struct hashed {
    const char *path;
    uint64_t h;
    size_t i;
} hashed;

static int by_path_hash(const void *a, const void *b)
{
    const hashed *x = a, *y = b;
    int c = strcmp(x->path, y->path);
    if (c != 0)
        return c;
    if (x->h != y->h)
        return x->h < y->h ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* For each result, 1 + how many earlier results in its file share its line
   hash: one hash per result and a sort, not a rescan of earlier results. */
static unsigned *occurrences(const pg_findings *f)
{
    unsigned *occ = pg_xrealloc(NULL, (f->n + 1) * sizeof *occ);
    hashed *v = pg_xrealloc(NULL, (f->n + 1) * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < f->n; i++) {
        occ[i] = 1;
        if (f->v[i].path != NULL)
            v[n++] = (hashed){f->v[i].path, line_hash(&f->v[i]), i};
    }
    if (n > 1)
        qsort(v, n, sizeof *v, by_path_hash);
    for (size_t k = 1; k < n; k++)
        if (v[k].h == v[k - 1].h && strcmp(v[k].path, v[k - 1].path) == 0)
            occ[v[k].i] = occ[v[k - 1].i] + 1;
    free(v);
    return occ;
}

static void sarif_report(FILE *o, const pg_findings *f, const pg_run_info *info,
                         const char *uri)
{
    fputs("{\n  \"$schema\": "
          "\"https://json.schemastore.org/sarif-2.1.0.json\",\n"
          "  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
          "    \"tool\": {\"driver\": {\"name\": \"procguard\", "
          "\"version\": ",
          o);
    jstr(o, info->version);
    fputs(", \"semanticVersion\": ", o);
    jstr(o, info->version);
    fputs(", \"informationUri\": ", o);
    jstr(o, uri);
    fputs(",\n          \"rules\": [", o);
    sarif_rules(o);
    fputs("]}},\n    \"originalUriBaseIds\": {\"%SRCROOT%\": {\"uri\": ", o);
    juri(o, "file://", info->root, 1);
    fputs(", \"description\": {\"text\": \"The repository root.\"}}},\n", o);
    fprintf(o,
            "    \"columnKind\": \"unicodeCodePoints\",\n"
            "    \"invocations\": [{\"executionSuccessful\": %s, "
            "\"exitCode\": %d}],\n    \"results\": [",
            info->exit_code == 2 ? "false" : "true", info->exit_code);
    unsigned *occ = occurrences(f);
    for (size_t i = 0; i < f->n; i++) {
        fputs(i ? ",\n" : "\n", o);
        sarif_result(o, &f->v[i], occ[i], info->baseline);
    }
    free(occ);
    fputs(f->n ? "\n    ]\n  }]\n}\n" : "]\n  }]\n}\n", o);
}

void pg_report(FILE *out, FILE *err, pg_format fmt, const pg_findings *f,
               const pg_run_info *info)
{
    switch (fmt) {
    case PG_FMT_JSON: json_report(out, f, info); break;
    case PG_FMT_SARIF: sarif_report(out, f, info, info->information_uri); break;
    default: text_report(out, err, f, info); break;
    }
    fflush(out);
}
