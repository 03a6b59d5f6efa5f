/* Reads a JSON report back (iotcop/report_read.h) with the bounded pull
 * tokenizer: findings, components, verdicts and the target; everything else
 * is skipped. */
#include "iotcop/report_read.h"

#include "core/arena.h"
#include "iotcop/error.h"
#include "vulndb/jsonpull.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct reader {
    struct ic_jp jp;
    struct ic_arena *arena;
    struct ic_report_doc *doc;
    char *detail;
    size_t detail_size;
    size_t finding_cap, component_cap, guideline_cap, provision_cap, psti_cap;
};

static int fail(struct reader *rd, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reader *rd, int rc, const char *fmt, ...)
{
    if (rd->detail && rd->detail_size) {
        char what[160];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(what, sizeof(what), fmt, ap);
        va_end(ap);
        snprintf(rd->detail, rd->detail_size, "%s (near byte %llu)", what,
                 (unsigned long long)rd->jp.offset);
    }
    return rc;
}

/* The tokenizer's own error, with its detail. */
static int jp_fail(struct reader *rd, int rc)
{
    return fail(rd, rc, "%s", rd->jp.detail[0] ? rd->jp.detail : ic_error_message(rc));
}

static int next(struct reader *rd, enum ic_jp_type *t)
{
    int rc = ic_jp_next(&rd->jp, t);
    return rc ? jp_fail(rd, rc) : IC_OK;
}

/* Makes room for one more item in an array of `size`-byte items. */
static int grow(void **items, size_t *cap, size_t count, size_t size)
{
    if (count < *cap)
        return IC_OK;
    if (count >= IC_REPORT_MAX_ITEMS)
        return IC_E_LIMIT_MEMORY;
    size_t want = *cap ? *cap * 2 : 16;
    if (want > IC_REPORT_MAX_ITEMS)
        want = IC_REPORT_MAX_ITEMS;
    void *p = realloc(*items, want * size);
    if (!p)
        return IC_E_NOMEM;
    *items = p;
    *cap = want;
    return IC_OK;
}

/* The next value as a string in the arena: strings and numbers as written,
 * booleans as "true"/"false", null and containers (skipped) as NULL. */
static int read_string(struct reader *rd, const char **out)
{
    enum ic_jp_type t;
    *out = NULL;
    int rc = next(rd, &t);
    if (rc)
        return rc;
    if (t == IC_JP_STRING || t == IC_JP_NUMBER) {
        size_t n =
            rd->jp.str_len < IC_REPORT_READ_MAX_STRING ? rd->jp.str_len : IC_REPORT_READ_MAX_STRING;
        *out = ic_arena_strndup(rd->arena, rd->jp.str, n);
        return *out ? IC_OK : IC_E_NOMEM;
    }
    if (t == IC_JP_TRUE || t == IC_JP_FALSE) {
        *out = t == IC_JP_TRUE ? "true" : "false";
        return IC_OK;
    }
    rc = ic_jp_skip_from(&rd->jp, t);
    return rc ? jp_fail(rd, rc) : IC_OK;
}

static int read_u64(struct reader *rd, uint64_t *out)
{
    double v = 0;
    int ok = 0;
    int rc = ic_jp_read_number(&rd->jp, &v, &ok);
    if (rc)
        return jp_fail(rd, rc);
    *out = ok && v >= 0 && v < 1.8e19 ? (uint64_t)v : 0;
    return IC_OK;
}

/* Calls member(rd, key, item) for each key of the object that comes next;
 * member must consume the value. A value that is not an object is an error
 * named after `what`. */
typedef int (*member_fn)(struct reader *rd, const char *key, void *item);

static int read_object(struct reader *rd, const char *what, member_fn member, void *item)
{
    enum ic_jp_type t;
    int rc = next(rd, &t);
    if (rc)
        return rc;
    if (t != IC_JP_OBJECT_BEGIN)
        return fail(rd, IC_E_FORMAT, "%s is not an object", what);
    for (;;) {
        if ((rc = next(rd, &t)))
            return rc;
        if (t == IC_JP_OBJECT_END)
            return IC_OK;
        char key[64];
        snprintf(key, sizeof(key), "%s", rd->jp.str);
        if ((rc = member(rd, key, item)))
            return rc;
    }
}

/* Calls element(rd) for each element of the array that comes next (which
 * must consume it; its first token is passed). */
