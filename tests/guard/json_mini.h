/*
 * json_mini.h - a strict little JSON reader for the end-to-end tests: they
 * check procguard's json and sarif output is valid JSON, then walk it.
 */
#ifndef JSON_MINI_H
#define JSON_MINI_H

#include <stddef.h>

typedef enum jtype { J_NULL, J_BOOL, J_NUM, J_STR, J_ARR, J_OBJ } jtype;

typedef struct jval {
    jtype t;
    int b;
    double num;
    char *str;           /* J_STR: decoded, NUL-terminated */
    struct jval **items; /* J_ARR, J_OBJ */
    char **keys;         /* J_OBJ */
    size_t n;
} jval;

/* Parse the whole of text; NULL on any syntax error (trailing junk too). */
jval *json_parse(const char *text, size_t len);
void json_free(jval *v);

/* obj[key], or NULL when v is not an object or lacks key. */
const jval *json_get(const jval *v, const char *key);
/* A string member, or NULL. */
const char *json_str(const jval *v, const char *key);
/* A number member, or -1. */
double json_num(const jval *v, const char *key);

#endif
