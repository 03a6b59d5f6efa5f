/* Manufacturer declarations (iotcop/declaration.h): YAML or JSON into one
 * document tree (core/dom.h), then the schema of docs/declaration.md read
 * from it, every bad value a diagnostic with its line and key. */
#include "iotcop/declaration.h"

#include "core/arena.h"
#include "core/dom.h"
#include "iotcop/error.h"
#include "report/report_private.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct ic_declaration_private {
    struct ic_arena arena;
};

/* The text fields: section, key, where they go. */
struct field {
    const char *section;
    const char *key;
    size_t offset;
    int is_date; /* YYYY-MM-DD */
};

#define FIELD(section, key, member, is_date)                                                       \
    {                                                                                              \
        section, key, offsetof(struct ic_declaration, member), is_date                             \
    }
static const struct field fields[] = {
    FIELD("product", "name", product_name, 0),
    FIELD("product", "model", product_model, 0),
    FIELD("product", "type", product_type, 0),
    FIELD("product", "batch", product_batch, 0),
    FIELD("manufacturer", "name", manufacturer_name, 0),
    FIELD("manufacturer", "address", manufacturer_address, 0),
    FIELD("manufacturer", "representative", representative, 0),
    FIELD("support_period", "end", support_end, 1),
    FIELD("support_period", "url", support_url, 0),
    FIELD("vulnerability_disclosure", "contact", disclosure_contact, 0),
    FIELD("vulnerability_disclosure", "url", disclosure_url, 0),
    FIELD("vulnerability_disclosure", "timelines", disclosure_timelines, 0),
    FIELD("statement", "prepared_by", prepared_by, 0),
    FIELD("statement", "signatory", signatory_name, 0),
    FIELD("statement", "function", signatory_function, 0),
    FIELD("statement", "place", signed_place, 0),
    FIELD("statement", "date", signed_date, 1),
};
#undef FIELD
#define FIELD_COUNT (sizeof(fields) / sizeof(fields[0]))

static const char **field_slot(struct ic_declaration *d, const struct field *f)
{
    return (const char **)((char *)d + f->offset);
}

static void diag(struct ic_declaration *d, unsigned line, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void diag(struct ic_declaration *d, unsigned line, const char *key, const char *fmt, ...)
{
    if (d->diag_count >= IC_DECLARATION_MAX_DIAGS) {
        d->diags_dropped++;
        return;
    }
    char text[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    struct ic_declaration_diag *g = &d->diags[d->diag_count];
    g->line = line;
    g->key = ic_arena_strdup(&d->priv->arena, key ? key : "");
    g->message = ic_arena_strdup(&d->priv->arena, text);
    if (g->key && g->message)
        d->diag_count++;
}

/* YYYY-MM-DD with a real day of a real month. */
static int valid_date(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return 0;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0');
    int day = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || day < 1 || day > days[m - 1])
        return 0;
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && day == 29 && !leap);
}

/* A text value: a string or a number (YAML may read a model "100" as one). */
static const char *text_value(struct ic_declaration *d, const struct ic_dom *v, const char *key)
{
    if (v->type == IC_DOM_STRING || v->type == IC_DOM_NUMBER) {
        if (!v->text[0]) {
            diag(d, v->line, key, "is empty");
            return NULL;
        }
        return v->text;
    }
    if (v->type != IC_DOM_NULL)
        diag(d, v->line, key, "must be text, not %s", ic_dom_type_name(v->type));
    return NULL;
}

static void read_section(struct ic_declaration *d, const char *section, const struct ic_dom *obj)
{
    char key[160];
    if (obj->type != IC_DOM_OBJECT) {
        if (obj->type != IC_DOM_NULL)
            diag(d, obj->line, section, "must be a mapping of keys, not %s",
                 ic_dom_type_name(obj->type));
        return;
    }
    for (size_t i = 0; i < obj->count; i++) {
        snprintf(key, sizeof(key), "%s.%s", section, obj->keys[i]);
        const struct field *f = NULL;
        for (size_t k = 0; k < FIELD_COUNT && !f; k++)
            if (strcmp(fields[k].section, section) == 0 && strcmp(fields[k].key, obj->keys[i]) == 0)
                f = &fields[k];
        if (!f) {
            diag(d, obj->key_lines[i], key, "is not a key of the declaration schema");
            continue;
        }
        const char *text = text_value(d, obj->items[i], key);
        if (!text)
            continue;
        if (f->is_date && !valid_date(text)) {
            diag(d, obj->items[i]->line, key, "must be a date YYYY-MM-DD, not '%.40s'", text);
            continue;
        }
        *field_slot(d, f) = text;
    }
}

