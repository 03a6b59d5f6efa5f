/* SARIF 2.1.0 for code-scanning dashboards: the rule catalogue as the
 * driver's rules, the UK Code of Practice guidelines and the EN 303 645
 * provisions as taxonomies, each finding as a result located inside the
 * image (or on the device), the unpack and run diagnostics as notifications.
 * docs/report-sarif.md gives the mapping field by field. */
#include "report/report_private.h"

#include "core/buf.h"
#include "core/json.h"
#include "iotcop/error.h"
#include "iotcop/unpack.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef IOTCOP_VERSION
#define IOTCOP_VERSION "0.0.0"
#endif

#define SARIF_SCHEMA_URI                                                                           \
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
#define TAXONOMY_COP "UK-CoP-Consumer-IoT"
#define TAXONOMY_EN "ETSI-EN-303-645"
/* The rule id of a result that says a test contradicts the declaration. */
#define SARIF_CONTRADICTION_RULE "iotcop.declaration-contradicted"
/* Where a raw-data location's uri is relative to: the directory given to
 * `iotcop unpack -C DIR`, which writes each layer's content to DIR/ID.bin. */
#define EXTRACT_BASE "IOTCOP_EXTRACT_DIR"

static const char *sarif_level(enum ic_severity sev)
{
    return sev >= IC_SEVERITY_HIGH ? "error" : sev == IC_SEVERITY_MEDIUM ? "warning" : "note";
}

/* GitHub code scanning reads "security-severity" (0-10) from a rule. */
static const char *security_severity(enum ic_severity sev)
{
    switch (sev) {
    case IC_SEVERITY_CRITICAL:
        return "9.5";
    case IC_SEVERITY_HIGH:
        return "8.0";
    case IC_SEVERITY_MEDIUM:
        return "5.5";
    case IC_SEVERITY_LOW:
        return "3.0";
    default:
        return "0.0";
    }
}

static void format_time(int64_t when, char *out, size_t size)
{
    time_t t = (time_t)when;
    struct tm tm;
    out[0] = '\0';
    if (gmtime_r(&t, &tm))
        strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* A path inside the image as a URI reference: every byte outside the
 * unreserved and path characters percent-encoded. */
static int uri_path(struct ic_buf *out, const char *path)
{
    static const char keep[] = "-._~!$&'()*+,;=:@/";
    int rc = IC_OK;
    for (const unsigned char *p = (const unsigned char *)path; *p && !rc; p++) {
        if ((*p < 0x80 && isalnum(*p)) || (*p && strchr(keep, *p)))
            rc = ic_buf_append_byte(out, *p);
        else
            rc = ic_buf_printf(out, "%%%02X", *p);
    }
    return rc;
}

/* "CredDefaultPassword" from "cred.default-password": SARIF's rule name is
 * meant to be an identifier. */
static void rule_name(const char *id, char *out, size_t size)
{
    size_t o = 0;
    int upper = 1;
    for (const char *p = id; *p && o + 1 < size; p++) {
        if (!isalnum((unsigned char)*p)) {
            upper = 1;
            continue;
        }
        out[o++] = upper ? (char)toupper((unsigned char)*p) : *p;
        upper = 0;
    }
    out[o] = '\0';
}

static const char *rule_family(const struct ic_rule *rule)
{
    const struct ic_rule_set *set;
    for (size_t i = 0; (set = ic_rule_set_at(i)) != NULL; i++)
        if (rule >= set->rules && rule < set->rules + set->count)
            return set->family;
    return NULL;
}

static size_t rule_index(const char *id, int *found)
{
    for (size_t i = 0; i < ic_rule_count(); i++) {
        if (strcmp(ic_rule_at(i)->id, id) == 0) {
            *found = 1;
            return i;
        }
    }
    *found = 0;
    return 0;
}

static void text_object(struct ic_json *j, const char *key, const char *text)
{
    ic_json_key(j, key);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "text", text ? text : "");
    ic_json_object_end(j);
}

