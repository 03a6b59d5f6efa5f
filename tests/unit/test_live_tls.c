/* The TLS probe's own handshake bytes: the ClientHello layout for each
 * version (RFC 5246 / RFC 8446 field by field) and the parser of the
 * server's answer on real ServerHellos and alerts captured from the lab's
 * lighttpd (fuzz/corpus/fuzz_tls_hello/), a HelloRetryRequest and broken
 * input. */
#include "testutil.h"

#include "live/live_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned be16(const uint8_t *p)
{
    return (unsigned)p[0] << 8 | p[1];
}

/* The extension of `type` in a ClientHello record, or NULL. */
static const uint8_t *find_extension(const uint8_t *hello, size_t len, unsigned type,
                                     unsigned *ext_len)
{
    size_t pos = 5 + 4 + 2 + 32;
    pos += 1 + hello[pos];        /* session id */
    pos += 2 + be16(hello + pos); /* suites */
    pos += 1 + hello[pos];        /* compression */
    if (pos == len)
        return NULL;
    size_t end = pos + 2 + be16(hello + pos);
    assert_int_equal(end, len);
    for (pos += 2; pos + 4 <= end; pos += 4 + be16(hello + pos + 2))
        if (be16(hello + pos) == type) {
            *ext_len = be16(hello + pos + 2);
            return hello + pos + 4;
        }
    return NULL;
}

static void test_client_hello_layout(void **state)
{
    (void)state;
    uint8_t out[1024], random[32], key[32];
    memset(random, 0xA5, sizeof(random));
    memset(key, 0x5A, sizeof(key));
    const uint16_t suites[] = {0xC02F, 0x002F};
    unsigned ext_len = 0;

    size_t n = live_tls_client_hello(out, sizeof(out), LIVE_TLS_1_2, suites, 2, "camera.lab.test",
                                     random, key);
    assert_true(n > 60);
    assert_int_equal(out[0], 22);
    assert_int_equal(be16(out + 1), 0x0301);
    assert_int_equal(be16(out + 3), n - 5);
    assert_int_equal(out[5], 1);
    assert_int_equal((size_t)out[6] << 16 | (size_t)out[7] << 8 | out[8], n - 9);
    assert_int_equal(be16(out + 9), 0x0303);
    assert_memory_equal(out + 11, random, 32);
    assert_int_equal(out[43], 0);        /* no session id */
    assert_int_equal(be16(out + 44), 4); /* two suites */
    assert_int_equal(be16(out + 46), 0xC02F);
    const uint8_t *sni = find_extension(out, n, 0, &ext_len);
    assert_non_null(sni);
    assert_int_equal(ext_len, 5 + strlen("camera.lab.test"));
    assert_memory_equal(sni + 5, "camera.lab.test", strlen("camera.lab.test"));
    assert_non_null(find_extension(out, n, 13, &ext_len)); /* signature_algorithms */
    assert_null(find_extension(out, n, 43, &ext_len));     /* no supported_versions */

    /* TLS 1.3: legacy version 1.2, supported_versions {1.3}, an X25519 share. */
    n = live_tls_client_hello(out, sizeof(out), LIVE_TLS_1_3, suites, 1, NULL, random, key);
    assert_int_equal(be16(out + 9), 0x0303);
    assert_null(find_extension(out, n, 0, &ext_len)); /* no SNI without a name */
    const uint8_t *versions = find_extension(out, n, 43, &ext_len);
    assert_non_null(versions);
    assert_int_equal(ext_len, 3);
    assert_int_equal(be16(versions + 1), 0x0304);
    const uint8_t *share = find_extension(out, n, 51, &ext_len);
    assert_non_null(share);
    assert_int_equal(be16(share + 2), 0x001D);
    assert_memory_equal(share + 6, key, 32);

    /* SSLv3: SSLv3 record and client version, no extensions at all. */
    n = live_tls_client_hello(out, sizeof(out), LIVE_TLS_SSL3, suites, 2, "x.test", random, key);
    assert_int_equal(be16(out + 1), 0x0300);
    assert_int_equal(be16(out + 9), 0x0300);
    assert_int_equal(n, 5 + 4 + 2 + 32 + 1 + 2 + 4 + 2);

    /* An address is not a server name; a buffer too small gives 0. */
    n = live_tls_client_hello(out, sizeof(out), LIVE_TLS_1_2, suites, 2, "10.0.0.1 x", random, key);
    assert_null(find_extension(out, n, 0, &ext_len));
    assert_int_equal(live_tls_client_hello(out, 40, LIVE_TLS_1_2, suites, 2, NULL, random, key), 0);
}

static uint8_t *corpus(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof(path), "%s/fuzz/corpus/fuzz_tls_hello/%s", getenv("IOTCOP_SOURCE"), name);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    uint8_t *data = malloc(8192);
    assert_non_null(data);
    *len = fread(data, 1, 8192, f);
    fclose(f);
    return data;
}

