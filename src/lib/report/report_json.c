/* The JSON report, schema "iotcop-report/1". Every key written here is
 * described in docs/report-json.md; keys are only ever added. */
#include "report/report_private.h"
#include "report/scorecard.h"

#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0.0.0"
#endif

static void string_list(struct ic_json *j, const char *key, const char *const *list)
{
    ic_json_key(j, key);
    ic_json_array_begin(j);
    for (size_t i = 0; list && list[i]; i++)
        ic_json_string(j, list[i]);
    ic_json_array_end(j);
}

static void counted_list(struct ic_json *j, const char *key, const char *const *list, size_t n)
{
    ic_json_key(j, key);
    ic_json_array_begin(j);
    for (size_t i = 0; i < n; i++)
        ic_json_string(j, list[i]);
    ic_json_array_end(j);
}

static void write_tool(struct ic_json *j)
{
    ic_json_key(j, "tool");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", "iotcop");
    ic_json_kv_string(j, "version", IOTCOP_VERSION);
    ic_json_kv_string(j, "rules_version", ic_rules_version());
    ic_json_object_end(j);
}

/* "diagnostics": the run's own (not the unpack's). */
static void write_diagnostics(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "diagnostics");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->diag_count; i++) {
        const struct ic_report_diag *d = &r->diags[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "level", d->is_error ? "error" : "warning");
        ic_json_kv_string(j, "code", ic_error_name(d->error));
        ic_json_kv_string(j, "layer", d->layer ? d->layer : "0");
        ic_json_kv_string(j, "message", d->message);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_run(const struct ic_report *r, struct ic_json *j)
{
    char started[32] = "";
    time_t t = (time_t)r->run.started;
    struct tm tm;
    if (gmtime_r(&t, &tm))
        strftime(started, sizeof(started), "%Y-%m-%dT%H:%M:%SZ", &tm);
    ic_json_key(j, "run");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "started", started);
    ic_json_key(j, "duration_s");
    ic_json_double(j, r->run.duration_s, 3);
    ic_json_kv_string(j, "options", r->run.options ? r->run.options : "");
    if (r->run.vulndb_path) {
        ic_json_key(j, "vulndb");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "path", r->run.vulndb_path);
        ic_json_kv_string(j, "last_modified", r->run.vulndb_last_modified);
        ic_json_kv_uint(j, "records", r->run.vulndb_records);
        ic_json_object_end(j);
    }
    /* A firmware report without an unpack carries them in "unpack" instead. */
    if ((r->unpack || r->target.kind != IC_TARGET_FIRMWARE) && r->diag_count) {
        write_diagnostics(r, j);
    }
    ic_json_object_end(j);
}

void ic_report_json_target(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "target");
    ic_json_object_begin(j);
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        ic_json_kv_string(j, "kind", "firmware");
        ic_json_kv_string(j, "path", r->target.path);
        ic_json_kv_string(j, "sha256", r->target.sha256[0] ? r->target.sha256 : NULL);
        ic_json_kv_uint(j, "size", r->target.size);
    } else if (r->target.kind == IC_TARGET_PRODUCT) {
        ic_report_json_product_target(r, j);
    } else {
        ic_json_kv_string(j, "kind", "device");
        ic_json_kv_string(j, "address", r->target.address);
        if (r->target.hostname)
            ic_json_kv_string(j, "hostname", r->target.hostname);
    }
    ic_json_object_end(j);
}

/* The unpack object: the unpack's own, or (no unpack result) an empty one
 * that carries the run's diagnostics, as `iotcop unpack` does. */
static void write_unpack(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "unpack");
    if (r->unpack) {
        ic_unpack_json(r->unpack, j);
        return;
    }
    ic_json_object_begin(j);
    ic_json_key(j, "layers");
    ic_json_array_begin(j);
    ic_json_array_end(j);
    ic_json_kv_uint(j, "files", 0);
    ic_json_kv_uint(j, "bytes", 0);
    ic_json_key(j, "regions");
    ic_json_array_begin(j);
    ic_json_array_end(j);
    write_diagnostics(r, j);
    ic_json_object_end(j);
}

