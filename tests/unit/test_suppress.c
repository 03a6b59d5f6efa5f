/* Suppressions and reading reports back: a report written as JSON reads
 * back with the same findings, components and verdicts; ignore lists parse
 * (and refuse entries without justification, naming the line); a baseline
 * and an ignore list suppress the findings they name, with their source,
 * and the gates (not the verdicts) stop counting them; the summary line
 * follows the report. */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/report_read.h"
#include "iotcop/summary.h"
#include "iotcop/suppress.h"

#include <stdio.h>
#include <string.h>

static const char *const cred_provisions[] = {"5.1-1", NULL};

/* A device report (no unpack needed) with two findings of CoP-1 and a component. */
static struct ic_report *two_findings(char fp_telnet[65], char fp_ssh[65])
{
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_device_target(r, "127.0.0.1", NULL), IC_OK);
    struct ic_finding f = {
        .rule = "cred.default-password",
        .severity = IC_SEVERITY_CRITICAL,
        .title = "default password",
        .guideline = "CoP-1",
        .provisions = cred_provisions,
        .location = ic_location_device("127.0.0.1", 23, "tcp", "telnet"),
        .evidence = "root/xc3511 accepted",
    };
    assert_int_equal(ic_report_add_finding(r, &f, fp_telnet), IC_OK);
    f.location = ic_location_device("127.0.0.1", 22, "tcp", "ssh");
    f.severity = IC_SEVERITY_HIGH;
    f.evidence = "admin/admin accepted";
    assert_int_equal(ic_report_add_finding(r, &f, fp_ssh), IC_OK);
    struct ic_component c = {.name = "busybox", .version = "1.30.1"};
    assert_int_equal(ic_report_add_component(r, &c), IC_OK);
    return r;
}

static size_t index_of(const struct ic_report *r, const char *fp)
{
    for (size_t i = 0; i < r->finding_count; i++)
        if (strcmp(r->findings[i].fingerprint, fp) == 0)
            return i;
    fail_msg("fingerprint %s not in the report", fp);
    return 0;
}

