/* Manufacturer declarations: YAML and JSON into the same values, every bad
 * value a diagnostic with its line and key, syntax errors with their line;
 * and how a declaration meets the tests in a report (a test verdict always
 * wins, a failing test contradicts the declaration, the PSTI statement is
 * filled from it). */
#include "testutil.h"

#include "core/dom.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "report/scorecard.h"

#include <stdio.h>
#include <string.h>

static struct ic_declaration *parse(const char *text, enum ic_declaration_syntax syntax, int *rc)
{
    struct ic_declaration *d = NULL;
    *rc = ic_declaration_parse((const uint8_t *)text, strlen(text), syntax, "t.yaml", &d);
    assert_non_null(d);
    return d;
}

/* The diagnostic about key, or NULL. */
static const struct ic_declaration_diag *diag_for(const struct ic_declaration *d, const char *key)
{
    for (size_t i = 0; i < d->diag_count; i++)
        if (strcmp(d->diags[i].key, key) == 0)
            return &d->diags[i];
    return NULL;
}

static const char yaml_text[] = "schema: iotcop-declaration/1\n"
                                "product:\n"
                                "  name: Cam\n"
                                "  model: 100\n"
                                "manufacturer:\n"
                                "  name: Maker Ltd\n"
                                "  address: 1 Street\n"
                                "support_period:\n"
                                "  end: 2030-12-31\n"
                                "provisions:\n"
                                "  5.1-1:\n"
                                "    status: implemented\n"
                                "    justification: unique passwords\n"
                                "    reference: doc 3\n"
                                "  5.13-1: not-applicable\n";

static const char json_text[] =
    "{\"schema\": \"iotcop-declaration/1\",\n"
    " \"product\": {\"name\": \"Cam\", \"model\": 100},\n"
    " \"manufacturer\": {\"name\": \"Maker Ltd\", \"address\": \"1 Street\"},\n"
    " \"support_period\": {\"end\": \"2030-12-31\"},\n"
    " \"provisions\": {\"5.1-1\": {\"status\": \"implemented\", \"justification\": "
    "\"unique passwords\", \"reference\": \"doc 3\"},\n"
    "                \"5.13-1\": \"not-applicable\"}}\n";

static void check_values(const struct ic_declaration *d)
{
    assert_string_equal(d->product_name, "Cam");
    assert_string_equal(d->product_model, "100");
    assert_string_equal(ic_declaration_field(d, "manufacturer.address"), "1 Street");
    assert_string_equal(ic_declaration_field(d, "support_period.end"), "2030-12-31");
    assert_null(ic_declaration_field(d, "statement.place"));
    assert_null(ic_declaration_field(d, "no.such"));
    assert_int_equal(d->provision_count, 2);
    const struct ic_declared_provision *p = ic_declaration_find(d, "5.1-1");
    assert_non_null(p);
    assert_int_equal(p->status, IC_STATUS_PASS);
    assert_string_equal(p->justification, "unique passwords");
    assert_string_equal(p->reference, "doc 3");
    p = ic_declaration_find(d, "5.13-1");
    assert_non_null(p);
    assert_int_equal(p->status, IC_STATUS_NOT_APPLICABLE);
    assert_null(ic_declaration_find(d, "5.2-1"));
}

static void test_yaml_and_json_agree(void **state)
{
    (void)state;
    int rc;
    struct ic_declaration *y = parse(yaml_text, IC_DECLARATION_YAML, &rc);
    assert_int_equal(rc, IC_OK);
    check_values(y);
    assert_int_equal(ic_declaration_find(y, "5.1-1")->line, 11);
    /* 5.13-1 is not applicable without a justification: kept, but said. */
    const struct ic_declaration_diag *g = diag_for(y, "provisions.5.13-1");
    assert_non_null(g);
    assert_int_equal(g->line, 15);
    ic_declaration_free(y);

    struct ic_declaration *j = parse(json_text, IC_DECLARATION_AUTO, &rc);
    assert_int_equal(rc, IC_OK);
    check_values(j);
    assert_int_equal(ic_declaration_find(j, "5.1-1")->line, 5);
    ic_declaration_free(j);
}

