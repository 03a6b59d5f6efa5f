/* Helpers shared by the vendor firmware containers (see vendor.h). */
#include "unpack/vendor/vendor.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <zlib.h>

uint32_t ic_vendor_crc32(const uint8_t *data, uint64_t size)
{
    uLong crc = crc32(0L, Z_NULL, 0);
    while (size > 0) {
        uInt n = size > (1u << 30) ? (1u << 30) : (uInt)size;
        crc = crc32(crc, data, n);
        data += n;
        size -= n;
    }
    return (uint32_t)crc;
}

static uint32_t cksum_table[256];

static void cksum_table_init(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t r = i << 24;
        for (int k = 0; k < 8; k++)
            r = (r & 0x80000000u) ? (r << 1) ^ 0x04c11db7u : r << 1;
        cksum_table[i] = r;
    }
}

uint32_t ic_vendor_posix_cksum(const uint8_t *data, uint64_t size)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, cksum_table_init);
    uint32_t crc = 0;
    for (uint64_t i = 0; i < size; i++)
        crc = (crc << 8) ^ cksum_table[(crc >> 24) ^ data[i]];
    for (uint64_t n = size; n > 0; n >>= 8)
        crc = (crc << 8) ^ cksum_table[(crc >> 24) ^ (n & 0xff)];
    return ~crc;
}

static int digest_update(EVP_MD_CTX *ctx, const uint8_t *data, uint64_t size)
{
    while (size > 0) {
        size_t n = size > (1u << 30) ? (1u << 30) : (size_t)size;
        if (EVP_DigestUpdate(ctx, data, n) != 1)
            return 0;
        data += n;
        size -= n;
    }
    return 1;
}

static int digest(const EVP_MD *md, const uint8_t *data, uint64_t size, uint64_t patch_at,
                  const uint8_t *patch, size_t patch_len, uint8_t *out)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned int len = 0;
    int ok = ctx && EVP_DigestInit_ex(ctx, md, NULL) == 1;
    if (ok && patch) {
        ok = digest_update(ctx, data, patch_at) && digest_update(ctx, patch, patch_len) &&
             digest_update(ctx, data + patch_at + patch_len, size - patch_at - patch_len);
    } else if (ok) {
        ok = digest_update(ctx, data, size);
    }
    ok = ok && EVP_DigestFinal_ex(ctx, out, &len) == 1;
    EVP_MD_CTX_free(ctx);
    return ok ? IC_OK : IC_E_INTERNAL;
}

int ic_vendor_md5_patched(const uint8_t *data, uint64_t size, uint64_t patch_at,
                          const uint8_t patch[16], uint8_t out[16])
{
    if (patch && (patch_at > size || size - patch_at < 16))
        return IC_E_INVALID_ARG;
    return digest(EVP_md5(), data, size, patch_at, patch, 16, out);
}

int ic_vendor_sha512(const uint8_t *data, uint64_t size, uint8_t out[64])
{
    return digest(EVP_sha512(), data, size, 0, NULL, 0, out);
}

void ic_vendor_string(const uint8_t *field, size_t n, char *out, size_t outsz)
{
    size_t i = 0;
    if (outsz == 0)
        return;
    for (; i < n && i + 1 < outsz && field[i]; i++) {
        uint8_t ch = field[i];
        out[i] =
            (ch >= 0x20 && ch < 0x7f && ch != '\'' && ch != '"' && ch != '\\') ? (char)ch : '?';
    }
    out[i] = '\0';
}

void ic_vendor_hex(const uint8_t *bytes, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[bytes[i] >> 4];
        out[2 * i + 1] = digits[bytes[i] & 15];
    }
    out[2 * n] = '\0';
}

int ic_vendor_part(struct ic_extract *x, uint64_t offset, uint64_t size, uint64_t limit,
                   const char *hint, const char *what)
{
    if (size == 0)
        return 0;
    if (offset >= limit) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, -1,
                        "%s at %llu starts past the end of the data (%llu bytes)", what,
                        (unsigned long long)offset, (unsigned long long)limit);
        return 0;
    }
    if (size > limit - offset) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)offset,
                        "%s of %llu bytes is cut short: %llu bytes present", what,
                        (unsigned long long)size, (unsigned long long)(limit - offset));
        size = limit - offset;
    }
    return ic_extract_child(x, offset, size, hint, what) == IC_OK;
}

void ic_vendor_encrypted(struct ic_extract *x, const char *scheme, const char *cipher,
                         uint64_t offset, uint64_t size)
{
    ic_extract_diag(x, IC_DIAG_WARNING, IC_E_ENCRYPTED, (int64_t)offset,
                    "%llu bytes encrypted with the %s scheme (%s); not unpacked",
                    (unsigned long long)size, scheme, cipher);
}

int ic_vendor_header_cut(struct ic_extract *x, const char *container, uint64_t header_size)
{
    ic_extract_set_extent(x, x->size);
    ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 0,
                    "%s header of %llu bytes cut short: only %llu bytes present", container,
                    (unsigned long long)header_size, (unsigned long long)x->size);
    ic_extract_set_info(x, "%s, header cut short", container);
    return IC_OK;
}
