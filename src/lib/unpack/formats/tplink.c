/* TP-Link firmware header (mktplinkfw / tpl-tool layout): a 512-byte
 * big-endian header followed by the kernel and the root file system at the
 * offsets it gives. Version 1 has a vendor string at 4; version 2 and 3
 * (mktplinkfw2) a longer version string, 0x55aa at 0x8c and 0xa5 at 0x90.
 * The image MD5 at 0x4c (v1) or 0x40 (v2) is taken over the whole image
 * with that field replaced by a fixed salt, one salt for plain images and
 * another for images that carry a boot loader. A v1 image with a boot
 * loader holds the boot loader at 0x200 and a complete inner image (its own
 * header, kernel and rootfs) at 0x20200. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define TPL_HEADER_SIZE 0x200u
#define TPL_INNER_IMAGE 0x20200u /* the inner image when a boot loader comes first */

static const uint8_t salt_plain[16] = {0xdc, 0xd7, 0x3a, 0xa5, 0xc3, 0x95, 0x98, 0xfb,
                                       0xdd, 0xf9, 0xe7, 0xf4, 0x0e, 0xae, 0x47, 0x38};
static const uint8_t salt_boot[16] = {0x8c, 0xef, 0x33, 0x5b, 0xd5, 0xc5, 0xce, 0xfa,
                                      0xa7, 0x9c, 0x28, 0xda, 0xb2, 0xe9, 0x0f, 0x42};

/* Where each field sits in one header version. */
struct tpl_layout {
    unsigned version_string, version_len, hw_id, md5, kernel_la;
};
static const struct tpl_layout layout_v1 = {0x1c, 36, 0x40, 0x4c, 0x74};
static const struct tpl_layout layout_v2 = {0x04, 48, 0x34, 0x40, 0x68};

static int tplink_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < TPL_HEADER_SIZE) {
        static const char v1[] = "\x01\x00\x00\x00TP-LINK Technologies";
        if (x->size >= sizeof(v1) - 1 && memcmp(h, v1, sizeof(v1) - 1) == 0)
            return ic_vendor_header_cut(x, "TP-Link v1", TPL_HEADER_SIZE);
        return IC_E_TRUNCATED;
    }
    uint32_t version = ic_load_u32be(h);
    const struct tpl_layout *lay;
    if (version == 0x01000000u)
        lay = &layout_v1;
    else if ((version == 0x02000000u || version == 0x03000000u) && ic_load_u16be(h + 0x8c) == 0x55aa &&
             h[0x90] == 0xa5)
        lay = &layout_v2;
    else
        return IC_E_BAD_MAGIC;

    /* Lengths and offsets follow the load address and entry point. */
    const uint8_t *f = h + lay->kernel_la + 8;
    uint32_t fw_length = ic_load_u32be(f), kernel_ofs = ic_load_u32be(f + 4),
             kernel_len = ic_load_u32be(f + 8), rootfs_ofs = ic_load_u32be(f + 12),
             rootfs_len = ic_load_u32be(f + 16), boot_ofs = ic_load_u32be(f + 20),
             boot_len = ic_load_u32be(f + 24);
    if (fw_length < TPL_HEADER_SIZE)
        return IC_E_FORMAT;
    int with_boot = lay == &layout_v1 && boot_len != 0;
    if (!with_boot && kernel_len == 0 && rootfs_len == 0)
        return IC_E_FORMAT;
    if (!with_boot && kernel_len && (kernel_ofs < TPL_HEADER_SIZE || kernel_ofs >= fw_length))
        return IC_E_FORMAT;

    uint64_t end = fw_length;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)(f - h),
                        "image length %u runs past the end of the data (%llu bytes)", fw_length,
                        (unsigned long long)x->size);
        end = x->size;
    } else {
        uint8_t md5[16];
        const uint8_t *stored = h + lay->md5;
        const uint8_t *salt = boot_len ? salt_boot : salt_plain;
        if (ic_vendor_md5_patched(h, fw_length, lay->md5, salt, md5) == IC_OK &&
            memcmp(md5, stored, 16) != 0) {
            char want[33], got[33];
            ic_vendor_hex(stored, 16, want);
            ic_vendor_hex(md5, 16, got);
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, lay->md5,
                            "image MD5 mismatch: header says %s, data gives %s", want, got);
        }
    }
    ic_extract_set_extent(x, end);

    char vendor[25] = "", fwver[49];
    if (lay == &layout_v1)
        ic_vendor_string(h + 4, 24, vendor, sizeof(vendor));
    ic_vendor_string(h + lay->version_string, lay->version_len, fwver, sizeof(fwver));
    uint32_t hw_id = ic_load_u32be(h + lay->hw_id), hw_rev = ic_load_u32be(h + lay->hw_id + 4);

    unsigned parts = 0;
    if (with_boot) {
        /* Boot loader, then a whole inner image with its own header. */
        if (boot_ofs != 0)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)(f - h + 20),
                            "boot loader offset %u ignored: it always follows the header",
                            boot_ofs);
        parts += ic_vendor_part(x, TPL_HEADER_SIZE, boot_len, end, NULL, "bootloader");
        if (end > TPL_INNER_IMAGE)
            parts += ic_vendor_part(x, TPL_INNER_IMAGE, end - TPL_INNER_IMAGE, end, "tplink",
                                    "image");
        else
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, -1,
                            "no room for the inner image at 0x%x", TPL_INNER_IMAGE);
    } else {
        parts += ic_vendor_part(x, kernel_ofs, kernel_len, end, NULL, "kernel");
        if (rootfs_len && rootfs_ofs < kernel_ofs + (uint64_t)kernel_len && rootfs_ofs >= kernel_ofs)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)(f - h + 12),
                            "rootfs offset %u lies inside the kernel", rootfs_ofs);
        else
            parts += ic_vendor_part(x, rootfs_ofs, rootfs_len, end, NULL, "rootfs");
    }
    ic_extract_set_info(x,
                        "TP-Link v%u%s%s, firmware '%s', hardware 0x%08x rev %u, %u bytes%s, "
                        "%u part%s",
                        version >> 24, vendor[0] ? ", vendor " : "", vendor, fwver, hw_id, hw_rev,
                        fw_length, with_boot ? ", boot loader included" : "", parts,
                        parts == 1 ? "" : "s");
    return IC_OK;
}

const struct ic_format ic_format_tplink = {
    .name = "tplink",
    .description = "TP-Link firmware header (v1, v2/v3)",
    .magics = IC_MAGICS({"\x01\x00\x00\x00TP-LINK Technologies", 24, 0},
                        {"\x01\x00\x00\x00OpenWrt\x00", 12, 0},
                        {"\x55\xaa", 2, 0x8c}),
    .unpack = tplink_unpack,
};
