/* Tenvis IP camera updates (.pk2): a little-endian 28-byte header ("PK2\0",
 * camera type, creation time, version[4], reserved[8], section count), then
 * sections of a 24-byte header (type "CMD\0" or "FILE", MD5, payload size)
 * and a payload. A CMD payload is a shell command; a FILE payload is the
 * path's length, the path, the data's length and the data. Commands and
 * file data are XORed with a fixed 8-byte key; the MD5 covers the payload
 * as it is once decoded. Files become the layer's file tree, decoded. */
#include "unpack/format.h"
#include "unpack/vendor/vendor.h"

#include <stdio.h>
#include <stdlib.h>

#define PK2_HEADER 28u
#define PK2_SECTION 24u
#define PK2_MAX_SECTIONS 4096u
#define PK2_MAX_PATH 1024u

static const uint8_t pk2_key[8] = {0xa1, 0x83, 0x24, 0x78, 0xb3, 0x41, 0x43, 0x56};

static void xor_decode(const uint8_t *in, uint8_t *out, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++)
        out[i] = in[i] ^ pk2_key[i % sizeof(pk2_key)];
}

/* The payload with its encoded part decoded, in a new buffer (caller frees). */
static uint8_t *decoded_payload(struct ic_extract *x, const uint8_t *p, uint64_t size,
                                uint64_t plain)
{
    if (ic_extract_charge(x, size) != IC_OK)
        return NULL;
    uint8_t *buf = malloc(size ? (size_t)size : 1);
    if (!buf)
        return NULL;
    memcpy(buf, p, (size_t)plain);
    xor_decode(p + plain, buf + plain, size - plain);
    return buf;
}

static void check_md5(struct ic_extract *x, uint64_t at, const uint8_t *want, const uint8_t *plain,
                      uint64_t size)
{
    uint8_t got[16];
    if (ic_vendor_md5_patched(plain, size, 0, NULL, got) == IC_OK && memcmp(got, want, 16) != 0)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_CHECKSUM, (int64_t)at, "section MD5 mismatch");
}

/* A FILE section: adds the decoded file. Returns IC_OK or a limit error. */
static int add_file_section(struct ic_extract *x, uint64_t at, const uint8_t *p, uint32_t size,
                            const uint8_t *md5)
{
    if (size < 8 || ic_load_u32le(p) > PK2_MAX_PATH || ic_load_u32le(p) > size - 8u) {
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)at, "FILE section malformed");
        return IC_OK;
    }
    uint32_t name_len = ic_load_u32le(p);
    uint32_t data_len = ic_load_u32le(p + 4 + name_len);
    uint64_t head = 8u + (uint64_t)name_len;
    if (data_len != size - head)
        ic_extract_diag(x, IC_DIAG_WARNING, IC_E_FORMAT, (int64_t)at,
                        "FILE data of %u bytes in a payload of %u", data_len, size);
    if (data_len > size - head)
        data_len = (uint32_t)(size - head);
    uint8_t *plain = decoded_payload(x, p, head + data_len, head);
    if (!plain)
        return IC_E_LIMIT_BYTES;
    if (head + data_len == size)
        check_md5(x, at, md5, plain, size);
    char path[PK2_MAX_PATH + 2];
    path[0] = '/';
    ic_vendor_string(p + 4, name_len, path + (p[4] != '/'), sizeof(path) - 1);
    struct ic_blob *whole = NULL, *content = NULL;
    if (ic_blob_from_owned(plain, head + data_len, &whole) != IC_OK) {
        free(plain);
        return IC_E_NOMEM;
    }
    int rc = data_len ? ic_blob_slice(whole, head, data_len, &content) : IC_OK;
    ic_blob_unref(whole);
    if (rc != IC_OK)
        return rc;
    struct ic_entry e = {
        .path = path, .type = IC_FT_FILE, .mode = 0644, .size = data_len, .content = content};
    rc = ic_extract_add_entry(x, &e);
    ic_blob_unref(content);
    return rc;
}

static int pk2_unpack(struct ic_extract *x)
{
    if (x->size < 4 || memcmp(x->data, "PK2\0", 4) != 0)
        return IC_E_BAD_MAGIC;
    if (x->size < PK2_HEADER + PK2_SECTION)
        return IC_E_TRUNCATED;
    uint32_t sections = ic_load_u32le(x->data + 24);
    const uint8_t *first = x->data + PK2_HEADER;
    if (sections == 0 || sections > PK2_MAX_SECTIONS ||
        (memcmp(first, "CMD\0", 4) != 0 && memcmp(first, "FILE", 4) != 0))
        return IC_E_FORMAT;
    ic_extract_fs(x);
    uint64_t pos = PK2_HEADER;
    unsigned files = 0, commands = 0;
    char command[64] = "";
    for (uint32_t s = 0; s < sections; s++) {
        if (x->size - pos < PK2_SECTION) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)pos,
                            "section %u of %u cut short", s + 1, sections);
            pos = x->size;
            break;
        }
        const uint8_t *h = x->data + pos;
        uint32_t size = ic_load_u32le(h + 20);
        uint64_t at = pos + PK2_SECTION;
        if (size > x->size - at) {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_TRUNCATED, (int64_t)at,
                            "section payload of %u bytes cut short: %llu bytes present", size,
                            (unsigned long long)(x->size - at));
            pos = x->size;
            break;
        }
        if (memcmp(h, "FILE", 4) == 0) {
            if (add_file_section(x, at, x->data + at, size, h + 4) != IC_OK)
                break;
            files++;
        } else if (memcmp(h, "CMD\0", 4) == 0) {
            uint8_t *plain = decoded_payload(x, x->data + at, size, 0);
            if (plain) {
                check_md5(x, at, h + 4, plain, size);
                if (commands == 0)
                    ic_vendor_string(plain, size, command, sizeof(command));
                free(plain);
            }
            commands++;
        } else {
            ic_extract_diag(x, IC_DIAG_ERROR, IC_E_FORMAT, (int64_t)pos,
                            "unknown section type at %llu", (unsigned long long)pos);
            break;
        }
        pos = at + size;
    }
    ic_extract_set_extent(x, pos);
    for (char *c = command; *c; c++)
        if (*c == '\n')
            *c = ' ';
    ic_extract_set_info(x, "Tenvis PK2 (XOR-encoded), %u section%s: %u file%s, %u command%s%s%s%s",
                        sections, sections == 1 ? "" : "s", files, files == 1 ? "" : "s", commands,
                        commands == 1 ? "" : "s", commands ? " (first: '" : "", command,
                        commands ? "')" : "");
    return IC_OK;
}

const struct ic_format ic_format_tenvispk2 = {
    .name = "tenvispk2",
    .description = "Tenvis camera update (PK2)",
    .magics = IC_MAGICS({"PK2\0", 4, 0}),
    .unpack = pk2_unpack,
};