/* "discovered": multicast responders, reported, not audited (device). */
static void write_discovered(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "discovered");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->discovered_count; i++) {
        const struct ic_discovered *d = &r->discovered[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "host", d->host);
        ic_json_kv_string(j, "interface", d->interface);
        ic_json_kv_string(j, "protocol", d->protocol);
        ic_json_kv_uint(j, "port", d->port);
        if (d->server)
            ic_json_kv_string(j, "server", d->server);
        if (d->usn)
            ic_json_kv_string(j, "usn", d->usn);
        if (d->location)
            ic_json_kv_string(j, "location", d->location);
        string_list(j, "services", d->services);
        string_list(j, "names", d->names);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_services(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "services");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->service_count; i++) {
        const struct ic_service *s = &r->services[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "host", s->host);
        ic_json_kv_uint(j, "port", s->port);
        ic_json_kv_string(j, "protocol", s->protocol);
        ic_json_kv_string(j, "service", s->service);
        if (s->banner)
            ic_json_kv_string(j, "banner", s->banner);
        if (s->tls) {
            ic_json_key(j, "tls");
            ic_json_object_begin(j);
            ic_json_kv_string(j, "version", s->tls->version);
            ic_json_kv_string(j, "cipher", s->tls->cipher);
            if (s->tls->subject)
                ic_json_kv_string(j, "subject", s->tls->subject);
            if (s->tls->issuer)
                ic_json_kv_string(j, "issuer", s->tls->issuer);
            if (s->tls->not_after)
                ic_json_kv_string(j, "not_after", s->tls->not_after);
            ic_json_kv_bool(j, "self_signed", s->tls->self_signed);
            if (s->tls->key_bits)
                ic_json_kv_uint(j, "key_bits", s->tls->key_bits);
            if (s->tls->versions_tested) {
                ic_json_key(j, "versions");
                ic_json_object_begin(j);
                for (unsigned v = 0; v < IC_TLS_VERSION_COUNT; v++)
                    if (s->tls->versions_tested & (1u << v))
                        ic_json_kv_bool(j, ic_tls_version_name(v),
                                        (s->tls->versions_accepted >> v) & 1u);
                ic_json_object_end(j);
            }
            if (s->tls->starttls)
                ic_json_kv_string(j, "starttls", s->tls->starttls);
            ic_json_object_end(j);
        }
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_components(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "components");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->component_count; i++) {
        const struct ic_component *c = &r->components[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "name", c->name);
        ic_json_kv_string(j, "version", c->version);
        string_list(j, "cpe", c->cpe);
        ic_json_kv_string(j, "purl", c->purl);
        string_list(j, "paths", c->paths);
        ic_json_kv_string(j, "evidence", c->evidence ? c->evidence : "");
        if (c->features)
            string_list(j, "features", c->features);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_location(const struct ic_location *loc, struct ic_json *j)
{
    ic_json_key(j, "location");
    ic_json_object_begin(j);
    if (loc->kind == IC_LOCATION_DEVICE) {
        ic_json_kv_string(j, "host", loc->host);
        ic_json_kv_uint(j, "port", loc->port);
        ic_json_kv_string(j, "protocol", loc->protocol);
        ic_json_kv_string(j, "service", loc->service);
    } else {
        ic_json_kv_string(j, "layer", loc->layer);
        if (loc->path)
            ic_json_kv_string(j, "path", loc->path);
        if (loc->line)
            ic_json_kv_uint(j, "line", loc->line);
        if (loc->offset >= 0)
            ic_json_kv_int(j, "offset", loc->offset);
    }
    ic_json_object_end(j);
}

static void write_findings(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "findings");
    ic_json_array_begin(j);
    for (size_t i = 0; i < r->finding_count; i++) {
        const struct ic_finding *f = &r->findings[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "rule", f->rule);
        ic_json_kv_string(j, "fingerprint", f->fingerprint);
        ic_json_kv_string(j, "severity", ic_severity_name(f->severity));
        ic_json_kv_string(j, "title", f->title);
        ic_json_kv_string(j, "guideline", f->guideline);
        string_list(j, "provisions", f->provisions);
        write_location(&f->location, j);
        ic_json_kv_string(j, "evidence", f->evidence);
        if (f->cve)
            ic_json_kv_string(j, "cve", f->cve);
        if (f->has_cvss) {
            ic_json_key(j, "cvss");
            ic_json_double(j, f->cvss, 1);
        }
        if (f->suppressed) {
            ic_json_key(j, "suppressed");
            ic_json_object_begin(j);
            ic_json_kv_string(j, "justification", f->justification ? f->justification : "");
            ic_json_kv_string(j, "source",
                              f->suppression_source ? f->suppression_source : "ignore");
            ic_json_object_end(j);
        }
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

/* Whether a finding bears on guideline g: it names g, or one of its
 * provisions belongs to g. */
static int bears_on(const struct ic_finding *f, const struct ic_guideline *g)
{
    if (strcmp(f->guideline, g->id) == 0)
        return 1;
    for (size_t k = 0; f->provisions && f->provisions[k]; k++) {
        const struct ic_provision *p = ic_provision_find(f->provisions[k]);
        if (p && p->guideline_index == g->index)
            return 1;
    }
    return 0;
}

static void write_guidelines(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "guidelines");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", g->id);
        ic_json_kv_string(j, "title", g->title);
        ic_json_kv_string(j, "status", ic_status_name(r->guidelines[i].status));
        ic_json_key(j, "findings");
        ic_json_array_begin(j);
        for (size_t k = 0; k < r->finding_count; k++)
            if (bears_on(&r->findings[k], g))
                ic_json_string(j, r->findings[k].fingerprint);
        ic_json_array_end(j);
        ic_json_kv_string(j, "reason", r->guidelines[i].reason);
        if (r->guidelines[i].suppressed_only)
            ic_json_kv_bool(j, "suppressed_only", 1);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_provisions(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "provisions");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_provision *p = ic_provision_at(i);
        const struct ic_verdict *v = &r->provisions[i];
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", p->id);
        ic_json_kv_string(j, "status", ic_status_name(v->status));
        ic_json_kv_string(j, "source", ic_source_name(v->source));
        ic_json_kv_string(j, "level", p->level);
        ic_json_kv_string(j, "title", p->title);
        ic_json_kv_string(j, "reason", v->reason);
        if (v->suppressed_only)
            ic_json_kv_bool(j, "suppressed_only", 1);
        ic_report_json_provision_extra(r, i, j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_psti(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "psti");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_psti_count(); i++) {
        const struct ic_psti_requirement *t = ic_psti_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", t->id);
        ic_json_kv_string(j, "status", ic_status_name(r->psti[i].status));
        ic_json_kv_string(j, "title", t->title);
        counted_list(j, "provisions", t->deemed_provisions, t->deemed_provision_count);
        ic_json_kv_string(j, "reason", r->psti[i].reason);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

static void write_cra(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "cra");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_cra_count(); i++) {
        const struct ic_cra_requirement *c = ic_cra_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", c->id);
        ic_json_kv_string(j, "status", ic_status_name(r->cra[i].status));
        ic_json_kv_string(j, "title", c->description);
        counted_list(j, "guidelines", c->guidelines, c->guideline_count);
        ic_json_kv_string(j, "reason", r->cra[i].reason);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
}

void ic_report_json(const struct ic_report *r, struct ic_json *j)
{
    if (!r || !r->finished || r->target.kind == IC_TARGET_NONE) {
        if (!j->error)
            j->error = IC_E_INVALID_ARG;
        return;
    }
    ic_json_object_begin(j);
    ic_json_kv_string(j, "schema", IC_REPORT_SCHEMA);
    write_tool(j);
    write_run(r, j);
    ic_report_json_target(r, j);
    if (r->target.kind == IC_TARGET_FIRMWARE)
        write_unpack(r, j);
    else
        write_services(r, j);
    if (r->discovered_count)
        write_discovered(r, j);
    write_components(r, j);
    write_findings(r, j);
    write_guidelines(r, j);
    write_provisions(r, j);
    write_psti(r, j);
    write_cra(r, j);
    ic_report_json_scorecard(r, j);
    ic_json_object_end(j);
}

int ic_report_write_json(const struct ic_report *r, int pretty, struct ic_buf *out)
{
    if (!r || !out || !r->finished || r->target.kind == IC_TARGET_NONE)
        return IC_E_INVALID_ARG;
    struct ic_json j;
    ic_json_init(&j, out, pretty);
    ic_report_json(r, &j);
    if (!j.error && pretty)
        j.error = ic_buf_append(out, "\n", 1);
    return j.error;
}

int ic_report_finish_and_write_json(struct ic_report *r, int pretty, struct ic_buf *out)
{
    int rc = ic_report_finish(r);
    return rc ? rc : ic_report_write_json(r, pretty, out);
}
