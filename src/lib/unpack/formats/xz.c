/* xz (tukaani.org/xz/xz-file-format.txt): one or more streams, each a
 * 12-byte header (magic, flags, CRC-32 of the flags), blocks, an index and a
 * 12-byte footer; streams may be separated by stream padding (NUL bytes in
 * multiples of four). liblzma checks every CRC and the index. The extent ends
 * after the last complete stream; padding counts only between streams. */
#include "unpack/format.h"

#include <lzma.h>
#include <string.h>

#define XZ_HEADER_SIZE 12
#define XZ_CHUNK 65536

static const uint8_t xz_magic[6] = {0xfd, '7', 'z', 'X', 'Z', 0x00};

/* A stream header: magic, flags 0x00 then a check type 0..15, CRC-32. */
static int xz_header_ok(const uint8_t *p, uint64_t avail)
{
    if (avail < XZ_HEADER_SIZE || memcmp(p, xz_magic, sizeof(xz_magic)) != 0)
        return 0;
    if (p[6] != 0 || (p[7] & 0xf0) != 0)
        return 0;
    return lzma_crc32(p + 6, 2, 0) == ic_load_u32le(p + 8);
}

/* Enough for every dictionary an encoder preset uses (64 MiB) and anything
 * up to the per-file limit, never more than 4 GiB. */
static uint64_t xz_memlimit(struct ic_extract *x)
{
    uint64_t limit = ic_extract_max_file_size(x) + (64u << 20);
    if (limit < (256u << 20))
        limit = 256u << 20;
    if (limit > (4ULL << 30))
        limit = 4ULL << 30;
    return limit;
}

/* Skips stream padding at pos: returns where the next stream starts, or pos
 * when no stream follows. */
static uint64_t xz_next_stream(const struct ic_extract *x, uint64_t pos)
{
    uint64_t p = pos;
    while (p + 4 <= x->size && ic_load_u32le(x->data + p) == 0)
        p += 4;
    return xz_header_ok(x->data + p, x->size - p) ? p : pos;
}

enum xz_result { XZ_DONE, XZ_BROKEN, XZ_LIMIT };

/* Decodes the stream at *pos, appending to out; *pos moves past what was
 * consumed. *err is the library's or the limit's error when not XZ_DONE. */
static enum xz_result xz_decode_stream(struct ic_extract *x, struct ic_buf *out, uint64_t *pos,
                                       int *err, const char **why)
{
    lzma_stream strm = LZMA_STREAM_INIT;
    uint8_t chunk[XZ_CHUNK];
    enum xz_result result = XZ_BROKEN;
    *err = IC_E_DECOMPRESS;
    *why = "is corrupt";
    if (lzma_stream_decoder(&strm, xz_memlimit(x), 0) != LZMA_OK) {
        *err = IC_E_NOMEM;
        *why = "could not start a decoder";
        return XZ_BROKEN;
    }
    strm.next_in = x->data + *pos;
    strm.avail_in = (size_t)(x->size - *pos);
    for (;;) {
        strm.next_out = chunk;
        strm.avail_out = sizeof(chunk);
        size_t before_in = strm.avail_in;
        lzma_ret ret = lzma_code(&strm, LZMA_FINISH);
        *pos += before_in - strm.avail_in;
        size_t produced = sizeof(chunk) - strm.avail_out;
        if (produced) {
            int rc = ic_extract_output(x, out, chunk, produced);
            if (rc) {
                *err = rc;
                *why = ic_error_message(rc);
                result = XZ_LIMIT;
                break;
            }
        }
        if (ret == LZMA_STREAM_END) {
            result = XZ_DONE;
            break;
        }
        if (ret == LZMA_OK && (produced || before_in != strm.avail_in)) {
            if (ic_extract_expired(x)) {
                *err = IC_E_LIMIT_TIME;
                *why = "was cut short by the time limit";
                result = XZ_LIMIT;
                break;
            }
            continue;
        }
        if (ret == LZMA_BUF_ERROR || (ret == LZMA_OK && strm.avail_in == 0)) {
            *err = IC_E_TRUNCATED;
            *why = "is truncated";
        } else if (ret == LZMA_MEMLIMIT_ERROR || ret == LZMA_MEM_ERROR) {
            *err = IC_E_LIMIT_MEMORY;
            *why = "needs more memory than allowed";
        } else if (ret == LZMA_OPTIONS_ERROR) {
            *err = IC_E_UNSUPPORTED;
            *why = "uses unsupported options";
        }
        break;
    }
    lzma_end(&strm);
    return result;
}

static int xz_unpack(struct ic_extract *x)
{
    if (!xz_header_ok(x->data, x->size))
        return IC_E_BAD_MAGIC;

    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint64_t pos = 0;
    unsigned streams = 0;
    for (;;) {
        uint64_t start = pos;
        int err = IC_OK;
        const char *why = NULL;
        enum xz_result r = xz_decode_stream(x, &out, &pos, &err, &why);
        if (r == XZ_DONE) {
            streams++;
            uint64_t next = xz_next_stream(x, pos);
            if (next == pos)
                break;
            pos = next;
            continue;
        }
        if (r == XZ_BROKEN && streams == 0 && out.len == 0 && err != IC_E_LIMIT_MEMORY &&
            err != IC_E_UNSUPPORTED) {
            ic_buf_release(&out);
            return IC_E_DECOMPRESS; /* nothing came out: not xz after all */
        }
        ic_extract_diag(x, IC_DIAG_ERROR, err, (int64_t)(x->parent_offset + start),
                        "xz stream %u %s after %zu bytes of output%s", streams + 1, why, out.len,
                        r == XZ_LIMIT ? " (the stream was not read to its end)" : "");
        if (pos == start)
            pos = start + XZ_HEADER_SIZE;
        break;
    }
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "%u stream%s, %zu bytes", streams ? streams : 1, streams > 1 ? "s" : "",
                        out.len);
    int rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

const struct ic_format ic_format_xz = {
    .name = "xz",
    .description = "xz compressed data",
    .magics = IC_MAGICS({"\xfd\x37zXZ\x00", 6, 0}),
    .unpack = xz_unpack,
};
