/* Linksys (Cybertan) code pattern header, as OpenWrt's addpattern writes it
 * for the WRT54G family: 32 bytes before a TRX. A model pattern of four
 * printable bytes ("W54G", "W54S", "WR54", ...), four reserved bytes, the
 * build date (years since 2000, month, day), the firmware version (three
 * numbers), the id "U2ND" at 14, the hardware version, a reserved byte, a
 * 16-bit flags field and ten reserved bytes. The header has no checksum of
 * its own; the TRX after it (always there: a header without one is not
 * taken) has one. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define CODE_HEADER 32u
#define CODE_ID_AT 14u

static int pattern_ok(const uint8_t *p)
{
    for (int i = 0; i < 4; i++)
        if (p[i] < 0x20 || p[i] >= 0x7f)
            return 0;
    return 1;
}

static int linksys_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < CODE_ID_AT + 4 || memcmp(h + CODE_ID_AT, "U2ND", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (!pattern_ok(h))
        return IC_E_FORMAT;
    uint8_t month = h[9], day = h[10];
    if (month < 1 || month > 12 || day < 1 || day > 31)
        return IC_E_FORMAT;
    char pattern[5];
    ic_vendor_string(h, 4, pattern, sizeof(pattern));
    /* addpattern always wraps a TRX: without one this is a stray "U2ND". */
    if (x->size < CODE_HEADER + 8 || memcmp(h + CODE_HEADER, "HDR0", 4) != 0)
        return IC_E_FORMAT;
    uint64_t end = CODE_HEADER + (uint64_t)ic_load_u32le(h + CODE_HEADER + 4);
    if (end > x->size)
        end = x->size; /* the TRX reports what is missing */
    ic_extract_set_extent(x, end);
    ic_vendor_part(x, CODE_HEADER, end - CODE_HEADER, end, "trx", "trx");
    ic_extract_set_info(x,
                        "Linksys code pattern '%s', built 20%02u-%02u-%02u, firmware v%u.%u.%u, "
                        "hardware %u, flags 0x%04x",
                        pattern, h[8], month, day, h[11], h[12], h[13], h[18],
                        ic_load_u16le(h + 20));
    return IC_OK;
}

const struct ic_format ic_format_linksys = {
    .name = "linksys",
    .description = "Linksys/Cybertan code pattern header (addpattern)",
    .magics = IC_MAGICS({"U2ND", 4, CODE_ID_AT}),
    .unpack = linksys_unpack,
};
