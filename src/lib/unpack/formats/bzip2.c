/* bzip2: one or more streams, each "BZh" and a block size digit, then blocks
 * that start with the 48-bit magic of pi and an end-of-stream marker (the
 * magic of sqrt(pi)) with the stream's CRC. libbz2 checks the block and
 * stream CRCs. Streams end on a bit boundary, padded to a whole byte. */
#include "unpack/format.h"

#include <bzlib.h>
#include <string.h>

#define BZ_CHUNK 65536

static const uint8_t bz_block_magic[6] = {0x31, 0x41, 0x59, 0x26, 0x53, 0x59};
static const uint8_t bz_end_magic[6] = {0x17, 0x72, 0x45, 0x38, 0x50, 0x90};

/* "BZh1".."BZh9" followed by a block or (an empty stream) the end marker. */
static int bz_stream_start(const uint8_t *p, uint64_t avail)
{
    if (avail < 10 || p[0] != 'B' || p[1] != 'Z' || p[2] != 'h' || p[3] < '1' || p[3] > '9')
        return 0;
    return memcmp(p + 4, bz_block_magic, 6) == 0 || memcmp(p + 4, bz_end_magic, 6) == 0;
}

enum bz_result { BZ_DONE, BZ_BROKEN, BZ_LIMIT };

/* Decodes the stream at *pos into out; *pos moves past what was consumed. */
static enum bz_result bz_decode_stream(struct ic_extract *x, struct ic_buf *out, uint64_t *pos,
                                       int *err, const char **why)
{
    bz_stream bz;
    memset(&bz, 0, sizeof(bz));
    char chunk[BZ_CHUNK];
    enum bz_result result = BZ_BROKEN;
    *err = IC_E_DECOMPRESS;
    *why = "is corrupt";
    if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) {
        *err = IC_E_NOMEM;
        *why = "could not start a decoder";
        return BZ_BROKEN;
    }
    for (;;) {
        uint64_t left = x->size - *pos;
        bz.next_in = (char *)(uintptr_t)(x->data + *pos);
        bz.avail_in = left > (1u << 30) ? (1u << 30) : (unsigned)left;
        bz.next_out = chunk;
        bz.avail_out = sizeof(chunk);
        unsigned before_in = bz.avail_in;
        int ret = BZ2_bzDecompress(&bz);
        *pos += before_in - bz.avail_in;
        size_t produced = sizeof(chunk) - bz.avail_out;
        if (produced) {
            int rc = ic_extract_output(x, out, chunk, produced);
            if (rc) {
                *err = rc;
                *why = ic_error_message(rc);
                result = BZ_LIMIT;
                break;
            }
        }
        if (ret == BZ_STREAM_END) {
            result = BZ_DONE;
            break;
        }
        if (ret != BZ_OK) {
            if (ret == BZ_DATA_ERROR_MAGIC)
                *why = "has a bad header";
            else if (ret == BZ_MEM_ERROR)
                *err = IC_E_NOMEM;
            break;
        }
        if (produced == 0 && before_in == bz.avail_in) {
            *err = IC_E_TRUNCATED;
            *why = "is truncated";
            break;
        }
        if (ic_extract_expired(x)) {
            *err = IC_E_LIMIT_TIME;
            *why = "was cut short by the time limit";
            result = BZ_LIMIT;
            break;
        }
    }
    BZ2_bzDecompressEnd(&bz);
    return result;
}

static int bzip2_unpack(struct ic_extract *x)
{
    if (!bz_stream_start(x->data, x->size))
        return IC_E_BAD_MAGIC;

    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint64_t pos = 0;
    unsigned streams = 0;
    while (bz_stream_start(x->data + pos, x->size - pos)) {
        uint64_t start = pos;
        int err = IC_OK;
        const char *why = NULL;
        enum bz_result r = bz_decode_stream(x, &out, &pos, &err, &why);
        if (r == BZ_DONE) {
            streams++;
            continue;
        }
        if (r == BZ_BROKEN && streams == 0 && out.len == 0) {
            ic_buf_release(&out);
            return IC_E_DECOMPRESS; /* nothing came out: not bzip2 after all */
        }
        ic_extract_diag(x, IC_DIAG_ERROR, err, (int64_t)(x->parent_offset + start),
                        "bzip2 stream %u %s after %zu bytes of output%s", streams + 1, why, out.len,
                        r == BZ_LIMIT ? " (the stream was not read to its end)" : "");
        if (pos == start)
            pos = start + 10;
        break;
    }
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "%u stream%s, block size %c00k, %zu bytes", streams ? streams : 1,
                        streams > 1 ? "s" : "", x->data[3], out.len);
    int rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

const struct ic_format ic_format_bzip2 = {
    .name = "bzip2",
    .description = "bzip2 compressed data",
    .magics =
        IC_MAGICS({"BZh1\x31\x41\x59\x26\x53\x59", 10, 0}, {"BZh2\x31\x41\x59\x26\x53\x59", 10, 0},
                  {"BZh3\x31\x41\x59\x26\x53\x59", 10, 0}, {"BZh4\x31\x41\x59\x26\x53\x59", 10, 0},
                  {"BZh5\x31\x41\x59\x26\x53\x59", 10, 0}, {"BZh6\x31\x41\x59\x26\x53\x59", 10, 0},
                  {"BZh7\x31\x41\x59\x26\x53\x59", 10, 0}, {"BZh8\x31\x41\x59\x26\x53\x59", 10, 0},
                  {"BZh9\x31\x41\x59\x26\x53\x59", 10, 0}),
    .unpack = bzip2_unpack,
};
