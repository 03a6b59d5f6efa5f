/* DrayTek Vigor 167 (and kin) firmware: a big-endian 256-byte header
 * ("2RDH", header size, image size, CRC-32 of kernel and rootfs, the kernel
 * and rootfs sizes at 0x50, the kernel load address at 0x7c, an encryption
 * flag at 0x8c and a nonce at 0x90), the kernel and the rootfs back to back,
 * then a text trailer: "DrayTekImageMD5\n", the MD5 in 32 hex digits of
 * every byte before the trailer, "\n". The CRC runs from ffffffff without
 * the final inversion. Encrypted images (flag 0x01000000) are ChaCha20 over
 * everything after the header, with a published key: decrypted here when
 * the CRC then holds (the plain image is the layer's content), else reported
 * encrypted. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <openssl/evp.h>

#define DRAYTEK_HEADER 0x100u
#define DRAYTEK_TAG "DrayTekImageMD5\n"
#define DRAYTEK_TAG_LEN 16u
#define DRAYTEK_TRAILER (DRAYTEK_TAG_LEN + 32u + 1u)
#define DRAYTEK_ENCRYPTED 0x01000000u

static int hex_digest(const uint8_t *text, uint8_t out[16])
{
    for (unsigned i = 0; i < 32; i++) {
        uint8_t c = text[i], v;
        if (c >= '0' && c <= '9')
            v = (uint8_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v = (uint8_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v = (uint8_t)(c - 'A' + 10);
        else
            return -1;
        out[i / 2] = (uint8_t)(i % 2 ? out[i / 2] | v : v << 4);
    }
    return 0;
}

/* Checks the trailer at `at` of bytes[0, avail) (the image as stored, or
 * decrypted); returns its length when present, else 0 (with a warning
 * unless quiet). The MD5 covers bytes[0, at). */
static uint64_t check_trailer(struct ic_extract *x, const uint8_t *bytes, uint64_t avail,
                              uint64_t at, int quiet)
{
    if (avail - at < DRAYTEK_TRAILER || memcmp(bytes + at, DRAYTEK_TAG, DRAYTEK_TAG_LEN) != 0 ||
        bytes[at + DRAYTEK_TRAILER - 1] != '\n') {
        if (!quiet)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)at,
                            "the DrayTekImageMD5 trailer is missing or damaged");
        return 0;
    }
    uint8_t want[16], got[16];
    if (hex_digest(bytes + at + DRAYTEK_TAG_LEN, want) != 0) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)at,
                        "the DrayTekImageMD5 trailer holds no MD5");
        return DRAYTEK_TRAILER;
    }
    if (ic_vendor_md5_patched(bytes, at, 0, NULL, got) == IC_OK && memcmp(want, got, 16) != 0) {
        char want_hex[33], got_hex[33];
        ic_vendor_hex(want, 16, want_hex);
        ic_vendor_hex(got, 16, got_hex);
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)at,
                        "image MD5 mismatch: trailer says %s, data gives %s", want_hex, got_hex);
    }
    return DRAYTEK_TRAILER;
}

/* The image with data[0x100, n) decrypted: ChaCha20 (96-bit nonce, counter
 * from 0) keyed by "Vigor167" and the bytes 8..31, nonce the header's word at
 * 0x90 and the bytes 4..11, as DrayTek's published tool has it. The flag
 * and the nonce in the copied header are cleared. */
static int decrypt_image(struct ic_extract *x, uint64_t n, struct ic_buf *out)
{
    uint8_t key[32], iv[16] = {0};
    for (unsigned i = 0; i < sizeof(key); i++)
        key[i] = (uint8_t)i;
    memcpy(key, "Vigor167", 8);
    for (unsigned i = 4; i < 12; i++)
        iv[4 + i] = (uint8_t)i;
    memcpy(iv + 4, x->data + 0x90, 4);
    int rc = ic_extract_output(x, out, x->data, (size_t)n);
    if (rc != IC_OK)
        return rc;
    memset(out->data + 0x8c, 0, 8);
    EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
    if (!ctx || EVP_DecryptInit_ex(ctx, EVP_chacha20(), NULL, key, iv) != 1) {
        EVP_CIPHER_CTX_free(ctx);
        return IC_E_INTERNAL;
    }
    for (uint64_t at = DRAYTEK_HEADER; at < n && rc == IC_OK;) {
        int chunk = n - at > (1u << 30) ? (1 << 30) : (int)(n - at), got = 0;
        if (EVP_DecryptUpdate(ctx, out->data + at, &got, x->data + at, chunk) != 1 || got != chunk)
            rc = IC_E_INTERNAL;
        at += (uint64_t)chunk;
    }
    EVP_CIPHER_CTX_free(ctx);
    return rc;
}

