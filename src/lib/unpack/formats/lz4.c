/* LZ4, in its two container formats.
 *
 * The frame format (lz4.org, lz4_Frame_format.md): magic 0x184D2204, a
 * header with flags, block size and a header checksum, data blocks (a
 * 32-bit size whose top bit marks a stored block, the data, an optional
 * block checksum), an end mark of four zero bytes and an optional content
 * checksum. Frames may be followed by more frames or by skippable frames
 * (magic 0x184D2A50..5F). The frame's size is found from its block headers
 * first, then liblz4 decodes it and checks every checksum.
 *
 * The legacy format (what `lz4 -l` writes and Linux kernels use): magic
 * 0x184C2102, then blocks of a 32-bit compressed size and data, each
 * decoding to 8 MiB except the last. It has no end mark: the stream ends
 * after a short block, or where no further block decodes. */
#include "unpack/format.h"

#include <lz4.h>
#include <lz4frame.h>
#include <stdlib.h>
#include <string.h>

#define LZ4_FRAME_MAGIC 0x184D2204u
#define LZ4_LEGACY_MAGIC 0x184C2102u
#define LZ4_SKIPPABLE_MASK 0xFFFFFFF0u
#define LZ4_SKIPPABLE_MAGIC 0x184D2A50u
#define LZ4_LEGACY_BLOCK (8u << 20)
#define LZ4_CHUNK 65536

static int lz4_magic_at(const struct ic_extract *x, uint64_t pos, uint32_t magic)
{
    return x->size - pos >= 4 && ic_load_u32le(x->data + pos) == magic;
}

/* The size of a complete skippable frame at pos, or 0. */
static uint64_t lz4_skippable_size(const struct ic_extract *x, uint64_t pos)
{
    if (x->size - pos < 8 ||
        (ic_load_u32le(x->data + pos) & LZ4_SKIPPABLE_MASK) != LZ4_SKIPPABLE_MAGIC)
        return 0;
    uint64_t len = ic_load_u32le(x->data + pos + 4);
    return ic_range_ok(pos + 8, len, x->size) ? 8 + len : 0;
}

/* Walks the block headers of the frame at pos: its exact size, or 0 when the
 * frame is truncated or its structure is broken. */
static uint64_t lz4_frame_size(const struct ic_extract *x, uint64_t pos)
{
    uint64_t avail = x->size - pos;
    if (avail < 7)
        return 0;
    const uint8_t *p = x->data + pos;
    size_t header = LZ4F_headerSize(p, (size_t)avail);
    if (LZ4F_isError(header) || header > avail)
        return 0;
    uint8_t flags = p[4];
    unsigned block_id = (p[5] >> 4) & 7;
    if (block_id < 4)
        return 0;
    uint64_t block_max = 1ULL << (8 + 2 * block_id); /* 64 KiB .. 4 MiB */
    uint64_t block_checksum = (flags & 0x10) ? 4 : 0;
    uint64_t content_checksum = (flags & 0x04) ? 4 : 0;
    uint64_t off = header;
    for (;;) {
        if (!ic_range_ok(off, 4, avail))
            return 0;
        uint32_t word = ic_load_u32le(p + off);
        off += 4;
        if (word == 0)
            break;
        uint64_t len = word & 0x7FFFFFFFu;
        if (len > block_max || !ic_range_ok(off, len + block_checksum, avail))
            return 0;
        off += len + block_checksum;
    }
    return ic_range_ok(off, content_checksum, avail) ? off + content_checksum : 0;
}

enum lz4_result { LZ4_DONE, LZ4_BROKEN, LZ4_LIMIT };

/* Decodes the frame in data[0, size) into out; *consumed is the input read. */
static enum lz4_result lz4_decode_frame(struct ic_extract *x, LZ4F_dctx *dctx, struct ic_buf *out,
                                        const uint8_t *data, uint64_t size, uint64_t *consumed,
                                        int *err, const char **why)
{
    uint8_t chunk[LZ4_CHUNK];
    uint64_t pos = 0;
    enum lz4_result result = LZ4_BROKEN;
    LZ4F_resetDecompressionContext(dctx);
    for (;;) {
        size_t out_size = sizeof(chunk);
        uint64_t left = size - pos;
        size_t in_size = left > (1u << 30) ? (1u << 30) : (size_t)left;
        size_t ret = LZ4F_decompress(dctx, chunk, &out_size, data + pos, &in_size, NULL);
        pos += in_size;
        if (LZ4F_isError(ret)) {
            *err = IC_E_DECOMPRESS;
            *why = "is corrupt";
            /* The error codes are not public API; their names are. */
            if (strstr(LZ4F_getErrorName(ret), "hecksum_invalid")) {
                *err = IC_E_CHECKSUM;
                *why = "fails a checksum";
            }
            break;
        }
        if (out_size) {
            int rc = ic_extract_output(x, out, chunk, out_size);
            if (rc) {
                *err = rc;
                *why = ic_error_message(rc);
                result = LZ4_LIMIT;
                break;
            }
        }
        if (ret == 0) {
            result = LZ4_DONE;
            break;
        }
        if (out_size == 0 && in_size == 0) {
            *err = IC_E_TRUNCATED;
            *why = "is truncated";
            break;
        }
        if (ic_extract_expired(x)) {
            *err = IC_E_LIMIT_TIME;
            *why = "was cut short by the time limit";
            result = LZ4_LIMIT;
            break;
        }
    }
    *consumed = pos;
    return result;
}