static void string_list(struct ic_json *j, const char *key, const char *const *list)
{
    ic_json_key(j, key);
    ic_json_array_begin(j);
    for (size_t i = 0; list && list[i]; i++)
        ic_json_string(j, list[i]);
    ic_json_array_end(j);
}

/* A relationship from a rule to one taxon of a taxonomy. */
static void taxon_relationship(struct ic_json *j, const char *taxon, const char *taxonomy,
                               size_t taxonomy_index)
{
    ic_json_object_begin(j);
    ic_json_key(j, "target");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", taxon);
    ic_json_key(j, "toolComponent");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", taxonomy);
    ic_json_kv_uint(j, "index", taxonomy_index);
    ic_json_object_end(j);
    ic_json_object_end(j);
    ic_json_key(j, "kinds");
    ic_json_array_begin(j);
    ic_json_string(j, "relevant");
    ic_json_array_end(j);
    ic_json_object_end(j);
}

/* The rule's help: why, how to fix, what it bears on, where it is documented. */
static int rule_help(const struct ic_rule *rule, int markdown, struct ic_buf *b)
{
    const struct ic_guideline *g = ic_guideline_find(rule->guideline);
    const char *family = rule_family(rule);
    int rc = ic_buf_printf(b,
                           markdown ? "**Why it matters.** %s\n\n**How to fix.** %s\n\n"
                                    : "Why it matters: %s\n\nHow to fix: %s\n\n",
                           rule->rationale, rule->fix);
    if (!rc)
        rc = ic_buf_printf(b, "UK Code of Practice %s (%s); ETSI EN 303 645", rule->guideline,
                           g ? g->title : "?");
    for (size_t i = 0; !rc && rule->provisions && rule->provisions[i]; i++) {
        const struct ic_provision *p = ic_provision_find(rule->provisions[i]);
        rc = ic_buf_printf(b, "%s %s (%s)", i ? "," : "", rule->provisions[i], p ? p->title : "?");
    }
    if (!rc && family)
        rc = ic_buf_printf(b,
                           markdown ? ".\n\nDocumented in `docs/rules/%s.md`.\n"
                                    : ".\n\nDocumented in docs/rules/%s.md.\n",
                           family);
    return rc;
}

static void write_rule(const struct ic_rule *rule, struct ic_json *j)
{
    char name[128];
    rule_name(rule->id, name, sizeof(name));
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", rule->id);
    ic_json_kv_string(j, "name", name);
    text_object(j, "shortDescription", rule->title);
    text_object(j, "fullDescription", rule->rationale);
    struct ic_buf text = IC_BUF_INIT(64 * 1024), md = IC_BUF_INIT(64 * 1024);
    if (rule_help(rule, 0, &text) == IC_OK && rule_help(rule, 1, &md) == IC_OK) {
        ic_json_key(j, "help");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "text", (const char *)text.data);
        ic_json_kv_string(j, "markdown", (const char *)md.data);
        ic_json_object_end(j);
    }
    ic_buf_release(&text);
    ic_buf_release(&md);
    ic_json_key(j, "defaultConfiguration");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "level", sarif_level(rule->severity));
    ic_json_object_end(j);
    ic_json_key(j, "relationships");
    ic_json_array_begin(j);
    taxon_relationship(j, rule->guideline, TAXONOMY_COP, 0);
    for (size_t i = 0; rule->provisions && rule->provisions[i]; i++)
        taxon_relationship(j, rule->provisions[i], TAXONOMY_EN, 1);
    ic_json_array_end(j);
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "severity", ic_severity_name(rule->severity));
    ic_json_kv_string(j, "security-severity", security_severity(rule->severity));
    ic_json_kv_string(j, "guideline", rule->guideline);
    string_list(j, "provisions", rule->provisions);
    ic_json_key(j, "tags");
    ic_json_array_begin(j);
    ic_json_string(j, "security");
    ic_json_string(j, rule->guideline);
    for (size_t i = 0; rule->provisions && rule->provisions[i]; i++) {
        char tag[64];
        snprintf(tag, sizeof(tag), "EN303645-%s", rule->provisions[i]);
        ic_json_string(j, tag);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
    ic_json_object_end(j);
}

