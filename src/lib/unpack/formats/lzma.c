/* The legacy .lzma ("LZMA alone") format of the LZMA SDK, used by many boot
 * loaders and kernels: a 13-byte header (properties byte lc+lp*9+pb*45,
 * dictionary size u32le, uncompressed size u64le or all ones when unknown),
 * then one LZMA1 stream. With an unknown size the stream ends with an end
 * marker; with a known size it may end without one, after exactly that many
 * bytes of output. Nothing in the header is checked by a checksum, so the
 * header is held to what encoders write and the stream must decode. */
#include "unpack/format.h"

#include <lzma.h>

#define LZMA_HEADER_SIZE 13
#define LZMA_CHUNK 65536
#define LZMA_SIZE_UNKNOWN UINT64_MAX
/* liblzma's own plausibility bound for a known size (256 GiB). */
#define LZMA_SIZE_PLAUSIBLE (1ULL << 38)
/* A stream that breaks before this much input was read is not trusted to be
 * LZMA at all: random bytes after a matching header fail early. */
#define LZMA_MIN_BROKEN_INPUT 256

/* Encoders write 2^n or 3*2^(n-1) (LZMA SDK before 9.x, xz), or a multiple of
 * 1 MiB above 4 MiB (newer LZMA SDK). */
static int lzma_dict_plausible(uint32_t dict)
{
    if (dict < 4096 || dict > (1u << 30))
        return 0;
    if ((dict & (dict - 1)) == 0)
        return 1;
    uint32_t third = dict / 3;
    if (dict % 3 == 0 && (third & (third - 1)) == 0)
        return 1;
    return dict >= (4u << 20) && (dict & ((1u << 20) - 1)) == 0;
}

static uint64_t lzma_memlimit(struct ic_extract *x)
{
    uint64_t limit = ic_extract_max_file_size(x) + (64u << 20);
    if (limit < (256u << 20))
        limit = 256u << 20;
    if (limit > (2ULL << 30))
        limit = 2ULL << 30;
    return limit;
}

static int lzma_unpack(struct ic_extract *x)
{
    if (x->size < LZMA_HEADER_SIZE + 5)
        return IC_E_TRUNCATED;
    unsigned props = x->data[0];
    unsigned lc = props % 9, lp = (props / 9) % 5, pb = props / 45;
    uint32_t dict = ic_load_u32le(x->data + 1);
    uint64_t size = ic_load_u64le(x->data + 5);
    /* liblzma decodes lc + lp <= 4 only; the range coder's first byte is 0. */
    if (props >= 225 || lc + lp > 4 || !lzma_dict_plausible(dict))
        return IC_E_BAD_MAGIC;
    if (size != LZMA_SIZE_UNKNOWN && (size == 0 || size > LZMA_SIZE_PLAUSIBLE))
        return IC_E_BAD_MAGIC;
    if (x->data[LZMA_HEADER_SIZE] != 0)
        return IC_E_BAD_MAGIC;

    lzma_stream strm = LZMA_STREAM_INIT;
    if (lzma_alone_decoder(&strm, lzma_memlimit(x)) != LZMA_OK)
        return IC_E_NOMEM;

    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint8_t chunk[LZMA_CHUNK];
    int rc = IC_OK;
    int err = IC_OK;
    const char *why = NULL;
    int done = 0;
    strm.next_in = x->data;
    strm.avail_in = (size_t)x->size;
    for (;;) {
        strm.next_out = chunk;
        strm.avail_out = sizeof(chunk);
        size_t before_in = strm.avail_in;
        lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
        size_t produced = sizeof(chunk) - strm.avail_out;
        if (produced && (rc = ic_extract_output(x, &out, chunk, produced)) != IC_OK) {
            err = rc;
            why = ic_error_message(rc);
            break;
        }
        if (ret == LZMA_STREAM_END) {
            done = 1;
            break;
        }
        if (ret == LZMA_OK && (produced || before_in != strm.avail_in)) {
            if (ic_extract_expired(x)) {
                err = IC_E_LIMIT_TIME;
                why = "was cut short by the time limit";
                break;
            }
            continue;
        }
        if (ret == LZMA_BUF_ERROR || (ret == LZMA_OK && strm.avail_in == 0)) {
            err = IC_E_TRUNCATED;
            why = "is truncated";
        } else if (ret == LZMA_MEMLIMIT_ERROR || ret == LZMA_MEM_ERROR) {
            err = IC_E_LIMIT_MEMORY;
            why = "needs more memory than allowed";
        } else {
            err = IC_E_DECOMPRESS;
            why = "is corrupt";
        }
        break;
    }
    uint64_t consumed = strm.total_in;
    lzma_end(&strm);

    int trusted = done || err == IC_E_TRUNCATED || rc != IC_OK || err == IC_E_LIMIT_TIME ||
                  consumed >= LZMA_MIN_BROKEN_INPUT;
    if (out.len == 0 || !trusted) {
        ic_buf_release(&out);
        return IC_E_DECOMPRESS;
    }
    if (!done)
        ic_extract_diag(x, IC_DIAG_ERROR, err, (int64_t)x->parent_offset,
                        "LZMA stream %s after %zu bytes of output%s", why, out.len,
                        rc ? " (the stream was not read to its end)" : "");
    else if (size != LZMA_SIZE_UNKNOWN && size != out.len)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)x->parent_offset,
                        "LZMA header says %llu bytes, the stream gave %zu",
                        (unsigned long long)size, out.len);
    ic_extract_set_extent(x, consumed);
    if (size == LZMA_SIZE_UNKNOWN)
        ic_extract_set_info(x, "lc=%u lp=%u pb=%u, dictionary %u, %zu bytes", lc, lp, pb, dict,
                            out.len);
    else
        ic_extract_set_info(x, "lc=%u lp=%u pb=%u, dictionary %u, %llu bytes declared, %zu bytes",
                            lc, lp, pb, dict, (unsigned long long)size, out.len);
    rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

/* The properties byte and the low half of the dictionary size (a multiple of
 * 64 KiB): lc=3 lp=0 pb=2 (the default), lc=1 lp=2 pb=2 and lc=0 lp=2 pb=2
 * (Broadcom and OpenWrt loaders for 32-bit code). */
const struct ic_format ic_format_lzma = {
    .name = "lzma",
    .description = "LZMA compressed data (.lzma, LZMA alone)",
    .magics = IC_MAGICS({"\x5d\x00\x00", 3, 0}, {"\x6d\x00\x00", 3, 0}, {"\x6c\x00\x00", 3, 0}),
    .unpack = lzma_unpack,
};
