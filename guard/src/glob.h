/*
 * glob.h - path globs of the allowlist and the ignore file.
 *
 * A glob is matched against a whole repository-relative, '/'-separated path
 * (it is anchored: "*.c" matches "a.c" but not "src/a.c").
 *   *       any run of characters within one path segment
 *   ?       one character, not '/'
 *   [a-z]   a class; [!a-z] or [^a-z] negated; never matches '/'
 *   **      as a whole segment: zero or more whole segments; so a
 *           trailing one matches everything below a directory, and a
 *           leading one followed by a name matches that name at any depth
 *   \c      the character c itself
 */
#ifndef PG_GLOB_H
#define PG_GLOB_H

/* NULL if `pat` is a well-formed glob, else what is wrong with it. */
const char *pg_glob_check(const char *pat);

/* 1 if the well-formed glob `pat` matches the whole of `path`, else 0. */
int pg_glob_match(const char *pat, const char *path);

#endif
