/* cpio: SVR4 "newc" (070701) and "crc" (070702) with hex fields, POSIX odc
 * (070707) with octal fields, and the old binary format (0x71c7 in either
 * byte order). Each entry is a header, its name and its data; the archive
 * ends with an entry named TRAILER!!!, and writers pad it to 512 bytes.
 * The extent comes from walking the headers here; libarchive then reads
 * exactly that much. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>

#define MAX_NAME 65536
#define PAD_BLOCK 512

enum cpio_kind { CPIO_NEWC, CPIO_ODC, CPIO_BIN_LE, CPIO_BIN_BE, CPIO_NONE };

struct cpio_header {
    uint64_t header_len;
    uint64_t namesize;
    uint64_t filesize;
    uint32_t mode;
    unsigned align; /* name and data end on multiples of this */
};

static enum cpio_kind kind_at(const uint8_t *p, uint64_t avail)
{
    if (avail >= 6 && (memcmp(p, "070701", 6) == 0 || memcmp(p, "070702", 6) == 0))
        return CPIO_NEWC;
    if (avail >= 6 && memcmp(p, "070707", 6) == 0)
        return CPIO_ODC;
    if (avail >= 2 && p[0] == 0xc7 && p[1] == 0x71)
        return CPIO_BIN_LE;
    if (avail >= 2 && p[0] == 0x71 && p[1] == 0xc7)
        return CPIO_BIN_BE;
    return CPIO_NONE;
}

/* A fixed-width number made only of digits in base 8 or 16; -1 if not. */
static int64_t number_field(const uint8_t *p, size_t len, unsigned base)
{
    int64_t value = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned digit;
        if (p[i] >= '0' && p[i] <= '9')
            digit = p[i] - '0';
        else if (base == 16 && p[i] >= 'a' && p[i] <= 'f')
            digit = p[i] - 'a' + 10;
        else if (base == 16 && p[i] >= 'A' && p[i] <= 'F')
            digit = p[i] - 'A' + 10;
        else
            return -1;
        if (digit >= base)
            return -1;
        value = value * base + digit;
    }
    return value;
}

static int valid_mode(uint32_t mode)
{
    switch (mode & 0170000) {
    case 0100000:
    case 0040000:
    case 0120000:
    case 0020000:
    case 0060000:
    case 0010000:
    case 0140000:
        return 1;
    default:
        return mode == 0; /* the trailer */
    }
}

/* Parses the header at p (avail bytes) of the given kind. */
static int parse_header(enum cpio_kind kind, const uint8_t *p, uint64_t avail,
                        struct cpio_header *h)
{
    int64_t mode, namesize, filesize;
    switch (kind) {
    case CPIO_NEWC:
        h->header_len = 110;
        h->align = 4;
        if (avail < h->header_len)
            return IC_E_TRUNCATED;
        for (size_t i = 6; i < 110; i += 8)
            if (number_field(p + i, 8, 16) < 0)
                return IC_E_FORMAT;
        mode = number_field(p + 14, 8, 16);
        filesize = number_field(p + 54, 8, 16);
        namesize = number_field(p + 94, 8, 16);
        break;
    case CPIO_ODC:
        h->header_len = 76;
        h->align = 1;
        if (avail < h->header_len)
            return IC_E_TRUNCATED;
        for (size_t i = 6; i < 76; i++)
            if (p[i] < '0' || p[i] > '7')
                return IC_E_FORMAT;
        mode = number_field(p + 18, 6, 8);
        namesize = number_field(p + 59, 6, 8);
        filesize = number_field(p + 65, 11, 8);
        break;
    case CPIO_BIN_LE:
    case CPIO_BIN_BE: {
        int be = kind == CPIO_BIN_BE;
        h->header_len = 26;
        h->align = 2;
        if (avail < h->header_len)
            return IC_E_TRUNCATED;
        mode = ic_load_u16(p + 6, be);
        namesize = ic_load_u16(p + 20, be);
        filesize = ((int64_t)ic_load_u16(p + 22, be) << 16) | ic_load_u16(p + 24, be);
        break;
    }
    default:
        return IC_E_BAD_MAGIC;
    }
    if (mode < 0 || namesize < 2 || namesize > MAX_NAME || filesize < 0 ||
        !valid_mode((uint32_t)mode))
        return IC_E_FORMAT;
    h->mode = (uint32_t)mode;
    h->namesize = (uint64_t)namesize;
    h->filesize = (uint64_t)filesize;
    return IC_OK;
}

