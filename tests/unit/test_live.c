/* The live audit's pure parts: targets (addresses, CIDR ranges, exclusions,
 * the /16 cap), --ports, the credential order, and the reply parsers and
 * request builders against published known answers (RFC 2617 digest,
 * RFC 7617 basic, the MQTT 3.1.1 CONNECT layout). */
#include "testutil.h"

#include "checks/credentials/dict.h"
#include "iotcop/error.h"
#include "iotcop/live.h"
#include "live/live_internal.h"

#include <stdio.h>
#include <string.h>

static void test_targets_ranges(void **state)
{
    (void)state;
    struct ic_live_targets t;
    char detail[256];
    ic_live_targets_init(&t);
    assert_int_equal(ic_live_targets_add(&t, "192.168.7.9/30", 0, detail, sizeof(detail)), IC_OK);
    /* 192.168.7.8/30 without its network and broadcast addresses. */
    assert_int_equal(t.count, 2);
    assert_string_equal(t.items[0].address, "192.168.7.9");
    assert_string_equal(t.items[1].address, "192.168.7.10");
    assert_true(t.items[0].from_range);
    /* Again, and a single address inside: no duplicates. */
    assert_int_equal(ic_live_targets_add(&t, "192.168.7.8/30", 0, detail, sizeof(detail)), IC_OK);
    assert_int_equal(ic_live_targets_add(&t, "192.168.7.10", 0, detail, sizeof(detail)), IC_OK);
    assert_int_equal(t.count, 2);
    assert_int_equal(ic_live_targets_add(&t, "fd00:1::/126", 0, detail, sizeof(detail)), IC_OK);
    assert_int_equal(t.count, 6);
    assert_string_equal(t.items[2].address, "fd00:1::");
    assert_string_equal(t.items[5].address, "fd00:1::3");
    assert_int_equal(t.items[5].addr.ss_family, AF_INET6);
    assert_int_equal(ic_live_targets_add(&t, "10.1.2.3/32", 0, detail, sizeof(detail)), IC_OK);
    assert_int_equal(t.count, 7);
    assert_false(t.items[6].from_range);
    ic_live_targets_release(&t);

    ic_live_targets_init(&t);
    assert_int_equal(ic_live_targets_add(&t, "10.0.0.0/24", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 254);
    assert_int_equal(ic_live_targets_add(&t, "10.0.0.0/16", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 65534);
    ic_live_targets_release(&t);
}

static void test_targets_refused(void **state)
{
    (void)state;
    struct ic_live_targets t;
    char detail[256];
    ic_live_targets_init(&t);
    const char *bad[] = {"10.0.0.0/33", "10.0.0.300", "1.2.3",  "10.0.0.0/", "10.0.0.0/x",
                         "fd00::/129",  "a b",        "::1::2", "",          "10.0.0.1/1234"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        detail[0] = '\0';
        assert_int_equal(ic_live_targets_add(&t, bad[i], 1, detail, sizeof(detail)),
                         IC_E_INVALID_ARG);
        assert_true(strlen(detail) > 0);
    }
    assert_int_equal(ic_live_targets_add(&t, "10.0.0.0/15", 0, detail, sizeof(detail)),
                     IC_E_INVALID_ARG);
    assert_non_null(strstr(detail, "--allow-large"));
    assert_int_equal(ic_live_targets_add(&t, "fd00::/111", 0, detail, sizeof(detail)),
                     IC_E_INVALID_ARG);
    /* Even with allow_large, never more than IC_LIVE_MAX_TARGETS. */
    assert_int_equal(ic_live_targets_add(&t, "10.0.0.0/8", 1, detail, sizeof(detail)),
                     IC_E_INVALID_ARG);
    /* Group and broadcast addresses, and ranges holding them, are never targets. */
    const char *groups[] = {"239.255.255.250", "224.0.0.251",  "255.255.255.255",
                            "ff02::c",         "ff02::fb/127", "192.0.0.0/2"};
    for (size_t i = 0; i < sizeof(groups) / sizeof(groups[0]); i++) {
        detail[0] = '\0';
        assert_int_equal(ic_live_targets_add(&t, groups[i], 1, detail, sizeof(detail)),
                         IC_E_INVALID_ARG);
        assert_non_null(strstr(detail, "--multicast"));
    }
    assert_int_equal(t.count, 0);
    assert_int_equal(ic_live_targets_add(&t, "10.0.0.0/15", 1, detail, sizeof(detail)), IC_OK);
    assert_int_equal(t.count, 131070);
    ic_live_targets_release(&t);
}

static void test_targets_exclude(void **state)
{
    (void)state;
    struct ic_live_targets t;
    ic_live_targets_init(&t);
    /* Exclusions before and after the add both hold. */
    assert_int_equal(ic_live_targets_exclude(&t, "10.9.0.5", NULL, 0), IC_OK);
    assert_int_equal(ic_live_targets_add(&t, "10.9.0.0/29", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 5); /* .1 .. .6 without .5 */
    for (size_t i = 0; i < t.count; i++)
        assert_string_not_equal(t.items[i].address, "10.9.0.5");
    assert_int_equal(ic_live_targets_exclude(&t, "10.9.0.0/30", NULL, 0), IC_OK);
    assert_int_equal(t.count, 2);
    assert_string_equal(t.items[0].address, "10.9.0.4");
    assert_string_equal(t.items[1].address, "10.9.0.6");
    assert_int_equal(ic_live_targets_add(&t, "10.9.0.2", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 2);
    /* The index still finds duplicates after the list shrank. */
    assert_int_equal(ic_live_targets_add(&t, "10.9.0.6", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 2);
    assert_int_equal(ic_live_targets_add(&t, "localhost", 0, NULL, 0), IC_OK);
    assert_int_equal(t.count, 3);
    assert_string_equal(t.items[2].hostname, "localhost");
    ic_live_targets_release(&t);
}

static void test_ports(void **state)
{
    (void)state;
    uint16_t ports[16];
    size_t n = 0;
    assert_int_equal(ic_live_parse_ports("23,80,8000-8002,23", ports, 16, &n), IC_OK);
    assert_int_equal(n, 5);
    assert_int_equal(ports[0], 23);
    assert_int_equal(ports[2], 8000);
    assert_int_equal(ports[4], 8002);
    const char *bad[] = {"0", "65536", "80-70", "a", "80,", ",80", "80--90", "", "1-20"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
        assert_int_equal(ic_live_parse_ports(bad[i], ports, 16, &n), IC_E_INVALID_ARG);
}

static void test_credentials_order(void **state)
{
    (void)state;
    struct live_ctx ctx;
    memset(&ctx, 0, sizeof(ctx));
    ic_live_options_default(&ctx.o);
    struct ic_live_credential mine[] = {{"me", "secret"}, {"me", "secret"}};
    ctx.o.extra = mine;
    ctx.o.extra_count = 2;
    struct live_cred *list = NULL;
    size_t n = 0;
    assert_int_equal(live_credentials_for(&ctx, "telnet", &list, &n), IC_OK);
    assert_int_equal(n, 1 + IC_LIVE_DEFAULT_CREDENTIALS_PER_SERVICE);
    assert_string_equal(list[0].user, "me");
    assert_true(list[0].from_user);
    /* The built-in pairs come most-named first: no later telnet pair is
     * named by more lists than an earlier one. */
    unsigned previous = ~0u;
    for (size_t i = 1; i < n; i++) {
        const struct ic_cred_default *d = ic_cred_default_lookup(list[i].user, list[i].password);
        assert_non_null(d);
        assert_false(list[i].from_user);
        unsigned lists = 0;
        for (size_t k = 0; k < ic_cred_default_count; k++)
            if ((strcmp(ic_cred_defaults[k].service, "telnet") == 0 ||
                 strcmp(ic_cred_defaults[k].service, "any") == 0) &&
                strcmp(ic_cred_defaults[k].user, list[i].user) == 0 &&
                strcmp(ic_cred_defaults[k].password, list[i].password) == 0 &&
                ic_cred_defaults[k].lists > lists)
                lists = ic_cred_defaults[k].lists;
        assert_true(lists <= previous);
        previous = lists;
    }
    free(list);
    ctx.o.extra_count = 0;
    ctx.o.full_dictionary = 1;
    assert_int_equal(live_credentials_for(&ctx, "ftp", &list, &n), IC_OK);
    assert_true(n > 100);
    free(list);
}

static void test_read_credentials(void **state)
{
    (void)state;
    char *dir = test_tmpdir("live-creds");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/pairs.txt", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("# comment\r\nadmin:admin\r\n\nroot\tpa:ss\nuser:\n", f);
    fclose(f);
    struct ic_live_credential *c = NULL;
    size_t n = 0;
    char detail[256];
    assert_int_equal(ic_live_read_credentials(path, &c, &n, detail, sizeof(detail)), IC_OK);
    assert_int_equal(n, 3);
    assert_string_equal(c[0].user, "admin");
    assert_string_equal(c[0].password, "admin");
    assert_string_equal(c[1].user, "root");
    assert_string_equal(c[1].password, "pa:ss");
    assert_string_equal(c[2].password, "");
    free(c);
    f = fopen(path, "w");
    fputs("admin:admin\nnoseparator\n", f);
    fclose(f);
    assert_int_equal(ic_live_read_credentials(path, &c, &n, detail, sizeof(detail)), IC_E_FORMAT);
    assert_non_null(strstr(detail, ":2:"));
    free(dir);
}

static void test_telnet_filter(void **state)
{
    (void)state;
    /* WILL ECHO, DO TTYPE, "log", IAC IAC, "x", SB TTYPE ... SE, "y", WILL LINEMODE(34) */
    static const uint8_t in[] = {255, 251, 1,   255, 253, 24,  'l', 'o', 'g', 255, 255,
                                 'x', 255, 250, 24,  1,   255, 240, 'y', 255, 251, 34};
    struct live_telnet t = {0};
    uint8_t text[64], reply[64];
    size_t tn = sizeof(text), rn = sizeof(reply);
    live_telnet_filter(&t, in, sizeof(in), text, &tn, reply, &rn);
    assert_int_equal(tn, 6);
    assert_memory_equal(text, "log\xffxy", 6);
    static const uint8_t want[] = {255, 253, 1, 255, 252, 24, 255, 254, 34};
    assert_int_equal(rn, sizeof(want));
    assert_memory_equal(reply, want, sizeof(want));
    /* The same bytes one at a time give the same result. */
    struct live_telnet t2 = {0};
    size_t total_t = 0, total_r = 0;
    for (size_t i = 0; i < sizeof(in); i++) {
        size_t a = sizeof(text) - total_t, b = sizeof(reply) - total_r;
        live_telnet_filter(&t2, in + i, 1, text + total_t, &a, reply + total_r, &b);
        total_t += a;
        total_r += b;
    }
    assert_int_equal(total_t, 6);
    assert_int_equal(total_r, sizeof(want));
    assert_memory_equal(reply, want, sizeof(want));
}

static void test_telnet_prompt(void **state)
{
    (void)state;
#define P(s) live_telnet_prompt((const uint8_t *)(s), strlen(s))
    assert_int_equal(P("Welcome\r\nrouter login: "), LIVE_PROMPT_LOGIN);
    assert_int_equal(P("Username:"), LIVE_PROMPT_LOGIN);
    assert_int_equal(P("root\r\nPassword: "), LIVE_PROMPT_PASSWORD);
    assert_int_equal(P("\r\nLogin incorrect\r\n"), LIVE_PROMPT_REFUSED);
    assert_int_equal(P("Access denied\r\n"), LIVE_PROMPT_REFUSED);
    /* Shell-looking text is no prompt we act on. */
    assert_int_equal(P("# $ ### root@device:~# "), LIVE_PROMPT_NONE);
    assert_int_equal(P(""), LIVE_PROMPT_NONE);
#undef P
}

static void test_ftp_reply(void **state)
{
    (void)state;
    struct live_ftp_reply r;
    const char *one = "220 (vsFTPd 3.0.3)\r\n331 next";
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)one, strlen(one), &r), 1);
    assert_int_equal(r.code, 220);
    assert_int_equal(r.length, 20);
    assert_string_equal(r.text, "(vsFTPd 3.0.3)");
    const char *multi = "230-Welcome\r\n230-  to the box\r\n 230 not the end\r\n230 Login ok.\r\n";
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)multi, strlen(multi), &r), 1);
    assert_int_equal(r.code, 230);
    assert_int_equal(r.length, strlen(multi));
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)multi, 30, &r), 0);
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)"22", 2, &r), 0);
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)"SSH-2.0-x\r\n", 11, &r), -1);
    assert_int_equal(live_ftp_parse_reply((const uint8_t *)"999 x\r\n", 7, &r), -1);
}

