/*
 * sources.c - the set of files to check: git ls-files, a directory walk, or
 * the PATH arguments; minus the ignore list; C, C++ and Python only.
 */
#define _DEFAULT_SOURCE /* realpath, strdup-free POSIX bits, d_type */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "run.h"
#include "sources.h"

typedef struct strvec {
    char **v;
    size_t n;
} strvec;

static void sv_push(strvec *sv, char *s)
{
    sv->v = pg_xrealloc(sv->v, (sv->n + 1) * sizeof *sv->v);
    sv->v[sv->n++] = s;
}

int pg_repo_root(const char *hint, char **root, int *in_git, pg_error *err)
{
    char *argv[] = {"git",
                    "-C",
                    (char *)(hint ? hint : "."),
                    "rev-parse",
                    "--show-toplevel",
                    NULL};
    char *out = NULL;
    size_t n = 0;
    int st = pg_run_capture(argv, &out, &n);
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
        out[--n] = '\0';
    const char *dir = (st == 0 && n > 0) ? out : (hint ? hint : ".");
    *in_git = st == 0 && n > 0;
    char *r = realpath(dir, NULL);
    if (r == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "cannot resolve the repository root '%s': %s", dir,
                 strerror(errno));
        free(out);
        return -1;
    }
    free(out);
    *root = r;
    return 0;
}

const char *pg_relative_to(const char *root, const char *abspath)
{
    size_t n = strlen(root);
    if (n == 1 && root[0] == '/')
        return abspath[0] == '/' ? abspath + 1 : NULL;
    if (strncmp(abspath, root, n) != 0 || abspath[n] != '/')
        return NULL;
    return abspath + n + 1;
}

pg_lang pg_lang_of(const char *path, const char *head, size_t hlen)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot != NULL && dot != base) {
        static const char *const cpp[] = {".cc",  ".cpp", ".cxx", ".c++", ".C",
                                          ".hh",  ".hpp", ".hxx", ".h++", ".H",
                                          ".ipp", ".tpp", ".inl", NULL};
        for (size_t i = 0; cpp[i] != NULL; i++)
            if (strcmp(dot, cpp[i]) == 0)
                return PG_LANG_CPP;
        if (strcmp(dot, ".c") == 0)
            return PG_LANG_C;
        if (strcmp(dot, ".h") == 0)
            return head != NULL && pg_looks_like_cpp(head, hlen) ? PG_LANG_CPP
                                                                 : PG_LANG_C;
        if (strcmp(dot, ".py") == 0 || strcmp(dot, ".pyi") == 0)
            return PG_LANG_PYTHON;
        return PG_LANG_OTHER;
    }
    if (head == NULL || hlen < 2 || head[0] != '#' || head[1] != '!')
        return PG_LANG_OTHER;
    const char *eol = memchr(head, '\n', hlen);
    size_t l = eol ? (size_t)(eol - head) : hlen;
    for (size_t i = 2; i + 6 <= l; i++)
        if (memcmp(head + i, "python", 6) == 0)
            return PG_LANG_PYTHON;
    return PG_LANG_OTHER;
}

static int word_char(char c)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

