/* iotcop guidelines: the compiled-in catalogue of guidelines, provisions,
 * PSTI requirements, CRA entries and rules. */
#include "cli.h"
#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/report.h"
#include "iotcop/standards.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void help(void)
{
    printf("Usage: iotcop guidelines [OPTIONS]\n\n"
           "Prints the 13 guidelines of the UK Code of Practice for Consumer IoT Security\n"
           "with the ETSI EN 303 645 provisions under each (id, level, title), the UK PSTI\n"
           "requirements and the provisions deemed to meet them, the EU CRA Annex I\n"
           "entries the guidelines map to, and the rules iotcop checks.\n\n"
           "Options:\n"
           "  -f, --format FMT       text (default) or json\n"
           "  -g, --guideline ID     only this guideline (CoP-N, or N)\n"
           "  -o, --output FILE      write to FILE instead of standard output\n"
           "  -h, --help             this help\n\n"
           "Levels: M mandatory, R recommended; C(n) makes a provision conditional on\n"
           "condition n (listed at the end).\n\n"
           "Exit status: 0 done, 2 usage error (unknown option or guideline), 4 internal error.\n");
}

/* "CoP-3", "cop-3" or "3". */
static const struct ic_guideline *find_guideline(const char *arg)
{
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        if (strcasecmp(g->id, arg) == 0 || strcmp(g->id + strlen("CoP-"), arg) == 0)
            return g;
    }
    return NULL;
}

static int list_has(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return 1;
    return 0;
}

/* Whether a PSTI requirement or CRA entry belongs in the output. */
static int psti_shown(const struct ic_psti_requirement *t, const struct ic_guideline *only)
{
    return !only || strcmp(t->guideline, only->id) == 0;
}

static int cra_shown(const struct ic_cra_requirement *c, const struct ic_guideline *only)
{
    return !only || list_has(c->guidelines, c->guideline_count, only->id);
}

/* ---- text ---------------------------------------------------------------- */

static int text_list(struct ic_buf *out, const char *const *list, size_t n)
{
    int rc = IC_OK;
    for (size_t i = 0; i < n && !rc; i++)
        rc = ic_buf_printf(out, "%s%s", i ? ", " : "", list[i]);
    if (!rc && !n)
        rc = ic_buf_append_str(out, "-");
    return rc;
}

static int text_guideline(struct ic_buf *out, const struct ic_guideline *g)
{
    int rc = ic_buf_printf(out, "%s  %s\n  %s\n  EN 303 645 provisions:\n", g->id, g->title,
                           g->summary);
    for (size_t i = 0; i < g->provision_count && !rc; i++) {
        const struct ic_provision *p = ic_guideline_provision(g, i);
        rc = ic_buf_printf(out, "    %-7s %-11s %s\n", p->id, p->level, p->title);
    }
    if (!rc)
        rc = ic_buf_append_str(out, "  UK PSTI: ");
    size_t shown = 0;
    for (size_t i = 0; i < ic_psti_count() && !rc; i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        if (strcmp(t->guideline, g->id) == 0)
            rc = ic_buf_printf(out, "%s%s %s", shown++ ? ", " : "", t->id, t->title);
    }
    if (!rc && !shown)
        rc = ic_buf_append_str(out, "-");
    if (!rc)
        rc = ic_buf_append_str(out, "\n  EU CRA Annex I: ");
    if (!rc)
        rc = text_list(out, g->cra, g->cra_count);
    if (!rc && g->cra_other)
        rc = ic_buf_printf(out, "; also %s", g->cra_other);
    if (!rc)
        rc = ic_buf_append_str(out, "\n");
    if (!rc && g->testable_firmware)
        rc = ic_buf_printf(out, "  Firmware evidence: %s\n", g->testable_firmware);
    if (!rc && g->testable_network)
        rc = ic_buf_printf(out, "  Live evidence: %s\n", g->testable_network);
    if (!rc && g->testable_documentation)
        rc = ic_buf_printf(out, "  Documents: %s\n", g->testable_documentation);
    for (size_t i = 0, n = 0; i < ic_rule_count() && !rc; i++) {
        const struct ic_rule *r = ic_rule_at(i);
        if (strcmp(r->guideline, g->id) != 0)
            continue;
        if (!n++)
            rc = ic_buf_append_str(out, "  Rules:\n");
        if (!rc)
            rc = ic_buf_printf(out, "    %-32s %-8s %s\n", r->id, ic_severity_name(r->severity),
                               r->title);
    }
    if (!rc)
        rc = ic_buf_append_str(out, "\n");
    return rc;
}

