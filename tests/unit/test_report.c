/* The report model: fingerprints, de-duplication, order, verdicts and the
 * JSON report. Expectations about provisions, guidelines, PSTI and CRA are
 * derived from the standards tables (themselves checked against the mapping
 * data by test_standards), never from a copy of our own output. */
#include "testutil.h"

#include "core/buf.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/unpack.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures ------------------------------------------------------------ */

static struct ic_layer fake_layers[] = {
    {.id = "0", .parent = -1, .format = "input", .offset = 0, .size = 8192},
    {.id = "0.1", .parent = 0, .format = "squashfs", .offset = 64, .size = 4000},
    {.id = "0.2", .parent = 0, .format = "squashfs", .offset = 4096, .size = 4000},
    {.id = "0.3", .parent = 0, .format = "jffs2", .offset = 8000, .size = 192},
};
static struct ic_diag fake_diags[] = {
    {.level = IC_DIAG_WARNING, .code = IC_E_TRUNCATED, .layer = "0.3", .offset = 100,
     .message = "node runs past the end"},
};
static struct ic_unpack fake_unpack = {
    .layers = fake_layers,
    .layer_count = sizeof(fake_layers) / sizeof(fake_layers[0]),
    .diags = fake_diags,
    .diag_count = 1,
    .files = 42,
    .bytes = 123456,
    .input_size = 8192,
    .input_sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
};

static struct ic_report *firmware_report(void)
{
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_for_firmware("fw.bin", &fake_unpack, "--jobs 1", &r), IC_OK);
    assert_int_equal(ic_report_set_run(r, 1700000000, 1.5, "--jobs 1"), IC_OK);
    return r;
}

static struct ic_finding finding(const char *rule, const char *guideline,
                                 const char *const *provisions, const char *layer,
                                 const char *path, const char *evidence)
{
    struct ic_finding f = {
        .rule = rule,
        .severity = IC_SEVERITY_HIGH,
        .title = "a test finding",
        .guideline = guideline,
        .provisions = provisions,
        .location = ic_location_file(layer, path),
        .evidence = evidence,
    };
    return f;
}

/* The first provision of a guideline (from the tables). */
static const char *first_provision(const char *guideline)
{
    return ic_guideline_find(guideline)->provisions[0];
}

static enum ic_status provision_status(const struct ic_report *r, const char *id)
{
    return r->provisions[ic_provision_find(id)->index].status;
}

static enum ic_status guideline_status(const struct ic_report *r, const char *id)
{
    return r->guidelines[ic_guideline_find(id)->index].status;
}

/* What a provision is when nothing was run, by the mapping's verification. */
static enum ic_status untested_status(const struct ic_provision *p)
{
    if ((p->firmware_static == IC_STRENGTH_NONE && p->live_network == IC_STRENGTH_NONE) ||
        p->documentation == IC_DOC_REQUIRED)
        return IC_STATUS_UNVERIFIED;
    return IC_STATUS_NOT_TESTED;
}

static char *report_json(const struct ic_report *r, int pretty)
{
    struct ic_buf b = IC_BUF_INIT(1 << 24);
    assert_int_equal(ic_report_write_json(r, pretty, &b), IC_OK);
    size_t len;
    return (char *)ic_buf_detach(&b, &len);
}

/* ---- names --------------------------------------------------------------- */

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int s = IC_SEVERITY_INFO; s <= IC_SEVERITY_CRITICAL; s++) {
        enum ic_severity back;
        assert_int_equal(ic_severity_parse(ic_severity_name((enum ic_severity)s), &back), IC_OK);
        assert_int_equal(back, s);
    }
    enum ic_severity sev;
    assert_int_equal(ic_severity_parse("HIGH", &sev), IC_OK);
    assert_int_equal(sev, IC_SEVERITY_HIGH);
    assert_int_equal(ic_severity_parse("severe", &sev), IC_E_INVALID_ARG);
    assert_true(IC_SEVERITY_CRITICAL > IC_SEVERITY_HIGH && IC_SEVERITY_LOW > IC_SEVERITY_INFO);
    const char *statuses[] = {"fail", "pass", "unverified", "not-tested", "not-applicable"};
    for (size_t i = 0; i < 5; i++) {
        enum ic_status st;
        assert_int_equal(ic_status_parse(statuses[i], &st), IC_OK);
        assert_string_equal(ic_status_name(st), statuses[i]);
    }
    assert_string_equal(ic_source_name(IC_SOURCE_DECLARED), "declared");
    assert_string_equal(ic_source_name(IC_SOURCE_TEST), "test");
}