typedef int (*element_fn)(struct reader *rd, enum ic_jp_type first);

static int read_array(struct reader *rd, const char *what, element_fn element)
{
    enum ic_jp_type t;
    int rc = next(rd, &t);
    if (rc)
        return rc;
    if (t != IC_JP_ARRAY_BEGIN)
        return fail(rd, IC_E_FORMAT, "%s is not an array", what);
    for (;;) {
        if ((rc = next(rd, &t)))
            return rc;
        if (t == IC_JP_ARRAY_END)
            return IC_OK;
        if ((rc = element(rd, t)))
            return rc;
    }
}

/* An element that must be an object: its first token was read already. */
static int object_element(struct reader *rd, enum ic_jp_type first, const char *what,
                          member_fn member, void *item)
{
    if (first != IC_JP_OBJECT_BEGIN)
        return fail(rd, IC_E_FORMAT, "an element of %s is not an object", what);
    enum ic_jp_type t;
    for (;;) {
        int rc = next(rd, &t);
        if (rc)
            return rc;
        if (t == IC_JP_OBJECT_END)
            return IC_OK;
        char key[64];
        snprintf(key, sizeof(key), "%s", rd->jp.str);
        if ((rc = member(rd, key, item)))
            return rc;
    }
}

static int skip_value(struct reader *rd)
{
    int rc = ic_jp_skip(&rd->jp);
    return rc ? jp_fail(rd, rc) : IC_OK;
}

/* ---- findings ------------------------------------------------------------ */

static int location_member(struct reader *rd, const char *key, void *item)
{
    struct ic_doc_finding *f = item;
    if (strcmp(key, "layer") == 0)
        return read_string(rd, &f->layer);
    if (strcmp(key, "path") == 0)
        return read_string(rd, &f->path);
    if (strcmp(key, "host") == 0)
        return read_string(rd, &f->host);
    if (strcmp(key, "service") == 0)
        return read_string(rd, &f->service);
    if (strcmp(key, "port") == 0)
        return read_u64(rd, &f->port);
    return skip_value(rd);
}

static int suppressed_member(struct reader *rd, const char *key, void *item)
{
    struct ic_doc_finding *f = item;
    if (strcmp(key, "justification") == 0)
        return read_string(rd, &f->justification);
    if (strcmp(key, "source") == 0)
        return read_string(rd, &f->suppression_source);
    return skip_value(rd);
}

