/* `iotcop assess` (iotcop/assess.h): JSON reports read back through the
 * document tree, their findings, components and services gathered into one
 * report, their provision verdicts combined. */
#include "iotcop/assess.h"

#include "core/arena.h"
#include "core/dom.h"
#include "iotcop/declaration.h"
#include "iotcop/error.h"
#include "report/report_private.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one report says about one provision. */
struct input_verdict {
    int set;
    enum ic_status status;
    enum ic_source source;
    const char *reason;
};

struct ic_assessment {
    struct ic_arena arena;
    struct ic_report *report; /* the combined report, finished by ic_assessment_finish() */
    struct ic_report_input inputs[IC_ASSESS_MAX_INPUTS];
    struct input_verdict *verdicts[IC_ASSESS_MAX_INPUTS]; /* one per provision each */
    size_t input_count;
};

int ic_assessment_new(struct ic_assessment **out)
{
    *out = NULL;
    struct ic_assessment *a = calloc(1, sizeof(*a));
    if (!a)
        return IC_E_NOMEM;
    a->arena = (struct ic_arena)IC_ARENA_INIT;
    int rc = ic_report_new(&a->report);
    if (rc) {
        free(a);
        return rc;
    }
    *out = a;
    return IC_OK;
}

void ic_assessment_free(struct ic_assessment *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->input_count; i++)
        free(a->verdicts[i]);
    ic_report_free(a->report);
    ic_arena_release(&a->arena);
    free(a);
}