/* 1 if w occurs in t[0..n) not glued to identifier characters. */
static int has_token(const char *t, size_t n, const char *w)
{
    size_t m = strlen(w);
    for (size_t i = 0; i + m <= n; i++) {
        if (t[i] != w[0] || memcmp(t + i, w, m) != 0)
            continue;
        int before = i > 0 && word_char(t[i - 1]) && word_char(w[0]);
        int after = i + m < n && word_char(t[i + m]) && word_char(w[m - 1]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

int pg_looks_like_cpp(const char *t, size_t n)
{
    static const char *const marks[] = {
        "namespace", "template<", "template <",     "nullptr", "constexpr",
        "std::",     "R\"(",      "extern \"C++\"", NULL};
    for (size_t i = 0; marks[i] != NULL; i++)
        if (has_token(t, n, marks[i]))
            return 1;
    return 0;
}

pg_lang pg_lang_by_ext(const pg_extmap *ext, const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    for (size_t i = 0; ext != NULL && dot != NULL && i < ext->n; i++)
        if (strcmp(dot, ext->v[i].ext) == 0)
            return ext->v[i].lang;
    return PG_LANG_OTHER;
}

static pg_lang lang_of_file(const char *root, const char *rel,
                            const pg_extmap *ext)
{
    pg_lang l = pg_lang_by_ext(ext, rel);
    if (l != PG_LANG_OTHER)
        return l;
    l = pg_lang_of(rel, NULL, 0);
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    const char *dot = strrchr(base, '.');
    int is_h = dot != NULL && strcmp(dot, ".h") == 0;
    if (!is_h && (l != PG_LANG_OTHER || strchr(base + 1, '.') != NULL))
        return l;
    if (is_h) { /* C or C++: decided by what it holds */
        char *abs = pg_xrealloc(NULL, strlen(root) + strlen(rel) + 2);
        sprintf(abs, "%s/%s", root, rel);
        char *text;
        size_t len;
        pg_error err;
        int rc = pg_read_file(abs, &text, &len, &err);
        free(abs);
        if (rc != 0)
            return PG_LANG_C;
        l = pg_lang_of(rel, text, len);
        free(text);
        return l;
    }
    /* no extension: perhaps a script with a python shebang */
    char *abs = pg_xrealloc(NULL, strlen(root) + strlen(rel) + 2);
    sprintf(abs, "%s/%s", root, rel);
    char head[256];
    ssize_t n = -1;
    int fd = open(abs, O_RDONLY | O_NOCTTY | O_NONBLOCK);
    free(abs);
    if (fd >= 0) {
        n = read(fd, head, sizeof head);
        close(fd);
    }
    return n > 0 ? pg_lang_of(rel, head, (size_t)n) : PG_LANG_OTHER;
}

int pg_read_file(const char *path, char **text, size_t *len, pg_error *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        snprintf(err->msg, sizeof err->msg, "cannot open '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    size_t n = 0, cap = 8192;
    char *buf = pg_xrealloc(NULL, cap);
    for (;;) {
        if (n + 1 >= cap)
            buf = pg_xrealloc(buf, cap *= 2);
        size_t r = fread(buf + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0)
            break;
    }
    int bad = ferror(f);
    int e = errno;
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err->msg, sizeof err->msg, "cannot read '%s': %s", path,
                 strerror(e));
        errno = e;
        return -1;
    }
    buf[n] = '\0';
    /* A UTF-8 byte order mark reads as blanks: offsets stay the file's, and
       an acknowledgement on the first line is still alone on it. */
    if (n >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
        memset(buf, ' ', 3);
    *text = buf;
    *len = n;
    return 0;
}

static int is_build_dir(const char *abs, const char *name)
{
    if (strcmp(name, ".git") == 0 || strcmp(name, "node_modules") == 0 ||
        strcmp(name, "build") == 0 || strncmp(name, "build-", 6) == 0 ||
        strncmp(name, "build_", 6) == 0)
        return 1;
    char probe[PATH_MAX];
    struct stat st;
    if (snprintf(probe, sizeof probe, "%s/CMakeCache.txt", abs) >=
        (int)sizeof probe)
        return 0;
    return stat(probe, &st) == 0;
}

/* Walk root/rel (a directory), appending repository-relative files. */
/* Every regular file below rel, skipping build directories. A directory
   or entry that cannot be read is an error: a walk that silently skips one
   would call a tree clean without having looked. 0, or -1 with *err. */
static int walk(const char *root, const char *rel, strvec *out, pg_error *err)
{
    size_t rl = strlen(rel), al = strlen(root);
    char *abs = pg_xrealloc(NULL, al + rl + 2);
    if (rl)
        sprintf(abs, "%s/%s", root, rel);
    else
        memcpy(abs, root, al + 1);
    DIR *d = opendir(abs);
    if (d == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "cannot read directory '%s': %s; fix its permissions or "
                 "list it in the ignore file",
                 rl ? rel : ".", strerror(errno));
        free(abs);
        return -1;
    }
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (errno = 0, e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        size_t nl = strlen(e->d_name);
        char *crel = pg_xrealloc(NULL, rl + nl + 2);
        if (rl)
            sprintf(crel, "%s/%s", rel, e->d_name);
        else
            memcpy(crel, e->d_name, nl + 1);
        char *cabs = pg_xrealloc(NULL, strlen(abs) + nl + 2);
        sprintf(cabs, "%s/%s", abs, e->d_name);
        struct stat st;
        if (lstat(cabs, &st) != 0) {
            snprintf(err->msg, sizeof err->msg, "cannot stat '%s': %s", crel,
                     strerror(errno));
            rc = -1;
            free(crel);
        } else if (S_ISDIR(st.st_mode) && !is_build_dir(cabs, e->d_name)) {
            rc = walk(root, crel, out, err);
            free(crel);
        } else if (S_ISREG(st.st_mode)) {
            sv_push(out, crel);
        } else {
            free(crel);
        }
        free(cabs);
    }
    if (rc == 0 && errno != 0) {
        snprintf(err->msg, sizeof err->msg, "cannot read directory '%s': %s",
                 rl ? rel : ".", strerror(errno));
        rc = -1;
    }
    closedir(d);
    free(abs);
    return rc;
}

/* git ls-files below dir (NULL: the whole work tree), untracked but
   not ignored files included (an explicit directory asks for what is
   there, not only what was committed). */
static int git_ls(const char *root, const char *dir, strvec *out, pg_error *err)
{
    char *argv[] = {"git", "-C",        (char *)root, "ls-files",
                    "-z",  "--cached",  "--others",   "--exclude-standard",
                    "--",  (char *)dir, NULL};
    if (dir == NULL)
        argv[5] = NULL;
    char *buf = NULL;
    size_t n = 0;
    int st = pg_run_capture(argv, &buf, &n);
    if (st != 0) {
        snprintf(err->msg, sizeof err->msg,
                 "'git ls-files' failed in '%s' (status %d)", root, st);
        free(buf);
        return -1;
    }
    for (size_t i = 0; i < n;) {
        size_t l = strlen(buf + i);
        if (l > 0)
            sv_push(out, pg_strndup(buf + i, l));
        i += l + 1;
    }
    free(buf);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Turn PATH arguments into repository-relative files. */
static int collect_args(const char *root, int in_git, char *const *paths,
                        size_t npaths, strvec *out, strvec *named,
                        pg_error *err)
{
    for (size_t k = 0; k < npaths; k++) {
        char *abs = realpath(paths[k], NULL);
        if (abs == NULL) {
            snprintf(err->msg, sizeof err->msg, "cannot check '%s': %s",
                     paths[k], strerror(errno));
            return -1;
        }
        const char *rel =
            strcmp(abs, root) == 0 ? "" : pg_relative_to(root, abs);
        if (rel == NULL) {
            snprintf(err->msg, sizeof err->msg,
                     "'%s' is outside the repository '%s'", paths[k], root);
            free(abs);
            return -1;
        }
        struct stat st;
        int rc = 0;
        if (stat(abs, &st) == 0 && S_ISDIR(st.st_mode)) {
            if (in_git)
                rc = git_ls(root, *rel ? rel : ".", out, err);
            else
                rc = walk(root, rel, out, err);
        } else {
            sv_push(out, pg_strdup(rel));
            sv_push(named, pg_strdup(rel));
        }
        free(abs);
        if (rc != 0)
            return -1;
    }
    return 0;
}

int pg_sources_collect(const char *root, int in_git, char *const *paths,
                       size_t npaths, const pg_patlist *ignore,
                       const pg_extmap *ext, pg_files *out, pg_error *err)
{
    strvec all = {NULL, 0}, named = {NULL, 0};
    int rc = 0;
    memset(out, 0, sizeof *out);
    /* the repository root itself, however spelled, asks for a whole run */
    size_t given = 0;
    for (size_t k = 0; k < npaths; k++) {
        char *abs = realpath(paths[k], NULL);
        given += abs == NULL || strcmp(abs, root) != 0;
        free(abs);
    }
    if (given == 0)
        npaths = 0;
    out->partial = npaths > 0;
    if (npaths > 0)
        rc = collect_args(root, in_git, paths, npaths, &all, &named, err);
    else if (in_git)
        rc = git_ls(root, NULL, &all, err);
    else
        rc = walk(root, "", &all, err);
    if (rc == 0 && all.n > 0)
        qsort(all.v, all.n, sizeof *all.v, cmp_str);
    for (size_t i = 0; i < all.n; i++) {
        char *p = all.v[i];
        if (rc != 0 ||
            (out->n > 0 && strcmp(out->v[out->n - 1].path, p) == 0)) {
            free(p);
            continue;
        }
        pg_lang l = lang_of_file(root, p, ext);
        if (l == PG_LANG_OTHER) {
            for (size_t k = 0; k < named.n && rc == 0; k++)
                if (strcmp(named.v[k], p) == 0) {
                    snprintf(err->msg, sizeof err->msg,
                             "cannot check '%s': not C, C++ or Python by its "
                             "name (or a python shebang); procguard -p checks "
                             "it when a translation unit includes it",
                             p);
                    rc = -1;
                }
            free(p);
            continue;
        }
        if (ignore != NULL && pg_patlist_match(ignore, p) >= 0) {
            out->nignored++;
            free(p);
            continue;
        }
        out->v = pg_xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        out->v[out->n].path = p;
        out->v[out->n].lang = l;
        out->n++;
    }
    free(all.v);
    for (size_t k = 0; k < named.n; k++)
        free(named.v[k]);
    free(named.v);
    if (rc != 0)
        pg_files_free(out);
    return rc;
}

void pg_files_free(pg_files *f)
{
    for (size_t i = 0; i < f->n; i++)
        free(f->v[i].path);
    free(f->v);
    memset(f, 0, sizeof *f);
}

long pg_files_find(const pg_files *f, const char *path)
{
    size_t lo = 0, hi = f->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(f->v[mid].path, path);
        if (c == 0)
            return (long)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}
