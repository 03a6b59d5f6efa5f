#include "core/json.h"
#include "iotcop/error.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void ic_json_init(struct ic_json *j, struct ic_buf *out, int pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
}

static void put(struct ic_json *j, const char *s, size_t n)
{
    if (!j->error)
        j->error = ic_buf_append(j->out, s, n);
}

static void newline(struct ic_json *j)
{
    if (!j->pretty)
        return;
    put(j, "\n", 1);
    for (int i = 0; i < j->depth; i++)
        put(j, "  ", 2);
}

/* Called before every value or key: writes the separator it needs. */
static void before_item(struct ic_json *j)
{
    if (j->after_key) {
        j->after_key = 0;
        return;
    }
    if (j->depth > 0) {
        if (j->has_items[j->depth])
            put(j, ",", 1);
        j->has_items[j->depth] = 1;
        newline(j);
    }
}

static void open_container(struct ic_json *j, const char *c)
{
    before_item(j);
    put(j, c, 1);
    if (j->depth + 1 >= IC_JSON_MAX_DEPTH) {
        j->error = IC_E_LIMIT_DEPTH;
        return;
    }
    j->depth++;
    j->has_items[j->depth] = 0;
}

static void close_container(struct ic_json *j, const char *c)
{
    if (j->depth <= 0) {
        j->error = IC_E_INTERNAL;
        return;
    }
    int had = j->has_items[j->depth];
    j->depth--;
    if (had)
        newline(j);
    put(j, c, 1);
}

void ic_json_object_begin(struct ic_json *j)
{
    open_container(j, "{");
}
void ic_json_object_end(struct ic_json *j)
{
    close_container(j, "}");
}
void ic_json_array_begin(struct ic_json *j)
{
    open_container(j, "[");
}
void ic_json_array_end(struct ic_json *j)
{
    close_container(j, "]");
}

/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

int ic_json_escape(struct ic_buf *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    int rc = IC_OK;
    while (i < n && rc == IC_OK) {
        size_t run = i;
        /* Copy a run of plain characters in one go. */
        while (run < n && s[run] >= 0x20 && s[run] < 0x80 && s[run] != '"' && s[run] != '\\')
            run++;
        if (run > i) {
            rc = ic_buf_append(out, s + i, run - i);
            i = run;
            continue;
        }
        unsigned char c = s[i];
        char esc[8];
        switch (c) {
        case '"':
            rc = ic_buf_append(out, "\\\"", 2);
            break;
        case '\\':
            rc = ic_buf_append(out, "\\\\", 2);
            break;
        case '\n':
            rc = ic_buf_append(out, "\\n", 2);
            break;
        case '\r':
            rc = ic_buf_append(out, "\\r", 2);
            break;
        case '\t':
            rc = ic_buf_append(out, "\\t", 2);
            break;
        default:
            if (c < 0x20) {
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                rc = ic_buf_append(out, esc, 6);
            } else {
                size_t len = utf8_len(s + i, n - i);
                if (len) {
                    rc = ic_buf_append(out, s + i, len);
                    i += len;
                    continue;
                }
                snprintf(esc, sizeof(esc), "\\u%04x", c);
                rc = ic_buf_append(out, esc, 6);
            }
        }
        i++;
    }
    return rc;
}

void ic_json_key(struct ic_json *j, const char *key)
{
    before_item(j);
    put(j, "\"", 1);
    if (!j->error)
        j->error = ic_json_escape(j->out, key, strlen(key));
    put(j, j->pretty ? "\": " : "\":", j->pretty ? 3 : 2);
    j->after_key = 1;
}

void ic_json_string_n(struct ic_json *j, const char *s, size_t n)
{
    before_item(j);
    put(j, "\"", 1);
    if (!j->error)
        j->error = ic_json_escape(j->out, s, n);
    put(j, "\"", 1);
}

void ic_json_string(struct ic_json *j, const char *s)
{
    if (!s)
        ic_json_null(j);
    else
        ic_json_string_n(j, s, strlen(s));
}

void ic_json_int(struct ic_json *j, int64_t v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%" PRId64, v);
    before_item(j);
    put(j, b, (size_t)n);
}

void ic_json_uint(struct ic_json *j, uint64_t v)
{
    char b[32];
    int n = snprintf(b, sizeof(b), "%" PRIu64, v);
    before_item(j);
    put(j, b, (size_t)n);
}

void ic_json_double(struct ic_json *j, double v, int decimals)
{
    char b[64];
    if (!isfinite(v)) {
        ic_json_null(j);
        return;
    }
    int n = snprintf(b, sizeof(b), "%.*f", decimals, v);
    before_item(j);
    put(j, b, (size_t)n);
}

void ic_json_bool(struct ic_json *j, int v)
{
    before_item(j);
    put(j, v ? "true" : "false", v ? 4 : 5);
}

void ic_json_null(struct ic_json *j)
{
    before_item(j);
    put(j, "null", 4);
}

void ic_json_kv_string(struct ic_json *j, const char *key, const char *s)
{
    ic_json_key(j, key);
    ic_json_string(j, s);
}

void ic_json_kv_int(struct ic_json *j, const char *key, int64_t v)
{
    ic_json_key(j, key);
    ic_json_int(j, v);
}

void ic_json_kv_uint(struct ic_json *j, const char *key, uint64_t v)
{
    ic_json_key(j, key);
    ic_json_uint(j, v);
}

void ic_json_kv_bool(struct ic_json *j, const char *key, int v)
{
    ic_json_key(j, key);
    ic_json_bool(j, v);
}
