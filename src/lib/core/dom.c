/* The document tree of dom.h: JSON through the bounded pull tokenizer
 * (vulndb/jsonpull.h), YAML through libyaml's event parser. */
#include "core/dom.h"

#include "iotcop/error.h"
#include "vulndb/jsonpull.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Children of a container while it is being read. */
struct members {
    struct ic_dom **items;
    const char **keys;
    unsigned *key_lines;
    size_t count, cap;
};

static int members_push(struct members *m, const char *key, unsigned key_line, struct ic_dom *item)
{
    if (m->count == m->cap) {
        size_t cap = m->cap ? m->cap * 2 : 8;
        struct ic_dom **items = realloc(m->items, cap * sizeof(*items));
        if (!items)
            return IC_E_NOMEM;
        m->items = items;
        const char **keys = realloc(m->keys, cap * sizeof(*keys));
        if (!keys)
            return IC_E_NOMEM;
        m->keys = keys;
        unsigned *lines = realloc(m->key_lines, cap * sizeof(*lines));
        if (!lines)
            return IC_E_NOMEM;
        m->key_lines = lines;
        m->cap = cap;
    }
    m->items[m->count] = item;
    m->keys[m->count] = key;
    m->key_lines[m->count] = key_line;
    m->count++;
    return IC_OK;
}

static void members_release(struct members *m)
{
    free(m->items);
    free(m->keys);
    free(m->key_lines);
}

static int fail(struct ic_dom_doc *doc, int rc, unsigned line, const char *what)
{
    if (!doc->detail[0]) {
        doc->error_line = line;
        snprintf(doc->detail, sizeof(doc->detail), "%s", what);
    }
    return rc;
}

static struct ic_dom *new_node(struct ic_dom_doc *doc, enum ic_dom_type type, unsigned line)
{
    if (doc->nodes >= IC_DOM_MAX_NODES)
        return NULL;
    struct ic_dom *n = ic_arena_alloc(&doc->arena, sizeof(*n));
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    n->type = type;
    n->line = line;
    doc->nodes++;
    return n;
}

static int node_error(struct ic_dom_doc *doc, unsigned line)
{
    if (doc->nodes >= IC_DOM_MAX_NODES)
        return fail(doc, IC_E_LIMIT_MEMORY, line, "too many values");
    return fail(doc, IC_E_NOMEM, line, "out of memory");
}

