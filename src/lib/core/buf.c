#include "core/buf.h"
#include "iotcop/error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ic_buf_init(struct ic_buf *b, size_t max)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->max = max;
}

void ic_buf_release(struct ic_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
}

int ic_buf_reserve(struct ic_buf *b, size_t n)
{
    if (n > b->max || b->len > b->max - n)
        return IC_E_LIMIT_FILE_SIZE;
    size_t need = b->len + n + 1; /* room for the terminating NUL */
    if (need <= b->cap)
        return IC_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    if (cap > b->max + 1)
        cap = b->max + 1;
    uint8_t *p = realloc(b->data, cap);
    if (!p)
        return IC_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return IC_OK;
}

int ic_buf_append(struct ic_buf *b, const void *data, size_t n)
{
    int rc = ic_buf_reserve(b, n);
    if (rc)
        return rc;
    if (n)
        memcpy(b->data + b->len, data, n);
    b->len += n;
    b->data[b->len] = 0;
    return IC_OK;
}

int ic_buf_append_str(struct ic_buf *b, const char *s)
{
    return ic_buf_append(b, s, strlen(s));
}

int ic_buf_append_byte(struct ic_buf *b, uint8_t byte)
{
    return ic_buf_append(b, &byte, 1);
}

int ic_buf_vprintf(struct ic_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0)
        return IC_E_INVALID_ARG;
    int rc = ic_buf_reserve(b, (size_t)n);
    if (rc)
        return rc;
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return IC_OK;
}

int ic_buf_printf(struct ic_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = ic_buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

uint8_t *ic_buf_detach(struct ic_buf *b, size_t *len)
{
    if (!b->data && ic_buf_reserve(b, 0))
        return NULL;
    uint8_t *p = b->data;
    if (len)
        *len = b->len;
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    return p;
}
