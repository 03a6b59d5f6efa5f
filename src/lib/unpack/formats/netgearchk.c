/* Netgear .chk (mkchkimg layout): a big-endian header of 40 bytes plus the
 * board id string ("U12H072T00_NETGEAR"), whose length is the header length
 * minus 40, then the kernel and the root file system back to back. The
 * header carries Netgear's own 32-bit checksum (two running sums folded to
 * 16 bits each) of the kernel, of the rootfs, of both together and of the
 * header itself with its own checksum field zeroed. A rootfs length of 0
 * means the kernel part holds everything (often a TRX). The 8 reserved
 * bytes hold the region code and the seven numbers of "V1.0.0.22_1.0.17". */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define CHK_FIXED_HEADER 40u
#define CHK_MAX_BOARD_ID 256u
#define CHK_HEADER_CHECKSUM_AT 36u

struct netgear_sum {
    uint32_t c0, c1;
};

static void sum_add(struct netgear_sum *s, const uint8_t *p, uint64_t n)
{
    uint32_t c0 = s->c0, c1 = s->c1;
    for (uint64_t i = 0; i < n; i++) {
        c0 += p[i];
        c1 += c0;
    }
    s->c0 = c0;
    s->c1 = c1;
}

static uint32_t fold16(uint32_t v)
{
    uint32_t b = (v & 0xffff) + (v >> 16);
    return ((b >> 16) + b) & 0xffff;
}

static uint32_t sum_final(const struct netgear_sum *s)
{
    return (fold16(s->c1) << 16) | fold16(s->c0);
}

static uint32_t netgear_sum(const uint8_t *p, uint64_t n)
{
    struct netgear_sum s = {0, 0};
    sum_add(&s, p, n);
    return sum_final(&s);
}

static void check_sum(struct ic_extract *x, const char *what, int64_t field_at, uint32_t stored,
                      uint32_t computed)
{
    if (stored != computed)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, field_at,
                        "%s checksum mismatch: header says 0x%08x, data gives 0x%08x", what,
                        stored, computed);
}

static int netgearchk_unpack(struct ic_extract *x)
{
    struct ic_cursor c;
    ic_cursor_init(&c, x->data, (size_t)x->size);
    uint32_t magic = 0, header_len = 0, kernel_sum = 0, rootfs_sum = 0, kernel_len = 0,
             rootfs_len = 0, image_sum = 0, header_sum = 0;
    const uint8_t *reserved = NULL;
    if (ic_cursor_u32be(&c, &magic) || magic != 0x2a23245eu)
        return IC_E_BAD_MAGIC;
    if (ic_cursor_u32be(&c, &header_len))
        return IC_E_TRUNCATED;
    if (header_len < CHK_FIXED_HEADER || header_len > CHK_FIXED_HEADER + CHK_MAX_BOARD_ID)
        return IC_E_FORMAT;
    if (header_len > x->size)
        return ic_vendor_header_cut(x, "Netgear chk", header_len);
    if (ic_cursor_bytes(&c, 8, &reserved) || ic_cursor_u32be(&c, &kernel_sum) ||
        ic_cursor_u32be(&c, &rootfs_sum) || ic_cursor_u32be(&c, &kernel_len) ||
        ic_cursor_u32be(&c, &rootfs_len) || ic_cursor_u32be(&c, &image_sum) ||
        ic_cursor_u32be(&c, &header_sum))
        return IC_E_TRUNCATED; /* cannot happen: header_len >= 40 bytes are present */
    if (kernel_len == 0)
        return IC_E_FORMAT;

    char board[CHK_MAX_BOARD_ID + 1];
    ic_vendor_string(x->data + CHK_FIXED_HEADER, header_len - CHK_FIXED_HEADER, board,
                     sizeof(board));

    /* The header's own checksum, with its field read as zero. */
    struct netgear_sum hs = {0, 0};
    static const uint8_t zero[4] = {0, 0, 0, 0};
    sum_add(&hs, x->data, CHK_HEADER_CHECKSUM_AT);
    sum_add(&hs, zero, 4);
    sum_add(&hs, x->data + CHK_FIXED_HEADER, header_len - CHK_FIXED_HEADER);
    check_sum(x, "header", CHK_HEADER_CHECKSUM_AT, header_sum, sum_final(&hs));

    uint64_t total = (uint64_t)header_len + kernel_len + rootfs_len;
    uint64_t end = total;
    if (total > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 24,
                        "kernel (%u bytes) and rootfs (%u bytes) run past the end of the data "
                        "(%llu bytes)",
                        kernel_len, rootfs_len, (unsigned long long)x->size);
        end = x->size;
    } else {
        const uint8_t *k = x->data + header_len, *r = k + kernel_len;
        check_sum(x, "kernel", 16, kernel_sum, netgear_sum(k, kernel_len));
        if (rootfs_len)
            check_sum(x, "rootfs", 20, rootfs_sum, netgear_sum(r, rootfs_len));
        check_sum(x, "image", 32, image_sum, netgear_sum(k, (uint64_t)kernel_len + rootfs_len));
    }
    ic_extract_set_extent(x, end);
    unsigned parts = ic_vendor_part(x, header_len, kernel_len, end, NULL, "kernel");
    parts += ic_vendor_part(x, (uint64_t)header_len + kernel_len, rootfs_len, end, NULL, "rootfs");
    ic_extract_set_info(x, "Netgear chk, board '%s', region %u, version %u.%u.%u.%u_%u.%u.%u, %u part%s",
                        board, reserved[0], reserved[1], reserved[2], reserved[3], reserved[4],
                        reserved[5], reserved[6], reserved[7], parts, parts == 1 ? "" : "s");
    return IC_OK;
}

const struct ic_format ic_format_netgearchk = {
    .name = "netgearchk",
    .description = "Netgear .chk firmware header",
    .magics = IC_MAGICS({"\x2a\x23\x24\x5e", 4, 0}),
    .unpack = netgearchk_unpack,
};
