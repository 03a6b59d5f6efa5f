/* A raw NAND dump with the spare (OOB) bytes of every page interleaved:
 * page, spare, page, spare, ... as a chip programmer reads the flash.
 *
 * The geometry is found from where the UBI headers fall: the image starts
 * with a UBI EC header, and the next erase block's EC header sits one erase
 * block of pages plus their spare bytes further on (or, if that block is
 * damaged, two and three blocks further on), which no plain image has. The
 * layer's content is the pages without their spare bytes, carved again (the
 * UBI image then starts at 0). A dump of JFFS2 (which has no headers at
 * fixed places) is told by its node chain: see ic_flash_jffs2_in_nand().
 * Erase blocks whose first spare area carries a bad-block marker are
 * counted and named. */
#include "unpack/flash/flash.h"
#include "unpack/format.h"

#include <stdlib.h>
#include <string.h>

#define EC_HDR_SIZE 64
#define MAX_REPORTED 20

static int ubi_ec_at(const struct ic_extract *x, uint64_t off, uint32_t image_seq)
{
    if (off >= x->size || x->size - off < EC_HDR_SIZE)
        return 0;
    const uint8_t *p = x->data + off;
    if (memcmp(p, "UBI#", 4) != 0 || p[4] != 1)
        return 0;
    if (ic_flash_crc32(p, EC_HDR_SIZE - 4) != ic_load_u32be(p + EC_HDR_SIZE - 4))
        return 0;
    return ic_load_u32be(p + 24) == image_seq;
}

/* Copies len bytes at logical offset off of erase block peb, as if the
 * spare bytes were not there; 0 when the dump ends first. */
static int read_logical(const struct ic_extract *x, const struct ic_nand_geometry *g,
                        uint32_t pages, uint64_t peb, uint64_t off, uint8_t *out, size_t len)
{
    uint64_t unit = g->page + g->spare;
    while (len > 0) {
        uint64_t page = off / g->page, in = off % g->page;
        uint64_t phys = (peb * pages + page) * unit + in;
        size_t n = (size_t)(g->page - in) < len ? (size_t)(g->page - in) : len;
        if (page >= pages || !ic_range_ok(phys, n, x->size))
            return 0;
        memcpy(out, x->data + phys, n);
        out += n;
        len -= n;
        off += n;
    }
    return 1;
}

/* Whether data that crosses page boundaries reads back intact under this
 * geometry: the volume table records (the layout volume) or the data CRC of
 * a static volume's block, in the first erase blocks that have either. -1
 * when no block can tell. */
static int geometry_holds(const struct ic_extract *x, const struct ic_nand_geometry *g,
                          uint32_t pages)
{
    uint8_t ec[EC_HDR_SIZE], vid[EC_HDR_SIZE];
    uint64_t block = (uint64_t)pages * (g->page + g->spare);
    for (uint64_t peb = 0; peb < 16 && (peb + 1) * block <= x->size; peb++) {
        if (!read_logical(x, g, pages, peb, 0, ec, sizeof(ec)) || memcmp(ec, "UBI#", 4) != 0)
            continue;
        uint32_t vid_off = ic_load_u32be(ec + 16), data_off = ic_load_u32be(ec + 20);
        if (!read_logical(x, g, pages, peb, vid_off, vid, sizeof(vid)) ||
            memcmp(vid, "UBI!", 4) != 0 ||
            ic_flash_crc32(vid, EC_HDR_SIZE - 4) != ic_load_u32be(vid + EC_HDR_SIZE - 4))
            continue;
        uint32_t vol_id = ic_load_u32be(vid + 8);
        size_t len = vol_id == 0x7fffefffu ? 8 * 172 : vid[5] == 2 ? ic_load_u32be(vid + 20) : 0;
        if (len == 0 || len > (size_t)pages * g->page)
            continue;
        uint8_t *buf = malloc(len);
        if (!buf)
            return -1;
        int ok = read_logical(x, g, pages, peb, data_off, buf, len);
        if (ok && vol_id == 0x7fffefffu) {
            for (size_t r = 0; r < 8 && ok; r++)
                ok = ic_flash_crc32(buf + r * 172, 168) == ic_load_u32be(buf + r * 172 + 168);
        } else if (ok) {
            ok = ic_flash_crc32(buf, len) == ic_load_u32be(vid + 32);
        }
        free(buf);
        return ok;
    }
    return -1;
}

