/* D-Link MH01 (DAP, COVR and M-series images): a 16-byte header (magic
 * "MH01", the offset of the second file counted from the end of the header,
 * its size, a byte-order mark 0x1a2b, 2 unknown bytes) and two files: the
 * first runs from the header to the second. The firmware nests two of them:
 * the outer one holds an inner MH01 and its RSA signature, the inner one the
 * IV (hex text) and the firmware encrypted with "openssl enc" (AES-128-CBC,
 * "Salted__" header, one of D-Link's published keys). The inner image is a
 * child layer; the encrypted firmware is reported as encrypted. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define MH01_HEADER 16u

static int dlinkmh01_unpack(struct ic_extract *x)
{
    if (x->size < MH01_HEADER)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    if (memcmp(h, "MH01", 4) != 0)
        return IC_E_BAD_MAGIC;
    int big;
    if (h[12] == 0x2b && h[13] == 0x1a)
        big = 0;
    else if (h[12] == 0x1a && h[13] == 0x2b)
        big = 1;
    else
        return IC_E_FORMAT;
    uint32_t second_at = ic_load_u32(h + 4, big), second_size = ic_load_u32(h + 8, big);
    if (second_at == 0 && second_size == 0)
        return IC_E_FORMAT;
    uint64_t first_size = second_at;
    uint64_t second = MH01_HEADER + (uint64_t)second_at;
    uint64_t end = second + second_size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 4,
                        "files of %llu bytes declared, only %llu present",
                        (unsigned long long)(end - MH01_HEADER),
                        (unsigned long long)(x->size - MH01_HEADER));
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    const uint8_t *first = h + MH01_HEADER;
    uint64_t first_present = first_size <= end - MH01_HEADER ? first_size : end - MH01_HEADER;
    uint64_t second_present = second < end ? end - second : 0;
    if (first_present >= 4 && memcmp(first, "MH01", 4) == 0) {
        ic_vendor_part(x, MH01_HEADER, first_size, end, "dlinkmh01", "image");
        ic_extract_set_info(x, "D-Link MH01 (%s-endian), signed image: %llu bytes, signature "
                               "%u bytes",
                            big ? "big" : "little", (unsigned long long)first_size, second_size);
    } else if (second_present >= 8 && memcmp(h + second, "Salted__", 8) == 0) {
        char iv[40];
        ic_vendor_string(first, first_present < 32 ? first_present : 32, iv, sizeof(iv));
        ic_vendor_encrypted(x, "D-Link MH01", "OpenSSL enc AES-128-CBC", (int64_t)second,
                            second_present);
        ic_extract_set_info(x, "encrypted: D-Link MH01, OpenSSL enc AES-128-CBC, IV %s, %u bytes",
                            iv, second_size);
    } else {
        ic_vendor_part(x, MH01_HEADER, first_size, end, NULL, "firmware");
        ic_extract_set_info(x, "D-Link MH01 (%s-endian), firmware %llu bytes, trailer %u bytes",
                            big ? "big" : "little", (unsigned long long)first_size, second_size);
    }
    return IC_OK;
}

const struct ic_format ic_format_dlinkmh01 = {
    .name = "dlinkmh01",
    .description = "D-Link MH01 firmware (signed, encrypted inside)",
    .magics = IC_MAGICS({"MH01", 4, 0}),
    .unpack = dlinkmh01_unpack,
};
