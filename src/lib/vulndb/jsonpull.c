/* The pull tokenizer of jsonpull.h: RFC 8259 grammar, one token per call. */
#include "vulndb/jsonpull.h"

#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum expect {
    EXPECT_VALUE,        /* the top value, or after ':' / ',' in an array */
    EXPECT_VALUE_OR_END, /* just after '[' */
    EXPECT_KEY,          /* after ',' in an object */
    EXPECT_KEY_OR_END,   /* just after '{' */
    EXPECT_COMMA_OR_END, /* after a value inside a container */
    EXPECT_EOF,          /* after the top value */
};

int ic_jp_init(struct ic_jp *p, ic_jp_read_fn read, void *ctx)
{
    memset(p, 0, sizeof(*p));
    p->read = read;
    p->read_ctx = ctx;
    p->window = malloc(IC_JP_WINDOW);
    p->str = malloc(IC_JP_MAX_STRING + 1);
    if (!p->window || !p->str) {
        ic_jp_release(p);
        return IC_E_NOMEM;
    }
    p->str[0] = '\0';
    p->expect = EXPECT_VALUE;
    return IC_OK;
}

void ic_jp_release(struct ic_jp *p)
{
    free(p->window);
    free(p->str);
    p->window = NULL;
    p->str = NULL;
}

size_t ic_jp_read_memory(void *ctx, uint8_t *buf, size_t n)
{
    struct ic_jp_memory *m = ctx;
    size_t left = m->size - m->pos;
    if (n > left)
        n = left;
    memcpy(buf, m->data + m->pos, n);
    m->pos += n;
    return n;
}

size_t ic_jp_read_file(void *ctx, uint8_t *buf, size_t n)
{
    FILE *f = ctx;
    size_t got = fread(buf, 1, n, f);
    if (got == 0 && ferror(f))
        return (size_t)-1;
    return got;
}

static int fail(struct ic_jp *p, int err, const char *what)
{
    if (!p->error) {
        p->error = err;
        snprintf(p->detail, sizeof(p->detail), "%s at byte %llu", what,
                 (unsigned long long)p->offset);
    }
    return p->error;
}

/* The next byte without consuming it; -1 at the end of input, -2 on a read error. */
static int peek(struct ic_jp *p)
{
    if (p->window_pos < p->window_len)
        return p->window[p->window_pos];
    if (p->input_done)
        return -1;
    size_t got = p->read(p->read_ctx, p->window, IC_JP_WINDOW);
    if (got == (size_t)-1) {
        p->input_done = 1;
        return -2;
    }
    p->window_pos = 0;
    p->window_len = got;
    if (got == 0) {
        p->input_done = 1;
        return -1;
    }
    return p->window[0];
}

static void advance(struct ic_jp *p)
{
    p->window_pos++;
    p->offset++;
}

static int next_byte(struct ic_jp *p)
{
    int c = peek(p);
    if (c >= 0)
        advance(p);
    return c;
}

static int end_error(struct ic_jp *p, int c)
{
    if (c == -2)
        return fail(p, IC_E_IO, "read error");
    return fail(p, IC_E_TRUNCATED, "input ends inside a value");
}

static int skip_space(struct ic_jp *p)
{
    for (;;) {
        /* fast path: walk the window without a call per byte */
        size_t i = p->window_pos;
        while (i < p->window_len) {
            uint8_t c = p->window[i];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                break;
            i++;
        }
        p->offset += i - p->window_pos;
        p->window_pos = i;
        int c = peek(p);
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            advance(p);
        else
            return c;
    }
}

static void str_reset(struct ic_jp *p)
{
    p->str_len = 0;
    p->str_truncated = 0;
    p->str[0] = '\0';
}

/* Appends n plain bytes, cutting at the cap. */
static void str_put_run(struct ic_jp *p, const uint8_t *bytes, size_t n)
{
    size_t room = IC_JP_MAX_STRING - p->str_len;
    if (n > room) {
        n = room;
        p->str_truncated = 1;
    }
    memcpy(p->str + p->str_len, bytes, n);
    p->str_len += n;
    p->str[p->str_len] = '\0';
}

static void str_put(struct ic_jp *p, uint8_t b)
{
    if (p->str_len < IC_JP_MAX_STRING) {
        p->str[p->str_len++] = (char)b;
        p->str[p->str_len] = '\0';
    } else {
        p->str_truncated = 1;
    }
}

