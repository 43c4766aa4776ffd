/*
 * glob.c - anchored path globs, matched segment by segment.
 *
 * '**' segments are matched with a table over (pattern segment, path
 * segment) rather than by backtracking, so a hostile allowlist line cannot
 * make the match exponential; '*' inside a segment uses the usual single
 * backtrack point, which is exact when '*' cannot cross a '/'.
 */
#include <stdlib.h>
#include <string.h>

#include "glob.h"
#include "pg.h"

/* Length of the class starting at p ('['), or 0 when it is unterminated. */
static size_t class_len(const char *p, size_t n)
{
    size_t i = 1;
    if (i < n && (p[i] == '!' || p[i] == '^'))
        i++;
    if (i < n && p[i] == ']') /* a leading ']' is a member */
        i++;
    for (; i < n; i++) {
        if (p[i] == '\\' && i + 1 < n)
            i++;
        else if (p[i] == ']')
            return i + 1;
    }
    return 0;
}

static int class_match(const char *p, size_t len, unsigned char c)
{
    size_t i = 1, end = len - 1;
    int neg = 0, hit = 0;
    if (p[i] == '!' || p[i] == '^') {
        neg = 1;
        i++;
    }
    int first = 1;
    while (i < end) {
        unsigned char lo = (unsigned char)p[i];
        if (lo == '\\' && i + 1 < end)
            lo = (unsigned char)p[++i];
        else if (lo == ']' && !first)
            break;
        i++;
        unsigned char hi = lo;
        if (i + 1 < end && p[i] == '-') {
            hi = (unsigned char)p[i + 1];
            if (hi == '\\' && i + 2 < end)
                hi = (unsigned char)p[++i + 1];
            i += 2;
        }
        if (c >= lo && c <= hi)
            hit = 1;
        first = 0;
    }
    return hit != neg;
}

/* Length of one pattern element at p, with *kind: 'c' char, '?', '*', '['. */
static size_t elem(const char *p, size_t n, char *kind)
{
    if (p[0] == '\\' && n > 1) {
        *kind = 'e';
        return 2;
    }
    if (p[0] == '*' || p[0] == '?') {
        *kind = p[0];
        return 1;
    }
    if (p[0] == '[') {
        size_t l = class_len(p, n);
        if (l) {
            *kind = '[';
            return l;
        }
    }
    *kind = 'c';
    return 1;
}

static int elem_match(const char *p, size_t l, char kind, unsigned char c)
{
    switch (kind) {
    case 'e': return (unsigned char)p[1] == c;
    case '?': return 1;
    case '[': return class_match(p, l, c);
    default: return (unsigned char)p[0] == c;
    }
}

/* One segment (no '/' in either) against one segment. */
static int seg_match(const char *p, size_t pn, const char *s, size_t sn)
{
    size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;
    while (si < sn) {
        if (pi < pn) {
            char kind;
            size_t l = elem(p + pi, pn - pi, &kind);
            if (kind == '*') {
                star_p = ++pi;
                star_s = si;
                continue;
            }
            if (elem_match(p + pi, l, kind, (unsigned char)s[si])) {
                pi += l;
                si++;
                continue;
            }
        }
        if (star_p == (size_t)-1)
            return 0;
        pi = star_p;
        si = ++star_s;
    }
    while (pi < pn && p[pi] == '*')
        pi++;
    return pi == pn;
}

typedef struct seg {
    const char *s;
    size_t n;
} seg;

static size_t split(const char *s, seg *out)
{
    size_t k = 0;
    const char *start = s;
    for (const char *c = s;; c++) {
        if (*c == '/' || *c == '\0') {
            out[k].s = start;
            out[k].n = (size_t)(c - start);
            k++;
            if (*c == '\0')
                break;
            start = c + 1;
        }
    }
    return k;
}

static size_t count_segs(const char *s)
{
    size_t k = 1;
    for (; *s; s++)
        k += *s == '/';
    return k;
}

static int is_dstar(const seg *g)
{
    return g->n == 2 && g->s[0] == '*' && g->s[1] == '*';
}

int pg_glob_match(const char *pat, const char *path)
{
    size_t np = count_segs(pat), ns = count_segs(path);
    seg *ps = pg_xrealloc(NULL, (np + ns) * sizeof *ps), *ss = ps + np;
    split(pat, ps);
    split(path, ss);
    /* ok[i][j]: pattern segments i.. match path segments j.. */
    unsigned char *ok = pg_xrealloc(NULL, (np + 1) * (ns + 1));
#define OK(i, j) ok[(size_t)(i) * (ns + 1) + (j)]
    for (size_t j = 0; j <= ns; j++)
        OK(np, j) = j == ns;
    for (size_t i = np; i-- > 0;) {
        for (size_t j = ns + 1; j-- > 0;) {
            int r;
            if (is_dstar(&ps[i]))
                /* zero segments, or swallow one and stay on '**'; a
                   trailing '**' must swallow at least one */
                r = (i + 1 < np && OK(i + 1, j)) || (j < ns && OK(i, j + 1)) ||
                    (i + 1 == np && j + 1 == ns);
            else
                r = j < ns && seg_match(ps[i].s, ps[i].n, ss[j].s, ss[j].n) &&
                    OK(i + 1, j + 1);
            OK(i, j) = (unsigned char)r;
        }
    }
    int r = OK(0, 0);
#undef OK
    free(ok);
    free(ps);
    return r;
}

static int has_dstar(const char *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '*' && s[i + 1] == '*')
            return 1;
    }
    return 0;
}

const char *pg_glob_check(const char *pat)
{
    if (*pat == '\0')
        return "empty pattern";
    if (*pat == '/')
        return "must be relative to the repository root (no leading '/')";
    size_t n = strlen(pat);
    if (pat[n - 1] == '/')
        return "ends with '/'; write dir/** to match everything below a "
               "directory";
    const char *segstart = pat;
    for (size_t i = 0; i <= n; i++) {
        char c = pat[i];
        if (c == '/' || c == '\0') {
            size_t sl = (size_t)(pat + i - segstart);
            if (sl == 0)
                return "empty path segment ('//')";
            if ((sl == 1 && segstart[0] == '.') ||
                (sl == 2 && segstart[0] == '.' && segstart[1] == '.'))
                return "'.' and '..' segments are not allowed; write the "
                       "path from the repository root";
            if (sl > 2 && has_dstar(segstart, sl))
                return "'**' must be a whole path segment";
            segstart = pat + i + 1;
            continue;
        }
        if (c == '\\') {
            if (i + 1 >= n || pat[i + 1] == '/')
                return "'\\' at the end of a segment escapes nothing";
            i++;
        } else if (c == '[') {
            size_t l = class_len(pat + i, n - i);
            if (l == 0)
                return "unterminated '[' class";
            if (memchr(pat + i, '/', l) != NULL)
                return "a '[' class cannot contain '/'";
            i += l - 1;
        } else if (c == ']') {
            return "']' without '['";
        } else if ((unsigned char)c < 0x20 || c == 0x7f) {
            return "control character in pattern";
        }
    }
    return NULL;
}
