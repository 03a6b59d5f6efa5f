/* Xiaomi router firmware (OpenWrt's xiaomifw layout), little-endian: "HDR1"
 * (48-byte header: signature offset, CRC, 2 unused bytes, a 16-bit device
 * id, 8 blob offsets) or "HDR2" (80 bytes: device and region as 8-byte
 * strings, 8 blob offsets at 48). Each blob has a 48-byte header (magic
 * 0x0000babe, flash offset, size, type, name[32]) followed by its data; an
 * RSA signature block of 272 bytes (size, 12 bytes padding, 256 bytes) sits
 * at the signature offset and ends the image. The CRC, stored inverted, is
 * the CRC-32 of everything from the end of the header to the signature.
 * The blobs become the files of this layer, named as in their headers, so
 * each is looked into like any other file. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define HDR_SIGNATURE_BLOCK 272u
#define HDR_BLOB_HEADER 48u
#define HDR_BLOB_MAGIC 0x0000babeu
#define HDR_MAX_BLOBS 8u

static int xiaomihdr_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "HDR", 3) != 0 || (x->data[3] != '1' && x->data[3] != '2'))
        return IC_E_BAD_MAGIC;
    int v2 = x->data[3] == '2';
    uint32_t header = v2 ? 80u : 48u, offsets_at = v2 ? 48u : 16u;
    if (x->size < header)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    uint32_t sig_off = ic_load_u32le(h + 4), stored_crc = ic_load_u32le(h + 8);
    uint32_t first = ic_load_u32le(h + offsets_at);
    if (sig_off < header || first < header || first >= sig_off)
        return IC_E_FORMAT;

    uint64_t end = (uint64_t)sig_off + HDR_SIGNATURE_BLOCK;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 4,
                        "image of %llu bytes (signature at %u) runs past the end of the data "
                        "(%llu bytes)",
                        (unsigned long long)end, sig_off, (unsigned long long)x->size);
        end = x->size;
    }
    if (sig_off <= x->size) {
        uint32_t crc = ~ic_vendor_crc32(h + header, sig_off - header);
        if (crc != stored_crc)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 8,
                            "CRC mismatch: header says 0x%08x, data gives 0x%08x", stored_crc,
                            crc);
    }
    ic_extract_set_extent(x, end);
    ic_extract_fs(x);

    unsigned blobs = 0;
    for (unsigned i = 0; i < HDR_MAX_BLOBS; i++) {
        uint32_t at = ic_load_u32le(h + offsets_at + 4 * i);
        if (at == 0)
            break;
        if (!ic_range_ok(at, HDR_BLOB_HEADER, end) || ic_load_u32le(x->data + at) != HDR_BLOB_MAGIC) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, offsets_at + 4 * i,
                            "blob %u at %u has no blob header", i, at);
            continue;
        }
        const uint8_t *b = x->data + at;
        uint32_t size = ic_load_u32le(b + 8);
        char name[40];
        ic_vendor_string(b + 16, 32, name + 1, sizeof(name) - 1);
        name[0] = '/';
        if (name[1] == '\0')
            snprintf(name, sizeof(name), "/blob%u", i);
        uint64_t data_at = (uint64_t)at + HDR_BLOB_HEADER, present = size;
        if (!ic_range_ok(data_at, size, end)) {
            present = data_at < end ? end - data_at : 0;
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                            "blob '%s' of %u bytes cut to %llu", name + 1, size,
                            (unsigned long long)present);
        }
        struct ic_blob *content = NULL;
        if (present && ic_extract_slice(x, data_at, present, &content) != IC_OK)
            break;
        struct ic_entry e = {.path = name, .type = IC_FT_FILE, .mode = 0644, .size = present,
                             .content = content};
        int rc = ic_extract_add_entry(x, &e);
        ic_blob_unref(content);
        if (rc != IC_OK)
            break;
        blobs++;
    }
    char device[20];
    if (v2) {
        char model[9], region[9];
        ic_vendor_string(h + 16, 8, model, sizeof(model));
        ic_vendor_string(h + 24, 8, region, sizeof(region));
        snprintf(device, sizeof(device), "%s/%s", model, region);
    } else {
        snprintf(device, sizeof(device), "0x%04x", ic_load_u16le(h + 14));
    }
    ic_extract_set_info(x, "Xiaomi HDR%c, device %s, %u blob%s, signature at %u", h[3], device,
                        blobs, blobs == 1 ? "" : "s", sig_off);
    return IC_OK;
}

const struct ic_format ic_format_xiaomihdr = {
    .name = "xiaomihdr",
    .description = "Xiaomi router firmware (HDR1, HDR2)",
    .magics = IC_MAGICS({"HDR1", 4, 0}, {"HDR2", 4, 0}),
    .unpack = xiaomihdr_unpack,
};
