/* lzop (.lzo files): a 9-byte magic, a header (versions, method, level,
 * flags, mode, times, name) closed by an Adler-32 or CRC-32 checksum, then
 * blocks of (uncompressed size, compressed size, checksums of the
 * uncompressed and, when it was compressed, of the compressed data, data),
 * ended by a zero uncompressed size. A block whose sizes are equal is
 * stored. liblzo2 decodes the LZO1X blocks; we check every checksum. All
 * numbers are big-endian. */
#include "unpack/format.h"

#include <lzo/lzo1x.h>
#include <lzo/lzoconf.h>
#include <stdlib.h>

#define LZOP_MAGIC_SIZE 9
#define LZOP_MAX_BLOCK (64u << 20)
#define LZOP_MAX_RATIO 1024

enum lzop_flag {
    LZOP_ADLER32_D = 0x1,
    LZOP_ADLER32_C = 0x2,
    LZOP_EXTRA_FIELD = 0x40,
    LZOP_CRC32_D = 0x100,
    LZOP_CRC32_C = 0x200,
    LZOP_FILTER = 0x800,
    LZOP_HEADER_CRC32 = 0x1000,
    /* Bits no lzop version defines. */
    LZOP_RESERVED = 0x000fc000,
};

static const uint8_t lzop_magic[LZOP_MAGIC_SIZE] = {0x89, 'L',  'Z',  'O', 0x00,
                                                    0x0d, 0x0a, 0x1a, 0x0a};

struct lzop_header {
    uint16_t version;
    uint8_t method;
    uint8_t level;
    uint32_t flags;
    char name[256];
};

static uint32_t lzop_checksum(int crc, const uint8_t *p, size_t n)
{
    return crc ? lzo_crc32(0, p, (lzo_uint)n) : lzo_adler32(1, p, (lzo_uint)n);
}

/* Reads the header after the magic. Returns IC_OK, IC_E_TRUNCATED,
 * IC_E_BAD_MAGIC (implausible: not lzop) or IC_E_UNSUPPORTED. A checksum
 * mismatch is reported through *checksum_ok. */
static int lzop_read_header(struct ic_cursor *c, struct lzop_header *h, int *checksum_ok)
{
    size_t start = c->pos;
    uint16_t lib_version = 0, needed = 0;
    uint32_t value = 0;
    uint8_t name_len = 0;
    const uint8_t *name = NULL;
    int rc;
    if ((rc = ic_cursor_u16be(c, &h->version)) || (rc = ic_cursor_u16be(c, &lib_version)))
        return rc;
    if (h->version < 0x0900 || lib_version < 0x0100)
        return IC_E_BAD_MAGIC;
    if (h->version >= 0x0940) {
        if ((rc = ic_cursor_u16be(c, &needed)))
            return rc;
        if (needed < 0x0900)
            return IC_E_BAD_MAGIC;
    }
    if ((rc = ic_cursor_u8(c, &h->method)))
        return rc;
    h->level = 0;
    if (h->version >= 0x0940 && (rc = ic_cursor_u8(c, &h->level)))
        return rc;
    if ((rc = ic_cursor_u32be(c, &h->flags)))
        return rc;
    if (h->flags & LZOP_RESERVED)
        return IC_E_BAD_MAGIC;
    if ((h->flags & LZOP_FILTER) && (rc = ic_cursor_u32be(c, &value)))
        return rc;
    if ((rc = ic_cursor_u32be(c, &value)) || (rc = ic_cursor_u32be(c, &value))) /* mode, mtime */
        return rc;
    if (h->version >= 0x0940 && (rc = ic_cursor_u32be(c, &value)))
        return rc;
    if ((rc = ic_cursor_u8(c, &name_len)) || (rc = ic_cursor_bytes(c, name_len, &name)))
        return rc;
    memcpy(h->name, name, name_len);
    h->name[name_len] = '\0';
    uint32_t expect = lzop_checksum(h->flags & LZOP_HEADER_CRC32, c->data + start, c->pos - start);
    uint32_t stored = 0;
    if ((rc = ic_cursor_u32be(c, &stored)))
        return rc;
    *checksum_ok = stored == expect;
    if (h->flags & LZOP_EXTRA_FIELD) {
        uint32_t extra_len = 0;
        size_t extra_start = c->pos;
        if ((rc = ic_cursor_u32be(c, &extra_len)) || (rc = ic_cursor_skip(c, extra_len)))
            return rc;
        expect = lzop_checksum(h->flags & LZOP_HEADER_CRC32, c->data + extra_start,
                               c->pos - extra_start);
        if ((rc = ic_cursor_u32be(c, &stored)))
            return rc;
        if (stored != expect)
            *checksum_ok = 0;
    }
    /* LZO1X-1, LZO1X-1(15) and LZO1X-999 all decode with LZO1X. */
    if (h->method < 1 || h->method > 3 || (h->flags & LZOP_FILTER) ||
        (h->version >= 0x0940 && needed > 0x1040))
        return IC_E_UNSUPPORTED;
    return IC_OK;
}