/* ---- fingerprints -------------------------------------------------------- */

static void test_fingerprint_ignores_offsets_and_layer_ids(void **state)
{
    (void)state;
    const char *provs[] = {first_provision("CoP-1"), NULL};
    struct ic_finding a = finding("cred.test", "CoP-1", provs, "0.1", "/etc/shadow", "root:x");
    struct ic_finding b = a;
    b.location.layer = "0.2"; /* another squashfs at another offset */
    b.location.line = 7;
    b.location.offset = 999;
    char fa[65], fb[65];
    assert_int_equal(ic_finding_fingerprint(&a, "squashfs", fa), IC_OK);
    assert_int_equal(ic_finding_fingerprint(&b, "squashfs", fb), IC_OK);
    assert_string_equal(fa, fb);
    assert_int_equal(strlen(fa), 64);

    /* White space in the evidence is normalised; digits are not. */
    b.evidence = "  root:x\n\t";
    assert_int_equal(ic_finding_fingerprint(&b, "squashfs", fb), IC_OK);
    assert_string_equal(fa, fb);
    b.evidence = "root:x1";
    assert_int_equal(ic_finding_fingerprint(&b, "squashfs", fb), IC_OK);
    assert_string_not_equal(fa, fb);

    /* Path, layer format and rule all matter. */
    b = a;
    b.location.path = "/etc/shadow-";
    assert_int_equal(ic_finding_fingerprint(&b, "squashfs", fb), IC_OK);
    assert_string_not_equal(fa, fb);
    assert_int_equal(ic_finding_fingerprint(&a, "jffs2", fb), IC_OK);
    assert_string_not_equal(fa, fb);
    b = a;
    b.rule = "cred.other";
    assert_int_equal(ic_finding_fingerprint(&b, "squashfs", fb), IC_OK);
    assert_string_not_equal(fa, fb);

    /* Devices: the host does not count (DHCP changes it), the port does. */
    struct ic_finding d = a;
    d.location = ic_location_device("192.0.2.1", 23, "tcp", "telnet");
    struct ic_finding e = d;
    e.location.host = "192.0.2.99";
    assert_int_equal(ic_finding_fingerprint(&d, NULL, fa), IC_OK);
    assert_int_equal(ic_finding_fingerprint(&e, NULL, fb), IC_OK);
    assert_string_equal(fa, fb);
    e.location.port = 2323;
    assert_int_equal(ic_finding_fingerprint(&e, NULL, fb), IC_OK);
    assert_string_not_equal(fa, fb);
}

/* The report resolves the layer format from its unpack: the same file in two
 * squashfs layers is one finding, in a jffs2 layer another. */
static void test_deduplication(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *provs[] = {first_provision("CoP-1"), NULL};
    struct ic_finding a = finding("cred.test", "CoP-1", provs, "0.1", "/etc/shadow", "root:x");
    char fp1[65], fp2[65];
    assert_int_equal(ic_report_add_finding(r, &a, fp1), IC_OK);
    struct ic_finding b = a;
    b.location.layer = "0.2";
    b.location.offset = 5;
    assert_int_equal(ic_report_add_finding(r, &b, fp2), IC_E_EXISTS);
    assert_string_equal(fp1, fp2);
    b.location.layer = "0.3";
    assert_int_equal(ic_report_add_finding(r, &b, fp2), IC_OK);
    assert_string_not_equal(fp1, fp2);
    assert_int_equal(r->finding_count, 2);
    assert_int_equal(r->duplicate_count, 1);
    assert_int_equal(ic_report_finish(r), IC_OK);
    /* The duplicate kept is decided by content (lowest layer id), not order. */
    for (size_t i = 0; i < r->finding_count; i++)
        if (strcmp(r->findings[i].fingerprint, fp1) == 0)
            assert_string_equal(r->findings[i].location.layer, "0.1");
    ic_report_free(r);
}