static uint64_t align_up(uint64_t v, unsigned align)
{
    uint64_t rem = v % align;
    return rem ? v + (align - rem) : v;
}

struct cpio_walk {
    uint64_t end; /* bytes of the archive */
    uint64_t entries;
    int trailer;       /* ended with TRAILER!!! */
    int truncated;     /* an entry runs past the data */
    int64_t damage_at; /* where an unreadable header sits, or -1 */
};

static int walk(const uint8_t *data, uint64_t size, enum cpio_kind kind, struct cpio_walk *w)
{
    uint64_t pos = 0;
    w->damage_at = -1;
    while (pos < size) {
        struct cpio_header h;
        int rc = kind_at(data + pos, size - pos) == kind
                     ? parse_header(kind, data + pos, size - pos, &h)
                     : IC_E_BAD_MAGIC;
        if (rc == IC_OK && !ic_range_ok(pos + h.header_len, h.namesize, size))
            rc = IC_E_TRUNCATED;
        if (rc == IC_OK && data[pos + h.header_len + h.namesize - 1] != '\0')
            rc = IC_E_FORMAT;
        if (rc != IC_OK) {
            if (pos == 0)
                return rc;
            if (rc == IC_E_TRUNCATED) {
                w->truncated = 1;
                pos = size;
            } else {
                w->damage_at = (int64_t)pos;
            }
            break;
        }
        const char *name = (const char *)data + pos + h.header_len;
        uint64_t name_end = align_up(pos + h.header_len + h.namesize, h.align);
        w->entries++;
        if (h.namesize == 11 && memcmp(name, "TRAILER!!!", 11) == 0) {
            w->trailer = 1;
            pos = name_end + align_up(h.filesize, h.align);
            if (pos > size)
                pos = size;
            break;
        }
        if (name_end > size || h.filesize > size - name_end) {
            w->truncated = 1;
            pos = size;
            break;
        }
        pos = align_up(name_end + h.filesize, h.align);
        if (pos > size)
            pos = size;
    }
    w->end = pos;
    return IC_OK;
}

static int cpio_unpack(struct ic_extract *x)
{
    enum cpio_kind kind = kind_at(x->data, x->size);
    struct cpio_walk w = {0};
    if (kind == CPIO_NONE)
        return IC_E_BAD_MAGIC;
    int rc = walk(x->data, x->size, kind, &w);
    if (rc)
        return rc;
    /* Two bytes of magic are weak: a binary cpio must be whole. */
    if ((kind == CPIO_BIN_LE || kind == CPIO_BIN_BE) && !w.trailer)
        return IC_E_FORMAT;

    static const struct ic_archive_reader reader = {
        .label = "cpio",
        .enable = archive_read_support_format_cpio,
    };
    struct ic_archive_result res;
    rc = ic_archive_read(x, w.end, &reader, &res);
    if (rc)
        return rc;
    if (w.truncated)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)(x->parent_offset + w.end),
                        "cpio entry %llu runs past the end of the data",
                        (unsigned long long)w.entries);
    else if (w.damage_at >= 0)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)x->parent_offset + w.damage_at,
                        "cpio header %llu is unreadable; the archive ends there without a "
                        "trailer",
                        (unsigned long long)w.entries + 1);
    else if (!w.trailer)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_TRUNCATED, (int64_t)(x->parent_offset + w.end),
                        "cpio archive ends without a TRAILER!!! entry");

    uint64_t end = w.end;
    if (w.trailer) {
        uint64_t padded = align_up(end, PAD_BLOCK);
        if (padded <= x->size && ic_archive_all_zero(x->data + end, padded - end))
            end = padded;
    }
    ic_extract_set_extent(x, end);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_cpio = {
    .name = "cpio",
    .description = "cpio archive (newc, crc, odc, old binary)",
    .magics = IC_MAGICS({"070701", 6, 0}, {"070702", 6, 0}, {"070707", 6, 0}, {"\xc7\x71", 2, 0},
                        {"\x71\xc7", 2, 0}),
    .unpack = cpio_unpack,
};
