/* Helpers shared by the flash readers (UBI, UBIFS, NAND dumps): the CRC-32
 * UBI and UBIFS use, and the block decompressors of UBIFS data nodes. */
#ifndef IC_UNPACK_FLASH_H
#define IC_UNPACK_FLASH_H

#include <stddef.h>
#include <stdint.h>

/* CRC-32 (reflected 0xedb88320) seeded with all ones and not inverted at the
 * end, as UBI and UBIFS store it. */
uint32_t ic_flash_crc32(const uint8_t *p, size_t n);

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
