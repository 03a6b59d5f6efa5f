/* Linksys (Cybertan) "CHDR" header of the E8350 and its kin (OpenWrt's
 * linksys-addfwhdr): 16 little-endian bytes, "CHDR", the file length
 * (header included), a CRC and a reserved word (1). The CRC is CRC-32 run
 * over the reserved word and the payload, starting from 0xffffffff and
 * without the final inversion (eCos' cyg_crc32_accumulate). */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <zlib.h>

#define CHDR_HEADER 16u

static int linksyschdr_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < 4 || memcmp(h, "CHDR", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < CHDR_HEADER)
        return ic_vendor_header_cut(x, "Linksys CHDR", CHDR_HEADER);
    uint32_t length = ic_load_u32le(h + 4), stored = ic_load_u32le(h + 8);
    uint32_t reserved = ic_load_u32le(h + 12);
    if (length <= CHDR_HEADER || reserved > 0xff)
        return IC_E_FORMAT;
    uint64_t end = length;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 4,
                        "image of %u bytes runs past the end of the data (%llu bytes)", length,
                        (unsigned long long)x->size);
        end = x->size;
    } else {
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, h + 12, (uInt)(length - 12));
        uint32_t computed = (uint32_t)crc ^ 0xffffffffu;
        if (computed != stored)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 8,
                            "CRC mismatch: header says 0x%08x, data gives 0x%08x", stored,
                            computed);
    }
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, CHDR_HEADER, length - CHDR_HEADER, end, NULL, "image");
    ic_extract_set_info(x, "Linksys CHDR header, %u bytes", length);
    return IC_OK;
}

const struct ic_format ic_format_linksyschdr = {
    .name = "linksyschdr",
    .description = "Linksys/Cybertan CHDR firmware header (E8350)",
    .magics = IC_MAGICS({"CHDR", 4, 0}),
    .unpack = linksyschdr_unpack,
};
