/* Helpers shared by the vendor firmware containers (unpack/formats/tplink.c,
 * netgearchk.c, seama.c, ubnt.c and the encrypted-image readers): the
 * checksums vendors put in their headers, header strings made printable, and
 * one way to report an encrypted payload. Nothing here allocates. */
#ifndef IC_UNPACK_VENDOR_H
#define IC_UNPACK_VENDOR_H

#include "unpack/format.h"

#include <stddef.h>
#include <stdint.h>

/* CRC-32 as zlib computes it (reflected, initial and final inversion). */
uint32_t ic_vendor_crc32(const uint8_t *data, uint64_t size);
/* The POSIX cksum(1) checksum of data[0, size): CRC-32 (polynomial 0x04c11db7,
 * most significant bit first) of the data followed by its length in the
 * fewest little-endian bytes, inverted. */
uint32_t ic_vendor_posix_cksum(const uint8_t *data, uint64_t size);
/* MD5 of data[0, size) where the 16 bytes at patch_at are read as patch
 * instead (patch NULL: plain MD5). patch_at + 16 must be <= size. Returns
 * IC_OK or IC_E_INTERNAL when the digest could not be computed. */
int ic_vendor_md5_patched(const uint8_t *data, uint64_t size, uint64_t patch_at,
                          const uint8_t patch[16], uint8_t out[16]);
/* SHA-512 of data[0, size). */
int ic_vendor_sha512(const uint8_t *data, uint64_t size, uint8_t out[64]);

/* Copies a fixed-size header string up to its first NUL into out (size
 * outsz), replacing what is not printable ASCII (and quotes) with '?'. */
void ic_vendor_string(const uint8_t *field, size_t n, char *out, size_t outsz);

/* Lowercase hex of n bytes into out (2n + 1 bytes). */
void ic_vendor_hex(const uint8_t *bytes, size_t n, char *out);

/* Declares data[offset, offset + size) as a child region, cut to what is
 * present before limit (the layer's extent), with a diagnostic naming `what`
 * when it is cut or starts past the end. Returns 1 when declared. */
int ic_vendor_part(struct ic_extract *x, uint64_t offset, uint64_t size, uint64_t limit,
                   const char *hint, const char *what);

/* Accepts a header that the data cuts short (only called when the magic is
 * strong and the data ends inside the header): the extent is all that is
 * left, with an IC_E_TRUNCATED error naming the container. Returns IC_OK. */
int ic_vendor_header_cut(struct ic_extract *x, const char *container, uint64_t header_size);

/* Reports that data[offset, offset + size) is encrypted with the vendor's
 * scheme (a warning with IC_E_ENCRYPTED naming the scheme and cipher); the
 * payload is not declared as a child, so it is not carved as unknown data. */
void ic_vendor_encrypted(struct ic_extract *x, const char *scheme, const char *cipher,
                         uint64_t offset, uint64_t size);

#endif
