/* ISO 9660 (with Rock Ridge, Joliet, zisofs, El Torito): 16 sectors of
 * system area, then volume descriptors of 2048 bytes ("CD001" at byte 1)
 * up to a terminator. The primary volume descriptor gives the volume size
 * in logical blocks, both as little- and big-endian numbers. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>

#define SECTOR 2048
#define DESCRIPTORS_AT (16 * SECTOR)
#define MAX_DESCRIPTORS 64
#define VD_PRIMARY 1
#define VD_TERMINATOR 255

static int iso9660_unpack(struct ic_extract *x)
{
    const uint8_t *pvd = NULL;
    for (unsigned i = 0; i < MAX_DESCRIPTORS; i++) {
        uint64_t at = DESCRIPTORS_AT + (uint64_t)i * SECTOR;
        if (!ic_range_ok(at, SECTOR, x->size))
            return IC_E_TRUNCATED;
        const uint8_t *vd = x->data + at;
        if (memcmp(vd + 1, "CD001", 5) != 0 || vd[6] != 1)
            return IC_E_BAD_MAGIC;
        if (vd[0] == VD_PRIMARY && !pvd)
            pvd = vd;
        if (vd[0] == VD_TERMINATOR)
            break;
    }
    if (!pvd)
        return IC_E_FORMAT;
    uint32_t blocks = ic_load_u32le(pvd + 80);
    uint16_t block_size = ic_load_u16le(pvd + 128);
    if (blocks != ic_load_u32be(pvd + 84) || block_size != ic_load_u16be(pvd + 130) ||
        block_size < 512 || block_size > SECTOR || (block_size & (block_size - 1)) != 0)
        return IC_E_FORMAT;
    uint64_t end = (uint64_t)blocks * block_size;
    if (end < DESCRIPTORS_AT + 2 * SECTOR)
        return IC_E_FORMAT;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->parent_offset,
                        "ISO 9660 volume of %llu bytes cut at %llu", (unsigned long long)end,
                        (unsigned long long)x->size);
        end = x->size;
    }

    static const struct ic_archive_reader reader = {
        .label = "iso9660",
        .enable = archive_read_support_format_iso9660,
    };
    struct ic_archive_result res;
    int rc = ic_archive_read(x, end, &reader, &res);
    if (rc == IC_E_BAD_MAGIC) {
        /* The descriptors are sound but too little of the volume is there
         * for libarchive to start: the volume is still this one. */
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)x->parent_offset,
                        "ISO 9660 directory tree unreadable in %llu bytes",
                        (unsigned long long)end);
        ic_extract_set_extent(x, end);
        ic_extract_set_info(x, "ISO 9660 volume, directory tree unreadable");
        return IC_OK;
    }
    if (rc)
        return rc;
    ic_extract_set_extent(x, end);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_iso9660 = {
    .name = "iso9660",
    .description = "ISO 9660 CD-ROM file system",
    .magics = IC_MAGICS({"CD001", 5, 32769}),
    .unpack = iso9660_unpack,
};
