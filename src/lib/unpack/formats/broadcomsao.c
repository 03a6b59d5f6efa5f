/* Broadcom SAO images (set-top boxes and cable gateways): objects back to
 * back, each a big-endian 64-byte header ("SOBJ", a header CRC, the type in
 * four letters (META, DTBB, KRNL, RTFS, ...), version, flags, data size at
 * 16, code type at 25, signing type at 26 whose top bit marks encrypted
 * data, the data's CRC-32 at 52) and its data. Each object becomes a file
 * named after its type, as fact_extractor names them. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define SAO_HEADER 64u
#define SAO_MAX_OBJECTS 256u

/* The object's type as a file name: four letters or digits, else objectN. */
static void object_name(const uint8_t *type, unsigned index, unsigned dup, char *out, size_t n)
{
    int ok = 1;
    for (unsigned i = 0; i < 4; i++)
        if (!((type[i] >= 'A' && type[i] <= 'Z') || (type[i] >= 'a' && type[i] <= 'z') ||
              (type[i] >= '0' && type[i] <= '9') || type[i] == '_'))
            ok = 0;
    if (!ok)
        snprintf(out, n, "/object%u", index + 1);
    else if (dup)
        snprintf(out, n, "/%.4s.%u", (const char *)type, dup + 1);
    else
        snprintf(out, n, "/%.4s", (const char *)type);
}

static int sao_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "SOBJ", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < SAO_HEADER)
        return IC_E_TRUNCATED;
    char first[32];
    object_name(x->data + 8, 0, 0, first, sizeof(first));
    if (strncmp(first, "/object", 7) == 0)
        return IC_E_FORMAT; /* the first type is not four letters */
    uint64_t pos = 0;
    unsigned count = 0, encrypted = 0;
    uint8_t types[SAO_MAX_OBJECTS][4];
    ic_extract_fs(x);
    while (count < SAO_MAX_OBJECTS && x->size - pos >= SAO_HEADER &&
           memcmp(x->data + pos, "SOBJ", 4) == 0) {
        const uint8_t *h = x->data + pos;
        uint32_t size = ic_load_u32be(h + 16), crc = ic_load_u32be(h + 52);
        uint64_t at = pos + SAO_HEADER, present = size;
        if (present > x->size - at) {
            present = x->size - at;
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "object %.4s of %u bytes is cut short: %llu bytes present",
                            (const char *)h + 8, size, (unsigned long long)present);
        }
        unsigned dup = 0;
        for (unsigned i = 0; i < count; i++)
            dup += memcmp(types[i], h + 8, 4) == 0;
        memcpy(types[count], h + 8, 4);
        char path[32];
        object_name(h + 8, count, dup, path, sizeof(path));
        count++;
        if (h[26] & 0x80) {
            encrypted++;
            ic_vendor_encrypted(x, "Broadcom SAO", "vendor key", at, present);
        } else if (present == size && ic_vendor_crc32(x->data + at, size) != crc) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)pos + 52,
                            "object %s: data CRC mismatch (header says %08x)", path + 1, crc);
        }
        if (!(h[26] & 0x80)) {
            struct ic_blob *content = NULL;
            if (present && ic_extract_slice(x, at, present, &content) != IC_OK)
                break;
            struct ic_entry e = {.path = path,
                                 .type = IC_FT_FILE,
                                 .mode = 0644,
                                 .size = present,
                                 .content = content};
            int rc = ic_extract_add_entry(x, &e);
            ic_blob_unref(content);
            if (rc != IC_OK)
                break;
        }
        pos = at + present;
    }
    ic_extract_set_extent(x, pos);
    if (encrypted)
        ic_extract_set_info(x, "encrypted: Broadcom SAO, %u object%s, %u encrypted", count,
                            count == 1 ? "" : "s", encrypted);
    else
        ic_extract_set_info(x, "Broadcom SAO, %u object%s", count, count == 1 ? "" : "s");
    return IC_OK;
}

const struct ic_format ic_format_broadcomsao = {
    .name = "broadcomsao",
    .description = "Broadcom SAO image (SOBJ objects)",
    .magics = IC_MAGICS({"SOBJ", 4, 0}),
    .unpack = sao_unpack,
};
