/* Android boot images (mkbootimg), header versions 0 to 4.
 *
 * Versions 0-2: a page holding the header ("ANDROID!", then 32-bit
 * little-endian kernel size and load address, ramdisk size and address,
 * second-stage size and address, tags address, page size, header version,
 * OS version, board name, command line, id, extra command line; version 1
 * adds the recovery DTBO size and offset and the header size, version 2 the
 * DTB size and address), then the kernel, the ramdisk, the second stage,
 * the recovery DTBO (v1+) and the DTB (v2), each starting on a page
 * boundary. Versions 3 and 4 have a shorter header (kernel size, ramdisk
 * size, OS version, header size, header version at byte 40, command line;
 * v4 adds the boot signature size) and 4096-byte pages: kernel, ramdisk
 * and (v4) signature follow.
 *
 * Each section is a child region named after it; the engine looks into
 * them (the kernel is often gzip- or LZ4-compressed, the ramdisk a
 * compressed cpio archive). Sections that run past the end are cut there
 * with a diagnostic. */
#include "unpack/format.h"

#include <string.h>

#define HEADER_V0 1632
#define HEADER_V3 1580
#define MIN_PAGE 1024u
#define MAX_PAGE 65536u

struct section {
    const char *name;
    uint64_t size;
    uint64_t offset; /* 0: right after the previous one, page aligned */
};

static uint64_t align_up(uint64_t v, uint64_t page)
{
    return (v + page - 1) / page * page;
}

static int androidboot_unpack(struct ic_extract *x)
{
    if (x->size < 48 || memcmp(x->data, "ANDROID!", 8) != 0)
        return IC_E_BAD_MAGIC;
    const uint8_t *h = x->data;
    uint32_t version = ic_load_u32le(h + 40);
    uint32_t page;
    struct section s[5];
    size_t n = 0;
    memset(s, 0, sizeof(s));
    if (version == 3 || version == 4) {
        if (x->size < HEADER_V3 + (version == 4 ? 4 : 0))
            return IC_E_TRUNCATED;
        page = 4096;
        uint32_t header_size = ic_load_u32le(h + 20);
        if (header_size < HEADER_V3 || header_size > page)
            return IC_E_FORMAT;
        s[n++] = (struct section){"kernel", ic_load_u32le(h + 8), 0};
        s[n++] = (struct section){"ramdisk", ic_load_u32le(h + 12), 0};
        if (version == 4)
            s[n++] = (struct section){"signature", ic_load_u32le(h + HEADER_V3), 0};
    } else {
        if (x->size < HEADER_V0)
            return IC_E_TRUNCATED;
        page = ic_load_u32le(h + 36);
        if (page < MIN_PAGE || page > MAX_PAGE || (page & (page - 1)) != 0)
            return IC_E_FORMAT;
        s[n++] = (struct section){"kernel", ic_load_u32le(h + 8), 0};
        s[n++] = (struct section){"ramdisk", ic_load_u32le(h + 16), 0};
        s[n++] = (struct section){"second", ic_load_u32le(h + 24), 0};
        if (version == 1 || version == 2) {
            if (x->size < HEADER_V0 + 16 + (version == 2 ? 12 : 0))
                return IC_E_TRUNCATED;
            s[n++] = (struct section){"recovery_dtbo", ic_load_u32le(h + 1632),
                                      ic_load_u64le(h + 1636)};
            if (version == 2)
                s[n++] = (struct section){"dtb", ic_load_u32le(h + 1648), 0};
        } else if (version != 0) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_UNSUPPORTED, 40,
                            "header version %u unknown: read as version 0", version);
            version = 0;
        }
    }
    if (s[0].size == 0)
        return IC_E_FORMAT; /* a boot image without a kernel is not one */

    uint64_t pos = page, extent = page;
    int cut = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i].size == 0)
            continue;
        /* The recovery DTBO's offset is recorded; believe it only where the
         * layout puts it anyway. */
        uint64_t at = pos;
        if (s[i].offset && s[i].offset != at)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, 1636,
                            "%s offset 0x%llx differs from its place 0x%llx in the layout; the layout is used",
                            s[i].name, (unsigned long long)s[i].offset, (unsigned long long)at);
        uint64_t size = s[i].size;
        if (at >= x->size) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, -1,
                            "%s (%llu bytes) starts past the end of the image", s[i].name,
                            (unsigned long long)size);
            cut = 1;
            break;
        }
        if (size > x->size - at) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                            "%s runs %llu bytes past the end of the image; cut there", s[i].name,
                            (unsigned long long)(size - (x->size - at)));
            size = x->size - at;
            cut = 1;
        }
        int rc = ic_extract_child(x, at, size, NULL, s[i].name);
        if (rc)
            return rc;
        extent = at + size;
        pos = align_up(at + size, page);
        if (cut)
            break;
    }
    if (!cut)
        extent = pos <= x->size ? pos : x->size;
    ic_extract_set_extent(x, extent);
    char name[17];
    memcpy(name, h + 48, 16);
    name[16] = '\0';
    for (size_t i = 0; name[i]; i++)
        if (name[i] < 0x20 || name[i] > 0x7e)
            name[i] = '?';
    if (version >= 3)
        ic_extract_set_info(x, "Android boot image v%u, kernel %llu bytes, ramdisk %llu bytes",
                            version, (unsigned long long)s[0].size, (unsigned long long)s[1].size);
    else
        ic_extract_set_info(x, "Android boot image v%u, %u-byte pages, kernel %llu bytes at 0x%08x, ramdisk %llu bytes at 0x%08x%s%s",
                            version, page, (unsigned long long)s[0].size, ic_load_u32le(h + 12),
                            (unsigned long long)s[1].size, ic_load_u32le(h + 20),
                            name[0] ? ", board " : "", name);
    return IC_OK;
}

const struct ic_format ic_format_androidboot = {
    .name = "androidboot",
    .description = "Android boot image (mkbootimg, header v0-v4)",
    .magics = IC_MAGICS({"ANDROID!", 8, 0}),
    .unpack = androidboot_unpack,
};
