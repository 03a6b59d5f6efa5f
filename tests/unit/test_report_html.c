/* The HTML report with hostile content: everything that comes from a
 * firmware image (paths, evidence, layer notes, component names, the image
 * name itself) is fed as </script>, quotes, <img onerror>, bytes that are
 * not UTF-8 and control characters. The page must stay inert (no markup
 * from the input, no element or attribute that fetches), be valid UTF-8,
 * keep valid text as it was, and still say every verdict of the report.
 * The rendered check in Chromium is tests/cli/report_formats.sh. */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HOSTILE_SCRIPT "</script><script>alert(1)</script>"
#define HOSTILE_IMG "\"'><img src=x onerror=alert(document.domain)>"
#define VALID_UTF8 "caf\xc3\xa9 \xe2\x9c\x93 \xf0\x9f\x98\x80"
/* Not UTF-8: a lone continuation byte, an overlong '/', a surrogate, a code
 * point past U+10FFFF, a sequence cut short at the end. */
#define INVALID_UTF8 "\x80|\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\xe2\x82"
#define CONTROLS "\x01\x1b[31mred\x7f"

static struct ic_layer layers[] = {
    {.id = "0", .parent = -1, .format = "input", .offset = 0, .size = 4096},
    {.id = "0.1",
     .parent = 0,
     .format = "squashfs",
     .offset = 64,
     .size = 4000,
     .info = HOSTILE_SCRIPT " " INVALID_UTF8},
    {.id = "0.1.1",
     .parent = 1,
     .format = "gzip",
     .offset = 100,
     .size = 50,
     .path = "/www/" HOSTILE_IMG ".gz",
     .name = CONTROLS},
};
static struct ic_diag diags[] = {
    {.level = IC_DIAG_WARNING,
     .code = IC_E_TRUNCATED,
     .layer = "0.1",
     .offset = 7,
     .message = "truncated " HOSTILE_IMG},
};
static struct ic_unpack unpack = {
    .layers = layers,
    .layer_count = sizeof(layers) / sizeof(layers[0]),
    .diags = diags,
    .diag_count = 1,
    .files = 3,
    .input_size = 4096,
    .input_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
};

static struct ic_report *hostile_report(void)
{
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_for_firmware("/tmp/" HOSTILE_SCRIPT "fw.bin", &unpack, NULL, &r),
                     IC_OK);
    const struct ic_rule *rule = ic_rule_find("cred.default-password");
    assert_non_null(rule);
    struct ic_finding f =
        ic_finding_from_rule(rule, ic_location_file("0.1", "/etc/" HOSTILE_SCRIPT),
                             "password " HOSTILE_IMG " " VALID_UTF8 " " INVALID_UTF8 " " CONTROLS);
    f.location.line = 3;
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    struct ic_finding raw = ic_finding_from_rule(rule, ic_location_raw("0.1.1", 42), VALID_UTF8);
    raw.suppressed = 1;
    raw.justification = "accepted: " HOSTILE_IMG;
    assert_int_equal(ic_report_add_finding(r, &raw, NULL), IC_OK);
    static const char *const cpe[] = {"cpe:2.3:a:x:" HOSTILE_IMG ":1:*:*:*:*:*:*:*", NULL};
    static const char *const paths[] = {"/etc/" HOSTILE_SCRIPT, NULL};
    struct ic_component c = {.name = "lib" HOSTILE_IMG,
                             .version = INVALID_UTF8,
                             .cpe = cpe,
                             .paths = paths,
                             .evidence = CONTROLS};
    assert_int_equal(ic_report_add_component(r, &c), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

/* Strict UTF-8 (no overlongs, surrogates or code points past U+10FFFF). */
static int valid_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned c = s[i];
        size_t len = c < 0x80             ? 1
                     : (c & 0xE0) == 0xC0 ? 2
                     : (c & 0xF0) == 0xE0 ? 3
                     : (c & 0xF8) == 0xF0 ? 4
                                          : 0;
        if (!len || i + len > n)
            return 0;
        unsigned cp = len == 1 ? c : c & (0xFF >> (len + 1));
        for (size_t k = 1; k < len; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[i + k] & 0x3F);
        }
        static const unsigned min[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        i += len;
    }
    return 1;
}

