/* Vulnerability disclosure: the security.txt (RFC 9116) parser, RFC 3339
 * dates, and the disclosure family on small trees (valid, expired, invalid,
 * missing with a web server, no web server at all). */
#include "testutil.h"

#include "checks/boot/securitytxt.h"
#include "checks/check.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/standards.h"

#include <stdio.h>
#include <string.h>

extern const struct ic_check ic_check_disclosure;

#define T2030 1893456000 /* 2030-01-01T00:00:00Z */

static void parse(const char *text, struct ic_sectxt *t)
{
    ic_sectxt_parse((const uint8_t *)text, strlen(text), t);
}

static int has_error(const struct ic_sectxt *t, const char *needle, uint64_t line)
{
    for (size_t i = 0; i < t->error_count && i < IC_SECTXT_MAX_ERRORS; i++)
        if (strstr(t->errors[i].message, needle) && t->errors[i].line == line)
            return 1;
    return 0;
}

static void test_rfc3339(void **state)
{
    (void)state;
    int64_t v = 0;
    assert_int_equal(ic_rfc3339_parse("1970-01-01T00:00:00Z", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(ic_rfc3339_parse("2021-01-01T00:00:00Z", &v), 0);
    assert_int_equal(v, 1609459200);
    assert_int_equal(ic_rfc3339_parse("2020-02-29T12:00:00.250+01:00", &v), 0);
    assert_int_equal(v, 1582974000);
    assert_int_equal(ic_rfc3339_parse("1970-01-01t00:00:00+01:00", &v), 0);
    assert_int_equal(v, -3600);
    assert_int_equal(ic_rfc3339_parse("2021-02-29T00:00:00Z", &v), -1); /* not a leap year */
    assert_int_equal(ic_rfc3339_parse("2021-01-01", &v), -1);
    assert_int_equal(ic_rfc3339_parse("2021-01-01 00:00:00Z", &v), -1);
    assert_int_equal(ic_rfc3339_parse("2021-01-01T00:00:00", &v), -1); /* no offset */
    assert_int_equal(ic_rfc3339_parse("2021-13-01T00:00:00Z", &v), -1);
    assert_int_equal(ic_rfc3339_parse("2021-01-01T00:00:00Zjunk", &v), -1);
}

static void test_parse_valid(void **state)
{
    (void)state;
    struct ic_sectxt t;
    parse("# Our policy\n"
          "Contact: mailto:security@example.com\n"
          "Contact: https://example.com/report\n"
          "Expires: 2029-12-31T23:59:59Z\n"
          "Policy: https://example.com/policy\n",
          &t);
    assert_int_equal(t.error_count, 0);
    assert_int_equal(t.contact_count, 2);
    assert_string_equal(t.contact, "mailto:security@example.com");
    assert_int_equal(t.expires_count, 1);
    assert_true(t.expires_valid);
    assert_int_equal(t.expires_line, 4);
    assert_false(ic_sectxt_expired(&t, 1700000000));
    assert_true(ic_sectxt_expired(&t, T2030));
}

static void test_parse_signed_crlf(void **state)
{
    (void)state;
    struct ic_sectxt t;
    parse("-----BEGIN PGP SIGNED MESSAGE-----\r\nHash: SHA512\r\n\r\n"
          "Contact: tel:+44-20-7946-0000\r\n"
          "Expires: 2026-01-01T00:00:00+01:00\r\n"
          "-----BEGIN PGP SIGNATURE-----\r\n\r\nnot: a field\r\n"
          "-----END PGP SIGNATURE-----\r\n",
          &t);
    assert_int_equal(t.error_count, 0);
    assert_true(t.signed_message);
    assert_string_equal(t.contact, "tel:+44-20-7946-0000");
    assert_string_equal(t.expires_text, "2026-01-01T00:00:00+01:00");
    assert_int_equal(t.expires_line, 5);
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct ic_sectxt t;
    parse("Expires: 2021-01-01\nExpires: 2022-01-01T00:00:00Z\n  Contact: x\nnonsense\n", &t);
    assert_true(has_error(&t, "not an RFC 3339", 1));
    assert_true(has_error(&t, "more than once", 2));
    assert_true(has_error(&t, "white space", 3));
    assert_true(has_error(&t, "not a \"Field: value\"", 4));
    assert_true(has_error(&t, "no Contact", 0));
    assert_false(t.expires_valid);

    parse("Contact: http://example.com/security\n", &t);
    assert_true(has_error(&t, "https", 1));
    assert_true(has_error(&t, "no Expires", 0));

    parse("Contact: mailto:a@b.c\nExpires: 2030-01-01T00:00:00Z\n", &t);
    assert_int_equal(t.error_count, 0);
    assert_true(ic_sectxt_expired(&t, T2030)); /* expires at that instant */

    static const uint8_t binary[] = {'C', 0, 'x', '\n'};
    ic_sectxt_parse(binary, sizeof(binary), &t);
    assert_true(has_error(&t, "NUL", 0));
}

/* ---- the family ---------------------------------------------------------- */

static void add_file(struct ic_fs *fs, const char *path, const char *text)
{
    struct ic_blob *blob = NULL;
    assert_int_equal(ic_blob_from_copy(text, strlen(text), &blob), IC_OK);
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_FILE;
    e.mode = 0644;
    e.size = strlen(text);
    e.content = blob;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
    ic_blob_unref(blob);
}

static void add_dir(struct ic_fs *fs, const char *path)
{
    struct ic_entry e = {0};
    e.path = path;
    e.type = IC_FT_DIR;
    e.mode = 0755;
    assert_int_equal(ic_fs_add(fs, &e), IC_OK);
}

/* Runs the family on fs at the given audit time; the report is finished. */
static struct ic_report *run(struct ic_fs *fs, int64_t now)
{
    static struct ic_unpack u;
    static struct ic_layer layer;
    memset(&u, 0, sizeof(u));
    memset(&layer, 0, sizeof(layer));
    layer.id = "0.1";
    layer.parent = -1;
    layer.format = "squashfs";
    layer.fs = fs;
    u.layers = &layer;
    u.layer_count = 1;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_firmware_target(r, "t.bin", NULL, 0), IC_OK);
    assert_int_equal(ic_report_set_unpack(r, &u), IC_OK);
    assert_int_equal(ic_report_set_run(r, now, 1.0, NULL), IC_OK);
    struct ic_limits limits;
    ic_limits_default(&limits);
    struct ic_check_options options = {0};
    struct ic_check_ctx ctx = {&u, r, &limits, &options, NULL};
    assert_int_equal(ic_check_disclosure.run(&ctx), IC_OK);
    assert_int_equal(ic_report_note_coverage(r, "disclosure", ic_check_disclosure.coverage,
                                             ic_check_disclosure.coverage_count),
                     IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

static const struct ic_verdict *verdict_5_2_1(const struct ic_report *r)
{
    const struct ic_provision *p = ic_provision_find("5.2-1");
    assert_non_null(p);
    return &r->provisions[p->index];
}

static const struct ic_finding *only_finding(const struct ic_report *r, const char *rule)
{
    assert_int_equal(r->finding_count, 1);
    assert_string_equal(r->findings[0].rule, rule);
    assert_string_equal(r->findings[0].guideline, "CoP-2");
    assert_string_equal(r->findings[0].provisions[0], "5.2-1");
    return &r->findings[0];
}

static struct ic_fs *lighttpd_tree(const char *securitytxt)
{
    struct ic_fs *fs = ic_fs_new(100);
    add_file(fs, "/etc/lighttpd/lighttpd.conf",
             "server.port = 80\nserver.document-root = \"/srv/http\"\n");
    add_dir(fs, "/srv/http");
    add_file(fs, "/srv/http/index.html", "<html></html>\n");
    if (securitytxt)
        add_file(fs, "/srv/http/.well-known/security.txt", securitytxt);
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    return fs;
}

static void test_family_valid_passes(void **state)
{
    (void)state;
    struct ic_fs *fs = lighttpd_tree("Contact: mailto:psirt@example.com\n"
                                     "Expires: 2029-06-30T00:00:00Z\n");
    struct ic_report *r = run(fs, 1700000000);
    assert_int_equal(r->finding_count, 0);
    const struct ic_verdict *v = verdict_5_2_1(r);
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_non_null(strstr(v->reason, "/srv/http/.well-known/security.txt"));
    assert_non_null(strstr(v->reason, "mailto:psirt@example.com"));
    ic_report_free(r);
    /* The same file audited after its expiry: a finding at the Expires line. */
    r = run(fs, T2030);
    const struct ic_finding *f = only_finding(r, "disclosure.security-txt-expired");
    assert_string_equal(f->location.path, "/srv/http/.well-known/security.txt");
    assert_int_equal(f->location.line, 2);
    assert_int_equal(verdict_5_2_1(r)->status, IC_STATUS_FAIL);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_family_invalid(void **state)
{
    (void)state;
    struct ic_fs *fs = lighttpd_tree("Contact: mailto:psirt@example.com\nExpires: soon\n");
    struct ic_report *r = run(fs, 1700000000);
    const struct ic_finding *f = only_finding(r, "disclosure.security-txt-invalid");
    assert_int_equal(f->location.line, 2);
    assert_non_null(strstr(f->evidence, "RFC 3339"));
    assert_int_equal(verdict_5_2_1(r)->status, IC_STATUS_FAIL);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_family_missing(void **state)
{
    (void)state;
    struct ic_fs *fs = lighttpd_tree(NULL);
    struct ic_report *r = run(fs, 1700000000);
    const struct ic_finding *f = only_finding(r, "disclosure.security-txt-missing");
    assert_int_equal(f->severity, IC_SEVERITY_LOW);
    assert_string_equal(f->location.path, "/srv/http");
    assert_non_null(strstr(f->evidence, "lighttpd"));
    assert_int_equal(verdict_5_2_1(r)->status, IC_STATUS_FAIL);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_family_no_web_server(void **state)
{
    (void)state;
    /* A /www directory alone is no web server: nothing to show, 5.2-1 left
     * to documents. */
    struct ic_fs *fs = ic_fs_new(100);
    add_dir(fs, "/www");
    add_file(fs, "/etc/hostname", "cam\n");
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_report *r = run(fs, 1700000000);
    assert_int_equal(r->finding_count, 0);
    assert_int_equal(verdict_5_2_1(r)->status, IC_STATUS_UNVERIFIED);
    ic_report_free(r);
    ic_fs_free(fs);
}

static void test_family_legacy_location_and_uhttpd(void **state)
{
    (void)state;
    /* OpenWrt: uhttpd's home from /etc/config/uhttpd, legacy /security.txt. */
    struct ic_fs *fs = ic_fs_new(100);
    add_file(fs, "/etc/config/uhttpd",
             "config uhttpd 'main'\n\tlist listen_http '0.0.0.0:80'\n\toption home '/www'\n");
    add_file(fs, "/www/security.txt",
             "Contact: https://vendor.example/psirt\nExpires: 2029-01-01T00:00:00Z\n");
    assert_int_equal(ic_fs_finish(fs), IC_OK);
    struct ic_report *r = run(fs, 1700000000);
    assert_int_equal(r->finding_count, 0);
    assert_int_equal(verdict_5_2_1(r)->status, IC_STATUS_PASS);
    ic_report_free(r);
    ic_fs_free(fs);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_parse_valid),
        cmocka_unit_test(test_parse_signed_crlf),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_family_valid_passes),
        cmocka_unit_test(test_family_invalid),
        cmocka_unit_test(test_family_missing),
        cmocka_unit_test(test_family_no_web_server),
        cmocka_unit_test(test_family_legacy_location_and_uhttpd),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
