/* Broadcom TRX: a little-endian header ("HDR0", total length, CRC-32 of
 * everything from the flags field to the end, flags and version) followed by
 * the offsets of up to three (version 1) or four (version 2) partitions,
 * typically loader, kernel and root file system. An offset of 0 is unused. */
#include "unpack/format.h"

#include <stdio.h>
#include <stdlib.h>
#include <zlib.h>

#define TRX_CRC_START 12
#define TRX_OFFSETS_AT 16
#define TRX_MAX_PARTITIONS 4

static uint32_t trx_crc(const uint8_t *data, uint64_t size)
{
    /* Broadcom keeps the running CRC without the final inversion. */
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        uInt n = size > (1u << 30) ? (1u << 30) : (uInt)size;
        crc = crc32(crc, data, n);
        data += n;
        size -= n;
    }
    return (uint32_t)crc ^ 0xffffffffu;
}

struct trx_partition {
    uint32_t offset;
    unsigned slot;
};

static int partition_cmp(const void *a, const void *b)
{
    const struct trx_partition *x = a, *y = b;
    return (x->offset > y->offset) - (x->offset < y->offset);
}

static int trx_unpack(struct ic_extract *x)
{
    struct ic_cursor c;
    ic_cursor_init(&c, x->data, (size_t)x->size);
    const uint8_t *magic = NULL;
    uint32_t length = 0, stored_crc = 0;
    uint16_t flags = 0, version = 0;
    if (ic_cursor_bytes(&c, 4, &magic) || memcmp(magic, "HDR0", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (ic_cursor_u32le(&c, &length) || ic_cursor_u32le(&c, &stored_crc) ||
        ic_cursor_u16le(&c, &flags) || ic_cursor_u16le(&c, &version))
        return IC_E_TRUNCATED;
    if (version != 1 && version != 2)
        return IC_E_UNSUPPORTED;
    unsigned slots = version == 1 ? 3 : 4;
    uint32_t header_size = TRX_OFFSETS_AT + 4 * slots;
    if (length < header_size)
        return IC_E_FORMAT;

    struct trx_partition parts[TRX_MAX_PARTITIONS];
    unsigned count = 0, bad = 0;
    for (unsigned i = 0; i < slots; i++) {
        uint32_t off = 0;
        if (ic_cursor_u32le(&c, &off))
            return IC_E_TRUNCATED;
        if (off == 0)
            continue;
        if (off < header_size || off >= length)
            bad++;
        else
            parts[count++] = (struct trx_partition){off, i};
    }
    if (count == 0)
        return IC_E_FORMAT; /* no partition at all: a stray "HDR0" */

    uint64_t end = length;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 4,
                        "TRX length %u runs past the end of the data (%llu bytes)", length,
                        (unsigned long long)x->size);
        end = x->size;
    } else {
        uint32_t crc = trx_crc(x->data + TRX_CRC_START, length - TRX_CRC_START);
        if (crc != stored_crc)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 8,
                            "CRC mismatch: header says 0x%08x, data gives 0x%08x", stored_crc,
                            crc);
    }
    if (bad)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, TRX_OFFSETS_AT,
                        "%u partition offset%s outside the image; ignored", bad,
                        bad == 1 ? "" : "s");
    ic_extract_set_extent(x, end);

    /* Each partition runs to the next one, the last to the end of the image. */
    qsort(parts, count, sizeof(parts[0]), partition_cmp);
    unsigned declared = 0;
    for (unsigned i = 0; i < count; i++) {
        if (i + 1 < count && parts[i + 1].offset == parts[i].offset) {
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, TRX_OFFSETS_AT,
                            "partitions %u and %u share offset %u", parts[i].slot,
                            parts[i + 1].slot, parts[i].offset);
            continue;
        }
        uint64_t start = parts[i].offset;
        uint64_t stop = i + 1 < count ? parts[i + 1].offset : length;
        if (start >= end)
            break;
        if (stop > end)
            stop = end;
        char name[16];
        snprintf(name, sizeof(name), "partition%u", parts[i].slot);
        if (ic_extract_child(x, start, stop - start, NULL, name) != IC_OK)
            break;
        declared++;
    }
    ic_extract_set_info(x, "TRX v%u, %u partition%s, flags 0x%04x, %u bytes", version, declared,
                        declared == 1 ? "" : "s", flags, length);
    return IC_OK;
}

const struct ic_format ic_format_trx = {
    .name = "trx",
    .description = "Broadcom TRX firmware container",
    .magics = IC_MAGICS({"HDR0", 4, 0}),
    .unpack = trx_unpack,
};