static void test_invalid_findings_refused(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *bad[] = {"5.99-9", NULL};
    struct ic_finding f = finding("x.y", "CoP-1", bad, "0.1", "/a", "e");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_E_INVALID_ARG);
    f = finding("x.y", "CoP-99", NULL, "0.1", "/a", "e");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_E_INVALID_ARG);
    f = finding("x.y", "CoP-1", NULL, NULL, "/a", "e");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_E_INVALID_ARG);
    assert_int_equal(r->finding_count, 0);
    struct ic_coverage cov = {"5.99-9", 1, 1};
    assert_int_equal(ic_report_note_coverage(r, "x", &cov, 1), IC_E_INVALID_ARG);
    assert_int_equal(ic_report_set_provision(r, "5.99-9", IC_STATUS_PASS, "x"), IC_E_INVALID_ARG);
    assert_int_equal(ic_report_set_provision(r, first_provision("CoP-1"), IC_STATUS_NOT_TESTED, "x"),
                     IC_E_INVALID_ARG);
    assert_int_equal(ic_report_finish(r), IC_OK);
    f = finding("x.y", "CoP-1", NULL, "0.1", "/a", "e");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_E_INVALID_ARG); /* finished */
    ic_report_free(r);
}

/* ---- order --------------------------------------------------------------- */

static void add_sample_findings(struct ic_report *r, int reversed)
{
    static const char *const p1[] = {"5.1-1", NULL};
    struct ic_finding list[] = {
        finding("b.rule", "CoP-1", p1, "0.1", "/etc/b", "two"),
        finding("a.rule", "CoP-1", p1, "0.1", "/etc/z", "one"),
        finding("a.rule", "CoP-1", p1, "0.1", "/etc/a", "one"),
        finding("c.rule", "CoP-1", p1, "0.3", NULL, "blob"),
    };
    list[0].severity = IC_SEVERITY_CRITICAL;
    list[3].location = ic_location_raw("0.3", 100);
    list[3].severity = IC_SEVERITY_LOW;
    size_t n = sizeof(list) / sizeof(list[0]);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(ic_report_add_finding(r, &list[reversed ? n - 1 - i : i], NULL), IC_OK);
    struct ic_component c1 = {.name = "busybox", .version = "1.36.1",
                              .paths = (const char *const[]){"/bin/busybox", NULL}};
    struct ic_component c2 = {.name = "dropbear", .version = "2022.83"};
    assert_int_equal(ic_report_add_component(r, reversed ? &c2 : &c1), IC_OK);
    assert_int_equal(ic_report_add_component(r, reversed ? &c1 : &c2), IC_OK);
}

static void test_deterministic_order(void **state)
{
    (void)state;
    struct ic_report *a = firmware_report(), *b = firmware_report();
    add_sample_findings(a, 0);
    add_sample_findings(b, 1);
    assert_int_equal(ic_report_finish(a), IC_OK);
    assert_int_equal(ic_report_finish(b), IC_OK);
    /* severity descending, then rule, then path */
    assert_string_equal(a->findings[0].rule, "b.rule");
    assert_string_equal(a->findings[1].location.path, "/etc/a");
    assert_string_equal(a->findings[2].location.path, "/etc/z");
    assert_string_equal(a->findings[3].rule, "c.rule");
    assert_string_equal(a->components[0].name, "busybox");
    char *ja = report_json(a, 0), *jb = report_json(b, 0);
    assert_string_equal(ja, jb);
    free(ja);
    free(jb);
    ic_report_free(a);
    ic_report_free(b);
}

/* ---- verdicts ------------------------------------------------------------ */

static void test_nothing_run(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    assert_int_equal(ic_report_finish(r), IC_OK);
    for (size_t i = 0; i < ic_provision_count(); i++) {
        assert_int_equal(r->provisions[i].status, untested_status(ic_provision_at(i)));
        assert_int_equal(r->provisions[i].source, IC_SOURCE_TEST);
        assert_non_null(r->provisions[i].reason);
    }
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        size_t unverified = 0;
        for (size_t k = 0; k < g->provision_count; k++)
            unverified += untested_status(ic_guideline_provision(g, k)) == IC_STATUS_UNVERIFIED;
        /* Only documents settle a guideline whose every provision needs them. */
        assert_int_equal(r->guidelines[i].status, unverified == g->provision_count
                                                      ? IC_STATUS_UNVERIFIED
                                                      : IC_STATUS_NOT_TESTED);
    }
    /* CoP-1 has provisions a test can settle: nothing ran, so not tested. */
    assert_int_equal(guideline_status(r, "CoP-1"), IC_STATUS_NOT_TESTED);
    for (size_t i = 0; i < ic_cra_count(); i++)
        assert_int_not_equal(r->cra[i].status, IC_STATUS_PASS);
    ic_report_free(r);
}

