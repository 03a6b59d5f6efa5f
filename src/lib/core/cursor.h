/* A bounded read cursor over untrusted bytes.
 *
 * Invariants: pos <= size at all times. Every getter either succeeds and
 * advances, or fails with IC_E_TRUNCATED and consumes nothing. Nothing here
 * allocates; the bytes are borrowed from the caller for the cursor's life. */
#ifndef IC_CORE_CURSOR_H
#define IC_CORE_CURSOR_H

#include "iotcop/error.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct ic_cursor {
    const uint8_t *data;
    size_t size;
    size_t pos;
};

static inline void ic_cursor_init(struct ic_cursor *c, const void *data, size_t size)
{
    c->data = (const uint8_t *)data;
    c->size = size;
    c->pos = 0;
}

static inline size_t ic_cursor_remaining(const struct ic_cursor *c)
{
    return c->size - c->pos;
}

static inline int ic_cursor_has(const struct ic_cursor *c, size_t n)
{
    return n <= c->size - c->pos;
}

static inline int ic_cursor_seek(struct ic_cursor *c, uint64_t pos)
{
    if (pos > c->size)
        return IC_E_TRUNCATED;
    c->pos = (size_t)pos;
    return IC_OK;
}

static inline int ic_cursor_skip(struct ic_cursor *c, uint64_t n)
{
    if (n > c->size - c->pos)
        return IC_E_TRUNCATED;
    c->pos += (size_t)n;
    return IC_OK;
}

/* Borrows n bytes at the cursor; *out stays valid as long as the data. */
static inline int ic_cursor_bytes(struct ic_cursor *c, uint64_t n, const uint8_t **out)
{
    if (n > c->size - c->pos)
        return IC_E_TRUNCATED;
    *out = c->data + c->pos;
    c->pos += (size_t)n;
    return IC_OK;
}

static inline int ic_cursor_copy(struct ic_cursor *c, void *dst, size_t n)
{
    if (n > c->size - c->pos)
        return IC_E_TRUNCATED;
    memcpy(dst, c->data + c->pos, n);
    c->pos += n;
    return IC_OK;
}

/* Loads from a pointer whose bounds the caller has already checked. */
static inline uint16_t ic_load_u16le(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}
static inline uint16_t ic_load_u16be(const uint8_t *p)
{
    return (uint16_t)((p[0] << 8) | p[1]);
}
static inline uint32_t ic_load_u32le(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint32_t ic_load_u32be(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}
static inline uint64_t ic_load_u64le(const uint8_t *p)
{
    return (uint64_t)ic_load_u32le(p) | ((uint64_t)ic_load_u32le(p + 4) << 32);
}
static inline uint64_t ic_load_u64be(const uint8_t *p)
{
    return ((uint64_t)ic_load_u32be(p) << 32) | (uint64_t)ic_load_u32be(p + 4);
}

#define IC_CURSOR_GETTER(name, type, width, loader)                                                \
    static inline int ic_cursor_##name(struct ic_cursor *c, type *out)                             \
    {                                                                                              \
        if (width > c->size - c->pos)                                                              \
            return IC_E_TRUNCATED;                                                                 \
        *out = loader(c->data + c->pos);                                                           \
        c->pos += width;                                                                           \
        return IC_OK;                                                                              \
    }

static inline uint8_t ic_load_u8(const uint8_t *p)
{
    return p[0];
}

IC_CURSOR_GETTER(u8, uint8_t, 1, ic_load_u8)
IC_CURSOR_GETTER(u16le, uint16_t, 2, ic_load_u16le)
IC_CURSOR_GETTER(u16be, uint16_t, 2, ic_load_u16be)
IC_CURSOR_GETTER(u32le, uint32_t, 4, ic_load_u32le)
IC_CURSOR_GETTER(u32be, uint32_t, 4, ic_load_u32be)
IC_CURSOR_GETTER(u64le, uint64_t, 8, ic_load_u64le)
IC_CURSOR_GETTER(u64be, uint64_t, 8, ic_load_u64be)

#undef IC_CURSOR_GETTER

/* An endian-neutral pair for formats that come in both byte orders. */
static inline uint16_t ic_load_u16(const uint8_t *p, int big_endian)
{
    return big_endian ? ic_load_u16be(p) : ic_load_u16le(p);
}
static inline uint32_t ic_load_u32(const uint8_t *p, int big_endian)
{
    return big_endian ? ic_load_u32be(p) : ic_load_u32le(p);
}
static inline uint64_t ic_load_u64(const uint8_t *p, int big_endian)
{
    return big_endian ? ic_load_u64be(p) : ic_load_u64le(p);
}

/* Overflow-safe check that [off, off+len) lies within size. */
static inline int ic_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

#endif
