/* TP-Link firmware for VxWorks routers (TL-WR702N and kin): a big-endian
 * 0x80-byte IMG0 header ("IMG0", total size counted from the magic, device
 * id, language, then at 0x40 up to eight (offset, length) sections counted
 * from the magic, the first right after the header). An image as delivered carries
 * a 20-byte prefix (a word and an MD5 whose salt is not published) before
 * its IMG0; the prefix is only recognised at the start of a layer, since
 * its bytes say nothing of themselves. The outer image's one section holds
 * the boot loader and a nested IMG0 whose sections are the LZMA operating
 * system, the "owowowow" web file system and a trailer. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define IMG0_PREFIX 20u
#define IMG0_HEADER 0x80u
#define IMG0_TABLE 0x40u /* the sections: (offset, length) pairs */
#define IMG0_MAX_SECTIONS 8u

static const char *language_name(uint16_t code)
{
    switch (code) {
    case 0x0001:
        return "Chinese";
    case 0x1101:
        return "English";
    default:
        return "unknown";
    }
}

static const char *section_name(const uint8_t *at, uint64_t avail, unsigned index, unsigned count)
{
    if (avail >= 8 && memcmp(at, "owowowow", 8) == 0)
        return "fs";
    if (avail >= 4 && memcmp(at, "IMG0", 4) == 0)
        return "image";
    if (count == 1)
        return "firmware";
    return index == 0 ? "os" : NULL;
}

static int img0_unpack(struct ic_extract *x)
{
    uint64_t base = 0;
    if (x->parent_offset == 0 && x->size >= IMG0_PREFIX + 4 &&
        memcmp(x->data + IMG0_PREFIX, "IMG0", 4) == 0 && memcmp(x->data, "IMG0", 4) != 0)
        base = IMG0_PREFIX;
    else if (x->size < 4 || memcmp(x->data, "IMG0", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size - base < IMG0_HEADER)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data + base;
    uint32_t size = ic_load_u32be(h + 4), first = ic_load_u32be(h + IMG0_TABLE);
    uint16_t device = ic_load_u16be(h + 8), language = ic_load_u16be(h + 10);
    if (size < IMG0_HEADER || first != IMG0_HEADER)
        return IC_E_FORMAT;
    uint32_t offs[IMG0_MAX_SECTIONS], lens[IMG0_MAX_SECTIONS];
    unsigned count = 0;
    for (unsigned i = 0; i < IMG0_MAX_SECTIONS; i++) {
        uint32_t off = ic_load_u32be(h + IMG0_TABLE + 8 * i);
        uint32_t len = ic_load_u32be(h + IMG0_TABLE + 4 + 8 * i);
        if (off == 0 && len == 0)
            break;
        if (off < IMG0_HEADER || (uint64_t)off + len > size)
            return IC_E_FORMAT;
        offs[count] = off;
        lens[count] = len;
        count++;
    }
    if (count == 0)
        return IC_E_FORMAT;

    uint64_t end = base + (uint64_t)size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)base + 4,
                        "IMG0 of %u bytes declared, only %llu present", size,
                        (unsigned long long)(x->size - base));
        end = x->size;
    }
    ic_extract_set_extent(x, end);
    for (unsigned i = 0; i < count; i++) {
        uint64_t at = base + offs[i];
        const char *name =
            section_name(x->data + (at < end ? at : end), at < end ? end - at : 0, i, count);
        char fallback[16];
        if (!name) {
            snprintf(fallback, sizeof(fallback), "section%u", i + 1);
            name = fallback;
        }
        /* The VxWorks system is LZMA with properties the carver does not look for. */
        ic_vendor_part(x, at, lens[i], end, strcmp(name, "os") == 0 ? "lzma" : NULL, name);
    }
    char prefix[64] = "";
    if (base) {
        char md5[33];
        ic_vendor_hex(x->data + 4, 16, md5);
        snprintf(prefix, sizeof(prefix), ", prefix MD5 %s (not checked)", md5);
    }
    ic_extract_set_info(x, "TP-Link IMG0, device 0x%04x, language %s (0x%04x), %u section%s%s",
                        device, language_name(language), language, count, count == 1 ? "" : "s",
                        prefix);
    return IC_OK;
}

const struct ic_format ic_format_tplinkimg0 = {
    .name = "tplinkimg0",
    .description = "TP-Link VxWorks firmware (IMG0)",
    .magics = IC_MAGICS({"IMG0", 4, 0}, {"IMG0", 4, IMG0_PREFIX}),
    .unpack = img0_unpack,
};
