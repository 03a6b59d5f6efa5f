/* 7z: a 32-byte signature header (magic, version, CRC of the next 20 bytes,
 * offset, size and CRC of the next header), packed streams, then the header
 * at 32 + offset. The archive ends where that header ends. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>
#include <zlib.h>

#define SIGNATURE_HEADER_LEN 32

static int sevenzip_unpack(struct ic_extract *x)
{
    if (x->size < SIGNATURE_HEADER_LEN)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    if (h[6] != 0) /* major version */
        return IC_E_BAD_MAGIC;
    uint32_t start_crc = ic_load_u32le(h + 8);
    if ((uint32_t)crc32(0L, h + 12, 20) != start_crc)
        return IC_E_CHECKSUM;
    uint64_t next_offset = ic_load_u64le(h + 12);
    uint64_t next_size = ic_load_u64le(h + 20);
    if (next_size == 0 || next_offset > UINT64_MAX - SIGNATURE_HEADER_LEN - next_size)
        return IC_E_FORMAT;
    uint64_t end = SIGNATURE_HEADER_LEN + next_offset + next_size;
    int truncated = end > x->size;
    if (truncated) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->parent_offset,
                        "7z archive of %llu bytes cut at %llu", (unsigned long long)end,
                        (unsigned long long)x->size);
        end = x->size;
    } else if ((uint32_t)crc32_z(0L, h + end - next_size, (size_t)next_size) !=
               ic_load_u32le(h + 28)) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_CHECKSUM, (int64_t)x->parent_offset,
                        "7z header checksum mismatch");
    }

    static const struct ic_archive_reader reader = {
        .label = "7z",
        .enable = archive_read_support_format_7zip,
    };
    struct ic_archive_result res;
    int rc = ic_archive_read(x, end, &reader, &res);
    if (rc)
        return rc;
    ic_extract_set_extent(x, end);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_sevenzip = {
    .name = "sevenzip",
    .description = "7-Zip archive",
    .magics = IC_MAGICS({"7z\xbc\xaf\x27\x1c", 6, 0}),
    .unpack = sevenzip_unpack,
};
