/* `iotcop assess`: how the verdicts of several reports and a declaration
 * combine (a fail anywhere fails, a tested pass settles, then the
 * declaration, then "unverified"), which evidence each verdict cites, and
 * what a damaged report gives (an error with its line, or diagnostics for
 * the items that could not be used). */
#include "testutil.h"

#include "iotcop/assess.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"
#include "iotcop/report.h"

#include <stdio.h>
#include <string.h>

static const char firmware_report[] =
    "{\"schema\": \"iotcop-report/1\",\n"
    " \"target\": {\"kind\": \"firmware\", \"path\": \"fw.bin\", \"sha256\": \"ab\"},\n"
    " \"unpack\": {\"layers\": [{\"id\": \"0\", \"format\": \"uimage\"},\n"
    "                       {\"id\": \"0.1\", \"format\": \"squashfs\"}]},\n"
    " \"components\": [{\"name\": \"busybox\", \"version\": \"1.30.1\", \"cpe\": [], \"paths\": "
    "[\"/bin/busybox\"]}],\n"
    " \"findings\": [{\"rule\": \"cred.default-password\", \"severity\": \"critical\",\n"
    "   \"title\": \"Default password\", \"guideline\": \"CoP-1\", \"provisions\": "
    "[\"5.1-2\"],\n"
    "   \"location\": {\"layer\": \"0.1\", \"path\": \"/etc/shadow\", \"line\": 1},\n"
    "   \"evidence\": \"root cracks\"}],\n"
    " \"provisions\": [\n"
    "   {\"id\": \"5.3-1\", \"status\": \"pass\", \"source\": \"test\", \"reason\": \"signed "
    "updates\"},\n"
    "   {\"id\": \"5.1-1\", \"status\": \"unverified\", \"source\": \"test\", \"reason\": "
    "\"looked\"},\n"
    "   {\"id\": \"5.1-2\", \"status\": \"fail\", \"source\": \"test\", \"reason\": \"finding\"},\n"
    "   {\"id\": \"5.4-1\", \"status\": \"unverified\", \"source\": \"test\", \"reason\": "
    "\"looked\"}]}\n";

static const char device_report[] =
    "{\"schema\": \"iotcop-report/1\",\n"
    " \"target\": {\"kind\": \"device\", \"address\": \"127.0.0.1\"},\n"
    " \"services\": [{\"host\": \"127.0.0.1\", \"port\": 23, \"protocol\": \"tcp\", "
    "\"service\": \"telnet\"}],\n"
    " \"findings\": [{\"rule\": \"device.default-credentials\", \"severity\": \"critical\",\n"
    "   \"title\": \"Default credentials\", \"guideline\": \"CoP-1\", \"provisions\": "
    "[\"5.1-1\"],\n"
    "   \"location\": {\"host\": \"127.0.0.1\", \"port\": 23, \"protocol\": \"tcp\", "
    "\"service\": \"telnet\"},\n"
    "   \"evidence\": \"root/root\"}],\n"
    " \"provisions\": [\n"
    "   {\"id\": \"5.1-1\", \"status\": \"fail\", \"source\": \"test\", \"reason\": \"finding\"},\n"
    "   {\"id\": \"5.3-1\", \"status\": \"unverified\", \"source\": \"test\", \"reason\": "
    "\"banner\"},\n"
    "   {\"id\": \"5.6-1\", \"status\": \"not-applicable\", \"source\": \"declared\", "
    "\"reason\": \"declared\"}]}\n";

static int add(struct ic_assessment *a, const char *json, const char *label, char *detail)
{
    return ic_assessment_add(a, (const uint8_t *)json, strlen(json), label, detail, 256);
}

static const struct ic_verdict *verdict(const struct ic_report *r, const char *id)
{
    return &r->provisions[ic_provision_find(id)->index];
}

