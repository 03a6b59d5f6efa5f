/* tar: POSIX ustar/pax and GNU tar. A chain of 512-byte headers, each
 * followed by its data padded to 512 bytes, ended by two zero blocks; the
 * writer pads the whole to its record size (20 blocks by default) with zeros. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>

#define BLOCK 512
#define RECORD (20 * BLOCK)
#define CHECKSUM_AT 148
#define CHECKSUM_LEN 8

/* An octal number field: optional leading spaces, digits, then a space or NUL
 * (or the field's end). Returns -1 when malformed. */
static int64_t octal_field(const uint8_t *p, size_t len)
{
    size_t i = 0;
    while (i < len && p[i] == ' ')
        i++;
    if (i == len || p[i] < '0' || p[i] > '7')
        return -1;
    int64_t value = 0;
    for (; i < len && p[i] >= '0' && p[i] <= '7'; i++)
        value = value * 8 + (p[i] - '0');
    if (i < len && p[i] != ' ' && p[i] != '\0')
        return -1;
    return value;
}

/* The header checksum: the sum of all bytes with the checksum field read as
 * spaces. Old writers summed signed chars; both are accepted. */
static int header_checksum_ok(const uint8_t *h)
{
    int64_t stored = octal_field(h + CHECKSUM_AT, CHECKSUM_LEN);
    if (stored < 0)
        return 0;
    int64_t unsigned_sum = 0, signed_sum = 0;
    for (size_t i = 0; i < BLOCK; i++) {
        int in_field = i >= CHECKSUM_AT && i < CHECKSUM_AT + CHECKSUM_LEN;
        unsigned_sum += in_field ? ' ' : h[i];
        signed_sum += in_field ? ' ' : (int8_t)h[i];
    }
    return stored == unsigned_sum || stored == signed_sum;
}

static int tar_unpack(struct ic_extract *x)
{
    if (x->size < BLOCK)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    int posix = memcmp(h + 257, "ustar\0", 6) == 0;
    int gnu = memcmp(h + 257, "ustar  \0", 8) == 0;
    if ((!posix && !gnu) || h[0] == '\0' || !header_checksum_ok(h))
        return IC_E_BAD_MAGIC;

    static const struct ic_archive_reader reader = {
        .label = "tar",
        .enable = archive_read_support_format_tar,
    };
    struct ic_archive_result res;
    int rc = ic_archive_read(x, x->size, &reader, &res);
    if (rc)
        return rc;
    if (res.entries == 0 && !res.reached_end)
        return IC_E_FORMAT;

    uint64_t end = res.reached_end ? res.end : res.good_end;
    if (end < BLOCK)
        end = BLOCK;
    if (res.reached_end) {
        if (end < 2 * BLOCK || !ic_archive_all_zero(x->data + end - BLOCK, BLOCK))
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_TRUNCATED, (int64_t)(x->parent_offset + end),
                            "tar ends without its end-of-archive blocks");
        /* The zero padding up to the end of the writer's record. */
        while (end % RECORD != 0 && ic_range_ok(end, BLOCK, x->size) &&
               ic_archive_all_zero(x->data + end, BLOCK))
            end += BLOCK;
    }
    ic_extract_set_extent(x, end);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_tar = {
    .name = "tar",
    .description = "tar archive (POSIX ustar, pax, GNU)",
    .magics = IC_MAGICS({"ustar", 5, 257}),
    .unpack = tar_unpack,
};
