/* Whether a JFFS2 image is seen through a raw NAND dump, its pages
 * interleaved with their spare (OOB) bytes (see flash.h). */
#include "unpack/flash/flash.h"

#include "core/cursor.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define JFFS2_HEADER 12
#define JFFS2_MAGIC 0x1985

const struct ic_nand_geometry ic_nand_geometries[] = {
    {512, 16},   {2048, 64},  {2048, 128}, {4096, 128},
    {4096, 224}, {4096, 256}, {8192, 448}, {8192, 512},
};
const size_t ic_nand_geometry_count = sizeof(ic_nand_geometries) / sizeof(ic_nand_geometries[0]);

/* JFFS2's CRC-32: seeded with 0, not inverted at the end. */
static uint32_t jffs2_crc(const uint8_t *p, size_t n)
{
    return (uint32_t)crc32(0xffffffffUL, p, (uInt)n) ^ 0xffffffffu;
}

/* A node header of a known type with a good CRC; its total length in *len. */
static int node_header(const uint8_t *p, int be, uint32_t *len)
{
    if (ic_load_u16(p, be) != JFFS2_MAGIC)
        return 0;
    uint16_t type = ic_load_u16(p + 2, be);
    if (type != 0xe001 && type != 0xe002 && type != 0x2003 && type != 0x2004 && type != 0x2006 &&
        type != 0xe008 && type != 0xe009)
        return 0;
    *len = ic_load_u32(p + 4, be);
    return *len >= JFFS2_HEADER && jffs2_crc(p, 8) == ic_load_u32(p + 8, be);
}

/* Reads n bytes at logical offset off of erase block 0, skipping spare bytes. */
static int read_logical(const uint8_t *d, uint64_t size, const struct ic_nand_geometry *g,
                        uint64_t block_bytes, uint64_t off, uint8_t *out, size_t n)
{
    while (n > 0) {
        uint64_t page = off / g->page, in = off % g->page;
        uint64_t phys = page * (g->page + g->spare) + in;
        size_t take = (size_t)(g->page - in) < n ? (size_t)(g->page - in) : n;
        if (off >= block_bytes || !ic_range_ok(phys, take, size))
            return 0;
        memcpy(out, d + phys, take);
        out += take;
        n -= take;
        off += take;
    }
    return 1;
}

/* Whether an inode or directory entry node, read whole, checks out: its
 * node CRC and its data or name CRC. -1 for other node types. */
static int node_checks_out(const uint8_t *n, uint32_t len, int be)
{
    uint16_t type = ic_load_u16(n + 2, be);
    if (type == 0xe002 && len >= 68) {
        uint32_t csize = ic_load_u32(n + 48, be);
        return jffs2_crc(n, 60) == ic_load_u32(n + 64, be) && csize <= len - 68 &&
               jffs2_crc(n + 68, csize) == ic_load_u32(n + 60, be);
    }
    if (type == 0xe001 && len >= 40) {
        uint8_t nsize = n[28];
        return jffs2_crc(n, 32) == ic_load_u32(n + 32, be) && nsize <= len - 40 &&
               jffs2_crc(n + 40, nsize) == ic_load_u32(n + 36, be);
    }
    return -1;
}

/* Follows the chain of nodes in erase block 0 under geometry g: 1 when an
 * inode or directory entry node that crosses a page boundary reads back
 * whole with good CRCs (so the spare bytes were where g says), 0 when a
 * header or such a node breaks first, -1 when the chain ends before. */
static int chain_holds(const uint8_t *d, uint64_t size, int be, const struct ic_nand_geometry *g,
                       uint32_t pages)
{
    uint64_t block_bytes = (uint64_t)pages * g->page, off = 0;
    uint8_t h[JFFS2_HEADER];
    for (unsigned steps = 0; steps < 4096; steps++) {
        if (!read_logical(d, size, g, block_bytes, off, h, sizeof(h)))
            return -1;
        if (ic_load_u32le(h) == 0xffffffffu)
            return -1; /* erased: the rest of the block is free */
        uint32_t len = 0;
        if (!node_header(h, be, &len) || len > block_bytes - off)
            return 0;
        if (off / g->page != (off + len - 1) / g->page) {
            uint8_t *node = malloc(len);
            if (!node)
                return -1;
            int ok = read_logical(d, size, g, block_bytes, off, node, len)
                         ? node_checks_out(node, len, be)
                         : -1;
            free(node);
            if (ok >= 0)
                return ok;
        }
        off += ((uint64_t)len + 3) & ~3ull;
    }
    return -1;
}

int ic_flash_jffs2_in_nand(const uint8_t *d, uint64_t size, struct ic_nand_geometry *g,
                           uint32_t *block_pages)
{
    uint32_t len = 0;
    if (size < 4096)
        return 0;
    int be = ic_load_u16le(d) != JFFS2_MAGIC;
    if (!node_header(d, be, &len))
        return 0;
    for (size_t i = 0; i < ic_nand_geometry_count; i++) {
        const struct ic_nand_geometry *c = &ic_nand_geometries[i];
        for (uint32_t pages = 16; pages <= 1024; pages <<= 1) {
            uint64_t block = (uint64_t)pages * (c->page + c->spare);
            if (block + JFFS2_HEADER > size || !node_header(d + block, be, &len))
                continue;
            if (chain_holds(d, size, be, c, pages) == 1) {
                *g = *c;
                *block_pages = pages;
                return 1;
            }
        }
    }
    return 0;
}