static void test_http_parse(void **state)
{
    (void)state;
    static uint8_t scratch[4096];
    struct live_http_response r;
    const char *resp =
        "HTTP/1.1 401 Unauthorized\r\nServer: lighttpd/1.4.69\r\n"
        "WWW-Authenticate: Basic realm=\"cam\"\r\n"
        "WWW-Authenticate: Digest realm=\"cam\", algorithm=SHA-256, nonce=\"n2\", qop=\"auth\"\r\n"
        "WWW-Authenticate: Digest realm=\"cam\", nonce=\"n1\\\"x\", opaque=\"op\", qop=\"auth-int, "
        "auth\", algorithm=MD5\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
    assert_int_equal(
        live_http_parse((const uint8_t *)resp, strlen(resp), scratch, sizeof(scratch), &r), 0);
    assert_int_equal(r.status, 401);
    assert_string_equal(r.server, "lighttpd/1.4.69");
    assert_true(r.challenge.basic);
    assert_true(r.challenge.digest);
    assert_string_equal(r.challenge.nonce, "n1\"x");
    assert_string_equal(r.challenge.opaque, "op");
    assert_string_equal(r.challenge.algorithm, "MD5");
    assert_true(r.challenge.qop_auth);
    assert_true(r.chunked);
    assert_true(r.complete);
    assert_int_equal(r.body_length, 11);
    assert_memory_equal(r.body, "hello world", 11);

    const char *partial = "HTTP/1.0 200 OK\r\nContent-Length: 10\r\nLocation: http://x/\r\n\r\nabc";
    assert_int_equal(
        live_http_parse((const uint8_t *)partial, strlen(partial), scratch, sizeof(scratch), &r),
        0);
    assert_int_equal(r.status, 200);
    assert_false(r.complete);
    assert_int_equal(r.content_length, 10);
    assert_string_equal(r.location, "http://x/");
    assert_int_equal(
        live_http_parse((const uint8_t *)"HTTP/1.1 200", 12, scratch, sizeof(scratch), &r), 0);
    assert_int_equal(r.header_length, 0);
    assert_int_equal(
        live_http_parse((const uint8_t *)"HTTP/1.1 abc\r\n\r\n", 16, scratch, sizeof(scratch), &r),
        -1);
    assert_int_equal(
        live_http_parse((const uint8_t *)"SSH-2.0-OpenSSH_9\r\n", 19, scratch, sizeof(scratch), &r),
        -1);
    const char *nohead = "HTTP/1.1 200 OK\r\nServer: x\r\n";
    assert_int_equal(
        live_http_parse((const uint8_t *)nohead, strlen(nohead), scratch, sizeof(scratch), &r), 0);
    assert_int_equal(r.header_length, 0);
}