static void test_finding_fails_provision_guideline_psti_cra(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *target = first_provision("CoP-1");
    const char *provs[] = {target, NULL};
    struct ic_finding f = finding("cred.test", "CoP-1", provs, "0.1", "/etc/shadow", "root::0");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(provision_status(r, target), IC_STATUS_FAIL);
    assert_int_equal(guideline_status(r, "CoP-1"), IC_STATUS_FAIL);
    size_t psti_failed = 0;
    for (size_t i = 0; i < ic_psti_count(); i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        int deems = 0;
        for (size_t k = 0; k < t->deemed_provision_count; k++)
            deems |= strcmp(t->deemed_provisions[k], target) == 0;
        assert_int_equal(r->psti[i].status == IC_STATUS_FAIL, deems);
        psti_failed += deems;
    }
    assert_true(psti_failed >= 1); /* PSTI-1 in the data */
    for (size_t i = 0; i < ic_cra_count(); i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        int mapped = 0;
        for (size_t k = 0; k < c->guideline_count; k++)
            mapped |= strcmp(c->guidelines[k], "CoP-1") == 0;
        assert_int_equal(r->cra[i].status == IC_STATUS_FAIL, mapped);
    }
    for (size_t i = 0; i < ic_guideline_count(); i++)
        if (strcmp(ic_guideline_at(i)->id, "CoP-1") != 0)
            assert_int_not_equal(r->guidelines[i].status, IC_STATUS_FAIL);
    ic_report_free(r);
}

/* A suppressed finding keeps failing what it bears on (the verdict stays
 * honest) but marks the fail suppressed_only, which the gates ignore; an
 * info finding fails nothing. */
static void test_suppressed_findings_fail_only_for_verdicts(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *target = first_provision("CoP-1");
    const char *provs[] = {target, NULL};
    struct ic_finding f = finding("cred.test", "CoP-1", provs, "0.1", "/etc/shadow", "x");
    f.suppressed = 1;
    f.justification = "test account removed at first boot";
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    f = finding("cred.info", "CoP-1", provs, "0.1", "/etc/passwd", "y");
    f.severity = IC_SEVERITY_INFO;
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(provision_status(r, target), IC_STATUS_FAIL);
    assert_int_equal(guideline_status(r, "CoP-1"), IC_STATUS_FAIL);
    assert_true(r->provisions[ic_provision_find(target)->index].suppressed_only);
    assert_true(r->guidelines[ic_guideline_find("CoP-1")->index].suppressed_only);
    assert_non_null(strstr(r->guidelines[ic_guideline_find("CoP-1")->index].reason, "suppressed"));
    enum ic_severity max;
    assert_int_equal(ic_report_max_severity(r, &max), 1);
    assert_int_equal(max, IC_SEVERITY_INFO); /* the suppressed one does not count */
    ic_report_free(r);
}

/* Coverage of every provision of CoP-1 by a family that can pass them, and no
 * finding: each passes, so does the guideline and every PSTI requirement
 * deemed met by CoP-1 provisions only. */
