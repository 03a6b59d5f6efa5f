/* ar (Unix archives: static libraries, Debian .deb, OpenWrt .ipk): the magic
 * "!<arch>\n", then members, each a 60-byte text header ending in "`\n"
 * with a decimal size, and data padded to an even length. GNU ("/", "//")
 * and BSD ("#1/NN", "__.SYMDEF") name conventions are both in use. */
#include "unpack/archive_reader.h"

#include <archive.h>
#include <string.h>

#define MAGIC_LEN 8
#define MEMBER_HEADER_LEN 60

/* The decimal size field (10 bytes, space padded); -1 when malformed. */
static int64_t member_size(const uint8_t *h)
{
    const uint8_t *p = h + 48;
    int64_t value = 0;
    size_t i = 0;
    if (p[0] < '0' || p[0] > '9')
        return -1;
    for (; i < 10 && p[i] >= '0' && p[i] <= '9'; i++)
        value = value * 10 + (p[i] - '0');
    for (; i < 10; i++)
        if (p[i] != ' ')
            return -1;
    return value;
}

static int header_ok(const uint8_t *h)
{
    if (h[58] != '`' || h[59] != '\n')
        return 0;
    for (size_t i = 0; i < 58; i++)
        if (h[i] < 0x20 && h[i] != 0)
            return 0;
    return member_size(h) >= 0;
}

/* Symbol tables are index data for the linker, not members ("ar t" hides them). */
static int is_symbol_table(const char *path)
{
    return strcmp(path, "/") == 0 || strcmp(path, "//") == 0 || strcmp(path, "/SYM64/") == 0 ||
           strncmp(path, "__.SYMDEF", 9) == 0;
}

static int ar_unpack(struct ic_extract *x)
{
    if (x->size < MAGIC_LEN + MEMBER_HEADER_LEN || !header_ok(x->data + MAGIC_LEN))
        return IC_E_BAD_MAGIC;
    uint64_t pos = MAGIC_LEN;
    uint64_t members = 0;
    int truncated = 0;
    while (ic_range_ok(pos, MEMBER_HEADER_LEN, x->size) && header_ok(x->data + pos)) {
        uint64_t size = (uint64_t)member_size(x->data + pos);
        uint64_t data_at = pos + MEMBER_HEADER_LEN;
        members++;
        if (size > x->size - data_at) {
            truncated = 1;
            pos = x->size;
            break;
        }
        pos = data_at + size;
        if ((size & 1) && pos < x->size && x->data[pos] == '\n')
            pos++;
    }
    if (truncated)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)(x->parent_offset + pos),
                        "ar member %llu runs past the end of the data",
                        (unsigned long long)members);

    static const struct ic_archive_reader reader = {
        .label = "ar",
        .enable = archive_read_support_format_ar,
        .skip_entry = is_symbol_table,
    };
    struct ic_archive_result res;
    int rc = ic_archive_read(x, pos, &reader, &res);
    if (rc)
        return rc;
    ic_extract_set_extent(x, pos);
    ic_archive_set_info(x, &res);
    return IC_OK;
}

const struct ic_format ic_format_ar = {
    .name = "ar",
    .description = "ar archive (static library, .deb, .ipk)",
    .magics = IC_MAGICS({"!<arch>\n", 8, 0}),
    .unpack = ar_unpack,
};