static int draytek_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "2RDH", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < 0x58)
        return IC_E_TRUNCATED;
    const uint8_t *h = x->data;
    uint32_t header = ic_load_u32be(h + 4), image = ic_load_u32be(h + 8);
    uint32_t crc = ic_load_u32be(h + 12);
    uint32_t kernel = ic_load_u32be(h + 0x50), rootfs = ic_load_u32be(h + 0x54);
    uint64_t payload_end = DRAYTEK_HEADER + (uint64_t)kernel + rootfs;
    if (header != DRAYTEK_HEADER || payload_end == DRAYTEK_HEADER ||
        (image != payload_end && image != payload_end + DRAYTEK_TRAILER))
        return IC_E_FORMAT;
    if (x->size < DRAYTEK_HEADER)
        return ic_vendor_header_cut(x, "DrayTek", DRAYTEK_HEADER);
    int encrypted = ic_load_u32be(h + 0x8c) == DRAYTEK_ENCRYPTED;
    int complete = payload_end <= x->size;
    uint64_t limit = complete ? payload_end : x->size;
    if (!complete)
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 8,
                        "image of %u bytes declared, only %llu present", image,
                        (unsigned long long)x->size);

    /* bytes: the image as stored, or decrypted with the published key. */
    const uint8_t *bytes = x->data;
    uint64_t avail = x->size;
    struct ic_buf plain;
    ic_buf_init(&plain, ic_extract_max_file_size(x));
    int decrypted = 0;
    if (encrypted) {
        if (complete)
            avail =
                x->size - payload_end >= DRAYTEK_TRAILER ? payload_end + DRAYTEK_TRAILER : x->size;
        if (complete && decrypt_image(x, avail, &plain) == IC_OK &&
            ~ic_vendor_crc32(plain.data + DRAYTEK_HEADER, payload_end - DRAYTEK_HEADER) == crc) {
            bytes = plain.data;
            decrypted = 1;
        }
    } else if (complete) {
        uint32_t got = ~ic_vendor_crc32(h + DRAYTEK_HEADER, payload_end - DRAYTEK_HEADER);
        if (got != crc)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 12,
                            "kernel and rootfs CRC mismatch: header says %08x, data gives %08x",
                            crc, got);
    }

    uint64_t end = limit;
    if (complete) {
        /* An encrypted image's trailer may be stored plain or encrypted. */
        uint64_t trailer = encrypted ? check_trailer(x, x->data, x->size, payload_end, 1) : 0;
        if (!trailer && (!encrypted || decrypted))
            trailer = check_trailer(x, bytes, avail, payload_end, 0);
        end += trailer;
        if (image > end)
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 8,
                            "image of %u bytes declared, only %llu present", image,
                            (unsigned long long)x->size);
    }
    ic_extract_set_extent(x, end);
    if (encrypted && !decrypted) {
        ic_buf_release(&plain);
        ic_vendor_encrypted(x, "DrayTek Vigor 167",
                            complete ? "ChaCha20, key unknown (the published key fails the CRC)"
                                     : "ChaCha20, image cut short",
                            DRAYTEK_HEADER, limit - DRAYTEK_HEADER);
        ic_extract_set_info(x, "encrypted: DrayTek Vigor 167, ChaCha20, nonce %08x, %llu bytes",
                            ic_load_u32be(h + 0x90), (unsigned long long)(limit - DRAYTEK_HEADER));
        return IC_OK;
    }
    if (decrypted) {
        plain.len = (size_t)payload_end; /* the layer's content: header and plain parts */
        int rc = ic_extract_content_from_buf(x, &plain);
        ic_buf_release(&plain);
        if (rc != IC_OK)
            return IC_OK;
    }
    ic_buf_release(&plain);
    ic_vendor_part(x, DRAYTEK_HEADER, kernel, limit, NULL, "kernel");
    ic_vendor_part(x, DRAYTEK_HEADER + (uint64_t)kernel, rootfs, limit, NULL, "rootfs");
    ic_extract_set_info(x, "DrayTek Vigor%s, kernel %u bytes at 0x%08x, rootfs %u bytes",
                        decrypted ? ", decrypted with the published ChaCha20 key" : "", kernel,
                        ic_load_u32be(h + 0x7c), rootfs);
    return IC_OK;
}

const struct ic_format ic_format_draytek = {
    .name = "draytek",
    .description = "DrayTek Vigor 167 firmware (2RDH)",
    .magics = IC_MAGICS({"2RDH", 4, 0}),
    .unpack = draytek_unpack,
};