/* The checksums that precede a block's data. */
struct lzop_block {
    uint32_t dst_len, src_len;
    uint32_t d_adler, d_crc, c_adler, c_crc;
};

static int lzop_read_block_header(struct ic_cursor *c, uint32_t flags, struct lzop_block *b)
{
    int rc;
    if ((rc = ic_cursor_u32be(c, &b->src_len)))
        return rc;
    if ((flags & LZOP_ADLER32_D) && (rc = ic_cursor_u32be(c, &b->d_adler)))
        return rc;
    if ((flags & LZOP_CRC32_D) && (rc = ic_cursor_u32be(c, &b->d_crc)))
        return rc;
    if (b->src_len < b->dst_len) {
        if ((flags & LZOP_ADLER32_C) && (rc = ic_cursor_u32be(c, &b->c_adler)))
            return rc;
        if ((flags & LZOP_CRC32_C) && (rc = ic_cursor_u32be(c, &b->c_crc)))
            return rc;
    }
    return IC_OK;
}

static int lzop_data_checksums_ok(uint32_t flags, const struct lzop_block *b, const uint8_t *p,
                                  size_t n, int compressed)
{
    uint32_t adler_flag = compressed ? LZOP_ADLER32_C : LZOP_ADLER32_D;
    uint32_t crc_flag = compressed ? LZOP_CRC32_C : LZOP_CRC32_D;
    uint32_t adler = compressed ? b->c_adler : b->d_adler;
    uint32_t crc = compressed ? b->c_crc : b->d_crc;
    if ((flags & adler_flag) && lzo_adler32(1, p, (lzo_uint)n) != adler)
        return 0;
    if ((flags & crc_flag) && lzo_crc32(0, p, (lzo_uint)n) != crc)
        return 0;
    return 1;
}