static void test_parse_captured(void **state)
{
    (void)state;
    static const struct {
        const char *file;
        enum live_tls_reply_kind kind;
        uint16_t version;
        int weak_kind; /* the chosen suite's kind, -1 for alerts */
    } cases[] = {
        {"good-tls13", LIVE_TLS_SERVER_HELLO, LIVE_TLS_1_3, LIVE_TLS_TLS13},
        {"good-tls12", LIVE_TLS_SERVER_HELLO, LIVE_TLS_1_2, LIVE_TLS_STRONG},
        {"weak-tls10", LIVE_TLS_SERVER_HELLO, LIVE_TLS_1_0, LIVE_TLS_STRONG},
        {"weak-anon-tls12", LIVE_TLS_SERVER_HELLO, LIVE_TLS_1_2, LIVE_TLS_ANON},
        {"weak-null-tls12", LIVE_TLS_SERVER_HELLO, LIVE_TLS_1_2, LIVE_TLS_NULL},
        {"good-alert-tls10", LIVE_TLS_ALERT, 0, -1},
        {"good-alert-no-cipher", LIVE_TLS_ALERT, 0, -1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        size_t len = 0;
        uint8_t *data = corpus(cases[i].file, &len);
        struct live_tls_reply r;
        assert_int_equal(live_tls_parse_reply(data, len, &r), 1);
        assert_int_equal(r.kind, cases[i].kind);
        if (cases[i].weak_kind >= 0) {
            assert_int_equal(r.version, cases[i].version);
            const struct live_tls_suite *s = live_tls_suite_find(r.suite);
            assert_non_null(s);
            assert_int_equal(s->kind, cases[i].weak_kind);
        } else {
            assert_int_equal(r.alert_level, 2); /* fatal */
        }
        /* Every shorter read asks for more bytes, never misreads. */
        for (size_t n = 0; n < 5 + 4 && n < len; n++)
            assert_int_equal(live_tls_parse_reply(data, n, &r), 0);
        free(data);
    }
}

static void test_parse_retry_and_broken(void **state)
{
    (void)state;
    /* A HelloRetryRequest: ServerHello with the RFC 8446 magic random. */
    uint8_t hrr[5 + 4 + 2 + 32 + 1 + 3 + 2 + 6] = {
        22, 3, 3, 0, 4 + 2 + 32 + 1 + 3 + 2 + 6, 2, 0, 0, 2 + 32 + 1 + 3 + 2 + 6, 3, 3};
    static const uint8_t magic[32] = {
        0xCF, 0x21, 0xAD, 0x74, 0xE5, 0x9A, 0x61, 0x11, 0xBE, 0x1D, 0x8C,
        0x02, 0x1E, 0x65, 0xB8, 0x91, 0xC2, 0xA2, 0x11, 0x16, 0x7A, 0xBB,
        0x8C, 0x5E, 0x07, 0x9E, 0x09, 0xE2, 0xC8, 0xA8, 0x33, 0x9C,
    };
    memcpy(hrr + 11, magic, 32);
    uint8_t tail[] = {0, 0x13, 0x01, 0, 0, 6, 0, 43, 0, 2, 3, 4};
    memcpy(hrr + 43, tail, sizeof(tail));
    struct live_tls_reply r;
    assert_int_equal(live_tls_parse_reply(hrr, sizeof(hrr), &r), 1);
    assert_int_equal(r.kind, LIVE_TLS_RETRY_REQUEST);
    assert_int_equal(r.version, LIVE_TLS_1_3);
    assert_int_equal(r.suite, 0x1301);
    /* The same split over two records still parses. */
    uint8_t split[sizeof(hrr) + 5];
    memcpy(split, hrr, 5 + 10);
    split[3] = 0;
    split[4] = 10;
    uint8_t second[5] = {22, 3, 3, 0, (uint8_t)(sizeof(hrr) - 5 - 10)};
    memcpy(split + 15, second, 5);
    memcpy(split + 20, hrr + 15, sizeof(hrr) - 15);
    assert_int_equal(live_tls_parse_reply(split, sizeof(split), &r), 1);
    assert_int_equal(r.kind, LIVE_TLS_RETRY_REQUEST);
    /* Extensions that overrun, an HTTP answer, an SSLv2 record, application data. */
    hrr[sizeof(hrr) - 3] = 9;
    assert_int_equal(live_tls_parse_reply(hrr, sizeof(hrr), &r), -1);
    assert_int_equal(live_tls_parse_reply((const uint8_t *)"HTTP/1.1 400 Bad", 16, &r), -1);
    const uint8_t v2[] = {0x80, 0x2e, 0x04, 0x00, 0x01, 0x00, 0x02};
    assert_int_equal(live_tls_parse_reply(v2, sizeof(v2), &r), -1);
    const uint8_t data[] = {23, 3, 3, 0, 2, 1, 2};
    assert_int_equal(live_tls_parse_reply(data, sizeof(data), &r), -1);
}

static void test_ssl2(void **state)
{
    (void)state;
    /* The CLIENT-HELLO: 2-byte header with the high bit, type 1, version 2,
     * seven 3-byte cipher kinds, no session id, a 16-byte challenge. */
    uint8_t challenge[16], out[128];
    memset(challenge, 0xC3, sizeof(challenge));
    size_t n = live_ssl2_client_hello(out, sizeof(out), challenge);
    assert_int_equal(n, 2 + 9 + 21 + 16);
    assert_int_equal(out[0], 0x80);
    assert_int_equal(out[1], 9 + 21 + 16);
    assert_int_equal(out[2], 1);
    assert_int_equal(be16(out + 3), 0x0002);
    assert_int_equal(be16(out + 5), 21);
    assert_int_equal(be16(out + 7), 0);
    assert_int_equal(be16(out + 9), 16);
    assert_memory_equal(out + 11, "\x01\x00\x80", 3);
    assert_memory_equal(out + n - 16, challenge, 16);
    assert_int_equal(live_ssl2_client_hello(out, 40, challenge), 0); /* does not fit */

    /* A SERVER-HELLO with a real certificate and three cipher kinds. */
    size_t len = 0;
    uint8_t *hello = corpus("ssl2-server-hello", &len);
    struct live_ssl2_reply r;
    assert_int_equal(live_ssl2_parse_server_hello(hello, len, &r), 1);
    assert_int_equal(r.version, LIVE_TLS_SSL2);
    assert_int_equal(r.cipher_count, 3);
    assert_int_equal(r.ciphers[0], 0x010080);
    assert_int_equal(r.ciphers[1], 0x0700C0);
    assert_string_equal(live_ssl2_cipher_name(r.ciphers[2]), "SSL_CK_RC4_128_EXPORT40_WITH_MD5");
    assert_int_equal(r.certificate_length, be16(hello + 2 + 5));
    assert_non_null(r.certificate);
    assert_int_equal(r.certificate[0], 0x30); /* DER SEQUENCE */
    for (size_t k = 0; k < len; k++)
        assert_int_equal(live_ssl2_parse_server_hello(hello, k, &r), 0);
    /* Neither is an SSLv2 server hello for the TLS parser, nor a TLS one for this. */
    struct live_tls_reply t;
    assert_int_equal(live_tls_parse_reply(hello, len, &t), -1);
    free(hello);
    uint8_t *tls = corpus("weak-tls10", &len);
    assert_int_equal(live_ssl2_parse_server_hello(tls, len, &r), -1);
    free(tls);

    /* Hand-built: an ERROR message, lengths that do not add up, a cipher
     * list not in 3-byte steps, a short connection id, another version. */
    const uint8_t error[] = {0x80, 0x03, 0x00, 0x00, 0x01};
    assert_int_equal(live_ssl2_parse_server_hello(error, sizeof(error), &r), -1);
    uint8_t base[2 + 11 + 3 + 16] = {0x80, 11 + 3 + 16, 4, 0, 1,  0, 2, 0,
                                     0,    0,           3, 0, 16, 1, 0, 0x80};
    assert_int_equal(live_ssl2_parse_server_hello(base, sizeof(base), &r), 1);
    assert_int_equal(r.cipher_count, 1);
    assert_null(r.certificate);
    uint8_t bad[sizeof(base)];
    memcpy(bad, base, sizeof(base));
    bad[1] = 11 + 3 + 17;
    assert_int_equal(live_ssl2_parse_server_hello(bad, sizeof(bad), &r), -1);
    memcpy(bad, base, sizeof(base));
    bad[10] = 2;
    assert_int_equal(live_ssl2_parse_server_hello(bad, sizeof(bad), &r), -1);
    memcpy(bad, base, sizeof(base));
    bad[12] = 8;
    bad[1] = 11 + 3 + 8;
    assert_int_equal(live_ssl2_parse_server_hello(bad, 2 + 11 + 3 + 8, &r), -1);
    memcpy(bad, base, sizeof(base));
    bad[6] = 3;
    assert_int_equal(live_ssl2_parse_server_hello(bad, sizeof(bad), &r), -1);
    assert_string_equal(live_tls_version_name(LIVE_TLS_SSL2), "SSLv2");
    assert_null(live_ssl2_cipher_name(0x123456));
}

static void test_suite_table(void **state)
{
    (void)state;
    assert_true(live_tls_suite_count > 40);
    assert_int_equal(live_tls_suite_find(0x0005)->kind, LIVE_TLS_RC4);
    assert_string_equal(live_tls_suite_find(0x000A)->name, "TLS_RSA_WITH_3DES_EDE_CBC_SHA");
    assert_int_equal(live_tls_suite_find(0x1303)->kind, LIVE_TLS_TLS13);
    assert_null(live_tls_suite_find(0xFFFF));
    assert_string_equal(live_tls_version_name(LIVE_TLS_1_1), "TLSv1.1");
    assert_null(live_tls_version_name(0x0200));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_hello_layout),
        cmocka_unit_test(test_parse_captured),
        cmocka_unit_test(test_parse_retry_and_broken),
        cmocka_unit_test(test_ssl2),
        cmocka_unit_test(test_suite_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