static int lz4_unpack_frames(struct ic_extract *x)
{
    LZ4F_dctx *dctx = NULL;
    if (LZ4F_isError(LZ4F_createDecompressionContext(&dctx, LZ4F_VERSION)))
        return IC_E_NOMEM;
    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint64_t pos = 0;
    unsigned frames = 0;
    int rc = IC_OK;
    for (;;) {
        uint64_t skip = frames ? lz4_skippable_size(x, pos) : 0;
        if (skip) {
            pos += skip;
            continue;
        }
        if (!lz4_magic_at(x, pos, LZ4_FRAME_MAGIC))
            break;
        uint64_t start = pos;
        uint64_t frame_size = lz4_frame_size(x, pos);
        uint64_t span = frame_size ? frame_size : x->size - pos;
        uint64_t consumed = 0;
        int err = IC_OK;
        const char *why = NULL;
        enum lz4_result r =
            lz4_decode_frame(x, dctx, &out, x->data + pos, span, &consumed, &err, &why);
        if (r == LZ4_DONE && frame_size && consumed == frame_size) {
            pos += frame_size;
            frames++;
            continue;
        }
        if (r == LZ4_BROKEN && frames == 0 && out.len == 0) {
            rc = IC_E_DECOMPRESS; /* nothing came out: not LZ4 after all */
            goto out;
        }
        if (r == LZ4_DONE) {
            err = IC_E_FORMAT;
            why = "has an inconsistent block structure";
        }
        pos += frame_size ? frame_size : (consumed ? consumed : 4);
        ic_extract_diag(x, IC_DIAG_ERROR, err, (int64_t)(x->parent_offset + start),
                        "LZ4 frame %u %s after %zu bytes of output", frames + 1, why, out.len);
        break;
    }
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "%u frame%s, %zu bytes", frames ? frames : 1, frames > 1 ? "s" : "",
                        out.len);
    rc = ic_extract_content_from_buf(x, &out);
out:
    ic_buf_release(&out);
    LZ4F_freeDecompressionContext(dctx);
    return rc;
}

static int lz4_unpack_legacy(struct ic_extract *x)
{
    uint8_t *block = NULL;
    uint64_t block_cap = 0;
    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    const uint64_t max_compressed = (uint64_t)LZ4_compressBound((int)LZ4_LEGACY_BLOCK);
    uint64_t pos = 4;
    unsigned blocks = 0;
    int rc = IC_OK;
    for (;;) {
        /* A new legacy stream may follow directly (concatenated files). */
        if (blocks && lz4_magic_at(x, pos, LZ4_LEGACY_MAGIC) && ic_range_ok(pos + 4, 4, x->size) &&
            ic_load_u32le(x->data + pos + 4) != 0) {
            pos += 4;
        }
        if (!ic_range_ok(pos, 4, x->size))
            break;
        uint64_t len = ic_load_u32le(x->data + pos);
        if (len == 0 || len > max_compressed)
            break;
        if (!ic_range_ok(pos + 4, len, x->size)) {
            if (blocks)
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)(x->parent_offset + pos),
                                "LZ4 legacy block %u of %llu bytes is truncated after %zu bytes "
                                "of output",
                                blocks + 1, (unsigned long long)len, out.len);
            break;
        }
        /* LZ4 expands at most about 255 times: no need for 8 MiB for a small block. */
        uint64_t need = len * 256 + 1024 < LZ4_LEGACY_BLOCK ? len * 256 + 1024 : LZ4_LEGACY_BLOCK;
        if (need > block_cap) {
            uint8_t *p = realloc(block, need);
            if (!p) {
                rc = IC_E_NOMEM;
                break;
            }
            block = p;
            block_cap = need;
        }
        int n = LZ4_decompress_safe((const char *)x->data + pos + 4, (char *)block, (int)len,
                                    (int)block_cap);
        if (n <= 0)
            break; /* not a block: the stream ended before it */
        pos += 4 + len;
        blocks++;
        if ((rc = ic_extract_output(x, &out, block, (size_t)n)) != IC_OK) {
            ic_extract_diag(x, IC_DIAG_ERROR, rc, (int64_t)x->parent_offset,
                            "LZ4 legacy stream %s after %zu bytes of output (the stream was not "
                            "read to its end)",
                            ic_error_message(rc), out.len);
            rc = IC_OK;
            break;
        }
        if ((uint32_t)n < LZ4_LEGACY_BLOCK && !lz4_magic_at(x, pos, LZ4_LEGACY_MAGIC))
            break; /* a short block is the last one */
        if (ic_extract_expired(x)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_LIMIT_TIME, (int64_t)x->parent_offset,
                            "LZ4 legacy stream was cut short by the time limit");
            break;
        }
    }
    free(block);
    if (rc == IC_E_NOMEM || blocks == 0) {
        ic_buf_release(&out);
        return rc ? rc : IC_E_DECOMPRESS;
    }
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "legacy format, %u block%s, %zu bytes", blocks, blocks > 1 ? "s" : "",
                        out.len);
    rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

static int lz4_unpack(struct ic_extract *x)
{
    if (lz4_magic_at(x, 0, LZ4_FRAME_MAGIC))
        return lz4_unpack_frames(x);
    if (lz4_magic_at(x, 0, LZ4_LEGACY_MAGIC))
        return lz4_unpack_legacy(x);
    return IC_E_BAD_MAGIC;
}

const struct ic_format ic_format_lz4 = {
    .name = "lz4",
    .description = "LZ4 compressed data (frame or legacy format)",
    .magics = IC_MAGICS({"\x04\x22\x4d\x18", 4, 0}, {"\x02\x21\x4c\x18", 4, 0}),
    .unpack = lz4_unpack,
};
