/* gzip (RFC 1952): one or more members, each a deflate stream with a header
 * and a CRC-32/size trailer. zlib checks both. */
#include "unpack/format.h"

#include <zlib.h>

static int gzip_unpack(struct ic_extract *x)
{
    /* ID1 ID2 CM=8, FLG with reserved bits clear, XFL 0/2/4, a known OS. */
    if (x->size < 18 || x->data[2] != 8 || (x->data[3] & 0xe0) != 0)
        return IC_E_BAD_MAGIC;
    uint8_t xfl = x->data[8], os = x->data[9];
    if ((xfl != 0 && xfl != 2 && xfl != 4) || (os > 13 && os != 255))
        return IC_E_BAD_MAGIC;

    struct ic_buf out = IC_BUF_INIT(ic_extract_max_file_size(x));
    uint8_t chunk[65536];
    uint64_t consumed = 0;
    unsigned members = 0;
    int rc = IC_OK;
    int broken = 0;

    while (consumed + 18 <= x->size && x->data[consumed] == 0x1f && x->data[consumed + 1] == 0x8b &&
           x->data[consumed + 2] == 8) {
        z_stream z = {0};
        if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
            return IC_E_NOMEM;
        uint64_t start = consumed;
        int zrc = Z_OK;
        while (zrc != Z_STREAM_END) {
            uint64_t left = x->size - consumed;
            z.next_in = (Bytef *)(x->data + consumed);
            z.avail_in = left > (1u << 30) ? (1u << 30) : (uInt)left;
            z.next_out = chunk;
            z.avail_out = sizeof(chunk);
            uInt before_in = z.avail_in;
            zrc = inflate(&z, Z_NO_FLUSH);
            consumed += before_in - z.avail_in;
            size_t produced = sizeof(chunk) - z.avail_out;
            if (produced && (rc = ic_extract_output(x, &out, chunk, produced)) != IC_OK)
                break;
            if (zrc == Z_STREAM_END)
                break;
            if (zrc != Z_OK || (produced == 0 && before_in == z.avail_in) ||
                ic_extract_expired(x)) {
                broken = 1;
                break;
            }
        }
        inflateEnd(&z);
        if (rc || broken) {
            /* A first member that breaks early is a false magic, not damaged gzip. */
            int ran_out = consumed >= x->size;
            uint64_t used = consumed - start;
            if (members == 0 && !rc && !(ran_out && out.len > 0) &&
                (used < 1024 || out.len < used / 2)) {
                ic_buf_release(&out);
                return IC_E_DECOMPRESS; /* not gzip after all */
            }
            ic_extract_diag(x, IC_DIAG_ERROR, rc ? rc : IC_E_DECOMPRESS, (int64_t)start,
                            "gzip member %u %s after %zu bytes of output", members + 1,
                            rc ? ic_error_message(rc) : "is corrupt or truncated", out.len);
            break;
        }
        members++;
    }
    if (members == 0 && out.len == 0) {
        ic_buf_release(&out);
        return IC_E_DECOMPRESS;
    }
    ic_extract_set_extent(x, consumed);
    ic_extract_set_info(x, "%u member%s, %zu bytes", members ? members : 1, members > 1 ? "s" : "",
                        out.len);
    rc = ic_extract_content_from_buf(x, &out);
    ic_buf_release(&out);
    return rc;
}

const struct ic_format ic_format_gzip = {
    .name = "gzip",
    .description = "gzip compressed data",
    .magics = IC_MAGICS({"\x1f\x8b\x08", 3, 0}),
    .unpack = gzip_unpack,
};
