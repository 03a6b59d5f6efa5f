/* The streaming JSON tokenizer of the vulnerability importers
 * (src/lib/vulndb/jsonpull.c): the token sequence, escapes, the grammar
 * checks (RFC 8259), the limits, and a reader that gives one byte at a time. */
#include "testutil.h"

#include "iotcop/error.h"
#include "vulndb/jsonpull.h"

#include <stdio.h>
#include <string.h>

/* Tokens of text as a compact string: { } [ ] k:key s:str n:num t f z(null) $ (eof). */
static int tokens(const char *text, char *out, size_t size)
{
    struct ic_jp_memory m = {(const uint8_t *)text, strlen(text), 0};
    struct ic_jp p;
    assert_int_equal(ic_jp_init(&p, ic_jp_read_memory, &m), IC_OK);
    out[0] = '\0';
    int rc;
    enum ic_jp_type t;
    while ((rc = ic_jp_next(&p, &t)) == IC_OK) {
        size_t len = strlen(out);
        switch (t) {
        case IC_JP_OBJECT_BEGIN:
            snprintf(out + len, size - len, "{");
            break;
        case IC_JP_OBJECT_END:
            snprintf(out + len, size - len, "}");
            break;
        case IC_JP_ARRAY_BEGIN:
            snprintf(out + len, size - len, "[");
            break;
        case IC_JP_ARRAY_END:
            snprintf(out + len, size - len, "]");
            break;
        case IC_JP_KEY:
            snprintf(out + len, size - len, "k:%s ", p.str);
            break;
        case IC_JP_STRING:
            snprintf(out + len, size - len, "s:%s ", p.str);
            break;
        case IC_JP_NUMBER:
            snprintf(out + len, size - len, "n:%s ", p.str);
            break;
        case IC_JP_TRUE:
            snprintf(out + len, size - len, "t");
            break;
        case IC_JP_FALSE:
            snprintf(out + len, size - len, "f");
            break;
        case IC_JP_NULL:
            snprintf(out + len, size - len, "z");
            break;
        case IC_JP_EOF:
            snprintf(out + len, size - len, "$");
            break;
        default:
            break;
        }
        if (t == IC_JP_EOF)
            break;
    }
    ic_jp_release(&p);
    return rc;
}