static void str_put_utf8(struct ic_jp *p, uint32_t cp)
{
    if (cp < 0x80) {
        str_put(p, (uint8_t)cp);
    } else if (cp < 0x800) {
        str_put(p, (uint8_t)(0xC0 | (cp >> 6)));
        str_put(p, (uint8_t)(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        str_put(p, (uint8_t)(0xE0 | (cp >> 12)));
        str_put(p, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        str_put(p, (uint8_t)(0x80 | (cp & 0x3F)));
    } else {
        str_put(p, (uint8_t)(0xF0 | (cp >> 18)));
        str_put(p, (uint8_t)(0x80 | ((cp >> 12) & 0x3F)));
        str_put(p, (uint8_t)(0x80 | ((cp >> 6) & 0x3F)));
        str_put(p, (uint8_t)(0x80 | (cp & 0x3F)));
    }
}

static int read_hex4(struct ic_jp *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        int c = next_byte(p);
        if (c < 0)
            return end_error(p, c);
        if (c >= '0' && c <= '9')
            v = v * 16 + (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = v * 16 + (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = v * 16 + (uint32_t)(c - 'A' + 10);
        else
            return fail(p, IC_E_FORMAT, "bad \\u escape");
    }
    *out = v;
    return IC_OK;
}

/* Reads a string whose opening quote is consumed. */
static int read_string(struct ic_jp *p)
{
    str_reset(p);
    for (;;) {
        /* fast path: copy the run of plain bytes in the window at once */
        size_t i = p->window_pos;
        while (i < p->window_len) {
            uint8_t b = p->window[i];
            if (b == '"' || b == '\\' || b < 0x20)
                break;
            i++;
        }
        if (i > p->window_pos) {
            str_put_run(p, p->window + p->window_pos, i - p->window_pos);
            p->offset += i - p->window_pos;
            p->window_pos = i;
        }
        int c = next_byte(p);
        if (c < 0)
            return end_error(p, c);
        if (c == '"')
            return IC_OK;
        if (c < 0x20)
            return fail(p, IC_E_FORMAT, "control character in a string");
        if (c != '\\') {
            str_put(p, (uint8_t)c);
            continue;
        }
        c = next_byte(p);
        if (c < 0)
            return end_error(p, c);
        switch (c) {
        case '"':
        case '\\':
        case '/':
            str_put(p, (uint8_t)c);
            break;
        case 'b':
            str_put(p, '\b');
            break;
        case 'f':
            str_put(p, '\f');
            break;
        case 'n':
            str_put(p, '\n');
            break;
        case 'r':
            str_put(p, '\r');
            break;
        case 't':
            str_put(p, '\t');
            break;
        case 'u': {
            uint32_t cp = 0;
            int rc = read_hex4(p, &cp);
            if (rc)
                return rc;
            if (cp >= 0xD800 && cp <= 0xDBFF && peek(p) == '\\') {
                /* a high surrogate: pair it with the low one that follows */
                advance(p);
                if (next_byte(p) != 'u')
                    return fail(p, IC_E_FORMAT, "bad surrogate pair");
                uint32_t low = 0;
                if ((rc = read_hex4(p, &low)))
                    return rc;
                if (low >= 0xDC00 && low <= 0xDFFF)
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                else
                    cp = 0xFFFD;
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
                cp = 0xFFFD; /* a lone surrogate */
            }
            str_put_utf8(p, cp);
            break;
        }
        default:
            return fail(p, IC_E_FORMAT, "bad escape in a string");
        }
    }
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

/* Reads a number starting at the current byte ('-' or a digit). */
static int read_number(struct ic_jp *p)
{
    str_reset(p);
    int c = peek(p);
    if (c == '-') {
        str_put(p, '-');
        advance(p);
        c = peek(p);
    }
    if (!is_digit(c))
        return c < 0 ? end_error(p, c) : fail(p, IC_E_FORMAT, "bad number");
    if (c == '0') {
        str_put(p, '0');
        advance(p);
        c = peek(p);
    } else {
        while (is_digit(c)) {
            str_put(p, (uint8_t)c);
            advance(p);
            c = peek(p);
        }
    }
    if (c == '.') {
        str_put(p, '.');
        advance(p);
        c = peek(p);
        if (!is_digit(c))
            return fail(p, IC_E_FORMAT, "bad number");
        while (is_digit(c)) {
            str_put(p, (uint8_t)c);
            advance(p);
            c = peek(p);
        }
    }
    if (c == 'e' || c == 'E') {
        str_put(p, 'e');
        advance(p);
        c = peek(p);
        if (c == '+' || c == '-') {
            str_put(p, (uint8_t)c);
            advance(p);
            c = peek(p);
        }
        if (!is_digit(c))
            return fail(p, IC_E_FORMAT, "bad number");
        while (is_digit(c)) {
            str_put(p, (uint8_t)c);
            advance(p);
            c = peek(p);
        }
    }
    if (c == -2)
        return end_error(p, c);
    if (p->str_len > IC_JP_MAX_NUMBER || p->str_truncated)
        return fail(p, IC_E_FORMAT, "number too long");
    return IC_OK;
}

static int read_literal(struct ic_jp *p, const char *word)
{
    for (const char *w = word; *w; w++) {
        int c = next_byte(p);
        if (c < 0)
            return end_error(p, c);
        if (c != *w)
            return fail(p, IC_E_FORMAT, "bad literal");
    }
    return IC_OK;
}

/* After a complete value: what may follow it. */
static void value_done(struct ic_jp *p)
{
    p->expect = p->depth == 0 ? EXPECT_EOF : EXPECT_COMMA_OR_END;
}

static int open_container(struct ic_jp *p, uint8_t kind)
{
    if (p->depth >= IC_JP_MAX_DEPTH)
        return fail(p, IC_E_LIMIT_DEPTH, "nesting too deep");
    p->stack[p->depth++] = kind;
    p->expect = kind == '{' ? EXPECT_KEY_OR_END : EXPECT_VALUE_OR_END;
    return IC_OK;
}

static int close_container(struct ic_jp *p, uint8_t kind)
{
    if (p->depth == 0 || p->stack[p->depth - 1] != kind)
        return fail(p, IC_E_FORMAT, "mismatched bracket");
    p->depth--;
    value_done(p);
    return IC_OK;
}

/* Reads a value starting at byte c (not consumed yet). */
static int read_value(struct ic_jp *p, int c, enum ic_jp_type *type)
{
    int rc = IC_OK;
    switch (c) {
    case '{':
        advance(p);
        *type = IC_JP_OBJECT_BEGIN;
        return open_container(p, '{');
    case '[':
        advance(p);
        *type = IC_JP_ARRAY_BEGIN;
        return open_container(p, '[');
    case '"':
        advance(p);
        *type = IC_JP_STRING;
        rc = read_string(p);
        break;
    case 't':
        *type = IC_JP_TRUE;
        rc = read_literal(p, "true");
        break;
    case 'f':
        *type = IC_JP_FALSE;
        rc = read_literal(p, "false");
        break;
    case 'n':
        *type = IC_JP_NULL;
        rc = read_literal(p, "null");
        break;
    default:
        if (c == '-' || is_digit(c)) {
            *type = IC_JP_NUMBER;
            rc = read_number(p);
            break;
        }
        if (c < 0)
            return end_error(p, c);
        return fail(p, IC_E_FORMAT, "unexpected character");
    }
    if (!rc)
        value_done(p);
    return rc;
}

static int read_key(struct ic_jp *p, int c, enum ic_jp_type *type)
{
    if (c != '"')
        return c < 0 ? end_error(p, c) : fail(p, IC_E_FORMAT, "expected a key");
    advance(p);
    int rc = read_string(p);
    if (rc)
        return rc;
    c = skip_space(p);
    if (c != ':')
        return c < 0 ? end_error(p, c) : fail(p, IC_E_FORMAT, "expected ':'");
    advance(p);
    p->expect = EXPECT_VALUE;
    *type = IC_JP_KEY;
    return IC_OK;
}

int ic_jp_next(struct ic_jp *p, enum ic_jp_type *type)
{
    *type = IC_JP_NONE;
    if (p->error)
        return p->error;
    int c = skip_space(p);
    switch (p->expect) {
    case EXPECT_VALUE:
        return read_value(p, c, type);
    case EXPECT_VALUE_OR_END:
        if (c == ']') {
            advance(p);
            *type = IC_JP_ARRAY_END;
            return close_container(p, '[');
        }
        return read_value(p, c, type);
    case EXPECT_KEY_OR_END:
        if (c == '}') {
            advance(p);
            *type = IC_JP_OBJECT_END;
            return close_container(p, '{');
        }
        return read_key(p, c, type);
    case EXPECT_KEY:
        return read_key(p, c, type);
    case EXPECT_COMMA_OR_END:
        if (c == ',') {
            advance(p);
            c = skip_space(p);
            if (p->stack[p->depth - 1] == '{')
                return read_key(p, c, type);
            return read_value(p, c, type);
        }
        if (c == '}' || c == ']') {
            advance(p);
            *type = c == '}' ? IC_JP_OBJECT_END : IC_JP_ARRAY_END;
            return close_container(p, (uint8_t)(c == '}' ? '{' : '['));
        }
        return c < 0 ? end_error(p, c) : fail(p, IC_E_FORMAT, "expected ',' or a closing bracket");
    case EXPECT_EOF:
    default:
        if (c == -1) {
            *type = IC_JP_EOF;
            return IC_OK;
        }
        if (c == -2)
            return end_error(p, c);
        return fail(p, IC_E_FORMAT, "data after the top-level value");
    }
}

int ic_jp_skip_from(struct ic_jp *p, enum ic_jp_type first)
{
    if (first != IC_JP_OBJECT_BEGIN && first != IC_JP_ARRAY_BEGIN)
        return p->error;
    int target = p->depth - 1;
    enum ic_jp_type t;
    int rc;
    while ((rc = ic_jp_next(p, &t)) == IC_OK) {
        if ((t == IC_JP_OBJECT_END || t == IC_JP_ARRAY_END) && p->depth == target)
            return IC_OK;
        if (t == IC_JP_EOF)
            return fail(p, IC_E_TRUNCATED, "input ends inside a value");
    }
    return rc;
}

int ic_jp_expect(struct ic_jp *p, enum ic_jp_type want, int *ok)
{
    enum ic_jp_type t = IC_JP_NONE;
    int rc = ic_jp_next(p, &t);
    *ok = rc == IC_OK && t == want;
    return rc || *ok ? rc : ic_jp_skip_from(p, t);
}

int ic_jp_next_key(struct ic_jp *p, char *key, size_t size, int *more)
{
    enum ic_jp_type t = IC_JP_NONE;
    int rc = ic_jp_next(p, &t);
    *more = rc == IC_OK && t == IC_JP_KEY;
    if (*more)
        snprintf(key, size, "%s", p->str);
    return rc;
}

int ic_jp_next_element(struct ic_jp *p, enum ic_jp_type want, int *kind)
{
    enum ic_jp_type t = IC_JP_NONE;
    int rc = ic_jp_next(p, &t);
    *kind = 0;
    if (rc || t == IC_JP_ARRAY_END)
        return rc;
    if (t == want) {
        *kind = 1;
        return IC_OK;
    }
    *kind = 2;
    return ic_jp_skip_from(p, t);
}

int ic_jp_skip(struct ic_jp *p)
{
    enum ic_jp_type t;
    int rc = ic_jp_next(p, &t);
    if (rc)
        return rc;
    return ic_jp_skip_from(p, t);
}

int ic_jp_read_text(struct ic_jp *p, char *dst, size_t n)
{
    enum ic_jp_type t;
    if (n)
        dst[0] = '\0';
    int rc = ic_jp_next(p, &t);
    if (rc)
        return rc;
    switch (t) {
    case IC_JP_STRING:
    case IC_JP_NUMBER:
        if (n) {
            size_t len = p->str_len < n - 1 ? p->str_len : n - 1;
            memcpy(dst, p->str, len);
            dst[len] = '\0';
        }
        return IC_OK;
    case IC_JP_TRUE:
        snprintf(dst, n, "true");
        return IC_OK;
    case IC_JP_FALSE:
        snprintf(dst, n, "false");
        return IC_OK;
    default:
        return ic_jp_skip_from(p, t);
    }
}

int ic_jp_read_number(struct ic_jp *p, double *out, int *ok)
{
    enum ic_jp_type t;
    *ok = 0;
    int rc = ic_jp_next(p, &t);
    if (rc)
        return rc;
    if (t == IC_JP_NUMBER || t == IC_JP_STRING) {
        char *end = NULL;
        double v = strtod(p->str, &end);
        if (end && end != p->str && *end == '\0') {
            *out = v;
            *ok = 1;
        }
        return IC_OK;
    }
    return ic_jp_skip_from(p, t);
}

int ic_jp_read_bool(struct ic_jp *p, int *out)
{
    enum ic_jp_type t;
    *out = 0;
    int rc = ic_jp_next(p, &t);
    if (rc)
        return rc;
    if (t == IC_JP_TRUE)
        *out = 1;
    return ic_jp_skip_from(p, t);
}

int ic_jp_is(const struct ic_jp *p, const char *s)
{
    return strcmp(p->str, s) == 0;
}