static void test_http_auth_known_answers(void **state)
{
    (void)state;
    char out[200];
    /* RFC 2617, section 3.5. */
    live_http_digest_response("MD5", "Mufasa", "testrealm@host.com", "Circle Of Life", "GET",
                              "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001",
                              "0a4f113b", "auth", out);
    assert_string_equal(out, "6629fae49393a05397450978507c4ef1");
    /* RFC 7616, section 3.9.1 (SHA-256). */
    live_http_digest_response("SHA-256", "Mufasa", "http-auth@example.org", "Circle of Life", "GET",
                              "/dir/index.html", "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                              "00000001", "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", "auth",
                              out);
    assert_string_equal(out, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    /* RFC 7617, section 2. */
    assert_int_equal(live_http_basic("Aladdin", "open sesame", out, sizeof(out)), 0);
    assert_string_equal(out, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

static void test_mqtt(void **state)
{
    (void)state;
    uint8_t out[256];
    size_t n = live_mqtt_connect(out, sizeof(out), "a", NULL, NULL);
    static const uint8_t anonymous[] = {0x10, 13,   0, 4,  'M', 'Q', 'T', 'T',
                                        4,    0x02, 0, 30, 0,   1,   'a'};
    assert_int_equal(n, sizeof(anonymous));
    assert_memory_equal(out, anonymous, n);
    n = live_mqtt_connect(out, sizeof(out), "a", "u", "pw");
    static const uint8_t with_login[] = {0x10, 20, 0, 4,   'M', 'Q', 'T', 'T', 4, 0xc2, 0,
                                         30,   0,  1, 'a', 0,   1,   'u', 0,   2, 'p',  'w'};
    assert_int_equal(n, sizeof(with_login));
    assert_memory_equal(out, with_login, n);
    assert_int_equal(live_mqtt_connect(out, 10, "a", NULL, NULL), 0);

    struct live_mqtt_packet p;
    static const uint8_t connack[] = {0x20, 2, 0, 5, 0x90};
    assert_int_equal(live_mqtt_parse(connack, sizeof(connack), &p), 1);
    assert_int_equal(p.type, 2);
    assert_int_equal(p.length, 4);
    assert_int_equal(p.payload[1], 5);
    /* A two-byte remaining length: 200 = 0xc8 0x01. */
    static uint8_t big[203] = {0x30, 0xc8, 0x01};
    assert_int_equal(live_mqtt_parse(big, sizeof(big), &p), 1);
    assert_int_equal(p.payload_length, 200);
    assert_int_equal(live_mqtt_parse(big, 100, &p), 0);
    static const uint8_t too_long[] = {0x30, 0xff, 0xff, 0xff, 0xff, 0x7f};
    assert_int_equal(live_mqtt_parse(too_long, sizeof(too_long), &p), -1);
    static const uint8_t zero_type[] = {0x00, 0};
    assert_int_equal(live_mqtt_parse(zero_type, sizeof(zero_type), &p), -1);
}

static void test_rules_registered(void **state)
{
    (void)state;
    const char *ids[] = {"device.default-credentials",  "device.unauthenticated-shell",
                         "device.mqtt-anonymous",       "device.ftp-anonymous",
                         "device.plaintext-login",      "device.security-txt-missing",
                         "device.security-txt-expired", "device.security-txt-invalid",
                         "device.open-service"};
    for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++)
        assert_non_null(ic_rule_find(ids[i]));
    char detail[256];
    assert_int_equal(ic_rules_validate(detail, sizeof(detail)), IC_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_targets_ranges),
        cmocka_unit_test(test_targets_refused),
        cmocka_unit_test(test_targets_exclude),
        cmocka_unit_test(test_ports),
        cmocka_unit_test(test_credentials_order),
        cmocka_unit_test(test_read_credentials),
        cmocka_unit_test(test_telnet_filter),
        cmocka_unit_test(test_telnet_prompt),
        cmocka_unit_test(test_ftp_reply),
        cmocka_unit_test(test_http_parse),
        cmocka_unit_test(test_http_auth_known_answers),
        cmocka_unit_test(test_mqtt),
        cmocka_unit_test(test_rules_registered),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
