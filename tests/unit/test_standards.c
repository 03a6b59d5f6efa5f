/* The generated standards tables against data/cop-mapping.json itself: the
 * mapping is read by python3 (the test's own reader, not the generator) and
 * printed as one record per line, which is compared field by field with the
 * accessors of iotcop/standards.h. */
#include "testutil.h"

#include "iotcop/standards.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints tab-separated records: list items joined with ','. */
static const char *const dump_script =
    "import json, sys\n"
    "d = json.load(open(sys.argv[1], encoding='utf-8'))\n"
    "def out(*f): print('\\t'.join(str(x) for x in f))\n"
    "out('COUNTS', len(d['guidelines']), d['en303645_provision_count'],\n"
    "    d['en303645_status_counts']['M'], d['en303645_status_counts']['R'],\n"
    "    len(d['psti_requirements']), len(d['cra_annex_i_key']), len(d['en303645_conditions']))\n"
    "for g in d['guidelines']:\n"
    "    out('G', g['id'], g['title'], ','.join(g['en303645']), ','.join(g['cra_annex_i']),\n"
    "        ','.join(g['psti']), 1 if g.get('testable', {}).get('firmware') else 0)\n"
    "for p in d['en303645_provisions']:\n"
    "    v = p['verification']\n"
    "    out('P', p['id'], p['level'], p['cop'], v['firmware_static'], v['live_network'],\n"
    "        v['documentation'], p['title'])\n"
    "for r in d['psti_requirements']:\n"
    "    out('T', r['id'], r['title'], r['cop'], ','.join(r['en303645_deemed']))\n"
    "for k, v in d['cra_annex_i_key'].items():\n"
    "    out('C', k, ','.join(g['id'] for g in d['guidelines'] if k in g['cra_annex_i']), v)\n"
    "for k, v in d['en303645_conditions'].items():\n"
    "    out('N', k, v)\n";

static char *joined(const char *const *list, size_t n)
{
    size_t len = 1;
    for (size_t i = 0; i < n; i++)
        len += strlen(list[i]) + 1;
    char *s = calloc(1, len);
    size_t used = 0;
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(s + used, len - used, "%s%s", i ? "," : "", list[i]);
    return s;
}

static void assert_list(const char *const *list, size_t n, const char *expected)
{
    char *s = joined(list, n);
    assert_string_equal(s, expected);
    free(s);
    assert_null(list[n]); /* NULL-terminated as promised */
}

static int split(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\n")] = '\0';
    for (char *p = line; n < max;) {
        fields[n++] = p;
        char *tab = strchr(p, '\t');
        if (!tab)
            break;
        *tab = '\0';
        p = tab + 1;
    }
    return n;
}

static unsigned long number(const char *s)
{
    return strtoul(s, NULL, 10);
}

