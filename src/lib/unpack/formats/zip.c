/* ZIP (and JAR, APK, ...): local file headers with data, then the central
 * directory and the end-of-central-directory record (EOCD, possibly with a
 * ZIP64 record and locator before it) and its comment. The extent ends with
 * the first EOCD whose central directory ends right where it starts. Without
 * one the archive is truncated: its local entries are read in stream order. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>

#define LOCAL_HEADER_LEN 30
#define EOCD_LEN 22
#define ZIP64_LOCATOR_LEN 20
#define ZIP64_EOCD_LEN 56

/* Stored, shrunk, reduced, imploded, deflated, deflate64, bzip2, LZMA,
 * TERSE, LZ77, zstd, MP3, xz, JPEG, WavPack, PPMd, AES. */
static int method_known(uint16_t method)
{
    static const uint16_t known[] = {0,  1,  2,  3,  4,  5,  6,  8,  9,  10, 12,
                                     14, 18, 19, 93, 94, 95, 96, 97, 98, 99};
    for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
        if (known[i] == method)
            return 1;
    return 0;
}

static int local_header_ok(const uint8_t *p, uint64_t size)
{
    if (size < LOCAL_HEADER_LEN)
        return 0;
    uint16_t version = ic_load_u16le(p + 4);
    uint16_t method = ic_load_u16le(p + 8);
    uint16_t name_len = ic_load_u16le(p + 26);
    uint16_t extra_len = ic_load_u16le(p + 28);
    if ((version & 0xff) > 100 || !method_known(method) || name_len == 0)
        return 0;
    if (!ic_range_ok(LOCAL_HEADER_LEN, (uint64_t)name_len + extra_len, size))
        return 0;
    return memchr(p + LOCAL_HEADER_LEN, '\0', name_len) == NULL;
}

/* The archive's end if an EOCD at eocd closes a central directory that
 * ends right there; 0 if not. */
static uint64_t end_if_eocd(const uint8_t *data, uint64_t size, uint64_t eocd)
{
    if (!ic_range_ok(eocd, EOCD_LEN, size))
        return 0;
    const uint8_t *e = data + eocd;
    uint16_t disk = ic_load_u16le(e + 4), cd_disk = ic_load_u16le(e + 6);
    uint16_t on_disk = ic_load_u16le(e + 8), total = ic_load_u16le(e + 10);
    uint64_t cd_size = ic_load_u32le(e + 12), cd_offset = ic_load_u32le(e + 16);
    uint16_t comment_len = ic_load_u16le(e + 20);
    if (!ic_range_ok(eocd + EOCD_LEN, comment_len, size))
        return 0;
    uint64_t cd_end = eocd;
    /* Writers may add the ZIP64 records even when every field would fit. */
    int zip64 =
        eocd >= ZIP64_LOCATOR_LEN && memcmp(data + eocd - ZIP64_LOCATOR_LEN, "PK\x06\x07", 4) == 0;
    if (zip64 || total == 0xffff || cd_size == 0xffffffff || cd_offset == 0xffffffff) {
        if (!zip64)
            return 0;
        const uint8_t *loc = data + eocd - ZIP64_LOCATOR_LEN;
        uint64_t rec = ic_load_u64le(loc + 8);
        if (rec > eocd - ZIP64_LOCATOR_LEN || eocd - ZIP64_LOCATOR_LEN - rec < ZIP64_EOCD_LEN ||
            memcmp(data + rec, "PK\x06\x06", 4) != 0)
            return 0;
        cd_size = ic_load_u64le(data + rec + 40);
        cd_offset = ic_load_u64le(data + rec + 48);
        cd_end = rec;
    } else if (disk != 0 || cd_disk != 0 || on_disk != total) {
        return 0;
    }
    if (cd_offset > cd_end || cd_end - cd_offset != cd_size)
        return 0;
    if (cd_size > 0 && (cd_size < 46 || memcmp(data + cd_offset, "PK\x01\x02", 4) != 0))
        return 0;
    return eocd + EOCD_LEN + comment_len;
}

static uint64_t find_end(const uint8_t *data, uint64_t size)
{
    uint64_t pos = LOCAL_HEADER_LEN;
    while (pos + EOCD_LEN <= size) {
        const uint8_t *hit = memmem(data + pos, (size_t)(size - pos), "PK\x05\x06", 4);
        if (!hit)
            break;
        uint64_t at = (uint64_t)(hit - data);
        uint64_t end = end_if_eocd(data, size, at);
        if (end)
            return end;
        pos = at + 1;
    }
    return 0;
}

/* Where a central directory starting at pos ends, or the end of the data
 * when it is cut short (a truncated archive's directory is still its own). */
static uint64_t skip_central_directory(const uint8_t *data, uint64_t size, uint64_t pos)
{
    while (ic_range_ok(pos, 4, size) && memcmp(data + pos, "PK\x01\x02", 4) == 0) {
        if (!ic_range_ok(pos, 46, size))
            return size;
        uint64_t len = 46 + (uint64_t)ic_load_u16le(data + pos + 28) +
                       ic_load_u16le(data + pos + 30) + ic_load_u16le(data + pos + 32);
        if (!ic_range_ok(pos, len, size))
            return size;
        pos += len;
    }
    return pos;
}

static int zip_unpack(struct ic_extract *x)
{
    if (x->size >= 4 && memcmp(x->data, "PK\x05\x06", 4) == 0) {
        /* An empty archive: only its EOCD. */
        if (x->size < EOCD_LEN || !ic_archive_all_zero(x->data + 4, 16))
            return IC_E_BAD_MAGIC;
        uint64_t end = end_if_eocd(x->data, x->size, 0);
        if (!end)
            return IC_E_TRUNCATED;
        ic_extract_set_extent(x, end);
        ic_extract_set_info(x, "empty ZIP archive");
        return IC_OK;
    }
    if (!local_header_ok(x->data, x->size))
        return IC_E_BAD_MAGIC;

    uint64_t end = find_end(x->data, x->size);
    static const struct ic_archive_reader seekable = {
        .label = "zip",
        .enable = archive_read_support_format_zip_seekable,
    };
    static const struct ic_archive_reader streamable = {
        .label = "zip",
        .enable = archive_read_support_format_zip_streamable,
    };
    struct ic_archive_result res;
    int rc;
    if (end) {
        rc = ic_archive_read(x, end, &seekable, &res);
        if (rc)
            return rc;
    } else {
        rc = ic_archive_read(x, x->size, &streamable, &res);
        if (rc)
            return rc;
        if (res.entries == 0)
            return IC_E_FORMAT;
        end = res.damaged ? res.end : res.good_end;
        if (end < LOCAL_HEADER_LEN)
            end = LOCAL_HEADER_LEN;
        end = skip_central_directory(x->data, x->size, end);
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)(x->parent_offset + end),
                        "zip archive has no end of central directory; %llu local entries read",
                        (unsigned long long)res.entries);
    }
    ic_extract_set_extent(x, end);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_zip = {
    .name = "zip",
    .description = "ZIP archive (also JAR, APK)",
    .magics = IC_MAGICS({"PK\x03\x04", 4, 0}, {"PK\x05\x06", 4, 0}),
    .unpack = zip_unpack,
};
