/* Buffalo's encrypted firmware (buffalo-enc, as OpenWrt's firmware-utils and
 * Buffalo's own updaters read it): "start" (or "asar1") and a NUL, a seed
 * byte, then three big-endian length-prefixed fields: the product name (at
 * most 32 bytes with its NUL), the version (at most 8) and the data, then a
 * checksum of the plain data and 1 to 4 bytes of padding. Each field is
 * encrypted with an RC4-like stream cipher keyed by a seed byte followed by
 * the key string: the product with the header's seed, the version with the
 * product's first encrypted byte, the data with the version's. The key
 * OpenWrt and Buffalo's images use is published ("Buffalo"); the cipher's
 * state is 256 bytes, or as long as the field in the "long state" variant.
 * The checksum (CRC-32 steps, reflected 0xedb88320, seeded with the data
 * length, bytes sign-extended) tells which variant decrypts; the plain data
 * becomes this layer's content. With another key it is reported encrypted. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdlib.h>

#define BUFFALO_MAGIC_LEN 6u
#define BUFFALO_MAX_PRODUCT 32u
#define BUFFALO_MAX_VERSION 8u
#define BUFFALO_SHORT_STATE 256u
#define BUFFALO_KEY "Buffalo"

/* Runs the stream cipher over len bytes (in and out may be the same). The
 * state holds state_len bytes (256, or len in the long-state variant). */
static void buffalo_crypt(uint8_t seed, const uint8_t *in, uint8_t *out, size_t len, uint8_t *state,
                          size_t state_len)
{
    static const char key_text[] = BUFFALO_KEY;
    uint8_t key[sizeof(key_text)];
    size_t key_len = sizeof(key_text); /* the seed, then the text without its NUL */
    key[0] = seed;
    memcpy(key + 1, key_text, sizeof(key_text) - 1);
    for (size_t i = 0; i < state_len; i++)
        state[i] = (uint8_t)i;
    size_t k = 0;
    for (size_t i = 0, j = 0; i < state_len; i++, j = (j + 1) % key_len) {
        uint8_t t = state[i];
        k = (k + key[j] + t) % state_len;
        state[i] = state[k];
        state[k] = t;
    }
    /* The original keeps its indexes in bytes: they wrap at 256 whatever the state length. */
    uint8_t a = 0, b = 0;
    for (size_t n = 0; n < len; n++) {
        a = (uint8_t)((a + 1u) % state_len);
        b = (uint8_t)((b + (size_t)state[a]) % state_len);
        uint8_t t = state[b];
        state[b] = state[a];
        state[a] = t;
        out[n] = in[n] ^ state[((size_t)state[a] + state[b]) % state_len];
    }
}

static uint32_t buffalo_checksum(const uint8_t *p, size_t len)
{
    uint32_t c = (uint32_t)len;
    for (size_t n = 0; n < len; n++) {
        c ^= (uint32_t)(int32_t)(int8_t)p[n];
        for (int i = 0; i < 8; i++)
            c = (c >> 1) ^ ((c & 1) ? 0xedb88320u : 0);
    }
    return c;
}

/* Decrypts a short field (product or version) into out as a printable string. */
static void field_text(uint8_t seed, const uint8_t *enc, uint32_t len, int long_state, char *out,
                       size_t outsz)
{
    uint8_t plain[BUFFALO_MAX_PRODUCT], state[BUFFALO_SHORT_STATE];
    buffalo_crypt(seed, enc, plain, len, state, long_state ? len : BUFFALO_SHORT_STATE);
    ic_vendor_string(plain, len, out, outsz);
}