static int lzop_unpack(struct ic_extract *x)
{
    if (x->size < LZOP_MAGIC_SIZE || memcmp(x->data, lzop_magic, LZOP_MAGIC_SIZE) != 0)
        return IC_E_BAD_MAGIC;
    if (lzo_init() != LZO_E_OK)
        return IC_E_INTERNAL;
    struct ic_cursor c;
    ic_cursor_init(&c, x->data, (size_t)x->size);
    ic_cursor_skip(&c, LZOP_MAGIC_SIZE);
    struct lzop_header h;
    int header_ok = 1;
    int rc = lzop_read_header(&c, &h, &header_ok);
    if (rc == IC_E_BAD_MAGIC)
        return rc;
    if (rc == IC_E_TRUNCATED) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, (int64_t)x->parent_offset,
                        "lzop header is truncated");
        ic_extract_set_extent(x, x->size);
        ic_extract_set_info(x, "truncated header");
        return IC_OK;
    }
    /* Blocks of an unsupported variant are walked, not decoded, for the extent. */
    int stopped = rc == IC_E_UNSUPPORTED;
    if (stopped)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, (int64_t)x->parent_offset,
                        "lzop method %u%s is not supported; content not decoded", h.method,
                        (h.flags & LZOP_FILTER) ? " with a filter" : "");
    for (char *p = h.name; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint8_t *scratch = NULL;
    size_t scratch_size = 0;
    unsigned blocks = 0, bad_blocks = 0;
    int ended = 0;
    size_t block_start = c.pos;
    for (;;) {
        block_start = c.pos;
        struct lzop_block b = {0};
        if ((rc = ic_cursor_u32be(&c, &b.dst_len)))
            break;
        if (b.dst_len == 0) {
            ended = 1;
            break;
        }
        if (b.dst_len > LZOP_MAX_BLOCK) {
            rc = IC_E_FORMAT;
            break;
        }
        if ((rc = lzop_read_block_header(&c, h.flags, &b)))
            break;
        /* LZO1X expands at most about 255 times; more is not a real block. */
        if (b.src_len == 0 || b.src_len > b.dst_len ||
            (uint64_t)b.dst_len > (uint64_t)b.src_len * LZOP_MAX_RATIO) {
            rc = IC_E_FORMAT;
            break;
        }
        const uint8_t *src = NULL;
        if ((rc = ic_cursor_bytes(&c, b.src_len, &src)))
            break;
        if (stopped) /* a limit was hit: only find the end */
            continue;
        const uint8_t *plain = src;
        int damaged = 0;
        if (b.src_len < b.dst_len) {
            if (!lzop_data_checksums_ok(h.flags, &b, src, b.src_len, 1))
                damaged = 1;
            if (scratch_size < b.dst_len) {
                uint8_t *p = realloc(scratch, b.dst_len);
                if (!p) {
                    rc = IC_E_NOMEM;
                    break;
                }
                scratch = p;
                scratch_size = b.dst_len;
            }
            lzo_uint produced = b.dst_len;
            int lrc = lzo1x_decompress_safe(src, b.src_len, scratch, &produced, NULL);
            if (lrc != LZO_E_OK || produced != b.dst_len) {
                ic_extract_diag(
                    x, IC_DIAG_ERROR, IC_E_DECOMPRESS, (int64_t)(x->parent_offset + block_start),
                    "lzop block %u does not decompress (LZO error %d)", blocks + 1, lrc);
                bad_blocks++;
                blocks++;
                continue; /* the next block header is still where the sizes say */
            }
            plain = scratch;
        }
        if (!lzop_data_checksums_ok(h.flags, &b, plain, b.dst_len, 0))
            damaged = 1;
        if (damaged) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_CHECKSUM,
                            (int64_t)(x->parent_offset + block_start),
                            "lzop block %u fails its checksum", blocks + 1);
            bad_blocks++;
        }
        blocks++;
        int orc = ic_extract_output(x, &out, plain, b.dst_len);
        if (orc) {
            ic_extract_diag(x, IC_DIAG_ERROR, orc, (int64_t)x->parent_offset,
                            "lzop stream %s after %zu bytes of output", ic_error_message(orc),
                            out.len);
            stopped = 1;
        } else if (ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)x->parent_offset,
                            "lzop stream was cut short by the time limit");
            stopped = 1;
        }
    }
    free(scratch);
    if (rc == IC_E_NOMEM) {
        ic_buf_release(&out);
        return rc;
    }
    if (!ended && rc == IC_E_TRUNCATED)
        c.pos = c.size; /* the rest of the data is the cut-off block */
    else if (!ended)
        c.pos = block_start; /* the stream ends at the last sound block */
    if (!ended)
        ic_extract_diag(x, IC_DIAG_ERROR, rc ? rc : IC_E_TRUNCATED, (int64_t)x->parent_offset,
                        "lzop stream %s after %u block%s and %zu bytes of output",
                        rc == IC_E_TRUNCATED ? "is truncated" : "has a malformed block", blocks,
                        blocks == 1 ? "" : "s", out.len);
    ic_extract_set_extent(x, c.pos);
    ic_extract_set_info(x, "%s%s%u block%s%s, %zu bytes", h.name, h.name[0] ? ", " : "", blocks,
                        blocks == 1 ? "" : "s", bad_blocks ? " (some damaged)" : "", out.len);
    rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

const struct ic_format ic_format_lzop = {
    .name = "lzop",
    .description = "lzop compressed data",
    .magics = IC_MAGICS({"\x89LZO\x00\x0d\x0a\x1a\x0a", 9, 0}),
    .unpack = lzop_unpack,
};
