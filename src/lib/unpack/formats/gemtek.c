/* Gemtek header of Linksys WRT100/WRT110 and Airlink101 AR725W images
 * (OpenWrt's mkheader_gemtek): 32 little-endian bytes, "GMTK", a version of
 * four ASCII digits ("1007"), product id, image size (header included),
 * CRC-32 of the whole image computed with the CRC field zeroed, a "fast"
 * checksum, build[4] and language[4] ("EN"); a uImage follows. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <zlib.h>

#define GEMTEK_HEADER 32u
#define GEMTEK_CRC_AT 16u

static int gemtek_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < 4 || memcmp(h, "GMTK", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < 8)
        return IC_E_TRUNCATED;
    for (int i = 4; i < 8; i++)
        if (h[i] < '0' || h[i] > '9')
            return IC_E_FORMAT;
    if (x->size < GEMTEK_HEADER)
        return ic_vendor_header_cut(x, "Gemtek", GEMTEK_HEADER);
    uint32_t product = ic_load_u32le(h + 8), image_size = ic_load_u32le(h + 12);
    uint32_t stored = ic_load_u32le(h + GEMTEK_CRC_AT);
    if (image_size <= GEMTEK_HEADER)
        return IC_E_FORMAT;
    uint64_t end = image_size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 12,
                        "image of %u bytes runs past the end of the data (%llu bytes)", image_size,
                        (unsigned long long)x->size);
        end = x->size;
    } else {
        static const uint8_t zero[4] = {0, 0, 0, 0};
        uLong crc = crc32(0L, Z_NULL, 0);
        crc = crc32(crc, h, GEMTEK_CRC_AT);
        crc = crc32(crc, zero, 4);
        crc = crc32(crc, h + GEMTEK_CRC_AT + 4, (uInt)(image_size - GEMTEK_CRC_AT - 4));
        if ((uint32_t)crc != stored)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, GEMTEK_CRC_AT,
                            "CRC mismatch: header says 0x%08x, data gives 0x%08x", stored,
                            (uint32_t)crc);
    }
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, GEMTEK_HEADER, image_size - GEMTEK_HEADER, end, "uimage", "image");
    char lang[5];
    ic_vendor_string(h + 28, 4, lang, sizeof(lang));
    ic_extract_set_info(x, "Gemtek header, version %.4s, product 0x%08x, language '%s', %u bytes",
                        (const char *)h + 4, product, lang, image_size);
    return IC_OK;
}

const struct ic_format ic_format_gemtek = {
    .name = "gemtek",
    .description = "Gemtek firmware header (Linksys WRT100/WRT110)",
    .magics = IC_MAGICS({"GMTK", 4, 0}),
    .unpack = gemtek_unpack,
};