static void test_combine(void **state)
{
    (void)state;
    static const char decl_text[] = "product: {name: Cam, model: X1}\n"
                                    "provisions:\n"
                                    "  5.5-1: {status: implemented, justification: TLS}\n"
                                    "  5.4-1: {status: implemented, justification: TPM}\n"
                                    "  5.1-1: {status: implemented, justification: unique}\n";
    struct ic_declaration *d = NULL;
    assert_int_equal(ic_declaration_parse((const uint8_t *)decl_text, strlen(decl_text),
                                          IC_DECLARATION_YAML, "d.yaml", &d),
                     IC_OK);
    struct ic_assessment *a = NULL;
    char detail[256];
    assert_int_equal(ic_assessment_new(&a), IC_OK);
    assert_int_equal(add(a, firmware_report, "fw.json", detail), IC_OK);
    assert_int_equal(add(a, device_report, "dev.json", detail), IC_OK);
    struct ic_report *r = NULL;
    assert_int_equal(ic_assessment_finish(a, d, NULL, &r), IC_OK);

    assert_int_equal(r->target.kind, IC_TARGET_PRODUCT);
    assert_string_equal(r->target.path, "Cam X1");
    assert_int_equal(r->input_count, 2);
    assert_string_equal(r->inputs[1].address, "127.0.0.1");
    /* Fails in the device report only: fails, cites it, contradicts d.yaml. */
    const struct ic_verdict *v = verdict(r, "5.1-1");
    assert_int_equal(v->status, IC_STATUS_FAIL);
    assert_string_equal(v->settled_by, "dev.json");
    assert_true(v->contradicted);
    /* Passed by the firmware, unverified by the device: the pass settles it. */
    v = verdict(r, "5.3-1");
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_int_equal(v->source, IC_SOURCE_TEST);
    assert_string_equal(v->settled_by, "fw.json");
    assert_non_null(strstr(v->reason, "fw.json"));
    /* Unverified by a test: the declaration settles it. */
    v = verdict(r, "5.4-1");
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_int_equal(v->source, IC_SOURCE_DECLARED);
    assert_string_equal(v->settled_by, "d.yaml");
    /* Only declared. */
    v = verdict(r, "5.5-1");
    assert_int_equal(v->source, IC_SOURCE_DECLARED);
    assert_string_equal(v->settled_by, "d.yaml");
    /* Declared in an input report, not in d.yaml: the input's declaration. */
    v = verdict(r, "5.6-1");
    assert_int_equal(v->status, IC_STATUS_NOT_APPLICABLE);
    assert_int_equal(v->source, IC_SOURCE_DECLARED);
    assert_string_equal(v->settled_by, "dev.json");
    /* Findings, services and components of both. */
    assert_int_equal(r->finding_count, 2);
    assert_int_equal(r->service_count, 1);
    assert_int_equal(r->component_count, 1);
    assert_int_equal(r->guidelines[ic_guideline_find("CoP-1")->index].status, IC_STATUS_FAIL);
    /* The firmware finding's fingerprint uses its layer's format, as the
     * report that found it did. */
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        char want[65];
        assert_int_equal(ic_finding_fingerprint(
                             f, f->location.kind == IC_LOCATION_FIRMWARE ? "squashfs" : NULL, want),
                         IC_OK);
        assert_string_equal(f->fingerprint, want);
    }
    assert_int_equal(r->diag_count, 0);
    ic_report_free(r);
    ic_assessment_free(a);
    ic_declaration_free(d);
}

static void test_damaged_reports(void **state)
{
    (void)state;
    struct ic_assessment *a = NULL;
    char detail[256];
    assert_int_equal(ic_assessment_new(&a), IC_OK);
    assert_int_equal(add(a, "{\"schema\": \"iotcop-report/1\",\n \"target\": [}", "x", detail),
                     IC_E_FORMAT);
    assert_non_null(strstr(detail, "line 2"));
    assert_int_equal(
        add(a, "{\"schema\": \"other/1\", \"target\": {\"kind\": \"device\"}}", "x", detail),
        IC_E_FORMAT);
    assert_int_equal(add(a, "{\"schema\": \"iotcop-report/1\"", "x", detail), IC_E_TRUNCATED);
    /* Readable, with items that cannot be used: diagnostics, the rest kept. */
    static const char bad_items[] =
        "{\"schema\": \"iotcop-report/1\",\n"
        " \"target\": {\"kind\": \"device\", \"address\": \"127.0.0.1\"},\n"
        " \"findings\": [{\"rule\": \"x\", \"severity\": \"high\", \"title\": \"t\",\n"
        "   \"guideline\": \"CoP-99\", \"location\": {\"host\": \"h\"}},\n"
        "   {\"rule\": \"y\"},\n"
        "   {\"rule\": \"device.telnet\", \"severity\": \"high\", \"title\": \"t\", "
        "\"guideline\": \"CoP-5\", \"location\": {\"host\": \"127.0.0.1\", \"port\": 23, "
        "\"protocol\": \"tcp\", \"service\": \"telnet\"}}],\n"
        " \"provisions\": [{\"id\": \"9.9-9\", \"status\": \"pass\"}],\n"
        " \"services\": [{\"host\": \"127.0.0.1\", \"port\": 70000}]}\n";
    assert_int_equal(add(a, bad_items, "bad.json", detail), IC_OK);
    assert_int_equal(ic_assessment_add_failure(a, "gone.json", IC_E_IO, "cannot read"), IC_OK);
    struct ic_report *r = NULL;
    assert_int_equal(ic_assessment_finish(a, NULL, "name", &r), IC_OK);
    assert_int_equal(r->input_count, 1);
    assert_int_equal(r->finding_count, 1);
    assert_int_equal(r->service_count, 0);
    /* CoP-99, the finding without fields, 9.9-9, the service; and gone.json. */
    assert_int_equal(r->diag_count, 5);
    int lines[4] = {0};
    for (size_t i = 0; i < r->diag_count; i++) {
        if (strstr(r->diags[i].message, "bad.json line 3"))
            lines[0] = 1;
        if (strstr(r->diags[i].message, "bad.json line 5"))
            lines[1] = 1;
        if (strstr(r->diags[i].message, "bad.json line 7"))
            lines[2] = 1;
        if (strstr(r->diags[i].message, "gone.json"))
            lines[3] = r->diags[i].is_error;
    }
    for (int i = 0; i < 4; i++)
        assert_true(lines[i]);
    ic_report_free(r);
    ic_assessment_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_combine),
        cmocka_unit_test(test_damaged_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