static void write_driver(struct ic_json *j)
{
    ic_json_key(j, "driver");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", "iotcop");
    ic_json_kv_string(j, "fullName",
                      "iotcop: UK Code of Practice for Consumer IoT Security and "
                      "ETSI EN 303 645 auditor");
    ic_json_kv_string(j, "version", IOTCOP_VERSION);
    ic_json_kv_string(j, "semanticVersion", IOTCOP_VERSION);
    ic_json_key(j, "rules");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_rule_count(); i++)
        write_rule(ic_rule_at(i), j);
    ic_json_array_end(j);
    ic_json_key(j, "supportedTaxonomies");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", TAXONOMY_COP);
    ic_json_kv_uint(j, "index", 0);
    ic_json_object_end(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", TAXONOMY_EN);
    ic_json_kv_uint(j, "index", 1);
    ic_json_object_end(j);
    ic_json_array_end(j);
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "rules_version", ic_rules_version());
    ic_json_object_end(j);
    ic_json_object_end(j);
}

/* The two taxonomies, each taxon carrying this run's verdict. */
static void write_taxonomies(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "taxonomies");
    ic_json_array_begin(j);

    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", TAXONOMY_COP);
    ic_json_kv_string(j, "fullName", "UK Code of Practice for Consumer IoT Security (2018)");
    ic_json_key(j, "taxa");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_guideline_count(); i++) {
        const struct ic_guideline *g = ic_guideline_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", g->id);
        ic_json_kv_string(j, "name", g->title);
        text_object(j, "shortDescription", g->title);
        if (g->summary)
            text_object(j, "fullDescription", g->summary);
        ic_json_key(j, "properties");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "status", ic_status_name(r->guidelines[i].status));
        ic_json_kv_string(j, "reason", r->guidelines[i].reason);
        ic_json_object_end(j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);

    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", TAXONOMY_EN);
    ic_json_kv_string(j, "fullName",
                      "ETSI EN 303 645: Cyber Security for Consumer Internet of "
                      "Things: Baseline Requirements");
    ic_json_key(j, "taxa");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_provision *p = ic_provision_at(i);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", p->id);
        text_object(j, "shortDescription", p->title);
        ic_json_key(j, "properties");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "level", p->level);
        ic_json_kv_string(j, "guideline", p->guideline);
        ic_json_kv_string(j, "status", ic_status_name(r->provisions[i].status));
        ic_json_kv_string(j, "source", ic_source_name(r->provisions[i].source));
        ic_json_kv_string(j, "reason", r->provisions[i].reason);
        ic_json_object_end(j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);

    ic_json_array_end(j);
}

static const char *layer_format(const struct ic_report *r, const struct ic_location *loc)
{
    if (loc->layer_format)
        return loc->layer_format;
    for (size_t i = 0; r->unpack && loc->layer && i < r->unpack->layer_count; i++)
        if (strcmp(r->unpack->layers[i].id, loc->layer) == 0)
            return r->unpack->layers[i].format;
    return NULL;
}

static void write_location(const struct ic_report *r, const struct ic_location *loc,
                           struct ic_json *j)
{
    struct ic_buf uri = IC_BUF_INIT(16 * 1024);
    ic_json_object_begin(j);
    ic_json_key(j, "physicalLocation");
    ic_json_object_begin(j);
    ic_json_key(j, "artifactLocation");
    ic_json_object_begin(j);
    if (loc->kind == IC_LOCATION_DEVICE) {
        ic_buf_printf(&uri, "%s://", loc->protocol ? loc->protocol : "tcp");
        uri_path(&uri, loc->host ? loc->host : "");
        ic_buf_printf(&uri, ":%u", loc->port);
        ic_json_kv_string(j, "uri", (const char *)uri.data);
    } else if (loc->path) {
        uri_path(&uri, loc->path);
        ic_json_kv_string(j, "uri", (const char *)uri.data);
    } else {
        ic_buf_printf(&uri, "%s.bin", loc->layer ? loc->layer : "0");
        ic_json_kv_string(j, "uri", (const char *)uri.data);
        ic_json_kv_string(j, "uriBaseId", EXTRACT_BASE);
    }
    ic_json_object_end(j);
    if (loc->kind == IC_LOCATION_FIRMWARE && (loc->line || (!loc->path && loc->offset >= 0))) {
        ic_json_key(j, "region");
        ic_json_object_begin(j);
        if (loc->line)
            ic_json_kv_uint(j, "startLine", loc->line);
        else
            ic_json_kv_int(j, "byteOffset", loc->offset);
        ic_json_object_end(j);
    }
    ic_json_object_end(j);

