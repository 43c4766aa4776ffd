/* test_sha256.c - the cache's SHA-256 against the FIPS 180-4 / NIST test
   vectors, fed whole and in uneven pieces (the block buffering). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "sha256.h"

static void check(const char *msg, size_t n, size_t piece, const char *want)
{
    pg_sha256 s;
    pg_sha256_init(&s);
    for (size_t at = 0; at < n; at += piece)
        pg_sha256_update(&s, msg + at, n - at < piece ? n - at : piece);
    unsigned char d[32];
    char hex[65];
    pg_sha256_final(&s, d);
    pg_sha256_hex(d, hex);
    assert_string_equal(hex, want);
}

static void test_sha256_nist_vectors_whole_and_in_pieces(void **state)
{
    (void)state;
    static const char two_blocks[] =
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    const size_t pieces[] = {1, 3, 63, 64, 65, 1000};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++) {
        check(
            "abc", 3, pieces[i],
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        check(
            "", 0, pieces[i],
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        check(
            two_blocks, strlen(two_blocks), pieces[i],
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
}

static void test_sha256_one_million_a(void **state)
{
    (void)state;
    char *m = malloc(1000000);
    assert_non_null(m);
    memset(m, 'a', 1000000);
    check(m, 1000000, 4093,
          "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
    free(m);
}

static void test_sha256_str_keeps_field_boundaries(void **state)
{
    (void)state;
    unsigned char a[32], b[32], c[32];
    pg_sha256 s;
    pg_sha256_init(&s);
    pg_sha256_str(&s, "ab");
    pg_sha256_str(&s, "c");
    pg_sha256_final(&s, a);
    pg_sha256_init(&s);
    pg_sha256_str(&s, "a");
    pg_sha256_str(&s, "bc");
    pg_sha256_final(&s, b);
    pg_sha256_init(&s);
    pg_sha256_str(&s, NULL);
    pg_sha256_str(&s, "abc");
    pg_sha256_final(&s, c);
    assert_memory_not_equal(a, b, 32);
    assert_memory_not_equal(a, c, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sha256_nist_vectors_whole_and_in_pieces),
        cmocka_unit_test(test_sha256_one_million_a),
        cmocka_unit_test(test_sha256_str_keeps_field_boundaries),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
