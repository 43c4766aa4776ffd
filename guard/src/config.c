/*
 * config.c - the configuration file (see config.h): parsing, one key at a
 * time, and finding the file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

static const char *const keys[PG_CFG_COUNT] = {
    "allowlist", "ignore",     "baseline", "ack-keyword",
    "build-dir", "extensions", "disable",  "cache-dir"};

const char *pg_config_key(pg_cfg_key k)
{
    return k < PG_CFG_COUNT ? keys[k] : NULL;
}

static void syntax(pg_config *c, unsigned line, unsigned col, const char *fmt,
                   const char *arg)
{
    c->errs = pg_xrealloc(c->errs, (c->nerrs + 1) * sizeof *c->errs);
    pg_syntax *s = &c->errs[c->nerrs++];
    s->line = line;
    s->col = col;
    snprintf(s->msg, sizeof s->msg, fmt, arg);
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The next blank-separated word of *s (advanced), or NULL at the end. */
static char *next_word(const char **s)
{
    const char *p = *s;
    while (*p && is_blank(*p))
        p++;
    if (*p == '\0')
        return NULL;
    const char *e = p;
    while (*e && !is_blank(*e))
        e++;
    *s = e;
    return pg_strndup(p, (size_t)(e - p));
}

static void parse_disable(pg_config *c, const char *v, unsigned ln)
{
    char *w;
    while ((w = next_word(&v)) != NULL) {
        int found = 0;
        for (int r = 0; r < PG_RULE_COUNT && !found; r++)
            if (strcmp(pg_rule_get((pg_rule)r)->id, w) == 0) {
                found = 1;
                if (r == PG_RULE_PARSE_ERROR || r == PG_RULE_ALLOWLIST_SYNTAX)
                    syntax(c, ln, 1,
                           "rule '%s' cannot be disabled: it means the check "
                           "could not be done",
                           w);
                c->disabled[r] = 1;
            }
        if (!found)
            syntax(c, ln, 1,
                   "unknown rule '%s' (procguard --list-rules lists them)", w);
        free(w);
    }
}

static int lang_named(const char *s, pg_lang *out)
{
    static const struct {
        const char *name;
        pg_lang lang;
    } names[] = {{"c", PG_LANG_C},
                 {"c++", PG_LANG_CPP},
                 {"cpp", PG_LANG_CPP},
                 {"python", PG_LANG_PYTHON},
                 {NULL, PG_LANG_OTHER}};
    for (size_t i = 0; names[i].name != NULL; i++)
        if (strcmp(s, names[i].name) == 0) {
            *out = names[i].lang;
            return 1;
        }
    return 0;
}

static void parse_extensions(pg_config *c, const char *v, unsigned ln)
{
    char *w;
    while ((w = next_word(&v)) != NULL) {
        char *eq = strchr(w, '=');
        pg_lang l;
        const char *dot2 = strchr(w + 1, '.');
        if (w[0] != '.' || eq == NULL || eq == w + 1 ||
            (dot2 != NULL && dot2 < eq) || strchr(w, '/') != NULL) {
            syntax(c, ln, 1, "extension '%s' is not .EXT=LANG (e.g. .inc=c)",
                   w);
        } else if (!lang_named(eq + 1, &l)) {
            syntax(c, ln, 1, "extension '%s': the language is c, c++ or python",
                   w);
        } else {
            *eq = '\0';
            c->ext.v = pg_xrealloc(c->ext.v, (c->ext.n + 1) * sizeof *c->ext.v);
            c->ext.v[c->ext.n].ext = pg_strdup(w);
            c->ext.v[c->ext.n++].lang = l;
        }
        free(w);
    }
}

static int keyword_ok(const char *v)
{
    for (const char *p = v; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return v[0] != '\0';
}

static void parse_line(pg_config *c, const char *s, size_t n, unsigned ln)
{
    const char *eq = memchr(s, '=', n);
    if (eq == NULL) {
        syntax(c, ln, 1, "expected 'key = value'%s", "");
        return;
    }
    const char *ke = eq;
    while (ke > s && is_blank(ke[-1]))
        ke--;
    char *key = pg_strndup(s, (size_t)(ke - s));
    const char *v = eq + 1, *ve = s + n;
    while (v < ve && is_blank(*v))
        v++;
    while (ve > v && is_blank(ve[-1]))
        ve--;
    int k = 0;
    while (k < PG_CFG_COUNT && strcmp(keys[k], key) != 0)
        k++;
    if (k == PG_CFG_COUNT)
        syntax(c, ln, 1,
               "unknown key '%s' (allowlist, ignore, baseline, ack-keyword, "
               "build-dir, extensions, disable)",
               key);
    else if (c->value[k] != NULL)
        syntax(c, ln, 1, "'%s' is set twice", key);
    else if (v == ve)
        syntax(c, ln, (unsigned)(eq - s) + 2, "'%s' has no value", key);
    if (k == PG_CFG_COUNT || c->value[k] != NULL || v == ve) {
        free(key);
        return;
    }
    free(key);
    c->value[k] = pg_strndup(v, (size_t)(ve - v));
    c->line[k] = ln;
    if (k == PG_CFG_KEYWORD && !keyword_ok(c->value[k]))
        syntax(c, ln, (unsigned)(v - s) + 1,
               "ack-keyword '%s' must be one word (letters, digits, '_', "
               "'-'); the colon is implied",
               c->value[k]);
    else if (k == PG_CFG_DISABLE)
        parse_disable(c, c->value[k], ln);
    else if (k == PG_CFG_EXTENSIONS)
        parse_extensions(c, c->value[k], ln);
}

size_t pg_config_parse(const char *text, size_t len, pg_config *out)
{
    memset(out, 0, sizeof *out);
    unsigned ln = 0;
    for (size_t i = 0; i < len;) {
        const char *nl = memchr(text + i, '\n', len - i);
        size_t e = nl ? (size_t)(nl - text) : len;
        ln++;
        const char *s = text + i;
        size_t n = e - i;
        while (n > 0 && is_blank(*s)) {
            s++;
            n--;
        }
        if (memchr(s, '\0', n) != NULL)
            syntax(out, ln, 1, "NUL byte in the line%s", "");
        else if (n > 0 && *s != '#' && !(n == 1 && *s == '\r'))
            parse_line(out, s, n, ln);
        i = e + 1;
    }
    return out->nerrs;
}

void pg_config_free(pg_config *c)
{
    for (int k = 0; k < PG_CFG_COUNT; k++)
        free(c->value[k]);
    for (size_t i = 0; i < c->ext.n; i++)
        free(c->ext.v[i].ext);
    free(c->ext.v);
    free(c->errs);
    memset(c, 0, sizeof *c);
}

void pg_config_find(const char *start, const char *stop, char **path)
{
    *path = NULL;
    char *dir = pg_strdup(start);
    size_t sl = strlen(stop);
    int inside = strncmp(dir, stop, sl) == 0 &&
                 (dir[sl] == '\0' || dir[sl] == '/' || sl == 1);
    for (;;) {
        char *cand = pg_xrealloc(NULL, strlen(dir) + 12);
        sprintf(cand, "%s/.procguard", strcmp(dir, "/") == 0 ? "" : dir);
        if (access(cand, F_OK) == 0) {
            *path = cand;
            break;
        }
        free(cand);
        char *slash = strrchr(dir, '/');
        if ((inside && strcmp(dir, stop) == 0) || slash == NULL ||
            strcmp(dir, "/") == 0)
            break;
        if (slash == dir)
            slash[1] = '\0';
        else
            *slash = '\0';
    }
    free(dir);
}