static void test_tables_match_mapping(void **state)
{
    (void)state;
    const char *source = getenv("IOTCOP_SOURCE");
    if (!source || system("python3 -c 1 >/dev/null 2>&1") != 0)
        skip();
    char *dir = test_tmpdir("standards");
    char script[4096], cmd[8192];
    snprintf(script, sizeof(script), "%s/dump.py", dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs(dump_script, f);
    fclose(f);
    snprintf(cmd, sizeof(cmd), "python3 '%s' '%s/data/cop-mapping.json'", script, source);
    FILE *in = popen(cmd, "r");
    assert_non_null(in);

    char line[8192];
    char *fld[10];
    size_t guidelines = 0, provisions = 0, psti = 0, cra = 0, conditions = 0;
    while (fgets(line, sizeof(line), in)) {
        int n = split(line, fld, 10);
        if (strcmp(fld[0], "COUNTS") == 0) {
            assert_int_equal(n, 8);
            assert_int_equal(ic_guideline_count(), number(fld[1]));
            assert_int_equal(ic_provision_count(), number(fld[2]));
            size_t mandatory = 0;
            for (size_t i = 0; i < ic_provision_count(); i++)
                mandatory += ic_provision_at(i)->mandatory ? 1 : 0;
            assert_int_equal(mandatory, number(fld[3]));
            assert_int_equal(ic_provision_count() - mandatory, number(fld[4]));
            assert_int_equal(ic_psti_count(), number(fld[5]));
            assert_int_equal(ic_cra_count(), number(fld[6]));
            assert_int_equal(ic_condition_count(), number(fld[7]));
        } else if (strcmp(fld[0], "G") == 0) {
            const struct ic_guideline *g = ic_guideline_at(guidelines);
            assert_non_null(g);
            assert_string_equal(g->id, fld[1]);
            assert_ptr_equal(ic_guideline_find(fld[1]), g);
            assert_string_equal(g->title, fld[2]);
            assert_list(g->provisions, g->provision_count, fld[3]);
            assert_list(g->cra, g->cra_count, fld[4]);
            assert_list(g->psti_refs, g->psti_ref_count, fld[5]);
            assert_int_equal(g->testable_firmware != NULL, number(fld[6]));
            for (size_t i = 0; i < g->provision_count; i++)
                assert_string_equal(ic_guideline_provision(g, i)->guideline, g->id);
            guidelines++;
        } else if (strcmp(fld[0], "P") == 0) {
            const struct ic_provision *p = ic_provision_at(provisions);
            assert_non_null(p);
            assert_int_equal(p->index, provisions);
            assert_string_equal(p->id, fld[1]);
            assert_ptr_equal(ic_provision_find(fld[1]), p);
            assert_string_equal(p->level, fld[2]);
            assert_int_equal(p->mandatory, fld[2][0] == 'M');
            assert_int_equal(p->condition_count > 0, strchr(fld[2], 'C') != NULL);
            for (size_t i = 0; i < p->condition_count; i++)
                assert_non_null(ic_condition_find(p->conditions[i]));
            assert_string_equal(p->guideline, fld[3]);
            assert_string_equal(ic_guideline_at(p->guideline_index)->id, fld[3]);
            assert_string_equal(ic_strength_name(p->firmware_static), fld[4]);
            assert_string_equal(ic_strength_name(p->live_network), fld[5]);
            assert_string_equal(ic_doc_need_name(p->documentation), fld[6]);
            assert_string_equal(p->title, fld[7]);
            provisions++;
        } else if (strcmp(fld[0], "T") == 0) {
            const struct ic_psti_requirement *t = ic_psti_at(psti);
            assert_non_null(t);
            assert_string_equal(t->id, fld[1]);
            assert_ptr_equal(ic_psti_find(fld[1]), t);
            assert_string_equal(t->title, fld[2]);
            assert_string_equal(t->guideline, fld[3]);
            assert_list(t->deemed_provisions, t->deemed_provision_count, fld[4]);
            psti++;
        } else if (strcmp(fld[0], "C") == 0) {
            const struct ic_cra_requirement *c = ic_cra_at(cra);
            assert_non_null(c);
            assert_string_equal(c->id, fld[1]);
            assert_ptr_equal(ic_cra_find(fld[1]), c);
            assert_list(c->guidelines, c->guideline_count, fld[2]);
            assert_string_equal(c->description, fld[3]);
            cra++;
        } else if (strcmp(fld[0], "N") == 0) {
            const struct ic_condition *c = ic_condition_find((unsigned)number(fld[1]));
            assert_non_null(c);
            assert_string_equal(c->text, fld[2]);
            conditions++;
        } else {
            fail_msg("unexpected line from the dump script: %s", fld[0]);
        }
    }
    assert_int_equal(pclose(in), 0);
    assert_int_equal(guidelines, ic_guideline_count());
    assert_int_equal(provisions, ic_provision_count());
    assert_int_equal(psti, ic_psti_count());
    assert_int_equal(cra, ic_cra_count());
    assert_int_equal(conditions, ic_condition_count());
    free(dir);
}

static void test_lookups_outside_the_tables(void **state)
{
    (void)state;
    assert_null(ic_guideline_at(ic_guideline_count()));
    assert_null(ic_provision_at(ic_provision_count()));
    assert_null(ic_psti_at(ic_psti_count()));
    assert_null(ic_cra_at(ic_cra_count()));
    assert_null(ic_condition_at(ic_condition_count()));
    assert_null(ic_guideline_find("CoP-0"));
    assert_null(ic_guideline_find("cop-1")); /* exact match only */
    assert_null(ic_guideline_find(NULL));
    assert_null(ic_provision_find("5.99-1"));
    assert_null(ic_provision_find(NULL));
    assert_null(ic_psti_find("PSTI-0"));
    assert_null(ic_cra_find("III(1)"));
    assert_null(ic_condition_find(0));
    assert_null(ic_guideline_provision(ic_guideline_at(0), ic_guideline_at(0)->provision_count));
    assert_int_equal(strlen(ic_standards_source_sha256()), 64);
}

/* Every provision is listed under exactly one guideline, the one it names. */
static void test_every_provision_has_one_guideline(void **state)
{
    (void)state;
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_provision *p = ic_provision_at(i);
        size_t listed = 0;
        for (size_t g = 0; g < ic_guideline_count(); g++)
            for (size_t k = 0; k < ic_guideline_at(g)->provision_count; k++)
                listed += strcmp(ic_guideline_at(g)->provisions[k], p->id) == 0 ? 1 : 0;
        assert_int_equal(listed, 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tables_match_mapping),
        cmocka_unit_test(test_lookups_outside_the_tables),
        cmocka_unit_test(test_every_provision_has_one_guideline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
