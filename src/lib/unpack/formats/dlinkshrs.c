/* D-Link SHRS encrypted firmware (DIR-3060, DIR-867, DIR-878, DIR-882 and
 * others): magic "SHRS", the decrypted and the encrypted length (big-endian),
 * the AES-128-CBC IV, three SHA-512 digests (of the plaintext with the key
 * appended, of the plaintext, of the ciphertext at 0x9c), then the
 * ciphertext from 0x6dc. The ciphertext digest is checked; the payload is
 * reported as encrypted, not carved as unknown data. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#define SHRS_CIPHERTEXT 0x6dcu
#define SHRS_DIGEST_OF_CIPHERTEXT 0x9cu

static int dlinkshrs_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < 12 || memcmp(h, "SHRS", 4) != 0)
        return IC_E_BAD_MAGIC;
    uint32_t plain_len = ic_load_u32be(h + 4), cipher_len = ic_load_u32be(h + 8);
    /* AES-CBC with padding: whole blocks, at most one block more than the plaintext. */
    if (cipher_len == 0 || cipher_len % 16 != 0 || cipher_len < plain_len ||
        cipher_len - plain_len > 16)
        return IC_E_FORMAT;
    if (x->size < SHRS_CIPHERTEXT)
        return ic_vendor_header_cut(x, "encrypted: D-Link SHRS", SHRS_CIPHERTEXT);
    uint64_t end = (uint64_t)SHRS_CIPHERTEXT + cipher_len;
    uint64_t present = cipher_len;
    if (end > x->size) {
        present = x->size - SHRS_CIPHERTEXT;
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 8,
                        "ciphertext of %u bytes declared, only %llu present", cipher_len,
                        (unsigned long long)present);
        end = x->size;
    } else {
        uint8_t digest[64];
        if (ic_vendor_sha512(h + SHRS_CIPHERTEXT, cipher_len, digest) == IC_OK &&
            memcmp(digest, h + SHRS_DIGEST_OF_CIPHERTEXT, 64) != 0)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, SHRS_DIGEST_OF_CIPHERTEXT,
                            "SHA-512 of the ciphertext does not match the header");
    }
    ic_extract_set_extent(x, end);
    ic_vendor_encrypted(x, "D-Link SHRS", "AES-128-CBC", SHRS_CIPHERTEXT, present);
    ic_extract_set_info(x, "encrypted: D-Link SHRS, AES-128-CBC, %u bytes of ciphertext for %u "
                           "bytes of firmware",
                        cipher_len, plain_len);
    return IC_OK;
}

const struct ic_format ic_format_dlinkshrs = {
    .name = "dlinkshrs",
    .description = "D-Link SHRS encrypted firmware",
    .magics = IC_MAGICS({"SHRS", 4, 0}),
    .unpack = dlinkshrs_unpack,
};
