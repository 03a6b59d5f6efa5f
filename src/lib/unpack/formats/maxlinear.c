/* Intel / MaxLinear Puma 7 "unified images" (cable gateways), often after
 * a DER signature: a big-endian header ("VER2" or "VER3", the name
 * "Intel_Unified_Image", seven words, a digest, then the part sizes and the
 * part types: 10 sizes and 10 types in a 160-byte VER2 header, 20 and 20 in
 * a 252-byte VER3 header), then the parts back to back. Each part becomes a
 * file named after its type as fact_extractor names them (2 atomkernel.img,
 * 3 atomrootfs.hsqs, 8 armkernel.img, 9 armrootfs.hsqs, 10 gwrootfs.bin). */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

struct uimg_layout {
    unsigned header, sizes, types, parts;
};

static const struct uimg_layout layout_v2 = {160, 0x5c, 0x84, 10};
static const struct uimg_layout layout_v3 = {252, 0x84, 0xd4, 20};

static const char *part_name(uint8_t type)
{
    switch (type) {
    case 2:
        return "atomkernel.img";
    case 3:
        return "atomrootfs.hsqs";
    case 8:
        return "armkernel.img";
    case 9:
        return "armrootfs.hsqs";
    case 10:
        return "gwrootfs.bin";
    default:
        return NULL;
    }
}

static int uimg_unpack(struct ic_extract *x)
{
    if (x->size < 24 || memcmp(x->data, "VER", 3) != 0 || (x->data[3] != '2' && x->data[3] != '3'))
        return IC_E_BAD_MAGIC;
    if (memcmp(x->data + 4, "Intel_Unified_Image", 19) != 0)
        return IC_E_FORMAT;
    const struct uimg_layout *l = x->data[3] == '2' ? &layout_v2 : &layout_v3;
    if (x->size < l->header)
        return ic_vendor_header_cut(x, "MaxLinear unified image", l->header);
    const uint8_t *h = x->data;
    unsigned count = 0;
    uint64_t total = l->header;
    while (count < l->parts && ic_load_u32be(h + l->sizes + 4 * count) != 0) {
        total += ic_load_u32be(h + l->sizes + 4 * count);
        count++;
    }
    if (count == 0)
        return IC_E_FORMAT;
    uint64_t end = total;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, l->sizes,
                        "parts of %llu bytes declared, only %llu present",
                        (unsigned long long)(total - l->header),
                        (unsigned long long)(x->size - l->header));
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    ic_extract_fs(x);
    uint64_t at = l->header;
    for (unsigned i = 0; i < count && at < end; i++) {
        uint32_t size = ic_load_u32be(h + l->sizes + 4 * i);
        uint64_t present = end - at < size ? end - at : size;
        char path[40];
        const char *name = part_name(h[l->types + i]);
        if (name)
            snprintf(path, sizeof(path), "/%s", name);
        else
            snprintf(path, sizeof(path), "/unknown-%u", i);
        struct ic_blob *content = NULL;
        if (ic_extract_slice(x, at, present, &content) != IC_OK)
            break;
        struct ic_entry e = {
            .path = path, .type = IC_FT_FILE, .mode = 0644, .size = present, .content = content};
        int rc = ic_extract_add_entry(x, &e);
        ic_blob_unref(content);
        if (rc != IC_OK)
            break;
        at += size;
    }
    ic_extract_set_info(x, "MaxLinear/Intel unified image v%c, %u part%s, %llu bytes", x->data[3],
                        count, count == 1 ? "" : "s", (unsigned long long)total);
    return IC_OK;
}

const struct ic_format ic_format_maxlinear = {
    .name = "maxlinear",
    .description = "MaxLinear/Intel Puma unified image (VER2, VER3)",
    .magics = IC_MAGICS({"VER2Intel_Unified_Image", 23, 0}, {"VER3Intel_Unified_Image", 23, 0}),
    .unpack = uimg_unpack,
};
