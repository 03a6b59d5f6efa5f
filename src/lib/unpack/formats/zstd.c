/* Zstandard (RFC 8878): a sequence of frames, each either a compressed frame
 * (magic 0xFD2FB528) or a skippable frame (magic 0x184D2A50..5F, a 32-bit
 * length and that many bytes of user data). libzstd finds each frame's exact
 * size from its block headers before anything is decompressed, so the extent
 * is exact even when a limit stops the output; it checks the optional
 * content checksum while decoding. */
#include "unpack/format.h"

#include <zstd.h>
#include <zstd_errors.h>

#define ZSTD_FRAME_MAGIC 0xFD2FB528u
#define ZSTD_SKIPPABLE_MASK 0xFFFFFFF0u
#define ZSTD_SKIPPABLE_MAGIC 0x184D2A50u
#define ZSTD_CHUNK 65536
#define ZSTD_MAX_LEADING_SKIPPABLE 16
/* libzstd's default window limit (2^27, 128 MiB); its macro is not public API. */
#define ZSTD_WINDOW_LOG_DEFAULT 27

static int zstd_is_frame(const struct ic_extract *x, uint64_t pos)
{
    return x->size - pos >= 4 && ic_load_u32le(x->data + pos) == ZSTD_FRAME_MAGIC;
}

/* The size of a complete skippable frame at pos, or 0. */
static uint64_t zstd_skippable_size(const struct ic_extract *x, uint64_t pos)
{
    if (x->size - pos < 8 ||
        (ic_load_u32le(x->data + pos) & ZSTD_SKIPPABLE_MASK) != ZSTD_SKIPPABLE_MAGIC)
        return 0;
    uint64_t len = ic_load_u32le(x->data + pos + 4);
    return ic_range_ok(pos + 8, len, x->size) ? 8 + len : 0;
}

/* The largest window the decoder accepts: what the per-file limit needs,
 * at least libzstd's default (128 MiB), at most 2 GiB. */
static int zstd_window_log_max(struct ic_extract *x)
{
    uint64_t max = ic_extract_max_file_size(x);
    int log = ZSTD_WINDOW_LOG_DEFAULT;
    while (log < 31 && (1ULL << log) < max)
        log++;
    return log;
}

static int zstd_error_code(size_t ret, const char **why)
{
    switch (ZSTD_getErrorCode(ret)) {
    case ZSTD_error_frameParameter_windowTooLarge:
    case ZSTD_error_memory_allocation:
        *why = "needs a larger window than allowed";
        return IC_E_LIMIT_MEMORY;
    case ZSTD_error_checksum_wrong:
        *why = "fails its content checksum";
        return IC_E_CHECKSUM;
    case ZSTD_error_dictionary_wrong:
        *why = "needs a dictionary";
        return IC_E_UNSUPPORTED;
    default:
        *why = "is corrupt";
        return IC_E_DECOMPRESS;
    }
}

enum zstd_result { ZSTD_DONE, ZSTD_BROKEN, ZSTD_LIMIT };

/* Decodes the one frame in data[0, size) into out; *consumed says how much
 * input it read. */
static enum zstd_result zstd_decode_frame(struct ic_extract *x, ZSTD_DCtx *dctx, struct ic_buf *out,
                                          const uint8_t *data, uint64_t size, uint64_t *consumed,
                                          int *err, const char **why)
{
    uint8_t chunk[ZSTD_CHUNK];
    ZSTD_inBuffer in = {data, (size_t)size, 0};
    ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
    enum zstd_result result = ZSTD_BROKEN;
    for (;;) {
        ZSTD_outBuffer o = {chunk, sizeof(chunk), 0};
        size_t before_in = in.pos;
        size_t ret = ZSTD_decompressStream(dctx, &o, &in);
        if (ZSTD_isError(ret)) {
            *err = zstd_error_code(ret, why);
            break;
        }
        if (o.pos) {
            int rc = ic_extract_output(x, out, chunk, o.pos);
            if (rc) {
                *err = rc;
                *why = ic_error_message(rc);
                result = ZSTD_LIMIT;
                break;
            }
        }
        if (ret == 0) {
            result = ZSTD_DONE;
            break;
        }
        if (o.pos == 0 && in.pos == before_in) {
            *err = IC_E_TRUNCATED;
            *why = "is truncated";
            break;
        }
        if (ic_extract_expired(x)) {
            *err = IC_E_LIMIT_TIME;
            *why = "was cut short by the time limit";
            result = ZSTD_LIMIT;
            break;
        }
    }
    *consumed = in.pos;
    return result;
}