static void test_bad_values_are_diagnostics(void **state)
{
    (void)state;
    int rc;
    struct ic_declaration *d = parse("product:\n"
                                     "  colour: red\n"
                                     "  name: [a, b]\n"
                                     "support_period:\n"
                                     "  end: 2031-02-29\n"
                                     "statement:\n"
                                     "  date: 2024-02-29\n"
                                     "provisions:\n"
                                     "  5.1-1: implemented\n"
                                     "  5.1-1: not-applicable\n"
                                     "  12.3-4: implemented\n"
                                     "  5.2-1: {status: done}\n"
                                     "  5.3-1: {justification: x}\n"
                                     "  5.4-1: {status: implemented, colour: red}\n"
                                     "extra: 1\n",
                                     IC_DECLARATION_YAML, &rc);
    assert_int_equal(rc, IC_OK);
    struct {
        const char *key;
        unsigned line;
    } want[] = {
        {"product.colour", 2},
        {"product.name", 3},
        {"support_period.end", 5},
        {"provisions.5.1-1", 10},
        {"provisions.12.3-4", 11},
        {"provisions.5.2-1", 12},
        {"provisions.5.3-1", 13},
        {"provisions.5.4-1.colour", 14},
        {"extra", 15},
    };
    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
        const struct ic_declaration_diag *g = diag_for(d, want[i].key);
        if (!g)
            fail_msg("no diagnostic for %s", want[i].key);
        assert_int_equal(g->line, want[i].line);
    }
    /* 2024 is a leap year, 2031 is not. */
    assert_string_equal(d->signed_date, "2024-02-29");
    assert_null(d->support_end);
    assert_null(d->product_name);
    /* The first 5.1-1 is kept; 5.4-1 is kept despite its unknown key. */
    assert_int_equal(d->provision_count, 2);
    assert_int_equal(ic_declaration_find(d, "5.1-1")->status, IC_STATUS_PASS);
    assert_non_null(ic_declaration_find(d, "5.4-1"));
    ic_declaration_free(d);
}

/* A key given twice (YAML does not forbid it): the first provisions kept. */
static void test_repeated_provisions(void **state)
{
    (void)state;
    int rc;
    struct ic_declaration *d = parse("provisions: {5.1-1: implemented}\n"
                                     "provisions: {5.2-1: implemented, 5.3-1: implemented}\n",
                                     IC_DECLARATION_YAML, &rc);
    assert_int_equal(rc, IC_OK);
    assert_int_equal(d->provision_count, 1);
    assert_non_null(ic_declaration_find(d, "5.1-1"));
    const struct ic_declaration_diag *g = diag_for(d, "provisions");
    assert_non_null(g);
    assert_int_equal(g->line, 2);
    ic_declaration_free(d);
}

static void test_syntax_errors(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        enum ic_declaration_syntax syntax;
        int rc;
        unsigned line;
    } cases[] = {
        {"a: 1\nb: [1, 2\nc: 3\n", IC_DECLARATION_YAML, IC_E_FORMAT, 3},
        {"{\"a\": 1,\n \"b\": }\n", IC_DECLARATION_JSON, IC_E_FORMAT, 2},
        {"{\"a\": [1, 2", IC_DECLARATION_JSON, IC_E_TRUNCATED, 1},
        {"a: &x [1]\nb: *x\n", IC_DECLARATION_YAML, IC_E_UNSUPPORTED, 2},
        {"a: 1\n---\nb: 2\n", IC_DECLARATION_YAML, IC_E_UNSUPPORTED, 2},
        {"", IC_DECLARATION_YAML, IC_E_FORMAT, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc;
        struct ic_declaration *d = parse(cases[i].text, cases[i].syntax, &rc);
        if (rc != cases[i].rc)
            fail_msg("case %zu: %s, want %s", i, ic_error_name(rc), ic_error_name(cases[i].rc));
        assert_int_equal(d->diag_count, 1);
        assert_int_equal(d->diags[0].line, cases[i].line);
        assert_int_equal(d->provision_count, 0);
        ic_declaration_free(d);
    }
    /* Deeper than the cap: refused, not a stack overflow. */
    char deep[400];
    memset(deep, '[', 200);
    memset(deep + 200, ']', 199);
    deep[399] = '\0';
    int rc;
    struct ic_declaration *d = parse(deep, IC_DECLARATION_JSON, &rc);
    assert_int_equal(rc, IC_E_LIMIT_DEPTH);
    ic_declaration_free(d);
}

/* A device report with one failing finding on 5.1-1 and coverage that
 * passes 5.3-1, finished with a declaration. */
static struct ic_report *report_with(const struct ic_declaration *d, int add_unverified_test)
{
    struct ic_report *r = NULL;
    assert_int_equal(ic_report_new(&r), IC_OK);
    assert_int_equal(ic_report_set_device_target(r, "127.0.0.1", NULL), IC_OK);
    static const char *const provisions[] = {"5.1-1", NULL};
    struct ic_finding f = {.rule = "live.default-credentials",
                           .severity = IC_SEVERITY_CRITICAL,
                           .title = "Default password accepted",
                           .guideline = "CoP-1",
                           .provisions = provisions,
                           .location = ic_location_device("127.0.0.1", 23, "tcp", "telnet"),
                           .evidence = "root/root accepted"};
    assert_int_equal(ic_report_add_finding(r, &f, NULL), IC_OK);
    static const struct ic_coverage cov[] = {{"5.3-1", 1, 1}};
    assert_int_equal(ic_report_note_coverage(r, "updates", cov, 1), IC_OK);
    if (add_unverified_test)
        assert_int_equal(ic_report_set_provision(r, "5.2-1", IC_STATUS_UNVERIFIED, "no contact"),
                         IC_OK);
    assert_int_equal(ic_report_set_declaration(r, d), IC_OK);
    assert_int_equal(ic_report_finish(r), IC_OK);
    return r;
}