static void test_coverage_without_findings_passes(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const struct ic_guideline *g = ic_guideline_find("CoP-1");
    struct ic_coverage cov[64];
    assert_true(g->provision_count <= 64);
    for (size_t i = 0; i < g->provision_count; i++)
        cov[i] = (struct ic_coverage){g->provisions[i], 1, 1};
    assert_int_equal(ic_report_note_coverage(r, "credentials", cov, g->provision_count), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    for (size_t i = 0; i < g->provision_count; i++) {
        assert_int_equal(provision_status(r, g->provisions[i]), IC_STATUS_PASS);
        assert_non_null(strstr(r->provisions[ic_provision_find(g->provisions[i])->index].reason,
                               "credentials"));
    }
    assert_int_equal(guideline_status(r, "CoP-1"), IC_STATUS_PASS);
    for (size_t i = 0; i < ic_psti_count(); i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        int all_cop1 = t->deemed_provision_count > 0;
        for (size_t k = 0; k < t->deemed_provision_count; k++)
            all_cop1 &= strcmp(ic_provision_find(t->deemed_provisions[k])->guideline, "CoP-1") == 0;
        if (all_cop1)
            assert_int_equal(r->psti[i].status, IC_STATUS_PASS);
    }
    ic_report_free(r);
}

/* A family that can only find problems: finding none does not pass. */
static void test_coverage_that_cannot_pass(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *target = first_provision("CoP-1");
    struct ic_coverage cov = {target, 0, 1};
    assert_int_equal(ic_report_note_coverage(r, "weak-check", &cov, 1), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(provision_status(r, target), IC_STATUS_UNVERIFIED);
    assert_int_equal(guideline_status(r, "CoP-1"), IC_STATUS_UNVERIFIED);
    ic_report_free(r);
}

/* Explicit evidence: a tested pass with its evidence, a declared
 * not-applicable, and tested evidence beating a declaration. */
static void test_explicit_and_declared(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    const char *disclosure = first_provision("CoP-2");
    assert_int_equal(ic_report_set_provision(r, disclosure, IC_STATUS_PASS,
                                             "security.txt valid at /www/.well-known/security.txt"),
                     IC_OK);
    assert_int_equal(ic_report_declare_provision(r, disclosure, IC_STATUS_FAIL, "declared"), IC_OK);
    const struct ic_guideline *g = ic_guideline_find("CoP-7");
    for (size_t i = 0; i < g->provision_count; i++)
        assert_int_equal(ic_report_declare_provision(r, g->provisions[i],
                                                     IC_STATUS_NOT_APPLICABLE, "no updates"),
                         IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    const struct ic_verdict *v = &r->provisions[ic_provision_find(disclosure)->index];
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_int_equal(v->source, IC_SOURCE_TEST);
    assert_string_equal(v->reason, "security.txt valid at /www/.well-known/security.txt");
    for (size_t i = 0; i < g->provision_count; i++) {
        v = &r->provisions[ic_provision_find(g->provisions[i])->index];
        assert_int_equal(v->status, IC_STATUS_NOT_APPLICABLE);
        assert_int_equal(v->source, IC_SOURCE_DECLARED);
    }
    assert_int_equal(guideline_status(r, "CoP-7"), IC_STATUS_NOT_APPLICABLE);
    ic_report_free(r);
}

/* ---- components, services, threads --------------------------------------- */

static void test_components_merge(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    struct ic_component a = {.name = "open ssl", .version = "1.1.1w",
                             .cpe = (const char *const[]){"cpe:2.3:a:openssl:openssl:1.1.1w:*:*:*:*:*:*:*", NULL},
                             .paths = (const char *const[]){"/usr/lib/libssl.so.1.1", NULL},
                             .evidence = "version string"};
    struct ic_component b = a;
    b.paths = (const char *const[]){"/lib/libcrypto.so.1.1", "/usr/lib/libssl.so.1.1", NULL};
    assert_int_equal(ic_report_add_component(r, &a), IC_OK);
    assert_int_equal(ic_report_add_component(r, &b), IC_OK);
    assert_int_equal(r->component_count, 1);
    assert_int_equal(ic_report_finish(r), IC_OK);
    const struct ic_component *c = &r->components[0];
    assert_string_equal(c->purl, "pkg:generic/open%20ssl@1.1.1w");
    assert_string_equal(c->paths[0], "/lib/libcrypto.so.1.1");
    assert_string_equal(c->paths[1], "/usr/lib/libssl.so.1.1");
    assert_null(c->paths[2]);
    assert_null(c->cpe[1]);
    ic_report_free(r);
}

struct thread_arg {
    struct ic_report *report;
    int base;
};

static void *add_many(void *p)
{
    struct thread_arg *arg = p;
    static const char *const provs[] = {"5.1-1", NULL};
    for (int i = 0; i < 200; i++) {
        char evidence[32];
        snprintf(evidence, sizeof(evidence), "item %d", (arg->base + i) % 500);
        struct ic_finding f = finding("t.rule", "CoP-1", provs, "0.1", "/x", evidence);
        int rc = ic_report_add_finding(arg->report, &f, NULL);
        if (rc != IC_OK && rc != IC_E_EXISTS)
            return p;
    }
    return NULL;
}

static void test_parallel_adds(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    pthread_t threads[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){r, i * 100};
        assert_int_equal(pthread_create(&threads[i], NULL, add_many, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        void *ret = NULL;
        pthread_join(threads[i], &ret);
        assert_null(ret);
    }
    /* bases 0,100,200,300 with 200 each cover items 0..499 exactly */
    assert_int_equal(r->finding_count, 500);
    assert_int_equal(r->duplicate_count, 300);
    ic_report_free(r);
}

/* ---- rules --------------------------------------------------------------- */

static const struct ic_rule good_rules[] = {
    {.id = "test.ok", .title = "t", .severity = IC_SEVERITY_LOW, .guideline = "CoP-5",
     .provisions = (const char *const[]){"5.5-1", NULL}, .rationale = "r", .fix = "f"},
};
static const struct ic_rule bad_rules[] = {
    {.id = "test.bad", .title = "t", .severity = IC_SEVERITY_LOW, .guideline = "CoP-5",
     .provisions = (const char *const[]){"5.5-99", NULL}, .rationale = "r", .fix = "f"},
};

static void test_rules_registry(void **state)
{
    (void)state;
    char detail[256] = "";
    assert_int_equal(ic_rules_validate(detail, sizeof(detail)), IC_OK);
    struct ic_rule_set good = {"test", good_rules, 1}, bad = {"test", bad_rules, 1};
    assert_int_equal(ic_rule_set_validate(&good, detail, sizeof(detail)), IC_OK);
    assert_int_equal(ic_rule_set_validate(&bad, detail, sizeof(detail)), IC_E_FORMAT);
    assert_non_null(strstr(detail, "test.bad"));
    size_t n = 0;
    while (ic_rule_set_at(n))
        n++;
    size_t rules = 0;
    for (size_t i = 0; i < n; i++)
        rules += ic_rule_set_at(i)->count;
    assert_int_equal(rules, ic_rule_count());
    assert_null(ic_rule_at(ic_rule_count()));
    assert_int_equal(strlen(ic_rules_version()), 12);
    /* A finding from a rule carries its mapping. */
    struct ic_finding f = ic_finding_from_rule(&good_rules[0], ic_location_file("0.1", "/a"), "e");
    assert_string_equal(f.rule, "test.ok");
    assert_string_equal(f.guideline, "CoP-5");
    assert_int_equal(f.severity, IC_SEVERITY_LOW);
}

/* ---- JSON ---------------------------------------------------------------- */

/* Checks the keys of a report with python3: exactly the documented ones. */
static const char *const key_check =
    "import json, sys\n"
    "r = json.load(open(sys.argv[1]))\n"
    "kind = sys.argv[2]\n"
    "def keys(o, required, optional=()):\n"
    "    k = set(o)\n"
    "    assert set(required) <= k, ('missing', set(required) - k, o)\n"
    "    assert k <= set(required) | set(optional), ('extra', k - set(required) - set(optional))\n"
    "top = ['schema', 'tool', 'run', 'target', 'components', 'findings', 'guidelines',\n"
    "       'provisions', 'psti', 'cra'] + (['unpack'] if kind == 'firmware' else ['services'])\n"
    "keys(r, top, ['declaration', 'contradictions', 'scorecard', 'psti_statement'])\n"
    "assert r['schema'] == 'iotcop-report/1'\n"
    "keys(r['tool'], ['name', 'version', 'rules_version'])\n"
    "keys(r['run'], ['started', 'duration_s', 'options'], ['vulndb', 'diagnostics'])\n"
    "if 'vulndb' in r['run']: keys(r['run']['vulndb'], ['path', 'last_modified', 'records'])\n"
    "if kind == 'firmware':\n"
    "    keys(r['target'], ['kind', 'path', 'sha256', 'size'])\n"
    "    keys(r['unpack'], ['layers', 'files', 'bytes', 'diagnostics'], ['regions', 'limit_hit'])\n"
    "    for l in r['unpack']['layers']:\n"
    "        keys(l, ['id', 'parent', 'format', 'offset', 'size'], ['path', 'name', 'info', 'entries'])\n"
    "    for d in r['unpack']['diagnostics']:\n"
    "        keys(d, ['level', 'code', 'layer', 'message'], ['offset'])\n"
    "else:\n"
    "    keys(r['target'], ['kind', 'address'], ['hostname'])\n"
    "    for s in r['services']:\n"
    "        keys(s, ['host', 'port', 'protocol', 'service'], ['banner', 'tls'])\n"
    "for c in r['components']:\n"
    "    keys(c, ['name', 'version', 'cpe', 'purl', 'paths', 'evidence'])\n"
    "for f in r['findings']:\n"
    "    keys(f, ['rule', 'fingerprint', 'severity', 'title', 'guideline', 'provisions',\n"
    "             'location', 'evidence'], ['cve', 'cvss', 'suppressed'])\n"
    "    assert f['severity'] in ('critical', 'high', 'medium', 'low', 'info')\n"
    "    if kind == 'firmware': keys(f['location'], ['layer'], ['path', 'line', 'offset'])\n"
    "    else: keys(f['location'], ['host', 'port', 'protocol', 'service'])\n"
    "statuses = {'fail', 'pass', 'unverified', 'not-tested', 'not-applicable'}\n"
    "fps = {f['fingerprint'] for f in r['findings']}\n"
    "for g in r['guidelines']:\n"
    "    keys(g, ['id', 'title', 'status', 'findings'], ['reason', 'suppressed_only'])\n"
    "    assert g['status'] in statuses and set(g['findings']) <= fps\n"
    "for p in r['provisions']:\n"
    "    keys(p, ['id', 'status', 'source'], ['level', 'title', 'reason', 'suppressed_only',\n"
    "                                         'findings', 'declared', 'contradiction'])\n"
    "    assert p['status'] in statuses and p['source'] in ('test', 'declared')\n"
    "for t in r['psti']: keys(t, ['id', 'status'], ['title', 'provisions', 'reason'])\n"
    "if 'scorecard' in r:\n"
    "    keys(r['scorecard'], ['en303645', 'sources', 'contradictions'])\n"
    "    for level in ('mandatory', 'recommended'):\n"
    "        keys(r['scorecard']['en303645'][level], ['not-tested', 'pass', 'fail', 'unverified',\n"
    "                                                 'not-applicable', 'total'])\n"
    "if 'psti_statement' in r:\n"
    "    keys(r['psti_statement'], ['complete', 'gaps', 'items'])\n"
    "    for i in r['psti_statement']['items']: keys(i, ['id', 'ref', 'text'], ['value', 'gap'])\n"
    "for c in r.get('contradictions', []):\n"
    "    keys(c, ['provision', 'title', 'declared', 'status', 'reason', 'findings'])\n"
    "for c in r['cra']: keys(c, ['id', 'status'], ['title', 'guidelines', 'reason'])\n"
    "m = json.load(open(sys.argv[3]))\n"
    "assert [g['id'] for g in r['guidelines']] == [g['id'] for g in m['guidelines']]\n"
    "assert [p['id'] for p in r['provisions']] == [p['id'] for p in m['en303645_provisions']]\n"
    "assert [p['level'] for p in r['provisions']] == [p['level'] for p in m['en303645_provisions']]\n"
    "assert [t['id'] for t in r['psti']] == [t['id'] for t in m['psti_requirements']]\n"
    "assert [c['id'] for c in r['cra']] == list(m['cra_annex_i_key'])\n"
    "print('ok', len(r['findings']))\n";

static void check_with_python(const char *json, const char *kind)
{
    const char *source = getenv("IOTCOP_SOURCE");
    if (!source || system("python3 -c 1 >/dev/null 2>&1") != 0)
        skip();
    char *dir = test_tmpdir(kind);
    char report[1024], script[1024], cmd[8192];
    snprintf(report, sizeof(report), "%s/report.json", dir);
    snprintf(script, sizeof(script), "%s/check.py", dir);
    FILE *f = fopen(report, "w");
    assert_non_null(f);
    fputs(json, f);
    fclose(f);
    f = fopen(script, "w");
    assert_non_null(f);
    fputs(key_check, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "python3 -m json.tool '%s' >/dev/null && python3 '%s' '%s' %s "
             "'%s/data/cop-mapping.json'", report, script, report, kind, source);
    assert_int_equal(system(cmd), 0);
    free(dir);
}

static void test_firmware_json(void **state)
{
    (void)state;
    struct ic_report *r = firmware_report();
    add_sample_findings(r, 0);
    struct ic_finding f = finding("cve.test", "CoP-3", (const char *const[]){"5.3-2", NULL},
                                  "0.1", "/usr/sbin/dropbear", "dropbear 2022.83");
    f.cve = "CVE-2023-48795";
    f.cvss = 5.9;
    f.has_cvss = 1;
    f.location.line = 3;
    f.suppressed = 1;
    f.justification = "patched by vendor";
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    assert_int_equal(ic_report_set_vulndb(r, "/var/lib/iotcop/vuln.db", "2024-05-01T00:00:00Z", 10),
                     IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    char *pretty = report_json(r, 1), *line = report_json(r, 0);
    assert_null(strchr(line, '\n')); /* one JSON Lines record */
    assert_non_null(strstr(line, "\"started\":\"2023-11-14T22:13:20Z\""));
    assert_non_null(strstr(line, "\"sha256\":\"9f86d081"));
    check_with_python(pretty, "firmware");
    check_with_python(line, "firmware");
    free(pretty);
    free(line);
    ic_report_free(r);
}

static void test_device_json(void **state)
{
    (void)state;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_device_target(r, "127.0.0.1", "camera.local"), IC_OK);
    struct ic_service_tls tls = {.version = "TLSv1.2", .cipher = "ECDHE-RSA-AES128-GCM-SHA256",
                                 .self_signed = 1, .key_bits = 1024};
    struct ic_service s1 = {"127.0.0.1", 443, "tcp", "https", "lighttpd", &tls};
    struct ic_service s2 = {"127.0.0.1", 23, "tcp", "telnet", NULL, NULL};
    assert_int_equal(ic_report_add_service(r, &s1), IC_OK);
    assert_int_equal(ic_report_add_service(r, &s2), IC_OK);
    assert_int_equal(ic_report_add_service(r, &s2), IC_E_EXISTS);
    struct ic_finding f = finding("cred.default-login", "CoP-1",
                                  (const char *const[]){"5.1-1", NULL}, NULL, NULL,
                                  "login root/xc3511 accepted");
    f.location = ic_location_device("127.0.0.1", 23, "tcp", "telnet");
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    assert_int_equal(r->services[0].port, 23);
    char *json = report_json(r, 1);
    check_with_python(json, "device");
    free(json);
    ic_report_free(r);
}

/* No unpack result (the worker crashed): the unpack object is still there,
 * carrying the run's diagnostic. */
static void test_firmware_without_unpack(void **state)
{
    (void)state;
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_for_firmware("broken.bin", NULL, NULL, &r), IC_OK);
    assert_int_equal(ic_report_add_diagnostic(r, IC_E_WORKER_CRASHED, 1, "0", "worker ended"),
                     IC_OK);
    struct ic_buf b = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_report_finish_and_write_json(r, 0, &b), IC_OK);
    assert_non_null(strstr((char *)b.data, "\"code\":\"E_WORKER_CRASHED\""));
    assert_non_null(strstr((char *)b.data, "\"sha256\":null"));
    check_with_python((char *)b.data, "firmware");
    ic_buf_release(&b);
    ic_report_free(r);

    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    struct ic_buf none = IC_BUF_INIT(1 << 20);
    assert_int_equal(ic_report_write_json(r, 0, &none), IC_E_INVALID_ARG); /* no target */
    ic_buf_release(&none);
    ic_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_fingerprint_ignores_offsets_and_layer_ids),
        cmocka_unit_test(test_deduplication),
        cmocka_unit_test(test_invalid_findings_refused),
        cmocka_unit_test(test_deterministic_order),
        cmocka_unit_test(test_nothing_run),
        cmocka_unit_test(test_finding_fails_provision_guideline_psti_cra),
        cmocka_unit_test(test_suppressed_findings_fail_only_for_verdicts),
        cmocka_unit_test(test_coverage_without_findings_passes),
        cmocka_unit_test(test_coverage_that_cannot_pass),
        cmocka_unit_test(test_explicit_and_declared),
        cmocka_unit_test(test_components_merge),
        cmocka_unit_test(test_parallel_adds),
        cmocka_unit_test(test_rules_registry),
        cmocka_unit_test(test_firmware_json),
        cmocka_unit_test(test_device_json),
        cmocka_unit_test(test_firmware_without_unpack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
