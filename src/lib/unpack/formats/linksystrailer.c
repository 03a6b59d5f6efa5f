/* Trailers that Linksys factory images end with, each carrying the POSIX
 * cksum(1) of every byte before it, as 8 upper-case hex digits:
 *   ".LINKSYS." + "01000409" + device type[15] (space padded) + cksum[8] +
 *   "0"[8] + "K0000000F0246434"-style flags[16] + 192 zero bytes: 256 bytes,
 *   sometimes followed by a newline (EA/MR/MX series, OpenWrt's
 *   linksys-image);
 *   ".GEMTEK." + cksum[8]: 16 bytes (Gemtek-made Linksys devices, OpenWrt's
 *   gemtek-trailer).
 * The trailer is a layer of its own; what it covers (everything before it
 * in the parent) is carved as usual. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define LINKSYS_TRAILER 256u
#define LINKSYS_CKSUM_AT 32u
#define GEMTEK_TRAILER 16u

static int parse_hex8(const uint8_t *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < 8; i++) {
        uint8_t ch = p[i];
        unsigned d;
        if (ch >= '0' && ch <= '9')
            d = ch - '0';
        else if (ch >= 'A' && ch <= 'F')
            d = ch - 'A' + 10;
        else if (ch >= 'a' && ch <= 'f')
            d = ch - 'a' + 10;
        else
            return -1;
        v = v << 4 | d;
    }
    *out = v;
    return 0;
}

/* Checks the cksum of the parent's bytes before the trailer. */
static void check_covered(struct ic_extract *x, uint32_t stored, int64_t field_at)
{
    int err = 0;
    const uint8_t *all = ic_blob_data(x->parent, &err);
    if (!all || err) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, field_at,
                        "the %llu bytes before the trailer could not be read to check its cksum",
                        (unsigned long long)x->parent_offset);
        return;
    }
    uint32_t computed = ic_vendor_posix_cksum(all, x->parent_offset);
    if (computed != stored)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, field_at,
                        "cksum of the %llu bytes before the trailer mismatch: trailer says "
                        "%08X, data gives %08X",
                        (unsigned long long)x->parent_offset, stored, computed);
}

static int linksys_signature(struct ic_extract *x)
{
    const uint8_t *t = x->data;
    if (x->size < LINKSYS_CKSUM_AT + 8)
        return IC_E_TRUNCATED;
    uint32_t stored = 0;
    if (parse_hex8(t + LINKSYS_CKSUM_AT, &stored))
        return IC_E_FORMAT;
    for (unsigned i = 9; i < 17; i++)
        if (t[i] < '0' || t[i] > '9')
            return IC_E_FORMAT;
    char type[16];
    ic_vendor_string(t + 17, 15, type, sizeof(type));
    for (size_t n = strlen(type); n > 0 && type[n - 1] == ' '; n--)
        type[n - 1] = '\0';
    if (x->size < LINKSYS_TRAILER)
        return ic_vendor_header_cut(x, "Linksys signature trailer", LINKSYS_TRAILER);
    check_covered(x, stored, LINKSYS_CKSUM_AT);
    uint64_t extent = LINKSYS_TRAILER;
    if (x->size > LINKSYS_TRAILER && t[LINKSYS_TRAILER] == '\n')
        extent++;
    ic_extract_set_extent(x, extent);
    ic_extract_set_info(x, "Linksys signature trailer, version %.8s, type '%s', covers %llu bytes",
                        (const char *)t + 9, type, (unsigned long long)x->parent_offset);
    return IC_OK;
}

static int gemtek_trailer(struct ic_extract *x)
{
    uint32_t stored = 0;
    if (x->size < GEMTEK_TRAILER || parse_hex8(x->data + 8, &stored))
        return IC_E_FORMAT;
    check_covered(x, stored, 8);
    ic_extract_set_extent(x, GEMTEK_TRAILER);
    ic_extract_set_info(x, "Gemtek trailer, covers %llu bytes",
                        (unsigned long long)x->parent_offset);
    return IC_OK;
}

static int linksystrailer_unpack(struct ic_extract *x)
{
    if (x->size >= 9 && memcmp(x->data, ".LINKSYS.", 9) == 0)
        return linksys_signature(x);
    if (x->size >= 8 && memcmp(x->data, ".GEMTEK.", 8) == 0)
        return gemtek_trailer(x);
    return IC_E_BAD_MAGIC;
}

const struct ic_format ic_format_linksystrailer = {
    .name = "linksystrailer",
    .description = "Linksys signature and Gemtek checksum trailers",
    .magics = IC_MAGICS({".LINKSYS.", 9, 0}, {".GEMTEK.", 8, 0}),
    .unpack = linksystrailer_unpack,
};