static void read_provision(struct ic_declaration *d, const char *id, unsigned line,
                           const struct ic_dom *v)
{
    char key[160];
    snprintf(key, sizeof(key), "provisions.%s", id);
    if (!ic_provision_find(id)) {
        diag(d, line, key, "is not an EN 303 645 provision (ids look like 5.1-1)");
        return;
    }
    if (ic_declaration_find(d, id)) {
        diag(d, line, key, "is declared twice; the first is kept");
        return;
    }
    /* A bare status ("5.1-1: implemented") or a mapping. */
    const struct ic_dom *status = v->type == IC_DOM_OBJECT ? ic_dom_get(v, "status") : v;
    if (v->type != IC_DOM_OBJECT && v->type != IC_DOM_STRING) {
        diag(d, v->line, key, "must be a status or a mapping with status, not %s",
             ic_dom_type_name(v->type));
        return;
    }
    struct ic_declared_provision p = {.id = ic_provision_find(id)->id, .line = line};
    if (!status || status->type != IC_DOM_STRING) {
        diag(d, line, key, "needs a status: implemented or not-applicable");
        return;
    }
    if (strcmp(status->text, "implemented") == 0)
        p.status = IC_STATUS_PASS;
    else if (strcmp(status->text, "not-applicable") == 0)
        p.status = IC_STATUS_NOT_APPLICABLE;
    else {
        diag(d, status->line, key, "status must be implemented or not-applicable, not '%.40s'",
             status->text);
        return;
    }
    for (size_t i = 0; v->type == IC_DOM_OBJECT && i < v->count; i++) {
        char sub[200];
        snprintf(sub, sizeof(sub), "%s.%s", key, v->keys[i]);
        if (strcmp(v->keys[i], "status") == 0)
            continue;
        if (strcmp(v->keys[i], "justification") == 0)
            p.justification = text_value(d, v->items[i], sub);
        else if (strcmp(v->keys[i], "reference") == 0)
            p.reference = text_value(d, v->items[i], sub);
        else
            diag(d, v->key_lines[i], sub, "is not a key of a declared provision");
    }
    if (p.status == IC_STATUS_NOT_APPLICABLE && !p.justification)
        diag(d, line, key, "not-applicable needs a justification (kept without one)");
    d->provisions[d->provision_count++] = p;
}

static void read_declaration(struct ic_declaration *d, const struct ic_dom *root)
{
    if (root->type != IC_DOM_OBJECT) {
        diag(d, root->line, "", "a declaration is a mapping of keys, not %s",
             ic_dom_type_name(root->type));
        return;
    }
    for (size_t i = 0; i < root->count; i++) {
        const char *key = root->keys[i];
        const struct ic_dom *v = root->items[i];
        int section = 0;
        for (size_t k = 0; k < FIELD_COUNT && !section; k++)
            section = strcmp(fields[k].section, key) == 0;
        if (section) {
            read_section(d, key, v);
        } else if (strcmp(key, "schema") == 0) {
            if (v->type != IC_DOM_STRING || strcmp(v->text, IC_DECLARATION_SCHEMA) != 0)
                diag(d, v->line, key, "must be %s", IC_DECLARATION_SCHEMA);
        } else if (strcmp(key, "provisions") == 0) {
            if (d->provisions) {
                diag(d, root->key_lines[i], key, "appears twice; the first is kept");
                continue;
            }
            if (v->type != IC_DOM_OBJECT) {
                if (v->type != IC_DOM_NULL)
                    diag(d, v->line, key, "must be a mapping of provision ids, not %s",
                         ic_dom_type_name(v->type));
                continue;
            }
            d->provisions =
                ic_arena_alloc(&d->priv->arena, (v->count ? v->count : 1) * sizeof(*d->provisions));
            if (!d->provisions) {
                diag(d, v->line, key, "out of memory");
                continue;
            }
            for (size_t k = 0; k < v->count; k++)
                read_provision(d, v->keys[k], v->key_lines[k], v->items[k]);
        } else {
            diag(d, root->key_lines[i], key, "is not a key of the declaration schema");
        }
    }
}

static enum ic_declaration_syntax sniff(const uint8_t *data, size_t size)
{
    for (size_t i = 0; i < size; i++) {
        if (data[i] == ' ' || data[i] == '\t' || data[i] == '\r' || data[i] == '\n')
            continue;
        return data[i] == '{' ? IC_DECLARATION_JSON : IC_DECLARATION_YAML;
    }
    return IC_DECLARATION_YAML;
}

