/* Ubiquiti firmware (.bin, mkfwimage layout), big-endian: a header block
 * ("UBNT" from Ubiquiti, "OPEN" from OpenWrt's mkfwimage: magic, 256-byte
 * version string, CRC-32 of magic and version, pad), then blocks: "PART"
 * (name, flash addresses, index, data size, partition size, then the data
 * and a CRC-32 of the block header and data plus a pad word), "EXEC" (same
 * shape), and one end block, "END." or "ENDS" (signed), with a CRC-32 of
 * everything before it. Each partition becomes a child region named after
 * it ("kernel", "rootfs", "u-boot"). */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define UBNT_HEADER 268u   /* magic, version[256], crc, pad */
#define UBNT_PART_HEAD 56u /* magic, name[16], pad[12], six u32 */
#define UBNT_END 12u       /* magic, crc, pad */
#define UBNT_MAX_PARTS 64u

static int ubnt_unpack(struct ic_extract *x)
{
    const uint8_t *d = x->data;
    if (x->size < 4 || (memcmp(d, "UBNT", 4) != 0 && memcmp(d, "OPEN", 4) != 0))
        return IC_E_BAD_MAGIC;
    char version[257];
    if (x->size < UBNT_HEADER + 4) {
        /* Cut short: accepted only when what is left of the version looks like
         * one ("XM.ar7240.v5.6.3..."): text with no spaces and some dots. */
        ic_vendor_string(d + 4, x->size - 4 < 256 ? (size_t)x->size - 4 : 256, version,
                         sizeof(version));
        unsigned dots = 0;
        for (const char *p = version; *p; p++)
            dots += *p == '.';
        if (x->size >= 16 && strlen(version) >= 8 && dots >= 2 && !strpbrk(version, "? "))
            return ic_vendor_header_cut(x, "Ubiquiti", UBNT_HEADER);
        return IC_E_TRUNCATED;
    }
    ic_vendor_string(d + 4, 256, version, sizeof(version));
    /* The version is printable text: a stray magic in data is refused here. */
    if (version[0] == '\0' || strchr(version, '?'))
        return IC_E_FORMAT;
    uint32_t header_crc = ic_load_u32be(d + 260);
    if (memcmp(d + UBNT_HEADER, "PART", 4) != 0 && memcmp(d + UBNT_HEADER, "EXEC", 4) != 0)
        return IC_E_FORMAT;
    if (ic_vendor_crc32(d, 260) != header_crc)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 260,
                        "header CRC mismatch: header says 0x%08x, data gives 0x%08x", header_crc,
                        ic_vendor_crc32(d, 260));

    uint64_t pos = UBNT_HEADER;
    unsigned parts = 0;
    const char *ending = NULL;
    char names[160] = "";
    while (parts < UBNT_MAX_PARTS) {
        if (!ic_range_ok(pos, 4, x->size)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "image ends before its end block");
            break;
        }
        const uint8_t *b = d + pos;
        if (memcmp(b, "END.", 4) == 0 || memcmp(b, "ENDS", 4) == 0) {
            ending = memcmp(b, "ENDS", 4) == 0 ? "signed" : "unsigned";
            if (!ic_range_ok(pos, UBNT_END, x->size)) {
                ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                                "end block cut short");
                pos = x->size;
                break;
            }
            uint32_t crc = ic_load_u32be(b + 4), got = ic_vendor_crc32(d, pos);
            if (crc != got)
                ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)pos + 4,
                                "image CRC mismatch: end block says 0x%08x, data gives 0x%08x",
                                crc, got);
            pos += UBNT_END;
            break;
        }
        if (memcmp(b, "PART", 4) != 0 && memcmp(b, "EXEC", 4) != 0) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)pos,
                            "unknown block where a PART or END block was expected");
            break;
        }
        if (!ic_range_ok(pos, UBNT_PART_HEAD, x->size)) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "partition header cut short");
            pos = x->size;
            break;
        }
        char name[17];
        ic_vendor_string(b + 4, 16, name, sizeof(name));
        if (memcmp(b, "EXEC", 4) == 0 && name[0] == '\0')
            snprintf(name, sizeof(name), "exec");
        uint32_t data_size = ic_load_u32be(b + 48);
        uint64_t data_at = pos + UBNT_PART_HEAD;
        uint64_t block = UBNT_PART_HEAD + (uint64_t)data_size + 8;
        if (!ic_range_ok(pos, block, x->size)) {
            ic_vendor_part(x, data_at, data_size, x->size, NULL, name[0] ? name : "partition");
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "partition '%s' of %u bytes runs past the end", name, data_size);
            pos = x->size;
            parts++;
            break;
        }
        uint32_t crc = ic_load_u32be(d + data_at + data_size),
                 got = ic_vendor_crc32(b, UBNT_PART_HEAD + (uint64_t)data_size);
        if (crc != got) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)(data_at + data_size),
                            "partition '%s' CRC mismatch: block says 0x%08x, data gives 0x%08x",
                            name, crc, got);
        }
        ic_vendor_part(x, data_at, data_size, x->size, NULL, name[0] ? name : "partition");
        size_t used = strlen(names);
        if (used + strlen(name) + 2 < sizeof(names))
            snprintf(names + used, sizeof(names) - used, "%s%s", used ? " " : "", name);
        parts++;
        pos += block;
    }
    if (parts == 0 && !ending)
        return IC_E_FORMAT;
    ic_extract_set_extent(x, pos);
    ic_extract_set_info(x, "Ubiquiti %.4s, version '%s', %u partition%s (%s), %s", (const char *)d,
                        version, parts, parts == 1 ? "" : "s", names,
                        ending ? ending : "no end block");
    return IC_OK;
}

const struct ic_format ic_format_ubnt = {
    .name = "ubnt",
    .description = "Ubiquiti firmware image (UBNT/OPEN header, PART blocks)",
    .magics = IC_MAGICS({"UBNT", 4, 0}, {"OPEN", 4, 0}),
    .unpack = ubnt_unpack,
};