/* The geometry and erase block (in pages) of an interleaved UBI image, or 0. */
static int find_geometry(const struct ic_extract *x, struct ic_nand_geometry *g,
                         uint32_t *block_pages)
{
    if (!ubi_ec_at(x, 0, ic_load_u32be(x->data + 24)))
        return 0;
    uint32_t seq = ic_load_u32be(x->data + 24);
    /* A plain image (the next EC header at a power of two) is UBI's, not ours. */
    for (uint64_t s = 512; s <= (16u << 20); s <<= 1)
        if (ubi_ec_at(x, s, seq))
            return 0;
    int found = 0;
    for (size_t i = 0; i < ic_nand_geometry_count; i++) {
        const struct ic_nand_geometry *c = &ic_nand_geometries[i];
        for (uint32_t pages = 16; pages <= 1024; pages <<= 1) {
            uint64_t block = (uint64_t)pages * (c->page + c->spare);
            if (!ubi_ec_at(x, block, seq) &&
                !(ubi_ec_at(x, 2 * block, seq) && ubi_ec_at(x, 3 * block, seq)))
                continue;
            /* Several geometries give the same erase block (256 x 528 = 64 x
             * 2112): the one under which page-crossing data checks out wins. */
            int holds = geometry_holds(x, c, pages);
            if (holds == 1 || (holds < 0 && !found)) {
                *g = *c;
                *block_pages = pages;
                found = 1;
                if (holds == 1)
                    return 1;
            }
            break;
        }
    }
    return found;
}

static int nand_unpack(struct ic_extract *x)
{
    if (x->size < 4096)
        return IC_E_BAD_MAGIC;
    struct ic_nand_geometry g;
    uint32_t block_pages = 0;
    const char *holding = "UBI";
    if (!find_geometry(x, &g, &block_pages)) {
        if (!ic_flash_jffs2_in_nand(x->data, x->size, &g, &block_pages))
            return IC_E_BAD_MAGIC;
        holding = "JFFS2";
    }
    uint64_t unit = g.page + g.spare;
    uint64_t pages = x->size / unit;
    ic_extract_set_extent(x, pages * unit);

    struct ic_blob_extent *ext = malloc(pages * sizeof(*ext));
    if (!ext)
        return IC_E_NOMEM;
    uint64_t marked = 0;
    for (uint64_t i = 0; i < pages; i++) {
        ext[i] = (struct ic_blob_extent){x->parent_offset + i * unit, g.page};
        const uint8_t *spare = x->data + i * unit + g.page;
        /* The bad-block marker: spare byte 5 on small pages, byte 0 on large ones. */
        if (i % block_pages == 0 && spare[g.page == 512 ? 5 : 0] != 0xff) {
            if (marked++ < MAX_REPORTED)
                ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)(i * unit),
                                "erase block %llu at 0x%llx is marked bad in its spare area",
                                (unsigned long long)(i / block_pages),
                                (unsigned long long)(i * unit));
        }
    }
    int rc = ic_extract_charge(x, pages * g.page);
    struct ic_blob *content = NULL;
    if (rc == IC_OK)
        rc = ic_blob_from_extents(x->parent, ext, (size_t)pages, &content);
    free(ext);
    if (rc == IC_OK)
        rc = ic_extract_set_content(x, content);
    if (rc)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, -1, "pages not read: %s", ic_error_message(rc));
    ic_extract_set_info(x,
                        "NAND dump of %s, %u+%u-byte pages, %u pages per erase block, %llu pages%s",
                        holding, g.page, g.spare, block_pages, (unsigned long long)pages,
                        marked ? ", some blocks marked bad" : "");
    return IC_OK;
}

const struct ic_format ic_format_nand = {
    .name = "nand",
    .description = "raw NAND dump with spare (OOB) bytes after every page, holding UBI or JFFS2",
    .magics = IC_MAGICS({"UBI#\x01", 5, 0}, {"\x85\x19\x03\x20", 4, 0}, {"\x85\x19\x01\xe0", 4, 0},
                        {"\x85\x19\x02\xe0", 4, 0}, {"\x19\x85\x20\x03", 4, 0},
                        {"\x19\x85\xe0\x01", 4, 0}, {"\x19\x85\xe0\x02", 4, 0}),
    .unpack = nand_unpack,
};
