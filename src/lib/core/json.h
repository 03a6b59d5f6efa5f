/* A streaming JSON writer into a capped buffer.
 *
 * Commas and nesting are tracked for the caller; strings are escaped, and
 * bytes that are not valid UTF-8 are written as \u00XX so any path or banner
 * can be reported. The first failed append is kept in `error` and every
 * later call does nothing. */
#ifndef IC_CORE_JSON_H
#define IC_CORE_JSON_H

#include "core/buf.h"

#include <stdint.h>

#define IC_JSON_MAX_DEPTH 64

struct ic_json {
    struct ic_buf *out;
    int pretty;
    int depth;
    int error;
    int after_key;
    unsigned char has_items[IC_JSON_MAX_DEPTH];
};

void ic_json_init(struct ic_json *j, struct ic_buf *out, int pretty);
void ic_json_object_begin(struct ic_json *j);
void ic_json_object_end(struct ic_json *j);
void ic_json_array_begin(struct ic_json *j);
void ic_json_array_end(struct ic_json *j);
void ic_json_key(struct ic_json *j, const char *key);
void ic_json_string(struct ic_json *j, const char *s); /* NULL writes null */
void ic_json_string_n(struct ic_json *j, const char *s, size_t n);
void ic_json_int(struct ic_json *j, int64_t v);
void ic_json_uint(struct ic_json *j, uint64_t v);
void ic_json_double(struct ic_json *j, double v, int decimals);
void ic_json_bool(struct ic_json *j, int v);
void ic_json_null(struct ic_json *j);

/* key + value in one call */
void ic_json_kv_string(struct ic_json *j, const char *key, const char *s);
void ic_json_kv_int(struct ic_json *j, const char *key, int64_t v);
void ic_json_kv_uint(struct ic_json *j, const char *key, uint64_t v);
void ic_json_kv_bool(struct ic_json *j, const char *key, int v);

/* Appends s escaped as JSON string contents (no quotes) to out. */
int ic_json_escape(struct ic_buf *out, const char *s, size_t n);

#endif