static size_t count(const char *hay, const char *needle)
{
    size_t n = 0;
    for (const char *p = hay; (p = strstr(p, needle)) != NULL; p += strlen(needle))
        n++;
    return n;
}

static const char *find_case(const char *hay, const char *needle)
{
    for (size_t n = strlen(needle); *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return hay;
    return NULL;
}

/* Whether word occurs inside markup (between '<' and '>'): every '<' from
 * the input is escaped, so markup is only what the writer made. */
static int in_markup(const char *html, const char *word)
{
    size_t n = strlen(word);
    int inside = 0;
    for (const char *p = html; *p; p++) {
        if (*p == '<')
            inside = 1;
        else if (*p == '>')
            inside = 0;
        else if (inside && strncasecmp(p, word, n) == 0)
            return 1;
    }
    return 0;
}

static void test_hostile_strings_stay_text(void **state)
{
    (void)state;
    struct ic_report *r = hostile_report();
    struct ic_buf out = IC_BUF_INIT(16u << 20);
    assert_int_equal(ic_report_write_html(r, &out), IC_OK);
    const char *html = (const char *)out.data;

    /* No markup from the input: no script, no image, no event handler. */
    assert_null(find_case(html, "<script"));
    assert_null(find_case(html, "</script"));
    assert_null(find_case(html, "<img"));
    assert_false(in_markup(html, "onerror"));
    /* ... because it is there as text. */
    assert_non_null(strstr(html, "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_non_null(
        strstr(html, "&quot;&#39;&gt;&lt;img src=x onerror=alert(document.domain)&gt;"));

    /* Valid UTF-8 out, valid text kept as it was, every bad sequence replaced. */
    assert_true(valid_utf8(out.data, out.len));
    assert_non_null(strstr(html, VALID_UTF8));
    assert_null(strstr(html, "\xc0\xaf"));
    assert_non_null(strstr(html, "\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD|"));
    for (size_t i = 0; i < out.len; i++)
        assert_false(out.data[i] < 0x20 && out.data[i] != '\n' && out.data[i] != '\t' &&
                     out.data[i] != '\r');
    assert_null(strstr(html, "\x7f"));

    /* Nothing that fetches, whatever the content. */
    assert_false(in_markup(html, "src="));
    assert_false(in_markup(html, "href="));
    assert_null(find_case(html, "url("));
    assert_null(find_case(html, "<link"));
    assert_null(find_case(html, "@import"));

    /* Every <details> closed, and every verdict said. */
    assert_int_equal(count(html, "<details"), count(html, "</details>"));
    assert_int_equal(count(html, "data-guideline=\""), ic_guideline_count());
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        char cell[128];
        snprintf(cell, sizeof(cell), "data-guideline=\"%s\" data-status=\"%s\"",
                 ic_guideline_at(i)->id, ic_status_name(r->guidelines[i].status));
        assert_non_null(strstr(html, cell));
    }
    for (size_t i = 0; i < ic_psti_count(); i++) {
        char item[128];
        snprintf(item, sizeof(item), "data-psti=\"%s\" data-status=\"%s\"", ic_psti_at(i)->id,
                 ic_status_name(r->psti[i].status));
        assert_non_null(strstr(html, item));
    }
    for (size_t i = 0; i < r->finding_count; i++)
        assert_non_null(strstr(html, r->findings[i].fingerprint));
    /* The suppressed finding says so, with its justification (escaped). */
    assert_non_null(strstr(html, "accepted: &quot;&#39;&gt;&lt;img"));
    ic_buf_release(&out);
    ic_report_free(r);
}

/* Where it can: the other writers keep hostile strings inside JSON strings. */
static void test_sarif_and_sbom_accept_hostile_strings(void **state)
{
    (void)state;
    struct ic_report *r = hostile_report();
    struct ic_buf out = IC_BUF_INIT(16u << 20);
    assert_int_equal(ic_report_write_sarif(r, 1, &out), IC_OK);
    assert_null(strstr((const char *)out.data, "\x1b"));
    assert_non_null(strstr((const char *)out.data, "\"exitCode\": 1"));
    /* The path is a URI: percent-encoded. */
    assert_non_null(strstr((const char *)out.data, "\"uri\": \"/etc/%3C/script%3E%3Cscript%3E"));
    /* Raw data: relative to the extraction directory, by byte offset. */
    assert_non_null(strstr((const char *)out.data, "\"uri\": \"0.1.1.bin\""));
    assert_non_null(strstr((const char *)out.data, "\"byteOffset\": 42"));
    ic_buf_release(&out);
    assert_int_equal(ic_report_write_cyclonedx(r, &out), IC_OK);
    assert_null(strstr((const char *)out.data, "\x1b"));
    ic_buf_release(&out);
    assert_int_equal(ic_report_write_spdx(r, &out), IC_OK);
    assert_non_null(strstr(
        (const char *)out.data,
        "\"SPDXID\": \"SPDXRef-Package-1-lib----img-src-x-onerror-alert-document.domain--\""));
    ic_buf_release(&out);
    ic_report_free(r);
}

/* Unfinished reports are refused; a full buffer stops the page with its error. */
static void test_html_refusals(void **state)
{
    (void)state;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_for_firmware("fw.bin", &unpack, NULL, &r), IC_OK);
    struct ic_buf out = IC_BUF_INIT(1u << 20);
    assert_int_equal(ic_report_write_html(r, &out), IC_E_INVALID_ARG);
    assert_int_equal(ic_report_write_sarif(r, 0, &out), IC_E_INVALID_ARG);
    assert_int_equal(ic_report_finish(r), IC_OK);
    ic_buf_release(&out);
    struct ic_buf small = IC_BUF_INIT(2048);
    assert_int_equal(ic_report_write_html(r, &small), IC_E_LIMIT_FILE_SIZE);
    ic_buf_release(&small);
    assert_int_equal(ic_report_write_html(r, &out), IC_OK);
    /* No findings: the page says so rather than showing an empty list. */
    assert_non_null(strstr((const char *)out.data, "No findings."));
    ic_buf_release(&out);
    ic_report_free(r);
}