static int is_fingerprint(const char *s)
{
    if (!s || strlen(s) != 64)
        return 0;
    for (size_t i = 0; i < 64; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

static int finding_member(struct reader *rd, const char *key, void *item)
{
    struct ic_doc_finding *f = item;
    int rc;
    if (strcmp(key, "rule") == 0)
        return read_string(rd, &f->rule);
    if (strcmp(key, "title") == 0)
        return read_string(rd, &f->title);
    if (strcmp(key, "guideline") == 0)
        return read_string(rd, &f->guideline);
    if (strcmp(key, "evidence") == 0)
        return read_string(rd, &f->evidence);
    if (strcmp(key, "cve") == 0)
        return read_string(rd, &f->cve);
    if (strcmp(key, "location") == 0)
        return read_object(rd, "a finding's location", location_member, f);
    if (strcmp(key, "suppressed") == 0) {
        f->suppressed = 1;
        return read_object(rd, "a finding's \"suppressed\"", suppressed_member, f);
    }
    if (strcmp(key, "fingerprint") == 0) {
        const char *fp = NULL;
        if ((rc = read_string(rd, &fp)))
            return rc;
        if (!is_fingerprint(fp))
            return fail(rd, IC_E_FORMAT, "finding %zu: the fingerprint is not 64 hex digits",
                        rd->doc->finding_count + 1);
        for (size_t i = 0; i < 65; i++)
            f->fingerprint[i] = (char)tolower((unsigned char)fp[i]);
        return IC_OK;
    }
    if (strcmp(key, "severity") == 0) {
        const char *s = NULL;
        if ((rc = read_string(rd, &s)))
            return rc;
        if (ic_severity_parse(s, &f->severity) != IC_OK)
            return fail(rd, IC_E_FORMAT, "finding %zu: unknown severity",
                        rd->doc->finding_count + 1);
        return IC_OK;
    }
    return skip_value(rd);
}

static int finding_element(struct reader *rd, enum ic_jp_type first)
{
    struct ic_report_doc *doc = rd->doc;
    int rc =
        grow((void **)&doc->findings, &rd->finding_cap, doc->finding_count, sizeof(*doc->findings));
    if (rc)
        return fail(rd, rc, "too many findings");
    struct ic_doc_finding *f = &doc->findings[doc->finding_count];
    memset(f, 0, sizeof(*f));
    f->severity = IC_SEVERITY_INFO;
    if ((rc = object_element(rd, first, "\"findings\"", finding_member, f)))
        return rc;
    if (!f->fingerprint[0] || !f->rule)
        return fail(rd, IC_E_FORMAT, "finding %zu has no %s", doc->finding_count + 1,
                    f->rule ? "fingerprint" : "rule");
    doc->finding_count++;
    return IC_OK;
}

/* ---- components ---------------------------------------------------------- */

static int component_member(struct reader *rd, const char *key, void *item)
{
    struct ic_doc_component *c = item;
    if (strcmp(key, "name") == 0)
        return read_string(rd, &c->name);
    if (strcmp(key, "version") == 0)
        return read_string(rd, &c->version);
    return skip_value(rd);
}

static int component_element(struct reader *rd, enum ic_jp_type first)
{
    struct ic_report_doc *doc = rd->doc;
    int rc = grow((void **)&doc->components, &rd->component_cap, doc->component_count,
                  sizeof(*doc->components));
    if (rc)
        return fail(rd, rc, "too many components");
    struct ic_doc_component *c = &doc->components[doc->component_count];
    memset(c, 0, sizeof(*c));
    if ((rc = object_element(rd, first, "\"components\"", component_member, c)))
        return rc;
    if (!c->name)
        return fail(rd, IC_E_FORMAT, "component %zu has no name", doc->component_count + 1);
    doc->component_count++;
    return IC_OK;
}

/* ---- verdicts ------------------------------------------------------------ */

static int verdict_member(struct reader *rd, const char *key, void *item)
{
    struct ic_doc_verdict *v = item;
    if (strcmp(key, "id") == 0)
        return read_string(rd, &v->id);
    if (strcmp(key, "status") == 0) {
        int rc = read_string(rd, &v->status_text);
        if (!rc && ic_status_parse(v->status_text, &v->status) != IC_OK)
            v->status = IC_STATUS_NOT_TESTED;
        return rc;
    }
    return skip_value(rd);
}

static int verdict_element(struct reader *rd, enum ic_jp_type first, struct ic_doc_verdict **items,
                           size_t *count, size_t *cap, const char *what)
{
    int rc = grow((void **)items, cap, *count, sizeof(**items));
    if (rc)
        return fail(rd, rc, "too many entries in %s", what);
    struct ic_doc_verdict *v = &(*items)[*count];
    memset(v, 0, sizeof(*v));
    if ((rc = object_element(rd, first, what, verdict_member, v)))
        return rc;
    if (!v->id || !v->status_text)
        return fail(rd, IC_E_FORMAT, "an entry of %s has no %s", what, v->id ? "status" : "id");
    (*count)++;
    return IC_OK;
}

static int guideline_element(struct reader *rd, enum ic_jp_type first)
{
    struct ic_report_doc *d = rd->doc;
    return verdict_element(rd, first, &d->guidelines, &d->guideline_count, &rd->guideline_cap,
                           "\"guidelines\"");
}

static int provision_element(struct reader *rd, enum ic_jp_type first)
{
    struct ic_report_doc *d = rd->doc;
    return verdict_element(rd, first, &d->provisions, &d->provision_count, &rd->provision_cap,
                           "\"provisions\"");
}

static int psti_element(struct reader *rd, enum ic_jp_type first)
{
    struct ic_report_doc *d = rd->doc;
    return verdict_element(rd, first, &d->psti, &d->psti_count, &rd->psti_cap, "\"psti\"");
}

/* ---- target and unpack --------------------------------------------------- */

static int target_member(struct reader *rd, const char *key, void *item)
{
    struct ic_report_doc *d = item;
    if (strcmp(key, "kind") == 0)
        return read_string(rd, &d->target_kind);
    if (strcmp(key, "path") == 0)
        return read_string(rd, &d->target_path);
    if (strcmp(key, "sha256") == 0)
        return read_string(rd, &d->target_sha256);
    if (strcmp(key, "address") == 0)
        return read_string(rd, &d->target_address);
    if (strcmp(key, "size") == 0)
        return read_u64(rd, &d->target_size);
    return skip_value(rd);
}

static int diag_member(struct reader *rd, const char *key, void *item)
{
    const char **level = item;
    if (strcmp(key, "level") == 0)
        return read_string(rd, level);
    return skip_value(rd);
}

static int diag_element(struct reader *rd, enum ic_jp_type first)
{
    const char *level = NULL;
    int rc = object_element(rd, first, "\"diagnostics\"", diag_member, &level);
    if (!rc) {
        if (level && strcmp(level, "error") == 0)
            rd->doc->diagnostics.errors++;
        else
            rd->doc->diagnostics.warnings++;
    }
    return rc;
}

static int layer_element(struct reader *rd, enum ic_jp_type first)
{
    rd->doc->layer_count++;
    int rc = ic_jp_skip_from(&rd->jp, first);
    return rc ? jp_fail(rd, rc) : IC_OK;
}

static int unpack_member(struct reader *rd, const char *key, void *item)
{
    if (strcmp(key, "diagnostics") == 0)
        return read_array(rd, "\"diagnostics\"", diag_element);
    if (strcmp(key, "layers") == 0)
        return read_array(rd, "\"layers\"", layer_element);
    return skip_value(rd);
}

/* ---- the report ---------------------------------------------------------- */

static int report_member(struct reader *rd, const char *key, void *item)
{
    struct ic_report_doc *d = item;
    if (strcmp(key, "schema") == 0) {
        int rc = read_string(rd, &d->schema);
        if (!rc && (!d->schema || strncmp(d->schema, "iotcop-report/", 14) != 0))
            return fail(rd, IC_E_FORMAT, "not an iotcop report (schema \"%.40s\")",
                        d->schema ? d->schema : "");
        return rc;
    }
    if (strcmp(key, "target") == 0)
        return read_object(rd, "\"target\"", target_member, d);
    if (strcmp(key, "unpack") == 0)
        return read_object(rd, "\"unpack\"", unpack_member, d);
    if (strcmp(key, "findings") == 0)
        return read_array(rd, "\"findings\"", finding_element);
    if (strcmp(key, "components") == 0)
        return read_array(rd, "\"components\"", component_element);
    if (strcmp(key, "guidelines") == 0)
        return read_array(rd, "\"guidelines\"", guideline_element);
    if (strcmp(key, "provisions") == 0)
        return read_array(rd, "\"provisions\"", provision_element);
    if (strcmp(key, "psti") == 0)
        return read_array(rd, "\"psti\"", psti_element);
    return skip_value(rd);
}

int ic_report_read(const uint8_t *data, size_t size, struct ic_report_doc *doc, char *detail,
                   size_t detail_size)
{
    memset(doc, 0, sizeof(*doc));
    if (detail && detail_size)
        detail[0] = '\0';
    struct ic_arena *arena = calloc(1, sizeof(*arena));
    if (!arena)
        return IC_E_NOMEM;
    doc->priv = arena;
    struct reader rd = {.arena = arena, .doc = doc, .detail = detail, .detail_size = detail_size};
    struct ic_jp_memory mem = {data, size, 0};
    int rc = ic_jp_init(&rd.jp, ic_jp_read_memory, &mem);
    if (rc)
        return rc;
    rc = read_object(&rd, "the report", report_member, doc);
    enum ic_jp_type t;
    if (!rc && (rc = next(&rd, &t)) == IC_OK && t != IC_JP_EOF)
        rc = fail(&rd, IC_E_FORMAT, "text after the report");
    if (!rc && !doc->schema)
        rc = fail(&rd, IC_E_FORMAT, "not an iotcop report (no \"schema\")");
    ic_jp_release(&rd.jp);
    return rc;
}

void ic_report_doc_release(struct ic_report_doc *doc)
{
    if (!doc)
        return;
    if (doc->priv) {
        ic_arena_release(doc->priv);
        free(doc->priv);
    }
    free(doc->findings);
    free(doc->components);
    free(doc->guidelines);
    free(doc->provisions);
    free(doc->psti);
    memset(doc, 0, sizeof(*doc));
}

const struct ic_doc_finding *ic_report_doc_find(const struct ic_report_doc *doc,
                                                const char *fingerprint)
{
    for (size_t i = 0; i < doc->finding_count; i++)
        if (strcmp(doc->findings[i].fingerprint, fingerprint) == 0)
            return &doc->findings[i];
    return NULL;
}
