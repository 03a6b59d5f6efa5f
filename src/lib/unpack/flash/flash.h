/* Helpers shared by the flash readers (UBI, UBIFS, NAND dumps, JFFS2): the
 * CRC-32 UBI and UBIFS use, NAND geometries and the JFFS2-in-NAND test, and
 * the block decompressors of UBIFS data nodes. */
#ifndef IC_UNPACK_FLASH_H
#define IC_UNPACK_FLASH_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (reflected 0xedb88320) seeded with all ones and not inverted at the
 * end, as UBI and UBIFS store it. */
uint32_t ic_flash_crc32(const uint8_t *p, size_t n);

/* NAND page geometries (data bytes, spare bytes) of common chips, small
 * pages first. */
struct ic_nand_geometry {
    uint32_t page, spare;
};
extern const struct ic_nand_geometry ic_nand_geometries[];
extern const size_t ic_nand_geometry_count;

/* Whether d (starting with a JFFS2 node) is a raw NAND dump, each page
 * followed by its spare bytes: the node chain of the first erase block reads
 * on across a page boundary once the spare bytes are skipped, and the next
 * erase block starts with a node. Sets the geometry and the erase block in
 * pages when it is. */
int ic_flash_jffs2_in_nand(const uint8_t *d, uint64_t size, struct ic_nand_geometry *g,
                           uint32_t *block_pages);

enum ic_flash_compr {
    IC_FLASH_COMPR_NONE = 0,
    IC_FLASH_COMPR_LZO = 1,
    IC_FLASH_COMPR_ZLIB = 2, /* raw deflate, no zlib header */
    IC_FLASH_COMPR_ZSTD = 3,
};

/* "none", "lzo", "zlib", "zstd" or "unknown". */
const char *ic_flash_compr_name(unsigned type);

/* Decompresses in[0, in_len) into exactly out_len bytes at out. Returns
 * IC_OK, IC_E_DECOMPRESS when the data does not decode to out_len bytes,
 * IC_E_UNSUPPORTED for an unknown type. Thread-safe. */
int ic_flash_decompress(unsigned type, const uint8_t *in, size_t in_len, uint8_t *out,
                        size_t out_len);

#endif