static void test_report_reads_back(void **state)
{
    (void)state;
    char fp1[65], fp2[65];
    struct ic_report *r = two_findings(fp1, fp2);
    assert_int_equal(ic_report_suppress(r, index_of(r, fp2), "ignore", "lab account"), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    struct ic_buf json = IC_BUF_INIT(SIZE_MAX / 2);
    assert_int_equal(ic_report_write_json(r, 1, &json), IC_OK);

    struct ic_report_doc doc;
    char detail[256];
    assert_int_equal(ic_report_read(json.data, json.len, &doc, detail, sizeof(detail)), IC_OK);
    assert_string_equal(doc.schema, IC_REPORT_SCHEMA);
    assert_string_equal(doc.target_kind, "device");
    assert_int_equal(doc.finding_count, 2);
    const struct ic_doc_finding *f = ic_report_doc_find(&doc, fp1);
    assert_non_null(f);
    assert_string_equal(f->rule, "cred.default-password");
    assert_int_equal(f->severity, IC_SEVERITY_CRITICAL);
    assert_int_equal(f->port, 23);
    assert_false(f->suppressed);
    f = ic_report_doc_find(&doc, fp2);
    assert_non_null(f);
    assert_true(f->suppressed);
    assert_string_equal(f->suppression_source, "ignore");
    assert_string_equal(f->justification, "lab account");
    assert_int_equal(doc.component_count, 1);
    assert_string_equal(doc.components[0].version, "1.30.1");
    assert_int_equal(doc.guideline_count, ic_guideline_count());
    assert_int_equal(doc.provision_count, ic_provision_count());
    assert_string_equal(doc.guidelines[0].id, "CoP-1");
    assert_int_equal(doc.guidelines[0].status, IC_STATUS_FAIL);
    ic_report_doc_release(&doc);

    /* Cut anywhere, the reader stops with an error and keeps what it read. */
    for (size_t cut = 0; cut < json.len; cut += 97) {
        int rc = ic_report_read(json.data, cut, &doc, detail, sizeof(detail));
        assert_int_not_equal(rc, IC_OK);
        assert_true(detail[0] != '\0');
        assert_true(doc.finding_count <= 2);
        ic_report_doc_release(&doc);
    }
    /* Another JSON document is not a report. */
    const char *other = "{\"bomFormat\": \"CycloneDX\", \"findings\": []}";
    assert_int_equal(
        ic_report_read((const uint8_t *)other, strlen(other), &doc, detail, sizeof(detail)),
        IC_E_FORMAT);
    ic_report_doc_release(&doc);
    ic_buf_release(&json);
    ic_report_free(r);
}

static void test_ignore_list(void **state)
{
    (void)state;
    char fp1[65], fp2[65];
    struct ic_report *r = two_findings(fp1, fp2);
    char text[512];
    snprintf(text, sizeof(text),
             "# reviewed\n\n  %s   known: lab unit only  \r\n"
             "cred.default-password:/etc/*  never matches a device finding\n",
             fp2);
    struct ic_ignore_list list;
    unsigned line = 99;
    char detail[256];
    assert_int_equal(
        ic_ignore_parse((const uint8_t *)text, strlen(text), &list, &line, detail, sizeof(detail)),
        IC_OK);
    assert_int_equal(list.count, 2);
    assert_int_equal(list.entries[0].line, 3);
    assert_string_equal(list.entries[0].justification, "known: lab unit only");
    assert_string_equal(list.entries[1].rule, "cred.default-password");
    assert_string_equal(list.entries[1].glob, "/etc/*");
    assert_null(ic_ignore_match(&list, &r->findings[index_of(r, fp1)]));
    assert_ptr_equal(ic_ignore_match(&list, &r->findings[index_of(r, fp2)]), &list.entries[0]);

    size_t n = 0;
    assert_int_equal(ic_report_apply_suppressions(r, &list, NULL, &n), IC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ic_report_finish(r), IC_OK);
    enum ic_severity worst;
    assert_int_equal(ic_report_max_severity(r, &worst), 1);
    assert_int_equal(worst, IC_SEVERITY_CRITICAL);
    /* One unsuppressed finding left: the guideline's fail is a real one. */
    assert_int_equal(r->guidelines[0].status, IC_STATUS_FAIL);
    assert_false(r->guidelines[0].suppressed_only);
    ic_ignore_release(&list);
    ic_report_free(r);

    static const struct {
        const char *text;
        unsigned line;
    } bad[] = {
        {"# ok\ncred.default-password\n", 2},
        {"cred.default-password   \n", 1},
        {"\n\nno.such.rule  because\n", 3},
        {"cred.default-password:  empty glob\n", 1},
        {"0123456789abcdef  too short for a fingerprint, unknown as a rule\n", 1},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        line = 0;
        assert_int_equal(ic_ignore_parse((const uint8_t *)bad[i].text, strlen(bad[i].text), &list,
                                         &line, detail, sizeof(detail)),
                         IC_E_FORMAT);
        assert_int_equal(line, bad[i].line);
        assert_true(detail[0] != '\0');
        ic_ignore_release(&list);
    }
}

static void test_baseline(void **state)
{
    (void)state;
    char fp1[65], fp2[65];
    struct ic_report *old = two_findings(fp1, fp2);
    assert_int_equal(ic_report_finish(old), IC_OK);
    struct ic_buf json = IC_BUF_INIT(SIZE_MAX / 2);
    assert_int_equal(ic_report_write_json(old, 0, &json), IC_OK);
    /* JSON Lines: the same report twice, one per line. */
    char *copy = strdup((const char *)json.data);
    assert_non_null(copy);
    assert_int_equal(ic_buf_append(&json, "\n", 1), IC_OK);
    assert_int_equal(ic_buf_append_str(&json, copy), IC_OK);
    free(copy);
    struct ic_baseline b = {0};
    char detail[256];
    assert_int_equal(ic_baseline_add(&b, json.data, json.len, detail, sizeof(detail)), IC_OK);
    assert_int_equal(ic_baseline_seal(&b, "old.json"), IC_OK);
    assert_int_equal(b.count, 2);
    assert_true(ic_baseline_has(&b, fp1));

    /* The new release: both old findings and a new medium one. */
    char fq1[65], fq2[65], fq3[65];
    struct ic_report *r = two_findings(fq1, fq2);
    struct ic_finding f = r->findings[0];
    f.location = ic_location_device("127.0.0.1", 1883, "tcp", "mqtt");
    f.severity = IC_SEVERITY_MEDIUM;
    f.evidence = "anonymous login";
    assert_int_equal(ic_report_add_finding(r, &f, fq3), IC_OK);
    size_t n = 0;
    assert_int_equal(ic_report_apply_suppressions(r, NULL, &b, &n), IC_OK);
    assert_int_equal(n, 2);
    assert_int_equal(ic_report_finish(r), IC_OK);
    enum ic_severity worst;
    assert_int_equal(ic_report_max_severity(r, &worst), 1);
    assert_int_equal(worst, IC_SEVERITY_MEDIUM);
    const struct ic_finding *kept = &r->findings[index_of(r, fq1)];
    assert_true(kept->suppressed);
    assert_string_equal(kept->suppression_source, "baseline");
    assert_non_null(strstr(kept->justification, "old.json"));
    assert_false(r->findings[index_of(r, fq3)].suppressed);

    /* The summary line counts only the unsuppressed findings. */
    struct ic_buf line = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_summary_line(r, "fw.bin", "fw.bin.json", &line), IC_OK);
    assert_non_null(strstr((const char *)line.data, "\"worst\":\"medium\""));
    assert_non_null(strstr((const char *)line.data, "\"suppressed\":2"));
    assert_non_null(strstr((const char *)line.data, "\"CoP-1\":\"fail\""));
    struct ic_buf html = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_summary_write_html((const char *)line.data, line.len, &html), IC_OK);
    assert_non_null(strstr((const char *)html.data, "fw.bin"));
    assert_non_null(strstr((const char *)html.data, "<td class=\"fail\">fail</td>"));
    ic_buf_release(&html);
    ic_buf_release(&line);

    /* Not a report at all: refused with a reason. */
    struct ic_baseline bad = {0};
    assert_int_not_equal(ic_baseline_add(&bad, (const uint8_t *)"[1,2]", 5, detail, sizeof(detail)),
                         IC_OK);
    ic_baseline_release(&bad);
    ic_baseline_release(&b);
    ic_buf_release(&json);
    ic_report_free(old);
    ic_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_report_reads_back),
        cmocka_unit_test(test_ignore_list),
        cmocka_unit_test(test_baseline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