static void test_tests_win_and_contradict(void **state)
{
    (void)state;
    int rc;
    struct ic_declaration *d = parse("provisions:\n"
                                     "  5.1-1: implemented\n"
                                     "  5.3-1: {status: not-applicable, justification: x}\n"
                                     "  5.2-1: {status: implemented, justification: policy}\n"
                                     "  5.5-1: {status: not-applicable, justification: no net}\n",
                                     IC_DECLARATION_YAML, &rc);
    assert_int_equal(rc, IC_OK);
    struct ic_report *r = report_with(d, 1);
    const struct ic_verdict *v = &r->provisions[ic_provision_find("5.1-1")->index];
    /* The failing test wins and contradicts. */
    assert_int_equal(v->status, IC_STATUS_FAIL);
    assert_int_equal(v->source, IC_SOURCE_TEST);
    assert_true(v->contradicted);
    assert_non_null(v->declared);
    assert_non_null(strstr(v->declared, "t.yaml line 2"));
    /* A test pass wins over a declared not-applicable, without contradiction. */
    v = &r->provisions[ic_provision_find("5.3-1")->index];
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_int_equal(v->source, IC_SOURCE_TEST);
    assert_false(v->contradicted);
    /* An unverified test leaves it to the declaration. */
    v = &r->provisions[ic_provision_find("5.2-1")->index];
    assert_int_equal(v->status, IC_STATUS_PASS);
    assert_int_equal(v->source, IC_SOURCE_DECLARED);
    /* Nothing tested it: declared. */
    v = &r->provisions[ic_provision_find("5.5-1")->index];
    assert_int_equal(v->status, IC_STATUS_NOT_APPLICABLE);
    assert_int_equal(v->source, IC_SOURCE_DECLARED);
    assert_int_equal(r->contradiction_count, 1);
    assert_ptr_equal(r->declaration, d);
    ic_report_free(r);
    ic_declaration_free(d);
}

static void test_statement_and_counts(void **state)
{
    (void)state;
    int rc;
    struct ic_declaration *d = parse("product: {type: camera, batch: all of 2025}\n"
                                     "support_period: {end: 2030-01-31}\n",
                                     IC_DECLARATION_YAML, &rc);
    assert_int_equal(rc, IC_OK);
    struct ic_report *r = report_with(d, 0);
    char value[512], gap[512];
    size_t complete = 0;
    for (size_t i = 0; i < ic_psti_statement_item_count; i++) {
        const struct ic_statement_item *item = &ic_psti_statement_items[i];
        int ok = ic_psti_statement_item(r, i, value, sizeof(value), gap, sizeof(gap));
        complete += (size_t)ok;
        assert_true(ok ? gap[0] == '\0' : gap[0] != '\0');
        if (strcmp(item->id, "product") == 0) {
            assert_true(ok);
            assert_string_equal(value, "camera; all of 2025");
        } else if (strcmp(item->id, "support-period") == 0) {
            assert_true(ok);
            assert_string_equal(value, "2030-01-31");
        } else if (strcmp(item->id, "manufacturer") == 0) {
            assert_false(ok);
            assert_non_null(strstr(gap, "manufacturer.name"));
        } else if (strcmp(item->id, "compliance") == 0) {
            assert_false(ok); /* PSTI-1 fails by test */
            assert_non_null(strstr(gap, "PSTI-1"));
        }
    }
    assert_int_equal(complete, 2);
    assert_int_equal(ic_psti_statement_gaps(r), ic_psti_statement_item_count - 2);
    /* Counts per level add up to the provisions of that level. */
    size_t m[5], rec[5], nm = 0, nr = 0, sm = 0, sr = 0;
    ic_report_provision_counts(r, 1, m);
    ic_report_provision_counts(r, 0, rec);
    for (size_t i = 0; i < ic_provision_count(); i++)
        ic_provision_at(i)->mandatory ? nm++ : nr++;
    for (int s = 0; s < 5; s++) {
        sm += m[s];
        sr += rec[s];
    }
    assert_int_equal(sm, nm);
    assert_int_equal(sr, nr);
    assert_int_equal(m[IC_STATUS_FAIL] + rec[IC_STATUS_FAIL], 1); /* 5.1-1 */
    ic_report_free(r);
    ic_declaration_free(d);
}

static void test_load_file(void **state)
{
    (void)state;
    char *dir = test_tmpdir("declaration");
    assert_non_null(dir);
    char path[4096];
    snprintf(path, sizeof(path), "%s/d.json", dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(json_text, f);
    fclose(f);
    struct ic_declaration *d = NULL;
    assert_int_equal(ic_declaration_load(path, &d), IC_OK);
    check_values(d);
    assert_string_equal(d->source, path);
    ic_declaration_free(d);
    snprintf(path, sizeof(path), "%s/none.yaml", dir);
    assert_int_equal(ic_declaration_load(path, &d), IC_E_IO);
    assert_null(d);
    assert_int_equal(ic_declaration_load(dir, &d), IC_E_IO);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_yaml_and_json_agree),
        cmocka_unit_test(test_bad_values_are_diagnostics),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_repeated_provisions),
        cmocka_unit_test(test_tests_win_and_contradict),
        cmocka_unit_test(test_statement_and_counts),
        cmocka_unit_test(test_load_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