static void warn(struct ic_assessment *a, const char *label, unsigned line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void warn(struct ic_assessment *a, const char *label, unsigned line, const char *fmt, ...)
{
    char what[384], message[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    snprintf(message, sizeof(message), "%s line %u: %s", label, line, what);
    ic_report_add_diagnostic(a->report, IC_E_FORMAT, 0, NULL, message);
}

/* A NULL-terminated list of the strings of an array member (arena), NULL
 * when absent; non-strings are skipped. */
static const char **string_list(struct ic_assessment *a, const struct ic_dom *obj, const char *key)
{
    const struct ic_dom *v = ic_dom_get(obj, key);
    if (!v || v->type != IC_DOM_ARRAY)
        return NULL;
    const char **list = ic_arena_alloc(&a->arena, (v->count + 1) * sizeof(*list));
    if (!list)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < v->count; i++)
        if (v->items[i]->type == IC_DOM_STRING)
            list[n++] = v->items[i]->text;
    list[n] = NULL;
    return list;
}

static uint64_t number(const struct ic_dom *obj, const char *key, uint64_t max, int *ok)
{
    const struct ic_dom *v = ic_dom_get(obj, key);
    *ok = 0;
    if (!v || v->type != IC_DOM_NUMBER)
        return 0;
    char *end = NULL;
    unsigned long long n = strtoull(v->text, &end, 10);
    if (!end || *end || v->text[0] == '-' || n > max)
        return 0;
    *ok = 1;
    return n;
}

/* The format of layer `id` in the report's unpack, for the fingerprint. */
static const char *layer_format(const struct ic_dom *root, const char *id)
{
    const struct ic_dom *layers = ic_dom_get(ic_dom_get(root, "unpack"), "layers");
    for (size_t i = 0; id && layers && layers->type == IC_DOM_ARRAY && i < layers->count; i++) {
        const char *lid = ic_dom_text(layers->items[i], "id");
        if (lid && strcmp(lid, id) == 0)
            return ic_dom_text(layers->items[i], "format");
    }
    return NULL;
}

static void add_finding(struct ic_assessment *a, const char *label, const struct ic_dom *root,
                        const struct ic_dom *f)
{
    struct ic_finding fi = {0};
    const struct ic_dom *loc = ic_dom_get(f, "location");
    const char *severity = ic_dom_text(f, "severity");
    fi.rule = ic_dom_text(f, "rule");
    fi.title = ic_dom_text(f, "title");
    fi.guideline = ic_dom_text(f, "guideline");
    fi.evidence = ic_dom_text(f, "evidence");
    fi.cve = ic_dom_text(f, "cve");
    fi.provisions = string_list(a, f, "provisions");
    if (!fi.rule || !fi.title || !fi.guideline || !severity ||
        ic_severity_parse(severity, &fi.severity) != IC_OK || !loc || loc->type != IC_DOM_OBJECT) {
        warn(a, label, f->line, "a finding without rule, title, guideline, severity or location");
        return;
    }
    const char *cvss = ic_dom_text(f, "cvss");
    if (cvss) {
        char *end = NULL;
        fi.cvss = strtod(cvss, &end);
        fi.has_cvss = end && !*end && fi.cvss >= 0 && fi.cvss <= 10;
    }
    const struct ic_dom *sup = ic_dom_get(f, "suppressed");
    if (sup && sup->type == IC_DOM_OBJECT) {
        fi.suppressed = 1;
        fi.justification = ic_dom_text(sup, "justification");
        fi.suppression_source = ic_dom_text(sup, "source");
    }
    int ok;
    if (ic_dom_get(loc, "host")) {
        uint64_t port = number(loc, "port", 65535, &ok);
        fi.location = ic_location_device(ic_dom_text(loc, "host"), (uint16_t)port,
                                         ic_dom_text(loc, "protocol"), ic_dom_text(loc, "service"));
    } else {
        fi.location = ic_location_file(ic_dom_text(loc, "layer"), ic_dom_text(loc, "path"));
        fi.location.layer_format = layer_format(root, fi.location.layer);
        fi.location.line = number(loc, "line", UINT32_MAX, &ok);
        uint64_t off = number(loc, "offset", INT64_MAX, &ok);
        if (ok)
            fi.location.offset = (int64_t)off;
    }
    int rc = ic_report_add_finding(a->report, &fi, NULL);
    if (rc && rc != IC_E_EXISTS)
        warn(a, label, f->line, "finding %s not kept: %s", fi.rule, ic_error_message(rc));
}

static void add_component(struct ic_assessment *a, const char *label, const struct ic_dom *c)
{
    struct ic_component co = {
        .name = ic_dom_text(c, "name"),
        .version = ic_dom_text(c, "version"),
        .cpe = string_list(a, c, "cpe"),
        .purl = ic_dom_text(c, "purl"),
        .paths = string_list(a, c, "paths"),
        .evidence = ic_dom_text(c, "evidence"),
        .features = string_list(a, c, "features"),
    };
    if (!co.name) {
        warn(a, label, c->line, "a component without a name");
        return;
    }
    int rc = ic_report_add_component(a->report, &co);
    if (rc)
        warn(a, label, c->line, "component %s not kept: %s", co.name, ic_error_message(rc));
}

static void add_service(struct ic_assessment *a, const char *label, const struct ic_dom *s)
{
    int ok;
    uint64_t port = number(s, "port", 65535, &ok);
    struct ic_service sv = {
        .host = ic_dom_text(s, "host"),
        .port = (uint16_t)port,
        .protocol = ic_dom_text(s, "protocol"),
        .service = ic_dom_text(s, "service"),
        .banner = ic_dom_text(s, "banner"),
    };
    struct ic_service_tls tls = {0};
    const struct ic_dom *t = ic_dom_get(s, "tls");
    if (t && t->type == IC_DOM_OBJECT) {
        tls.version = ic_dom_text(t, "version");
        tls.cipher = ic_dom_text(t, "cipher");
        tls.subject = ic_dom_text(t, "subject");
        tls.issuer = ic_dom_text(t, "issuer");
        tls.not_after = ic_dom_text(t, "not_after");
        const struct ic_dom *self = ic_dom_get(t, "self_signed");
        tls.self_signed = self && self->type == IC_DOM_BOOL && self->boolean;
        tls.key_bits = (unsigned)number(t, "key_bits", UINT32_MAX, &ok);
        tls.starttls = ic_dom_text(t, "starttls");
        const struct ic_dom *versions = ic_dom_get(t, "versions");
        for (unsigned v = 0; versions && v < IC_TLS_VERSION_COUNT; v++) {
            const struct ic_dom *b = ic_dom_get(versions, ic_tls_version_name(v));
            if (b && b->type == IC_DOM_BOOL) {
                tls.versions_tested |= 1u << v;
                tls.versions_accepted |= (unsigned)(b->boolean != 0) << v;
            }
        }
        sv.tls = &tls;
    }
    if (!sv.host || !ok || !sv.protocol || !sv.service) {
        warn(a, label, s->line, "a service without host, port, protocol or service");
        return;
    }
    int rc = ic_report_add_service(a->report, &sv);
    if (rc && rc != IC_E_EXISTS)
        warn(a, label, s->line, "service not kept: %s", ic_error_message(rc));
}

static void read_verdicts(struct ic_assessment *a, const char *label, const struct ic_dom *list,
                          struct input_verdict *out)
{
    for (size_t i = 0; list && list->type == IC_DOM_ARRAY && i < list->count; i++) {
        const struct ic_dom *v = list->items[i];
        const struct ic_provision *p = ic_provision_find(ic_dom_text(v, "id"));
        const char *status = ic_dom_text(v, "status");
        const char *source = ic_dom_text(v, "source");
        enum ic_status st;
        if (!p || !status || ic_status_parse(status, &st) != IC_OK) {
            warn(a, label, v->line, "a provision verdict with an unknown id or status");
            continue;
        }
        /* The document goes when the report is read: keep a copy. */
        const char *reason =
            ic_arena_strdup(&a->arena, ic_dom_text(v, "reason") ? ic_dom_text(v, "reason") : "");
        if (!reason) {
            warn(a, label, v->line, "out of memory");
            continue;
        }
        out[p->index] = (struct input_verdict){
            .set = 1,
            .status = st,
            .source =
                source && strcmp(source, "declared") == 0 ? IC_SOURCE_DECLARED : IC_SOURCE_TEST,
            .reason = reason,
        };
    }
}

static const struct ic_dom *array(const struct ic_dom *root, const char *key)
{
    const struct ic_dom *v = ic_dom_get(root, key);
    return v && v->type == IC_DOM_ARRAY ? v : NULL;
}

int ic_assessment_add(struct ic_assessment *a, const uint8_t *data, size_t size, const char *label,
                      char *detail, size_t detail_size)
{
    char none[8];
    if (!detail || !detail_size) {
        detail = none;
        detail_size = sizeof(none);
    }
    detail[0] = '\0';
    if (a->input_count >= IC_ASSESS_MAX_INPUTS) {
        snprintf(detail, detail_size, "more than %u reports", IC_ASSESS_MAX_INPUTS);
        return IC_E_LIMIT_FILES;
    }
    if (size > IC_ASSESS_MAX_REPORT_BYTES) {
        snprintf(detail, detail_size, "larger than %u bytes", IC_ASSESS_MAX_REPORT_BYTES);
        return IC_E_LIMIT_FILE_SIZE;
    }
    struct ic_dom_doc doc;
    int rc = ic_dom_parse_json(data, size, &doc);
    if (rc) {
        snprintf(detail, detail_size, "line %u: %s", doc.error_line, doc.detail);
        ic_dom_release(&doc);
        return rc;
    }
    const struct ic_dom *root = doc.root;
    const char *schema = ic_dom_text(root, "schema");
    const struct ic_dom *target = ic_dom_get(root, "target");
    const char *kind = ic_dom_text(target, "kind");
    if (!schema || strcmp(schema, IC_REPORT_SCHEMA) != 0) {
        snprintf(detail, detail_size, "not an %s report (\"schema\")", IC_REPORT_SCHEMA);
        rc = IC_E_FORMAT;
    } else if (!kind || (strcmp(kind, "firmware") != 0 && strcmp(kind, "device") != 0)) {
        snprintf(detail, detail_size, "the target is neither a firmware image nor a device");
        rc = IC_E_FORMAT;
    }
    struct input_verdict *verdicts = rc ? NULL : calloc(ic_provision_count(), sizeof(*verdicts));
    if (!rc && !verdicts)
        rc = IC_E_NOMEM;
    struct ic_report_input *in = &a->inputs[a->input_count];
    if (!rc) {
        in->label = ic_arena_strdup(&a->arena, label);
        in->kind = kind[0] == 'f' ? "firmware" : "device";
        const char *path = ic_dom_text(target, "path");
        const char *sha = ic_dom_text(target, "sha256");
        const char *address = ic_dom_text(target, "address");
        in->path = path ? ic_arena_strdup(&a->arena, path) : NULL;
        in->sha256 = sha ? ic_arena_strdup(&a->arena, sha) : NULL;
        in->address = address ? ic_arena_strdup(&a->arena, address) : NULL;
        if (!in->label || (path && !in->path) || (sha && !in->sha256) || (address && !in->address))
            rc = IC_E_NOMEM;
    }
    if (rc) {
        free(verdicts);
        ic_dom_release(&doc);
        return rc;
    }
    const struct ic_dom *list;
    if ((list = array(root, "findings")))
        for (size_t i = 0; i < list->count; i++)
            add_finding(a, in->label, root, list->items[i]);
    if ((list = array(root, "components")))
        for (size_t i = 0; i < list->count; i++)
            add_component(a, in->label, list->items[i]);
    if ((list = array(root, "services")))
        for (size_t i = 0; i < list->count; i++)
            add_service(a, in->label, list->items[i]);
    read_verdicts(a, in->label, array(root, "provisions"), verdicts);
    a->verdicts[a->input_count++] = verdicts;
    ic_dom_release(&doc);
    return IC_OK;
}

int ic_assessment_add_failure(struct ic_assessment *a, const char *label, int error,
                              const char *message)
{
    char text[512];
    snprintf(text, sizeof(text), "%s: %s", label, message);
    return ic_report_add_diagnostic(a->report, error, 1, NULL, text);
}

/* Combines what the reports say about provision i into the report's evidence. */
static int combine_provision(struct ic_assessment *a, const struct ic_declaration *decl, size_t i)
{
    const char *id = ic_provision_at(i)->id;
    const struct input_verdict *fail = NULL, *pass = NULL, *unverified = NULL, *declared = NULL;
    size_t fail_k = 0, pass_k = 0, unverified_k = 0, declared_k = 0;
    for (size_t k = 0; k < a->input_count; k++) {
        const struct input_verdict *v = &a->verdicts[k][i];
        if (!v->set)
            continue;
        if (v->source == IC_SOURCE_DECLARED) {
            if (!declared) {
                declared = v;
                declared_k = k;
            }
        } else if (v->status == IC_STATUS_FAIL) {
            if (!fail) {
                fail = v;
                fail_k = k;
            }
        } else if (v->status == IC_STATUS_PASS || v->status == IC_STATUS_NOT_APPLICABLE) {
            if (!pass || (pass->status != IC_STATUS_PASS && v->status == IC_STATUS_PASS)) {
                pass = v;
                pass_k = k;
            }
        } else if (v->status == IC_STATUS_UNVERIFIED && !unverified) {
            unverified = v;
            unverified_k = k;
        }
    }
    char note[768];
    const struct input_verdict *use = fail ? fail : pass ? pass : unverified;
    size_t use_k = fail ? fail_k : pass ? pass_k : unverified_k;
    int rc = IC_OK;
    if (use) {
        snprintf(note, sizeof(note), "%s: %s", a->inputs[use_k].label, use->reason);
        rc = ic_report_set_provision(a->report, id, use->status, note);
    }
    /* A report's own declaration counts when the assessment has none for it. */
    if (!rc && declared && !ic_declaration_find(decl, id)) {
        snprintf(note, sizeof(note), "%s: %s", a->inputs[declared_k].label, declared->reason);
        rc = ic_report_declare_provision(a->report, id, declared->status, note);
    }
    return rc;
}

/* Which evidence settled provision i of the finished report. */
static const char *settled_by(struct ic_assessment *a, const struct ic_declaration *decl, size_t i)
{
    const struct ic_verdict *v = &a->report->provisions[i];
    const char *id = ic_provision_at(i)->id;
    if (v->source == IC_SOURCE_DECLARED) {
        if (ic_declaration_find(decl, id))
            return decl->source ? decl->source : "the declaration";
        for (size_t k = 0; k < a->input_count; k++)
            if (a->verdicts[k][i].set && a->verdicts[k][i].source == IC_SOURCE_DECLARED)
                return a->inputs[k].label;
        return NULL;
    }
    if (v->status == IC_STATUS_NOT_TESTED)
        return NULL;
    char list[1024] = "";
    for (size_t k = 0; k < a->input_count; k++) {
        const struct input_verdict *iv = &a->verdicts[k][i];
        if (!iv->set || iv->source != IC_SOURCE_TEST || iv->status != v->status)
            continue;
        size_t used = strlen(list);
        snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", a->inputs[k].label);
    }
    return list[0] ? ic_arena_strdup(&a->arena, list) : NULL;
}

static int set_product_target(struct ic_report *r, const char *name)
{
    pthread_mutex_lock(&r->priv->lock);
    r->target.kind = IC_TARGET_PRODUCT;
    r->target.path = ic_arena_strdup(&r->priv->arena, name);
    int rc = r->target.path ? IC_OK : IC_E_NOMEM;
    pthread_mutex_unlock(&r->priv->lock);
    return rc;
}

int ic_assessment_finish(struct ic_assessment *a, const struct ic_declaration *decl,
                         const char *name, struct ic_report **out)
{
    *out = NULL;
    char product[512] = "product";
    if (name)
        snprintf(product, sizeof(product), "%s", name);
    else if (decl && decl->product_name)
        snprintf(product, sizeof(product), "%s%s%s", decl->product_name,
                 decl->product_model ? " " : "", decl->product_model ? decl->product_model : "");
    int rc = set_product_target(a->report, product);
    if (!rc && decl)
        rc = ic_report_set_declaration(a->report, decl);
    for (size_t i = 0; !rc && i < ic_provision_count(); i++)
        rc = combine_provision(a, decl, i);
    if (!rc)
        rc = ic_report_finish(a->report);
    for (size_t i = 0; !rc && i < ic_provision_count(); i++)
        a->report->provisions[i].settled_by = settled_by(a, decl, i);
    if (rc)
        return rc;
    a->report->inputs = a->inputs;
    a->report->input_count = a->input_count;
    *out = a->report;
    a->report = NULL;
    return IC_OK;
}