/* A device report: locations are host, port and service. */
static void test_device_locations(void **state)
{
    (void)state;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_device_target(r, "192.0.2.7", NULL), IC_OK);
    struct ic_finding f = ic_finding_from_rule(ic_rule_find("cred.default-password"),
                                               ic_location_device("192.0.2.7", 23, "tcp", "telnet"),
                                               "root/xc3511 accepted");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    struct ic_buf out = IC_BUF_INIT(16u << 20);
    assert_int_equal(ic_report_write_sarif(r, -1, &out), IC_OK);
    assert_non_null(strstr((const char *)out.data, "\"uri\": \"tcp://192.0.2.7:23\""));
    assert_null(strstr((const char *)out.data, "\"exitCode\""));
    assert_null(strstr((const char *)out.data, "IOTCOP_EXTRACT_DIR"));
    ic_buf_release(&out);
    assert_int_equal(ic_report_write_html(r, &out), IC_OK);
    assert_non_null(strstr((const char *)out.data, "Device security audit"));
    assert_non_null(strstr((const char *)out.data, "192.0.2.7:23/tcp (telnet)"));
    assert_null(strstr((const char *)out.data, "id=\"layers\""));
    ic_buf_release(&out);
    ic_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_strings_stay_text),
        cmocka_unit_test(test_sarif_and_sbom_accept_hostile_strings),
        cmocka_unit_test(test_html_refusals),
        cmocka_unit_test(test_device_locations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