static void test_sequence(void **state)
{
    (void)state;
    char out[512];
    assert_int_equal(
        tokens(" {\"a\": [1, -2.5e3, true, false, null, \"x\"], \"b\": {}} \n", out, sizeof(out)),
        IC_OK);
    assert_string_equal(out, "{k:a [n:1 n:-2.5e3 tfzs:x ]k:b {}}$");
    assert_int_equal(tokens("[]", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "[]$");
    assert_int_equal(tokens("\"top\"", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "s:top $");
    assert_int_equal(tokens("0", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "n:0 $");
}

static void test_escapes(void **state)
{
    (void)state;
    char out[512];
    assert_int_equal(
        tokens("[\"a\\\"b\\\\c\\/d\\n\\u00e9\\u20ac\\ud83d\\ude00\"]", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "[s:a\"b\\c/d\n\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80 ]$");
    /* a lone surrogate becomes U+FFFD */
    assert_int_equal(tokens("[\"\\udc00\"]", out, sizeof(out)), IC_OK);
    assert_string_equal(out, "[s:\xef\xbf\xbd ]$");
}

static void test_errors(void **state)
{
    (void)state;
    char out[512];
    const char *bad_format[] = {
        "{\"a\" 1}",  "{\"a\":1,}", "[1,]", "[1 2]",   "{1:2}", "[tru]",
        "[nul]",      "[01]",       "[1.]", "[1e]",    "[-]",   "[\"\\x\"]",
        "[\"a\nb\"]", "[1]]",       "{]",   "[1] [2]", "@",     "[\"\\u12G4\"]",
    };
    for (size_t i = 0; i < sizeof(bad_format) / sizeof(bad_format[0]); i++)
        if (tokens(bad_format[i], out, sizeof(out)) != IC_E_FORMAT)
            fail_msg("'%s' was accepted or gave the wrong error", bad_format[i]);
    const char *cut[] = {"", "[", "{\"a\":", "[\"abc", "{\"a\"", "[1,", "[\"\\u12"};
    for (size_t i = 0; i < sizeof(cut) / sizeof(cut[0]); i++)
        if (tokens(cut[i], out, sizeof(out)) != IC_E_TRUNCATED)
            fail_msg("'%s' did not end as truncated", cut[i]);
}

static void test_limits(void **state)
{
    (void)state;
    char out[512];
    char deep[IC_JP_MAX_DEPTH * 2 + 8];
    memset(deep, '[', IC_JP_MAX_DEPTH + 1);
    deep[IC_JP_MAX_DEPTH + 1] = '\0';
    assert_int_equal(tokens(deep, out, sizeof(out)), IC_E_LIMIT_DEPTH);

    /* a string longer than the cap is cut and flagged, and parsing goes on */
    size_t n = IC_JP_MAX_STRING + 100;
    char *big = malloc(n + 16);
    big[0] = '[';
    big[1] = '"';
    memset(big + 2, 'a', n);
    memcpy(big + 2 + n, "\",7]", 5);
    struct ic_jp_memory m = {(const uint8_t *)big, strlen(big), 0};
    struct ic_jp p;
    enum ic_jp_type t;
    assert_int_equal(ic_jp_init(&p, ic_jp_read_memory, &m), IC_OK);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(t, IC_JP_STRING);
    assert_int_equal(p.str_len, IC_JP_MAX_STRING);
    assert_true(p.str_truncated);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(t, IC_JP_NUMBER);
    assert_string_equal(p.str, "7");
    ic_jp_release(&p);
    free(big);
    /* a number with too many digits */
    char longnum[IC_JP_MAX_NUMBER + 8];
    memset(longnum, '1', sizeof(longnum) - 1);
    longnum[sizeof(longnum) - 1] = '\0';
    assert_int_equal(tokens(longnum, out, sizeof(out)), IC_E_FORMAT);
}

/* A reader that hands out one byte per call: tokens never depend on where
 * the window ends. */
static size_t read_one(void *ctx, uint8_t *buf, size_t n)
{
    struct ic_jp_memory *m = ctx;
    if (!n || m->pos >= m->size)
        return 0;
    buf[0] = m->data[m->pos++];
    return 1;
}

static void test_skip_and_readers(void **state)
{
    (void)state;
    const char *text = "{\"skip\":{\"a\":[1,{\"b\":[]}]},\"n\":\"12.5\",\"t\":true,\"s\":[1],"
                       "\"u\":\"\\u0041\"}";
    struct ic_jp_memory m = {(const uint8_t *)text, strlen(text), 0};
    struct ic_jp p;
    enum ic_jp_type t;
    assert_int_equal(ic_jp_init(&p, read_one, &m), IC_OK);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_true(ic_jp_is(&p, "skip"));
    assert_int_equal(ic_jp_skip(&p), IC_OK);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_true(ic_jp_is(&p, "n"));
    double v = 0;
    int ok = 0;
    assert_int_equal(ic_jp_read_number(&p, &v, &ok), IC_OK);
    assert_true(ok);
    assert_true(v == 12.5);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    int b = 0;
    assert_int_equal(ic_jp_read_bool(&p, &b), IC_OK);
    assert_true(b);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    char text_out[8];
    assert_int_equal(ic_jp_read_text(&p, text_out, sizeof(text_out)), IC_OK); /* an array */
    assert_string_equal(text_out, "");
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(ic_jp_read_text(&p, text_out, 2), IC_OK);
    assert_string_equal(text_out, "A");
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(t, IC_JP_OBJECT_END);
    assert_int_equal(ic_jp_next(&p, &t), IC_OK);
    assert_int_equal(t, IC_JP_EOF);
    ic_jp_release(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sequence),         cmocka_unit_test(test_escapes),
        cmocka_unit_test(test_errors),           cmocka_unit_test(test_limits),
        cmocka_unit_test(test_skip_and_readers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