    ic_json_key(j, "logicalLocations");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    if (loc->kind == IC_LOCATION_DEVICE) {
        char name[64];
        snprintf(name, sizeof(name), "%s/%u", loc->protocol ? loc->protocol : "tcp", loc->port);
        ic_json_kv_string(j, "name", loc->service ? loc->service : name);
        ic_json_kv_string(j, "fullyQualifiedName", (const char *)uri.data);
        ic_json_kv_string(j, "kind", "resource");
    } else {
        const char *format = layer_format(r, loc);
        struct ic_buf fq = IC_BUF_INIT(16 * 1024);
        ic_buf_printf(&fq, "layer %s (%s)", loc->layer ? loc->layer : "0", format ? format : "?");
        ic_json_kv_string(j, "name", loc->layer ? loc->layer : "0");
        ic_json_kv_string(j, "fullyQualifiedName", (const char *)fq.data);
        ic_json_kv_string(j, "kind", "module");
        ic_buf_release(&fq);
    }
    ic_json_object_end(j);
    ic_json_array_end(j);

    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    if (loc->kind == IC_LOCATION_DEVICE) {
        ic_json_kv_string(j, "host", loc->host);
        ic_json_kv_uint(j, "port", loc->port);
        ic_json_kv_string(j, "protocol", loc->protocol);
        ic_json_kv_string(j, "service", loc->service);
    } else {
        ic_json_kv_string(j, "layer", loc->layer);
        const char *format = layer_format(r, loc);
        if (format)
            ic_json_kv_string(j, "layer_format", format);
        if (loc->offset >= 0)
            ic_json_kv_int(j, "offset", loc->offset);
    }
    ic_json_object_end(j);
    ic_json_object_end(j);
    ic_buf_release(&uri);
}

static void write_result(const struct ic_report *r, const struct ic_finding *f, struct ic_json *j)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "ruleId", f->rule);
    int found;
    size_t index = rule_index(f->rule, &found);
    if (found)
        ic_json_kv_uint(j, "ruleIndex", index);
    ic_json_kv_string(j, "kind", "fail");
    ic_json_kv_string(j, "level", sarif_level(f->severity));
    struct ic_buf msg = IC_BUF_INIT(1024 * 1024);
    if (ic_buf_printf(&msg, "%s: %s", f->title ? f->title : f->rule,
                      f->evidence ? f->evidence : "") == IC_OK)
        text_object(j, "message", (const char *)msg.data);
    else
        text_object(j, "message", f->title);
    ic_buf_release(&msg);
    ic_json_key(j, "locations");
    ic_json_array_begin(j);
    write_location(r, &f->location, j);
    ic_json_array_end(j);
    ic_json_key(j, "partialFingerprints");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "iotcopFingerprint/v1", f->fingerprint);
    ic_json_object_end(j);
    if (f->suppressed) {
        ic_json_key(j, "suppressions");
        ic_json_array_begin(j);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "kind", "external");
        ic_json_kv_string(j, "status", "accepted");
        ic_json_kv_string(j, "justification", f->justification ? f->justification : "");
        ic_json_key(j, "properties");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "source", f->suppression_source ? f->suppression_source : "ignore");
        ic_json_object_end(j);
        ic_json_object_end(j);
        ic_json_array_end(j);
    }
    ic_json_key(j, "taxa");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", f->guideline);
    ic_json_key(j, "toolComponent");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "name", TAXONOMY_COP);
    ic_json_kv_uint(j, "index", 0);
    ic_json_object_end(j);
    ic_json_object_end(j);
    for (size_t i = 0; f->provisions && f->provisions[i]; i++) {
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", f->provisions[i]);
        ic_json_key(j, "toolComponent");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "name", TAXONOMY_EN);
        ic_json_kv_uint(j, "index", 1);
        ic_json_object_end(j);
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "severity", ic_severity_name(f->severity));
    ic_json_kv_string(j, "guideline", f->guideline);
    string_list(j, "provisions", f->provisions);
    ic_json_kv_string(j, "evidence", f->evidence);
    if (f->cve)
        ic_json_kv_string(j, "cve", f->cve);
    if (f->has_cvss) {
        ic_json_key(j, "cvss");
        ic_json_double(j, f->cvss, 1);
    }
    ic_json_object_end(j);
    ic_json_object_end(j);
}

