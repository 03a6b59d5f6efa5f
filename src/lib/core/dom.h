/* A small read-only document tree for configuration-sized JSON and YAML
 * (manufacturer declarations, reports read back by `iotcop assess`).
 *
 * Both syntaxes give the same tree: null, booleans, numbers (their text),
 * strings, arrays and objects, each node with the 1-based line it starts on
 * so callers can name the line of a bad value. YAML plain scalars `null`,
 * `~` and the empty scalar are null, `true` / `false` booleans, everything
 * else a string; YAML aliases and anchors are refused (they let a small file
 * expand into a huge tree). Depth and node count are capped.
 *
 * Ownership: every node and string lives in the document's arena and is
 * freed by ic_dom_release(). Nothing here prints or aborts. */
#ifndef IC_CORE_DOM_H
#define IC_CORE_DOM_H

#include "core/arena.h"

#include <stddef.h>
#include <stdint.h>

#define IC_DOM_MAX_DEPTH 64
#define IC_DOM_MAX_NODES 4000000u

enum ic_dom_type {
    IC_DOM_NULL,
    IC_DOM_BOOL,
    IC_DOM_NUMBER,
    IC_DOM_STRING,
    IC_DOM_ARRAY,
    IC_DOM_OBJECT,
};

struct ic_dom {
    enum ic_dom_type type;
    unsigned line;    /* 1-based */
    const char *text; /* string: its text; number: its text; bool: "true"/"false" */
    int boolean;
    size_t count;          /* array items, object members */
    const char **keys;     /* object: count keys */
    unsigned *key_lines;   /* object: the line of each key */
    struct ic_dom **items; /* array / object: count values */
};

struct ic_dom_doc {
    struct ic_arena arena;
    struct ic_dom *root; /* NULL when parsing failed */
    size_t nodes;
    unsigned error_line; /* line of the first syntax error, 0 when unknown */
    char detail[192];    /* what went wrong, for a diagnostic */
};

/* Parses data into doc (initialised here; release with ic_dom_release()
 * whatever the result). IC_OK, IC_E_FORMAT (bad syntax), IC_E_TRUNCATED,
 * IC_E_LIMIT_DEPTH, IC_E_LIMIT_MEMORY (too many nodes), IC_E_UNSUPPORTED
 * (a YAML alias, several YAML documents) or IC_E_NOMEM, with detail and
 * error_line set. */
int ic_dom_parse_json(const uint8_t *data, size_t size, struct ic_dom_doc *doc);
int ic_dom_parse_yaml(const uint8_t *data, size_t size, struct ic_dom_doc *doc);
void ic_dom_release(struct ic_dom_doc *doc);

/* An object's member by key (first match), NULL when absent or obj is not an
 * object. */
const struct ic_dom *ic_dom_get(const struct ic_dom *obj, const char *key);
/* The member's text when it is a string or a number, else NULL. */
const char *ic_dom_text(const struct ic_dom *obj, const char *key);
/* "null", "boolean", "number", "string", "array", "object". */
const char *ic_dom_type_name(enum ic_dom_type type);

#endif
