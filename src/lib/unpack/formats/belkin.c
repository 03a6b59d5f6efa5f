/* Belkin factory header (RT1800 and kin; OpenWrt's belkin-header): 32 bytes
 * before the image. A model magic of four bytes ("RT18"), the type 01 and
 * the build date (years since 2000, month, day), the hardware version and
 * the firmware version (three numbers), then the CRC-32 and the length of
 * the image, both big-endian, written twice, and the bytes 5c 78 00 00. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define BELKIN_HEADER 32u
#define BELKIN_TAIL_AT 28u

static int belkin_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < BELKIN_HEADER || memcmp(h + BELKIN_TAIL_AT, "\x5c\x78\x00\x00", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (h[4] != 0x01 || h[6] < 1 || h[6] > 12 || h[7] < 1 || h[7] > 31)
        return IC_E_FORMAT;
    if (memcmp(h + 12, h + 20, 8) != 0)
        return IC_E_FORMAT; /* CRC and length are written twice */
    for (int i = 0; i < 4; i++)
        if (h[i] < 0x20 || h[i] >= 0x7f)
            return IC_E_FORMAT;
    uint32_t stored = ic_load_u32be(h + 12), length = ic_load_u32be(h + 16);
    if (length == 0)
        return IC_E_FORMAT;
    uint64_t end = BELKIN_HEADER + (uint64_t)length;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 16,
                        "image of %u bytes runs past the end of the data (%llu bytes)", length,
                        (unsigned long long)x->size);
        end = x->size;
    } else {
        uint32_t crc = ic_vendor_crc32(h + BELKIN_HEADER, length);
        if (crc != stored)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 12,
                            "CRC mismatch: header says 0x%08x, data gives 0x%08x", stored, crc);
    }
    char model[5];
    ic_vendor_string(h, 4, model, sizeof(model));
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, BELKIN_HEADER, length, end, NULL, "image");
    ic_extract_set_info(x,
                        "Belkin header '%s', built 20%02u-%02u-%02u, hardware %u, firmware "
                        "%u.%u.%u, %u bytes",
                        model, h[5], h[6], h[7], h[8], h[9], h[10], h[11], length);
    return IC_OK;
}

const struct ic_format ic_format_belkin = {
    .name = "belkin",
    .description = "Belkin factory image header",
    .magics = IC_MAGICS({"\x5c\x78\x00\x00", 4, BELKIN_TAIL_AT}),
    .unpack = belkin_unpack,
};
