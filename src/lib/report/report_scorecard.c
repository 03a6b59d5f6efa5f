/* The compliance scorecard parts of the JSON report (docs/report-json.md):
 * the declaration, the contradictions between it and the tests, the
 * EN 303 645 counts per level and the draft PSTI statement of compliance. */
#include "report/scorecard.h"
#include "report/report_private.h"

#include "core/json.h"
#include "iotcop/assess.h"
#include "iotcop/declaration.h"

#include <stdio.h>
#include <string.h>

static int names_provision(const struct ic_finding *f, const char *id)
{
    for (size_t k = 0; f->provisions && f->provisions[k]; k++)
        if (strcmp(f->provisions[k], id) == 0)
            return 1;
    return 0;
}

static void provision_findings(const struct ic_report *r, const char *id, struct ic_json *j)
{
    ic_json_key(j, "findings");
    ic_json_array_begin(j);
    for (size_t k = 0; k < r->finding_count; k++)
        if (names_provision(&r->findings[k], id))
            ic_json_string(j, r->findings[k].fingerprint);
    ic_json_array_end(j);
}

void ic_report_json_provision_extra(const struct ic_report *r, size_t i, struct ic_json *j)
{
    const struct ic_verdict *v = &r->provisions[i];
    provision_findings(r, ic_provision_at(i)->id, j);
    if (v->declared)
        ic_json_kv_string(j, "declared", v->declared);
    if (v->contradicted)
        ic_json_kv_bool(j, "contradiction", 1);
    if (v->settled_by)
        ic_json_kv_string(j, "settled_by", v->settled_by);
}

static void field(struct ic_json *j, const struct ic_declaration *d, const char *key,
                  const char *name)
{
    const char *text = ic_declaration_field(d, name);
    if (text)
        ic_json_kv_string(j, key, text);
}

static void section(struct ic_json *j, const struct ic_declaration *d, const char *name,
                    const char *const *keys)
{
    char dotted[96];
    ic_json_key(j, name);
    ic_json_object_begin(j);
    for (size_t k = 0; keys[k]; k++) {
        snprintf(dotted, sizeof(dotted), "%s.%s", name, keys[k]);
        field(j, d, keys[k], dotted);
    }
    ic_json_object_end(j);
}

static void write_declaration(const struct ic_declaration *d, struct ic_json *j)
{
    static const char *const product[] = {"name", "model", "type", "batch", NULL};
    static const char *const maker[] = {"name", "address", "representative", NULL};
    static const char *const support[] = {"end", "url", NULL};
    static const char *const disclosure[] = {"contact", "url", "timelines", NULL};
    static const char *const statement[] = {"prepared_by", "signatory", "function",
                                            "place",       "date",      NULL};
    ic_json_key(j, "declaration");
    ic_json_object_begin(j);
    if (d->source)
        ic_json_kv_string(j, "source", d->source);
    section(j, d, "product", product);
    section(j, d, "manufacturer", maker);
    section(j, d, "support_period", support);
    section(j, d, "vulnerability_disclosure", disclosure);
    section(j, d, "statement", statement);
    ic_json_kv_uint(j, "provisions", d->provision_count);
    ic_json_key(j, "diagnostics");
    ic_json_array_begin(j);
    for (size_t i = 0; i < d->diag_count; i++) {
        ic_json_object_begin(j);
        ic_json_kv_uint(j, "line", d->diags[i].line);
        ic_json_kv_string(j, "key", d->diags[i].key);
        ic_json_kv_string(j, "message", d->diags[i].message);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
}

static void write_contradictions(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "contradictions");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_verdict *v = &r->provisions[i];
        if (!v->contradicted)
            continue;
        const struct ic_provision *p = ic_provision_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "provision", p->id);
        ic_json_kv_string(j, "title", p->title);
        ic_json_kv_string(j, "declared", v->declared);
        ic_json_kv_string(j, "status", ic_status_name(v->status));
        ic_json_kv_string(j, "reason", v->reason);
        provision_findings(r, p->id, j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void counts(const struct ic_report *r, int mandatory, struct ic_json *j)
{
    size_t c[5], total = 0;
    ic_report_provision_counts(r, mandatory, c);
    ic_json_key(j, mandatory ? "mandatory" : "recommended");
    ic_json_object_begin(j);
    for (unsigned s = 0; s <= IC_STATUS_NOT_APPLICABLE; s++) {
        ic_json_kv_uint(j, ic_status_name((enum ic_status)s), c[s]);
        total += c[s];
    }
    ic_json_kv_uint(j, "total", total);
    ic_json_object_end(j);
}

static void write_scorecard(const struct ic_report *r, struct ic_json *j)
{
    size_t tested = 0, declared = 0;
    for (size_t i = 0; i < ic_provision_count(); i++) {
        if (r->provisions[i].source == IC_SOURCE_DECLARED)
            declared++;
        else if (r->provisions[i].status != IC_STATUS_NOT_TESTED)
            tested++;
    }
    ic_json_key(j, "scorecard");
    ic_json_object_begin(j);
    ic_json_key(j, "en303645");
    ic_json_object_begin(j);
    counts(r, 1, j);
    counts(r, 0, j);
    ic_json_object_end(j);
    ic_json_key(j, "sources");
    ic_json_object_begin(j);
    ic_json_kv_uint(j, "test", tested);
    ic_json_kv_uint(j, "declared", declared);
    ic_json_object_end(j);
    ic_json_kv_uint(j, "contradictions", r->contradiction_count);
    ic_json_object_end(j);
}

static void write_statement(const struct ic_report *r, struct ic_json *j)
{
    char value[1024], gap[1024];
    ic_json_key(j, "psti_statement");
    ic_json_object_begin(j);
    size_t gaps = ic_psti_statement_gaps(r);
    ic_json_kv_bool(j, "complete", gaps == 0);
    ic_json_kv_uint(j, "gaps", gaps);
    ic_json_key(j, "items");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_psti_statement_item_count; i++) {
        const struct ic_statement_item *item = &ic_psti_statement_items[i];
        int complete = ic_psti_statement_item(r, i, value, sizeof(value), gap, sizeof(gap));
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", item->id);
        ic_json_kv_string(j, "ref", item->ref);
        ic_json_kv_string(j, "text", item->text);
        if (value[0])
            ic_json_kv_string(j, "value", value);
        if (!complete)
            ic_json_kv_string(j, "gap", gap);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
}

void ic_report_json_scorecard(const struct ic_report *r, struct ic_json *j)
{
    if (r->declaration)
        write_declaration(r->declaration, j);
    write_contradictions(r, j);
    write_scorecard(r, j);
    write_statement(r, j);
}

void ic_report_json_product_target(const struct ic_report *r, struct ic_json *j)
{
    ic_json_kv_string(j, "kind", "product");
    ic_json_kv_string(j, "name", r->target.path);
    ic_json_key(j, "inputs");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->input_count; i++) {
        const struct ic_report_input *in = &r->inputs[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "report", in->label);
        ic_json_kv_string(j, "kind", in->kind);
        if (in->path)
            ic_json_kv_string(j, "path", in->path);
        if (in->sha256)
            ic_json_kv_string(j, "sha256", in->sha256);
        if (in->address)
            ic_json_kv_string(j, "address", in->address);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}
