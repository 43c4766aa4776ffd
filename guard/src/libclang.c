/*
 * libclang.c - the clang_* functions procguard uses, forwarded into
 * libclang opened with dlopen (see libclang.h for why).
 *
 * PG_LIBCLANG_PATH is the library the build found, PG_LIBCLANG_SONAME its
 * soname (tried through the loader's search path when the path is gone).
 */
/* st_mtim: POSIX 2008, outside strict C11. */
#define _XOPEN_SOURCE 700
#include <clang-c/Index.h>
#include <sys/stat.h>
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>

#include "libclang.h"

#ifndef PG_LIBCLANG_PATH
#define PG_LIBCLANG_PATH "libclang.so"
#endif
#ifndef PG_LIBCLANG_SONAME
#define PG_LIBCLANG_SONAME ""
#endif

/*
 * The functions: X(return type, name, (parameters), (arguments)) for those
 * that return a value, V(name, (parameters), (arguments)) for void ones.
 */
#define PG_CLANG_FUNCTIONS(X, V)                                               \
    X(CXIndex, clang_createIndex, (int a, int b), (a, b))                      \
    V(clang_disposeIndex, (CXIndex a), (a))                                    \
    V(clang_toggleCrashRecovery, (unsigned a), (a))                            \
    X(enum CXErrorCode, clang_parseTranslationUnit2,                           \
      (CXIndex a, const char *b, const char *const *c, int d,                  \
       struct CXUnsavedFile *e, unsigned f, unsigned g, CXTranslationUnit *h), \
      (a, b, c, d, e, f, g, h))                                                \
    V(clang_disposeTranslationUnit, (CXTranslationUnit a), (a))                \
    X(CXCursor, clang_getTranslationUnitCursor, (CXTranslationUnit a), (a))    \
    X(unsigned, clang_visitChildren,                                           \
      (CXCursor a, CXCursorVisitor b, CXClientData c), (a, b, c))              \
    V(clang_getInclusions,                                                     \
      (CXTranslationUnit a, CXInclusionVisitor b, CXClientData c), (a, b, c))  \
    X(const char *, clang_getCString, (CXString a), (a))                       \
    V(clang_disposeString, (CXString a), (a))                                  \
    X(CXString, clang_getFileName, (CXFile a), (a))                            \
    X(CXString, clang_File_tryGetRealPathName, (CXFile a), (a))                \
    X(CXSourceLocation, clang_getLocationForOffset,                            \
      (CXTranslationUnit a, CXFile b, unsigned c), (a, b, c))                  \
    X(int, clang_Location_isInSystemHeader, (CXSourceLocation a), (a))         \
    V(clang_getFileLocation,                                                   \
      (CXSourceLocation a, CXFile * b, unsigned *c, unsigned *d, unsigned *e), \
      (a, b, c, d, e))                                                         \
    X(CXSourceLocation, clang_getCursorLocation, (CXCursor a), (a))            \
    X(CXSourceRange, clang_getCursorExtent, (CXCursor a), (a))                 \
    X(CXString, clang_getCursorSpelling, (CXCursor a), (a))                    \
    X(CXCursor, clang_getCursorReferenced, (CXCursor a), (a))                  \
    X(int, clang_Cursor_isNull, (CXCursor a), (a))                             \
    X(unsigned, clang_equalCursors, (CXCursor a, CXCursor b), (a, b))          \
    X(CXFile, clang_getIncludedFile, (CXCursor a), (a))                        \
    V(clang_tokenize,                                                          \
      (CXTranslationUnit a, CXSourceRange b, CXToken * *c, unsigned *d),       \
      (a, b, c, d))                                                            \
    V(clang_disposeTokens, (CXTranslationUnit a, CXToken * b, unsigned c),     \
      (a, b, c))                                                               \
    X(CXTokenKind, clang_getTokenKind, (CXToken a), (a))                       \
    X(CXString, clang_getTokenSpelling, (CXTranslationUnit a, CXToken b),      \
      (a, b))                                                                  \
    X(CXSourceLocation, clang_getTokenLocation,                                \
      (CXTranslationUnit a, CXToken b), (a, b))                                \
    X(CXSourceRangeList *, clang_getSkippedRanges,                             \
      (CXTranslationUnit a, CXFile b), (a, b))                                 \
    V(clang_disposeSourceRangeList, (CXSourceRangeList * a), (a))              \
    X(CXSourceLocation, clang_getRangeStart, (CXSourceRange a), (a))           \
    X(CXSourceLocation, clang_getRangeEnd, (CXSourceRange a), (a))             \
    X(unsigned, clang_getNumDiagnostics, (CXTranslationUnit a), (a))           \
    X(CXDiagnostic, clang_getDiagnostic, (CXTranslationUnit a, unsigned b),    \
      (a, b))                                                                  \
    V(clang_disposeDiagnostic, (CXDiagnostic a), (a))                          \
    X(enum CXDiagnosticSeverity, clang_getDiagnosticSeverity,                  \
      (CXDiagnostic a), (a))                                                   \
    X(CXSourceLocation, clang_getDiagnosticLocation, (CXDiagnostic a), (a))    \
    X(CXString, clang_getDiagnosticSpelling, (CXDiagnostic a), (a))

