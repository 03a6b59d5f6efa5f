/* Senao (EnGenius, D-Link access points) obfuscated firmware. Version 1, as
 * OpenWrt's mksenaofw writes it: a big-endian header of 0x60 bytes (head,
 * vendor id, product id, version[16], firmware type, file size, a zero word,
 * MD5 of the plain payload, 32 bytes of padding, checksum, magic at 0x5c,
 * 0x12345678 by default), then, for firmware type 0 with "all\0" at 0x60, a
 * CAPWAP header (mod, sku, three firmware version words, date code, three
 * CAPWAP version words, model name length at 0x84, model name), then the
 * payload. The checksum is the sum of the header bytes (the CAPWAP header
 * included) with its own field zero. Version 2 (later EnGenius images) puts
 * its magic 30 47 16 88 at 0x7c (payload at 0x80) or 0xb4 (payload at
 * 0xb8); its payload runs to the end of the data.
 *
 * The payload is XORed with the magic word: byte i with (magic >> (i % 8))
 * & 0xff. The plain payload becomes this layer's content. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>

#define SENAO_V1_HEADER 0x60u
#define SENAO_V1_MAGIC_AT 0x5cu
#define SENAO_CHECKSUM_AT 0x58u
#define SENAO_CAPWAP_MODEL_LEN_AT 0x84u
#define SENAO_MAX_MODEL 256u
#define SENAO_V2_MAGIC 0x30471688u

static const char *const type_names[] = {
    "combo", "bootloader", "kernel", "kernelapp", "apps",
};

static int decode_payload(struct ic_extract *x, uint64_t at, uint64_t len, uint32_t key,
                          struct ic_buf *out)
{
    int rc = ic_extract_output(x, out, x->data + at, (size_t)len);
    for (size_t i = 0; rc == IC_OK && i < len; i++)
        out->data[i] ^= (uint8_t)(key >> (i % 8));
    return rc;
}

static int finish(struct ic_extract *x, struct ic_buf *out, int rc, uint64_t at)
{
    if (rc == IC_OK)
        rc = ic_extract_content_from_buf(x, out);
    ic_buf_release(out);
    if (rc != IC_OK)
        ic_extract_diag(x, IC_DIAG_ERROR, rc, (int64_t)at, "payload not decoded: %s",
                        ic_error_message(rc));
    return IC_OK;
}

static int senao_v2(struct ic_extract *x, uint64_t magic_at)
{
    uint64_t at = magic_at + 4;
    ic_extract_set_extent(x, x->size);
    ic_extract_set_info(x, "Senao v2 image, XOR key 0x%08x, payload of %llu bytes at 0x%llx",
                        SENAO_V2_MAGIC, (unsigned long long)(x->size - at), (unsigned long long)at);
    struct ic_buf out;
    ic_buf_init(&out, ic_extract_max_file_size(x));
    return finish(x, &out, decode_payload(x, at, x->size - at, SENAO_V2_MAGIC, &out), at);
}

static int senao_unpack(struct ic_extract *x)
{
    const uint8_t *h = x->data;
    if (x->size < SENAO_V1_HEADER)
        return IC_E_BAD_MAGIC;
    /* Version 2: the magic further on, the payload to the end. */
    if (ic_load_u32be(h + SENAO_V1_MAGIC_AT) != 0x12345678u) {
        for (uint64_t m = 0x7c; m <= 0xb4; m += 0xb4 - 0x7c)
            if (x->size > m + 4 && ic_load_u32be(h + m) == SENAO_V2_MAGIC)
                return senao_v2(x, m);
        return IC_E_BAD_MAGIC;
    }
    uint32_t vendor = ic_load_u32be(h + 4), product = ic_load_u32be(h + 8);
    uint32_t type = ic_load_u32be(h + 28), file_size = ic_load_u32be(h + 32);
    uint32_t stored_sum = ic_load_u32be(h + SENAO_CHECKSUM_AT);
    uint32_t key = ic_load_u32be(h + SENAO_V1_MAGIC_AT);
    if (ic_load_u32be(h + 36) != 0 || file_size == 0 || type > 0x0c)
        return IC_E_FORMAT;
    uint64_t at = SENAO_V1_HEADER;
    char model[SENAO_MAX_MODEL + 1] = "";
    if (type == 0 && x->size >= SENAO_V1_HEADER + 4 &&
        memcmp(h + SENAO_V1_HEADER, "all\0", 4) == 0) {
        if (x->size < SENAO_CAPWAP_MODEL_LEN_AT + 4)
            return ic_vendor_header_cut(x, "Senao CAPWAP", SENAO_CAPWAP_MODEL_LEN_AT + 4);
        uint32_t model_len = ic_load_u32be(h + SENAO_CAPWAP_MODEL_LEN_AT);
        if (model_len > SENAO_MAX_MODEL)
            return IC_E_FORMAT;
        at = SENAO_CAPWAP_MODEL_LEN_AT + 4 + model_len;
        if (at > x->size)
            return ic_vendor_header_cut(x, "Senao CAPWAP", at);
        ic_vendor_string(h + SENAO_CAPWAP_MODEL_LEN_AT + 4, model_len, model, sizeof(model));
    }
    uint32_t sum = 0;
    for (uint64_t i = 0; i < at; i++)
        if (i < SENAO_CHECKSUM_AT || i >= SENAO_CHECKSUM_AT + 4)
            sum += h[i];
    if (sum != stored_sum)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, SENAO_CHECKSUM_AT,
                        "header checksum mismatch: header says 0x%08x, bytes give 0x%08x",
                        stored_sum, sum);
    uint64_t end = at + file_size, len = file_size;
    if (end > x->size) {
        ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, 32,
                        "payload of %u bytes runs past the end of the data (%llu bytes)", file_size,
                        (unsigned long long)x->size);
        end = x->size;
        len = end - at;
    }
    ic_extract_set_extent(x, end);
    char version[17];
    ic_vendor_string(h + 12, 16, version, sizeof(version));
    ic_extract_set_info(
        x,
        "Senao v1 image, vendor 0x%x, product 0x%x, version '%s', type %u (%s)%s%s, "
        "XOR key 0x%08x, %u bytes",
        vendor, product, version, type, type < 5 ? type_names[type] : "vendor's",
        model[0] ? ", model " : "", model, key, file_size);
    struct ic_buf out;
    ic_buf_init(&out, ic_extract_max_file_size(x));
    int rc = decode_payload(x, at, len, key, &out);
    if (rc == IC_OK && len == file_size) {
        uint8_t md5[16];
        if (ic_vendor_md5_patched(out.data, len, 0, NULL, md5) == IC_OK &&
            memcmp(md5, h + 40, 16) != 0)
            ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, 40,
                            "MD5 of the decoded payload does not match the header");
    }
    return finish(x, &out, rc, at);
}

const struct ic_format ic_format_senao = {
    .name = "senao",
    .description = "Senao/EnGenius XOR-obfuscated firmware (mksenaofw)",
    .magics = IC_MAGICS({"\x12\x34\x56\x78", 4, SENAO_V1_MAGIC_AT}, {"\x30\x47\x16\x88", 4, 0x7c},
                        {"\x30\x47\x16\x88", 4, 0xb4}),
    .unpack = senao_unpack,
};