static void notification(struct ic_json *j, int is_error, int code, const char *layer,
                         int64_t offset, const char *message)
{
    ic_json_object_begin(j);
    ic_json_kv_string(j, "level", is_error ? "error" : "warning");
    text_object(j, "message", message);
    ic_json_key(j, "descriptor");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "id", ic_error_name(code));
    ic_json_object_end(j);
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "layer", layer ? layer : "0");
    if (offset >= 0)
        ic_json_kv_int(j, "offset", offset);
    ic_json_object_end(j);
    ic_json_object_end(j);
}

static void write_invocation(const struct ic_report *r, int exit_code, struct ic_json *j)
{
    char start[32], end[32];
    format_time(r->run.started, start, sizeof(start));
    format_time(r->run.started + (int64_t)(r->run.duration_s + 0.5), end, sizeof(end));
    ic_json_key(j, "invocations");
    ic_json_array_begin(j);
    ic_json_object_begin(j);
    /* 0 and 1 are a completed audit; 3 (unreadable) and 4 (internal) not. */
    ic_json_kv_bool(j, "executionSuccessful", exit_code < 0 || exit_code == 0 || exit_code == 1);
    if (exit_code >= 0)
        ic_json_kv_int(j, "exitCode", exit_code);
    if (start[0])
        ic_json_kv_string(j, "startTimeUtc", start);
    if (end[0])
        ic_json_kv_string(j, "endTimeUtc", end);
    ic_json_key(j, "toolExecutionNotifications");
    ic_json_array_begin(j);
    for (size_t i = 0; r->unpack && i < r->unpack->diag_count; i++) {
        const struct ic_diag *d = &r->unpack->diags[i];
        notification(j, d->level == IC_DIAG_ERROR, d->code, d->layer, d->offset, d->message);
    }
    for (size_t i = 0; i < r->diag_count; i++) {
        const struct ic_report_diag *d = &r->diags[i];
        notification(j, d->is_error, d->error, d->layer, -1, d->message);
    }
    ic_json_array_end(j);
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_json_kv_string(j, "options", r->run.options ? r->run.options : "");
    ic_json_object_end(j);
    ic_json_object_end(j);
    ic_json_array_end(j);
}

/* One result per provision where a test fails what the manufacturer declared
 * (docs/report-sarif.md): not a rule of the catalogue, a finding about the
 * declaration itself. */