int ic_declaration_parse(const uint8_t *data, size_t size, enum ic_declaration_syntax syntax,
                         const char *source, struct ic_declaration **out)
{
    *out = NULL;
    if (syntax == IC_DECLARATION_AUTO)
        syntax = sniff(data, size);
    struct ic_dom_doc doc;
    int rc = syntax == IC_DECLARATION_JSON ? ic_dom_parse_json(data, size, &doc)
                                           : ic_dom_parse_yaml(data, size, &doc);
    struct ic_declaration *d = calloc(1, sizeof(*d));
    if (d)
        d->priv = calloc(1, sizeof(*d->priv));
    if (!d || !d->priv || rc == IC_E_NOMEM) {
        ic_dom_release(&doc);
        if (d)
            free(d->priv);
        free(d);
        return IC_E_NOMEM;
    }
    /* The declaration's strings are the document's: it takes over the arena. */
    d->priv->arena = doc.arena;
    doc.arena = (struct ic_arena)IC_ARENA_INIT;
    d->diags = ic_arena_alloc(&d->priv->arena, IC_DECLARATION_MAX_DIAGS * sizeof(*d->diags));
    d->source = source ? ic_arena_strdup(&d->priv->arena, source) : NULL;
    if (!d->diags || (source && !d->source)) {
        ic_declaration_free(d);
        return IC_E_NOMEM;
    }
    if (rc)
        diag(d, doc.error_line, "", "%s: %s", syntax == IC_DECLARATION_JSON ? "JSON" : "YAML",
             doc.detail[0] ? doc.detail : ic_error_message(rc));
    else
        read_declaration(d, doc.root);
    *out = d;
    return rc;
}

int ic_declaration_load(const char *path, struct ic_declaration **out)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return IC_E_IO;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return IC_E_IO;
    }
    if ((uint64_t)st.st_size > IC_DECLARATION_MAX_BYTES) {
        fclose(f);
        return IC_E_LIMIT_FILE_SIZE;
    }
    uint8_t *data = malloc((size_t)st.st_size + 1);
    if (!data) {
        fclose(f);
        return IC_E_NOMEM;
    }
    size_t got = fread(data, 1, (size_t)st.st_size, f);
    int read_error = ferror(f);
    fclose(f);
    if (read_error) {
        free(data);
        return IC_E_IO;
    }
    enum ic_declaration_syntax syntax = IC_DECLARATION_AUTO;
    size_t n = strlen(path);
    if (n >= 5 && strcmp(path + n - 5, ".json") == 0)
        syntax = IC_DECLARATION_JSON;
    else if ((n >= 5 && strcmp(path + n - 5, ".yaml") == 0) ||
             (n >= 4 && strcmp(path + n - 4, ".yml") == 0))
        syntax = IC_DECLARATION_YAML;
    int rc = ic_declaration_parse(data, got, syntax, path, out);
    free(data);
    return rc;
}

void ic_declaration_free(struct ic_declaration *d)
{
    if (!d)
        return;
    if (d->priv)
        ic_arena_release(&d->priv->arena);
    free(d->priv);
    free(d);
}

const char *ic_declaration_field(const struct ic_declaration *d, const char *name)
{
    for (size_t k = 0; d && name && k < FIELD_COUNT; k++) {
        size_t sl = strlen(fields[k].section);
        if (strncmp(name, fields[k].section, sl) == 0 && name[sl] == '.' &&
            strcmp(name + sl + 1, fields[k].key) == 0)
            return *(const char *const *)((const char *)d + fields[k].offset);
    }
    return NULL;
}

const struct ic_declared_provision *ic_declaration_find(const struct ic_declaration *d,
                                                        const char *provision)
{
    for (size_t i = 0; d && provision && i < d->provision_count; i++)
        if (strcmp(d->provisions[i].id, provision) == 0)
            return &d->provisions[i];
    return NULL;
}

int ic_report_set_declaration(struct ic_report *r, const struct ic_declaration *d)
{
    if (!r || !d || r->finished)
        return IC_E_INVALID_ARG;
    const char *where = d->source ? d->source : "the declaration";
    for (size_t i = 0; i < d->provision_count; i++) {
        const struct ic_declared_provision *p = &d->provisions[i];
        char note[768];
        snprintf(note, sizeof(note), "declared %s in %s line %u%s%s%s%s%s",
                 p->status == IC_STATUS_PASS ? "implemented" : "not applicable", where, p->line,
                 p->justification ? ": " : "", p->justification ? p->justification : "",
                 p->reference ? " [" : "", p->reference ? p->reference : "",
                 p->reference ? "]" : "");
        int rc = ic_report_declare_provision(r, p->id, p->status, note);
        if (rc)
            return rc;
    }
    r->declaration = d;
    return IC_OK;
}