static int zstd_unpack(struct ic_extract *x)
{
    uint64_t pos = 0;
    /* Skippable frames may come first; a compressed frame must follow soon,
     * or a long run of them would be walked again from every one. */
    unsigned leading = 0;
    for (uint64_t skip;
         leading < ZSTD_MAX_LEADING_SKIPPABLE && (skip = zstd_skippable_size(x, pos)) != 0;
         leading++)
        pos += skip;
    if (!zstd_is_frame(x, pos))
        return IC_E_BAD_MAGIC;

    ZSTD_DCtx *dctx = ZSTD_createDCtx();
    if (!dctx)
        return IC_E_NOMEM;
    ZSTD_DCtx_setParameter(dctx, ZSTD_d_windowLogMax, zstd_window_log_max(x));

    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    unsigned frames = 0, skippable = 0;
    int rc = IC_OK;
    for (;;) {
        uint64_t skip = zstd_skippable_size(x, pos);
        if (skip) {
            pos += skip;
            skippable++;
            continue;
        }
        if (!zstd_is_frame(x, pos))
            break;
        uint64_t start = pos;
        size_t frame_size = ZSTD_findFrameCompressedSize(x->data + pos, (size_t)(x->size - pos));
        int whole = !ZSTD_isError(frame_size);
        uint64_t span = whole ? frame_size : x->size - pos;
        uint64_t consumed = 0;
        int err = IC_OK;
        const char *why = NULL;
        enum zstd_result r =
            zstd_decode_frame(x, dctx, &out, x->data + pos, span, &consumed, &err, &why);
        if (r == ZSTD_DONE && whole) {
            pos += frame_size;
            frames++;
            continue;
        }
        unsigned dict_id = ZSTD_getDictID_fromFrame(x->data + pos, (size_t)span);
        if (r == ZSTD_BROKEN && dict_id != 0) {
            err = IC_E_UNSUPPORTED;
            why = "needs a dictionary";
        }
        /* A frame whose whole block structure holds but that needs more
         * memory or a dictionary is zstd; anything else without output is not. */
        int undecodable = whole && (err == IC_E_LIMIT_MEMORY || err == IC_E_UNSUPPORTED);
        if (r == ZSTD_BROKEN && frames == 0 && out.len == 0 && !undecodable) {
            rc = IC_E_DECOMPRESS; /* nothing came out: not zstd after all */
            goto out;
        }
        if (r == ZSTD_DONE && !whole) {
            err = IC_E_FORMAT;
            why = "has an inconsistent block structure";
        }
        /* A limit stops the output, not the frame: its end is known. */
        pos += whole ? frame_size : (consumed ? consumed : 4);
        ic_extract_diag(x, IC_DIAG_ERROR, err, (int64_t)(x->parent_offset + start),
                        "zstd frame %u %s after %zu bytes of output", frames + 1, why, out.len);
        break;
    }
    ic_extract_set_extent(x, pos);
    if (skippable)
        ic_extract_set_info(x, "%u frame%s and %u skippable, %zu bytes", frames ? frames : 1,
                            frames > 1 ? "s" : "", skippable, out.len);
    else
        ic_extract_set_info(x, "%u frame%s, %zu bytes", frames ? frames : 1, frames > 1 ? "s" : "",
                            out.len);
    rc = ic_extract_content_from_buf(x, &out);
out:
    ic_buf_release(&out);
    ZSTD_freeDCtx(dctx);
    return rc;
}

const struct ic_format ic_format_zstd = {
    .name = "zstd",
    .description = "Zstandard compressed data",
    /* A frame, or a skippable frame that may lead one. */
    .magics = IC_MAGICS(
        {"\x28\xb5\x2f\xfd", 4, 0}, {"\x50\x2a\x4d\x18", 4, 0}, {"\x51\x2a\x4d\x18", 4, 0},
        {"\x52\x2a\x4d\x18", 4, 0}, {"\x53\x2a\x4d\x18", 4, 0}, {"\x54\x2a\x4d\x18", 4, 0},
        {"\x55\x2a\x4d\x18", 4, 0}, {"\x56\x2a\x4d\x18", 4, 0}, {"\x57\x2a\x4d\x18", 4, 0},
        {"\x58\x2a\x4d\x18", 4, 0}, {"\x59\x2a\x4d\x18", 4, 0}, {"\x5a\x2a\x4d\x18", 4, 0},
        {"\x5b\x2a\x4d\x18", 4, 0}, {"\x5c\x2a\x4d\x18", 4, 0}, {"\x5d\x2a\x4d\x18", 4, 0},
        {"\x5e\x2a\x4d\x18", 4, 0}, {"\x5f\x2a\x4d\x18", 4, 0}),
    .unpack = zstd_unpack,
};
