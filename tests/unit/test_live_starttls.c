/* The STARTTLS reply parsers (src/lib/live/starttls.c): SMTP multi-line
 * replies and the EHLO keyword, IMAP greetings, capabilities and tagged
 * answers, POP3 status lines; replies cut short ask for more bytes, other
 * protocols are refused. */
#include "testutil.h"

#include "live/live_internal.h"

#include <string.h>

static int smtp(const char *text, size_t *length, int *code, int *offered)
{
    return live_smtp_parse_reply((const uint8_t *)text, strlen(text), length, code, offered);
}

static void test_smtp(void **state)
{
    (void)state;
    size_t length;
    int code, offered;
    const char *ehlo = "250-mail.lab.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n";
    assert_int_equal(smtp(ehlo, &length, &code, &offered), 1);
    assert_int_equal(code, 250);
    assert_int_equal(length, strlen(ehlo));
    assert_true(offered);
    /* Every cut of it asks for more. */
    for (size_t n = 0; n < strlen(ehlo); n++)
        assert_int_equal(live_smtp_parse_reply((const uint8_t *)ehlo, n, &length, &code, &offered),
                         0);
    /* STARTTLS must be the keyword, not a word in the text. */
    assert_int_equal(smtp("250-mail.lab.test\r\n250-X-STARTTLS\r\n250 HELP no STARTTLS\r\n",
                          &length, &code, &offered),
                     1);
    assert_false(offered);
    assert_int_equal(smtp("250 STARTTLS\r\n", &length, &code, &offered), 1);
    assert_true(offered);
    /* The greeting, then what follows it is left alone. */
    const char *two = "220 mail ESMTP\r\n250 ok\r\n";
    assert_int_equal(smtp(two, &length, &code, &offered), 1);
    assert_int_equal(code, 220);
    assert_int_equal(length, 16);
    /* Not SMTP: FTP's preliminary 1xx, another code inside a multi-line
     * reply, text, a TLS record. */
    assert_int_equal(smtp("150 opening\r\n", &length, &code, &offered), -1);
    assert_int_equal(smtp("250-a\r\n354 b\r\n", &length, &code, &offered), -1);
    assert_int_equal(smtp("HTTP/1.1 200 OK\r\n", &length, &code, &offered), -1);
    assert_int_equal(smtp("\x16\x03\x01", &length, &code, &offered), -1);
    assert_int_equal(smtp("250x\r\n", &length, &code, &offered), -1);
}

static int imap(const char *text, const char *tag, size_t *length, int *ok, int *offered)
{
    return live_imap_parse_reply((const uint8_t *)text, strlen(text), tag, length, ok, offered);
}

static void test_imap(void **state)
{
    (void)state;
    size_t length;
    int ok, offered;
    const char *greeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] ready\r\n";
    assert_int_equal(imap(greeting, NULL, &length, &ok, &offered), 1);
    assert_true(ok);
    assert_true(offered);
    assert_int_equal(length, strlen(greeting));
    assert_int_equal(imap("* OK ready\r\n", NULL, &length, &ok, &offered), 1);
    assert_true(ok);
    assert_false(offered);
    assert_int_equal(imap("* BYE busy\r\n", NULL, &length, &ok, &offered), 1);
    assert_false(ok);
    assert_int_equal(imap("+OK POP3\r\n", NULL, &length, &ok, &offered), -1);

    const char *caps = "* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n";
    assert_int_equal(imap(caps, "a1", &length, &ok, &offered), 1);
    assert_true(ok);
    assert_true(offered);
    assert_int_equal(length, strlen(caps));
    for (size_t n = 0; n < strlen(caps); n++)
        assert_int_equal(
            live_imap_parse_reply((const uint8_t *)caps, n, "a1", &length, &ok, &offered), 0);
    /* STARTTLS as a word of a capability list only, not anywhere. */
    assert_int_equal(imap("* OK no STARTTLS here\r\n", NULL, &length, &ok, &offered), 1);
    assert_false(offered);
    assert_int_equal(
        imap("* CAPABILITY IMAP4rev1 XSTARTTLS\r\na1 OK\r\n", "a1", &length, &ok, &offered), 1);
    assert_false(offered);
    assert_int_equal(imap("a2 BAD unknown command\r\n", "a2", &length, &ok, &offered), 1);
    assert_false(ok);
    assert_int_equal(imap("a2 OKAY\r\n", "a2", &length, &ok, &offered), 1);
    assert_false(ok);
    assert_int_equal(imap("b7 OK\r\n", "a2", &length, &ok, &offered), -1);
    assert_int_equal(imap("a2OK\r\n", "a2", &length, &ok, &offered), -1);
}

static void test_pop3(void **state)
{
    (void)state;
    size_t length;
    int ok;
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"+OK go\r\nX", 9, &length, &ok), 1);
    assert_true(ok);
    assert_int_equal(length, 8);
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"-ERR no\r\n", 9, &length, &ok), 1);
    assert_false(ok);
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"+OK go", 6, &length, &ok), 0);
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"-E", 2, &length, &ok), 0);
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"* OK\r\n", 6, &length, &ok), -1);
    assert_int_equal(live_pop3_parse_reply((const uint8_t *)"220 x\r\n", 7, &length, &ok), -1);
    assert_string_equal(live_starttls_command(LIVE_STARTTLS_POP3), "STLS");
    assert_string_equal(live_starttls_command(LIVE_STARTTLS_FTP), "AUTH TLS");
    assert_null(live_starttls_command(LIVE_STARTTLS_NONE));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_smtp),
        cmocka_unit_test(test_imap),
        cmocka_unit_test(test_pop3),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