static int write_text(struct ic_buf *out, const struct ic_guideline *only)
{
    int rc = IC_OK;
    if (!only)
        rc = ic_buf_printf(out,
                           "UK Code of Practice for Consumer IoT Security: %zu guidelines, "
                           "%zu ETSI EN 303 645 provisions\n\n",
                           ic_guideline_count(), ic_provision_count());
    for (size_t i = 0; i < ic_guideline_count() && !rc; i++)
        if (!only || ic_guideline_at(i) == only)
            rc = text_guideline(out, ic_guideline_at(i));
    if (!rc)
        rc = ic_buf_append_str(out, "UK PSTI security requirements (deemed met by EN 303 645):\n");
    for (size_t i = 0; i < ic_psti_count() && !rc; i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        if (!psti_shown(t, only))
            continue;
        rc = ic_buf_printf(out, "  %-7s %s (%s) [%s]\n          deemed: ", t->id, t->title,
                           t->requirement_ref, t->guideline);
        if (!rc)
            rc = text_list(out, t->deemed_provisions, t->deemed_provision_count);
        for (size_t k = 0; k < t->other_deemed_count && !rc; k++)
            rc = ic_buf_printf(out, "; %s", t->other_deemed[k]);
        if (!rc)
            rc = ic_buf_append_str(out, "\n");
    }
    if (!rc)
        rc = ic_buf_append_str(out, "\nEU CRA Annex I (guidelines mapped to each entry):\n");
    for (size_t i = 0; i < ic_cra_count() && !rc; i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        if (!cra_shown(c, only))
            continue;
        rc = ic_buf_printf(out, "  %-8s %s [", c->id, c->description);
        if (!rc)
            rc = text_list(out, c->guidelines, c->guideline_count);
        if (!rc)
            rc = ic_buf_append_str(out, "]\n");
    }
    if (!rc)
        rc = ic_buf_append_str(out, "\nEN 303 645 conditions:\n");
    for (size_t i = 0; i < ic_condition_count() && !rc; i++) {
        const struct ic_condition *c = ic_condition_at(i);
        rc = ic_buf_printf(out, "  C(%u) %s\n", c->number, c->text);
    }
    return rc;
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_list(struct ic_json *j, const char *key, const char *const *list, size_t n)
{
    ic_json_key(j, key);
    ic_json_array_begin(j);
    for (size_t i = 0; i < n; i++)
        ic_json_string(j, list[i]);
    ic_json_array_end(j);
}

static void json_provision(struct ic_json *j, const struct ic_provision *p)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", p->id);
    ic_json_kv_string(j, "category", p->category);
    ic_json_kv_string(j, "title", p->title);
    ic_json_kv_string(j, "level", p->level);
    ic_json_kv_bool(j, "mandatory", p->mandatory);
    ic_json_key(j, "conditions");
    ic_json_array_begin(j);
    for (size_t i = 0; i < p->condition_count; i++)
        ic_json_uint(j, p->conditions[i]);
    ic_json_array_end(j);
    if (p->level_note)
        ic_json_kv_string(j, "level_note", p->level_note);
    ic_json_kv_string(j, "guideline", p->guideline);
    ic_json_key(j, "verification");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "firmware_static", ic_strength_name(p->firmware_static));
    ic_json_kv_string(j, "live_network", ic_strength_name(p->live_network));
    ic_json_kv_string(j, "documentation", ic_doc_need_name(p->documentation));
    ic_json_object_end(j);
    ic_json_object_end(j);
}

static void json_guideline(struct ic_json *j, const struct ic_guideline *g)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", g->id);
    ic_json_kv_string(j, "title", g->title);
    ic_json_kv_string(j, "summary", g->summary);
    ic_json_key(j, "provisions");
    ic_json_array_begin(j);
    for (size_t i = 0; i < g->provision_count; i++)
        json_provision(j, ic_guideline_provision(g, i));
    ic_json_array_end(j);
    ic_json_key(j, "psti");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_psti_count(); i++)
        if (strcmp(ic_psti_at(i)->guideline, g->id) == 0)
            ic_json_string(j, ic_psti_at(i)->id);
    ic_json_array_end(j);
    json_list(j, "psti_refs", g->psti_refs, g->psti_ref_count);
    json_list(j, "cra_annex_i", g->cra, g->cra_count);
    if (g->cra_other)
        ic_json_kv_string(j, "cra_other", g->cra_other);
    ic_json_key(j, "testable");
    ic_json_object_begin(j);
    if (g->testable_firmware)
        ic_json_kv_string(j, "firmware", g->testable_firmware);
    if (g->testable_network)
        ic_json_kv_string(j, "network", g->testable_network);
    if (g->testable_documentation)
        ic_json_kv_string(j, "documentation", g->testable_documentation);
    ic_json_object_end(j);
    ic_json_object_end(j);
}