/* Moves the members into the arena as the node's children. */
static int adopt(struct ic_dom_doc *doc, struct ic_dom *n, struct members *m)
{
    n->count = m->count;
    if (!m->count)
        return IC_OK;
    n->items = ic_arena_alloc(&doc->arena, m->count * sizeof(*n->items));
    if (n->type == IC_DOM_OBJECT) {
        n->keys = ic_arena_alloc(&doc->arena, m->count * sizeof(*n->keys));
        n->key_lines = ic_arena_alloc(&doc->arena, m->count * sizeof(*n->key_lines));
        if (!n->keys || !n->key_lines)
            return fail(doc, IC_E_NOMEM, n->line, "out of memory");
        memcpy(n->keys, m->keys, m->count * sizeof(*n->keys));
        memcpy(n->key_lines, m->key_lines, m->count * sizeof(*n->key_lines));
    }
    if (!n->items)
        return fail(doc, IC_E_NOMEM, n->line, "out of memory");
    memcpy(n->items, m->items, m->count * sizeof(*n->items));
    return IC_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

struct json_reader {
    struct ic_jp jp;
    const uint8_t *data;
    size_t size;
    size_t counted; /* newlines counted in data[0, counted) */
    unsigned line;
};

static unsigned json_line(struct json_reader *r)
{
    size_t upto = r->jp.offset < r->size ? (size_t)r->jp.offset : r->size;
    for (; r->counted < upto; r->counted++)
        if (r->data[r->counted] == '\n')
            r->line++;
    return r->line;
}

static int json_next(struct json_reader *r, struct ic_dom_doc *doc, enum ic_jp_type *type)
{
    int rc = ic_jp_next(&r->jp, type);
    if (rc)
        return fail(doc, rc, json_line(r), r->jp.detail[0] ? r->jp.detail : ic_error_message(rc));
    if ((*type == IC_JP_STRING || *type == IC_JP_KEY) && r->jp.str_truncated)
        return fail(doc, IC_E_LIMIT_MEMORY, json_line(r), "a string is too long");
    return IC_OK;
}

static int json_value(struct json_reader *r, struct ic_dom_doc *doc, enum ic_jp_type first,
                      int depth, struct ic_dom **out)
{
    unsigned line = json_line(r);
    enum ic_dom_type type;
    switch (first) {
    case IC_JP_OBJECT_BEGIN:
        type = IC_DOM_OBJECT;
        break;
    case IC_JP_ARRAY_BEGIN:
        type = IC_DOM_ARRAY;
        break;
    case IC_JP_STRING:
        type = IC_DOM_STRING;
        break;
    case IC_JP_NUMBER:
        type = IC_DOM_NUMBER;
        break;
    case IC_JP_TRUE:
    case IC_JP_FALSE:
        type = IC_DOM_BOOL;
        break;
    case IC_JP_NULL:
        type = IC_DOM_NULL;
        break;
    default:
        return fail(doc, IC_E_FORMAT, line, "a value was expected");
    }
    struct ic_dom *n = new_node(doc, type, line);
    if (!n)
        return node_error(doc, line);
    *out = n;
    if (type == IC_DOM_STRING || type == IC_DOM_NUMBER) {
        n->text = ic_arena_strndup(&doc->arena, r->jp.str, r->jp.str_len);
        return n->text ? IC_OK : fail(doc, IC_E_NOMEM, line, "out of memory");
    }
    if (type == IC_DOM_BOOL) {
        n->boolean = first == IC_JP_TRUE;
        n->text = n->boolean ? "true" : "false";
        return IC_OK;
    }
    if (type == IC_DOM_NULL)
        return IC_OK;
    if (depth >= IC_DOM_MAX_DEPTH)
        return fail(doc, IC_E_LIMIT_DEPTH, line, "nested too deeply");
    struct members m = {0};
    int rc = IC_OK;
    for (;;) {
        enum ic_jp_type t;
        if ((rc = json_next(r, doc, &t)))
            break;
        if (t == IC_JP_OBJECT_END || t == IC_JP_ARRAY_END)
            break;
        const char *key = NULL;
        unsigned key_line = 0;
        if (type == IC_DOM_OBJECT) {
            key_line = json_line(r);
            key = ic_arena_strndup(&doc->arena, r->jp.str, r->jp.str_len);
            if (!key) {
                rc = fail(doc, IC_E_NOMEM, line, "out of memory");
                break;
            }
            if ((rc = json_next(r, doc, &t)))
                break;
        }
        struct ic_dom *child = NULL;
        if ((rc = json_value(r, doc, t, depth + 1, &child)))
            break;
        if ((rc = members_push(&m, key, key_line, child))) {
            rc = fail(doc, rc, line, "out of memory");
            break;
        }
    }
    if (!rc)
        rc = adopt(doc, n, &m);
    members_release(&m);
    return rc;
}

static void doc_init(struct ic_dom_doc *doc)
{
    memset(doc, 0, sizeof(*doc));
    doc->arena = (struct ic_arena)IC_ARENA_INIT;
}

int ic_dom_parse_json(const uint8_t *data, size_t size, struct ic_dom_doc *doc)
{
    doc_init(doc);
    struct ic_jp_memory mem = {data, size, 0};
    struct json_reader r = {.data = data, .size = size, .line = 1};
    int rc = ic_jp_init(&r.jp, ic_jp_read_memory, &mem);
    if (rc)
        return fail(doc, rc, 0, "out of memory");
    enum ic_jp_type t;
    struct ic_dom *root = NULL;
    if (!(rc = json_next(&r, doc, &t)))
        rc = json_value(&r, doc, t, 0, &root);
    if (!rc && !(rc = json_next(&r, doc, &t)) && t != IC_JP_EOF)
        rc = fail(doc, IC_E_FORMAT, json_line(&r), "text after the document");
    ic_jp_release(&r.jp);
    if (!rc)
        doc->root = root;
    return rc;
}

/* ---- YAML ---------------------------------------------------------------- */

struct yaml_reader {
    yaml_parser_t parser;
    yaml_event_t event; /* the current event, owned */
    int have_event;
};

static int yaml_next(struct yaml_reader *r, struct ic_dom_doc *doc)
{
    if (r->have_event)
        yaml_event_delete(&r->event);
    r->have_event = 0;
    if (!yaml_parser_parse(&r->parser, &r->event)) {
        char what[160];
        unsigned line = (unsigned)r->parser.problem_mark.line + 1;
        if (r->parser.error == YAML_MEMORY_ERROR)
            return fail(doc, IC_E_NOMEM, line, "out of memory");
        snprintf(what, sizeof(what), "%s%s%s", r->parser.problem ? r->parser.problem : "bad YAML",
                 r->parser.context ? " " : "", r->parser.context ? r->parser.context : "");
        return fail(doc, IC_E_FORMAT, line, what);
    }
    r->have_event = 1;
    return IC_OK;
}

static int yaml_scalar(struct yaml_reader *r, struct ic_dom_doc *doc, unsigned line,
                       struct ic_dom **out)
{
    const char *value = (const char *)r->event.data.scalar.value;
    size_t len = r->event.data.scalar.length;
    int plain = r->event.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    enum ic_dom_type type = IC_DOM_STRING;
    if (plain && (len == 0 || strcmp(value, "~") == 0 || strcmp(value, "null") == 0 ||
                  strcmp(value, "Null") == 0 || strcmp(value, "NULL") == 0))
        type = IC_DOM_NULL;
    else if (plain && (strcmp(value, "true") == 0 || strcmp(value, "false") == 0 ||
                       strcmp(value, "True") == 0 || strcmp(value, "False") == 0))
        type = IC_DOM_BOOL;
    struct ic_dom *n = new_node(doc, type, line);
    if (!n)
        return node_error(doc, line);
    n->text = ic_arena_strndup(&doc->arena, value, len);
    if (!n->text)
        return fail(doc, IC_E_NOMEM, line, "out of memory");
    n->boolean = type == IC_DOM_BOOL && (value[0] == 't' || value[0] == 'T');
    *out = n;
    return IC_OK;
}

/* Reads the node whose first event is current. */
static int yaml_node(struct yaml_reader *r, struct ic_dom_doc *doc, int depth, struct ic_dom **out)
{
    unsigned line = (unsigned)r->event.start_mark.line + 1;
    switch (r->event.type) {
    case YAML_SCALAR_EVENT:
        return yaml_scalar(r, doc, line, out);
    case YAML_ALIAS_EVENT:
        return fail(doc, IC_E_UNSUPPORTED, line, "YAML aliases (*name) are not accepted");
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        break;
    default:
        return fail(doc, IC_E_FORMAT, line, "a value was expected");
    }
    int mapping = r->event.type == YAML_MAPPING_START_EVENT;
    if (depth >= IC_DOM_MAX_DEPTH)
        return fail(doc, IC_E_LIMIT_DEPTH, line, "nested too deeply");
    struct ic_dom *n = new_node(doc, mapping ? IC_DOM_OBJECT : IC_DOM_ARRAY, line);
    if (!n)
        return node_error(doc, line);
    *out = n;
    struct members m = {0};
    int rc = IC_OK;
    for (;;) {
        if ((rc = yaml_next(r, doc)))
            break;
        if (r->event.type == YAML_MAPPING_END_EVENT || r->event.type == YAML_SEQUENCE_END_EVENT)
            break;
        const char *key = NULL;
        unsigned key_line = 0;
        if (mapping) {
            key_line = (unsigned)r->event.start_mark.line + 1;
            if (r->event.type != YAML_SCALAR_EVENT) {
                rc = fail(doc, IC_E_FORMAT, key_line, "a key must be plain text");
                break;
            }
            key = ic_arena_strndup(&doc->arena, (const char *)r->event.data.scalar.value,
                                   r->event.data.scalar.length);
            if (!key) {
                rc = fail(doc, IC_E_NOMEM, key_line, "out of memory");
                break;
            }
            if ((rc = yaml_next(r, doc)))
                break;
        }
        struct ic_dom *child = NULL;
        if ((rc = yaml_node(r, doc, depth + 1, &child)))
            break;
        if ((rc = members_push(&m, key, key_line, child))) {
            rc = fail(doc, rc, line, "out of memory");
            break;
        }
    }
    if (!rc)
        rc = adopt(doc, n, &m);
    members_release(&m);
    return rc;
}

int ic_dom_parse_yaml(const uint8_t *data, size_t size, struct ic_dom_doc *doc)
{
    doc_init(doc);
    struct yaml_reader r;
    memset(&r, 0, sizeof(r));
    if (!yaml_parser_initialize(&r.parser))
        return fail(doc, IC_E_NOMEM, 0, "out of memory");
    yaml_parser_set_input_string(&r.parser, data, size);
    struct ic_dom *root = NULL;
    int rc = yaml_next(&r, doc); /* stream start */
    if (!rc)
        rc = yaml_next(&r, doc);
    if (!rc && r.event.type == YAML_STREAM_END_EVENT)
        rc = fail(doc, IC_E_FORMAT, 1, "the document is empty");
    if (!rc && r.event.type != YAML_DOCUMENT_START_EVENT)
        rc = fail(doc, IC_E_FORMAT, 1, "a document was expected");
    if (!rc)
        rc = yaml_next(&r, doc);
    if (!rc)
        rc = yaml_node(&r, doc, 0, &root);
    if (!rc)
        rc = yaml_next(&r, doc); /* document end */
    if (!rc && !(rc = yaml_next(&r, doc)) && r.event.type != YAML_STREAM_END_EVENT)
        rc = fail(doc, IC_E_UNSUPPORTED, (unsigned)r.event.start_mark.line + 1,
                  "only one YAML document is read");
    if (r.have_event)
        yaml_event_delete(&r.event);
    yaml_parser_delete(&r.parser);
    if (!rc)
        doc->root = root;
    return rc;
}

/* ---- access -------------------------------------------------------------- */

void ic_dom_release(struct ic_dom_doc *doc)
{
    ic_arena_release(&doc->arena);
    doc->root = NULL;
}

const struct ic_dom *ic_dom_get(const struct ic_dom *obj, const char *key)
{
    if (!obj || obj->type != IC_DOM_OBJECT)
        return NULL;
    for (size_t i = 0; i < obj->count; i++)
        if (strcmp(obj->keys[i], key) == 0)
            return obj->items[i];
    return NULL;
}

const char *ic_dom_text(const struct ic_dom *obj, const char *key)
{
    const struct ic_dom *v = ic_dom_get(obj, key);
    return v && (v->type == IC_DOM_STRING || v->type == IC_DOM_NUMBER) ? v->text : NULL;
}

const char *ic_dom_type_name(enum ic_dom_type type)
{
    static const char *const names[] = {"null", "boolean", "number", "string", "array", "object"};
    return (unsigned)type <= IC_DOM_OBJECT ? names[type] : "unknown";
}
