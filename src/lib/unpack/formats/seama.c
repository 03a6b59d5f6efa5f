/* D-Link / Alpha Networks SEAMA: a big-endian entity header (magic
 * 0x5ea3a417, 2 reserved bytes, meta size, image size), the MD5 of the image
 * when the image size is not 0, the meta data (NUL-separated "key=value"
 * strings, padded to 4 bytes), then the image. A "sealed" or wrapped
 * firmware is an entity with image size 0 whose meta data (a signature, the
 * model) is followed by the real entity: it is read here as one layer whose
 * child is that inner entity. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define SEAMA_MAGIC 0x5ea3a417u
#define SEAMA_FIXED 12u
#define SEAMA_MD5 16u
#define SEAMA_MAX_META 0x4000u

/* The first meta string, printable, for the info line. */
static void first_meta(const uint8_t *meta, size_t n, char *out, size_t outsz)
{
    size_t i = 0;
    while (i < n && meta[i] == 0)
        i++;
    ic_vendor_string(meta + i, n - i, out, outsz);
}

static int seama_unpack(struct ic_extract *x)
{
    struct ic_cursor c;
    ic_cursor_init(&c, x->data, (size_t)x->size);
    uint32_t magic = 0, size = 0;
    uint16_t reserved = 0, metasize = 0;
    if (ic_cursor_u32be(&c, &magic) || magic != SEAMA_MAGIC)
        return IC_E_BAD_MAGIC;
    if (ic_cursor_u16be(&c, &reserved) || ic_cursor_u16be(&c, &metasize) ||
        ic_cursor_u32be(&c, &size))
        return IC_E_TRUNCATED;
    if (reserved != 0 || metasize > SEAMA_MAX_META)
        return IC_E_FORMAT;
    const uint8_t *md5 = NULL, *meta = NULL;
    if ((size != 0 && ic_cursor_bytes(&c, SEAMA_MD5, &md5)) || ic_cursor_bytes(&c, metasize, &meta))
        return ic_vendor_header_cut(x, "SEAMA", SEAMA_FIXED + (size ? SEAMA_MD5 : 0) + metasize);
    uint64_t header = c.pos;
    char first[64];
    first_meta(meta, metasize, first, sizeof(first));

    if (size == 0) {
        /* Sealed: the wrapped entity follows the meta data. */
        uint64_t rest = x->size - header;
        if (rest < SEAMA_FIXED || ic_load_u32be(x->data + header) != SEAMA_MAGIC) {
            if (metasize == 0)
                return IC_E_FORMAT;
            ic_extract_set_extent(x, header);
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)header,
                            "sealed SEAMA envelope is not followed by a SEAMA entity");
            ic_extract_set_info(x, "SEAMA seal, meta '%s', nothing wrapped", first);
            return IC_OK;
        }
        uint16_t inner_meta = ic_load_u16be(x->data + header + 6);
        uint32_t inner_size = ic_load_u32be(x->data + header + 8);
        uint64_t inner = SEAMA_FIXED + (inner_size ? SEAMA_MD5 : 0) + (uint64_t)inner_meta +
                         inner_size;
        if (inner > rest) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)header,
                            "wrapped SEAMA entity of %llu bytes, only %llu present",
                            (unsigned long long)inner, (unsigned long long)rest);
            inner = rest;
        }
        ic_extract_set_extent(x, header + inner);
        ic_extract_child(x, header, inner, "seama", "sealed");
        ic_extract_set_info(x, "SEAMA seal, meta '%s', wrapping %llu bytes", first,
                            (unsigned long long)inner);
        return IC_OK;
    }

    uint64_t end = header + size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 8,
                        "image of %u bytes declared, only %llu present", size,
                        (unsigned long long)(x->size - header));
        end = x->size;
    } else {
        uint8_t got[16];
        if (ic_vendor_md5_patched(x->data + header, size, 0, NULL, got) == IC_OK &&
            memcmp(got, md5, 16) != 0) {
            char want_hex[33], got_hex[33];
            ic_vendor_hex(md5, 16, want_hex);
            ic_vendor_hex(got, 16, got_hex);
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, SEAMA_FIXED,
                            "image MD5 mismatch: header says %s, data gives %s", want_hex,
                            got_hex);
        }
    }
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, header, size, end, NULL, "image");
    ic_extract_set_info(x, "SEAMA, meta '%s', image %u bytes", first, size);
    return IC_OK;
}

const struct ic_format ic_format_seama = {
    .name = "seama",
    .description = "D-Link SEAMA firmware entity (plain and sealed)",
    .magics = IC_MAGICS({"\x5e\xa3\xa4\x17", 4, 0}),
    .unpack = seama_unpack,
};