static int write_json(struct ic_buf *out, const struct ic_guideline *only)
{
    struct ic_json j;
    ic_json_init(&j, out, 1);
    ic_json_object_begin(&j);
    ic_json_key(&j, "guidelines");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < ic_guideline_count(); i++)
        if (!only || ic_guideline_at(i) == only)
            json_guideline(&j, ic_guideline_at(i));
    ic_json_array_end(&j);

    ic_json_key(&j, "psti");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < ic_psti_count(); i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        if (!psti_shown(t, only))
            continue;
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "id", t->id);
        ic_json_kv_string(&j, "title", t->title);
        ic_json_kv_string(&j, "requirement_ref", t->requirement_ref);
        ic_json_kv_string(&j, "summary", t->summary);
        ic_json_kv_string(&j, "deemed_compliance_ref", t->deemed_compliance_ref);
        json_list(&j, "en303645_deemed", t->deemed_provisions, t->deemed_provision_count);
        json_list(&j, "other_deemed", t->other_deemed, t->other_deemed_count);
        if (t->deemed_notes)
            ic_json_kv_string(&j, "deemed_notes", t->deemed_notes);
        ic_json_kv_string(&j, "guideline", t->guideline);
        if (t->confidence)
            ic_json_kv_string(&j, "confidence", t->confidence);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);

    ic_json_key(&j, "cra");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < ic_cra_count(); i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        if (!cra_shown(c, only))
            continue;
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "id", c->id);
        ic_json_kv_string(&j, "description", c->description);
        json_list(&j, "guidelines", c->guidelines, c->guideline_count);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);

    ic_json_key(&j, "conditions");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < ic_condition_count(); i++) {
        ic_json_object_begin(&j);
        ic_json_kv_uint(&j, "number", ic_condition_at(i)->number);
        ic_json_kv_string(&j, "text", ic_condition_at(i)->text);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);

    ic_json_key(&j, "rules");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < ic_rule_count(); i++) {
        const struct ic_rule *r = ic_rule_at(i);
        if (only && strcmp(r->guideline, only->id) != 0)
            continue;
        ic_json_object_begin(&j);
        ic_json_kv_string(&j, "id", r->id);
        ic_json_kv_string(&j, "title", r->title);
        ic_json_kv_string(&j, "severity", ic_severity_name(r->severity));
        ic_json_kv_string(&j, "guideline", r->guideline);
        ic_json_key(&j, "provisions");
        ic_json_array_begin(&j);
        for (size_t k = 0; r->provisions && r->provisions[k]; k++)
            ic_json_string(&j, r->provisions[k]);
        ic_json_array_end(&j);
        ic_json_object_end(&j);
    }
    ic_json_array_end(&j);
    ic_json_kv_string(&j, "rules_version", ic_rules_version());
    ic_json_kv_string(&j, "mapping_sha256", ic_standards_source_sha256());
    ic_json_object_end(&j);
    return j.error ? j.error : ic_buf_append_str(out, "\n");
}

int cmd_guidelines(int argc, char **argv)
{
    static const struct option options[] = {
        {"format", required_argument, NULL, 'f'},
        {"guideline", required_argument, NULL, 'g'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int json = 0;
    const char *output = NULL;
    const struct ic_guideline *only = NULL;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "f:g:o:h", options, NULL)) != -1) {
        switch (c) {
        case 'f':
            if (strcmp(optarg, "json") == 0) {
                json = 1;
            } else if (strcmp(optarg, "text") == 0) {
                json = 0;
            } else {
                cli_error("guidelines: --format is text or json, not '%s'", optarg);
                return EXIT_USAGE;
            }
            break;
        case 'g':
            only = find_guideline(optarg);
            if (!only) {
                cli_error("guidelines: no guideline '%s' (CoP-1 to CoP-%zu)", optarg,
                          ic_guideline_count());
                return EXIT_USAGE;
            }
            break;
        case 'o':
            output = optarg;
            break;
        case 'h':
            help();
            return EXIT_DONE;
        default:
            return EXIT_USAGE;
        }
    }
    if (optind != argc) {
        cli_error("guidelines takes no arguments, not '%s' (see 'iotcop guidelines --help')",
                  argv[optind]);
        return EXIT_USAGE;
    }
    struct ic_buf out = IC_BUF_INIT(64u << 20);
    int rc = json ? write_json(&out, only) : write_text(&out, only);
    if (rc) {
        cli_error("guidelines: cannot format the catalogue: %s", ic_error_message(rc));
        ic_buf_release(&out);
        return EXIT_INTERNAL;
    }
    FILE *f = cli_open_output(output);
    if (!f) {
        ic_buf_release(&out);
        return EXIT_USAGE;
    }
    int status = EXIT_DONE;
    if (fwrite(out.data, 1, out.len, f) != out.len)
        status = EXIT_INTERNAL;
    if (cli_close_output(f))
        status = EXIT_INTERNAL;
    ic_buf_release(&out);
    return status;
}