static void write_contradictions(const struct ic_report *r, struct ic_json *j)
{
    for (size_t i = 0; i < ic_provision_count(); i++) {
        const struct ic_verdict *v = &r->provisions[i];
        if (!v->contradicted)
            continue;
        const struct ic_provision *p = ic_provision_at(i);
        struct ic_buf msg = IC_BUF_INIT(64 * 1024);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "ruleId", SARIF_CONTRADICTION_RULE);
        ic_json_kv_string(j, "kind", "fail");
        ic_json_kv_string(j, "level", "error");
        if (ic_buf_printf(&msg,
                          "The manufacturer's declaration is contradicted: EN 303 645 %s (%s) "
                          "is %s by test (%s); %s",
                          p->id, p->title, ic_status_name(v->status), v->reason,
                          v->declared) == IC_OK)
            text_object(j, "message", (const char *)msg.data);
        else
            text_object(j, "message", "The manufacturer's declaration is contradicted");
        ic_buf_release(&msg);
        ic_json_key(j, "taxa");
        ic_json_array_begin(j);
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", p->id);
        ic_json_key(j, "toolComponent");
        ic_json_object_begin(j);
        ic_json_kv_string(j, "name", TAXONOMY_EN);
        ic_json_kv_uint(j, "index", 1);
        ic_json_object_end(j);
        ic_json_object_end(j);
        ic_json_array_end(j);
        ic_json_key(j, "properties");
        ic_json_object_begin(j);
        ic_json_kv_bool(j, "contradiction", 1);
        ic_json_kv_string(j, "provision", p->id);
        ic_json_kv_string(j, "declared", v->declared);
        ic_json_kv_string(j, "status", ic_status_name(v->status));
        ic_json_object_end(j);
        ic_json_object_end(j);
    }
}

/* What was audited, and the verdicts a dashboard may want beside the results. */
static void write_run_properties(const struct ic_report *r, struct ic_json *j)
{
    ic_json_key(j, "properties");
    ic_json_object_begin(j);
    ic_report_json_target(r, j);
    ic_json_kv_uint(j, "contradictions", r->contradiction_count);
    ic_json_key(j, "psti");
    ic_json_array_begin(j);
    for (size_t i = 0; i < ic_psti_count(); i++) {
        ic_json_object_begin(j);
        ic_json_kv_string(j, "id", ic_psti_at(i)->id);
        ic_json_kv_string(j, "title", ic_psti_at(i)->title);
        ic_json_kv_string(j, "status", ic_status_name(r->psti[i].status));
        ic_json_object_end(j);
    }
    ic_json_array_end(j);
    ic_json_object_end(j);
}

int ic_report_write_sarif(const struct ic_report *r, int exit_code, struct ic_buf *out)
{
    if (!r || !out || !r->finished || r->target.kind == IC_TARGET_NONE)
        return IC_E_INVALID_ARG;
    struct ic_json j;
    ic_json_init(&j, out, 1);
    ic_json_object_begin(&j);
    ic_json_kv_string(&j, "$schema", SARIF_SCHEMA_URI);
    ic_json_kv_string(&j, "version", "2.1.0");
    ic_json_key(&j, "runs");
    ic_json_array_begin(&j);
    ic_json_object_begin(&j);
    ic_json_key(&j, "tool");
    ic_json_object_begin(&j);
    write_driver(&j);
    ic_json_object_end(&j);
    write_taxonomies(r, &j);
    write_invocation(r, exit_code, &j);
    if (r->target.kind == IC_TARGET_FIRMWARE) {
        ic_json_key(&j, "originalUriBaseIds");
        ic_json_object_begin(&j);
        ic_json_key(&j, EXTRACT_BASE);
        ic_json_object_begin(&j);
        text_object(&j, "description",
                    "the directory given to `iotcop unpack -C DIR`: "
                    "the content of layer ID is DIR/ID.bin");
        ic_json_object_end(&j);
        ic_json_object_end(&j);
    }
    ic_json_key(&j, "results");
    ic_json_array_begin(&j);
    for (size_t i = 0; i < r->finding_count; i++)
        write_result(r, &r->findings[i], &j);
    write_contradictions(r, &j);
    ic_json_array_end(&j);
    ic_json_kv_string(&j, "columnKind", "unicodeCodePoints");
    write_run_properties(r, &j);
    ic_json_object_end(&j);
    ic_json_array_end(&j);
    ic_json_object_end(&j);
    return j.error ? j.error : ic_buf_append(out, "\n", 1);
}