/* The resolved pointers, one member per function, named after it. A type
   and a parameter list cannot be parenthesised. */
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define PG_MEMBER_X(ret, name, params, args) ret(*name) params;
// NOLINTNEXTLINE(bugprone-macro-parentheses)
#define PG_MEMBER_V(name, params, args) void(*name) params;
static struct {
    PG_CLANG_FUNCTIONS(PG_MEMBER_X, PG_MEMBER_V)
} fn;

static int loaded;

/* dlsym's void * to a function pointer, without the cast ISO C leaves
   undefined. */
static int resolve(void *lib, const char *name, void *slot, size_t size,
                   pg_error *err, const char *libname)
{
    void *p = dlsym(lib, name);
    if (p == NULL) {
        snprintf(err->msg, sizeof err->msg,
                 "%s has no %s: procguard needs libclang 14 or later", libname,
                 name);
        return -1;
    }
    memcpy(slot, &p, size);
    return 0;
}

int pg_libclang_load(pg_error *err)
{
    if (loaded)
        return 0;
    const char *libname = PG_LIBCLANG_PATH;
    void *lib = dlopen(libname, RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL && PG_LIBCLANG_SONAME[0] != '\0') {
        libname = PG_LIBCLANG_SONAME;
        lib = dlopen(libname, RTLD_NOW | RTLD_LOCAL);
    }
    if (lib == NULL) {
        const char *why = dlerror();
        /* the path the build found, and its soname if that is gone */
        snprintf(err->msg, sizeof err->msg,
                 "cannot load libclang (%s%s%s): %s; install it (Debian: "
                 "libclang1-14) or run without -p for the tree-sitter pass "
                 "alone",
                 PG_LIBCLANG_PATH, PG_LIBCLANG_SONAME[0] ? ", " : "",
                 PG_LIBCLANG_SONAME, why ? why : "not found");
        return -1;
    }
#define PG_RESOLVE_X(ret, name, params, args)                                  \
    if (resolve(lib, #name, &fn.name, sizeof fn.name, err, libname) != 0)      \
        return -1;
#define PG_RESOLVE_V(name, params, args) PG_RESOLVE_X(void, name, params, args)
    PG_CLANG_FUNCTIONS(PG_RESOLVE_X, PG_RESOLVE_V)
    loaded = 1; /* the library stays open for the life of the process */
    return 0;
}

void pg_libclang_identity(char *buf, size_t n)
{
    struct stat st;
    const char *name = PG_LIBCLANG_PATH;
    if (stat(name, &st) != 0 && PG_LIBCLANG_SONAME[0] != '\0')
        name = PG_LIBCLANG_SONAME; /* found on the loader's path, unknown */
    if (stat(name, &st) != 0)
        memset(&st, 0, sizeof st);
    snprintf(buf, n, "%s ino=%llu size=%lld mtime=%lld.%09ld", name,
             (unsigned long long)st.st_ino, (long long)st.st_size,
             (long long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
}

/* The forwarders clang_pass.c links against. */
#define PG_FORWARD_X(ret, name, params, args)                                  \
    ret name params                                                            \
    {                                                                          \
        return fn.name args;                                                   \
    }
#define PG_FORWARD_V(name, params, args)                                       \
    void name params                                                           \
    {                                                                          \
        fn.name args;                                                          \
    }
PG_CLANG_FUNCTIONS(PG_FORWARD_X, PG_FORWARD_V)