static int buffalo_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < BUFFALO_MAGIC_LEN || (memcmp(h, "start\0", BUFFALO_MAGIC_LEN) != 0 &&
                                        memcmp(h, "asar1\0", BUFFALO_MAGIC_LEN) != 0))
        return IC_E_BAD_MAGIC;
    struct ic_cursor c;
    ic_cursor_init(&c, x->data, (size_t)x->size);
    uint8_t seed = 0;
    uint32_t product_len = 0, version_len = 0, data_len = 0;
    const uint8_t *product = NULL, *version = NULL;
    ic_cursor_skip(&c, BUFFALO_MAGIC_LEN);
    if (ic_cursor_copy(&c, &seed, 1) || ic_cursor_u32be(&c, &product_len))
        return IC_E_TRUNCATED;
    if (product_len == 0 || product_len > BUFFALO_MAX_PRODUCT)
        return IC_E_FORMAT;
    if (ic_cursor_bytes(&c, product_len, &product) || ic_cursor_u32be(&c, &version_len))
        return ic_vendor_header_cut(x, "Buffalo encrypted image", 11 + product_len);
    if (version_len == 0 || version_len > BUFFALO_MAX_VERSION)
        return IC_E_FORMAT;
    uint64_t header = 15 + (uint64_t)product_len + version_len + 4;
    if (ic_cursor_bytes(&c, version_len, &version) || ic_cursor_u32be(&c, &data_len))
        return ic_vendor_header_cut(x, "Buffalo encrypted image", header);
    if (data_len == 0)
        return IC_E_FORMAT;
    uint64_t unpadded = header + data_len + 4;
    uint64_t end = unpadded + (4 - unpadded % 4);
    if (unpadded > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)header - 4,
                        "%u bytes of data declared, %llu present", data_len,
                        (unsigned long long)(x->size - header));
        ic_extract_set_extent(x, x->size);
        ic_vendor_encrypted(x, "Buffalo buffalo-enc", "RC4-like stream cipher", header,
                            x->size - header);
        ic_extract_set_info(x, "encrypted: Buffalo buffalo-enc, cut short");
        return IC_OK;
    }
    if (end > x->size)
        end = unpadded;
    ic_extract_set_extent(x, end);
    uint32_t stored = ic_load_u32be(h + header + data_len);

    /* Decrypt with the published key: the short state first, then the long one. */
    struct ic_buf out;
    ic_buf_init(&out, ic_extract_max_file_size(x));
    int rc = ic_extract_output(x, &out, h + header, data_len);
    int long_state = -1;
    uint8_t *state = NULL;
    for (int variant = 0; rc == IC_OK && variant < 2 && long_state < 0; variant++) {
        size_t state_len = variant ? data_len : BUFFALO_SHORT_STATE;
        uint8_t *s = realloc(state, state_len);
        if (!s) {
            rc = IC_E_NOMEM;
            break;
        }
        state = s;
        buffalo_crypt(version[0], h + header, out.data, data_len, state, state_len);
        if (buffalo_checksum(out.data, data_len) == stored)
            long_state = variant;
    }
    free(state);
    char product_text[BUFFALO_MAX_PRODUCT + 1] = "", version_text[BUFFALO_MAX_VERSION + 1] = "";
    if (long_state >= 0) {
        field_text(seed, product, product_len, long_state, product_text, sizeof(product_text));
        field_text(product[0], version, version_len, long_state, version_text,
                   sizeof(version_text));
        rc = ic_extract_content_from_buf(x, &out);
    }
    ic_buf_release(&out);
    if (rc != IC_OK) {
        ic_extract_diag(x, IC_DIAG_ERROR, rc, (int64_t)header, "data not decrypted: %s",
                        ic_error_message(rc));
        ic_extract_set_info(x, "encrypted: Buffalo buffalo-enc, %u bytes", data_len);
        return IC_OK;
    }
    if (long_state < 0) {
        ic_vendor_encrypted(x, "Buffalo buffalo-enc",
                            "RC4-like stream cipher, key not the published one", header, data_len);
        ic_extract_set_info(x, "encrypted: Buffalo buffalo-enc, %u bytes, key unknown", data_len);
        return IC_OK;
    }
    ic_extract_set_info(x,
                        "Buffalo buffalo-enc image decrypted with the published key (%s state): "
                        "product '%s', version '%s', %u bytes",
                        long_state ? "long" : "short", product_text, version_text, data_len);
    return IC_OK;
}

const struct ic_format ic_format_buffalo = {
    .name = "buffalo",
    .description = "Buffalo encrypted firmware (buffalo-enc)",
    .magics = IC_MAGICS({"start\0", 6, 0}, {"asar1\0", 6, 0}),
    .unpack = buffalo_unpack,
};
