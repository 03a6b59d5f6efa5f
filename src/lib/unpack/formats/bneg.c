/* Instar (IP camera) BNEG firmware: a 20-byte little-endian header
 * ("BNEG", major and minor version, the sizes of two partitions) followed by
 * the partitions back to back. They become the files /partition_1.bin and
 * /partition_2.bin of this layer (the names fact_extractor gives them), so
 * each is looked into like any other file. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define BNEG_HEADER 20u
#define BNEG_PARTITIONS 2u
#define BNEG_MAX_VERSION 255u

static int bneg_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "BNEG", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < BNEG_HEADER)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    uint32_t major = ic_load_u32le(h + 4), minor = ic_load_u32le(h + 8);
    uint32_t sizes[BNEG_PARTITIONS] = {ic_load_u32le(h + 12), ic_load_u32le(h + 16)};
    if (major > BNEG_MAX_VERSION || minor > BNEG_MAX_VERSION || (sizes[0] == 0 && sizes[1] == 0))
        return IC_E_FORMAT;
    uint64_t end = BNEG_HEADER + (uint64_t)sizes[0] + sizes[1];
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 12,
                        "partitions of %u and %u bytes run past the end of the data (%llu bytes)",
                        sizes[0], sizes[1], (unsigned long long)x->size);
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    ic_extract_fs(x);
    uint64_t at = BNEG_HEADER;
    for (unsigned i = 0; i < BNEG_PARTITIONS; i++) {
        uint64_t present = at < end ? end - at : 0;
        if (present > sizes[i])
            present = sizes[i];
        if (sizes[i] == 0)
            continue;
        char path[32];
        snprintf(path, sizeof(path), "/partition_%u.bin", i + 1);
        struct ic_blob *content = NULL;
        if (present && ic_extract_slice(x, at, present, &content) != IC_OK)
            break;
        struct ic_entry e = {.path = path, .type = IC_FT_FILE, .mode = 0644, .size = present,
                             .content = content};
        int rc = ic_extract_add_entry(x, &e);
        ic_blob_unref(content);
        if (rc != IC_OK)
            break;
        at += sizes[i];
    }
    ic_extract_set_info(x, "Instar BNEG v%u.%u, partitions of %u and %u bytes", major, minor,
                        sizes[0], sizes[1]);
    return IC_OK;
}

const struct ic_format ic_format_bneg = {
    .name = "bneg",
    .description = "Instar BNEG camera firmware",
    .magics = IC_MAGICS({"BNEG", 4, 0}),
    .unpack = bneg_unpack,
};
